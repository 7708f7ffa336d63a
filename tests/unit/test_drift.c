/* Unit tests for drift (src/analysis/drift.c): unused permits and the
 * logged requests their scope covers (with the entity hierarchy, and for
 * template-linked policies), forbids and templates never counted as
 * grants, @expires against `now` at and around the boundary, unreadable
 * expiries, policies that only errored, windows, JSON and SARIF.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/drift.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "server/dlog.h"

static char dir[256], dbpath[300];
static wctx cx;
static wentities es;
static wdiags dg;
static wpolicyset ps;
static dlog *lg;
static wdrift d;
static char err[DLOG_ERR_MAX];

static const char *ENTITIES =
	"[{\"uid\":{\"type\":\"User\",\"id\":\"bob\"},\"attrs\":{},\"parents\":[{\"type\":\"Group\",\"id\":\"editors\"}]},"
	" {\"uid\":{\"type\":\"Group\",\"id\":\"editors\"},\"attrs\":{},\"parents\":[]},"
	" {\"uid\":{\"type\":\"Photo\",\"id\":\"a\"},\"attrs\":{},\"parents\":[{\"type\":\"Album\",\"id\":\"trip\"}]}]";

static const char *POLICIES =
	"@id(\"view-all\") @ticket(\"T-1\")\n"
	"permit (principal, action == Action::\"view\", resource);\n"
	"@id(\"alice-edit\") @requirement(\"REQ-7\")\n"
	"permit (principal == User::\"alice\", action == Action::\"edit\", resource);\n"
	"@id(\"group-edit\") @requirement(\"REQ-8\")\n"
	"permit (principal in Group::\"editors\", action == Action::\"edit\", resource) when { false };\n"
	"@id(\"no-secret\")\n"
	"forbid (principal, action, resource == Photo::\"secret\");\n"
	"@id(\"no-locked\")\n"
	"forbid (principal, action == Action::\"edit\", resource == Photo::\"locked\");\n"
	"@id(\"temp\")\n"
	"@expires(\"2026-12-01\")\n"
	"permit (principal == User::\"dave\", action == Action::\"view\", resource);\n"
	"@id(\"flaky\")\n"
	"permit (principal, action == Action::\"view\", resource) when { principal.level > 3 };\n"
	"@id(\"tpl\")\n"
	"permit (principal == ?principal, action in [Action::\"edit\", Action::\"view\"], resource in ?resource);\n";

#define U(x) "User::\"" x "\""
#define A(x) "Action::\"" x "\""
#define P(x) "Photo::\"" x "\""

static const dlog_entry ROWS[] = {
	{.time = "2026-11-01T10:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("a"),
	 .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
	{.time = "2026-11-02T10:00:00.000Z", .principal = U("alice"), .action = A("edit"), .resource = P("a"),
	 .context = "{}", .allow = true, .reasons = "[\"alice-edit\"]", .errors = "[]"},
	{.time = "2026-11-02T11:00:00.000Z", .principal = U("bob"), .action = A("edit"), .resource = P("a"),
	 .context = "{}", .allow = false, .reasons = "[]", .errors = "[]"},
	{.time = "2026-11-03T10:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("secret"),
	 .context = "{}", .allow = false, .reasons = "[\"no-secret\"]", .errors = "[]"},
	{.time = "2026-11-05T10:00:00.000Z", .principal = U("bob"), .action = A("view"), .resource = P("b"),
	 .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[\"flaky\"]"},
	{.time = "2026-11-06T10:00:00.000Z", .principal = "not a uid", .action = A("view"), .resource = P("b"),
	 .context = "{}", .allow = false, .reasons = "not json", .errors = "{}"},
};
#define NROWS (sizeof ROWS / sizeof *ROWS)

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/ward-drift-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/log.db", dir);
	lg = dlog_open(dbpath, true, err);
	cr_assert_not_null(lg, "%s", err);
	cr_assert_eq(dlog_append(lg, ROWS, NROWS, err), 0, "%s", err);
	ctx_init(&cx);
	entities_init(&es);
	diags_init(&dg);
	policyset_init(&ps);
	drift_init(&d);
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "entities", ENTITIES, strlen(ENTITIES), &dg), 0);
	cr_assert_eq(parse_policies(&cx, &ps, "p.cedar", POLICIES, strlen(POLICIES), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(&ps, &dg), 0);
}

static void teardown(void)
{
	drift_release(&d);
	policyset_release(&ps);
	diags_release(&dg);
	entities_release(&es);
	ctx_release(&cx);
	dlog_close(lg);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(drift, .init = setup, .fini = teardown);

static int64_t at(const char *text)
{
	char t[REPLAY_TIME_MAX];
	int64_t ms;
	cr_assert_eq(replay_time_parse(text, t, &ms), 0);
	return ms;
}

static void run(const char *since, const char *until, const char *now)
{
	char s[REPLAY_TIME_MAX], u[REPLAY_TIME_MAX];
	wdrift_config cfg = {.now_ms = at(now)};
	if (since) {
		cr_assert_eq(replay_time_parse(since, s, NULL), 0);
		cfg.since = s;
	}
	if (until) {
		cr_assert_eq(replay_time_parse(until, u, NULL), 0);
		cfg.until = u;
	}
	cr_assert_eq(drift_run(&cx, &ps, &es, lg, &cfg, &d, err), 0, "%s", err);
}

static const wdrift_finding *find(wdrift_kind k, const char *id)
{
	for (size_t i = 0; i < d.n; i++)
		if (d.items[i].kind == k && strcmp(d.items[i].policy->id, id) == 0)
			return &d.items[i];
	return NULL;
}

static void link_tpl(const char *id, const char *principal, const char *resource_type, const char *resource)
{
	wlink_values v = {.has_principal = true, .has_resource = true};
	v.principal.type = ctx_sym(&cx, "User", 4);
	v.principal.id = ctx_sym(&cx, principal, strlen(principal));
	v.resource.type = ctx_sym(&cx, resource_type, strlen(resource_type));
	v.resource.id = ctx_sym(&cx, resource, strlen(resource));
	wbuf e = WBUF_INIT;
	cr_assert_not_null(policy_link(&ps, "tpl", id, &v, &e), "%s", e.p ? e.p : "");
	buf_release(&e);
}

Test(drift, unused_permits_with_their_covered_requests)
{
	run(NULL, NULL, "2026-11-15");
	cr_assert_eq(d.rows, NROWS);
	cr_assert_eq(d.unparsed, 1);
	cr_assert_eq(d.nunused, 3, "%zu", d.nunused);
	const wdrift_finding *g = find(WDF_UNUSED, "group-edit");
	cr_assert_not_null(g);
	cr_assert_eq(g->covered, 1); /* bob edit a: bob is in Group::"editors" */
	cr_assert_eq(g->line, 5);
	cr_assert_not_null(find(WDF_UNUSED, "temp"));
	cr_assert_eq(find(WDF_UNUSED, "temp")->covered, 0);
	cr_assert_eq(find(WDF_UNUSED, "flaky")->covered, 3);
	cr_assert_null(find(WDF_UNUSED, "view-all"));
	cr_assert_null(find(WDF_UNUSED, "alice-edit"));
	cr_assert_null(find(WDF_UNUSED, "no-secret"));
	cr_assert_null(find(WDF_UNUSED, "no-locked"));
	cr_assert_null(find(WDF_UNUSED, "tpl")); /* a template decides nothing itself */
	cr_assert_eq(d.nexpired, 0);
	cr_assert_eq(d.nerrors_only, 1);
	cr_assert_eq(find(WDF_ONLY_ERRORS, "flaky")->errors, 1);
}

