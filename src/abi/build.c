/*
 * Turning a builder into an immutable policy, confining the caller with
 * one, and releasing policies and returned strings (docs/abi.md 3.13, 3.16).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/objects.h"
#include "landlock/landlock.h"
#include "util/error.h"

static void report(int *err, char **err_msg, char *msg)
{
	if (err)
		*err = -1;
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

SL_EXPORT sandlock_sandbox_t *sandlock_sandbox_build(sandlock_builder_t *b, int *err,
						     char **err_msg)
{
	struct sl_error e = { 0 };
	struct sl_sandbox *sb = NULL;
	struct sl_policy *p;
	bool oom;

	if (err_msg)
		*err_msg = NULL;
	if (!b) {
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
		report(err, err_msg, strdup("out of memory"));
		return NULL;
	}
	if (build_policy(p, &sb, &e) < 0) {
		report(err, err_msg, sl_error_take(&e));
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

/* Irreversible for the calling process; the only diagnostic the caller
 * gets besides -1 is the line on stderr. */
SL_EXPORT int sandlock_confine(const sandlock_sandbox_t *policy)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	struct sl_error e = { 0 };

	if (!sb)
		return -1;
	if (sl_confine(sb->policy, &e) < 0) {
		fprintf(stderr, "sandlock: confine: %s\n",
			e.msg ? e.msg : "failed");
		sl_error_clear(&e);
		return -1;
	}
	return 0;
}

SL_EXPORT void sandlock_string_free(char *s)
{
	free(s);
}
