/*
 * The shared library exports exactly the functions of the public header:
 * the 137 current ones plus the 4 legacy names (docs/abi.md 4.3, 7), and nothing
 * else of ours (internal symbols are hidden).
 *
 * The library is $SANDLOCK_LIB_BUILD/libsandlock.so when set (make check-c
 * points it at the plain build), else the one of the build directory this
 * test binary lives in (<build>/tests/unit/test_abi_symbols).
 */
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#include "harness.h"
#include "lib/abiheader.h"
#include "lib/paths.h"

static char *library_path(void)
{
	const char *dir = getenv("SANDLOCK_LIB_BUILD");
	char *path = NULL;

	if (!dir || !*dir)
		dir = build_dir();
	if (!dir || asprintf(&path, "%s/libsandlock.so", dir) < 0)
		return NULL;
	return path;
}

/* Symbols the toolchain or the sanitizer runtime may define in any shared
 * object; none of them is ours. */
static bool toolchain_symbol(const char *s)
{
	static const char *const exact[] = { "_init", "_fini", "_edata", "_end",
					     "__bss_start" };

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(s, exact[i]) == 0)
			return true;
	return strncmp(s, "__asan", 6) == 0 || strncmp(s, "__ubsan", 7) == 0 ||
	       strncmp(s, "__sanitizer", 11) == 0 ||
	       strncmp(s, "__lsan", 6) == 0;
}

static bool in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

TEST(header_has_141_functions)
{
	struct sl_protos hdr;
	size_t n;

	if (sl_header_protos(&hdr) < 0)
		FAIL("cannot read include/sandlock.h (run from the repository root or set SANDLOCK_SRC)");
	n = hdr.n;
	sl_protos_free(&hdr);
	CHECK_EQ_INT(n, 141);
}

/* Extensions of include/sandlock_ext.h, exported beside the header's. */
static const char *const extensions[] = {
	"sandlock_result_cause",  "sandlock_handle_pause",
	"sandlock_handle_resume", "sandlock_last_errno",
	"sandlock_last_error",	  "sandlock_spawn_with_handlers",
};

static bool is_extension(const char *sym)
{
	for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++)
		if (strcmp(sym, extensions[i]) == 0)
			return true;
	return false;
}

TEST(library_exports_exactly_the_header_functions)
{
	struct sl_protos hdr;
	char *lib = library_path(), *cmd = NULL, *line = NULL;
	char **exported = NULL;
	size_t nexp = 0, cap = 0;
	int bad = 0, status;
	FILE *p;

	if (!lib || access(lib, R_OK) != 0) {
		free(lib);
		FAIL("libsandlock.so not found (set SANDLOCK_LIB_BUILD)");
	}
	if (sl_header_protos(&hdr) < 0) {
		free(lib);
		FAIL("cannot read include/sandlock.h");
	}
	if (asprintf(&cmd, "nm -D --defined-only '%s'", lib) < 0)
		cmd = NULL;
	p = cmd ? popen(cmd, "re") : NULL;
	free(cmd);
	if (!p) {
		free(lib);
		sl_protos_free(&hdr);
		FAIL("cannot run nm");
	}
	while (getline(&line, &cap, p) > 0) {
		char sym[512];

		/* "<address> <type> <name>" */
		if (sscanf(line, "%*s %*s %511s", sym) != 1)
			continue;
		if (toolchain_symbol(sym))
			continue;
		exported = realloc(exported, (nexp + 1) * sizeof(char *));
		if (!exported)
			break;
		exported[nexp++] = strdup(sym);
	}
	free(line);
	status = pclose(p);
	if (status != 0)
		fprintf(stderr, "  nm exited with status %d for %s\n", status,
			lib);

	for (size_t i = 0; i < hdr.n; i++)
		if (!in_list(exported, nexp, hdr.name[i])) {
			fprintf(stderr, "  not exported: %s\n", hdr.name[i]);
			bad++;
		}
	for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++)
		if (!in_list(exported, nexp, extensions[i])) {
			fprintf(stderr, "  not exported: %s\n", extensions[i]);
			bad++;
		}
	for (size_t i = 0; i < nexp; i++)
		if (!in_list(hdr.name, hdr.n, exported[i]) &&
		    !is_extension(exported[i])) {
			fprintf(stderr,
				"  exported but not in the header: %s\n",
				exported[i]);
			bad++;
		}
	for (size_t i = 0; i < nexp; i++)
		free(exported[i]);
	free(exported);
	free(lib);
	sl_protos_free(&hdr);
	CHECK_EQ_INT(status, 0);
	CHECK_EQ_INT(bad, 0);
}
