/* lint: the lint rules (see lint.h).
 *
 * Shape rules look at one policy's AST and annotations. The snapshot rules
 * (vacuous, redundant, shadowed) decide the cells in a permit's scope with
 * the context unknown (entitlements.h) and compare with the other policies
 * that may apply there. guardrail-weakened matches base and head policies
 * like the diff does and, with a snapshot, runs the entitlement diff to see
 * whether a modified forbid lets access through.
 */
#include "analysis/lint.h"
#include "analysis/sarif.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/diff.h"
#include "analysis/residual.h"
#include "cedar/ext.h"
#include "cedar/format.h"
#include "govern/yaml.h"
#include "util/xalloc.h"

/* Cells decided per policy by the snapshot rules at most; beyond, skipped. */
#define LINT_MAX_CELLS 200000u

static const wlint_rule_info rules[WL__COUNT] = {
	{"W001", "unconstrained-principal", WSEV_WARNING, "permit with an unconstrained principal"},
	{"W002", "unconstrained-action", WSEV_WARNING, "permit with an unconstrained action"},
	{"W003", "unconstrained-resource", WSEV_WARNING, "permit with an unconstrained resource"},
	{"W004", "wildcard-like", WSEV_WARNING, "`like` pattern made only of wildcards: matches every string"},
	{"W005", "permit-unless", WSEV_NOTE, "permit with an `unless` clause"},
	{"W006", "prod-no-environment", WSEV_ERROR,
	 "permit reaching a high-risk environment without a condition on the environment"},
	{"W007", "missing-traceability", WSEV_WARNING, "permit without @ticket, @justification or @owner"},
	{"W008", "expired", WSEV_ERROR, "@expires in the past"},
	{"W009", "break-glass-no-expiry", WSEV_ERROR, "break-glass permit without @expires"},
	{"W010", "human-only-condition", WSEV_WARNING,
	 "human-only condition (MFA, interactive session) on a non-human principal, or the reverse"},
	{"W011", "agent-destructive", WSEV_ERROR, "AI-agent principal granted a destructive action"},
	{"W012", "vacuous", WSEV_WARNING, "policy that never applies over the entity snapshot"},
	{"W013", "redundant", WSEV_NOTE, "permit whose every allowed cell another permit allows unconditionally"},
	{"W014", "shadowed", WSEV_WARNING, "permit whose every allowed cell an unconditional forbid denies"},
	{"W015", "guardrail-weakened", WSEV_ERROR, "forbid of the base removed or weakened by the change"},
	{"W016", "hidden-characters", WSEV_ERROR,
	 "bidirectional-override or invisible character in policy text: it can read differently from how it is evaluated"},
};

const wlint_rule_info *lint_rule_info(wlint_rule r)
{
	return (unsigned)r < WL__COUNT ? &rules[r] : NULL;
}

int lint_rule_find(const char *s)
{
	for (int i = 0; i < WL__COUNT; i++)
		if (strcmp(rules[i].id, s) == 0 || strcmp(rules[i].name, s) == 0)
			return i;
	return -1;
}

/* ---- configuration ---------------------------------------------------------- */

static const char *const def_high_risk[] = {"prod", "production"};
static const char *const def_human[] = {"Human", "User", "Person", "Employee"};
static const char *const def_agent[] = {"Agent", "AiAgent", "AIAgent", "Model", "Bot"};
static const char *const destructive_prefixes[] = {"delete", "destroy", "drop", "purge", "truncate", "wipe",
						   "remove", NULL};
static const char *const human_only_ctx[] = {"mfa", "interactive", "session", NULL};
static const char *const workload_only_ctx[] = {"workload", "pipeline", "job_token", NULL};

static const char **dup_list(const char *const *v, size_t n)
{
	const char **o = xcalloc(n ? n : 1, sizeof *o);
	for (size_t i = 0; i < n; i++)
		o[i] = v[i];
	return o;
}

void lint_config_default(wlint_config *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < WL__COUNT; i++)
		c->sev[i] = rules[i].sev;
	c->high_risk_envs = dup_list(def_high_risk, 2);
	c->nhigh_risk_envs = 2;
	c->human_types = dup_list(def_human, 4);
	c->nhuman = 4;
	c->agent_types = dup_list(def_agent, 5);
	c->nagent = 5;
	c->destructive = NULL; /* NULL: the default prefixes */
	c->ndestructive = 0;
	c->now_ms = (int64_t)time(NULL) * 1000;
}

void lint_config_release(wlint_config *c)
{
	free(c->high_risk_envs);
	free(c->human_types);
	free(c->agent_types);
	free(c->destructive);
	memset(c, 0, sizeof *c);
}

static int read_list(ydoc *doc, const ynode *n, const char *what, const char ***out, size_t *nout, wdiags *d)
{
	if (ynode_want(doc, n, Y_SEQ, what, d) < 0)
		return 1;
	const char **v = xcalloc(n->n ? n->n : 1, sizeof *v);
	for (uint32_t i = 0; i < n->n; i++) {
		if (ynode_want(doc, n->items[i], Y_SCALAR, what, d) < 0) {
			free(v);
			return 1;
		}
		v[i] = n->items[i]->s;
	}
	free(*out);
	*out = v;
	*nout = n->n;
	return 0;
}

