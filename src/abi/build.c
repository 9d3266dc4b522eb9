/*
 * Turning a builder into an immutable policy, confining the caller with
 * one, and releasing policies and returned strings (docs/abi.md 3.13, 3.16).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/lasterr.h"
#include "abi/objects.h"
#include "landlock/landlock.h"
#include "util/error.h"

/* A failed build: -1 in *err, the message in *err_msg (the caller
 * frees it) and in the thread's error record. */
static void report(int *err, char **err_msg, int code, char *msg)
{
	if (err)
		*err = -1;
	sl_abi_fail(code, "%s", msg ? msg : strerror(code));
	if (err_msg)
		*err_msg = msg;
	else
		free(msg);
}

/* Validate (which also refuses features that do not exist yet), prepare
 * the launch artefacts. Owns p in every case. */
static int build_policy(struct sl_policy *p, struct sl_sandbox **out,
			struct sl_error *e)
{
	int r = sl_policy_build(p, e);

	if (r < 0) {
		sl_policy_free(p);
		return r;
	}
	return sl_sandbox_new(p, out, e);
}

SL_EXPORT sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b,
						     int *err, char **err_msg)
{
	struct sl_error e = { 0 };
	struct sl_sandbox *sb = NULL;
	struct sl_policy *p;
	bool oom;

	sl_abi_reset();
	if (err_msg)
		*err_msg = NULL;
	if (!b) {
		/* *err_msg stays NULL here (docs/abi.md 3.13) */
		sl_abi_bad_arg("NULL builder");
		if (err)
			*err = -1;
		return NULL;
	}
	/* The builder is consumed on every path, and with it the policy
	 * (whose release also drops a registered callback's user data). */
	p = b->policy;
	oom = b->oom;
	free(b);
	if (oom) {
		sl_policy_free(p);
		report(err, err_msg, ENOMEM, strdup("out of memory"));
		return NULL;
	}
	if (build_policy(p, &sb, &e) < 0) {
		int code = e.code ? e.code : EINVAL;

		report(err, err_msg, code, sl_error_take(&e));
		return NULL;
	}
	sl_error_clear(&e);
	if (err)
		*err = 0;
	return sl_to_abi(sb);
}

/* Also accepts a sandlock_t: the reference's Python SDK frees those with
 * this function (docs/abi.md 1.2). */
SL_EXPORT void sandlock_sandbox_free(sandlock_sandbox_t *p)
{
	struct sl_sandbox *sb = sl_any_from_abi(p);

	if (sb)
		sl_sandbox_unref(sb);
}

/* Irreversible for the calling process; a failure (which changed
 * nothing) is described by the thread's error record. */
SL_EXPORT int sandlock_confine(const sandlock_sandbox_t *policy)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	struct sl_error e = { 0 };

	sl_abi_reset();
	if (!sb)
		return sl_abi_bad_arg("not a built policy");
	if (sl_confine(sb->policy, &e) < 0)
		return sl_abi_fail_err(&e, "confine failed");
	return 0;
}

SL_EXPORT void sandlock_string_free(char *s)
{
	free(s);
}
