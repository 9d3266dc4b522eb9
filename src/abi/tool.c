/*
 * The command-line tool's interface (tool.h): a thin layer over the run,
 * copy-on-write, start-check and policy modules, converting to the tool's
 * own types.
 */
#include "abi/tool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/handle.h"
#include "cow/cow.h"
#include "launch/startcheck.h"
#include "policy/policy.h"
#include "util/cleanup.h"

struct sl_tool_run {
	const sandlock_sandbox_t *policy;
	bool dry_run;
	struct sl_cow_run *cow; /* the branch until end; NULL without one */
	struct sl_run *run;	/* from start until stop */
	bool started;
	bool waited; /* a wait completed: status is the end */
	struct sl_status status;
	bool listed; /* a dry run's changes were collected */
	struct sl_cow_changes changes;
	struct sl_tool_change *view; /* the same, for the tool */
};

int sl_tool_run_new(const sandlock_sandbox_t *policy, bool dry_run,
		    struct sl_tool_run **out, struct sl_error *e)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	struct sl_tool_run *t;
	int r;

	*out = NULL;
	if (!sb)
		return sl_err(e, EINVAL, "not a built policy");
	t = calloc(1, sizeof(*t));
	if (!t)
		return sl_err(e, ENOMEM, "out of memory");
	r = sl_cow_run_begin(sb->policy, dry_run, &t->cow, e);
	if (r < 0) {
		free(t);
		return r;
	}
	t->policy = policy;
	t->dry_run = dry_run;
	*out = t;
	return 0;
}

int sl_tool_run_start(struct sl_tool_run *t, const char *name,
		      const char *const *argv, unsigned argc,
		      struct sl_error *e)
{
	static const uint8_t inherit[3] = { SL_STDIO_INHERIT, SL_STDIO_INHERIT,
					    SL_STDIO_INHERIT };

	t->run = sl_abi_run_create(t->policy, name, argv, argc, inherit, true,
				   false, NULL, t->cow, e);
	if (!t->run)
		return -1;
	t->started = true;
	return 0;
}

void sl_tool_run_set_job_control(struct sl_tool_run *t, bool on)
{
	sl_run_set_job_control(t->run, on);
}

void sl_tool_run_set_interrupt(struct sl_tool_run *t, void (*fn)(void *arg),
			       void *arg)
{
	sl_run_set_interrupt(t->run, fn, arg);
}

int sl_tool_run_signal(struct sl_tool_run *t, int sig)
{
	return t->run ? sl_run_signal(t->run, sig) : -ESRCH;
}

int sl_tool_run_wait(struct sl_tool_run *t, uint64_t timeout_ms,
		     struct sl_tool_status *st)
{
	struct sl_status s;
	int r = sl_run_wait(t->run, timeout_ms, &s, NULL);

	if (r < 0)
		return r;
	t->waited = true;
	t->status = s;
	*st = (struct sl_tool_status){ s.reason, s.code, s.signal, s.cause };
	return 0;
}

void sl_tool_run_stop(struct sl_tool_run *t)
{
	sl_run_free(t->run);
	t->run = NULL;
}

int sl_tool_run_end(struct sl_tool_run *t, struct sl_error *e)
{
	bool list = t->dry_run && t->cow;
	int r = sl_abi_cow_end(t->cow, t->waited ? &t->status : NULL,
			       list ? &t->changes : NULL, e);

	t->cow = NULL;
	if (list) {
		t->view = calloc(t->changes.n ? t->changes.n : 1,
				 sizeof(*t->view));
		if (!t->view) {
			sl_err(e, ENOMEM, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < t->changes.n; i++)
			t->view[i] =
				(struct sl_tool_change){ t->changes.v[i].kind,
							 t->changes.v[i].path };
		t->listed = true;
	}
	return r < 0 ? -1 : 0;
}

long sl_tool_run_changes(const struct sl_tool_run *t,
			 const struct sl_tool_change **v)
{
	if (!t->listed)
		return -1;
	*v = t->view;
	return (long)t->changes.n;
}

void sl_tool_run_free(struct sl_tool_run *t)
{
	if (!t)
		return;
	sl_tool_run_stop(t);
	/* (after end, nothing left: t->cow is NULL) */
	if (t->started)
		(void)sl_abi_cow_end(t->cow, NULL, NULL, NULL);
	else
		sl_cow_run_discard(t->cow);
	sl_cow_changes_free(&t->changes);
	free(t->view);
	free(t);
}

static int tool_start_what(int what)
{
	switch (what) {
	case SL_START_NOT_FOUND:
		return SL_TOOL_START_NOT_FOUND;
	case SL_START_LOADER:
		return SL_TOOL_START_LOADER;
	case SL_START_SCRIPT:
		return SL_TOOL_START_SCRIPT;
	case SL_START_CWD:
		return SL_TOOL_START_CWD;
	default:
		return SL_TOOL_START_COMMAND;
	}
}

int sl_tool_start_check(const sandlock_sandbox_t *policy,
			const char *const *argv, unsigned argc, bool full,
			struct sl_tool_start_problem *out)
{
	const struct sl_sandbox *sb = sl_from_abi(policy);
	_cleanup_(freep) struct sl_start_problem *pb = NULL;
	int r;

	if (!sb)
		return -EINVAL;
	pb = malloc(sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	r = full ? sl_start_check(sb->policy, argv, argc, pb) :
		   sl_start_check_cwd(sb->policy, pb);
	if (r != 1)
		return r;
	out->what = tool_start_what(pb->what);
	out->err = pb->err;
	snprintf(out->path, sizeof(out->path), "%s", pb->path);
	snprintf(out->real, sizeof(out->real), "%s", pb->real);
	snprintf(out->grant, sizeof(out->grant), "%s", pb->grant);
	snprintf(out->via, sizeof(out->via), "%s", pb->via);
	return 1;
}

const char *sl_tool_protection_name(uint32_t prot)
{
	return sl_protection_name(prot);
}

const char *sl_tool_protection_token(uint32_t prot)
{
	return sl_protection_token(prot);
}

int sl_tool_protection_parse(const char *token, uint32_t *out)
{
	return sl_protection_parse(token, out);
}

const char *sl_tool_protection_undisableable(uint32_t prot)
{
	return sl_protection_undisableable(prot);
}

const char *sl_tool_setting_unsupported(const char *setting)
{
	return sl_policy_setting_unsupported(setting);
}

int sl_tool_name_validate(const char *name, struct sl_error *e)
{
	return sl_name_validate(name, e);
}
