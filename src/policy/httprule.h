/* HTTP ACL rules (docs/behaviour.md 6.1): "METHOD host[/path]". */
#ifndef SL_POLICY_HTTPRULE_H
#define SL_POLICY_HTTPRULE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct sl_http_rule {
	char *method; /* uppercased; "*" = any */
	char *host;   /* lowercased; "*" = any */
	char *path;   /* normalized; "/" + "*" when absent */
	bool prefix;  /* path ended with '*': prefix match on path minus '*' */
};

int sl_http_rule_parse(const char *rule, struct sl_http_rule *out,
		       struct sl_error *e);
void sl_http_rule_free(struct sl_http_rule *r);

/* Percent-decode valid %XX escapes, drop empty and "." segments, let ".."
 * pop (never above the root); the result starts with '/'. Caller frees. */
char *sl_http_path_normalize(const char *path, size_t len);

#endif
