/* schema: the resolved schema model, its lookups, and the resolution pass
 * shared by the text and JSON front ends (see schema.h, schema_int.h).
 *
 * Resolution follows the reference implementation (Cedar 4, RFC 24 and
 * RFC 70): a name written without "::" inside namespace N may mean N::X or
 * X (the empty namespace), tried in that order; for each candidate a common
 * type wins over an entity type. The primitive and extension types are
 * common types of the reserved namespace __cedar, aliased in the empty
 * namespace unless the user declared that name there. Common types are then
 * inlined, so the model never mentions them.
 */
#include "cedar/schema.h"
#include "util/suggest.h"
#include "cedar/schema_int.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- maps */

/* Open-addressing map from a pair of symbols (b may be NULL) to an index. */
typedef struct smslot {
	const wsym *a; /* NULL: empty slot */
	const wsym *b;
	uint32_t val;
} smslot;

typedef struct symmap {
	smslot *slots;
	uint32_t cap, n;
} symmap;

static uint32_t sm_hash(const wsym *a, const wsym *b)
{
	uint32_t h = a->hash * 0x9E3779B1u;
	if (b)
		h ^= b->hash + 0x7F4A7C15u + (h << 6) + (h >> 2);
	return h;
}

static void sm_release(symmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static smslot *sm_probe(smslot *slots, uint32_t cap, const wsym *a, const wsym *b)
{
	uint32_t i = sm_hash(a, b) & (cap - 1);
	for (;;) {
		smslot *s = &slots[i];
		if (!s->a || (s->a == a && s->b == b))
			return s;
		i = (i + 1) & (cap - 1);
	}
}

static const uint32_t *sm_get(const symmap *m, const wsym *a, const wsym *b)
{
	if (!m->cap || !a)
		return NULL;
	smslot *s = sm_probe(m->slots, m->cap, a, b);
	return s->a ? &s->val : NULL;
}

/* Inserts unless present; returns the existing value's slot or NULL. */
static const uint32_t *sm_put(symmap *m, const wsym *a, const wsym *b, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		uint32_t ncap = m->cap ? m->cap * 2 : 16;
		smslot *ns = xcalloc(ncap, sizeof *ns);
		for (uint32_t i = 0; i < m->cap; i++)
			if (m->slots[i].a)
				*sm_probe(ns, ncap, m->slots[i].a, m->slots[i].b) = m->slots[i];
		free(m->slots);
		m->slots = ns;
		m->cap = ncap;
	}
	smslot *s = sm_probe(m->slots, m->cap, a, b);
	if (s->a)
		return &s->val;
	s->a = a;
	s->b = b;
	s->val = val;
	m->n++;
	return NULL;
}

struct wschema_index {
	symmap etypes;  /* (name, NULL) -> index into etypes */
	symmap actions; /* (type, id) -> index into actions */
};

/* ---------------------------------------------------------------- model */

void schema_init(wschema *s)
{
	memset(s, 0, sizeof *s);
	arena_init(&s->arena);
}

void schema_release(wschema *s)
{
	if (s->index) {
		sm_release(&s->index->etypes);
		sm_release(&s->index->actions);
		free(s->index);
	}
	free(s->etypes);
	free(s->actions);
	arena_release(&s->arena);
	memset(s, 0, sizeof *s);
}

const wentity_type *schema_entity_type(const wschema *s, const wsym *name)
{
	if (!s->index || !name)
		return NULL;
	const uint32_t *v = sm_get(&s->index->etypes, name, NULL);
	return v ? &s->etypes[*v] : NULL;
}

const waction *schema_action(const wschema *s, wuid uid)
{
	if (!s->index || !uid.type || !uid.id)
		return NULL;
	const uint32_t *v = sm_get(&s->index->actions, uid.type, uid.id);
	return v ? &s->actions[*v] : NULL;
}

