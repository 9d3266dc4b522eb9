/*
 * The policy unit tests (internal model): network rules rendered back to
 * text, and a build that keeps the error.
 */
#ifndef SL_TESTLIB_RULES_H
#define SL_TESTLIB_RULES_H

#include <stdint.h>

#include "policy/policy.h"
#include "util/error.h"

/* Canonical renderings of rules [from, rs->n) joined by spaces; malloc'd. */
char *render_rules(const struct sl_net_rules *rs, uint32_t from);

/* Build p and keep the error; returns the build result. */
int build_policy(struct sl_policy *p, struct sl_error *e);

#endif
