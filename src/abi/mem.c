/*
 * Child memory from a custom handler (docs/abi.md 3.22): the handle names the
 * notification; every access is bracketed by the check that it is still
 * pending, so a recycled pid is never read or written.
 */
#include <errno.h>
#include <string.h>

#include "abi/export.h"
#include "abi/lasterr.h"
#include "supervisor/notif.h"
#include "util/utf8.h"

/* A failed access, recorded (lasterr.h): -1. */
static int32_t failed(int r, uint64_t addr)
{
	if (r == -ENOENT)
		return sl_abi_fail(ENOENT,
				   "the call the handler serves is over");
	return sl_abi_fail(-r,
			   "cannot access the sandbox's memory at %#llx: "
			   "%s",
			   (unsigned long long)addr, strerror(-r));
}

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

SL_EXPORT int32_t sandlock_mem_read_cstr(const sandlock_mem_handle_t *handle,
					 uint64_t addr, uint8_t *buf,
					 uintptr_t max_len, uintptr_t *out_len)
{
	struct seccomp_notif req;
	struct sl_notif n;
	size_t len = 0;
	int r;

	sl_abi_reset();
	if (!handle || !buf || !out_len || max_len == 0 || addr == 0)
		return sl_abi_bad_arg("NULL handle, buffer or address");
	as_notif(handle, &req, &n);
	r = sl_notif_read_str(&n, addr, (char *)buf, max_len, &len);
	if (r == -ENAMETOOLONG && max_len > 1) {
		/* longer than the buffer: truncated, still a success */
		len = max_len - 1;
		buf[len] = '\0';
		r = sl_notif_id_valid(n.listener, req.id);
	}
	if (r < 0)
		return failed(r, addr);
	if (!sl_utf8_valid((const char *)buf, len))
		return sl_abi_fail(EILSEQ, "the string at %#llx is not UTF-8",
				   (unsigned long long)addr);
	*out_len = len;
	return 0;
}

SL_EXPORT int32_t sandlock_mem_read(const sandlock_mem_handle_t *handle,
				    uint64_t addr, uint8_t *buf, uintptr_t len,
				    uintptr_t *out_len)
{
	struct seccomp_notif req;
	struct sl_notif n;
	ssize_t got;

	sl_abi_reset();
	if (!handle || !buf || !out_len)
		return sl_abi_bad_arg("NULL handle or buffer");
	as_notif(handle, &req, &n);
	got = sl_notif_read_some(&n, addr, buf, len);
	if (got < 0)
		return failed((int)got, addr);
	*out_len = (uintptr_t)got;
	return 0;
}

SL_EXPORT int32_t sandlock_mem_write(const sandlock_mem_handle_t *handle,
				     uint64_t addr, const uint8_t *buf,
				     uintptr_t len)
{
	struct seccomp_notif req;
	struct sl_notif n;
	int r;

	sl_abi_reset();
	if (!handle || !buf)
		return sl_abi_bad_arg("NULL handle or buffer");
	as_notif(handle, &req, &n);
	r = sl_notif_write(&n, addr, buf, len);
	return r < 0 ? failed(r, addr) : 0;
}
