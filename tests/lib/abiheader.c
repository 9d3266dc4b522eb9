#include "lib/abiheader.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *sl_proto_normalise(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(len + 1), *o = out;
	int pending = 0;

	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			pending = 1;
			continue;
		}
		if (pending && o > out &&
		    (isalnum((unsigned char)o[-1]) || o[-1] == '_') &&
		    (isalnum((unsigned char)*p) || *p == '_'))
			*o++ = ' ';
		pending = 0;
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

static char *sl_read_header(void)
{
	const char *env = getenv("SANDLOCK_SRC");
	char path[4096];
	const char *file = __FILE__;
	const char *slash = strrchr(file, '/');
	FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0;

	if (env) {
		snprintf(path, sizeof(path), "%s/include/sandlock.h", env);
		f = fopen(path, "re");
	}
	if (!f)
		f = fopen("include/sandlock.h", "re");
	if (!f && slash) {
		/* __FILE__ is "<root>/tests/lib/abiheader.c" or relative. */
		snprintf(path, sizeof(path), "%.*s/../../include/sandlock.h",
			 (int)(slash - file), file);
		f = fopen(path, "re");
	}
	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Remove comments and preprocessor lines in place. */
static void sl_strip_header(char *s)
{
	char *w = s;
	int bol = 1;

	for (char *r = s; *r;) {
		if (r[0] == '/' && r[1] == '*') {
			char *end = strstr(r + 2, "*/");
			r = end ? end + 2 : r + strlen(r);
			*w++ = ' ';
			continue;
		}
		if (bol && *r == '#') {
			while (*r && *r != '\n')
				r++;
			continue;
		}
		bol = (*r == '\n');
		*w++ = *r++;
	}
	*w = '\0';
}

void sl_protos_free(struct sl_protos *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->proto[i]);
		free(ps->name[i]);
	}
	free(ps->proto);
	free(ps->name);
	*ps = (struct sl_protos){ 0 };
}

int sl_header_protos(struct sl_protos *ps)
{
	char *text = sl_read_header(), *save = NULL;
	regex_t re;
	int rc = 0;

	*ps = (struct sl_protos){ 0 };
	if (!text)
		return -1;
	if (regcomp(&re, "(^|[^A-Za-z0-9_])(sandlock_[a-z0-9_]+)\\(",
		    REG_EXTENDED)) {
		free(text);
		return -1;
	}
	sl_strip_header(text);
	for (char *chunk = strtok_r(text, ";", &save); chunk;
	     chunk = strtok_r(NULL, ";", &save)) {
		char *start = chunk, *norm;
		regmatch_t m[3];

		/* a declaration starts after the last brace before it */
		for (char *c = chunk; *c; c++)
			if (*c == '{' || *c == '}')
				start = c + 1;
		norm = sl_proto_normalise(start);
		if (!norm) {
			rc = -1;
			break;
		}
		if (strncmp(norm, "typedef", 7) == 0 ||
		    regexec(&re, norm, 3, m, 0) != 0) {
			free(norm);
			continue;
		}
		ps->proto = realloc(ps->proto, (ps->n + 1) * sizeof(char *));
		ps->name = realloc(ps->name, (ps->n + 1) * sizeof(char *));
		if (!ps->proto || !ps->name) {
			free(norm);
			rc = -1;
			break;
		}
		ps->proto[ps->n] = norm;
		ps->name[ps->n] = strndup(norm + m[2].rm_so,
					  (size_t)(m[2].rm_eo - m[2].rm_so));
		ps->n++;
	}
	regfree(&re);
	free(text);
	return rc;
}
