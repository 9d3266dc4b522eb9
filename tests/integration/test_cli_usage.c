/*
 * The sandlock command line without running anything: version, help,
 * usage errors (exit 2), configuration errors (exit 1), refused features,
 * and `sandlock check`.
 */
#include <stdbool.h>
#include <sys/syscall.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/files.h"

/* Every flag of `sandlock run` (docs/behaviour.md 14.2). */
static const char *const run_flags[] = {
	"--fs-read",
	"--fs-write",
	"--fs-deny",
	"--extra-deny-syscall",
	"--extra-allow-syscall",
	"--net-allow",
	"--net-deny",
	"--net-allow-bind",
	"--net-deny-bind",
	"--port-remap",
	"--http-allow",
	"--http-deny",
	"--http-port",
	"--http-ca",
	"--http-key",
	"--http-inject-ca",
	"--http-ca-out",
	"--credential",
	"--http-auth",
	"--max-memory",
	"--max-processes",
	"--max-open-files",
	"--cpu",
	"--max-disk",
	"--cpu-cores",
	"--num-cpus",
	"--gpu",
	"--random-seed",
	"--time-start",
	"--no-randomize-memory",
	"--no-huge-pages",
	"--no-coredump",
	"--deterministic-dirs",
	"--workdir",
	"--cwd",
	"--fs-storage",
	"--on-exit",
	"--on-error",
	"--chroot",
	"--fs-mount",
	"--image",
	"--clean-env",
	"--env",
	"--user",
	"--name",
	"--no-supervisor",
	"--allow-degraded",
	"--disable",
	"--timeout",
	"--profile",
	"--profile-file",
	"--status-fd",
	"--exec-shell",
	"--interactive",
	"--dry-run",
	"-r,",
	"-w,",
	"-m,",
	"-P,",
	"-c,",
	"-t,",
	"-p,",
	"-e,",
	"-i,",
};

TEST(version_prints_name_and_version)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "--version"), 0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "sandlock 0.8.6\n");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "-V"), 0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "sandlock 0.8.6\n");
	cli_result_free(&r);
}

TEST(help_lists_every_run_flag)
{
	static const char *const spellings[][2] = { { "--help", NULL },
						    { "-h", NULL },
						    { "run", "--help" },
						    { "run", "-h" } };

	for (size_t s = 0; s < NELEM(spellings); s++) {
		struct cli_result r;

		CHECK_EQ_INT(CLI_RUN(&r, spellings[s][0], spellings[s][1]), 0);
		CHECK_EXIT(&r, 0);
		CHECK_CONTAINS(r.out, "Usage: sandlock run");
		for (size_t i = 0; i < NELEM(run_flags); i++)
			CHECK_CONTAINS(r.out, run_flags[i]);
		cli_result_free(&r);
	}
}

TEST(help_run_prints_the_run_help)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "help", "run"), 0);
	CHECK_EXIT(&r, 0);
	CHECK(strncmp(r.out, "Usage: sandlock run", 19) == 0);
	CHECK_CONTAINS(r.out, "--fs-read");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "help"), 0);
	CHECK_EXIT(&r, 0);
	CHECK(strncmp(r.out, "Usage: sandlock <COMMAND>", 25) == 0);
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "help", "frobnicate"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "frobnicate");
	cli_result_free(&r);
}

/* The exit codes the help states are those of the README: 127 when the
 * sandbox cannot be set up, 1 for an invalid configuration. */
TEST(help_states_the_exit_codes)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "--help"), 0);
	CHECK_EXIT(&r, 0);
	CHECK_CONTAINS(r.out, "1 if it was killed by a signal or the\n"
			      "configuration is invalid; 2 for a usage error; "
			      "124 on --timeout; 127\nif the sandbox could not "
			      "be set up");
	cli_result_free(&r);
}

/* A value for every flag of `sandlock run` that the command line accepts
 * (NULL for switches). The help's "(not supported yet)" marks must be
 * exactly the flags that are refused as such, and every flag of the help
 * must be listed here. */
