/* entities: the entity store (see entities.h).
 *
 * Loading reads the entities JSON with jansson, converts every entity with
 * the shared JSON converter (jsonv_int.h), checks it against the schema as
 * the reference does (declared type, enumerated ids, attribute and tag
 * types, allowed parent types, actions agreeing with the schema), adds the
 * schema's action entities, and finally computes every entity's transitive
 * ancestors once. Errors become located diagnostics (line and column of the
 * offending JSON value) and loading goes on with the next entity, so one
 * run reports every problem.
 *
 * Every entity is then linked to its parents in the store, and cycles are
 * found with an iterative Tarjan walk over the parent edges (no recursion,
 * so a long chain cannot overflow the stack): a cycle is an error, as in
 * the reference. An entity's transitive ancestors are computed when first
 * asked for (entity_ancestors): a walk up the parent links that takes in
 * whole the tables of ancestors already computed, published with an atomic
 * compare-and-swap so that threads sharing the store may race harmlessly.
 * A parent that is not in the store is still an ancestor (as in the
 * reference) but contributes nothing further.
 *
 * Loading tries a fast path first (fastload, below): a single pass over
 * the text for plain entity files, about ten times faster than going
 * through jansson, which gives up, leaving the work to the path described
 * above, on anything else, in particular on anything that could be an
 * error or warning. Either way the store is the same.
 */
#include "cedar/entities.h"
#include "cedar/jsonv.h"
#include "cedar/jsonv_int.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define NONE UINT32_MAX

/* A slot holds the uid's key (its symbols' dense ids, unique within the
 * engine) beside the ordinal, so a probe never dereferences an entity. */
typedef struct ix_slot {
	uint32_t ord1;     /* ordinal + 1 into wentities.items; 0 = empty */
	uint32_t tid, iid; /* uid.type->id, uid.id->id */
} ix_slot;

struct wentities_index {
	ix_slot *slot;
	uint32_t cap; /* power of two */
};

/* Symbols have dense ids, so one multiply (Fibonacci hashing, keeping the
 * well-mixed high bits) spreads uids well enough for linear probing. */
static uint32_t uid_hash(wuid u)
{
	uint64_t h = (((uint64_t)u.type->id << 32) | (uint64_t)u.id->id) * 0x9E3779B97F4A7C15ULL;
	return (uint32_t)(h >> 32);
}

void entities_init(wentities *es)
{
	memset(es, 0, sizeof *es);
	arena_init(&es->arena);
}

void entities_release(wentities *es)
{
	for (uint32_t i = 0; i < es->n; i++)
		free(atomic_load_explicit(&es->items[i]->anc, memory_order_relaxed));
	arena_release(&es->arena);
	free(es->items);
	if (es->index) {
		free(es->index->slot);
		free(es->index);
	}
	memset(es, 0, sizeof *es);
}

/* The ordinal of the uid with symbol ids (tid, iid), probing from `slot`. */
static inline uint32_t index_probe(const struct wentities_index *ix, uint32_t tid, uint32_t iid, uint32_t slot)
{
	uint32_t mask = ix->cap - 1;
	for (uint32_t i = slot;; i = (i + 1) & mask) {
		const ix_slot *s = &ix->slot[i];
		if (!s->ord1)
			return NONE;
		if (s->iid == iid && s->tid == tid)
			return s->ord1 - 1;
	}
}

static uint32_t index_find(const wentities *es, wuid u)
{
	const struct wentities_index *ix = es->index;
	if (!ix || !ix->cap || !u.type || !u.id)
		return NONE;
	return index_probe(ix, u.type->id, u.id->id, (uint32_t)uid_hash(u) & (ix->cap - 1));
}

static void index_put(struct wentities_index *ix, const wentities *es, uint32_t ord)
{
	uint32_t mask = ix->cap - 1;
	wuid u = es->items[ord]->uid;
	uint32_t i = (uint32_t)uid_hash(u) & mask;
	while (ix->slot[i].ord1)
		i = (i + 1) & mask;
	ix->slot[i].ord1 = ord + 1;
	ix->slot[i].tid = u.type->id;
	ix->slot[i].iid = u.id->id;
}

/* Sizes the uid index and the item array of an empty store for about
 * `n` entities, so loading a large file does not rehash as it grows. */
static void store_reserve(wentities *es, size_t n)
{
	if (es->n || es->index || n < 64 || n > UINT32_MAX / 8)
		return;
	uint32_t cap = 64;
	while ((uint64_t)(n + 1) * 2 > cap)
		cap *= 2;
	es->index = xcalloc(1, sizeof *es->index);
	es->index->slot = xcalloc_table(cap, sizeof *es->index->slot);
	es->index->cap = cap;
	es->cap = cap / 2;
	es->items = xrealloc(es->items, es->cap * sizeof *es->items);
}

/* Makes room for one more entity in the item array and the index. */
static void store_grow(wentities *es)
{
	if (!es->index)
		es->index = xcalloc(1, sizeof *es->index);
	struct wentities_index *ix = es->index;
	if ((es->n + 1) * 2 > ix->cap) {
		uint32_t ncap = ix->cap ? ix->cap * 2 : 64;
		free(ix->slot);
		ix->slot = xcalloc_table(ncap, sizeof *ix->slot);
		ix->cap = ncap;
		for (uint32_t k = 0; k < es->n; k++)
			index_put(ix, es, k);
	}
	if (es->n == es->cap) {
		es->cap = es->cap ? es->cap * 2 : 64;
		es->items = xrealloc(es->items, es->cap * sizeof *es->items);
	}
}

/* Appends an entity (caller checked it is not present). */
static uint32_t store_add(wentities *es, wentity *e)
{
	store_grow(es);
	es->items[es->n] = e;
	index_put(es->index, es, es->n);
	return es->n++;
}

/* Appends an entity unless one with its uid is there (false then): one
 * probe of the index for both. */
static bool store_add_new(wentities *es, wentity *e)
{
	store_grow(es);
	struct wentities_index *ix = es->index;
	uint32_t mask = ix->cap - 1, tid = e->uid.type->id, iid = e->uid.id->id;
	uint32_t i = (uint32_t)uid_hash(e->uid) & mask;
	for (; ix->slot[i].ord1; i = (i + 1) & mask)
		if (ix->slot[i].iid == iid && ix->slot[i].tid == tid)
			return false;
	es->items[es->n] = e;
	ix->slot[i].ord1 = es->n + 1;
	ix->slot[i].tid = tid;
	ix->slot[i].iid = iid;
	es->n++;
	return true;
}

const wentity *entities_get(const wentities *es, wuid uid)
{
	uint32_t o = index_find(es, uid);
	return o == NONE ? NULL : es->items[o];
}

bool entity_has_ancestor(const wentity *e, wuid anc)
{
	if (!e->nparents || !anc.type)
		return false;
	const wancestors *t = entity_ancestors(e);
	if (!t->cap)
		return false;
	uint32_t mask = t->cap - 1;
	for (uint32_t i = (uint32_t)uid_hash(anc) & mask;; i = (i + 1) & mask) {
		const wuid *s = &t->slot[i];
		if (!s->type)
			return false;
		if (uid_eq(*s, anc))
			return true;
	}
}

bool entities_in(const wentities *es, wuid a, wuid b)
{
	if (uid_eq(a, b))
		return true;
	const wentity *e = entities_get(es, a);
	return e && entity_has_ancestor(e, b);
}

/* ---- a scratch uid set (heap), cleared in time proportional to its use -- */

