#include "run_options.h"

#include <limits.h>
#include <stdio.h>

#include "abi/tool.h"
#include "run_args.h"
#include "util/cleanup.h"

#define POLICY(l, s, id, t, mv, h)                        \
	{                                                 \
		l, s, id, t, CLI_ROLE_POLICY, mv, h, 0, 0 \
	}
#define TOOL(l, s, id, t, mv, h)                       \
	{                                              \
		l, s, id, t, CLI_ROLE_CLI, mv, h, 0, 0 \
	}
#define LATER(l, s, id, t, mv, h)                              \
	{                                                      \
		l, s, id, t, CLI_ROLE_UNSUPPORTED, mv, h, 0, 0 \
	}
/* An integer flag whose valid values are fewer than its type holds (the
 * library checks the same range when the policy is built). */
#define RANGED(l, s, id, t, mv, h, lo, hi)                  \
	{                                                   \
		l, s, id, t, CLI_ROLE_POLICY, mv, h, lo, hi \
	}

const struct cli_opt_spec cli_run_opt_specs[] = {
	POLICY("fs-read", 'r', OPT_FS_READ, CLI_VAL_TEXT, "PATH",
	       "grant read and execute access to PATH (repeatable)"),
	POLICY("fs-write", 'w', OPT_FS_WRITE, CLI_VAL_TEXT, "PATH",
	       "grant read, write and execute access to PATH"),
	POLICY("fs-deny", 0, OPT_FS_DENY, CLI_VAL_TEXT, "PATH",
	       "deny PATH and below even inside a granted tree"),
	POLICY("extra-deny-syscall", 0, OPT_EXTRA_DENY_SYSCALL, CLI_VAL_TEXT,
	       "NAME|GROUP", "also deny these syscalls (comma-separated)"),
	POLICY("extra-allow-syscall", 0, OPT_EXTRA_ALLOW_SYSCALL, CLI_VAL_TEXT,
	       "GROUP",
	       "re-allow a syscall group denied by default (sysv_ipc)"),
	POLICY("net-allow", 0, OPT_NET_ALLOW, CLI_VAL_TEXT, "SPEC",
	       "allow outbound traffic: [tcp|udp|icmp://]HOST|IP|CIDR[:PORTS]"),
	POLICY("net-deny", 0, OPT_NET_DENY, CLI_VAL_TEXT, "SPEC",
	       "deny outbound traffic to IP|CIDR|* (default-allow mode)"),
	POLICY("net-allow-bind", 0, OPT_NET_ALLOW_BIND, CLI_VAL_TEXT, "PORTS",
	       "TCP ports the sandbox may bind: 8080,9000-9005 or *"),
	POLICY("net-deny-bind", 0, OPT_NET_DENY_BIND, CLI_VAL_TEXT, "PORTS",
	       "TCP ports the sandbox may not bind"),
	POLICY("port-remap", 0, OPT_PORT_REMAP, CLI_VAL_NONE, NULL,
	       "map bound ports to free host ports"),
	POLICY("http-allow", 0, OPT_HTTP_ALLOW, CLI_VAL_TEXT, "RULE",
	       "allow HTTP requests: \"METHOD host[/path]\""),
	POLICY("http-deny", 0, OPT_HTTP_DENY, CLI_VAL_TEXT, "RULE",
	       "deny HTTP requests: \"METHOD host[/path]\""),
	POLICY("http-port", 0, OPT_HTTP_PORT, CLI_VAL_U16, "PORT",
	       "TCP port to intercept for HTTP rules"),
	POLICY("http-ca", 0, OPT_HTTP_CA, CLI_VAL_TEXT, "PATH",
	       "CA certificate for HTTPS interception (needs --http-key)"),
	POLICY("http-key", 0, OPT_HTTP_KEY, CLI_VAL_TEXT, "PATH",
	       "CA private key for HTTPS interception"),
	POLICY("http-inject-ca", 0, OPT_HTTP_INJECT_CA, CLI_VAL_TEXT, "PATH",
	       "trust bundle (sandbox path) to splice the CA into"),
	POLICY("http-ca-out", 0, OPT_HTTP_CA_OUT, CLI_VAL_TEXT, "PATH",
	       "write the interception CA certificate to PATH"),
	LATER("credential", 0, OPT_CREDENTIAL, CLI_VAL_TEXT, "NAME=SOURCE",
	      "declare a credential (env:VAR, file:PATH, fd:N)"),
	LATER("http-auth", 0, OPT_HTTP_AUTH, CLI_VAL_TEXT, "RULE",
	      "inject a credential into matching HTTP requests"),
	POLICY("max-memory", 'm', OPT_MAX_MEMORY, CLI_VAL_TEXT, "SIZE",
	       "memory limit, e.g. 512M or 2G"),
	POLICY("max-processes", 'P', OPT_MAX_PROCESSES, CLI_VAL_U32, "N",
	       "maximum concurrent processes (default 64)"),
	RANGED("max-open-files", 0, OPT_MAX_OPEN_FILES, CLI_VAL_U32, "N",
	       "maximum open file descriptors (> 0)", 1, UINT32_MAX),
	RANGED("cpu", 'c', OPT_CPU, CLI_VAL_U8, "PCT",
	       "CPU throttle, percent of one CPU (1..100)", 1, 100),
	POLICY("max-disk", 0, OPT_MAX_DISK, CLI_VAL_TEXT, "SIZE",
	       "size limit of the copy-on-write layer"),
	POLICY("cpu-cores", 0, OPT_CPU_CORES, CLI_VAL_U32_LIST, "N[,N...]",
	       "pin the sandbox to these CPU cores"),
	POLICY("num-cpus", 0, OPT_NUM_CPUS, CLI_VAL_U32, "N",
	       "number of CPUs the sandbox sees"),
	POLICY("gpu", 0, OPT_GPU, CLI_VAL_TEXT, "all|N,N...",
	       "grant access to all or the listed GPUs"),
	POLICY("random-seed", 0, OPT_RANDOM_SEED, CLI_VAL_U64, "N",
	       "deterministic randomness from seed N"),
	POLICY("time-start", 0, OPT_TIME_START, CLI_VAL_TEXT, "TIME",
	       "start the clock at an RFC 3339 time"),
	POLICY("no-randomize-memory", 0, OPT_NO_RANDOMIZE_MEMORY, CLI_VAL_NONE,
	       NULL, "disable address space randomisation"),
	POLICY("no-huge-pages", 0, OPT_NO_HUGE_PAGES, CLI_VAL_NONE, NULL,
	       "disable transparent huge pages"),
	POLICY("no-coredump", 0, OPT_NO_COREDUMP, CLI_VAL_NONE, NULL,
	       "disable core dumps"),
	POLICY("deterministic-dirs", 0, OPT_DETERMINISTIC_DIRS, CLI_VAL_NONE,
	       NULL, "list directories in sorted order"),
	POLICY("workdir", 0, OPT_WORKDIR, CLI_VAL_TEXT, "PATH",
	       "put PATH under copy-on-write"),
	POLICY("cwd", 0, OPT_CWD, CLI_VAL_TEXT, "PATH",
	       "working directory of the command"),
	POLICY("fs-storage", 0, OPT_FS_STORAGE, CLI_VAL_TEXT, "PATH",
	       "where copy-on-write layers are stored"),
	POLICY("on-exit", 0, OPT_ON_EXIT, CLI_VAL_TEXT, "commit|abort|keep",
	       "copy-on-write action on success (default commit)"),
	POLICY("on-error", 0, OPT_ON_ERROR, CLI_VAL_TEXT, "commit|abort|keep",
	       "copy-on-write action on failure (default abort)"),
	POLICY("chroot", 0, OPT_CHROOT, CLI_VAL_TEXT, "PATH",
	       "present PATH as the root directory"),
	POLICY("fs-mount", 0, OPT_FS_MOUNT, CLI_VAL_TEXT, "VIRTUAL:HOST[:ro]",
	       "map HOST to VIRTUAL inside --chroot"),
	LATER("image", 0, OPT_IMAGE, CLI_VAL_TEXT, "IMAGE",
	      "use a local Docker image as the root filesystem"),
	POLICY("clean-env", 0, OPT_CLEAN_ENV, CLI_VAL_NONE, NULL,
	       "start from an empty environment"),
	POLICY("env", 0, OPT_ENV, CLI_VAL_TEXT, "KEY=VALUE",
	       "set an environment variable (repeatable)"),
	POLICY("user", 0, OPT_USER, CLI_VAL_TEXT, "UID:GID",
	       "run as UID:GID in a user namespace"),
	TOOL("name", 0, OPT_NAME, CLI_VAL_TEXT, "NAME",
	     "sandbox name (also the virtual hostname)"),
	LATER("no-supervisor", 0, OPT_NO_SUPERVISOR, CLI_VAL_NONE, NULL,
	      "run without a supervisor (Landlock and seccomp only)"),
	POLICY("allow-degraded", 0, OPT_ALLOW_DEGRADED, CLI_VAL_TEXT,
	       "PROTECTION", "skip PROTECTION where the kernel lacks it"),
	POLICY("disable", 0, OPT_DISABLE, CLI_VAL_TEXT, "PROTECTION",
	       "never enforce PROTECTION"),
	TOOL("timeout", 't', OPT_TIMEOUT, CLI_VAL_U64, "SECS",
	     "kill the sandbox after SECS seconds, exit 124 (0: none)"),
	LATER("profile", 'p', OPT_PROFILE, CLI_VAL_TEXT, "NAME",
	      "load the named profile"),
	LATER("profile-file", 0, OPT_PROFILE_FILE, CLI_VAL_TEXT, "PATH",
	      "load a profile from PATH"),
	TOOL("status-fd", 0, OPT_STATUS_FD, CLI_VAL_FD, "FD",
	     "write the exit status as JSON to FD"),
	TOOL("exec-shell", 'e', OPT_EXEC_SHELL, CLI_VAL_TEXT, "CMD",
	     "run /bin/sh -c CMD"),
	TOOL("interactive", 'i', OPT_INTERACTIVE, CLI_VAL_NONE, NULL,
	     "accepted for compatibility (stdio is always inherited)"),
	TOOL("dry-run", 0, OPT_DRY_RUN, CLI_VAL_NONE, NULL,
	     "report copy-on-write changes without applying them"),
	TOOL("help", 'h', OPT_HELP, CLI_VAL_NONE, NULL, "print this help"),
};

