/* Process-creation classification shared by the processes module and its
 * unit tests. */
#ifndef SL_HANDLERS_PROCESSES_H
#define SL_HANDLERS_PROCESSES_H

#include <stdbool.h>
#include <stdint.h>

enum sl_clone_class {
	SL_CLONE_PROCESS = 0, /* a new process: counted against the limit */
	SL_CLONE_THREAD,      /* a thread of the caller: not counted */
	SL_CLONE_DENY,	      /* refused with EPERM */
	SL_CLONE_FALLBACK,    /* clone3: answered ENOSYS, libc retries clone */
};

/* Classify the flags of a process-creating call. from_clone3: the flags
 * come from clone_args (where CLONE_NEWTIME is a flag; in clone() that bit
 * is part of the exit signal); known = false when they could not be read.
 * clone3 is never let through (see processes.c): namespace flags are
 * refused, anything else falls back to clone(). */
enum sl_clone_class sl_clone_classify(uint64_t flags, bool from_clone3,
				      bool known);

#endif
