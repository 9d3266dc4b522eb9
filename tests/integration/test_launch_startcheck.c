/*
 * The pre-exec diagnosis (src/launch/startcheck.c) against real files:
 * which file keeps a command from starting under a set of grants, and
 * which directory to grant. Nothing is run in a sandbox here; the CLI
 * tests check that the run agrees.
 */
#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "launch/startcheck.h"
#include "lib/files.h"
#include "lib/scratch.h"
#include "policy/policy.h"

static struct sl_policy *policy_with(const char *const *reads)
{
	struct sl_policy *p = sl_policy_new();

	for (size_t i = 0; p && reads && reads[i]; i++)
		if (sl_strv_push(&p->fs_read, reads[i]) < 0)
			abort();
	return p;
}

/* Run the check of argv[0] alone; returns its result. */
static int check1(const struct sl_policy *p, const char *cmd,
		  struct sl_start_problem *pb)
{
	const char *argv[] = { cmd };

	memset(pb, 0, sizeof(*pb));
	return sl_start_check(p, argv, 1, pb);
}

/* The PT_INTERP of an ELF file, "" if none (read with libc, not with the
 * code under test). */
static void elf_interp(const char *path, char *out, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;

	out[0] = '\0';
	if (fd < 0)
		return;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh)) {
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;

			if (pread(fd, &ph, sizeof(ph),
				  (off_t)(eh.e_phoff + i * sizeof(ph))) !=
			    sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP && ph.p_filesz < size) {
				if (pread(fd, out, ph.p_filesz,
					  (off_t)ph.p_offset) < 0)
					out[0] = '\0';
				break;
			}
		}
	}
	close(fd);
}

static bool write_exec(const char *path, const char *content)
{
	return write_file(path, content) && chmod(path, 0755) == 0;
}

