/* HTTP ACL rules ("METHOD host[/path]") and the path normalizer: no
 * crash, no leak, and every accepted rule is in canonical form: method
 * upper case, host lower case, both without spaces; the path starts with
 * '/', has no empty, "." or ".." segment, and a prefix rule ends in '*'. */
#include <stdbool.h>

#include "fuzz_input.h"
#include "policy/httprule.h"
#include "util/text.h"

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (sl_text_is_space(*s))
			return true;
	return false;
}

static bool has_case(const char *s, char lo, char hi)
{
	for (; *s; s++)
		if (*s >= lo && *s <= hi)
			return true;
	return false;
}

/* Canonical: starts with '/', no "//", no "." or ".." segment. The bytes
 * after an embedded NUL (from %00) are not looked at. */
static void check_normal_path(const char *path, size_t in_len)
{
	size_t n = strlen(path);

	if (path[0] != '/' || n > in_len + 1)
		abort();
	for (const char *seg = path + 1; seg <= path + n;) {
		const char *end = strchrnul(seg, '/');
		size_t len = (size_t)(end - seg);

		if ((len == 0 && *end == '/') || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			abort();
		seg = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct sl_http_rule r;
	struct sl_error e = { 0 };
	char *norm = sl_http_path_normalize((const char *)data, size);

	if (!norm)
		abort();
	/* The normalizer takes any bytes; its result is canonical unless the
	 * input does not start at the root, which it then adds. */
	if (norm[0] != '/' || strlen(norm) > size + 1)
		abort();
	free(norm);

	if (sl_http_rule_parse(text, &r, &e) == 0) {
		size_t plen = strlen(r.path);

		if (!*r.method || !*r.host || has_space(r.method) ||
		    has_space(r.host) || has_case(r.method, 'a', 'z') ||
		    has_case(r.host, 'A', 'Z'))
			abort();
		/* (A literal '*' from %2A may end a non-prefix path.) */
		if (r.prefix && (plen == 0 || r.path[plen - 1] != '*'))
			abort();
		/* A prefix rule is checked without its '*' (and the '/'
		 * before it, which a directory prefix keeps). */
		if (r.prefix) {
			char *base = strndup(r.path, plen - 1);

			if (!base)
				abort();
			if (plen > 2 && base[plen - 2] == '/')
				base[plen - 2] = '\0';
			if (*base)
				check_normal_path(base, size);
			free(base);
		} else {
			check_normal_path(r.path, size);
		}
		sl_http_rule_free(&r);
	} else if (!e.msg) {
		abort(); /* every refusal says why */
	}
	sl_error_clear(&e);
	free(text);
	return 0;
}
