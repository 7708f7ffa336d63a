/* Tests of policy tests (govern/testrun.h): the YAML test-file format
 * (fixtures from files and inline, bare action names, determined_by), pass
 * and fail, coverage counts, reports (text, JSON, JUnit), every located
 * bad-input error (malformed YAML, unknown fields, entities, actions and
 * policy ids), and the tests generated from a requirement in a throwaway
 * policy repository.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cedar/parser.h"
#include "govern/repo.h"
#include "govern/requirement.h"
#include "govern/testrun.h"

static const char *SCHEMA = "entity Team;\n"
			    "entity User in [Team] { dept: String };\n"
			    "entity Doc { env: String };\n"
			    "type Ctx = { ip: ipaddr, mfa: Bool };\n"
			    "action read, write appliesTo { principal: [User], resource: [Doc], context: Ctx };\n";

static const char *POLICIES = "@id(\"ops-read\")\n"
			      "permit(principal in Team::\"ops\", action == Action::\"read\", resource)\n"
			      "  when { context.ip.isInRange(ip(\"10.0.0.0/8\")) };\n"
			      "@id(\"no-write-without-mfa\")\n"
			      "forbid(principal, action == Action::\"write\", resource) unless { context.mfa };\n"
			      "@id(\"writers\")\n"
			      "permit(principal, action == Action::\"write\", resource) when { principal.dept == \"eng\" };\n";

typedef struct fx {
	wctx cx;
	wpolicyset ps;
	wschema schema;
	wtrun t;
} fx;

static void fx_init(fx *f, const char *policies)
{
	ctx_init(&f->cx);
	policyset_init(&f->ps);
	schema_init(&f->schema);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&f->cx, &f->ps, "p.cedar", policies, strlen(policies), &d), 0);
	cr_assert_eq(policyset_use_annotation_ids(&f->ps, &d), 0);
	cr_assert_eq(schema_parse(&f->cx, &f->schema, "s.cedarschema", SCHEMA, strlen(SCHEMA), &d), 0);
	diags_release(&d);
	testrun_init(&f->t, &f->cx, &f->ps, &f->schema, NULL);
}

static void fx_release(fx *f)
{
	testrun_release(&f->t);
	schema_release(&f->schema);
	policyset_release(&f->ps);
	ctx_release(&f->cx);
}

static char *rendered(const wdiags *d)
{
	wbuf b = WBUF_INIT;
	diags_render(d, &b);
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

static int load(fx *f, const char *text)
{
	return testrun_load(&f->t, "t.yaml", text, strlen(text));
}

static const char *INLINE_ENTS = "entities:\n"
				 "  - uid: Team::\"ops\"\n"
				 "  - uid: User::\"alice\"\n"
				 "    attrs: {dept: eng}\n"
				 "    parents: [Team::\"ops\"]\n"
				 "  - uid: {type: User, id: bob}\n"
				 "    attrs: {dept: sales}\n"
				 "  - uid: Doc::\"d\"\n"
				 "    attrs: {env: prod}\n";

Test(testrun, pass_fail_and_coverage)
{
	fx f;
	fx_init(&f, POLICIES);
	wbuf y = WBUF_INIT;
	buf_adds(&y, INLINE_ENTS);
	buf_adds(&y, "cases:\n"
		     "  - name: alice reads from the office\n"
		     "    principal: User::\"alice\"\n"
		     "    action: read\n"
		     "    resource: Doc::\"d\"\n"
		     "    context: {ip: 10.1.2.3, mfa: false}\n"
		     "    expect: allow\n"
		     "    determined_by: ops-read\n"
		     "  - name: alice reads from home\n"
		     "    principal: User::\"alice\"\n"
		     "    action: Action::\"read\"\n"
		     "    resource: Doc::\"d\"\n"
		     "    context: {ip: \"192.168.1.1\", mfa: false}\n"
		     "    expect: deny\n"
		     "    determined_by: []\n"
		     "  - name: bob writes (wrong on purpose)\n"
		     "    principal: User::\"bob\"\n"
		     "    action: write\n"
		     "    resource: Doc::\"d\"\n"
		     "    context: {ip: 10.1.2.3, mfa: true}\n"
		     "    expect: allow\n");
	cr_assert_eq(load(&f, y.p), 0, "%s", rendered(&f.t.diags));
	cr_assert_eq(f.t.n, 3);
	cr_assert_eq(f.t.cases[0].line, 11);
	cr_assert(f.t.cases[0].has_reasons && f.t.cases[0].nexpect == 1);
	cr_assert(f.t.cases[1].has_reasons && f.t.cases[1].nexpect == 0);
	testrun_run(&f.t, false);
	cr_assert_eq(f.t.passed, 2);
	cr_assert_eq(f.t.failed, 1);
	cr_assert(f.t.cases[0].passed && f.t.cases[1].passed && !f.t.cases[2].passed);
	cr_assert_str_eq(f.t.cases[2].verdict, "not permitted: no permit applies");
	cr_assert(strstr(f.t.cases[2].explanation, "principal.dept = \"sales\""), "%s", f.t.cases[2].explanation);

	wtcoverage cv;
	testrun_coverage(&f.t, &cv);
	cr_assert_eq(cv.npolicies, 3);
	cr_assert_eq(cv.ndetermined, 1, "only ops-read determined a decision");
	cr_assert_eq(cv.nunits, 3);
	/* isInRange seen true and false; mfa unless seen true only; dept seen false only */
	cr_assert_eq(cv.nboth, 1);
	cr_assert_float_eq(cv.percent, 100.0 * 2 / 6, 1e-9);

	wbuf out = WBUF_INIT;
	testrun_report_text(&f.t, true, &out);
	cr_assert(strstr(out.p, "t.yaml\n  ok    alice reads from the office\n  ok    alice reads from home\n"
				"  FAIL  bob writes (wrong on purpose) (t.yaml:25)\n"
				"        expected: allow\n        actual:   deny (determined by no policy)\n"),
		  "%s", out.p);
	cr_assert(strstr(out.p, "hand-written: 2 passed, 1 failed; generated: 0 passed, 0 failed\n"), "%s", out.p);
	cr_assert(strstr(out.p, "coverage: 33.3% (policies that determined a decision: 1/3; conditions seen true and "
				"false: 1/3)\n"),
		  "%s", out.p);
	cr_assert(strstr(out.p, "  no-write-without-mfa: condition `context.mfa` never seen false\n"), "%s", out.p);
	cr_assert(strstr(out.p, "  writers: condition `principal.dept == \"eng\"` never seen true\n"), "%s", out.p);

	buf_clear(&out);
	testrun_report_json(&f.t, true, &out);
	json_error_t je;
	json_t *j = json_loads(out.p, 0, &je);
	cr_assert(j, "bad JSON: %s", je.text);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "summary"), "failed")), 1);
	cr_assert_eq(json_array_size(json_object_get(j, "cases")), 3);
	json_t *c2 = json_array_get(json_object_get(j, "cases"), 2);
	cr_assert(json_is_false(json_object_get(c2, "passed")));
	cr_assert_eq(json_integer_value(json_object_get(c2, "line")), 25);
	json_decref(j);

	buf_clear(&out);
	testrun_report_junit(&f.t, &out);
	cr_assert(strstr(out.p, "<testsuites name=\"ward test\" tests=\"3\" failures=\"1\">"), "%s", out.p);
	cr_assert(strstr(out.p, "<testsuite name=\"t.yaml\" tests=\"3\" failures=\"1\">"), "%s", out.p);
	cr_assert(strstr(out.p, "<testcase classname=\"t.yaml\" name=\"alice reads from the office\"/>"), "%s", out.p);
	cr_assert(strstr(out.p, "<failure message=\"expected allow, got deny (determined by no policy)\">"), "%s",
		  out.p);
	cr_assert(strstr(out.p, "principal.dept = &quot;sales&quot;"), "XML escapes: %s", out.p);
	buf_release(&out);
	buf_release(&y);
	fx_release(&f);
}

