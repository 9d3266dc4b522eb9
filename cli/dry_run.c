#include "dry_run.h"

void cli_print_changes(FILE *f, const struct sl_tool_change *v, size_t n)
{
	if (n == 0) {
		fputs("sandlock: dry-run: no filesystem changes\n", f);
		return;
	}
	fputs("sandlock: dry-run: filesystem changes:\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%c  %s\n", v[i].kind, v[i].path);
}
