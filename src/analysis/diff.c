/* diff: the entitlement diff (see diff.h).
 *
 * Steps: match policies (content key = the formatted policy without its
 * annotations), collect the cells in the scope of every changed version,
 * decide each cell with both sets (residual conditions formatted to text so
 * they compare as strings), compare the conditions that differ as text with
 * Z3 (one solver context per run, answers cached by the pair of texts), keep
 * the cells that differ, sort, group, merge groups that differ only by
 * action, and find each group's container.
 */
#include "analysis/diff.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/residual.h"
#include "analysis/smt.h"
#include "cedar/format.h"
#include "util/xalloc.h"

void diff_init(wdiff *df)
{
	memset(df, 0, sizeof *df);
	arena_init(&df->arena);
}

void diff_release(wdiff *df)
{
	free(df->policies);
	free(df->cells);
	free(df->groups);
	free(df->merged);
	arena_release(&df->arena);
	memset(df, 0, sizeof *df);
}

/* ---- matching policies -------------------------------------------------------- */

static char *content_key(const wpolicy *p)
{
	wpolicy q = *p;
	q.nannos = 0;
	q.annos = NULL;
	wbuf b = WBUF_INIT;
	format_policy(&q, NULL, &b);
	if (p->template_of)
		buf_printf(&b, "\n#link of %s", p->template_of->id);
	if (!b.p)
		return xstrdup("");
	return buf_detach(&b);
}

static void push_change(wdiff *df, size_t *cap, uint8_t kind, const wpolicy *b, const wpolicy *h)
{
	if (df->npolicies == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		df->policies = xrealloc(df->policies, sizeof *df->policies * *cap);
	}
	df->policies[df->npolicies++] = (wdiff_policy){kind, b, h};
}

static void match_policies(wdiff *df, const wpolicyset *base, const wpolicyset *head)
{
	uint32_t nb = base->n, nh = head->n;
	char **kb = xcalloc(nb ? nb : 1, sizeof *kb), **kh = xcalloc(nh ? nh : 1, sizeof *kh);
	int32_t *mb = xcalloc(nb ? nb : 1, sizeof *mb), *mh = xcalloc(nh ? nh : 1, sizeof *mh);
	for (uint32_t i = 0; i < nb; i++) {
		kb[i] = content_key(base->items[i]);
		mb[i] = -1;
	}
	for (uint32_t i = 0; i < nh; i++) {
		kh[i] = content_key(head->items[i]);
		mh[i] = -1;
	}
	/* 1. same content (prefer the same id, then the first free one) */
	for (uint32_t i = 0; i < nh; i++) {
		for (uint32_t j = 0; j < nb; j++)
			if (mb[j] < 0 && strcmp(head->items[i]->id, base->items[j]->id) == 0 &&
			    strcmp(kh[i], kb[j]) == 0) {
				mh[i] = (int32_t)j;
				mb[j] = (int32_t)i;
				break;
			}
	}
	for (uint32_t i = 0; i < nh; i++) {
		if (mh[i] >= 0)
			continue;
		for (uint32_t j = 0; j < nb; j++)
			if (mb[j] < 0 && strcmp(kh[i], kb[j]) == 0) {
				mh[i] = (int32_t)j;
				mb[j] = (int32_t)i;
				break;
			}
	}
	for (uint32_t i = 0; i < nh; i++)
		if (mh[i] >= 0)
			df->nunchanged++;
	/* 2. same id, different content: modified; 3. the rest */
	size_t cap = 0;
	for (uint32_t i = 0; i < nh; i++) {
		if (mh[i] >= 0)
			continue;
		for (uint32_t j = 0; j < nb; j++)
			if (mb[j] < 0 && strcmp(head->items[i]->id, base->items[j]->id) == 0) {
				mh[i] = (int32_t)j;
				mb[j] = (int32_t)i;
				push_change(df, &cap, WPCHG_MODIFIED, base->items[j], head->items[i]);
				break;
			}
		if (mh[i] < 0)
			push_change(df, &cap, WPCHG_ADDED, NULL, head->items[i]);
	}
	for (uint32_t j = 0; j < nb; j++)
		if (mb[j] < 0)
			push_change(df, &cap, WPCHG_REMOVED, base->items[j], NULL);
	for (uint32_t i = 0; i < nb; i++)
		free(kb[i]);
	for (uint32_t i = 0; i < nh; i++)
		free(kh[i]);
	free(kb);
	free(kh);
	free(mb);
	free(mh);
}

