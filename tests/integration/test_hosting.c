/*
 * Running where agents run (docs/containers.md): where a container's
 * seccomp profile refuses pidfd_getfd, process_vm_readv/writev, kcmp and
 * ptrace, what can work without them works the same, the unix gate and
 * the listen() check are kept by the kernel, and what cannot work is
 * refused when the policy is built, naming the missing call.
 *
 * In the ordinary suite this process pretends the calls are refused
 * (sl_host_perms_override: the library then takes its other paths, and
 * its sandboxes get the container mode's filter); under make
 * check-container they really are.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"
#include "lib/fsprobe.h"
#include "lib/hostenv.h"
#include "lib/net.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"
#include "landlock/landlock.h"
#include "sandlock_ext.h"

static unsigned real_perms;
static char dir[64];

static char *read_text(const char *path)
{
	char *buf = calloc(1, 4096);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 || !buf ? -1 : read(fd, buf, 4095);

	if (fd >= 0)
		close(fd);
	if (n < 0 && buf)
		buf[0] = '\0';
	return buf;
}

static void restricted(bool on)
{
	if (on) {
		real_perms = sl_host_perms();
		sl_host_perms_override(real_perms &
				       ~(SL_HOST_PIDFD_GETFD | SL_HOST_VM_READ |
					 SL_HOST_VM_WRITE | SL_HOST_KCMP |
					 SL_HOST_PTRACE));
	} else {
		sl_host_perms_override(real_perms);
	}
}

static sandlock_builder_t *with(sandlock_builder_t *b, int which)
{
	switch (which) {
	case 0:
		return sandlock_sandbox_builder_net_allow(b,
							  "tcp://127.0.0.1:80");
	case 1:
		return sandlock_sandbox_builder_net_deny(b,
							 "tcp://127.0.0.1:80");
	case 2:
		return sandlock_sandbox_builder_port_remap(b, true);
	case 3:
		return sandlock_sandbox_builder_net_deny_bind(b, "8080");
	default:
		return sandlock_sandbox_builder_net_allow_bind(b, "8080");
	}
}

TEST(what_needs_pidfd_getfd_is_refused_at_build_by_name)
{
	static const char *const named[] = {
		"net_allow and net_deny rules",
		"net_allow and net_deny rules",
		"port_remap",
		"net_deny_bind",
		"a net_allow_bind port list",
	};
	int rows = sl_landlock_abi() >= 4 ? 5 : 4; /* NetTcp handles binds */

	restricted(true);
	for (int i = 0; i < rows; i++) {
		char *msg = NULL;
		sandlock_sandbox_t *p;

		p = sandlock_sandbox_build(with(lu_builder(), i), NULL, &msg);
		if (p || !msg || !strstr(msg, named[i]) ||
		    !strstr(msg, "needs the pidfd_getfd system call") ||
		    sandlock_last_errno() != EPERM) {
			restricted(false);
			FAIL("%s: built %d, errno %d, \"%s\"", named[i],
			     p != NULL, sandlock_last_errno(), msg ? msg : "");
		}
		sandlock_string_free(msg);
	}
	restricted(false);
	/* where the call is allowed, the same policies build */
	if (he_restricted())
		return;
	for (int i = 0; i < rows; i++) {
		sandlock_sandbox_t *p = lu_build(with(lu_builder(), i));

		CHECK(p);
		sandlock_sandbox_free(p);
	}
}

static int32_t allow_all(const sandlock_event_t *ev, sandlock_ctx_t *ctx,
			 void *ud)
{
	(void)ev;
	(void)ctx;
	(void)ud;
	return 0;
}

static int32_t allow_exec(void *ud, const sandlock_notif_data_t *n,
			  sandlock_mem_handle_t *mem,
			  sandlock_action_out_t *out)
{
	(void)ud;
	(void)n;
	(void)mem;
	sandlock_action_set_continue(out);
	return 0;
}

/* Beyond the network: a policy callback (network decisions on the
 * sandbox's sockets, an exec decided on a sandbox held still with
 * ptrace), a workdir (listings at the position of the sandbox's own
 * descriptor), a custom handler on exec. */
