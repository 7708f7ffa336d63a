/* authz: the authorizer (see authz.h).
 *
 * Deciding a request means evaluating the policies that can apply to it and
 * combining the results: deny by default, any applying forbid wins, otherwise
 * any applying permit allows. A policy whose evaluation errors is reported
 * with its message and treated as not applying. Unlinked templates are not
 * policies and are skipped; linked policies carry their slot values.
 *
 * The policy index (authz_prepare) keeps a decision from touching policies
 * whose scope cannot match. Every policy is filed under ONE key taken from
 * its scope, the most selective one it has:
 *
 *     principal == E1 && resource == E2     (PR_EQ, E1 E2)
 *     principal == E        (P_EQ, E)     resource == E       (R_EQ, E)
 *     principal in E        (P_IN, E)     resource in E       (R_IN, E)
 *     principal is T in E   (P_IN, E)     resource is T in E  (R_IN, E)
 *     action == E           (A_EQ, E)
 *     action in E           (A_IN, E)     action in [E1, E2]  (A_IN, E1), (A_IN, E2)
 *     anything else          the wildcard list
 *
 * (slots count as the entity they are linked to). A request (P, A, R) can
 * only be matched by the policies filed under (P_EQ, P), (P_IN, P) and
 * (P_IN, X) for each ancestor X of P, likewise for R and A, plus the
 * wildcards: a scope `principal in E` holds only when P == E or E is an
 * ancestor of P, and the scope is checked before any condition, so a policy
 * outside that set neither applies nor errors. The candidates are merged
 * back into policy-set order (reasons and errors are reported in that
 * order), then evaluated exactly as a linear scan would.
 *
 * Cost of a decision: one hash probe per (key kind in use) x (request entity
 * and each of its ancestors), a sort of the candidate list, and one
 * evaluation per candidate, so it depends on the policies that can apply,
 * not on the size of the set. Kinds with no keys are skipped entirely: a set
 * whose policies are all filed by action never looks at the principal's or
 * resource's ancestors. Memory for a decision comes from the request arena
 * `tmp` (small candidate lists live on the stack); nothing is allocated on
 * the heap once the arena has a chunk, and the index and policy set are only
 * read, so any number of threads may decide at once with their own arenas.
 */
#include "cedar/authz.h"

#include <string.h>

#include "cedar/compile.h"
#include "cedar/eval.h"

enum { K_P_EQ, K_P_IN, K_R_EQ, K_R_IN, K_A_EQ, K_A_IN, K_PR_EQ, K_NKINDS };

/* One key of the index: all policies filed under (kind, uid). */
typedef struct ix_slot {
	wuid uid;      /* type NULL: empty slot */
	wuid uid2;     /* K_PR_EQ: the resource (uid is the principal) */
	uint32_t kind; /* K_* */
	uint32_t off;  /* policy ordinals in lists[off .. off+len), ascending */
	uint32_t len;
} ix_slot;

struct wauthz_index {
	uint32_t n;               /* policies covered: items[0..n) */
	ix_slot *tab;             /* open addressing, power-of-two size */
	uint32_t cap;
	uint32_t *lists;          /* ordinals, grouped by key */
	uint32_t *wild;           /* ordinals filed under no key, ascending */
	uint32_t nwild;
	uint32_t nkeys[K_NKINDS]; /* keys of each kind (0: skip those probes) */
	wcpolicy *cp;             /* per policy: its compiled form (compile.h) */
};

/* uid2 is {NULL, NULL} except for K_PR_EQ. */
static uint32_t key_hash(uint32_t kind, wuid u, wuid u2)
{
	uint64_t h = ((uint64_t)u.type->id << 32) ^ (uint64_t)u.id->id ^ ((uint64_t)kind << 59);
	if (u2.type)
		h = (h * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)u2.type->id << 32) ^ (uint64_t)u2.id->id;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static bool key_eq(const ix_slot *s, uint32_t kind, wuid u, wuid u2)
{
	return s->kind == kind && uid_eq(s->uid, u) && s->uid2.type == u2.type && s->uid2.id == u2.id;
}

static const ix_slot *ix_find(const struct wauthz_index *ix, uint32_t kind, wuid u, wuid u2)
{
	uint32_t mask = ix->cap - 1;
	for (uint32_t i = key_hash(kind, u, u2) & mask;; i = (i + 1) & mask) {
		const ix_slot *s = &ix->tab[i];
		if (!s->uid.type)
			return NULL;
		if (key_eq(s, kind, u, u2))
			return s;
	}
}

