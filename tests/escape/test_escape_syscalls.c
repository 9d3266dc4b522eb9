/*
 * Escapes through dangerous syscalls, attempted from inside a sandbox
 * started through the public ABI. Each one must be denied with the errno
 * the sandbox promises (seccomp deny list and argument filters, socket
 * family gate, Landlock signal and abstract-socket scoping).
 *
 * The attempt is made by tests/helpers/try_syscall, which prints "OK" or
 * the errno name. Targets are private: a fresh scratch directory for
 * mount/chroot, this test process for kill/ptrace, an abstract socket this
 * test listens on. A control run of the helper outside any sandbox shows
 * the same calls would otherwise get through or fail differently.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandlock.h"
#include "harness.h"
#include "lib/cli.h"
#include "lib/hostenv.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/run.h"
#include "lib/scratch.h"

/* tests/helpers/try_syscall of this build, or NULL. */
static const char *find_helper(void)
{
	return helper_built("try_syscall");
}

/* Read-only access to the system and the helper, nothing else. */
static sandlock_builder_t *escape_builder(void)
{
	return sandlock_sandbox_builder_fs_read(
		grant_system(sandlock_sandbox_builder_new()), helpers_dir());
}

/* Run the helper in a sandbox; the printed outcome, or NULL (reported). */
static char *attempt(const char *op, const char *arg)
{
	const char *argv[] = { find_helper(), op, arg, NULL };
	char *res = NULL;
	struct hrun o;

	if (!argv[0])
		return NULL;
	hrun(escape_builder(), argv, &o);
	if (!o.ok) {
		fprintf(stderr, "  sandlock_run failed for %s: %s\n", op,
			o.build_err ? o.build_err : "spawn failed");
	} else if (o.code != 0) {
		fprintf(stderr, "  %s: exit %d reason %u, stderr: %s\n", op,
			o.code, o.reason, o.err);
	} else {
		res = o.out;
		o.out = NULL;
		res[strcspn(res, "\n")] = '\0';
	}
	hrun_free(&o);
	return res;
}

/* The helper run directly, outside any sandbox (control). */
static char *attempt_unsandboxed(const char *op, const char *arg)
{
	const char *argv[] = { find_helper(), op, arg, NULL };
	char *out;

	if (!argv[0])
		return NULL;
	out = run_bare(argv);
	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

/* Is the outcome got (freed here) of op the wanted one? A mismatch is
 * reported. */
static bool outcome_is(const char *op, char *got, const char *want)
{
	bool ok = got && strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "  %s: got %s, want %s\n", op,
			got ? got : "(no result)", want);
	free(got);
	return ok;
}

#define EXPECT_DENIED(op, arg, want) \
	CHECK(outcome_is(op, attempt(op, arg), want))

/* op aimed at a fresh private directory (never /tmp itself) gets EPERM. */
static void denied_on_a_scratch_dir(const char *op)
{
	char dir[64];
	bool ok;

	CHECK(scratch_dir(dir, sizeof(dir)));
	ok = outcome_is(op, attempt(op, dir), "EPERM");
	scratch_remove(dir);
	CHECK(ok);
}

TEST(control_helper_works_outside)
{
	char *got;

	if (!find_helper())
		FAIL("helper try_syscall not built");
	got = attempt_unsandboxed("setns", NULL);
	CHECK_STR(got, "EINVAL");
	free(got);
	got = attempt_unsandboxed("socket_udp", NULL);
	CHECK_STR(got, "OK");
	free(got);
	got = attempt_unsandboxed("prctl_dumpable", NULL);
	CHECK_STR(got, "OK");
	free(got);
}

TEST(mount_denied)
{
	denied_on_a_scratch_dir("mount");
}

TEST(umount2_denied)
{
	denied_on_a_scratch_dir("umount2");
}

TEST(chroot_denied)
{
	denied_on_a_scratch_dir("chroot");
}

TEST(unshare_user_namespace_denied)
{
	EXPECT_DENIED("unshare_user", NULL, "EPERM");
}

TEST(setns_denied)
{
	EXPECT_DENIED("setns", NULL, "EPERM");
}

