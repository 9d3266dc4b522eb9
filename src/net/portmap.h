/*
 * port_remap bookkeeping (docs/behaviour.md 5.8): which virtual port the sandbox
 * asked for maps to which real host port, and every real port it bound.
 * Written by the supervisor thread, read from any thread (the handle's
 * port_mappings), hence the lock inside.
 */
#ifndef SL_NET_PORTMAP_H
#define SL_NET_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

struct sl_portmap;

int sl_portmap_new(struct sl_portmap **out);
void sl_portmap_free(struct sl_portmap *pm);

/* The real port to try first for a virtual one: its cached mapping, else
 * the virtual port itself. */
uint16_t sl_portmap_real_for(struct sl_portmap *pm, uint16_t virt);
/* A bind of virt succeeded on real: remember real as bound, and the
 * mapping when the two differ (a stale mapping of virt is dropped). */
int sl_portmap_record(struct sl_portmap *pm, uint16_t virt, uint16_t real);
/* The virtual port a remapped real port stands for; false if real is not
 * the target of a mapping. */
bool sl_portmap_virtual_of(struct sl_portmap *pm, uint16_t real,
			   uint16_t *virt);
/* The mapping of virt, if remapped. */
bool sl_portmap_mapped(struct sl_portmap *pm, uint16_t virt, uint16_t *real);
/* Was real ever bound by the sandbox? */
bool sl_portmap_bound(struct sl_portmap *pm, uint16_t real);

/* Remapped entries as compact JSON, {"80":9001,...} sorted by virtual
 * port; NULL when there are none (or pm is NULL, or no memory). */
char *sl_net_port_mappings_json(struct sl_portmap *pm);

#endif
