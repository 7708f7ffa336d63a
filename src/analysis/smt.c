/* smt: residual conditions compared with Z3 (see smt.h).
 *
 * Every expression is translated to a `tv`: a Bool term `ok` (evaluation
 * succeeds), an Int type tag, and one payload term per kind of value (the
 * payload of the kind the tag names is the value). A context attribute path
 * (context.a, context.a.b) is a set of free variables: whether it is present
 * in its parent, its tag and its payloads, with the constraints every Cedar
 * value of that kind satisfies (longs within 64 bits, ip ranges CIDR-shaped).
 * A condition allows a context exactly when `ok && tag == bool && b`.
 *
 * Strings and entity uids are only compared for equality: each distinct
 * literal gets its own integer, and a variable may take any integer, so two
 * distinct literals are distinct and a variable can equal any of them or
 * none. An ip address is (is IPv6, lowest address, host mask) as 128-bit
 * vectors, IPv4 in the low 32 bits; the host mask is 2^k - 1, which is
 * exactly what a prefix length gives.
 *
 * The Z3 context is not reference counted: terms live until smt_free, which
 * suits a context made for one diff run. Solvers and parameter sets are
 * counted, as Z3 requires.
 */
#include "analysis/smt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#include "cedar/ext.h"
#include "util/xalloc.h"

/* Type tags: the kind of a value. */
enum {
	T_BOOL,
	T_LONG,
	T_STRING,
	T_ENTITY,
	T_RECORD,
	T_SET,
	T_IP,
	T_DECIMAL,
	T_DATETIME,
	T_DURATION,
	T_LAST = T_DURATION
};

/* Expressions nested deeper than this are not translated (WSMT_UNKNOWN). */
#define SMT_MAX_DEPTH 1000

#define PATH_NONE (-2)
#define PATH_ROOT (-1)

/* ---- byte-keyed hash map (literal numbering, answer cache) ----------------- */

typedef struct hent {
	char *key; /* heap; NULL when the slot is free */
	size_t n;
	uint64_t h;
	uint32_t val;
} hent;

typedef struct hmap {
	hent *v;
	size_t cap, n;
} hmap;

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static hent *hmap_slot(hmap *m, const void *key, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (;; i = (i + 1) & (m->cap - 1)) {
		hent *e = &m->v[i];
		if (!e->key || (e->h == h && e->n == n && memcmp(e->key, key, n) == 0))
			return e;
	}
}

/* The entry for key, or NULL. */
static hent *hmap_get(hmap *m, const void *key, size_t n)
{
	if (!m->cap)
		return NULL;
	hent *e = hmap_slot(m, key, n, hash_bytes(key, n));
	return e->key ? e : NULL;
}

static void hmap_put(hmap *m, const void *key, size_t n, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		hmap old = *m;
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xcalloc(m->cap, sizeof *m->v);
		m->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key) {
				hent *e = hmap_slot(m, old.v[i].key, old.v[i].n, old.v[i].h);
				*e = old.v[i];
				m->n++;
			}
		free(old.v);
	}
	uint64_t h = hash_bytes(key, n);
	hent *e = hmap_slot(m, key, n, h);
	if (!e->key) {
		e->key = xmalloc(n ? n : 1);
		memcpy(e->key, key, n);
		e->n = n;
		e->h = h;
		m->n++;
	}
	e->val = val;
}

static void hmap_release(hmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	memset(m, 0, sizeof *m);
}

/* ---- the context ------------------------------------------------------------- */

/* A context attribute path: its free variables. */
typedef struct spath {
	int32_t parent;   /* PATH_ROOT or an index */
	const wsym *name; /* attribute */
	Z3_ast present, tag, b, i, s, e, v6, lo, m;
	Z3_ast axiom;     /* what every value of the path satisfies */
	uint64_t used;    /* query generation that last used it */
} spath;

struct wsmt {
	Z3_context z;
	Z3_sort sbool, sint, sbv;
	Z3_ast t, f, zero, bvzero, tagc[T_LAST + 1], imin, imax;
	spath *paths;
	uint32_t npaths, cpaths;
	hmap lits;    /* literal strings and uids -> their number */
	hmap cache;   /* "base\0head" -> wsmt_rel */
	hmap opaque;  /* path pair -> opaque equality variable number */
	uint64_t gen; /* query generation */
	uint64_t queries;
	bool bad;     /* the current translation failed or is unsupported */
	int32_t *used;
	uint32_t nused, cused;
};

/* Errors are read back with Z3_get_error_code after each call. */
static void on_z3_error(Z3_context z, Z3_error_code c)
{
	(void)z;
	(void)c;
}

