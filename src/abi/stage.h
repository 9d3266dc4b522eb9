/*
 * Commands of a multi-sandbox run (pipeline stages, gather sources and
 * consumer): each holds a reference to its built policy and a private copy
 * of argv, so the caller may free both after adding it.
 */
#ifndef SL_ABI_STAGE_H
#define SL_ABI_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "abi/objects.h"

struct sl_abi_stage {
	char *name;	       /* gather sources only, else NULL */
	struct sl_sandbox *sb; /* referenced */
	char **argv;	       /* argc entries + NULL */
	size_t argc;
};

struct sl_abi_stages {
	struct sl_abi_stage *v;
	size_t n;
	bool oom; /* a stage was lost to allocation failure: runs must fail */
};

/* Fill st from the caller's arguments (name may be NULL). -EINVAL when a
 * required argument or an argv element is NULL or argc is 0; -ENOMEM. */
int sl_abi_stage_init(struct sl_abi_stage *st, const char *name,
		      const sandlock_sandbox_t *policy, const char *const *argv,
		      unsigned int argc);
void sl_abi_stage_clear(struct sl_abi_stage *st);

/* Append a stage; invalid arguments are ignored (docs/abi.md 3.18, 3.19),
 * allocation failure sets l->oom. */
void sl_abi_stages_add(struct sl_abi_stages *l, const char *name,
		       const sandlock_sandbox_t *policy,
		       const char *const *argv, unsigned int argc);
void sl_abi_stages_clear(struct sl_abi_stages *l);

#endif
