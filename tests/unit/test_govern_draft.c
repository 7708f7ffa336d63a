/* test_govern_draft: requirements, templates, drafting and the
 * template-instance check, on the example repository (examples/repo).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/parser.h"
#include "govern/draft.h"
#include "govern/gio.h"
#include "govern/match.h"
#include "govern/repo.h"
#include "govern/requirement.h"
#include "govern/template.h"

static char root[4096];
static repo R;
static tcatalog C;

static void setup(void)
{
	/* tests/unit/test_govern_draft.c -> the source tree */
	snprintf(root, sizeof root, "%s", __FILE__);
	for (int i = 0; i < 3; i++) {
		char *s = strrchr(root, '/');
		if (s)
			*s = '\0';
		else
			snprintf(root, sizeof root, "..");
	}
	strncat(root, "/examples/repo", sizeof root - strlen(root) - 1);
	wdiags d;
	diags_init(&d);
	int rc = repo_open(&R, root, 0, &d);
	if (rc == 0)
		rc = tcatalog_load(&C, &R, &d);
	if (rc)
		diags_print(&d, stderr);
	cr_assert_eq(rc, 0, "the example repository does not load");
	diags_release(&d);
}

static void teardown(void)
{
	tcatalog_release(&C);
	repo_close(&R);
}

TestSuite(govern_draft, .init = setup, .fini = teardown);

static char *read_rel(const char *rel, size_t *len)
{
	char *p = gio_join(root, rel);
	wdiags d;
	diags_init(&d);
	char *t = gio_read(p, 0, len, &d);
	diags_release(&d);
	free(p);
	cr_assert_not_null(t, "cannot read %s", rel);
	return t;
}

/* Loads requirement text; returns 0 or -1, first message in msg. */
static int load_req(requirement *rq, const char *text, bool untrusted, char *msg, size_t cap, uint32_t *line)
{
	wdiags d;
	diags_init(&d);
	int rc = req_load(rq, &R, "r.yaml", text, strlen(text), NULL, untrusted, &d);
	if (msg) {
		snprintf(msg, cap, "%s", d.n ? d.items[0].msg : "");
		if (line && d.n && d.items[0].src) {
			uint32_t c;
			source_linecol(d.items[0].src, d.items[0].span.start, line, &c);
		}
	}
	diags_release(&d);
	return rc;
}

Test(govern_draft, catalog)
{
	cr_expect_eq(C.n, 8);
	const tmpl *t = tcatalog_find(&C, "object-read");
	cr_assert_not_null(t);
	cr_expect_str_eq(t->risk, "low");
	cr_expect_eq(t->kinds, TMPL_GRANT | TMPL_EXCEPTION);
	int pi = tmpl_param_index(t, "actions");
	cr_assert_geq(pi, 0);
	cr_expect_eq(t->params[pi].type, GT_ACTIONS);
	cr_expect_eq(t->params[pi].nchoices, 2);
	pi = tmpl_param_index(t, "expires");
	cr_expect(t->params[pi].optional);
	cr_expect_null(tcatalog_find(&C, "nope"));
}

/* Every example requirement drafts to exactly the committed policy, and
 * that policy is an instance of the template used. */
