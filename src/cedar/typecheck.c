/* typecheck: type checking of one policy condition in one request
 * environment, and level validation (see validate.h for the rules).
 *
 * tc() returns the type of an expression (NULL when none can be given), the
 * capabilities it proves when it evaluates to true (attributes and tags
 * known present, tracked as in the reference through &&, || and if), and
 * whether it checked without failure. Errors are reported as they are
 * found; the same error found in several environments is reported once.
 * Types are those of vtypes.h; singleton True/False let `&&`, `||` and
 * `if` skip branches that cannot be evaluated, exactly where the reference
 * does (errors in skipped branches are not reported).
 */
#include "cedar/ext.h"
#include "cedar/validate_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* ---- capabilities ---- */

enum { CAP_ATTR, CAP_TAG };

typedef struct vcap {
	uint8_t kind;
	const wexpr *on;   /* expression known to have it */
	const wsym *attr;  /* CAP_ATTR */
	const wexpr *tag;  /* CAP_TAG: the tag expression */
} vcap;

typedef struct capset {
	const vcap *c;
	uint32_t n;
} capset;

static const capset CAP_EMPTY = {NULL, 0};

typedef struct tres {
	const vtype *t; /* NULL: no type */
	capset cap;     /* empty unless ok */
	bool ok;
} tres;

enum { PRUNE_NONE, PRUNE_LEFT, PRUNE_THEN, PRUNE_ELSE };

typedef struct trec {
	const wexpr *e;
	const vtype *t;
	uint8_t prune;
} trec;

typedef struct tctx {
	vpolicyctx *pc;
	vctx *v;
	const wvenv *env;
	const waction *act;
	warena *a;
	bool strict;
	bool quiet; /* level pass: record types, report nothing */
	trec *rec;
	uint32_t rcap;
} tctx;

/* ---- expression shapes ---- */

static bool lit_eq(const wvalue *a, const wvalue *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case WV_BOOL:
		return a->u.b == b->u.b;
	case WV_LONG:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		return a->u.i == b->u.i;
	case WV_STRING:
		return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
	case WV_ENTITY:
		return uid_eq(a->u.e, b->u.e);
	case WV_IPADDR:
		return memcmp(a->u.ip, b->u.ip, sizeof *a->u.ip) == 0;
	default:
		return a->u.set == b->u.set;
	}
}

/* Structural equality ignoring source positions. */
static bool shape_eq(const wexpr *a, const wexpr *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case WE_LIT:
		return lit_eq(&a->u.lit, &b->u.lit);
	case WE_VAR:
		return a->u.var == b->u.var;
	case WE_SLOT:
		return a->u.slot == b->u.slot;
	case WE_IF:
		return shape_eq(a->u.k.a, b->u.k.a) && shape_eq(a->u.k.b, b->u.k.b) && shape_eq(a->u.k.c, b->u.k.c);
	case WE_BINARY:
		if (a->op != b->op)
			return false;
		/* fallthrough */
	case WE_AND:
	case WE_OR:
		return shape_eq(a->u.k.a, b->u.k.a) && shape_eq(a->u.k.b, b->u.k.b);
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		return shape_eq(a->u.k.a, b->u.k.a);
	case WE_GETATTR:
	case WE_HASATTR:
		return a->u.attr.name == b->u.attr.name && shape_eq(a->u.attr.obj, b->u.attr.obj);
	case WE_LIKE:
		return a->u.like.pat.n == b->u.like.pat.n &&
		       (a->u.like.pat.n == 0 ||
			memcmp(a->u.like.pat.cps, b->u.like.pat.cps, a->u.like.pat.n * sizeof(uint32_t)) == 0) &&
		       shape_eq(a->u.like.obj, b->u.like.obj);
	case WE_IS:
		return a->u.is.type == b->u.is.type && shape_eq(a->u.is.obj, b->u.is.obj) &&
		       shape_eq(a->u.is.in, b->u.is.in);
	case WE_SET:
		if (a->u.list.n != b->u.list.n)
			return false;
		for (uint32_t i = 0; i < a->u.list.n; i++)
			if (!shape_eq(a->u.list.items[i], b->u.list.items[i]))
				return false;
		return true;
	case WE_RECORD:
		if (a->u.rec.n != b->u.rec.n)
			return false;
		for (uint32_t i = 0; i < a->u.rec.n; i++) {
			uint32_t j = 0;
			while (j < b->u.rec.n && b->u.rec.keys[j] != a->u.rec.keys[i])
				j++;
			if (j == b->u.rec.n || !shape_eq(a->u.rec.vals[i], b->u.rec.vals[j]))
				return false;
		}
		return true;
	case WE_CALL:
		if (a->u.call.name != b->u.call.name || a->u.call.n != b->u.call.n)
			return false;
		for (uint32_t i = 0; i < a->u.call.n; i++)
			if (!shape_eq(a->u.call.args[i], b->u.call.args[i]))
				return false;
		return true;
	default:
		return false;
	}
}

static bool cap_eq(const vcap *x, const vcap *y)
{
	if (x->kind != y->kind)
		return false;
	if (x->kind == CAP_ATTR && x->attr != y->attr)
		return false;
	if (x->kind == CAP_TAG && !shape_eq(x->tag, y->tag))
		return false;
	return shape_eq(x->on, y->on);
}

static bool cap_has(capset s, const vcap *c)
{
	for (uint32_t i = 0; i < s.n; i++)
		if (cap_eq(&s.c[i], c))
			return true;
	return false;
}

static capset cap_union(tctx *c, capset x, capset y)
{
	if (!y.n)
		return x;
	if (!x.n)
		return y;
	vcap *o = ARENA_ARRAY(c->a, vcap, x.n + y.n);
	uint32_t n = 0;
	for (uint32_t i = 0; i < x.n; i++)
		o[n++] = x.c[i];
	for (uint32_t i = 0; i < y.n; i++)
		if (!cap_has(x, &y.c[i]))
			o[n++] = y.c[i];
	return (capset){o, n};
}

static capset cap_inter(tctx *c, capset x, capset y)
{
	if (!x.n || !y.n)
		return CAP_EMPTY;
	vcap *o = ARENA_ARRAY(c->a, vcap, x.n);
	uint32_t n = 0;
	for (uint32_t i = 0; i < x.n; i++)
		if (cap_has(y, &x.c[i]))
			o[n++] = x.c[i];
	return (capset){o, n};
}

static capset cap_one(tctx *c, uint8_t kind, const wexpr *on, const wsym *attr, const wexpr *tag)
{
	vcap *o = ARENA_NEW(c->a, vcap);
	o->kind = kind;
	o->on = on;
	o->attr = attr;
	o->tag = tag;
	return (capset){o, 1};
}

/* ---- results ---- */

static tres r_ok(const vtype *t)
{
	return (tres){t, CAP_EMPTY, true};
}

static tres r_okc(const vtype *t, capset cap)
{
	return (tres){t, cap, true};
}

static tres r_fail(const vtype *t)
{
	return (tres){t, CAP_EMPTY, false};
}

