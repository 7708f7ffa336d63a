/* query: who-can / what-can (see query.h). */
#include "analysis/query.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/diff.h"
#include "cedar/format.h"
#include "util/xalloc.h"

void query_init(wquery *q)
{
	memset(q, 0, sizeof *q);
	arena_init(&q->arena);
}

void query_release(wquery *q)
{
	free(q->rows);
	arena_release(&q->arena);
	memset(q, 0, sizeof *q);
}

static int uid_cmp(wuid a, wuid b)
{
	int c = sym_cmp(a.type, b.type);
	return c ? c : sym_cmp(a.id, b.id);
}

static int row_cmp(const void *x, const void *y)
{
	const wquery_row *a = x, *b = y;
	int c;
	if ((c = uid_cmp(a->c.p, b->c.p)) || (c = uid_cmp(a->c.a, b->c.a)))
		return c;
	return uid_cmp(a->c.r, b->c.r);
}

static int run(went_index *ix, const wpolicyset *ps, const went_filter *f, wquery *q, wdiags *d)
{
	if (!ent_schema(ix))
		ent_index_note_actions(ix, ps);
	const wpolicy **permits = xcalloc(ps->n ? ps->n : 1, sizeof *permits);
	size_t np = 0;
	for (uint32_t i = 0; i < ps->n; i++)
		if (ps->items[i]->effect == WEFF_PERMIT)
			permits[np++] = ps->items[i];
	wcellset cells;
	cellset_init(&cells);
	int rc = ent_scope_cells(ix, permits, np, f, &cells, d);
	free(permits);
	if (rc < 0) {
		cellset_release(&cells);
		return -1;
	}
	q->nscope = cells.n;
	went_pset *s = ent_pset_new(ix, ps);
	warena tmp;
	arena_init(&tmp);
	size_t cap = 0;
	wbuf b = WBUF_INIT;
	for (size_t i = 0; i < cells.n; i++) {
		wdecision dec;
		ent_decide(ix, s, cells.items[i], &tmp, &dec);
		if (dec.kind != WDEC_DENY) {
			if (q->n == cap) {
				cap = cap ? cap * 2 : 64;
				q->rows = xrealloc(q->rows, sizeof *q->rows * cap);
			}
			wquery_row *r = &q->rows[q->n++];
			r->c = cells.items[i];
			r->dec = dec.kind;
			r->cond = NULL;
			buf_clear(&b);
			if (dec.kind == WDEC_COND) {
				format_expr(dec.cond, NULL, &b);
				r->cond = arena_strndup(&q->arena, b.p ? b.p : "", b.n);
				buf_clear(&b);
			}
			for (uint32_t k = 0; k < dec.nwhy; k++)
				buf_printf(&b, "%s%s", k ? ", " : "", dec.why[k]->id);
			r->why = arena_strndup(&q->arena, b.p ? b.p : "", b.n);
		}
		arena_reset(&tmp);
	}
	buf_release(&b);
	arena_release(&tmp);
	ent_pset_free(s);
	cellset_release(&cells);
	if (q->n)
		qsort(q->rows, q->n, sizeof *q->rows, row_cmp);
	return 0;
}

int query_who_can(went_index *ix, const wpolicyset *ps, wuid action, wuid resource, wquery *out, wdiags *d)
{
	went_filter f = {NULL, &action, &resource};
	out->who = true;
	out->q.a = action;
	out->q.r = resource;
	out->has_action = true;
	return run(ix, ps, &f, out, d);
}

int query_what_can(went_index *ix, const wpolicyset *ps, wuid principal, const wuid *action, wquery *out,
		   wdiags *d)
{
	went_filter f = {&principal, action, NULL};
	out->who = false;
	out->q.p = principal;
	out->has_action = action != NULL;
	if (action)
		out->q.a = *action;
	return run(ix, ps, &f, out, d);
}

static void indent_lines(wbuf *out, const char *s, const char *pad)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		buf_adds(out, pad);
		buf_add(out, s, n);
		buf_addc(out, '\n');
		s += n + (nl ? 1 : 0);
	}
}

void query_print_text(const wquery *q, wbuf *out)
{
	if (q->who) {
		buf_adds(out, "who can ");
		diff_add_action(out, q->q.a);
		buf_adds(out, " on ");
		format_uid(out, q->q.r);
		buf_adds(out, ": ");
		diff_add_count(out, q->n);
		buf_adds(out, q->n == 1 ? " principal\n" : " principals\n");
	} else {
		buf_adds(out, "what ");
		format_uid(out, q->q.p);
		buf_adds(out, " can do");
		if (q->has_action) {
			buf_adds(out, " (");
			diff_add_action(out, q->q.a);
			buf_adds(out, ")");
		}
		buf_adds(out, ": ");
		diff_add_count(out, q->n);
		buf_adds(out, q->n == 1 ? " (action, resource) pair\n" : " (action, resource) pairs\n");
	}
	for (size_t i = 0; i < q->n; i++) {
		const wquery_row *r = &q->rows[i];
		buf_adds(out, "  ");
		if (q->who) {
			format_uid(out, r->c.p);
		} else {
			diff_add_action(out, r->c.a);
			buf_adds(out, " on ");
			format_uid(out, r->c.r);
		}
		buf_printf(out, " [%s]%s\n", r->why, r->dec == WDEC_COND ? " when:" : "");
		if (r->dec == WDEC_COND)
			indent_lines(out, r->cond, "      ");
	}
}

static json_t *uid_json(wuid u)
{
	wbuf b = WBUF_INIT;
	format_uid(&b, u);
	json_t *j = json_stringn(b.p, b.n);
	buf_release(&b);
	return j;
}

void query_print_json(const wquery *q, wbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "query", json_string(q->who ? "who-can" : "what-can"));
	if (q->who) {
		json_object_set_new(root, "action", uid_json(q->q.a));
		json_object_set_new(root, "resource", uid_json(q->q.r));
	} else {
		json_object_set_new(root, "principal", uid_json(q->q.p));
		json_object_set_new(root, "action", q->has_action ? uid_json(q->q.a) : json_null());
	}
	json_object_set_new(root, "cells_in_scope", json_integer((json_int_t)q->nscope));
	json_t *rows = json_array();
	for (size_t i = 0; i < q->n; i++) {
		const wquery_row *r = &q->rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "principal", uid_json(r->c.p));
		json_object_set_new(o, "action", uid_json(r->c.a));
		json_object_set_new(o, "resource", uid_json(r->c.r));
		json_object_set_new(o, "decision", json_string(ent_dec_name((wdec_kind)r->dec)));
		json_object_set_new(o, "condition", r->cond ? json_string(r->cond) : json_null());
		json_object_set_new(o, "policies", json_string(r->why));
		json_array_append_new(rows, o);
	}
	json_object_set_new(root, "allowed", rows);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
}
