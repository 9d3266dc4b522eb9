/*
 * Decision setters for custom-handler callbacks (docs/abi.md 3.22). They only
 * fill the caller's out slot; the run that owns the handler acts on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/export.h"
#include "util/cleanup.h"

static void set(sandlock_action_out_t *out, uint32_t kind,
		sandlock_action_payload_t payload)
{
	out->kind = kind;
	out->payload = payload;
}

SL_EXPORT void sandlock_action_set_continue(sandlock_action_out_t *out)
{
	if (out)
		set(out, SANDLOCK_ACTION_CONTINUE,
		    (sandlock_action_payload_t){ 0 });
}

SL_EXPORT void sandlock_action_set_errno(sandlock_action_out_t *out,
					 int32_t errno_value)
{
	if (out)
		set(out, SANDLOCK_ACTION_ERRNO,
		    (sandlock_action_payload_t){ .errno_value = errno_value });
}

SL_EXPORT void sandlock_action_set_return_value(sandlock_action_out_t *out,
						int64_t value)
{
	if (out)
		set(out, SANDLOCK_ACTION_RETURN_VALUE,
		    (sandlock_action_payload_t){ .return_value = value });
}

SL_EXPORT void sandlock_action_set_inject_fd_send(sandlock_action_out_t *out,
						  int srcfd,
						  uint32_t newfd_flags)
{
	if (out)
		set(out, SANDLOCK_ACTION_INJECT_FD_SEND,
		    (sandlock_action_payload_t){
			    .inject_send = { .srcfd = srcfd,
					     .newfd_flags = newfd_flags } });
}

SL_EXPORT void sandlock_action_set_hold(sandlock_action_out_t *out)
{
	if (out)
		set(out, SANDLOCK_ACTION_HOLD,
		    (sandlock_action_payload_t){ 0 });
}

SL_EXPORT void sandlock_action_set_kill(sandlock_action_out_t *out, int32_t sig,
					int32_t pgid)
{
	if (out)
		set(out, SANDLOCK_ACTION_KILL,
		    (sandlock_action_payload_t){
			    .kill = { .sig = sig, .pgid = pgid } });
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A memory file holding data, positioned at 0 and, unless writable,
 * sealed so the child can neither change nor reseal it. */
static int bytes_memfd(const uint8_t *data, size_t len, bool writable)
{
	_cleanup_(closep) int fd = -1;
	const int seals = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK |
			  F_SEAL_SEAL;

	fd = memfd_create("sandlock-inject",
			  MFD_CLOEXEC | (writable ? 0 : MFD_ALLOW_SEALING));
	if (fd < 0)
		return -errno;
	if (data && len > 0) {
		int r = write_all(fd, data, len);

		if (r < 0)
			return r;
		if (lseek(fd, 0, SEEK_SET) < 0)
			return -errno;
	}
	if (!writable && fcntl(fd, F_ADD_SEALS, seals) < 0)
		return -errno;
	return TAKE_FD(fd);
}

SL_EXPORT void sandlock_action_set_inject_bytes(sandlock_action_out_t *out,
						const uint8_t *data,
						uintptr_t len, uint32_t flags)
{
	int fd;

	if (!out)
		return;
	fd = bytes_memfd(data, len, flags & SANDLOCK_INJECT_WRITABLE);
	if (fd < 0) {
		sandlock_action_set_errno(out, EIO);
		return;
	}
	sandlock_action_set_inject_fd_send(
		out, fd, (flags & SANDLOCK_INJECT_NO_CLOEXEC) ? 0 : O_CLOEXEC);
}