/* The reference's then_typecheck: a failure anywhere below fails the whole
 * and drops its capabilities. */
static tres seq(tres r, bool sub_ok)
{
	if (!sub_ok) {
		r.ok = false;
		r.cap = CAP_EMPTY;
	}
	return r;
}

static capset caps_of(tres r)
{
	return r.ok ? r.cap : CAP_EMPTY;
}

/* ---- recording (level pass) ---- */

static void record(tctx *c, const wexpr *e, const vtype *t, uint8_t prune)
{
	if (!c->quiet || !c->rcap)
		return;
	uint32_t m = c->rcap - 1;
	uint32_t h = (uint32_t)(((uintptr_t)e >> 4) * 2654435761u) & m;
	while (c->rec[h].e && c->rec[h].e != e)
		h = (h + 1) & m;
	c->rec[h].e = e;
	c->rec[h].t = t;
	c->rec[h].prune = prune;
}

static const trec *lookup(const tctx *c, const wexpr *e)
{
	if (!c->rcap)
		return NULL;
	uint32_t m = c->rcap - 1;
	uint32_t h = (uint32_t)(((uintptr_t)e >> 4) * 2654435761u) & m;
	while (c->rec[h].e) {
		if (c->rec[h].e == e)
			return &c->rec[h];
		h = (h + 1) & m;
	}
	return NULL;
}

/* ---- errors ---- */

static char *type_str(const vtype *t)
{
	wbuf b = WBUF_INIT;
	vt_print(t, &b);
	return buf_detach(&b);
}

enum {
	HELP_NONE,
	HELP_CONTAINS,
	HELP_LIKE,
	HELP_IS,
	HELP_HAS,
	HELP_IN,
	HELP_CONCAT,
	HELP_SETOPS,
	HELP_SINGLE_CONTAINS,
	HELP_EMPTY_STRING,
	HELP_TYPE_TEST,
};

static char *help_text(int h)
{
	switch (h) {
	case HELP_CONTAINS:
		return vx_help("try using `.contains()` to test set membership");
	case HELP_LIKE:
		return vx_help("try using `like` to examine the contents of a string");
	case HELP_IS:
		return vx_help("try using `is` to test the type of an entity");
	case HELP_HAS:
		return vx_help("try using `has` to test for an attribute");
	case HELP_IN:
		return vx_help("try using `in` to test the entity hierarchy");
	case HELP_CONCAT:
		return vx_help("string concatenation is not supported");
	case HELP_SETOPS:
		return vx_help("set operations use `.contains()`, `.containsAll()` and `.containsAny()`");
	case HELP_SINGLE_CONTAINS:
		return vx_help("try using `.contains()` for a single element");
	case HELP_EMPTY_STRING:
		return vx_help("try comparing with the empty string `\"\"`");
	case HELP_TYPE_TEST:
		return vx_help("`is` only tests the type of entities");
	default:
		return NULL;
	}
}

static void err_unexpected(tctx *c, const wexpr *e, const vtype *const *exp, int nexp, const vtype *actual, int help)
{
	if (c->quiet)
		return;
	wbuf b = WBUF_INIT;
	for (int i = 0; i < nexp; i++) {
		if (i)
			buf_adds(&b, i == nexp - 1 ? " or " : ", ");
		buf_addc(&b, '\'');
		vt_print(exp[i], &b);
		buf_addc(&b, '\'');
	}
	char *a = type_str(actual);
	vx_issue(c->pc, WVK_UNEXPECTED_TYPE, e->span, help_text(help), "expected %s, found '%s'", b.p, a);
	free(a);
	buf_release(&b);
}

enum { LUBC_EQ, LUBC_COND, LUBC_SET, LUBC_CONTAINS, LUBC_CONTAINSANYALL, LUBC_GETTAG };

static void err_incompatible(tctx *c, const wexpr *e, const vtype *const *ts, uint32_t n, vlubhelp h, int ctx)
{
	if (c->quiet)
		return;
	wbuf b = WBUF_INIT;
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_adds(&b, i == n - 1 ? " and " : ", ");
		buf_addc(&b, '\'');
		vt_print(ts[i], &b);
		buf_addc(&b, '\'');
	}
	static const char *const what[] = {
		[LUBC_EQ] = "operands of `==`",
		[LUBC_COND] = "branches of `if`",
		[LUBC_SET] = "elements of the set",
		[LUBC_CONTAINS] = "set element and the argument of `.contains()`",
		[LUBC_CONTAINSANYALL] = "sets compared by `.containsAll()`/`.containsAny()`",
		[LUBC_GETTAG] = "possible tag types",
	};
	char *help = NULL;
	switch (h) {
	case LUBH_ENTITY_TYPE:
		help = vx_help("different entity types never have a common type in strict validation");
		break;
	case LUBH_RECORD_WIDTH:
		help = vx_help("records must have the same attributes to have a common type");
		break;
	case LUBH_QUALIFIER:
		help = vx_help("an attribute is required in one record and optional in the other");
		break;
	case LUBH_ENTITY_RECORD:
		help = vx_help("entities and records never have a common type");
		break;
	default:
		break;
	}
	vx_issue(c->pc, WVK_INCOMPATIBLE_TYPES, e->span, help, "the %s have incompatible types %s", what[ctx], b.p);
	buf_release(&b);
}

/* ---- schema lookups ---- */

static const vtype *ent_type(tctx *c, const wsym *name)
{
	return vt_entity1(c->a, name);
}

static const wentity_type *etype(tctx *c, const wsym *name)
{
	int i = vx_etype_index(c->v, name);
	return i < 0 ? NULL : &c->v->s->etypes[i];
}

/* The attributes record of an entity type union (LUB of the members). */
static const vtype *entity_attrs(tctx *c, const vtype *t)
{
	const vtype *acc = NULL;
	for (uint32_t i = 0; i < t->n; i++) {
		const wentity_type *et = etype(c, t->ents[i]);
		const vtype *r = et ? vx_conv(c->v, et->attrs) : NULL;
		if (!r || r->kind != VT_RECORD)
			r = vt_record(c->a, NULL, 0, false);
		acc = acc ? vt_record_permissive_lub(c->a, acc, r) : r;
	}
	return acc;
}

static const vattr *lookup_attr(tctx *c, const vtype *t, const wsym *name)
{
	switch (t->kind) {
	case VT_RECORD:
		return vt_record_attr(t, name);
	case VT_ENTITY:
		return vt_record_attr(entity_attrs(c, t), name);
	default:
		return NULL;
	}
}

static bool may_have_attr(tctx *c, const vtype *t, const wsym *name)
{
	switch (t->kind) {
	case VT_NEVER:
	case VT_ANYENTITY:
		return true;
	case VT_RECORD:
		return t->open || vt_record_attr(t, name) != NULL;
	case VT_ENTITY:
		/* action entities have no attributes in our schema model */
		for (uint32_t i = 0; i < t->n; i++) {
			const wentity_type *et = etype(c, t->ents[i]);
			if ((!et && !vx_is_action_type(c->v, t->ents[i])) || (et && et->attrs && et->attrs->open))
				return true;
		}
		for (uint32_t i = 0; i < t->n; i++) {
			const wentity_type *et = etype(c, t->ents[i]);
			if (!et)
				continue;
			const vtype *r = vx_conv(c->v, et->attrs);
			if (r && r->kind == VT_RECORD && vt_record_attr(r, name))
				return true;
		}
		return false;
	default:
		return false;
	}
}

