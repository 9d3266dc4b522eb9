/*
 * The small parsers of the command-line tool: integers, integer lists,
 * UID:GID and RFC 3339 times. They live in cli/ (the library takes these
 * values as integers), so their sources are compiled into this test.
 */
#include "harness.h"

#include "../../cli/numparse.c"
#include "../../cli/time_parse.c"

TEST(u64_accepts_digits_up_to_max)
{
	uint64_t v = 0;

	CHECK_EQ_INT(cli_parse_u64("0", 10, &v), 0);
	CHECK_EQ_INT(v, 0);
	CHECK_EQ_INT(cli_parse_u64("255", UINT8_MAX, &v), 0);
	CHECK_EQ_INT(v, 255);
	CHECK_EQ_INT(cli_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ_INT(cli_parse_u64("18446744073709551616", UINT64_MAX, &v),
		     -ERANGE);
	CHECK_EQ_INT(cli_parse_u64("256", UINT8_MAX, &v), -ERANGE);
	CHECK_EQ_INT(cli_parse_u64("99999999999999999999999", UINT8_MAX, &v),
		     -ERANGE);
}

TEST(u64_rejects_everything_but_digits)
{
	static const char *const bad[] = { "",	   "-1",  "+1",	 " 1", "1 ",
					   "0x10", "1.0", "1e3", "abc" };
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cli_parse_u64(bad[i], UINT64_MAX, &v) != -EINVAL)
			FAIL("'%s' accepted", bad[i]);
}

TEST(u32_list_appends_in_order)
{
	struct sl_u32v v = { 0 };

	CHECK_EQ_INT(cli_parse_u32_list("0,2,3", &v), 0);
	CHECK_EQ_INT(cli_parse_u32_list("4294967295", &v), 0);
	CHECK_EQ_INT(v.n, 4);
	CHECK_EQ_INT(v.v[0], 0);
	CHECK_EQ_INT(v.v[1], 2);
	CHECK_EQ_INT(v.v[2], 3);
	CHECK(v.v[3] == UINT32_MAX);
	sl_u32v_free(&v);
}

TEST(u32_list_rejects_bad_items)
{
	static const char *const bad[] = { "",	   ",", "1,",	",1",
					   "1,,2", "a", "1, 2", "4294967296" };
	struct sl_u32v v = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cli_parse_u32_list(bad[i], &v) >= 0) {
			sl_u32v_free(&v);
			FAIL("'%s' accepted", bad[i]);
		}
	}
	sl_u32v_free(&v);
}

TEST(uid_gid_needs_two_u32)
{
	uint32_t u = 0, g = 0;

	CHECK_EQ_INT(cli_parse_uid_gid("1000:100", &u, &g), 0);
	CHECK_EQ_INT(u, 1000);
	CHECK_EQ_INT(g, 100);
	CHECK_EQ_INT(cli_parse_uid_gid("0:0", &u, &g), 0);
	CHECK_EQ_INT(cli_parse_uid_gid("abc", &u, &g), -EINVAL);
	CHECK_EQ_INT(cli_parse_uid_gid("1000", &u, &g), -EINVAL);
	CHECK_EQ_INT(cli_parse_uid_gid("1000:", &u, &g), -EINVAL);
	CHECK_EQ_INT(cli_parse_uid_gid(":1000", &u, &g), -EINVAL);
	CHECK_EQ_INT(cli_parse_uid_gid("1:2:3", &u, &g), -EINVAL);
	CHECK_EQ_INT(cli_parse_uid_gid("4294967296:1", &u, &g), -EINVAL);
}

static uint64_t parse_time_ok(const char *s)
{
	const char *why = NULL;
	uint64_t t = UINT64_MAX;

	if (cli_parse_rfc3339(s, &t, &why) != 0)
		fprintf(stderr, "  '%s': %s\n", s, why);
	return t;
}

TEST(rfc3339_converts_to_epoch_seconds)
{
	CHECK(parse_time_ok("1970-01-01T00:00:00Z") == 0);
	CHECK(parse_time_ok("2000-01-01T00:00:00Z") == 946684800);
	CHECK(parse_time_ok("2000-01-01t00:00:00z") == 946684800);
	CHECK(parse_time_ok("2000-01-01 00:00:00Z") == 946684800);
	CHECK(parse_time_ok("2000-01-01T01:30:00+01:30") == 946684800);
	CHECK(parse_time_ok("1999-12-31T19:00:00-05:00") == 946684800);
	CHECK(parse_time_ok("2000-01-01T00:00:00.999Z") == 946684800);
	CHECK(parse_time_ok("2024-02-29T12:34:56Z") == 1709210096);
	CHECK(parse_time_ok("2038-01-19T03:14:08Z") == 2147483648ULL);
	CHECK(parse_time_ok("9999-12-31T23:59:59Z") == 253402300799ULL);
}

TEST(rfc3339_rejects_malformed_and_pre_epoch_times)
{
	static const char *const bad[] = {
		"",
		"yesterday",
		"2000-01-01",
		"2000-01-01T00:00:00",
		"2000-01-01T00:00Z",
		"2000-1-01T00:00:00Z",
		"2000-13-01T00:00:00Z",
		"2000-02-30T00:00:00Z",
		"2001-02-29T00:00:00Z",
		"2000-01-01T24:00:00Z",
		"2000-01-01T00:60:00Z",
		"2000-01-01T00:00:00.Z",
		"2000-01-01T00:00:00+0100",
		"2000-01-01T00:00:00Z ",
		"1969-12-31T23:59:59Z",
		"1970-01-01T00:00:00+00:01",
	};
	const char *why;
	uint64_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (cli_parse_rfc3339(bad[i], &t, &why) == 0)
			FAIL("'%s' accepted as %llu", bad[i],
			     (unsigned long long)t);
		CHECK(why != NULL);
	}
}
