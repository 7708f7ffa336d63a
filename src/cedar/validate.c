/* validate: the policy validator driver (see validate.h).
 *
 * Per call: index the schema (entity and action hierarchies as bitsets,
 * request environments from each action's appliesTo). Per policy: rebuild
 * its condition as one expression (scope && when && !unless, with `is..in`,
 * `!=`, `>`/`>=` desugared as the reference does) in a scratch arena; run
 * the checks that do not depend on types (entity types, action ids, enum
 * ids, scope vs appliesTo); type check the condition in every environment
 * (typecheck.c); then, if asked and the policy is valid, level validation.
 */
#include "cedar/validate.h"
#include "util/suggest.h"
#include "cedar/validate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- bitsets ---- */

static uint64_t *bits_new(uint32_t n)
{
	return xcalloc((n + 63) / 64 ? (n + 63) / 64 : 1, sizeof(uint64_t));
}

/* ---- schema index ---- */

static uint32_t uid_hash(wuid u)
{
	return (u.type->hash * 31u) ^ u.id->hash;
}

int vx_etype_index(const vctx *v, const wsym *name)
{
	if (!name || name->id >= v->nsymmap)
		return -1;
	return v->symmap[name->id] - 1;
}

int vx_action_index(const vctx *v, wuid u)
{
	if (!v->acap || !u.type || !u.id)
		return -1;
	uint32_t m = v->acap - 1;
	for (uint32_t i = uid_hash(u) & m;; i = (i + 1) & m) {
		int32_t k = v->amap[i];
		if (k < 0)
			return -1;
		if (uid_eq(v->s->actions[k].uid, u))
			return k;
	}
}

bool vx_is_action_type(const vctx *v, const wsym *type)
{
	for (uint32_t i = 0; i < v->s->nactions; i++)
		if (v->s->actions[i].uid.type == type)
			return true;
	return false;
}

/* Parent `p` of entity type / action `k` as an index, -1 when it is not
 * declared; the number of parents when p == UINT32_MAX. */
typedef int64_t (*parent_fn)(const vctx *v, uint32_t k, uint32_t p);

static int64_t etype_parent(const vctx *v, uint32_t k, uint32_t p)
{
	const wentity_type *et = &v->s->etypes[k];
	return p == UINT32_MAX ? (int64_t)et->nparents : (int64_t)vx_etype_index(v, et->parents[p]);
}

static int64_t action_parent(const vctx *v, uint32_t k, uint32_t p)
{
	const waction *a = &v->s->actions[k];
	return p == UINT32_MAX ? (int64_t)a->nmember_of : (int64_t)vx_action_index(v, a->member_of[p]);
}

/* Fills the transitive-membership bit matrix `mat` (n rows of `words`
 * 64-bit words: row i has bit j when i is a transitive member of j) by a
 * depth-first walk from each row. Each j enters a row's walk once, so
 * `stack` needs n + 1 slots. O(n * edges). */
static void closure_rows(const vctx *v, uint64_t *mat, uint32_t words, uint32_t n, parent_fn parent, uint32_t *stack)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t *row = mat + (size_t)i * words;
		uint32_t sp = 0;
		stack[sp++] = i;
		while (sp) {
			uint32_t k = stack[--sp];
			uint32_t np = (uint32_t)parent(v, k, UINT32_MAX);
			for (uint32_t p = 0; p < np; p++) {
				int64_t j = parent(v, k, p);
				if (j < 0 || BIT_HAS(row, j))
					continue;
				BIT_SET(row, j);
				stack[sp++] = (uint32_t)j;
			}
		}
	}
}

