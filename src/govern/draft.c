/* draft: fitting templates to requirements and rendering drafts (draft.h). */
#include "govern/draft.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/validate.h"
#include "govern/gast.h"
#include "util/xalloc.h"

int draft_risk_rank(const char *risk)
{
	static const char *const lv[] = {"low", "medium", "high", "critical"};
	for (int i = 0; i < 4; i++)
		if (risk && strcmp(risk, lv[i]) == 0)
			return i;
	return 4;
}

static bool in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static char *uid_text(wuid u)
{
	wbuf b = WBUF_INIT;
	format_uid(&b, u);
	return buf_detach(&b);
}

/* Is the scope's `is` type a parameter sentinel? Returns its name. */
static const char *scope_type_param(const wscope *sc, size_t *n)
{
	if (sc->op != WSC_IS && sc->op != WSC_IS_IN)
		return NULL;
	return tmpl_sentinel_name(sc->type->s, sc->type->len, n);
}

static int fit_target(const tmpl *t, const wscope *sc, const req_target *rt, const char *what, char **types,
		      size_t ntypes, tbinding *b, char **slot, wbuf *why)
{
	tshape sh = tmpl_scope_shape(sc);
	const char *want = rt->form == RF_ENTITY ? "one entity" : rt->form == RF_TYPE ? "every entity of a type"
					 : rt->type ? "entities of a type within a group or container"
						    : "everything in a group or container";
	bool ok = false;
	switch (sh) {
	case TS_ENTITY:
		ok = rt->form == RF_ENTITY;
		break;
	case TS_IN:
		ok = rt->form == RF_IN && !rt->type;
		break;
	case TS_TYPE_IN:
		ok = rt->form == RF_IN && rt->type;
		break;
	case TS_TYPE:
		ok = rt->form == RF_TYPE;
		break;
	default:
		ok = false;
	}
	if (!ok) {
		buf_printf(why, "its %s scope does not take %s", what, want);
		return -1;
	}
	if (sh == TS_TYPE || sh == TS_TYPE_IN) {
		size_t nl;
		const char *pn = scope_type_param(sc, &nl);
		if (pn) {
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)nl, pn);
			int pi = tmpl_param_index(t, name);
			if (pi < 0 || !in_list(t->params[pi].choices, t->params[pi].nchoices, rt->type->s)) {
				buf_printf(why, "its %s type may not be '%s'", what, rt->type->s);
				return -1;
			}
			tbinding_add(b, (size_t)pi, rt->type->s);
		} else if (sc->type != rt->type) {
			buf_printf(why, "its %s type is '%s', not '%s'", what, sc->type->s, rt->type->s);
			return -1;
		}
	}
	if (sh == TS_ENTITY || sh == TS_IN || sh == TS_TYPE_IN) {
		if (types && !in_list(types, ntypes, rt->uid.type->s)) {
			buf_printf(why, "its ?%s may not be of type '%s'", what, rt->uid.type->s);
			return -1;
		}
		*slot = uid_text(rt->uid);
	}
	return 0;
}

static gtype param_type_for(gtype constraint_type)
{
	return constraint_type;
}

