#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "run_options.h"

static const char main_usage[] =
	"Usage: sandlock <COMMAND> [ARGS...]\n"
	"\n"
	"Run programs in a lightweight sandbox built from Landlock, seccomp-bpf\n"
	"and seccomp user notification. No root, no namespaces, no daemon.\n"
	"\n"
	"Commands:\n"
	"  run [OPTIONS] [--] CMD [ARGS...]  run a command in a sandbox\n"
	"  check                             print kernel feature support\n"
	"  ps                                list running sandboxes (not supported yet)\n"
	"  inspect NAME [--toml]             print a sandbox's policy (not supported yet)\n"
	"  kill NAME                         kill a sandbox (not supported yet)\n"
	"  profile list|show|delete          manage profiles (not supported yet)\n"
	"  learn [OPTIONS] -- CMD            generate a profile (not supported yet)\n"
	"  help [COMMAND]                    print this help, or COMMAND's\n"
	"\n"
	"Options:\n"
	"  -h, --help     print this help\n"
	"  -V, --version  print the version\n"
	"\n";

static const char run_synopsis[] =
	"Usage: sandlock run [OPTIONS] [--] CMD [ARGS...]\n";

static const char run_epilogue[] =
	"\n"
	"PROTECTION is one of fs-refer, fs-truncate, net-tcp, fs-ioctl-dev,\n"
	"signal-scope, abstract-unix-socket-scope. SIZE is bytes or a number\n"
	"with a K, M or G suffix.\n"
	"\n"
	"Usual grants: -r /usr -r /lib -r /lib64 -r /bin -r /etc for programs,\n"
	"their dynamic loader and libraries; -w /dev/null; a writable scratch\n"
	"directory passed as TMPDIR (-w DIR --env TMPDIR=DIR).\n"
	"\n"
	"Privileges: even when started by root, the command keeps at most the\n"
	"capabilities container runtimes give root by default, less MKNOD and\n"
	"NET_RAW: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID,\n"
	"SETPCAP, SETFCAP, NET_BIND_SERVICE, SYS_CHROOT, AUDIT_WRITE; every other\n"
	"capability is removed from all sets, bounding and ambient included.\n"
	"Processes of the sandbox are killed at its end, timed out, throttled and\n"
	"counted whatever their session or process group. Ctrl-Z stops the\n"
	"command and this tool together; fg continues both.\n"
	"\n"
	"Policy callbacks and custom syscall handlers (a host program deciding\n"
	"execs, opens and connects while the sandbox runs) are available through\n"
	"the C library and the Go SDK, not from this tool.\n"
	"\n"
	"Exit status: the command's own; 1 if it was killed by a signal or the\n"
	"configuration is invalid; 2 for a usage error; 124 on --timeout; 127\n"
	"if the sandbox could not be set up or the command could not be\n"
	"started in it.\n";

/* "-r, --fs-read <PATH>" or "    --fs-deny <PATH>" */
static int format_flag(char *buf, size_t size, const struct cli_opt_spec *s)
{
	char shortpart[5] = "    ";

	if (s->short_name)
		snprintf(shortpart, sizeof(shortpart), "-%c, ", s->short_name);
	return snprintf(buf, size, "%s--%s%s%s%s", shortpart, s->long_name,
			s->metavar ? " <" : "", s->metavar ? s->metavar : "",
			s->metavar ? ">" : "");
}

static void print_run_options(FILE *f)
{
	char flag[128];
	int width = 0;

	for (unsigned i = 0; i < cli_run_opt_count; i++) {
		int n = format_flag(flag, sizeof(flag), &cli_run_opt_specs[i]);

		if (n > width)
			width = n;
	}
	fputs("\nOptions:\n", f);
	for (unsigned i = 0; i < cli_run_opt_count; i++) {
		const struct cli_opt_spec *s = &cli_run_opt_specs[i];

		format_flag(flag, sizeof(flag), s);
		/* The marks come from the library's table of features not
		 * built yet, so they cannot drift from what is refused. */
		fprintf(f, "  %-*s  %s%s\n", width, flag, s->help,
			cli_opt_unsupported(s) ? " (not supported yet)" : "");
	}
	fprintf(f, "  %-*s  %s\n", width, "    -- CMD [ARGS...]",
		"the command to run");
}

void cli_usage_run(FILE *f)
{
	fputs(run_synopsis, f);
	print_run_options(f);
	fputs(run_epilogue, f);
}

void cli_usage_main(FILE *f)
{
	fputs(main_usage, f);
	cli_usage_run(f);
}

int cli_usage_error(const char *sub, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sandlock%s%s: ", sub ? " " : "", sub ? sub : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sandlock %s%s--help' for more information.\n",
		sub ? sub : "", sub ? " " : "");
	return CLI_EXIT_USAGE;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAILURE;
}
