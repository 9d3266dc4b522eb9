/*
 * A small error record carried up to the ABI/CLI edge: a positive errno
 * code plus a human-readable message. Core functions return 0 or -errno and
 * fill an optional struct sl_error with the reason; nothing deep inside the
 * core prints.
 */
#ifndef SL_UTIL_ERROR_H
#define SL_UTIL_ERROR_H

struct sl_error {
	int code;  /* positive errno, 0 = none */
	char *msg; /* malloc'd, NULL = none */
};

/* Record (code, message) unless an earlier error is already recorded;
 * returns -code so callers can `return sl_err(e, EINVAL, "...")`.
 * e may be NULL. */
int sl_err(struct sl_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Release the message and reset. */
void sl_error_clear(struct sl_error *e);

/* Take the message out (caller frees); builds "<strerror(code)>" when no
 * message was recorded. Never returns NULL unless allocation fails. */
char *sl_error_take(struct sl_error *e);

#endif
