/* entitlements: cells in the scope of policies and their decisions with the
 * context unknown (see entitlements.h).
 *
 * The entity index inverts the ancestor sets the store computed at load:
 * for every group or container, the entities below it. The cells of a scope
 * `principal in G, action in [a, b], resource is T in C` are then
 * ({G} u below(G)) x {a, b} x (below(C) n T), each side filtered by the types
 * the schema's appliesTo allows for the action, without looking at any other
 * entity. Deciding a cell only looks at the policies registered under its
 * action or one of the action's groups.
 */
#include "analysis/entitlements.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/residual.h"
#include "cedar/format.h"
#include "util/xalloc.h"

/* ---- a hash map from uids (pointer pairs) to dense indexes ---------------- */

typedef struct umap {
	wuid *keys;
	uint32_t *vals;
	uint32_t cap, n;
} umap;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t uid_hash(wuid u)
{
	return mix((uint64_t)(uintptr_t)u.type * 31u + (uint64_t)(uintptr_t)u.id);
}

static void umap_release(umap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static void umap_grow(umap *m)
{
	uint32_t ncap = m->cap ? m->cap * 2 : 64;
	wuid *k = xcalloc(ncap, sizeof *k);
	uint32_t *v = xcalloc(ncap, sizeof *v);
	for (uint32_t i = 0; i < m->cap; i++) {
		if (!m->keys[i].type)
			continue;
		uint32_t j = (uint32_t)uid_hash(m->keys[i]) & (ncap - 1);
		while (k[j].type)
			j = (j + 1) & (ncap - 1);
		k[j] = m->keys[i];
		v[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = k;
	m->vals = v;
	m->cap = ncap;
}

/* The index stored for `u`, or UINT32_MAX. */
static uint32_t umap_get(const umap *m, wuid u)
{
	if (!m->cap)
		return UINT32_MAX;
	uint32_t j = (uint32_t)uid_hash(u) & (m->cap - 1);
	while (m->keys[j].type) {
		if (uid_eq(m->keys[j], u))
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return UINT32_MAX;
}

/* The index for `u`, storing `fresh` when absent (*added set). */
static uint32_t umap_put(umap *m, wuid u, uint32_t fresh, bool *added)
{
	if ((m->n + 1) * 2 > m->cap)
		umap_grow(m);
	uint32_t j = (uint32_t)uid_hash(u) & (m->cap - 1);
	while (m->keys[j].type) {
		if (uid_eq(m->keys[j], u)) {
			*added = false;
			return m->vals[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = u;
	m->vals[j] = fresh;
	m->n++;
	*added = true;
	return fresh;
}

/* ---- growable lists -------------------------------------------------------- */

typedef struct elist {
	const wentity **v;
	uint32_t n, cap;
} elist;

static void elist_push(elist *l, const wentity *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, sizeof *l->v * l->cap);
	}
	l->v[l->n++] = e;
}

typedef struct uvec {
	wuid *v;
	size_t n, cap;
} uvec;

static void uvec_push(uvec *l, wuid u)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, sizeof *l->v * l->cap);
	}
	l->v[l->n++] = u;
}

/* ---- cell sets ------------------------------------------------------------- */

void cellset_init(wcellset *s)
{
	memset(s, 0, sizeof *s);
}

void cellset_release(wcellset *s)
{
	free(s->items);
	free(s->slots);
	memset(s, 0, sizeof *s);
}

static uint64_t cell_hash(wcell c)
{
	return mix(uid_hash(c.p) ^ (uid_hash(c.a) * 3) ^ (uid_hash(c.r) * 7));
}

static bool cell_eq(wcell x, wcell y)
{
	return uid_eq(x.p, y.p) && uid_eq(x.a, y.a) && uid_eq(x.r, y.r);
}

static void cellset_rehash(wcellset *s)
{
	size_t ncap = s->nslots ? s->nslots * 2 : 256;
	uint32_t *t = xcalloc(ncap, sizeof *t);
	for (size_t i = 0; i < s->n; i++) {
		size_t j = (size_t)cell_hash(s->items[i]) & (ncap - 1);
		while (t[j])
			j = (j + 1) & (ncap - 1);
		t[j] = (uint32_t)(i + 1);
	}
	free(s->slots);
	s->slots = t;
	s->nslots = ncap;
}

bool cellset_has(const wcellset *s, wcell c)
{
	if (!s->nslots)
		return false;
	size_t j = (size_t)cell_hash(c) & (s->nslots - 1);
	while (s->slots[j]) {
		if (cell_eq(s->items[s->slots[j] - 1], c))
			return true;
		j = (j + 1) & (s->nslots - 1);
	}
	return false;
}

bool cellset_add(wcellset *s, wcell c)
{
	if ((s->n + 1) * 2 > s->nslots)
		cellset_rehash(s);
	size_t j = (size_t)cell_hash(c) & (s->nslots - 1);
	while (s->slots[j]) {
		if (cell_eq(s->items[s->slots[j] - 1], c))
			return false;
		j = (j + 1) & (s->nslots - 1);
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->items = xrealloc(s->items, sizeof *s->items * s->cap);
	}
	s->items[s->n++] = c;
	s->slots[j] = (uint32_t)s->n;
	return true;
}

/* ---- the entity index ------------------------------------------------------- */

struct went_index {
	wctx *cx;
	const wentities *es;
	const wschema *schema;
	umap desc_map; /* uid -> index into desc */
	elist *desc;
	uint32_t ndesc, cdesc;
	umap type_map; /* {type, NULL} -> index into types */
	elist *types;
	uint32_t ntypes, ctypes;
	elist nonaction; /* every entity that is not an action */
	uvec actions;    /* known actions */
	umap action_set;
};

static elist *list_for(umap *m, elist **lists, uint32_t *n, uint32_t *cap, wuid key)
{
	bool added;
	uint32_t i = umap_put(m, key, *n, &added);
	if (added) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*lists = xrealloc(*lists, sizeof **lists * *cap);
		}
		memset(&(*lists)[*n], 0, sizeof **lists);
		(*n)++;
	}
	return &(*lists)[i];
}