static void vctx_build(vctx *v, wctx *cx, const wschema *s, const wvalidate_opts *opts)
{
	memset(v, 0, sizeof *v);
	v->cx = cx;
	v->s = s;
	v->strict = opts->mode != WVMODE_PERMISSIVE;
	v->level = opts->level;
	arena_init(&v->arena);
	uint32_t ne = s->netypes, na = s->nactions;
	v->nsymmap = cx->syms.n;
	v->symmap = xcalloc(v->nsymmap ? v->nsymmap : 1, sizeof *v->symmap);
	for (uint32_t i = 0; i < ne; i++)
		if (s->etypes[i].name->id < v->nsymmap)
			v->symmap[s->etypes[i].name->id] = (int32_t)i + 1;
	/* entity ancestors: anc[i] has bit j when i can be a (transitive) member of j */
	v->wordsE = (ne + 63) / 64 ? (ne + 63) / 64 : 1;
	v->anc = xcalloc((size_t)ne * v->wordsE + 1, sizeof(uint64_t));
	uint32_t *stack = xmalloc(sizeof(uint32_t) * (ne + na + 1));
	closure_rows(v, v->anc, v->wordsE, ne, etype_parent, stack);
	/* actions */
	v->acap = 16;
	while (v->acap < na * 2 + 2)
		v->acap *= 2;
	v->amap = xmalloc(sizeof(int32_t) * v->acap);
	for (uint32_t i = 0; i < v->acap; i++)
		v->amap[i] = -1;
	for (uint32_t k = 0; k < na; k++) {
		uint32_t m = v->acap - 1;
		uint32_t i = uid_hash(s->actions[k].uid) & m;
		while (v->amap[i] >= 0)
			i = (i + 1) & m;
		v->amap[i] = (int32_t)k;
	}
	v->wordsA = (na + 63) / 64 ? (na + 63) / 64 : 1;
	v->aanc = xcalloc((size_t)na * v->wordsA + 1, sizeof(uint64_t));
	closure_rows(v, v->aanc, v->wordsA, na, action_parent, stack);
	free(stack);
	/* request environments */
	size_t cap = 16;
	v->envs = xmalloc(sizeof *v->envs * cap);
	for (uint32_t k = 0; k < na; k++) {
		const waction *a = &s->actions[k];
		if (!a->has_applies_to)
			continue;
		for (uint32_t p = 0; p < a->nprincipals; p++)
			for (uint32_t r = 0; r < a->nresources; r++) {
				if (v->nenvs == cap) {
					cap *= 2;
					v->envs = xrealloc(v->envs, sizeof *v->envs * cap);
				}
				wvenv *e = &v->envs[v->nenvs++];
				memset(e, 0, sizeof *e);
				e->principal = a->principals[p];
				e->action = a->uid;
				e->resource = a->resources[r];
			}
	}
	v->tmemo_cap = 0;
	v->tmemo = NULL;
}

static void vctx_release(vctx *v)
{
	free(v->symmap);
	free(v->anc);
	free(v->amap);
	free(v->aanc);
	free(v->envs);
	free(v->tmemo);
	arena_release(&v->arena);
}

bool vx_etype_in(const vctx *v, int d, int t)
{
	/* d is T or a descendant of T */
	if (d == t)
		return true;
	if (d < 0 || t < 0)
		return false;
	return BIT_HAS(v->anc + (size_t)d * v->wordsE, t);
}

bool vx_action_in(const vctx *v, int d, int t)
{
	if (d == t)
		return true;
	if (d < 0 || t < 0)
		return false;
	return BIT_HAS(v->aanc + (size_t)d * v->wordsA, t);
}

/* ---- schema type conversion (memoised by wtype pointer) ---- */

const vtype *vx_conv(vctx *v, const wtype *t)
{
	if (!t)
		return NULL;
	switch (t->kind) {
	case WT_BOOL:
		return &vt_bool;
	case WT_LONG:
		return &vt_long;
	case WT_STRING:
		return &vt_string;
	case WT_IPADDR:
	case WT_DECIMAL:
	case WT_DATETIME:
	case WT_DURATION:
		return vt_ext(t->kind);
	default:
		break;
	}
	if (v->tmemo_n * 2 >= v->tmemo_cap) {
		uint32_t ncap = v->tmemo_cap ? v->tmemo_cap * 2 : 256;
		struct tmemo *nt = xcalloc(ncap, sizeof *nt);
		for (uint32_t i = 0; i < v->tmemo_cap; i++) {
			if (!v->tmemo[i].k)
				continue;
			uint32_t h = (uint32_t)(((uintptr_t)v->tmemo[i].k >> 4) * 2654435761u) & (ncap - 1);
			while (nt[h].k)
				h = (h + 1) & (ncap - 1);
			nt[h] = v->tmemo[i];
		}
		free(v->tmemo);
		v->tmemo = nt;
		v->tmemo_cap = ncap;
	}
	uint32_t m = v->tmemo_cap - 1;
	uint32_t h = (uint32_t)(((uintptr_t)t >> 4) * 2654435761u) & m;
	while (v->tmemo[h].k) {
		if (v->tmemo[h].k == t)
			return v->tmemo[h].v;
		h = (h + 1) & m;
	}
	const vtype *r;
	if (t->kind == WT_ENTITY) {
		r = vt_entity1(&v->arena, t->entity);
	} else if (t->kind == WT_SET) {
		r = vt_set(&v->arena, vx_conv(v, t->elem));
	} else {
		vattr *at = ARENA_ARRAY(&v->arena, vattr, t->nattrs ? t->nattrs : 1);
		for (uint32_t i = 0; i < t->nattrs; i++) {
			at[i].name = t->attrs[i].name;
			at[i].type = vx_conv(v, t->attrs[i].type);
			at[i].required = t->attrs[i].required;
		}
		r = vt_record(&v->arena, at, t->nattrs, t->open);
	}
	/* the table may have been resized by the recursive calls above */
	m = v->tmemo_cap - 1;
	h = (uint32_t)(((uintptr_t)t >> 4) * 2654435761u) & m;
	while (v->tmemo[h].k)
		h = (h + 1) & m;
	v->tmemo[h].k = t;
	v->tmemo[h].v = r;
	v->tmemo_n++;
	return r;
}