typedef struct uidset {
	wuid *slot;
	uint32_t cap, n;
	uint32_t *used; /* slots in use, for clearing and iteration */
} uidset;

static void uidset_release(uidset *s)
{
	free(s->slot);
	free(s->used);
	memset(s, 0, sizeof *s);
}

static void uidset_clear(uidset *s)
{
	for (uint32_t k = 0; k < s->n; k++)
		s->slot[s->used[k]].type = NULL;
	s->n = 0;
}

static bool uidset_add(uidset *s, wuid u);

static void uidset_grow(uidset *s)
{
	uidset old = *s;
	s->cap = old.cap ? old.cap * 2 : 64;
	s->slot = xcalloc(s->cap, sizeof *s->slot);
	s->used = xmalloc(s->cap * sizeof *s->used);
	s->n = 0;
	for (uint32_t k = 0; k < old.n; k++)
		uidset_add(s, old.slot[old.used[k]]);
	free(old.slot);
	free(old.used);
}

/* True when newly added. */
static bool uidset_add(uidset *s, wuid u)
{
	if ((s->n + 1) * 2 > s->cap)
		uidset_grow(s);
	uint32_t mask = s->cap - 1;
	uint32_t i = (uint32_t)uid_hash(u) & mask;
	while (s->slot[i].type) {
		if (uid_eq(s->slot[i], u))
			return false;
		i = (i + 1) & mask;
	}
	s->slot[i] = u;
	s->used[s->n++] = i;
	return true;
}

static bool uidset_has(const uidset *s, wuid u)
{
	if (!s->cap)
		return false;
	uint32_t mask = s->cap - 1;
	for (uint32_t i = (uint32_t)uid_hash(u) & mask; s->slot[i].type; i = (i + 1) & mask)
		if (uid_eq(s->slot[i], u))
			return true;
	return false;
}

/* ---- ancestors, on first use --------------------------------------------- */

static const wancestors anc_none; /* the empty set */

/* Collects e's transitive ancestors (e too, if on a cycle) into `out`: a
 * walk up the parent links; an ancestor whose own table is computed
 * already contributes that table whole instead of being walked. */
static void collect_ancestors(const wentity *e, uidset *out)
{
	const wentity *small[64];
	const wentity **todo = small;
	size_t n = 0, cap = 64;
	todo[n++] = e;
	while (n) {
		const wentity *x = todo[--n];
		for (uint32_t p = 0; p < x->nparents; p++) {
			if (!uidset_add(out, x->parents[p]))
				continue;
			const wentity *pe = x->parent_ents ? x->parent_ents[p] : NULL;
			if (!pe || !pe->nparents)
				continue;
			const wancestors *pa = atomic_load_explicit(&pe->anc, memory_order_acquire);
			if (pa) {
				for (uint32_t k = 0; k < pa->cap; k++)
					if (pa->slot[k].type)
						uidset_add(out, pa->slot[k]);
				continue;
			}
			if (n == cap) {
				cap *= 2;
				if (todo == small) {
					todo = xmalloc(cap * sizeof *todo);
					memcpy(todo, small, sizeof small);
				} else {
					todo = xrealloc(todo, cap * sizeof *todo);
				}
			}
			todo[n++] = pe;
		}
	}
	if (todo != small)
		free(todo);
}

const wancestors *entity_ancestors(const wentity *e)
{
	if (!e->nparents)
		return &anc_none;
	wancestors *t = atomic_load_explicit(&e->anc, memory_order_acquire);
	if (t)
		return t;
	uidset s = {0};
	collect_ancestors(e, &s);
	uint32_t n = s.n - (uidset_has(&s, e->uid) ? 1 : 0);
	/* load factor at most 2/3: linear probing stays short, memory modest */
	uint32_t cap = 0;
	if (n) {
		cap = 4;
		while ((uint64_t)cap * 2 < (uint64_t)n * 3)
			cap *= 2;
	}
	t = xcalloc(1, sizeof *t + (size_t)cap * sizeof t->slot[0]);
	t->cap = cap;
	t->n = n;
	uint32_t mask = cap ? cap - 1 : 0;
	for (uint32_t k = 0; k < s.n; k++) {
		wuid u = s.slot[s.used[k]];
		if (uid_eq(u, e->uid))
			continue;
		uint32_t i = (uint32_t)uid_hash(u) & mask;
		while (t->slot[i].type)
			i = (i + 1) & mask;
		t->slot[i] = u;
	}
	uidset_release(&s);
	/* publish; a thread that got there first wins, ours is dropped */
	wancestors *none = NULL;
	if (!atomic_compare_exchange_strong_explicit(&((wentity *)e)->anc, &none, t, memory_order_acq_rel,
						     memory_order_acquire)) {
		free(t);
		return none;
	}
	return t;
}

/* ---- loading ------------------------------------------------------------ */

typedef struct loader {
	wctx *cx;
	wentities *es;
	const wschema *schema;
	wdiags *d;
	const wsource *src;
	jconv jc;
	uint32_t *json_idx; /* per ordinal: index in the JSON array, or NONE */
	uint32_t json_idx_cap;
	bool fast;          /* the fast path (fastload below): report nothing... */
	bool bail;          /* ...but note that the careful path must take over */
} loader;

static void sink_diag(jconv *jc, bool at_key, const char *msg)
{
	loader *L = jc->sink_data;
	wspan sp = jsonv_locate(L->src->text, L->src->len, jc->path, jc->depth, at_key);
	diag_add(L->d, WSEV_ERROR, L->src, sp, "%s", msg);
}

static void record_json_idx(loader *L, uint32_t ord, uint32_t idx)
{
	if (ord >= L->json_idx_cap) {
		uint32_t cap = L->json_idx_cap ? L->json_idx_cap * 2 : 64;
		while (cap <= ord)
			cap *= 2;
		L->json_idx = xrealloc(L->json_idx, cap * sizeof *L->json_idx);
		for (uint32_t k = L->json_idx_cap; k < cap; k++)
			L->json_idx[k] = NONE;
		L->json_idx_cap = cap;
	}
	L->json_idx[ord] = idx;
}

static uint32_t json_idx_of(const loader *L, uint32_t ord)
{
	return ord < L->json_idx_cap ? L->json_idx[ord] : NONE;
}

static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	if (n > 64 || m > 64)
		return (size_t)-1;
	size_t row[65];
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

static const char *basename_of(const wsym *s, size_t *len)
{
	const char *p = s->s;
	for (size_t i = 0; i + 1 < s->len; i++)
		if (s->s[i] == ':' && s->s[i + 1] == ':')
			p = s->s + i + 2;
	*len = s->len - (size_t)(p - s->s);
	return p;
}

/* The declared entity type most like `t` (same basename, or a small edit
 * distance), or NULL. */
static const wsym *suggest_type(const wschema *s, const wsym *t)
{
	const wsym *best = NULL;
	size_t bestd = (size_t)-1;
	size_t tbl;
	const char *tb = basename_of(t, &tbl);
	for (uint32_t i = 0; i < s->netypes; i++) {
		const wsym *c = s->etypes[i].name;
		size_t cbl;
		const char *cb = basename_of(c, &cbl);
		size_t dist = (cbl == tbl && memcmp(cb, tb, tbl) == 0) ? 0 : edit_distance(t->s, t->len, c->s, c->len);
		if (dist < bestd) {
			bestd = dist;
			best = c;
		}
	}
	size_t limit = t->len / 3 > 2 ? t->len / 3 : 2;
	return bestd <= limit ? best : NULL;
}