Test(testrun, generated_only_skips_hand_written)
{
	fx f;
	fx_init(&f, POLICIES);
	wbuf y = WBUF_INIT;
	buf_printf(&y, "%scases:\n  - principal: User::\"alice\"\n    action: read\n    resource: Doc::\"d\"\n"
		       "    context: {ip: 10.0.0.1, mfa: false}\n    expect: allow\n",
		   INLINE_ENTS);
	cr_assert_eq(load(&f, y.p), 0, "%s", rendered(&f.t.diags));
	cr_assert_str_eq(f.t.cases[0].name, "case 1");
	testrun_run(&f.t, true);
	cr_assert(!f.t.cases[0].ran);
	cr_assert_eq(f.t.passed + f.t.failed, 0);
	buf_release(&y);
	fx_release(&f);
}

/* ---- bad input ----------------------------------------------------------------------- */

static void expect_errors(const char *yaml, const char *const *want, size_t nwant, int nerr)
{
	fx f;
	fx_init(&f, POLICIES);
	int n = load(&f, yaml);
	char *r = rendered(&f.t.diags);
	cr_assert_eq(n, nerr, "errors: %d, expected %d:\n%s", n, nerr, r);
	for (size_t i = 0; i < nwant; i++)
		cr_assert(strstr(r, want[i]), "missing \"%s\" in:\n%s", want[i], r);
	cr_assert_eq(f.t.n, 0, "a file with errors contributes no case");
	free(r);
	fx_release(&f);
}

