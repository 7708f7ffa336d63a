/* Unit tests for replay (src/analysis/replay.c): logged decisions written
 * with dlog_append and decided again under candidate policy sets: counts,
 * grouping by (action, direction, new determining policies), the tally of
 * the old determining policies, samples, unreplayable rows by reason,
 * newly erroring policies, windows and --limit, time bounds, JSON.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/replay.h"
#include "cedar/parser.h"
#include "server/dlog.h"

static char dir[256], dbpath[300];
static wctx cx;
static wschema schema;
static wentities es;
static wdiags dg;
static wpolicyset ps;
static dlog *lg;
static wreplay r;
static char err[DLOG_ERR_MAX];

static const char *SCHEMA = "entity Group;\n"
			    "entity User in [Group] { level?: Long };\n"
			    "entity Photo;\n"
			    "action view, edit appliesTo { principal: [User], resource: [Photo], context: {} };\n";

static const char *BASE = "@id(\"view-all\") permit (principal, action == Action::\"view\", resource);\n"
			  "@id(\"alice-edit\") permit (principal == User::\"alice\", action == Action::\"edit\", resource);\n"
			  "@id(\"no-secret\") forbid (principal, action, resource == Photo::\"secret.jpg\");\n";

#define U(x) "User::\"" x "\""
#define A(x) "Action::\"" x "\""
#define P(x) "Photo::\"" x "\""

/* what BASE decided */
static const dlog_entry ROWS[] = {
	{.time = "2026-11-01T10:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("a"),
	 .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
	{.time = "2026-11-01T11:00:00.000Z", .principal = U("bob"), .action = A("view"), .resource = P("a"),
	 .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
	{.time = "2026-11-02T10:00:00.000Z", .principal = U("alice"), .action = A("edit"), .resource = P("a"),
	 .context = "{}", .allow = true, .reasons = "[\"alice-edit\"]", .errors = "[]"},
	{.time = "2026-11-02T11:00:00.000Z", .principal = U("bob"), .action = A("edit"), .resource = P("a"),
	 .context = "{}", .allow = false, .reasons = "[]", .errors = "[]"},
	{.time = "2026-11-03T10:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("secret.jpg"),
	 .context = "{}", .allow = false, .reasons = "[\"no-secret\"]", .errors = "[]"},
	{.time = "2026-11-03T11:00:00.000Z", .principal = U("alice"), .action = A("edit"), .resource = P("b"),
	 .context = "{}", .allow = true, .reasons = "[\"alice-edit\"]", .errors = "[]"},
};
#define NROWS (sizeof ROWS / sizeof *ROWS)

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/ward-replay-XXXXXX", t && *t ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/log.db", dir);
	lg = dlog_open(dbpath, true, err);
	cr_assert_not_null(lg, "%s", err);
	cr_assert_eq(dlog_append(lg, ROWS, NROWS, err), 0, "%s", err);
	ctx_init(&cx);
	schema_init(&schema);
	entities_init(&es);
	diags_init(&dg);
	policyset_init(&ps);
	replay_init(&r);
	cr_assert_eq(schema_parse(&cx, &schema, "schema", SCHEMA, strlen(SCHEMA), &dg), 0);
	cr_assert_eq(entities_load_json(&cx, &es, &schema, "entities", "[]", 2, &dg), 0);
}

