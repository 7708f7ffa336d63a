/* template: loading, checking and rendering approved templates (template.h).
 *
 * Loading takes three steps. (1) Every `$NAME` outside strings and comments
 * is replaced by an untyped sentinel chosen from its position, so the text
 * parses and the annotations (which declare the parameter types) can be
 * read. (2) With the types known, `$NAME` becomes a typed sentinel and the
 * text is parsed again: that AST is the template. (3) The template is
 * rendered with sample values, slots kept, and validated against the schema.
 * Diagnostics of steps 1 and 2 are mapped back to the original file.
 */
#include "govern/template.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/validate.h"
#include "govern/gast.h"
#include "govern/gio.h"
#include "govern/secrets.h"
#include "util/xalloc.h"

/* ---- `$NAME` occurrences and offset mapping ------------------------------ */

typedef struct pref {
	uint32_t start, end;  /* `$name` in the original text */
	char *name;           /* heap */
	int ctx;              /* 0 value, 1 after `action in`, 2 after `is` */
	uint32_t nstart, nend; /* replacement span in the rewritten text */
} pref;

static bool is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The word ending just before offset `i` (skipping spaces): its start, or -1. */
static long prev_word(const char *s, long i, size_t *wl)
{
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r'))
		i--;
	long e = i;
	while (i > 0 && is_ident_char(s[i - 1]))
		i--;
	*wl = (size_t)(e - i);
	return e > i ? i : -1;
}

static size_t find_refs(const char *s, size_t len, pref **out)
{
	size_t n = 0, cap = 0;
	pref *v = NULL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			continue;
		}
		if (c == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
			continue;
		}
		if (c != '$')
			continue;
		size_t j = i + 1;
		while (j < len && is_ident_char(s[j]))
			j++;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		pref *p = &v[n++];
		memset(p, 0, sizeof *p);
		p->start = (uint32_t)i;
		p->end = (uint32_t)j;
		p->name = xstrndup(s + i + 1, j - i - 1);
		size_t wl;
		long w = prev_word(s, (long)i, &wl);
		if (w >= 0 && wl == 2 && memcmp(s + w, "is", 2) == 0) {
			p->ctx = 2;
		} else if (w >= 0 && wl == 2 && memcmp(s + w, "in", 2) == 0) {
			size_t wl2;
			long w2 = prev_word(s, w, &wl2);
			if (w2 >= 0 && wl2 == 6 && memcmp(s + w2, "action", 6) == 0)
				p->ctx = 1;
		}
		i = j - 1;
	}
	*out = v;
	return n;
}

