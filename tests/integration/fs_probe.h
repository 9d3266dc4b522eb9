/*
 * Running the filesystem probes (tests/helpers/fs_probe.c, fs_race.c) in
 * sandboxes and bare, for the filesystem view's tests; scratch-path and
 * file helpers. Header-only because every test file is its own program.
 */
#ifndef SL_TEST_FS_PROBE_H
#define SL_TEST_FS_PROBE_H

#include <fcntl.h>
#include <sys/stat.h>

#include "integration/handlers_run.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* a "/" b, in one of 64 rotating buffers. */
static inline char *join(const char *a, const char *b)
{
	static char bufs[64][512];
	static int next;
	char *p = bufs[next++ % 64], tmp[sizeof(bufs[0])];

	/* a or b may be an earlier result: formatted apart, then copied */
	snprintf(tmp, sizeof(tmp), "%s/%s", a, b);
	memcpy(p, tmp, sizeof(tmp));
	return p;
}

static inline bool copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;
	bool ok = true;

	if (in < 0)
		return false;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return false;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ok &= write(out, buf, (size_t)n) == n;
	close(in);
	return close(out) == 0 && ok && n == 0;
}

static inline off_t size_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_size : -1;
}

static inline mode_t mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* Run argv in a sandbox built from b (consumed); its stdout (free it). */
static inline char *run_in(sandlock_builder_t *b, const char *const *argv)
{
	struct hrun o;
	char *out;

	hrun(b, argv, &o);
	if (!o.ok) {
		fprintf(stderr, "  sandbox did not run: %s\n",
			o.build_err ? o.build_err : "spawn failed");
		hrun_free(&o);
		return strdup("(did not run)");
	}
	out = o.out;
	o.out = NULL;
	if (o.err[0])
		fprintf(stderr, "  (stderr: %s)\n", o.err);
	hrun_free(&o);
	return out;
}

/* argv run directly, outside any sandbox (a control run). */
static inline char *run_bare(const char *const *argv)
{
	char cmd[4096] = "";
	char *out = calloc(1, 4096);
	FILE *f;
	size_t n;

	for (size_t i = 0; argv[i]; i++) {
		strncat(cmd, "'", sizeof(cmd) - strlen(cmd) - 1);
		strncat(cmd, argv[i], sizeof(cmd) - strlen(cmd) - 1);
		strncat(cmd, "' ", sizeof(cmd) - strlen(cmd) - 1);
	}
	f = popen(cmd, "r");
	if (!f || !out) {
		if (f)
			pclose(f);
		return out;
	}
	n = fread(out, 1, 4095, f);
	out[n] = '\0';
	pclose(f);
	return out;
}

#define PROBE(b, ...)                                                     \
	({                                                                \
		const char *_argv[] = { helper("fs_probe"), __VA_ARGS__,  \
					NULL };                           \
		run_in((b), _argv);                                       \
	})
#define RACE(b, ...)                                                      \
	({                                                                \
		const char *_argv[] = { helper("fs_race"), __VA_ARGS__,   \
					NULL };                           \
		run_in((b), _argv);                                       \
	})
#define RACE_BARE(...)                                                    \
	({                                                                \
		const char *_argv[] = { helper("fs_race"), __VA_ARGS__,   \
					NULL };                           \
		run_bare(_argv);                                          \
	})
/* The unconfined control of a race: run it (into out, a char * freed
 * here) up to 5 times until hit holds; whether it did. */
#define RACE_CONTROL(out, hit, ...)                                       \
	({                                                                \
		bool _hit = false;                                        \
		for (int _k = 0; _k < 5 && !_hit; _k++) {                 \
			free(out);                                        \
			(out) = RACE_BARE(__VA_ARGS__);                   \
			_hit = (hit);                                     \
		}                                                         \
		_hit;                                                     \
	})
#define SH(b, script)                                                     \
	({                                                                \
		const char *_argv[] = { "/bin/sh", "-c", (script), NULL }; \
		run_in((b), _argv);                                       \
	})

/* fs_race's "done=<n> leaked=<n>"; -1 when it printed something else. */
static inline long race_count(const char *out, bool leaks)
{
	long d = -1, l = -1;

	if (!out || sscanf(out, "done=%ld leaked=%ld", &d, &l) != 2)
		return -1;
	return leaks ? l : d;
}

#endif
