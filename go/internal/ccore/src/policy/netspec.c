/*
 * Network rule specs (docs/behaviour.md 5.1):
 *
 *   spec   := [scheme "://"] body          scheme: tcp | udp | icmp
 *   body   := "[" ipv6-or-cidr "]" ":" ports
 *           | ip | cidr                    (all ports)
 *           | target [":" ports]           (split at the last ':')
 *   target := "" | "*" | ip | cidr | hostname
 *   ports  := "*" | port ("," port)*
 *
 * No scheme means the same rule for TCP and for UDP.
 */
#include "policy/policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/text.h"
#include "util/cleanup.h"

#define bad(e, spec, fmt, ...)                                     \
	sl_err(e, EINVAL, "invalid network rule '%s': " fmt, spec, \
	       ##__VA_ARGS__)

#define HOSTNAME_MAX 253
#define LABEL_MAX 63

/* A parsed target and port list before they become rules. */
struct parsed {
	uint8_t kind, family, prefix;
	uint8_t addr[16];
	const char *host, *host_end;
	bool all_ports;
	struct sl_u32v ports;
};

static bool has_char(const char *b, const char *end, char c)
{
	return memchr(b, c, (size_t)(end - b)) != NULL;
}

static void clear_host_bits(uint8_t *addr, unsigned bytes, unsigned prefix)
{
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = prefix > i * 8 ? prefix - i * 8 : 0;

		if (keep < 8)
			addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/*
 * IP literal or CIDR in [b, end). Returns 1 when parsed into p, 0 when the
 * text is not an address at all, -EINVAL when it contains '/' and so had to
 * be a CIDR but is not a valid one (*why says what is wrong).
 */
static int parse_ip_or_cidr(const char *b, const char *end, struct parsed *p,
			    const char **why)
{
	/* Longest valid form: a full IPv6 address with an IPv4 tail plus
	 * "/128"; anything longer cannot be an address. */
	char buf[64];
	size_t len = (size_t)(end - b);
	const char *slash = memchr(b, '/', len);
	size_t alen = slash ? (size_t)(slash - b) : len;
	uint64_t prefix = 0;
	unsigned max;

	*why = "not a valid CIDR";
	if (alen >= sizeof(buf))
		return slash ? -EINVAL : 0;
	memcpy(buf, b, alen);
	buf[alen] = '\0';
	memset(p->addr, 0, sizeof(p->addr));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return slash ? -EINVAL : 0;
	}
	prefix = max;
	if (slash) {
		if (sl_text_parse_u64(slash + 1, end, &prefix) < 0 ||
		    end - (slash + 1) > 3)
			return -EINVAL;
		if (prefix > max) {
			*why = p->family == AF_INET ?
				       "prefix length larger than 32" :
				       "prefix length larger than 128";
			return -EINVAL;
		}
	}
	p->kind = SL_TARGET_CIDR;
	p->prefix = (uint8_t)prefix;
	clear_host_bits(p->addr, max / 8, (unsigned)prefix);
	return 1;
}

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* RFC 1123 host names; a final all-digit label is refused so that a
 * mistyped IPv4 address ("1.2.3", "300.1.1.1") is not taken for a name. */
static bool hostname_valid(const char *b, const char *end)
{
	const char *label = b;
	bool all_digits = true;

	if (b == end || end - b > HOSTNAME_MAX)
		return false;
	for (const char *c = b; c <= end; c++) {
		if (c == end || *c == '.') {
			size_t n = (size_t)(c - label);

			if (n == 0 || n > LABEL_MAX || label[0] == '-' ||
			    c[-1] == '-')
				return false;
			if (c == end)
				break;
			label = c + 1;
			all_digits = true;
			continue;
		}
		if (!label_char(*c))
			return false;
		if (*c < '0' || *c > '9')
			all_digits = false;
	}
	return !all_digits;
}

static int parse_target(const char *b, const char *end, bool allow_hosts,
			const char *spec, struct parsed *p, struct sl_error *e)
{
	const char *why;
	int r;

	if (b == end || sl_text_eq(b, end, "*")) {
		p->kind = SL_TARGET_ANY;
		return 0;
	}
	r = parse_ip_or_cidr(b, end, p, &why);
	if (r > 0)
		return 0;
	if (r < 0)
		return bad(e, spec, "'%.*s' is %s", (int)(end - b), b, why);
	if (has_char(b, end, '*'))
		return bad(e, spec, "wildcard host names are not supported");
	if (!hostname_valid(b, end))
		return bad(e, spec,
			   "'%.*s' is not a valid IP address, CIDR or "
			   "host name",
			   (int)(end - b), b);
	if (!allow_hosts)
		return bad(
			e, spec,
			"--net-deny does not accept host names "
			"('%.*s'); use an IP address or CIDR, or --http-deny "
			"for host-based rules",
			(int)(end - b), b);
	p->kind = SL_TARGET_HOST;
	p->host = b;
	p->host_end = end;
	return 0;
}

static int parse_ports(const char *b, const char *end, const char *spec,
		       struct parsed *p, struct sl_error *e)
{
	struct sl_text_items it;
	const char *ib, *ie;
	_cleanup_(freep) char *copy = strndup(b, (size_t)(end - b));
	int r;

	if (!copy)
		return sl_err(e, ENOMEM, "out of memory");
	ib = b;
	ie = end;
	sl_text_trim_range(&ib, &ie);
	if (ib == ie)
		return bad(e, spec, "empty port list (use '*' for all ports)");
	if (sl_text_eq(ib, ie, "*")) {
		p->all_ports = true;
		return 0;
	}
	sl_text_items_init(&it, copy);
	while (sl_text_items_next(&it, &ib, &ie)) {
		uint64_t v;

		sl_text_trim_range(&ib, &ie);
		if (ib == ie)
			return bad(e, spec, "empty port in list");
		if (sl_text_eq(ib, ie, "*"))
			return bad(e, spec,
				   "'*' cannot be mixed with port "
				   "numbers");
		if (sl_text_parse_u64(ib, ie, &v) < 0 || v == 0 || v > 65535)
			return bad(e, spec,
				   "'%.*s' is not a port number "
				   "(1-65535)",
				   (int)(ie - ib), ib);
		r = sl_u32v_push(&p->ports, (uint32_t)v);
		if (r < 0)
			return sl_err(e, -r, "out of memory");
	}
	sl_u32v_sort_unique(&p->ports);
	p->all_ports = false;
	return 0;
}

static int parse_icmp_body(const char *b, const char *end, bool allow_hosts,
			   const char *spec, struct parsed *p,
			   struct sl_error *e)
{
	const char *why;
	int r = parse_ip_or_cidr(b, end, p, &why);

	p->all_ports = true;
	if (r > 0)
		return 0;
	if (r < 0)
		return bad(e, spec, "'%.*s' is %s", (int)(end - b), b, why);
	if (has_char(b, end, ':'))
		return bad(e, spec, "icmp rule takes no port");
	return parse_target(b, end, allow_hosts, spec, p, e);
}

static int parse_bracketed(const char *b, const char *end, const char *spec,
			   struct parsed *p, struct sl_error *e)
{
	const char *close = memchr(b, ']', (size_t)(end - b));
	const char *why;

	if (!close)
		return bad(e, spec, "missing ']'");
	if (parse_ip_or_cidr(b + 1, close, p, &why) <= 0 ||
	    p->family != AF_INET6)
		return bad(e, spec, "'%.*s' is not an IPv6 address or CIDR",
			   (int)(close - b - 1), b + 1);
	if (close + 1 == end)
		return bad(e, spec,
			   "a bracketed address needs ':ports' "
			   "(write '%.*s' without brackets for all ports)",
			   (int)(close - b - 1), b + 1);
	if (close[1] != ':')
		return bad(e, spec, "expected ':' after ']'");
	return parse_ports(close + 2, end, spec, p, e);
}

static int parse_body(const char *b, const char *end, bool allow_hosts,
		      const char *spec, struct parsed *p, struct sl_error *e)
{
	const char *why, *colon = NULL, *slash;
	int r;

	if (*b == '[')
		return parse_bracketed(b, end, spec, p, e);
	p->all_ports = true;
	r = parse_ip_or_cidr(b, end, p, &why);
	if (r > 0)
		return 0;
	/* With no ':' after the '/', no port can follow: the whole body
	 * was meant as a CIDR ("::/129"). */
	slash = memchr(b, '/', (size_t)(end - b));
	if (r < 0 && !has_char(slash, end, ':'))
		return bad(e, spec, "'%.*s' is %s", (int)(end - b), b, why);
	for (const char *c = b; c < end; c++)
		if (*c == ':')
			colon = c;
	if (!colon)
		return parse_target(b, end, allow_hosts, spec, p, e);
	if (has_char(b, colon, ':'))
		return bad(e, spec,
			   "an IPv6 address followed by ports must be "
			   "bracketed, e.g. [::1]:443");
	r = parse_target(b, colon, allow_hosts, spec, p, e);
	if (r < 0)
		return r;
	return parse_ports(colon + 1, end, spec, p, e);
}

static int rule_from(const struct parsed *p, uint8_t proto,
		     struct sl_net_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->proto = proto;
	r->kind = p->kind;
	if (p->kind == SL_TARGET_CIDR) {
		r->family = p->family;
		r->prefix = p->prefix;
		memcpy(r->addr, p->addr, sizeof(r->addr));
	}
	if (p->kind == SL_TARGET_HOST) {
		r->host = strndup(p->host, (size_t)(p->host_end - p->host));
		if (!r->host)
			return -ENOMEM;
	}
	r->all_ports = proto == SL_PROTO_ICMP || p->all_ports;
	if (!r->all_ports) {
		r->ports = calloc(p->ports.n, sizeof(*r->ports));
		if (!r->ports) {
			free(r->host);
			r->host = NULL;
			return -ENOMEM;
		}
		for (size_t i = 0; i < p->ports.n; i++)
			r->ports[i] = (uint16_t)p->ports.v[i];
		r->nports = (uint32_t)p->ports.n;
	}
	return 0;
}

static void rule_free(struct sl_net_rule *r)
{
	free(r->host);
	free(r->ports);
	r->host = NULL;
	r->ports = NULL;
}

static int rules_reserve(struct sl_net_rules *rs, uint32_t extra)
{
	uint32_t need = rs->n + extra, ncap;
	struct sl_net_rule *nv;

	if (need <= rs->cap)
		return 0;
	ncap = rs->cap ? rs->cap * 2 : 4;
	while (ncap < need)
		ncap *= 2;
	nv = realloc(rs->v, (size_t)ncap * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	rs->v = nv;
	rs->cap = ncap;
	return 0;
}

/* Append one rule per protocol; all or nothing. */
static int append_rules(const struct parsed *p, const uint8_t *protos,
			uint32_t n, struct sl_net_rules *out)
{
	int r = rules_reserve(out, n);

	if (r < 0)
		return r;
	for (uint32_t i = 0; i < n; i++) {
		r = rule_from(p, protos[i], &out->v[out->n + i]);
		if (r < 0) {
			while (i-- > 0)
				rule_free(&out->v[out->n + i]);
			return r;
		}
	}
	out->n += n;
	return 0;
}

int sl_net_rule_parse(const char *spec, bool allow_hosts,
		      struct sl_net_rules *out, struct sl_error *e)
{
	static const uint8_t tcp_udp[] = { SL_PROTO_TCP, SL_PROTO_UDP };
	struct parsed p = { 0 };
	uint8_t proto = 0;
	const char *b, *end, *sep;
	int r;

	if (!spec)
		return sl_err(e, EINVAL,
			      "empty network rule (use '*' for any "
			      "host)");
	sl_text_trim(spec, &b, &end);
	sep = strstr(b, "://");
	if (sep && sep < end) {
		if (sl_text_eq(b, sep, "tcp"))
			proto = SL_PROTO_TCP;
		else if (sl_text_eq(b, sep, "udp"))
			proto = SL_PROTO_UDP;
		else if (sl_text_eq(b, sep, "icmp"))
			proto = SL_PROTO_ICMP;
		else
			return bad(e, spec,
				   "unknown scheme '%.*s' (expected "
				   "tcp, udp or icmp)",
				   (int)(sep - b), b);
		b = sep + 3;
	}
	if (b == end)
		return bad(e, spec, "empty target (use '*' for any host)");
	if (proto == SL_PROTO_ICMP)
		r = parse_icmp_body(b, end, allow_hosts, spec, &p, e);
	else
		r = parse_body(b, end, allow_hosts, spec, &p, e);
	if (r == 0) {
		r = proto ? append_rules(&p, &proto, 1, out) :
			    append_rules(&p, tcp_udp, 2, out);
		if (r < 0)
			r = sl_err(e, -r, "out of memory");
	}
	sl_u32v_free(&p.ports);
	return r;
}

static const char *scheme_name(uint8_t proto)
{
	switch (proto) {
	case SL_PROTO_TCP:
		return "tcp";
	case SL_PROTO_UDP:
		return "udp";
	case SL_PROTO_ICMP:
		return "icmp";
	default:
		return NULL;
	}
}

/* "*", the host name, or the address with "/prefix" unless single-host. */
static char *render_target(const struct sl_net_rule *r)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned max = r->family == AF_INET ? 32 : 128;
	char *s = NULL;

	switch (r->kind) {
	case SL_TARGET_ANY:
		return strdup("*");
	case SL_TARGET_HOST:
		return r->host ? strdup(r->host) : NULL;
	case SL_TARGET_CIDR:
		if ((r->family != AF_INET && r->family != AF_INET6) ||
		    !inet_ntop(r->family, r->addr, addr, sizeof(addr)))
			return NULL;
		if (r->prefix >= max)
			return strdup(addr);
		if (asprintf(&s, "%s/%u", addr, r->prefix) < 0)
			return NULL;
		return s;
	default:
		return NULL;
	}
}

/* ":p1,p2,..." (at most 6 bytes per port plus the NUL). */
static char *render_ports(const struct sl_net_rule *r)
{
	size_t size = (size_t)r->nports * 6 + 1, used = 0;
	char *s = malloc(size);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (uint32_t i = 0; i < r->nports; i++) {
		int n = snprintf(s + used, size - used, "%c%u", i ? ',' : ':',
				 (unsigned)r->ports[i]);

		if (n < 0 || (size_t)n >= size - used) {
			free(s);
			return NULL;
		}
		used += (size_t)n;
	}
	return s;
}

char *sl_net_rule_render(const struct sl_net_rule *r)
{
	const char *scheme = scheme_name(r->proto);
	_cleanup_(freep) char *target = NULL;
	_cleanup_(freep) char *ports = NULL;
	bool with_ports = r->proto != SL_PROTO_ICMP && !r->all_ports &&
			  r->nports > 0;
	bool brackets = with_ports && r->kind == SL_TARGET_CIDR &&
			r->family == AF_INET6;
	char *s = NULL;

	if (!scheme)
		return NULL;
	target = render_target(r);
	if (!target)
		return NULL;
	if (with_ports) {
		ports = render_ports(r);
		if (!ports)
			return NULL;
	}
	if (asprintf(&s, "%s://%s%s%s%s", scheme, brackets ? "[" : "", target,
		     brackets ? "]" : "", ports ? ports : "") < 0)
		return NULL;
	return s;
}

void sl_net_rules_free(struct sl_net_rules *rs)
{
	for (uint32_t i = 0; i < rs->n; i++)
		rule_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = rs->cap = 0;
}
