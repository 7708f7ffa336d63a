/* Unit tests for partial evaluation with the context unknown (residual.c).
 *
 * Expressions are parsed from Cedar text and partially evaluated for a fixed
 * principal/action/resource; the residual is checked in its printed form,
 * and, for a set of concrete contexts, evaluating the residual with the
 * context must give exactly what evaluating the original gives (same value,
 * or an error in both).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "analysis/residual.h"
#include "cedar/entities.h"
#include "cedar/format.h"
#include "cedar/parser.h"

static wctx cx;
static warena ast, tmp;
static wentities es;
static wrequest req;
static weval ev;
static wdiags dg;

static const char *ENTITIES = "["
	"{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{\"level\":3,\"name\":\"alice\"},"
	" \"parents\":[{\"type\":\"Group\",\"id\":\"eng\"}]},"
	"{\"uid\":{\"type\":\"Group\",\"id\":\"eng\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d\"},\"attrs\":{\"env\":\"prod\"},"
	" \"parents\":[{\"type\":\"Folder\",\"id\":\"f\"}]}"
	"]";

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
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "e.json", ENTITIES, strlen(ENTITIES), &dg), 0);
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
}

static void teardown(void)
{
	diags_release(&dg);
	entities_release(&es);
	arena_release(&tmp);
	arena_release(&ast);
	ctx_release(&cx);
}

TestSuite(residual, .init = setup, .fini = teardown);

static wexpr *X(const char *text)
{
	wsource *src = ARENA_NEW(&ast, wsource);
	src->name = "expr";
	src->text = arena_strndup(&ast, text, strlen(text));
	src->len = strlen(text);
	wexpr *e = parse_expr(&cx, &ast, src, &dg);
	cr_assert_not_null(e, "parse error in %s", text);
	return e;
}

static char *show(const wres *r)
{
	wbuf b = WBUF_INIT;
	if (r->kind == WRES_VALUE)
		value_print(&r->v, &b);
	else if (r->kind == WRES_ERROR)
		buf_printf(&b, "ERROR");
	else
		format_expr(r->expr, NULL, &b);
	return b.p ? b.p : strdup("");
}

static void expect(const char *text, bool top, const char *want)
{
	wres r;
	residual_expr(&ev, X(text), top, &r);
	char *got = show(&r);
	cr_expect_str_eq(got, want, "residual of `%s`", text);
	free(got);
}

Test(residual, context_free_parts_are_evaluated_exactly)
{
	expect("principal.level + 1", false, "4");
	expect("principal in Group::\"eng\"", false, "true");
	expect("resource.env == \"prod\" && context.ok", true, "context.ok");
	expect("context.n > principal.level", false, "context.n > 3");
	expect("context.tags.contains(principal.name)", false, "context.tags.contains(\"alice\")");
}

Test(residual, simplification_rules)
{
	expect("true && context.a", true, "context.a");
	/* outside a boolean position `true && x` is not x (x may not be a bool) */
	expect("true && context.a", false, "true && context.a");
	expect("(true && context.a) || context.b", false, "context.a || context.b");
	expect("false && context.a", false, "false");
	expect("context.a && true", true, "context.a");
	expect("true || context.a", false, "true");
	expect("false || context.a", true, "context.a");
	expect("context.a || false", true, "context.a");
	/* x && false is false or an error: false only where errors do not matter */
	expect("context.a && false", false, "context.a && false");
	expect("context.a && false", true, "false");
	/* x || true may still error: kept */
	expect("context.a || true", false, "context.a || true");
	expect("if principal.level > 2 then context.a else context.b", false, "context.a");
	expect("if context.c then principal.level else 0", false, "if context.c then 3 else 0");
	expect("!(principal.level > 5) && context.a", true, "context.a");
}

Test(residual, errors_stay_errors)
{
	/* errors whatever the context */
	expect("principal.missing && context.a", false, "ERROR");
	expect("context.a + principal.missing", false, "ERROR");
	expect("1 && context.a", false, "ERROR");
	/* an error only on some contexts is kept as error("...") */
	wres r;
	residual_expr(&ev, X("context.a || principal.missing"), false, &r);
	cr_assert_eq(r.kind, WRES_EXPR);
	char *s = show(&r);
	cr_expect(strncmp(s, "context.a ||", 12) == 0 && strstr(s, "error(\"entity"), "got %s", s);
	free(s);
}