static void note_action(went_index *ix, wuid a)
{
	bool added;
	umap_put(&ix->action_set, a, 0, &added);
	if (added)
		uvec_push(&ix->actions, a);
}

went_index *ent_index_new(wctx *cx, const wentities *es, const wschema *schema)
{
	went_index *ix = xcalloc(1, sizeof *ix);
	ix->cx = cx;
	ix->es = es;
	ix->schema = schema;
	for (uint32_t i = 0; i < es->n; i++) {
		const wentity *e = es->items[i];
		wuid tk = {e->uid.type, NULL};
		elist_push(list_for(&ix->type_map, &ix->types, &ix->ntypes, &ix->ctypes, tk), e);
		if (ctx_is_action_type(e->uid.type))
			note_action(ix, e->uid);
		else
			elist_push(&ix->nonaction, e);
		const wancestors *anc = entity_ancestors(e);
		for (uint32_t k = 0; k < anc->cap; k++)
			if (anc->slot[k].type)
				elist_push(list_for(&ix->desc_map, &ix->desc, &ix->ndesc, &ix->cdesc, anc->slot[k]), e);
	}
	if (schema)
		for (uint32_t i = 0; i < schema->nactions; i++)
			note_action(ix, schema->actions[i].uid);
	return ix;
}

void ent_index_free(went_index *ix)
{
	if (!ix)
		return;
	for (uint32_t i = 0; i < ix->ndesc; i++)
		free(ix->desc[i].v);
	for (uint32_t i = 0; i < ix->ntypes; i++)
		free(ix->types[i].v);
	free(ix->desc);
	free(ix->types);
	free(ix->nonaction.v);
	free(ix->actions.v);
	umap_release(&ix->desc_map);
	umap_release(&ix->type_map);
	umap_release(&ix->action_set);
	free(ix);
}