/* ---- suggestions ---- */

void vx_suggest_init(vsuggest *sg, const char *word)
{
	sg->word = word;
	sg->best = NULL;
	sg->dist = (size_t)-1;
}

void vx_suggest(vsuggest *sg, const char *cand)
{
	wsuggest s;
	suggest_init(&s, sg->word, strlen(sg->word));
	s.dist = sg->dist;
	suggest_consider(&s, cand, strlen(cand));
	if (s.best) {
		sg->dist = s.dist;
		sg->best = cand;
	}
}

/* ---- issues ---- */

void vx_issue(vpolicyctx *pc, wvissue_kind kind, wspan span, char *help, const char *fmt, ...)
{
	wbuf b = WBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *msg = buf_detach(&b);
	if (kind != WVK_IMPOSSIBLE_POLICY)
		pc->nraw++;
	/* the same error found in several environments is reported once */
	for (size_t i = pc->first; i < pc->out->n; i++) {
		wvissue *o = &pc->out->items[i];
		if (o->kind == kind && o->span.start == span.start && o->span.end == span.end &&
		    strcmp(o->msg, msg) == 0) {
			free(msg);
			free(help);
			return;
		}
	}
	wvalidation *v = pc->out;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->items = xrealloc(v->items, v->cap * sizeof *v->items);
	}
	wvissue *is = &v->items[v->n++];
	is->kind = (uint8_t)kind;
	is->sev = kind == WVK_IMPOSSIBLE_POLICY ? WSEV_WARNING : WSEV_ERROR;
	is->policy = pc->p;
	is->src = pc->p->src;
	is->span = span;
	is->msg = msg;
	is->help = help;
	if (is->sev == WSEV_ERROR) {
		v->nerrors++;
		pc->nerrors++;
	} else {
		v->nwarnings++;
	}
}

