/*
 * Running a command in a sandbox through the public C ABI for the handler
 * tests: a builder that can start the system's shell and coreutils and the
 * test helpers, a run that captures the outcome, and private scratch
 * directories. Header-only because every test file is its own program.
 */
#ifndef SL_TEST_HANDLERS_RUN_H
#define SL_TEST_HANDLERS_RUN_H

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandlock.h"

struct hrun {
	bool ok;         /* the sandbox ran */
	int code;        /* exit code, -1 if none */
	uint32_t reason; /* SANDLOCK_EXIT_REASON_* */
	int sig;
	char *out, *err;
	char *build_err;
};

/* Directory of the test helpers: $BUILD/tests/helpers. */
static inline const char *helpers_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if ((size_t)snprintf(dir, sizeof(dir), "%s/../helpers", exe) >=
	    sizeof(dir) || !realpath(dir, exe))
		return dir[0] = '\0', NULL;
	strcpy(dir, exe);
	return dir;
}

static inline char *helper(const char *name)
{
	static char path[PATH_MAX];
	const char *d = helpers_dir();

	if (snprintf(path, sizeof(path), "%s/%s", d ? d : ".", name) >=
	    (int)sizeof(path))
		path[0] = '\0';
	return path;
}

/* A builder that may run system programs and the helpers. */
static inline sandlock_builder_t *base_builder(void)
{
	static const char *const ro[] = { "/usr", "/bin", "/lib", "/lib64",
					  "/etc", "/dev/zero", "/dev/urandom" };
	sandlock_builder_t *b = sandlock_sandbox_builder_new();

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		struct stat st;

		if (lstat(ro[i], &st) == 0)
			b = sandlock_sandbox_builder_fs_read(b, ro[i]);
	}
	b = sandlock_sandbox_builder_fs_write(b, "/dev/null");
	if (helpers_dir())
		b = sandlock_sandbox_builder_fs_read(b, helpers_dir());
	return b;
}

/* Build b (consumed) and run argv (NULL-terminated); fills o. */
static inline void hrun(sandlock_builder_t *b, const char *const *argv,
			struct hrun *o)
{
	int err = 0;
	char *msg = NULL;
	unsigned argc = 0;
	sandlock_sandbox_t *sb;
	sandlock_result_t *r;

	memset(o, 0, sizeof(*o));
	o->code = -1;
	sb = sandlock_sandbox_build(b, &err, &msg);
	if (!sb) {
		o->build_err = msg ? msg : strdup("build failed");
		return;
	}
	while (argv[argc])
		argc++;
	r = sandlock_run(sb, NULL, argv, argc);
	sandlock_sandbox_free(sb);
	if (!r)
		return;
	o->ok = true;
	o->reason = sandlock_result_reason(r);
	o->code = sandlock_result_exit_code(r);
	o->sig = sandlock_result_signal(r);
	o->out = sandlock_result_stdout(r);
	o->err = sandlock_result_stderr(r);
	if (!o->out)
		o->out = strdup("");
	if (!o->err)
		o->err = strdup("");
	sandlock_result_free(r);
}

static inline void hrun_free(struct hrun *o)
{
	free(o->out);
	free(o->err);
	free(o->build_err);
	memset(o, 0, sizeof(*o));
}

/* Fail the test unless the sandbox ran. */
#define CHECK_RAN(o)                                                      \
	do {                                                              \
		if (!(o)->ok)                                             \
			FAIL("sandbox did not run: %s",                   \
			     (o)->build_err ? (o)->build_err : "spawn failed"); \
	} while (0)

static inline int rm_entry(const char *p, const struct stat *st, int flag,
			   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* A private scratch directory under /tmp (path in buf). */
static inline bool scratch_dir(char *buf, size_t cap)
{
	if (snprintf(buf, cap, "/tmp/sl-handlers-XXXXXX") >= (int)cap)
		return false;
	return mkdtemp(buf) != NULL;
}

static inline void scratch_remove(const char *dir)
{
	if (dir && dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline bool write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(content, f) >= 0;
	return fclose(f) == 0 && ok;
}

#endif