static void warn_unknown_keys(loader *L, const json_t *obj)
{
	const char *key;
	size_t klen;
	json_t *v;
	json_object_keylen_foreach((json_t *)obj, key, klen, v)
	{
		static const char *const known[] = {"uid", "attrs", "parents", "tags"};
		bool ok = false;
		for (size_t k = 0; k < 4; k++)
			if (strlen(known[k]) == klen && memcmp(known[k], key, klen) == 0)
				ok = true;
		if (ok)
			continue;
		wbuf tmp = WBUF_INIT;
		size_t dn;
		const char *dk = jsonv_str(key, klen, &tmp, &dn);
		const wsym *k = ctx_sym(L->cx, dk, dn);
		buf_release(&tmp);
		jconv_push_key(&L->jc, k->s, k->len);
		wspan sp = jsonv_locate(L->src->text, L->src->len, L->jc.path, L->jc.depth, true);
		diag_add(L->d, WSEV_WARNING, L->src, sp, "unknown member '%s' in an entity is ignored "
			 "(expected \"uid\", \"attrs\", \"parents\", \"tags\")", k->s);
		jconv_pop(&L->jc);
	}
}

/* Attributes of one entity, into e->attrs. */
static void load_attrs(loader *L, wentity *e, const json_t *attrs, const wentity_type *et, bool is_action)
{
	jconv *jc = &L->jc;
	e->attrs = record_empty();
	if (!attrs)
		return;
	jconv_push_key(jc, "attrs", 5);
	jc->root = jc->depth;
	jc->kind = "attribute";
	if (!json_is_object(attrs)) {
		wbuf dsc = WBUF_INIT;
		jsonv_describe(attrs, &dsc);
		jconv_error(jc, false, "\"attrs\" must be an object, found %s", dsc.p);
		buf_release(&dsc);
	} else if (is_action && L->schema && json_object_size(attrs) > 0) {
		jconv_error(jc, false, "does not match its declaration in the schema: actions have no attributes");
	} else {
		wvalue v;
		if (jconv_record(jc, attrs, et ? et->attrs : NULL, &v) == 0)
			e->attrs = v.u.rec;
	}
	jconv_pop(jc);
}

static void load_tags(loader *L, wentity *e, const json_t *tags, const wentity_type *et, bool is_action)
{
	jconv *jc = &L->jc;
	e->tags = record_empty();
	if (!tags)
		return;
	jconv_push_key(jc, "tags", 4);
	jc->root = jc->depth;
	jc->kind = "tag";
	if (!json_is_object(tags)) {
		wbuf dsc = WBUF_INIT;
		jsonv_describe(tags, &dsc);
		jconv_error(jc, false, "\"tags\" must be an object, found %s", dsc.p);
		buf_release(&dsc);
		jconv_pop(jc);
		return;
	}
	if (L->schema && json_object_size(tags) > 0 && (is_action || (et && !et->tags))) {
		const char *key;
		size_t klen;
		json_t *v;
		json_object_keylen_foreach((json_t *)tags, key, klen, v)
		{
			wbuf tmp = WBUF_INIT;
			size_t dn;
			const char *dk = jsonv_str(key, klen, &tmp, &dn);
			const wsym *k = ctx_sym(L->cx, dk, dn);
			buf_release(&tmp);
			jconv_push_key(jc, k->s, k->len);
			if (is_action)
				jconv_error(jc, true, "does not match its declaration in the schema: actions have no tags");
			else
				jconv_error(jc, true, "not allowed: entity type '%s' declares no tags", et->name->s);
			jconv_pop(jc);
		}
		jconv_pop(jc);
		return;
	}
	size_t n = json_object_size(tags);
	wfield *f = n ? xmalloc(n * sizeof *f) : NULL;
	size_t nf = 0;
	int bad = 0;
	const char *key;
	size_t klen;
	json_t *v;
	json_object_keylen_foreach((json_t *)tags, key, klen, v)
	{
		wbuf tmp = WBUF_INIT;
		size_t dn;
		const char *dk = jsonv_str(key, klen, &tmp, &dn);
		const wsym *k = ctx_sym(L->cx, dk, dn);
		buf_release(&tmp);
		jconv_push_key(jc, k->s, k->len);
		if (jconv_value(jc, v, et ? et->tags : NULL, &f[nf].val) == 0)
			f[nf++].key = k;
		else
			bad = 1;
		jconv_pop(jc);
	}
	if (!bad && nf) {
		const wrecord *r = record_make(&L->es->arena, f, nf, false);
		if (r)
			e->tags = r;
	}
	free(f);
	jconv_pop(jc);
}

static void load_parents(loader *L, wentity *e, const json_t *parents, const wentity_type *et, bool is_action)
{
	jconv *jc = &L->jc;
	e->parents = NULL;
	e->nparents = 0;
	if (!parents)
		return;
	jconv_push_key(jc, "parents", 7);
	jc->root = jc->depth;
	if (!json_is_array(parents)) {
		wbuf dsc = WBUF_INIT;
		jsonv_describe(parents, &dsc);
		jconv_error(jc, false, "\"parents\" must be an array of entity references, found %s", dsc.p);
		buf_release(&dsc);
		jconv_pop(jc);
		return;
	}
	size_t n = json_array_size(parents);
	e->parents = n ? ARENA_ARRAY(&L->es->arena, wuid, n) : NULL;
	for (size_t i = 0; i < n; i++) {
		jconv_push_idx(jc, i);
		jc->root = jc->depth;
		wuid p;
		if (jconv_uid(jc, json_array_get(parents, i), false, &p) != 0) {
			jconv_pop(jc);
			continue;
		}
		bool ok = true;
		bool parent_is_action = ctx_is_action_type(p.type);
		wbuf pu = WBUF_INIT;
		uid_print(p, &pu);
		if (is_action && !parent_is_action) {
			jconv_error(jc, false, "parent %s of an action must be an action", pu.p);
			ok = false;
		} else if (et) {
			bool allowed = false;
			for (uint32_t k = 0; k < et->nparents; k++)
				if (et->parents[k] == p.type)
					allowed = true;
			if (!allowed) {
				wbuf al = WBUF_INIT;
				for (uint32_t k = 0; k < et->nparents; k++)
					buf_printf(&al, "%s'%s'", k ? ", " : "", et->parents[k]->s);
				jconv_error(jc, false, "parent %s is not allowed: entity type '%s' may only be in %s%s", pu.p,
					    et->name->s, et->nparents ? "entities of type " : "no other entities",
					    al.p ? al.p : "");
				buf_release(&al);
				ok = false;
			} else if (jconv_check_enum(jc, p) != 0) {
				ok = false;
			}
		}
		buf_release(&pu);
		if (ok) {
			bool dup = false;
			for (uint32_t k = 0; k < e->nparents; k++)
				if (uid_eq(e->parents[k], p))
					dup = true;
			if (!dup)
				e->parents[e->nparents++] = p;
		}
		jconv_pop(jc);
		jc->root = jc->depth;
	}
	jconv_pop(jc);
}