char *vx_help(const char *fmt, ...)
{
	wbuf b = WBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

/* ---- condition construction ---- */

static wexpr *mk(vpolicyctx *pc, uint8_t kind, wspan span)
{
	wexpr *e = ARENA_NEW(&pc->arena, wexpr);
	e->kind = kind;
	e->span = span;
	return e;
}

static wexpr *mk_bin(vpolicyctx *pc, uint8_t op, wexpr *a, wexpr *b, wspan span)
{
	wexpr *e = mk(pc, WE_BINARY, span);
	e->op = op;
	e->u.k.a = a;
	e->u.k.b = b;
	return e;
}

static wexpr *mk_and(vpolicyctx *pc, wexpr *a, wexpr *b, wspan span)
{
	wexpr *e = mk(pc, WE_AND, span);
	e->u.k.a = a;
	e->u.k.b = b;
	return e;
}

static wexpr *mk_true(vpolicyctx *pc, wspan span)
{
	wexpr *e = mk(pc, WE_LIT, span);
	e->u.lit = value_bool(true);
	return e;
}

static wexpr *mk_uid(vpolicyctx *pc, wuid u, wspan span)
{
	wexpr *e = mk(pc, WE_LIT, span);
	e->u.lit = value_entity(u);
	return e;
}

/* Copies an expression, desugaring what the reference's AST does not have:
 * `a != b` is `!(a == b)`, `a > b` is `b < a`, `a >= b` is `b <= a`,
 * `e is T in E` is `e is T && e in E`. */
static wexpr *copy_expr(vpolicyctx *pc, const wexpr *s)
{
	if (!s)
		return NULL;
	wexpr *e = mk(pc, s->kind, s->span);
	*e = *s;
	switch (s->kind) {
	case WE_IF:
		e->u.k.c = copy_expr(pc, s->u.k.c);
		/* fallthrough */
	case WE_AND:
	case WE_OR:
		e->u.k.a = copy_expr(pc, s->u.k.a);
		e->u.k.b = copy_expr(pc, s->u.k.b);
		break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		e->u.k.a = copy_expr(pc, s->u.k.a);
		break;
	case WE_BINARY: {
		wexpr *a = copy_expr(pc, s->u.k.a), *b = copy_expr(pc, s->u.k.b);
		switch (s->op) {
		case WB_NE: {
			wexpr *eq = mk_bin(pc, WB_EQ, a, b, s->span);
			e->kind = WE_NOT;
			e->op = 0;
			e->u.k.a = eq;
			e->u.k.b = NULL;
			break;
		}
		case WB_GT:
			e->op = WB_LT;
			e->u.k.a = b;
			e->u.k.b = a;
			break;
		case WB_GE:
			e->op = WB_LE;
			e->u.k.a = b;
			e->u.k.b = a;
			break;
		default:
			e->u.k.a = a;
			e->u.k.b = b;
			break;
		}
		break;
	}
	case WE_GETATTR:
	case WE_HASATTR:
		e->u.attr.obj = copy_expr(pc, s->u.attr.obj);
		break;
	case WE_LIKE:
		e->u.like.obj = copy_expr(pc, s->u.like.obj);
		break;
	case WE_IS: {
		wexpr *obj = copy_expr(pc, s->u.is.obj);
		e->u.is.obj = obj;
		e->u.is.in = NULL;
		if (s->u.is.in) {
			wexpr *is = e;
			wexpr *obj2 = copy_expr(pc, s->u.is.obj);
			wexpr *in = mk_bin(pc, WB_IN, obj2, copy_expr(pc, s->u.is.in), s->span);
			return mk_and(pc, is, in, s->span);
		}
		break;
	}
	case WE_SET:
		e->u.list.items = ARENA_ARRAY(&pc->arena, wexpr *, s->u.list.n ? s->u.list.n : 1);
		for (uint32_t i = 0; i < s->u.list.n; i++)
			e->u.list.items[i] = copy_expr(pc, s->u.list.items[i]);
		break;
	case WE_RECORD:
		e->u.rec.vals = ARENA_ARRAY(&pc->arena, wexpr *, s->u.rec.n ? s->u.rec.n : 1);
		for (uint32_t i = 0; i < s->u.rec.n; i++)
			e->u.rec.vals[i] = copy_expr(pc, s->u.rec.vals[i]);
		break;
	case WE_CALL:
		e->u.call.args = ARENA_ARRAY(&pc->arena, wexpr *, s->u.call.n ? s->u.call.n : 1);
		for (uint32_t i = 0; i < s->u.call.n; i++)
			e->u.call.args[i] = copy_expr(pc, s->u.call.args[i]);
		break;
	default:
		break;
	}
	return e;
}

static wexpr *scope_expr(vpolicyctx *pc, const wscope *sc, uint8_t var, uint8_t slot)
{
	wexpr *vx = mk(pc, WE_VAR, sc->span);
	vx->u.var = var;
	wexpr *target = NULL;
	if (sc->op == WSC_EQ || sc->op == WSC_IN || sc->op == WSC_IS_IN) {
		if (sc->slot) {
			target = mk(pc, WE_SLOT, sc->span);
			target->u.slot = slot;
		} else {
			target = mk_uid(pc, sc->uid, sc->span);
		}
	}
	switch (sc->op) {
	case WSC_EQ:
		return mk_bin(pc, WB_EQ, vx, target, sc->span);
	case WSC_IN:
		if (var == WVAR_ACTION) {
			/* the reference always compares the action with a set */
			wexpr *set = mk(pc, WE_SET, sc->span);
			set->u.list.items = ARENA_ARRAY(&pc->arena, wexpr *, 1);
			set->u.list.items[0] = target;
			set->u.list.n = 1;
			target = set;
		}
		return mk_bin(pc, WB_IN, vx, target, sc->span);
	case WSC_IS:
	case WSC_IS_IN: {
		wexpr *is = mk(pc, WE_IS, sc->span);
		is->u.is.obj = vx;
		is->u.is.type = sc->type;
		if (sc->op == WSC_IS)
			return is;
		wexpr *v2 = mk(pc, WE_VAR, sc->span);
		v2->u.var = var;
		return mk_and(pc, is, mk_bin(pc, WB_IN, v2, target, sc->span), sc->span);
	}
	case WSC_IN_SET: {
		wexpr *set = mk(pc, WE_SET, sc->span);
		set->u.list.items = ARENA_ARRAY(&pc->arena, wexpr *, sc->nlist ? sc->nlist : 1);
		for (uint32_t i = 0; i < sc->nlist; i++)
			set->u.list.items[i] = mk_uid(pc, sc->list[i], sc->span);
		set->u.list.n = sc->nlist;
		return mk_bin(pc, WB_IN, vx, set, sc->span);
	}
	default:
		return mk_true(pc, sc->span);
	}
}

static wexpr *build_condition(vpolicyctx *pc)
{
	const wpolicy *p = pc->p;
	wexpr *body = NULL;
	for (uint32_t i = 0; i < p->nconds; i++) {
		wexpr *c = copy_expr(pc, p->conds[i].body);
		if (!p->conds[i].is_when) {
			wexpr *n = mk(pc, WE_NOT, p->conds[i].span);
			n->u.k.a = c;
			c = n;
		}
		body = body ? mk_and(pc, body, c, p->conds[i].span) : c;
	}
	if (!body)
		body = mk_true(pc, p->span);
	wexpr *r = scope_expr(pc, &p->resource, WVAR_RESOURCE, WSLOT_RESOURCE);
	wexpr *a = scope_expr(pc, &p->action, WVAR_ACTION, WSLOT_PRINCIPAL);
	wexpr *pr = scope_expr(pc, &p->principal, WVAR_PRINCIPAL, WSLOT_PRINCIPAL);
	return mk_and(pc, pr, mk_and(pc, a, mk_and(pc, r, body, p->span), p->span), p->span);
}

/* ---- checks that do not need types ---- */

static void print_uid(wuid u, wbuf *b)
{
	uid_print(u, b);
}

static void check_literal(vpolicyctx *pc, wuid u, wspan span)
{
	vctx *v = pc->v;
	bool is_action = ctx_is_action_type(u.type);
	int et = vx_etype_index(v, u.type);
	if (et < 0 && !vx_is_action_type(v, u.type)) {
		vsuggest sg;
		vx_suggest_init(&sg, u.type->s);
		for (uint32_t i = 0; i < v->s->netypes; i++)
			vx_suggest(&sg, v->s->etypes[i].name->s);
		vx_issue(pc, WVK_UNKNOWN_ENTITY_TYPE, span, sg.best ? vx_help("did you mean '%s'?", sg.best) : NULL,
			 "unknown entity type '%s'", u.type->s);
	}
	if (is_action && vx_action_index(v, u) < 0) {
		wbuf b = WBUF_INIT, c = WBUF_INIT;
		print_uid(u, &b);
		vsuggest sg;
		vx_suggest_init(&sg, b.p);
		char **names = xcalloc(v->s->nactions + 1, sizeof *names);
		for (uint32_t i = 0; i < v->s->nactions; i++) {
			buf_clear(&c);
			print_uid(v->s->actions[i].uid, &c);
			names[i] = xstrdup(c.p);
			vx_suggest(&sg, names[i]);
		}
		vx_issue(pc, WVK_UNKNOWN_ACTION, span, sg.best ? vx_help("did you mean %s?", sg.best) : NULL,
			 "unknown action %s", b.p);
		for (uint32_t i = 0; i < v->s->nactions; i++)
			free(names[i]);
		free(names);
		buf_release(&b);
		buf_release(&c);
	}
	if (!is_action && et >= 0 && v->s->etypes[et].is_enum) {
		const wentity_type *t = &v->s->etypes[et];
		for (uint32_t i = 0; i < t->nenum; i++)
			if (t->enum_ids[i] == u.id)
				return;
		wbuf b = WBUF_INIT, h = WBUF_INIT;
		print_uid(u, &b);
		buf_adds(&h, "allowed ids are ");
		for (uint32_t i = 0; i < t->nenum && i < 8; i++) {
			if (i)
				buf_adds(&h, ", ");
			buf_add_json_str(&h, t->enum_ids[i]->s, t->enum_ids[i]->len);
		}
		if (t->nenum > 8)
			buf_adds(&h, ", ...");
		vx_issue(pc, WVK_INVALID_ENUM_ENTITY, span, buf_detach(&h),
			 "%s is not a member of the enumerated entity type '%s'", b.p, t->name->s);
		buf_release(&b);
	}
}

static void check_slot_value(vpolicyctx *pc, wuid u, wspan span)
{
	vctx *v = pc->v;
	if (vx_etype_index(v, u.type) >= 0 || vx_is_action_type(v, u.type))
		return;
	vsuggest sg;
	vx_suggest_init(&sg, u.type->s);
	for (uint32_t i = 0; i < v->s->netypes; i++)
		vx_suggest(&sg, v->s->etypes[i].name->s);
	vx_issue(pc, WVK_UNKNOWN_ENTITY_TYPE, span, sg.best ? vx_help("did you mean '%s'?", sg.best) : NULL,
		 "unknown entity type '%s' in a template link", u.type->s);
}

static void check_names(vpolicyctx *pc, const wexpr *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case WE_LIT:
		if (e->u.lit.kind == WV_ENTITY)
			check_literal(pc, e->u.lit.u.e, e->span);
		break;
	case WE_IF:
		check_names(pc, e->u.k.a);
		check_names(pc, e->u.k.b);
		check_names(pc, e->u.k.c);
		break;
	case WE_AND:
	case WE_OR:
	case WE_BINARY:
		check_names(pc, e->u.k.a);
		check_names(pc, e->u.k.b);
		break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		check_names(pc, e->u.k.a);
		break;
	case WE_GETATTR:
	case WE_HASATTR:
		check_names(pc, e->u.attr.obj);
		break;
	case WE_LIKE:
		check_names(pc, e->u.like.obj);
		break;
	case WE_IS:
		check_names(pc, e->u.is.obj);
		if (vx_etype_index(pc->v, e->u.is.type) < 0 && !vx_is_action_type(pc->v, e->u.is.type)) {
			vsuggest sg;
			vx_suggest_init(&sg, e->u.is.type->s);
			for (uint32_t i = 0; i < pc->v->s->netypes; i++)
				vx_suggest(&sg, pc->v->s->etypes[i].name->s);
			vx_issue(pc, WVK_UNKNOWN_ENTITY_TYPE, e->span,
				 sg.best ? vx_help("did you mean '%s'?", sg.best) : NULL, "unknown entity type '%s'",
				 e->u.is.type->s);
		}
		check_names(pc, e->u.is.in);
		break;
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			check_names(pc, e->u.list.items[i]);
		break;
	case WE_RECORD:
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			check_names(pc, e->u.rec.vals[i]);
		break;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			check_names(pc, e->u.call.args[i]);
		break;
	default:
		break;
	}
}

