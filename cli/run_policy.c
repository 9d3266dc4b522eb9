#include "run_policy.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abi/tool.h"
#include "cli.h"
#include "numparse.h"
#include "run_options.h"
#include "time_parse.h"
#include "util/bytesize.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/vec.h"

/* List options whose builder call replaces the whole list are gathered
 * here and applied once, so repeated flags accumulate like every other
 * list flag. */
struct policy_state {
	sandlock_builder_t *b;
	bool has_cpu_cores, has_gpu, gpu_all;
	struct sl_u32v cpu_cores, gpus;
};

static int parse_size(const struct cli_opt *o, uint64_t *out)
{
	struct sl_error e = { 0 };
	int r = sl_bytesize_parse(o->arg, out, &e);

	if (r < 0)
		r = cli_fail("--%s: %s", cli_opt_name(o->id),
			     e.msg ? e.msg : strerror(-r));
	sl_error_clear(&e);
	return r;
}

static int parse_branch_action(const struct cli_opt *o, uint8_t *out)
{
	static const char *const names[] = { "commit", "abort", "keep" };

	for (uint8_t i = 0; i < SL_ARRAY_SIZE(names); i++) {
		if (strcmp(o->arg, names[i]) == 0) {
			*out = i; /* SANDLOCK_BRANCH_COMMIT/ABORT/KEEP */
			return 0;
		}
	}
	return cli_fail("invalid --%s value '%s': expected commit | abort | "
			"keep",
			cli_opt_name(o->id), o->arg);
}

static int parse_protection(const struct cli_opt *o, uint32_t *out)
{
	char valid[256] = "";
	const char *why;

	if (sl_tool_protection_parse(o->arg, out) == 0) {
		why = sl_tool_protection_undisableable(*out);
		if (o->id == OPT_DISABLE && why)
			return cli_fail("--disable %s: %s cannot be disabled "
					"(%s); use --allow-degraded %s to run "
					"where the kernel lacks it",
					o->arg, sl_tool_protection_name(*out),
					why, sl_tool_protection_token(*out));
		return 0;
	}
	for (uint32_t p = 0; sl_tool_protection_token(p); p++) {
		if (p)
			strncat(valid, ", ", sizeof(valid) - strlen(valid) - 1);
		strncat(valid, sl_tool_protection_token(p),
			sizeof(valid) - strlen(valid) - 1);
	}
	return cli_fail("invalid --%s value '%s': expected one of: %s",
			cli_opt_name(o->id), o->arg, valid);
}

static int apply_env(struct policy_state *st, const char *arg)
{
	const char *eq = strchr(arg, '=');
	_cleanup_(freep) char *key = NULL;

	if (!eq || eq == arg)
		return cli_fail("--env requires KEY=VALUE, got: %s", arg);
	key = strndup(arg, (size_t)(eq - arg));
	if (!key)
		return cli_fail("out of memory");
	st->b = sandlock_sandbox_builder_env_var(st->b, key, eq + 1);
	return 0;
}

/* VIRTUAL:HOST[:ro|:rw] */
static int apply_mount(struct policy_state *st, const char *arg)
{
	size_t len = strlen(arg);
	bool ro = false;
	const char *colon;
	_cleanup_(freep) char *virt = NULL;
	_cleanup_(freep) char *host = NULL;

	if (len > 3 && (strcmp(arg + len - 3, ":ro") == 0 ||
			strcmp(arg + len - 3, ":rw") == 0)) {
		ro = arg[len - 2] == 'r' && arg[len - 1] == 'o';
		len -= 3;
	}
	colon = memchr(arg, ':', len);
	if (!colon || colon == arg || (size_t)(colon - arg) + 1 >= len)
		return cli_fail("invalid --fs-mount '%s': expected "
				"VIRTUAL:HOST[:ro]",
				arg);
	virt = strndup(arg, (size_t)(colon - arg));
	host = strndup(colon + 1, len - (size_t)(colon - arg) - 1);
	if (!virt || !host)
		return cli_fail("out of memory");
	st->b = ro ? sandlock_sandbox_builder_fs_mount_ro(st->b, virt, host) :
		     sandlock_sandbox_builder_fs_mount(st->b, virt, host);
	return 0;
}

static int collect_gpus(struct policy_state *st, const char *arg)
{
	st->has_gpu = true;
	if (strcasecmp(arg, "all") == 0) {
		st->gpu_all = true;
		return 0;
	}
	if (cli_parse_u32_list(arg, &st->gpus) < 0)
		return cli_fail("invalid --gpu '%s': invalid GPU index "
				"(expected all or N[,N...])",
				arg);
	return 0;
}

static int apply_user(struct policy_state *st, const char *arg)
{
	uint32_t uid, gid;

	if (cli_parse_uid_gid(arg, &uid, &gid) < 0)
		return cli_fail("invalid --user '%s': expected UID:GID", arg);
	st->b = sandlock_sandbox_builder_user(st->b, uid, gid);
	return 0;
}

