/* `sandlock run --dry-run`: the report of what the command changed. */
#ifndef SL_CLI_DRY_RUN_H
#define SL_CLI_DRY_RUN_H

#include <stdio.h>

#include "abi/tool.h"

/* docs/behaviour.md 9.5: "sandlock: dry-run: no filesystem changes", or
 * "sandlock: dry-run: filesystem changes:" and one "K  path" line each. */
void cli_print_changes(FILE *f, const struct sl_tool_change *v, size_t n);

#endif
