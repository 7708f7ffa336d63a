/* match: policy AST against template AST with typed holes (see match.h).
 *
 * Bindings are kept per parameter as a list of value texts; condition
 * blocks are matched with backtracking (an optional block may be skipped),
 * so each attempt works on a copy of the bindings and only a successful
 * path keeps them. Templates are small: the search is tiny.
 */
#include "govern/match.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/ext.h"
#include "cedar/format.h"
#include "govern/gast.h"
#include "util/xalloc.h"

typedef struct binds {
	size_t np;
	char ***vals;   /* per param: list of texts */
	size_t *nv;
	char *principal, *resource;
} binds;

typedef struct mctx {
	const repo *r;
	const tmpl *t;
	wbuf *why;
} mctx;

static void binds_init(binds *b, size_t np)
{
	b->np = np;
	b->vals = xcalloc(np ? np : 1, sizeof *b->vals);
	b->nv = xcalloc(np ? np : 1, sizeof *b->nv);
	b->principal = b->resource = NULL;
}

static void binds_release(binds *b)
{
	for (size_t i = 0; i < b->np; i++) {
		for (size_t j = 0; j < b->nv[i]; j++)
			free(b->vals[i][j]);
		free(b->vals[i]);
	}
	free(b->vals);
	free(b->nv);
	free(b->principal);
	free(b->resource);
	memset(b, 0, sizeof *b);
}

static void binds_copy(binds *dst, const binds *src)
{
	binds_init(dst, src->np);
	for (size_t i = 0; i < src->np; i++) {
		dst->nv[i] = src->nv[i];
		dst->vals[i] = xcalloc(src->nv[i] ? src->nv[i] : 1, sizeof(char *));
		for (size_t j = 0; j < src->nv[i]; j++)
			dst->vals[i][j] = xstrdup(src->vals[i][j]);
	}
	dst->principal = src->principal ? xstrdup(src->principal) : NULL;
	dst->resource = src->resource ? xstrdup(src->resource) : NULL;
}

static void binds_push(binds *b, size_t i, char *text)
{
	b->vals[i] = xrealloc(b->vals[i], (b->nv[i] + 1) * sizeof(char *));
	b->vals[i][b->nv[i]++] = text;
}

/* Binds a single-valued parameter; fails when bound to something else. */
static int bind_one(mctx *m, binds *b, size_t i, char *text)
{
	if (b->nv[i]) {
		int same = strcmp(b->vals[i][0], text) == 0;
		if (!same)
			buf_printf(m->why, "parameter '%s' takes two different values (%s and %s)", m->t->params[i].name,
				   b->vals[i][0], text);
		free(text);
		return same ? 0 : -1;
	}
	binds_push(b, i, text);
	return 0;
}

static char *expr_text(const wexpr *e)
{
	wbuf b = WBUF_INIT;
	format_expr(e, NULL, &b);
	return buf_detach(&b);
}

static int param_of(const tmpl *t, const char *name, size_t nl)
{
	for (size_t i = 0; i < t->nparams; i++)
		if (strlen(t->params[i].name) == nl && memcmp(t->params[i].name, name, nl) == 0)
			return (int)i;
	return -1;
}

static bool ext_call_lit(const wexpr *e, const char *fn)
{
	return e->kind == WE_CALL && !e->u.call.method && e->u.call.n == 1 && e->u.call.fn &&
	       strcmp(e->u.call.fn->name, fn) == 0 && e->u.call.args[0]->kind == WE_LIT &&
	       e->u.call.args[0]->u.lit.kind == WV_STRING;
}

