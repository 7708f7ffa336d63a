/* intent: the intent check of a change against its requirement (see
 * intent.h). Works on the diff's groups (one principal, a set of actions,
 * a set of resources sharing a condition), so each kind of creep is listed
 * once per group with counts rather than once per cell.
 */
#include "analysis/intent.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/format.h"
#include "cedar/parser.h"
#include "util/xalloc.h"

#define INTENT_MAX_REQUESTED 2000000u

void intent_init(wintent *w)
{
	memset(w, 0, sizeof *w);
}

void intent_release(wintent *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->items[i].msg);
	free(w->items);
	memset(w, 0, sizeof *w);
}

const char *intent_kind_name(wintent_kind k)
{
	static const char *const names[] = {"subject", "action", "resource", "environment", "constraint",
					    "under-grant"};
	return (unsigned)k <= WINT_UNDERGRANT ? names[k] : "?";
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void issue(wintent *w, wintent_kind k, const char *fmt, ...)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->items = xrealloc(w->items, sizeof *w->items * w->cap);
	}
	wbuf b = WBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	w->items[w->n].kind = (uint8_t)k;
	w->items[w->n].msg = buf_detach(&b);
	w->n++;
	if (k == WINT_UNDERGRANT)
		w->nunder++;
	else
		w->ncreep++;
}

/* Is `u` in the requested target? */
static bool in_target(const went_index *ix, const req_target *t, wuid u)
{
	const wentities *es = ent_store(ix);
	switch (t->form) {
	case RF_ENTITY: return uid_eq(u, t->uid);
	case RF_IN: return (!t->type || u.type == t->type) && entities_in(es, u, t->uid);
	case RF_TYPE: return u.type == t->type;
	}
	return false;
}

static void target_str(const req_target *t, wbuf *out)
{
	switch (t->form) {
	case RF_ENTITY: format_uid(out, t->uid); return;
	case RF_IN:
		if (t->type)
			buf_printf(out, "%s ", t->type->s);
		buf_adds(out, "in ");
		format_uid(out, t->uid);
		return;
	case RF_TYPE: buf_printf(out, "every %s", t->type->s); return;
	}
}

static bool requested_action(const requirement *rq, wuid a)
{
	for (size_t i = 0; i < rq->nactions; i++)
		if (uid_eq(rq->actions[i], a))
			return true;
	return false;
}

/* The canonical text of a Cedar value written in a requirement
 * (`ip("10.0.0.0/8")`, `datetime("2027-01-01T00:00:00Z")`): as the residual
 * printer writes it. Falls back to the text itself. Heap. */
static char *canonical(wctx *cx, const wentities *es, const char *text)
{
	warena a;
	arena_init(&a);
	wdiags d;
	diags_init(&d);
	wsource src = {"constraint", text, strlen(text)};
	wexpr *e = parse_expr(cx, &a, &src, &d);
	char *out = NULL;
	if (e) {
		wrequest rq;
		memset(&rq, 0, sizeof rq);
		rq.context.kind = WV_RECORD;
		rq.context.u.rec = record_empty();
		weval ev;
		memset(&ev, 0, sizeof ev);
		ev.cx = cx;
		ev.ents = es;
		ev.req = &rq;
		ev.tmp = &a;
		wvalue v;
		if (eval_expr(&ev, e, &v) == 0) {
			wbuf b = WBUF_INIT;
			if (v.kind == WV_STRING)
				format_cedar_str(&b, v.u.s.p, v.u.s.n);
			else
				value_print(&v, &b);
			out = buf_detach(&b);
		}
	}
	diags_release(&d);
	arena_release(&a);
	return out ? out : xstrdup(text);
}

/* The requested constraints missing from condition `cond` (NULL: the access
 * is unconditional), ", "-separated; NULL when all are there. Heap. */
static char *missing_constraints(went_index *ix, const requirement *rq, const char *cond)
{
	wbuf miss = WBUF_INIT;
	wctx *cx = ent_ctx(ix);
	for (size_t i = 0; i < rq->ncons; i++) {
		const req_constraint *c = &rq->cons[i];
		bool ok = cond != NULL;
		if (ok && c->kind->type == GT_BOOL) {
			wbuf at = WBUF_INIT;
			buf_printf(&at, "context.%s", c->kind->name);
			ok = strstr(cond, at.p) != NULL;
			buf_release(&at);
		} else {
			for (size_t k = 0; ok && k < c->n; k++) {
				char *t = canonical(cx, ent_store(ix), c->texts[k]);
				ok = strstr(cond, t) != NULL;
				free(t);
			}
			const char *se[2] = {c->start, c->end};
			for (size_t k = 0; ok && k < 2; k++)
				if (se[k]) {
					char *t = canonical(cx, ent_store(ix), se[k]);
					ok = strstr(cond, t) != NULL;
					free(t);
				}
		}
		if (!ok)
			buf_printf(&miss, "%s%s (%s)", miss.n ? ", " : "", c->kind->name, c->raw ? c->raw : "");
	}
	return miss.p ? buf_detach(&miss) : NULL;
}