TEST(clone_new_mount_namespace_denied)
{
	EXPECT_DENIED("clone_newns", NULL, "EPERM");
}

TEST(ptrace_of_an_outside_process_denied)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	EXPECT_DENIED("ptrace_attach", pid, "EPERM");
}

TEST(kill_of_an_outside_process_denied)
{
	char pid[16];

	if (sandlock_landlock_abi_version() < 6)
		SKIP("Landlock ABI < 6: no signal scoping");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	EXPECT_DENIED("kill", pid, "EPERM");
}

TEST(bpf_denied)
{
	EXPECT_DENIED("bpf", NULL, "EPERM");
}

TEST(io_uring_setup_denied)
{
	EXPECT_DENIED("io_uring_setup", NULL, "EPERM");
}

TEST(keyctl_denied)
{
	EXPECT_DENIED("keyctl", NULL, "EPERM");
}

TEST(add_key_denied)
{
	EXPECT_DENIED("add_key", NULL, "EPERM");
}

TEST(userfaultfd_denied)
{
	EXPECT_DENIED("userfaultfd", NULL, "EPERM");
}

TEST(perf_event_open_denied)
{
	EXPECT_DENIED("perf_event_open", NULL, "EPERM");
}

TEST(open_by_handle_at_denied)
{
	EXPECT_DENIED("open_by_handle_at", NULL, "EPERM");
}

TEST(kexec_load_denied)
{
	EXPECT_DENIED("kexec_load", NULL, "EPERM");
}

TEST(module_loading_denied)
{
	EXPECT_DENIED("init_module", NULL, "EPERM");
	EXPECT_DENIED("finit_module", NULL, "EPERM");
	EXPECT_DENIED("delete_module", NULL, "EPERM");
}

TEST(prctl_set_dumpable_denied)
{
	EXPECT_DENIED("prctl_dumpable", NULL, "EPERM");
}

TEST(raw_and_packet_sockets_denied)
{
	EXPECT_DENIED("socket_raw", NULL, "EPERM");
	EXPECT_DENIED("socket_packet", NULL, "EAFNOSUPPORT");
}

TEST(udp_socket_denied_without_udp_rules)
{
	EXPECT_DENIED("socket_udp", NULL, "EPERM");
}

TEST(connect_to_an_outside_abstract_socket_denied)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char name[64];
	int fd;
	socklen_t len;
	bool ok;

	if (sandlock_landlock_abi_version() < 6)
		SKIP("Landlock ABI < 6: no abstract socket scoping");
	snprintf(name, sizeof(name), "sandlock-escape-%d", (int)getpid());
	memcpy(sa.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			  strlen(name));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 4) < 0) {
		close(fd);
		FAIL("cannot listen on @%s: %s", name, strerror(errno));
	}
	/* the socket works from outside (control) */
	if (!outcome_is("connect_abstract (outside)",
			attempt_unsandboxed("connect_abstract", name), "OK")) {
		close(fd);
		FAIL("control connect failed");
	}
	/* In a container (no pidfd_getfd) the sandbox makes no unix socket
	 * at all (docs/containers.md). */
	ok = outcome_is("connect_abstract", attempt("connect_abstract", name),
			he_restricted() ? "EACCES" : "EPERM");
	close(fd);
	CHECK(ok);
}

/* TIOCSTI on a terminal stdin: the sandbox inherits a pty slave as fd 0. */
TEST(tiocsti_on_a_terminal_denied)
{
	int master, slave, saved;
	char *got;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		SKIP("no pseudo-terminals: %s", strerror(errno));
	CHECK(grantpt(master) == 0 && unlockpt(master) == 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(slave >= 0);
	saved = fcntl(0, F_DUPFD_CLOEXEC, 3);
	CHECK(dup2(slave, 0) == 0);
	got = attempt("tiocsti", NULL);
	/* restore stdin before any check can return */
	if (saved >= 0) {
		dup2(saved, 0);
		close(saved);
	} else {
		close(0);
	}
	close(slave);
	close(master);
	CHECK(outcome_is("tiocsti", got, "EPERM"));
}