/* Every term goes through here: a NULL or an error code marks the
 * translation failed, and callers pass nothing on once it is. */
static Z3_ast chk(wsmt *s, Z3_ast a)
{
	if (!a || Z3_get_error_code(s->z) != Z3_OK) {
		s->bad = true;
		return NULL;
	}
	return a;
}

#define OK1(x) ((x) && !s->bad)
#define OK2(x, y) ((x) && (y) && !s->bad)
#define OK3(x, y, w) ((x) && (y) && (w) && !s->bad)

static Z3_ast mk_and2(wsmt *s, Z3_ast a, Z3_ast b)
{
	if (!OK2(a, b))
		return s->bad = true, NULL;
	if (a == s->t)
		return b;
	if (b == s->t)
		return a;
	Z3_ast v[2] = {a, b};
	return chk(s, Z3_mk_and(s->z, 2, v));
}

static Z3_ast mk_or2(wsmt *s, Z3_ast a, Z3_ast b)
{
	if (!OK2(a, b))
		return s->bad = true, NULL;
	if (a == s->f)
		return b;
	if (b == s->f)
		return a;
	Z3_ast v[2] = {a, b};
	return chk(s, Z3_mk_or(s->z, 2, v));
}

static Z3_ast mk_not(wsmt *s, Z3_ast a)
{
	if (!OK1(a))
		return s->bad = true, NULL;
	return chk(s, Z3_mk_not(s->z, a));
}

static Z3_ast mk_eq(wsmt *s, Z3_ast a, Z3_ast b)
{
	if (!OK2(a, b))
		return s->bad = true, NULL;
	return chk(s, Z3_mk_eq(s->z, a, b));
}

static Z3_ast mk_ite(wsmt *s, Z3_ast c, Z3_ast a, Z3_ast b)
{
	if (!OK3(c, a, b))
		return s->bad = true, NULL;
	if (a == b)
		return a;
	return chk(s, Z3_mk_ite(s->z, c, a, b));
}

typedef Z3_ast (*z3bin)(Z3_context, Z3_ast, Z3_ast);

static Z3_ast mk_bin(wsmt *s, z3bin f, Z3_ast a, Z3_ast b)
{
	if (!OK2(a, b))
		return s->bad = true, NULL;
	return chk(s, f(s->z, a, b));
}

static Z3_ast mk_arith(wsmt *s, int op, Z3_ast a, Z3_ast b)
{
	if (!OK2(a, b))
		return s->bad = true, NULL;
	Z3_ast v[2] = {a, b};
	switch (op) {
	case WB_ADD: return chk(s, Z3_mk_add(s->z, 2, v));
	case WB_SUB: return chk(s, Z3_mk_sub(s->z, 2, v));
	default: return chk(s, Z3_mk_mul(s->z, 2, v));
	}
}

static Z3_ast mk_int(wsmt *s, int64_t i)
{
	return chk(s, Z3_mk_int64(s->z, i, s->sint));
}

static Z3_ast mk_bv128(wsmt *s, uint64_t hi, uint64_t lo)
{
	Z3_sort s64 = Z3_mk_bv_sort(s->z, 64);
	Z3_ast h = chk(s, Z3_mk_unsigned_int64(s->z, hi, s64));
	Z3_ast l = chk(s, Z3_mk_unsigned_int64(s->z, lo, s64));
	if (!OK2(h, l))
		return NULL;
	return chk(s, Z3_mk_concat(s->z, h, l));
}

static Z3_ast mk_var(wsmt *s, const char *kind, uint32_t idx, Z3_sort sort)
{
	char name[48];
	snprintf(name, sizeof name, "%s%u", kind, idx);
	return chk(s, Z3_mk_const(s->z, Z3_mk_string_symbol(s->z, name), sort));
}

static Z3_ast in_range64(wsmt *s, Z3_ast i)
{
	return mk_and2(s, mk_bin(s, Z3_mk_le, s->imin, i), mk_bin(s, Z3_mk_le, i, s->imax));
}

