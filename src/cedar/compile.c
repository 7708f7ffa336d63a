/* compile: the authorizer's compiled policies (see compile.h).
 *
 * A condition compiles to a tree of wcnode. The nodes cover what policies
 * are mostly made of (attribute paths, `has`, `==`, `in`, `contains`,
 * `is`, comparisons, the boolean connectives, literals); every other
 * expression becomes a C_AST node evaluated by eval.c. Evaluation follows
 * the AST evaluator's order exactly (left operand first, the same
 * short-circuits), so a C_AST node runs exactly when the AST evaluator would
 * run that subexpression, and any error there makes the whole policy fall
 * back (CP_BAIL) to eval_policy, which reports it.
 *
 * Compilation depth is bounded (deeper subtrees stay C_AST nodes, which the
 * AST evaluator walks with its own depth guard), so neither compiling nor
 * evaluating recurses deeply.
 */
#include "cedar/compile.h"

#include <string.h>

#include "cedar/entities.h"

enum cop {
	C_AST,      /* ast: evaluated by eval_expr */
	C_LIT,      /* lit */
	C_VAR,      /* var */
	C_VATTR,    /* var . name (the request's principal/action/resource/context) */
	C_ATTR,     /* a . name */
	C_HAS,      /* a has name */
	C_IN,       /* a in b */
	C_EQ,       /* a == b */
	C_NE,       /* a != b */
	C_CMP,      /* a <, <=, >, >= b (op in `bop`) */
	C_AND,      /* a && b */
	C_OR,       /* a || b */
	C_NOT,      /* !a */
	C_IF,       /* if a then b else c */
	C_CONTAINS, /* a.contains(b) */
	C_IS,       /* a is name */
};

struct wcnode {
	uint8_t op;  /* enum cop */
	uint8_t var; /* C_VAR, C_VATTR: wvar */
	uint8_t bop; /* C_CMP: wbinop */
	const wsym *name; /* C_VATTR, C_ATTR, C_HAS: attribute; C_IS: type */
	const wcnode *a, *b, *c;
	wvalue lit;         /* C_LIT */
	const wexpr *ast;   /* C_AST */
};

/* Subtrees deeper than this stay C_AST nodes. */
#define COMPILE_MAX_DEPTH 48

/* ---- compiling ------------------------------------------------------------ */

typedef struct cctx {
	warena *a;
	const wpolicy *p; /* for slot values */
} cctx;

static wcnode *node(cctx *c, uint8_t op)
{
	wcnode *n = ARENA_NEW(c->a, wcnode);
	n->op = op;
	return n;
}

static const wcnode *as_ast(cctx *c, const wexpr *e)
{
	wcnode *n = node(c, C_AST);
	n->ast = e;
	return n;
}

static const wcnode *comp(cctx *c, const wexpr *e, unsigned depth);

/* A set literal whose elements are all literals becomes one constant set. */
static const wcnode *comp_set(cctx *c, const wexpr *e)
{
	const uint32_t n = e->u.list.n;
	for (uint32_t i = 0; i < n; i++)
		if (e->u.list.items[i]->kind != WE_LIT)
			return as_ast(c, e);
	wvalue *items = ARENA_ARRAY(c->a, wvalue, n ? n : 1);
	for (uint32_t i = 0; i < n; i++)
		items[i] = e->u.list.items[i]->u.lit;
	wcnode *k = node(c, C_LIT);
	k->lit.kind = WV_SET;
	k->lit.u.set = set_make(c->a, items, n);
	return k;
}

static const wcnode *comp_binary(cctx *c, const wexpr *e, unsigned depth)
{
	uint8_t op;
	switch (e->op) {
	case WB_EQ: op = C_EQ; break;
	case WB_NE: op = C_NE; break;
	case WB_LT:
	case WB_LE:
	case WB_GT:
	case WB_GE: op = C_CMP; break;
	case WB_IN: op = C_IN; break;
	case WB_CONTAINS: op = C_CONTAINS; break;
	default: return as_ast(c, e);
	}
	wcnode *n = node(c, op);
	n->bop = e->op;
	n->a = comp(c, e->u.k.a, depth + 1);
	n->b = comp(c, e->u.k.b, depth + 1);
	return n;
}

