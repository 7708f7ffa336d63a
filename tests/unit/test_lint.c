/* Unit tests for the lint rules (lint.c): each rule fires on a policy made
 * to break it and stays quiet on a clean one; severities come from
 * ward.yaml; JSON output; SARIF 2.1.0 output checked against the structure
 * the SARIF 2.1.0 schema requires (and GitHub code scanning reads).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "analysis/lint.h"
#include "cedar/parser.h"
#include "govern/yaml.h"

static wctx cx;
static wentities es;
static wdiags dg;
static went_index *ix;
static wpolicyset ps, base;
static wlint_config cfg;
static wlint l;

static const char *ENTITIES = "["
	"{\"uid\":{\"type\":\"Human\",\"id\":\"alice\"},\"attrs\":{\"name\":\"alice\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Human\",\"id\":\"bob\"},\"attrs\":{\"name\":\"bob\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"ServiceAccount\",\"id\":\"svc\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Agent\",\"id\":\"bot\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Folder\",\"id\":\"prodf\"},\"attrs\":{\"environment\":\"prod\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d1\"},\"attrs\":{\"environment\":\"dev\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d2\"},\"attrs\":{\"environment\":\"dev\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"p1\"},\"attrs\":{\"environment\":\"prod\"},"
	" \"parents\":[{\"type\":\"Folder\",\"id\":\"prodf\"}]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"read\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"write\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"delete\"},\"attrs\":{},\"parents\":[]}"
	"]";

#define T "@ticket(\"T-1\") @justification(\"j\") @owner(\"o\")\n"

static const char *POLICIES =
	"@id(\"any\") permit(principal, action, resource);\n"
	"@id(\"like\") " T "permit(principal == Human::\"alice\", action == Action::\"read\", resource == Doc::\"d1\")\n"
	"  when { principal.name like \"*\" };\n"
	"@id(\"unless\") " T "permit(principal == Human::\"alice\", action == Action::\"write\", resource == Doc::\"d1\")\n"
	"  unless { context.blocked };\n"
	"@id(\"prod\") " T "permit(principal == Human::\"alice\", action == Action::\"read\", resource in Folder::\"prodf\");\n"
	"@id(\"prod-ok\") " T "permit(principal == Human::\"bob\", action == Action::\"read\", resource in Folder::\"prodf\")\n"
	"  when { resource.environment == \"prod\" };\n"
	"@id(\"old\") " T "@expires(\"2020-01-01\")\n"
	"permit(principal == Human::\"alice\", action == Action::\"read\", resource == Doc::\"d2\");\n"
	"@id(\"bg\") " T "@kind(\"break-glass\")\n"
	"permit(principal == Human::\"bob\", action == Action::\"delete\", resource == Doc::\"d2\") when { context.mfa };\n"
	"@id(\"sa-mfa\") " T "permit(principal == ServiceAccount::\"svc\", action == Action::\"read\", resource == Doc::\"d2\")\n"
	"  when { context.mfa };\n"
	"@id(\"agent-del\") " T "permit(principal is Agent, action in [Action::\"read\", Action::\"delete\"], resource == Doc::\"d2\");\n"
	"@id(\"dead\") " T "permit(principal == Human::\"alice\", action == Action::\"read\", resource == Doc::\"d1\")\n"
	"  when { principal.name == \"nobody\" };\n"
	"@id(\"dup\") " T "permit(principal == Human::\"alice\", action == Action::\"read\", resource == Doc::\"d2\")\n"
	"  when { context.x };\n"
	"@id(\"bob-write\") " T "permit(principal == Human::\"bob\", action == Action::\"write\", resource == Doc::\"d2\");\n"
	"@id(\"no-bob-write\") forbid(principal == Human::\"bob\", action == Action::\"write\", resource);\n";

static void setup(void)
{
	ctx_init(&cx);
	entities_init(&es);
	diags_init(&dg);
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "e.json", ENTITIES, strlen(ENTITIES), &dg), 0);
	ix = ent_index_new(&cx, &es, NULL);
	policyset_init(&ps);
	policyset_init(&base);
	lint_config_default(&cfg);
	cfg.now_ms = 1767225600000LL; /* 2026-01-01 */
	lint_init(&l);
}

static void teardown(void)
{
	lint_release(&l);
	lint_config_release(&cfg);
	policyset_release(&ps);
	policyset_release(&base);
	ent_index_free(ix);
	diags_release(&dg);
	entities_release(&es);
	ctx_release(&cx);
}

TestSuite(lint, .init = setup, .fini = teardown);

