/* residual: partial evaluation with the request context unknown (see
 * residual.h).
 *
 * A walk over the AST returning, for each node, a known value, a known
 * error, or a residual expression. A node that does not mention `context`
 * is handed to eval_expr as is, so its value (or error) is exactly the
 * evaluator's. A node that does is rebuilt from its children's results:
 * `&&`, `||` and `if` short-circuit on known operands exactly as the
 * evaluator does; any other operator whose operands all became known is
 * evaluated over literal operands; otherwise the node is rebuilt with known
 * operands turned into literals. Operands are evaluated left to right and a
 * known error in an operand that is always evaluated makes the node an error
 * whatever the context.
 */
#include "analysis/residual.h"

#include <string.h>

#include "cedar/ext.h"
#include "cedar/format.h"
#include "util/xalloc.h"

/* ---- builders ------------------------------------------------------------ */

static wexpr *node(warena *a, wexkind k)
{
	wexpr *e = ARENA_NEW(a, wexpr);
	e->kind = (uint8_t)k;
	return e;
}

wexpr *residual_lit(warena *a, wvalue v)
{
	wexpr *e = node(a, WE_LIT);
	e->u.lit = v;
	return e;
}

static wexpr *bin(warena *a, wexkind k, wexpr *x, wexpr *y)
{
	wexpr *e = node(a, k);
	e->u.k.a = x;
	e->u.k.b = y;
	return e;
}

wexpr *residual_and(warena *a, wexpr *x, wexpr *y)
{
	return bin(a, WE_AND, x, y);
}

wexpr *residual_or(warena *a, wexpr *x, wexpr *y)
{
	return bin(a, WE_OR, x, y);
}

wexpr *residual_not(warena *a, wexpr *x)
{
	/* !!x is not x for a non-boolean x, so no simplification here */
	wexpr *e = node(a, WE_NOT);
	e->u.k.a = x;
	return e;
}

/* error(msg): always fails with msg. Lets a residual keep an error that
 * only happens for some contexts, printable and evaluable. */
static int error_impl(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	(void)out;
	if (args[0].kind == WV_STRING)
		*err = arena_strndup(a, args[0].u.s.p, args[0].u.s.n);
	else
		*err = "error";
	return -1;
}

static const wext_fn error_fn = {"error", 1, false, error_impl};

wexpr *residual_error(wctx *cx, warena *a, const char *msg)
{
	wexpr *e = node(a, WE_CALL);
	wexpr **args = ARENA_ARRAY(a, wexpr *, 1);
	size_t n = strlen(msg);
	args[0] = residual_lit(a, value_string(arena_strndup(a, msg, n), (uint32_t)n));
	e->u.call.fn = &error_fn;
	e->u.call.name = ctx_sym(cx, "error", 5);
	e->u.call.args = args;
	e->u.call.n = 1;
	e->u.call.method = false;
	return e;
}

/* ---- context dependence --------------------------------------------------- */

bool residual_uses_context(const wexpr *e)
{
	if (!e)
		return false;
	switch (e->kind) {
	case WE_LIT:
	case WE_SLOT:
		return false;
	case WE_VAR:
		return e->u.var == WVAR_CONTEXT;
	case WE_IF:
		return residual_uses_context(e->u.k.a) || residual_uses_context(e->u.k.b) ||
		       residual_uses_context(e->u.k.c);
	case WE_AND:
	case WE_OR:
	case WE_BINARY:
		return residual_uses_context(e->u.k.a) || residual_uses_context(e->u.k.b);
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		return residual_uses_context(e->u.k.a);
	case WE_GETATTR:
	case WE_HASATTR:
		return residual_uses_context(e->u.attr.obj);
	case WE_LIKE:
		return residual_uses_context(e->u.like.obj);
	case WE_IS:
		return residual_uses_context(e->u.is.obj) || residual_uses_context(e->u.is.in);
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			if (residual_uses_context(e->u.list.items[i]))
				return true;
		return false;
	case WE_RECORD:
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			if (residual_uses_context(e->u.rec.vals[i]))
				return true;
		return false;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			if (residual_uses_context(e->u.call.args[i]))
				return true;
		return false;
	}
	return true; /* unknown node: treat as unknown */
}