int lint_config_yaml(wlint_config *c, ydoc *doc, const char *name, const char *text, size_t len, wdiags *d)
{
	if (ydoc_parse(doc, name, text, len, d) < 0)
		return 1;
	const ynode *root = doc->root;
	if (!root)
		return 0;
	int errs = 0;
	const ynode *envs = ynode_get(root, "environments");
	if (envs && envs->kind == Y_MAP) {
		size_t n = 0;
		const char **v = xcalloc(envs->n ? envs->n : 1, sizeof *v);
		for (uint32_t i = 0; i < envs->n; i++) {
			const ynode *hr = ynode_get(envs->items[i], "high_risk");
			bool b = false;
			if (hr && ynode_bool(doc, hr, "high_risk", &b, d) < 0)
				errs++;
			if (b)
				v[n++] = envs->keys[i]->s;
		}
		free(c->high_risk_envs);
		c->high_risk_envs = v;
		c->nhigh_risk_envs = n;
	}
	const ynode *l = ynode_get(root, "lint");
	if (!l || ynode_is_null(l))
		return errs;
	if (ynode_want(doc, l, Y_MAP, "lint", d) < 0)
		return errs + 1;
	static const char *const keys[] = {"rules", "human_types", "agent_types", "destructive_actions", NULL};
	errs += ynode_check_keys(doc, l, keys, "the lint section", d);
	const ynode *r = ynode_get(l, "rules");
	if (r && ynode_want(doc, r, Y_MAP, "lint.rules", d) < 0) {
		errs++;
	} else if (r) {
		for (uint32_t i = 0; i < r->n; i++) {
			int k = lint_rule_find(r->keys[i]->s);
			if (k < 0) {
				diag_add(d, WSEV_ERROR, &doc->src, r->keys[i]->span,
					 "unknown lint rule '%s' (give an id such as W001 or a name such as "
					 "unconstrained-principal)",
					 r->keys[i]->s);
				errs++;
				continue;
			}
			const ynode *v = r->items[i];
			const char *s = v->kind == Y_SCALAR ? v->s : "";
			if (strcmp(s, "error") == 0)
				c->sev[k] = WSEV_ERROR;
			else if (strcmp(s, "warning") == 0)
				c->sev[k] = WSEV_WARNING;
			else if (strcmp(s, "note") == 0)
				c->sev[k] = WSEV_NOTE;
			else if (strcmp(s, "off") == 0 || (v->kind == Y_SCALAR && !v->quoted && strcmp(s, "false") == 0))
				c->sev[k] = WLINT_OFF;
			else {
				diag_add(d, WSEV_ERROR, &doc->src, v->span,
					 "invalid severity for lint rule '%s': expected error, warning, note or off",
					 r->keys[i]->s);
				errs++;
			}
		}
	}
	const ynode *x;
	if ((x = ynode_get(l, "human_types")))
		errs += read_list(doc, x, "lint.human_types", &c->human_types, &c->nhuman, d);
	if ((x = ynode_get(l, "agent_types")))
		errs += read_list(doc, x, "lint.agent_types", &c->agent_types, &c->nagent, d);
	if ((x = ynode_get(l, "destructive_actions")))
		errs += read_list(doc, x, "lint.destructive_actions", &c->destructive, &c->ndestructive, d);
	return errs;
}

/* ---- findings ------------------------------------------------------------------ */

void lint_init(wlint *l)
{
	memset(l, 0, sizeof *l);
}

void lint_release(wlint *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].msg);
		free(l->items[i].help);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

typedef struct lctx {
	const wlint_config *c;
	went_index *ix;
	wlint *out;
} lctx;

#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static void finding(lctx *L, wlint_rule r, const wpolicy *p, wspan span, const char *help, const char *fmt, ...)
{
	uint8_t sev = L->c->sev[r];
	if (sev == WLINT_OFF)
		return;
	wlint *l = L->out;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, sizeof *l->items * l->cap);
	}
	wlint_finding *f = &l->items[l->n++];
	f->rule = (uint8_t)r;
	f->sev = sev;
	f->policy = p;
	f->src = p->src;
	f->span = span;
	wbuf b = WBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->msg = buf_detach(&b);
	f->help = help ? xstrdup(help) : NULL;
	if (sev == WSEV_ERROR)
		l->nerrors++;
	else if (sev == WSEV_WARNING)
		l->nwarnings++;
	else
		l->nnotes++;
}

/* The `permit` / `forbid` keyword of a policy, for policy-level findings. */
static wspan head_span(const wpolicy *p)
{
	wspan s = p->span;
	if (!p->src || s.end <= s.start || s.end > p->src->len)
		return s;
	uint32_t at = s.start;
	for (uint32_t i = 0; i < p->nannos; i++)
		if (p->annos[i].span.end > at)
			at = p->annos[i].span.end;
	const char *t = p->src->text;
	while (at < s.end) {
		if (t[at] == ' ' || t[at] == '\t' || t[at] == '\n' || t[at] == '\r') {
			at++;
		} else if (t[at] == '/' && at + 1 < s.end && t[at + 1] == '/') {
			while (at < s.end && t[at] != '\n')
				at++;
		} else {
			break;
		}
	}
	uint32_t end = at;
	while (end < s.end && ((t[end] >= 'a' && t[end] <= 'z')))
		end++;
	wspan r = {at, end > at ? end : s.end};
	return r;
}