static void note_scope_actions(went_index *ix, const wscope *sc)
{
	if (sc->op == WSC_EQ || sc->op == WSC_IN)
		note_action(ix, sc->uid);
	else if (sc->op == WSC_IN_SET)
		for (uint32_t i = 0; i < sc->nlist; i++)
			note_action(ix, sc->list[i]);
}

void ent_index_note_actions(went_index *ix, const wpolicyset *ps)
{
	for (uint32_t i = 0; i < ps->n; i++)
		note_scope_actions(ix, &ps->items[i]->action);
}

const wentity *const *ent_descendants(const went_index *ix, wuid u, uint32_t *n)
{
	uint32_t i = umap_get(&ix->desc_map, u);
	if (i == UINT32_MAX) {
		*n = 0;
		return NULL;
	}
	*n = ix->desc[i].n;
	return ix->desc[i].v;
}

const wentity *const *ent_of_type(const went_index *ix, const wsym *t, uint32_t *n)
{
	wuid k = {t, NULL};
	uint32_t i = umap_get(&ix->type_map, k);
	if (i == UINT32_MAX) {
		*n = 0;
		return NULL;
	}
	*n = ix->types[i].n;
	return ix->types[i].v;
}

const wentities *ent_store(const went_index *ix)
{
	return ix->es;
}

const wschema *ent_schema(const went_index *ix)
{
	return ix->schema;
}

wctx *ent_ctx(const went_index *ix)
{
	return ix->cx;
}

/* ---- cells in a scope ---------------------------------------------------------- */

static bool in_store(const went_index *ix, wuid a, wuid b)
{
	return entities_in(ix->es, a, b);
}

/* Does `x` satisfy scope `sc`? Unlinked slots match nothing. */
static bool scope_has(const went_index *ix, const wscope *sc, wuid x)
{
	switch (sc->op) {
	case WSC_ANY: return true;
	case WSC_IS: return x.type == sc->type;
	case WSC_IN_SET:
		for (uint32_t i = 0; i < sc->nlist; i++)
			if (in_store(ix, x, sc->list[i]))
				return true;
		return false;
	}
	if (sc->slot)
		return false;
	switch (sc->op) {
	case WSC_EQ: return uid_eq(x, sc->uid);
	case WSC_IN: return in_store(ix, x, sc->uid);
	case WSC_IS_IN: return x.type == sc->type && in_store(ix, x, sc->uid);
	}
	return false;
}

/* Allowed types: NULL (with n == 0) means any type that is not an action. */
static bool type_ok(const wsym *t, const wsym *const *types, uint32_t ntypes, bool any)
{
	if (any)
		return !ctx_is_action_type(t);
	for (uint32_t i = 0; i < ntypes; i++)
		if (types[i] == t)
			return true;
	return false;
}

static void push_list(uvec *out, const wentity *const *v, uint32_t n, const wsym *const *types, uint32_t ntypes,
		      bool any, const wsym *only)
{
	for (uint32_t i = 0; i < n; i++) {
		const wsym *t = v[i]->uid.type;
		if (only && t != only)
			continue;
		if (type_ok(t, types, ntypes, any))
			uvec_push(out, v[i]->uid);
	}
}