/* ---- partial evaluation --------------------------------------------------- */

static void set_value(wres *r, wvalue v)
{
	r->kind = WRES_VALUE;
	r->v = v;
	r->err = NULL;
	r->expr = NULL;
}

static void set_error(wres *r, const char *msg)
{
	r->kind = WRES_ERROR;
	r->err = msg ? msg : "error";
	r->expr = NULL;
}

static void set_expr(wres *r, wexpr *e)
{
	r->kind = WRES_EXPR;
	r->expr = e;
	r->err = NULL;
}

/* The result as an expression: a literal, an error() call or the residual. */
static wexpr *lift(weval *ev, const wres *r)
{
	switch (r->kind) {
	case WRES_VALUE: return residual_lit(ev->tmp, r->v);
	case WRES_ERROR: return residual_error(ev->cx, ev->tmp, r->err);
	default: return r->expr;
	}
}

static void eval_exact(weval *ev, const wexpr *e, wres *out)
{
	wvalue v;
	if (eval_expr(ev, e, &v) < 0)
		set_error(out, ev->err);
	else
		set_value(out, v);
}

static const char *not_bool(weval *ev, const char *op, const wvalue *v)
{
	return arena_sprintf(ev->tmp, "type error: %s expects a bool operand, got %s", op,
			     value_kind_name((wvkind)v->kind));
}

static void pe(weval *ev, const wexpr *e, bool top, bool boolctx, wres *out);

/* `a && b` (is_and) or `a || b`. Cedar: the left operand must be a bool;
 * it decides alone when it is false (&&) / true (||); otherwise the right
 * operand must be a bool and is the result. Dropping a known `true` operand
 * (true && x -> x) is exact only where the parent checks that x is a bool
 * (`boolctx`: a condition, an operand of &&, ||, ! or an if's test), since
 * `true && 1` errors but `1` does not; elsewhere the literal is kept. */
static void pe_andor(weval *ev, const wexpr *e, bool is_and, bool top, bool boolctx, wres *out)
{
	const char *opname = is_and ? "'&&'" : "'||'";
	wres ra, rb;
	pe(ev, e->u.k.a, top && is_and, true, &ra);
	if (ra.kind == WRES_ERROR) {
		*out = ra;
		return;
	}
	if (ra.kind == WRES_VALUE) {
		if (ra.v.kind != WV_BOOL) {
			set_error(out, not_bool(ev, opname, &ra.v));
			return;
		}
		if (ra.v.u.b != is_and) { /* false && _ / true || _ */
			*out = ra;
			return;
		}
		pe(ev, e->u.k.b, top && is_and, true, &rb);
		if (rb.kind == WRES_VALUE && rb.v.kind != WV_BOOL)
			set_error(out, not_bool(ev, opname, &rb.v));
		else if (rb.kind != WRES_EXPR || boolctx)
			*out = rb; /* true && x -> x, false || x -> x */
		else
			set_expr(out, bin(ev->tmp, is_and ? WE_AND : WE_OR, lift(ev, &ra), rb.expr));
		return;
	}
	pe(ev, e->u.k.b, top && is_and, true, &rb);
	if (rb.kind == WRES_VALUE && rb.v.kind == WV_BOOL) {
		if (rb.v.u.b == is_and && boolctx) { /* x && true -> x, x || false -> x */
			*out = ra;
			return;
		}
		if (is_and && !rb.v.u.b && top) { /* x && false: false or an error, never true */
			set_value(out, value_bool(false));
			return;
		}
	}
	if (rb.kind == WRES_ERROR && is_and && top) {
		/* x && error: never true; an error whenever x is true */
		*out = rb;
		return;
	}
	set_expr(out, bin(ev->tmp, is_and ? WE_AND : WE_OR, ra.expr, lift(ev, &rb)));
}