static const char *anno(const wpolicy *p, const char *key)
{
	const wannotation *a = policy_annotation(p, key);
	return a ? a->val : NULL;
}

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return true;
	return false;
}

/* Base name of an entity type: "NS::Agent" -> "Agent". */
static const char *base_name(const wsym *t)
{
	const char *s = t->s, *c;
	while ((c = strstr(s, "::")) != NULL)
		s = c + 2;
	return s;
}

/* ---- walking expressions ----------------------------------------------------------- */

typedef void (*visit_fn)(const wexpr *e, void *arg);

static void walk(const wexpr *e, visit_fn fn, void *arg, unsigned depth)
{
	if (!e || depth > 4096)
		return;
	fn(e, arg);
	depth++;
	switch (e->kind) {
	case WE_IF:
		walk(e->u.k.a, fn, arg, depth);
		walk(e->u.k.b, fn, arg, depth);
		walk(e->u.k.c, fn, arg, depth);
		break;
	case WE_AND:
	case WE_OR:
	case WE_BINARY:
		walk(e->u.k.a, fn, arg, depth);
		walk(e->u.k.b, fn, arg, depth);
		break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY: walk(e->u.k.a, fn, arg, depth); break;
	case WE_GETATTR:
	case WE_HASATTR: walk(e->u.attr.obj, fn, arg, depth); break;
	case WE_LIKE: walk(e->u.like.obj, fn, arg, depth); break;
	case WE_IS:
		walk(e->u.is.obj, fn, arg, depth);
		walk(e->u.is.in, fn, arg, depth);
		break;
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			walk(e->u.list.items[i], fn, arg, depth);
		break;
	case WE_RECORD:
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			walk(e->u.rec.vals[i], fn, arg, depth);
		break;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			walk(e->u.call.args[i], fn, arg, depth);
		break;
	}
}

static void walk_conds(const wpolicy *p, visit_fn fn, void *arg)
{
	for (uint32_t i = 0; i < p->nconds; i++)
		walk(p->conds[i].body, fn, arg, 0);
}

struct like_arg {
	lctx *L;
	const wpolicy *p;
};

static void visit_like(const wexpr *e, void *arg)
{
	struct like_arg *a = arg;
	if (e->kind != WE_LIKE || e->u.like.pat.n == 0)
		return;
	for (uint32_t i = 0; i < e->u.like.pat.n; i++)
		if (e->u.like.pat.cps[i] != WPAT_STAR)
			return;
	finding(a->L, WL_WILDCARD_LIKE, a->p, e->span,
		"match a prefix or suffix (`like \"prod-*\"`) or drop the test if any value is meant",
		"policy '%s': `like \"*\"` matches every string, so this test constrains nothing", a->p->id);
}

struct attr_arg {
	const char *const *names; /* prefixes; NULL-terminated */
	bool context_only;
	const char *found;
	wspan span;
};

static void visit_attr(const wexpr *e, void *arg)
{
	struct attr_arg *a = arg;
	if (a->found || (e->kind != WE_GETATTR && e->kind != WE_HASATTR))
		return;
	if (a->context_only && !(e->u.attr.obj->kind == WE_VAR && e->u.attr.obj->u.var == WVAR_CONTEXT))
		return;
	for (size_t i = 0; a->names[i]; i++)
		if (strncmp(e->u.attr.name->s, a->names[i], strlen(a->names[i])) == 0) {
			a->found = e->u.attr.name->s;
			a->span = e->span;
			return;
		}
}

static const char *mentions(const wpolicy *p, const char *const *names, bool context_only, wspan *span)
{
	struct attr_arg a = {names, context_only, NULL, {0, 0}};
	walk_conds(p, visit_attr, &a);
	if (span)
		*span = a.span;
	return a.found;
}

/* ---- principal types and actions of a scope ------------------------------------------- */

typedef struct tset {
	const wsym *v[64];
	size_t n;
	bool unknown; /* could be any type */
} tset;

static void tset_add(tset *t, const wsym *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] == s)
			return;
	if (t->n < 64)
		t->v[t->n++] = s;
	else
		t->unknown = true;
}

static void principal_types(lctx *L, const wpolicy *p, tset *t)
{
	const wscope *sc = &p->principal;
	memset(t, 0, sizeof *t);
	switch (sc->op) {
	case WSC_IS:
	case WSC_IS_IN: tset_add(t, sc->type); return;
	case WSC_EQ:
		if (!sc->slot)
			tset_add(t, sc->uid.type);
		else
			t->unknown = true;
		return;
	case WSC_IN:
		if (sc->slot || !L->ix) {
			t->unknown = true;
			return;
		}
		tset_add(t, sc->uid.type);
		uint32_t n;
		const wentity *const *v = ent_descendants(L->ix, sc->uid, &n);
		for (uint32_t i = 0; i < n; i++)
			tset_add(t, v[i]->uid.type);
		return;
	default: t->unknown = true; return;
	}
}

/* With a schema, drops the types no action accepts as a principal (a group
 * such as Team is in `principal in Team::"x"` but never a request's
 * principal). */
static void principal_types_filter(lctx *L, tset *t)
{
	const wschema *sc = L->ix ? ent_schema(L->ix) : NULL;
	if (!sc || t->unknown)
		return;
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		bool ok = false;
		for (uint32_t a = 0; a < sc->nactions && !ok; a++)
			for (uint32_t j = 0; j < sc->actions[a].nprincipals && !ok; j++)
				ok = sc->actions[a].principals[j] == t->v[i];
		if (ok)
			t->v[k++] = t->v[i];
	}
	t->n = k;
}