/* One element of the entities array. */
static void load_entity(loader *L, const json_t *obj, size_t idx)
{
	jconv *jc = &L->jc;
	jc->depth = 0;
	jconv_push_idx(jc, idx);
	jc->root = jc->depth;
	char where[48];
	snprintf(where, sizeof where, "entity at index %zu", idx);
	jc->base = where;
	if (!json_is_object(obj)) {
		wbuf dsc = WBUF_INIT;
		jsonv_describe(obj, &dsc);
		jconv_error(jc, false, "expected an entity object {\"uid\", \"attrs\", \"parents\"}, found %s", dsc.p);
		buf_release(&dsc);
		return;
	}
	warn_unknown_keys(L, obj);
	const json_t *juid = json_object_get(obj, "uid");
	if (!juid) {
		jconv_error(jc, false, "missing \"uid\"");
		return;
	}
	wuid uid;
	jconv_push_key(jc, "uid", 3);
	jc->root = jc->depth;
	int rc = jconv_uid(jc, juid, false, &uid);
	jconv_pop(jc);
	if (rc != 0)
		return;

	wbuf name = WBUF_INIT;
	buf_adds(&name, "entity ");
	uid_print(uid, &name);
	jc->base = name.p;

	uint32_t prev = index_find(L->es, uid);
	if (prev != NONE) {
		uint32_t pj = json_idx_of(L, prev);
		jconv_push_key(jc, "uid", 3);
		jc->root = jc->depth;
		if (pj != NONE)
			jconv_error(jc, false, "duplicate entity (already defined at index %u)", pj);
		else
			jconv_error(jc, false, "duplicate entity");
		jconv_pop(jc);
		buf_release(&name);
		return;
	}

	bool is_action = ctx_is_action_type(uid.type) != 0;
	const wentity_type *et = NULL;
	int nerr0 = jc->nerr;
	if (L->schema) {
		jconv_push_key(jc, "uid", 3);
		jc->root = jc->depth;
		if (is_action) {
			if (!schema_action(L->schema, uid))
				jconv_error(jc, false, "action is not declared in the schema");
		} else {
			et = schema_entity_type(L->schema, uid.type);
			if (!et) {
				const wsym *sg = suggest_type(L->schema, uid.type);
				if (sg)
					jconv_error(jc, false, "entity type '%s' is not declared in the schema; did you mean '%s'?",
						    uid.type->s, sg->s);
				else
					jconv_error(jc, false, "entity type '%s' is not declared in the schema", uid.type->s);
			} else {
				jconv_check_enum(jc, uid);
			}
		}
		jconv_pop(jc);
	}

	wentity *e = ARENA_NEW(&L->es->arena, wentity);
	e->uid = uid;
	e->attrs = record_empty();
	e->tags = record_empty();
	if (jc->nerr == nerr0) {
		load_attrs(L, e, json_object_get(obj, "attrs"), et, is_action);
		load_tags(L, e, json_object_get(obj, "tags"), et, is_action);
		load_parents(L, e, json_object_get(obj, "parents"), et, is_action);
	}
	uint32_t ord = store_add(L->es, e);
	record_json_idx(L, ord, (uint32_t)idx);
	buf_release(&name);
}

/* Direct parents of `u` in some hierarchy: sets *parents (NULL when `u` is
 * unknown there) and returns their number. */
typedef uint32_t (*parents_fn)(const void *where, wuid u, const wuid **parents);

static uint32_t json_parents(const void *where, wuid u, const wuid **parents)
{
	const wentity *e = entities_get(where, u);
	*parents = e ? e->parents : NULL;
	return e ? e->nparents : 0;
}

static uint32_t schema_parents(const void *where, wuid u, const wuid **parents)
{
	const waction *a = schema_action(where, u);
	*parents = a ? a->member_of : NULL;
	return a ? a->nmember_of : 0;
}

/* The transitive parents of `start` (not `start` itself unless on a cycle),
 * iteratively; used to compare an action written in the JSON with its
 * declaration in the schema. */
static void action_closure(const void *where, parents_fn parents_of, wuid start, uidset *out)
{
	uidset_clear(out);
	wuid *stack = NULL;
	size_t n = 0, cap = 0;
	wuid u = start;
	for (;;) {
		const wuid *ps;
		uint32_t np = parents_of(where, u, &ps);
		for (uint32_t k = 0; k < np; k++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				stack = xrealloc(stack, cap * sizeof *stack);
			}
			stack[n++] = ps[k];
		}
		do {
			if (!n) {
				free(stack);
				return;
			}
			u = stack[--n];
		} while (!uidset_add(out, u));
	}
}

static void check_json_actions(loader *L)
{
	wentities *es = L->es;
	uidset a = {0}, b = {0};
	for (uint32_t o = 0; o < es->n; o++) {
		const wentity *e = es->items[o];
		if (!ctx_is_action_type(e->uid.type) || !schema_action(L->schema, e->uid))
			continue;
		action_closure(es, json_parents, e->uid, &a);
		action_closure(L->schema, schema_parents, e->uid, &b);
		bool same = a.n == b.n;
		for (uint32_t k = 0; same && k < a.n; k++)
			same = uidset_has(&b, a.slot[a.used[k]]);
		if (same)
			continue;
		if (L->fast) {
			L->bail = true;
			break;
		}
		wbuf m = WBUF_INIT;
		uid_print(e->uid, &m);
		L->jc.depth = 0;
		jconv_push_idx(&L->jc, json_idx_of(L, o));
		jconv_push_key(&L->jc, "parents", 7);
		L->jc.root = L->jc.depth;
		L->jc.base = "action";
		jconv_error(&L->jc, false, "%s does not match its declaration in the schema: its action groups differ", m.p);
		buf_release(&m);
	}
	uidset_release(&a);
	uidset_release(&b);
}

static void add_schema_actions(loader *L)
{
	const wschema *s = L->schema;
	for (uint32_t i = 0; i < s->nactions; i++) {
		const waction *a = &s->actions[i];
		if (index_find(L->es, a->uid) != NONE)
			continue;
		wentity *e = ARENA_NEW(&L->es->arena, wentity);
		e->uid = a->uid;
		e->attrs = record_empty();
		e->tags = record_empty();
		e->nparents = a->nmember_of;
		e->parents = a->nmember_of ? arena_memdup(&L->es->arena, a->member_of, a->nmember_of * sizeof(wuid)) : NULL;
		store_add(L->es, e);
	}
}

/* Reports a cycle through the entities `mem[0..n)`. */
static void report_cycle(loader *L, const uint32_t *mem, uint32_t n)
{
	wentities *es = L->es;
	if (L->fast) {
		L->bail = true;
		return;
	}
	uint32_t at = mem[0];
	for (uint32_t k = 0; k < n; k++)
		if (json_idx_of(L, mem[k]) != NONE && (json_idx_of(L, at) == NONE || json_idx_of(L, mem[k]) < json_idx_of(L, at)))
			at = mem[k];
	wbuf m = WBUF_INIT;
	buf_adds(&m, "the entity hierarchy has a cycle: ");
	for (uint32_t k = 0; k < n && k < 8; k++) {
		if (k)
			buf_adds(&m, ", ");
		uid_print(es->items[mem[k]]->uid, &m);
	}
	if (n > 8)
		buf_printf(&m, " and %u more", n - 8);
	buf_adds(&m, n == 1 ? " is its own ancestor" : " are ancestors of each other");
	if (json_idx_of(L, at) != NONE) {
		L->jc.depth = 0;
		jconv_push_idx(&L->jc, json_idx_of(L, at));
		jconv_push_key(&L->jc, "parents", 7);
		wspan sp = jsonv_locate(L->src->text, L->src->len, L->jc.path, L->jc.depth, false);
		diag_add(L->d, WSEV_ERROR, L->src, sp, "%s", m.p);
	} else {
		diag_add(L->d, WSEV_ERROR, NULL, (wspan){0, 0}, "%s: %s", L->src->name, m.p);
	}
	buf_release(&m);
}