/* For each context, eval(original) == eval(residual). */
static void equivalent(const char *text, const char *const *contexts, size_t n)
{
	wexpr *e = X(text);
	wres r;
	residual_expr(&ev, e, false, &r);
	for (size_t i = 0; i < n; i++) {
		wexpr *c = X(contexts[i]);
		wvalue cv, v1, v2;
		cr_assert_eq(eval_expr(&ev, c, &cv), 0);
		wrequest full = req;
		full.context = cv;
		ev.req = &full;
		int rc1 = eval_expr(&ev, e, &v1);
		int rc2;
		if (r.kind == WRES_VALUE)
			v2 = r.v, rc2 = 0;
		else if (r.kind == WRES_ERROR)
			rc2 = -1;
		else
			rc2 = eval_expr(&ev, r.expr, &v2);
		ev.req = &req;
		cr_expect_eq(rc1, rc2, "`%s` with context %s: original %s, residual %s", text, contexts[i],
			     rc1 ? "errors" : "ok", rc2 ? "errors" : "ok");
		if (rc1 == 0 && rc2 == 0)
			cr_expect(value_eq(&v1, &v2), "`%s` with context %s: values differ", text, contexts[i]);
	}
}

Test(residual, residual_agrees_with_full_evaluation)
{
	static const char *const ctxs[] = {
		"{a: true, b: false, n: 1, tags: [\"alice\"]}",
		"{a: false, b: true, n: 5, tags: []}",
		"{a: 1, b: \"x\", n: -2, tags: [1]}",
		"{}",
	};
	static const char *const exprs[] = {
		"context.a && principal.level == 3",
		"context.a || principal.missing",
		"context.b && (context.n > principal.level)",
		"if context.a then principal.level + context.n else resource.env",
		"!context.a || context.b",
		"context.tags.contains(principal.name) && resource in Folder::\"f\"",
		"context has a && context.a == true",
		"[context.n, principal.level].contains(3)",
		"{x: context.n, y: principal.level}.y == 3",
		"context.a && false",
		"context.n + 9223372036854775807 > 0",
	};
	for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
		equivalent(exprs[i], ctxs, sizeof ctxs / sizeof ctxs[0]);
}

static wpolicyset ps;

static const wpolicy *P(const char *text)
{
	policyset_init(&ps);
	cr_assert_eq(parse_policies(&cx, &ps, "p.cedar", text, strlen(text), &dg), 0);
	return ps.items[0];
}

Test(residual, policies)
{
	wpres r;
	residual_policy(&ev, P("permit(principal in Group::\"eng\", action, resource) when { context.ok };"), &r);
	cr_assert_eq(r.kind, WPRES_COND);
	wbuf b = WBUF_INIT;
	format_expr(r.cond, NULL, &b);
	cr_expect_str_eq(b.p, "context.ok");
	buf_release(&b);
	policyset_release(&ps);

	residual_policy(&ev, P("permit(principal == User::\"bob\", action, resource) when { context.ok };"), &r);
	cr_expect_eq(r.kind, WPRES_NO);
	policyset_release(&ps);

	residual_policy(&ev, P("permit(principal, action, resource) when { principal.level > 1 };"), &r);
	cr_expect_eq(r.kind, WPRES_YES);
	policyset_release(&ps);

	residual_policy(&ev, P("permit(principal, action, resource) unless { principal.level > 1 };"), &r);
	cr_expect_eq(r.kind, WPRES_NO);
	policyset_release(&ps);

	residual_policy(&ev, P("forbid(principal, action, resource) unless { context.mfa };"), &r);
	cr_assert_eq(r.kind, WPRES_COND);
	b = (wbuf)WBUF_INIT;
	format_expr(r.cond, NULL, &b);
	cr_expect_str_eq(b.p, "!context.mfa");
	buf_release(&b);
	policyset_release(&ps);

	residual_policy(&ev, P("permit(principal, action, resource) when { principal.nope };"), &r);
	cr_expect_eq(r.kind, WPRES_ERROR);
	policyset_release(&ps);

	/* a template matches nothing until linked */
	residual_policy(&ev, P("permit(principal == ?principal, action, resource);"), &r);
	cr_expect_eq(r.kind, WPRES_NO);
	policyset_release(&ps);
}

static void expect_simplified(const char *text, const char *want)
{
	wexpr *e = residual_simplify(&tmp, X(text));
	wbuf b = WBUF_INIT;
	format_expr(e, NULL, &b);
	cr_expect_str_eq(b.p, want, "simplified `%s`", text);
	buf_release(&b);
}

Test(residual, normalization_flattens_and_dedups)
{
	expect_simplified("context.a && context.b && !!(context.a && context.c)",
			  "context.a && context.b && context.c");
	expect_simplified("context.a || (context.b || context.a)", "context.a || context.b");
	expect_simplified("!!context.a", "context.a");
	/* inside other operators nothing changes */
	expect_simplified("(context.a && context.a) == true", "(context.a && context.a) == true");
	expect_simplified("context.x && (context.y || context.y) && context.x", "context.x && context.y");
}