static void pe_if(weval *ev, const wexpr *e, bool top, bool boolctx, wres *out)
{
	wres rc, rt, rf;
	pe(ev, e->u.k.a, false, true, &rc);
	if (rc.kind == WRES_ERROR) {
		*out = rc;
		return;
	}
	if (rc.kind == WRES_VALUE) {
		if (rc.v.kind != WV_BOOL) {
			set_error(out, not_bool(ev, "'if'", &rc.v));
			return;
		}
		pe(ev, rc.v.u.b ? e->u.k.b : e->u.k.c, top, boolctx, out);
		return;
	}
	pe(ev, e->u.k.b, top, boolctx, &rt);
	pe(ev, e->u.k.c, top, boolctx, &rf);
	/* if c then true else false -> c only when c is known to be a bool,
	 * which it is not in general: keep the if */
	wexpr *n = node(ev->tmp, WE_IF);
	n->u.k.a = rc.expr;
	n->u.k.b = lift(ev, &rt);
	n->u.k.c = lift(ev, &rf);
	set_expr(out, n);
}

/* Every other operator: operands are always all evaluated, in order. */
static void pe_strict(weval *ev, const wexpr *e, wres *out)
{
	const wexpr *kids[3] = {NULL, NULL, NULL};
	uint32_t nk = 0, nlist = 0;
	wexpr **list = NULL;
	wexpr *copy = node(ev->tmp, (wexkind)e->kind);
	*copy = *e;
	copy->span.start = copy->span.end = 0;
	switch (e->kind) {
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		kids[nk++] = e->u.k.a;
		break;
	case WE_BINARY:
		kids[nk++] = e->u.k.a;
		kids[nk++] = e->u.k.b;
		break;
	case WE_GETATTR:
	case WE_HASATTR:
		kids[nk++] = e->u.attr.obj;
		break;
	case WE_LIKE:
		kids[nk++] = e->u.like.obj;
		break;
	case WE_IS:
		kids[nk++] = e->u.is.obj;
		if (e->u.is.in)
			kids[nk++] = e->u.is.in;
		break;
	case WE_SET:
		nlist = e->u.list.n;
		list = ARENA_ARRAY(ev->tmp, wexpr *, nlist ? nlist : 1);
		copy->u.list.items = list;
		break;
	case WE_RECORD:
		nlist = e->u.rec.n;
		list = ARENA_ARRAY(ev->tmp, wexpr *, nlist ? nlist : 1);
		copy->u.rec.vals = list;
		break;
	case WE_CALL:
		nlist = e->u.call.n;
		list = ARENA_ARRAY(ev->tmp, wexpr *, nlist ? nlist : 1);
		copy->u.call.args = list;
		break;
	default:
		set_error(out, "internal error: unexpected expression in partial evaluation");
		return;
	}
	bool all_known = true;
	wres r;
	if (list) {
		for (uint32_t i = 0; i < nlist; i++) {
			const wexpr *k = e->kind == WE_SET ? e->u.list.items[i]
					 : e->kind == WE_RECORD ? e->u.rec.vals[i]
								: e->u.call.args[i];
			pe(ev, k, false, false, &r);
			if (r.kind == WRES_ERROR) {
				/* every operand is evaluated: the node errors
				 * whatever the context */
				*out = r;
				return;
			}
			if (r.kind != WRES_VALUE)
				all_known = false;
			list[i] = lift(ev, &r);
		}
	} else {
		wexpr *lk[3] = {NULL, NULL, NULL};
		for (uint32_t i = 0; i < nk; i++) {
			pe(ev, kids[i], false, e->kind == WE_NOT, &r);
			if (r.kind == WRES_ERROR) {
				*out = r;
				return;
			}
			if (r.kind != WRES_VALUE)
				all_known = false;
			lk[i] = lift(ev, &r);
		}
		switch (e->kind) {
		case WE_NOT:
		case WE_NEG:
		case WE_ISEMPTY: copy->u.k.a = lk[0]; break;
		case WE_BINARY:
			copy->u.k.a = lk[0];
			copy->u.k.b = lk[1];
			break;
		case WE_GETATTR:
		case WE_HASATTR: copy->u.attr.obj = lk[0]; break;
		case WE_LIKE: copy->u.like.obj = lk[0]; break;
		case WE_IS:
			copy->u.is.obj = lk[0];
			copy->u.is.in = e->u.is.in ? lk[1] : NULL;
			break;
		}
	}
	if (all_known) {
		/* the operands collapsed to values (a short-circuit removed the
		 * context): the node is now context-free */
		eval_exact(ev, copy, out);
		return;
	}
	set_expr(out, copy);
}