/* The ordinal of every parent of every entity (NONE when not in the
 * store) into pord, at poff[entity] + k. The index slots of a batch of
 * parents are prefetched before any is probed, so on a large store the
 * cache misses overlap instead of following one another. */
static void index_find_edges(const wentities *es, const uint32_t *poff, uint32_t *pord)
{
	enum { BATCH = 16 };
	const struct wentities_index *ix = es->index;
	uint32_t mask = ix->cap - 1;
	struct {
		uint32_t tid, iid, slot, at;
	} q[BATCH];
	unsigned nq = 0;
	for (uint32_t i = 0; i <= es->n; i++) {
		const wentity *e = i < es->n ? es->items[i] : NULL;
		for (uint32_t p = 0; e && p < e->nparents; p++) {
			wuid u = e->parents[p];
			q[nq].tid = u.type->id;
			q[nq].iid = u.id->id;
			q[nq].slot = uid_hash(u) & mask;
			q[nq].at = poff[i] + p;
			__builtin_prefetch(&ix->slot[q[nq].slot]);
			if (++nq < BATCH)
				continue;
			nq = 0;
			for (unsigned j = 0; j < BATCH; j++)
				pord[q[j].at] = index_probe(ix, q[j].tid, q[j].iid, q[j].slot);
		}
		if (!e)
			for (unsigned j = 0; j < nq; j++)
				pord[q[j].at] = index_probe(ix, q[j].tid, q[j].iid, q[j].slot);
	}
}

/* Tarjan's state of one entity, in one place: on a store of millions of
 * entities the walk visits them in no useful order, and each visit is then
 * one cache miss rather than one per array. */
typedef struct cl_vertex {
	uint32_t idx;  /* visit number; NONE: not visited yet */
	uint32_t low;  /* low link */
	uint32_t comp; /* component; NONE while on the stack (visited, unfinished) */
} cl_vertex;

/* Links every entity to its parents in the store (parent_ents) and
 * reports every cycle of the hierarchy (see the file comment). */
static void link_parents(loader *L)
{
	wentities *es = L->es;
	uint32_t n = es->n;
	if (!n)
		return;
	/* every parent's ordinal, looked up once, in store order */
	uint32_t *poff = xmalloc(((size_t)n + 1) * sizeof *poff);
	size_t nedges = 0;
	for (uint32_t i = 0; i < n; i++) {
		poff[i] = (uint32_t)nedges;
		nedges += es->items[i]->nparents;
	}
	poff[n] = (uint32_t)nedges;
	if (!nedges) {
		free(poff);
		return;
	}
	uint32_t *pord = xmalloc(nedges * sizeof *pord);
	index_find_edges(es, poff, pord);
	bool self_loop = false;
	for (uint32_t i = 0; i < n; i++) {
		wentity *e = es->items[i];
		if (!e->nparents)
			continue;
		const wentity **pe = ARENA_ARRAY(&es->arena, const wentity *, e->nparents);
		for (uint32_t p = 0; p < e->nparents; p++) {
			uint32_t o = pord[poff[i] + p];
			pe[p] = o == NONE ? NULL : es->items[o];
			self_loop |= o == i;
		}
		e->parent_ents = pe;
	}

	/* cycles: strongly connected components of more than one entity, or
	 * an entity that is its own parent */
	cl_vertex *vx = xmalloc(n * sizeof *vx);
	uint32_t *stack = xmalloc(n * sizeof *stack);
	uint32_t *fv = xmalloc(n * sizeof *fv); /* frames: vertex */
	uint32_t *fk = xmalloc(n * sizeof *fk); /* frames: next edge */
	uint32_t *mem = xmalloc(n * sizeof *mem);
	uint32_t sp = 0, nf = 0, counter = 0, ncomp = 0;
	for (uint32_t i = 0; i < n; i++) {
		vx[i].idx = NONE;
		vx[i].comp = NONE;
	}
	for (uint32_t s = 0; s < n; s++) {
		if (vx[s].idx != NONE)
			continue;
		vx[s].idx = vx[s].low = counter++;
		stack[sp++] = s;
		fv[nf] = s;
		fk[nf++] = poff[s];
		while (nf) {
			uint32_t v = fv[nf - 1];
			if (fk[nf - 1] < poff[v + 1]) {
				uint32_t w = pord[fk[nf - 1]++];
				if (w == NONE)
					continue;
				if (vx[w].idx == NONE) {
					vx[w].idx = vx[w].low = counter++;
					stack[sp++] = w;
					fv[nf] = w;
					fk[nf++] = poff[w];
				} else if (vx[w].comp == NONE && vx[w].idx < vx[v].low) {
					vx[v].low = vx[w].idx; /* w is on the stack */
				}
				continue;
			}
			nf--;
			if (vx[v].low == vx[v].idx) {
				/* a finished component: v and everything above it on the stack */
				uint32_t nm = 0;
				uint32_t w;
				do {
					w = stack[--sp];
					vx[w].comp = ncomp;
					mem[nm++] = w;
				} while (w != v);
				bool cyclic = nm > 1;
				for (uint32_t pe = poff[v]; self_loop && !cyclic && pe < poff[v + 1]; pe++)
					cyclic = pord[pe] == v;
				if (cyclic)
					report_cycle(L, mem, nm);
				ncomp++;
			}
			if (nf) {
				uint32_t u = fv[nf - 1];
				if (vx[v].low < vx[u].low)
					vx[u].low = vx[v].low;
			}
		}
	}
	free(poff);
	free(pord);
	free(vx);
	free(stack);
	free(fv);
	free(fk);
	free(mem);
}

/* ---- the fast path ---------------------------------------------------------
 *
 * Loading through jansson costs a heap node per JSON value and a hash table
 * per object, which is most of the time of a load. fastload() instead reads
 * the text once with a small recursive-descent reader that builds the
 * entities and their values straight into the store's arena, for the plain
 * JSON entity files are made of. It gives up (and the store is emptied and
 * loaded by the careful path above, which reports every problem with its
 * location) on anything outside that subset or anything that could be an
 * error or a warning:
 *   - JSON it does not read itself: string escapes, bytes outside printable
 *     ASCII, numbers with a fraction or exponent or outside 64 bits, deep
 *     nesting, invalid JSON;
 *   - the __extn and __expr escapes, tags, entity members other than
 *     uid/attrs/parents, duplicate keys or entities, enumerated entity
 *     types, cycles, action groups that disagree with the schema;
 *   - with a schema, any entity whose type is not declared, any parent of a
 *     type it may not be in, any attribute record not conforming to its
 *     declared type (jsonv_value_conforms). Values are read untyped, as
 *     without a schema; where the schema would read the same JSON
 *     differently ({"type","id"} objects or strings in entity or extension
 *     positions), the untyped value does not conform, so it gives up too.
 * So whenever it finishes, the store is the one the careful path builds.
 */

#define FL_TYPE_CACHE 16

/* What the loader needs to know of an entity type name, worked out once
 * per name: an entity file names few types, over and over. */
typedef struct fl_type {
	const wsym *name;        /* NULL: slot unused */
	const wentity_type *et;  /* its schema declaration, or NULL */
	bool is_action;          /* an action type (Action, NS::Action) */
} fl_type;