TEST(what_needs_the_calls_beyond_the_network_is_refused_by_name)
{
	const char *argv[] = { "/bin/true" };
	sandlock_handler_registration_t regs[1];
	sandlock_sandbox_t *p;
	sandlock_result_t *r;
	char *msg = NULL;
	bool ok;

	CHECK(scratch_dir(dir, sizeof(dir)));
	restricted(true);
	p = sandlock_sandbox_build(sandlock_sandbox_builder_policy_fn(
					   lu_builder(), allow_all, NULL, NULL),
				   NULL, &msg);
	ok = !p && msg && strstr(msg, "a policy callback") &&
	     strstr(msg, "needs the pidfd_getfd, ptrace and kcmp system calls");
	sandlock_sandbox_free(p);
	if (!ok) {
		restricted(false);
		FAIL("policy callback: \"%s\"", msg ? msg : "");
	}
	sandlock_string_free(msg);
	msg = NULL;
	p = sandlock_sandbox_build(
		sandlock_sandbox_builder_workdir(
			sandlock_sandbox_builder_fs_write(lu_builder(), dir),
			dir),
		NULL, &msg);
	ok = !p && msg && strstr(msg, "a workdir") &&
	     strstr(msg, "needs the pidfd_getfd system call");
	sandlock_sandbox_free(p);
	if (!ok) {
		restricted(false);
		FAIL("workdir: \"%s\"", msg ? msg : "");
	}
	sandlock_string_free(msg);
	p = lu_policy();
	regs[0] = (sandlock_handler_registration_t){
		SYS_execve, sandlock_handler_new(allow_exec, NULL, NULL, 0)
	};
	r = p ? sandlock_run_with_handlers(p, NULL, argv, 1, regs, 1) : NULL;
	ok = p && !r && sandlock_last_errno() == EPERM &&
	     strstr(sandlock_last_error(),
		    "needs the ptrace and kcmp system calls");
	restricted(false);
	sandlock_result_free(r);
	sandlock_sandbox_free(p);
	scratch_remove(dir);
	if (!ok)
		FAIL("handler on exec: \"%s\"", sandlock_last_error());
}

/* The path of a mkdir, read by a custom handler: EXDEV for the token,
 * else the kernel's answer (EACCES: nothing is writable). */
static int32_t refuse_token_dir(void *ud, const sandlock_notif_data_t *n,
				sandlock_mem_handle_t *mem,
				sandlock_action_out_t *out)
{
	uint64_t addr = n->syscall_nr == SYS_mkdir ? n->args[0] : n->args[1];
	char path[64] = "", head[8] = "";
	uintptr_t got = 0, hgot = 0;

	(void)ud;
	if (sandlock_mem_read_cstr(mem, addr, (uint8_t *)path, sizeof(path),
				   &got) == 0 &&
	    sandlock_mem_read(mem, addr, (uint8_t *)head, 7, &hgot) == 0 &&
	    hgot == 7 && strcmp(path, "/sandlock-hosting-token") == 0 &&
	    memcmp(head, "/sandlo", 7) == 0)
		sandlock_action_set_errno(out, EXDEV);
	else
		sandlock_action_set_continue(out);
	return 0;
}

/* Custom handlers read the sandbox's memory through /proc/<pid>/mem. */
TEST(a_custom_handler_reads_the_sandbox_memory)
{
	const char *argv[] = { "/bin/sh", "-c",
			       "mkdir /sandlock-hosting-token; "
			       "mkdir /sandlock-hosting-other" };
	sandlock_handler_t *h =
		sandlock_handler_new(refuse_token_dir, NULL, NULL, 0);
	sandlock_handler_registration_t regs[] = { { SYS_mkdir, h },
						   { SYS_mkdirat, h } };
	sandlock_sandbox_t *p = lu_policy();
	sandlock_result_t *r;
	char *err;

	CHECK(p);
	restricted(true);
	r = sandlock_run_with_handlers(p, NULL, argv, 3, regs, 2);
	restricted(false);
	sandlock_sandbox_free(p);
	CHECK(r);
	err = sandlock_result_stderr(r);
	CHECK_CONTAINS(err, "Invalid cross-device link");
	CHECK_CONTAINS(err, "Permission denied");
	sandlock_string_free(err);
	sandlock_result_free(r);
}

