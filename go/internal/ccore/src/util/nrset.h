/* A set of syscall numbers (the notification set, chain lookups). */
#ifndef SL_UTIL_NRSET_H
#define SL_UTIL_NRSET_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SL_MAX_NR 1024

struct sl_nrset {
	uint64_t bits[SL_MAX_NR / 64];
	/* Syscalls needed only under the argument condition that
	 * src/seccomp/notify.c attaches to each of them (socket() of
	 * AF_NETLINK, a sendto with a destination, a pid argument naming
	 * another process; none: always), and only where the policy does
	 * not deny them outright. A syscall also in bits (another module,
	 * a custom handler) is notified without condition: each module sees
	 * at least the calls it asked for, and must let the others
	 * continue. */
	uint64_t narrow[SL_MAX_NR / 64];
	/* Notified whatever their first argument: a syscall in bits but not
	 * here is an *at call notified only when its dirfd is AT_FDCWD. */
	uint64_t any_dirfd[SL_MAX_NR / 64];
};

static inline void sl_nrset_add(struct sl_nrset *s, long nr)
{
	if (nr >= 0 && nr < SL_MAX_NR) {
		s->bits[nr / 64] |= UINT64_C(1) << (nr % 64);
		s->any_dirfd[nr / 64] |= UINT64_C(1) << (nr % 64);
	}
}

/* Notify nr, an *at call whose first argument is a dirfd, only when that
 * is AT_FDCWD (a path from the cwd, or absolute): a path relative to a
 * directory fd is then left to the kernel. Another module adding nr
 * with sl_nrset_add() has it notified always. */
static inline void sl_nrset_add_at_cwd(struct sl_nrset *s, long nr)
{
	if (nr >= 0 && nr < SL_MAX_NR)
		s->bits[nr / 64] |= UINT64_C(1) << (nr % 64);
}

static inline void sl_nrset_add_narrow(struct sl_nrset *s, long nr)
{
	if (nr >= 0 && nr < SL_MAX_NR)
		s->narrow[nr / 64] |= UINT64_C(1) << (nr % 64);
}

/* Add a syscall named in the source, resolved at compile time: SCMP_SYS()
 * is __NR_<name>, or a negative pseudo number (skipped) on architectures
 * that lack it. No name lookup at run time. */
#define sl_nrset_add_sys(s, name) sl_nrset_add((s), SCMP_SYS(name))
#define sl_nrset_add_narrow_sys(s, name) \
	sl_nrset_add_narrow((s), SCMP_SYS(name))

/* Is nr notified at all (with or without condition)? */
static inline bool sl_nrset_has(const struct sl_nrset *s, long nr)
{
	return nr >= 0 && nr < SL_MAX_NR &&
	       ((s->bits[nr / 64] | s->narrow[nr / 64]) >> (nr % 64)) & 1;
}

/* Is nr notified only under its narrow condition? */
static inline bool sl_nrset_narrow_only(const struct sl_nrset *s, long nr)
{
	return nr >= 0 && nr < SL_MAX_NR &&
	       ((s->narrow[nr / 64] & ~s->bits[nr / 64]) >> (nr % 64)) & 1;
}

/* Did some module ask for nr under its narrow condition (whatever the
 * others asked)? */
static inline bool sl_nrset_asked_narrow(const struct sl_nrset *s, long nr)
{
	return nr >= 0 && nr < SL_MAX_NR &&
	       (s->narrow[nr / 64] >> (nr % 64)) & 1;
}

static inline bool sl_nrset_at_cwd_only(const struct sl_nrset *s, long nr)
{
	return nr >= 0 && nr < SL_MAX_NR &&
	       ((s->bits[nr / 64] & ~s->any_dirfd[nr / 64]) >> (nr % 64)) & 1;
}

static inline bool sl_nrset_empty(const struct sl_nrset *s)
{
	for (unsigned i = 0; i < SL_MAX_NR / 64; i++)
		if (s->bits[i] | s->narrow[i])
			return false;
	return true;
}

#endif
