/* Tests of the authorizer's policy index and compiled fast path (authz.c,
 * compile.c): a prepared policy set must decide every request exactly as
 * the plain linear scan does (decision, reasons, errors and their
 * messages), including linked templates, policies added after preparing,
 * scopes of every kind, conditions that error, and request entities that
 * are not in the store.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cedar/authz.h"
#include "cedar/entities.h"
#include "cedar/link.h"
#include "cedar/parser.h"

static const char k_entities[] =
	"["
	"{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{\"age\":30,\"team\":{\"__entity\":{\"type\":\"Team\",\"id\":\"eng\"}},"
	"  \"docs\":[{\"__entity\":{\"type\":\"Doc\",\"id\":\"d1\"}}]},\"parents\":[{\"type\":\"Team\",\"id\":\"eng\"}]},"
	"{\"uid\":{\"type\":\"User\",\"id\":\"bob\"},\"attrs\":{\"age\":17},\"parents\":[{\"type\":\"Team\",\"id\":\"ops\"}]},"
	"{\"uid\":{\"type\":\"Team\",\"id\":\"eng\"},\"attrs\":{},\"parents\":[{\"type\":\"Team\",\"id\":\"all\"}]},"
	"{\"uid\":{\"type\":\"Team\",\"id\":\"ops\"},\"attrs\":{},\"parents\":[{\"type\":\"Team\",\"id\":\"all\"}]},"
	"{\"uid\":{\"type\":\"Team\",\"id\":\"all\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d1\"},\"attrs\":{\"owner\":{\"__entity\":{\"type\":\"User\",\"id\":\"alice\"}},"
	"  \"readers\":{\"__entity\":{\"type\":\"Team\",\"id\":\"eng\"}},\"public\":false},\"parents\":[{\"type\":\"Folder\",\"id\":\"f\"}]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d2\"},\"attrs\":{\"owner\":{\"__entity\":{\"type\":\"User\",\"id\":\"bob\"}},"
	"  \"public\":true},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Folder\",\"id\":\"f\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"read\"},\"attrs\":{},\"parents\":[{\"type\":\"Action\",\"id\":\"any\"}]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"write\"},\"attrs\":{},\"parents\":[{\"type\":\"Action\",\"id\":\"any\"}]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"any\"},\"attrs\":{},\"parents\":[]}"
	"]";

/* Every kind of scope, conditions the fast path handles and ones it hands
 * back (errors, arithmetic, `like`, records, `is ... in`), and templates. */
static const char k_policies[] =
	"permit(principal == User::\"alice\", action == Action::\"read\", resource == Doc::\"d1\");\n"
	"permit(principal == User::\"bob\", action, resource) when { resource.public };\n"
	"permit(principal, action, resource == Doc::\"d2\") when { principal.age >= 18 };\n"
	"permit(principal in Team::\"eng\", action in [Action::\"read\", Action::\"write\"], resource in Folder::\"f\");\n"
	"forbid(principal in Team::\"ops\", action == Action::\"write\", resource);\n"
	"permit(principal is User in Team::\"all\", action in Action::\"any\", resource is Doc)\n"
	"  when { principal in resource.readers || resource.owner == principal };\n"
	"permit(principal, action in [], resource);\n"
	"permit(principal, action, resource) when { principal.age + 1 > 30 && resource has owner };\n"
	"forbid(principal, action, resource) when { principal.missing == 1 };\n"
	"permit(principal, action, resource is Doc in Folder::\"f\") when { principal.docs.contains(resource) };\n"
	"permit(principal, action, resource) when { \"x\" like \"*\" && {a: 1}.a == 1 && [1, 2].contains(2) };\n"
	"forbid(principal, action == Action::\"read\", resource) unless { resource.owner.age > 0 };\n"
	"permit(principal, action, resource) when { if principal has age then principal.age < 20 else false };\n"
	"permit(principal, action, resource) when { principal in [Team::\"ops\", Team::\"nobody\"] && !(resource is Folder) };\n"
	"permit(principal == ?principal, action == Action::\"read\", resource in ?resource);\n"
	"forbid(principal in ?principal, action, resource) when { resource has public && resource.public };\n";

static wctx cx;
static wentities es;
static wpolicyset plain, fast;
static warena tmp1, tmp2;

static wuid U(const char *type, const char *id)
{
	wuid u = {ctx_sym(&cx, type, strlen(type)), ctx_sym(&cx, id, strlen(id))};
	return u;
}

static void load_set(wpolicyset *ps)
{
	policyset_init(ps);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&cx, ps, "t.cedar", k_policies, sizeof k_policies - 1, &d), 0);
	diags_release(&d);
}

static void link(wpolicyset *ps, const char *tpl, const char *id, wuid p, wuid r)
{
	wlink_values v = {0};
	v.principal = p;
	v.has_principal = true;
	v.resource = r;
	v.has_resource = strcmp(tpl, "policy15") == 0 ? false : true;
	wbuf err = WBUF_INIT;
	cr_assert(policy_link(ps, tpl, id, &v, &err), "link failed: %s", err.p ? err.p : "");
	buf_release(&err);
}

static void setup(void)
{
	ctx_init(&cx);
	entities_init(&es);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "e.json", k_entities, sizeof k_entities - 1, &d), 0);
	diags_release(&d);
	load_set(&plain);
	load_set(&fast);
	link(&plain, "policy14", "alice_f", U("User", "alice"), U("Folder", "f"));
	link(&fast, "policy14", "alice_f", U("User", "alice"), U("Folder", "f"));
	authz_prepare(&fast);
	/* linked after preparing: decided by the linear tail */
	link(&plain, "policy15", "ops_forbid", U("Team", "ops"), U("Doc", "d1"));
	link(&fast, "policy15", "ops_forbid", U("Team", "ops"), U("Doc", "d1"));
	arena_init(&tmp1);
	arena_init(&tmp2);
}

