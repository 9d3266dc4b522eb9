#include "run_args.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "numparse.h"
#include "run_options.h"
#include "util/cleanup.h"
#include "util/vec.h"

const char *cli_opt_name(int id)
{
	const struct cli_opt_spec *s = cli_run_opt_spec(id);

	return s ? s->long_name : "?";
}

/* getopt_long tables derived from cli_run_opt_specs. The leading "+" stops
 * at the first operand, so flags of the sandboxed command (after an
 * optional "--") are never taken for ours; ":" reports a missing value
 * distinctly. */
static int build_tables(struct option **longopts, char **shortopts)
{
	_cleanup_(freep) struct option *lo = NULL;
	_cleanup_(freep) char *so = NULL;
	size_t ns = 0;

	lo = calloc(cli_run_opt_count + 1, sizeof(*lo));
	so = malloc(2 + 2 * cli_run_opt_count + 1);
	if (!lo || !so)
		return -ENOMEM;
	so[ns++] = '+';
	so[ns++] = ':';
	for (unsigned i = 0; i < cli_run_opt_count; i++) {
		const struct cli_opt_spec *s = &cli_run_opt_specs[i];
		int has_arg = s->type == CLI_VAL_NONE ? no_argument :
							required_argument;

		lo[i] = (struct option){ s->long_name, has_arg, NULL, s->id };
		if (s->short_name) {
			so[ns++] = s->short_name;
			if (has_arg == required_argument)
				so[ns++] = ':';
		}
	}
	so[ns] = '\0';
	*longopts = TAKE_PTR(lo);
	*shortopts = TAKE_PTR(so);
	return 0;
}

/* getopt_long accepts unambiguous prefixes of long names ("--fs-r"); the
 * documented interface has only full names, so a prefix is refused rather
 * than silently guessed. */
static bool is_full_long_name(const char *token, const char *name)
{
	size_t len = strlen(name);

	return strncmp(token, "--", 2) == 0 &&
	       strncmp(token + 2, name, len) == 0 &&
	       (token[2 + len] == '\0' || token[2 + len] == '=');
}

static int bad_value(const struct cli_opt_spec *s, const char *arg,
		     const char *why)
{
	return cli_usage_error("run", "invalid value '%s' for '--%s <%s>': %s",
			       arg, s->long_name, s->metavar, why);
}

/* Check the integer types the command line itself fixes. */
static int check_typed_value(const struct cli_opt_spec *s, const char *arg,
			     uint64_t *num)
{
	uint64_t max = cli_val_max(s->type);
	int r;

	switch (s->type) {
	case CLI_VAL_NONE:
	case CLI_VAL_TEXT:
		return 0;
	case CLI_VAL_U32_LIST: {
		struct sl_u32v tmp = { 0 };

		r = cli_parse_u32_list(arg, &tmp);
		sl_u32v_free(&tmp);
		if (r == -ENOMEM)
			return cli_fail("out of memory");
		if (r < 0)
			return bad_value(s, arg,
					 "expected N[,N...] of "
					 "non-negative integers");
		return 0;
	}
	default:
		break;
	}
	r = cli_parse_u64(arg, max, num);
	if (r == -ERANGE) {
		char why[64];

		/* Name the range the flag accepts, not its type's. */
		if (cli_opt_in_range(s, UINT64_MAX, why, sizeof(why)))
			snprintf(why, sizeof(why),
				 "number too large (max %llu)",
				 (unsigned long long)max);
		return bad_value(s, arg, why);
	}
	if (r < 0)
		return bad_value(s, arg, "not a non-negative integer");
	return 0;
}

static int push_opt(struct cli_run_args *a, int id, const char *arg,
		    uint64_t num)
{
	struct cli_opt *n;

	n = reallocarray(a->opts, a->nopts + 1, sizeof(*n));
	if (!n)
		return cli_fail("out of memory");
	a->opts = n;
	a->opts[a->nopts++] = (struct cli_opt){ id, arg, num };
	return 0;
}

static void take_tool_option(struct cli_run_args *a, int id, const char *arg,
			     uint64_t num)
{
	switch (id) {
	case OPT_NAME:
		a->name = arg;
		break;
	case OPT_EXEC_SHELL:
		a->exec_shell = arg;
		break;
	case OPT_TIMEOUT:
		a->has_timeout = true;
		a->timeout_secs = num;
		break;
	case OPT_STATUS_FD:
		a->has_status_fd = true;
		a->status_fd = (int)num;
		break;
	case OPT_HELP:
		a->help = true;
		break;
	case OPT_INTERACTIVE:
		break; /* stdio is always inherited */
	case OPT_DRY_RUN:
		a->dry_run = true;
		break;
	}
}

static int take_option(struct cli_run_args *a, const struct cli_opt_spec *s,
		       const char *arg, bool *has_profile, bool *has_file)
{
	uint64_t num = 0;
	int r = check_typed_value(s, arg, &num);

	if (r)
		return r;
	if (s->id == OPT_PROFILE)
		*has_profile = true;
	if (s->id == OPT_PROFILE_FILE)
		*has_file = true;
	switch (s->role) {
	case CLI_ROLE_POLICY:
		return push_opt(a, s->id, arg, num);
	case CLI_ROLE_UNSUPPORTED:
		if (!a->unsupported)
			a->unsupported = s->long_name;
		return 0;
	default:
		take_tool_option(a, s->id, arg, num);
		return 0;
	}
}

static int unknown_option(char **argv, int prev_optind)
{
	if (optopt > 0 && optopt < 256)
		return cli_usage_error("run", "unknown option '-%c'", optopt);
	if (optopt >= 256)
		return cli_usage_error("run", "option '--%s' takes no value",
				       cli_opt_name(optopt));
	return cli_usage_error("run", "unknown option '%s'", argv[prev_optind]);
}

static int missing_value(int id)
{
	const struct cli_opt_spec *s = cli_run_opt_spec(id);

	if (!s)
		return cli_usage_error("run", "an option requires a value");
	return cli_usage_error("run", "option '--%s' requires a value <%s>",
			       s->long_name, s->metavar);
}

int cli_run_args_parse(int argc, char **argv, struct cli_run_args *a)
{
	_cleanup_(freep) struct option *longopts = NULL;
	_cleanup_(freep) char *shortopts = NULL;
	bool has_profile = false, has_file = false;

	memset(a, 0, sizeof(*a));
	a->status_fd = -1;
	if (build_tables(&longopts, &shortopts) < 0)
		return cli_fail("out of memory");

	optind = 0; /* full re-initialisation of getopt's state */
	opterr = 0; /* messages are ours */
	for (;;) {
		int prev = optind ? optind : 1;
		int idx = -1, c, r;

		c = getopt_long(argc, argv, shortopts, longopts, &idx);
		if (c == -1)
			break;
		if (c == '?')
			return unknown_option(argv, prev);
		if (c == ':')
			return missing_value(optopt);
		if (idx >= 0 &&
		    !is_full_long_name(argv[prev], longopts[idx].name))
			return cli_usage_error("run", "unknown option '%s'",
					       argv[prev]);
		r = take_option(a, cli_run_opt_spec(c), optarg, &has_profile,
				&has_file);
		if (r)
			return r;
		if (a->help)
			return 0;
	}
	if (has_profile && has_file)
		return cli_usage_error("run", "'--profile' cannot be used with "
					      "'--profile-file'");
	a->cmd = argv + optind;
	a->ncmd = (size_t)(argc - optind);
	return 0;
}

void cli_run_args_free(struct cli_run_args *a)
{
	free(a->opts);
	a->opts = NULL;
	a->nopts = 0;
}