/* The principals (or resources) in scope `sc` whose types are allowed. */
static void scope_cands(const went_index *ix, const wscope *sc, const wsym *const *types, uint32_t ntypes, bool any,
			const wuid *filter, uvec *out)
{
	out->n = 0;
	if (filter) {
		if (type_ok(filter->type, types, ntypes, any) && scope_has(ix, sc, *filter))
			uvec_push(out, *filter);
		return;
	}
	uint32_t n;
	const wentity *const *v;
	switch (sc->op) {
	case WSC_ANY:
		if (any) {
			push_list(out, (const wentity *const *)ix->nonaction.v, ix->nonaction.n, NULL, 0, true, NULL);
		} else {
			for (uint32_t i = 0; i < ntypes; i++) {
				v = ent_of_type(ix, types[i], &n);
				push_list(out, v, n, types, ntypes, false, NULL);
			}
		}
		return;
	case WSC_IS:
		if (!type_ok(sc->type, types, ntypes, any))
			return;
		v = ent_of_type(ix, sc->type, &n);
		push_list(out, v, n, types, ntypes, any, NULL);
		return;
	default: break;
	}
	if (sc->slot)
		return;
	const wsym *only = sc->op == WSC_IS_IN ? sc->type : NULL;
	if (sc->op == WSC_EQ || sc->op == WSC_IN || sc->op == WSC_IS_IN) {
		if ((!only || sc->uid.type == only) && type_ok(sc->uid.type, types, ntypes, any))
			uvec_push(out, sc->uid);
	}
	if (sc->op == WSC_IN || sc->op == WSC_IS_IN) {
		v = ent_descendants(ix, sc->uid, &n);
		push_list(out, v, n, types, ntypes, any, only);
	}
}

static void uvec_add_unique(uvec *v, wuid u)
{
	for (size_t i = 0; i < v->n; i++)
		if (uid_eq(v->v[i], u))
			return;
	uvec_push(v, u);
}

/* The actions in an action scope, known to the index. */
static void action_cands(const went_index *ix, const wscope *sc, const wuid *filter, uvec *out)
{
	out->n = 0;
	if (filter) {
		if (scope_has(ix, sc, *filter))
			uvec_push(out, *filter);
		return;
	}
	if (sc->op == WSC_ANY) {
		for (size_t i = 0; i < ix->actions.n; i++)
			uvec_push(out, ix->actions.v[i]);
		return;
	}
	const wuid *roots = sc->op == WSC_IN_SET ? sc->list : &sc->uid;
	uint32_t nroots = sc->op == WSC_IN_SET ? sc->nlist : 1;
	if (sc->op == WSC_IS) {
		for (size_t i = 0; i < ix->actions.n; i++)
			if (ix->actions.v[i].type == sc->type)
				uvec_push(out, ix->actions.v[i]);
		return;
	}
	for (uint32_t k = 0; k < nroots; k++) {
		uvec_add_unique(out, roots[k]);
		if (sc->op == WSC_EQ)
			continue;
		uint32_t n;
		const wentity *const *v = ent_descendants(ix, roots[k], &n);
		for (uint32_t i = 0; i < n; i++)
			if (ctx_is_action_type(v[i]->uid.type))
				uvec_add_unique(out, v[i]->uid);
	}
}

int ent_scope_cells(went_index *ix, const wpolicy *const *pols, size_t npols, const went_filter *f, wcellset *out,
		    wdiags *d)
{
	static const went_filter none = {NULL, NULL, NULL};
	if (!f)
		f = &none;
	uvec acts = {0}, ps = {0}, rs = {0};
	int rc = 0;
	for (size_t k = 0; k < npols && rc == 0; k++) {
		const wpolicy *p = pols[k];
		if (p->is_template)
			continue;
		action_cands(ix, &p->action, f->action, &acts);
		for (size_t ai = 0; ai < acts.n; ai++) {
			wuid a = acts.v[ai];
			const wsym *const *pt = NULL, *const *rt = NULL;
			uint32_t npt = 0, nrt = 0;
			bool any = true;
			if (ix->schema) {
				const waction *sa = schema_action(ix->schema, a);
				if (!sa || !sa->has_applies_to)
					continue; /* no request has this action */
				pt = sa->principals;
				npt = sa->nprincipals;
				rt = sa->resources;
				nrt = sa->nresources;
				any = false;
			}
			scope_cands(ix, &p->principal, pt, npt, any, f->principal, &ps);
			if (!ps.n)
				continue;
			scope_cands(ix, &p->resource, rt, nrt, any, f->resource, &rs);
			if ((double)ps.n * (double)rs.n + (double)out->n > (double)WENT_MAX_CELLS) {
				diag_add(d, WSEV_ERROR, p->src, p->span,
					 "policy '%s' covers more than %u (principal, action, resource) cells over the "
					 "entity snapshot; give a schema so its scope is limited to the types its "
					 "actions apply to",
					 p->id, WENT_MAX_CELLS);
				rc = -1;
				break;
			}
			for (size_t i = 0; i < ps.n; i++)
				for (size_t j = 0; j < rs.n; j++)
					cellset_add(out, (wcell){ps.v[i], a, rs.v[j]});
		}
	}
	free(acts.v);
	free(ps.v);
	free(rs.v);
	return rc;
}