wsmt *smt_new(void)
{
	wsmt *s = xcalloc(1, sizeof *s);
	Z3_config cfg = Z3_mk_config();
	Z3_set_param_value(cfg, "model", "false");
	s->z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	if (!s->z) {
		free(s);
		return NULL;
	}
	Z3_set_error_handler(s->z, on_z3_error);
	s->sbool = Z3_mk_bool_sort(s->z);
	s->sint = Z3_mk_int_sort(s->z);
	s->sbv = Z3_mk_bv_sort(s->z, 128);
	s->t = chk(s, Z3_mk_true(s->z));
	s->f = chk(s, Z3_mk_false(s->z));
	s->zero = mk_int(s, 0);
	s->bvzero = mk_bv128(s, 0, 0);
	for (int k = 0; k <= T_LAST; k++)
		s->tagc[k] = mk_int(s, k);
	s->imin = mk_int(s, INT64_MIN);
	s->imax = mk_int(s, INT64_MAX);
	if (s->bad) {
		smt_free(s);
		return NULL;
	}
	return s;
}

void smt_free(wsmt *s)
{
	if (!s)
		return;
	if (s->z)
		Z3_del_context(s->z);
	free(s->paths);
	free(s->used);
	hmap_release(&s->lits);
	hmap_release(&s->cache);
	hmap_release(&s->opaque);
	free(s);
}

uint64_t smt_queries(const wsmt *s)
{
	return s->queries;
}

const char *smt_rel_name(wsmt_rel r)
{
	switch (r) {
	case WSMT_EQUIVALENT: return "equivalent";
	case WSMT_NARROWED: return "narrowed";
	case WSMT_WIDENED: return "widened";
	case WSMT_CHANGED: return "changed";
	default: return "unknown";
	}
}

/* ---- paths --------------------------------------------------------------------- */

static void note_used(wsmt *s, int32_t p)
{
	if (p < 0 || s->paths[p].used == s->gen)
		return;
	s->paths[p].used = s->gen;
	if (s->nused == s->cused) {
		s->cused = s->cused ? s->cused * 2 : 16;
		s->used = xrealloc(s->used, sizeof *s->used * s->cused);
	}
	s->used[s->nused++] = p;
	note_used(s, s->paths[p].parent);
}

/* The path `parent`.name, made on first use. */
static int32_t path_get(wsmt *s, int32_t parent, const wsym *name)
{
	for (uint32_t k = 0; k < s->npaths; k++)
		if (s->paths[k].parent == parent && s->paths[k].name == name) {
			note_used(s, (int32_t)k);
			return (int32_t)k;
		}
	if (s->npaths == s->cpaths) {
		s->cpaths = s->cpaths ? s->cpaths * 2 : 16;
		s->paths = xrealloc(s->paths, sizeof *s->paths * s->cpaths);
	}
	uint32_t k = s->npaths;
	spath *p = &s->paths[k];
	memset(p, 0, sizeof *p);
	p->parent = parent;
	p->name = name;
	p->present = mk_var(s, "has", k, s->sbool);
	p->tag = mk_var(s, "tag", k, s->sint);
	p->b = mk_var(s, "b", k, s->sbool);
	p->i = mk_var(s, "i", k, s->sint);
	p->s = mk_var(s, "s", k, s->sint);
	p->e = mk_var(s, "e", k, s->sint);
	p->v6 = mk_var(s, "v6", k, s->sbool);
	p->lo = mk_var(s, "lo", k, s->sbv);
	p->m = mk_var(s, "m", k, s->sbv);
	/* tag in range; longs and the int-backed extension values are int64 */
	Z3_ast ax = mk_and2(s, mk_bin(s, Z3_mk_le, s->tagc[0], p->tag), mk_bin(s, Z3_mk_le, p->tag, s->tagc[T_LAST]));
	ax = mk_and2(s, ax, in_range64(s, p->i));
	/* ip: mask = 2^k - 1, lo has no host bits; IPv4 within 32 bits */
	Z3_ast one = mk_bv128(s, 0, 1), v4max = mk_bv128(s, 0, 0xffffffffull);
	ax = mk_and2(s, ax, mk_eq(s, mk_bin(s, Z3_mk_bvand, p->m, mk_bin(s, Z3_mk_bvadd, p->m, one)), s->bvzero));
	ax = mk_and2(s, ax, mk_eq(s, mk_bin(s, Z3_mk_bvand, p->lo, p->m), s->bvzero));
	ax = mk_and2(s, ax, mk_or2(s, p->v6, mk_and2(s, mk_bin(s, Z3_mk_bvule, p->lo, v4max),
						    mk_bin(s, Z3_mk_bvule, p->m, v4max))));
	p->axiom = ax;
	s->npaths++;
	note_used(s, (int32_t)k);
	return (int32_t)k;
}

/* ---- translation ----------------------------------------------------------------- */

typedef struct tv {
	Z3_ast ok;        /* Bool: evaluation succeeds */
	Z3_ast tag;       /* Int: the kind of the value */
	int ctag;         /* the tag when constant, else -1 */
	Z3_ast b, i, str, ent, v6, lo, m; /* payloads */
	int32_t path;     /* PATH_ROOT (context), a path index, or PATH_NONE */
	bool lit;         /* a literal */
} tv;