TEST(program_outside_every_grant_is_named_with_its_directory)
{
	static const char *const reads[] = { "/etc", NULL };
	struct sl_policy *p = policy_with(reads);
	struct sl_start_problem pb;
	char real[PATH_MAX];

	CHECK(realpath("/bin/sh", real));
	CHECK_EQ_INT(check1(p, "/bin/sh", &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_COMMAND);
	CHECK_EQ_INT(pb.err, EACCES);
	CHECK_STR(pb.path, "/bin/sh");
	CHECK_STR(pb.grant, dirname(real));
	sl_policy_free(p);
}

TEST(loader_outside_the_grants_is_named)
{
	char *dir = scratch_make();
	char *prog = dir ? path_join(dir, "true") : NULL;
	const char *reads[] = { dir, NULL };
	struct sl_policy *p = NULL;
	struct sl_start_problem pb;
	char interp[PATH_MAX], real[PATH_MAX];

	CHECK(prog);
	elf_interp("/bin/true", interp, sizeof(interp));
	if (!interp[0] || !realpath(interp, real))
		SKIP("/bin/true has no dynamic loader here");
	/* A dynamically linked program whose directory is granted, its
	 * loader's is not. */
	CHECK(copy_file("/bin/true", prog, 0755));
	p = policy_with(reads);
	CHECK_EQ_INT(check1(p, prog, &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_LOADER);
	CHECK_EQ_INT(pb.err, EACCES);
	CHECK_STR(pb.path, interp);
	CHECK_STR(pb.via, prog);
	CHECK_STR(pb.real, strcmp(real, interp) ? real : "");
	CHECK_STR(pb.grant, dirname(real));
	sl_policy_free(p);

	/* Granting that directory is all the check asked for. */
	{
		const char *both[] = { dir, pb.grant, NULL };

		p = policy_with(both);
		CHECK_EQ_INT(check1(p, prog, &pb), 0);
		sl_policy_free(p);
	}
	free(prog);
	scratch_remove(dir);
}

/* A hand-made ELF header whose PT_INTERP names a file that is not there:
 * the kernel's execve would fail with ENOENT. */
TEST(missing_loader_is_reported)
{
	char *dir = scratch_make();
	char *prog = dir ? path_join(dir, "foreign") : NULL;
	const char *reads[] = { "/", NULL };
	static const char interp[] = "/nonexistent-sandlock/ld.so";
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		char interp[sizeof(interp)];
	} img;
	struct sl_policy *p = policy_with(reads);
	struct sl_start_problem pb;
	int fd;

	CHECK(prog);
	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_DYN;
#if defined(__x86_64__)
	img.eh.e_machine = EM_X86_64;
#elif defined(__aarch64__)
	img.eh.e_machine = EM_AARCH64;
#endif
	img.eh.e_phoff = offsetof(__typeof__(img), ph);
	img.eh.e_phentsize = sizeof(Elf64_Phdr);
	img.eh.e_phnum = 1;
	img.ph.p_type = PT_INTERP;
	img.ph.p_offset = offsetof(__typeof__(img), interp);
	img.ph.p_filesz = sizeof(interp);
	memcpy(img.interp, interp, sizeof(interp));
	fd = open(prog, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	CHECK(fd >= 0);
	CHECK(write(fd, &img, sizeof(img)) == (ssize_t)sizeof(img));
	close(fd);

	CHECK_EQ_INT(check1(p, prog, &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_LOADER);
	CHECK_EQ_INT(pb.err, ENOENT);
	CHECK_STR(pb.path, interp);
	sl_policy_free(p);
	free(prog);
	scratch_remove(dir);
}

TEST(script_interpreters_are_followed)
{
	char *dir = scratch_make();
	char *direct = dir ? path_join(dir, "direct") : NULL;
	char *missing = dir ? path_join(dir, "missing") : NULL;
	char *viaenv = dir ? path_join(dir, "viaenv") : NULL;
	char *noenv = dir ? path_join(dir, "noenv") : NULL;
	const char *reads[] = { dir, NULL };
	struct sl_policy *p = NULL;
	struct sl_start_problem pb;
	char real[PATH_MAX];

	CHECK(direct && missing && viaenv && noenv);
	CHECK(realpath("/bin/sh", real));
	CHECK(write_exec(direct, "#! /bin/sh -e\nexit 0\n"));
	CHECK(write_exec(missing, "#!/nonexistent-sandlock/interp\n"));
	CHECK(write_exec(viaenv, "#!/usr/bin/env sh\nexit 0\n"));
	CHECK(write_exec(noenv, "#!/usr/bin/env no-such-interp-sandlock\n"));

	p = policy_with(reads);
	CHECK_EQ_INT(check1(p, direct, &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_SCRIPT);
	CHECK_EQ_INT(pb.err, EACCES);
	CHECK_STR(pb.path, "/bin/sh");
	CHECK_STR(pb.via, direct);
	CHECK_STR(pb.grant, dirname(real));
	CHECK_EQ_INT(check1(p, missing, &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_SCRIPT);
	CHECK_EQ_INT(pb.err, ENOENT);
	CHECK_STR(pb.path, "/nonexistent-sandlock/interp");
	sl_policy_free(p);

	/* With the whole system readable, only a missing program is left. */
	reads[0] = "/";
	p = policy_with(reads);
	CHECK_EQ_INT(check1(p, direct, &pb), 0);
	CHECK_EQ_INT(check1(p, viaenv, &pb), 0);
	CHECK_EQ_INT(check1(p, noenv, &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_SCRIPT);
	CHECK_EQ_INT(pb.err, ENOENT);
	CHECK_STR(pb.path, "no-such-interp-sandlock");
	CHECK_STR(pb.via, noenv);
	sl_policy_free(p);
	free(direct);
	free(missing);
	free(viaenv);
	free(noenv);
	scratch_remove(dir);
}

/* Grants are compared by inode, as Landlock does: a grant named through
 * a symlink covers the tree it points to. */
TEST(grant_through_a_symlink_covers_its_target)
{
	char *dir = scratch_make();
	char *realdir = dir ? path_join(dir, "real") : NULL;
	char *link = dir ? path_join(dir, "link") : NULL;
	char *prog = realdir ? path_join(realdir, "prog") : NULL;
	const char *reads[] = { link, NULL };
	struct sl_policy *p;
	struct sl_start_problem pb;

	CHECK(prog && link);
	CHECK_EQ_INT(mkdir(realdir, 0755), 0);
	CHECK_EQ_INT(symlink("real", link), 0);
	CHECK(write_exec(prog, "no header that names anything\n"));
	p = policy_with(reads);
	CHECK_EQ_INT(check1(p, prog, &pb), 0);
	sl_policy_free(p);
	free(prog);
	free(realdir);
	free(link);
	scratch_remove(dir);
}

TEST(path_search_and_working_directory)
{
	static const char *const reads[] = { "/", NULL };
	struct sl_policy *p = policy_with(reads);
	struct sl_start_problem pb;
	char *dir = scratch_make();
	char *prog = dir ? path_join(dir, "local-prog") : NULL;

	CHECK(prog);
	CHECK_EQ_INT(check1(p, "sh", &pb), 0);
	CHECK_EQ_INT(check1(p, "no-such-command-sandlock", &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_NOT_FOUND);
	CHECK_STR(pb.path, "no-such-command-sandlock");
	CHECK_EQ_INT(check1(p, "/nonexistent-sandlock/prog", &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_NOT_FOUND);

	/* A relative command is found from the sandbox's working
	 * directory. */
	CHECK(write_exec(prog, "plain\n"));
	p->cwd = strdup(dir);
	CHECK_EQ_INT(check1(p, "./local-prog", &pb), 0);
	free(p->cwd);

	p->cwd = strdup("/nonexistent-sandlock-cwd");
	CHECK_EQ_INT(check1(p, "sh", &pb), 1);
	CHECK_EQ_INT(pb.what, SL_START_CWD);
	CHECK_EQ_INT(pb.err, ENOENT);
	CHECK_EQ_INT(sl_start_check_cwd(p, &pb), 1);
	free(p->cwd);
	p->cwd = strdup(prog);
	CHECK_EQ_INT(sl_start_check_cwd(p, &pb), 1);
	CHECK_EQ_INT(pb.err, ENOTDIR);

	/* A copy-on-write or chroot view is not judged from the host. */
	free(p->cwd);
	p->cwd = NULL;
	p->workdir = strdup(dir);
	CHECK_EQ_INT(check1(p, "no-such-command-sandlock", &pb), 0);
	sl_policy_free(p);
	free(prog);
	scratch_remove(dir);
}
