/*
 * Running a command in a sandbox through the public ABI and capturing
 * the outcome. hrun() and its variants fill a struct hrun; run_in() keeps
 * only stdout; LU_RUN gives the ABI's own result for tests of its
 * accessors.
 */
#ifndef SL_TESTLIB_RUN_H
#define SL_TESTLIB_RUN_H

/* The system headers the sandbox tests commonly use. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandlock.h"

struct hrun {
	bool ok;	 /* the sandbox ran */
	int code;	 /* exit code, -1 if none */
	uint32_t reason; /* SANDLOCK_EXIT_REASON_* */
	int sig;
	char *out, *err; /* captured, "" when none */
	char *build_err; /* why the policy did not build */
};

/* Run argv (NULL-terminated) under sb, through
 * sandlock_run_with_handlers with the n handlers regs unless regs is
 * NULL; fills o. */
void hrun_with(const sandlock_sandbox_t *sb, const char *const *argv,
	       const sandlock_handler_registration_t *regs, size_t n,
	       struct hrun *o);

/* Build b (consumed) and run argv under it. */
void hrun(sandlock_builder_t *b, const char *const *argv, struct hrun *o);
void hrun_handlers(sandlock_builder_t *b, const char *const *argv,
		   const sandlock_handler_registration_t *regs, size_t n,
		   struct hrun *o);

void hrun_free(struct hrun *o);

/* Fail the test unless the sandbox ran. */
#define CHECK_RAN(o)                                           \
	do {                                                   \
		if (!(o)->ok)                                  \
			FAIL("sandbox did not run: %s",        \
			     (o)->build_err ? (o)->build_err : \
					      "spawn failed"); \
	} while (0)

/* Run argv in a sandbox built from b (consumed); its stdout (free it),
 * "(did not run)" when it did not run. stderr is shown. */
char *run_in(sandlock_builder_t *b, const char *const *argv);

/* sandlock_run of an argv given inline: the ABI's result. */
#define LU_RUN(p, ...)                                                    \
	({                                                                \
		const char *_argv[] = { __VA_ARGS__ };                    \
		sandlock_run((p), NULL, _argv,                            \
			     (unsigned)(sizeof(_argv) / sizeof(*_argv))); \
	})

/* Captured stdout and stderr of r as strings ("" when none); free(). */
char *lu_out(const sandlock_result_t *r);
char *lu_err(const sandlock_result_t *r);

#endif
