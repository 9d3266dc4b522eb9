/*
 * Watching processes from the test: their state in /proc, and polling
 * until a condition holds (bounded; a test never asserts on timing).
 */
#ifndef SL_TESTLIB_PROCS_H
#define SL_TESTLIB_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The fields of /proc/<pid>/stat after the command name (the state
 * letter first), read into buf; NULL when the process is gone. */
const char *lu_proc_stat(pid_t pid, char *buf, size_t cap);

/* State letter of a process from /proc/<pid>/stat, 0 when it is gone. */
char lu_proc_state(pid_t pid);

void lu_sleep_ms(long ms);

/* Poll (up to ~20 s) until pred(pid) holds; whether it did. */
bool lu_until(bool (*pred)(pid_t), pid_t pid);

bool lu_is_stopped(pid_t pid);
bool lu_is_running(pid_t pid);

/* Gone for good: no such process, or a zombie nobody needs. */
bool lu_is_gone(pid_t pid);

#endif