/* Create parks the child (its listener handed over by its helper
 * thread), start releases it. */
TEST(a_sandbox_parks_and_runs)
{
	const char *argv[] = { "/bin/sh", "-c", "exit 3" };
	sandlock_sandbox_t *p;
	sandlock_handle_t *h;
	sandlock_result_t *r;
	char path[64], *status = NULL;

	restricted(true);
	p = lu_policy();
	h = p ? sandlock_create(p, NULL, argv, 3) : NULL;
	if (h) {
		snprintf(path, sizeof(path), "/proc/%d/status",
			 sandlock_handle_pid(h));
		status = read_text(path);
	}
	restricted(false);
	CHECK(h);
	CHECK_CONTAINS(status, "State:\tS");
	free(status);
	CHECK_EQ_INT(sandlock_start(h), 0);
	r = sandlock_handle_wait(h);
	CHECK_EQ_INT(sandlock_result_exit_code(r), 3);
	sandlock_result_free(r);
	sandlock_handle_free(h);
	sandlock_sandbox_free(p);
}

/* dir/r (read grant), dir/w (write grant) with a denied secret. */
static sandlock_builder_t *fs_builder(void)
{
	sandlock_builder_t *b = base_builder();

	b = sandlock_sandbox_builder_fs_read(b, join(dir, "r"));
	b = sandlock_sandbox_builder_fs_write(b, join(dir, "w"));
	return sandlock_sandbox_builder_fs_deny(b,
						join(join(dir, "w"), "secret"));
}

/* The filesystem view reads paths through /proc/<pid>/mem and reopens
 * directory and file descriptors through /proc/<pid>/fd: the outcomes
 * are those of the ordinary run, denials included. */
TEST(the_filesystem_view_answers_the_same)
{
	const char *probes[][4] = {
		{ "read", "w/file" },
		{ "read", "w/secret" },
		{ "opath_use", "r", "file" },
		{ "openat2", "r", "file", "beneath" },
		{ "openat2", "w", "secret", "beneath" },
		{ "meta", "w/file" },
		{ "creat", "w/new" },
	};

	if (!scratch_dir(dir, sizeof(dir)))
		FAIL("scratch setup failed");
	CHECK(mkdir(join(dir, "r"), 0755) == 0 &&
	      mkdir(join(dir, "w"), 0755) == 0);
	CHECK(write_file(join(join(dir, "r"), "file"), "R\n") &&
	      write_file(join(join(dir, "w"), "file"), "W\n") &&
	      write_file(join(join(dir, "w"), "secret"), "SECRET\n"));
	for (size_t i = 0; i < NELEM(probes); i++) {
		const char *a[3];
		char *plain, *restr;

		for (int k = 0; k < 3; k++)
			a[k] = probes[i][k + 1] ?
				       (k == 0 ? join(dir, probes[i][1]) :
						 probes[i][k + 1]) :
				       NULL;
		unlink(join(join(dir, "w"), "new"));
		plain = PROBE(fs_builder(), probes[i][0], a[0], a[1], a[2]);
		unlink(join(join(dir, "w"), "new"));
		restricted(true);
		restr = PROBE(fs_builder(), probes[i][0], a[0], a[1], a[2]);
		restricted(false);
		if (!plain || !restr || strcmp(plain, restr) != 0 ||
		    !strstr(plain, " "))
			FAIL("%s %s: \"%s\" where the calls are refused, \"%s\" "
			     "where they are not",
			     probes[i][0], probes[i][1],
			     restr ? restr : "(none)",
			     plain ? plain : "(none)");
		free(plain);
		free(restr);
	}
	scratch_remove(dir);
}

/* The unix gate kept by the kernel: a sandbox with grants creates no unix
 * socket it could address, so a listening socket even under its write
 * grant is out of reach (the bare control connects); pairs that are born
 * connected still work. */
