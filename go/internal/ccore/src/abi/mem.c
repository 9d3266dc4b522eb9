/*
 * Child memory from a custom handler (docs/abi.md 3.22): the handle names the
 * notification; every access is bracketed by the check that it is still
 * pending, so a recycled pid is never read or written.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "abi/export.h"
#include "supervisor/notif.h"
#include "util/utf8.h"

/* A notification as the supervisor's helpers take it. */
static void as_notif(const sandlock_mem_handle_t *h, struct seccomp_notif *req,
		     struct sl_notif *n)
{
	memset(req, 0, sizeof(*req));
	req->id = h->notif_id;
	req->pid = h->pid;
	memset(n, 0, sizeof(*n));
	n->req = req;
	n->listener = h->notif_fd;
}

SL_EXPORT int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle, uint64_t addr,
					 uint8_t *buf, uintptr_t max_len,
					 uintptr_t *out_len)
{
	struct seccomp_notif req;
	struct sl_notif n;
	size_t len = 0;
	int r;

	if (!handle || !buf || !out_len || max_len == 0 || addr == 0)
		return -1;
	as_notif(handle, &req, &n);
	r = sl_notif_read_str(&n, addr, (char *)buf, max_len, &len);
	if (r == -ENAMETOOLONG && max_len > 1) {
		/* longer than the buffer: truncated, still a success */
		len = max_len - 1;
		buf[len] = '\0';
		r = sl_notif_id_valid(n.listener, req.id);
	}
	if (r < 0 || !sl_utf8_valid((const char *)buf, len))
		return -1;
	*out_len = len;
	return 0;
}

SL_EXPORT int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle, uint64_t addr,
				    uint8_t *buf, uintptr_t len, uintptr_t *out_len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t got;

	if (!handle || !buf || !out_len)
		return -1;
	if (len == 0) {
		*out_len = 0;
		return sl_notif_id_valid(handle->notif_fd, handle->notif_id) < 0 ? -1 : 0;
	}
	got = process_vm_readv((pid_t)handle->pid, &local, 1, &remote, 1, 0);
	/* what was read came from the task only if it is still there */
	if (got < 0 || sl_notif_id_valid(handle->notif_fd, handle->notif_id) < 0)
		return -1;
	*out_len = (uintptr_t)got;
	return 0;
}

SL_EXPORT int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle, uint64_t addr,
				     const uint8_t *buf, uintptr_t len)
{
	struct seccomp_notif req;
	struct sl_notif n;

	if (!handle || !buf)
		return -1;
	as_notif(handle, &req, &n);
	return sl_notif_write(&n, addr, buf, len) < 0 ? -1 : 0;
}
