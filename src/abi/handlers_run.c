/*
 * Runs with custom handlers (docs/abi.md 3.22): the registrations are checked,
 * every handler in them belongs to the library from the call on (freed
 * even when the call fails early), and the run gets the user module (and
 * the freeze, for a handler bound to exec) on top of the policy's.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "abi/handle.h"
#include "abi/handler.h"
#include "abi/lasterr.h"
#include "sandlock_ext.h"
#include "launch/freeze.h"
#include "util/utf8.h"

extern const struct sl_handler_module sl_module_freeze;

static void drop_registrations(const sandlock_handler_registration_t *regs,
			       uintptr_t n)
{
	if (!regs || n > SL_ABI_MAX_REGISTRATIONS)
		return;
	for (uintptr_t i = 0; i < n; i++) {
		bool seen = false;

		for (uintptr_t k = 0; k < i; k++)
			seen |= regs[k].handler == regs[i].handler;
		if (!seen)
			sl_user_handler_unref(regs[i].handler);
	}
}

static bool valid_text(const char *s)
{
	return s && sl_utf8_valid(s, strlen(s));
}

/* A syscall of this architecture, not denied by the policy (a CONTINUE
 * would let the denied call through). */
static bool acceptable_nr(const struct sl_policy *p, int64_t nr)
{
	char *name;

	if (nr < 0 || nr >= SL_MAX_NR)
		return false;
	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
	if (!name)
		return false;
	free(name);
	return !sl_u32v_contains(&p->deny_syscalls, (uint32_t)nr);
}

static bool denied(const struct sl_policy *p, int64_t nr)
{
	return nr >= 0 && nr < SL_MAX_NR &&
	       sl_u32v_contains(&p->deny_syscalls, (uint32_t)nr);
}

/* The arguments: 0, or -1 with the reason recorded (lasterr.h). */
static int check(const sandlock_sandbox_t *policy, const char *name,
		 const char *const *argv, uint32_t argc,
		 const sandlock_handler_registration_t *regs, uintptr_t n)
{
	struct sl_sandbox *sb = sl_from_abi(policy);

	if (!sb)
		return sl_abi_bad_arg("not a built policy");
	if ((name && !valid_text(name)) || !argv || argc == 0 || argc > 4096)
		return sl_abi_bad_arg("name or command");
	if ((!regs && n != 0) || n > SL_ABI_MAX_REGISTRATIONS)
		return sl_abi_bad_arg("registrations");
	for (uint32_t i = 0; i < argc; i++)
		if (!valid_text(argv[i]))
			return sl_abi_bad_arg("command");
	for (uintptr_t i = 0; i < n; i++) {
		if (!regs[i].handler)
			return sl_abi_bad_arg("NULL handler");
		if (!acceptable_nr(sb->policy, regs[i].syscall_nr))
			return sl_abi_fail(
				EINVAL, "custom handler on syscall %lld: %s",
				(long long)regs[i].syscall_nr,
				denied(sb->policy, regs[i].syscall_nr) ?
					"the policy denies it" :
					"not a syscall of this "
					"architecture");
	}
	return 0;
}

/* Check the registrations and take their handlers; the modules the run
 * adds (extra, pointing into *out). -1 when refused (the handlers are
 * released), with the reason recorded. */
static int take(const sandlock_sandbox_t *policy, const char *name,
		const char *const *argv, uint32_t argc,
		const sandlock_handler_registration_t *regs, uintptr_t n,
		struct sl_user_handlers **out, struct sl_modlist *extra)
{
	struct sl_sandbox *sb = sl_from_abi(policy);
	struct sl_user_handlers *u;
	bool execs;

