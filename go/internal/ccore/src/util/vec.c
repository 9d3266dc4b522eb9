#include "util/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *nv;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return -ENOMEM;
	nv = realloc(*v, ncap * elem);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

int sl_vec_reserve(void **v, size_t *cap, size_t need, size_t elem)
{
	return grow(v, cap, need, elem);
}

int sl_strv_push_take(struct sl_strv *sv, char *s)
{
	void *v = sv->v;
	int r;

	if (!s)
		return -ENOMEM;
	r = grow(&v, &sv->cap, sv->n + 2, sizeof(char *));
	sv->v = v;
	if (r < 0) {
		free(s);
		return r;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int sl_strv_pushn(struct sl_strv *sv, const char *s, size_t len)
{
	return sl_strv_push_take(sv, strndup(s, len));
}

int sl_strv_push(struct sl_strv *sv, const char *s)
{
	return sl_strv_push_take(sv, strdup(s));
}

int sl_strv_copy(struct sl_strv *dst, const struct sl_strv *src)
{
	for (size_t i = 0; i < src->n; i++) {
		int r = sl_strv_push(dst, src->v[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

void sl_strv_free(struct sl_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

int sl_u32v_push(struct sl_u32v *uv, uint32_t x)
{
	void *v = uv->v;
	int r = grow(&v, &uv->cap, uv->n + 1, sizeof(uint32_t));

	uv->v = v;
	if (r < 0)
		return r;
	uv->v[uv->n++] = x;
	return 0;
}

int sl_u32v_copy(struct sl_u32v *dst, const struct sl_u32v *src)
{
	for (size_t i = 0; i < src->n; i++) {
		int r = sl_u32v_push(dst, src->v[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

void sl_u32v_free(struct sl_u32v *uv)
{
	free(uv->v);
	uv->v = NULL;
	uv->n = uv->cap = 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void sl_u32v_sort_unique(struct sl_u32v *uv)
{
	size_t w = 0;

	if (uv->n < 2)
		return;
	qsort(uv->v, uv->n, sizeof(uint32_t), cmp_u32);
	for (size_t i = 0; i < uv->n; i++)
		if (w == 0 || uv->v[w - 1] != uv->v[i])
			uv->v[w++] = uv->v[i];
	uv->n = w;
}

int sl_u32v_contains(const struct sl_u32v *uv, uint32_t x)
{
	for (size_t i = 0; i < uv->n; i++)
		if (uv->v[i] == x)
			return 1;
	return 0;
}