static const char *const flag_samples[][2] = {
	{ "--fs-read", "/usr" },
	{ "--fs-write", "/tmp" },
	{ "--fs-deny", "/etc/shadow" },
	{ "--extra-deny-syscall", "getpid" },
	{ "--extra-allow-syscall", "sysv_ipc" },
	{ "--net-allow", "1.2.3.4:80" },
	{ "--net-deny", "10.0.0.0/8" },
	{ "--net-allow-bind", "8080" },
	{ "--net-deny-bind", "22" },
	{ "--port-remap", NULL },
	{ "--http-allow", "GET example.com" },
	{ "--http-deny", "* */admin" },
	{ "--http-port", "8080" },
	{ "--http-ca", "/ca.pem" },
	{ "--http-key", "/key.pem" },
	{ "--http-inject-ca", "/etc/ssl/certs/ca-certificates.crt" },
	{ "--http-ca-out", "/tmp/ca.pem" },
	{ "--credential", "K=env:HOME" },
	{ "--http-auth", "GET example.com bearer K" },
	{ "--max-memory", "256M" },
	{ "--max-processes", "10" },
	{ "--max-open-files", "64" },
	{ "--cpu", "50" },
	{ "--max-disk", "1G" },
	{ "--cpu-cores", "0" },
	{ "--num-cpus", "1" },
	{ "--gpu", "all" },
	{ "--random-seed", "1" },
	{ "--time-start", "2026-01-01T00:00:00Z" },
	{ "--no-randomize-memory", NULL },
	{ "--no-huge-pages", NULL },
	{ "--no-coredump", NULL },
	{ "--deterministic-dirs", NULL },
	{ "--workdir", "/tmp" },
	{ "--cwd", "/" },
	{ "--fs-storage", "/tmp" },
	{ "--on-exit", "abort" },
	{ "--on-error", "keep" },
	{ "--chroot", "/" },
	{ "--fs-mount", "/data:/tmp" },
	{ "--image", "debian:12" },
	{ "--clean-env", NULL },
	{ "--env", "A=b" },
	{ "--user", "0:0" },
	{ "--name", "flag-sample" },
	{ "--no-supervisor", NULL },
	{ "--allow-degraded", "net-tcp" },
	{ "--disable", "signal-scope" },
	{ "--timeout", "30" },
	{ "--profile", "default" },
	{ "--profile-file", "/p.toml" },
	{ "--status-fd", "2" },
	{ "--exec-shell", "true" },
	{ "--interactive", NULL },
	{ "--dry-run", NULL },
	{ "--help", NULL },
};

/* The help line of a flag ("  -r, --fs-read <PATH>  ..."), or NULL. */
static const char *help_line(const char *help, const char *flag, char *buf,
			     size_t size)
{
	size_t n = strlen(flag);

	for (const char *l = help; *l;) {
		const char *end = strchrnul(l, '\n');

		if (strncmp(l, "  ", 2) == 0) {
			const char *f = strstr(l, flag);

			if (f && f < end && f[-1] == ' ' &&
			    (f[n] == ' ' || f[n] == '\n' || !f[n])) {
				snprintf(buf, size, "%.*s", (int)(end - l), l);
				return buf;
			}
		}
		l = *end ? end + 1 : end;
	}
	return NULL;
}

/* Option lines of the help: indented, starting with a flag (the
 * "-- CMD" line is not one). */
static size_t count_flag_lines(const char *help)
{
	size_t n = 0;

	for (const char *l = help; *l;) {
		const char *end = strchrnul(l, '\n');
		const char *t = l + strspn(l, " ");

		if (t > l && t < end && t[0] == '-' && strncmp(t, "-- ", 3))
			n++;
		l = *end ? end + 1 : end;
	}
	return n;
}