Test(testrun, unknown_entity_action_and_policy)
{
	wbuf y = WBUF_INIT;
	buf_printf(&y, "%scases:\n"
		       "  - name: a\n"
		       "    principal: User::\"zed\"\n"
		       "    action: raed\n"
		       "    resource: Doc::\"d\"\n"
		       "    context: {ip: 10.0.0.1, mfa: false}\n"
		       "    expect: deny\n"
		       "    determined_by: [ops-read, nope]\n",
		   INLINE_ENTS);
	const char *want[] = {"t.yaml:12:16: error: unknown entity User::\"zed\": it is not in this test's entities",
			      "t.yaml:13:13: error: unknown action Action::\"raed\": the schema does not declare it",
			      "t.yaml:17:31: error: unknown policy id 'nope'"};
	expect_errors(y.p, want, 3, 3);
	buf_release(&y);
}

Test(testrun, unknown_fields_and_bad_values)
{
	wbuf y = WBUF_INIT;
	buf_printf(&y, "%scase:\n  - x\n", INLINE_ENTS);
	const char *w1[] = {"t.yaml:10:1: error: unknown field 'case' in a test file; did you mean 'cases'?",
			    "no 'cases' in the test file"};
	expect_errors(y.p, w1, 2, 2);
	buf_clear(&y);
	buf_printf(&y, "%scases:\n  - principal: User::\"alice\"\n    action: read\n    resource: Doc::\"d\"\n"
		       "    context: {ip: 10.0.0.1, mfa: false}\n    expected: allow\n",
		   INLINE_ENTS);
	const char *w2[] = {"t.yaml:15:5: error: unknown field 'expected' in a test case; did you mean 'expect'?",
			    "t.yaml:11:5: error: test case 'case 1' has no 'expect' (allow or deny)"};
	expect_errors(y.p, w2, 2, 2);
	buf_clear(&y);
	buf_printf(&y, "%scases:\n  - principal: User::\"alice\"\n    action: read\n    resource: Doc::\"d\"\n"
		       "    context: {ip: 10.0.0.1, mfa: 99999999999999999999}\n    expect: maybe\n",
		   INLINE_ENTS);
	const char *w3[] = {"integer '99999999999999999999' is out of range", "'expect' must be allow or deny"};
	expect_errors(y.p, w3, 2, 2);
	buf_release(&y);
}