Test(govern_draft, examples_round_trip)
{
	const char *ids[] = {"1001", "1002", "1003", "1004", "1005"};
	const char *tmpls[] = {"object-read", "deploy", "object-read", "break-glass-backup", "secret-read"};
	for (int i = 0; i < 5; i++) {
		char path[64];
		snprintf(path, sizeof path, "requests/REQ-%s.yaml", ids[i]);
		size_t len;
		char *text = read_rel(path, &len);
		requirement rq;
		wdiags d;
		diags_init(&d);
		cr_assert_eq(req_load(&rq, &R, path, text, len, NULL, false, &d), 0, "%s", path);
		draft_opts o = {NULL, rq.requested_by};
		wbuf out = WBUF_INIT;
		const tmpl *used = NULL;
		cr_assert_eq(draft_make(&R, &C, &rq, &o, &out, &used, &d), 0, "%s", path);
		cr_expect_str_eq(used->id, tmpls[i]);
		snprintf(path, sizeof path, "policies/REQ-%s.cedar", ids[i]);
		size_t plen;
		char *pol = read_rel(path, &plen);
		cr_expect_str_eq(out.p, pol, "%s differs from its draft", path);
		/* the draft is an instance of its template */
		wpolicyset ps;
		policyset_init(&ps);
		cr_assert_eq(parse_policies(&R.cx, &ps, path, out.p, out.n, &d), 0);
		match_result m;
		wbuf why = WBUF_INIT;
		cr_expect_eq(match_catalog(&R, &C, ps.items[0], &m, &why), 0, "%s: %s", path, why.p);
		cr_expect_str_eq(m.t->id, tmpls[i]);
		match_result_release(&m);
		buf_release(&why);
		policyset_release(&ps);
		free(pol);
		buf_release(&out);
		req_release(&rq);
		diags_release(&d);
		free(text);
	}
}

static const char *BASE = "id: R-1\nticket: T-1\njustification: reading invoices for the export\n"
			  "requested_by: bob\nowner: payments\n"
			  "subject: {entity: 'ServiceAccount::\"billing-exporter\"'}\n"
			  "actions: [read]\nresource: {in: 'Bucket::\"invoices-dev\"'}\nenvironment: dev\n";

static int draft_text(const char *text, const char *tid, char **out, char *msg, size_t cap)
{
	requirement rq;
	wdiags d;
	diags_init(&d);
	int rc = req_load(&rq, &R, "r.yaml", text, strlen(text), NULL, false, &d);
	wbuf b = WBUF_INIT;
	if (rc == 0) {
		draft_opts o = {tid, "tester"};
		const tmpl *used;
		rc = draft_make(&R, &C, &rq, &o, &b, &used, &d);
	}
	if (msg)
		snprintf(msg, cap, "%s", d.n ? d.items[0].msg : "");
	*out = rc == 0 ? buf_detach(&b) : NULL;
	buf_release(&b);
	req_release(&rq);
	diags_release(&d);
	return rc;
}

Test(govern_draft, optional_blocks_and_expansion)
{
	char *out, msg[512];
	cr_assert_eq(draft_text(BASE, NULL, &out, msg, sizeof msg), 0, "%s", msg);
	/* no constraint: only the environment block */
	cr_expect(strstr(out, "when { resource.environment == \"dev\" };") != NULL, "%s", out);
	cr_expect(strstr(out, "isInRange") == NULL);
	cr_expect(strstr(out, "@drafted_by(\"tester\")") != NULL);
	cr_expect(strstr(out, "@expires") == NULL);
	free(out);
	char text[1024];
	snprintf(text, sizeof text, "%sconstraints:\n  source_networks: [10.1.0.0/16, 10.2.0.0/16, 192.168.7.0/24]\n",
		 BASE);
	cr_assert_eq(draft_text(text, NULL, &out, msg, sizeof msg), 0, "%s", msg);
	cr_expect(strstr(out, "context.source_ip.isInRange(ip(\"10.1.0.0/16\")) ||") != NULL, "%s", out);
	cr_expect(strstr(out, "context.source_ip.isInRange(ip(\"192.168.7.0/24\"))") != NULL, "%s", out);
	free(out);
	/* single range: no parentheses, no || */
	snprintf(text, sizeof text, "%sconstraints:\n  source_networks: 10.1.0.0/16\n", BASE);
	cr_assert_eq(draft_text(text, NULL, &out, msg, sizeof msg), 0, "%s", msg);
	cr_expect(strstr(out, "when { context.source_ip.isInRange(ip(\"10.1.0.0/16\")) }") != NULL, "%s", out);
	free(out);
}

Test(govern_draft, annotation_values_are_escaped)
{
	char text[1024], *out, msg[256];
	snprintf(text, sizeof text, "%s", BASE);
	char *j = strstr(text, "reading invoices");
	memcpy(j, "quote\" \\ end   ", 15);
	cr_assert_eq(draft_text(text, NULL, &out, msg, sizeof msg), 0, "%s", msg);
	cr_expect(strstr(out, "@justification(\"quote\\\" \\\\ end   s for the export\")") != NULL, "%s", out);
	/* the escaped draft still parses to one policy */
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	cr_expect_eq(parse_policies(&R.cx, &ps, "d", out, strlen(out), &d), 0);
	cr_expect_eq(ps.n, 1);
	policyset_release(&ps);
	diags_release(&d);
	free(out);
}