Test(drift, a_permit_determining_only_denies_is_unused)
{
	/* reasons of a deny never count as use of a permit */
	const dlog_entry odd[] = {
		{.time = "2026-11-07T10:00:00.000Z", .principal = U("dave"), .action = A("view"), .resource = P("x"),
		 .context = "{}", .allow = false, .reasons = "[\"temp\"]", .errors = "[]"},
	};
	cr_assert_eq(dlog_append(lg, odd, 1, err), 0, "%s", err);
	run(NULL, NULL, "2026-11-15");
	const wdrift_finding *f = find(WDF_UNUSED, "temp");
	cr_assert_not_null(f);
	cr_assert_eq(f->covered, 1);
	cr_assert_eq(f->decided, 1);
}

Test(drift, linked_policies_are_grants_with_their_slots_in_scope)
{
	link_tpl("bob-trip", "bob", "Album", "trip");
	link_tpl("carol-trip", "carol", "Album", "trip");
	const dlog_entry used[] = {
		{.time = "2026-11-07T10:00:00.000Z", .principal = U("bob"), .action = A("edit"), .resource = P("a"),
		 .context = "{}", .allow = true, .reasons = "[\"bob-trip\"]", .errors = "[]"},
	};
	cr_assert_eq(dlog_append(lg, used, 1, err), 0, "%s", err);
	run(NULL, NULL, "2026-11-15");
	cr_assert_null(find(WDF_UNUSED, "bob-trip"));
	const wdrift_finding *c = find(WDF_UNUSED, "carol-trip");
	cr_assert_not_null(c);
	cr_assert_eq(c->covered, 0);
	/* the scope of an unused link counts requests: a link for bob's view
	 * of the album covers bob's view of b? no (b is not in the album) */
	drift_release(&d);
	drift_init(&d);
	link_tpl("bob-trip-2", "bob", "Album", "trip");
	run(NULL, NULL, "2026-11-15");
	const wdrift_finding *b2 = find(WDF_UNUSED, "bob-trip-2");
	cr_assert_not_null(b2);
	cr_assert_eq(b2->covered, 2); /* bob edit a (twice logged); bob view b is outside the album */
}