void diff_match(wdiff *out, const wpolicyset *base, const wpolicyset *head)
{
	match_policies(out, base, head);
}

/* ---- deciding ----------------------------------------------------------------- */

static void side_of(wdiff *df, const wdecision *dec, wdiff_side *s)
{
	s->dec = dec->kind;
	s->cond = NULL;
	s->key = NULL;
	wbuf b = WBUF_INIT;
	if (dec->kind == WDEC_COND) {
		format_expr(dec->cond, NULL, &b);
		s->cond = arena_strndup(&df->arena, b.p ? b.p : "", b.n);
		buf_clear(&b);
		char *k = residual_key(dec->cond);
		s->key = arena_strndup(&df->arena, k, strlen(k));
		free(k);
	}
	for (uint32_t i = 0; i < dec->nwhy; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", dec->why[i]->id);
	s->why = arena_strndup(&df->arena, b.p ? b.p : "", b.n);
	buf_release(&b);
}

static bool side_eq(const wdiff_side *a, const wdiff_side *b)
{
	if (a->dec != b->dec)
		return false;
	if (a->dec == WDEC_COND)
		return strcmp(a->key, b->key) == 0;
	return true;
}

static int uid_cmp(wuid a, wuid b)
{
	int c = sym_cmp(a.type, b.type);
	return c ? c : sym_cmp(a.id, b.id);
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int side_cmp(const wdiff_side *a, const wdiff_side *b)
{
	if (a->dec != b->dec)
		return a->dec < b->dec ? -1 : 1;
	int c = strcmp0(a->cond, b->cond);
	return c ? c : strcmp0(a->why, b->why);
}

/* group key order: principal, change, before, after, resource type, action, resource */
static int cell_cmp(const void *x, const void *y)
{
	const wdiff_cell *a = x, *b = y;
	int c;
	if ((c = uid_cmp(a->c.p, b->c.p)))
		return c;
	if (a->change != b->change)
		return a->change < b->change ? -1 : 1;
	if (a->relation != b->relation)
		return a->relation < b->relation ? -1 : 1;
	if ((c = side_cmp(&a->before, &b->before)) || (c = side_cmp(&a->after, &b->after)))
		return c;
	if ((c = sym_cmp(a->c.r.type, b->c.r.type)))
		return c;
	if ((c = uid_cmp(a->c.a, b->c.a)))
		return c;
	return uid_cmp(a->c.r, b->c.r);
}

static bool same_group(const wdiff_cell *a, const wdiff_cell *b)
{
	return uid_eq(a->c.p, b->c.p) && a->change == b->change && a->relation == b->relation &&
	       side_cmp(&a->before, &b->before) == 0 && side_cmp(&a->after, &b->after) == 0 &&
	       a->c.r.type == b->c.r.type;
}

/* ---- grouping ------------------------------------------------------------------ */

static bool same_resources(const wdiff_group *a, const wdiff_group *b)
{
	if (a->nresources != b->nresources)
		return false;
	for (uint32_t i = 0; i < a->nresources; i++)
		if (!uid_eq(a->resources[i], b->resources[i]))
			return false;
	return true;
}

static bool same_key(const wdiff_group *a, const wdiff_group *b)
{
	return uid_eq(a->principal, b->principal) && a->change == b->change && a->relation == b->relation &&
	       a->rtype == b->rtype && side_cmp(&a->before, &b->before) == 0 && side_cmp(&a->after, &b->after) == 0;
}

/* The most specific entity that every one of v[0..n) is in (an ancestor of
 * all of them). False when none or n < 2. */
static bool common_container(const went_index *ix, const wuid *v, uint32_t n, wuid *out)
{
	if (n < 2)
		return false;
	const wentities *es = ent_store(ix);
	const wentity *first = entities_get(es, v[0]);
	if (!first)
		return false;
	uint32_t best_n = UINT32_MAX;
	bool found = false;
	const wancestors *anc = entity_ancestors(first);
	for (uint32_t k = 0; k < anc->cap; k++) {
		wuid c = anc->slot[k];
		if (!c.type)
			continue;
		bool all = true;
		for (uint32_t i = 1; i < n && all; i++)
			all = entities_in(es, v[i], c);
		if (!all)
			continue;
		uint32_t nd;
		ent_descendants(ix, c, &nd);
		if (nd < best_n || (nd == best_n && uid_cmp(c, *out) < 0)) {
			best_n = nd;
			*out = c;
			found = true;
		}
	}
	return found;
}

static void find_container(const went_index *ix, wdiff_group *g)
{
	g->has_container = common_container(ix, g->resources, g->nresources, &g->container);
}

void diff_add_count(wbuf *out, size_t n)
{
	char digits[32];
	int len = snprintf(digits, sizeof digits, "%zu", n);
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf_addc(out, ',');
		buf_addc(out, digits[i]);
	}
}

void diff_add_action(wbuf *out, wuid a)
{
	if (strcmp(a.type->s, "Action") == 0 && format_is_ident(a.id->s, a.id->len))
		buf_add(out, a.id->s, a.id->len);
	else
		format_uid(out, a);
}

/* "read, list on 1,204 Object in Bucket::\"b\"[: condition changes]" */
static void add_tail(wbuf *b, const wdiff_group *g)
{
	for (uint32_t i = 0; i < g->nactions; i++) {
		if (i)
			buf_adds(b, ", ");
		diff_add_action(b, g->actions[i]);
	}
	buf_adds(b, " on ");
	if (g->nresources == 1) {
		format_uid(b, g->resources[0]);
	} else {
		diff_add_count(b, g->nresources);
		buf_printf(b, " %s", g->rtype->s);
		if (g->has_container) {
			buf_adds(b, " in ");
			format_uid(b, g->container);
		}
	}
	if (g->change == WCCHG_COND)
		buf_adds(b, g->after.dec == WDEC_ALLOW     ? ": now unconditional"
			    : g->before.dec == WDEC_ALLOW  ? ": now conditional"
			    : g->relation == WSMT_NARROWED ? ": condition narrowed"
			    : g->relation == WSMT_WIDENED  ? ": condition widened"
			    : g->relation == WSMT_CHANGED  ? ": condition changes (neither narrower nor wider)"
							   : ": condition changes");
}

static void summarize(wdiff *df, wdiff_group *g)
{
	wbuf b = WBUF_INIT;
	format_uid(&b, g->principal);
	buf_adds(&b, g->change == WCCHG_GAIN ? " gains " : g->change == WCCHG_LOSE ? " loses " : " ");
	add_tail(&b, g);
	g->summary = arena_strndup(&df->arena, b.p, b.n);
	buf_release(&b);
}

static int uids_cmp(const wuid *a, uint32_t na, const wuid *b, uint32_t nb)
{
	if (na != nb)
		return na < nb ? -1 : 1;
	for (uint32_t i = 0; i < na; i++) {
		int c = uid_cmp(a[i], b[i]);
		if (c)
			return c;
	}
	return 0;
}

/* Everything but the principal. */
static int merge_cmp(const wdiff_group *a, const wdiff_group *b)
{
	int c;
	if (a->change != b->change)
		return a->change < b->change ? -1 : 1;
	if (a->relation != b->relation)
		return a->relation < b->relation ? -1 : 1;
	if ((c = side_cmp(&a->before, &b->before)) || (c = side_cmp(&a->after, &b->after)))
		return c;
	if ((c = sym_cmp(a->rtype, b->rtype)))
		return c;
	if ((c = uids_cmp(a->actions, a->nactions, b->actions, b->nactions)))
		return c;
	return uids_cmp(a->resources, a->nresources, b->resources, b->nresources);
}

static int group_order(const void *x, const void *y)
{
	const wdiff_group *a = x, *b = y;
	int c = merge_cmp(a, b);
	return c ? c : uid_cmp(a->principal, b->principal);
}

static void build_merged(wdiff *df, const went_index *ix)
{
	df->merged = xcalloc(df->ngroups ? df->ngroups : 1, sizeof *df->merged);
	for (size_t i = 0; i < df->ngroups;) {
		size_t j = i + 1;
		while (j < df->ngroups && merge_cmp(&df->groups[i], &df->groups[j]) == 0)
			j++;
		wdiff_merged *m = &df->merged[df->nmerged++];
		m->first = (uint32_t)i;
		m->n = (uint32_t)(j - i);
		if (m->n == 1) {
			m->summary = df->groups[i].summary;
			i = j;
			continue;
		}
		wuid *ps = xcalloc(m->n, sizeof *ps);
		bool one_type = true;
		for (uint32_t k = 0; k < m->n; k++) {
			ps[k] = df->groups[i + k].principal;
			one_type &= ps[k].type == ps[0].type;
		}
		m->has_container = common_container(ix, ps, m->n, &m->container);
		wbuf b = WBUF_INIT;
		diff_add_count(&b, m->n);
		buf_printf(&b, " %s", one_type ? ps[0].type->s : "principals");
		if (m->has_container) {
			buf_adds(&b, " in ");
			format_uid(&b, m->container);
		}
		const wdiff_group *g = &df->groups[i];
		buf_adds(&b, g->change == WCCHG_GAIN ? " gain " : g->change == WCCHG_LOSE ? " lose " : " ");
		add_tail(&b, g);
		m->summary = arena_strndup(&df->arena, b.p, b.n);
		buf_release(&b);
		free(ps);
		i = j;
	}
}

static void build_groups(wdiff *df, const went_index *ix)
{
	/* 1. runs of cells with the same key and action: one group each */
	size_t cap = 0;
	for (size_t i = 0; i < df->ncells;) {
		size_t j = i;
		while (j < df->ncells && same_group(&df->cells[i], &df->cells[j]) &&
		       uid_eq(df->cells[i].c.a, df->cells[j].c.a))
			j++;
		if (df->ngroups == cap) {
			cap = cap ? cap * 2 : 16;
			df->groups = xrealloc(df->groups, sizeof *df->groups * cap);
		}
		wdiff_group *g = &df->groups[df->ngroups++];
		memset(g, 0, sizeof *g);
		const wdiff_cell *c = &df->cells[i];
		g->principal = c->c.p;
		g->change = c->change;
		g->relation = c->relation;
		g->before = c->before;
		g->after = c->after;
		g->rtype = c->c.r.type;
		g->actions = ARENA_ARRAY(&df->arena, wuid, 1);
		g->actions[0] = c->c.a;
		g->nactions = 1;
		g->nresources = (uint32_t)(j - i);
		g->resources = ARENA_ARRAY(&df->arena, wuid, g->nresources);
		for (size_t k = i; k < j; k++)
			g->resources[k - i] = df->cells[k].c.r;
		i = j;
	}
	/* 2. merge the groups of one key whose resources are the same (the
	 * groups of a key are adjacent, in action order) */
	size_t out = 0;
	for (size_t i = 0; i < df->ngroups;) {
		size_t j = i;
		while (j < df->ngroups && same_key(&df->groups[i], &df->groups[j]))
			j++;
		/* groups i..j-1 share the key; merge equal resource lists */
		for (size_t a = i; a < j; a++) {
			wdiff_group *ga = &df->groups[a];
			if (!ga->actions)
				continue;
			uint32_t nact = 1;
			for (size_t b = a + 1; b < j; b++)
				if (df->groups[b].actions && same_resources(ga, &df->groups[b]))
					nact++;
			if (nact > 1) {
				wuid *acts = ARENA_ARRAY(&df->arena, wuid, nact);
				uint32_t k = 0;
				acts[k++] = ga->actions[0];
				for (size_t b = a + 1; b < j; b++)
					if (df->groups[b].actions && same_resources(ga, &df->groups[b])) {
						acts[k++] = df->groups[b].actions[0];
						df->groups[b].actions = NULL;
					}
				ga->actions = acts;
				ga->nactions = nact;
			}
		}
		for (size_t a = i; a < j; a++)
			if (df->groups[a].actions)
				df->groups[out++] = df->groups[a];
		i = j;
	}
	df->ngroups = out;
	for (size_t i = 0; i < df->ngroups; i++) {
		find_container(ix, &df->groups[i]);
		summarize(df, &df->groups[i]);
	}
	if (df->ngroups)
		qsort(df->groups, df->ngroups, sizeof *df->groups, group_order);
	build_merged(df, ix);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int diff_compute(went_index *ix, const wpolicyset *base, const wpolicyset *head, wdiff *df, wdiags *d)
{
	double t0 = now_s();
	match_policies(df, base, head);
	if (!ent_schema(ix)) {
		ent_index_note_actions(ix, base);
		ent_index_note_actions(ix, head);
	}
	/* the cells in the scope of every changed version */
	const wpolicy **drivers = xcalloc(df->npolicies * 2 + 1, sizeof *drivers);
	size_t nd = 0;
	for (size_t i = 0; i < df->npolicies; i++) {
		if (df->policies[i].base)
			drivers[nd++] = df->policies[i].base;
		if (df->policies[i].head)
			drivers[nd++] = df->policies[i].head;
	}
	wcellset cells;
	cellset_init(&cells);
	int rc = ent_scope_cells(ix, drivers, nd, NULL, &cells, d);
	free(drivers);
	if (rc < 0) {
		cellset_release(&cells);
		return -1;
	}
	df->nscope = cells.n;
	went_pset *sb = ent_pset_new(ix, base), *sh = ent_pset_new(ix, head);
	warena tmp;
	arena_init(&tmp);
	wsmt *sm = NULL; /* made on the first pair of conditions */
	bool sm_tried = false;
	size_t cap = 0;
	for (size_t i = 0; i < cells.n; i++) {
		wdecision db, dh;
		ent_decide(ix, sb, cells.items[i], &tmp, &db);
		ent_decide(ix, sh, cells.items[i], &tmp, &dh);
		if (db.kind == dh.kind && db.kind != WDEC_COND) {
			arena_reset(&tmp);
			continue;
		}
		wdiff_cell c;
		c.c = cells.items[i];
		side_of(df, &db, &c.before);
		side_of(df, &dh, &c.after);
		c.relation = WSMT_UNKNOWN;
		bool same = side_eq(&c.before, &c.after);
		if (!same && db.kind == WDEC_COND && dh.kind == WDEC_COND) {
			if (!sm_tried) {
				sm = smt_new();
				sm_tried = true;
			}
			c.relation = (uint8_t)smt_compare(sm, db.cond, c.before.cond, dh.cond, c.after.cond);
		}
		arena_reset(&tmp);
		if (same)
			continue;
		if (c.relation == WSMT_EQUIVALENT) {
			df->nequivalent++;
			continue;
		}
		if (c.before.dec == WDEC_DENY)
			c.change = WCCHG_GAIN, df->ngain++;
		else if (c.after.dec == WDEC_DENY)
			c.change = WCCHG_LOSE, df->nlose++;
		else
			c.change = WCCHG_COND, df->ncond++;
		if (df->ncells == cap) {
			cap = cap ? cap * 2 : 64;
			df->cells = xrealloc(df->cells, sizeof *df->cells * cap);
		}
		df->cells[df->ncells++] = c;
	}
	arena_release(&tmp);
	smt_free(sm);
	ent_pset_free(sb);
	ent_pset_free(sh);
	cellset_release(&cells);
	if (df->ncells)
		qsort(df->cells, df->ncells, sizeof *df->cells, cell_cmp);
	build_groups(df, ix);
	df->seconds = now_s() - t0;
	return 0;
}

/* Principals listed under a merged entry in text and Markdown. */
#define DIFF_LIST_MAX 10

/* ---- output --------------------------------------------------------------------- */

static const char *pchg_name(uint8_t k)
{
	return k == WPCHG_ADDED ? "added" : k == WPCHG_REMOVED ? "removed" : "modified";
}

static const char *cchg_name(uint8_t k)
{
	return k == WCCHG_GAIN ? "gain" : k == WCCHG_LOSE ? "lose" : "condition";
}

static const char *pid(const wdiff_policy *p)
{
	return p->head ? p->head->id : p->base->id;
}

static void count_policies(const wdiff *df, size_t n[3])
{
	n[0] = n[1] = n[2] = 0;
	for (size_t i = 0; i < df->npolicies; i++)
		n[df->policies[i].kind]++;
}

static void print_side_text(wbuf *out, const char *label, const wdiff_side *s)
{
	if (s->dec == WDEC_COND) {
		buf_printf(out, "    %s when:\n", label);
		const char *p = s->cond;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			buf_adds(out, "      ");
			buf_add(out, p, n);
			buf_addc(out, '\n');
			p += n + (nl ? 1 : 0);
		}
	} else {
		buf_printf(out, "    %s: %s\n", label, s->dec == WDEC_ALLOW ? "always" : "never");
	}
	if (s->why && *s->why)
		buf_printf(out, "      policies: %s\n", s->why);
}

void diff_print_text(const wdiff *df, const char *base_label, const char *head_label, wbuf *out)
{
	size_t n[3];
	count_policies(df, n);
	buf_printf(out, "entitlement diff %s -> %s\n", base_label, head_label);
	buf_printf(out, "policies: %zu added, %zu removed, %zu modified, %zu unchanged\n", n[WPCHG_ADDED],
		   n[WPCHG_REMOVED], n[WPCHG_MODIFIED], df->nunchanged);
	for (size_t i = 0; i < df->npolicies; i++)
		buf_printf(out, "  %s %s\n", pchg_name(df->policies[i].kind), pid(&df->policies[i]));
	buf_adds(out, "cells: ");
	diff_add_count(out, df->nscope);
	buf_adds(out, " in the scope of the changed policies, ");
	diff_add_count(out, df->ncells);
	buf_adds(out, " changed (");
	diff_add_count(out, df->ngain);
	buf_adds(out, " gained, ");
	diff_add_count(out, df->nlose);
	buf_adds(out, " lost, ");
	diff_add_count(out, df->ncond);
	buf_adds(out, " with a changed condition)\n");
	if (df->nequivalent) {
		diff_add_count(out, df->nequivalent);
		buf_adds(out, " cell(s) with a condition rewritten to an equivalent one (not a change)\n");
	}
	for (size_t i = 0; i < df->nmerged; i++) {
		const wdiff_merged *m = &df->merged[i];
		const wdiff_group *g = &df->groups[m->first];
		buf_printf(out, "\n%c %s\n", g->change == WCCHG_GAIN ? '+' : g->change == WCCHG_LOSE ? '-' : '~',
			   m->summary);
		if (m->n > 1) {
			buf_adds(out, "    principals: ");
			for (uint32_t k = 0; k < m->n && k < DIFF_LIST_MAX; k++) {
				if (k)
					buf_adds(out, ", ");
				format_uid(out, df->groups[m->first + k].principal);
			}
			if (m->n > DIFF_LIST_MAX)
				buf_printf(out, ", ... (%u more)", m->n - DIFF_LIST_MAX);
			buf_addc(out, '\n');
		}
		if (g->change != WCCHG_GAIN)
			print_side_text(out, g->change == WCCHG_LOSE ? "was allowed" : "before", &g->before);
		if (g->change != WCCHG_LOSE)
			print_side_text(out, g->change == WCCHG_GAIN ? "allowed" : "after", &g->after);
	}
	if (!df->ngroups)
		buf_adds(out, "\nno entitlement changes\n");
}

static json_t *uid_json(wuid u)
{
	wbuf b = WBUF_INIT;
	format_uid(&b, u);
	json_t *j = json_stringn(b.p, b.n);
	buf_release(&b);
	return j;
}

static json_t *side_json(const wdiff_side *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "decision", json_string(ent_dec_name((wdec_kind)s->dec)));
	json_object_set_new(o, "condition", s->cond ? json_string(s->cond) : json_null());
	json_t *why = json_array();
	const char *p = s->why ? s->why : "";
	while (*p) {
		const char *c = strstr(p, ", ");
		size_t n = c ? (size_t)(c - p) : strlen(p);
		json_array_append_new(why, json_stringn(p, n));
		p += n + (c ? 2 : 0);
	}
	json_object_set_new(o, "policies", why);
	return o;
}