TEST(unix_sockets_only_as_connected_pairs)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	sandlock_sandbox_t *p;
	char *out;
	int l;

	CHECK(nu_find_probe());
	CHECK(scratch_dir(dir, sizeof(dir)));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	      listen(l, 4) == 0);
	out = NU_RUN_BARE("unix", sun.sun_path);
	CHECK_STR(out, "OK\n"); /* the control: reachable */
	free(out);
	restricted(true);
	p = lu_build(sandlock_sandbox_builder_fs_write(nu_builder(), dir));
	restricted(false);
	CHECK(p);
	CHECK_PROBE(p, "EACCES\n", "unix", sun.sun_path);
	CHECK_PROBE(p, "EACCES\n", "socket", "1", "1", "0");
	CHECK_PROBE(p, "EACCES\n", "socketpair", "1", "2", "0"); /* dgram */
	CHECK_PROBE(p, "OK\n", "socketpair", "1", "1", "0");	 /* stream */
	CHECK_PROBE(p, "OK\n", "socketpair", "1", "5", "0");	 /* seqpacket */
	sandlock_sandbox_free(p);
	close(l);
	scratch_remove(dir);
}

/* With no TCP port grantable, a listen() could only bind a port of the
 * kernel's choice: refused in the kernel. */
TEST(a_listen_without_a_bind_grant_is_refused)
{
	sandlock_sandbox_t *p;

	if (sl_landlock_abi() < 4)
		SKIP("Landlock below ABI 4 does not restrict TCP binds");
	CHECK(nu_find_probe());
	restricted(true);
	p = lu_build(nu_builder());
	restricted(false);
	CHECK(p);
	CHECK_PROBE(p, "EACCES\n", "listen0");
	sandlock_sandbox_free(p);
}

/* rtnetlink is emulated: its sockets are known by inode instead of by
 * cookie. */
TEST(netlink_still_shows_the_loopback_alone)
{
	sandlock_sandbox_t *p;

	CHECK(nu_find_probe());
	restricted(true);
	p = lu_build(nu_builder());
	restricted(false);
	CHECK(p);
	CHECK_PROBE(p, "lo\n", "ifaces");
	sandlock_sandbox_free(p);
}

/* No watch can be added to the child's own instance: instances are
 * refused as on a kernel without them. */
TEST(watches_are_unavailable)
{
	char *out;

	CHECK(scratch_dir(dir, sizeof(dir)));
	CHECK(mkdir(join(dir, "r"), 0755) == 0 &&
	      mkdir(join(dir, "w"), 0755) == 0);
	CHECK(write_file(join(join(dir, "w"), "secret"), "S\n"));
	restricted(true);
	out = PROBE(fs_builder(), "inotify", join(dir, "r"));
	CHECK_STR(out, "inotify_init ENOSYS\n");
	free(out);
	out = PROBE(fs_builder(), "fanotify", join(dir, "r"));
	restricted(false);
	CHECK_STR(out, "fanotify_init ENOSYS\n");
	free(out);
	scratch_remove(dir);
}

/* A posix_spawn (a child sharing the parent's memory until it execs) is
 * not charged as a copy of the parent, without kcmp: 40 MiB twice would
 * not fit in 64. */
TEST(the_memory_limit_tells_a_vfork_from_a_fork)
{
	const char *argv[] = { helper("mem_probe"), "spawn", "40", NULL };
	sandlock_builder_t *b = base_builder();
	struct hrun o;

	b = sandlock_sandbox_builder_max_memory(b, 64ull << 20);
	restricted(true);
	hrun(b, argv, &o);
	restricted(false);
	CHECK_RAN(&o);
	CHECK_STR(o.out, "survived\n");
	hrun_free(&o);
}

/* `sandlock check` reports what this environment allows. */
TEST(check_reports_the_supervisor_calls)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "check"), 0);
	CHECK_EXIT(&r, 0);
	CHECK_CONTAINS(r.out, he_restricted() ? "pidfd_getfd:      refused" :
						"pidfd_getfd:      allowed");
	CHECK_CONTAINS(r.out, he_restricted() ? "Environment:      restricted" :
						"Environment:      full");
	cli_result_free(&r);
}
