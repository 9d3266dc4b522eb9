/* Net rule specs: no crash, no leak, and every accepted rule renders to a
 * spec that parses back to exactly the same rule. */
#include <stdio.h>

#include "fuzz_input.h"
#include "policy/policy.h"

static int same_rule(const struct sl_net_rule *a, const struct sl_net_rule *b)
{
	if (a->proto != b->proto || a->kind != b->kind ||
	    a->family != b->family || a->prefix != b->prefix ||
	    memcmp(a->addr, b->addr, sizeof(a->addr)) != 0 ||
	    a->all_ports != b->all_ports || a->nports != b->nports)
		return 0;
	if ((a->host == NULL) != (b->host == NULL) ||
	    (a->host && strcmp(a->host, b->host) != 0))
		return 0;
	return a->nports == 0 ||
	       memcmp(a->ports, b->ports, a->nports * sizeof(*a->ports)) == 0;
}

static void check_round_trip(const struct sl_net_rule *r)
{
	struct sl_net_rules again = { 0 };
	char *text = sl_net_rule_render(r);

	if (!text)
		abort();
	if (sl_net_rule_parse(text, true, &again, NULL) != 0 || again.n != 1 ||
	    !same_rule(r, &again.v[0])) {
		fprintf(stderr, "round trip failed for '%s'\n", text);
		abort();
	}
	free(text);
	sl_net_rules_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size);
	struct sl_net_rules allow = { 0 }, deny = { 0 };
	struct sl_error e = { 0 };
	int ra = sl_net_rule_parse(spec, true, &allow, &e);
	int rd;

	sl_error_clear(&e);
	rd = sl_net_rule_parse(spec, false, &deny, &e);
	sl_error_clear(&e);
	/* The deny side accepts a subset of what the allow side does. */
	if (rd == 0 && (ra != 0 || deny.n != allow.n))
		abort();
	if (ra == 0 && allow.n != 1 && allow.n != 2)
		abort();
	for (uint32_t i = 0; i < allow.n; i++)
		check_round_trip(&allow.v[i]);
	sl_net_rules_free(&allow);
	sl_net_rules_free(&deny);
	free(spec);
	return 0;
}
