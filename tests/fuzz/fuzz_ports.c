/* Bind port specs: no crash, no leak; results stay sorted, unique, in
 * range; "*" never coexists with ports. */
#include "fuzz_input.h"
#include "policy/policy.h"

static void check(const struct sl_port_set *ps)
{
	if (ps->all && ps->ports.n)
		abort();
	for (size_t i = 0; i < ps->ports.n; i++) {
		if (ps->ports.v[i] < 1 || ps->ports.v[i] > 65535)
			abort();
		if (i && ps->ports.v[i - 1] >= ps->ports.v[i])
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size);
	struct sl_port_set ps = { 0 };
	struct sl_error e = { 0 };
	size_t before;

	for (int star = 0; star < 2; star++) {
		/* Parse twice into one set: the union must be stable. */
		int r = sl_ports_parse(spec, star, &ps, &e);

		sl_error_clear(&e);
		check(&ps);
		before = ps.ports.n;
		if (r == 0 && sl_ports_parse(spec, star, &ps, &e) != 0)
			abort();
		sl_error_clear(&e);
		if (r == 0 && ps.ports.n != before)
			abort();
		check(&ps);
		sl_port_set_free(&ps);
	}
	free(spec);
	return 0;
}