static const wcnode *comp(cctx *c, const wexpr *e, unsigned depth)
{
	if (depth > COMPILE_MAX_DEPTH)
		return as_ast(c, e);
	wcnode *n;
	switch (e->kind) {
	case WE_LIT:
		n = node(c, C_LIT);
		n->lit = e->u.lit;
		return n;
	case WE_VAR:
		n = node(c, C_VAR);
		n->var = e->u.var;
		return n;
	case WE_SLOT: {
		bool has = e->u.slot == WSLOT_PRINCIPAL ? c->p->has_slot_principal : c->p->has_slot_resource;
		if (!c->p->template_of || !has)
			return as_ast(c, e); /* unlinked: the AST evaluator reports it */
		n = node(c, C_LIT);
		n->lit = value_entity(e->u.slot == WSLOT_PRINCIPAL ? c->p->slot_principal : c->p->slot_resource);
		return n;
	}
	case WE_IF:
		n = node(c, C_IF);
		n->a = comp(c, e->u.k.a, depth + 1);
		n->b = comp(c, e->u.k.b, depth + 1);
		n->c = comp(c, e->u.k.c, depth + 1);
		return n;
	case WE_AND:
	case WE_OR:
		n = node(c, e->kind == WE_AND ? C_AND : C_OR);
		n->a = comp(c, e->u.k.a, depth + 1);
		n->b = comp(c, e->u.k.b, depth + 1);
		return n;
	case WE_NOT:
		n = node(c, C_NOT);
		n->a = comp(c, e->u.k.a, depth + 1);
		return n;
	case WE_BINARY:
		return comp_binary(c, e, depth);
	case WE_GETATTR:
		if (e->u.attr.obj->kind == WE_VAR) {
			n = node(c, C_VATTR);
			n->var = e->u.attr.obj->u.var;
		} else {
			n = node(c, C_ATTR);
			n->a = comp(c, e->u.attr.obj, depth + 1);
		}
		n->name = e->u.attr.name;
		return n;
	case WE_HASATTR:
		n = node(c, C_HAS);
		n->a = comp(c, e->u.attr.obj, depth + 1);
		n->name = e->u.attr.name;
		return n;
	case WE_IS:
		if (e->u.is.in)
			return as_ast(c, e);
		n = node(c, C_IS);
		n->a = comp(c, e->u.is.obj, depth + 1);
		n->name = e->u.is.type;
		return n;
	case WE_SET:
		return comp_set(c, e);
	default:
		return as_ast(c, e);
	}
}

/* The scope left to check, with a linked slot resolved; false when it
 * names a slot that is not linked (the policy is then left generic). */
static bool comp_scope(const wscope *sc, bool guarded, bool has_slot, const wuid *slot, wcscope *out)
{
	memset(out, 0, sizeof *out);
	if (guarded) {
		/* the filing guarantees the entity part; `is T in E` keeps its type test */
		if (sc->op == WSC_IS_IN) {
			out->op = WSC_IS;
			out->type = sc->type;
		} else {
			out->op = WSC_ANY;
		}
		return true;
	}
	out->op = sc->op;
	out->type = sc->type;
	out->list = sc->list;
	out->nlist = sc->nlist;
	if (sc->op == WSC_EQ || sc->op == WSC_IN || sc->op == WSC_IS_IN) {
		if (sc->slot) {
			if (!has_slot)
				return false;
			out->uid = *slot;
		} else {
			out->uid = sc->uid;
		}
	}
	return true;
}

void compile_policy(warena *a, const wpolicy *p, int guard, wcpolicy *out)
{
	memset(out, 0, sizeof *out);
	out->p = p;
	const wpolicy *body = p->template_of ? p->template_of : p;
	bool gp = guard == CP_GUARD_PRINCIPAL || guard == CP_GUARD_PRINCIPAL_RESOURCE;
	bool gr = guard == CP_GUARD_RESOURCE || guard == CP_GUARD_PRINCIPAL_RESOURCE;
	bool ok = comp_scope(&body->principal, gp, p->has_slot_principal, &p->slot_principal, &out->principal) &&
		  comp_scope(&body->action, guard == CP_GUARD_ACTION, false, NULL, &out->action) &&
		  comp_scope(&body->resource, gr, p->has_slot_resource, &p->slot_resource, &out->resource);
	if (!ok || (p->is_template && !p->template_of)) {
		out->generic = true;
		return;
	}
	out->scoped = out->principal.op != WSC_ANY || out->action.op != WSC_ANY || out->resource.op != WSC_ANY;
	cctx c = {a, p};
	out->nconds = body->nconds;
	const wcnode **conds = ARENA_ARRAY(a, const wcnode *, body->nconds ? body->nconds : 1);
	bool *is_when = ARENA_ARRAY(a, bool, body->nconds ? body->nconds : 1);
	for (uint32_t i = 0; i < body->nconds; i++) {
		conds[i] = comp(&c, body->conds[i].body, 0);
		is_when[i] = body->conds[i].is_when;
	}
	out->conds = conds;
	out->is_when = is_when;
}

