/* Host resolution, the synthetic /etc/hosts and the port-map JSON. */
#include <arpa/inet.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "net/hostsfile.h"
#include "net/portmap.h"
#include "net/resolve.h"

static int parse(struct sl_net_rules *rules, const char *const *specs)
{
	int r = 0;

	for (size_t i = 0; specs[i] && r == 0; i++)
		r = sl_net_rule_parse(specs[i], true, rules, NULL);
	return r;
}

TEST(localhost_resolves_from_etc_hosts)
{
	struct sl_net_rules rules = { 0 };
	struct sl_net_hosts hs = { 0 };
	struct sl_error e = { 0 };
	const char *specs[] = { "localhost:80", "tcp://127.0.0.1:81",
				"udp://localhost:53", NULL };
	const struct sl_net_host *h;
	bool has_v4 = false;

	CHECK_EQ_INT(parse(&rules, specs), 0);
	CHECK(sl_net_rules_have_hosts(&rules));
	CHECK_EQ_INT(sl_net_resolve(&rules, &hs, &e), 0);
	/* One entry per distinct name, whatever the number of rules. */
	CHECK_EQ_INT(hs.n, 1);
	h = sl_net_hosts_find(&hs, "localhost");
	CHECK(h != NULL);
	CHECK(h->naddrs >= 1);
	for (uint32_t i = 0; i < h->naddrs; i++) {
		char t[SL_IP_STRLEN];

		sl_ip_format(&h->addrs[i], t);
		if (strcmp(t, "127.0.0.1") == 0)
			has_v4 = true;
		for (uint32_t k = 0; k < i; k++)
			CHECK(!sl_ip_equal(&h->addrs[i], &h->addrs[k]));
	}
	CHECK(has_v4);
	sl_net_hosts_free(&hs);
	sl_net_rules_free(&rules);
	sl_error_clear(&e);
}