/* ---- deciding cells --------------------------------------------------------------- */

typedef struct ilist {
	uint32_t *v;
	uint32_t n, cap;
} ilist;

static void ilist_push(ilist *l, uint32_t x)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, sizeof *l->v * l->cap);
	}
	l->v[l->n++] = x;
}

/* Policies are registered under (action key, principal key): the action
 * key is the uid of `action == A` / `action in G` / each of `action in
 * [...]` or the any-key {NULL, NULL}; the principal key is the uid of
 * `principal == E` / `principal in E` / `principal is T in E`, the type key
 * {T, NULL} of `principal is T`, or the any-key. A cell then looks up its
 * action and the action's groups, times its principal, the principal's
 * ancestors, its type and the any-key: a handful of hash lookups that find
 * exactly the policies whose action and principal scopes can match. */
typedef struct pkey {
	wuid a, p;
} pkey;

struct went_pset {
	const wpolicyset *ps;
	pkey *keys;     /* open addressing */
	uint32_t *vals; /* index into lists */
	uint32_t kcap, kn;
	ilist *lists;
	uint32_t nlists, clists;
	uint32_t *stamp;
	uint32_t gen;
	ilist scratch;
	wuid last_p, last_a; /* the candidates in scratch are for this pair */
	bool has_last;
};

static uint64_t pkey_hash(pkey k)
{
	return mix(uid_hash(k.a) * 0x9e3779b97f4a7c15ULL ^ uid_hash(k.p));
}

static bool pkey_eq(pkey x, pkey y)
{
	return uid_eq(x.a, y.a) && uid_eq(x.p, y.p);
}

static void pset_grow(went_pset *s)
{
	uint32_t ncap = s->kcap ? s->kcap * 2 : 64;
	pkey *k = xcalloc(ncap, sizeof *k);
	uint32_t *v = xcalloc(ncap, sizeof *v);
	for (uint32_t i = 0; i < s->kcap; i++) {
		if (!s->vals[i])
			continue;
		uint32_t j = (uint32_t)pkey_hash(s->keys[i]) & (ncap - 1);
		while (v[j])
			j = (j + 1) & (ncap - 1);
		k[j] = s->keys[i];
		v[j] = s->vals[i];
	}
	free(s->keys);
	free(s->vals);
	s->keys = k;
	s->vals = v;
	s->kcap = ncap;
}

static const ilist *pset_get(const went_pset *s, pkey k)
{
	if (!s->kcap)
		return NULL;
	uint32_t j = (uint32_t)pkey_hash(k) & (s->kcap - 1);
	while (s->vals[j]) {
		if (pkey_eq(s->keys[j], k))
			return &s->lists[s->vals[j] - 1];
		j = (j + 1) & (s->kcap - 1);
	}
	return NULL;
}

static void pset_add(went_pset *s, pkey k, uint32_t policy)
{
	if ((s->kn + 1) * 2 > s->kcap)
		pset_grow(s);
	uint32_t j = (uint32_t)pkey_hash(k) & (s->kcap - 1);
	while (s->vals[j]) {
		if (pkey_eq(s->keys[j], k)) {
			ilist_push(&s->lists[s->vals[j] - 1], policy);
			return;
		}
		j = (j + 1) & (s->kcap - 1);
	}
	if (s->nlists == s->clists) {
		s->clists = s->clists ? s->clists * 2 : 32;
		s->lists = xrealloc(s->lists, sizeof *s->lists * s->clists);
	}
	memset(&s->lists[s->nlists], 0, sizeof *s->lists);
	ilist_push(&s->lists[s->nlists], policy);
	s->keys[j] = k;
	s->vals[j] = ++s->nlists;
	s->kn++;
}

