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
#include "analysis/smt.h"
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

Test(diff, principals_with_the_same_change_merge)
{
	parse(&head, "@id(\"eng\") permit(principal is User in Group::\"eng\", action == Action::\"read\",\n"
		     "  resource is Invoice in Folder::\"invoices\") when { context.vpn };\n");
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_expect_eq(df.ngroups, 2, "one group per principal");
	cr_assert_eq(df.nmerged, 1);
	cr_expect_eq(df.merged[0].n, 2);
	cr_expect_str_eq(df.merged[0].summary,
			 "2 User in Group::\"eng\" gain read on 1,204 Invoice in Folder::\"invoices\"");
	wbuf b = WBUF_INIT;
	diff_print_text(&df, "a", "b", &b);
	cr_expect(strstr(b.p, "+ 2 User in Group::\"eng\" gain read on 1,204 Invoice in Folder::\"invoices\"\n"
			      "    principals: User::\"alice\", User::\"bob\"\n"
			      "    allowed when:\n      context.vpn\n      policies: eng\n"),
		  "%s", b.p);
	buf_release(&b);
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

/* ---- randomized cross-check against the authorizer ------------------------------
 *
 * Random small policy sets and one-policy changes over a small snapshot; for
 * every (user, action, document) cell and every context, the authorizer's
 * decisions with base and head must agree with the diff: a cell whose
 * decision differs for some context is reported, a reported cell's residual
 * conditions evaluate (with that context) to the authorizer's decision, and
 * an unreported cell decides the same with both sets. */

#include "cedar/authz.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static const char *R_ENTITIES = "["
	"{\"uid\":{\"type\":\"User\",\"id\":\"u0\"},\"attrs\":{\"level\":0},\"parents\":[{\"type\":\"Group\",\"id\":\"g0\"}]},"
	"{\"uid\":{\"type\":\"User\",\"id\":\"u1\"},\"attrs\":{\"level\":1},\"parents\":[{\"type\":\"Group\",\"id\":\"g0\"}]},"
	"{\"uid\":{\"type\":\"User\",\"id\":\"u2\"},\"attrs\":{\"level\":2},\"parents\":[{\"type\":\"Group\",\"id\":\"g1\"}]},"
	"{\"uid\":{\"type\":\"User\",\"id\":\"u3\"},\"attrs\":{\"level\":3},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Group\",\"id\":\"g0\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Group\",\"id\":\"g1\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d0\"},\"attrs\":{\"env\":\"prod\"},\"parents\":[{\"type\":\"Folder\",\"id\":\"f0\"}]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d1\"},\"attrs\":{\"env\":\"dev\"},\"parents\":[{\"type\":\"Folder\",\"id\":\"f0\"}]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d2\"},\"attrs\":{\"env\":\"prod\"},\"parents\":[{\"type\":\"Folder\",\"id\":\"f1\"}]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d3\"},\"attrs\":{\"env\":\"dev\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Folder\",\"id\":\"f0\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Folder\",\"id\":\"f1\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"a0\"},\"attrs\":{},\"parents\":[{\"type\":\"Action\",\"id\":\"ag\"}]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"a1\"},\"attrs\":{},\"parents\":[{\"type\":\"Action\",\"id\":\"ag\"}]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"a2\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"ag\"},\"attrs\":{},\"parents\":[]}"
	"]";

static void random_policy(wbuf *b, int id)
{
	static const char *const ps[] = {"principal", "principal == User::\"u1\"", "principal in Group::\"g0\"",
					 "principal in Group::\"g1\"", "principal is User"};
	static const char *const as[] = {"action", "action == Action::\"a0\"", "action in Action::\"ag\"",
					 "action in [Action::\"a1\", Action::\"a2\"]"};
	static const char *const rs[] = {"resource", "resource == Doc::\"d0\"", "resource in Folder::\"f0\"",
					 "resource is Doc in Folder::\"f1\"", "resource is Doc"};
	static const char *const cs[] = {"",
					 " when { context.x }",
					 " when { principal.level > 1 }",
					 " when { resource.env == \"prod\" && context.y }",
					 " unless { context.x }",
					 " when { context.x && principal.level >= 2 }",
					 " when { context.y || resource.env == \"dev\" }",
					 " when { if context.x then principal.level > 0 else context.y }",
					 " when { !context.y && resource.env == \"dev\" }",
					 " when { context.y && context.x }",
					 " when { context.x && context.y }",
					 " when { !(!context.x || !context.y) }"};
	buf_printf(b, "@id(\"r%d\") %s(%s, %s, %s)%s;\n", id, rnd(4) == 0 ? "forbid" : "permit", ps[rnd(5)], as[rnd(4)],
		   rs[rnd(5)], cs[rnd(12)]);
}

/* The allow/deny of a side for a context: ALLOW, DENY, or the residual. */
static bool side_allows(const wdiff_side *s, wexpr *const cond, weval *ev)
{
	if (s->dec != WDEC_COND)
		return s->dec == WDEC_ALLOW;
	wvalue v;
	return eval_expr(ev, cond, &v) == 0 && v.kind == WV_BOOL && v.u.b;
}

static wexpr *parse_cond(warena *a, const char *text)
{
	wsource *src = ARENA_NEW(a, wsource);
	src->name = "cond";
	src->text = arena_strndup(a, text, strlen(text));
	src->len = strlen(text);
	wexpr *e = parse_expr(&cx, a, src, &dg);
	cr_assert_not_null(e, "residual does not parse back: %s", text);
	return e;
}

Test(diff, randomized_cross_check_with_the_authorizer)
{
	wentities re;
	entities_init(&re);
	cr_assert_eq(entities_load_json(&cx, &re, NULL, "r.json", R_ENTITIES, strlen(R_ENTITIES), &dg), 0);
	went_index *rix = ent_index_new(&cx, &re, NULL);
	static const char *const users[] = {"u0", "u1", "u2", "u3"}, *const acts[] = {"a0", "a1", "a2"},
				 *const docs[] = {"d0", "d1", "d2", "d3"};
	warena tmp;
	arena_init(&tmp);
	size_t changed_total = 0, classified = 0, equivalent = 0;
	for (int trial = 0; trial < 300; trial++) {
		wbuf bb = WBUF_INIT, hb = WBUF_INIT;
		int n = 2 + (int)rnd(5), which = (int)rnd((unsigned)n);
		uint64_t save = rng;
		for (int i = 0; i < n; i++)
			random_policy(&bb, i);
		rng = save;
		for (int i = 0; i < n; i++) {
			wbuf one = WBUF_INIT;
			random_policy(&one, i);
			if (i == which)
				random_policy(&hb, i); /* the changed policy (same id) */
			else
				buf_adds(&hb, one.p);
			buf_release(&one);
		}
		if (rnd(3) == 0)
			random_policy(&hb, 99);
		wpolicyset b, h;
		policyset_init(&b);
		policyset_init(&h);
		parse(&b, bb.p);
		parse(&h, hb.p);
		wdiff rd;
		diff_init(&rd);
		cr_assert_eq(diff_compute(rix, &b, &h, &rd, &dg), 0);
		changed_total += rd.ncells;
		equivalent += rd.nequivalent;
		for (size_t k = 0; k < rd.ncells; k++)
			classified += rd.cells[k].relation != WSMT_UNKNOWN;
		for (int ctxi = 0; ctxi < 4; ctxi++) {
			char ctext[64];
			snprintf(ctext, sizeof ctext, "{x: %s, y: %s}", ctxi & 1 ? "true" : "false", ctxi & 2 ? "true" : "false");
			wexpr *ce = parse_cond(&tmp, ctext);
			for (int u = 0; u < 4; u++)
				for (int a = 0; a < 3; a++)
					for (int d = 0; d < 4; d++) {
						wrequest rq;
						rq.principal = (wuid){ctx_sym(&cx, "User", 4), ctx_sym(&cx, users[u], 2)};
						rq.action = (wuid){ctx_sym(&cx, "Action", 6), ctx_sym(&cx, acts[a], 2)};
						rq.resource = (wuid){ctx_sym(&cx, "Doc", 3), ctx_sym(&cx, docs[d], 2)};
						weval ev;
						memset(&ev, 0, sizeof ev);
						ev.cx = &cx;
						ev.ents = &re;
						ev.tmp = &tmp;
						wrequest empty = rq;
						empty.context.kind = WV_RECORD;
						empty.context.u.rec = record_empty();
						ev.req = &empty;
						cr_assert_eq(eval_expr(&ev, ce, &rq.context), 0);
						ev.req = &rq;
						wresponse rb, rh;
						authz_decide(&cx, &b, &re, &rq, &tmp, &rb);
						authz_decide(&cx, &h, &re, &rq, &tmp, &rh);
						const wdiff_cell *found = NULL;
						for (size_t k = 0; k < rd.ncells; k++)
							if (uid_eq(rd.cells[k].c.p, rq.principal) &&
							    uid_eq(rd.cells[k].c.a, rq.action) &&
							    uid_eq(rd.cells[k].c.r, rq.resource))
								found = &rd.cells[k];
						if (!found) {
							cr_assert_eq(rb.allow, rh.allow,
								     "trial %d: unreported cell %s %s %s changes with %s\nbase:\n%s\nhead:\n%s",
								     trial, users[u], acts[a], docs[d], ctext, bb.p, hb.p);
							continue;
						}
						/* the solver's claims hold for this context */
						if (found->relation == WSMT_NARROWED)
							cr_assert(!rh.allow || rb.allow, "trial %d: narrowed, but head allows more\nbase:\n%s\nhead:\n%s",
								  trial, bb.p, hb.p);
						if (found->relation == WSMT_WIDENED)
							cr_assert(!rb.allow || rh.allow, "trial %d: widened, but base allows more\nbase:\n%s\nhead:\n%s",
								  trial, bb.p, hb.p);
						const wdiff_side *sides[2] = {&found->before, &found->after};
						bool want[2] = {rb.allow, rh.allow};
						for (int s = 0; s < 2; s++) {
							wexpr *cond = sides[s]->dec == WDEC_COND ? parse_cond(&tmp, sides[s]->cond) : NULL;
							cr_assert_eq(side_allows(sides[s], cond, &ev), want[s],
								     "trial %d: %s %s %s with %s: %s says %s, authorizer %s\n"
								     "condition: %s\nbase:\n%s\nhead:\n%s",
								     trial, users[u], acts[a], docs[d], ctext, s ? "after" : "before",
								     ent_dec_name((wdec_kind)sides[s]->dec), want[s] ? "allow" : "deny",
								     sides[s]->cond ? sides[s]->cond : "-", bb.p, hb.p);
						}
					}
			arena_reset(&tmp);
		}
		diff_release(&rd);
		policyset_release(&b);
		policyset_release(&h);
		buf_release(&bb);
		buf_release(&hb);
	}
	cr_expect_gt(changed_total, 100, "the random changes do change access");
	cr_expect_gt(classified, 0, "some condition changes are classified by the solver");
	cr_expect_gt(equivalent, 0, "some condition changes are only rewrites");
	arena_release(&tmp);
	ent_index_free(rix);
	entities_release(&re);
}

/* ---- condition changes classified by the solver (smt.h) ------------------------- */

static void cond_diff(const char *before, const char *after)
{
	char b[512], h[512];
	snprintf(b, sizeof b,
		 "@id(\"alice-read\") permit(principal == User::\"alice\", action == Action::\"read\", "
		 "resource is Invoice in Folder::\"invoices\") when { %s };\n",
		 before);
	snprintf(h, sizeof h,
		 "@id(\"alice-read\") permit(principal == User::\"alice\", action == Action::\"read\", "
		 "resource is Invoice in Folder::\"invoices\") when { %s };\n",
		 after);
	parse(&base, b);
	parse(&head, h);
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_assert_eq(df.npolicies, 1);
	cr_assert_eq(df.nscope, NINV);
}

Test(diff, equivalent_condition_rewrite_is_not_a_change)
{
	cond_diff("context.vpn && context.level >= 2", "!(context.level < 2) && context.vpn");
	cr_expect_eq(df.ncells, 0);
	cr_expect_eq(df.ncond, 0);
	cr_expect_eq(df.nequivalent, NINV);
	cr_expect_eq(df.ngroups, 0);
	wbuf b = WBUF_INIT;
	diff_print_text(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "1,204 cell(s) with a condition rewritten to an equivalent one (not a change)\n"), "%s", b.p);
	cr_expect(strstr(b.p, "no entitlement changes"), "%s", b.p);
	buf_clear(&b);
	diff_print_json(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "\"condition_equivalent\": 1204"), "%s", b.p);
	buf_release(&b);
}