static void tv_const(wsmt *s, tv *o, int tag)
{
	o->ok = s->t;
	o->tag = s->tagc[tag];
	o->ctag = tag;
	o->b = s->f;
	o->i = o->str = o->ent = s->zero;
	o->v6 = s->f;
	o->lo = o->m = s->bvzero;
	o->path = PATH_NONE;
	o->lit = false;
}

static void tv_bool(wsmt *s, tv *o, Z3_ast ok, Z3_ast b)
{
	tv_const(s, o, T_BOOL);
	o->ok = ok;
	o->b = b;
}

static Z3_ast is_tag(wsmt *s, const tv *x, int tag)
{
	if (x->ctag >= 0)
		return x->ctag == tag ? s->t : s->f;
	return mk_eq(s, x->tag, s->tagc[tag]);
}

/* Evaluates to true / to false (neither when it errors or is not a bool). */
static Z3_ast is_true(wsmt *s, const tv *x)
{
	return mk_and2(s, mk_and2(s, x->ok, is_tag(s, x, T_BOOL)), x->b);
}

static uint32_t lit_number(wsmt *s, char kind, const void *p, size_t n)
{
	char *k = xmalloc(n + 1);
	k[0] = kind;
	memcpy(k + 1, p, n);
	hent *e = hmap_get(&s->lits, k, n + 1);
	uint32_t v;
	if (e) {
		v = e->val;
	} else {
		v = (uint32_t)s->lits.n;
		hmap_put(&s->lits, k, n + 1, v);
	}
	free(k);
	return v;
}

static void ip_parts(wsmt *s, const wipaddr *ip, Z3_ast *lo, Z3_ast *m)
{
	unsigned bits = ip->v6 ? 128 : 32, pre = ip->prefix > bits ? bits : ip->prefix;
	uint64_t hi64 = 0, lo64 = 0;
	if (ip->v6) {
		for (int k = 0; k < 8; k++) {
			hi64 = hi64 << 8 | ip->addr[k];
			lo64 = lo64 << 8 | ip->addr[k + 8];
		}
	} else {
		for (int k = 0; k < 4; k++)
			lo64 = lo64 << 8 | ip->addr[k];
	}
	/* host mask of (bits - pre) low bits */
	unsigned host = bits - pre;
	uint64_t mhi = host > 64 ? (host >= 128 ? ~0ull : (1ull << (host - 64)) - 1) : 0;
	uint64_t mlo = host >= 64 ? ~0ull : (1ull << host) - 1;
	*lo = mk_bv128(s, hi64 & ~mhi, lo64 & ~mlo);
	*m = mk_bv128(s, mhi, mlo);
}

static bool tr_lit(wsmt *s, const wvalue *v, tv *o)
{
	switch (v->kind) {
	case WV_BOOL:
		tv_const(s, o, T_BOOL);
		o->b = v->u.b ? s->t : s->f;
		break;
	case WV_LONG:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		tv_const(s, o, v->kind == WV_LONG ? T_LONG : v->kind == WV_DECIMAL ? T_DECIMAL
						: v->kind == WV_DATETIME ? T_DATETIME : T_DURATION);
		o->i = mk_int(s, v->u.i);
		break;
	case WV_STRING:
		tv_const(s, o, T_STRING);
		o->str = mk_int(s, lit_number(s, 'S', v->u.s.p, v->u.s.n));
		break;
	case WV_ENTITY: {
		const void *pp[2] = {v->u.e.type, v->u.e.id};
		tv_const(s, o, T_ENTITY);
		o->ent = mk_int(s, lit_number(s, 'E', pp, sizeof pp));
		break;
	}
	case WV_IPADDR:
		tv_const(s, o, T_IP);
		o->v6 = v->u.ip->v6 ? s->t : s->f;
		ip_parts(s, v->u.ip, &o->lo, &o->m);
		break;
	default:
		return false; /* sets, records */
	}
	o->lit = true;
	return !s->bad;
}

static bool tr(wsmt *s, const wexpr *e, tv *o, unsigned depth);

/* The attribute holder `obj` (context or a path) and the child path. */
static bool tr_attr(wsmt *s, const wexpr *e, tv *obj, int32_t *child, unsigned depth)
{
	if (!tr(s, e->u.attr.obj, obj, depth + 1) || obj->path == PATH_NONE)
		return false;
	*child = path_get(s, obj->path, e->u.attr.name);
	return !s->bad;
}

