#include "supervisor/nrset.h"

#include "policy/policy.h"

void sl_nrset_add_name(struct sl_nrset *s, const char *name)
{
	int64_t nr = sl_syscall_nr(name);

	if (nr >= 0)
		sl_nrset_add(s, (long)nr);
}