typedef struct fl {
	loader *L;
	const char *p, *end;
	wvalue *vs;   /* scratch stack of set elements, shared by nesting levels */
	size_t nvs, cvs;
	wfield *fs;   /* scratch stack of record fields */
	size_t nfs, cfs;
	unsigned depth;
	fl_type types[FL_TYPE_CACHE]; /* facts about recent type names, by id */
	const wsym *names[64];       /* recent type and attribute names (fl_name) */
} fl;


#define FL_MAX_DEPTH 64

/* Eight bytes at p (any alignment) as a word. */
static uint64_t fl_word(const char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof w);
	return w;
}

#define FL_ONES 0x0101010101010101ULL
#define FL_HIGHS 0x8080808080808080ULL
/* Nonzero when some byte of w is zero (exact as a yes/no test). */
#define FL_HASZERO(w) (((w) - FL_ONES) & ~(w) & FL_HIGHS)

/* Index of the first byte of w flagged in `m` (a FL_HASZERO-style mask:
 * its lowest set bit is exact). Words are read little-endian. */
static unsigned fl_first(uint64_t m)
{
	return (unsigned)__builtin_ctzll(m) >> 3;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define FL_SWAR 1
#else
#define FL_SWAR 0
#endif

static inline void fl_ws_run(fl *f)
{
	const char *p = f->p, *end = f->end;
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) {
		char c = *p++;
#if FL_SWAR
		/* after a newline comes indentation: skip it a word at a time */
		if (c == '\n') {
#if defined(__SSE2__)
			/* sixteen at a time where SSE2 is there (every x86-64) */
			const __m128i sp = _mm_set1_epi8(' ');
			while (end - p >= 16) {
				unsigned m = (unsigned)_mm_movemask_epi8(
					_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), sp));
				if (m != 0xffffu) {
					p += __builtin_ctz(~m);
					goto next;
				}
				p += 16;
			}
#endif
			while (end - p >= 8) {
				uint64_t x = fl_word(p) ^ (FL_ONES * ' ');
				if (x) {
					p += fl_first(x); /* x's lowest set bit is in the first non-space */
					break;
				}
				p += 8;
			}
		}
#else
		(void)c;
#endif
#if FL_SWAR && defined(__SSE2__)
	next:;
#endif
	}
	f->p = p;
}

/* Skips whitespace; most calls meet none (compact JSON, or a token that
 * follows another directly), so that case is one compare. */
static inline void fl_ws(fl *f)
{
	if (f->p < f->end && (unsigned char)*f->p > ' ')
		return;
	fl_ws_run(f);
}

static bool fl_eat(fl *f, char c);

/* Matches the quoted key `lit` (written with its quotes) and its ':'. */
static inline bool fl_lit_key(fl *f, const char *lit, size_t n)
{
	fl_ws(f);
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, lit, n) != 0)
		return false;
	f->p += n;
	return fl_eat(f, ':');
}

static inline bool fl_eat(fl *f, char c)
{
	fl_ws(f);
	if (f->p < f->end && *f->p == c) {
		f->p++;
		return true;
	}
	return false;
}

/* A string without escapes and within printable ASCII: its bytes in place. */
static inline bool fl_str(fl *f, const char **s, size_t *n)
{
	if (!fl_eat(f, '"'))
		return false;
	const char *b = f->p;
#if FL_SWAR && defined(__SSE2__)
	/* sixteen bytes at a time up to the first '"', '\\', control (< 0x20),
	 * DEL or non-ASCII byte: as signed bytes, the last two are those
	 * >= 0x7f or < 0, i.e. not in [0x20, 0x7e] */
	{
		const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
		const __m128i lo = _mm_set1_epi8(0x20), hi = _mm_set1_epi8(0x7f);
		while (f->end - f->p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)f->p);
			__m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
						   _mm_or_si128(_mm_cmpgt_epi8(lo, v), _mm_cmpeq_epi8(v, hi)));
			unsigned m = (unsigned)_mm_movemask_epi8(bad);
			if (m) {
				f->p += __builtin_ctz(m);
				goto scanned;
			}
			f->p += 16;
		}
	}
#endif
#if FL_SWAR
	/* a word at a time up to the first '"', '\\', control or non-ASCII byte */
	while (f->end - f->p >= 8) {
		uint64_t w = fl_word(f->p);
		uint64_t q = w ^ (FL_ONES * '"'), bs = w ^ (FL_ONES * '\\'), del = w ^ (FL_ONES * 0x7f);
		uint64_t m = (w & FL_HIGHS) | FL_HASZERO(q) | FL_HASZERO(bs) | FL_HASZERO(del) |
			     FL_HASZERO(w & (FL_ONES * 0xe0));
		if (m) {
			f->p += fl_first(m);
			break;
		}
		f->p += 8;
	}
#endif
#if FL_SWAR && defined(__SSE2__)
scanned:
#endif
	while (f->p < f->end) {
		unsigned char c = (unsigned char)*f->p;
		if (c == '"') {
			*s = b;
			*n = (size_t)(f->p - b);
			f->p++;
			return true;
		}
		if (c == '\\' || c < 0x20 || c >= 0x7f)
			return false;
		f->p++;
	}
	return false;
}

/* The symbol for a type or attribute name. An entity file repeats a few
 * such names over and over, so a small cache keyed by length and end bytes
 * saves most of the hashing and probing of the symbol table. */
static const wsym *fl_name(fl *f, const char *s, size_t n)
{
	unsigned h = n ? ((unsigned)n * 31u + (unsigned char)s[0] * 7u + (unsigned char)s[n - 1]) & 63u : 0;
	const wsym *y = f->names[h];
	if (y && y->len == n && intern_bytes_eq(y->s, s, n))
		return y;
	y = ctx_sym(f->L->cx, s, n);
	f->names[h] = y;
	return y;
}

static bool fl_key(fl *f, const char **s, size_t *n)
{
	return fl_str(f, s, n) && fl_eat(f, ':');
}

static bool fl_lit(fl *f, const char *w, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0)
		return false;
	f->p += n;
	return true;
}

static bool fl_long(fl *f, int64_t *out)
{
	bool neg = false;
	if (f->p < f->end && *f->p == '-') {
		neg = true;
		f->p++;
	}
	const char *b = f->p;
	uint64_t v = 0;
	while (f->p < f->end && *f->p >= '0' && *f->p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*f->p - '0');
		f->p++;
	}
	size_t nd = (size_t)(f->p - b);
	if (nd == 0 || (nd > 1 && *b == '0'))
		return false;
	if (f->p < f->end && (*f->p == '.' || *f->p == 'e' || *f->p == 'E'))
		return false;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* The facts about type name `ty` (NULL when it is not a valid name). */
static const fl_type *fl_type_of(fl *f, const wsym *ty)
{
	fl_type *c = &f->types[ty->id % FL_TYPE_CACHE];
	if (c->name != ty) {
		if (!jsonv_valid_name(ty->s, ty->len))
			return NULL;
		c->name = ty;
		c->is_action = ctx_is_action_type(ty) != 0;
		c->et = f->L->schema ? schema_entity_type(f->L->schema, ty) : NULL;
	}
	return c;
}