Test(diff, narrowed_condition_is_reported_as_narrowed)
{
	cond_diff("context.vpn && context.level >= 2", "context.vpn && context.level >= 3 && context.mfa");
	cr_expect_eq(df.ncells, NINV);
	cr_expect_eq(df.ncond, NINV);
	cr_expect_eq(df.nequivalent, 0);
	cr_assert_eq(df.ngroups, 1);
	cr_expect_eq(df.groups[0].relation, WSMT_NARROWED);
	cr_expect_eq(df.cells[0].relation, WSMT_NARROWED);
	cr_expect_str_eq(df.groups[0].summary,
			 "User::\"alice\" read on 1,204 Invoice in Folder::\"invoices\": condition narrowed");
	wbuf b = WBUF_INIT;
	diff_print_text(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "~ User::\"alice\" read on 1,204 Invoice in Folder::\"invoices\": condition narrowed\n"
			      "    before when:\n      context.vpn && context.level >= 2\n"),
		  "%s", b.p);
	cr_expect(!strstr(b.p, "equivalent"), "%s", b.p);
	buf_clear(&b);
	diff_print_json(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "\"change\": \"condition\",\n      \"relation\": \"narrowed\""), "%s", b.p);
	cr_expect(!strstr(b.p, "condition_equivalent"), "%s", b.p);
	buf_clear(&b);
	diff_print_markdown(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "condition narrowed"), "%s", b.p);
	buf_release(&b);
}