static void attr_suggest(tctx *c, const vtype *t, const wsym *name, vsuggest *sg)
{
	vx_suggest_init(sg, name->s);
	const vtype *r = t->kind == VT_RECORD ? t : t->kind == VT_ENTITY ? entity_attrs(c, t) : NULL;
	if (!r)
		return;
	for (uint32_t i = 0; i < r->n; i++)
		vx_suggest(sg, r->attrs[i].name->s);
}

/* Tag types an entity-ish type may have (distinct). */
static uint32_t tag_types(tctx *c, const vtype *t, const vtype **out, uint32_t max)
{
	uint32_t n = 0;
	const wsym *const *names = NULL;
	uint32_t nn = 0;
	if (t->kind == VT_ENTITY) {
		names = t->ents;
		nn = t->n;
	} else if (t->kind != VT_ANYENTITY) {
		return 0;
	}
	uint32_t total = t->kind == VT_ANYENTITY ? c->v->s->netypes : nn;
	for (uint32_t i = 0; i < total && n < max; i++) {
		const wentity_type *et = t->kind == VT_ANYENTITY ? &c->v->s->etypes[i] : etype(c, names[i]);
		if (!et || !et->tags)
			continue;
		const vtype *tt = vx_conv(c->v, et->tags);
		bool dup = false;
		for (uint32_t j = 0; j < n; j++)
			dup = dup || vt_eq(out[j], tt);
		if (!dup)
			out[n++] = tt;
	}
	return n;
}

/* ---- the checker ---- */

static tres tc(tctx *c, capset prior, const wexpr *e);

static tres expect_n(tctx *c, capset prior, const wexpr *e, const vtype *const *exp, int nexp, int help)
{
	tres r = tc(c, prior, e);
	if (!r.t)
		return r_fail(NULL);
	for (int i = 0; i < nexp; i++)
		if (vt_subtype(r.t, exp[i], false))
			return r;
	err_unexpected(c, e, exp, nexp, r.t, help);
	return r_fail(NULL);
}

static tres expect1(tctx *c, capset prior, const wexpr *e, const vtype *exp, int help)
{
	return expect_n(c, prior, e, &exp, 1, help);
}

static const vtype *euid_type(tctx *c, wuid u)
{
	if (ctx_is_action_type(u.type))
		return vx_action_index(c->v, u) >= 0 ? ent_type(c, u.type) : NULL;
	return vx_etype_index(c->v, u.type) >= 0 ? ent_type(c, u.type) : NULL;
}

/* `e` as an entity literal, with the action variable replaced by the
 * environment's action, as the reference does for `==` and `in`. */
static bool as_euid(tctx *c, const wexpr *e, wuid *out)
{
	if (e->kind == WE_VAR && e->u.var == WVAR_ACTION) {
		*out = c->env->action;
		return true;
	}
	if (e->kind == WE_LIT && e->u.lit.kind == WV_ENTITY) {
		*out = e->u.lit.u.e;
		return true;
	}
	return false;
}

static bool as_literal(tctx *c, const wexpr *e, wvalue *out)
{
	if (e->kind == WE_VAR && e->u.var == WVAR_ACTION) {
		*out = value_entity(c->env->action);
		return true;
	}
	if (e->kind == WE_LIT) {
		*out = e->u.lit;
		return true;
	}
	return false;
}

/* When the type of `==`/`contains` is not a singleton, strict mode wants
 * the operand types to have a least upper bound. */
static tres strict_equality(tctx *c, const wexpr *e, const vtype *result, const vtype *l, const vtype *r, int ctx)
{
	if (result->kind == VT_TRUE || result->kind == VT_FALSE)
		return r_ok(result);
	if (l && r) {
		vlubhelp h;
		if (!vt_lub(c->a, l, r, c->strict, &h)) {
			const vtype *ts[2] = {l, r};
			err_incompatible(c, e, ts, 2, h, ctx);
			return r_fail(result);
		}
	}
	return r_ok(result);
}

static bool valid_cmp(const vtype *t)
{
	return t->kind == VT_LONG || (t->kind == VT_EXT && (t->ext == WT_DATETIME || t->ext == WT_DURATION));
}

static tres tc_compare(tctx *c, capset prior, const wexpr *e)
{
	const wexpr *a = e->u.k.a, *b = e->u.k.b;
	tres l = tc(c, prior, a);
	tres r = tc(c, prior, b);
	static const vtype *cmp[3];
	cmp[0] = vt_ext(WT_DATETIME);
	cmp[1] = vt_ext(WT_DURATION);
	cmp[2] = &vt_long;
	tres res = r_fail(&vt_bool);
	const vtype *t1 = l.t, *t2 = r.t;
	if (t1 && t2) {
		if (t1->kind == VT_NEVER && t2->kind == VT_NEVER) {
			res = r_fail(&vt_bool);
		} else if (t1->kind == VT_NEVER || t2->kind == VT_NEVER) {
			const vtype *o = t1->kind == VT_NEVER ? t2 : t1;
			const wexpr *oe = t1->kind == VT_NEVER ? b : a;
			if (valid_cmp(o)) {
				res = r_ok(&vt_bool);
			} else {
				err_unexpected(c, oe, cmp, 3, o, HELP_NONE);
			}
		} else if (vt_eq(t1, t2) && valid_cmp(t1)) {
			res = r_ok(&vt_bool);
		} else if (t1->kind == VT_LONG) {
			err_unexpected(c, b, &cmp[2], 1, t2, HELP_NONE);
		} else if (t2->kind == VT_LONG) {
			err_unexpected(c, a, &cmp[2], 1, t1, HELP_NONE);
		} else if (valid_cmp(t1)) {
			err_unexpected(c, b, &t1, 1, t2, HELP_NONE);
		} else if (valid_cmp(t2)) {
			err_unexpected(c, a, &t2, 1, t1, HELP_NONE);
		} else {
			err_unexpected(c, a, cmp, 3, t1, HELP_NONE);
			err_unexpected(c, b, cmp, 3, t2, HELP_NONE);
		}
	}
	return seq(seq(res, l.ok), r.ok);
}

static tres tc_eq(tctx *c, capset prior, const wexpr *e)
{
	const wexpr *a = e->u.k.a, *b = e->u.k.b;
	tres l = tc(c, prior, a);
	tres r = tc(c, prior, b);
	const vtype *t;
	wvalue la, lb;
	if (l.t && r.t && vt_disjoint(l.t, r.t))
		t = &vt_false;
	else if (as_literal(c, a, &la) && as_literal(c, b, &lb))
		t = vt_singleton(lit_eq(&la, &lb));
	else
		t = &vt_bool;
	tres res = c->strict ? strict_equality(c, e, t, l.t, r.t, LUBC_EQ) : r_ok(t);
	return seq(seq(res, l.ok), r.ok);
}