Test(testrun, request_rejected_by_schema_is_located)
{
	wbuf y = WBUF_INIT;
	buf_printf(&y, "%scases:\n  - name: no mfa\n    principal: User::\"alice\"\n    action: read\n"
		       "    resource: Doc::\"d\"\n    context: {ip: 10.0.0.1}\n    expect: allow\n",
		   INLINE_ENTS);
	const char *w[] = {"t.yaml:11:5: error: test case 'no mfa': "};
	expect_errors(y.p, w, 1, 1);
	buf_release(&y);
}

Test(testrun, malformed_yaml_is_located)
{
	const char *w[] = {"t.yaml:4:1: error: invalid YAML: flow sequence without a closing bracket"};
	expect_errors("cases:\n  - name: x\n    principal: [unclosed\n", w, 1, 1);
	const char *w2[] = {"empty test file"};
	expect_errors("", w2, 1, 1);
	const char *w3[] = {"t.yaml:1:1: error: 'a test file' must be a mapping"};
	expect_errors("- just\n- a list\n", w3, 1, 1);
	const char *w4[] = {"'cases' is empty"};
	expect_errors("cases: []\n", w4, 1, 1);
}

Test(testrun, bad_inline_entity_and_missing_file)
{
	const char *y = "entities:\n  - uid: User::\"alice\"\n    attrs: {dept: 5}\n"
			"  - nothere.json\ncases:\n  - principal: User::\"alice\"\n    action: read\n"
			"    resource: Doc::\"d\"\n    expect: deny\n";
	const char *w[] = {"t.yaml:2:5: error: ", "t.yaml:4:5: error: cannot read entities file 'nothere.json'"};
	expect_errors(y, w, 2, 2);
}

