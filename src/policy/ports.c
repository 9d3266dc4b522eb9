/* Bind port specs (docs/behaviour.md 5.5): "22,8000-8010", or "*" alone on the
 * allow side. Repeated specs union into one sorted, de-duplicated set. */
#include "policy/policy.h"

#include <errno.h>
#include <string.h>

#include "util/text.h"

/* One bit per port: ranges of any size cost the same and the union comes
 * out sorted and unique by construction. */
struct port_bits {
	uint8_t b[65536 / 8];
};

static void bits_set(struct port_bits *pb, uint32_t p)
{
	pb->b[p >> 3] |= (uint8_t)(1u << (p & 7));
}

static bool bits_test(const struct port_bits *pb, uint32_t p)
{
	return pb->b[p >> 3] & (1u << (p & 7));
}

static int parse_port(const char *b, const char *end, const char *spec,
		      uint32_t *out, struct sl_error *e)
{
	uint64_t v;

	sl_text_trim_range(&b, &end);
	if (sl_text_parse_u64(b, end, &v) < 0 || v == 0 || v > 65535)
		return sl_err(e, EINVAL,
			      "invalid port spec '%s': '%.*s' is not a port "
			      "number (1-65535)",
			      spec, (int)(end - b), b);
	*out = (uint32_t)v;
	return 0;
}

static int add_item(const char *b, const char *end, const char *spec,
		    struct port_bits *ports, struct sl_error *e)
{
	const char *dash;
	uint32_t lo, hi;
	int r;

	for (dash = b; dash < end && *dash != '-'; dash++)
		;
	r = parse_port(b, dash, spec, &lo, e);
	if (r < 0)
		return r;
	hi = lo;
	if (dash < end) {
		r = parse_port(dash + 1, end, spec, &hi, e);
		if (r < 0)
			return r;
		if (lo > hi)
			return sl_err(e, EINVAL,
				      "invalid port spec '%s': reversed range "
				      "%u-%u",
				      spec, lo, hi);
	}
	for (uint32_t p = lo; p <= hi; p++)
		bits_set(ports, p);
	return 0;
}

int sl_ports_parse(const char *spec, bool allow_star, struct sl_port_set *out,
		   struct sl_error *e)
{
	struct port_bits ports;
	struct sl_u32v merged = { 0 };
	struct sl_text_items it;
	const char *b, *end, *tb, *te;
	int r = 0;

	if (!spec)
		return sl_err(e, EINVAL, "empty port spec");
	sl_text_trim(spec, &tb, &te);
	if (sl_text_eq(tb, te, "*")) {
		if (!allow_star)
			return sl_err(
				e, EINVAL,
				"invalid port spec '%s': the wildcard '*' "
				"is only accepted by net_allow_bind",
				spec);
		if (out->ports.n)
			return sl_err(e, EINVAL,
				      "invalid port spec '*': the wildcard '*' "
				      "cannot be combined with specific ports");
		out->all = true;
		return 0;
	}
	memset(&ports, 0, sizeof(ports));
	sl_text_items_init(&it, spec);
	while (r == 0 && sl_text_items_next(&it, &b, &end)) {
		tb = b;
		te = end;
		sl_text_trim_range(&tb, &te);
		if (tb == te)
			r = sl_err(e, EINVAL,
				   "invalid port spec '%s': empty item", spec);
		else if (sl_text_eq(tb, te, "*"))
			r = sl_err(e, EINVAL,
				   "invalid port spec '%s': the wildcard '*' "
				   "must stand alone",
				   spec);
		else
			r = add_item(tb, te, spec, &ports, e);
	}
	if (r == 0 && out->all)
		r = sl_err(e, EINVAL,
			   "invalid port spec '%s': specific ports cannot be "
			   "combined with the wildcard '*'",
			   spec);
	if (r < 0)
		return r;
	for (size_t i = 0; i < out->ports.n; i++)
		bits_set(&ports, out->ports.v[i]);
	for (uint32_t p = 1; p <= 65535; p++) {
		if (!bits_test(&ports, p))
			continue;
		r = sl_u32v_push(&merged, p);
		if (r < 0) {
			sl_u32v_free(&merged);
			return sl_err(e, -r, "out of memory");
		}
	}
	sl_u32v_free(&out->ports);
	out->ports = merged;
	return 0;
}

void sl_port_set_free(struct sl_port_set *ps)
{
	sl_u32v_free(&ps->ports);
	ps->all = false;
}