Test(govern_draft, fit_failures)
{
	char text[1024], *out, msg[1024];
	cr_expect_eq(draft_text(BASE, "db-query", &out, msg, sizeof msg), -1);
	cr_expect_str_eq(msg, "template 'db-query' does not fit requirement 'R-1': its resource scope does not take "
			      "everything in a group or container");
	cr_expect_eq(draft_text(BASE, "team-object-read", &out, msg, sizeof msg), -1);
	cr_expect_str_eq(msg, "template 'team-object-read' does not fit requirement 'R-1': its principal scope does "
			      "not take one entity");
	snprintf(text, sizeof text, "%s", BASE);
	char *a = strstr(text, "[read]");
	memcpy(a, "[list]", 6);
	cr_expect_eq(draft_text(text, "object-write", &out, msg, sizeof msg), -1);
	cr_expect(strstr(msg, "it allows only actions 'write', 'delete'; the requirement asks for 'list'") != NULL, "%s",
		  msg);
	cr_expect_eq(draft_text(BASE, "nope", &out, msg, sizeof msg), -1);
	cr_expect(strstr(msg, "no approved template 'nope'") != NULL);
	/* nothing fits: the nearest templates, best first */
	snprintf(text, sizeof text, "%sconstraints:\n  mfa: true\n", BASE);
	cr_expect_eq(draft_text(text, NULL, &out, msg, sizeof msg), -1);
	cr_expect(strstr(msg, "no approved template fits requirement 'R-1'\n  - 'object-read' (low risk): it does not "
			      "support the constraint 'mfa'") != NULL,
		  "%s", msg);
}

static void req_error(const char *edit_from, const char *edit_to, const char *msg, uint32_t line, bool untrusted)
{
	char text[2048];
	const char *at = strstr(BASE, edit_from);
	cr_assert_not_null(at, "bad test: %s", edit_from);
	snprintf(text, sizeof text, "%.*s%s%s", (int)(at - BASE), BASE, edit_to, at + strlen(edit_from));
	requirement rq;
	char got[512];
	uint32_t l = 0;
	cr_expect_eq(load_req(&rq, text, untrusted, got, sizeof got, &l), -1, "accepted: %s", text);
	cr_expect(strstr(got, msg) != NULL, "got '%s', expected '%s'", got, msg);
	if (line)
		cr_expect_eq(l, line, "'%s' at line %u, expected %u", msg, l, line);
	req_release(&rq);
}