static int apply_time_start(struct policy_state *st, const char *arg)
{
	const char *why;
	uint64_t t;

	if (cli_parse_rfc3339(arg, &t, &why) < 0)
		return cli_fail("invalid --time-start '%s': %s", arg, why);
	st->b = sandlock_sandbox_builder_time_start(st->b, t);
	return 0;
}

/* Options whose value needs interpretation before the builder call. */
static int apply_parsed(struct policy_state *st, const struct cli_opt *o)
{
	sandlock_builder_t *b = st->b;
	uint64_t size = 0;
	uint32_t prot = 0;
	uint8_t action = 0;
	int r;

	switch (o->id) {
	case OPT_MAX_MEMORY:
	case OPT_MAX_DISK:
		if ((r = parse_size(o, &size)))
			return r;
		st->b = o->id == OPT_MAX_MEMORY ?
				sandlock_sandbox_builder_max_memory(b, size) :
				sandlock_sandbox_builder_max_disk(b, size);
		return 0;
	case OPT_ON_EXIT:
	case OPT_ON_ERROR:
		if ((r = parse_branch_action(o, &action)))
			return r;
		st->b = o->id == OPT_ON_EXIT ?
				sandlock_sandbox_builder_on_exit(b, action) :
				sandlock_sandbox_builder_on_error(b, action);
		return 0;
	case OPT_ALLOW_DEGRADED:
	case OPT_DISABLE:
		if ((r = parse_protection(o, &prot)))
			return r;
		st->b = o->id == OPT_DISABLE ?
				sandlock_sandbox_builder_disable(b, prot) :
				sandlock_sandbox_builder_allow_degraded(b,
									prot);
		return 0;
	case OPT_CPU_CORES:
		st->has_cpu_cores = true;
		if (cli_parse_u32_list(o->arg, &st->cpu_cores) < 0)
			return cli_fail("out of memory"); /* syntax checked */
		return 0;
	case OPT_GPU:
		return collect_gpus(st, o->arg);
	case OPT_ENV:
		return apply_env(st, o->arg);
	case OPT_FS_MOUNT:
		return apply_mount(st, o->arg);
	case OPT_USER:
		return apply_user(st, o->arg);
	case OPT_TIME_START:
		return apply_time_start(st, o->arg);
	}
	return cli_fail("internal error: unhandled option --%s",
			cli_opt_name(o->id));
}

typedef sandlock_builder_t *(*text_setter)(sandlock_builder_t *, const char *);
typedef sandlock_builder_t *(*switch_setter)(sandlock_builder_t *, bool);

/* Options whose text goes to the builder as given (it validates). */
static const struct {
	int id;
	text_setter set;
} text_setters[] = {
	{ OPT_FS_READ, sandlock_sandbox_builder_fs_read },
	{ OPT_FS_WRITE, sandlock_sandbox_builder_fs_write },
	{ OPT_FS_DENY, sandlock_sandbox_builder_fs_deny },
	{ OPT_EXTRA_DENY_SYSCALL,
	  sandlock_sandbox_builder_extra_deny_syscalls },
	{ OPT_EXTRA_ALLOW_SYSCALL,
	  sandlock_sandbox_builder_extra_allow_syscalls },
	{ OPT_NET_ALLOW, sandlock_sandbox_builder_net_allow },
	{ OPT_NET_DENY, sandlock_sandbox_builder_net_deny },
	{ OPT_NET_ALLOW_BIND, sandlock_sandbox_builder_net_allow_bind },
	{ OPT_NET_DENY_BIND, sandlock_sandbox_builder_net_deny_bind },
	{ OPT_HTTP_ALLOW, sandlock_sandbox_builder_http_allow },
	{ OPT_HTTP_DENY, sandlock_sandbox_builder_http_deny },
	{ OPT_HTTP_CA, sandlock_sandbox_builder_http_ca },
	{ OPT_HTTP_KEY, sandlock_sandbox_builder_http_key },
	{ OPT_HTTP_INJECT_CA, sandlock_sandbox_builder_http_inject_ca },
	{ OPT_HTTP_CA_OUT, sandlock_sandbox_builder_http_ca_out },
	{ OPT_WORKDIR, sandlock_sandbox_builder_workdir },
	{ OPT_CWD, sandlock_sandbox_builder_cwd },
	{ OPT_FS_STORAGE, sandlock_sandbox_builder_fs_storage },
	{ OPT_CHROOT, sandlock_sandbox_builder_chroot },
};

/* Switches: they can only turn a feature on. */
static const struct {
	int id;
	switch_setter set;
} switch_setters[] = {
	{ OPT_PORT_REMAP, sandlock_sandbox_builder_port_remap },
	{ OPT_NO_RANDOMIZE_MEMORY,
	  sandlock_sandbox_builder_no_randomize_memory },
	{ OPT_NO_HUGE_PAGES, sandlock_sandbox_builder_no_huge_pages },
	{ OPT_NO_COREDUMP, sandlock_sandbox_builder_no_coredump },
	{ OPT_DETERMINISTIC_DIRS, sandlock_sandbox_builder_deterministic_dirs },
	{ OPT_CLEAN_ENV, sandlock_sandbox_builder_clean_env },
};

/* Integer options; their range was checked by the parser. Returns 1 when
 * the option is not one of them. */
