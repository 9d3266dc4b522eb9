/*
 * One source of events in a run's epoll loop (the seccomp listener, a
 * pidfd, a capture pipe): epoll's data.ptr points at it, and the loop
 * calls on_event with the ready events. Each owner embeds its source in
 * its own state and removes it from the epoll set when it is finished.
 */
#ifndef SL_SUPERVISOR_EVSRC_H
#define SL_SUPERVISOR_EVSRC_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct sl_evsrc {
	void (*on_event)(struct sl_evsrc *src, uint32_t events);
	int fd;
};

#define sl_container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

/* Watch src->fd for readability (level-triggered). 0 or -errno. */
static inline int sl_evsrc_add(int epfd, struct sl_evsrc *src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0 ? -errno : 0;
}

static inline void sl_evsrc_del(int epfd, struct sl_evsrc *src)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

#endif
