/* Scope-bound cleanup helpers: _cleanup_(closep) int fd = ...; */
#ifndef SL_UTIL_CLEANUP_H
#define SL_UTIL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void closep(int *fd)
{
	if (fd && *fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (f && *f)
		fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (d && *d)
		closedir(*d);
}

/* Hand ownership out of a cleanup-managed variable. */
#define TAKE_FD(fd)            \
	({                     \
		int _t = (fd); \
		(fd) = -1;     \
		_t;            \
	})
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _t = (p); \
		(p) = NULL;             \
		_t;                     \
	})

#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