/* Has attributes: a record or an entity. */
static Z3_ast holds_attrs(wsmt *s, const tv *x)
{
	return mk_and2(s, x->ok, mk_or2(s, is_tag(s, x, T_RECORD), is_tag(s, x, T_ENTITY)));
}

static bool tr_getattr(wsmt *s, const wexpr *e, tv *o, unsigned depth)
{
	tv obj;
	int32_t c;
	if (!tr_attr(s, e, &obj, &c, depth))
		return false;
	const spath *p = &s->paths[c];
	tv_const(s, o, T_BOOL);
	o->ok = mk_and2(s, holds_attrs(s, &obj), p->present);
	o->tag = p->tag;
	o->ctag = -1;
	o->b = p->b;
	o->i = p->i;
	o->str = p->s;
	o->ent = p->e;
	o->v6 = p->v6;
	o->lo = p->lo;
	o->m = p->m;
	o->path = c;
	return !s->bad;
}

static bool tr_hasattr(wsmt *s, const wexpr *e, tv *o, unsigned depth)
{
	tv obj;
	int32_t c;
	if (!tr_attr(s, e, &obj, &c, depth))
		return false;
	tv_bool(s, o, holds_attrs(s, &obj), s->paths[c].present);
	return !s->bad;
}

/* a && b, a || b: the right side is evaluated only when the left does not
 * decide; both must be bools. */
static bool tr_andor(wsmt *s, const wexpr *e, bool is_and, tv *o, unsigned depth)
{
	tv a, b;
	if (!tr(s, e->u.k.a, &a, depth + 1) || !tr(s, e->u.k.b, &b, depth + 1))
		return false;
	Z3_ast aok = mk_and2(s, a.ok, is_tag(s, &a, T_BOOL));
	Z3_ast bok = mk_and2(s, b.ok, is_tag(s, &b, T_BOOL));
	Z3_ast decided = is_and ? mk_not(s, a.b) : a.b;
	tv_bool(s, o, mk_and2(s, aok, mk_or2(s, decided, bok)),
		is_and ? mk_and2(s, a.b, b.b) : mk_or2(s, a.b, b.b));
	return !s->bad;
}

static bool tr_if(wsmt *s, const wexpr *e, tv *o, unsigned depth)
{
	tv c, x, y;
	if (!tr(s, e->u.k.a, &c, depth + 1) || !tr(s, e->u.k.b, &x, depth + 1) || !tr(s, e->u.k.c, &y, depth + 1))
		return false;
	Z3_ast k = c.b;
	tv_const(s, o, T_BOOL);
	o->ok = mk_and2(s, mk_and2(s, c.ok, is_tag(s, &c, T_BOOL)), mk_ite(s, k, x.ok, y.ok));
	o->tag = mk_ite(s, k, x.tag, y.tag);
	o->ctag = x.ctag == y.ctag ? x.ctag : -1;
	o->b = mk_ite(s, k, x.b, y.b);
	o->i = mk_ite(s, k, x.i, y.i);
	o->str = mk_ite(s, k, x.str, y.str);
	o->ent = mk_ite(s, k, x.ent, y.ent);
	o->v6 = mk_ite(s, k, x.v6, y.v6);
	o->lo = mk_ite(s, k, x.lo, y.lo);
	o->m = mk_ite(s, k, x.m, y.m);
	return !s->bad;
}

/* Could the value be a kind whose payload is not modelled (record, set,
 * ip address: their equality is not a payload equality)? */
static bool maybe_opaque(const tv *x)
{
	return x->ctag < 0 || x->ctag == T_RECORD || x->ctag == T_SET || x->ctag == T_IP;
}