static void refs_free(pref *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* Maps an offset in the rewritten text back to the original. */
static uint32_t map_back(const pref *v, size_t n, uint32_t off)
{
	int64_t delta = 0;
	for (size_t i = 0; i < n; i++) {
		if (off < v[i].nstart)
			break;
		if (off < v[i].nend)
			return v[i].start;
		delta = (int64_t)v[i].end - (int64_t)v[i].nend;
	}
	return (uint32_t)((int64_t)off + delta);
}

/* Copies diagnostics from `from` (about the rewritten text) into `d`,
 * relocated into the original source `orig`. */
static void relocate(const wdiags *from, const pref *v, size_t n, const wsource *orig, wdiags *d)
{
	for (size_t i = 0; i < from->n; i++) {
		const wdiag *x = &from->items[i];
		wspan sp = x->span;
		if (x->src) {
			sp.start = map_back(v, n, sp.start);
			sp.end = map_back(v, n, sp.end);
			if (sp.end < sp.start)
				sp.end = sp.start;
		}
		diag_add(d, x->sev, x->src ? orig : NULL, sp, "%s", x->msg);
	}
}

/* ---- sentinels ----------------------------------------------------------- */

const char *tmpl_sentinel_name(const char *s, size_t len, size_t *n)
{
	size_t pl = sizeof TMPL_SENTINEL - 1;
	if (len <= pl || memcmp(s, TMPL_SENTINEL, pl) != 0)
		return NULL;
	*n = len - pl;
	return s + pl;
}

static const char *action_type_name(const repo *r)
{
	return r->has_schema && r->schema.nactions ? r->schema.actions[0].uid.type->s : "Action";
}

/* Typed sentinel text for parameter `p` (untyped when p is NULL). */
static void sentinel_text(wbuf *b, const repo *r, const pref *ref, const tparam *p)
{
	if (ref->ctx == 1) {
		buf_printf(b, "[%s::\"%s%s\"]", action_type_name(r), TMPL_SENTINEL, ref->name);
		return;
	}
	if (ref->ctx == 2) {
		buf_printf(b, "%s%s", TMPL_SENTINEL, ref->name);
		return;
	}
	const char *fn = NULL;
	if (p && p->type == GT_IP_RANGES)
		fn = "ip";
	else if (p && p->type == GT_DATETIME)
		fn = "datetime";
	else if (p && p->type == GT_TIME_OF_DAY)
		fn = "duration";
	if (fn)
		buf_printf(b, "%s(\"%s%s\")", fn, TMPL_SENTINEL, ref->name);
	else
		buf_printf(b, "\"%s%s\"", TMPL_SENTINEL, ref->name);
}

/* Rewrites `text`, replacing every reference; records new spans. */
static char *rewrite(const repo *r, const char *text, size_t len, pref *v, size_t n, const tmpl *t, size_t *outlen)
{
	wbuf b = WBUF_INIT;
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		buf_add(&b, text + at, v[i].start - at);
		v[i].nstart = (uint32_t)b.n;
		int pi = t ? tmpl_param_index(t, v[i].name) : -1;
		sentinel_text(&b, r, &v[i], pi >= 0 ? &t->params[pi] : NULL);
		v[i].nend = (uint32_t)b.n;
		at = v[i].end;
	}
	buf_add(&b, text + at, len - at);
	*outlen = b.n;
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* ---- metadata ------------------------------------------------------------ */

int tmpl_param_index(const tmpl *t, const char *name)
{
	for (size_t i = 0; i < t->nparams; i++)
		if (strcmp(t->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Splits "a, b ,c" into trimmed heap strings. */
static char **split_list(const char *s, size_t *n)
{
	char **v = NULL;
	size_t cnt = 0;
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		const char *e = s;
		while (*e && *e != ',')
			e++;
		const char *t = e;
		while (t > s && t[-1] == ' ')
			t--;
		v = xrealloc(v, (cnt + 1) * sizeof *v);
		v[cnt++] = xstrndup(s, (size_t)(t - s));
		s = e;
	}
	*n = cnt;
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int parse_param(tmpl *t, const repo *r, const wannotation *a, const wsource *src, wdiags *d)
{
	const char *name = a->key->s + 6; /* after "param_" */
	if (!*name) {
		diag_add(d, WSEV_ERROR, src, a->span, "'@param_' needs a parameter name, e.g. @param_environment");
		return -1;
	}
	const char *spec = a->val;
	const char *colon = strchr(spec, ':');
	size_t tl = colon ? (size_t)(colon - spec) : strlen(spec);
	while (tl && spec[tl - 1] == ' ')
		tl--;
	bool opt = tl && spec[tl - 1] == '?';
	if (opt)
		tl--;
	int ty = gtype_parse(spec, tl);
	if (ty < 0 || ty == GT_TIME_WINDOW) {
		diag_add(d, WSEV_ERROR, src, a->span,
			 "unknown parameter type '%.*s' for '%s'; expected one of: actions, environment, entity-type, "
			 "string, long, bool, ip-ranges, datetime, time-of-day",
			 (int)tl, spec, name);
		return -1;
	}
	if (tmpl_param_index(t, name) >= 0) {
		diag_add(d, WSEV_ERROR, src, a->span, "parameter '%s' is declared twice", name);
		return -1;
	}
	tparam p = {.name = xstrdup(name), .type = (gtype)ty, .optional = opt};
	if (colon)
		p.choices = split_list(colon + 1, &p.nchoices);
	int bad = 0;
	if ((ty == GT_ACTIONS || ty == GT_ENTITY_TYPE) && p.nchoices == 0) {
		diag_add(d, WSEV_ERROR, src, a->span, "parameter '%s' of type %s must list its choices: \"%s: a, b\"",
			 name, gtype_name((gtype)ty), gtype_name((gtype)ty));
		bad++;
	} else if (ty != GT_ACTIONS && ty != GT_ENTITY_TYPE && ty != GT_STRING && p.nchoices) {
		diag_add(d, WSEV_ERROR, src, a->span, "parameter '%s' of type %s cannot list choices", name,
			 gtype_name((gtype)ty));
		bad++;
	}
	for (size_t i = 0; i < p.nchoices && r->has_schema; i++) {
		if (ty == GT_ACTIONS) {
			wuid u = {intern_cstr((winterner *)&r->cx.syms, action_type_name(r)),
				  intern_cstr((winterner *)&r->cx.syms, p.choices[i])};
			if (!schema_action(&r->schema, u)) {
				diag_add(d, WSEV_ERROR, src, a->span, "parameter '%s': unknown action '%s'", name,
					 p.choices[i]);
				bad++;
			}
		} else if (ty == GT_ENTITY_TYPE) {
			if (!schema_entity_type(&r->schema, intern_cstr((winterner *)&r->cx.syms, p.choices[i]))) {
				diag_add(d, WSEV_ERROR, src, a->span, "parameter '%s': unknown entity type '%s'", name,
					 p.choices[i]);
				bad++;
			}
		}
	}
	t->params = xrealloc(t->params, (t->nparams + 1) * sizeof *t->params);
	t->params[t->nparams++] = p;
	return bad ? -1 : 0;
}

static int check_types(repo *r, char **v, size_t n, const char *what, const wannotation *a, const wsource *src,
		       wdiags *d)
{
	int bad = 0;
	for (size_t i = 0; i < n && r->has_schema; i++)
		if (!schema_entity_type(&r->schema, intern_cstr(&r->cx.syms, v[i]))) {
			diag_add(d, WSEV_ERROR, src, a->span, "%s: unknown entity type '%s'", what, v[i]);
			bad++;
		}
	return bad;
}

static int read_meta(tmpl *t, repo *r, const wpolicy *p, const wsource *src, wdiags *d)
{
	int bad = 0;
	for (uint32_t i = 0; i < p->nannos; i++) {
		const wannotation *a = &p->annos[i];
		const char *k = a->key->s;
		if (strcmp(k, "template") == 0)
			t->id = xstrdup(a->val);
		else if (strcmp(k, "description") == 0)
			t->description = xstrdup(a->val);
		else if (strcmp(k, "risk") == 0) {
			if (strcmp(a->val, "low") && strcmp(a->val, "medium") && strcmp(a->val, "high") &&
			    strcmp(a->val, "critical")) {
				diag_add(d, WSEV_ERROR, src, a->span,
					 "unknown risk '%s'; expected low, medium, high or critical", a->val);
				bad++;
			}
			t->risk = xstrdup(a->val);
		} else if (strcmp(k, "kinds") == 0) {
			size_t n;
			char **v = split_list(a->val, &n);
			for (size_t j = 0; j < n; j++) {
				if (strcmp(v[j], "grant") == 0)
					t->kinds |= TMPL_GRANT;
				else if (strcmp(v[j], "exception") == 0)
					t->kinds |= TMPL_EXCEPTION;
				else if (strcmp(v[j], "break-glass") == 0)
					t->kinds |= TMPL_BREAK_GLASS;
				else {
					diag_add(d, WSEV_ERROR, src, a->span,
						 "unknown requirement kind '%s'; expected grant, exception or break-glass",
						 v[j]);
					bad++;
				}
			}
			free_list(v, n);
		} else if (strcmp(k, "resource_types") == 0) {
			t->resource_types = split_list(a->val, &t->nresource_types);
			bad += check_types(r, t->resource_types, t->nresource_types, "@resource_types", a, src, d);
		} else if (strcmp(k, "principal_types") == 0) {
			t->principal_types = split_list(a->val, &t->nprincipal_types);
			bad += check_types(r, t->principal_types, t->nprincipal_types, "@principal_types", a, src, d);
		} else if (strncmp(k, "param_", 6) == 0) {
			if (parse_param(t, r, a, src, d) < 0)
				bad++;
		} else {
			diag_add(d, WSEV_ERROR, src, a->span,
				 "unknown template annotation '@%s'; expected @template, @description, @risk, @kinds, "
				 "@resource_types, @principal_types or @param_NAME",
				 k);
			bad++;
		}
	}
	wspan at = p->span;
	at.end = at.start;
	if (!t->id) {
		diag_add(d, WSEV_ERROR, src, at, "template needs an id: @template(\"NAME\")");
		bad++;
	} else {
		for (const char *c = t->id; *c; c++)
			if (!is_ident_char(*c) && *c != '-' && *c != '.') {
				diag_add(d, WSEV_ERROR, src, at, "template id '%s' may only use letters, digits, '-', '_', '.'",
					 t->id);
				bad++;
				break;
			}
	}
	if (!t->description || !*t->description) {
		diag_add(d, WSEV_ERROR, src, at, "template needs a @description(\"...\")");
		bad++;
	}
	if (!t->risk) {
		diag_add(d, WSEV_ERROR, src, at, "template needs a @risk(\"low|medium|high|critical\")");
		bad++;
	}
	if (!t->kinds) {
		diag_add(d, WSEV_ERROR, src, at, "template needs @kinds(\"grant\") (grant, exception, break-glass)");
		bad++;
	}
	return bad;
}

/* ---- binding and rendering ------------------------------------------------ */

void tbinding_init(tbinding *b, const tmpl *t)
{
	b->vals = xcalloc(t->nparams ? t->nparams : 1, sizeof *b->vals);
	b->principal = b->resource = NULL;
}

void tbinding_release(tbinding *b, const tmpl *t)
{
	for (size_t i = 0; i < t->nparams; i++)
		free_list(b->vals[i].texts, b->vals[i].n);
	free(b->vals);
	free(b->principal);
	free(b->resource);
	memset(b, 0, sizeof *b);
}

void tbinding_add(tbinding *b, size_t i, const char *text)
{
	tvalue *v = &b->vals[i];
	v->texts = xrealloc(v->texts, (v->n + 1) * sizeof *v->texts);
	v->texts[v->n++] = xstrdup(text);
	v->present = true;
}

typedef struct edit {
	uint32_t start, end;
	char *text; /* heap */
} edit;

typedef struct rctx {
	const tmpl *t;
	const tbinding *b;
	edit *edits;
	size_t n, cap;
	int missing_optional; /* cond walk: uses an absent optional parameter */
	const char *missing_required;
	wbuf *err;
} rctx;

static void add_edit(rctx *rc, uint32_t s, uint32_t e, char *text)
{
	if (rc->n == rc->cap) {
		rc->cap = rc->cap ? rc->cap * 2 : 16;
		rc->edits = xrealloc(rc->edits, rc->cap * sizeof *rc->edits);
	}
	rc->edits[rc->n++] = (edit){s, e, text};
}

static const tvalue *param_value(const rctx *rc, const char *name, size_t nl, const tparam **pp)
{
	for (size_t i = 0; i < rc->t->nparams; i++)
		if (strlen(rc->t->params[i].name) == nl && memcmp(rc->t->params[i].name, name, nl) == 0) {
			*pp = &rc->t->params[i];
			return &rc->b->vals[i];
		}
	*pp = NULL;
	return NULL;
}

static int visit_absent(const wexpr *e, void *ud)
{
	rctx *rc = ud;
	size_t nl;
	const char *nm = gast_sentinel(e, &nl);
	if (!nm)
		return 0;
	const tparam *p;
	const tvalue *v = param_value(rc, nm, nl, &p);
	if (p && (!v->present || v->n == 0)) {
		if (p->optional)
			rc->missing_optional = 1;
		else if (!rc->missing_required)
			rc->missing_required = p->name;
	}
	return 1;
}

/* Replaces every occurrence of `pat` in the [s, e) text by `rep`. */
static void replace_all(wbuf *out, const char *s, size_t n, const char *pat, const char *rep)
{
	size_t pl = strlen(pat);
	size_t i = 0;
	while (i < n) {
		if (i + pl <= n && memcmp(s + i, pat, pl) == 0) {
			buf_adds(out, rep);
			i += pl;
		} else {
			buf_addc(out, s[i++]);
		}
	}
}

/* Finds calls that take an ip-ranges sentinel as an argument and expands
 * each into a disjunction over the ranges. */
static int visit_expand(const wexpr *e, void *ud)
{
	rctx *rc = ud;
	if (e->kind != WE_CALL)
		return 0;
	for (uint32_t i = 0; i < e->u.call.n; i++) {
		size_t nl;
		const char *nm = gast_sentinel(e->u.call.args[i], &nl);
		if (!nm)
			continue;
		const tparam *p;
		const tvalue *v = param_value(rc, nm, nl, &p);
		if (!p || p->type != GT_IP_RANGES || !v->present || v->n < 2)
			continue;
		const char *src = rc->t->stext;
		wbuf pat = WBUF_INIT, out = WBUF_INIT;
		buf_printf(&pat, "ip(\"%s%s\")", TMPL_SENTINEL, p->name);
		buf_addc(&out, '(');
		for (size_t k = 0; k < v->n; k++) {
			if (k)
				buf_adds(&out, " || ");
			replace_all(&out, src + e->span.start, e->span.end - e->span.start, pat.p, v->texts[k]);
		}
		buf_addc(&out, ')');
		buf_release(&pat);
		add_edit(rc, e->span.start, e->span.end, buf_detach(&out));
		return 1;
	}
	return 0;
}

static int cmp_edit(const void *a, const void *b)
{
	const edit *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : (x->end > y->end ? -1 : x->end < y->end);
}

static char *scope_text(const char *var, const wscope *sc, const char *uid)
{
	wbuf b = WBUF_INIT;
	switch (sc->op) {
	case WSC_EQ:
		buf_printf(&b, "%s == %s", var, uid);
		break;
	case WSC_IN:
		buf_printf(&b, "%s in %s", var, uid);
		break;
	case WSC_IS_IN:
		buf_printf(&b, "%s is %s in %s", var, sc->type->s, uid);
		break;
	default:
		buf_adds(&b, var);
	}
	return buf_detach(&b);
}

int tmpl_render(const tmpl *t, const tbinding *b, wbuf *out, wbuf *err)
{
	rctx rc = {.t = t, .b = b, .err = err};
	const wpolicy *p = t->pol;
	/* drop the template's own annotations */
	uint32_t body = p->span.start;
	for (uint32_t i = 0; i < p->nannos; i++)
		if (p->annos[i].span.end > body)
			body = p->annos[i].span.end;
	/* scope slots */
	const wscope *scopes[2] = {&p->principal, &p->resource};
	const char *vars[2] = {"principal", "resource"};
	const char *vals[2] = {b->principal, b->resource};
	for (int i = 0; i < 2; i++) {
		if (!scopes[i]->slot)
			continue;
		if (!vals[i])
			continue; /* keep ?principal / ?resource */
		add_edit(&rc, scopes[i]->span.start, scopes[i]->span.end, scope_text(vars[i], scopes[i], vals[i]));
	}
	/* conditions: drop blocks with absent optional parameters */
	for (uint32_t i = 0; i < p->nconds; i++) {
		rc.missing_optional = 0;
		gast_walk(p->conds[i].body, visit_absent, &rc);
		if (rc.missing_optional)
			add_edit(&rc, p->conds[i].span.start, p->conds[i].span.end, xstrdup(""));
		else
			gast_walk(p->conds[i].body, visit_expand, &rc);
	}
	/* required parameters used in the scope */
	for (size_t i = 0; i < t->nparams; i++)
		if (t->params[i].used && !t->params[i].optional && !b->vals[i].present && !rc.missing_required)
			rc.missing_required = t->params[i].name;
	int rcode = 0;
	if (rc.missing_required) {
		buf_printf(err, "template '%s' needs a value for parameter '%s'", t->id, rc.missing_required);
		rcode = -1;
		goto out;
	}
	if (rc.n)
		qsort(rc.edits, rc.n, sizeof *rc.edits, cmp_edit);
	wbuf mid = WBUF_INIT;
	uint32_t at = body;
	for (size_t i = 0; i < rc.n; i++) {
		if (rc.edits[i].start < at)
			continue; /* inside a dropped or expanded region */
		buf_add(&mid, t->stext + at, rc.edits[i].start - at);
		buf_adds(&mid, rc.edits[i].text);
		at = rc.edits[i].end;
	}
	buf_add(&mid, t->stext + at, p->span.end - at);
	/* single values replace their sentinels everywhere */
	wbuf cur = mid;
	for (size_t i = 0; i < t->nparams; i++) {
		const tparam *tp = &t->params[i];
		if (!b->vals[i].present || b->vals[i].n == 0)
			continue;
		wbuf pat = WBUF_INIT, next = WBUF_INIT;
		const char *val = b->vals[i].texts[0];
		switch (tp->type) {
		case GT_ACTIONS:
			buf_printf(&pat, "[%s::\"%s%s\"]", t->pol->action.nlist ? t->pol->action.list[0].type->s : "Action",
				   TMPL_SENTINEL, tp->name);
			break;
		case GT_ENTITY_TYPE:
			buf_printf(&pat, "%s%s", TMPL_SENTINEL, tp->name);
			break;
		case GT_IP_RANGES:
			buf_printf(&pat, "ip(\"%s%s\")", TMPL_SENTINEL, tp->name);
			break;
		case GT_DATETIME:
			buf_printf(&pat, "datetime(\"%s%s\")", TMPL_SENTINEL, tp->name);
			break;
		case GT_TIME_OF_DAY:
			buf_printf(&pat, "duration(\"%s%s\")", TMPL_SENTINEL, tp->name);
			break;
		default:
			buf_printf(&pat, "\"%s%s\"", TMPL_SENTINEL, tp->name);
		}
		replace_all(&next, cur.p ? cur.p : "", cur.n, pat.p, val);
		buf_release(&pat);
		buf_release(&cur);
		cur = next;
	}
	if (cur.p && strstr(cur.p, TMPL_SENTINEL)) {
		buf_printf(err, "template '%s': a parameter was left without a value", t->id);
		buf_release(&cur);
		rcode = -1;
		goto out;
	}
	/* the policy's span includes its ';': callers add their own */
	size_t cn = cur.n;
	while (cn && (cur.p[cn - 1] == ' ' || cur.p[cn - 1] == '\n' || cur.p[cn - 1] == '\t' || cur.p[cn - 1] == '\r'))
		cn--;
	if (cn && cur.p[cn - 1] == ';')
		cn--;
	buf_add(out, cur.p ? cur.p : "", cn);
	buf_release(&cur);
out:
	for (size_t i = 0; i < rc.n; i++)
		free(rc.edits[i].text);
	free(rc.edits);
	return rcode;
}

tshape tmpl_scope_shape(const wscope *sc)
{
	switch (sc->op) {
	case WSC_ANY:
		return TS_ANY;
	case WSC_EQ:
		return sc->slot ? TS_ENTITY : TS_OTHER;
	case WSC_IN:
		return sc->slot ? TS_IN : TS_OTHER;
	case WSC_IS:
		return TS_TYPE;
	case WSC_IS_IN:
		return sc->slot ? TS_TYPE_IN : TS_OTHER;
	default:
		return TS_OTHER;
	}
}

/* ---- loading --------------------------------------------------------------- */

/* Sample value text for validating a template. */
static void sample_value(const repo *r, const tparam *p, wbuf *b)
{
	switch (p->type) {
	case GT_ACTIONS:
		buf_addc(b, '[');
		for (size_t i = 0; i < p->nchoices; i++)
			buf_printf(b, "%s%s::\"%s\"", i ? ", " : "", action_type_name(r), p->choices[i]);
		buf_addc(b, ']');
		break;
	case GT_ENTITY_TYPE:
		buf_adds(b, p->choices[0]);
		break;
	case GT_ENVIRONMENT:
		format_cedar_str(b, r->nenvs ? r->envs[0].name : "dev", strlen(r->nenvs ? r->envs[0].name : "dev"));
		break;
	case GT_LONG:
		buf_adds(b, "0");
		break;
	case GT_BOOL:
		buf_adds(b, "true");
		break;
	case GT_IP_RANGES:
		buf_adds(b, "ip(\"10.0.0.0/8\")");
		break;
	case GT_DATETIME:
		buf_adds(b, "datetime(\"2030-01-01\")");
		break;
	case GT_TIME_OF_DAY:
		buf_adds(b, "duration(\"1h\")");
		break;
	default:
		buf_adds(b, p->nchoices ? "\"" : "\"sample\"");
		if (p->nchoices) {
			buf_adds(b, p->choices[0]);
			buf_addc(b, '"');
		}
	}
}

struct usage_ctx {
	tmpl *t;
	const wsource *src;
	wdiags *d;
	int bad;
};

static int validate_sample(tmpl *t, repo *r, wdiags *d)
{
	tbinding b;
	tbinding_init(&b, t);
	for (size_t i = 0; i < t->nparams; i++) {
		wbuf v = WBUF_INIT;
		sample_value(r, &t->params[i], &v);
		tbinding_add(&b, i, v.p);
		buf_release(&v);
	}
	wbuf out = WBUF_INIT, err = WBUF_INIT;
	int rc = tmpl_render(t, &b, &out, &err);
	tbinding_release(&b, t);
	if (rc < 0) {
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "%s: %s", t->path, err.p);
		buf_release(&out);
		buf_release(&err);
		return -1;
	}
	buf_release(&err);
	buf_adds(&out, ";\n");
	wpolicyset ps;
	policyset_init(&ps);
	wdiags pd;
	diags_init(&pd);
	char *name = arena_sprintf(&ps.arena, "%s (with sample values)", t->path);
	int bad = parse_policies(&r->cx, &ps, name, out.p, out.n, &pd);
	if (bad) {
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0},
			 "%s: template does not parse once its parameters are filled: %s", t->path,
			 pd.n ? pd.items[0].msg : "syntax error");
	} else if (r->has_schema) {
		wvalidation v;
		validation_init(&v);
		wvalidate_opts o = WVALIDATE_OPTS_DEFAULT;
		if (validate_policyset(&r->cx, &r->schema, &ps, &o, &v) > 0) {
			for (size_t i = 0; i < v.n; i++)
				if (v.items[i].sev == WSEV_ERROR)
					diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0},
						 "%s: template '%s' does not validate against the schema: %s%s%s", t->path,
						 t->id, v.items[i].msg, v.items[i].help ? "; " : "",
						 v.items[i].help ? v.items[i].help : "");
			bad = 1;
		} else if (v.policies && v.policies[0].impossible) {
			diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0},
				 "%s: template '%s' can never apply (it is false for every request the schema allows)",
				 t->path, t->id);
			bad = 1;
		}
		validation_release(&v);
	}
	diags_release(&pd);
	policyset_release(&ps);
	buf_release(&out);
	return bad ? -1 : 0;
}