Test(diff, widened_changed_and_unknown_conditions)
{
	cond_diff("context.vpn && context.level >= 3", "context.vpn || context.level >= 3");
	cr_assert_eq(df.ngroups, 1);
	cr_expect_eq(df.groups[0].relation, WSMT_WIDENED);
	cr_expect(strstr(df.groups[0].summary, ": condition widened"), "%s", df.groups[0].summary);
	diff_release(&df);
	diff_init(&df);
	policyset_release(&base);
	policyset_release(&head);
	policyset_init(&base);
	policyset_init(&head);
	cond_diff("context.level >= 3", "context.level < 3");
	cr_assert_eq(df.ngroups, 1);
	cr_expect_eq(df.groups[0].relation, WSMT_CHANGED);
	cr_expect(strstr(df.groups[0].summary, ": condition changes (neither narrower nor wider)"), "%s",
		  df.groups[0].summary);
	diff_release(&df);
	diff_init(&df);
	policyset_release(&base);
	policyset_release(&head);
	policyset_init(&base);
	policyset_init(&head);
	/* `like` is not translated: reported exactly as before */
	cond_diff("context.name like \"a*\"", "context.name like \"b*\"");
	cr_assert_eq(df.ngroups, 1);
	cr_expect_eq(df.groups[0].relation, WSMT_UNKNOWN);
	cr_expect(strstr(df.groups[0].summary, ": condition changes") &&
		  !strstr(df.groups[0].summary, "neither"), "%s", df.groups[0].summary);
	wbuf b = WBUF_INIT;
	diff_print_json(&df, "main", "head", &b);
	cr_expect(strstr(b.p, "\"relation\": \"unknown\""), "%s", b.p);
	buf_release(&b);
}