/* a == b as a Bool term (assuming both evaluate); false when unsupported. */
static bool eq_term(wsmt *s, const tv *a, const tv *b, Z3_ast *out)
{
	Z3_ast opaque = s->f;
	if (maybe_opaque(a) && maybe_opaque(b)) {
		/* only two paths: an opaque variable per pair (sound: it
		 * may take any value) */
		if (a->path < 0 || b->path < 0)
			return false;
		int32_t key[2] = {a->path < b->path ? a->path : b->path, a->path < b->path ? b->path : a->path};
		if (key[0] == key[1]) {
			opaque = s->t; /* value_eq is reflexive */
		} else {
			hent *h = hmap_get(&s->opaque, key, sizeof key);
			uint32_t n = h ? h->val : (uint32_t)s->opaque.n;
			if (!h)
				hmap_put(&s->opaque, key, sizeof key, n);
			opaque = mk_var(s, "eq", n, s->sbool);
		}
	}
	Z3_ast same = a->ctag >= 0 ? is_tag(s, b, a->ctag) : b->ctag >= 0 ? is_tag(s, a, b->ctag) : mk_eq(s, a->tag, b->tag);
	Z3_ast ints = mk_or2(s, mk_or2(s, is_tag(s, a, T_LONG), is_tag(s, a, T_DECIMAL)),
			     mk_or2(s, is_tag(s, a, T_DATETIME), is_tag(s, a, T_DURATION)));
	Z3_ast pay = mk_ite(s, is_tag(s, a, T_BOOL), mk_eq(s, a->b, b->b),
			    mk_ite(s, ints, mk_eq(s, a->i, b->i),
				   mk_ite(s, is_tag(s, a, T_STRING), mk_eq(s, a->str, b->str),
					  mk_ite(s, is_tag(s, a, T_ENTITY), mk_eq(s, a->ent, b->ent), opaque))));
	*out = mk_and2(s, same, pay);
	return !s->bad;
}

/* Both operands of one of the int-backed kinds in `tags`, the same one. */
static Z3_ast same_int_kind(wsmt *s, const tv *a, const tv *b, const int *tags, int n)
{
	Z3_ast any = s->f;
	for (int k = 0; k < n; k++)
		any = mk_or2(s, any, mk_and2(s, is_tag(s, a, tags[k]), is_tag(s, b, tags[k])));
	return any;
}

static Z3_ast cmp_term(wsmt *s, unsigned op, Z3_ast x, Z3_ast y)
{
	switch (op) {
	case WB_LT: return mk_bin(s, Z3_mk_lt, x, y);
	case WB_LE: return mk_bin(s, Z3_mk_le, x, y);
	case WB_GT: return mk_bin(s, Z3_mk_gt, x, y);
	default: return mk_bin(s, Z3_mk_ge, x, y);
	}
}

static bool tr_binary(wsmt *s, const wexpr *e, tv *o, unsigned depth)
{
	tv a, b;
	unsigned op = e->op;
	if (op > WB_MUL)
		return false; /* in, contains*, tags */
	if (!tr(s, e->u.k.a, &a, depth + 1) || !tr(s, e->u.k.b, &b, depth + 1))
		return false;
	Z3_ast both = mk_and2(s, a.ok, b.ok);
	switch (op) {
	case WB_EQ:
	case WB_NE: {
		Z3_ast eq;
		if (!eq_term(s, &a, &b, &eq))
			return false;
		tv_bool(s, o, both, op == WB_EQ ? eq : mk_not(s, eq));
		break;
	}
	case WB_LT:
	case WB_LE:
	case WB_GT:
	case WB_GE: {
		static const int kinds[] = {T_LONG, T_DATETIME, T_DURATION};
		tv_bool(s, o, mk_and2(s, both, same_int_kind(s, &a, &b, kinds, 3)), cmp_term(s, op, a.i, b.i));
		break;
	}
	default: {
		/* + - *: longs, and the result must fit; * only by a literal
		 * (linear arithmetic) */
		if (op == WB_MUL && !(a.lit && a.ctag == T_LONG) && !(b.lit && b.ctag == T_LONG))
			return false;
		static const int kinds[] = {T_LONG};
		Z3_ast r = mk_arith(s, (int)op, a.i, b.i);
		tv_const(s, o, T_LONG);
		o->ok = mk_and2(s, mk_and2(s, both, same_int_kind(s, &a, &b, kinds, 1)), in_range64(s, r));
		o->i = r;
		break;
	}
	}
	return !s->bad;
}

/* x's whole range lies within the range (v6, lo, m), as isInRange. */
static Z3_ast ip_inside(wsmt *s, const tv *x, Z3_ast v6, Z3_ast lo, Z3_ast m)
{
	Z3_ast xhi = mk_bin(s, Z3_mk_bvor, x->lo, x->m), hi = mk_bin(s, Z3_mk_bvor, lo, m);
	return mk_and2(s, mk_eq(s, x->v6, v6),
		       mk_and2(s, mk_bin(s, Z3_mk_bvule, lo, x->lo), mk_bin(s, Z3_mk_bvule, xhi, hi)));
}

