#include "net/portmap.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sl_port_pair {
	uint16_t virt, real;
};

struct sl_portmap {
	pthread_mutex_t lock;
	struct sl_port_pair *map; /* sorted by virt */
	uint32_t nmap;
	uint64_t bound[65536 / 64];
};

int sl_portmap_new(struct sl_portmap **out)
{
	struct sl_portmap *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return -ENOMEM;
	pthread_mutex_init(&pm->lock, NULL);
	*out = pm;
	return 0;
}

void sl_portmap_free(struct sl_portmap *pm)
{
	if (!pm)
		return;
	pthread_mutex_destroy(&pm->lock);
	free(pm->map);
	free(pm);
}

/* Index of virt in the sorted map, or where it would go (lock held). */
static uint32_t find_slot(const struct sl_portmap *pm, uint16_t virt)
{
	uint32_t lo = 0, hi = pm->nmap;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (pm->map[mid].virt < virt)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool lookup_locked(const struct sl_portmap *pm, uint16_t virt,
			  uint16_t *real)
{
	uint32_t i = find_slot(pm, virt);

	if (i < pm->nmap && pm->map[i].virt == virt) {
		*real = pm->map[i].real;
		return true;
	}
	return false;
}

bool sl_portmap_mapped(struct sl_portmap *pm, uint16_t virt, uint16_t *real)
{
	bool found;

	pthread_mutex_lock(&pm->lock);
	found = lookup_locked(pm, virt, real);
	pthread_mutex_unlock(&pm->lock);
	return found;
}

uint16_t sl_portmap_real_for(struct sl_portmap *pm, uint16_t virt)
{
	uint16_t real;

	return sl_portmap_mapped(pm, virt, &real) ? real : virt;
}

int sl_portmap_record(struct sl_portmap *pm, uint16_t virt, uint16_t real)
{
	uint32_t i;
	int r = 0;

	pthread_mutex_lock(&pm->lock);
	pm->bound[real / 64] |= UINT64_C(1) << (real % 64);
	i = find_slot(pm, virt);
	if (i < pm->nmap && pm->map[i].virt == virt) {
		if (virt != real) {
			pm->map[i].real = real;
		} else {
			memmove(&pm->map[i], &pm->map[i + 1],
				(pm->nmap - i - 1) * sizeof(pm->map[0]));
			pm->nmap--;
		}
	} else if (virt != real) {
		struct sl_port_pair *v =
			reallocarray(pm->map, pm->nmap + 1, sizeof(*v));

		if (!v) {
			r = -ENOMEM;
		} else {
			pm->map = v;
			memmove(&v[i + 1], &v[i],
				(pm->nmap - i) * sizeof(v[0]));
			v[i] = (struct sl_port_pair){ virt, real };
			pm->nmap++;
		}
	}
	pthread_mutex_unlock(&pm->lock);
	return r;
}

bool sl_portmap_virtual_of(struct sl_portmap *pm, uint16_t real, uint16_t *virt)
{
	bool found = false;

	pthread_mutex_lock(&pm->lock);
	for (uint32_t i = 0; i < pm->nmap && !found; i++) {
		if (pm->map[i].real == real) {
			*virt = pm->map[i].virt;
			found = true;
		}
	}
	pthread_mutex_unlock(&pm->lock);
	return found;
}

bool sl_portmap_bound(struct sl_portmap *pm, uint16_t real)
{
	bool b;

	pthread_mutex_lock(&pm->lock);
	b = (pm->bound[real / 64] >> (real % 64)) & 1;
	pthread_mutex_unlock(&pm->lock);
	return b;
}

char *sl_net_port_mappings_json(struct sl_portmap *pm)
{
	char *buf = NULL;
	size_t cap, len = 0;

	if (!pm)
		return NULL;
	pthread_mutex_lock(&pm->lock);
	if (pm->nmap == 0)
		goto out;
	/* Each entry is at most "65535":65535, = 15 bytes, plus braces. */
	cap = (size_t)pm->nmap * 16 + 3;
	buf = malloc(cap);
	if (!buf)
		goto out;
	buf[len++] = '{';
	for (uint32_t i = 0; i < pm->nmap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\"%u\":%u",
					i ? "," : "", pm->map[i].virt,
					pm->map[i].real);
	buf[len++] = '}';
	buf[len] = '\0';
out:
	pthread_mutex_unlock(&pm->lock);
	return buf;
}
