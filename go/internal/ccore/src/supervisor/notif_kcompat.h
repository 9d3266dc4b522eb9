/*
 * Kernel ABI constants used by the notification services and handlers that
 * may be missing from older UAPI headers (values are kernel ABI facts).
 */
#ifndef SL_SUPERVISOR_NOTIF_KCOMPAT_H
#define SL_SUPERVISOR_NOTIF_KCOMPAT_H

#include <fcntl.h>
#include <sys/syscall.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
/* pidfd_open() of a task that is not a thread-group leader (6.9). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD 00000200 /* O_EXCL */
#endif
/* name_to_handle_at(): a handle usable only for identity (6.5). */
#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

#endif