/* A hole of parameter `pi` against candidate expression `c`. */
static int match_hole(mctx *m, binds *b, int pi, const wexpr *c)
{
	const tparam *p = &m->t->params[pi];
	bool ok = false;
	switch (p->type) {
	case GT_ENVIRONMENT:
		if (c->kind == WE_LIT && c->u.lit.kind == WV_STRING) {
			char *s = xstrndup(c->u.lit.u.s.p, c->u.lit.u.s.n);
			ok = repo_find_env(m->r, s) != NULL;
			if (!ok)
				buf_printf(m->why, "'%s' is not an environment of ward.yaml", s);
			free(s);
			if (!ok)
				return -1;
		}
		break;
	case GT_STRING:
		ok = c->kind == WE_LIT && c->u.lit.kind == WV_STRING;
		if (ok && p->nchoices) {
			char *s = xstrndup(c->u.lit.u.s.p, c->u.lit.u.s.n);
			ok = false;
			for (size_t i = 0; i < p->nchoices; i++)
				ok |= strcmp(p->choices[i], s) == 0;
			free(s);
		}
		break;
	case GT_LONG:
		ok = c->kind == WE_LIT && c->u.lit.kind == WV_LONG;
		break;
	case GT_BOOL:
		ok = c->kind == WE_LIT && c->u.lit.kind == WV_BOOL;
		break;
	case GT_IP_RANGES:
		if (ext_call_lit(c, "ip")) {
			wipaddr ip;
			const wexpr *a = c->u.call.args[0];
			ok = ext_parse_ip(a->u.lit.u.s.p, a->u.lit.u.s.n, &ip) == 0 && ip.prefix > 0;
		}
		if (ok) {
			binds_push(b, (size_t)pi, expr_text(c));
			return 0;
		}
		break;
	case GT_DATETIME:
		if (ext_call_lit(c, "datetime")) {
			int64_t ms;
			const wexpr *a = c->u.call.args[0];
			ok = ext_parse_datetime(a->u.lit.u.s.p, a->u.lit.u.s.n, &ms) == 0;
		}
		break;
	case GT_TIME_OF_DAY:
		if (ext_call_lit(c, "duration")) {
			int64_t ms;
			const wexpr *a = c->u.call.args[0];
			ok = ext_parse_duration(a->u.lit.u.s.p, a->u.lit.u.s.n, &ms) == 0 && ms >= 0 &&
			     ms <= 24LL * 3600 * 1000;
		}
		break;
	default:
		ok = false;
	}
	if (!ok) {
		if (!m->why->n) {
			char *ct = expr_text(c);
			buf_printf(m->why, "parameter '%s' (%s) cannot be '%s'", p->name, gtype_name(p->type), ct);
			free(ct);
		}
		return -1;
	}
	return bind_one(m, b, (size_t)pi, expr_text(c));
}

static int match_expr(mctx *m, binds *b, const wexpr *te, const wexpr *ce);

/* The call holding an ip-ranges hole: one instance, or several joined by ||. */
static int ip_call_hole(const mctx *m, const wexpr *te)
{
	if (te->kind != WE_CALL)
		return -1;
	for (uint32_t i = 0; i < te->u.call.n; i++) {
		size_t nl;
		const char *nm = gast_sentinel(te->u.call.args[i], &nl);
		int pi = nm ? param_of(m->t, nm, nl) : -1;
		if (pi >= 0 && m->t->params[pi].type == GT_IP_RANGES)
			return pi;
	}
	return -1;
}

static int match_or_chain(mctx *m, binds *b, const wexpr *te, const wexpr *ce)
{
	if (ce->kind == WE_OR) {
		if (match_or_chain(m, b, te, ce->u.k.a) < 0)
			return -1;
		return match_or_chain(m, b, te, ce->u.k.b);
	}
	return match_expr(m, b, te, ce);
}

static bool pattern_eq(const wpattern *a, const wpattern *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->cps, b->cps, a->n * sizeof *a->cps) == 0);
}

static int differ(mctx *m, const wexpr *te, const wexpr *ce)
{
	if (!m->why->n) {
		char *c = expr_text(ce);
		char *t = expr_text(te);
		buf_printf(m->why, "'%s' differs from the template's '%s'", c, t);
		free(c);
		free(t);
	}
	return -1;
}

