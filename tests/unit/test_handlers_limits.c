/* Arithmetic of the memory ledger, clone classification, pid tables. */
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>

#include "harness.h"
#include "handlers/memledger.h"
#include "handlers/pidtab.h"
#include "handlers/processes.h"

#define MiB (1024ull * 1024)

TEST(ledger_mmap_charges_anonymous_only)
{
	struct sl_mem_ledger l = { .limit = 64 * MiB };
	struct sl_mem_space sp = { 0 };
	struct sl_mem_op anon = { SL_MEM_MMAP, 10 * MiB,
				  MAP_PRIVATE | MAP_ANONYMOUS };
	struct sl_mem_op file = { SL_MEM_MMAP, 10 * MiB, MAP_PRIVATE };

	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &anon), 0);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &file), 0);
	CHECK_EQ_INT(l.used, 10 * MiB);
	CHECK_EQ_INT(sp.charge, 10 * MiB);
}

TEST(ledger_limit_is_inclusive_and_nothing_recorded_over_it)
{
	struct sl_mem_ledger l = { .limit = 64 * MiB };
	struct sl_mem_space sp = { 0 };
	struct sl_mem_op big = { SL_MEM_MMAP, 64 * MiB, MAP_ANONYMOUS };
	struct sl_mem_op one = { SL_MEM_MMAP, 1, MAP_ANONYMOUS };
	struct sl_mem_op huge = { SL_MEM_MMAP, UINT64_MAX, MAP_ANONYMOUS };

	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &big), 0);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &one), -ENOMEM);
	CHECK_EQ_INT(l.used, 64 * MiB);
	CHECK_EQ_INT(l.peak, 64 * MiB);
	l.used = sp.charge = 0;
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &huge), -ENOMEM);
	CHECK_EQ_INT(l.used, 0);
}

TEST(ledger_munmap_credit_is_capped)
{
	struct sl_mem_ledger l = { .limit = 64 * MiB };
	struct sl_mem_space a = { 0 }, b = { 0 };
	struct sl_mem_op m = { SL_MEM_MMAP, 8 * MiB, MAP_ANONYMOUS };
	struct sl_mem_op u = { SL_MEM_MUNMAP, 32 * MiB, 0 };

	CHECK_EQ_INT(sl_mem_apply(&l, &a, &m), 0);
	CHECK_EQ_INT(sl_mem_apply(&l, &b, &m), 0);
	CHECK_EQ_INT(sl_mem_apply(&l, &a, &u), 0);
	CHECK_EQ_INT(a.charge, 0);
	CHECK_EQ_INT(b.charge, 8 * MiB);
	CHECK_EQ_INT(l.used, 8 * MiB);
	CHECK_EQ_INT(l.peak, 16 * MiB);
}

TEST(ledger_brk_base_growth_and_shrink)
{
	struct sl_mem_ledger l = { .limit = 64 * MiB };
	struct sl_mem_space sp = { 0 };
	struct sl_mem_op q = { SL_MEM_BRK, 0, 0 };
	struct sl_mem_op first = { SL_MEM_BRK, 0x100000, 0 };
	struct sl_mem_op grow = { SL_MEM_BRK, 0x100000 + 4 * MiB, 0 };
	struct sl_mem_op shrink = { SL_MEM_BRK, 0x100000 + 1 * MiB, 0 };
	struct sl_mem_op over = { SL_MEM_BRK, 0x100000 + 100 * MiB, 0 };

	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &q), 0);
	CHECK(!sp.has_brk);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &first), 0);
	CHECK(sp.has_brk);
	CHECK_EQ_INT(l.used, 0);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &grow), 0);
	CHECK_EQ_INT(l.used, 4 * MiB);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &shrink), 0);
	CHECK_EQ_INT(l.used, 1 * MiB);
	CHECK_EQ_INT(sp.brk_base, 0x100000 + 1 * MiB);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &over), -ENOMEM);
	CHECK_EQ_INT(sp.brk_base, 0x100000 + 1 * MiB);
}

TEST(ledger_mremap_exec_floor_release)
{
	struct sl_mem_ledger l = { .limit = 64 * MiB };
	struct sl_mem_space sp = { 0 };
	struct sl_mem_op grow = { SL_MEM_MREMAP, 1 * MiB, 5 * MiB };
	struct sl_mem_op shrink = { SL_MEM_MREMAP, 5 * MiB, 2 * MiB };
	struct sl_mem_op shm = { SL_MEM_SHMGET, 3 * MiB, 0 };
	struct sl_mem_op exec = { SL_MEM_EXEC, 0, 0 };

	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &grow), 0);
	CHECK_EQ_INT(l.used, 4 * MiB);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &shrink), 0);
	CHECK_EQ_INT(l.used, 1 * MiB);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &shm), 0);
	CHECK_EQ_INT(l.used, 4 * MiB);
	sl_mem_floor(&l, &sp, 10 * MiB);
	CHECK_EQ_INT(sp.charge, 10 * MiB);
	CHECK_EQ_INT(l.used, 10 * MiB);
	sl_mem_floor(&l, &sp, 2 * MiB); /* a floor never lowers */
	CHECK_EQ_INT(l.used, 10 * MiB);
	CHECK_EQ_INT(sl_mem_apply(&l, &sp, &exec), 0);
	CHECK_EQ_INT(l.used, 0);
	CHECK(!sp.has_brk);
	CHECK_EQ_INT(l.peak, 10 * MiB);
}