/* The resource's `environment` attribute (string values are not
 * NUL-terminated: bytes and length), or NULL. */
static const wvalue *resource_env(const went_index *ix, wuid r)
{
	const wentity *e = entities_get(ent_store(ix), r);
	if (!e)
		return NULL;
	const wsym *k = intern_find(&ent_ctx((went_index *)ix)->syms, "environment", 11);
	const wvalue *v = k ? record_get(e->attrs, k) : NULL;
	return v && v->kind == WV_STRING ? v : NULL;
}

static bool env_is(const wvalue *v, const char *s)
{
	return strlen(s) == v->u.s.n && memcmp(s, v->u.s.p, v->u.s.n) == 0;
}

static void group_head(const wdiff_group *g, wbuf *b)
{
	buf_adds(b, g->summary);
}

int intent_check(went_index *ix, const requirement *rq, const wdiff *df, const wpolicyset *head, wintent *out,
		 wdiags *d)
{
	out->req_id = rq->id;
	out->ticket = rq->ticket;
	wbuf subj = WBUF_INIT, res = WBUF_INIT;
	target_str(&rq->subject, &subj);
	target_str(&rq->resource, &res);
	/* ---- creep: what the change grants beyond the requirement */
	for (size_t gi = 0; gi < df->ngroups; gi++) {
		const wdiff_group *g = &df->groups[gi];
		if (g->after.dec == WDEC_DENY)
			continue;
		/* a condition change that only narrows (allow -> conditional) grants nothing new */
		if (g->change == WCCHG_COND && g->before.dec == WDEC_ALLOW)
			continue;
		out->ngranted += (size_t)g->nactions * g->nresources;
		wbuf h = WBUF_INIT;
		group_head(g, &h);
		if (!in_target(ix, &rq->subject, g->principal))
			issue(out, WINT_SUBJECT, "%s: the requirement's subject is %s", h.p, subj.p);
		wbuf extra = WBUF_INIT;
		for (uint32_t k = 0; k < g->nactions; k++)
			if (!requested_action(rq, g->actions[k])) {
				if (extra.n)
					buf_adds(&extra, ", ");
				diff_add_action(&extra, g->actions[k]);
			}
		if (extra.n)
			issue(out, WINT_ACTION, "%s: %s %s not requested", h.p, extra.p,
			      strchr(extra.p, ',') ? "were" : "was");
		buf_release(&extra);
		size_t outside = 0, otherenv = 0;
		wbuf envs = WBUF_INIT;
		wuid first_out = {NULL, NULL};
		for (uint32_t k = 0; k < g->nresources; k++) {
			if (!in_target(ix, &rq->resource, g->resources[k])) {
				if (!outside++)
					first_out = g->resources[k];
			}
			const wvalue *env = resource_env(ix, g->resources[k]);
			if (rq->environment && env && !env_is(env, rq->environment)) {
				otherenv++;
				wbuf q = WBUF_INIT;
				buf_printf(&q, "'%.*s'", (int)env->u.s.n, env->u.s.p);
				if (!envs.p || !strstr(envs.p, q.p))
					buf_printf(&envs, "%s%s", envs.n ? ", " : "", q.p);
				buf_release(&q);
			}
		}
		if (outside) {
			wbuf u = WBUF_INIT;
			format_uid(&u, first_out);
			issue(out, WINT_RESOURCE, "%s: %zu resource%s outside %s (e.g. %s)", h.p, outside,
			      outside == 1 ? "" : "s", res.p, u.p);
			buf_release(&u);
		}
		if (otherenv)
			issue(out, WINT_ENVIRONMENT, "%s: %zu resource%s in environment %s, the requirement is for '%s'",
			      h.p, otherenv, otherenv == 1 ? "" : "s", envs.p, rq->environment);
		buf_release(&envs);
		char *miss = missing_constraints(ix, rq, g->after.dec == WDEC_COND ? g->after.cond : NULL);
		if (miss)
			issue(out, WINT_CONSTRAINT, "%s: %s the requested constraint%s %s", h.p,
			      g->after.dec == WDEC_COND ? "the condition lacks or weakens" : "unconditional, without",
			      strchr(miss, ',') ? "s" : "", miss);
		free(miss);
		buf_release(&h);
	}
	/* ---- under-grants: requested cells the head does not allow */
	wcellset cells;
	cellset_init(&cells);
	wpolicy fake;
	memset(&fake, 0, sizeof fake);
	fake.id = rq->id ? rq->id : "requirement";
	fake.effect = WEFF_PERMIT;
	const req_target *ts[2] = {&rq->subject, &rq->resource};
	wscope *sc[2] = {&fake.principal, &fake.resource};
	for (int i = 0; i < 2; i++) {
		switch (ts[i]->form) {
		case RF_ENTITY:
			sc[i]->op = WSC_EQ;
			sc[i]->uid = ts[i]->uid;
			break;
		case RF_IN:
			sc[i]->op = ts[i]->type ? WSC_IS_IN : WSC_IN;
			sc[i]->type = ts[i]->type;
			sc[i]->uid = ts[i]->uid;
			break;
		case RF_TYPE:
			sc[i]->op = WSC_IS;
			sc[i]->type = ts[i]->type;
			break;
		}
	}
	fake.action.op = WSC_IN_SET;
	fake.action.list = rq->actions;
	fake.action.nlist = (uint32_t)rq->nactions;
	const wpolicy *fp = &fake;
	int rc = 0;
	if (ent_scope_cells(ix, &fp, 1, NULL, &cells, d) < 0 || cells.n > INTENT_MAX_REQUESTED) {
		rc = cells.n > INTENT_MAX_REQUESTED ? 0 : -1;
		cellset_release(&cells);
		buf_release(&subj);
		buf_release(&res);
		return rc;
	}
	out->nrequested = cells.n;
	went_pset *s = ent_pset_new(ix, head);
	warena tmp;
	arena_init(&tmp);
	size_t nshown = 0;
	for (size_t i = 0; i < cells.n; i++) {
		wcell c = cells.items[i];
		/* only resources of the requested environment count */
		const wvalue *env = resource_env(ix, c.r);
		if (rq->environment && env && !env_is(env, rq->environment))
			continue;
		wdecision dec;
		ent_decide(ix, s, c, &tmp, &dec);
		arena_reset(&tmp);
		if (dec.kind != WDEC_DENY) {
			out->nmatching++;
			continue;
		}
		if (nshown++ < 20) {
			wbuf b = WBUF_INIT;
			format_uid(&b, c.p);
			buf_adds(&b, " ");
			diff_add_action(&b, c.a);
			buf_adds(&b, " on ");
			format_uid(&b, c.r);
			issue(out, WINT_UNDERGRANT, "%s: requested, but not allowed after the change", b.p);
			buf_release(&b);
		} else {
			out->nunder++;
		}
	}
	arena_release(&tmp);
	ent_pset_free(s);
	cellset_release(&cells);
	buf_release(&subj);
	buf_release(&res);
	return 0;
}