static const wuid any_key = {NULL, NULL};

static wuid principal_key(const wscope *sc)
{
	switch (sc->op) {
	case WSC_EQ:
	case WSC_IN:
	case WSC_IS_IN:
		if (!sc->slot)
			return sc->uid;
		return any_key;
	case WSC_IS: {
		wuid k = {sc->type, NULL};
		return k;
	}
	default: return any_key;
	}
}

went_pset *ent_pset_new(went_index *ix, const wpolicyset *ps)
{
	(void)ix;
	went_pset *s = xcalloc(1, sizeof *s);
	s->ps = ps;
	s->stamp = xcalloc(ps->n ? ps->n : 1, sizeof *s->stamp);
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		if (p->is_template)
			continue;
		const wscope *sc = &p->action;
		wuid pk = principal_key(&p->principal);
		if (sc->op == WSC_EQ || sc->op == WSC_IN)
			pset_add(s, (pkey){sc->uid, pk}, i);
		else if (sc->op == WSC_IN_SET)
			for (uint32_t k = 0; k < sc->nlist; k++)
				pset_add(s, (pkey){sc->list[k], pk}, i);
		else
			pset_add(s, (pkey){any_key, pk}, i);
	}
	return s;
}

void ent_pset_free(went_pset *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nlists; i++)
		free(s->lists[i].v);
	free(s->lists);
	free(s->keys);
	free(s->vals);
	free(s->stamp);
	free(s->scratch.v);
	free(s);
}

static void collect(went_pset *s, const ilist *l)
{
	if (!l)
		return;
	for (uint32_t i = 0; i < l->n; i++) {
		uint32_t k = l->v[i];
		if (s->stamp[k] == s->gen)
			continue;
		s->stamp[k] = s->gen;
		ilist_push(&s->scratch, k);
	}
}

/* All principal keys of `p` under action key `ak`. */
static void collect_principal(went_pset *s, wuid ak, wuid p, const wentity *ep)
{
	collect(s, pset_get(s, (pkey){ak, p}));
	wuid tk = {p.type, NULL};
	collect(s, pset_get(s, (pkey){ak, tk}));
	collect(s, pset_get(s, (pkey){ak, any_key}));
	if (ep) {
		const wancestors *anc = entity_ancestors(ep);
		for (uint32_t k = 0; k < anc->cap; k++)
			if (anc->slot[k].type)
				collect(s, pset_get(s, (pkey){ak, anc->slot[k]}));
	}
}

/* Indexes of the policies whose action and principal scopes may hold the
 * cell, in set order. */