/* lhs may be `in` rhs: some lhs type is rhs or a descendant, in the entity
 * or the action hierarchy. */
static bool any_descendant(tctx *c, const vtype *lhs, const vtype *rhs)
{
	vctx *v = c->v;
	for (uint32_t i = 0; i < lhs->n; i++)
		for (uint32_t j = 0; j < rhs->n; j++) {
			const wsym *l = lhs->ents[i], *r = rhs->ents[j];
			if (l == r)
				return true;
			int li = vx_etype_index(v, l), ri = vx_etype_index(v, r);
			if (li >= 0 && ri >= 0 && vx_etype_in(v, li, ri))
				return true;
			for (uint32_t k = 0; k < v->s->nactions; k++) {
				if (v->s->actions[k].uid.type != r)
					continue;
				for (uint32_t d = 0; d < v->s->nactions; d++)
					if (v->s->actions[d].uid.type == l && vx_action_in(v, (int)d, (int)k))
						return true;
			}
		}
	return false;
}

static tres tc_in(tctx *c, capset prior, const wexpr *e)
{
	const wexpr *a = e->u.k.a, *b = e->u.k.b;
	tres l = expect1(c, prior, a, &vt_anyentity, HELP_CONTAINS);
	const vtype *setany = vt_set(c->a, &vt_anyentity);
	const vtype *exp[2] = {setany, &vt_anyentity};
	/* help depends on the actual type: computed inside expect_n would need
	 * a callback; sets and strings are the common mistakes */
	tres r = tc(c, prior, b);
	if (r.t) {
		bool okt = vt_subtype(r.t, exp[0], false) || vt_subtype(r.t, exp[1], false);
		if (!okt) {
			int h = r.t->kind == VT_SET ? HELP_CONTAINS : r.t->kind == VT_STRING ? HELP_LIKE : HELP_NONE;
			err_unexpected(c, b, exp, 2, r.t, h);
			r = r_fail(NULL);
		}
	} else {
		r = r_fail(NULL);
	}
	if (!l.ok || !r.ok)
		return r_fail(&vt_bool);
	wuid lu;
	if (as_euid(c, a, &lu) && ctx_is_action_type(lu.type)) {
		/* rhs: a literal, the action, or a set of those */
		wuid one;
		const wexpr *const *items = NULL;
		uint32_t n = 0;
		bool lits = false;
		if (as_euid(c, b, &one)) {
			lits = true;
			n = 1;
		} else if (b->kind == WE_SET) {
			lits = true;
			items = (const wexpr *const *)b->u.list.items;
			n = b->u.list.n;
			for (uint32_t i = 0; i < n && lits; i++) {
				wuid tmp;
				lits = as_euid(c, items[i], &tmp);
			}
		}
		if (lits) {
			bool any_action = false, all_known = true, found = false;
			int li = vx_action_index(c->v, lu);
			for (uint32_t i = 0; i < n; i++) {
				wuid u = one;
				if (items)
					as_euid(c, items[i], &u);
				if (!ctx_is_action_type(u.type))
					continue;
				any_action = true;
				int ri = vx_action_index(c->v, u);
				if (ri < 0)
					all_known = false;
				else if (li >= 0 && vx_action_in(c->v, li, ri))
					found = true;
			}
			if (!any_action)
				return r_ok(&vt_false);
			if (!all_known)
				return r_fail(&vt_bool);
			return r_ok(vt_singleton(found));
		}
	}
	const vtype *lt = l.t && l.t->kind == VT_ENTITY ? l.t : NULL;
	const vtype *rt = NULL;
	if (r.t && r.t->kind == VT_ENTITY)
		rt = r.t;
	else if (r.t && r.t->kind == VT_SET && r.t->elem && r.t->elem->kind == VT_ENTITY)
		rt = r.t->elem;
	if (lt && rt && !any_descendant(c, lt, rt))
		return r_ok(&vt_false);
	return r_ok(&vt_bool);
}

static tres tc_tag(tctx *c, capset prior, const wexpr *e)
{
	const wexpr *a = e->u.k.a, *b = e->u.k.b;
	tres l = expect1(c, prior, a, &vt_anyentity, HELP_NONE);
	tres r = expect1(c, prior, b, &vt_string, HELP_NONE);
	bool sub = l.ok && r.ok;
	if (!l.t)
		return r_fail(e->op == WB_HASTAG ? NULL : NULL);
	const vtype *tts[64];
	uint32_t nt = tag_types(c, l.t, tts, 64);
	vcap want = {CAP_TAG, a, NULL, b};
	bool known = cap_has(prior, &want);
	if (e->op == WB_HASTAG) {
		const vtype *t = nt == 0 ? &vt_false : known ? &vt_true : &vt_bool;
		return seq(r_okc(t, cap_one(c, CAP_TAG, a, NULL, b)), sub);
	}
	if (!known) {
		if (!c->quiet) {
			char *ts = type_str(l.t);
			vx_issue(c->pc, WVK_UNSAFE_TAG_ACCESS, e->span,
				 vx_help("guard the access with `.hasTag()` on the same entity and tag"),
				 "tag of '%s' read without a `.hasTag()` check", ts);
			free(ts);
		}
		return r_fail(NULL);
	}
	if (nt == 0) {
		if (!c->quiet) {
			char *ts = type_str(l.t);
			vx_issue(c->pc, WVK_NO_TAGS_ALLOWED, e->span, NULL, "entity type '%s' has no tags", ts);
			free(ts);
		}
		return r_fail(NULL);
	}
	const vtype *lub = &vt_never;
	for (uint32_t i = 0; i < nt && lub; i++) {
		vlubhelp h;
		lub = vt_lub(c->a, lub, tts[i], c->strict, &h);
		if (!lub) {
			err_incompatible(c, e, tts, nt, h, LUBC_GETTAG);
			return r_fail(NULL);
		}
	}
	return seq(r_ok(lub), sub);
}

/* Extension function signatures. */
enum { XA_BOOL, XA_LONG, XA_STR, XA_IP, XA_DEC, XA_DT, XA_DUR };

