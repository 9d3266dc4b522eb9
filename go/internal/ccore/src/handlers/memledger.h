/*
 * The anonymous-memory ledger of max_memory (docs/behaviour.md 4.1), as pure
 * arithmetic: the memory module feeds it decoded syscalls, unit tests feed
 * it numbers.
 */
#ifndef SL_HANDLERS_MEMLEDGER_H
#define SL_HANDLERS_MEMLEDGER_H

#include <stdbool.h>
#include <stdint.h>

struct sl_mem_ledger {
	uint64_t limit;
	uint64_t used; /* sum of every address space's charge */
	uint64_t peak;
};

/* One address space (thread group). */
struct sl_mem_space {
	uint64_t charge;
	uint64_t brk_base;
	bool has_brk;
};

enum sl_mem_op_kind {
	SL_MEM_MMAP,   /* a = len, b = flags */
	SL_MEM_MUNMAP, /* a = len */
	SL_MEM_BRK,    /* a = requested break */
	SL_MEM_MREMAP, /* a = old_len, b = new_len */
	SL_MEM_SHMGET, /* a = size */
	SL_MEM_EXEC,
};

struct sl_mem_op {
	enum sl_mem_op_kind kind;
	uint64_t a, b;
};

/* Raise the space's charge to floor bytes when it owes less. */
void sl_mem_floor(struct sl_mem_ledger *l, struct sl_mem_space *sp,
		  uint64_t floor);
/* Bytes the call would charge if accepted (0 for a call that only
 * credits or is not accounted). */
uint64_t sl_mem_request(const struct sl_mem_space *sp,
			const struct sl_mem_op *op);
/* Apply one call: 0 when accepted (and recorded), -ENOMEM when it would
 * take the sandbox over the limit (nothing recorded). */
int sl_mem_apply(struct sl_mem_ledger *l, struct sl_mem_space *sp,
		 const struct sl_mem_op *op);
/* Forget a space (exit): credit its whole charge. */
void sl_mem_release(struct sl_mem_ledger *l, struct sl_mem_space *sp);

#endif