int draft_fit(const repo *r, const tmpl *t, const requirement *rq, tbinding *b, wbuf *why, int *stage)
{
	*stage = 0;
	unsigned kbit = rq->kind == REQ_GRANT ? TMPL_GRANT : rq->kind == REQ_EXCEPTION ? TMPL_EXCEPTION : TMPL_BREAK_GLASS;
	if (!(t->kinds & kbit)) {
		buf_printf(why, "it does not serve %s requirements", req_kind_name((req_kind)rq->kind));
		return -1;
	}
	*stage = 1;
	if (fit_target(t, &t->pol->principal, &rq->subject, "principal", t->principal_types, t->nprincipal_types, b,
		       &b->principal, why) < 0)
		return -1;
	*stage = 2;
	if (fit_target(t, &t->pol->resource, &rq->resource, "resource", t->resource_types, t->nresource_types, b,
		       &b->resource, why) < 0)
		return -1;
	*stage = 3;
	/* actions: the template's action parameter must offer every one */
	const wscope *as = &t->pol->action;
	int api = -1;
	if (as->op == WSC_IN_SET && as->nlist == 1) {
		size_t nl;
		const char *pn = tmpl_sentinel_name(as->list[0].id->s, as->list[0].id->len, &nl);
		if (pn) {
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)nl, pn);
			api = tmpl_param_index(t, name);
		}
	}
	if (api < 0) {
		buf_adds(why, "its actions are fixed, not a parameter");
		return -1;
	}
	const tparam *ap = &t->params[api];
	wbuf set = WBUF_INIT;
	buf_addc(&set, '[');
	for (size_t i = 0; i < rq->nactions; i++) {
		if (!in_list(ap->choices, ap->nchoices, rq->actions[i].id->s)) {
			buf_printf(why, "it allows only actions ");
			for (size_t j = 0; j < ap->nchoices; j++)
				buf_printf(why, "%s'%s'", j ? ", " : "", ap->choices[j]);
			buf_printf(why, "; the requirement asks for '%s'", rq->actions[i].id->s);
			buf_release(&set);
			return -1;
		}
		wbuf u = WBUF_INIT;
		format_uid(&u, rq->actions[i]);
		buf_printf(&set, "%s%s", i ? ", " : "", u.p);
		buf_release(&u);
	}
	buf_addc(&set, ']');
	tbinding_add(b, (size_t)api, set.p);
	buf_release(&set);
	*stage = 4;
	/* environment */
	int epi = -1;
	for (size_t i = 0; i < t->nparams; i++)
		if (t->params[i].type == GT_ENVIRONMENT)
			epi = (int)i;
	if (epi < 0) {
		buf_adds(why, "it does not restrict the environment");
		return -1;
	}
	{
		wbuf e = WBUF_INIT;
		format_cedar_str(&e, rq->environment, strlen(rq->environment));
		tbinding_add(b, (size_t)epi, e.p);
		buf_release(&e);
	}
	*stage = 5;
	/* constraints */
	for (size_t i = 0; i < rq->ncons; i++) {
		const req_constraint *c = &rq->cons[i];
		if (c->kind->type == GT_TIME_WINDOW) {
			char sn[160], en[160];
			snprintf(sn, sizeof sn, "%s_start", c->kind->name);
			snprintf(en, sizeof en, "%s_end", c->kind->name);
			int si = tmpl_param_index(t, sn), ei = tmpl_param_index(t, en);
			if (si < 0 || ei < 0 || t->params[si].type != GT_TIME_OF_DAY ||
			    t->params[ei].type != GT_TIME_OF_DAY) {
				buf_printf(why, "it does not support the constraint '%s'", c->kind->name);
				return -1;
			}
			tbinding_add(b, (size_t)si, c->start);
			tbinding_add(b, (size_t)ei, c->end);
			continue;
		}
		int pi = tmpl_param_index(t, c->kind->name);
		if (pi < 0 || t->params[pi].type != param_type_for(c->kind->type)) {
			buf_printf(why, "it does not support the constraint '%s'", c->kind->name);
			return -1;
		}
		for (size_t j = 0; j < c->n; j++)
			tbinding_add(b, (size_t)pi, c->texts[j]);
	}
	*stage = 6;
	for (size_t i = 0; i < t->nparams; i++)
		if (!t->params[i].optional && !b->vals[i].present) {
			buf_printf(why, "it needs '%s', which the requirement does not give", t->params[i].name);
			return -1;
		}
	(void)r;
	return 0;
}

static void anno(wbuf *out, const char *key, const char *val)
{
	buf_printf(out, "@%s(", key);
	format_cedar_str(out, val, strlen(val));
	buf_adds(out, ")\n");
}

typedef struct miss {
	const tmpl *t;
	int stage;
	char *why;
} miss;

static int cmp_miss(const void *a, const void *b)
{
	const miss *x = a, *y = b;
	if (x->stage != y->stage)
		return y->stage - x->stage;
	return strcmp(x->t->id, y->t->id);
}