/* x inside the IPv4 range a.b.c.d/pre4 or the IPv6 range hi:lo/pre6. */
static Z3_ast ip_inside_either(wsmt *s, const tv *x, uint32_t v4net, unsigned pre4, uint64_t v6hi, uint64_t v6lo,
			       unsigned pre6)
{
	wipaddr a4, a6;
	memset(&a4, 0, sizeof a4);
	memset(&a6, 0, sizeof a6);
	a4.prefix = (uint8_t)pre4;
	for (int k = 0; k < 4; k++)
		a4.addr[k] = (uint8_t)(v4net >> (24 - 8 * k));
	a6.v6 = 1;
	a6.prefix = (uint8_t)pre6;
	for (int k = 0; k < 8; k++) {
		a6.addr[k] = (uint8_t)(v6hi >> (56 - 8 * k));
		a6.addr[k + 8] = (uint8_t)(v6lo >> (56 - 8 * k));
	}
	Z3_ast lo4, m4, lo6, m6;
	ip_parts(s, &a4, &lo4, &m4);
	ip_parts(s, &a6, &lo6, &m6);
	return mk_or2(s, ip_inside(s, x, s->f, lo4, m4), ip_inside(s, x, s->t, lo6, m6));
}

static bool tr_call(wsmt *s, const wexpr *e, tv *o, unsigned depth)
{
	const char *name = e->u.call.fn ? e->u.call.fn->name : "";
	if (e->u.call.name && strcmp(e->u.call.name->s, "error") == 0 && !ext_lookup("error", 5, false) &&
	    !e->u.call.method) {
		/* residual_error(): always fails */
		tv_bool(s, o, s->f, s->f);
		return true;
	}
	if (!e->u.call.method || e->u.call.n < 1 || e->u.call.n > 2)
		return false;
	tv a, b;
	if (!tr(s, e->u.call.args[0], &a, depth + 1))
		return false;
	if (e->u.call.n == 2 && !tr(s, e->u.call.args[1], &b, depth + 1))
		return false;
	static const struct {
		const char *name;
		unsigned op;
	} dec[] = {{"lessThan", WB_LT}, {"lessThanOrEqual", WB_LE}, {"greaterThan", WB_GT}, {"greaterThanOrEqual", WB_GE}};
	if (e->u.call.n == 2) {
		for (size_t k = 0; k < sizeof dec / sizeof dec[0]; k++)
			if (strcmp(name, dec[k].name) == 0) {
				Z3_ast ok = mk_and2(s, mk_and2(s, a.ok, b.ok),
						    mk_and2(s, is_tag(s, &a, T_DECIMAL), is_tag(s, &b, T_DECIMAL)));
				tv_bool(s, o, ok, cmp_term(s, dec[k].op, a.i, b.i));
				return !s->bad;
			}
		if (strcmp(name, "isInRange") == 0) {
			Z3_ast ok = mk_and2(s, mk_and2(s, a.ok, b.ok), mk_and2(s, is_tag(s, &a, T_IP), is_tag(s, &b, T_IP)));
			tv_bool(s, o, ok, ip_inside(s, &a, b.v6, b.lo, b.m));
			return !s->bad;
		}
		return false;
	}
	Z3_ast ok = mk_and2(s, a.ok, is_tag(s, &a, T_IP)), r;
	if (strcmp(name, "isIpv4") == 0)
		r = mk_not(s, a.v6);
	else if (strcmp(name, "isIpv6") == 0)
		r = a.v6;
	else if (strcmp(name, "isLoopback") == 0) /* 127.0.0.0/8, ::1 */
		r = ip_inside_either(s, &a, 0x7f000000u, 8, 0, 1, 128);
	else if (strcmp(name, "isMulticast") == 0) /* 224.0.0.0/4, ff00::/8 */
		r = ip_inside_either(s, &a, 0xe0000000u, 4, 0xff00000000000000ull, 0, 8);
	else
		return false;
	tv_bool(s, o, ok, r);
	return !s->bad;
}

static bool tr(wsmt *s, const wexpr *e, tv *o, unsigned depth)
{
	if (s->bad || depth > SMT_MAX_DEPTH)
		return false;
	switch (e->kind) {
	case WE_LIT: return tr_lit(s, &e->u.lit, o);
	case WE_VAR:
		if (e->u.var != WVAR_CONTEXT)
			return false;
		tv_const(s, o, T_RECORD);
		o->path = PATH_ROOT;
		return true;
	case WE_AND: return tr_andor(s, e, true, o, depth);
	case WE_OR: return tr_andor(s, e, false, o, depth);
	case WE_NOT: {
		tv a;
		if (!tr(s, e->u.k.a, &a, depth + 1))
			return false;
		tv_bool(s, o, mk_and2(s, a.ok, is_tag(s, &a, T_BOOL)), mk_not(s, a.b));
		return !s->bad;
	}
	case WE_NEG: {
		tv a;
		if (!tr(s, e->u.k.a, &a, depth + 1))
			return false;
		Z3_ast ok = mk_and2(s, mk_and2(s, a.ok, is_tag(s, &a, T_LONG)), mk_not(s, mk_eq(s, a.i, s->imin)));
		tv_const(s, o, T_LONG);
		o->ok = ok;
		o->i = chk(s, OK1(a.i) ? Z3_mk_unary_minus(s->z, a.i) : NULL);
		return !s->bad;
	}
	case WE_IF: return tr_if(s, e, o, depth);
	case WE_BINARY: return tr_binary(s, e, o, depth);
	case WE_GETATTR: return tr_getattr(s, e, o, depth);
	case WE_HASATTR: return tr_hasattr(s, e, o, depth);
	case WE_CALL: return tr_call(s, e, o, depth);
	default: return false; /* like, is, sets, records, isEmpty, slots */
	}
}