static void parse(wpolicyset *p, const char *text)
{
	cr_assert_eq(parse_policies(&cx, p, "policies/bad.cedar", text, strlen(text), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(p, &dg), 0);
}

/* Number of findings of rule `r` about policy `id`. */
static int count(wlint_rule r, const char *id)
{
	int n = 0;
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].rule == r && strcmp(l.items[i].policy->id, id) == 0)
			n++;
	return n;
}

static int count_rule(wlint_rule r)
{
	int n = 0;
	for (size_t i = 0; i < l.n; i++)
		n += l.items[i].rule == r;
	return n;
}

Test(lint, every_rule_fires_where_it_should)
{
	parse(&ps, POLICIES);
	cr_assert_eq(lint_run(&cfg, ix, &ps, NULL, &l, &dg), 0);
	cr_expect_eq(count(WL_UNCONSTRAINED_PRINCIPAL, "any"), 1);
	cr_expect_eq(count(WL_UNCONSTRAINED_ACTION, "any"), 1);
	cr_expect_eq(count(WL_UNCONSTRAINED_RESOURCE, "any"), 1);
	cr_expect_eq(count(WL_MISSING_TRACEABILITY, "any"), 1);
	cr_expect_eq(count_rule(WL_MISSING_TRACEABILITY), 1, "forbids and annotated permits are exempt");
	cr_expect_eq(count_rule(WL_UNCONSTRAINED_PRINCIPAL), 1);
	cr_expect_eq(count(WL_WILDCARD_LIKE, "like"), 1);
	cr_expect_eq(count(WL_PERMIT_UNLESS, "unless"), 1);
	cr_expect_eq(count(WL_PROD_NO_ENVIRONMENT, "prod"), 1);
	cr_expect_eq(count(WL_PROD_NO_ENVIRONMENT, "prod-ok"), 0);
	cr_expect_eq(count(WL_PROD_NO_ENVIRONMENT, "any"), 1, "an unconstrained resource reaches prod");
	cr_expect_eq(count(WL_EXPIRED, "old"), 1);
	cr_expect_eq(count(WL_BREAK_GLASS_NO_EXPIRY, "bg"), 1);
	cr_expect_eq(count(WL_HUMAN_ONLY_CONDITION, "sa-mfa"), 1);
	cr_expect_eq(count(WL_HUMAN_ONLY_CONDITION, "bg"), 0, "MFA on a person is fine");
	cr_expect_eq(count(WL_AGENT_DESTRUCTIVE, "agent-del"), 1);
	cr_expect_eq(count(WL_VACUOUS, "dead"), 1);
	cr_expect_eq(count_rule(WL_VACUOUS), 0 + 1);
	cr_expect_eq(count(WL_REDUNDANT, "dup"), 1, "'old' and 'any' allow it unconditionally");
	cr_expect_eq(count(WL_SHADOWED, "bob-write"), 1);
	cr_expect_eq(count(WL_SHADOWED, "any"), 0);
	/* messages and hints name the policy and say what to do */
	for (size_t i = 0; i < l.n; i++) {
		cr_expect(strstr(l.items[i].msg, l.items[i].policy->id), "%s", l.items[i].msg);
		cr_expect_not_null(l.items[i].help);
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].rule == WL_AGENT_DESTRUCTIVE)
			cr_expect_str_eq(l.items[i].msg, "permit 'agent-del' lets an AI agent perform delete");
}

Test(lint, clean_policy_has_no_findings)
{
	parse(&ps, "@id(\"ok\") " T "permit(principal == Human::\"alice\", action == Action::\"read\", resource == "
		   "Doc::\"d1\") when { context.mfa };\n");
	cr_assert_eq(lint_run(&cfg, ix, &ps, NULL, &l, &dg), 0);
	cr_expect_eq(l.n, 0);
	wbuf b = WBUF_INIT;
	lint_print_text(&l, &b);
	cr_expect_str_eq(b.p, "0 errors, 0 warnings, 0 notes\n");
	buf_release(&b);
}

Test(lint, text_output_is_located)
{
	parse(&ps, "@id(\"any\") " T "permit(principal, action == Action::\"read\", resource == Doc::\"d1\");\n");
	cr_assert_eq(lint_run(&cfg, NULL, &ps, NULL, &l, &dg), 0);
	cr_assert_eq(l.n, 1);
	wbuf b = WBUF_INIT;
	lint_print_text(&l, &b);
	cr_expect(strstr(b.p, "policies/bad.cedar:2:8: warning: [W001 unconstrained-principal] permit 'any' applies to "
			      "any principal\n"),
		  "%s", b.p);
	cr_expect(strstr(b.p, "  help: name the principals"), "%s", b.p);
	cr_expect(strstr(b.p, "0 errors, 1 warning, 0 notes\n"), "%s", b.p);
	buf_release(&b);
}

