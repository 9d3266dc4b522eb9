/* Growable arrays used by the policy model: strings and 32-bit integers. */
#ifndef SL_UTIL_VEC_H
#define SL_UTIL_VEC_H

#include <stddef.h>
#include <stdint.h>

struct sl_strv {
	char **v; /* v[n] is always NULL when v != NULL */
	size_t n, cap;
};

struct sl_u32v {
	uint32_t *v;
	size_t n, cap;
};

/* Make room for need elements of elem bytes in *v (capacity *cap,
 * doubling). For arrays of structs the helpers below do not cover. */
int sl_vec_reserve(void **v, size_t *cap, size_t need, size_t elem);

/* Append a copy of s (len bytes when len != (size_t)-1, else strlen). */
int sl_strv_push(struct sl_strv *sv, const char *s);
int sl_strv_pushn(struct sl_strv *sv, const char *s, size_t len);
/* Append and take ownership of s (freed on failure). */
int sl_strv_push_take(struct sl_strv *sv, char *s);
int sl_strv_copy(struct sl_strv *dst, const struct sl_strv *src);
void sl_strv_free(struct sl_strv *sv);

int sl_u32v_push(struct sl_u32v *uv, uint32_t x);
int sl_u32v_copy(struct sl_u32v *dst, const struct sl_u32v *src);
void sl_u32v_free(struct sl_u32v *uv);
/* Sort ascending and drop duplicates. */
void sl_u32v_sort_unique(struct sl_u32v *uv);
int sl_u32v_contains(const struct sl_u32v *uv, uint32_t x);

#endif