/* ---- evaluating ----------------------------------------------------------- */

/* Evaluation results: 0 with *out, or -1 to give up (CP_BAIL). */

static const wentity *var_entity(const weval *ev, unsigned var)
{
	return var == WVAR_PRINCIPAL ? ev->pent : var == WVAR_RESOURCE ? ev->rent : ev->aent;
}

static wuid var_uid(const weval *ev, unsigned var)
{
	const wrequest *r = ev->req;
	return var == WVAR_PRINCIPAL ? r->principal : var == WVAR_RESOURCE ? r->resource : r->action;
}

static int ceval(weval *ev, const wcnode *n, wvalue *out);

static int ceval_bool(weval *ev, const wcnode *n, bool *b)
{
	wvalue v;
	if (ceval(ev, n, &v) < 0 || v.kind != WV_BOOL)
		return -1;
	*b = v.u.b;
	return 0;
}

/* The attribute `name` of an evaluated record or entity. */
static int attr_of(weval *ev, const wvalue *obj, const wsym *name, wvalue *out)
{
	const wrecord *r;
	if (obj->kind == WV_ENTITY) {
		const wentity *e = eval_entity(ev, obj->u.e);
		if (!e)
			return -1;
		r = e->attrs;
	} else if (obj->kind == WV_RECORD) {
		r = obj->u.rec;
	} else {
		return -1;
	}
	const wvalue *v = record_get(r, name);
	if (!v)
		return -1;
	*out = *v;
	return 0;
}

static int ceval_in(weval *ev, const wcnode *n, wvalue *out)
{
	wuid a;
	const wentity *ea;
	if (n->a->op == C_VAR && n->a->var != WVAR_CONTEXT) {
		a = var_uid(ev, n->a->var);
		ea = var_entity(ev, n->a->var);
	} else {
		wvalue va;
		if (ceval(ev, n->a, &va) < 0 || va.kind != WV_ENTITY)
			return -1;
		a = va.u.e;
		ea = eval_entity(ev, a);
	}
	wvalue vb;
	if (ceval(ev, n->b, &vb) < 0)
		return -1;
	bool r = false;
	if (vb.kind == WV_ENTITY) {
		r = uid_eq(a, vb.u.e) || (ea && entity_has_ancestor(ea, vb.u.e));
	} else if (vb.kind == WV_SET) {
		const wset *s = vb.u.set;
		/* sorted kind first: the ends tell whether every element is an entity */
		if (s->n && (s->items[0].kind != WV_ENTITY || s->items[s->n - 1].kind != WV_ENTITY))
			return -1;
		for (uint32_t i = 0; i < s->n && !r; i++)
			r = uid_eq(a, s->items[i].u.e) || (ea && entity_has_ancestor(ea, s->items[i].u.e));
	} else {
		return -1;
	}
	*out = value_bool(r);
	return 0;
}

