/*
 * Kernel ABI constants of the filesystem view that older UAPI headers may
 * lack (values are kernel ABI facts; the syscall numbers are the same on
 * x86_64 and aarch64, which share the numbering of new syscalls).
 */
#ifndef SL_FS_KCOMPAT_H
#define SL_FS_KCOMPAT_H

#include <stdint.h>
#include <sys/syscall.h>

#include "supervisor/notif_kcompat.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452 /* Linux 6.6 */
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463 /* Linux 6.13 */
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466 /* Linux 6.13 */
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif

/* struct xattr_args of setxattrat(), version 0. */
struct sl_xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

#endif
