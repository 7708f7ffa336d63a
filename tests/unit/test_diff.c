/* Unit tests for the entitlement layer: cells in scope (entitlements.c),
 * the entitlement diff (diff.c) and the access queries (query.c).
 *
 * The snapshot: Folder::"invoices" holding N Invoice entities (N = 1,204 by
 * default) and one Invoice elsewhere, a service account, people in a group,
 * and actions read/write (no schema, so actions come from the store).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analysis/diff.h"
#include "analysis/query.h"
#include "cedar/parser.h"

static wctx cx;
static wentities es;
static wdiags dg;
static went_index *ix;
static wpolicyset base, head;
static wdiff df;

#define NINV 1204

static void load_entities(void)
{
	wbuf b = WBUF_INIT;
	buf_adds(&b, "[{\"uid\":{\"type\":\"Folder\",\"id\":\"invoices\"},\"attrs\":{},\"parents\":[]},"
		     "{\"uid\":{\"type\":\"Folder\",\"id\":\"other\"},\"attrs\":{},\"parents\":[]},"
		     "{\"uid\":{\"type\":\"Invoice\",\"id\":\"stray\"},\"attrs\":{},"
		     " \"parents\":[{\"type\":\"Folder\",\"id\":\"other\"}]},"
		     "{\"uid\":{\"type\":\"ServiceAccount\",\"id\":\"billing-exporter\"},\"attrs\":{},\"parents\":[]},"
		     "{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{\"level\":3},"
		     " \"parents\":[{\"type\":\"Group\",\"id\":\"eng\"}]},"
		     "{\"uid\":{\"type\":\"User\",\"id\":\"bob\"},\"attrs\":{\"level\":1},"
		     " \"parents\":[{\"type\":\"Group\",\"id\":\"eng\"}]},"
		     "{\"uid\":{\"type\":\"Group\",\"id\":\"eng\"},\"attrs\":{},\"parents\":[]},"
		     "{\"uid\":{\"type\":\"Action\",\"id\":\"read\"},\"attrs\":{},\"parents\":[]},"
		     "{\"uid\":{\"type\":\"Action\",\"id\":\"write\"},\"attrs\":{},\"parents\":[]}");
	for (int i = 0; i < NINV; i++)
		buf_printf(&b, ",{\"uid\":{\"type\":\"Invoice\",\"id\":\"inv-%d\"},\"attrs\":{\"amount\":%d},"
			       "\"parents\":[{\"type\":\"Folder\",\"id\":\"invoices\"}]}",
			   i, i);
	buf_adds(&b, "]");
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "e.json", b.p, b.n, &dg), 0);
	buf_release(&b);
}

static void setup(void)
{
	ctx_init(&cx);
	entities_init(&es);
	diags_init(&dg);
	load_entities();
	ix = ent_index_new(&cx, &es, NULL);
	policyset_init(&base);
	policyset_init(&head);
	diff_init(&df);
}

static void teardown(void)
{
	diff_release(&df);
	policyset_release(&base);
	policyset_release(&head);
	ent_index_free(ix);
	diags_release(&dg);
	entities_release(&es);
	ctx_release(&cx);
}

TestSuite(diff, .init = setup, .fini = teardown);

static void parse(wpolicyset *ps, const char *text)
{
	cr_assert_eq(parse_policies(&cx, ps, "p.cedar", text, strlen(text), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(ps, &dg), 0);
}

static const char *BASE = "@id(\"alice-read\")\n"
			  "permit(principal == User::\"alice\", action == Action::\"read\", resource in Folder::\"invoices\");\n";

Test(diff, gain_over_a_container_is_grouped_and_summarized)
{
	parse(&base, BASE);
	parse(&head, BASE);
	parse(&head, "@id(\"exporter\")\n"
		     "permit(principal == ServiceAccount::\"billing-exporter\", action == Action::\"read\",\n"
		     "       resource is Invoice in Folder::\"invoices\") when { context.internal };\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_expect_eq(df.npolicies, 1);
	cr_expect_eq(df.policies[0].kind, WPCHG_ADDED);
	cr_expect_eq(df.nunchanged, 1);
	/* only the scope of the added policy was decided: 1 x 1 x 1,204 */
	cr_expect_eq(df.nscope, NINV);
	cr_expect_eq(df.ncells, NINV);
	cr_expect_eq(df.ngain, NINV);
	cr_assert_eq(df.ngroups, 1);
	cr_expect_str_eq(df.groups[0].summary,
			 "ServiceAccount::\"billing-exporter\" gains read on 1,204 Invoice in Folder::\"invoices\"");
	cr_expect_eq(df.groups[0].after.dec, WDEC_COND);
	cr_expect_str_eq(df.groups[0].after.cond, "context.internal");
	cr_expect_str_eq(df.groups[0].after.why, "exporter");
	wbuf b = WBUF_INIT;
	diff_print_text(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "+ ServiceAccount::\"billing-exporter\" gains read on 1,204 Invoice in Folder::\"invoices\"\n"
			      "    allowed when:\n      context.internal\n"),
		  "%s", b.p);
	buf_release(&b);
}