int schema_parse(wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{')
		return schema_parse_json(cx, s, name, text, len, d);
	return schema_parse_text(cx, s, name, text, len, d);
}

/* ---------------------------------------------------------------- printing */

static void print_name_str(const char *s, size_t n, wbuf *out)
{
	if (schema_is_ident(s, n))
		buf_add(out, s, n);
	else
		buf_add_json_str(out, s, n);
}

void type_print(const wtype *t, wbuf *out)
{
	if (!t) {
		buf_adds(out, "?");
		return;
	}
	switch ((wtkind)t->kind) {
	case WT_BOOL: buf_adds(out, "Bool"); break;
	case WT_LONG: buf_adds(out, "Long"); break;
	case WT_STRING: buf_adds(out, "String"); break;
	case WT_IPADDR: buf_adds(out, "ipaddr"); break;
	case WT_DECIMAL: buf_adds(out, "decimal"); break;
	case WT_DATETIME: buf_adds(out, "datetime"); break;
	case WT_DURATION: buf_adds(out, "duration"); break;
	case WT_ENTITY:
		if (t->entity)
			buf_add(out, t->entity->s, t->entity->len);
		break;
	case WT_SET:
		buf_adds(out, "Set<");
		type_print(t->elem, out);
		buf_addc(out, '>');
		break;
	case WT_RECORD:
		if (t->nattrs == 0 && !t->open) {
			buf_adds(out, "{}");
			break;
		}
		buf_adds(out, "{ ");
		for (uint32_t i = 0; i < t->nattrs; i++) {
			if (i)
				buf_adds(out, ", ");
			print_name_str(t->attrs[i].name->s, t->attrs[i].name->len, out);
			if (!t->attrs[i].required)
				buf_addc(out, '?');
			buf_adds(out, ": ");
			type_print(t->attrs[i].type, out);
		}
		if (t->open)
			buf_adds(out, t->nattrs ? ", .." : "..");
		buf_adds(out, " }");
		break;
	}
}

/* ---------------------------------------------------------------- names */

bool schema_is_ident(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

static bool word_in(const char *s, size_t n, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

bool schema_is_reserved_word(const char *s, size_t n)
{
	static const char *const w[] = {"true", "false", "if", "then", "else", "in", "is", "like", "has", NULL};
	return word_in(s, n, w);
}

bool schema_is_reserved_type_name(const char *s, size_t n)
{
	static const char *const w[] = {"Bool", "Boolean", "Entity", "Extension", "Long", "Record", "Set", "String", NULL};
	return word_in(s, n, w);
}

bool schema_is_path(const char *s, size_t n, bool allow_cedar)
{
	size_t i = 0;
	for (;;) {
		size_t j = i;
		while (j < n && s[j] != ':')
			j++;
		if (!schema_is_ident(s + i, j - i) || schema_is_reserved_word(s + i, j - i))
			return false;
		if (!allow_cedar && j - i == 7 && memcmp(s + i, "__cedar", 7) == 0)
			return false;
		if (j == n)
			return true;
		if (j + 1 >= n || s[j + 1] != ':')
			return false;
		i = j + 2;
	}
}

/* True when a qualified name mentions the reserved namespace __cedar. */
static bool mentions_cedar(const wsym *name)
{
	const char *p = name->s, *e = name->s + name->len;
	while (p < e) {
		const char *q = p;
		while (q < e && *q != ':')
			q++;
		if (q - p == 7 && memcmp(p, "__cedar", 7) == 0)
			return true;
		p = q < e ? q + 2 : e;
	}
	return false;
}

static bool is_qualified(const wsym *name)
{
	return memchr(name->s, ':', name->len) != NULL;
}

/* The last "::" component. */
static const char *basename_of(const wsym *name, size_t *n)
{
	const char *p = name->s + name->len;
	while (p > name->s && p[-1] != ':')
		p--;
	*n = (size_t)(name->s + name->len - p);
	return p;
}

static const wsym *qualify(wctx *cx, const wsym *ns, const wsym *base)
{
	if (!ns || ns->len == 0)
		return base;
	wbuf b = WBUF_INIT;
	buf_add(&b, ns->s, ns->len);
	buf_adds(&b, "::");
	buf_add(&b, base->s, base->len);
	const wsym *r = ctx_sym(cx, b.p, b.n);
	buf_release(&b);
	return r;
}

/* Renders Type::"id" for messages (heap string in a wbuf). */
static void print_uid(wbuf *out, wuid u)
{
	buf_add(out, u.type->s, u.type->len);
	buf_adds(out, "::");
	buf_add_json_str(out, u.id->s, u.id->len);
}

/* ---------------------------------------------------------------- builder */

void sb_init(sbuild *b, wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d)
{
	memset(b, 0, sizeof *b);
	b->cx = cx;
	b->s = s;
	b->d = d;
	b->nerr0 = d->nerrors;
	b->diag0 = d->n;
	arena_init(&b->tmp);
	wsource *src = ARENA_NEW(&s->arena, wsource);
	const char *nm = name ? name : "<schema>";
	src->name = arena_strndup(&s->arena, nm, strlen(nm));
	src->text = len ? arena_memdup(&s->arena, text, len) : "";
	src->len = len;
	b->src = src;
	if (s->index)
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "a schema was already loaded into this object");
	else if (len >= UINT32_MAX)
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "schema '%s' is too large (4 GiB or more)", src->name);
}

void sb_release(sbuild *b)
{
	free(b->ctypes);
	free(b->etypes);
	free(b->actions);
	free(b->nss);
	arena_release(&b->tmp);
	memset(b, 0, sizeof *b);
}

size_t sb_nerrors(const sbuild *b)
{
	return b->d->nerrors - b->nerr0;
}

typedef struct dgroup {
	size_t first, len; /* items[first .. first+len) */
	uint32_t pos;
} dgroup;

static int dgroup_cmp(const void *x, const void *y)
{
	const dgroup *a = x, *b = y;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

void sb_sort_diags(sbuild *b)
{
	wdiags *d = b->d;
	if (d->n <= b->diag0 + 1)
		return;
	size_t n = d->n - b->diag0, ng = 0;
	dgroup *g = xmalloc(n * sizeof *g);
	for (size_t i = b->diag0; i < d->n; i++) {
		if (ng && d->items[i].sev == WSEV_NOTE) {
			g[ng - 1].len++;
			continue;
		}
		g[ng].first = i;
		g[ng].len = 1;
		g[ng].pos = d->items[i].src ? d->items[i].span.start : 0;
		ng++;
	}
	qsort(g, ng, sizeof *g, dgroup_cmp);
	wdiag *tmp = xmalloc(n * sizeof *tmp);
	size_t k = 0;
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < g[i].len; j++)
			tmp[k++] = d->items[g[i].first + j];
	memcpy(d->items + b->diag0, tmp, n * sizeof *tmp);
	free(tmp);
	free(g);
}

static void sb_vdiag(sbuild *b, wseverity sev, const sloc *loc, const char *fmt, va_list ap)
{
	wbuf m = WBUF_INIT;
	buf_vprintf(&m, fmt, ap);
	if (loc && loc->path)
		buf_printf(&m, " (at %s)", loc->path[0] ? loc->path : "/");
	diag_add(b->d, sev, b->src, loc ? loc->span : (wspan){0, 0}, "%s", m.p);
	buf_release(&m);
}

void sb_error(sbuild *b, const sloc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vdiag(b, WSEV_ERROR, loc, fmt, ap);
	va_end(ap);
}

void sb_note(sbuild *b, const sloc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vdiag(b, WSEV_NOTE, loc, fmt, ap);
	va_end(ap);
}

#define VEC_PUSH(arr, n, cap, item)                                             \
	do {                                                                    \
		if ((n) == (cap)) {                                             \
			(cap) = (cap) ? (cap) * 2 : 16;                         \
			(arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr)); \
		}                                                               \
		(arr)[(n)++] = (item);                                          \
	} while (0)