TEST(unresolvable_host_names_itself)
{
	pid_t pid;
	int status;

	/* A private network namespace: the resolver fails without sending
	 * anything off the machine. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct sl_net_rules rules = { 0 };
		struct sl_net_hosts hs = { 0 };
		struct sl_error e = { 0 };
		const char *specs[] = { "localhost:1",
					"sandlock-test.invalid:80", NULL };

		if (unshare(CLONE_NEWNET) < 0)
			_exit(3);
		if (parse(&rules, specs) < 0)
			_exit(4);
		if (sl_net_resolve(&rules, &hs, &e) == 0 || hs.n != 0)
			_exit(5);
		if (!e.msg || !strstr(e.msg, "failed to resolve host "
					     "'sandlock-test.invalid'"))
			_exit(6);
		sl_error_clear(&e);
		sl_net_rules_free(&rules);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		SKIP("cannot create a network namespace");
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
}

TEST(rules_without_hosts_resolve_nothing)
{
	struct sl_net_rules rules = { 0 };
	struct sl_net_hosts hs = { 0 };
	const char *specs[] = { "*:80", "10.0.0.0/8", "[::1]:22", NULL };

	CHECK_EQ_INT(parse(&rules, specs), 0);
	CHECK(!sl_net_rules_have_hosts(&rules));
	CHECK_EQ_INT(sl_net_resolve(&rules, &hs, NULL), 0);
	CHECK_EQ_INT(hs.n, 0);
	sl_net_rules_free(&rules);
}

TEST(hosts_file_plain)
{
	struct sl_ip a[2];
	uint8_t raw[16] = { 0 };
	struct sl_net_host h[2] = {
		{ .name = (char *)"api.test", .addrs = a, .naddrs = 2 },
		{ .name = (char *)"db.test", .addrs = a, .naddrs = 1 },
	};
	struct sl_net_hosts hs = { .v = h, .n = 2 };
	char *out = NULL;
	size_t len = 0;

	inet_pton(AF_INET, "10.1.2.3", raw);
	sl_ip_set(&a[0], AF_INET, raw);
	inet_pton(AF_INET6, "2001:db8::7", raw);
	sl_ip_set(&a[1], AF_INET6, raw);
	CHECK_EQ_INT(sl_net_hosts_file(&hs, NULL, 0, &out, &len), 0);
	CHECK_STR(out, "127.0.0.1 localhost\n::1 localhost\n"
		       "10.1.2.3 api.test\n2001:db8::7 api.test\n"
		       "10.1.2.3 db.test\n");
	CHECK_EQ_INT(len, strlen(out));
	free(out);
}

TEST(hosts_file_without_hosts_is_loopback_only)
{
	char *out = NULL;
	size_t len = 0;

	CHECK_EQ_INT(sl_net_hosts_file(NULL, NULL, 0, &out, &len), 0);
	CHECK_STR(out, "127.0.0.1 localhost\n::1 localhost\n");
	free(out);
}

TEST(hosts_file_keeps_image_and_completes_loopback)
{
	const char *img = "# 127.0.0.1 localhost in a comment\n"
			  "127.0.0.1\tlocalhost box\n10.0.0.9 gw";
	char *out = NULL;
	size_t len = 0;

	CHECK_EQ_INT(sl_net_hosts_file(NULL, img, strlen(img), &out, &len), 0);
	CHECK_STR(out, "# 127.0.0.1 localhost in a comment\n"
		       "127.0.0.1\tlocalhost box\n10.0.0.9 gw\n"
		       "::1 localhost\n");
	free(out);

	img = "# ::1 localhost\n::1 ip6-localhost\n";
	CHECK_EQ_INT(sl_net_hosts_file(NULL, img, strlen(img), &out, &len), 0);
	CHECK_STR(out, "# ::1 localhost\n::1 ip6-localhost\n"
		       "127.0.0.1 localhost\n::1 localhost\n");
	free(out);
}

TEST(port_mappings_json)
{
	struct sl_portmap *pm = NULL;
	char *json;
	uint16_t v = 0, r = 0;

	CHECK(sl_net_port_mappings_json(NULL) == NULL);
	CHECK_EQ_INT(sl_portmap_new(&pm), 0);
	/* Identity binds are remembered as bound, but are no mapping. */
	CHECK_EQ_INT(sl_portmap_record(pm, 8080, 8080), 0);
	CHECK(sl_portmap_bound(pm, 8080));
	CHECK(sl_net_port_mappings_json(pm) == NULL);
	CHECK_EQ_INT(sl_portmap_record(pm, 443, 40002), 0);
	CHECK_EQ_INT(sl_portmap_record(pm, 80, 40001), 0);
	json = sl_net_port_mappings_json(pm);
	CHECK_STR(json, "{\"80\":40001,\"443\":40002}");
	free(json);
	CHECK_EQ_INT(sl_portmap_real_for(pm, 80), 40001);
	CHECK_EQ_INT(sl_portmap_real_for(pm, 81), 81);
	CHECK(sl_portmap_virtual_of(pm, 40002, &v));
	CHECK_EQ_INT(v, 443);
	CHECK(!sl_portmap_virtual_of(pm, 8080, &v));
	CHECK(sl_portmap_mapped(pm, 443, &r));
	CHECK_EQ_INT(r, 40002);
	/* A rebind that got its own port back drops the mapping. */
	CHECK_EQ_INT(sl_portmap_record(pm, 443, 443), 0);
	CHECK(!sl_portmap_mapped(pm, 443, &r));
	json = sl_net_port_mappings_json(pm);
	CHECK_STR(json, "{\"80\":40001}");
	free(json);
	CHECK(sl_portmap_bound(pm, 40002));
	CHECK(!sl_portmap_bound(pm, 40003));
	sl_portmap_free(pm);
}

TEST(port_mappings_json_full_width)
{
	struct sl_portmap *pm = NULL;
	char *json;

	CHECK_EQ_INT(sl_portmap_new(&pm), 0);
	for (uint32_t p = 65535; p > 65535 - 300; p--)
		CHECK_EQ_INT(sl_portmap_record(pm, (uint16_t)p,
					       (uint16_t)(p - 10000)),
			     0);
	json = sl_net_port_mappings_json(pm);
	CHECK(json != NULL);
	CHECK_EQ_INT(strlen(json), 2 + 300 * strlen("\"65535\":55535") + 299);
	CHECK(strstr(json, "\"65535\":55535}") != NULL);
	free(json);
	sl_portmap_free(pm);
}