TEST(help_marks_exactly_the_flags_refused_as_not_supported)
{
	struct cli_result help;

	CHECK_EQ_INT(CLI_RUN(&help, "run", "--help"), 0);
	CHECK_EXIT(&help, 0);
	/* Every flag line has a sample (the "-- CMD" line is not a flag). */
	CHECK_EQ_INT(count_flag_lines(help.out), NELEM(flag_samples));
	for (size_t i = 0; i < NELEM(flag_samples); i++) {
		const char *flag = flag_samples[i][0];
		struct cli_args a = { .n = 0 };
		struct cli_result r;
		char line[256], want[96];
		bool marked, refused;

		if (!help_line(help.out, flag, line, sizeof(line)))
			FAIL("%s is not in the help", flag);
		marked = strstr(line, "(not supported yet)") != NULL;
		cli_args_add(&a, "run", "-r", "/usr", flag, NULL);
		if (flag_samples[i][1])
			cli_args_add(&a, flag_samples[i][1], NULL);
		if (strcmp(flag, "--dry-run") == 0) /* (it needs one) */
			cli_args_add(&a, "--workdir", "/tmp", NULL);
		cli_args_add(&a, "--", "/usr/bin/true", NULL);
		CHECK_EQ_INT(cli_exec(&r, &a), 0);
		snprintf(want, sizeof(want), "Error: %s is not supported yet",
			 flag);
		refused = strstr(r.err, "not supported yet") != NULL;
		if (marked != refused || (refused && !strstr(r.err, want)))
			FAIL("%s: %s in the help, but the run says (exit %d) "
			     "\"%s\"",
			     flag, marked ? "marked" : "not marked", r.code,
			     r.err);
		/* built, but refused by this environment (a container
		 * without pidfd_getfd: docs/containers.md) */
		if (!refused && r.code == 1 &&
		    strstr(r.err, "system call, which this environment "
				  "refuses")) {
			cli_result_free(&r);
			continue;
		}
		if (!refused && r.code != 0)
			FAIL("%s %s: exit %d, stderr \"%s\"", flag,
			     flag_samples[i][1] ? flag_samples[i][1] : "",
			     r.code, r.err);
		cli_result_free(&r);
	}
	cli_result_free(&help);
}

TEST(no_subcommand_is_a_usage_error)
{
	struct cli_result r;
	struct cli_args none = { .n = 0 };

	CHECK_EQ_INT(cli_exec(&r, &none), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "Usage: sandlock");
	CHECK_STR(r.out, "");
	cli_result_free(&r);
}

TEST(unknown_subcommand_and_global_flag_are_usage_errors)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "frobnicate"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "frobnicate");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "--frobnicate"), 0);
	CHECK_EXIT(&r, 2);
	cli_result_free(&r);
}

TEST(unknown_run_flag_is_a_usage_error)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "--bogus-flag", "--", "true"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "--bogus-flag");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "run", "-Z", "--", "true"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "-Z");
	cli_result_free(&r);
}

TEST(abbreviated_long_flag_is_refused)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "--fs-rea", "/usr", "--", "true"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "--fs-rea");
	cli_result_free(&r);
}

TEST(missing_value_is_a_usage_error)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "--fs-read");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "run", "--timeout"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "--timeout");
	cli_result_free(&r);
}

TEST(switch_given_a_value_is_a_usage_error)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "--clean-env=yes", "--", "true"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "--clean-env");
	cli_result_free(&r);
}

TEST(integer_flags_reject_non_integers_as_usage_errors)
{
	static const char *const cases[][2] = {
		{ "-P", "abc" },
		{ "--max-processes", "-1" },
		{ "-c", "300" },
		{ "--max-open-files", "4294967296" },
		{ "--http-port", "65536" },
		{ "-t", "1.5" },
		{ "--random-seed", "x" },
		{ "--num-cpus", "" },
		{ "--cpu-cores", "0,,1" },
		{ "--status-fd", "-3" },
	};

	struct cli_result r;

	for (size_t i = 0; i < NELEM(cases); i++) {
		CHECK_EQ_INT(CLI_RUN(&r, "run", cases[i][0], cases[i][1], "--",
				     "true"),
			     0);
		if (r.code != 2)
			FAIL("%s '%s': exit %d, expected 2; stderr: %s",
			     cases[i][0], cases[i][1], r.code, r.err);
		cli_result_free(&r);
	}
	/* The range named is the flag's, not its integer type's. */
	CHECK_EQ_INT(CLI_RUN(&r, "run", "-c", "300", "--", "true"), 0);
	CHECK_EXIT(&r, 2);
	CHECK_CONTAINS(r.err, "invalid value '300' for '--cpu <PCT>': must be "
			      "between 1 and 100");
	cli_result_free(&r);
}

/* A value the command line accepts but the configuration refuses: exit 1
 * with "Error: <reason>" and nothing run. */
static void check_config_error(const char *flag, const char *value,
			       const char *reason)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r", "/usr", flag, value, "--",
			     "/usr/bin/true"),
		     0);
	if (r.code != 1 || !strstr(r.err, "Error: ") || !strstr(r.err, reason))
		FAIL("%s '%s': exit %d, stderr \"%s\"; expected exit 1 and "
		     "\"%s\"",
		     flag, value, r.code, r.err, reason);
	cli_result_free(&r);
}

