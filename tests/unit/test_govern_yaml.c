/* test_govern_yaml: the located YAML tree (govern/yaml.h) and ward.yaml. */
#include <criterion/criterion.h>
#include <string.h>

#include "govern/repo.h"
#include "govern/yaml.h"

static int parse(ydoc *doc, const char *text, wdiags *d)
{
	diags_init(d);
	return ydoc_parse(doc, "t.yaml", text, strlen(text), d);
}

static void linecol(const ydoc *doc, wspan sp, uint32_t *l, uint32_t *c)
{
	source_linecol(&doc->src, sp.start, l, c);
}

Test(govern_yaml, tree_and_spans)
{
	ydoc doc;
	wdiags d;
	cr_assert_eq(parse(&doc, "a: 1\nb:\n  - x\n  - \"y z\"\nc: {k: v}\n", &d), 0);
	cr_assert_eq(doc.root->kind, Y_MAP);
	cr_assert_eq(doc.root->n, 3);
	const ynode *b = ynode_get(doc.root, "b");
	cr_assert_eq(b->kind, Y_SEQ);
	cr_assert_eq(b->n, 2);
	cr_expect_str_eq(b->items[1]->s, "y z");
	cr_expect(b->items[1]->quoted);
	cr_expect(!b->items[0]->quoted);
	uint32_t l, c;
	linecol(&doc, b->items[1]->span, &l, &c);
	cr_expect_eq(l, 4);
	cr_expect_eq(c, 5); /* the opening quote */
	linecol(&doc, doc.root->keys[2]->span, &l, &c);
	cr_expect_eq(l, 5);
	cr_expect_eq(c, 1);
	cr_expect_str_eq(ynode_get(ynode_get(doc.root, "c"), "k")->s, "v");
	cr_expect_null(ynode_get(doc.root, "zz"));
	ydoc_release(&doc);
	diags_release(&d);
}

Test(govern_yaml, json_is_accepted)
{
	ydoc doc;
	wdiags d;
	cr_assert_eq(parse(&doc, "{\"a\": [1, 2], \"b\": {\"c\": \"d\"}}", &d), 0);
	cr_expect_eq(ynode_get(doc.root, "a")->n, 2);
	ydoc_release(&doc);
	diags_release(&d);
}

static void expect_error(const char *text, const char *msg, uint32_t line)
{
	ydoc doc;
	wdiags d;
	cr_assert_eq(parse(&doc, text, &d), -1, "accepted: %s", text);
	cr_assert_geq(d.nerrors, 1);
	cr_expect(strstr(d.items[0].msg, msg) != NULL, "message '%s' lacks '%s'", d.items[0].msg, msg);
	if (line) {
		uint32_t l, c;
		source_linecol(d.items[0].src, d.items[0].span.start, &l, &c);
		cr_expect_eq(l, line, "line %u, expected %u for '%s'", l, line, msg);
	}
	ydoc_release(&doc);
	diags_release(&d);
}

Test(govern_yaml, rejected_inputs)
{
	expect_error("a: 1\na: 2\n", "duplicate key 'a'", 2);
	expect_error("a: &x 1\nb: *x\n", "anchors are not allowed", 1);
	expect_error("a: !!str 1\n", "tags are not allowed", 1);
	expect_error("a: 1\n---\nb: 2\n", "only one YAML document", 0);
	expect_error("a: [1, 2\nb: 3\n", "invalid YAML", 0);
	expect_error("? [a]\n: 1\n", "mapping keys must be plain strings", 1);
}

Test(govern_yaml, nul_byte_is_located)
{
	ydoc doc;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ydoc_parse(&doc, "t.yaml", "a: 1\nb: x\0y\n", 13, &d), -1);
	cr_expect_str_eq(d.items[0].msg, "NUL byte in YAML input");
	uint32_t l, c;
	source_linecol(d.items[0].src, d.items[0].span.start, &l, &c);
	cr_expect_eq(l, 2);
	cr_expect_eq(c, 5);
	ydoc_release(&doc);
	diags_release(&d);
}

/* libfyaml 0.7.12 loops forever on invalid UTF-8 in a directive line
 * (found by fuzz/fuzz_requirement); it must be rejected, located, first. */
Test(govern_yaml, invalid_utf8_is_rejected, .timeout = 10)
{
	static const char *const bad[] = {"% \x84", "a: 1\n% \x84\n", "a: |\n  x\n%Y \x84\n", "a: \"\xc3\"\n",
					  "a: \xed\xa0\x80\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ydoc doc;
		wdiags d;
		diags_init(&d);
		cr_assert_eq(ydoc_parse(&doc, "t.yaml", bad[i], strlen(bad[i]), &d), -1, "accepted input %zu", i);
		cr_expect(strncmp(d.items[0].msg, "invalid UTF-8 in YAML input", 27) == 0, "%s", d.items[0].msg);
		ydoc_release(&doc);
		diags_release(&d);
	}
	ydoc doc;
	wdiags d;
	diags_init(&d);
	cr_expect_eq(parse(&doc, "a: \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n", &d), 0);
	ydoc_release(&doc);
	diags_release(&d);
}

/* Single-quoted scalars are decoded by ward (libfyaml 0.7.12 leaks on five
 * or more `''` in a row, found by fuzz/fuzz_config): escapes and folding. */
