/* Unit tests for comparing residual conditions with Z3 (smt.c).
 *
 * Conditions are parsed from Cedar text, partially evaluated with the
 * context unknown (as the diff does, so ip("...") and friends become
 * literals), simplified, and compared: equivalences that differ as text,
 * strict narrowing and widening, incomparable conditions, Cedar's errors
 * (missing attributes, type errors, overflow) and unsupported constructs.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analysis/residual.h"
#include "analysis/smt.h"
#include "cedar/parser.h"

static wctx cx;
static warena ast, tmp;
static wentities es;
static wrequest req;
static weval ev;
static wdiags dg;
static wsmt *sm;

static wuid U(const char *t, const char *id)
{
	wuid u = {ctx_sym(&cx, t, strlen(t)), ctx_sym(&cx, id, strlen(id))};
	return u;
}

static void setup(void)
{
	ctx_init(&cx);
	arena_init(&ast);
	arena_init(&tmp);
	entities_init(&es);
	diags_init(&dg);
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "e.json", "[]", 2, &dg), 0);
	req.principal = U("User", "alice");
	req.action = U("Action", "view");
	req.resource = U("Doc", "d");
	req.context.kind = WV_RECORD;
	req.context.u.rec = record_empty();
	memset(&ev, 0, sizeof ev);
	ev.cx = &cx;
	ev.ents = &es;
	ev.req = &req;
	ev.tmp = &tmp;
	eval_resolve(&ev);
	sm = smt_new();
	cr_assert_not_null(sm);
}

static void teardown(void)
{
	smt_free(sm);
	diags_release(&dg);
	entities_release(&es);
	arena_release(&tmp);
	arena_release(&ast);
	ctx_release(&cx);
}

TestSuite(smt, .init = setup, .fini = teardown);

/* The residual condition of `text`, as the diff sees it. */
static wexpr *C(const char *text)
{
	wsource *src = ARENA_NEW(&ast, wsource);
	src->name = "expr";
	src->text = arena_strndup(&ast, text, strlen(text));
	src->len = strlen(text);
	wexpr *e = parse_expr(&cx, &ast, src, &dg);
	cr_assert_not_null(e, "parse error in %s", text);
	wres r;
	residual_expr(&ev, e, true, &r);
	cr_assert_eq(r.kind, WRES_EXPR, "not a residual: %s", text);
	return residual_simplify(&tmp, r.expr);
}

static wsmt_rel cmp(const char *base, const char *head)
{
	return smt_compare(sm, C(base), base, C(head), head);
}

#define REL(base, head, want)                                                                                     \
	do {                                                                                                      \
		wsmt_rel got_ = cmp(base, head);                                                                  \
		cr_expect_eq(got_, want, "%s vs %s: got %s, want %s", base, head, smt_rel_name(got_),              \
			     smt_rel_name(want));                                                                  \
	} while (0)

Test(smt, equivalent_but_different_text)
{
	REL("context.a && context.b", "context.b && context.a", WSMT_EQUIVALENT);
	REL("!(context.a || context.b)", "!context.a && !context.b", WSMT_EQUIVALENT);
	REL("context.x < 5", "!(context.x >= 5)", WSMT_EQUIVALENT);
	REL("context.x >= 1 && context.x <= 9", "context.x > 0 && context.x < 10", WSMT_EQUIVALENT);
	REL("context.x == 3", "3 == context.x", WSMT_EQUIVALENT);
	REL("context.s != \"a\"", "!(context.s == \"a\")", WSMT_EQUIVALENT);
	REL("context.mfa == true", "context.mfa", WSMT_EQUIVALENT);
	REL("context has x && context.x > 1", "context.x > 1", WSMT_EQUIVALENT);
	REL("if context.a then context.b else false", "context.a && context.b", WSMT_EQUIVALENT);
	REL("context.x + 1 > 5", "context.x > 4 && context.x < 9223372036854775807", WSMT_EQUIVALENT);
	REL("context.p == User::\"a\" || context.p == User::\"b\"", "context.p == User::\"b\" || context.p == User::\"a\"",
	    WSMT_EQUIVALENT);
	/* host bits past the prefix do not count */
	REL("context.ip.isInRange(ip(\"10.0.0.0/8\"))", "context.ip.isInRange(ip(\"10.1.2.3/8\"))", WSMT_EQUIVALENT);
	REL("context.ip.isLoopback()", "context.ip.isInRange(ip(\"127.0.0.0/8\")) || context.ip.isInRange(ip(\"::1\"))",
	    WSMT_EQUIVALENT);
	REL("context.d.lessThan(decimal(\"1.5\"))", "!context.d.greaterThanOrEqual(decimal(\"1.5\"))", WSMT_EQUIVALENT);
	REL("context.t < datetime(\"2025-01-01\")", "!(context.t >= datetime(\"2025-01-01\"))", WSMT_EQUIVALENT);
}