void intent_print_text(const wintent *w, wbuf *out)
{
	buf_printf(out, "intent check %s%s%s%s: %s\n", w->req_id ? w->req_id : "", w->ticket ? " (" : "",
		   w->ticket ? w->ticket : "", w->ticket ? ")" : "", w->ncreep ? "FAIL" : "ok");
	buf_adds(out, "granted by the change: ");
	diff_add_count(out, w->ngranted);
	buf_adds(out, " cells; requested: ");
	diff_add_count(out, w->nrequested);
	buf_adds(out, " cells, ");
	diff_add_count(out, w->nmatching);
	buf_adds(out, " allowed after the change\n");
	if (w->ncreep) {
		buf_printf(out, "\nprivilege creep (%zu):\n", w->ncreep);
		for (size_t i = 0; i < w->n; i++)
			if (w->items[i].kind != WINT_UNDERGRANT)
				buf_printf(out, "  [%s] %s\n", intent_kind_name((wintent_kind)w->items[i].kind),
					   w->items[i].msg);
	}
	if (w->nunder) {
		buf_printf(out, "\nunder-granted (%zu):\n", w->nunder);
		size_t shown = 0;
		for (size_t i = 0; i < w->n; i++)
			if (w->items[i].kind == WINT_UNDERGRANT) {
				buf_printf(out, "  %s\n", w->items[i].msg);
				shown++;
			}
		if (shown < w->nunder)
			buf_printf(out, "  ... and %zu more\n", w->nunder - shown);
	}
}

void intent_print_json(const wintent *w, wbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "requirement", w->req_id ? json_string(w->req_id) : json_null());
	json_object_set_new(root, "ticket", w->ticket ? json_string(w->ticket) : json_null());
	json_object_set_new(root, "ok", json_boolean(w->ncreep == 0));
	json_object_set_new(root, "granted_cells", json_integer((json_int_t)w->ngranted));
	json_object_set_new(root, "requested_cells", json_integer((json_int_t)w->nrequested));
	json_object_set_new(root, "requested_allowed", json_integer((json_int_t)w->nmatching));
	json_t *creep = json_array(), *under = json_array();
	for (size_t i = 0; i < w->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(intent_kind_name((wintent_kind)w->items[i].kind)));
		json_object_set_new(o, "message", json_string(w->items[i].msg));
		json_array_append_new(w->items[i].kind == WINT_UNDERGRANT ? under : creep, o);
	}
	json_object_set_new(root, "creep", creep);
	json_object_set_new(root, "under_granted", under);
	json_object_set_new(root, "under_granted_total", json_integer((json_int_t)w->nunder));
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
}