/* {"type": T, "id": I} with exactly those members, after the '{'. */
static bool fl_type_id(fl *f, wuid *out)
{
	const char *t = NULL, *id = NULL, *k;
	size_t tn = 0, idn = 0, kn;
	/* the usual order, matched without scanning the keys */
	const char *save = f->p;
	if (fl_lit_key(f, "\"type\"", 6) && fl_str(f, &t, &tn) && fl_eat(f, ',') && fl_lit_key(f, "\"id\"", 4) &&
	    fl_str(f, &id, &idn))
		goto done;
	f->p = save;
	t = id = NULL;
	for (int m = 0; m < 2; m++) {
		if (m && !fl_eat(f, ','))
			return false;
		const char *v;
		size_t vn;
		if (!fl_key(f, &k, &kn) || !fl_str(f, &v, &vn))
			return false;
		if (kn == 4 && memcmp(k, "type", 4) == 0 && !t)
			t = v, tn = vn;
		else if (kn == 2 && memcmp(k, "id", 2) == 0 && !id)
			id = v, idn = vn;
		else
			return false;
	}
done:;
	/* start loading the id's slot of the symbol table (a cache miss on a
	 * large store) while the rest is read and the type is looked up */
	winterner *syms = &f->L->cx->syms;
	uint32_t idh = intern_prefetch(syms, id, idn);
	if (!fl_eat(f, '}'))
		return false;
	const wsym *ty = fl_name(f, t, tn);
	if (!fl_type_of(f, ty))
		return false;
	out->type = ty;
	out->id = intern_get_hashed(syms, id, idn, idh);
	return true;
}

/* An entity uid: {"__entity": {"type", "id"}} or {"type", "id"}. */
static bool fl_uid(fl *f, wuid *out)
{
	if (!fl_eat(f, '{'))
		return false;
	fl_ws(f);
	if (f->end - f->p >= 10 && memcmp(f->p, "\"__entity\"", 10) == 0) {
		f->p += 10;
		return fl_eat(f, ':') && fl_eat(f, '{') && fl_type_id(f, out) && fl_eat(f, '}');
	}
	return fl_type_id(f, out);
}

static bool fl_value(fl *f, wvalue *out);

static bool fl_push_value(fl *f, wvalue v)
{
	if (f->nvs == f->cvs) {
		f->cvs = f->cvs ? f->cvs * 2 : 256;
		f->vs = xrealloc(f->vs, f->cvs * sizeof *f->vs);
	}
	f->vs[f->nvs++] = v;
	return true;
}

/* The members of an object after its '{', as a record: attribute names are
 * any keys. */
static bool fl_record(fl *f, wvalue *out)
{
	size_t base = f->nfs;
	bool ok = true;
	if (!fl_eat(f, '}')) {
		do {
			const char *k;
			size_t kn;
			wvalue v;
			if (!fl_key(f, &k, &kn) || !fl_value(f, &v)) {
				ok = false;
				break;
			}
			if (f->nfs == f->cfs) {
				f->cfs = f->cfs ? f->cfs * 2 : 256;
				f->fs = xrealloc(f->fs, f->cfs * sizeof *f->fs);
			}
			f->fs[f->nfs].key = fl_name(f, k, kn);
			f->fs[f->nfs++].val = v;
		} while (fl_eat(f, ','));
		ok = ok && fl_eat(f, '}');
	}
	const wrecord *r = NULL;
	if (ok)
		r = f->nfs > base ? record_make(&f->L->es->arena, f->fs + base, f->nfs - base, false) : record_empty();
	f->nfs = base;
	if (!r)
		return false; /* a syntax problem or a duplicate key */
	out->kind = WV_RECORD;
	out->u.rec = r;
	return true;
}

static bool fl_value(fl *f, wvalue *out)
{
	if (++f->depth > FL_MAX_DEPTH)
		return false;
	bool ok = false;
	fl_ws(f);
	if (f->p >= f->end) {
		f->depth--;
		return false;
	}
	switch (*f->p) {
	case '"': {
		const char *s;
		size_t n;
		if ((ok = fl_str(f, &s, &n)))
			*out = value_string(n ? arena_memdup(&f->L->es->arena, s, n) : "", (uint32_t)n);
		break;
	}
	case 't':
		if ((ok = fl_lit(f, "true", 4)))
			*out = value_bool(true);
		break;
	case 'f':
		if ((ok = fl_lit(f, "false", 5)))
			*out = value_bool(false);
		break;
	case '[': {
		f->p++;
		size_t base = f->nvs;
		ok = true;
		if (!fl_eat(f, ']')) {
			do {
				wvalue v;
				if (!fl_value(f, &v)) {
					ok = false;
					break;
				}
				fl_push_value(f, v);
			} while (fl_eat(f, ','));
			ok = ok && fl_eat(f, ']');
		}
		if (ok) {
			out->kind = WV_SET;
			out->u.set = f->nvs > base ? set_make(&f->L->es->arena, f->vs + base, f->nvs - base)
						   : set_empty();
		}
		f->nvs = base;
		break;
	}
	case '{': {
		f->p++;
		fl_ws(f);
		if (f->end - f->p >= 3 && memcmp(f->p, "\"__", 3) == 0) {
			/* an escape: only __entity is read here */
			wuid u;
			if (f->end - f->p >= 10 && memcmp(f->p, "\"__entity\"", 10) == 0) {
				f->p += 10;
				ok = fl_eat(f, ':') && fl_eat(f, '{') && fl_type_id(f, &u) && fl_eat(f, '}');
				if (ok)
					*out = value_entity(u);
			}
			break;
		}
		ok = fl_record(f, out);
		break;
	}
	default:
		if (*f->p == '-' || (*f->p >= '0' && *f->p <= '9')) {
			int64_t i;
			if ((ok = fl_long(f, &i)))
				*out = value_long(i);
		}
		break;
	}
	f->depth--;
	return ok;
}

/* A parent list, after checking each parent as load_parents does. */
static bool fl_parents(fl *f, wentity *e, const wentity_type *et, bool is_action)
{
	wuid *ps = NULL;
	uint32_t n = 0, cap = 0;
	if (!fl_eat(f, '['))
		return false;
	if (fl_eat(f, ']'))
		return true;
	do {
		wuid p;
		if (!fl_uid(f, &p))
			return false;
		const fl_type *pt = fl_type_of(f, p.type); /* known valid: fl_uid checked it */
		if (is_action && !pt->is_action)
			return false;
		if (et) {
			bool allowed = false;
			for (uint32_t k = 0; k < et->nparents; k++)
				allowed |= et->parents[k] == p.type;
			if (!allowed || (pt->et && pt->et->is_enum))
				return false;
		}
		bool dup = false;
		for (uint32_t k = 0; k < n; k++)
			dup |= uid_eq(ps[k], p);
		if (dup)
			continue;
		if (n == cap) {
			uint32_t ncap = cap ? cap * 2 : 4;
			wuid *np = ARENA_ARRAY(&f->L->es->arena, wuid, ncap);
			if (n)
				memcpy(np, ps, n * sizeof *np);
			ps = np;
			cap = ncap;
		}
		ps[n++] = p;
	} while (fl_eat(f, ','));
	if (!fl_eat(f, ']'))
		return false;
	e->parents = ps;
	e->nparents = n;
	return true;
}

/* One element of the entities array: {"uid": U, then "attrs" and/or
 * "parents"} (the uid first, as entity files write it; any other order is
 * left to the careful path). */
