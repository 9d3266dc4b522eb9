/*
 * Files whose content the network policy decides (docs/behaviour.md 5.7, 5.8):
 * /etc/hosts naming the pinned addresses of the net_allow hostnames, and
 * /proc/net/tcp{,6} showing only the sockets of this sandbox's real ports
 * under port_remap. Both are served as sealed memory files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/network.h"
#include "handlers/opentarget.h"
#include "net/hostsfile.h"
#include "util/cleanup.h"

/* Opening for writing gets EACCES: the served file is not the host's. */
static bool wants_write(uint64_t flags)
{
	return (flags & O_ACCMODE) != O_RDONLY ||
	       (flags & (O_CREAT | O_TRUNC | O_APPEND));
}

/* ---- /etc/hosts --------------------------------------------------------- */

struct hosts_state {
	char *content;
	size_t len;
};

/* Only a policy naming hosts needs a pinned /etc/hosts; without one the
 * sandbox sees the host's file, if its grants let it read /etc. */
static bool hosts_active(const struct sl_policy *p)
{
	return sl_net_rules_have_hosts(&p->allow_rules);
}

static void open_family_syscalls(const struct sl_policy *p,
				 struct sl_nrset *set)
{
	sl_open_family_add(set);
}

static void hosts_fini(void *state)
{
	struct hosts_state *st = state;

	if (st)
		free(st->content);
	free(st);
}

static int hosts_init(struct sl_supervisor *sv, const struct sl_policy *p,
		      void **state)
{
	struct hosts_state *st = calloc(1, sizeof(*st));
	struct sl_net_ctx *ctx = sl_net_ctx_of(sv);
	int r;

	if (!st)
		return -ENOMEM;
	if (!ctx) {
		free(st);
		return -EINVAL;
	}
	r = sl_net_hosts_file(&ctx->hosts, NULL, 0, &st->content, &st->len);
	if (r < 0) {
		free(st);
		return r;
	}
	*state = st;
	return 0;
}

static int hosts_handle(void *state, const struct sl_notif *n,
			struct sl_action *out)
{
	struct hosts_state *st = state;
	_cleanup_(freep) char *path = NULL;
	uint64_t flags;
	int fd, r;

	r = sl_open_target(n, &path, &flags);
	if (r < 0 || strcmp(path, "/etc/hosts") != 0)
		return 0; /* not ours: the rest of the chain decides */
	if (wants_write(flags)) {
		out->kind = SL_ACT_ERRNO;
		out->error = EACCES;
		return 0;
	}
	fd = sl_sealed_memfd("hosts", st->content, st->len);
	if (fd < 0)
		return fd;
	sl_open_answer_fd(out, fd, flags);
	return 0;
}

const struct sl_handler_module sl_module_etc_hosts = {
	.name = "etc_hosts",
	.active = hosts_active,
	.syscalls = open_family_syscalls,
	.init = hosts_init,
	.handle = hosts_handle,
	.fini = hosts_fini,
};

/* ---- /proc/net/tcp{,6} under port_remap ------------------------------- */

/* Skip one path component made of digits; NULL if there is none. */
static const char *skip_digits(const char *p)
{
	const char *q = p;

	while (*q >= '0' && *q <= '9')
		q++;
	return q > p && *q == '/' ? q + 1 : NULL;
}

/* The table a path names: "/proc/net/tcp6", "/proc/self/net/tcp",
 * "/proc/<pid>/task/<tid>/net/tcp"... (one network namespace, one
 * table), else NULL. */
static const char *proc_net_table(const char *path)
{
	const char *p, *q;

	if (strncmp(path, "/proc/", 6) != 0)
		return NULL;
	p = path + 6;
	if (strncmp(p, "self/", 5) == 0)
		p += 5;
	else if (strncmp(p, "thread-self/", 12) == 0)
		p += 12;
	else if ((q = skip_digits(p))) {
		p = q;
		if (strncmp(p, "task/", 5) == 0 && (q = skip_digits(p + 5)))
			p = q;
	}
	if (strcmp(p, "net/tcp") == 0)
		return "/proc/net/tcp";
	if (strcmp(p, "net/tcp6") == 0)
		return "/proc/net/tcp6";
	return NULL;
}

/* Local port of one table line ("  0: 0100007F:1F90 ..."), or -1. */
static long line_local_port(const char *line)
{
	const char *c = strchr(line, ':');

	if (!c)
		return -1;
	c = strchr(c + 1, ':');
	if (!c)
		return -1;
	return strtol(c + 1, NULL, 16);
}

/* Stream the host's table, keeping the header and this sandbox's ports.
 * The host table can be large (a busy machine has thousands of sockets),
 * so it is never held in memory whole. */
static int filter_table(struct sl_portmap *pm, const char *path, char **out,
			size_t *outlen)
{
	_cleanup_(fclosep) FILE *in = fopen(path, "re");
	_cleanup_(fclosep) FILE *f = NULL;
	_cleanup_(freep) char *line = NULL;
	size_t linecap = 0;
	char *buf = NULL;
	size_t size = 0;
	bool header = true;
	ssize_t n;

	if (!in)
		return -errno;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	while ((n = getline(&line, &linecap, in)) > 0) {
		long port = header ? 0 : line_local_port(line);

		if (header || (port > 0 && port <= 65535 &&
			       sl_portmap_bound(pm, (uint16_t)port)))
			fwrite(line, 1, (size_t)n, f);
		header = false;
	}
	if (ferror(in)) {
		fclose(TAKE_PTR(f));
		free(buf);
		return -EIO;
	}
	if (fclose(TAKE_PTR(f)) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*outlen = size;
	return 0;
}

static bool procnet_active(const struct sl_policy *p)
{
	return p->port_remap;
}

static int procnet_init(struct sl_supervisor *sv, const struct sl_policy *p,
			void **state)
{
	struct sl_net_ctx *ctx = sl_net_ctx_of(sv);

	if (!ctx || !ctx->portmap)
		return -EINVAL;
	*state = ctx->portmap;
	return 0;
}

static int procnet_handle(void *state, const struct sl_notif *n,
			  struct sl_action *out)
{
	_cleanup_(freep) char *path = NULL, *filtered = NULL;
	const char *table;
	uint64_t flags;
	size_t len = 0;
	int fd, r;

	r = sl_open_target(n, &path, &flags);
	if (r < 0 || !(table = proc_net_table(path)))
		return 0;
	if (wants_write(flags)) {
		out->kind = SL_ACT_ERRNO;
		out->error = EACCES;
		return 0;
	}
	r = filter_table(state, table, &filtered, &len);
	if (r < 0)
		return r;
	fd = sl_sealed_memfd("tcp", filtered, len);
	if (fd < 0)
		return fd;
	sl_open_answer_fd(out, fd, flags);
	return 0;
}

const struct sl_handler_module sl_module_proc_net = {
	.name = "proc_net",
	.active = procnet_active,
	.syscalls = open_family_syscalls,
	.init = procnet_init,
	.handle = procnet_handle,
};