	memset(extra, 0, sizeof(*extra));
	if (check(policy, name, argv, argc, regs, n) < 0) {
		drop_registrations(regs, n);
		return -1;
	}
	u = sl_user_handlers_new(regs, n);
	if (!u)
		return sl_abi_fail(ENOMEM, "out of memory");
	/* a handler that decides on an exec sees the argv that runs */
	execs = sl_nrset_has(&u->nrs, SCMP_SYS(execve)) ||
		sl_nrset_has(&u->nrs, SCMP_SYS(execveat));
	if (execs) {
		struct sl_error e = { 0 };

		/* (fs_deny alone keeps the module where it cannot freeze) */
		if (sl_freezer_possible(&e) < 0) {
			sl_user_handlers_free(u);
			return sl_abi_fail_err(&e, NULL);
		}
		if (!sl_modlist_has(&sb->modules, &sl_module_freeze) &&
		    sl_modlist_add(extra, &sl_module_freeze, NULL, NULL) < 0)
			goto fail;
	}
	if (sl_modlist_add(extra, &sl_module_user, u, &u->nrs) < 0)
		goto fail;
	*out = u;
	return 0;
fail:
	sl_modlist_free(extra);
	sl_user_handlers_free(u);
	return sl_abi_fail(ENOMEM, "out of memory");
}

static int run(const sandlock_sandbox_t *policy, const char *name,
	       const char *const *argv, uint32_t argc,
	       const sandlock_handler_registration_t *regs, uintptr_t n,
	       const uint8_t stdio[3], struct sl_status *st,
	       struct sl_capture *cap)
{
	struct sl_user_handlers *u;
	struct sl_modlist extra;
	int r;

	if (take(policy, name, argv, argc, regs, n, &u, &extra) < 0)
		return -1;
	r = sl_abi_run_once_ext(policy, name, argv, argc, stdio, false, &extra,
				st, cap, NULL);
	sl_modlist_free(&extra);
	sl_user_handlers_free(u);
	return r;
}

SL_EXPORT sandlock_result_t *
sandlock_run_with_handlers(const sandlock_sandbox_t *policy, const char *name,
			   const char *const *argv, uint32_t argc,
			   const sandlock_handler_registration_t *registrations,
			   uintptr_t nregistrations)
{
	struct sl_status st;
	struct sl_capture cap;
	sandlock_result_t *res;

	sl_abi_reset();
	if (run(policy, name, argv, argc, registrations, nregistrations,
		sl_abi_capture_stdio, &st, &cap) < 0)
		return NULL;
	res = sl_abi_result_new(&st, &cap);
	if (!res)
		sl_abi_fail(ENOMEM, "out of memory");
	return res;
}

SL_EXPORT sandlock_result_t *sandlock_run_interactive_with_handlers(
	const sandlock_sandbox_t *policy, const char *name,
	const char *const *argv, uint32_t argc,
	const sandlock_handler_registration_t *registrations,
	uintptr_t nregistrations)
{
	static const uint8_t inherit[3] = { SL_STDIO_INHERIT, SL_STDIO_INHERIT,
					    SL_STDIO_INHERIT };
	struct sl_status st;
	sandlock_result_t *res;

	sl_abi_reset();
	if (run(policy, name, argv, argc, registrations, nregistrations,
		inherit, &st, NULL) < 0)
		return NULL;
	res = sl_abi_result_new(&st, NULL);
	if (!res)
		sl_abi_fail(ENOMEM, "out of memory");
	return res;
}

/* Extension (sandlock_ext.h): the same run as a started handle, so that
 * the caller can wait with a timeout and kill it (a Go context). */
SL_EXPORT sandlock_handle_t *sandlock_spawn_with_handlers(
	const sandlock_sandbox_t *policy, const char *name,
	const char *const *argv, uint32_t argc,
	const sandlock_handler_registration_t *registrations,
	uintptr_t nregistrations, bool capture)
{
	static const uint8_t inherit[3] = { SL_STDIO_INHERIT, SL_STDIO_INHERIT,
					    SL_STDIO_INHERIT };
	struct sl_user_handlers *u;
	struct sl_modlist extra;
	sandlock_handle_t *h;

	sl_abi_reset();
	if (take(policy, name, argv, argc, registrations, nregistrations, &u,
		 &extra) < 0)
		return NULL;
	h = sl_abi_handle_open(policy, name, argv, argc,
			       capture ? sl_abi_capture_stdio : inherit, true,
			       false, NULL, &extra);
	sl_modlist_free(&extra);
	if (!h) {
		sl_user_handlers_free(u);
		return NULL;
	}
	h->handlers = u;
	return h;
}
