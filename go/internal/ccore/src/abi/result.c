/* Result objects and their accessors (docs/abi.md 3.16). */
#include <stdlib.h>
#include <string.h>

#include "abi/handle.h"
#include "sandlock_ext.h"
#include "util/utf8.h"

sandlock_result_t *sl_abi_result_new(const struct sl_status *st,
				     struct sl_capture *cap)
{
	sandlock_result_t *r = calloc(1, sizeof(*r));

	if (!r) {
		sl_capture_free(cap);
		return NULL;
	}
	r->status = *st;
	if (cap) {
		r->cap = *cap;
		memset(cap, 0, sizeof(*cap));
	}
	return r;
}

SL_EXPORT int sandlock_result_exit_code(const sandlock_result_t *r)
{
	if (!r || r->status.reason != SANDLOCK_EXIT_REASON_EXITED)
		return -1;
	return r->status.code;
}

SL_EXPORT sandlock_exit_reason sandlock_result_reason(const sandlock_result_t *r)
{
	return r ? r->status.reason : SANDLOCK_EXIT_REASON_KILLED;
}

SL_EXPORT uint32_t sandlock_result_cause(const sandlock_result_t *r)
{
	return r ? r->status.cause : SANDLOCK_EXIT_CAUSE_NONE;
}

SL_EXPORT int sandlock_result_signal(const sandlock_result_t *r)
{
	if (!r || r->status.reason != SANDLOCK_EXIT_REASON_SIGNALED)
		return -1;
	return r->status.signal;
}

SL_EXPORT bool sandlock_result_success(const sandlock_result_t *r)
{
	return r && r->status.reason == SANDLOCK_EXIT_REASON_EXITED &&
	       r->status.code == 0;
}

/* Captured but empty is a non-NULL pointer of length 0 (never read). */
static const uint8_t *stream_bytes(const sandlock_result_t *r, int i,
				   uintptr_t *len)
{
	static const uint8_t empty[1];

	if (len)
		*len = 0;
	if (!r || !len || !r->cap.captured[i])
		return NULL;
	*len = r->cap.len[i];
	return r->cap.data[i] ? r->cap.data[i] : empty;
}

/* Text, or NULL when not captured or when it holds a NUL byte. */
static char *stream_text(const sandlock_result_t *r, int i)
{
	const uint8_t *data;
	uintptr_t len;

	data = stream_bytes(r, i, &len);
	if (!data || memchr(data, 0, len))
		return NULL;
	return sl_utf8_lossy(data, len);
}

SL_EXPORT char *sandlock_result_stdout(const sandlock_result_t *r)
{
	return stream_text(r, 0);
}

SL_EXPORT char *sandlock_result_stderr(const sandlock_result_t *r)
{
	return stream_text(r, 1);
}

SL_EXPORT const uint8_t *
sandlock_result_stdout_bytes(const sandlock_result_t *r, uintptr_t *len)
{
	return stream_bytes(r, 0, len);
}

SL_EXPORT const uint8_t *
sandlock_result_stderr_bytes(const sandlock_result_t *r, uintptr_t *len)
{
	return stream_bytes(r, 1, len);
}

SL_EXPORT void sandlock_result_free(sandlock_result_t *r)
{
	if (!r)
		return;
	sl_capture_free(&r->cap);
	free(r);
}
