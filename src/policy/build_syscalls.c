/* Syscall filter settings (docs/behaviour.md 0 items 1-3, 2.2-2.3). Each setter
 * call stored one raw comma list; items are trimmed, empty ones dropped. */
#include "policy/build.h"

#include <errno.h>
#include <string.h>

#include "util/text.h"
#include "util/cleanup.h"

/* All items of all raw lists, trimmed, empty ones dropped. */
static int split_items(const struct sl_strv *raw, struct sl_strv *out)
{
	for (size_t i = 0; i < raw->n; i++) {
		struct sl_text_items it;
		const char *b, *end;

		sl_text_items_init(&it, raw->v[i]);
		while (sl_text_items_next(&it, &b, &end)) {
			int r;

			sl_text_trim_range(&b, &end);
			if (b == end)
				continue;
			r = sl_strv_pushn(out, b, (size_t)(end - b));
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* "a, b, c"; NULL on allocation failure. */
static char *join(const struct sl_strv *sv)
{
	size_t len = 1;
	char *s, *w;

	for (size_t i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	w = s;
	for (size_t i = 0; i < sv->n; i++)
		w = stpcpy(stpcpy(w, i ? ", " : ""), sv->v[i]);
	*w = '\0';
	return s;
}

static bool strv_has(const struct sl_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static int push_group_members(const char *group, struct sl_u32v *out)
{
	const char *const *members;
	size_t n;

	sl_syscall_group(group, &members, &n);
	for (size_t i = 0; i < n; i++) {
		int64_t nr = sl_syscall_nr(members[i]);
		int r;

		if (nr < 0)
			continue; /* not on this architecture */
		r = sl_u32v_push(out, (uint32_t)nr);
		if (r < 0)
			return r;
	}
	return 0;
}

struct syscall_lists {
	struct sl_strv deny, allow; /* trimmed items */
	struct sl_u32v single_nrs;  /* individually denied syscalls */
	struct sl_u32v deny_nrs;    /* every extra denied syscall */
};

static void lists_free(struct syscall_lists *l)
{
	sl_strv_free(&l->deny);
	sl_strv_free(&l->allow);
	sl_u32v_free(&l->single_nrs);
	sl_u32v_free(&l->deny_nrs);
}

static int resolve_deny(struct syscall_lists *l, struct sl_error *e)
{
	_cleanup_(freep) char *names = NULL;
	struct sl_strv unknown = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < l->deny.n; i++) {
		const char *name = l->deny.v[i];
		int64_t nr;

		if (sl_syscall_group(name, NULL, NULL)) {
			r = push_group_members(name, &l->deny_nrs);
			continue;
		}
		nr = sl_syscall_nr(name);
		if (nr < 0) {
			r = sl_strv_push(&unknown, name);
			continue;
		}
		r = sl_u32v_push(&l->single_nrs, (uint32_t)nr);
		if (r == 0)
			r = sl_u32v_push(&l->deny_nrs, (uint32_t)nr);
	}
	if (r == 0 && unknown.n) {
		names = join(&unknown);
		r = names ? sl_err(e, EINVAL,
				   "unknown syscall or group name(s): %s",
				   names) :
			    -ENOMEM;
	}
	if (r == -ENOMEM)
		r = sl_err(e, ENOMEM, "out of memory");
	sl_strv_free(&unknown);
	return r;
}

static int check_allow(const struct syscall_lists *l, struct sl_error *e)
{
	_cleanup_(freep) char *names = NULL;
	_cleanup_(freep) char *groups = NULL;
	struct sl_strv unknown = { 0 }, known = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < l->allow.n; i++)
		if (!sl_syscall_group(l->allow.v[i], NULL, NULL))
			r = sl_strv_push(&unknown, l->allow.v[i]);
	/* The known groups are listed only in the message. */
	for (size_t i = 0; r == 0 && unknown.n && sl_syscall_group_at(i); i++)
		r = sl_strv_push(&known, sl_syscall_group_at(i));
	if (r == 0 && unknown.n) {
		names = join(&unknown);
		groups = join(&known);
		r = names && groups ?
			    sl_err(e, EINVAL,
				   "extra_allow_syscalls accepts only syscall "
				   "group names (known groups: %s); individual "
				   "syscalls cannot be re-allowed: %s",
				   groups, names) :
			    -ENOMEM;
	}
	if (r == -ENOMEM)
		r = sl_err(e, ENOMEM, "out of memory");
	sl_strv_free(&unknown);
	sl_strv_free(&known);
	return r;
}

/* No group both allowed and denied, no member of an allowed group denied
 * on its own. */
static int check_conflicts(const struct syscall_lists *l, struct sl_error *e)
{
	for (size_t i = 0; i < l->allow.n; i++) {
		const char *group = l->allow.v[i];
		const char *const *members;
		size_t n;

		if (strv_has(&l->deny, group))
			return sl_err(e, EINVAL,
				      "syscall group '%s' is both "
				      "allowed and denied",
				      group);
		sl_syscall_group(group, &members, &n);
		for (size_t k = 0; k < n; k++) {
			int64_t nr = sl_syscall_nr(members[k]);

			if (nr >= 0 &&
			    sl_u32v_contains(&l->single_nrs, (uint32_t)nr))
				return sl_err(e, EINVAL,
					      "syscall '%s' is denied "
					      "but its group '%s' is allowed",
					      members[k], group);
		}
	}
	return 0;
}

int sl_build_syscalls(struct sl_policy *p, struct sl_error *e)
{
	struct syscall_lists l = { 0 };
	int r;

	r = split_items(&p->extra_deny_syscalls, &l.deny);
	if (r == 0)
		r = split_items(&p->extra_allow_syscalls, &l.allow);
	if (r < 0)
		r = sl_err(e, -r, "out of memory");
	if (r == 0)
		r = resolve_deny(&l, e);
	if (r == 0)
		r = check_allow(&l, e);
	if (r == 0)
		r = check_conflicts(&l, e);
	if (r == 0) {
		p->allow_sysv_ipc = strv_has(&l.allow, "sysv_ipc");
		r = sl_default_deny_list(p->allow_sysv_ipc, &p->deny_syscalls);
		if (r == 0)
			r = sl_u32v_copy(&p->deny_syscalls, &l.deny_nrs);
		if (r < 0)
			r = sl_err(e, -r, "out of memory");
		else
			sl_u32v_sort_unique(&p->deny_syscalls);
	}
	lists_free(&l);
	return r;
}