static const struct xsig {
	const char *name;
	uint8_t nargs;
	uint8_t args[2];
	uint8_t ret;
	bool ctor;
} xsigs[] = {
	{"ip", 1, {XA_STR}, XA_IP, true},
	{"decimal", 1, {XA_STR}, XA_DEC, true},
	{"datetime", 1, {XA_STR}, XA_DT, true},
	{"duration", 1, {XA_STR}, XA_DUR, true},
	{"isIpv4", 1, {XA_IP}, XA_BOOL, false},
	{"isIpv6", 1, {XA_IP}, XA_BOOL, false},
	{"isLoopback", 1, {XA_IP}, XA_BOOL, false},
	{"isMulticast", 1, {XA_IP}, XA_BOOL, false},
	{"isInRange", 2, {XA_IP, XA_IP}, XA_BOOL, false},
	{"lessThan", 2, {XA_DEC, XA_DEC}, XA_BOOL, false},
	{"lessThanOrEqual", 2, {XA_DEC, XA_DEC}, XA_BOOL, false},
	{"greaterThan", 2, {XA_DEC, XA_DEC}, XA_BOOL, false},
	{"greaterThanOrEqual", 2, {XA_DEC, XA_DEC}, XA_BOOL, false},
	{"offset", 2, {XA_DT, XA_DUR}, XA_DT, false},
	{"durationSince", 2, {XA_DT, XA_DT}, XA_DUR, false},
	{"toDate", 1, {XA_DT}, XA_DT, false},
	{"toTime", 1, {XA_DT}, XA_DUR, false},
	{"toDays", 1, {XA_DUR}, XA_LONG, false},
	{"toHours", 1, {XA_DUR}, XA_LONG, false},
	{"toMinutes", 1, {XA_DUR}, XA_LONG, false},
	{"toSeconds", 1, {XA_DUR}, XA_LONG, false},
	{"toMilliseconds", 1, {XA_DUR}, XA_LONG, false},
};

static const vtype *xtype(uint8_t k)
{
	switch (k) {
	case XA_BOOL:
		return &vt_bool;
	case XA_LONG:
		return &vt_long;
	case XA_STR:
		return &vt_string;
	case XA_IP:
		return vt_ext(WT_IPADDR);
	case XA_DEC:
		return vt_ext(WT_DECIMAL);
	case XA_DT:
		return vt_ext(WT_DATETIME);
	default:
		return vt_ext(WT_DURATION);
	}
}

static int check_ext_literal(const char *name, const char *s, size_t n)
{
	if (strcmp(name, "ip") == 0) {
		wipaddr ip;
		return ext_parse_ip(s, n, &ip);
	}
	int64_t x;
	if (strcmp(name, "decimal") == 0)
		return ext_parse_decimal(s, n, &x);
	if (strcmp(name, "datetime") == 0)
		return ext_parse_datetime(s, n, &x);
	return ext_parse_duration(s, n, &x);
}

static tres tc_call(tctx *c, capset prior, const wexpr *e)
{
	const char *name = e->u.call.fn ? e->u.call.fn->name : e->u.call.name ? e->u.call.name->s : "";
	const struct xsig *sig = NULL;
	for (size_t i = 0; i < sizeof xsigs / sizeof xsigs[0]; i++)
		if (strcmp(xsigs[i].name, name) == 0)
			sig = &xsigs[i];
	uint32_t n = e->u.call.n;
	bool failed = false;
	if (!sig) {
		if (!c->quiet)
			vx_issue(c->pc, WVK_UNDEFINED_FUNCTION, e->span, NULL, "undefined extension function '%s'",
				 name);
		for (uint32_t i = 0; i < n; i++)
			tc(c, prior, e->u.call.args[i]);
		return r_fail(NULL);
	}
	if (n != sig->nargs) {
		if (!c->quiet)
			vx_issue(c->pc, WVK_WRONG_NUMBER_ARGS, e->span, NULL,
				 "'%s' takes %u argument%s, found %u", name, (unsigned)sig->nargs,
				 sig->nargs == 1 ? "" : "s", (unsigned)n);
		failed = true;
	}
	if (sig->ctor && n >= 1 && e->u.call.args[0]->kind == WE_LIT && e->u.call.args[0]->u.lit.kind == WV_STRING) {
		const wvalue *s = &e->u.call.args[0]->u.lit;
		if (check_ext_literal(name, s->u.s.p, s->u.s.n) != 0) {
			if (!c->quiet) {
				wbuf b = WBUF_INIT;
				buf_add_json_str(&b, s->u.s.p, s->u.s.n);
				vx_issue(c->pc, WVK_INVALID_EXT_LITERAL, e->span, NULL, "%s is not a valid %s literal", b.p,
					 name);
				buf_release(&b);
			}
			failed = true;
		}
	}
	if (c->strict && sig->ctor) {
		bool all_lit = true;
		for (uint32_t i = 0; i < n; i++)
			all_lit = all_lit && e->u.call.args[i]->kind == WE_LIT;
		if (!all_lit) {
			if (!c->quiet)
				vx_issue(c->pc, WVK_NON_LITERAL_EXT_CONSTRUCTOR, e->span,
					 vx_help("pass a string literal, which the validator can check"),
					 "extension constructor '%s' called with a non-literal argument", name);
			failed = true;
		}
	}
	if (failed) {
		for (uint32_t i = 0; i < n; i++)
			tc(c, prior, e->u.call.args[i]);
		return r_fail(xtype(sig->ret));
	}
	bool all_ok = true;
	for (uint32_t i = 0; i < n; i++) {
		tres r = expect1(c, prior, e->u.call.args[i], xtype(sig->args[i]), HELP_NONE);
		all_ok = all_ok && r.ok;
	}
	return seq(r_ok(xtype(sig->ret)), all_ok);
}