static bool type_in(const wsym *t, const char *const *v, size_t n)
{
	return in_list(base_name(t), v, n);
}

static bool is_destructive(const wlint_config *c, const wsym *id)
{
	if (c->destructive)
		return in_list(id->s, c->destructive, c->ndestructive);
	for (size_t i = 0; destructive_prefixes[i]; i++)
		if (strncmp(id->s, destructive_prefixes[i], strlen(destructive_prefixes[i])) == 0)
			return true;
	return false;
}

/* The destructive actions a permit's action scope names (", "-separated),
 * or "any action" when unconstrained. NULL when none. Heap. */
static char *destructive_actions(lctx *L, const wpolicy *p)
{
	const wscope *sc = &p->action;
	if (sc->op == WSC_ANY)
		return xstrdup("any action");
	wbuf b = WBUF_INIT;
	const wuid *list = sc->op == WSC_IN_SET ? sc->list : &sc->uid;
	uint32_t n = sc->op == WSC_IN_SET ? sc->nlist : 1;
	for (uint32_t i = 0; i < n; i++) {
		if (is_destructive(L->c, list[i].id))
			buf_printf(&b, "%s%s", b.n ? ", " : "", list[i].id->s);
		if (sc->op != WSC_EQ && L->ix) {
			uint32_t nd;
			const wentity *const *v = ent_descendants(L->ix, list[i], &nd);
			for (uint32_t k = 0; k < nd; k++)
				if (ctx_is_action_type(v[k]->uid.type) && is_destructive(L->c, v[k]->uid.id))
					buf_printf(&b, "%s%s", b.n ? ", " : "", v[k]->uid.id->s);
		}
	}
	return b.p ? buf_detach(&b) : NULL;
}

/* ---- shape rules ------------------------------------------------------------------------- */

static bool env_is_high_risk(const wlint_config *c, const wvalue *v, const char **name)
{
	if (!v || v->kind != WV_STRING)
		return false;
	for (size_t i = 0; i < c->nhigh_risk_envs; i++)
		if (strlen(c->high_risk_envs[i]) == v->u.s.n && memcmp(c->high_risk_envs[i], v->u.s.p, v->u.s.n) == 0) {
			*name = c->high_risk_envs[i];
			return true;
		}
	return false;
}

/* Does the permit's resource scope reach an entity whose `environment`
 * attribute names a high-risk environment? Sets *env. */
static bool reaches_high_risk(lctx *L, const wpolicy *p, const char **env)
{
	const char *a = anno(p, "environment");
	for (size_t i = 0; a && i < L->c->nhigh_risk_envs; i++)
		if (strcmp(a, L->c->high_risk_envs[i]) == 0) {
			*env = L->c->high_risk_envs[i];
			return true;
		}
	if (!L->ix)
		return false;
	const wentities *es = ent_store(L->ix);
	wctx *cx = ent_ctx(L->ix);
	const wsym *envsym = intern_find(&cx->syms, "environment", 11);
	if (!envsym)
		return false;
	const wscope *sc = &p->resource;
	const wentity *const *v = NULL;
	uint32_t n = 0;
	if ((sc->op == WSC_EQ || sc->op == WSC_IN || sc->op == WSC_IS_IN) && !sc->slot) {
		const wentity *e = entities_get(es, sc->uid);
		if (e && env_is_high_risk(L->c, record_get(e->attrs, envsym), env))
			return true;
		if (sc->op == WSC_EQ)
			return false;
		v = ent_descendants(L->ix, sc->uid, &n);
	} else if (sc->op == WSC_IS) {
		v = ent_of_type(L->ix, sc->type, &n);
	} else if (sc->op == WSC_ANY) {
		v = (const wentity *const *)es->items;
		n = es->n;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (sc->op == WSC_IS_IN && v[i]->uid.type != sc->type)
			continue;
		if (env_is_high_risk(L->c, record_get(v[i]->attrs, envsym), env))
			return true;
	}
	return false;
}