int tmpl_load(tmpl *t, repo *r, const char *path, const char *text, size_t len, wdiags *d)
{
	memset(t, 0, sizeof *t);
	policyset_init(&t->ps);
	t->path = xstrdup(path);
	/* the original text, for locating errors (kept in the set's arena) */
	wsource *orig = ARENA_NEW(&t->ps.arena, wsource);
	orig->name = arena_strndup(&t->ps.arena, path, strlen(path));
	orig->text = arena_strndup(&t->ps.arena, text, len);
	orig->len = len;
	const char *hit = NULL;
	for (size_t i = 0; !hit && i + sizeof TMPL_SENTINEL - 1 <= len; i++)
		if (memcmp(text + i, TMPL_SENTINEL, sizeof TMPL_SENTINEL - 1) == 0)
			hit = text + i;
	if (hit) {
		wspan sp = {(uint32_t)(hit - text), (uint32_t)(hit - text + sizeof TMPL_SENTINEL - 1)};
		diag_add(d, WSEV_ERROR, orig, sp, "'%s' is reserved for ward's template parameters", TMPL_SENTINEL);
		return -1;
	}
	pref *refs;
	size_t nrefs = find_refs(text, len, &refs);
	int rc = -1;
	for (size_t i = 0; i < nrefs; i++)
		if (!refs[i].name[0]) {
			wspan sp = {refs[i].start, refs[i].end};
			diag_add(d, WSEV_ERROR, orig, sp, "'$' must be followed by a parameter name");
			goto done;
		}
	/* pass 1: untyped sentinels, to read the annotations */
	size_t alen;
	char *atext = rewrite(r, text, len, refs, nrefs, NULL, &alen);
	wpolicyset aps;
	policyset_init(&aps);
	wdiags ad;
	diags_init(&ad);
	int perr = parse_policies(&r->cx, &aps, path, atext, alen, &ad);
	if (perr) {
		relocate(&ad, refs, nrefs, orig, d);
	} else if (aps.n != 1) {
		diag_add(d, WSEV_ERROR, orig, (wspan){0, 0}, "a template file must hold exactly one policy, found %u",
			 aps.n);
		perr = 1;
	} else {
		wdiags md;
		diags_init(&md);
		perr = read_meta(t, r, aps.items[0], aps.items[0]->src, &md);
		relocate(&md, refs, nrefs, orig, d);
		diags_release(&md);
	}
	diags_release(&ad);
	policyset_release(&aps);
	free(atext);
	if (perr)
		goto done;
	/* every reference declared, used where its type allows */
	int bad = 0;
	for (size_t i = 0; i < nrefs; i++) {
		int pi = tmpl_param_index(t, refs[i].name);
		wspan sp = {refs[i].start, refs[i].end};
		if (pi < 0) {
			diag_add(d, WSEV_ERROR, orig, sp, "parameter '%s' is not declared; add @param_%s(\"TYPE\")",
				 refs[i].name, refs[i].name);
			bad++;
			continue;
		}
		tparam *p = &t->params[pi];
		p->used = true;
		int want = p->type == GT_ACTIONS ? 1 : p->type == GT_ENTITY_TYPE ? 2 : 0;
		if (want != refs[i].ctx) {
			const char *where[] = {"a value position of a condition", "the action scope (`action in $x`)",
					       "an `is` test (`principal is $x`)"};
			diag_add(d, WSEV_ERROR, orig, sp, "parameter '%s' of type %s may only appear in %s", p->name,
				 gtype_name(p->type), where[want]);
			bad++;
		}
	}
	for (size_t i = 0; i < t->nparams; i++)
		if (!t->params[i].used) {
			diag_add(d, WSEV_ERROR, orig, (wspan){0, 0}, "parameter '%s' is declared but never used",
				 t->params[i].name);
			bad++;
		}
	if (bad)
		goto done;
	/* pass 2: typed sentinels */
	t->stext = rewrite(r, text, len, refs, nrefs, t, &t->stext_len);
	wdiags sd;
	diags_init(&sd);
	perr = parse_policies(&r->cx, &t->ps, path, t->stext, t->stext_len, &sd);
	relocate(&sd, refs, nrefs, orig, d);
	diags_release(&sd);
	if (perr || t->ps.n != 1)
		goto done;
	t->pol = t->ps.items[0];
	/* the condition's sentinels refer to the source copy inside the set */
	free(t->stext);
	t->stext = xstrndup(t->pol->src->text, t->pol->src->len);
	if (validate_sample(t, r, d) < 0)
		goto done;
	rc = 0;
done:
	refs_free(refs, nrefs);
	return rc;
}