static void pe(weval *ev, const wexpr *e, bool top, bool boolctx, wres *out)
{
	if (!residual_uses_context(e)) {
		eval_exact(ev, e, out);
		return;
	}
	switch (e->kind) {
	case WE_VAR: /* context itself */
		set_expr(out, (wexpr *)e);
		return;
	case WE_AND: pe_andor(ev, e, true, top, boolctx, out); return;
	case WE_OR: pe_andor(ev, e, false, top, boolctx, out); return;
	case WE_IF: pe_if(ev, e, top, boolctx, out); return;
	default: pe_strict(ev, e, out); return;
	}
}

void residual_expr(weval *ev, const wexpr *e, bool top, wres *out)
{
	pe(ev, e, top, top, out);
}

/* ---- policies -------------------------------------------------------------- */

static bool in_entity(const weval *ev, wuid a, wuid b)
{
	if (uid_eq(a, b))
		return true;
	const wentity *ea = eval_entity(ev, a);
	return ea && entity_has_ancestor(ea, b);
}

/* The scope never depends on the context: matched exactly. Unlinked slots
 * (a template itself) match nothing. */
static bool scope_match(const weval *ev, const wscope *sc, wuid x)
{
	switch (sc->op) {
	case WSC_ANY: return true;
	case WSC_IS: return x.type == sc->type;
	case WSC_IN_SET:
		for (uint32_t i = 0; i < sc->nlist; i++)
			if (in_entity(ev, x, sc->list[i]))
				return true;
		return false;
	}
	if (sc->slot)
		return false;
	switch (sc->op) {
	case WSC_EQ: return uid_eq(x, sc->uid);
	case WSC_IN: return in_entity(ev, x, sc->uid);
	case WSC_IS_IN: return x.type == sc->type && in_entity(ev, x, sc->uid);
	}
	return false;
}

void residual_policy(weval *ev, const wpolicy *p, wpres *out)
{
	const wrequest *rq = ev->req;
	out->kind = WPRES_NO;
	out->cond = NULL;
	out->err = NULL;
	if (p->is_template || !scope_match(ev, &p->principal, rq->principal) ||
	    !scope_match(ev, &p->action, rq->action) || !scope_match(ev, &p->resource, rq->resource))
		return;
	wexpr *acc = NULL;
	for (uint32_t i = 0; i < p->nconds; i++) {
		const wcond *c = &p->conds[i];
		wres r;
		if (c->is_when) {
			pe(ev, c->body, true, true, &r);
		} else {
			/* unless x == when !x (both error on a non-bool x) */
			wres inner;
			pe(ev, c->body, false, true, &inner);
			if (inner.kind == WRES_VALUE) {
				if (inner.v.kind != WV_BOOL)
					set_error(&r, not_bool(ev, "an 'unless' condition", &inner.v));
				else
					set_value(&r, value_bool(!inner.v.u.b));
			} else if (inner.kind == WRES_ERROR) {
				r = inner;
			} else {
				set_expr(&r, residual_not(ev->tmp, inner.expr));
			}
		}
		if (r.kind == WRES_ERROR) {
			/* the earlier residual conditions may be false instead, but
			 * either way the policy never applies */
			out->kind = WPRES_ERROR;
			out->err = r.err;
			return;
		}
		if (r.kind == WRES_VALUE) {
			if (r.v.kind != WV_BOOL) {
				out->kind = WPRES_ERROR;
				out->err = not_bool(ev, c->is_when ? "a 'when' condition" : "an 'unless' condition", &r.v);
				return;
			}
			if (!r.v.u.b)
				return; /* WPRES_NO */
			continue;
		}
		acc = acc ? residual_and(ev->tmp, acc, r.expr) : r.expr;
	}
	if (acc) {
		out->kind = WPRES_COND;
		out->cond = acc;
	} else {
		out->kind = WPRES_YES;
	}
}