TEST(bad_values_are_configuration_errors)
{
	check_config_error("-c", "0", "cpu");
	check_config_error("-c", "101", "cpu");
	check_config_error("-m", "10X", "suffix");
	check_config_error("-m", "1.5G", "byte size");
	check_config_error("--max-disk", "12KB", "suffix");
	check_config_error("--max-open-files", "0", "open");
	check_config_error("--user", "abc", "UID:GID");
	check_config_error("--user", "1000", "UID:GID");
	check_config_error("--env", "NOEQUALS",
			   "--env requires KEY=VALUE, got: NOEQUALS");
	check_config_error("--on-exit", "later",
			   "invalid --on-exit value 'later': expected commit "
			   "| abort | keep");
	check_config_error("--on-error", "x", "invalid --on-error value 'x'");
	check_config_error("--time-start", "yesterday",
			   "invalid --time-start 'yesterday'");
	check_config_error("--time-start", "2000-01-01T00:00:00",
			   "invalid --time-start");
	check_config_error("--allow-degraded", "everything",
			   "abstract-unix-socket-scope");
	check_config_error("--disable", "fs-refer",
			   "--disable fs-refer: FsRefer cannot be disabled");
	check_config_error("--disable", "fs-refer",
			   "use --allow-degraded "
			   "fs-refer");
	check_config_error("-m", "12QB", "suffix 'QB' in '12QB'");
	check_config_error("-c", "0",
			   "invalid --cpu value '0': must be "
			   "between 1 and 100");
	check_config_error("--max-open-files", "0",
			   "invalid --max-open-files "
			   "value '0': must be at least 1");
	check_config_error("--num-cpus", "2",
			   "--num-cpus is not supported yet");
	check_config_error("--cpu-cores", "4095",
			   "--cpu-cores: none of the "
			   "given CPUs is available (this process may use "
			   "CPUs ");
	check_config_error("--gpu", "one", "GPU index");
	check_config_error("--fs-mount", "nocolon", "VIRTUAL:HOST");
	check_config_error("--net-allow", "tcp://", "");
	check_config_error("--net-allow-bind", "9-1", "");
	check_config_error("--extra-deny-syscall", "no_such_syscall",
			   "no_such_syscall");
	check_config_error("--name", "a/b", "'/'");
	check_config_error("--name", "..", "'..'");
	check_config_error("--status-fd", "987", "--status-fd 987");
}

TEST(conflicting_network_modes_are_configuration_errors)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "--net-allow", "10.0.0.1", "--net-deny",
			     "10.0.0.2", "--", "true"),
		     0);
	CHECK_EXIT(&r, 1);
	CHECK_CONTAINS(r.err, "--net-allow and --net-deny are mutually "
			      "exclusive");
	cli_result_free(&r);
}

TEST(flags_without_implementation_are_refused_by_name)
{
	static const char *const cases[][3] = {
		{ "--no-supervisor", NULL, "--no-supervisor" },
		{ "--image", "debian:12", "--image" },
		{ "-p", "default", "--profile" },
		{ "--profile", "default", "--profile" },
		{ "--profile-file", "/nonexistent.toml", "--profile-file" },
		{ "--credential", "KEY=env:HOME", "--credential" },
		{ "--http-auth", "GET example.com bearer KEY", "--http-auth" },
	};

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct cli_args a = { .n = 0 };
		struct cli_result r;
		char want[64];

		cli_args_add(&a, "run", "-r", "/usr", cases[i][0], NULL);
		if (cases[i][1])
			cli_args_add(&a, cases[i][1], NULL);
		cli_args_add(&a, "--", "/usr/bin/true", NULL);
		CHECK_EQ_INT(cli_exec(&r, &a), 0);
		snprintf(want, sizeof(want), "Error: %s is not supported yet",
			 cases[i][2]);
		if (r.code != 1 || !strstr(r.err, want))
			FAIL("%s: exit %d, stderr \"%s\"; expected exit 1 and "
			     "\"%s\"",
			     cases[i][0], r.code, r.err, want);
		cli_result_free(&r);
	}
}

TEST(profile_and_profile_file_conflict)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "-p", "a", "--profile-file", "b.toml",
			     "--", "true"),
		     0);
	CHECK_EXIT(&r, 2);
	cli_result_free(&r);
}

