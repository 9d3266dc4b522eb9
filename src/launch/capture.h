/*
 * Captured output of one stream: the read end of the child's stdout or
 * stderr pipe, drained by the run's loop into a growable buffer until EOF
 * (i.e. until every process holding the write end is gone).
 */
#ifndef SL_LAUNCH_CAPTURE_H
#define SL_LAUNCH_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "supervisor/evsrc.h"

struct sl_capsrc {
	struct sl_evsrc src; /* src.fd is -1 once EOF was seen */
	int epfd;
	bool active; /* this stream is captured */
	uint8_t *buf;
	size_t len, cap;
};

/* Start draining fd (non-blocking, taken over) in epfd. */
int sl_capsrc_open(struct sl_capsrc *c, int fd, int epfd);
/* Not captured, or EOF reached. */
bool sl_capsrc_done(const struct sl_capsrc *c);
/* Hand the bytes over (the buffer becomes the caller's). */
void sl_capsrc_take(struct sl_capsrc *c, uint8_t **data, size_t *len);
void sl_capsrc_close(struct sl_capsrc *c);

#endif