void sb_namespace(sbuild *b, const wsym *ns, const sloc *loc)
{
	rnsdecl r = {ns, *loc};
	if (ns->len && mentions_cedar(ns))
		sb_error(b, loc, "'__cedar' is reserved and cannot be used in a namespace name");
	VEC_PUSH(b->nss, b->nnss, b->cap_nss, r);
}

void sb_add_ctype(sbuild *b, const wsym *ns, const wsym *base, rtype *def, const sloc *loc)
{
	rctype *c = ARENA_NEW(&b->tmp, rctype);
	c->ns = ns;
	c->name = qualify(b->cx, ns, base);
	c->def = def;
	c->loc = *loc;
	if (schema_is_reserved_type_name(base->s, base->len))
		sb_error(b, loc, "'%s' is a reserved type name and cannot be declared as a common type", base->s);
	else if (base->len == 7 && memcmp(base->s, "__cedar", 7) == 0)
		sb_error(b, loc, "'__cedar' is reserved and cannot be declared");
	VEC_PUSH(b->ctypes, b->nctypes, b->cap_ctypes, c);
}

retype *sb_new_etype(sbuild *b, const wsym *ns, const wsym *base, const sloc *loc)
{
	retype *e = ARENA_NEW(&b->tmp, retype);
	e->ns = ns;
	e->base = base;
	e->name = qualify(b->cx, ns, base);
	e->loc = *loc;
	if (base->len == 6 && memcmp(base->s, "Action", 6) == 0)
		sb_error(b, loc, "the entity type 'Action' is declared implicitly by actions and cannot be declared");
	else if (base->len == 7 && memcmp(base->s, "__cedar", 7) == 0)
		sb_error(b, loc, "'__cedar' is reserved and cannot be declared");
	VEC_PUSH(b->etypes, b->netypes, b->cap_etypes, e);
	return e;
}

raction *sb_new_action(sbuild *b, const wsym *ns, const wsym *id, const sloc *loc)
{
	raction *a = ARENA_NEW(&b->tmp, raction);
	a->ns = ns;
	a->uid.type = qualify(b->cx, ns, ctx_sym(b->cx, "Action", 6));
	a->uid.id = id;
	a->loc = *loc;
	VEC_PUSH(b->actions, b->nactions, b->cap_actions, a);
	return a;
}

rtype *sb_type(sbuild *b, rkind k, const sloc *loc)
{
	rtype *t = ARENA_NEW(&b->tmp, rtype);
	t->kind = (uint8_t)k;
	t->loc = *loc;
	return t;
}

/* ---------------------------------------------------------------- resolution */

#define MAX_RESOLVE_DEPTH 1000

enum { BI_NONE = -1 };

