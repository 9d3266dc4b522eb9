/*
 * --net-allow-bind through the CLI: the listed TCP port can be bound, any
 * other is refused by the kernel (EACCES). Loopback only.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"
#include "lib/cli.h"
#include "lib/net.h"

#define PYTHON "/usr/bin/python3"

/* Bind 127.0.0.1:<argv[1]> and report; -S skips site imports. */
static const char bind_script[] =
	"import socket, sys\n"
	"s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
	"s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
	"try:\n"
	"    s.bind(('127.0.0.1', int(sys.argv[1])))\n"
	"except OSError as e:\n"
	"    print('bind failed:', e.strerror, file=sys.stderr)\n"
	"    sys.exit(3)\n"
	"print('bound')\n";

static int try_bind(struct cli_result *r, const char *allowed, const char *port)
{
	struct cli_args a = { .n = 0 };

	cli_args_add(&a, "run", NULL);
	cli_args_add_system(&a);
	if (allowed)
		cli_args_add(&a, "--net-allow-bind", allowed, NULL);
	cli_args_add(&a, "--", PYTHON, "-S", "-c", bind_script, port, NULL);
	return cli_exec(r, &a);
}

TEST(net_allow_bind_allows_one_port_and_denies_another)
{
	char allowed[16], other[16];
	int p1 = nu_free_port(), p2 = nu_free_port();
	struct cli_result r;

	if (access(PYTHON, X_OK) != 0)
		FAIL(PYTHON " is needed by this test (make deps installs it)");
	CHECK(p1 > 0 && p2 > 0);
	if (p1 == p2)
		p2 = p1 == 65535 ? p1 - 1 : p1 + 1;
	snprintf(allowed, sizeof(allowed), "%d", p1);
	snprintf(other, sizeof(other), "%d", p2);

	CHECK_EQ_INT(try_bind(&r, allowed, allowed), 0);
	CHECK_EXIT(&r, 0);
	CHECK_STR(r.out, "bound\n");
	cli_result_free(&r);

	CHECK_EQ_INT(try_bind(&r, allowed, other), 0);
	CHECK_EXIT(&r, 3);
	CHECK_CONTAINS(r.err, "bind failed: Permission denied");
	cli_result_free(&r);
}

TEST(tcp_bind_is_denied_by_default)
{
	char port[16];
	int p = nu_free_port();
	struct cli_result r;

	if (access(PYTHON, X_OK) != 0)
		FAIL(PYTHON " is needed by this test (make deps installs it)");
	CHECK(p > 0);
	snprintf(port, sizeof(port), "%d", p);
	CHECK_EQ_INT(try_bind(&r, NULL, port), 0);
	CHECK_EXIT(&r, 3);
	CHECK_CONTAINS(r.err, "bind failed: Permission denied");
	cli_result_free(&r);

	/* A range and "*" are accepted too. */
	CHECK_EQ_INT(try_bind(&r, "*", port), 0);
	CHECK_EXIT(&r, 0);
	cli_result_free(&r);
}