/* ---- building ------------------------------------------------------------ */

/* A (kind, uid, policy) filing, before grouping. */
typedef struct filing {
	uint32_t kind;
	wuid uid, uid2;
	uint32_t pol;
} filing;

/* The entity a scope names, with the link's slot value for a slot; false
 * when it names an unlinked slot (the policy then errors: keep it a
 * wildcard so that the error is reported). */
static bool scope_uid(const wscope *sc, bool has_slot, const wuid *slot, wuid *out)
{
	if (!sc->slot) {
		*out = sc->uid;
		return true;
	}
	if (!has_slot)
		return false;
	*out = *slot;
	return true;
}

/* Files policy `pol` (into f[], returning how many filings were added). */
static uint32_t file_policy(const wpolicy *p, uint32_t pol, filing *f)
{
	const wpolicy *body = p->template_of ? p->template_of : p;
	const wscope *ps = &body->principal, *as = &body->action, *rs = &body->resource;
	const wuid none = {NULL, NULL};
	wuid u, u2;
	bool peq = ps->op == WSC_EQ && scope_uid(ps, p->has_slot_principal, &p->slot_principal, &u);
	bool req = rs->op == WSC_EQ && scope_uid(rs, p->has_slot_resource, &p->slot_resource, &u2);
	if (peq && req)
		return f[0] = (filing){K_PR_EQ, u, u2, pol}, 1;
	if (peq)
		return f[0] = (filing){K_P_EQ, u, none, pol}, 1;
	if (req)
		return f[0] = (filing){K_R_EQ, u2, none, pol}, 1;
	if ((ps->op == WSC_IN || ps->op == WSC_IS_IN) && scope_uid(ps, p->has_slot_principal, &p->slot_principal, &u))
		return f[0] = (filing){K_P_IN, u, none, pol}, 1;
	if ((rs->op == WSC_IN || rs->op == WSC_IS_IN) && scope_uid(rs, p->has_slot_resource, &p->slot_resource, &u))
		return f[0] = (filing){K_R_IN, u, none, pol}, 1;
	if (as->op == WSC_EQ)
		return f[0] = (filing){K_A_EQ, as->uid, none, pol}, 1;
	if (as->op == WSC_IN)
		return f[0] = (filing){K_A_IN, as->uid, none, pol}, 1;
	if (as->op == WSC_IN_SET && as->nlist > 0) {
		for (uint32_t i = 0; i < as->nlist; i++)
			f[i] = (filing){K_A_IN, as->list[i], none, pol};
		return as->nlist;
	}
	/* `action in []` matches nothing, which the wildcard scan also finds */
	return 0;
}

static bool is_policy(const wpolicy *p)
{
	return !(p->is_template && !p->template_of);
}