static int match_expr(mctx *m, binds *b, const wexpr *te, const wexpr *ce)
{
	size_t nl;
	const char *nm = gast_sentinel(te, &nl);
	if (nm) {
		int pi = param_of(m->t, nm, nl);
		if (pi < 0)
			return differ(m, te, ce);
		return match_hole(m, b, pi, ce);
	}
	int ip = ip_call_hole(m, te);
	if (ip >= 0 && ce->kind == WE_OR)
		return match_or_chain(m, b, te, ce);
	if (te->kind != ce->kind || te->op != ce->op)
		return differ(m, te, ce);
	switch (te->kind) {
	case WE_LIT:
		return value_eq(&te->u.lit, &ce->u.lit) ? 0 : differ(m, te, ce);
	case WE_VAR:
		return te->u.var == ce->u.var ? 0 : differ(m, te, ce);
	case WE_SLOT:
		return te->u.slot == ce->u.slot ? 0 : differ(m, te, ce);
	case WE_GETATTR:
	case WE_HASATTR:
		if (te->u.attr.name != ce->u.attr.name)
			return differ(m, te, ce);
		return match_expr(m, b, te->u.attr.obj, ce->u.attr.obj);
	case WE_LIKE:
		if (!pattern_eq(&te->u.like.pat, &ce->u.like.pat))
			return differ(m, te, ce);
		return match_expr(m, b, te->u.like.obj, ce->u.like.obj);
	case WE_IS:
		if (te->u.is.type != ce->u.is.type || !te->u.is.in != !ce->u.is.in)
			return differ(m, te, ce);
		if (match_expr(m, b, te->u.is.obj, ce->u.is.obj) < 0)
			return -1;
		return te->u.is.in ? match_expr(m, b, te->u.is.in, ce->u.is.in) : 0;
	case WE_SET:
		if (te->u.list.n != ce->u.list.n)
			return differ(m, te, ce);
		break;
	case WE_RECORD:
		if (te->u.rec.n != ce->u.rec.n)
			return differ(m, te, ce);
		for (uint32_t i = 0; i < te->u.rec.n; i++)
			if (te->u.rec.keys[i] != ce->u.rec.keys[i])
				return differ(m, te, ce);
		break;
	case WE_CALL:
		if (te->u.call.fn != ce->u.call.fn || te->u.call.method != ce->u.call.method ||
		    te->u.call.n != ce->u.call.n)
			return differ(m, te, ce);
		break;
	default:
		break;
	}
	wexpr **tk, **ck;
	size_t tn = gast_children(te, &tk), cn = gast_children(ce, &ck);
	if (tn != cn)
		return differ(m, te, ce);
	for (size_t i = 0; i < tn; i++)
		if (match_expr(m, b, tk[i], ck[i]) < 0)
			return -1;
	return 0;
}

/* ---- scope ----------------------------------------------------------------- */

static char *uid_text(wuid u)
{
	wbuf b = WBUF_INIT;
	format_uid(&b, u);
	return buf_detach(&b);
}