typedef struct fin {
	sbuild *b;
	symmap common;  /* fq -> ctypes index */
	symmap entity;  /* fq -> etypes index, or ACTION_TYPE for implicit NS::Action */
	symmap action;  /* (type, id) -> actions index */
	const wsym *builtin_names[7]; /* Bool Long String ipaddr decimal datetime duration */
	const wsym *cedar_names[7];   /* the same under __cedar:: */
	const wtype *builtin_types[7];
	const wtype *empty_record;
	bool depth_reported;
	uint32_t nsuggest; /* unknown names given a suggestion so far */
} fin;

#define ACTION_TYPE UINT32_MAX

static const char *const builtin_strs[7] = {"Bool", "Long", "String", "ipaddr", "decimal", "datetime", "duration"};
static const wtkind builtin_kinds[7] = {WT_BOOL, WT_LONG, WT_STRING, WT_IPADDR, WT_DECIMAL, WT_DATETIME, WT_DURATION};

static wtype *new_wtype(fin *f, wtkind k)
{
	wtype *t = ARENA_NEW(&f->b->s->arena, wtype);
	t->kind = (uint8_t)k;
	return t;
}

/* Which builtin `p` names (as a fully qualified candidate), or BI_NONE. */
static int builtin_of(const fin *f, const wsym *p)
{
	for (int i = 0; i < 7; i++) {
		if (p == f->cedar_names[i])
			return i;
		if (p == f->builtin_names[i] && !sm_get(&f->common, p, NULL) && !sm_get(&f->entity, p, NULL))
			return i;
	}
	return BI_NONE;
}

typedef struct rres {
	int what;            /* 0 none, 1 common, 2 entity, 3 builtin */
	rctype *ct;
	const wsym *entity;  /* fully qualified */
	uint32_t eidx;       /* etypes index or ACTION_TYPE */
	int builtin;
} rres;

/* RFC 24 lookup of `raw` written in namespace `ns`. */
static bool lookup(fin *f, const wsym *ns, const wsym *raw, int reft, rres *out)
{
	const wsym *cand[2];
	int ncand = 0;
	if (!is_qualified(raw) && ns->len > 0)
		cand[ncand++] = qualify(f->b->cx, ns, raw);
	cand[ncand++] = raw;
	memset(out, 0, sizeof *out);
	for (int i = 0; i < ncand; i++) {
		const wsym *p = cand[i];
		const uint32_t *v;
		if ((reft & REF_COMMON) && (v = sm_get(&f->common, p, NULL))) {
			out->what = 1;
			out->ct = f->b->ctypes[*v];
			return true;
		}
		if ((reft & REF_ENTITY) && (v = sm_get(&f->entity, p, NULL))) {
			out->what = 2;
			out->entity = p;
			out->eidx = *v;
			return true;
		}
		int bi;
		if ((reft & REF_COMMON) && (bi = builtin_of(f, p)) != BI_NONE) {
			out->what = 3;
			out->builtin = bi;
			return true;
		}
	}
	return false;
}

/* Considers `cand` (fully qualified, declared in `cns`) as a suggestion for
 * `raw` written in namespace `ns`; keeps the closest in *best. */
static void consider(const wsym *ns, const wsym *raw, const wsym *cand, const wsym *cns, const char **best,
		     size_t *bestd)
{
	const char *c = cand->s;
	size_t n = cand->len;
	if (!is_qualified(raw) && cns == ns && ns->len) {
		c = basename_of(cand, &n);
	}
	size_t dist = suggest_distance(raw->s, raw->len, c, n, *bestd - 1);
	if (dist < *bestd) {
		*bestd = dist;
		*best = c;
	}
}

#define MAX_SUGGESTIONS 32

static void unknown_name(fin *f, const wsym *ns, const wsym *raw, int reft, const sloc *loc)
{
	const char *what = reft == REF_ENTITY ? "entity type" : reft == REF_COMMON ? "common type" : "type";
	const char *as = reft == REF_ENTITY ? "an entity type"
	               : reft == REF_COMMON ? "a common type" : "a common or entity type";
	wbuf m = WBUF_INIT;
	if (!is_qualified(raw) && ns->len > 0)
		buf_printf(&m, "unknown %s '%s': neither '%s::%s' nor '%s' is declared as %s", what, raw->s, ns->s,
			   raw->s, raw->s, as);
	else
		buf_printf(&m, "unknown %s '%s': '%s' is not declared as %s", what, raw->s, raw->s, as);
	/* did you mean ...? (bounded: suggestions cost a scan of all names) */
	if (f->nsuggest++ < MAX_SUGGESTIONS) {
		const char *best = NULL;
		size_t bestd = (raw->len / 3 > 1 ? raw->len / 3 : 1) + 1; /* accept <= max(1, len/3) */
		sbuild *b = f->b;
		if (reft & REF_ENTITY)
			for (uint32_t i = 0; i < b->netypes; i++)
				consider(ns, raw, b->etypes[i]->name, b->etypes[i]->ns, &best, &bestd);
		if (reft & REF_COMMON) {
			for (uint32_t i = 0; i < b->nctypes; i++)
				consider(ns, raw, b->ctypes[i]->name, b->ctypes[i]->ns, &best, &bestd);
			for (int i = 0; i < 7; i++)
				consider(ns, raw, f->builtin_names[i], b->cx->s_empty, &best, &bestd);
		}
		if (best && bestd > 0 && bestd < raw->len) {
			size_t bn = strlen(best);
			/* basenames point into a symbol: print only the name itself */
			buf_adds(&m, "; did you mean '");
			buf_add(&m, best, bn);
			buf_adds(&m, "'?");
		}
	}
	sb_error(f->b, loc, "%s", m.p);
	buf_release(&m);
}