/* ---- normalization ----------------------------------------------------------- */

typedef struct xvec {
	wexpr **v;
	size_t n, cap;
} xvec;

static wexpr *strip_notnot(wexpr *e)
{
	while (e->kind == WE_NOT && e->u.k.a->kind == WE_NOT)
		e = e->u.k.a->u.k.a;
	return e;
}

/* The operands of a chain of `kind` (&& or ||), left to right. */
static void chain(wexpr *e, uint8_t kind, xvec *out, unsigned depth)
{
	e = strip_notnot(e);
	if (e->kind == kind && depth < 4096) {
		chain(e->u.k.a, kind, out, depth + 1);
		chain(e->u.k.b, kind, out, depth + 1);
		return;
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 8;
		out->v = xrealloc(out->v, sizeof *out->v * out->cap);
	}
	out->v[out->n++] = e;
}

wexpr *residual_simplify(warena *a, wexpr *e)
{
	e = strip_notnot(e);
	if (e->kind != WE_AND && e->kind != WE_OR)
		return e;
	uint8_t kind = e->kind;
	xvec ops = {0};
	chain(e, kind, &ops, 0);
	char **texts = xcalloc(ops.n, sizeof *texts);
	wexpr *acc = NULL;
	for (size_t i = 0; i < ops.n; i++) {
		wexpr *x = residual_simplify(a, ops.v[i]);
		wbuf b = WBUF_INIT;
		format_expr(x, NULL, &b);
		texts[i] = b.p ? buf_detach(&b) : xstrdup("");
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = texts[j] && strcmp(texts[j], texts[i]) == 0;
		if (dup)
			continue;
		acc = acc ? bin(a, (wexkind)kind, acc, x) : x;
	}
	for (size_t i = 0; i < ops.n; i++)
		free(texts[i]);
	free(texts);
	free(ops.v);
	return acc;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *residual_key(const wexpr *e)
{
	e = strip_notnot((wexpr *)e);
	wbuf b = WBUF_INIT;
	if (e->kind != WE_AND && e->kind != WE_OR) {
		format_expr(e, NULL, &b);
		return b.p ? buf_detach(&b) : xstrdup("");
	}
	xvec ops = {0};
	chain((wexpr *)e, e->kind, &ops, 0);
	char **keys = xcalloc(ops.n, sizeof *keys);
	for (size_t i = 0; i < ops.n; i++)
		keys[i] = residual_key(ops.v[i]);
	qsort(keys, ops.n, sizeof *keys, cmp_strp);
	buf_addc(&b, '(');
	for (size_t i = 0; i < ops.n; i++) {
		if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
			continue;
		if (i > 0)
			buf_adds(&b, e->kind == WE_AND ? " && " : " || ");
		buf_adds(&b, keys[i]);
	}
	buf_addc(&b, ')');
	for (size_t i = 0; i < ops.n; i++)
		free(keys[i]);
	free(keys);
	free(ops.v);
	return buf_detach(&b);
}