void diff_print_json(const wdiff *df, const char *base_label, const char *head_label, wbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "base", json_string(base_label));
	json_object_set_new(root, "head", json_string(head_label));
	json_t *pols = json_array();
	for (size_t i = 0; i < df->npolicies; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(pid(&df->policies[i])));
		json_object_set_new(o, "change", json_string(pchg_name(df->policies[i].kind)));
		json_array_append_new(pols, o);
	}
	json_object_set_new(root, "policies", pols);
	json_t *sum = json_object();
	json_object_set_new(sum, "unchanged_policies", json_integer((json_int_t)df->nunchanged));
	json_object_set_new(sum, "cells_in_scope", json_integer((json_int_t)df->nscope));
	json_object_set_new(sum, "cells_changed", json_integer((json_int_t)df->ncells));
	json_object_set_new(sum, "gained", json_integer((json_int_t)df->ngain));
	json_object_set_new(sum, "lost", json_integer((json_int_t)df->nlose));
	json_object_set_new(sum, "condition_changed", json_integer((json_int_t)df->ncond));
	if (df->nequivalent)
		json_object_set_new(sum, "condition_equivalent", json_integer((json_int_t)df->nequivalent));
	json_object_set_new(root, "summary", sum);
	json_t *groups = json_array();
	for (size_t i = 0; i < df->ngroups; i++) {
		const wdiff_group *g = &df->groups[i];
		json_t *o = json_object();
		json_object_set_new(o, "summary", json_string(g->summary));
		json_object_set_new(o, "change", json_string(cchg_name(g->change)));
		if (g->before.dec == WDEC_COND && g->after.dec == WDEC_COND)
			json_object_set_new(o, "relation", json_string(smt_rel_name((wsmt_rel)g->relation)));
		json_object_set_new(o, "principal", uid_json(g->principal));
		json_t *acts = json_array();
		for (uint32_t k = 0; k < g->nactions; k++)
			json_array_append_new(acts, uid_json(g->actions[k]));
		json_object_set_new(o, "actions", acts);
		json_object_set_new(o, "resource_type", json_string(g->rtype->s));
		json_object_set_new(o, "container", g->has_container ? uid_json(g->container) : json_null());
		json_t *res = json_array();
		for (uint32_t k = 0; k < g->nresources; k++)
			json_array_append_new(res, uid_json(g->resources[k]));
		json_object_set_new(o, "resources", res);
		json_object_set_new(o, "before", side_json(&g->before));
		json_object_set_new(o, "after", side_json(&g->after));
		json_array_append_new(groups, o);
	}
	json_object_set_new(root, "changes", groups);
	json_t *merged = json_array();
	for (size_t i = 0; i < df->nmerged; i++) {
		const wdiff_merged *m = &df->merged[i];
		json_t *o = json_object();
		json_object_set_new(o, "summary", json_string(m->summary));
		json_object_set_new(o, "change", json_string(cchg_name(df->groups[m->first].change)));
		json_object_set_new(o, "principals", json_integer(m->n));
		json_object_set_new(o, "container", m->has_container ? uid_json(m->container) : json_null());
		json_object_set_new(o, "first_change", json_integer(m->first));
		json_array_append_new(merged, o);
	}
	json_object_set_new(root, "overview", merged);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
}