static const wtype *resolve_ctype(fin *f, rctype *ct, int depth, const sloc *ref);

static int attr_cmp(const void *x, const void *y)
{
	const wattr *a = x, *b = y;
	int c = sym_cmp(a->name, b->name);
	if (c)
		return c;
	return a->span.start < b->span.start ? -1 : a->span.start > b->span.start;
}

static const wtype *resolve_type(fin *f, const wsym *ns, const rtype *t, int depth)
{
	if (depth > MAX_RESOLVE_DEPTH) {
		if (!f->depth_reported)
			sb_error(f->b, &t->loc, "type definitions are nested too deeply");
		f->depth_reported = true;
		return NULL;
	}
	switch ((rkind)t->kind) {
	case RK_LONG: return f->builtin_types[1];
	case RK_STRING: return f->builtin_types[2];
	case RK_BOOL: return f->builtin_types[0];
	case RK_EXT:
		for (int i = 3; i < 7; i++)
			if (t->name == f->builtin_names[i])
				return f->builtin_types[i];
		sb_error(f->b, &t->loc, "unknown extension type '%s'; expected ipaddr, decimal, datetime or duration",
			 t->name->s);
		return NULL;
	case RK_SET: {
		const wtype *e = resolve_type(f, ns, t->elem, depth + 1);
		if (!e)
			return NULL;
		wtype *r = new_wtype(f, WT_SET);
		r->elem = e;
		return r;
	}
	case RK_RECORD: {
		wtype *r = new_wtype(f, WT_RECORD);
		r->open = t->open;
		r->nattrs = t->nattrs;
		r->attrs = t->nattrs ? ARENA_ARRAY(&f->b->s->arena, wattr, t->nattrs) : NULL;
		bool ok = true;
		for (uint32_t i = 0; i < t->nattrs; i++) {
			const rattr *a = &t->attrs[i];
			r->attrs[i].name = a->name;
			r->attrs[i].required = a->required;
			r->attrs[i].span = a->loc.span;
			r->attrs[i].type = resolve_type(f, ns, a->type, depth + 1);
			if (!r->attrs[i].type)
				ok = false;
		}
		if (r->nattrs > 1) {
			qsort(r->attrs, r->nattrs, sizeof *r->attrs, attr_cmp);
			for (uint32_t i = 1; i < r->nattrs; i++) {
				if (r->attrs[i].name != r->attrs[i - 1].name)
					continue;
				sloc l = {r->attrs[i].span, NULL};
				sloc l0 = {r->attrs[i - 1].span, NULL};
				sb_error(f->b, &l, "duplicate attribute '%s'", r->attrs[i].name->s);
				sb_note(f->b, &l0, "'%s' was first declared here", r->attrs[i].name->s);
				ok = false;
			}
		}
		return ok ? r : NULL;
	}
	case RK_REF: {
		rres res;
		if (!lookup(f, ns, t->name, t->reft, &res)) {
			unknown_name(f, ns, t->name, t->reft, &t->loc);
			return NULL;
		}
		if (res.what == 1)
			return resolve_ctype(f, res.ct, depth + 1, &t->loc);
		if (res.what == 3)
			return f->builtin_types[res.builtin];
		wtype *r = new_wtype(f, WT_ENTITY);
		r->entity = res.entity;
		return r;
	}
	}
	return NULL;
}

static const wtype *resolve_ctype(fin *f, rctype *ct, int depth, const sloc *ref)
{
	switch (ct->state) {
	case 2: return ct->res;
	case 3: return NULL;
	case 1:
		sb_error(f->b, ref ? ref : &ct->loc, "common type '%s' is defined in terms of itself (a cycle)",
			 ct->name->s);
		sb_note(f->b, &ct->loc, "'%s' is declared here", ct->name->s);
		return NULL;
	default: break;
	}
	ct->state = 1;
	ct->res = resolve_type(f, ct->ns, ct->def, depth + 1);
	ct->state = ct->res ? 2 : 3;
	return ct->res;
}

/* Entity type reference that must name a declared entity type (not the
 * implicit Action type). Returns the fully qualified name or NULL. */
