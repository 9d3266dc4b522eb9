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
	{ "Filesystem:     ", 1 },
	{ "File truncate:  ", 3 },
	{ "TCP ports:      ", 4 },
	{ "Device ioctl:   ", 5 },
	{ "IPC scoping:    ", 6 },
	{ "Signal scoping: ", 6 },
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

int cli_check_main(int argc, char **argv)
{
	int abi, min;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "--help") == 0)) {
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
	printf("  Platform: %s\n", PLATFORM);
	return CLI_EXIT_OK;
}
