#include "lib/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lu_out(const sandlock_result_t *r)
{
	char *s = sandlock_result_stdout(r);
	char *copy = strdup(s ? s : "");

	sandlock_string_free(s);
	return copy;
}

char *lu_err(const sandlock_result_t *r)
{
	char *s = sandlock_result_stderr(r);
	char *copy = strdup(s ? s : "");

	sandlock_string_free(s);
	return copy;
}

void hrun_with(const sandlock_sandbox_t *sb, const char *const *argv,
	       const sandlock_handler_registration_t *regs, size_t n,
	       struct hrun *o)
{
	unsigned argc = 0;
	sandlock_result_t *r;

	memset(o, 0, sizeof(*o));
	o->code = -1;
	while (argv[argc])
		argc++;
	r = regs ? sandlock_run_with_handlers(sb, NULL, argv, argc, regs, n) :
		   sandlock_run(sb, NULL, argv, argc);
	if (!r)
		return;
	o->ok = true;
	o->reason = sandlock_result_reason(r);
	o->code = sandlock_result_exit_code(r);
	o->sig = sandlock_result_signal(r);
	o->out = lu_out(r);
	o->err = lu_err(r);
	sandlock_result_free(r);
}

void hrun_handlers(sandlock_builder_t *b, const char *const *argv,
		   const sandlock_handler_registration_t *regs, size_t n,
		   struct hrun *o)
{
	int err = 0;
	char *msg = NULL;
	sandlock_sandbox_t *sb = sandlock_sandbox_build(b, &err, &msg);

	if (!sb) {
		memset(o, 0, sizeof(*o));
		o->code = -1;
		o->build_err = msg ? msg : strdup("build failed");
		return;
	}
	hrun_with(sb, argv, regs, n, o);
	sandlock_sandbox_free(sb);
}

void hrun(sandlock_builder_t *b, const char *const *argv, struct hrun *o)
{
	hrun_handlers(b, argv, NULL, 0, o);
}

void hrun_free(struct hrun *o)
{
	free(o->out);
	free(o->err);
	free(o->build_err);
	memset(o, 0, sizeof(*o));
}

char *run_in(sandlock_builder_t *b, const char *const *argv)
{
	struct hrun o;
	char *out;

	hrun(b, argv, &o);
	if (!o.ok) {
		fprintf(stderr, "  sandbox did not run: %s\n",
			o.build_err ? o.build_err : "spawn failed");
		hrun_free(&o);
		return strdup("(did not run)");
	}
	out = o.out;
	o.out = NULL;
	if (o.err[0])
		fprintf(stderr, "  (stderr: %s)\n", o.err);
	hrun_free(&o);
	return out;
}