static tres tc_inner(tctx *c, capset prior, const wexpr *e, uint8_t *prune)
{
	switch (e->kind) {
	case WE_LIT:
		switch (e->u.lit.kind) {
		case WV_BOOL:
			return r_ok(vt_singleton(e->u.lit.u.b));
		case WV_LONG:
			return r_ok(&vt_long);
		case WV_STRING:
			return r_ok(&vt_string);
		case WV_ENTITY: {
			const vtype *t = euid_type(c, e->u.lit.u.e);
			return t ? r_ok(t) : r_fail(NULL);
		}
		case WV_IPADDR:
		case WV_DECIMAL:
		case WV_DATETIME:
		case WV_DURATION:
			return r_ok(vt_ext(e->u.lit.kind == WV_IPADDR    ? WT_IPADDR
					   : e->u.lit.kind == WV_DECIMAL ? WT_DECIMAL
					   : e->u.lit.kind == WV_DATETIME ? WT_DATETIME
									  : WT_DURATION));
		default:
			return r_fail(NULL);
		}
	case WE_VAR:
		switch (e->u.var) {
		case WVAR_PRINCIPAL:
			return r_ok(ent_type(c, c->env->principal));
		case WVAR_RESOURCE:
			return r_ok(ent_type(c, c->env->resource));
		case WVAR_ACTION:
			return r_ok(ent_type(c, c->env->action.type));
		default: {
			const vtype *t = c->act ? vx_conv(c->v, c->act->context) : NULL;
			if (!t)
				t = vt_record(c->a, NULL, 0, false);
			return r_ok(t);
		}
		}
	case WE_SLOT: {
		const wsym *s = e->u.slot == WSLOT_PRINCIPAL ? c->env->slot_principal : c->env->slot_resource;
		return r_ok(s ? ent_type(c, s) : &vt_anyentity);
	}
	case WE_IF: {
		tres t = expect1(c, prior, e->u.k.a, &vt_bool, HELP_NONE);
		capset tcap = caps_of(t);
		tres res;
		if (t.t && t.t->kind == VT_TRUE) {
			tres th = tc(c, cap_union(c, prior, tcap), e->u.k.b);
			res = seq(r_okc(th.t, cap_union(c, caps_of(th), tcap)), th.ok);
			*prune = PRUNE_THEN;
		} else if (t.t && t.t->kind == VT_FALSE) {
			tres el = tc(c, prior, e->u.k.c);
			res = seq(r_okc(el.t, caps_of(el)), el.ok);
			*prune = PRUNE_ELSE;
		} else {
			tres th = tc(c, cap_union(c, prior, tcap), e->u.k.b);
			capset thc = th.ok ? cap_union(c, th.cap, tcap) : CAP_EMPTY;
			tres el = tc(c, prior, e->u.k.c);
			const vtype *lub = NULL;
			if (th.t && el.t) {
				vlubhelp h;
				lub = vt_lub(c->a, th.t, el.t, c->strict, &h);
				if (!lub) {
					const vtype *ts[2] = {th.t, el.t};
					err_incompatible(c, e, ts, 2, h, LUBC_COND);
				}
			}
			res = lub ? r_okc(lub, cap_inter(c, caps_of(el), thc)) : r_fail(NULL);
			res = seq(seq(res, th.ok), el.ok);
		}
		return seq(res, t.ok);
	}
	case WE_AND: {
		tres l = expect1(c, prior, e->u.k.a, &vt_bool, HELP_NONE);
		if (l.t && l.t->kind == VT_FALSE) {
			*prune = PRUNE_LEFT;
			return seq(r_ok(l.t), l.ok);
		}
		capset lc = caps_of(l);
		tres r = expect1(c, cap_union(c, prior, lc), e->u.k.b, &vt_bool, HELP_NONE);
		capset rc = caps_of(r);
		tres res;
		if (!l.t || !r.t)
			res = r_fail(&vt_bool);
		else if (r.t->kind == VT_FALSE)
			res = r_ok(&vt_false);
		else if (r.t->kind == VT_TRUE)
			res = r_okc(l.t, cap_union(c, lc, rc));
		else if (l.t->kind == VT_TRUE)
			res = r_okc(r.t, rc); /* the reference keeps only the right's here */
		else
			res = r_okc(&vt_bool, cap_union(c, lc, rc));
		return seq(seq(res, r.ok), l.ok);
	}
	case WE_OR: {
		tres l = expect1(c, prior, e->u.k.a, &vt_bool, HELP_NONE);
		if (l.t && l.t->kind == VT_TRUE) {
			*prune = PRUNE_LEFT;
			return seq(r_okc(l.t, caps_of(l)), l.ok);
		}
		capset lc = caps_of(l);
		tres r = expect1(c, prior, e->u.k.b, &vt_bool, HELP_NONE);
		capset rc = caps_of(r);
		tres res;
		if (!l.t || !r.t)
			res = r_fail(&vt_bool);
		else if (r.t->kind == VT_TRUE)
			res = r_okc(&vt_true, rc);
		else if (r.t->kind == VT_FALSE)
			res = r_okc(l.t, lc);
		else if (l.t->kind == VT_FALSE)
			res = r_okc(r.t, rc);
		else
			res = r_okc(&vt_bool, cap_inter(c, rc, lc));
		return seq(seq(res, r.ok), l.ok);
	}
	case WE_NOT: {
		tres a = expect1(c, prior, e->u.k.a, &vt_bool, HELP_NONE);
		if (!a.t)
			return r_fail(&vt_bool);
		const vtype *t = a.t->kind == VT_TRUE ? &vt_false : a.t->kind == VT_FALSE ? &vt_true : &vt_bool;
		return seq(r_ok(t), a.ok);
	}
	case WE_NEG: {
		tres a = expect1(c, prior, e->u.k.a, &vt_long, HELP_NONE);
		return seq(r_ok(&vt_long), a.ok);
	}
	case WE_ISEMPTY: {
		tres a = tc(c, prior, e->u.k.a);
		if (a.t && !vt_subtype(a.t, &vt_anyset, false)) {
			err_unexpected(c, e->u.k.a, (const vtype *const[]){&vt_anyset}, 1, a.t,
				       a.t->kind == VT_STRING ? HELP_EMPTY_STRING : HELP_NONE);
			a = r_fail(NULL);
		}
		return seq(r_ok(&vt_bool), a.ok && a.t);
	}
	case WE_BINARY:
		switch (e->op) {
		case WB_EQ:
			return tc_eq(c, prior, e);
		case WB_LT:
		case WB_LE:
			return tc_compare(c, prior, e);
		case WB_ADD:
		case WB_SUB:
		case WB_MUL: {
			tres l = tc(c, prior, e->u.k.a);
			int hl = l.t && l.t->kind == VT_STRING && e->op == WB_ADD ? HELP_CONCAT
				 : l.t && l.t->kind == VT_SET			   ? HELP_SETOPS
										   : HELP_NONE;
			if (l.t && !vt_subtype(l.t, &vt_long, false)) {
				err_unexpected(c, e->u.k.a, (const vtype *const[]){&vt_long}, 1, l.t, hl);
				l = r_fail(NULL);
			}
			tres r = tc(c, prior, e->u.k.b);
			int hr = r.t && r.t->kind == VT_STRING && e->op == WB_ADD ? HELP_CONCAT
				 : r.t && r.t->kind == VT_SET			   ? HELP_SETOPS
										   : HELP_NONE;
			if (r.t && !vt_subtype(r.t, &vt_long, false)) {
				err_unexpected(c, e->u.k.b, (const vtype *const[]){&vt_long}, 1, r.t, hr);
				r = r_fail(NULL);
			}
			return seq(r_ok(&vt_long), l.ok && l.t && r.ok && r.t);
		}
		case WB_IN:
			return tc_in(c, prior, e);
		case WB_CONTAINS:
		case WB_CONTAINSALL:
		case WB_CONTAINSANY: {
			tres l = tc(c, prior, e->u.k.a);
			if (l.t && !vt_subtype(l.t, &vt_anyset, false)) {
				int h = (l.t->kind == VT_ENTITY || l.t->kind == VT_ANYENTITY || l.t->kind == VT_ACTION)
						? HELP_IN
					: l.t->kind == VT_RECORD ? HELP_HAS
					: l.t->kind == VT_STRING ? HELP_LIKE
								 : HELP_NONE;
				err_unexpected(c, e->u.k.a, (const vtype *const[]){&vt_anyset}, 1, l.t, h);
				l = r_fail(NULL);
			} else if (!l.t) {
				l = r_fail(NULL);
			}
			tres r;
			if (e->op == WB_CONTAINS) {
				r = tc(c, prior, e->u.k.b);
			} else {
				r = expect1(c, prior, e->u.k.b, &vt_anyset, HELP_SINGLE_CONTAINS);
			}
			tres res = r_ok(&vt_bool);
			if (c->strict) {
				const vtype *lt = l.t;
				if (e->op == WB_CONTAINS)
					lt = l.t && l.t->kind == VT_SET ? l.t->elem : NULL;
				res = strict_equality(c, e, &vt_bool, lt, r.t,
						      e->op == WB_CONTAINS ? LUBC_CONTAINS : LUBC_CONTAINSANYALL);
			}
			return seq(seq(res, l.ok), r.ok);
		}
		case WB_HASTAG:
		case WB_GETTAG:
			return tc_tag(c, prior, e);
		default:
			return r_fail(NULL);
		}
	case WE_GETATTR:
	case WE_HASATTR: {
		bool has = e->kind == WE_HASATTR;
		const wexpr *obj = e->u.attr.obj;
		const wsym *name = e->u.attr.name;
		tres o = tc(c, prior, obj);
		if (o.t && !vt_subtype(o.t, &vt_anyentity, false) && !vt_subtype(o.t, &vt_anyrecord, false)) {
			int h = !has ? HELP_NONE : o.t->kind == VT_SET ? HELP_CONTAINS : o.t->kind == VT_STRING ? HELP_LIKE : HELP_NONE;
			err_unexpected(c, obj, (const vtype *const[]){&vt_anyentity, &vt_anyrecord}, 2, o.t, h);
			o = r_fail(NULL);
		}
		if (!o.t)
			return r_fail(has ? &vt_bool : NULL);
		const vattr *at = lookup_attr(c, o.t, name);
		vcap want = {CAP_ATTR, obj, name, NULL};
		bool known = cap_has(prior, &want);
		if (has) {
			tres res;
			if (at && at->required)
				res = r_okc(o.t->kind == VT_RECORD || known ? &vt_true : &vt_bool,
					    cap_one(c, CAP_ATTR, obj, name, NULL));
			else if (at)
				res = r_okc(known ? &vt_true : &vt_bool, cap_one(c, CAP_ATTR, obj, name, NULL));
			else
				res = r_ok(may_have_attr(c, o.t, name) ? &vt_bool : &vt_false);
			return seq(res, o.ok);
		}
		if (at) {
			if (at->required || known)
				return seq(r_ok(at->type), o.ok);
			if (!c->quiet) {
				char *ts = type_str(o.t);
				vx_issue(c->pc, WVK_UNSAFE_OPTIONAL_ATTRIBUTE, e->span,
					 vx_help("guard the access with a `has` check, e.g. `... has %s && ...`", name->s),
					 "attribute '%s' of '%s' is optional and may be absent here", name->s, ts);
				free(ts);
			}
			return r_fail(at->type);
		}
		if (!c->quiet) {
			vsuggest sg;
			attr_suggest(c, o.t, name, &sg);
			char *ts = type_str(o.t);
			vx_issue(c->pc, WVK_UNKNOWN_ATTRIBUTE, e->span,
				 sg.best ? vx_help("did you mean '%s'?", sg.best) : NULL,
				 "attribute '%s' not found on '%s'", name->s, ts);
			free(ts);
		}
		return r_fail(NULL);
	}
	case WE_LIKE: {
		tres o = tc(c, prior, e->u.like.obj);
		if (o.t && !vt_subtype(o.t, &vt_string, false)) {
			int h = (o.t->kind == VT_ENTITY || o.t->kind == VT_ANYENTITY) ? HELP_IS : HELP_NONE;
			err_unexpected(c, e->u.like.obj, (const vtype *const[]){&vt_string}, 1, o.t, h);
			o = r_fail(NULL);
		}
		return seq(r_ok(&vt_bool), o.ok && o.t);
	}
	case WE_IS: {
		tres o = expect1(c, prior, e->u.is.obj, &vt_anyentity, HELP_TYPE_TEST);
		if (!o.t)
			return r_fail(&vt_bool);
		const vtype *t = &vt_bool;
		const wsym *ty = e->u.is.type;
		if (o.t->kind == VT_ENTITY) {
			bool has = false;
			for (uint32_t i = 0; i < o.t->n; i++)
				has = has || o.t->ents[i] == ty;
			t = !has ? &vt_false : o.t->n == 1 ? &vt_true : &vt_bool;
		} else if (o.t->kind == VT_ACTION) {
			t = vt_singleton(o.t->ents[0] == ty);
		}
		return seq(r_ok(t), o.ok);
	}
	case WE_SET: {
		uint32_t n = e->u.list.n;
		bool all_ok = true, all_typed = true;
		const vtype **ts = ARENA_ARRAY(c->a, const vtype *, n ? n : 1);
		for (uint32_t i = 0; i < n; i++) {
			tres r = tc(c, prior, e->u.list.items[i]);
			all_ok = all_ok && r.ok;
			ts[i] = r.t;
			all_typed = all_typed && r.t;
		}
		const vtype *lub = NULL;
		if (all_typed) {
			lub = &vt_never;
			for (uint32_t i = 0; i < n && lub; i++) {
				vlubhelp h;
				lub = vt_lub(c->a, lub, ts[i], c->strict, &h);
				if (!lub)
					err_incompatible(c, e, ts, n, h, LUBC_SET);
			}
		}
		if (c->strict && n == 0) {
			if (!c->quiet)
				vx_issue(c->pc, WVK_EMPTY_SET, e->span,
					 vx_help("the validator cannot give an element type to an empty set literal"),
					 "empty set literals are not allowed in strict validation");
			return r_fail(NULL);
		}
		return seq(lub ? r_ok(vt_set(c->a, lub)) : r_fail(NULL), all_ok);
	}
	case WE_RECORD: {
		uint32_t n = e->u.rec.n;
		bool all_ok = true, all_typed = true;
		vattr *at = ARENA_ARRAY(c->a, vattr, n ? n : 1);
		for (uint32_t i = 0; i < n; i++) {
			tres r = tc(c, prior, e->u.rec.vals[i]);
			all_ok = all_ok && r.ok;
			all_typed = all_typed && r.t;
			at[i].name = e->u.rec.keys[i];
			at[i].type = r.t;
			at[i].required = true;
		}
		if (!all_typed)
			return r_fail(NULL);
		return seq(r_ok(vt_record(c->a, at, n, false)), all_ok);
	}
	case WE_CALL:
		return tc_call(c, prior, e);
	default:
		return r_fail(NULL);
	}
}

