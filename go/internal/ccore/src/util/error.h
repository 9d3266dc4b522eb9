/*
 * A small error record carried up to the ABI/CLI edge: a positive errno
 * code plus a human-readable message. Core functions return 0 or -errno and
 * fill an optional struct sl_error with the reason; nothing deep inside the
 * core prints. On the way up a caller may add what it was doing
 * (sl_err_wrap); the edge decides how the record reaches the user.
 */
#ifndef SL_UTIL_ERROR_H
#define SL_UTIL_ERROR_H

#include <stdbool.h>

struct sl_error {
	int code;  /* positive errno, 0 = none */
	char *msg; /* malloc'd, NULL = none */
	/* The user has seen the reason already: the sandbox's child wrote
	 * it on a stderr it shares with the caller. An edge that prints
	 * errors (the CLI) then prints nothing more. */
	bool reported;
};

/* Record (code, message) unless an earlier error is already recorded;
 * returns -code so callers can `return sl_err(e, EINVAL, "...")`.
 * e may be NULL. */
int sl_err(struct sl_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add context on the way up: the recorded message becomes
 * "<context>: <message>", code and flag unchanged. With nothing recorded
 * yet, record code with "<context>: <strerror(code)>". Returns -(the
 * recorded code), so callers can `return sl_err_wrap(e, r, "...")`.
 * e may be NULL (then returns -code). */
int sl_err_wrap(struct sl_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Release the message and reset. */
void sl_error_clear(struct sl_error *e);

/* Take the message out (caller frees); builds "<strerror(code)>" when no
 * message was recorded. Never returns NULL unless allocation fails. */
char *sl_error_take(struct sl_error *e);

#endif
