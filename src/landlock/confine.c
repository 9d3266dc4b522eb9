/* sandlock_confine backend (docs/behaviour.md 3.7, docs/decisions.md decision 3). */
#include "landlock/rules.h"

#include "util/cleanup.h"

int sl_confine(const struct sl_policy *p, struct sl_error *e)
{
	struct sl_landlock_plan plan;
	_cleanup_(closep) int fd = -1;
	int abi = sl_landlock_abi();
	int r;

	/* Everything that can be refused is refused before the process is
	 * touched: the field check, the plan, the ruleset and its paths. */
	r = sl_confine_check(p, e);
	if (!r)
		r = sl_landlock_plan(p, abi, false, &plan, e);
	if (!r)
		r = sl_landlock_new_ruleset(&plan, &fd, e);
	if (!r)
		r = sl_landlock_add_fs_grants(fd, &plan, p, e);
	if (!r)
		r = sl_landlock_restrict_all_threads(fd, abi, e);
	return r;
}