/* Entity types a principal/resource scope admits (bitset over etypes);
 * *any set when it admits every type. */
static void scope_types(vctx *v, const wscope *sc, uint64_t *out, bool *all)
{
	uint32_t ne = v->s->netypes;
	*all = false;
	switch (sc->op) {
	case WSC_ANY:
		*all = true;
		return;
	case WSC_EQ:
	case WSC_IN:
		if (sc->slot) {
			*all = true;
			return;
		}
		{
			int t = vx_etype_index(v, sc->uid.type);
			if (t < 0)
				return;
			if (sc->op == WSC_EQ) {
				BIT_SET(out, t);
				return;
			}
			for (uint32_t d = 0; d < ne; d++)
				if (vx_etype_in(v, (int)d, t))
					BIT_SET(out, d);
		}
		return;
	case WSC_IS: {
		int t = vx_etype_index(v, sc->type);
		if (t >= 0)
			BIT_SET(out, t);
		return;
	}
	case WSC_IS_IN: {
		int t = vx_etype_index(v, sc->type);
		if (t < 0)
			return;
		if (sc->slot) {
			BIT_SET(out, t);
			return;
		}
		int in = vx_etype_index(v, sc->uid.type);
		if (vx_etype_in(v, t, in) || (in < 0 && sc->uid.type == sc->type))
			BIT_SET(out, t);
		return;
	}
	default:
		return;
	}
}