/* ---- solving ------------------------------------------------------------------ */

/* Z3_L_TRUE / Z3_L_FALSE, or Z3_L_UNDEF (gave up, or failed). */
static Z3_lbool solve(wsmt *s, Z3_ast axioms, Z3_ast q)
{
	Z3_solver so = Z3_mk_simple_solver(s->z);
	if (!so || Z3_get_error_code(s->z) != Z3_OK)
		return Z3_L_UNDEF;
	Z3_solver_inc_ref(s->z, so);
	Z3_params p = Z3_mk_params(s->z);
	Z3_params_inc_ref(s->z, p);
	Z3_params_set_uint(s->z, p, Z3_mk_string_symbol(s->z, "rlimit"), WSMT_RLIMIT);
	Z3_solver_set_params(s->z, so, p);
	Z3_params_dec_ref(s->z, p);
	Z3_lbool r = Z3_L_UNDEF;
	if (Z3_get_error_code(s->z) == Z3_OK) {
		Z3_solver_assert(s->z, so, axioms);
		Z3_solver_assert(s->z, so, q);
		if (Z3_get_error_code(s->z) == Z3_OK) {
			r = Z3_solver_check(s->z, so);
			if (Z3_get_error_code(s->z) != Z3_OK)
				r = Z3_L_UNDEF;
		}
	}
	s->queries++;
	Z3_solver_dec_ref(s->z, so);
	return r;
}

static wsmt_rel compare(wsmt *s, const wexpr *base, const wexpr *head)
{
	s->gen++;
	s->nused = 0;
	s->bad = false;
	tv a, b;
	if (!tr(s, base, &a, 0) || !tr(s, head, &b, 0) || s->bad)
		return WSMT_UNKNOWN;
	Z3_ast ta = is_true(s, &a), tb = is_true(s, &b);
	Z3_ast ax = s->t;
	for (uint32_t k = 0; k < s->nused; k++)
		ax = mk_and2(s, ax, s->paths[s->used[k]].axiom);
	Z3_ast wider = mk_and2(s, tb, mk_not(s, ta));    /* head allows what base does not */
	Z3_ast narrower = mk_and2(s, ta, mk_not(s, tb)); /* base allows what head does not */
	if (s->bad)
		return WSMT_UNKNOWN;
	Z3_lbool w = solve(s, ax, wider);
	if (w == Z3_L_UNDEF)
		return WSMT_UNKNOWN;
	Z3_lbool n = solve(s, ax, narrower);
	if (n == Z3_L_UNDEF)
		return WSMT_UNKNOWN;
	if (w == Z3_L_FALSE)
		return n == Z3_L_FALSE ? WSMT_EQUIVALENT : WSMT_NARROWED;
	return n == Z3_L_FALSE ? WSMT_WIDENED : WSMT_CHANGED;
}

wsmt_rel smt_compare(wsmt *s, const wexpr *base, const char *base_key, const wexpr *head, const char *head_key)
{
	if (!s || !base || !head)
		return WSMT_UNKNOWN;
	char *key = NULL;
	size_t kn = 0;
	if (base_key && head_key) {
		size_t nb = strlen(base_key), nh = strlen(head_key);
		kn = nb + 1 + nh;
		key = xmalloc(kn);
		memcpy(key, base_key, nb);
		key[nb] = '\0';
		memcpy(key + nb + 1, head_key, nh);
		hent *e = hmap_get(&s->cache, key, kn);
		if (e) {
			free(key);
			return (wsmt_rel)e->val;
		}
	}
	wsmt_rel r = compare(s, base, head);
	if (key) {
		hmap_put(&s->cache, key, kn, (uint32_t)r);
		free(key);
	}
	return r;
}
