#include "handlers/memledger.h"

#include <errno.h>
#include <sys/mman.h>

static void charge(struct sl_mem_ledger *l, struct sl_mem_space *sp,
		   uint64_t bytes)
{
	sp->charge += bytes;
	l->used += bytes;
	if (l->used > l->peak)
		l->peak = l->used;
}

/* Credit at most what the space owes. */
static void credit(struct sl_mem_ledger *l, struct sl_mem_space *sp,
		   uint64_t bytes)
{
	if (bytes > sp->charge)
		bytes = sp->charge;
	sp->charge -= bytes;
	l->used = l->used >= bytes ? l->used - bytes : 0;
}

void sl_mem_floor(struct sl_mem_ledger *l, struct sl_mem_space *sp,
		  uint64_t floor)
{
	if (floor > sp->charge)
		charge(l, sp, floor - sp->charge);
}

void sl_mem_release(struct sl_mem_ledger *l, struct sl_mem_space *sp)
{
	credit(l, sp, sp->charge);
	sp->has_brk = false;
	sp->brk_base = 0;
}

/* Would charging `bytes` more exceed the limit? (overflow-safe) */
static bool exceeds(const struct sl_mem_ledger *l, uint64_t bytes)
{
	return bytes > l->limit || l->used > l->limit - bytes;
}

uint64_t sl_mem_request(const struct sl_mem_space *sp,
			const struct sl_mem_op *op)
{
	switch (op->kind) {
	case SL_MEM_MMAP:
		return op->b & MAP_ANONYMOUS ? op->a : 0;
	case SL_MEM_SHMGET:
		return op->a;
	case SL_MEM_MREMAP:
		return op->b > op->a ? op->b - op->a : 0;
	case SL_MEM_BRK:
		/* Growth above a known base. */
		return sp->has_brk && op->a > sp->brk_base ?
			       op->a - sp->brk_base :
			       0;
	case SL_MEM_MUNMAP:
	case SL_MEM_EXEC:
		break;
	}
	return 0;
}

int sl_mem_apply(struct sl_mem_ledger *l, struct sl_mem_space *sp,
		 const struct sl_mem_op *op)
{
	uint64_t want;

	switch (op->kind) {
	case SL_MEM_MUNMAP:
		credit(l, sp, op->a);
		return 0;
	case SL_MEM_EXEC:
		sl_mem_release(l, sp);
		return 0;
	case SL_MEM_MMAP:
		if (!(op->b & MAP_ANONYMOUS))
			return 0;
		break;
	case SL_MEM_SHMGET:
		break;
	case SL_MEM_MREMAP:
		if (op->b < op->a) {
			credit(l, sp, op->a - op->b);
			return 0;
		}
		break;
	case SL_MEM_BRK:
		if (op->a == 0)
			return 0; /* a query */
		if (!sp->has_brk) {
			/* The first break seen is the base. */
			sp->has_brk = true;
			sp->brk_base = op->a;
			return 0;
		}
		if (op->a < sp->brk_base) {
			credit(l, sp, sp->brk_base - op->a);
			sp->brk_base = op->a;
			return 0;
		}
		break;
	}
	want = sl_mem_request(sp, op);
	if (exceeds(l, want))
		return -ENOMEM;
	if (op->kind == SL_MEM_BRK)
		sp->brk_base = op->a;
	charge(l, sp, want);
	return 0;
}