Test(govern_draft, requirement_errors)
{
	req_error("ticket: T-1\n", "", "missing 'ticket'", 1, false);
	req_error("justification: reading invoices for the export", "justification: short", "'justification' is too short", 3, false);
	req_error("owner: payments", "owner: ~", "missing 'owner'", 0, false);
	req_error("id: R-1", "id: R 1", "'id' may only use", 1, false);
	req_error("ServiceAccount::\"billing", "ServiceAcc::\"billing", "unknown entity type 'ServiceAcc'; did you mean 'ServiceAccount'?", 6, false);
	req_error("billing-exporter", "billing-exportr", "did you mean ServiceAccount::\"billing-exporter\"?", 6, false);
	req_error("[read]", "[read, read]", "action 'read' is listed twice", 7, false);
	req_error("[read]", "[]", "'actions' is empty", 7, false);
	req_error("[read]", "read", "'actions' must be a list", 7, false);
	req_error("[read]", "[query]", "action 'query' does not apply to resources in 'Bucket'", 7, false);
	req_error("environment: dev", "environment: prod", "is in environment 'dev', not 'prod'", 9, false);
	req_error("environment: dev", "environment: qa", "unknown environment 'qa'", 9, false);
	req_error("environment: dev\n", "environment: dev\nconstraints: {expires: 2027-13-45}\n", "'expires' must be a date", 10, false);
	req_error("environment: dev\n", "environment: dev\nconstraints: {time_window: {start: '8:00', end: '18:00'}}\n", "'start' must be a time of day", 10, false);
	req_error("environment: dev\n", "environment: dev\nconstraints: {time_window: {start: '08:00'}}\n", "needs both 'start' and 'end'", 10, false);
	req_error("environment: dev\n", "environment: dev\nconstraints: {time_window: {start: '08:00', end: '09:00', tz: x}}\n", "unknown field 'tz'", 10, false);
	req_error("environment: dev\n", "environment: dev\nkind: exception\n", "a exception must expire", 0, false);
	req_error("environment: dev\n", "environment: dev\nkind: break-glass\nconstraints: {expires: 2027-01-01}\n", "a model may only propose grants", 0, true);
	req_error("{entity: 'ServiceAccount::\"billing-exporter\"'}", "{type: ServiceAccount}", "a model may not ask for every entity of a type", 6, true);
	req_error("{entity: 'ServiceAccount::\"billing-exporter\"'}", "{entity: x, in: y}", "needs exactly one of", 6, false);
	req_error("{in: 'Bucket::\"invoices-dev\"'}", "{type: Object, in: 'Team::\"sre\"'}", "can never be in Team::\"sre\"", 8, false);
}

Test(govern_draft, overrides_for_model_replies)
{
	const char *reply = "{\"subject\": {\"entity\": \"ServiceAccount::\\\"billing-exporter\\\"\"}, \"actions\": [\"read\"],"
			    " \"resource\": {\"in\": \"Bucket::\\\"invoices-dev\\\"\"}, \"environment\": \"dev\"}";
	req_overrides ov = {"R-9", "T-9", "a person explains why", "bob", "payments"};
	requirement rq;
	wdiags d;
	diags_init(&d);
	cr_expect_eq(req_load(&rq, &R, "<model reply>", reply, strlen(reply), &ov, true, &d), 0);
	cr_expect_str_eq(rq.ticket, "T-9");
	req_release(&rq);
	const char *sneaky = "{\"ticket\": \"X\", \"subject\": {\"entity\": \"ServiceAccount::\\\"billing-exporter\\\"\"},"
			     " \"actions\": [\"read\"], \"resource\": {\"in\": \"Bucket::\\\"invoices-dev\\\"\"},"
			     " \"environment\": \"dev\"}";
	cr_expect_eq(req_load(&rq, &R, "<model reply>", sneaky, strlen(sneaky), &ov, true, &d), -1);
	cr_expect(strstr(d.items[0].msg, "'ticket' may not be set here") != NULL, "%s", d.items[0].msg);
	req_release(&rq);
	diags_release(&d);
}

/* ---- templates from text ---- */

static void tmpl_error(const char *text, const char *msg)
{
	tmpl t;
	wdiags d;
	diags_init(&d);
	cr_expect_eq(tmpl_load(&t, &R, "t.cedar", text, strlen(text), &d), -1, "accepted: %s", text);
	int found = 0;
	for (size_t i = 0; i < d.n; i++)
		found |= strstr(d.items[i].msg, msg) != NULL;
	cr_expect(found, "no error '%s' (first: %s)", msg, d.n ? d.items[0].msg : "none");
	diags_release(&d);
	tmpl_release(&t);
}

#define HDR "@template(\"t\")\n@description(\"d\")\n@risk(\"low\")\n@kinds(\"grant\")\n"
#define SCOPE "permit (principal == ?principal, action in $actions, resource in ?resource)\n"