/* Actions a scope admits (bitset over actions). */
static void scope_actions(vctx *v, const wscope *sc, uint64_t *out)
{
	uint32_t na = v->s->nactions;
	switch (sc->op) {
	case WSC_ANY:
		for (uint32_t i = 0; i < na; i++)
			BIT_SET(out, i);
		return;
	case WSC_EQ: {
		int a = vx_action_index(v, sc->uid);
		if (a >= 0)
			BIT_SET(out, a);
		return;
	}
	case WSC_IN:
	case WSC_IN_SET: {
		const wuid *l = sc->op == WSC_IN ? &sc->uid : sc->list;
		uint32_t n = sc->op == WSC_IN ? 1 : sc->nlist;
		for (uint32_t k = 0; k < n; k++)
			if (vx_action_index(v, l[k]) < 0)
				return; /* the reference gives up on unknown actions */
		for (uint32_t k = 0; k < n; k++) {
			int t = vx_action_index(v, l[k]);
			for (uint32_t d = 0; d < na; d++)
				if (vx_action_in(v, (int)d, t))
					BIT_SET(out, d);
		}
		return;
	}
	default:
		return;
	}
}

static bool types_meet(vctx *v, const uint64_t *set, bool all, const wsym *const *types, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int t = vx_etype_index(v, types[i]);
		if (all ? t >= 0 : (t >= 0 && BIT_HAS(set, t)))
			return true;
	}
	return false;
}

/* `principal == E` where no admitted action lists E's type but one lists a
 * descendant: `in` was probably meant. */
static bool in_would_fix(vctx *v, const wscope *sc, const uint64_t *acts, bool principal)
{
	if (sc->op != WSC_EQ || sc->slot)
		return false;
	int t = vx_etype_index(v, sc->uid.type);
	bool eq = false, desc = false;
	for (uint32_t k = 0; k < v->s->nactions; k++) {
		if (!BIT_HAS(acts, k))
			continue;
		const waction *a = &v->s->actions[k];
		const wsym **ts = principal ? a->principals : a->resources;
		uint32_t n = principal ? a->nprincipals : a->nresources;
		for (uint32_t i = 0; i < n; i++) {
			if (ts[i] == sc->uid.type)
				eq = true;
			int d = vx_etype_index(v, ts[i]);
			if (t >= 0 && d >= 0 && d != t && vx_etype_in(v, d, t))
				desc = true;
		}
	}
	return !eq && desc;
}

