/* HTTP ACL rule syntax (docs/behaviour.md 6.1). */
#include "harness.h"
#include "policy/httprule.h"
#include "policy/policy.h"

static const struct {
	const char *rule;
	const char *method, *host, *path;
	bool prefix;
} valid[] = {
	{ "GET api.example.com/v1/*", "GET", "api.example.com", "/v1/*", true },
	{ "* */admin/*", "*", "*", "/admin/*", true },
	{ "POST api.openai.com/v1/chat/completions", "POST", "api.openai.com",
	  "/v1/chat/completions", false },
	{ "GET example.com", "GET", "example.com", "/*", true },
	{ "get Example.COM/A", "GET", "example.com", "/A", false },
	{ "  PUT\t h/a/./b/../c  ", "PUT", "h", "/a/c", false },
	{ "GET h/a/%2e%2e/b", "GET", "h", "/b", false },
	{ "GET h/%7euser", "GET", "h", "/~user", false },
	{ "GET h/%zz/%4", "GET", "h", "/%zz/%4", false },
	{ "GET h//a//b/", "GET", "h", "/a/b", false },
	{ "GET h/../../x", "GET", "h", "/x", false },
	{ "GET h/", "GET", "h", "/", false },
	{ "GET h/*", "GET", "h", "/*", true },
	{ "GET h/v1*", "GET", "h", "/v1*", true },
	{ "GET h/v1/../*", "GET", "h", "/*", true },
};

static const char *const invalid[] = {
	"",	     "   ",	"GET",	      "GET ",	      "GETexample.com",
	"GET /path", "GET a b", "GET  a/b c", "GET h/%2e%00", "GET h/a%00/*",
};

TEST(valid_rules)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct sl_http_rule r;
		struct sl_error e = { 0 };

		if (sl_http_rule_parse(valid[i].rule, &r, &e) != 0)
			FAIL("'%s' rejected: %s", valid[i].rule, e.msg);
		CHECK_STR(r.method, valid[i].method);
		CHECK_STR(r.host, valid[i].host);
		CHECK_STR(r.path, valid[i].path);
		CHECK_EQ_INT(r.prefix, valid[i].prefix);
		sl_http_rule_free(&r);
	}
}

TEST(invalid_rules)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct sl_http_rule r;
		struct sl_error e = { 0 };

		if (sl_http_rule_parse(invalid[i], &r, &e) != -EINVAL)
			FAIL("'%s' accepted", invalid[i]);
		CHECK_CONTAINS(e.msg, "invalid http rule");
		CHECK(r.method == NULL && r.host == NULL && r.path == NULL);
		sl_error_clear(&e);
	}
}

TEST(path_normalization)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "/" },	     { "/", "/" },	    { "/../..", "/" },
		{ "a/b", "/a/b" },   { "/a/./b/", "/a/b" }, { "/a/b/..", "/a" },
		{ "/%41%2F", "/A" }, { "/x%", "/x%" },	    { "/x%4", "/x%4" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = sl_http_path_normalize(cases[i].in,
						 strlen(cases[i].in));

		CHECK_STR(s, cases[i].out);
		free(s);
	}
}