static void shape_rules(lctx *L, const wpolicy *p)
{
	bool permit = p->effect == WEFF_PERMIT;
	if (permit && !p->is_template) {
		if (p->principal.op == WSC_ANY)
			finding(L, WL_UNCONSTRAINED_PRINCIPAL, p, p->principal.span,
				"name the principals: `principal == Type::\"id\"`, `principal in Group::\"g\"` or "
				"`principal is Type`",
				"permit '%s' applies to any principal", p->id);
		if (p->action.op == WSC_ANY)
			finding(L, WL_UNCONSTRAINED_ACTION, p, p->action.span,
				"list the actions: `action in [Action::\"read\", Action::\"list\"]`",
				"permit '%s' allows every action", p->id);
		if (p->resource.op == WSC_ANY)
			finding(L, WL_UNCONSTRAINED_RESOURCE, p, p->resource.span,
				"limit the resources: `resource in Container::\"c\"` or `resource is Type`",
				"permit '%s' applies to any resource", p->id);
	}
	struct like_arg la = {L, p};
	walk_conds(p, visit_like, &la);
	if (!permit)
		return;
	for (uint32_t i = 0; i < p->nconds; i++)
		if (!p->conds[i].is_when) {
			finding(L, WL_PERMIT_UNLESS, p, p->conds[i].span,
				"state the exception as a forbid (or as a `when` with the negated condition) so "
				"reviewers see it",
				"permit '%s' has an `unless` clause: the access holds by default and the exception is "
				"easy to miss",
				p->id);
			break;
		}
	const char *env = NULL;
	static const char *const envattr[] = {"environment", NULL};
	if (!p->is_template && reaches_high_risk(L, p, &env) && !mentions(p, envattr, false, NULL))
		finding(L, WL_PROD_NO_ENVIRONMENT, p, p->resource.span,
			"add `when { resource.environment == \"...\" }` naming the environment this access is for",
			"permit '%s' reaches the high-risk environment '%s' without a condition on the environment",
			p->id, env);
	static const char *const trace[] = {"ticket", "justification", "owner"};
	wbuf miss = WBUF_INIT;
	for (size_t i = 0; i < 3; i++)
		if (!anno(p, trace[i]))
			buf_printf(&miss, "%s@%s", miss.n ? ", " : "", trace[i]);
	if (miss.n)
		finding(L, WL_MISSING_TRACEABILITY, p, head_span(p),
			"add @ticket(\"...\"), @justification(\"...\") and @owner(\"...\") (ward draft adds them)",
			"permit '%s' has no %s", p->id, miss.p);
	buf_release(&miss);
	const wannotation *ex = policy_annotation(p, "expires");
	if (ex) {
		int64_t ms;
		if (ext_parse_datetime(ex->val, ex->vlen, &ms) < 0)
			finding(L, WL_EXPIRED, p, ex->span, "write a date such as \"2027-01-31\" or \"2027-01-31T00:00:00Z\"",
				"permit '%s': cannot read @expires(\"%s\") as a date", p->id, ex->val);
		else if (ms <= L->c->now_ms)
			finding(L, WL_EXPIRED, p, ex->span, "remove the policy, or renew it through a new request",
				"permit '%s' expired on %s", p->id, ex->val);
	}
	const char *kind = anno(p, "kind");
	if (kind && strcmp(kind, "break-glass") == 0 && !ex)
		finding(L, WL_BREAK_GLASS_NO_EXPIRY, p, head_span(p),
			"add @expires(\"...\") and a `context.now < datetime(\"...\")` condition",
			"break-glass permit '%s' has no @expires: emergency access must end", p->id);
	tset t;
	principal_types(L, p, &t);
	principal_types_filter(L, &t);
	if (!t.unknown && t.n) {
		bool all_human = true, any_agent = false;
		for (size_t i = 0; i < t.n; i++) {
			bool h = type_in(t.v[i], L->c->human_types, L->c->nhuman);
			all_human &= h;
			any_agent |= type_in(t.v[i], L->c->agent_types, L->c->nagent);
		}
		wspan sp;
		const char *m;
		if (!all_human && (m = mentions(p, human_only_ctx, true, &sp)) != NULL) {
			wbuf ts = WBUF_INIT;
			for (size_t i = 0; i < t.n; i++)
				if (!type_in(t.v[i], L->c->human_types, L->c->nhuman))
					buf_printf(&ts, "%s%s", ts.n ? ", " : "", t.v[i]->s);
			finding(L, WL_HUMAN_ONLY_CONDITION, p, sp,
				"a workload cannot satisfy it: use a workload condition (source network, pipeline) "
				"or restrict the principal to people",
				"permit '%s' requires `context.%s`, which only a person can satisfy, but applies to %s",
				p->id, m, ts.p);
			buf_release(&ts);
		} else if (all_human && (m = mentions(p, workload_only_ctx, true, &sp)) != NULL) {
			finding(L, WL_HUMAN_ONLY_CONDITION, p, sp,
				"people cannot satisfy it: use a human condition (MFA) or grant the workload instead",
				"permit '%s' requires `context.%s`, which only a workload can satisfy, but applies to "
				"people only",
				p->id, m);
		}
		if (any_agent) {
			char *acts = destructive_actions(L, p);
			if (acts)
				finding(L, WL_AGENT_DESTRUCTIVE, p, p->action.span,
					"grant AI agents read-only actions; destructive actions need a person",
					"permit '%s' lets an AI agent perform %s", p->id, acts);
			free(acts);
		}
	}
}

/* ---- snapshot rules --------------------------------------------------------------------------- */