Test(drift, expiry_against_now)
{
	run(NULL, NULL, "2026-11-30T23:59:59.999Z");
	cr_assert_eq(d.nexpired, 0);
	drift_release(&d);
	drift_init(&d);
	run(NULL, NULL, "2026-12-01T00:00:00Z");
	cr_assert_eq(d.nexpired, 1);
	const wdrift_finding *f = find(WDF_EXPIRED, "temp");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->expires, "2026-12-01");
	cr_assert_eq(f->line, 12); /* the @expires annotation */
	drift_release(&d);
	drift_init(&d);
	run(NULL, NULL, "2030-01-01");
	cr_assert_eq(d.nexpired, 1);
}

Test(drift, an_unreadable_expiry_is_reported)
{
	const char *odd = "@id(\"odd\") @expires(\"next tuesday\")\nforbid (principal, action, resource);\n";
	cr_assert_eq(parse_policies(&cx, &ps, "odd.cedar", odd, strlen(odd), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(&ps, &dg), 0);
	run(NULL, NULL, "2026-11-15");
	const wdrift_finding *f = find(WDF_BAD_EXPIRY, "odd");
	cr_assert_not_null(f);
	cr_assert_str_eq(f->expires, "next tuesday");
	cr_assert_null(find(WDF_UNUSED, "odd"));
}

Test(drift, a_window)
{
	run("2026-11-02", "2026-11-04", "2026-11-15");
	cr_assert_eq(d.rows, 3);
	const wdrift_finding *v = find(WDF_UNUSED, "view-all");
	cr_assert_not_null(v); /* its allows are outside the window */
	cr_assert_eq(v->covered, 1);
	cr_assert_null(find(WDF_UNUSED, "alice-edit"));
	cr_assert_eq(d.nerrors_only, 0);
	cr_assert_str_eq(d.since, "2026-11-02T00:00:00.000Z");
	cr_assert_str_eq(d.until, "2026-11-04T00:00:00.000Z");
}

Test(drift, an_empty_window)
{
	run("2027-01-01", NULL, "2026-11-15");
	cr_assert_eq(d.rows, 0);
	cr_assert_eq(d.nunused, 5); /* every permit but the template */
	for (size_t i = 0; i < d.nunused; i++)
		cr_assert_eq(d.items[i].covered, 0);
	wbuf b = WBUF_INIT;
	drift_print_text(&d, &b);
	cr_assert(strstr(b.p, "note: the window holds no decisions"), "%s", b.p);
	buf_release(&b);
}

Test(drift, text_json_and_sarif)
{
	run(NULL, NULL, "2026-12-02");
	wbuf b = WBUF_INIT;
	drift_print_text(&d, &b);
	cr_assert(strstr(b.p, "  p.cedar:5: permit 'group-edit': determined no allow; its scope covers 1 logged "
			      "request\n      @requirement(\"REQ-8\")\n"),
		  "%s", b.p);
	cr_assert(strstr(b.p, "  p.cedar:12: permit 'temp': expired on 2026-12-01\n"), "%s", b.p);
	cr_assert(strstr(b.p, "(never even asked)"), "%s", b.p);
	buf_clear(&b);
	drift_print_json(&d, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	cr_assert_eq(json_array_size(json_object_get(j, "unused_grants")), 3);
	cr_assert_eq(json_array_size(json_object_get(j, "expired")), 1);
	cr_assert_eq(json_array_size(json_object_get(j, "only_errors")), 1);
	json_t *g = json_array_get(json_object_get(j, "unused_grants"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(g, "policy")), "group-edit");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(g, "annotations"), "requirement")),
			 "REQ-8");
	cr_assert_eq(json_integer_value(json_object_get(g, "covered_requests")), 1);
	json_decref(j);
	buf_clear(&b);
	drift_print_sarif(&d, NULL, &b);
	j = json_loads(b.p, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	cr_assert_str_eq(json_string_value(json_object_get(j, "version")), "2.1.0");
	json_t *res = json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results");
	cr_assert_eq(json_array_size(res), d.n);
	json_t *r0 = json_array_get(res, 0);
	cr_assert_str_eq(json_string_value(json_object_get(r0, "ruleId")), "unused-grant");
	json_t *pl = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
			 "p.cedar");
	json_decref(j);
	buf_release(&b);
}