static tres tc(tctx *c, capset prior, const wexpr *e)
{
	uint8_t prune = PRUNE_NONE;
	tres r = tc_inner(c, prior, e, &prune);
	if (!r.ok)
		r.cap = CAP_EMPTY;
	record(c, e, r.t, prune);
	return r;
}

/* ---- level validation ---- */

typedef struct lpath {
	const wsym *attr;
	const struct lpath *next;
} lpath;

static void level_expr(tctx *c, const wexpr *e);

static void level_err(tctx *c, wvissue_kind k, const wexpr *e, unsigned found)
{
	if (k == WVK_LEVEL_EXCEEDED)
		vx_issue(c->pc, k, e->span, vx_help("restructure the policy or validate at a higher level"),
			 "entity dereference at level %u exceeds the maximum level %d", found, c->v->level);
	else if (k == WVK_LITERAL_DEREFERENCE)
		vx_issue(c->pc, k, e->span, NULL,
			 "level validation forbids reading the data of an entity literal or slot");
	else
		vx_issue(c->pc, k, e->span, NULL, "internal error in level validation");
}

static const vtype *rtype(const tctx *c, const wexpr *e)
{
	const trec *r = lookup(c, e);
	return r ? r->t : NULL;
}

static uint8_t rprune(const tctx *c, const wexpr *e)
{
	const trec *r = lookup(c, e);
	return r ? r->prune : PRUNE_NONE;
}