Test(lint, hidden_characters)
{
	/* U+202E in a comment above "a", U+200B in a string of "a", U+00AD in an
	 * annotation of "b"; "c" has only ordinary non-ASCII text (accents, CJK,
	 * an emoji) and an escape that only names a hidden character */
	parse(&ps, "// fine \xe2\x80\xae }; evil\n"
		   "@id(\"a\") " T "permit(principal == Human::\"alice\xe2\x80\x8b\", action == Action::\"read\", "
		   "resource == Doc::\"d1\");\n"
		   "@id(\"b\") @ticket(\"T-\xc2\xad" "1\") @justification(\"j\") @owner(\"o\")\n"
		   "permit(principal == Human::\"bob\", action == Action::\"read\", resource == Doc::\"d1\");\n"
		   "@id(\"c\") " T "permit(principal == Human::\"caf\xc3\xa9 \xe6\x9d\xb1 \xf0\x9f\x94\x91 \\u{202e}\", "
		   "action == Action::\"read\", resource == Doc::\"d1\");\n");
	cr_assert_eq(lint_run(&cfg, NULL, &ps, NULL, &l, &dg), 0);
	cr_expect_eq(count(WL_HIDDEN_CHARACTERS, "a"), 2);
	cr_expect_eq(count(WL_HIDDEN_CHARACTERS, "b"), 1);
	cr_expect_eq(count(WL_HIDDEN_CHARACTERS, "c"), 0, "ordinary non-ASCII text and escapes are fine");
	cr_expect_eq(count_rule(WL_HIDDEN_CHARACTERS), 3);
	wbuf b = WBUF_INIT;
	lint_print_text(&l, &b);
	cr_expect(strstr(b.p, "policies/bad.cedar:1:9: error: [W016 hidden-characters] U+202E RIGHT-TO-LEFT OVERRIDE "
			      "in a comment of 'a'"), "%s", b.p);
	cr_expect(strstr(b.p, "U+200B ZERO WIDTH SPACE in a string of 'a'"), "%s", b.p);
	cr_expect(strstr(b.p, "U+00AD SOFT HYPHEN in a string of 'b'"), "%s", b.p);
	buf_release(&b);
	/* off in ward.yaml: silent */
	lint_release(&l);
	lint_init(&l);
	cfg.sev[WL_HIDDEN_CHARACTERS] = WLINT_OFF;
	cr_assert_eq(lint_run(&cfg, NULL, &ps, NULL, &l, &dg), 0);
	cr_expect_eq(count_rule(WL_HIDDEN_CHARACTERS), 0);
}

Test(lint, severities_from_ward_yaml)
{
	static const char *Y = "environments:\n  live: {high_risk: true}\n  dev: {}\n"
			       "lint:\n  rules:\n    W001: off\n    permit-unless: error\n"
			       "  agent_types: [Robot]\n";
	ydoc doc;
	memset(&doc, 0, sizeof doc);
	cr_assert_eq(lint_config_yaml(&cfg, &doc, "ward.yaml", Y, strlen(Y), &dg), 0);
	cr_expect_eq(cfg.sev[WL_UNCONSTRAINED_PRINCIPAL], WLINT_OFF);
	cr_expect_eq(cfg.sev[WL_PERMIT_UNLESS], WSEV_ERROR);
	cr_expect_eq(cfg.nhigh_risk_envs, 1);
	cr_expect_str_eq(cfg.high_risk_envs[0], "live");
	parse(&ps, POLICIES);
	cr_assert_eq(lint_run(&cfg, ix, &ps, NULL, &l, &dg), 0);
	cr_expect_eq(count_rule(WL_UNCONSTRAINED_PRINCIPAL), 0);
	cr_expect_eq(count_rule(WL_PROD_NO_ENVIRONMENT), 0, "prod is not high-risk in this config");
	cr_expect_eq(count_rule(WL_AGENT_DESTRUCTIVE), 0, "Agent is not an agent type in this config");
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].rule == WL_PERMIT_UNLESS)
			cr_expect_eq(l.items[i].sev, WSEV_ERROR);
	lint_config_release(&cfg);
	ydoc_release(&doc);
	lint_config_default(&cfg);
}