const unsigned cli_run_opt_count = SL_ARRAY_SIZE(cli_run_opt_specs);

const struct cli_opt_spec *cli_run_opt_spec(int id)
{
	for (unsigned i = 0; i < cli_run_opt_count; i++)
		if (cli_run_opt_specs[i].id == id)
			return &cli_run_opt_specs[i];
	return NULL;
}

uint64_t cli_val_max(uint8_t type)
{
	switch (type) {
	case CLI_VAL_U8:
		return UINT8_MAX;
	case CLI_VAL_U16:
		return UINT16_MAX;
	case CLI_VAL_U32:
		return UINT32_MAX;
	case CLI_VAL_U64:
		return UINT64_MAX;
	case CLI_VAL_FD:
		return INT_MAX;
	default:
		return 0;
	}
}

bool cli_opt_in_range(const struct cli_opt_spec *s, uint64_t v, char *why,
		      size_t size)
{
	if (!s->max || (v >= s->min && v <= s->max))
		return true;
	if (s->max == cli_val_max(s->type))
		snprintf(why, size, "must be at least %llu",
			 (unsigned long long)s->min);
	else
		snprintf(why, size, "must be between %llu and %llu",
			 (unsigned long long)s->min,
			 (unsigned long long)s->max);
	return false;
}

const char *cli_opt_unsupported(const struct cli_opt_spec *s)
{
	if (s->role == CLI_ROLE_UNSUPPORTED)
		return s->long_name;
	return sl_tool_setting_unsupported(s->long_name);
}
