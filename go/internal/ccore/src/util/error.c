#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_err(struct sl_error *e, int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (e && e->code == 0) {
		va_list ap;
		char *m = NULL;

		e->code = code;
		va_start(ap, fmt);
		if (vasprintf(&m, fmt, ap) < 0)
			m = NULL;
		va_end(ap);
		e->msg = m;
	}
	return -code;
}

void sl_error_clear(struct sl_error *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->code = 0;
}

char *sl_error_take(struct sl_error *e)
{
	char *m;

	if (!e)
		return NULL;
	m = e->msg;
	e->msg = NULL;
	if (!m)
		m = strdup(e->code ? strerror(e->code) : "unknown error");
	return m;
}