static void teardown(void)
{
	replay_release(&r);
	policyset_release(&ps);
	diags_release(&dg);
	entities_release(&es);
	schema_release(&schema);
	ctx_release(&cx);
	dlog_close(lg);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(replay, .init = setup, .fini = teardown);

static void load(const char *text)
{
	cr_assert_eq(parse_policies(&cx, &ps, "draft.cedar", text, strlen(text), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(&ps, &dg), 0);
}

static void run(const wreplay_config *cfg, bool with_schema)
{
	wreplay_config dflt = {0};
	cr_assert_eq(replay_run(&cx, &ps, with_schema ? &schema : NULL, &es, lg, cfg ? cfg : &dflt, &r, err), 0,
		     "%s", err);
}

static void add_rows(const dlog_entry *rows, size_t n)
{
	cr_assert_eq(dlog_append(lg, rows, n, err), 0, "%s", err);
}

Test(replay, the_logged_policies_change_nothing)
{
	load(BASE);
	run(NULL, true);
	cr_assert_eq(r.rows, NROWS);
	cr_assert_eq(r.replayed, NROWS);
	cr_assert_eq(r.unchanged, NROWS);
	cr_assert_eq(r.allow_to_deny + r.deny_to_allow + r.reasons_changed + r.erroring + r.unreplayable, 0);
	cr_assert_eq(r.ngroups, 0);
}

Test(replay, a_removed_grant_is_one_allow_to_deny_group)
{
	load("@id(\"view-all\") permit (principal, action == Action::\"view\", resource);\n"
	     "@id(\"no-secret\") forbid (principal, action, resource == Photo::\"secret.jpg\");\n");
	run(NULL, true);
	cr_assert_eq(r.replayed, 6);
	cr_assert_eq(r.unchanged, 4);
	cr_assert_eq(r.allow_to_deny, 2);
	cr_assert_eq(r.deny_to_allow, 0);
	cr_assert_eq(r.ngroups, 1);
	const wreplay_group *g = &r.groups[0];
	cr_assert_str_eq(g->action, A("edit"));
	cr_assert_eq(g->change, WRC_ALLOW_TO_DENY);
	cr_assert_str_eq(g->policies, "");
	cr_assert_eq(g->count, 2);
	cr_assert_eq(g->nsamples, 2);
	cr_assert_eq(g->samples[0].id, 3);
	cr_assert_eq(g->samples[1].id, 6);
	cr_assert_str_eq(g->samples[1].resource, P("b"));
	cr_assert_str_eq(g->samples[0].old_reasons, "alice-edit");
	cr_assert_str_eq(g->samples[0].new_reasons, "");
	cr_assert_eq(g->nwas, 1);
	cr_assert_str_eq(g->was[0].policies, "alice-edit");
	cr_assert_eq(g->was[0].count, 2);
	wbuf b = WBUF_INIT;
	replay_print_text(&r, &b);
	cr_assert(strstr(b.p, "allow -> deny: 2 requests of action Action::\"edit\" that were allowed are now denied "
			      "by default (no permit applies)"),
		  "%s", b.p);
	buf_release(&b);
}

Test(replay, widening_and_a_new_forbid_make_separate_groups)
{
	load(BASE);
	load("@id(\"edit-all\") permit (principal, action == Action::\"edit\", resource);\n"
	     "@id(\"no-bob\") forbid (principal == User::\"bob\", action, resource);\n");
	run(NULL, true);
	/* bob view a: allow -> deny by no-bob; bob edit a: stays deny (now
	 * by no-bob: other reasons); alice edit a/b: stay allowed by two */
	cr_assert_eq(r.allow_to_deny, 1);
	cr_assert_eq(r.deny_to_allow, 0);
	cr_assert_eq(r.unchanged, 5);
	cr_assert_eq(r.reasons_changed, 3);
	cr_assert_eq(r.ngroups, 1);
	cr_assert_str_eq(r.groups[0].policies, "no-bob");
	cr_assert_str_eq(r.groups[0].action, A("view"));
	cr_assert_str_eq(r.groups[0].samples[0].principal, U("bob"));
}

Test(replay, deny_to_allow_names_the_new_permit)
{
	load(BASE);
	load("@id(\"edit-all\") permit (principal, action == Action::\"edit\", resource);\n");
	run(NULL, true);
	cr_assert_eq(r.deny_to_allow, 1);
	cr_assert_eq(r.allow_to_deny, 0);
	cr_assert_eq(r.ngroups, 1);
	const wreplay_group *g = &r.groups[0];
	cr_assert_eq(g->change, WRC_DENY_TO_ALLOW);
	cr_assert_str_eq(g->policies, "edit-all");
	cr_assert_str_eq(g->was[0].policies, "");
	cr_assert_eq(g->samples[0].id, 4);
}

Test(replay, several_determining_policies_are_one_sorted_key)
{
	load("@id(\"z-forbid\") forbid (principal, action == Action::\"view\", resource);\n"
	     "@id(\"a-forbid\") forbid (principal == User::\"bob\", action, resource);\n"
	     "@id(\"edit\") permit (principal, action == Action::\"edit\", resource);\n");
	run(NULL, true);
	/* alice view a -> z-forbid; bob view a -> a-forbid, z-forbid; bob edit
	 * stays deny; alice view secret stays deny; alice edit a/b stay allow */
	cr_assert_eq(r.allow_to_deny, 2);
	cr_assert_eq(r.ngroups, 2);
	cr_assert_str_eq(r.groups[0].policies, "a-forbid, z-forbid");
	cr_assert_str_eq(r.groups[1].policies, "z-forbid");
	wbuf b = WBUF_INIT;
	replay_print_text(&r, &b);
	cr_assert(strstr(b.p, "allow -> deny: policies a-forbid, z-forbid now deny 1 request of action "
			      "Action::\"view\" that was allowed"),
		  "%s", b.p);
	buf_release(&b);
}

Test(replay, groups_are_ordered_by_size)
{
	load("@id(\"no-view\") forbid (principal, action == Action::\"view\", resource);\n"
	     "@id(\"edit\") permit (principal == User::\"alice\", action == Action::\"edit\", resource);\n"
	     "@id(\"bob-edit\") permit (principal == User::\"bob\", action == Action::\"edit\", resource);\n");
	run(NULL, true);
	cr_assert_eq(r.ngroups, 2);
	cr_assert_eq(r.groups[0].count, 2); /* no-view denies two views */
	cr_assert_str_eq(r.groups[0].policies, "no-view");
	cr_assert_eq(r.groups[1].count, 1);
	cr_assert_eq(r.groups[1].change, WRC_DENY_TO_ALLOW);
}

Test(replay, unreplayable_rows_are_counted_by_reason)
{
	const dlog_entry bad[] = {
		{.time = "2026-11-04T10:00:00.000Z", .principal = "User::alice", .action = A("view"), .resource = P("a"),
		 .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
		{.time = "2026-11-04T11:00:00.000Z", .principal = "Robot::\"r2\"", .action = A("view"),
		 .resource = P("a"), .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
		{.time = "2026-11-04T12:00:00.000Z", .principal = "Robot::\"r3\"", .action = A("view"),
		 .resource = P("b"), .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
		{.time = "2026-11-04T13:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("a"),
		 .context = "{not json", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
		{.time = "2026-11-04T14:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("a"),
		 .context = "[1]", .allow = true, .reasons = "not an array", .errors = "[]"},
		{.time = "2026-11-04T15:00:00.000Z", .principal = U("alice"), .action = A("view"), .resource = P("a"),
		 .context = "{\"extra\": 1}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[]"},
		{.time = "2026-11-04T16:00:00.000Z", .principal = "", .action = "", .resource = "",
		 .context = "", .allow = false, .reasons = "", .errors = ""},
	};
	add_rows(bad, sizeof bad / sizeof *bad);
	load(BASE);
	run(NULL, true);
	cr_assert_eq(r.rows, NROWS + 7);
	cr_assert_eq(r.replayed, NROWS);
	cr_assert_eq(r.unreplayable, 7);
	cr_assert_eq(r.nskips, 6);
	/* the two Robot rows share a reason, listed first */
	cr_assert_eq(r.skips[0].count, 2);
	cr_assert_eq(r.skips[0].first_id, 8);
	cr_assert_str_eq(r.skips[0].reason, "principal type 'Robot' is not declared in the schema");
	bool uid = false, json = false, record = false, extra = false;
	for (size_t i = 1; i < r.nskips; i++) {
		const char *s = r.skips[i].reason;
		uid |= r.skips[i].first_id == 7 && strstr(s, "User::alice") != NULL;
		json |= r.skips[i].first_id == 10 && strstr(s, "the logged context is not valid JSON") == s;
		record |= r.skips[i].first_id == 11 && strstr(s, "context must be a JSON object") != NULL;
		extra |= r.skips[i].first_id == 12 && strstr(s, "extra") != NULL;
	}
	cr_assert(uid && json && record && extra);
	/* without the schema the Robot rows are valid requests */
	replay_release(&r);
	replay_init(&r);
	run(NULL, false);
	cr_assert_eq(r.replayed, NROWS + 3);
	cr_assert_eq(r.unreplayable, 4);
}

Test(replay, the_window_and_the_limit)
{
	load("@id(\"view-all\") permit (principal, action == Action::\"view\", resource);\n");
	char since[REPLAY_TIME_MAX], until[REPLAY_TIME_MAX];
	cr_assert_eq(replay_time_parse("2026-11-02", since, NULL), 0);
	cr_assert_eq(replay_time_parse("2026-11-03T10:00:00Z", until, NULL), 0);
	wreplay_config cfg = {.since = since, .until = until};
	run(&cfg, true);
	cr_assert_eq(r.rows, 2); /* rows 3 and 4; row 5 is at `until`, excluded */
	cr_assert_eq(r.allow_to_deny, 1);
	cr_assert_str_eq(r.since, "2026-11-02T00:00:00.000Z");
	replay_release(&r);
	replay_init(&r);
	wreplay_config lim = {.limit = 4, .max_samples = 1};
	run(&lim, true);
	cr_assert_eq(r.rows, 4);
	cr_assert_eq(r.allow_to_deny, 1);
	replay_release(&r);
	replay_init(&r);
	wreplay_config one = {.max_samples = 1};
	run(&one, true);
	cr_assert_eq(r.groups[0].count, 2);
	cr_assert_eq(r.groups[0].nsamples, 1);
}

Test(replay, a_policy_that_errors_now_is_counted_once_per_request)
{
	load(BASE);
	load("@id(\"flaky\") permit (principal, action == Action::\"view\", resource) when { principal.level > 3 };\n");
	run(NULL, true);
	cr_assert_eq(r.unchanged, NROWS);
	cr_assert_eq(r.erroring, 3);
	cr_assert_eq(r.nerrs, 1);
	cr_assert_str_eq(r.errs[0].policy, "flaky");
	cr_assert_eq(r.errs[0].count, 3);
	cr_assert_eq(r.errs[0].first_id, 1);
	cr_assert(strlen(r.errs[0].message) > 0);
	/* logged as erroring already: not new */
	const dlog_entry seen[] = {
		{.time = "2026-11-05T10:00:00.000Z", .principal = U("carol"), .action = A("view"), .resource = P("a"),
		 .context = "{}", .allow = true, .reasons = "[\"view-all\"]", .errors = "[\"flaky\"]"},
	};
	add_rows(seen, 1);
	replay_release(&r);
	replay_init(&r);
	run(NULL, true);
	cr_assert_eq(r.erroring, 3);
}

Test(replay, json_report)
{
	load(BASE);
	load("@id(\"edit-all\") permit (principal, action == Action::\"edit\", resource);\n");
	run(NULL, true);
	wbuf b = WBUF_INIT;
	replay_print_json(&r, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert_not_null(j, "%s", je.text);
	json_t *c = json_object_get(j, "counts");
	cr_assert_eq(json_integer_value(json_object_get(c, "replayed")), 6);
	cr_assert_eq(json_integer_value(json_object_get(c, "deny_to_allow")), 1);
	json_t *g = json_array_get(json_object_get(j, "groups"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(g, "change")), "deny->allow");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(g, "policies"), 0)), "edit-all");
	json_t *s = json_array_get(json_object_get(g, "samples"), 0);
	cr_assert(json_is_object(json_object_get(s, "context")));
	cr_assert_eq(json_array_size(json_object_get(s, "old_reasons")), 0);
	cr_assert(json_is_null(json_object_get(json_object_get(j, "window"), "since")));
	json_decref(j);
	buf_release(&b);
}

Test(replay, time_bounds)
{
	char t[REPLAY_TIME_MAX];
	int64_t ms;
	cr_assert_eq(replay_time_parse("2026-11-29", t, &ms), 0);
	cr_assert_str_eq(t, "2026-11-29T00:00:00.000Z");
	cr_assert_eq(replay_time_parse("2026-11-29T15:04:05.123Z", t, NULL), 0);
	cr_assert_str_eq(t, "2026-11-29T15:04:05.123Z");
	cr_assert_eq(replay_time_parse("2026-11-29T15:04:05+02:00", t, NULL), 0);
	cr_assert_str_eq(t, "2026-11-29T13:04:05.000Z");
	cr_assert_eq(replay_time_parse("2026-11-29T01:00:00-0130", t, NULL), 0);
	cr_assert_str_eq(t, "2026-11-29T02:30:00.000Z");
	cr_assert_eq(replay_time_parse("yesterday", t, NULL), -1);
	cr_assert_eq(replay_time_parse("", t, NULL), -1);
	cr_assert_eq(replay_time_parse("2026-13-01", t, NULL), -1);
	cr_assert_eq(replay_time_parse(NULL, t, NULL), -1);
	replay_time_format(-1, t);
	cr_assert_str_eq(t, "1969-12-31T23:59:59.999Z");
	replay_time_format(0, t);
	cr_assert_str_eq(t, "1970-01-01T00:00:00.000Z");
}

Test(replay, an_empty_log)
{
	dlog_close(lg);
	char other[320];
	snprintf(other, sizeof other, "%s/empty.db", dir);
	lg = dlog_open(other, true, err);
	cr_assert_not_null(lg, "%s", err);
	load(BASE);
	run(NULL, true);
	cr_assert_eq(r.rows, 0);
	cr_assert_eq(r.replayed, 0);
	wbuf b = WBUF_INIT;
	replay_print_text(&r, &b);
	cr_assert(strstr(b.p, "replayed 0 of 0 logged decisions") == b.p);
	buf_release(&b);
}