Test(govern_yaml, single_quoted_scalars)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"a: 'it''s'\n", "it's"},
		{"a: 'x''''''''''y'\n", "x'''''y"},
		{"a: ''''''''''''\n", "'''''"},
		{"a: ''\n", ""},
		{"a: 'one  \n   two'\n", "one two"},
		{"a: 'one\n\n  two\n\n\n  three'\n", "one\ntwo\n\nthree"},
		{"a: ' lead and trail  '\n", " lead and trail  "},
		{"a: 'crlf\r\n  next'\n", "crlf next"},
		{"- 'x # not a comment'\n", "x # not a comment"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ydoc doc;
		wdiags d;
		cr_assert_eq(parse(&doc, cases[i].in, &d), 0, "%s", cases[i].in);
		const ynode *n = doc.root->kind == Y_MAP ? ynode_get(doc.root, "a") : doc.root->items[0];
		cr_assert_not_null(n);
		cr_expect(n->quoted);
		cr_expect_str_eq(n->s, cases[i].want, "%s", cases[i].in);
		cr_expect_eq(n->slen, strlen(cases[i].want));
		ydoc_release(&doc);
		diags_release(&d);
	}
}

Test(govern_yaml, nesting_limit)
{
	char buf[YDOC_MAX_DEPTH * 2 + 64];
	size_t n = 0;
	for (int i = 0; i < YDOC_MAX_DEPTH + 5; i++)
		buf[n++] = '[';
	buf[n] = '\0';
	ydoc doc;
	wdiags d;
	cr_assert_eq(parse(&doc, buf, &d), -1);
	cr_expect(strstr(d.items[0].msg, "nested too deeply") != NULL);
	ydoc_release(&doc);
	diags_release(&d);
}

Test(govern_yaml, check_keys_suggests)
{
	ydoc doc;
	wdiags d;
	cr_assert_eq(parse(&doc, "ownr: x\nzzz: y\n", &d), 0);
	static const char *const known[] = {"owner", "id", NULL};
	cr_expect_eq(ynode_check_keys(&doc, doc.root, known, "a thing", &d), 2);
	cr_expect_str_eq(d.items[0].msg, "unknown field 'ownr' in a thing; did you mean 'owner'?");
	cr_expect_str_eq(d.items[1].msg, "unknown field 'zzz' in a thing");
	ydoc_release(&doc);
	diags_release(&d);
}

static int config(repo *r, const char *text, wdiags *d)
{
	diags_init(d);
	return repo_parse_config(r, "ward.yaml", text, strlen(text), d);
}

Test(govern_yaml, ward_yaml_good)
{
	repo r;
	wdiags d;
	cr_assert_eq(config(&r,
			    "version: 1\nenvironments:\n  dev: {}\n  prod: {high_risk: true}\n"
			    "constraints:\n  nets: {type: ip-ranges}\n  until: {type: datetime, description: end}\n"
			    "model:\n  endpoint: http://localhost:1/v1\n  name: m\n  retries: 0\n"
			    "secrets:\n  allowlist: ['x']\n  entropy_threshold: 4.5\n"
			    "reviewers:\n  anything: [goes, here]\n",
			    &d),
		     0);
	cr_expect_eq(r.nenvs, 2);
	cr_expect(repo_find_env(&r, "prod")->high_risk);
	cr_expect(!repo_find_env(&r, "dev")->high_risk);
	cr_expect_eq(repo_find_constraint(&r, "nets")->type, GT_IP_RANGES);
	cr_expect_str_eq(repo_find_constraint(&r, "until")->description, "end");
	cr_expect_eq(r.model.retries, 0);
	cr_expect_float_eq(r.entropy_threshold, 4.5, 1e-9);
	cr_expect_eq(r.nallow, 1);
	repo_close(&r);
	diags_release(&d);
}

static void config_error(const char *text, const char *msg)
{
	repo r;
	wdiags d;
	cr_expect_eq(config(&r, text, &d), -1, "accepted: %s", text);
	int found = 0;
	for (size_t i = 0; i < d.n; i++)
		found |= strstr(d.items[i].msg, msg) != NULL;
	cr_expect(found, "no error '%s' for: %s (first: %s)", msg, text, d.n ? d.items[0].msg : "none");
	repo_close(&r);
	diags_release(&d);
}

Test(govern_yaml, ward_yaml_errors)
{
	config_error("environments: {dev: {}}\n", "needs 'version: 1'");
	config_error("version: 2\nenvironments: {dev: {}}\n", "'version' must be an integer from 1 to 1");
	config_error("version: 1\n", "needs 'environments'");
	config_error("version: 1\nenvironments: {}\n", "at least one environment");
	config_error("version: 1\nenvironments: {dev: {risky: true}}\n", "unknown field 'risky'");
	config_error("version: 1\nenvironments: {dev: {}}\nconstraints: {x: {type: ipranges}}\n",
		     "unknown constraint type 'ipranges'");
	config_error("version: 1\nenvironments: {dev: {}}\nconstraints: {Bad-Name: {type: bool}}\n",
		     "must use lowercase letters");
	config_error("version: 1\nenvironments: {dev: {}}\nmodel: {endpoint: ftp://x}\n", "http:// or https://");
	config_error("version: 1\nenvironments: {dev: {}}\nmodel: {api_key: sk-1}\n", "unknown field 'api_key'");
	config_error("version: 1\nenvironments: {dev: {}}\nsecrets: {entropy_threshold: 9}\n", "from 2 to 6");
	config_error("version: 1\nenvironments: {dev: {}}\nenvironmnts: 1\n", "did you mean 'environments'?");
	config_error("- a\n- b\n", "ward.yaml must be a mapping");
}