static int ceval(weval *ev, const wcnode *n, wvalue *out)
{
	wvalue a, b;
	bool t;
	switch ((enum cop)n->op) {
	case C_LIT:
		*out = n->lit;
		return 0;
	case C_VAR:
		if (n->var == WVAR_CONTEXT)
			*out = ev->req->context;
		else
			*out = value_entity(var_uid(ev, n->var));
		return 0;
	case C_VATTR: {
		const wrecord *r;
		if (n->var == WVAR_CONTEXT) {
			r = ev->req->context.u.rec;
		} else {
			const wentity *e = var_entity(ev, n->var);
			if (!e)
				return -1;
			r = e->attrs;
		}
		const wvalue *v = record_get(r, n->name);
		if (!v)
			return -1;
		*out = *v;
		return 0;
	}
	case C_ATTR:
		if (ceval(ev, n->a, &a) < 0)
			return -1;
		return attr_of(ev, &a, n->name, out);
	case C_HAS:
		if (ceval(ev, n->a, &a) < 0)
			return -1;
		if (a.kind == WV_ENTITY) {
			const wentity *e = eval_entity(ev, a.u.e);
			*out = value_bool(e && record_get(e->attrs, n->name) != NULL);
		} else if (a.kind == WV_RECORD) {
			*out = value_bool(record_get(a.u.rec, n->name) != NULL);
		} else {
			return -1;
		}
		return 0;
	case C_IN:
		return ceval_in(ev, n, out);
	case C_EQ:
	case C_NE:
		if (ceval(ev, n->a, &a) < 0 || ceval(ev, n->b, &b) < 0)
			return -1;
		*out = value_bool(value_eq(&a, &b) == (n->op == C_EQ));
		return 0;
	case C_CMP: {
		if (ceval(ev, n->a, &a) < 0 || ceval(ev, n->b, &b) < 0)
			return -1;
		if (a.kind != b.kind || (a.kind != WV_LONG && a.kind != WV_DATETIME && a.kind != WV_DURATION))
			return -1;
		int64_t x = a.u.i, y = b.u.i;
		unsigned op = n->bop;
		*out = value_bool(op == WB_LT ? x < y : op == WB_LE ? x <= y : op == WB_GT ? x > y : x >= y);
		return 0;
	}
	case C_AND:
	case C_OR: {
		const bool is_and = n->op == C_AND;
		if (ceval_bool(ev, n->a, &t) < 0)
			return -1;
		if (t != is_and) {
			*out = value_bool(t);
			return 0;
		}
		if (ceval_bool(ev, n->b, &t) < 0)
			return -1;
		*out = value_bool(t);
		return 0;
	}
	case C_NOT:
		if (ceval_bool(ev, n->a, &t) < 0)
			return -1;
		*out = value_bool(!t);
		return 0;
	case C_IF:
		if (ceval_bool(ev, n->a, &t) < 0)
			return -1;
		return ceval(ev, t ? n->b : n->c, out);
	case C_CONTAINS:
		if (ceval(ev, n->a, &a) < 0 || a.kind != WV_SET || ceval(ev, n->b, &b) < 0)
			return -1;
		*out = value_bool(set_contains(a.u.set, &b));
		return 0;
	case C_IS:
		if (ceval(ev, n->a, &a) < 0 || a.kind != WV_ENTITY)
			return -1;
		*out = value_bool(a.u.e.type == n->name);
		return 0;
	case C_AST:
		ev->depth = 0;
		return eval_expr(ev, n->ast, out) < 0 ? -1 : 0;
	}
	return -1;
}

/* Does the request entity x (with its entity ex) satisfy a scope? */
static bool scope_ok(const wcscope *sc, wuid x, const wentity *ex)
{
	switch (sc->op) {
	case WSC_ANY:
		return true;
	case WSC_EQ:
		return uid_eq(x, sc->uid);
	case WSC_IN:
		return uid_eq(x, sc->uid) || (ex && entity_has_ancestor(ex, sc->uid));
	case WSC_IS:
		return x.type == sc->type;
	case WSC_IS_IN:
		return x.type == sc->type && (uid_eq(x, sc->uid) || (ex && entity_has_ancestor(ex, sc->uid)));
	case WSC_IN_SET:
		for (uint32_t i = 0; i < sc->nlist; i++)
			if (uid_eq(x, sc->list[i]) || (ex && entity_has_ancestor(ex, sc->list[i])))
				return true;
		return false;
	}
	return false;
}

int compile_applies(weval *ev, const wcpolicy *cp)
{
	if (cp->generic)
		return CP_BAIL;
	const wrequest *r = ev->req;
	if (cp->scoped && (!scope_ok(&cp->principal, r->principal, ev->pent) ||
			   !scope_ok(&cp->action, r->action, ev->aent) || !scope_ok(&cp->resource, r->resource, ev->rent)))
		return CP_NO;
	for (uint32_t i = 0; i < cp->nconds; i++) {
		bool b;
		if (ceval_bool(ev, cp->conds[i], &b) < 0)
			return CP_BAIL;
		if (b != cp->is_when[i])
			return CP_NO;
	}
	return CP_YES;
}
