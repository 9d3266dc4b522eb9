/*
 * The filesystem modules (fsview.c, fsdeny.c, fsmeta.c, fswatch.c) share
 * the run's filesystem view (src/fs/view.h), owned by the fsview module,
 * which comes first of them in the chain.
 */
#ifndef SL_HANDLERS_FSVIEW_H
#define SL_HANDLERS_FSVIEW_H

#include <stdbool.h>

#include "fs/view.h"
#include "supervisor/dispatch.h"

extern const struct sl_handler_module sl_module_fsview;
extern const struct sl_handler_module sl_module_fsdeny;

/* The run's view (NULL if the fsview module is not active). */
struct sl_fs_view *sl_fs_view_of(struct sl_supervisor *sv);
/* init of a module whose state is the view itself. */
int sl_fs_view_module_init(struct sl_supervisor *sv, const struct sl_policy *p,
			   void **state);

/* Does the policy have filesystem grants or denials (then Landlock
 * leaves metadata writes and watches to the supervisor)? */
bool sl_fs_policy_confines(const struct sl_policy *p);

/* In a worker, where the copy-on-write module found that a call it took
 * over does not concern its workdir: what fsdeny (open, exec, the calls
 * on names, truncate) and fsmeta (metadata writes) would have decided on
 * the event loop. 0 with out CONTINUE when they have nothing to say. */
int sl_fsdeny_decide(struct sl_fs_call *c, struct sl_action *out);
/* fsdeny's call performed on the child's behalf whatever the policy, on
 * the objects the call's resolution found (the kernel would not find
 * them: a path through a staged symlink of a copy-on-write workdir). */
int sl_fsdeny_perform(struct sl_fs_call *c, struct sl_action *out);
int sl_fsmeta_decide(struct sl_fs_call *c, struct sl_action *out);

/* Answers. */
void sl_fs_answer_value(struct sl_action *out, int64_t v);
void sl_fs_answer_continue(struct sl_action *out);

#endif
