#include "fs/defer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/dispatch.h"
#include "supervisor/notif.h"
#include "supervisor/worker.h"

struct fs_job {
	struct sl_worker_job job;
	struct sl_fs_view *v;
	struct sl_fs_req *req;
	sl_fs_op_fn fn;
	unsigned flags;
	bool approved; /* by the policy gate, before the job */
};

/* The built-ins let the call through: the dispatch goes on. */
static void job_back(struct sl_worker_job *j)
{
	struct fs_job *fj = (struct fs_job *)j;

	sl_supervisor_after_builtins(fj->v->sv, &j->req, fj->approved);
}

static void job_free(struct sl_worker_job *j)
{
	struct fs_job *fj = (struct fs_job *)j;

	sl_fs_req_free(fj->req);
	free(fj);
}

static void job_run(struct sl_worker_job *j, int listener)
{
	struct fs_job *fj = (struct fs_job *)j;
	struct sl_notif_cache cache = { .fs = fj->req };
	struct sl_notif n = { .req = &j->req,
			      .listener = listener,
			      .cache = &cache };
	struct sl_fd_dir d = SL_FD_DIR_INIT;
	struct sl_creds_cache *creds = NULL;
	struct sl_action a = { .kind = SL_ACT_CONTINUE, .srcfd = -1 };
	struct sl_fs_call c;
	int r;

	if (sl_worker_cancelled(j))
		return;
	sl_fs_view_worker(j);
	r = sl_creds_cache_new(SL_CREDS_FRESH, &creds);
	if (r == 0) {
		sl_creds_cache_foreign_userns(creds, fj->v->foreign_userns);
		r = sl_fs_call_begin(&c, fj->v, &n, creds, &d, false);
		c.job = j;
		if (r == 0)
			r = fj->fn(&c, fj->flags, &a);
		/* A failed restore marks this worker (it acts for no sandbox
		 * again); what the call did is still its answer. */
		(void)sl_fs_call_end(&c);
	}
	sl_creds_cache_free(creds);
	sl_fd_dir_close(&d);
	sl_fs_view_worker(NULL);
	/* the request stays ours (the job frees it) */
	cache.fs = NULL;
	if (r == -ECANCELED || sl_worker_cancelled(j)) {
		if (a.kind == SL_ACT_INJECT_SEND)
			close(a.srcfd);
		return; /* withdrawn, or the run is over */
	}
	if (r < 0) {
		a = (struct sl_action){ .kind = SL_ACT_ERRNO,
					.error = -r,
					.srcfd = -1 };
	}
	if (a.kind == SL_ACT_CONTINUE) {
		/* what comes after the built-ins (the policy gate, custom
		 * handlers) decides on the loop */
		j->back = job_back;
		return;
	}
	sl_notif_respond(listener, j->req.id, (pid_t)j->req.pid, &a);
}

int sl_fs_run(struct sl_fs_view *v, const struct sl_notif *n, sl_fs_op_fn fn,
	      unsigned flags, struct sl_action *out)
{
	return sl_fs_run_creds(v, n, fn, flags, NULL, out);
}

bool sl_fs_call_gate(struct sl_fs_call *c, struct sl_action *out)
{
	return c->nonblock && sl_supervisor_gate_first(c->n, NULL, 0, out);
}

int sl_fs_run_creds(struct sl_fs_view *v, const struct sl_notif *n,
		    sl_fs_op_fn fn, unsigned flags,
		    struct sl_creds_cache *creds, struct sl_action *out)
{
	struct sl_workers *w;
	struct sl_fs_call c;
	struct fs_job *fj;
	int r;

	r = sl_fs_call_begin_loop(&c, v, n, creds);
	if (r == 0)
		r = fn(&c, flags, out);
	(void)sl_fs_call_end(&c); /* as in job_run */
	if (r != -EAGAIN || !c.req)
		return r;
	if (sl_supervisor_gate_first(n, NULL, 0, out))
		return 0;
	/* It would wait: in a worker, from the start. */
	w = sl_supervisor_workers(v->sv);
	fj = calloc(1, sizeof(*fj));
	if (!w || !fj) {
		free(fj);
		return -EAGAIN;
	}
	fj->v = v;
	fj->fn = fn;
	fj->flags = flags;
	fj->approved = n->parked && n->parked->approved;
	fj->req = sl_fs_req_dup(c.req);
	fj->job.run = job_run;
	fj->job.free = job_free;
	fj->job.req = *n->req;
	if (!fj->req || sl_workers_submit(w, &fj->job) < 0) {
		job_free(&fj->job);
		return -EAGAIN;
	}
	memset(out, 0, sizeof(*out));
	out->kind = SL_ACT_HOLD;
	out->srcfd = -1;
	return 0;
}