static void md_code(wbuf *out, const char *s)
{
	buf_adds(out, "\n```cedar\n");
	buf_adds(out, s);
	buf_adds(out, "\n```\n");
}

static void md_escape(wbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("|*_`<>[]", *s))
			buf_addc(out, '\\');
		buf_addc(out, *s);
	}
}

void diff_print_markdown(const wdiff *df, const char *base_label, const char *head_label, wbuf *out)
{
	size_t n[3];
	count_policies(df, n);
	buf_adds(out, "### Entitlement diff `");
	buf_adds(out, base_label);
	buf_adds(out, "` → `");
	buf_adds(out, head_label);
	buf_adds(out, "`\n\n");
	buf_printf(out, "Policies: %zu added, %zu removed, %zu modified, %zu unchanged. ", n[WPCHG_ADDED],
		   n[WPCHG_REMOVED], n[WPCHG_MODIFIED], df->nunchanged);
	buf_adds(out, "Cells changed: **");
	diff_add_count(out, df->ncells);
	buf_printf(out, "** (%zu gained, %zu lost, %zu with a changed condition) of ", df->ngain, df->nlose,
		   df->ncond);
	diff_add_count(out, df->nscope);
	buf_adds(out, " in scope.\n");
	if (df->nequivalent) {
		buf_adds(out, "Conditions rewritten to equivalent ones (not changes): ");
		diff_add_count(out, df->nequivalent);
		buf_adds(out, " cell(s).\n");
	}
	if (!df->ngroups) {
		buf_adds(out, "\nNo entitlement changes.\n");
		return;
	}
	buf_adds(out, "\n| | change | condition |\n|---|---|---|\n");
	for (size_t i = 0; i < df->nmerged; i++) {
		const wdiff_merged *m = &df->merged[i];
		const wdiff_group *g = &df->groups[m->first];
		const wdiff_side *s = g->change == WCCHG_LOSE ? &g->before : &g->after;
		buf_printf(out, "| %s | ", g->change == WCCHG_GAIN ? "➕" : g->change == WCCHG_LOSE ? "➖" : "✏️");
		md_escape(out, m->summary);
		buf_adds(out, " | ");
		buf_adds(out, s->dec == WDEC_COND ? "conditional (below)" : s->dec == WDEC_ALLOW ? "always" : "—");
		buf_adds(out, " |\n");
	}
	for (size_t i = 0; i < df->nmerged; i++) {
		const wdiff_merged *m = &df->merged[i];
		const wdiff_group *g = &df->groups[m->first];
		if (g->before.dec != WDEC_COND && g->after.dec != WDEC_COND)
			continue;
		buf_adds(out, "\n**");
		md_escape(out, m->summary);
		buf_adds(out, "**\n");
		if (g->before.dec == WDEC_COND) {
			buf_adds(out, "\nbefore, when:\n");
			md_code(out, g->before.cond);
		}
		if (g->after.dec == WDEC_COND) {
			buf_adds(out, "\nafter, when:\n");
			md_code(out, g->after.cond);
		}
	}
}