static int apply_number(struct policy_state *st, const struct cli_opt *o)
{
	sandlock_builder_t *b = st->b;

	switch (o->id) {
	case OPT_HTTP_PORT:
		b = sandlock_sandbox_builder_http_port(b, (uint16_t)o->num);
		break;
	case OPT_MAX_PROCESSES:
		b = sandlock_sandbox_builder_max_processes(b, (uint32_t)o->num);
		break;
	case OPT_MAX_OPEN_FILES:
		b = sandlock_sandbox_builder_max_open_files(b,
							    (unsigned)o->num);
		break;
	case OPT_CPU:
		b = sandlock_sandbox_builder_max_cpu(b, (uint8_t)o->num);
		break;
	case OPT_NUM_CPUS:
		b = sandlock_sandbox_builder_num_cpus(b, (uint32_t)o->num);
		break;
	case OPT_RANDOM_SEED:
		b = sandlock_sandbox_builder_random_seed(b, o->num);
		break;
	default:
		return 1;
	}
	st->b = b;
	return 0;
}

/* Options that map straight onto one builder call. Returns 1 when the
 * option is not one of them. */
static int apply_direct(struct policy_state *st, const struct cli_opt *o)
{
	for (size_t i = 0; i < SL_ARRAY_SIZE(text_setters); i++) {
		if (text_setters[i].id == o->id) {
			st->b = text_setters[i].set(st->b, o->arg);
			return 0;
		}
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(switch_setters); i++) {
		if (switch_setters[i].id == o->id) {
			st->b = switch_setters[i].set(st->b, true);
			return 0;
		}
	}
	return apply_number(st, o);
}

/* "0-3,6" */
static void render_cpus(const cpu_set_t *set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && len < size; c++) {
		int last = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		len += (size_t)snprintf(buf + len, size - len,
					last > c ? "%s%d-%d" : "%s%d",
					len ? "," : "", c, last);
		c = last;
	}
}

/* The kernel refuses an affinity mask without any CPU this process may
 * use, which would only surface as the child's failure: say it here,
 * naming the CPUs there are. */
static int check_cpu_cores(const struct policy_state *st)
{
	cpu_set_t allowed;
	char avail[128];

	if (!st->has_cpu_cores ||
	    sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return 0; /* more CPUs than a cpu_set_t: let the kernel say */
	for (size_t i = 0; i < st->cpu_cores.n; i++)
		if (st->cpu_cores.v[i] < CPU_SETSIZE &&
		    CPU_ISSET(st->cpu_cores.v[i], &allowed))
			return 0;
	render_cpus(&allowed, avail, sizeof(avail));
	return cli_fail("--cpu-cores: none of the given CPUs is available "
			"(this process may use CPUs %s)",
			avail);
}

static void apply_lists(struct policy_state *st)
{
	if (st->has_cpu_cores)
		st->b = sandlock_sandbox_builder_cpu_cores(
			st->b, st->cpu_cores.v, (uint32_t)st->cpu_cores.n);
	if (st->has_gpu) {
		/* An empty list means every GPU (docs/abi.md 3.4). */
		uint32_t n = st->gpu_all ? 0 : (uint32_t)st->gpus.n;

		st->b = sandlock_sandbox_builder_gpu_devices(st->b, st->gpus.v,
							     n);
	}
}

static int apply_all(struct policy_state *st, const struct cli_run_args *a)
{
	int r;

	for (size_t i = 0; i < a->nopts; i++) {
		const struct cli_opt *o = &a->opts[i];
		char why[64];

		if (!cli_opt_in_range(cli_run_opt_spec(o->id), o->num, why,
				      sizeof(why)))
			return cli_fail("invalid --%s value '%s': %s",
					cli_opt_name(o->id), o->arg, why);
		r = apply_direct(st, o);
		if (r == 1)
			r = apply_parsed(st, o);
		if (r)
			return r;
		if (!st->b)
			return cli_fail("out of memory");
		/* After the value's own checks, so a bad value is named
		 * as such. */
		if (cli_opt_unsupported(cli_run_opt_spec(o->id)))
			return cli_fail("--%s is not supported yet",
					cli_opt_name(o->id));
	}
	r = check_cpu_cores(st);
	if (r)
		return r;
	apply_lists(st);
	return st->b ? 0 : cli_fail("out of memory");
}

int cli_build_policy(const struct cli_run_args *a, sandlock_sandbox_t **out)
{
	struct policy_state st = { .b = sandlock_sandbox_builder_new() };
	char *msg = NULL;
	int err = 0, r;

	if (!st.b)
		return cli_fail("out of memory");
	r = apply_all(&st, a);
	sl_u32v_free(&st.cpu_cores);
	sl_u32v_free(&st.gpus);
	if (r) {
		/* The builder has no free function: building consumes it. */
		sandlock_sandbox_free(sandlock_sandbox_build(st.b, NULL, NULL));
		return r;
	}
	*out = sandlock_sandbox_build(st.b, &err, &msg);
	if (!*out) {
		r = cli_fail("%s", msg ? msg : "invalid sandbox configuration");
		sandlock_string_free(msg);
		return r;
	}
	return 0;
}
