/*
 * The public header as the ABI tests read it: find include/sandlock.h of
 * this source tree and list the function prototypes it declares,
 * whitespace-normalised, in header order.
 *
 * The header is looked up as $SANDLOCK_SRC/include/sandlock.h, then
 * relative to the working directory (tests/run.sh runs from the
 * repository root), then relative to this file's compile-time path.
 */
#ifndef SL_TESTLIB_ABIHEADER_H
#define SL_TESTLIB_ABIHEADER_H

#include <stddef.h>

struct sl_protos {
	char **proto; /* normalised text without the ';' */
	char **name;  /* the function name */
	size_t n;
};

/* Collapse whitespace: keep one space only between two identifier
 * characters, so "int  *f( void )" and "int *f(void)" compare equal.
 * malloc'd; NULL when out of memory. */
char *sl_proto_normalise(const char *s);

/* 0 on success, -1 if the header cannot be read or parsed. */
int sl_header_protos(struct sl_protos *ps);

void sl_protos_free(struct sl_protos *ps);

#endif
