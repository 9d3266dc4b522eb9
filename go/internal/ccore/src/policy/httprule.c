#include "policy/httprule.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "util/cleanup.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decoding never lengthens the text, so len + 1 bytes suffice. The result
 * may hold NUL bytes (from %00), hence the explicit length. */
static char *percent_decode(const char *s, size_t len, size_t *out_len)
{
	char *out = malloc(len + 1), *w = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			*w++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	*out_len = (size_t)(w - out);
	return out;
}

char *sl_http_path_normalize(const char *path, size_t len)
{
	size_t n;
	_cleanup_(freep) char *dec = percent_decode(path, len, &n);
	const char *end, *seg;
	char *out, *w;

	if (!dec)
		return NULL;
	end = dec + n;
	/* Output never exceeds the input plus a leading '/'. */
	out = malloc(n + 2);
	if (!out)
		return NULL;
	w = out;
	for (seg = dec; seg <= end;) {
		const char *slash = memchr(seg, '/', (size_t)(end - seg));
		size_t sl = (size_t)((slash ? slash : end) - seg);

		if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			while (w > out && *--w != '/')
				;
		} else if (sl > 0 && !(sl == 1 && seg[0] == '.')) {
			*w++ = '/';
			memcpy(w, seg, sl);
			w += sl;
		}
		seg += sl + 1;
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	return out;
}

static char *copy_case(const char *b, const char *end, bool upper)
{
	char *s = strndup(b, (size_t)(end - b));

	for (char *c = s; c && *c; c++) {
		if (upper && *c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
		else if (!upper && *c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	}
	return s;
}

/* Normalize the rule path; a trailing '*' survives normalization, so a
 * rule on "/v1/" followed by '*' stays a prefix rule on "/v1/". */
static char *rule_path(const char *b, const char *end, bool *prefix)
{
	_cleanup_(freep) char *norm = NULL;
	bool dir;
	char *s;
	size_t n;

	*prefix = end > b && end[-1] == '*';
	if (*prefix)
		end--;
	norm = sl_http_path_normalize(b, (size_t)(end - b));
	if (!norm)
		return NULL;
	if (!*prefix)
		return TAKE_PTR(norm);
	n = strlen(norm);
	dir = end > b && end[-1] == '/' && norm[n - 1] != '/';
	s = malloc(n + 3);
	if (!s)
		return NULL;
	memcpy(s, norm, n);
	if (dir)
		s[n++] = '/';
	s[n++] = '*';
	s[n] = '\0';
	return s;
}

static const char *find_space(const char *b, const char *end)
{
	while (b < end && !sl_text_is_space(*b))
		b++;
	return b;
}

int sl_http_rule_parse(const char *rule, struct sl_http_rule *out,
		       struct sl_error *e)
{
	const char *b, *end, *ws, *hb, *slash;

	memset(out, 0, sizeof(*out));
	if (!rule)
		return sl_err(e, EINVAL, "invalid http rule ''");
	sl_text_trim(rule, &b, &end);
	ws = find_space(b, end);
	hb = ws;
	sl_text_trim_range(&hb, &end);
	if (ws == b || ws == end || hb == end || find_space(hb, end) != end)
		return sl_err(e, EINVAL,
			      "invalid http rule '%s': expected "
			      "'METHOD host[/path]'",
			      rule);
	slash = memchr(hb, '/', (size_t)(end - hb));
	if (slash == hb)
		return sl_err(e, EINVAL,
			      "invalid http rule '%s': missing host "
			      "(use '*' for any host)",
			      rule);
	/* A decoded NUL would end the path early for every C-string user
	 * of the rule; no HTTP path legitimately contains one. */
	if (slash && memmem(slash, (size_t)(end - slash), "%00", 3))
		return sl_err(e, EINVAL,
			      "invalid http rule '%s': %%00 in the "
			      "path",
			      rule);
	out->method = copy_case(b, ws, true);
	out->host = copy_case(hb, slash ? slash : end, false);
	if (slash)
		out->path = rule_path(slash, end, &out->prefix);
	else {
		out->path = strdup("/*");
		out->prefix = true;
	}
	if (!out->method || !out->host || !out->path) {
		sl_http_rule_free(out);
		return sl_err(e, ENOMEM, "out of memory");
	}
	return 0;
}

void sl_http_rule_free(struct sl_http_rule *r)
{
	free(r->method);
	free(r->host);
	free(r->path);
	memset(r, 0, sizeof(*r));
}
