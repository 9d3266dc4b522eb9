#include "util/error.h"

#include <errno.h>
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

int sl_err_wrap(struct sl_error *e, int code, const char *fmt, ...)
{
	char *ctx = NULL, *m = NULL;
	va_list ap;

	if (code < 0)
		code = -code;
	if (!e)
		return -code;
	if (e->code == 0)
		e->code = code ? code : EIO;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	/* Out of memory: the record keeps what it had, which is still
	 * the reason, only without the context. */
	if (ctx && asprintf(&m, "%s: %s", ctx,
			    e->msg ? e->msg : strerror(e->code)) >= 0) {
		free(e->msg);
		e->msg = m;
	}
	free(ctx);
	return -e->code;
}

void sl_error_clear(struct sl_error *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->code = 0;
	e->reported = false;
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