static void snapshot_rules(lctx *L, const wpolicyset *ps, went_pset *s, const wpolicy *p, warena *tmp, wdiags *d)
{
	if (p->is_template)
		return;
	wcellset cells;
	cellset_init(&cells);
	size_t before = d->n;
	int rc = ent_scope_cells(L->ix, &p, 1, NULL, &cells, d);
	if (rc < 0 || cells.n > LINT_MAX_CELLS) {
		/* too large to check here: not a lint finding, drop the error */
		for (size_t i = before; i < d->n; i++) {
			free(d->items[i].msg);
			free(d->items[i].policy_id);
		}
		if (d->n > before) {
			d->nerrors -= d->n - before;
			d->n = before;
		}
		cellset_release(&cells);
		return;
	}
	wctx *cx = ent_ctx(L->ix);
	size_t napplies = 0, nredundant = 0, nshadowed = 0;
	const wpolicy *other_p = NULL, *other_f = NULL;
	for (size_t i = 0; i < cells.n; i++) {
		wcell c = cells.items[i];
		wrequest rq = {c.p, c.a, c.r, {0}};
		rq.context.kind = WV_RECORD;
		rq.context.u.rec = record_empty();
		weval ev;
		memset(&ev, 0, sizeof ev);
		ev.cx = cx;
		ev.ents = ent_store(L->ix);
		ev.req = &rq;
		ev.tmp = tmp;
		wpres r;
		residual_policy(&ev, p, &r);
		if (r.kind == WPRES_NO || r.kind == WPRES_ERROR) {
			arena_reset(tmp);
			continue;
		}
		napplies++;
		if (p->effect == WEFF_PERMIT) {
			const uint32_t *idx;
			uint32_t n = ent_candidates(L->ix, s, c, &idx);
			bool red = false, sh = false;
			for (uint32_t k = 0; k < n && !(red && sh); k++) {
				const wpolicy *q = ps->items[idx[k]];
				if (q == p)
					continue;
				wpres rq2;
				residual_policy(&ev, q, &rq2);
				if (rq2.kind != WPRES_YES)
					continue;
				if (q->effect == WEFF_PERMIT && !red) {
					red = true;
					other_p = q;
				} else if (q->effect == WEFF_FORBID && !sh) {
					sh = true;
					other_f = q;
				}
			}
			nredundant += red;
			nshadowed += sh;
		}
		arena_reset(tmp);
	}
	cellset_release(&cells);
	if (napplies == 0) {
		finding(L, WL_VACUOUS, p, head_span(p),
			"check the entity uids and conditions against the snapshot; remove the policy if it is dead",
			"%s '%s' never applies over the entity snapshot (%s)", p->effect == WEFF_PERMIT ? "permit" : "forbid",
			p->id,
			cells.n ? "its conditions are false or error for every cell in its scope"
				: "no (principal, action, resource) of the snapshot is in its scope");
		return;
	}
	if (p->effect != WEFF_PERMIT)
		return;
	if (nshadowed == napplies)
		finding(L, WL_SHADOWED, p, head_span(p), "remove the permit, or narrow the forbid if this access is needed",
			"permit '%s' never allows anything: every cell it applies to is denied by forbid '%s'%s", p->id,
			other_f->id, napplies > 1 ? " (or another unconditional forbid)" : "");
	else if (nredundant == napplies)
		finding(L, WL_REDUNDANT, p, head_span(p), "remove one of the two permits",
			"permit '%s' is redundant: every cell it allows is already allowed unconditionally by permit "
			"'%s'%s",
			p->id, other_p->id, napplies > 1 ? " (or other permits)" : "");
}

/* ---- guardrails ------------------------------------------------------------------------------------- */

static void guardrail_rules(lctx *L, const wpolicyset *base, const wpolicyset *head, wdiags *d)
{
	wdiff df;
	diff_init(&df);
	bool computed = false;
	if (L->ix) {
		size_t before = d->n;
		computed = diff_compute(L->ix, base, head, &df, d) == 0;
		if (!computed) {
			diff_release(&df);
			diff_init(&df);
			for (size_t i = before; i < d->n; i++) {
				free(d->items[i].msg);
				free(d->items[i].policy_id);
			}
			d->nerrors -= d->n - before;
			d->n = before;
		}
	}
	if (!computed)
		diff_match(&df, base, head);
	for (size_t i = 0; i < df.npolicies; i++) {
		const wdiff_policy *c = &df.policies[i];
		if (!c->base || c->base->effect != WEFF_FORBID)
			continue;
		if (c->kind == WPCHG_REMOVED) {
			finding(L, WL_GUARDRAIL_WEAKENED, c->base, head_span(c->base),
				"keep the guardrail; if it must go, this change needs the guardrail owner's approval",
				"guardrail '%s' (a forbid of the base) is removed by this change", c->base->id);
			continue;
		}
		if (!computed) {
			finding(L, WL_GUARDRAIL_WEAKENED, c->head, head_span(c->head),
				"give an entity snapshot (--entities) so ward can check what the change lets through",
				"guardrail '%s' (a forbid of the base) is modified by this change", c->base->id);
			continue;
		}
		/* weakened when a cell it denied (fully or partly) is now more allowed */
		const char *what = NULL;
		size_t n = 0;
		for (size_t g = 0; g < df.ngroups; g++) {
			const wdiff_group *gr = &df.groups[g];
			if (gr->change == WCCHG_LOSE || !gr->before.why)
				continue;
			const char *w = strstr(gr->before.why, c->base->id);
			size_t idl = strlen(c->base->id);
			if (!w || (w[idl] != 0 && w[idl] != ','))
				continue;
			if (!what)
				what = gr->summary;
			n++;
		}
		if (what)
			finding(L, WL_GUARDRAIL_WEAKENED, c->head, head_span(c->head),
				"run `ward diff` to see every cell; keep the forbid as strong as in the base",
				"guardrail '%s' is weakened by this change: %s%s", c->base->id, what,
				n > 1 ? " (and more: see ward diff)" : "");
	}
	diff_release(&df);
}

/* ---- running ----------------------------------------------------------------------------------------- */

