/*
 * Minimal test harness. In a test file:
 *
 *   #include "harness.h"
 *   TEST(parses_sizes) { CHECK(x == 1); CHECK_EQ_INT(a, b); }
 *
 * Each TEST registers itself; main() (provided here) runs them all, or only
 * those whose name contains argv[1]. A failed CHECK prints the location and
 * ends that test. SKIP("why") ends it as skipped (only for a kernel that
 * truly lacks a feature). Output ends with "N passed, N failed, N skipped".
 */
#ifndef SL_TEST_HARNESS_H
#define SL_TEST_HARNESS_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sl_test {
	const char *name;
	void (*fn)(void);
};

#define SL_MAX_TESTS 512
static struct sl_test sl_tests[SL_MAX_TESTS];
static int sl_ntests;
static int sl_cur_state; /* 0 pass, 1 fail, 2 skip */

#define TEST(name)                                                      \
	static void test_##name(void);                                  \
	__attribute__((constructor)) static void reg_##name(void)       \
	{                                                               \
		if (sl_ntests < SL_MAX_TESTS)                           \
			sl_tests[sl_ntests++] =                         \
				(struct sl_test){ #name, test_##name }; \
	}                                                               \
	static void test_##name(void)

#define FAIL(...)                                                 \
	do {                                                      \
		fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                     \
		fputc('\n', stderr);                              \
		sl_cur_state = 1;                                 \
		return;                                           \
	} while (0)

#define CHECK(c)                                      \
	do {                                          \
		if (!(c))                             \
			FAIL("CHECK(%s) failed", #c); \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                  \
	do {                                                                \
		long long _a = (long long)(a), _b = (long long)(b);         \
		if (_a != _b)                                               \
			FAIL("%s == %lld, expected %s == %lld", #a, _a, #b, \
			     _b);                                           \
	} while (0)

#define CHECK_STR(a, b)                                               \
	do {                                                          \
		const char *_a = (a), *_b = (b);                      \
		if (!_a || !_b || strcmp(_a, _b) != 0)                \
			FAIL("%s == \"%s\", expected \"%s\"", #a,     \
			     _a ? _a : "(null)", _b ? _b : "(null)"); \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                        \
	do {                                                               \
		const char *_h = (hay), *_n = (needle);                    \
		if (!_h || !strstr(_h, _n))                                \
			FAIL("%s == \"%s\" does not contain \"%s\"", #hay, \
			     _h ? _h : "(null)", _n);                      \
	} while (0)

#define SKIP(...)                               \
	do {                                    \
		fprintf(stderr, "  skipped: "); \
		fprintf(stderr, __VA_ARGS__);   \
		fputc('\n', stderr);            \
		sl_cur_state = 2;               \
		return;                         \
	} while (0)

int main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < sl_ntests; i++) {
		if (argc > 1 && !strstr(sl_tests[i].name, argv[1]))
			continue;
		sl_cur_state = 0;
		sl_tests[i].fn();
		fflush(stderr);
		printf("%s %s\n",
		       sl_cur_state == 0 ? "PASS" :
		       sl_cur_state == 1 ? "FAIL" :
					   "SKIP",
		       sl_tests[i].name);
		if (sl_cur_state == 0)
			pass++;
		else if (sl_cur_state == 1)
			fail++;
		else
			skip++;
	}
	printf("# %s: %d passed, %d failed, %d skipped\n", argv[0], pass, fail,
	       skip);
	return fail ? 1 : 0;
}

#endif