static void candidates(went_index *ix, went_pset *s, wcell c)
{
	/* cells come principal by principal, action by action: reuse the
	 * previous cell's candidates when only the resource changed */
	if (s->has_last && uid_eq(s->last_p, c.p) && uid_eq(s->last_a, c.a))
		return;
	s->has_last = true;
	s->last_p = c.p;
	s->last_a = c.a;
	s->scratch.n = 0;
	if (++s->gen == 0) {
		memset(s->stamp, 0, sizeof *s->stamp * (s->ps->n ? s->ps->n : 1));
		s->gen = 1;
	}
	const wentity *ep = entities_get(ix->es, c.p);
	collect_principal(s, any_key, c.p, ep);
	collect_principal(s, c.a, c.p, ep);
	const wentity *ea = entities_get(ix->es, c.a);
	if (ea) {
		const wancestors *anc = entity_ancestors(ea);
		for (uint32_t k = 0; k < anc->cap; k++)
			if (anc->slot[k].type)
				collect_principal(s, anc->slot[k], c.p, ep);
	}
	/* insertion sort: candidate lists are short */
	uint32_t *v = s->scratch.v;
	for (uint32_t i = 1; i < s->scratch.n; i++) {
		uint32_t x = v[i], j = i;
		while (j > 0 && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

uint32_t ent_candidates(went_index *ix, went_pset *s, wcell c, const uint32_t **idx)
{
	candidates(ix, s, c);
	*idx = s->scratch.v;
	return s->scratch.n;
}

static wexpr *or_all(warena *a, wexpr **v, uint32_t n)
{
	wexpr *acc = NULL;
	for (uint32_t i = 0; i < n; i++)
		acc = acc ? residual_or(a, acc, v[i]) : v[i];
	return acc;
}

void ent_decide(went_index *ix, went_pset *s, wcell c, warena *tmp, wdecision *out)
{
	wrequest rq;
	rq.principal = c.p;
	rq.action = c.a;
	rq.resource = c.r;
	rq.context.kind = WV_RECORD;
	rq.context.u.rec = record_empty();
	weval ev;
	memset(&ev, 0, sizeof ev);
	ev.cx = ix->cx;
	ev.ents = ix->es;
	ev.req = &rq;
	ev.tmp = tmp;
	eval_resolve(&ev);

	candidates(ix, s, c);
	uint32_t n = s->scratch.n;
	const wpolicy **yes_p = arena_alloc(tmp, sizeof *yes_p * (n ? n : 1));
	const wpolicy **cond_p = arena_alloc(tmp, sizeof *cond_p * (n ? n : 1));
	const wpolicy **cond_f = arena_alloc(tmp, sizeof *cond_f * (n ? n : 1));
	wexpr **pc = arena_alloc(tmp, sizeof *pc * (n ? n : 1));
	wexpr **fc = arena_alloc(tmp, sizeof *fc * (n ? n : 1));
	uint32_t nyes = 0, ncp = 0, ncf = 0;
	memset(out, 0, sizeof *out);
	for (uint32_t i = 0; i < n; i++) {
		const wpolicy *p = s->ps->items[s->scratch.v[i]];
		wpres r;
		residual_policy(&ev, p, &r);
		if (r.kind == WPRES_NO || r.kind == WPRES_ERROR)
			continue;
		if (p->effect == WEFF_FORBID) {
			if (r.kind == WPRES_YES) {
				out->kind = WDEC_DENY;
				out->why = arena_alloc(tmp, sizeof *out->why);
				out->why[0] = p;
				out->nwhy = 1;
				return;
			}
			cond_f[ncf] = p;
			fc[ncf++] = r.cond;
		} else if (r.kind == WPRES_YES) {
			yes_p[nyes++] = p;
		} else {
			cond_p[ncp] = p;
			pc[ncp++] = r.cond;
		}
	}
	if (!nyes && !ncp) {
		out->kind = WDEC_DENY;
		return;
	}
	wexpr *cond = nyes ? NULL : or_all(tmp, pc, ncp);
	if (ncf) {
		/* in a boolean position !!x is x (a non-bool x errors either way) */
		wexpr *fo = or_all(tmp, fc, ncf);
		wexpr *nf = fo->kind == WE_NOT ? fo->u.k.a : residual_not(tmp, fo);
		cond = cond ? residual_and(tmp, cond, nf) : nf;
	}
	out->kind = cond ? WDEC_COND : WDEC_ALLOW;
	out->cond = cond ? residual_simplify(tmp, cond) : NULL;
	uint32_t nwhy = (nyes ? nyes : ncp) + ncf;
	out->why = arena_alloc(tmp, sizeof *out->why * (nwhy ? nwhy : 1));
	uint32_t k = 0;
	for (uint32_t i = 0; i < (nyes ? nyes : ncp); i++)
		out->why[k++] = nyes ? yes_p[i] : cond_p[i];
	for (uint32_t i = 0; i < ncf; i++)
		out->why[k++] = cond_f[i];
	out->nwhy = k;
}

const char *ent_dec_name(wdec_kind k)
{
	switch (k) {
	case WDEC_ALLOW: return "allow";
	case WDEC_COND: return "conditional";
	default: return "deny";
	}
}

void ent_uid_str(wuid u, wbuf *out)
{
	format_uid(out, u);
}