static const wsym *resolve_etype_ref(fin *f, const wsym *ns, const rname *r)
{
	rres res;
	if (!lookup(f, ns, r->name, REF_ENTITY, &res)) {
		unknown_name(f, ns, r->name, REF_ENTITY, &r->loc);
		return NULL;
	}
	if (res.eidx == ACTION_TYPE) {
		sb_error(f->b, &r->loc, "'%s' is the action entity type; only declared entity types may be used here",
			 res.entity->s);
		return NULL;
	}
	return res.entity;
}

static uint32_t dedup_syms(const wsym **v, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = 0;
		while (j < k && v[j] != v[i])
			j++;
		if (j == k)
			v[k++] = v[i];
	}
	return k;
}

static const wsym **resolve_etype_list(fin *f, const wsym *ns, const rname *v, uint32_t n, uint32_t *nout)
{
	const wsym **out = n ? ARENA_ARRAY(&f->b->s->arena, const wsym *, n) : NULL;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		const wsym *e = resolve_etype_ref(f, ns, &v[i]);
		if (e)
			out[k++] = e;
	}
	*nout = dedup_syms(out, k);
	return out;
}

/* A shape or context: must resolve to a record type. `ety` or `act` names
 * the owner for the message (built only on error). */
static const wtype *resolve_record(fin *f, const wsym *ns, const rtype *t, const retype *ety, const raction *act)
{
	if (!t)
		return f->empty_record;
	const wtype *r = resolve_type(f, ns, t, 0);
	if (r && r->kind != WT_RECORD) {
		wbuf tb = WBUF_INIT, who = WBUF_INIT;
		type_print(r, &tb);
		if (ety) {
			buf_printf(&who, "the shape of entity type '%s'", ety->name->s);
		} else {
			buf_adds(&who, "the context of action '");
			print_uid(&who, act->uid);
			buf_addc(&who, '\'');
		}
		sb_error(f->b, &t->loc, "%s must be a record type, not '%s'", who.p, tb.p);
		buf_release(&tb);
		buf_release(&who);
		return NULL;
	}
	return r;
}

/* RFC 70: nothing declared in a namespace may share its base name with an
 * entity or common type of the empty namespace; no NS::Action::"a" beside
 * Action::"a". */
static void check_shadowing(fin *f)
{
	sbuild *b = f->b;
	for (uint32_t pass = 0; pass < 2; pass++) {
		uint32_t n = pass ? b->netypes : b->nctypes;
		for (uint32_t i = 0; i < n; i++) {
			const wsym *ns = pass ? b->etypes[i]->ns : b->ctypes[i]->ns;
			const wsym *name = pass ? b->etypes[i]->name : b->ctypes[i]->name;
			const sloc *loc = pass ? &b->etypes[i]->loc : &b->ctypes[i]->loc;
			if (ns->len == 0)
				continue;
			size_t bn;
			const char *base = basename_of(name, &bn);
			const wsym *u = intern_find(&b->cx->syms, base, bn);
			if (!u)
				continue;
			const uint32_t *ce = sm_get(&f->common, u, NULL);
			const uint32_t *ee = sm_get(&f->entity, u, NULL);
			if (ee && *ee == ACTION_TYPE)
				ee = NULL;
			if (!ce && !ee)
				continue;
			sb_error(b, loc, "'%s' would shadow '%s' declared in the empty namespace", name->s, u->s);
			sb_note(b, ce ? &b->ctypes[*ce]->loc : &b->etypes[*ee]->loc, "'%s' is declared here", u->s);
		}
	}
	const wsym *act = ctx_sym(b->cx, "Action", 6);
	for (uint32_t i = 0; i < b->nactions; i++) {
		raction *a = b->actions[i];
		if (a->ns->len == 0)
			continue;
		const uint32_t *v = sm_get(&f->action, act, a->uid.id);
		if (!v)
			continue;
		wbuf m = WBUF_INIT;
		print_uid(&m, a->uid);
		sb_error(b, &a->loc, "'%s' would shadow 'Action::\"%s\"' declared in the empty namespace", m.p,
			 a->uid.id->s);
		sb_note(b, &b->actions[*v]->loc, "that action is declared here");
		buf_release(&m);
	}
}

/* Resolves one action group reference against declared actions. */
static bool resolve_aref(fin *f, const raction *a, const raref *r, uint32_t *idx)
{
	const wsym *ty = r->type ? r->type : ctx_sym(f->b->cx, "Action", 6);
	const wsym *cand[2];
	int n = 0;
	if (!is_qualified(ty) && a->ns->len > 0)
		cand[n++] = qualify(f->b->cx, a->ns, ty);
	cand[n++] = ty;
	for (int i = 0; i < n; i++) {
		const uint32_t *v = sm_get(&f->action, cand[i], r->id);
		if (v) {
			*idx = *v;
			return true;
		}
	}
	wbuf m = WBUF_INIT;
	print_uid(&m, (wuid){cand[0], r->id});
	sb_error(f->b, &r->loc, "undeclared action '%s' in the action groups of '%s'", m.p, a->uid.id->s);
	buf_release(&m);
	return false;
}