void tmpl_release(tmpl *t)
{
	free(t->path);
	free(t->id);
	free(t->description);
	free(t->risk);
	free_list(t->resource_types, t->nresource_types);
	free_list(t->principal_types, t->nprincipal_types);
	for (size_t i = 0; i < t->nparams; i++) {
		free((char *)t->params[i].name);
		free_list(t->params[i].choices, t->params[i].nchoices);
	}
	free(t->params);
	free(t->stext);
	policyset_release(&t->ps);
	memset(t, 0, sizeof *t);
}

int tcatalog_load(tcatalog *c, repo *r, wdiags *d)
{
	memset(c, 0, sizeof *c);
	char *dir = repo_path(r, "templates");
	size_t nf;
	char **files = gio_list(dir, ".cedar", &nf);
	free(dir);
	int bad = 0;
	arena_init(&c->keep);
	c->items = xcalloc(nf ? nf : 1, sizeof *c->items);
	c->failed = xcalloc(nf ? nf : 1, sizeof *c->failed);
	secrets_scanner *sc = secrets_new(r->allowlist, r->nallow, r->entropy_threshold, d);
	if (!sc) {
		gio_list_free(files, nf);
		return -1;
	}
	for (size_t i = 0; i < nf; i++) {
		size_t len;
		char *text = gio_read(files[i], 1 << 20, &len, d);
		if (!text) {
			bad++;
			continue;
		}
		secret_finding *f;
		size_t nsec = secrets_scan(sc, text, len, &f);
		if (nsec) {
			/* located on a copy with the secrets masked */
			wsource *src = ARENA_NEW(&c->keep, wsource);
			char *masked = arena_strndup(&c->keep, text, len);
			for (size_t k = 0; k < nsec; k++)
				memset(masked + f[k].start, '*', f[k].end - f[k].start);
			src->name = arena_strndup(&c->keep, files[i], strlen(files[i]));
			src->text = masked;
			src->len = len;
			for (size_t k = 0; k < nsec; k++) {
				char shown[64];
				secrets_redact_short(text + f[k].start, f[k].end - f[k].start, shown, sizeof shown);
				diag_add(d, WSEV_ERROR, src, (wspan){(uint32_t)f[k].start, (uint32_t)f[k].end},
					 "%s in a template (%s); remove it and rotate the credential",
					 secrets_rule_title(f[k].rule), shown);
			}
			free(f);
			free(text);
			bad++;
			continue;
		}
		free(f);
		tmpl *t = &c->items[c->n];
		if (tmpl_load(t, r, files[i], text, len, d) < 0) {
			c->failed[c->nfailed++] = *t;
			memset(t, 0, sizeof *t);
			bad++;
		} else if (tcatalog_find(c, t->id)) {
			diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "%s: template id '%s' is used twice", files[i], t->id);
			c->failed[c->nfailed++] = *t;
			memset(t, 0, sizeof *t);
			bad++;
		} else {
			c->n++;
		}
		free(text);
	}
	secrets_free(sc);
	gio_list_free(files, nf);
	return bad ? -1 : 0;
}

void tcatalog_release(tcatalog *c)
{
	for (size_t i = 0; i < c->n; i++)
		tmpl_release(&c->items[i]);
	for (size_t i = 0; i < c->nfailed; i++)
		tmpl_release(&c->failed[i]);
	free(c->items);
	free(c->failed);
	arena_release(&c->keep);
	memset(c, 0, sizeof *c);
}

const tmpl *tcatalog_find(const tcatalog *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].id && strcmp(c->items[i].id, id) == 0)
			return &c->items[i];
	return NULL;
}
