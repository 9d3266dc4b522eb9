#include "lib/rules.h"

#include <stdlib.h>
#include <string.h>

char *render_rules(const struct sl_net_rules *rs, uint32_t from)
{
	size_t len = 1;
	char *out = malloc(1);

	if (!out)
		return NULL;
	out[0] = '\0';
	for (uint32_t i = from; i < rs->n; i++) {
		char *one = sl_net_rule_render(&rs->v[i]);
		char *grown;

		if (!one) {
			free(out);
			return NULL;
		}
		len += strlen(one) + 1;
		grown = realloc(out, len);
		if (!grown) {
			free(one);
			free(out);
			return NULL;
		}
		out = grown;
		if (i > from)
			strcat(out, " ");
		strcat(out, one);
		free(one);
	}
	return out;
}

int build_policy(struct sl_policy *p, struct sl_error *e)
{
	sl_error_clear(e);
	return sl_policy_build(p, e);
}
