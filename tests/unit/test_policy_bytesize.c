/* Byte sizes (docs/behaviour.md 0.1). */
#include "harness.h"
#include "policy/policy.h"
#include "util/bytesize.h"

#define K UINT64_C(1024)

static const struct {
	const char *s;
	uint64_t v;
} valid[] = {
	{ "0", 0 },
	{ "512", 512 },
	{ "1K", K },
	{ "1k", K },
	{ "2M", 2 * K *K },
	{ "2m", 2 * K *K },
	{ "3G", 3 * K *K *K },
	{ "3g", 3 * K *K *K },
	{ " 4G ", 4 * K *K *K },
	{ "\t1 G\n", K *K *K },
	{ "0K", 0 },
	{ "007", 7 },
	{ "18446744073709551615", UINT64_MAX },
	{ "17179869183G", UINT64_C(17179869183) * K *K *K },
};

static const struct {
	const char *s;
	const char *error;
} invalid[] = {
	{ "", "empty byte size" },
	{ "   ", "empty byte size" },
	{ "1.5G", "invalid byte size" },
	{ "1KB", "unknown byte size suffix 'KB' in '1KB'" },
	{ "12QB", "unknown byte size suffix 'QB' in '12QB'" },
	{ "1MiB", "unknown byte size suffix" },
	{ "1T", "unknown byte size suffix" },
	{ "1b", "unknown byte size suffix" },
	{ "K", "invalid byte size" },
	{ " M ", "invalid byte size" },
	{ "-1", "invalid byte size" },
	{ "+1", "invalid byte size" },
	{ "1 2", "invalid byte size" },
	{ "0x10", "invalid byte size" },
	{ "0x1f", "unknown byte size suffix" },
	{ "12$", "invalid byte size" },
	{ "18446744073709551616", "byte size out of range" },
	{ "17179869184G", "byte size out of range" },
	{ "99999999999999999999999K", "byte size out of range" },
};

TEST(valid_sizes)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct sl_error e = { 0 };
		uint64_t v = 1;

		if (sl_bytesize_parse(valid[i].s, &v, &e) != 0)
			FAIL("'%s' rejected: %s", valid[i].s, e.msg);
		if (v != valid[i].v)
			FAIL("'%s' = %" PRIu64 ", expected %" PRIu64,
			     valid[i].s, v, valid[i].v);
	}
}

TEST(invalid_sizes)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct sl_error e = { 0 };
		uint64_t v = 42;
		int r = sl_bytesize_parse(invalid[i].s, &v, &e);

		if (r >= 0)
			FAIL("'%s' accepted", invalid[i].s);
		if (!strstr(e.msg, invalid[i].error))
			FAIL("'%s': message '%s' lacks '%s'", invalid[i].s,
			     e.msg, invalid[i].error);
		CHECK_EQ_INT(v, 42);
		sl_error_clear(&e);
	}
	{
		struct sl_error e = { 0 };
		uint64_t v;

		CHECK_EQ_INT(sl_bytesize_parse(NULL, &v, &e), -EINVAL);
		sl_error_clear(&e);
	}
}

TEST(render_uses_largest_exact_suffix)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 1023, "1023" },
		{ 1024, "1K" },
		{ 1536, "1536" },
		{ 1024 * 1024, "1M" },
		{ 3 * K * K * K, "3G" },
		{ K * K * K + K, "1048577K" },
		{ 512 * K * K, "512M" },
		{ UINT64_MAX, "18446744073709551615" },
		{ UINT64_C(17179869183) * K * K * K, "17179869183G" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = sl_bytesize_render(cases[i].v);
		uint64_t back = 0;

		CHECK_STR(s, cases[i].s);
		CHECK_EQ_INT(sl_bytesize_parse(s, &back, NULL), 0);
		CHECK(back == cases[i].v);
		free(s);
	}
}
