/* Pre-launch diagnosis of a command that cannot start (startcheck.h). */
#include "launch/startcheck.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/command.h"
#include "util/cleanup.h"

/* The ELF header and, for ordinary programs, the program headers and the
 * interpreter name; "#!" lines are read from the first 256 bytes, as the
 * kernel does (BINPRM_BUF_SIZE). */
#define HEADER_BYTES 1024
#define SHEBANG_BYTES 256
#define MAX_PHNUM 256
/* Interpreters of interpreters the kernel follows before giving up. */
#define MAX_DEPTH 4

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#else
#define NATIVE_MACHINE EM_NONE /* nothing is judged */
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

struct grant {
	dev_t dev;
	ino_t ino;
};

struct check {
	const struct sl_policy *p;
	struct grant *grants;
	size_t ngrants;
	struct sl_start_problem *out;
	bool have; /* out holds the first problem found */
};

static int check_file(struct check *x, const char *path, int what,
		      const char *via, int depth);

static void copy(char dst[PATH_MAX], const char *src)
{
	snprintf(dst, PATH_MAX, "%s", src ? src : "");
}

/* Record the first problem; returns 1 (the check's "cannot start"). */
static int problem(struct check *x, int what, int err, const char *path,
		   const char *real, const char *via)
{
	struct sl_start_problem *o = x->out;
	char *slash;

	if (x->have)
		return 1;
	x->have = true;
	o->what = what;
	o->err = err;
	copy(o->path, path);
	copy(o->real, real && strcmp(real, path) != 0 ? real : NULL);
	copy(o->via, via);
	o->grant[0] = '\0';
	if (err == EACCES) {
		/* The file's own directory: the narrowest grant that makes
		 * it (and, for a loader, the libraries beside it) readable. */
		copy(o->grant, real ? real : path);
		slash = strrchr(o->grant, '/');
		if (slash == o->grant)
			slash[1] = '\0'; /* a file in "/" */
		else if (slash)
			*slash = '\0';
	}
	return 1;
}

static bool has_grant(const struct check *x, const struct stat *st)
{
	for (size_t i = 0; i < x->ngrants; i++)
		if (x->grants[i].dev == st->st_dev &&
		    x->grants[i].ino == st->st_ino)
			return true;
	return false;
}

/* Does a grant cover the resolved path real? Landlock looks for a rule on
 * the file and on every directory above it, by inode (so a bind mount of
 * a granted tree is granted too): the same walk, with stat. */
static bool granted(const struct check *x, const char *real)
{
	char buf[PATH_MAX];
	size_t len = strlen(real);
	struct stat st;

	if (len >= sizeof(buf))
		return true; /* cannot judge */
	memcpy(buf, real, len + 1);
	for (;;) {
		if (stat(buf, &st) == 0 && has_grant(x, &st))
			return true;
		if (len <= 1)
			return false;
		while (len > 1 && buf[len - 1] != '/')
			len--;
		if (len > 1)
			len--; /* the slash, unless it is the root */
		buf[len] = '\0';
	}
}

/* len bytes at off, from the header already read or from the file. */
static bool read_at(int fd, const unsigned char *hdr, size_t n, uint64_t off,
		    void *dst, size_t len)
{
	if (off <= n && len <= n - off) {
		memcpy(dst, hdr + off, len);
		return true;
	}
	if (off > (uint64_t)INT64_MAX)
		return false;
	return pread(fd, dst, len, (off_t)off) == (ssize_t)len;
}

/* Find PT_INTERP and check the loader it names. Only native 64-bit
 * programs are judged (the others are rare here and not worth a second
 * parser). */
static int check_elf(struct check *x, int fd, const unsigned char *hdr,
		     size_t n, const char *named, int depth)
{
	char interp[PATH_MAX];
	Elf64_Phdr ph = { 0 };
	Elf64_Ehdr eh;

	if (n < sizeof(eh) || hdr[EI_CLASS] != ELFCLASS64 ||
	    hdr[EI_DATA] != NATIVE_DATA)
		return 0;
	memcpy(&eh, hdr, sizeof(eh));
	if (eh.e_machine != NATIVE_MACHINE || eh.e_phentsize != sizeof(ph) ||
	    eh.e_phnum > MAX_PHNUM)
		return 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (!read_at(fd, hdr, n, eh.e_phoff + (uint64_t)i * sizeof(ph),
			     &ph, sizeof(ph)))
			return 0;
		if (ph.p_type == PT_INTERP)
			break;
		ph.p_filesz = 0;
	}
	/* No interpreter (static), or one the kernel would refuse. */
	if (ph.p_filesz < 2 || ph.p_filesz > sizeof(interp) ||
	    !read_at(fd, hdr, n, ph.p_offset, interp, (size_t)ph.p_filesz) ||
	    interp[ph.p_filesz - 1] != '\0' || interp[0] != '/')
		return 0;
	return check_file(x, interp, SL_START_LOADER, named, depth + 1);
}

/* Candidates of an execvp-style search: 0 when one can start, 1 when
 * every existing one is refused, 2 when none exists. */
