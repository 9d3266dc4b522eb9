#include "dry_run.h"

void cli_print_changes(FILE *f, const struct sl_cow_changes *c)
{
	if (c->n == 0) {
		fputs("sandlock: dry-run: no filesystem changes\n", f);
		return;
	}
	fputs("sandlock: dry-run: filesystem changes:\n", f);
	for (size_t i = 0; i < c->n; i++)
		fprintf(f, "%c  %s\n", c->v[i].kind, c->v[i].path);
}