static bool fl_entity(fl *f)
{
	loader *L = f->L;
	const wschema *schema = L->schema;
	const char *k;
	size_t kn;
	wuid uid;
	if (!fl_eat(f, '{') || !fl_key(f, &k, &kn) || kn != 3 || memcmp(k, "uid", 3) != 0 || !fl_uid(f, &uid))
		return false;
	/* the index slot store_add_new will probe: load it while the rest of
	 * the entity is read */
	if (L->es->index && L->es->index->cap)
		__builtin_prefetch(&L->es->index->slot[uid_hash(uid) & (L->es->index->cap - 1)]);
	const fl_type *ut = fl_type_of(f, uid.type);
	bool is_action = ut->is_action;
	const wentity_type *et = NULL;
	if (schema) {
		if (is_action) {
			if (!schema_action(schema, uid))
				return false;
		} else {
			et = ut->et;
			if (!et || et->is_enum)
				return false;
		}
	}
	wentity *e = ARENA_NEW(&L->es->arena, wentity);
	e->uid = uid;
	e->attrs = record_empty();
	e->tags = record_empty();
	bool seen_attrs = false, seen_parents = false;
	while (fl_eat(f, ',')) {
		if (!fl_key(f, &k, &kn))
			return false;
		if (kn == 5 && memcmp(k, "attrs", 5) == 0 && !seen_attrs) {
			seen_attrs = true;
			wvalue v;
			if (!fl_eat(f, '{') || !fl_record(f, &v))
				return false;
			if (is_action && schema && v.u.rec->n)
				return false;
			e->attrs = v.u.rec;
		} else if (kn == 7 && memcmp(k, "parents", 7) == 0 && !seen_parents) {
			seen_parents = true;
			if (!fl_parents(f, e, et, is_action))
				return false;
		} else {
			return false; /* tags, unknown or repeated members */
		}
	}
	if (!fl_eat(f, '}'))
		return false;
	if (et) {
		/* required, undeclared and ill-typed attributes */
		wvalue rv;
		rv.kind = WV_RECORD;
		rv.u.rec = e->attrs;
		wbuf why = WBUF_INIT;
		bool ok = jsonv_value_conforms(schema, &rv, et->attrs, &why);
		buf_release(&why);
		if (!ok)
			return false;
	}
	return store_add_new(L->es, e); /* false for a duplicate uid */
}

/* Loads the whole text through the fast path; false when the careful path
 * must do it (the store then holds a partial load: the caller empties it). */
static bool fastload(loader *L, const char *text, size_t len)
{
	fl f;
	memset(&f, 0, sizeof f);
	/* an entity takes 150 bytes of text or more (a few hundred, pretty
	 * printed) and interns about one new id: size the tables for a lower
	 * bound of that, so they grow at most once or twice but are not
	 * oversized for pretty-printed files */
	size_t est = len / 256;
	store_reserve(L->es, est);
	intern_reserve(&L->cx->syms, est);
	f.L = L;
	f.p = text;
	f.end = text + len;
	bool ok = fl_eat(&f, '[');
	if (ok && !fl_eat(&f, ']')) {
		do {
			if (!(ok = fl_entity(&f)))
				break;
		} while (fl_eat(&f, ','));
		ok = ok && fl_eat(&f, ']');
	}
	fl_ws(&f);
	ok = ok && f.p == f.end;
	free(f.vs);
	free(f.fs);
	if (!ok)
		return false;
	if (L->schema) {
		check_json_actions(L);
		if (L->bail)
			return false;
		add_schema_actions(L);
	}
	link_parents(L);
	return !L->bail;
}

static int load_json(wctx *cx, wentities *es, const wschema *schema, const char *name, const char *text, size_t len,
		     wdiags *d, bool try_fast)
{
	size_t err0 = d->nerrors;
	if (try_fast && es->n == 0) {
		loader F;
		memset(&F, 0, sizeof F);
		F.cx = cx;
		F.es = es;
		F.schema = schema;
		F.d = d;
		F.fast = true;
		if (fastload(&F, text, len))
			return 0;
		entities_release(es);
		entities_init(es);
	}
	/* the source outlives the diagnostics as long as the store does */
	wsource *src = ARENA_NEW(&es->arena, wsource);
	src->name = arena_strndup(&es->arena, name ? name : "<entities>", strlen(name ? name : "<entities>"));
	src->text = arena_strndup(&es->arena, text ? text : "", text ? len : 0);
	src->len = text ? len : 0;

	json_error_t je;
	size_t off = 0;
	json_t *root = jsonv_load(src->text, src->len, &je, &off);
	if (!root) {
		diag_add(d, WSEV_ERROR, src, (wspan){(uint32_t)off, (uint32_t)off + 1}, "invalid JSON: %s", je.text);
		return (int)(d->nerrors - err0);
	}
	if (!json_is_array(root)) {
		wbuf dsc = WBUF_INIT;
		jsonv_describe(root, &dsc);
		diag_add(d, WSEV_ERROR, src, jsonv_locate(src->text, src->len, NULL, 0, false),
			 "entities JSON must be an array of entity objects, found %s", dsc.p);
		buf_release(&dsc);
		json_decref(root);
		return (int)(d->nerrors - err0);
	}

	loader L;
	memset(&L, 0, sizeof L);
	L.cx = cx;
	L.es = es;
	L.schema = schema;
	L.d = d;
	L.src = src;
	jconv_init(&L.jc, cx, &es->arena, schema, sink_diag, &L);

	size_t n = json_array_size(root);
	for (size_t i = 0; i < n; i++)
		load_entity(&L, json_array_get(root, i), i);
	if (schema) {
		check_json_actions(&L);
		add_schema_actions(&L);
	}
	link_parents(&L);

	jconv_release(&L.jc);
	free(L.json_idx);
	json_decref(root);
	return (int)(d->nerrors - err0);
}

int entities_load_json(wctx *cx, wentities *es, const wschema *schema, const char *name, const char *text,
		       size_t len, wdiags *d)
{
	return load_json(cx, es, schema, name, text, len, d, true);
}

int entities_load_json_careful(wctx *cx, wentities *es, const wschema *schema, const char *name, const char *text,
			       size_t len, wdiags *d)
{
	return load_json(cx, es, schema, name, text, len, d, false);
}

static int uid_sort_cmp(const void *a, const void *b)
{
	wvalue x = value_entity(*(const wuid *)a), y = value_entity(*(const wuid *)b);
	return value_cmp(&x, &y);
}

void entities_dump(const wentities *es, wbuf *out)
{
	for (uint32_t i = 0; i < es->n; i++) {
		const wentity *e = es->items[i];
		uid_print(e->uid, out);
		wvalue v;
		v.kind = WV_RECORD;
		v.u.rec = e->attrs;
		buf_adds(out, "\n  attrs ");
		value_print(&v, out);
		v.u.rec = e->tags;
		buf_adds(out, "\n  tags ");
		value_print(&v, out);
		buf_adds(out, "\n  parents");
		for (uint32_t p = 0; p < e->nparents; p++) {
			buf_adds(out, " ");
			uid_print(e->parents[p], out);
		}
		const wancestors *t = entity_ancestors(e);
		wuid *anc = xmalloc((t->n ? t->n : 1) * sizeof *anc);
		uint32_t n = 0;
		for (uint32_t k = 0; k < t->cap; k++)
			if (t->slot[k].type)
				anc[n++] = t->slot[k];
		qsort(anc, n, sizeof *anc, uid_sort_cmp);
		buf_printf(out, "\n  ancestors (%u)", t->n);
		for (uint32_t k = 0; k < n; k++) {
			buf_adds(out, " ");
			uid_print(anc[k], out);
		}
		buf_adds(out, "\n");
		free(anc);
	}
}