static bool in_choices(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int match_scope(mctx *m, binds *b, const char *var, const wscope *ts, const wscope *cs, char **slot,
		       char **types, size_t ntypes)
{
	if (ts->slot) {
		if (cs->slot || cs->op != ts->op || (ts->op == WSC_IS_IN && ts->type != cs->type)) {
			buf_printf(m->why, "its %s scope has a different shape from the template's", var);
			return -1;
		}
		if (types && !in_choices(types, ntypes, cs->uid.type->s)) {
			buf_printf(m->why, "the template does not allow a %s of type '%s'", var, cs->uid.type->s);
			return -1;
		}
		*slot = uid_text(cs->uid);
		return 0;
	}
	size_t nl;
	const char *pn = (ts->op == WSC_IS || ts->op == WSC_IS_IN) ? tmpl_sentinel_name(ts->type->s, ts->type->len, &nl)
								    : NULL;
	if (pn) {
		int pi = param_of(m->t, pn, nl);
		if (cs->op != ts->op || pi < 0 || !in_choices(m->t->params[pi].choices, m->t->params[pi].nchoices,
							      cs->type->s)) {
			buf_printf(m->why, "its %s scope does not name one of the template's types", var);
			return -1;
		}
		if (ts->op == WSC_IS_IN && !uid_eq(ts->uid, cs->uid)) {
			buf_printf(m->why, "its %s scope has a different container", var);
			return -1;
		}
		return bind_one(m, b, (size_t)pi, xstrdup(cs->type->s));
	}
	if (ts->op == WSC_IN_SET && ts->nlist == 1 &&
	    (pn = tmpl_sentinel_name(ts->list[0].id->s, ts->list[0].id->len, &nl)) != NULL) {
		int pi = param_of(m->t, pn, nl);
		const wuid *list = cs->list;
		uint32_t n = cs->nlist;
		if (cs->op == WSC_EQ) {
			list = &cs->uid;
			n = 1;
		} else if (cs->op != WSC_IN_SET) {
			buf_printf(m->why, "its action scope is not a list of actions");
			return -1;
		}
		if (pi < 0 || n == 0)
			return -1;
		wbuf set = WBUF_INIT;
		buf_addc(&set, '[');
		for (uint32_t i = 0; i < n; i++) {
			if (!in_choices(m->t->params[pi].choices, m->t->params[pi].nchoices, list[i].id->s) ||
			    list[i].type != ts->list[0].type) {
				buf_printf(m->why, "action '%s' is not one the template offers", list[i].id->s);
				buf_release(&set);
				return -1;
			}
			char *u = uid_text(list[i]);
			buf_printf(&set, "%s%s", i ? ", " : "", u);
			free(u);
		}
		buf_addc(&set, ']');
		return bind_one(m, b, (size_t)pi, buf_detach(&set));
	}
	/* fixed: must be identical */
	bool same = ts->op == cs->op && ts->slot == cs->slot && ts->type == cs->type;
	if (same && (ts->op == WSC_EQ || ts->op == WSC_IN || ts->op == WSC_IS_IN))
		same = uid_eq(ts->uid, cs->uid);
	if (same && ts->op == WSC_IN_SET) {
		same = ts->nlist == cs->nlist;
		for (uint32_t i = 0; same && i < ts->nlist; i++)
			same = uid_eq(ts->list[i], cs->list[i]);
	}
	if (!same) {
		buf_printf(m->why, "its %s scope differs from the template's", var);
		return -1;
	}
	return 0;
}

/* ---- conditions ------------------------------------------------------------ */

static int visit_optional(const wexpr *e, void *ud)
{
	void **u = ud;
	const tmpl *t = u[0];
	size_t nl;
	const char *nm = gast_sentinel(e, &nl);
	if (!nm)
		return 0;
	int pi = param_of(t, nm, nl);
	if (pi >= 0 && t->params[pi].optional)
		*(int *)u[1] = 1;
	return 1;
}

static bool cond_optional(const tmpl *t, const wcond *c)
{
	int opt = 0;
	void *u[2] = {(void *)t, &opt};
	gast_walk(c->body, visit_optional, u);
	return opt;
}

static int match_conds(mctx *m, binds *b, uint32_t ti, uint32_t ci, const wpolicy *p)
{
	const wpolicy *tp = m->t->pol;
	if (ti == tp->nconds) {
		if (ci == p->nconds)
			return 0;
		if (!m->why->n)
			buf_printf(m->why, "it has a condition the template does not have");
		return -1;
	}
	if (ci < p->nconds && tp->conds[ti].is_when == p->conds[ci].is_when) {
		binds trial;
		binds_copy(&trial, b);
		size_t wl = m->why->n;
		if (match_expr(m, &trial, tp->conds[ti].body, p->conds[ci].body) == 0 &&
		    match_conds(m, &trial, ti + 1, ci + 1, p) == 0) {
			binds_release(b);
			*b = trial;
			return 0;
		}
		binds_release(&trial);
		if (cond_optional(m->t, &tp->conds[ti]) && m->why->p) {
			/* the block may also be absent: forget this attempt's reason */
			m->why->n = wl;
			m->why->p[wl] = '\0';
		}
	}
	if (cond_optional(m->t, &tp->conds[ti]))
		return match_conds(m, b, ti + 1, ci, p);
	if (!m->why->n)
		buf_printf(m->why, "it lacks the template's condition #%u", ti + 1);
	return -1;
}

int match_template(const repo *r, const tmpl *t, const wpolicy *p, match_result *out, wbuf *why)
{
	memset(out, 0, sizeof *out);
	mctx m = {r, t, why};
	const wpolicy *tp = t->pol;
	if (p->is_template || p->template_of) {
		buf_adds(why, "it is a template or a template link, not a policy");
		return -1;
	}
	if (tp->effect != p->effect) {
		buf_printf(why, "it is a %s, the template a %s", p->effect == WEFF_PERMIT ? "permit" : "forbid",
			   tp->effect == WEFF_PERMIT ? "permit" : "forbid");
		return -1;
	}
	binds b;
	binds_init(&b, t->nparams);
	int rc = -1;
	if (match_scope(&m, &b, "principal", &tp->principal, &p->principal, &b.principal, t->principal_types,
			t->nprincipal_types) < 0 ||
	    match_scope(&m, &b, "action", &tp->action, &p->action, NULL, NULL, 0) < 0 ||
	    match_scope(&m, &b, "resource", &tp->resource, &p->resource, &b.resource, t->resource_types,
			t->nresource_types) < 0)
		goto done;
	if (match_conds(&m, &b, 0, 0, p) < 0)
		goto done;
	/* required parameters must be bound */
	for (size_t i = 0; i < t->nparams; i++)
		if (!t->params[i].optional && !b.nv[i]) {
			buf_printf(why, "it does not give the template's required parameter '%s'", t->params[i].name);
			goto done;
		}
	out->t = t;
	size_t cap = t->nparams + 2;
	out->names = xcalloc(cap, sizeof(char *));
	out->values = xcalloc(cap, sizeof(char *));
	if (b.principal) {
		out->names[out->n] = xstrdup("?principal");
		out->values[out->n++] = xstrdup(b.principal);
	}
	if (b.resource) {
		out->names[out->n] = xstrdup("?resource");
		out->values[out->n++] = xstrdup(b.resource);
	}
	for (size_t i = 0; i < t->nparams; i++) {
		if (!b.nv[i])
			continue;
		wbuf v = WBUF_INIT;
		for (size_t j = 0; j < b.nv[i]; j++)
			buf_printf(&v, "%s%s", j ? ", " : "", b.vals[i][j]);
		out->names[out->n] = xstrdup(t->params[i].name);
		out->values[out->n++] = buf_detach(&v);
	}
	rc = 0;
done:
	binds_release(&b);
	return rc;
}

int match_catalog(const repo *r, const tcatalog *c, const wpolicy *p, match_result *out, wbuf *why)
{
	const wannotation *a = policy_annotation(p, "template");
	const tmpl *named = a ? tcatalog_find(c, a->val) : NULL;
	wbuf first = WBUF_INIT;
	if (named) {
		if (match_template(r, named, p, out, &first) == 0) {
			buf_release(&first);
			return 0;
		}
	}
	for (size_t i = 0; i < c->n; i++) {
		if (&c->items[i] == named)
			continue;
		wbuf w = WBUF_INIT;
		if (match_template(r, &c->items[i], p, out, &w) == 0) {
			buf_release(&w);
			buf_release(&first);
			return 0;
		}
		buf_release(&w);
	}
	if (named)
		buf_printf(why, "it claims template '%s' but %s", named->id, first.p ? first.p : "does not match it");
	else if (a)
		buf_printf(why, "it claims template '%s', which is not an approved template, and matches no other", a->val);
	else
		buf_adds(why, "it is not an instance of any approved template");
	buf_release(&first);
	return -1;
}

void match_result_release(match_result *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->names[i]);
		free(m->values[i]);
	}
	free(m->names);
	free(m->values);
	memset(m, 0, sizeof *m);
}