static void teardown(void)
{
	arena_release(&tmp1);
	arena_release(&tmp2);
	policyset_release(&plain);
	policyset_release(&fast);
	entities_release(&es);
	ctx_release(&cx);
}

TestSuite(authz_index, .init = setup, .fini = teardown);

static void same_response(const wresponse *a, const wresponse *b, const char *what)
{
	cr_assert_eq(a->allow, b->allow, "%s: decision", what);
	cr_assert_eq(a->nreasons, b->nreasons, "%s: reason count", what);
	for (uint32_t i = 0; i < a->nreasons; i++)
		cr_assert_str_eq(a->reasons[i]->id, b->reasons[i]->id, "%s: reason %u", what, i);
	cr_assert_eq(a->nerrors, b->nerrors, "%s: error count", what);
	for (uint32_t i = 0; i < a->nerrors; i++) {
		cr_assert_str_eq(a->errors[i].policy->id, b->errors[i].policy->id, "%s: error %u", what, i);
		cr_assert_str_eq(a->errors[i].msg, b->errors[i].msg, "%s: error message %u", what, i);
	}
}

Test(authz_index, same_as_linear_scan_for_every_request)
{
	cr_assert(fast.index);
	const wuid ps[] = {U("User", "alice"), U("User", "bob"), U("User", "ghost"), U("Team", "eng")};
	const wuid as[] = {U("Action", "read"), U("Action", "write"), U("Action", "any"), U("Action", "other")};
	const wuid rs[] = {U("Doc", "d1"), U("Doc", "d2"), U("Folder", "f"), U("Doc", "gone")};
	unsigned n = 0, allows = 0, errors = 0;
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
		for (size_t j = 0; j < sizeof as / sizeof as[0]; j++)
			for (size_t k = 0; k < sizeof rs / sizeof rs[0]; k++) {
				wrequest req = {ps[i], as[j], rs[k], {0}};
				req.context.kind = WV_RECORD;
				req.context.u.rec = record_empty();
				wresponse a, b;
				arena_reset(&tmp1);
				arena_reset(&tmp2);
				authz_decide(&cx, &plain, &es, &req, &tmp1, &a);
				authz_decide(&cx, &fast, &es, &req, &tmp2, &b);
				char what[128];
				snprintf(what, sizeof what, "%s/%s/%s", ps[i].id->s, as[j].id->s, rs[k].id->s);
				same_response(&a, &b, what);
				n++;
				allows += a.allow;
				errors += a.nerrors;
			}
	cr_assert_eq(n, 64);
	/* the set exercises both outcomes and the error path */
	cr_assert_gt(allows, 5);
	cr_assert_lt(allows, 60);
	cr_assert_gt(errors, 10);
}

Test(authz_index, scope_filing_is_exact)
{
	/* alice reading d1: policy0 (principal and resource ==), policy3 (in
	 * Folder), policy5 (is-in with a condition), the link alice_f; bob's
	 * forbid (policy4, write only) must not appear */
	wrequest req = {U("User", "alice"), U("Action", "read"), U("Doc", "d1"), {0}};
	req.context.kind = WV_RECORD;
	req.context.u.rec = record_empty();
	wresponse r;
	authz_decide(&cx, &fast, &es, &req, &tmp1, &r);
	bool saw[4] = {false};
	for (uint32_t i = 0; i < r.nreasons; i++) {
		const char *id = r.reasons[i]->id;
		saw[0] |= strcmp(id, "policy0") == 0;
		saw[1] |= strcmp(id, "policy3") == 0;
		saw[2] |= strcmp(id, "policy5") == 0;
		saw[3] |= strcmp(id, "alice_f") == 0;
		cr_assert_str_neq(id, "policy4");
	}
	cr_assert(r.allow);
	cr_assert(saw[0] && saw[1] && saw[2] && saw[3]);
	/* reasons come out in policy-set order */
	for (uint32_t i = 1; i < r.nreasons; i++) {
		uint32_t a = 0, b = 0;
		for (uint32_t k = 0; k < fast.n; k++) {
			if (fast.items[k] == r.reasons[i - 1])
				a = k;
			if (fast.items[k] == r.reasons[i])
				b = k;
		}
		cr_assert_lt(a, b);
	}
}

Test(authz_index, empty_and_single_policy_sets)
{
	wpolicyset one;
	policyset_init(&one);
	authz_prepare(&one);
	wrequest req = {U("User", "bob"), U("Action", "write"), U("Doc", "d2"), {0}};
	req.context.kind = WV_RECORD;
	req.context.u.rec = record_empty();
	wresponse r;
	authz_decide(&cx, &one, &es, &req, &tmp1, &r);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons + r.nerrors, 0);
	policyset_release(&one);

	policyset_init(&one);
	wdiags d;
	diags_init(&d);
	static const char t[] = "forbid(principal, action, resource) when { principal.age < 18 };";
	cr_assert_eq(parse_policies(&cx, &one, "one.cedar", t, sizeof t - 1, &d), 0);
	diags_release(&d);
	authz_prepare(&one);
	authz_decide(&cx, &one, &es, &req, &tmp1, &r);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 1, "bob is 17: the forbid applies");
	policyset_release(&one);
}
