/*
 * `sandlock check`: what the running kernel offers (docs/behaviour.md 14.5).
 * Informational only, so it always exits 0.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "abi/tool.h"
#include "sandlock.h"
#include "util/cleanup.h"
#include "util/hostperm.h"

#if defined(__x86_64__)
#define PLATFORM "x86_64"
#elif defined(__aarch64__)
#define PLATFORM "aarch64"
#elif defined(__riscv) && __riscv_xlen == 64
#define PLATFORM "riscv64"
#else
#error "unsupported architecture"
#endif

/* Kernel features by the Landlock ABI that introduced them. */
static const struct {
	const char *label; /* padded so values line up */
	int abi;
} features[] = {
	{ "Filesystem:     ", 1 }, { "File truncate:  ", 3 },
	{ "TCP ports:      ", 4 }, { "Device ioctl:   ", 5 },
	{ "IPC scoping:    ", 6 }, { "Signal scoping: ", 6 },
};

static void print_features(int abi)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(features); i++) {
		if (abi >= features[i].abi)
			printf("  %ssupported (ABI v%d+)\n", features[i].label,
			       features[i].abi);
		else
			printf("  %snot supported\n", features[i].label);
	}
}

static void print_protections(int abi)
{
	printf("Per-protection availability (host Landlock ABI v%d):\n", abi);
	for (uint32_t p = 0; sl_tool_protection_name(p); p++) {
		uint32_t min = sandlock_protection_min_abi(p);

		printf("  %-22s requires v%u \u2014 %s\n",
		       sl_tool_protection_name(p), min,
		       (uint32_t)abi >= min ? "available" : "unavailable");
	}
}

/* What this process may do to its sandboxes (util/hostperm.h), and what
 * works differently or not at all where a call is refused. */
static const struct {
	unsigned perm;
	const char *label;
	const char *without;
} host_calls[] = {
	{ SL_HOST_PIDFD_GETFD, "pidfd_getfd:      ",
	  "net_allow/net_deny and HTTP rules, policy callbacks, port_remap, "
	  "net_deny_bind and net_allow_bind port lists, a workdir refused; "
	  "no unix sockets but connected pairs; no inotify/fanotify" },
	{ SL_HOST_VM_READ | SL_HOST_VM_WRITE,
	  "process_vm_*:     ", "sandbox memory read through /proc/<pid>/mem" },
	{ SL_HOST_KCMP, "kcmp:             ",
	  "memory shared by a fork told from its clone flags; policy "
	  "callbacks and custom handlers on exec refused" },
	{ SL_HOST_PTRACE, "ptrace:           ",
	  "policy callbacks and custom handlers on exec refused (an exec is "
	  "decided on a sandbox held still)" },
};

static void print_host(void)
{
	unsigned missing = SL_HOST_ALL & ~sl_host_perms();

	printf("Supervisor calls (this process):\n");
	for (size_t i = 0; i < SL_ARRAY_SIZE(host_calls); i++) {
		if (sl_host_allows(host_calls[i].perm))
			printf("  %sallowed\n", host_calls[i].label);
		else
			printf("  %srefused (%s)\n", host_calls[i].label,
			       host_calls[i].without);
	}
	printf("  Environment:      %s\n",
	       !missing ? "full" :
			  "restricted (a container's seccomp profile without "
			  "CAP_SYS_PTRACE?), see docs/containers.md");
}

int cli_check_main(int argc, char **argv)
{
	int abi, min;

	if (argc > 1 &&
	    (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: sandlock check\n\n"
		       "Print the kernel features sandlock relies on.\n");
		return CLI_EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error("check", "unexpected argument '%s'",
				       argv[1]);
	abi = sandlock_landlock_abi_version();
	min = sandlock_min_landlock_abi();
	printf("Kernel feature support:\n");
	if (abi < 1) {
		printf("  Landlock: unavailable (Landlock is not supported by "
		       "this kernel or is disabled)\n");
		printf("  Status:   UNSUPPORTED\n");
		printf("  Platform: %s\n", PLATFORM);
		return CLI_EXIT_OK;
	}
	printf("  Landlock:       ABI v%d\n", abi);
	printf("  Minimum required: ABI v%d\n", min);
	printf("  Status:         %s\n",
	       abi >= min ? "OK" : "UNSUPPORTED (upgrade kernel)");
	print_features(abi);
	printf("\n");
	print_protections(abi);
	printf("\n");
	print_host();
	printf("  Platform: %s\n", PLATFORM);
	return CLI_EXIT_OK;
}