Test(testrun, collect_sorts_and_filters)
{
	char dir[] = "/tmp/ward-testrun-XXXXXX";
	cr_assert(mkdtemp(dir));
	wbuf p = WBUF_INIT;
	const char *names[] = {"b.yaml", "a.yml", "c.txt", "sub/d.yaml"};
	buf_printf(&p, "%s/sub", dir);
	mkdir(p.p, 0755);
	for (int i = 0; i < 4; i++) {
		buf_clear(&p);
		buf_printf(&p, "%s/%s", dir, names[i]);
		FILE *f = fopen(p.p, "w");
		cr_assert(f);
		fclose(f);
	}
	static const char *const sfx[] = {".yaml", ".yml", NULL};
	char **list = NULL;
	size_t n = 0;
	cr_assert_eq(testrun_collect(dir, sfx, &list, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert(strstr(list[0], "/a.yml") && strstr(list[1], "/b.yaml") && strstr(list[2], "/sub/d.yaml"));
	for (size_t i = 0; i < n; i++) {
		unlink(list[i]);
		free(list[i]);
	}
	free(list);
	buf_clear(&p);
	buf_printf(&p, "%s/c.txt", dir);
	unlink(p.p);
	buf_clear(&p);
	buf_printf(&p, "%s/sub", dir);
	rmdir(p.p);
	rmdir(dir);
	cr_assert_eq(testrun_collect("/nonexistent-ward-path", sfx, &list, &n), -1);
	buf_release(&p);
}

/* ---- generated tests ------------------------------------------------------------------ */

static void put(const char *dir, const char *name, const char *text)
{
	wbuf p = WBUF_INIT;
	buf_printf(&p, "%s/%s", dir, name);
	FILE *f = fopen(p.p, "w");
	cr_assert(f, "cannot write %s", p.p);
	fputs(text, f);
	fclose(f);
	buf_release(&p);
}

static const char *REPO_SCHEMA = "entity Team;\n"
				 "entity Svc in [Team];\n"
				 "entity Bucket { environment: String };\n"
				 "type Ctx = { source_ip: ipaddr, now: datetime, mfa: Bool };\n"
				 "action read, write, delete appliesTo { principal: [Svc], resource: [Bucket], context: Ctx };\n";

static const char *REPO_ENTS =
	"[{\"uid\":{\"type\":\"Team\",\"id\":\"pay\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Svc\",\"id\":\"exporter\"},\"attrs\":{},\"parents\":[{\"type\":\"Team\",\"id\":\"pay\"}]},"
	"{\"uid\":{\"type\":\"Svc\",\"id\":\"other\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Bucket\",\"id\":\"inv-prod\"},\"attrs\":{\"environment\":\"prod\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Bucket\",\"id\":\"kb-prod\"},\"attrs\":{\"environment\":\"prod\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Bucket\",\"id\":\"inv-dev\"},\"attrs\":{\"environment\":\"dev\"},\"parents\":[]}]";

static const char *REQ = "id: REQ-7\nticket: SEC-7\njustification: the exporter reads invoices\n"
			 "requested_by: bob\nowner: pay\nkind: grant\n"
			 "subject: Svc::\"exporter\"\nactions: [read]\nresource: Bucket::\"inv-prod\"\n"
			 "environment: prod\nconstraints:\n  source_networks: [10.20.0.0/16]\n  expires: 2027-03-01\n";

static void gen_fixture(char *dir, repo *r, requirement *rq)
{
	cr_assert(mkdtemp(dir));
	put(dir, "ward.yaml", "version: 1\nenvironments:\n  dev: {}\n  prod:\n    high_risk: true\n"
			      "constraints:\n  source_networks:\n    type: ip-ranges\n  expires:\n    type: datetime\n");
	put(dir, "schema.cedarschema", REPO_SCHEMA);
	wbuf p = WBUF_INIT;
	buf_printf(&p, "%s/entities", dir);
	mkdir(p.p, 0755);
	put(dir, "entities/snapshot.json", REPO_ENTS);
	wdiags d;
	diags_init(&d);
	memset(r, 0, sizeof *r);
	int rc = repo_open(r, dir, 0, &d);
	cr_assert_eq(rc, 0, "repo: %s", rendered(&d));
	memset(rq, 0, sizeof *rq);
	rc = req_load(rq, r, "requests/REQ-7.yaml", REQ, strlen(REQ), NULL, false, &d);
	cr_assert_eq(rc, 0, "requirement: %s", rendered(&d));
	diags_release(&d);
	buf_release(&p);
}

static void gen_cleanup(const char *dir)
{
	const char *files[] = {"ward.yaml", "schema.cedarschema", "entities/snapshot.json", "entities", NULL};
	wbuf p = WBUF_INIT;
	for (int i = 0; files[i]; i++) {
		buf_clear(&p);
		buf_printf(&p, "%s/%s", dir, files[i]);
		if (remove(p.p) != 0)
			rmdir(p.p);
	}
	rmdir(dir);
	buf_release(&p);
}

static void run_generated(const char *policy, uint32_t *pass, uint32_t *fail, wbuf *report)
{
	char dir[] = "/tmp/ward-gen-XXXXXX";
	repo r;
	requirement rq;
	gen_fixture(dir, &r, &rq);
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&r.cx, &ps, "p.cedar", policy, strlen(policy), &d), 0);
	cr_assert_eq(policyset_use_annotation_ids(&ps, &d), 0);
	wtrun t;
	testrun_init(&t, &r.cx, &ps, &r.schema, &r.ents);
	int n = testrun_generate(&t, &r, &rq, "requests/REQ-7.yaml");
	cr_assert_gt(n, 0, "%s", t.notes.p);
	testrun_run(&t, true);
	*pass = t.gen_passed;
	*fail = t.gen_failed;
	testrun_report_text(&t, false, report);
	testrun_release(&t);
	diags_release(&d);
	policyset_release(&ps);
	req_release(&rq);
	repo_close(&r);
	gen_cleanup(dir);
}