Test(diff, renamed_or_reannotated_policies_are_unchanged)
{
	parse(&base, BASE);
	parse(&head, "@id(\"alice-read-renamed\") @ticket(\"T-1\")\n"
		     "permit(principal == User::\"alice\", action == Action::\"read\", resource in Folder::\"invoices\");\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_expect_eq(df.npolicies, 0);
	cr_expect_eq(df.nunchanged, 1);
	cr_expect_eq(df.nscope, 0);
	cr_expect_eq(df.ncells, 0);
	wbuf b = WBUF_INIT;
	diff_print_text(&df, "a", "b", &b);
	cr_expect(strstr(b.p, "no entitlement changes"));
	buf_release(&b);
}

Test(diff, modified_policy_gains_and_loses)
{
	parse(&base, BASE);
	parse(&head, "@id(\"alice-read\")\n"
		     "permit(principal == User::\"alice\", action == Action::\"read\", resource in Folder::\"other\");\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_assert_eq(df.npolicies, 1);
	cr_expect_eq(df.policies[0].kind, WPCHG_MODIFIED);
	/* Folder::"invoices" + 1,204 invoices lost; Folder::"other" + stray gained */
	cr_expect_eq(df.nlose, NINV + 1);
	cr_expect_eq(df.ngain, 2);
	cr_assert_eq(df.ngroups, 4);
	bool seen = false;
	for (size_t i = 0; i < df.ngroups; i++)
		if (strcmp(df.groups[i].summary,
			   "User::\"alice\" loses read on 1,204 Invoice in Folder::\"invoices\"") == 0)
			seen = true;
	cr_expect(seen);
}

Test(diff, conditional_forbid_changes_the_condition)
{
	parse(&base, BASE);
	parse(&head, BASE);
	parse(&head, "@id(\"block\") forbid(principal in Group::\"eng\", action, resource is Invoice)\n"
		     "when { context.blocked && principal.level > 2 };\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	/* bob (level 1) keeps nothing he had; alice's invoice reads become conditional */
	cr_expect_eq(df.ncond, NINV);
	cr_expect_eq(df.ngain + df.nlose, 0);
	cr_assert_eq(df.ngroups, 1);
	cr_expect_str_eq(df.groups[0].summary,
			 "User::\"alice\" read on 1,204 Invoice in Folder::\"invoices\": now conditional");
	cr_expect_str_eq(df.groups[0].after.cond, "!context.blocked");
	cr_expect_str_eq(df.groups[0].after.why, "alice-read, block");
}

Test(diff, unconditional_forbid_removed_and_json)
{
	parse(&base, "@id(\"all-read\") permit(principal in Group::\"eng\", action == Action::\"read\", resource == "
		     "Invoice::\"stray\");\n@id(\"no-bob\") forbid(principal == User::\"bob\", action, resource);\n");
	parse(&head, "@id(\"all-read\") permit(principal in Group::\"eng\", action == Action::\"read\", resource == "
		     "Invoice::\"stray\");\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_expect_eq(df.npolicies, 1);
	cr_expect_eq(df.policies[0].kind, WPCHG_REMOVED);
	cr_expect_eq(df.ngain, 1);
	cr_assert_eq(df.ngroups, 1);
	cr_expect_str_eq(df.groups[0].summary, "User::\"bob\" gains read on Invoice::\"stray\"");
	cr_expect_str_eq(df.groups[0].before.why, "no-bob");
	wbuf b = WBUF_INIT;
	diff_print_json(&df, "a", "b", &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert_not_null(j);
	json_t *g = json_array_get(json_object_get(j, "changes"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(g, "change")), "gain");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(g, "after"), "decision")), "allow");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(j, "summary"), "gained")), 1);
	json_decref(j);
	buf_release(&b);
	buf_clear(&b);
	diff_print_markdown(&df, "a", "b", &b);
	cr_expect(strstr(b.p, "| ➕ | User::\"bob\" gains read on Invoice::\"stray\" | always |"), "%s", b.p);
	buf_release(&b);
}

Test(diff, actions_with_the_same_resources_merge)
{
	parse(&head, "@id(\"x\") permit(principal == User::\"bob\", action in [Action::\"read\", Action::\"write\"],"
		     " resource == Invoice::\"stray\");\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_expect_eq(df.ngain, 2);
	cr_assert_eq(df.ngroups, 1);
	cr_expect_str_eq(df.groups[0].summary, "User::\"bob\" gains read, write on Invoice::\"stray\"");
}

Test(diff, who_can_and_what_can)
{
	parse(&head, BASE);
	parse(&head, "@id(\"eng-read\") permit(principal in Group::\"eng\", action == Action::\"read\", resource) "
		     "when { resource is Invoice && context.vpn && principal.level >= 3 };\n"
		     "@id(\"no-stray\") forbid(principal, action, resource == Invoice::\"stray\") unless { context.admin };\n");
	wquery q;
	query_init(&q);
	wuid read = {ctx_sym(&cx, "Action", 6), ctx_sym(&cx, "read", 4)};
	wuid stray = {ctx_sym(&cx, "Invoice", 7), ctx_sym(&cx, "stray", 5)};
	cr_assert_eq(query_who_can(ix, &head, read, stray, &q, &dg), 0);
	/* bob's level fails the condition; alice: when vpn and admin */
	cr_assert_eq(q.n, 1);
	cr_expect_eq(q.rows[0].dec, WDEC_COND);
	cr_expect_str_eq(q.rows[0].cond, "context.vpn && context.admin");
	cr_expect_str_eq(q.rows[0].why, "eng-read, no-stray");
	query_release(&q);

	query_init(&q);
	wuid alice = {ctx_sym(&cx, "User", 4), ctx_sym(&cx, "alice", 5)};
	cr_assert_eq(query_what_can(ix, &head, alice, NULL, &q, &dg), 0);
	/* Folder::"invoices" and its 1,204 invoices (alice-read), plus stray (conditional) */
	cr_expect_eq(q.n, NINV + 2);
	size_t nallow = 0;
	for (size_t i = 0; i < q.n; i++)
		nallow += q.rows[i].dec == WDEC_ALLOW;
	cr_expect_eq(nallow, NINV + 1);
	query_release(&q);
}