Test(smt, narrowed_and_widened)
{
	REL("context.x > 5", "context.x > 10", WSMT_NARROWED);
	REL("context.x > 10", "context.x > 5", WSMT_WIDENED);
	REL("context.mfa", "context.mfa && context.level >= 2", WSMT_NARROWED);
	REL("context.mfa && context.level >= 2", "context.mfa", WSMT_WIDENED);
	REL("context.ip.isInRange(ip(\"10.0.0.0/8\"))", "context.ip.isInRange(ip(\"10.1.0.0/16\"))", WSMT_NARROWED);
	REL("context.ip.isInRange(ip(\"10.1.0.0/16\"))", "context.ip.isInRange(ip(\"10.0.0.0/8\"))", WSMT_WIDENED);
	REL("context.ip.isInRange(ip(\"10.0.0.0/8\"))", "context.ip.isInRange(ip(\"10.0.0.0/8\")) && context.ip.isIpv4()",
	    WSMT_EQUIVALENT);
	REL("context.s == \"a\"", "context.s == \"a\" || context.s == \"b\"", WSMT_WIDENED);
	REL("context.d.lessThan(decimal(\"2.0\"))", "context.d.lessThan(decimal(\"1.9999\"))", WSMT_NARROWED);
	REL("context.t < duration(\"2h\")", "context.t < duration(\"1h\")", WSMT_NARROWED);
}

Test(smt, changed)
{
	REL("context.x > 5", "context.x < 5", WSMT_CHANGED);
	REL("context.a", "context.b", WSMT_CHANGED);
	REL("context.s == \"a\"", "context.s == \"b\"", WSMT_CHANGED);
	/* a whole /8 is in neither /9 */
	REL("context.ip.isInRange(ip(\"10.0.0.0/8\"))",
	    "context.ip.isInRange(ip(\"10.0.0.0/9\")) || context.ip.isInRange(ip(\"10.128.0.0/9\"))", WSMT_NARROWED);
	REL("context.ip.isInRange(ip(\"10.0.0.0/8\"))", "context.ip.isInRange(ip(\"11.0.0.0/8\"))", WSMT_CHANGED);
}

Test(smt, errors_are_modelled)
{
	/* `||` is not commutative: with a true and b missing, a || b is true
	 * and b || a errors */
	REL("context.a || context.b", "context.b || context.a", WSMT_CHANGED);
	/* `&&` at the top is: true exactly when both are */
	REL("context.a && context.b", "context.b && context.a", WSMT_EQUIVALENT);
	REL("(context has a && context.a) || context.b", "context.a || context.b", WSMT_NARROWED);
	/* a non-long x errors in both; a long x: always true, so x must be a long */
	REL("context.x < 5 || context.x >= 5", "context has x && context.x == context.x + 0", WSMT_EQUIVALENT);
	/* overflow: x + 1 errors at the top, x > 3 does not */
	REL("context.x > 3", "context.x + 1 > 4", WSMT_NARROWED);
	/* nothing is below the smallest long */
	REL("context.a && context.b", "context.a && context.b && context.x < 0 - 9223372036854775807 - 1",
	    WSMT_NARROWED);
	/* a known error kept as error("..."): never true */
	REL("context.a && context.x < 1", "context.a && (context.x < 1 || 1 + \"a\" == 2)", WSMT_EQUIVALENT);
	/* a decimal x makes `x < 5` error before the right side is reached */
	REL("context.x < 5", "context.x < 5 || context.x.lessThan(decimal(\"5.0\"))", WSMT_EQUIVALENT);
	/* ... and a long x makes lessThan error first */
	REL("context.x < 5", "context.x.lessThan(decimal(\"5.0\")) || context.x < 5", WSMT_CHANGED);
}

Test(smt, unknown_for_unsupported)
{
	REL("context.s like \"a*\"", "context.s like \"a*\" && true", WSMT_UNKNOWN);
	REL("context.tags.contains(\"x\")", "context.tags.contains(\"y\")", WSMT_UNKNOWN);
	REL("context.p in Group::\"g\"", "context.p == Group::\"g\"", WSMT_UNKNOWN);
	REL("context.x > 1", "context.r == {\"a\": 1}", WSMT_UNKNOWN);
	REL("context.ip == ip(\"10.0.0.1\")", "context.ip.isInRange(ip(\"10.0.0.1\"))", WSMT_UNKNOWN);
	REL("context.x * context.y > 1", "context.x > 1", WSMT_UNKNOWN);
}

Test(smt, deterministic_and_cached)
{
	wsmt_rel a = cmp("context.x > 5 && context.y", "context.y && context.x >= 6");
	cr_assert_eq(a, WSMT_EQUIVALENT);
	uint64_t q = smt_queries(sm);
	cr_assert_eq(cmp("context.x > 5 && context.y", "context.y && context.x >= 6"), a);
	cr_assert_eq(smt_queries(sm), q, "the second answer comes from the cache");
	/* a fresh context gives the same answer */
	wsmt *other = smt_new();
	cr_assert_not_null(other);
	wexpr *b = C("context.x > 5 && context.y"), *h = C("context.y && context.x >= 6");
	cr_assert_eq(smt_compare(other, b, NULL, h, NULL), a);
	cr_assert_eq(smt_compare(other, b, NULL, h, NULL), a);
	cr_assert_eq(smt_queries(other), 4, "no keys: no cache");
	smt_free(other);
	cr_assert_eq(smt_compare(NULL, b, NULL, h, NULL), WSMT_UNKNOWN);
}

Test(smt, rel_names)
{
	cr_assert_str_eq(smt_rel_name(WSMT_EQUIVALENT), "equivalent");
	cr_assert_str_eq(smt_rel_name(WSMT_NARROWED), "narrowed");
	cr_assert_str_eq(smt_rel_name(WSMT_WIDENED), "widened");
	cr_assert_str_eq(smt_rel_name(WSMT_CHANGED), "changed");
	cr_assert_str_eq(smt_rel_name(WSMT_UNKNOWN), "unknown");
}