/* Reports cycles in the action group graph with an iterative DFS (chains of
 * groups may be long; no recursion). `par[i]` are parent indexes. */
static void check_action_cycles(fin *f, uint32_t **par, const uint32_t *npar)
{
	sbuild *b = f->b;
	uint32_t n = b->nactions;
	if (!n)
		return;
	uint8_t *color = xcalloc(n, 1);
	uint32_t *stk = xmalloc(n * sizeof *stk), *pos = xmalloc(n * sizeof *pos);
	for (uint32_t root = 0; root < n; root++) {
		if (color[root])
			continue;
		uint32_t sp = 0;
		stk[sp] = root;
		pos[sp++] = 0;
		color[root] = 1;
		while (sp) {
			uint32_t v = stk[sp - 1];
			if (pos[sp - 1] < npar[v]) {
				uint32_t w = par[v][pos[sp - 1]++];
				if (color[w] == 1) {
					wbuf m = WBUF_INIT;
					print_uid(&m, b->actions[w]->uid);
					sb_error(b, &b->actions[v]->loc,
						 "cycle in the action hierarchy: '%s' is a member of itself", m.p);
					buf_release(&m);
				} else if (!color[w]) {
					color[w] = 1;
					stk[sp] = w;
					pos[sp++] = 0;
				}
			} else {
				color[v] = 2;
				sp--;
			}
		}
	}
	free(color);
	free(stk);
	free(pos);
}

static void build_index(wschema *s)
{
	struct wschema_index *ix = xcalloc(1, sizeof *ix);
	for (uint32_t i = 0; i < s->netypes; i++)
		sm_put(&ix->etypes, s->etypes[i].name, NULL, i);
	for (uint32_t i = 0; i < s->nactions; i++)
		sm_put(&ix->actions, s->actions[i].uid.type, s->actions[i].uid.id, i);
	s->index = ix;
}