Test(testrun, generated_from_requirement_pass_for_exact_policy)
{
	const char *exact = "@id(\"REQ-7\")\npermit(principal == Svc::\"exporter\", action in [Action::\"read\"], "
			    "resource == Bucket::\"inv-prod\")\nwhen { resource.environment == \"prod\" }\n"
			    "when { context.source_ip.isInRange(ip(\"10.20.0.0/16\")) }\n"
			    "when { context.now < datetime(\"2027-03-01\") };\n";
	uint32_t pass, fail;
	wbuf rep = WBUF_INIT;
	run_generated(exact, &pass, &fail, &rep);
	cr_assert_eq(fail, 0, "%s", rep.p);
	/* allowed, other principal, write, delete, other resource, other
	 * environment, two constraints */
	cr_assert_eq(pass, 8, "%s", rep.p);
	cr_assert(strstr(rep.p, "generated from requests/REQ-7.yaml\n"), "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    allowed: Svc::\"exporter\" Action::\"read\" Bucket::\"inv-prod\"\n"), "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    principal outside the subject: Svc::\"other\""), "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    action not requested: Svc::\"exporter\" Action::\"write\""), "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    resource outside the requested resources: Svc::\"exporter\" Action::\"read\" "
				"Bucket::\"kb-prod\""),
		  "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    other environment (dev): Svc::\"exporter\" Action::\"read\" Bucket::\"inv-dev\""),
		  "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    constraint 'source_networks' violated"), "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    constraint 'expires' violated"), "%s", rep.p);
	cr_assert(strstr(rep.p, "generated: 8 passed, 0 failed"), "%s", rep.p);
	buf_release(&rep);
}

Test(testrun, generated_catch_over_grant_and_missing_constraint)
{
	/* grants every action and forgets the network and expiry */
	const char *loose = "@id(\"REQ-7\")\npermit(principal in Team::\"pay\", action, resource);\n";
	uint32_t pass, fail;
	wbuf rep = WBUF_INIT;
	run_generated(loose, &pass, &fail, &rep);
	cr_assert(strstr(rep.p, "  FAIL  action not requested: Svc::\"exporter\" Action::\"write\""), "%s", rep.p);
	cr_assert(strstr(rep.p, "  FAIL  constraint 'source_networks' violated"), "%s", rep.p);
	cr_assert(strstr(rep.p, "  FAIL  constraint 'expires' violated"), "%s", rep.p);
	cr_assert(strstr(rep.p, "expected: not allowed by REQ-7"), "%s", rep.p);
	cr_assert(strstr(rep.p, "  ok    principal outside the subject"), "%s", rep.p);
	cr_assert_eq(fail, 6, "%s", rep.p);
	cr_assert_eq(pass, 2, "%s", rep.p);
	buf_release(&rep);
}

Test(testrun, generated_skipped_without_implementing_policy)
{
	char dir[] = "/tmp/ward-gen-XXXXXX";
	repo r;
	requirement rq;
	gen_fixture(dir, &r, &rq);
	wpolicyset ps;
	policyset_init(&ps);
	const char *pol = "@id(\"something-else\")\npermit(principal, action, resource);\n";
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&r.cx, &ps, "p.cedar", pol, strlen(pol), &d), 0);
	policyset_use_annotation_ids(&ps, &d);
	wtrun t;
	testrun_init(&t, &r.cx, &ps, &r.schema, &r.ents);
	cr_assert_eq(testrun_generate(&t, &r, &rq, "requests/REQ-7.yaml"), 0);
	cr_assert_eq(t.gen_skipped, 1);
	cr_assert(strstr(t.notes.p, "requirement REQ-7 (requests/REQ-7.yaml): no policy implements it"), "%s",
		  t.notes.p);
	testrun_release(&t);
	diags_release(&d);
	policyset_release(&ps);
	req_release(&rq);
	repo_close(&r);
	gen_cleanup(dir);
}
