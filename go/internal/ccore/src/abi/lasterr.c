/* The per-thread record of the last failed ABI call (lasterr.h). */
#include "abi/lasterr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "abi/export.h"
#include "sandlock_ext.h"

/* Long enough for a message naming two paths; longer ones are cut at a
 * character boundary. */
#define SL_LAST_ERROR_MAX 1024

static __thread struct {
	int code;
	char msg[SL_LAST_ERROR_MAX];
} last;

void sl_abi_reset(void)
{
	last.code = 0;
	last.msg[0] = '\0';
}

/* vsnprintf cuts at a byte: back off to the start of a UTF-8 sequence,
 * so the message stays valid text. */
static void cut_at_character(char *s, size_t len)
{
	if (len < SL_LAST_ERROR_MAX - 1)
		return;
	len = SL_LAST_ERROR_MAX - 1;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	s[len] = '\0';
}

static int record(int code, const char *fmt, va_list ap)
{
	int n;

	if (code < 0)
		code = -code;
	last.code = code ? code : EIO;
	n = vsnprintf(last.msg, sizeof(last.msg), fmt, ap);
	if (n < 0)
		snprintf(last.msg, sizeof(last.msg), "%s", strerror(last.code));
	else
		cut_at_character(last.msg, (size_t)n);
	errno = last.code;
	return -1;
}

int sl_abi_fail(int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = record(code, fmt, ap);
	va_end(ap);
	return r;
}

int sl_abi_fail_err(struct sl_error *e, const char *fallback)
{
	int code = e && e->code ? e->code : EIO;

	if (e && e->msg)
		sl_abi_fail(code, "%s", e->msg);
	else
		sl_abi_fail(code, "%s", fallback ? fallback : strerror(code));
	sl_error_clear(e);
	return -1;
}

int sl_abi_bad_arg(const char *what)
{
	return sl_abi_fail(EINVAL, "invalid argument: %s", what);
}

SL_EXPORT int sandlock_last_errno(void)
{
	return last.code;
}

SL_EXPORT const char *sandlock_last_error(void)
{
	return last.msg;
}