static void check_action_application(vpolicyctx *pc)
{
	vctx *v = pc->v;
	const wpolicy *p = pc->p;
	uint32_t ne = v->s->netypes, na = v->s->nactions;
	uint64_t *ps = bits_new(ne), *rs = bits_new(ne), *as = bits_new(na);
	bool pall, rall;
	scope_types(v, &p->principal, ps, &pall);
	scope_types(v, &p->resource, rs, &rall);
	scope_actions(v, &p->action, as);
	bool ok = false;
	for (uint32_t k = 0; k < na && !ok; k++) {
		if (!BIT_HAS(as, k))
			continue;
		const waction *a = &v->s->actions[k];
		if (!a->has_applies_to)
			continue;
		ok = types_meet(v, ps, pall, a->principals, a->nprincipals) &&
		     types_meet(v, rs, rall, a->resources, a->nresources);
	}
	if (!ok) {
		bool fp = in_would_fix(v, &p->principal, as, true);
		bool fr = in_would_fix(v, &p->resource, as, false);
		char *help = NULL;
		if (fp || fr)
			help = vx_help("try `%s in` instead of `%s ==`", fp ? "principal" : "resource",
				       fp ? "principal" : "resource");
		/* point at the constraint most likely at fault: the action's, or
		 * for a bare `action` the first non-trivial other one */
		wspan span = p->action.span;
		if (p->action.op == WSC_ANY) {
			if (p->principal.op != WSC_ANY)
				span = p->principal.span;
			else if (p->resource.op != WSC_ANY)
				span = p->resource.span;
			else
				span = p->span;
		}
		if (span.end == span.start)
			span = p->span;
		vx_issue(pc, WVK_INVALID_ACTION_APPLICATION, span, help,
			 "policy can never apply: no action allowed by its scope applies to a principal and a "
			 "resource of the types its scope allows");
	}
	free(ps);
	free(rs);
	free(as);
}

/* ---- request environments of one policy (slot linking) ---- */

static bool has_slot(const wscope *sc)
{
	return sc->slot && (sc->op == WSC_EQ || sc->op == WSC_IN || sc->op == WSC_IS_IN);
}

/* Types a slot may be linked to in an environment where the variable has
 * type `var`, as the reference enumerates them. */
static uint32_t slot_links(vctx *v, const wscope *sc, const wsym *var, const wsym **out)
{
	uint32_t n = 0;
	if (sc->op == WSC_EQ) {
		out[n++] = var;
		return n;
	}
	int vi = vx_etype_index(v, var);
	for (uint32_t t = 0; t < v->s->netypes; t++)
		if (vi >= 0 && (int)t != vi && vx_etype_in(v, vi, (int)t))
			out[n++] = v->s->etypes[t].name;
		else if (vi >= 0 && (int)t == vi && BIT_HAS(v->anc + (size_t)vi * v->wordsE, vi))
			out[n++] = v->s->etypes[t].name; /* a type that is its own member */
	out[n++] = var;
	return n;
}

/* ---- driver ---- */

void validation_init(wvalidation *v)
{
	memset(v, 0, sizeof *v);
}

void validation_release(wvalidation *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->items[i].msg);
		free(v->items[i].help);
	}
	free(v->items);
	for (uint32_t i = 0; i < v->npolicies; i++)
		free(v->policies[i].envs);
	free(v->policies);
	memset(v, 0, sizeof *v);
}