Test(govern_draft, template_errors)
{
	tmpl_error(HDR "@param_actions(\"actions: read\")\n@param_env(\"environmnt\")\n" SCOPE
		       "when { resource.environment == $env };",
		   "unknown parameter type 'environmnt' for 'env'");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n" SCOPE "when { resource.environment == $env };",
		   "parameter 'env' is not declared");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n@param_env(\"environment\")\n" SCOPE ";",
		   "parameter 'env' is declared but never used");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n@param_env(\"actions: read\")\n" SCOPE
		       "when { resource.environment == $env };",
		   "parameter 'env' of type actions may only appear in the action scope");
	tmpl_error(HDR "@param_actions(\"actions: raed\")\n" SCOPE ";", "unknown action 'raed'");
	tmpl_error(HDR "@param_actions(\"actions\")\n" SCOPE ";", "must list its choices");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n" SCOPE "when { \"__ward_p_x\" == \"a\" };",
		   "'__ward_p_' is reserved");
	tmpl_error("@description(\"d\")\n@risk(\"low\")\n@kinds(\"grant\")\n@param_actions(\"actions: read\")\n" SCOPE ";",
		   "template needs an id");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n@colour(\"x\")\n" SCOPE ";", "unknown template annotation '@colour'");
	tmpl_error("@template(\"t\")\n@description(\"d\")\n@risk(\"extreme\")\n@kinds(\"grant\")\n"
		   "@param_actions(\"actions: read\")\n" SCOPE ";",
		   "unknown risk 'extreme'");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n" SCOPE "when { resource.nope == 1 };",
		   "does not validate against the schema");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n" SCOPE "; permit(principal, action, resource);",
		   "exactly one policy");
	tmpl_error(HDR "@param_actions(\"actions: read\")\npermit (principal == ?principal, action in $actions,"
		       " resource in ?resource)\nwhen { $ };",
		   "'$' must be followed by a parameter name");
	tmpl_error(HDR "@param_actions(\"actions: read\")\n" SCOPE "when { principal.nope };",
		   "does not validate");
}

Test(govern_draft, template_render_keeps_slots)
{
	const tmpl *t = tcatalog_find(&C, "object-read");
	tbinding b;
	tbinding_init(&b, t);
	tbinding_add(&b, (size_t)tmpl_param_index(t, "actions"), "[Action::\"read\"]");
	tbinding_add(&b, (size_t)tmpl_param_index(t, "environment"), "\"dev\"");
	wbuf out = WBUF_INIT, err = WBUF_INIT;
	cr_assert_eq(tmpl_render(t, &b, &out, &err), 0, "%s", err.p);
	cr_expect(strstr(out.p, "principal == ?principal") != NULL, "%s", out.p);
	cr_expect(strstr(out.p, "@template") == NULL);
	cr_expect(strstr(out.p, "__ward_p_") == NULL);
	buf_release(&out);
	tbinding_release(&b, t);
	/* a required parameter missing */
	tbinding_init(&b, t);
	tbinding_add(&b, (size_t)tmpl_param_index(t, "actions"), "[Action::\"read\"]");
	cr_expect_eq(tmpl_render(t, &b, &out, &err), -1);
	cr_expect_str_eq(err.p, "template 'object-read' needs a value for parameter 'environment'");
	tbinding_release(&b, t);
	buf_release(&out);
	buf_release(&err);
}

static int match_text(const char *text, char *why, size_t cap)
{
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&R.cx, &ps, "p", text, strlen(text), &d), 0, "bad test policy");
	match_result m;
	wbuf w = WBUF_INIT;
	int rc = match_catalog(&R, &C, ps.items[0], &m, &w);
	snprintf(why, cap, "%s", rc == 0 ? m.t->id : (w.p ? w.p : ""));
	if (rc == 0)
		match_result_release(&m);
	buf_release(&w);
	policyset_release(&ps);
	diags_release(&d);
	return rc;
}