void authz_prepare(wpolicyset *ps)
{
	warena *a = &ps->arena;
	const uint32_t n = ps->n;
	struct wauthz_index *ix = ARENA_NEW(a, struct wauthz_index);
	ix->n = n;

	/* count the filings, then make them */
	size_t nf = 0;
	for (uint32_t i = 0; i < n; i++) {
		const wpolicy *p = ps->items[i];
		const wpolicy *body = p->template_of ? p->template_of : p;
		nf += body->action.op == WSC_IN_SET ? body->action.nlist + 1 : 1;
	}
	filing *f = ARENA_ARRAY(a, filing, nf ? nf : 1);
	uint32_t *wild = ARENA_ARRAY(a, uint32_t, n ? n : 1);
	size_t m = 0;
	ix->cp = ARENA_ARRAY(a, wcpolicy, n ? n : 1);
	for (uint32_t i = 0; i < n; i++) {
		const wpolicy *p = ps->items[i];
		if (!is_policy(p)) {
			ix->cp[i].generic = true;
			continue;
		}
		uint32_t k = file_policy(p, i, f + m);
		if (k == 0)
			wild[ix->nwild++] = i;
		/* the filing's dimension needs no scope check on the fast path */
		int guard = k == 0                  ? CP_GUARD_NONE
			    : f[m].kind == K_PR_EQ  ? CP_GUARD_PRINCIPAL_RESOURCE
			    : f[m].kind <= K_P_IN   ? CP_GUARD_PRINCIPAL
			    : f[m].kind <= K_R_IN   ? CP_GUARD_RESOURCE
						    : CP_GUARD_ACTION;
		compile_policy(a, p, guard, &ix->cp[i]);
		m += k;
	}
	ix->wild = wild;

	/* hash table of keys, at most half full */
	uint32_t cap = 16;
	while ((uint64_t)cap < (uint64_t)m * 2)
		cap *= 2;
	ix->cap = cap;
	ix->tab = ARENA_ARRAY(a, ix_slot, cap);
	/* pass 1: create the keys and count their policies */
	uint32_t *slot_of = ARENA_ARRAY(a, uint32_t, m ? m : 1);
	for (size_t k = 0; k < m; k++) {
		uint32_t mask = cap - 1, i = key_hash(f[k].kind, f[k].uid, f[k].uid2) & mask;
		while (ix->tab[i].uid.type && !key_eq(&ix->tab[i], f[k].kind, f[k].uid, f[k].uid2))
			i = (i + 1) & mask;
		ix_slot *s = &ix->tab[i];
		if (!s->uid.type) {
			s->uid = f[k].uid;
			s->uid2 = f[k].uid2;
			s->kind = f[k].kind;
			ix->nkeys[f[k].kind]++;
		}
		s->len++;
		slot_of[k] = i;
	}
	/* pass 2: lay the lists out; filings are in policy order, so each list
	 * comes out ascending (a policy filed twice under one key, as
	 * `action in [A, A]`, appears twice: the merge drops duplicates) */
	uint32_t off = 0;
	for (uint32_t i = 0; i < cap; i++) {
		ix->tab[i].off = off;
		off += ix->tab[i].len;
		ix->tab[i].len = 0;
	}
	ix->lists = ARENA_ARRAY(a, uint32_t, off ? off : 1);
	for (size_t k = 0; k < m; k++) {
		ix_slot *s = &ix->tab[slot_of[k]];
		ix->lists[s->off + s->len++] = f[k].pol;
	}
	ps->index = ix;
}

/* ---- candidates ---------------------------------------------------------- */

/* A growable list of policy ordinals: on the stack while small, then in the
 * request arena. */
#define CAND_STACK 64

typedef struct cands {
	uint32_t *v;
	uint32_t n, cap;
	uint32_t runs; /* lists added: one list is already sorted and unique */
	warena *tmp;
} cands;

static void cands_add(cands *c, const uint32_t *p, uint32_t n)
{
	if (c->n + n > c->cap) {
		uint32_t cap = c->cap * 2;
		while (cap < c->n + n)
			cap *= 2;
		uint32_t *v = arena_alloc(c->tmp, sizeof *v * cap);
		memcpy(v, c->v, sizeof *v * c->n);
		c->v = v;
		c->cap = cap;
	}
	for (uint32_t i = 0; i < n; i++) /* lists are short: no memcpy call */
		c->v[c->n + i] = p[i];
	c->n += n;
	c->runs++;
}

static void probe(const struct wauthz_index *ix, cands *c, uint32_t kind, wuid u, wuid u2)
{
	const ix_slot *s = ix_find(ix, kind, u, u2);
	if (s)
		cands_add(c, ix->lists + s->off, s->len);
}

/* The policies filed under (eq, x), (in, x) and (in, each ancestor of x). */
static void probe_entity(const struct wauthz_index *ix, cands *c, uint32_t eq, uint32_t in, wuid x,
			 const wentity *ex)
{
	const wuid none = {NULL, NULL};
	if (ix->nkeys[eq])
		probe(ix, c, eq, x, none);
	if (!ix->nkeys[in])
		return;
	probe(ix, c, in, x, none);
	if (!ex)
		return;
	const wancestors *anc = entity_ancestors(ex);
	for (uint32_t i = 0; i < anc->cap; i++)
		if (anc->slot[i].type)
			probe(ix, c, in, anc->slot[i], none);
}

/* Sorts ordinals ascending and drops duplicates. Insertion sort for the
 * usual short lists, heapsort past that (no recursion, no allocation). */
static void sift(uint32_t *v, size_t root, size_t n)
{
	for (;;) {
		size_t ch = 2 * root + 1;
		if (ch >= n)
			return;
		if (ch + 1 < n && v[ch + 1] > v[ch])
			ch++;
		if (v[root] >= v[ch])
			return;
		uint32_t t = v[root];
		v[root] = v[ch];
		v[ch] = t;
		root = ch;
	}
}