static int issue_cmp(const void *x, const void *y)
{
	const wvissue *a = x, *b = y;
	if (a->span.start != b->span.start)
		return a->span.start < b->span.start ? -1 : 1;
	if (a->span.end != b->span.end)
		return a->span.end < b->span.end ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

static void push_env(wvpolicy *info, const wvenv *e, uint32_t *cap)
{
	if (info->nenvs == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		info->envs = xrealloc(info->envs, *cap * sizeof *info->envs);
	}
	info->envs[info->nenvs++] = *e;
}

static void validate_policy(vctx *v, const wpolicy *p, wvalidation *out, wvpolicy *info)
{
	vpolicyctx pc;
	memset(&pc, 0, sizeof pc);
	pc.v = v;
	pc.p = p;
	pc.out = out;
	pc.first = out->n;
	arena_init(&pc.arena);
	pc.cond = build_condition(&pc);

	/* A policy linked from a template: the template itself is checked
	 * (for every possible slot type); the link only needs slot values of
	 * known types and a scope some action applies to, as in the reference. */
	bool linked = p->template_of != NULL;
	if (linked) {
		if (p->has_slot_principal)
			check_slot_value(&pc, p->slot_principal, p->principal.span);
		if (p->has_slot_resource)
			check_slot_value(&pc, p->slot_resource, p->resource.span);
	} else {
		check_names(&pc, pc.cond);
	}
	check_action_application(&pc);

	bool sp = has_slot(&p->principal), sr = has_slot(&p->resource);
	const wsym **lp = xmalloc(sizeof *lp * (v->s->netypes + 2));
	const wsym **lr = xmalloc(sizeof *lr * (v->s->netypes + 2));
	bool all_false = true;
	uint32_t ecap = 0;
	for (uint32_t i = 0; i < v->nenvs; i++) {
		const wvenv *base = &v->envs[i];
		uint32_t np = 1, nr = 1;
		if (sp)
			np = slot_links(v, &p->principal, base->principal, lp);
		if (sr)
			nr = slot_links(v, &p->resource, base->resource, lr);
		for (uint32_t a = 0; a < np; a++)
			for (uint32_t b = 0; b < nr; b++) {
				wvenv env = *base;
				env.slot_principal = sp ? lp[a] : NULL;
				env.slot_resource = sr ? lr[b] : NULL;
				bool is_false = false;
				size_t before = pc.nraw;
				tc_policy_env(&pc, &env, &is_false, linked ? TC_SILENT : TC_REPORT);
				info->nchecked++;
				if (!is_false) {
					all_false = false;
					if (pc.nraw == before)
						push_env(info, &env, &ecap);
				}
			}
	}
	if (all_false) {
		info->impossible = true;
	}
	if (all_false && !linked) {
		vx_issue(&pc, WVK_IMPOSSIBLE_POLICY, p->span, NULL,
			 "policy is false in every request environment the schema allows, so it never applies");
	}
	if (pc.nerrors == 0 && v->level >= 0 && !linked) {
		for (uint32_t i = 0; i < v->nenvs; i++) {
			const wvenv *base = &v->envs[i];
			uint32_t np = 1, nr = 1;
			if (sp)
				np = slot_links(v, &p->principal, base->principal, lp);
			if (sr)
				nr = slot_links(v, &p->resource, base->resource, lr);
			for (uint32_t a = 0; a < np; a++)
				for (uint32_t b = 0; b < nr; b++) {
					wvenv env = *base;
					env.slot_principal = sp ? lp[a] : NULL;
					env.slot_resource = sr ? lr[b] : NULL;
					bool is_false = false;
					tc_policy_env(&pc, &env, &is_false, TC_LEVEL);
				}
		}
	}
	free(lp);
	free(lr);
	info->nerrors = (uint32_t)pc.nerrors;
	if (out->n - pc.first > 1)
		qsort(out->items + pc.first, out->n - pc.first, sizeof *out->items, issue_cmp);
	arena_release(&pc.arena);
}

int validate_policyset(wctx *cx, const wschema *schema, const wpolicyset *ps, const wvalidate_opts *opts,
		       wvalidation *out)
{
	wvalidate_opts def = WVALIDATE_OPTS_DEFAULT;
	if (!opts)
		opts = &def;
	vctx v;
	vctx_build(&v, cx, schema, opts);
	size_t before = out->nerrors;
	uint32_t base = out->npolicies;
	out->policies = xrealloc(out->policies, sizeof *out->policies * (base + ps->n + 1));
	for (uint32_t i = 0; i < ps->n; i++) {
		wvpolicy *info = &out->policies[base + i];
		memset(info, 0, sizeof *info);
		info->policy = ps->items[i];
		out->npolicies++;
		validate_policy(&v, ps->items[i], out, info);
	}
	vctx_release(&v);
	return (int)(out->nerrors - before);
}

void validation_to_diags(const wvalidation *v, wdiags *d)
{
	for (size_t i = 0; i < v->n; i++) {
		const wvissue *is = &v->items[i];
		const char *id = is->policy->id ? is->policy->id : "";
		wdiag *g;
		if (is->help)
			g = diag_add(d, (wseverity)is->sev, is->src, is->span, "policy '%s': %s; %s", id, is->msg,
				     is->help);
		else
			g = diag_add(d, (wseverity)is->sev, is->src, is->span, "policy '%s': %s", id, is->msg);
		g->policy_id = xstrdup(id);
	}
}

const char *validation_kind_name(wvissue_kind k)
{
	static const char *const names[] = {
		[WVK_UNKNOWN_ENTITY_TYPE] = "unknown-entity-type",
		[WVK_UNKNOWN_ACTION] = "unknown-action",
		[WVK_INVALID_ENUM_ENTITY] = "invalid-enum-entity",
		[WVK_INVALID_ACTION_APPLICATION] = "invalid-action-application",
		[WVK_UNEXPECTED_TYPE] = "unexpected-type",
		[WVK_INCOMPATIBLE_TYPES] = "incompatible-types",
		[WVK_UNKNOWN_ATTRIBUTE] = "unknown-attribute",
		[WVK_UNSAFE_OPTIONAL_ATTRIBUTE] = "unsafe-optional-attribute",
		[WVK_UNSAFE_TAG_ACCESS] = "unsafe-tag-access",
		[WVK_NO_TAGS_ALLOWED] = "no-tags-allowed",
		[WVK_UNDEFINED_FUNCTION] = "undefined-function",
		[WVK_WRONG_NUMBER_ARGS] = "wrong-number-of-arguments",
		[WVK_INVALID_EXT_LITERAL] = "invalid-extension-literal",
		[WVK_NON_LITERAL_EXT_CONSTRUCTOR] = "non-literal-extension-constructor",
		[WVK_EMPTY_SET] = "empty-set",
		[WVK_LEVEL_EXCEEDED] = "level-exceeded",
		[WVK_LITERAL_DEREFERENCE] = "literal-dereference",
		[WVK_INTERNAL] = "internal",
		[WVK_IMPOSSIBLE_POLICY] = "impossible-policy",
	};
	if ((unsigned)k >= sizeof names / sizeof names[0] || !names[k])
		return "unknown";
	return names[k];
}