TEST(ledger_request_is_what_apply_would_charge)
{
	struct sl_mem_space sp = { .has_brk = true, .brk_base = 0x100000 };
	struct sl_mem_space fresh = { 0 };
	struct sl_mem_op anon = { SL_MEM_MMAP, 3 * MiB, MAP_ANONYMOUS };
	struct sl_mem_op file = { SL_MEM_MMAP, 3 * MiB, MAP_PRIVATE };
	struct sl_mem_op grow = { SL_MEM_MREMAP, 1 * MiB, 5 * MiB };
	struct sl_mem_op shrink = { SL_MEM_MREMAP, 5 * MiB, 1 * MiB };
	struct sl_mem_op brk = { SL_MEM_BRK, 0x100000 + 2 * MiB, 0 };
	struct sl_mem_op unmap = { SL_MEM_MUNMAP, 8 * MiB, 0 };
	struct sl_mem_op shm = { SL_MEM_SHMGET, 6 * MiB, 0 };

	CHECK_EQ_INT(sl_mem_request(&sp, &anon), 3 * MiB);
	CHECK_EQ_INT(sl_mem_request(&sp, &file), 0);
	CHECK_EQ_INT(sl_mem_request(&sp, &grow), 4 * MiB);
	CHECK_EQ_INT(sl_mem_request(&sp, &shrink), 0);
	CHECK_EQ_INT(sl_mem_request(&sp, &brk), 2 * MiB);
	CHECK_EQ_INT(sl_mem_request(&fresh, &brk), 0); /* sets the base */
	CHECK_EQ_INT(sl_mem_request(&sp, &unmap), 0);
	CHECK_EQ_INT(sl_mem_request(&sp, &shm), 6 * MiB);
}

TEST(clone_classification)
{
	const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES |
				CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;

	CHECK_EQ_INT(sl_clone_classify(SIGCHLD, false, true), SL_CLONE_PROCESS);
	CHECK_EQ_INT(sl_clone_classify(thread, false, true), SL_CLONE_THREAD);
	CHECK_EQ_INT(sl_clone_classify(thread, true, true), SL_CLONE_FALLBACK);
	CHECK_EQ_INT(sl_clone_classify(SIGCHLD, true, true), SL_CLONE_FALLBACK);
	CHECK_EQ_INT(sl_clone_classify(CLONE_VM | CLONE_VFORK, false, true),
		     SL_CLONE_PROCESS);
	CHECK_EQ_INT(sl_clone_classify(0, true, false), SL_CLONE_FALLBACK);
	CHECK_EQ_INT(sl_clone_classify(CLONE_NEWUSER, true, false),
		     SL_CLONE_FALLBACK);
	CHECK_EQ_INT(sl_clone_classify(CLONE_NEWUSER, false, true),
		     SL_CLONE_DENY);
	CHECK_EQ_INT(sl_clone_classify(CLONE_NEWUSER, true, true),
		     SL_CLONE_DENY);
	CHECK_EQ_INT(sl_clone_classify(CLONE_NEWNET | thread, true, true),
		     SL_CLONE_DENY);
	CHECK_EQ_INT(sl_clone_classify(0x80 /* CLONE_NEWTIME */, true, true),
		     SL_CLONE_DENY);
	/* in clone() the same bit belongs to the exit signal */
	CHECK_EQ_INT(sl_clone_classify(0x80, false, true), SL_CLONE_PROCESS);
	CHECK_EQ_INT(sl_clone_classify(CLONE_PARENT | SIGCHLD, false, true),
		     SL_CLONE_DENY);
}

struct rec {
	pid_t pid;
	int v;
};

TEST(pidtab_sorted_insert_find_remove)
{
	struct sl_pidtab t = SL_PIDTAB_INIT(struct rec);
	const pid_t pids[] = { 50, 3, 900, 17, 3, 1000, 2 };
	struct rec *r;

	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		r = sl_pidtab_insert(&t, pids[i]);
		CHECK(r != NULL);
		r->v += 1;
	}
	CHECK_EQ_INT(t.n, 6);
	r = sl_pidtab_find(&t, 3);
	CHECK(r && r->v == 2);
	for (size_t i = 1; i < t.n; i++)
		CHECK(((struct rec *)sl_pidtab_at(&t, i - 1))->pid <
		      ((struct rec *)sl_pidtab_at(&t, i))->pid);
	sl_pidtab_remove(&t, 17);
	sl_pidtab_remove(&t, 12345);
	CHECK(sl_pidtab_find(&t, 17) == NULL);
	CHECK(sl_pidtab_find(&t, 900) != NULL);
	CHECK_EQ_INT(t.n, 5);
	for (int i = 0; i < 1000; i++)
		CHECK(sl_pidtab_insert(&t, 5000 + i * 7 % 1000) != NULL);
	CHECK(sl_pidtab_find(&t, 5000 + 999 * 7 % 1000) != NULL);
	sl_pidtab_free(&t);
}