Test(lint, bad_ward_yaml_is_located)
{
	static const char *Y = "lint:\n  rules:\n    W999: error\n    W001: loud\n";
	ydoc doc;
	memset(&doc, 0, sizeof doc);
	cr_expect_eq(lint_config_yaml(&cfg, &doc, "ward.yaml", Y, strlen(Y), &dg), 2);
	wbuf b = WBUF_INIT;
	diags_render(&dg, &b);
	cr_expect(strstr(b.p, "ward.yaml:3:5: error: unknown lint rule 'W999'"), "%s", b.p);
	cr_expect(strstr(b.p, "ward.yaml:4:11: error: invalid severity for lint rule 'W001'"), "%s", b.p);
	buf_release(&b);
	ydoc_release(&doc);
}

Test(lint, guardrail_removed_or_weakened)
{
	parse(&base, "@id(\"g1\") forbid(principal, action == Action::\"delete\", resource) unless { context.mfa };\n"
		     "@id(\"g2\") forbid(principal is Agent, action, resource);\n"
		     "@id(\"g3\") forbid(principal == Human::\"bob\", action, resource == Doc::\"d1\");\n"
		     "@id(\"p\") " T "permit(principal, action == Action::\"delete\", resource == Doc::\"d1\");\n");
	parse(&ps, "@id(\"g1\") forbid(principal, action == Action::\"delete\", resource)\n"
		   "  unless { context.mfa || context.vpn };\n"
		   "@id(\"g3\") forbid(principal == Human::\"bob\", action, resource == Doc::\"d1\") when { context.x };\n"
		   "@id(\"p\") " T "permit(principal, action == Action::\"delete\", resource == Doc::\"d1\");\n");
	cr_assert_eq(lint_run(&cfg, ix, &ps, &base, &l, &dg), 0);
	cr_expect_eq(count(WL_GUARDRAIL_WEAKENED, "g1"), 1);
	cr_expect_eq(count(WL_GUARDRAIL_WEAKENED, "g2"), 1);
	cr_expect_eq(count(WL_GUARDRAIL_WEAKENED, "g3"), 1);
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].rule == WL_GUARDRAIL_WEAKENED && strcmp(l.items[i].policy->id, "g2") == 0)
			cr_expect(strstr(l.items[i].msg, "removed"));
	/* strengthening a guardrail is fine */
	lint_release(&l);
	lint_init(&l);
	wpolicyset strong;
	policyset_init(&strong);
	parse(&strong, "@id(\"g1\") forbid(principal, action == Action::\"delete\", resource);\n"
		       "@id(\"g2\") forbid(principal is Agent, action, resource);\n"
		       "@id(\"g3\") forbid(principal == Human::\"bob\", action, resource == Doc::\"d1\");\n"
		       "@id(\"p\") " T "permit(principal, action == Action::\"delete\", resource == Doc::\"d1\");\n");
	cr_assert_eq(lint_run(&cfg, ix, &strong, &base, &l, &dg), 0);
	cr_expect_eq(count_rule(WL_GUARDRAIL_WEAKENED), 0);
	policyset_release(&strong);
}