static uint32_t sort_unique(uint32_t *v, uint32_t n)
{
	if (n < 2)
		return n;
	if (n <= 32) {
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = v[i], j = i;
			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	} else {
		for (size_t i = n / 2; i-- > 0;)
			sift(v, i, n);
		for (size_t end = n - 1; end > 0; end--) {
			uint32_t t = v[0];
			v[0] = v[end];
			v[end] = t;
			sift(v, 0, end);
		}
	}
	uint32_t m = 1;
	for (uint32_t i = 1; i < n; i++)
		if (v[i] != v[m - 1])
			v[m++] = v[i];
	return m;
}

/* ---- deciding ------------------------------------------------------------ */

typedef struct outcome {
	const wpolicy **permits, **forbids;
	wpolicy_error *errors;
	uint32_t npermit, nforbid, nerr;
	uint32_t cap; /* size of each array once allocated */
} outcome;

static void add_applying(weval *ev, const wpolicy *p, outcome *o);

/* Evaluates one policy with the AST evaluator (eval_policy). */
static void decide_one(weval *ev, const wpolicy *p, outcome *o)
{
	bool applies = false;
	ev->depth = 0;
	if (eval_policy(ev, p, &applies) < 0) {
		if (!o->errors)
			o->errors = arena_alloc(ev->tmp, sizeof *o->errors * o->cap);
		o->errors[o->nerr].policy = p;
		o->errors[o->nerr].msg = ev->err ? ev->err : "evaluation error";
		o->nerr++;
		return;
	}
	if (applies)
		add_applying(ev, p, o);
}

static void add_applying(weval *ev, const wpolicy *p, outcome *o)
{
	if (p->effect == WEFF_FORBID) {
		if (!o->forbids)
			o->forbids = arena_alloc(ev->tmp, sizeof *o->forbids * o->cap);
		o->forbids[o->nforbid++] = p;
	} else {
		if (!o->permits)
			o->permits = arena_alloc(ev->tmp, sizeof *o->permits * o->cap);
		o->permits[o->npermit++] = p;
	}
}

void authz_decide(wctx *cx, const wpolicyset *ps, const wentities *es, const wrequest *req, warena *tmp,
		  wresponse *out)
{
	weval ev = {0};
	ev.cx = cx;
	ev.ents = es;
	ev.req = req;
	ev.tmp = tmp;
	eval_resolve(&ev);

	const struct wauthz_index *ix = ps->index;
	const uint32_t n = ps->n;
	outcome o = {0};
	uint32_t from = 0; /* first policy not covered by the index */

	if (ix && ix->n <= n) { /* (a set shrunk after preparing is scanned linearly) */
		uint32_t stack[CAND_STACK];
		cands c = {stack, 0, CAND_STACK, 0, tmp};
		if (ix->nkeys[K_PR_EQ])
			probe(ix, &c, K_PR_EQ, req->principal, req->resource);
		probe_entity(ix, &c, K_P_EQ, K_P_IN, req->principal, ev.pent);
		probe_entity(ix, &c, K_R_EQ, K_R_IN, req->resource, ev.rent);
		probe_entity(ix, &c, K_A_EQ, K_A_IN, req->action, ev.aent);
		if (ix->nwild)
			cands_add(&c, ix->wild, ix->nwild);
		uint32_t nc = c.runs > 1 ? sort_unique(c.v, c.n) : c.n;
		o.cap = nc + (n - ix->n);
		for (uint32_t k = 0; k < nc; k++) {
			int r = compile_applies(&ev, &ix->cp[c.v[k]]);
			if (r == CP_BAIL)
				decide_one(&ev, ps->items[c.v[k]], &o);
			else if (r == CP_YES)
				add_applying(&ev, ps->items[c.v[k]], &o);
		}
		from = ix->n;
	} else {
		o.cap = n;
	}
	for (uint32_t i = from; i < n; i++) {
		const wpolicy *p = ps->items[i];
		if (is_policy(p))
			decide_one(&ev, p, &o);
	}

	out->errors = o.errors;
	out->nerrors = o.nerr;
	if (o.nforbid) {
		out->allow = false;
		out->reasons = o.forbids;
		out->nreasons = o.nforbid;
	} else {
		out->allow = o.npermit > 0;
		out->reasons = o.permits;
		out->nreasons = o.npermit;
	}
}