static int cmp_finding(const void *a, const void *b)
{
	const wlint_finding *x = a, *y = b;
	const char *nx = x->src ? x->src->name : "", *ny = y->src ? y->src->name : "";
	int c = strcmp(nx, ny);
	if (c)
		return c;
	if (x->span.start != y->span.start)
		return x->span.start < y->span.start ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* ---- hidden characters (W016) ---------------------------------------------------------------------- */

/* Characters that make text display differently from its bytes (the
 * "Trojan Source" family): bidirectional embeddings, overrides, isolates
 * and marks, and invisible characters that can split or join words. */
static const struct {
	uint32_t cp;
	const char *name;
} hidden_chars[] = {
	{0x00AD, "SOFT HYPHEN"},
	{0x061C, "ARABIC LETTER MARK"},
	{0x115F, "HANGUL CHOSEONG FILLER"},
	{0x1160, "HANGUL JUNGSEONG FILLER"},
	{0x180E, "MONGOLIAN VOWEL SEPARATOR"},
	{0x200B, "ZERO WIDTH SPACE"},
	{0x200C, "ZERO WIDTH NON-JOINER"},
	{0x200D, "ZERO WIDTH JOINER"},
	{0x200E, "LEFT-TO-RIGHT MARK"},
	{0x200F, "RIGHT-TO-LEFT MARK"},
	{0x202A, "LEFT-TO-RIGHT EMBEDDING"},
	{0x202B, "RIGHT-TO-LEFT EMBEDDING"},
	{0x202C, "POP DIRECTIONAL FORMATTING"},
	{0x202D, "LEFT-TO-RIGHT OVERRIDE"},
	{0x202E, "RIGHT-TO-LEFT OVERRIDE"},
	{0x2060, "WORD JOINER"},
	{0x2061, "FUNCTION APPLICATION"},
	{0x2062, "INVISIBLE TIMES"},
	{0x2063, "INVISIBLE SEPARATOR"},
	{0x2064, "INVISIBLE PLUS"},
	{0x2066, "LEFT-TO-RIGHT ISOLATE"},
	{0x2067, "RIGHT-TO-LEFT ISOLATE"},
	{0x2068, "FIRST STRONG ISOLATE"},
	{0x2069, "POP DIRECTIONAL ISOLATE"},
	{0x3164, "HANGUL FILLER"},
	{0xFEFF, "ZERO WIDTH NO-BREAK SPACE"},
	{0xFFA0, "HALFWIDTH HANGUL FILLER"},
};

static const char *hidden_name(uint32_t cp)
{
	for (size_t i = 0; i < sizeof hidden_chars / sizeof *hidden_chars; i++)
		if (hidden_chars[i].cp == cp)
			return hidden_chars[i].name;
	return NULL;
}

/* The code point of the UTF-8 sequence at t[i..n) and its length (1 for a
 * byte that does not start a valid sequence: the parser has rejected those
 * already, so it does not matter here). */
static uint32_t utf8_at(const char *t, uint32_t i, uint32_t n, uint32_t *len)
{
	const unsigned char *u = (const unsigned char *)t + i;
	uint32_t left = n - i;
	if (u[0] >= 0xE0 && u[0] < 0xF0 && left >= 3) {
		*len = 3;
		return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
	}
	if (u[0] >= 0xC0 && u[0] < 0xE0 && left >= 2) {
		*len = 2;
		return (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
	}
	if (u[0] >= 0xF0 && left >= 4) {
		*len = 4;
		return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 | (uint32_t)(u[2] & 0x3F) << 6 |
		       (u[3] & 0x3F);
	}
	*len = 1;
	return u[0];
}

/* The policy a position of a source belongs to: the one whose text holds
 * it, else the next one (a comment above a policy is part of it to a
 * reader), else the last one of the source. NULL when the source has none. */
static const wpolicy *policy_at(const wpolicyset *ps, const wsource *src, uint32_t at)
{
	const wpolicy *last = NULL;
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		if (p->src != src)
			continue;
		if (p->span.end > at)
			return p;
		last = p;
	}
	return last;
}

/* W016: every hidden character in the text of the policy files, in a
 * string, a comment or anywhere else. */
static void hidden_rules(lctx *L, const wpolicyset *ps)
{
	for (uint32_t k = 0; k < ps->nsources; k++) {
		const wsource *src = ps->sources[k];
		const char *t = src->text;
		uint32_t n = (uint32_t)src->len;
		enum { CODE, STRING, COMMENT } where = CODE;
		for (uint32_t i = 0; i < n;) {
			unsigned char c = (unsigned char)t[i];
			if (c < 0x80) {
				if (where == CODE && c == '"')
					where = STRING;
				else if (where == STRING && c == '\\' && i + 1 < n)
					i++; /* the escaped character */
				else if (where == STRING && c == '"')
					where = CODE;
				else if (where == CODE && c == '/' && i + 1 < n && t[i + 1] == '/')
					where = COMMENT;
				else if (where == COMMENT && c == '\n')
					where = CODE;
				i++;
				continue;
			}
			uint32_t len;
			uint32_t cp = utf8_at(t, i, n, &len);
			const char *name = hidden_name(cp);
			const wpolicy *p = name && !(cp == 0xFEFF && i == 0) ? policy_at(ps, src, i) : NULL;
			if (p)
				finding(L, WL_HIDDEN_CHARACTERS, p, (wspan){i, i + len},
					"write it as an escape in a string (\\u{...}) if it is meant, else delete it",
					"U+%04X %s in %s of '%s': the text can display differently from how it is read", cp,
					name, where == STRING ? "a string" : where == COMMENT ? "a comment" : "the text", p->id);
			i += len;
		}
	}
}

int lint_run(const wlint_config *c, went_index *ix, const wpolicyset *ps, const wpolicyset *base, wlint *out,
	     wdiags *d)
{
	lctx L = {c, ix, out};
	for (uint32_t i = 0; i < ps->n; i++)
		shape_rules(&L, ps->items[i]);
	hidden_rules(&L, ps);
	if (ix && !c->no_snapshot_rules) {
		if (!ent_schema(ix))
			ent_index_note_actions(ix, ps);
		went_pset *s = ent_pset_new(ix, ps);
		warena tmp;
		arena_init(&tmp);
		for (uint32_t i = 0; i < ps->n; i++)
			snapshot_rules(&L, ps, s, ps->items[i], &tmp, d);
		arena_release(&tmp);
		ent_pset_free(s);
	}
	if (base)
		guardrail_rules(&L, base, ps, d);
	if (out->n)
		qsort(out->items, out->n, sizeof *out->items, cmp_finding);
	return 0;
}

/* ---- output ------------------------------------------------------------------------------------------- */

static const char *sev_name(uint8_t s)
{
	return s == WSEV_ERROR ? "error" : s == WSEV_WARNING ? "warning" : "note";
}

void lint_print_text(const wlint *l, wbuf *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const wlint_finding *f = &l->items[i];
		wdiag dg = {(wseverity)f->sev, f->src, f->span, NULL, NULL};
		wbuf m = WBUF_INIT;
		buf_printf(&m, "[%s %s] %s", rules[f->rule].id, rules[f->rule].name, f->msg);
		dg.msg = m.p;
		diag_render(&dg, out);
		if (f->help)
			buf_printf(out, "  help: %s\n", f->help);
		buf_release(&m);
	}
	buf_printf(out, "%zu error%s, %zu warning%s, %zu note%s\n", l->nerrors, l->nerrors == 1 ? "" : "s",
		   l->nwarnings, l->nwarnings == 1 ? "" : "s", l->nnotes, l->nnotes == 1 ? "" : "s");
}