/* ---- where templates are required ------------------------------------------ */

static bool type_within(const wschema *s, const wsym *t, const wsym *c, int depth)
{
	if (t == c)
		return true;
	const wentity_type *et = depth < 32 ? schema_entity_type(s, t) : NULL;
	for (uint32_t i = 0; et && i < et->nparents; i++)
		if (type_within(s, et->parents[i], c, depth + 1))
			return true;
	return false;
}

/* Does a resource of type `t` (or the entity `u` when u.type) hit entry `hr`? */
static bool hits(const repo *r, const char *hr, const wsym *t, const wuid *u, bool container)
{
	const char *q = strstr(hr, "::\"");
	size_t tl = q ? (size_t)(q - hr) : strlen(hr);
	if (!q) {
		/* a type: the resource's type, or (for a container) any type within it */
		if (t->len == tl && memcmp(t->s, hr, tl) == 0)
			return true;
		if (container && r->has_schema) {
			const wsym *ht = intern_find(&r->cx.syms, hr, tl);
			return ht && type_within(&r->schema, ht, t, 0);
		}
		return false;
	}
	if (!u)
		return t->len == tl && memcmp(t->s, hr, tl) == 0; /* a type-wide scope reaches the entity */
	char *us = uid_text(*u);
	bool same = strcmp(us, hr) == 0;
	free(us);
	if (same)
		return true;
	/* an entity inside the high-risk one (an object of a high-risk bucket) */
	const wentity *ue = r->has_ents ? entities_get(&r->ents, *u) : NULL;
	if (ue && r->has_ents) {
		for (uint32_t i = 0; i < r->ents.n; i++) {
			const wentity *e = r->ents.items[i];
			char *es = uid_text(e->uid);
			bool is = strcmp(es, hr) == 0;
			free(es);
			if (is && entity_has_ancestor(ue, e->uid))
				return true;
		}
	}
	if (container && r->has_ents) {
		/* a high-risk entity inside the container */
		for (uint32_t i = 0; i < r->ents.n; i++) {
			const wentity *e = r->ents.items[i];
			char *es = uid_text(e->uid);
			bool is = strcmp(es, hr) == 0;
			free(es);
			if (is && entity_has_ancestor(e, *u))
				return true;
		}
	}
	return false;
}