int draft_make(repo *r, const tcatalog *c, const requirement *rq, const draft_opts *o, wbuf *out, const tmpl **used,
	       wdiags *d)
{
	const wspan nospan = {0, 0};
	const wsource *rsrc = rq->has_doc ? &rq->doc.src : NULL;
	const tmpl *best = NULL;
	tbinding bb = {0};
	miss *misses = xcalloc(c->n ? c->n : 1, sizeof *misses);
	size_t nmiss = 0;
	if (o->template_id && !tcatalog_find(c, o->template_id)) {
		wbuf ids = WBUF_INIT;
		for (size_t i = 0; i < c->n; i++)
			buf_printf(&ids, "%s%s", i ? ", " : "", c->items[i].id);
		diag_add(d, WSEV_ERROR, NULL, nospan, "no approved template '%s'; the repository has: %s", o->template_id,
			 ids.p ? ids.p : "none");
		buf_release(&ids);
		free(misses);
		return -1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const tmpl *t = &c->items[i];
		if (o->template_id && strcmp(t->id, o->template_id) != 0)
			continue;
		tbinding b;
		tbinding_init(&b, t);
		wbuf why = WBUF_INIT;
		int stage;
		if (draft_fit(r, t, rq, &b, &why, &stage) == 0) {
			if (!best || draft_risk_rank(t->risk) < draft_risk_rank(best->risk) ||
			    (draft_risk_rank(t->risk) == draft_risk_rank(best->risk) && strcmp(t->id, best->id) < 0)) {
				if (best)
					tbinding_release(&bb, best);
				best = t;
				bb = b;
			} else {
				tbinding_release(&b, t);
			}
		} else {
			misses[nmiss++] = (miss){t, stage, buf_detach(&why)};
			tbinding_release(&b, t);
		}
		buf_release(&why);
	}
	if (!best) {
		qsort(misses, nmiss, sizeof *misses, cmp_miss);
		wbuf m = WBUF_INIT;
		if (o->template_id)
			buf_printf(&m, "template '%s' does not fit requirement '%s': %s", o->template_id, rq->id,
				   nmiss ? misses[0].why : "?");
		else {
			buf_printf(&m, "no approved template fits requirement '%s'", rq->id);
			if (!nmiss)
				buf_adds(&m, " (the repository has no templates)");
			for (size_t i = 0; i < nmiss && i < 3; i++)
				buf_printf(&m, "\n  - '%s' (%s risk): %s", misses[i].t->id, misses[i].t->risk, misses[i].why);
		}
		diag_add(d, WSEV_ERROR, rsrc, nospan, "%s", m.p);
		buf_release(&m);
		for (size_t i = 0; i < nmiss; i++)
			free(misses[i].why);
		free(misses);
		return -1;
	}
	for (size_t i = 0; i < nmiss; i++)
		free(misses[i].why);
	free(misses);

	wbuf text = WBUF_INIT, err = WBUF_INIT;
	anno(&text, "id", rq->id);
	anno(&text, "ticket", rq->ticket);
	anno(&text, "justification", rq->justification);
	anno(&text, "owner", rq->owner);
	anno(&text, "requested_by", rq->requested_by);
	anno(&text, "drafted_by", o->drafted_by ? o->drafted_by : rq->requested_by);
	anno(&text, "template", best->id);
	anno(&text, "kind", req_kind_name((req_kind)rq->kind));
	const req_constraint *ex = req_find_constraint(rq, "expires");
	if (ex && ex->raw)
		anno(&text, "expires", ex->raw);
	int rc = tmpl_render(best, &bb, &text, &err);
	tbinding_release(&bb, best);
	if (rc < 0) {
		diag_add(d, WSEV_ERROR, rsrc, nospan, "%s", err.p);
		buf_release(&text);
		buf_release(&err);
		return -1;
	}
	buf_release(&err);
	buf_adds(&text, ";\n");

	/* parse what we rendered, lay it out canonically, validate */
	wpolicyset ps;
	policyset_init(&ps);
	wdiags pd;
	diags_init(&pd);
	rc = -1;
	char *name = arena_sprintf(&ps.arena, "draft of %s", rq->id);
	if (parse_policies(&r->cx, &ps, name, text.p, text.n, &pd) || ps.n != 1) {
		diag_add(d, WSEV_ERROR, rsrc, nospan, "the draft from template '%s' does not parse: %s", best->id,
			 pd.n ? pd.items[0].msg : "unexpected output");
		goto out;
	}
	if (r->has_schema) {
		wvalidation v;
		validation_init(&v);
		wvalidate_opts vo = WVALIDATE_OPTS_DEFAULT;
		int verr = validate_policyset(&r->cx, &r->schema, &ps, &vo, &v);
		bool impossible = v.npolicies && v.policies[0].impossible;
		if (verr > 0 || impossible) {
			wbuf m = WBUF_INIT;
			buf_printf(&m, "the draft from template '%s' does not validate against the schema", best->id);
			for (size_t i = 0; i < v.n; i++)
				if (v.items[i].sev == WSEV_ERROR)
					buf_printf(&m, "\n  - %s", v.items[i].msg);
			if (impossible)
				buf_adds(&m, "\n  - it can never apply to any request the schema allows");
			diag_add(d, WSEV_ERROR, rsrc, nospan, "%s", m.p);
			buf_release(&m);
			validation_release(&v);
			goto out;
		}
		validation_release(&v);
	}
	format_policy(ps.items[0], NULL, out);
	buf_addc(out, '\n');
	*used = best;
	rc = 0;
out:
	diags_release(&pd);
	policyset_release(&ps);
	buf_release(&text);
	return rc;
}