static unsigned deref_target(tctx *c, const wexpr *e, const lpath *path)
{
	switch (e->kind) {
	case WE_VAR:
		return 0;
	case WE_SLOT:
		level_err(c, WVK_LITERAL_DEREFERENCE, e, 0);
		return 0;
	case WE_LIT:
		if (e->u.lit.kind == WV_ENTITY) {
			if (!uid_eq(e->u.lit.u.e, c->env->action))
				level_err(c, WVK_LITERAL_DEREFERENCE, e, 0);
		} else {
			level_err(c, WVK_INTERNAL, e, 0);
		}
		return 0;
	case WE_IF: {
		uint8_t p = rprune(c, e);
		level_expr(c, e->u.k.a);
		const wexpr *th = p == PRUNE_ELSE ? e->u.k.c : e->u.k.b;
		const wexpr *el = p == PRUNE_THEN ? e->u.k.b : e->u.k.c;
		unsigned a = deref_target(c, th, path), b = deref_target(c, el, path);
		return a > b ? a : b;
	}
	case WE_GETATTR: {
		const vtype *t = rtype(c, e->u.attr.obj);
		if (t && t->kind == VT_ENTITY)
			return deref_target(c, e->u.attr.obj, path) + 1;
		if (t && t->kind == VT_RECORD) {
			lpath np = {e->u.attr.name, path};
			return deref_target(c, e->u.attr.obj, &np);
		}
		level_err(c, WVK_INTERNAL, e, 0);
		return 0;
	}
	case WE_BINARY:
		if (e->op == WB_GETTAG) {
			unsigned l = deref_target(c, e->u.k.a, path);
			level_expr(c, e->u.k.b);
			return l + 1;
		}
		level_err(c, WVK_INTERNAL, e, 0);
		return 0;
	case WE_RECORD: {
		const wsym *want = path ? path->attr : NULL;
		const wexpr *hit = NULL;
		for (uint32_t i = 0; i < e->u.rec.n; i++) {
			if (want && e->u.rec.keys[i] == want && !hit)
				hit = e->u.rec.vals[i];
			else
				level_expr(c, e->u.rec.vals[i]);
		}
		if (!hit) {
			level_err(c, WVK_INTERNAL, e, 0);
			return 0;
		}
		return deref_target(c, hit, path->next);
	}
	default:
		level_err(c, WVK_INTERNAL, e, 0);
		return 0;
	}
}

static void level_deref(tctx *c, const wexpr *e, const wexpr *target)
{
	unsigned l = deref_target(c, target, NULL);
	if ((int64_t)l >= (int64_t)c->v->level)
		level_err(c, WVK_LEVEL_EXCEEDED, e, l + 1);
}

static void level_expr(tctx *c, const wexpr *e)
{
	if (!e)
		return;
	switch (e->kind) {
	case WE_IF: {
		uint8_t p = rprune(c, e);
		level_expr(c, e->u.k.a);
		if (p != PRUNE_ELSE)
			level_expr(c, e->u.k.b);
		if (p != PRUNE_THEN)
			level_expr(c, e->u.k.c);
		break;
	}
	case WE_AND:
	case WE_OR:
		level_expr(c, e->u.k.a);
		if (rprune(c, e) != PRUNE_LEFT)
			level_expr(c, e->u.k.b);
		break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		level_expr(c, e->u.k.a);
		break;
	case WE_BINARY:
		if (e->op == WB_IN || e->op == WB_HASTAG || e->op == WB_GETTAG)
			level_deref(c, e, e->u.k.a);
		else
			level_expr(c, e->u.k.a);
		level_expr(c, e->u.k.b);
		break;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			level_expr(c, e->u.call.args[i]);
		break;
	case WE_GETATTR:
	case WE_HASATTR: {
		const vtype *t = rtype(c, e->u.attr.obj);
		if (t && t->kind == VT_ENTITY)
			level_deref(c, e, e->u.attr.obj);
		else if (t && t->kind == VT_RECORD)
			level_expr(c, e->u.attr.obj);
		else
			level_err(c, WVK_INTERNAL, e, 0);
		break;
	}
	case WE_LIKE:
		level_expr(c, e->u.like.obj);
		break;
	case WE_IS:
		level_expr(c, e->u.is.obj);
		break;
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			level_expr(c, e->u.list.items[i]);
		break;
	case WE_RECORD:
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			level_expr(c, e->u.rec.vals[i]);
		break;
	default:
		break;
	}
}

static uint32_t count_nodes(const wexpr *e)
{
	if (!e)
		return 0;
	uint32_t n = 1;
	switch (e->kind) {
	case WE_IF:
		n += count_nodes(e->u.k.c);
		/* fallthrough */
	case WE_AND:
	case WE_OR:
	case WE_BINARY:
		n += count_nodes(e->u.k.a) + count_nodes(e->u.k.b);
		break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		n += count_nodes(e->u.k.a);
		break;
	case WE_GETATTR:
	case WE_HASATTR:
		n += count_nodes(e->u.attr.obj);
		break;
	case WE_LIKE:
		n += count_nodes(e->u.like.obj);
		break;
	case WE_IS:
		n += count_nodes(e->u.is.obj) + count_nodes(e->u.is.in);
		break;
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			n += count_nodes(e->u.list.items[i]);
		break;
	case WE_RECORD:
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			n += count_nodes(e->u.rec.vals[i]);
		break;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			n += count_nodes(e->u.call.args[i]);
		break;
	default:
		break;
	}
	return n;
}

void tc_policy_env(vpolicyctx *pc, const wvenv *env, bool *is_false, int mode)
{
	bool level = mode == TC_LEVEL;
	tctx c;
	memset(&c, 0, sizeof c);
	c.pc = pc;
	c.v = pc->v;
	c.env = env;
	int ai = vx_action_index(pc->v, env->action);
	c.act = ai >= 0 ? &pc->v->s->actions[ai] : NULL;
	c.a = &pc->arena;
	c.strict = pc->v->strict;
	c.quiet = mode != TC_REPORT;
	if (level) {
		uint32_t n = count_nodes(pc->cond) * 2 + 16;
		c.rcap = 16;
		while (c.rcap < n)
			c.rcap *= 2;
		c.rec = xcalloc(c.rcap, sizeof *c.rec);
	}
	tres r = expect1(&c, CAP_EMPTY, pc->cond, &vt_bool, HELP_NONE);
	*is_false = r.t && r.t->kind == VT_FALSE;
	if (level) {
		c.quiet = false;
		level_expr(&c, pc->cond);
		free(c.rec);
	}
}