Test(lint, json_output)
{
	parse(&ps, POLICIES);
	cr_assert_eq(lint_run(&cfg, ix, &ps, NULL, &l, &dg), 0);
	wbuf b = WBUF_INIT;
	lint_print_json(&l, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	json_t *f = json_object_get(j, "findings");
	cr_expect_eq(json_array_size(f), l.n);
	json_t *first = json_array_get(f, 0);
	cr_expect_str_eq(json_string_value(json_object_get(first, "file")), "policies/bad.cedar");
	cr_expect(json_integer_value(json_object_get(first, "line")) >= 1);
	cr_expect_eq((size_t)json_integer_value(json_object_get(json_object_get(j, "summary"), "errors")), l.nerrors);
	json_decref(j);
	buf_release(&b);
}

/* ---- SARIF 2.1.0: the structure the schema requires ---------------------------- */

static bool is_level(const char *s)
{
	return s && (!strcmp(s, "none") || !strcmp(s, "note") || !strcmp(s, "warning") || !strcmp(s, "error"));
}

static void check_sarif(json_t *doc, size_t nresults)
{
	/* sarifLog: required version ("2.1.0") and runs (array) */
	cr_assert(json_is_object(doc));
	cr_expect_str_eq(json_string_value(json_object_get(doc, "version")), "2.1.0");
	cr_expect(json_is_string(json_object_get(doc, "$schema")));
	json_t *runs = json_object_get(doc, "runs");
	cr_assert(json_is_array(runs) && json_array_size(runs) == 1);
	json_t *run = json_array_get(runs, 0);
	/* run: required tool; tool: required driver; driver: required name */
	json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
	cr_assert(json_is_object(driver));
	cr_expect_str_eq(json_string_value(json_object_get(driver, "name")), "ward");
	/* reportingDescriptor: required id; unique ids */
	json_t *rules_ = json_object_get(driver, "rules");
	cr_assert(json_is_array(rules_));
	cr_expect_eq(json_array_size(rules_), WL__COUNT);
	for (size_t i = 0; i < json_array_size(rules_); i++) {
		json_t *r = json_array_get(rules_, i);
		cr_expect(json_is_string(json_object_get(r, "id")));
		for (size_t k = 0; k < i; k++)
			cr_expect(strcmp(json_string_value(json_object_get(r, "id")),
					 json_string_value(json_object_get(json_array_get(rules_, k), "id"))));
		json_t *sd = json_object_get(r, "shortDescription");
		cr_expect(json_is_string(json_object_get(sd, "text")), "message objects need text");
		cr_expect(is_level(json_string_value(json_object_get(json_object_get(r, "defaultConfiguration"), "level"))));
	}
	/* result: required message (with text); ruleId and ruleIndex consistent */
	json_t *results = json_object_get(run, "results");
	cr_assert(json_is_array(results));
	cr_expect_eq(json_array_size(results), nresults);
	for (size_t i = 0; i < json_array_size(results); i++) {
		json_t *r = json_array_get(results, i);
		cr_expect(json_is_string(json_object_get(json_object_get(r, "message"), "text")));
		cr_expect(is_level(json_string_value(json_object_get(r, "level"))));
		json_int_t idx = json_integer_value(json_object_get(r, "ruleIndex"));
		cr_assert(idx >= 0 && (size_t)idx < json_array_size(rules_));
		cr_expect_str_eq(json_string_value(json_object_get(r, "ruleId")),
				 json_string_value(json_object_get(json_array_get(rules_, (size_t)idx), "id")));
		json_t *locs = json_object_get(r, "locations");
		cr_assert(json_is_array(locs) && json_array_size(locs) >= 1);
		json_t *pl = json_object_get(json_array_get(locs, 0), "physicalLocation");
		const char *uri = json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri"));
		cr_assert_not_null(uri);
		/* GitHub code scanning: a relative path from the repository root */
		cr_expect(uri[0] != '/' && !strstr(uri, "://") && !strchr(uri, ' ') && !strchr(uri, ':'), "uri %s", uri);
		json_t *reg = json_object_get(pl, "region");
		json_int_t sl = json_integer_value(json_object_get(reg, "startLine"));
		json_int_t sc = json_integer_value(json_object_get(reg, "startColumn"));
		json_int_t el = json_integer_value(json_object_get(reg, "endLine"));
		json_int_t ec = json_integer_value(json_object_get(reg, "endColumn"));
		cr_expect(sl >= 1 && sc >= 1 && el >= sl && (el > sl || ec > sc), "region %lld:%lld-%lld:%lld",
			  (long long)sl, (long long)sc, (long long)el, (long long)ec);
	}
	/* nothing outside the schema at the top level */
	const char *key;
	json_t *v;
	json_object_foreach(doc, key, v)
		cr_expect(!strcmp(key, "$schema") || !strcmp(key, "version") || !strcmp(key, "runs"), "key %s", key);
}

Test(lint, sarif_2_1_0_structure)
{
	static const char *P = "@id(\"any\") permit(principal, action, resource);\n"
			       "@id(\"like\") permit(principal == Human::\"bob\", action == Action::\"read\", resource == "
			       "Doc::\"d1\")\n  when { principal.name like \"*\" };\n";
	cr_assert_eq(parse_policies(&cx, &ps, "HEAD:policies/a b.cedar", P, strlen(P), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(&ps, &dg), 0);
	cr_assert_eq(lint_run(&cfg, ix, &ps, NULL, &l, &dg), 0);
	cr_assert(l.n >= 5);
	wbuf b = WBUF_INIT;
	lint_print_sarif(&l, NULL, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, JSON_REJECT_DUPLICATES, &je);
	cr_assert_not_null(j, "%s", je.text);
	check_sarif(j, l.n);
	json_t *r0 = json_array_get(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(json_array_get(json_object_get(r0, "locations"), 0),
								 "physicalLocation"),
						 "artifactLocation"),
				 "uri")),
			 "policies/a%20b.cedar");
	json_decref(j);
	buf_release(&b);
	/* an empty report is still a valid log */
	wlint empty;
	lint_init(&empty);
	b = (wbuf)WBUF_INIT;
	lint_print_sarif(&empty, NULL, &b);
	j = json_loads(b.p, 0, &je);
	cr_assert_not_null(j);
	check_sarif(j, 0);
	json_decref(j);
	buf_release(&b);
}
