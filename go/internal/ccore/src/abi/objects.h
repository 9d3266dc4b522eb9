/*
 * What the opaque ABI handles are made of, and the checked conversions
 * between them and the internal objects.
 *
 * sandlock_builder_t wraps a mutable struct sl_policy. sandlock_sandbox_t
 * and sandlock_t are both a struct sl_sandbox (refcounted, allocated by
 * sl_sandbox_new) told apart by its tag: the reference lets callers free
 * either kind with either free function, so one object with a tag is what
 * keeps that safe.
 */
#ifndef SL_ABI_OBJECTS_H
#define SL_ABI_OBJECTS_H

#include <stdbool.h>

#include "abi/export.h"
#include "launch/sandbox.h"
#include "policy/policy.h"

struct sandlock_builder_t {
	struct sl_policy *policy;
	/* A setter could not allocate: build reports "out of memory" rather
	 * than running with a silently incomplete policy. */
	bool oom;
};

/* The built policy behind a sandlock_sandbox_t; NULL for NULL or for a
 * pointer that is not a built policy (e.g. a sandlock_t). */
static inline struct sl_sandbox *sl_from_abi(const sandlock_sandbox_t *p)
{
	struct sl_sandbox *sb = (struct sl_sandbox *)p;

	if (!sb || sb->tag != SL_TAG_SANDBOX)
		return NULL;
	return sb;
}

static inline sandlock_sandbox_t *sl_to_abi(struct sl_sandbox *sb)
{
	return (sandlock_sandbox_t *)sb;
}

/* Either kind of policy object (sandlock_sandbox_t or sandlock_t), for
 * the two free functions that must accept both. */
static inline struct sl_sandbox *sl_any_from_abi(const void *p)
{
	struct sl_sandbox *sb = (struct sl_sandbox *)p;

	if (!sb || (sb->tag != SL_TAG_SANDBOX && sb->tag != SL_TAG_FNS))
		return NULL;
	return sb;
}

#endif