int sb_finish(sbuild *b)
{
	fin F, *f = &F;
	memset(f, 0, sizeof F);
	f->b = b;
	wctx *cx = b->cx;
	wschema *s = b->s;

	/* builtins */
	const wsym *cedar = ctx_sym(cx, "__cedar", 7);
	for (int i = 0; i < 7; i++) {
		f->builtin_names[i] = ctx_sym(cx, builtin_strs[i], strlen(builtin_strs[i]));
		f->cedar_names[i] = qualify(cx, cedar, f->builtin_names[i]);
		f->builtin_types[i] = new_wtype(f, builtin_kinds[i]);
	}
	f->empty_record = new_wtype(f, WT_RECORD);

	/* namespaces: named ones may be declared once */
	{
		symmap nsm = {0};
		for (uint32_t i = 0; i < b->nnss; i++) {
			rnsdecl *n = &b->nss[i];
			const uint32_t *v = sm_put(&nsm, n->name, NULL, i);
			if (v && n->name->len) {
				sb_error(b, &n->loc, "duplicate namespace '%s'", n->name->s);
				sb_note(b, &b->nss[*v].loc, "'%s' was first declared here", n->name->s);
			}
		}
		sm_release(&nsm);
	}

	/* declarations, duplicates */
	for (uint32_t i = 0; i < b->nctypes; i++) {
		const uint32_t *v = sm_put(&f->common, b->ctypes[i]->name, NULL, i);
		if (v) {
			sb_error(b, &b->ctypes[i]->loc, "duplicate common type '%s'", b->ctypes[i]->name->s);
			sb_note(b, &b->ctypes[*v]->loc, "'%s' was first declared here", b->ctypes[i]->name->s);
		}
	}
	for (uint32_t i = 0; i < b->netypes; i++) {
		const uint32_t *v = sm_put(&f->entity, b->etypes[i]->name, NULL, i);
		if (v) {
			sb_error(b, &b->etypes[i]->loc, "duplicate entity type '%s'", b->etypes[i]->name->s);
			sb_note(b, &b->etypes[*v]->loc, "'%s' was first declared here", b->etypes[i]->name->s);
		}
	}
	for (uint32_t i = 0; i < b->nactions; i++) {
		raction *a = b->actions[i];
		const uint32_t *v = sm_put(&f->action, a->uid.type, a->uid.id, i);
		if (v) {
			wbuf m = WBUF_INIT;
			print_uid(&m, a->uid);
			sb_error(b, &a->loc, "duplicate action '%s'", m.p);
			sb_note(b, &b->actions[*v]->loc, "'%s' was first declared here", m.p);
			buf_release(&m);
		}
	}
	check_shadowing(f);
	/* the action entity type of every namespace with actions */
	for (uint32_t i = 0; i < b->nactions; i++)
		sm_put(&f->entity, b->actions[i]->uid.type, NULL, ACTION_TYPE);

	/* common types, including unused ones (their errors and cycles count) */
	for (uint32_t i = 0; i < b->nctypes; i++)
		resolve_ctype(f, b->ctypes[i], 0, NULL);

	/* entity types */
	const wtype **eattrs = b->netypes ? xcalloc(b->netypes, sizeof *eattrs) : NULL;
	const wtype **etags = b->netypes ? xcalloc(b->netypes, sizeof *etags) : NULL;
	const wsym ***epar = b->netypes ? xcalloc(b->netypes, sizeof *epar) : NULL;
	uint32_t *nepar = b->netypes ? xcalloc(b->netypes, sizeof *nepar) : NULL;
	for (uint32_t i = 0; i < b->netypes; i++) {
		retype *e = b->etypes[i];
		epar[i] = resolve_etype_list(f, e->ns, e->parents, e->nparents, &nepar[i]);
		eattrs[i] = resolve_record(f, e->ns, e->shape, e, NULL);
		if (e->tags)
			etags[i] = resolve_type(f, e->ns, e->tags, 0);
	}

	/* actions */
	uint32_t na = b->nactions;
	const wtype **actx = na ? xcalloc(na, sizeof *actx) : NULL;
	const wsym ***aprin = na ? xcalloc(na, sizeof *aprin) : NULL;
	const wsym ***ares = na ? xcalloc(na, sizeof *ares) : NULL;
	uint32_t *naprin = na ? xcalloc(na, sizeof *naprin) : NULL;
	uint32_t *nares = na ? xcalloc(na, sizeof *nares) : NULL;
	uint32_t **apar = na ? xcalloc(na, sizeof *apar) : NULL;
	uint32_t *napar = na ? xcalloc(na, sizeof *napar) : NULL;
	for (uint32_t i = 0; i < na; i++) {
		raction *a = b->actions[i];
		aprin[i] = resolve_etype_list(f, a->ns, a->principals, a->nprincipals, &naprin[i]);
		ares[i] = resolve_etype_list(f, a->ns, a->resources, a->nresources, &nares[i]);
		actx[i] = resolve_record(f, a->ns, a->context, NULL, a);
		apar[i] = a->nparents ? xmalloc(a->nparents * sizeof **apar) : NULL;
		for (uint32_t j = 0; j < a->nparents; j++) {
			uint32_t idx;
			if (!resolve_aref(f, a, &a->parents[j], &idx))
				continue;
			uint32_t k = 0;
			while (k < napar[i] && apar[i][k] != idx)
				k++;
			if (k == napar[i])
				apar[i][napar[i]++] = idx;
		}
	}
	check_action_cycles(f, apar, napar);

	if (sb_nerrors(b) == 0) {
		s->netypes = s->cap_etypes = b->netypes;
		s->etypes = b->netypes ? xcalloc(b->netypes, sizeof *s->etypes) : NULL;
		for (uint32_t i = 0; i < b->netypes; i++) {
			retype *e = b->etypes[i];
			wentity_type *o = &s->etypes[i];
			o->name = e->name;
			o->attrs = eattrs[i];
			o->parents = epar[i];
			o->nparents = nepar[i];
			o->tags = etags[i];
			o->is_enum = e->is_enum;
			if (e->nenum) {
				o->enum_ids = ARENA_ARRAY(&s->arena, const wsym *, e->nenum);
				memcpy(o->enum_ids, e->enum_ids, e->nenum * sizeof *o->enum_ids);
				o->nenum = dedup_syms(o->enum_ids, e->nenum);
			}
			o->src = b->src;
			o->span = e->loc.span;
		}
		s->nactions = s->cap_actions = na;
		s->actions = na ? xcalloc(na, sizeof *s->actions) : NULL;
		for (uint32_t i = 0; i < na; i++) {
			raction *a = b->actions[i];
			waction *o = &s->actions[i];
			o->uid = a->uid;
			o->nmember_of = napar[i];
			o->member_of = napar[i] ? ARENA_ARRAY(&s->arena, wuid, napar[i]) : NULL;
			for (uint32_t j = 0; j < napar[i]; j++)
				o->member_of[j] = b->actions[apar[i][j]]->uid;
			o->principals = aprin[i];
			o->nprincipals = naprin[i];
			o->resources = ares[i];
			o->nresources = nares[i];
			o->context = actx[i];
			o->has_applies_to = a->has_applies_to;
			o->src = b->src;
			o->span = a->loc.span;
		}
		build_index(s);
	}

	for (uint32_t i = 0; i < na; i++)
		free(apar[i]);
	free(apar);
	free(napar);
	free(actx);
	free(aprin);
	free(ares);
	free(naprin);
	free(nares);
	free(eattrs);
	free(etags);
	free(epar);
	free(nepar);
	sm_release(&f->common);
	sm_release(&f->entity);
	sm_release(&f->action);
	return (int)sb_nerrors(b);
}