static int check_candidates(struct check *x, const struct sl_command *c,
			    int what, const char *via, int depth)
{
	bool any = false;

	for (size_t i = 0; i < c->paths.n; i++) {
		const char *cand = c->paths.v[i];
		char full[PATH_MAX];
		struct stat st;

		/* A relative candidate is relative to the sandbox's cwd. */
		if (cand[0] != '/' && x->p->cwd) {
			if (snprintf(full, sizeof(full), "%s/%s", x->p->cwd,
				     cand) >= (int)sizeof(full))
				return 0;
			cand = full;
		}
		/* execvp moves on past what is missing or not a file. */
		if (stat(cand, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		any = true;
		if (check_file(x, cand, what, via, depth) == 0)
			return 0;
	}
	return any ? 1 : 2;
}

/* "#!/usr/bin/env NAME" runs NAME from the sandbox's PATH. */
static int check_env_target(struct check *x, const char *name,
			    const char *named, int depth)
{
	const char *argv[] = { name };
	struct sl_command c;
	int r;

	if (sl_command_prepare(&c, x->p, argv, 1, NULL) < 0) {
		sl_command_free(&c);
		return 0;
	}
	r = check_candidates(x, &c, SL_START_SCRIPT, named, depth);
	sl_command_free(&c);
	if (r == 2)
		return problem(x, SL_START_SCRIPT, ENOENT, name, NULL, named);
	return r;
}

/* "#!INTERP [ARG]" in the first line, as the kernel splits it. */
static int check_shebang(struct check *x, const unsigned char *hdr, size_t n,
			 const char *named, int depth)
{
	const char *s = (const char *)hdr + 2, *end, *tok, *base;
	char interp[PATH_MAX], arg[PATH_MAX];
	size_t len;
	int r;

	end = memchr(s, '\n', (n < SHEBANG_BYTES ? n : SHEBANG_BYTES) - 2);
	if (!end)
		return 0; /* longer than the kernel reads: not judged */
	s += strspn(s, " \t");
	len = strcspn(s, " \t\n");
	if (len == 0 || s + len > end || s[0] != '/')
		return 0; /* relative interpreters depend on the cwd */
	snprintf(interp, sizeof(interp), "%.*s", (int)len, s);
	tok = s + len;
	tok += strspn(tok, " \t");
	len = (size_t)(end - tok);
	while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
		len--;
	snprintf(arg, sizeof(arg), "%.*s", (int)len, tok);

	r = check_file(x, interp, SL_START_SCRIPT, named, depth + 1);
	if (r)
		return r;
	base = strrchr(interp, '/') + 1;
	if (strcmp(base, "env") == 0 && arg[0] && arg[0] != '-' &&
	    !strpbrk(arg, "= \t"))
		return check_env_target(x, arg, named, depth + 1);
	return 0;
}

static int check_header(struct check *x, const char *real, const char *named,
			int depth)
{
	_cleanup_(closep) int fd = -1;
	unsigned char hdr[HEADER_BYTES];
	struct stat st;
	ssize_t n;

	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < 4)
		return 0;
	if (hdr[0] == '#' && hdr[1] == '!')
		return check_shebang(x, hdr, (size_t)n, named, depth);
	if (memcmp(hdr, ELFMAG, SELFMAG) == 0)
		return check_elf(x, fd, hdr, (size_t)n, named, depth);
	return 0;
}

/* A file exec will need: it must exist and be under a grant; then what
 * its header names (loader, interpreter) must be too. */
static int check_file(struct check *x, const char *path, int what,
		      const char *via, int depth)
{
	char real[PATH_MAX];

	if (depth > MAX_DEPTH)
		return 0;
	if (!realpath(path, real)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return problem(x, what, ENOENT, path, NULL, via);
		return 0;
	}
	if (!granted(x, real))
		return problem(x, what, EACCES, path, real, via);
	if (what == SL_START_LOADER)
		return 0;
	return check_header(x, real, path, depth);
}

static int collect_grants(struct check *x, const struct sl_strv *paths)
{
	for (size_t i = 0; i < paths->n; i++) {
		struct stat st;

		/* A missing grant is the launch's own error, with its
		 * message: nothing to add. */
		if (stat(paths->v[i], &st) < 0)
			return 1;
		x->grants[x->ngrants++] =
			(struct grant){ st.st_dev, st.st_ino };
	}
	return 0;
}

/* A chroot or a copy-on-write layer changes what the sandbox sees: the
 * host's view proves nothing. */
static bool judgeable(const struct sl_policy *p)
{
	return p && !p->chroot && !p->nmounts && !p->workdir;
}

int sl_start_check_cwd(const struct sl_policy *p, struct sl_start_problem *out)
{
	struct check x = { .p = p, .out = out };
	struct stat st;

	/* chdir happens before the child is confined: only existence
	 * matters. */
	if (!judgeable(p) || !p->cwd)
		return 0;
	if (stat(p->cwd, &st) < 0)
		return problem(&x, SL_START_CWD, errno, p->cwd, NULL, NULL);
	if (!S_ISDIR(st.st_mode))
		return problem(&x, SL_START_CWD, ENOTDIR, p->cwd, NULL, NULL);
	return 0;
}

int sl_start_check(const struct sl_policy *p, const char *const *argv,
		   size_t argc, struct sl_start_problem *out)
{
	struct check x = { .p = p, .out = out };
	struct sl_command c;
	int r;

	if (!judgeable(p) || argc == 0)
		return 0;
	r = sl_start_check_cwd(p, out);
	if (r)
		return r;

	x.grants = calloc(p->fs_read.n + p->fs_write.n + 1, sizeof(*x.grants));
	if (!x.grants)
		return -ENOMEM;
	if (collect_grants(&x, &p->fs_read) ||
	    collect_grants(&x, &p->fs_write)) {
		free(x.grants);
		return 0;
	}
	r = sl_command_prepare(&c, p, argv, argc, NULL);
	if (r == 0) {
		r = check_candidates(&x, &c, SL_START_COMMAND, NULL, 0);
		if (r == 2)
			r = problem(&x, SL_START_NOT_FOUND, ENOENT, argv[0],
				    NULL, NULL);
	}
	sl_command_free(&c);
	free(x.grants);
	return r;
}