TEST(subcommands_without_implementation_are_refused_by_name)
{
	static const char *const subs[] = { "ps", "inspect", "kill", "profile",
					    "learn" };

	for (size_t i = 0; i < NELEM(subs); i++) {
		struct cli_result r;
		char want[64];

		CHECK_EQ_INT(CLI_RUN(&r, subs[i]), 0);
		snprintf(want, sizeof(want),
			 "sandlock: '%s' is not supported yet", subs[i]);
		if (r.code != 1 || !strstr(r.err, want))
			FAIL("%s: exit %d, stderr \"%s\"", subs[i], r.code,
			     r.err);
		cli_result_free(&r);
	}
}

TEST(run_without_command_is_an_error)
{
	struct cli_result r;

	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r", "/usr"), 0);
	CHECK_EXIT(&r, 1);
	CHECK_CONTAINS(r.err, "Error: no command specified");
	cli_result_free(&r);
	CHECK_EQ_INT(CLI_RUN(&r, "run", "-r", "/usr", "--"), 0);
	CHECK_EXIT(&r, 1);
	CHECK_CONTAINS(r.err, "Error: no command specified");
	/* Profiles do not exist yet: the message does not send users there. */
	CHECK(!strstr(r.err, "profile"));
	cli_result_free(&r);
}

/* ---- sandlock check ---------------------------------------------------- */

static int kernel_landlock_abi(void)
{
	/* landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) */
	long v = syscall(444, NULL, 0, 1U);

	return v < 0 ? -1 : (int)v;
}

TEST(check_reports_the_kernel)
{
	static const struct {
		const char *name;
		int min;
	} prots[] = { { "FsRefer", 2 },	    { "FsTruncate", 3 },
		      { "NetTcp", 4 },	    { "FsIoctlDev", 5 },
		      { "SignalScope", 6 }, { "AbstractUnixSocketScope", 6 } };
	int abi = kernel_landlock_abi();
	struct cli_result r;
	char line[160];

	CHECK_EQ_INT(CLI_RUN(&r, "check"), 0);
	CHECK_EXIT(&r, 0);
	if (abi < 1) {
		CHECK_CONTAINS(r.out, "  Landlock: unavailable (");
		CHECK_CONTAINS(r.out, "  Status:   UNSUPPORTED\n");
		cli_result_free(&r);
		return;
	}
	CHECK(strncmp(r.out, "Kernel feature support:\n", 24) == 0);
	snprintf(line, sizeof(line), "\n  Landlock:       ABI v%d\n", abi);
	CHECK_CONTAINS(r.out, line);
	CHECK_CONTAINS(r.out, "\n  Minimum required: ABI v6\n");
	CHECK_CONTAINS(r.out, abi >= 6 ? "\n  Status:         OK\n" :
					 "\n  Status:         UNSUPPORTED "
					 "(upgrade kernel)\n");
	CHECK_CONTAINS(r.out, "\n  Filesystem:     supported (ABI v1+)\n");
	CHECK_CONTAINS(r.out,
		       abi >= 3 ? "\n  File truncate:  supported (ABI v3+)\n" :
				  "\n  File truncate:  not supported\n");
	CHECK_CONTAINS(r.out,
		       abi >= 4 ? "\n  TCP ports:      supported (ABI v4+)\n" :
				  "\n  TCP ports:      not supported\n");
	CHECK_CONTAINS(r.out,
		       abi >= 5 ? "\n  Device ioctl:   supported (ABI v5+)\n" :
				  "\n  Device ioctl:   not supported\n");
	CHECK_CONTAINS(r.out,
		       abi >= 6 ? "\n  IPC scoping:    supported (ABI v6+)\n" :
				  "\n  IPC scoping:    not supported\n");
	CHECK_CONTAINS(r.out,
		       abi >= 6 ?
			       "\n  Signal scoping: supported (ABI v6+)\n\n" :
			       "\n  Signal scoping: not supported\n\n");
	snprintf(line, sizeof(line),
		 "\nPer-protection availability (host Landlock ABI v%d):\n",
		 abi);
	CHECK_CONTAINS(r.out, line);
	for (size_t i = 0; i < NELEM(prots); i++) {
		snprintf(line, sizeof(line),
			 "\n  %-22s requires v%d \xe2\x80\x94 %s\n",
			 prots[i].name, prots[i].min,
			 abi >= prots[i].min ? "available" : "unavailable");
		CHECK_CONTAINS(r.out, line);
	}
#if defined(__x86_64__)
	CHECK_CONTAINS(r.out, "\n  Platform: x86_64\n");
#elif defined(__aarch64__)
	CHECK_CONTAINS(r.out, "\n  Platform: aarch64\n");
#endif
	cli_result_free(&r);
}