bool match_requires_template(const repo *r, const wpolicy *p, wbuf *why)
{
	const wannotation *db = policy_annotation(p, "drafted_by");
	if (db && db->has_value && strncmp(db->val, "model:", 6) == 0) {
		buf_printf(why, "drafted by a model (%s)", db->val);
		return true;
	}
	if (p->effect == WEFF_FORBID)
		return false; /* a forbid only takes access away */
	const wscope *rs = &p->resource;
	for (size_t i = 0; i < r->nhigh_risk; i++) {
		const char *hr = r->high_risk[i];
		bool hit = false;
		switch (rs->op) {
		case WSC_EQ:
			hit = !rs->slot && hits(r, hr, rs->uid.type, &rs->uid, false);
			break;
		case WSC_IN:
			hit = !rs->slot && hits(r, hr, rs->uid.type, &rs->uid, true);
			break;
		case WSC_IS:
		case WSC_IS_IN:
			hit = hits(r, hr, rs->type, NULL, false);
			break;
		default: {
			/* unconstrained: every resource type its actions apply to */
			for (uint32_t k = 0; !hit && r->has_schema && k < r->schema.nactions; k++) {
				const waction *a = &r->schema.actions[k];
				bool in_scope = p->action.op == WSC_ANY;
				if (p->action.op == WSC_EQ)
					in_scope = uid_eq(p->action.uid, a->uid);
				for (uint32_t j = 0; p->action.op == WSC_IN_SET && j < p->action.nlist; j++)
					in_scope |= uid_eq(p->action.list[j], a->uid);
				if (p->action.op == WSC_IN) /* an action group: be conservative */
					in_scope = true;
				for (uint32_t j = 0; in_scope && !hit && j < a->nresources; j++)
					hit = hits(r, hr, a->resources[j], NULL, false);
			}
		}
		}
		if (hit) {
			buf_printf(why, "reaches high-risk resource '%s'", hr);
			return true;
		}
	}
	return false;
}