Test(govern_draft, match_holes)
{
	char why[512];
	const char *ok = "permit (principal == ServiceAccount::\"a\", action in [Action::\"list\"], resource in "
			 "Bucket::\"b\") when { resource.environment == \"staging\" } when { context.now < "
			 "datetime(\"2030-01-01\") };";
	cr_expect_eq(match_text(ok, why, sizeof why), 0, "%s", why);
	cr_expect_str_eq(why, "object-read");
	/* `action == A` is a one-action list */
	const char *eq = "permit (principal == ServiceAccount::\"a\", action == Action::\"read\", resource in "
			 "Bucket::\"b\") when { resource.environment == \"dev\" };";
	cr_expect_eq(match_text(eq, why, sizeof why), 0, "%s", why);
	/* blocks out of order */
	const char *order = "permit (principal == ServiceAccount::\"a\", action == Action::\"read\", resource in "
			    "Bucket::\"b\") when { context.now < datetime(\"2030-01-01\") } when { resource.environment "
			    "== \"dev\" };";
	cr_expect_eq(match_text(order, why, sizeof why), -1);
	/* a hole given a non-literal */
	const char *expr = "permit (principal == ServiceAccount::\"a\", action == Action::\"read\", resource in "
			   "Bucket::\"b\") when { resource.environment == context.env };";
	cr_expect_eq(match_text(expr, why, sizeof why), -1);
	/* an invalid datetime literal */
	const char *baddt = "permit (principal == ServiceAccount::\"a\", action == Action::\"read\", resource in "
			    "Bucket::\"b\") when { resource.environment == \"dev\" } when { context.now < "
			    "datetime(\"soon\") };";
	cr_expect_eq(match_text(baddt, why, sizeof why), -1);
	/* an ip range of /0 is not a value the template takes */
	const char *world = "permit (principal == ServiceAccount::\"a\", action == Action::\"read\", resource in "
			    "Bucket::\"b\") when { resource.environment == \"dev\" } when { "
			    "context.source_ip.isInRange(ip(\"0.0.0.0/0\")) };";
	cr_expect_eq(match_text(world, why, sizeof why), -1);
	/* a principal type the template does not allow */
	const char *agent = "permit (principal == Agent::\"support-bot\", action in [Action::\"read_secret\"], "
			    "resource == Secret::\"stripe-key-prod\") when { resource.environment == \"prod\" } when { "
			    "context.source_ip.isInRange(ip(\"10.0.0.0/8\")) };";
	cr_expect_eq(match_text(agent, why, sizeof why), -1);
	cr_expect(strstr(why, "not an instance") != NULL, "%s", why);
}

/* Truncations and byte flips of real inputs: loading never crashes, every
 * diagnostic's span lies inside its source, and errors come with a message.
 * (Run under ASan/UBSan in the sanitizer build.) */
static void check_diags(const wdiags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		cr_assert(d->items[i].msg && d->items[i].msg[0]);
		if (d->items[i].src)
			cr_assert(d->items[i].span.start <= d->items[i].span.end &&
				  d->items[i].span.end <= d->items[i].src->len);
	}
}

Test(govern_draft, mutated_inputs_never_crash)
{
	size_t rlen, tlen;
	char *req = read_rel("requests/REQ-1001.yaml", &rlen);
	char *tpl = read_rel("templates/object-read.cedar", &tlen);
	unsigned seed = 12345;
	for (int round = 0; round < 400; round++) {
		const char *src = round % 2 ? tpl : req;
		size_t len = round % 2 ? tlen : rlen;
		char *buf = malloc(len + 1);
		memcpy(buf, src, len);
		size_t n = len;
		if (round < 200) {
			n = (size_t)round * len / 200; /* truncation */
		} else {
			for (int k = 0; k < 3; k++) { /* flips */
				seed = seed * 1103515245u + 12345u;
				size_t at = (seed >> 8) % len;
				static const char junk[] = "\"'{}[]:,-#&*!|>%@`\n\t\\$?";
				buf[at] = junk[(seed >> 4) % (sizeof junk - 1)];
			}
		}
		buf[n] = '\0';
		wdiags d;
		diags_init(&d);
		if (round % 2) {
			tmpl t;
			int rc = tmpl_load(&t, &R, "t.cedar", buf, n, &d);
			cr_assert(rc == 0 || d.nerrors > 0);
			check_diags(&d);
			tmpl_release(&t);
		} else {
			requirement rq;
			int rc = req_load(&rq, &R, "r.yaml", buf, n, NULL, false, &d);
			cr_assert(rc == 0 || d.nerrors > 0);
			check_diags(&d);
			if (rc == 0) {
				wbuf out = WBUF_INIT;
				const tmpl *used;
				draft_opts o = {NULL, "fuzz"};
				wdiags d2;
				diags_init(&d2);
				(void)draft_make(&R, &C, &rq, &o, &out, &used, &d2);
				buf_release(&out);
				diags_release(&d2);
			}
			req_release(&rq);
		}
		diags_release(&d);
		free(buf);
	}
	free(req);
	free(tpl);
}

