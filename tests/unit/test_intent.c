/* Unit tests for the intent check (intent.c) and policy loading from a
 * directory (revision.c), on the example repository (examples/repo): its
 * policies are the base, the head adds a draft for a requirement.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "analysis/intent.h"
#include "analysis/revision.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "govern/repo.h"
#include "govern/requirement.h"

static char root[4096];
static repo R;
static wdiags dg;
static wpolicyset base, head;
static requirement rq;
static went_index *ix;
static wdiff df;
static wintent w;

static const char *REQ = "id: REQ-1042\nticket: DATA-1042\njustification: the revenue dashboard\n"
			 "requested_by: dave@example.com\nowner: data\n"
			 "subject:\n  entity: Human::\"dave\"\nactions: [query]\n"
			 "resource:\n  entity: Database::\"payments-staging\"\nenvironment: staging\n"
			 "constraints:\n  mfa: true\n  expires: 2027-02-28\n";

static void setup(void)
{
	snprintf(root, sizeof root, "%s", __FILE__);
	for (int i = 0; i < 3; i++) {
		char *s = strrchr(root, '/');
		if (s)
			*s = '\0';
		else
			snprintf(root, sizeof root, "..");
	}
	strncat(root, "/examples/repo", sizeof root - strlen(root) - 1);
	diags_init(&dg);
	cr_assert_eq(repo_open(&R, root, 0, &dg), 0);
	policyset_init(&base);
	policyset_init(&head);
	wrev_kind k;
	cr_assert_eq(rev_load_policies(&R.cx, root, NULL, &base, &k, &dg), 0);
	cr_expect_eq(k, WREV_DIR);
	cr_expect_eq(base.n, 8, "examples/repo/policies holds 8 policies");
	cr_expect_not_null(policyset_find(&base, "guardrail-agents-no-secrets"));
	cr_assert_eq(rev_load_policies(&R.cx, root, NULL, &head, &k, &dg), 0);
	memset(&rq, 0, sizeof rq);
	int rc = req_load(&rq, &R, "REQ-1042.yaml", REQ, strlen(REQ), NULL, false, &dg);
	if (rc)
		diags_print(&dg, stderr);
	cr_assert_eq(rc, 0);
	ix = ent_index_new(&R.cx, &R.ents, &R.schema);
	diff_init(&df);
	intent_init(&w);
}

static void teardown(void)
{
	intent_release(&w);
	diff_release(&df);
	ent_index_free(ix);
	req_release(&rq);
	policyset_release(&base);
	policyset_release(&head);
	diags_release(&dg);
	repo_close(&R);
}

TestSuite(intent, .init = setup, .fini = teardown);

static void draft(const char *text)
{
	cr_assert_eq(parse_policies(&R.cx, &head, "draft.cedar", text, strlen(text), &dg), 0);
	cr_assert_eq(policyset_use_annotation_ids(&head, &dg), 0);
	cr_assert_eq(diff_compute(ix, &base, &head, &df, &dg), 0);
	cr_assert_eq(intent_check(ix, &rq, &df, &head, &w, &dg), 0);
}

static size_t count(wintent_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < w.n; i++)
		n += w.items[i].kind == k;
	return n;
}

Test(intent, exact_draft_passes)
{
	draft("@id(\"d\") permit(principal == Human::\"dave\", action in [Action::\"query\"],\n"
	      "  resource == Database::\"payments-staging\")\n"
	      "when { resource.environment == \"staging\" } when { context.mfa }\n"
	      "when { context.now < datetime(\"2027-02-28T00:00:00Z\") };\n");
	cr_expect_eq(w.ncreep, 0);
	cr_expect_eq(w.nunder, 0);
	cr_expect_eq(w.ngranted, 1);
	cr_expect_eq(w.nrequested, 1);
	cr_expect_eq(w.nmatching, 1);
}

Test(intent, creep_of_every_kind)
{
	draft("@id(\"d\") permit(principal in Team::\"payments\", action in [Action::\"query\", Action::\"migrate\"],\n"
	      "  resource is Database) when { context.now < datetime(\"2027-12-31\") };\n");
	cr_expect_geq(count(WINT_SUBJECT), 1);
	cr_expect_geq(count(WINT_ACTION), 1);
	cr_expect_geq(count(WINT_RESOURCE), 1);
	cr_expect_geq(count(WINT_ENVIRONMENT), 1);
	cr_expect_geq(count(WINT_CONSTRAINT), 1);
	cr_expect_eq(count(WINT_UNDERGRANT), 1, "dave is not in payments: nothing requested is granted");
	bool weaker = false;
	for (size_t i = 0; i < w.n; i++)
		if (w.items[i].kind == WINT_CONSTRAINT && strstr(w.items[i].msg, "mfa (true), expires (2027-02-28)"))
			weaker = true;
	cr_expect(weaker, "the later expiry counts as a missing (weaker) constraint");
	wbuf b = WBUF_INIT;
	intent_print_text(&w, &b);
	cr_expect(strstr(b.p, "intent check REQ-1042 (DATA-1042): FAIL\n"), "%s", b.p);
	buf_release(&b);
}

Test(intent, nothing_granted_is_an_under_grant_only)
{
	draft("");
	cr_expect_eq(w.ncreep, 0);
	cr_expect_eq(w.nunder, 1);
	cr_expect_eq(w.ngranted, 0);
}