static void region(const wlint_finding *f, json_t *o, bool sarif)
{
	if (!f->src)
		return;
	uint32_t l1, c1, l2, c2;
	source_linecol(f->src, f->span.start, &l1, &c1);
	source_linecol(f->src, f->span.end > f->span.start ? f->span.end : f->span.start, &l2, &c2);
	if (l2 == l1 && c2 <= c1)
		c2 = c1 + 1;
	json_object_set_new(o, sarif ? "startLine" : "line", json_integer(l1));
	json_object_set_new(o, sarif ? "startColumn" : "column", json_integer(c1));
	json_object_set_new(o, sarif ? "endLine" : "end_line", json_integer(l2));
	json_object_set_new(o, sarif ? "endColumn" : "end_column", json_integer(c2));
}

static void dump(json_t *root, wbuf *out)
{
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
}

void lint_print_json(const wlint *l, wbuf *out)
{
	json_t *root = json_object();
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const wlint_finding *f = &l->items[i];
		json_t *o = json_object();
		json_object_set_new(o, "rule", json_string(rules[f->rule].id));
		json_object_set_new(o, "name", json_string(rules[f->rule].name));
		json_object_set_new(o, "severity", json_string(sev_name(f->sev)));
		json_object_set_new(o, "policy", json_string(f->policy->id));
		json_object_set_new(o, "message", json_string(f->msg));
		json_object_set_new(o, "help", f->help ? json_string(f->help) : json_null());
		json_object_set_new(o, "file", f->src ? json_string(f->src->name) : json_null());
		region(f, o, false);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "findings", arr);
	json_t *sum = json_object();
	json_object_set_new(sum, "errors", json_integer((json_int_t)l->nerrors));
	json_object_set_new(sum, "warnings", json_integer((json_int_t)l->nwarnings));
	json_object_set_new(sum, "notes", json_integer((json_int_t)l->nnotes));
	json_object_set_new(root, "summary", sum);
	dump(root, out);
}


void lint_print_sarif(const wlint *l, const char *root, wbuf *out)
{
	json_t *rs = json_array();
	for (int i = 0; i < WL__COUNT; i++)
		json_array_append_new(rs, sarif_rule(rules[i].id, rules[i].name, rules[i].text, sev_name(rules[i].sev)));
	json_t *results;
	json_t *doc = sarif_log(rs, &results);
	for (size_t i = 0; i < l->n; i++) {
		const wlint_finding *f = &l->items[i];
		wbuf m = WBUF_INIT;
		buf_adds(&m, f->msg);
		if (f->help)
			buf_printf(&m, ". Fix: %s", f->help);
		json_t *r = sarif_result(rules[f->rule].id, (size_t)f->rule, sev_name(f->sev), m.p, NULL);
		buf_release(&m);
		if (f->src) {
			json_t *reg = json_object();
			region(f, reg, true);
			sarif_locate(r, f->src->name, root, reg);
		}
		json_t *props = json_object();
		json_object_set_new(props, "policy", json_string(f->policy->id));
		json_object_set_new(r, "properties", props);
		json_array_append_new(results, r);
	}
	sarif_write(doc, out);
}
