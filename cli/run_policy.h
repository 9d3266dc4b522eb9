/*
 * From parsed `sandlock run` options to a built policy, through the public
 * builder functions of the C ABI.
 */
#ifndef SL_CLI_RUN_POLICY_H
#define SL_CLI_RUN_POLICY_H

#include "run_args.h"
#include "sandlock.h"

/* Apply every policy option in command-line order and build. On failure
 * prints "Error: <reason>" and returns CLI_EXIT_FAILURE; on success stores
 * the policy (free with sandlock_sandbox_free) and returns 0. */
int cli_build_policy(const struct cli_run_args *a, sandlock_sandbox_t **out);

#endif
