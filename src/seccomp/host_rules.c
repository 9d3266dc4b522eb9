/*
 * What the kernel keeps where the supervisor cannot: a policy built in
 * an environment that refuses pidfd_getfd (util/hostperm.h: a container
 * without CAP_SYS_PTRACE) cannot have its connects, sends, listens or
 * watches performed on the sandbox's own descriptors, so instead of
 * notifying them the filter refuses what could get past the checks:
 *
 *   - the unix gate (net/context.h): no socket(AF_UNIX) and no datagram
 *     socketpair, the sockets that could be connected or sent to a
 *     pathname address (stream and seqpacket pairs are born connected
 *     and can be given no other peer); EACCES, as the gate answers;
 *   - the listen() check: with no TCP port grantable, a listen() could
 *     only bind a port of the kernel's choice; EACCES;
 *   - watches (handlers/fswatch.c): the supervisor cannot add a watch to
 *     the child's own instance, so none can be made: inotify and fanotify
 *     instances are refused with ENOSYS, as on a kernel without them,
 *     which programs expect (they fall back to polling).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "handlers/fsview.h"
#include "net/context.h"
#include "seccomp/plan.h"
#include "util/hostperm.h"

#define CMP(a, o, x, y)                                                    \
	{ .arg = (a), .op = (o), .datum_a = (x), .datum_b = (y) }

static int add(scmp_filter_ctx ctx, const struct sl_policy *p, int nr,
	       int err, unsigned ncmp, const struct scmp_arg_cmp *cmp,
	       struct sl_error *e)
{
	int rc;

	/* Absent on this architecture, or denied outright anyway. */
	if (nr < 0 || sl_u32v_contains(&p->deny_syscalls, (uint32_t)nr))
		return 0;
	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, ncmp, cmp);
	if (rc < 0)
		return sl_err(e, -rc, "seccomp: rule on syscall %d: %s", nr,
			      strerror(-rc));
	return 0;
}

int sl_seccomp_add_host_rules(scmp_filter_ctx ctx, const struct sl_policy *p,
			      struct sl_error *e)
{
	static const struct scmp_arg_cmp unix_socket[] = {
		CMP(0, SCMP_CMP_EQ, AF_UNIX, 0),
	};
	static const struct scmp_arg_cmp unix_dgram_pair[] = {
		CMP(0, SCMP_CMP_EQ, AF_UNIX, 0),
		CMP(1, SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM),
	};
	int r = 0;

	if (sl_host_allows(SL_HOST_PIDFD_GETFD))
		return 0;
	if (sl_net_unix_gate_in_kernel(p)) {
		r = add(ctx, p, SCMP_SYS(socket), EACCES, 1, unix_socket, e);
		if (r == 0)
			r = add(ctx, p, SCMP_SYS(socketpair), EACCES, 2,
				unix_dgram_pair, e);
	}
	if (r == 0 && sl_net_listen_in_kernel(p))
		r = add(ctx, p, SCMP_SYS(listen), EACCES, 0, NULL, e);
	if (r == 0 && sl_fs_policy_confines(p)) {
		r = add(ctx, p, SCMP_SYS(inotify_init), ENOSYS, 0, NULL, e);
		if (r == 0)
			r = add(ctx, p, SCMP_SYS(inotify_init1), ENOSYS, 0,
				NULL, e);
		if (r == 0)
			r = add(ctx, p, SCMP_SYS(fanotify_init), ENOSYS, 0,
				NULL, e);
	}
	return r;
}