static bool requires_text(const char *text, char *why, size_t cap)
{
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&R.cx, &ps, "p", text, strlen(text), &d), 0, "bad test policy");
	wbuf w = WBUF_INIT;
	bool req = match_requires_template(&R, ps.items[0], &w);
	snprintf(why, cap, "%s", w.p ? w.p : "");
	buf_release(&w);
	policyset_release(&ps);
	diags_release(&d);
	return req;
}

Test(govern_draft, where_templates_are_required)
{
	char why[256];
	size_t len;
	const char *files[] = {"policies/REQ-1001.cedar", "policies/REQ-1002.cedar", "policies/REQ-1003.cedar",
			       "policies/REQ-1004.cedar", "policies/REQ-1005.cedar"};
	const bool want[] = {true, false, false, true, true};
	const char *reason[] = {"reaches high-risk resource 'Bucket::\"invoices-prod\"'", "", "",
				"reaches high-risk resource 'Backup'", "reaches high-risk resource 'Secret'"};
	for (int i = 0; i < 5; i++) {
		char *t = read_rel(files[i], &len);
		cr_expect_eq(requires_text(t, why, sizeof why), want[i], "%s: %s", files[i], why);
		cr_expect_str_eq(why, reason[i], "%s", files[i]);
		free(t);
	}
	cr_expect(requires_text("@drafted_by(\"model:m\") permit(principal, action == Action::\"deploy\", resource);", why,
				sizeof why));
	cr_expect_str_eq(why, "drafted by a model (model:m)");
	cr_expect(requires_text("permit(principal, action == Action::\"read_secret\", resource);", why, sizeof why));
	cr_expect(!requires_text("permit(principal, action == Action::\"deploy\", resource);", why, sizeof why));
	cr_expect(requires_text("permit(principal, action, resource is Backup);", why, sizeof why));
	cr_expect(!requires_text("forbid(principal, action, resource is Backup);", why, sizeof why));
	/* an object inside the high-risk bucket */
	cr_expect(requires_text("permit(principal, action, resource == Object::\"invoices-prod/2026-10.csv\");", why,
				sizeof why));
	cr_expect(!requires_text("permit(principal, action, resource == Object::\"kb-prod/faq.md\");", why, sizeof why));
}

/* req_print_yaml reads back to a requirement that drafts identically. */
Test(govern_draft, printed_requirement_round_trips)
{
	const char *files[] = {"requests/REQ-1001.yaml", "requests/REQ-1002.yaml", "requests/REQ-1004.yaml",
			       "requests/REQ-1042.yaml"};
	for (int i = 0; i < 4; i++) {
		size_t len;
		char *text = read_rel(files[i], &len);
		requirement a, b;
		wdiags d;
		diags_init(&d);
		cr_assert_eq(req_load(&a, &R, files[i], text, len, NULL, false, &d), 0);
		wbuf y = WBUF_INIT;
		req_print_yaml(&a, &y);
		cr_assert_eq(req_load(&b, &R, "printed", y.p, y.n, NULL, false, &d), 0, "%s printed:\n%s\n%s", files[i],
			     y.p, d.n ? d.items[0].msg : "");
		draft_opts o = {NULL, "x"};
		wbuf da = WBUF_INIT, dbb = WBUF_INIT;
		const tmpl *u;
		cr_assert_eq(draft_make(&R, &C, &a, &o, &da, &u, &d), 0);
		cr_assert_eq(draft_make(&R, &C, &b, &o, &dbb, &u, &d), 0);
		cr_expect_str_eq(da.p, dbb.p, "%s", files[i]);
		buf_release(&da);
		buf_release(&dbb);
		buf_release(&y);
		req_release(&a);
		req_release(&b);
		diags_release(&d);
		free(text);
	}
}
