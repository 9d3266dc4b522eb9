/*
 * Kernel ABI constants of the filesystem view that older UAPI headers may
 * lack (values are kernel ABI facts; the syscall numbers are the same on
 * x86_64 and aarch64, which share the numbering of new syscalls).
 */
#ifndef SL_FS_KCOMPAT_H
#define SL_FS_KCOMPAT_H

#include <stdint.h>
#include <sys/ioctl.h>
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

/* PIDFD_GET_INFO (Linux 6.13): struct pidfd_info, version 0. */
struct sl_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid;
	uint32_t fsuid, fsgid;
	int32_t exit_code;
};
_Static_assert(sizeof(struct sl_pidfd_info) == 64, "PIDFD_INFO_SIZE_VER0");
#define SL_PIDFD_INFO_CREDS (1ULL << 1)
#define SL_PIDFD_GET_INFO _IOWR(0xFF, 11, struct sl_pidfd_info)

/* struct xattr_args of setxattrat(), version 0. */
struct sl_xattr_args {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

#endif
