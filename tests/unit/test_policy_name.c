/* Sandbox names (docs/behaviour.md 11.4, docs/abi.md 1.6). */
#include "harness.h"
#include "policy/policy.h"

static const struct {
	const char *name;
	const char *error; /* NULL = valid */
} cases[] = {
	{ "web", NULL },
	{ "sandbox-1234-1", NULL },
	{ "h\xc3\xa9llo", NULL },	  /* héllo */
	{ "\xf0\x9f\x94\x92lock", NULL }, /* emoji, 4 bytes */
	{ "...", NULL },
	{ ".hidden", NULL },
	{ "a b", NULL },
	{ "", "sandbox name must not be empty" },
	{ "a/b", "sandbox name must not contain '/'" },
	{ "/", "sandbox name must not contain '/'" },
	{ ".", "sandbox name must not be '.' or '..'" },
	{ "..", "sandbox name must not be '.' or '..'" },
	{ "\xff", "sandbox name must be valid UTF-8" },
	{ "a\xc3", "sandbox name must be valid UTF-8" },    /* truncated */
	{ "\xc0\xaf", "sandbox name must be valid UTF-8" }, /* overlong '/' */
	{ "\xed\xa0\x80", "sandbox name must be valid UTF-8" }, /* surrogate */
	{ "\xf4\x90\x80\x80",
	  "sandbox name must be valid UTF-8" }, /* > U+10FFFF */
};

TEST(names)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sl_error e = { 0 };
		int r = sl_name_validate(cases[i].name, &e);

		if (!cases[i].error) {
			if (r != 0)
				FAIL("'%s' rejected: %s", cases[i].name, e.msg);
			continue;
		}
		if (r != -EINVAL)
			FAIL("'%s' accepted", cases[i].name);
		CHECK_STR(e.msg, cases[i].error);
		sl_error_clear(&e);
	}
}

TEST(length_limit_is_64_bytes)
{
	char name[66];
	struct sl_error e = { 0 };

	memset(name, 'x', 64);
	name[64] = '\0';
	CHECK_EQ_INT(sl_name_validate(name, NULL), 0);
	name[64] = 'x';
	name[65] = '\0';
	CHECK_EQ_INT(sl_name_validate(name, &e), -EINVAL);
	CHECK_STR(e.msg, "sandbox name must be at most 64 bytes");
	sl_error_clear(&e);
	/* Bytes, not characters: 32 two-byte characters fit, 33 do not. */
	{
		char wide[2 * 33 + 1];

		for (int i = 0; i < 33; i++)
			memcpy(wide + 2 * i, "\xc3\xa9", 2);
		wide[64] = '\0';
		CHECK_EQ_INT(sl_name_validate(wide, NULL), 0);
		wide[64] = '\xc3';
		wide[66] = '\0';
		CHECK_EQ_INT(sl_name_validate(wide, NULL), -EINVAL);
	}
}

TEST(null_is_empty)
{
	struct sl_error e = { 0 };

	CHECK_EQ_INT(sl_name_validate(NULL, &e), -EINVAL);
	CHECK_STR(e.msg, "sandbox name must not be empty");
	sl_error_clear(&e);
}
