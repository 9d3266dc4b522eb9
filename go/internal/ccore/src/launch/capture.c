#include "launch/capture.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Read in chunks this large: few wake-ups for large outputs. */
#define CHUNK (64 * 1024)

static void finish(struct sl_capsrc *c)
{
	sl_evsrc_del(c->epfd, &c->src);
	close(c->src.fd);
	c->src.fd = -1;
}

/* Room for one more chunk; false when memory is exhausted. */
static bool reserve(struct sl_capsrc *c)
{
	size_t ncap;
	uint8_t *nb;

	if (c->cap - c->len >= CHUNK)
		return true;
	ncap = c->cap ? c->cap * 2 : CHUNK;
	while (ncap - c->len < CHUNK)
		ncap *= 2;
	nb = realloc(c->buf, ncap);
	if (!nb)
		return false;
	c->buf = nb;
	c->cap = ncap;
	return true;
}

static void on_readable(struct sl_evsrc *src, uint32_t events)
{
	struct sl_capsrc *c = sl_container_of(src, struct sl_capsrc, src);
	uint8_t scratch[512];
	ssize_t n;

	(void)events;
	if (reserve(c)) {
		n = read(src->fd, c->buf + c->len, c->cap - c->len);
		if (n > 0)
			c->len += (size_t)n;
	} else {
		/* Out of memory: keep draining so the child never blocks
		 * on a full pipe; the excess is lost. */
		n = read(src->fd, scratch, sizeof(scratch));
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		finish(c);
}

int sl_capsrc_open(struct sl_capsrc *c, int fd, int epfd)
{
	int r;

	c->src.fd = fd;
	c->src.on_event = on_readable;
	c->epfd = epfd;
	c->active = true;
	r = sl_evsrc_add(epfd, &c->src);
	if (r < 0) {
		close(fd);
		c->src.fd = -1;
	}
	return r;
}

bool sl_capsrc_done(const struct sl_capsrc *c)
{
	return !c->active || c->src.fd < 0;
}

void sl_capsrc_take(struct sl_capsrc *c, uint8_t **data, size_t *len)
{
	*data = c->buf;
	*len = c->len;
	c->buf = NULL;
	c->len = c->cap = 0;
}

void sl_capsrc_close(struct sl_capsrc *c)
{
	if (c->active && c->src.fd >= 0)
		finish(c);
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}
