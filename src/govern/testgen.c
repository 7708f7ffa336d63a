/* testgen: tests generated from a requirement (testrun_generate, testrun.h).
 *
 * From the requirement alone (not from the policy drafted for it), so that
 * the policy is checked against what was asked:
 *   allowed      every requested action, for up to SAMPLES principals and
 *                resources drawn from the entity snapshot when the subject or
 *                resource is a group, container or type, with a context that
 *                satisfies every constraint;
 *   near misses  a principal outside the subject, each action not requested
 *                (that applies to the same types), a resource outside the
 *                container, a resource in each other environment, and each
 *                constraint violated (source outside the networks, outside
 *                the time window, after expiry, without the required flag).
 * An allowed case expects the whole policy set to allow. A near miss expects
 * that none of the requirement's own policies applies (another policy may
 * legitimately grant the same access; `ward diff` is where that shows).
 * The requirement's policies are those with @requirement("ID") or id ID.
 *
 * Context values are chosen per context attribute of the action: a
 * constraint fills the attribute of its name, or else the only attribute of
 * its type (ip ranges: an ipaddr, datetime and time windows: a datetime, a
 * bool: a Bool); other attributes get a neutral value (false, 0, ""), except
 * that for a break-glass requirement the Bool attributes whose names contain
 * "break" or "mfa" are true (break-glass templates demand both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cedar/ext.h"
#include "cedar/format.h"
#include "govern/repo.h"
#include "govern/requirement.h"
#include "govern/testrun_int.h"
#include "util/xalloc.h"

#define SAMPLES 3
#define DAY_MS 86400000LL
#define MINUTE_MS 60000LL
#define BASE_DAY_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

typedef struct gen {
	wtrun *t;
	const repo *r;
	const requirement *rq;
	const char *path;
	const char **own; /* the requirement's policies */
	uint32_t nown;
	const wsym *env_attr;
} gen;

/* The string inside fn("...") of a constraint text, or the text itself. */
static int inner(const char *text, char *out, size_t cap)
{
	const char *q = strchr(text, '"');
	if (!q) {
		snprintf(out, cap, "%s", text);
		return 0;
	}
	const char *e = strrchr(text, '"');
	if (e <= q || (size_t)(e - q - 1) >= cap)
		return -1;
	memcpy(out, q + 1, (size_t)(e - q - 1));
	out[e - q - 1] = '\0';
	return 0;
}

static void ip_text(const wipaddr *ip, wbuf *b)
{
	if (!ip->v6) {
		buf_printf(b, "%u.%u.%u.%u", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3]);
		return;
	}
	for (int i = 0; i < 8; i++)
		buf_printf(b, "%s%x", i ? ":" : "", (unsigned)(ip->addr[2 * i] << 8 | ip->addr[2 * i + 1]));
}

static bool ip_in(const wipaddr *a, const wipaddr *range)
{
	if (a->v6 != range->v6)
		return false;
	for (unsigned bit = 0; bit < range->prefix; bit++) {
		unsigned byte = bit / 8, m = 0x80u >> (bit % 8);
		if ((a->addr[byte] & m) != (range->addr[byte] & m))
			return false;
	}
	return true;
}

static void datetime_text(int64_t ms, wbuf *b)
{
	wvalue v = value_ext_int(WV_DATETIME, ms);
	ext_print_arg(&v, b);
}

/* The context attribute a constraint fills, or NULL. */
static const wattr *constraint_attr(const wtype *ctx, const req_constraint *c)
{
	wtkind want;
	switch (c->kind->type) {
	case GT_IP_RANGES: want = WT_IPADDR; break;
	case GT_DATETIME:
	case GT_TIME_WINDOW: want = WT_DATETIME; break;
	case GT_BOOL: want = WT_BOOL; break;
	case GT_LONG: want = WT_LONG; break;
	case GT_STRING: want = WT_STRING; break;
	default: return NULL;
	}
	const wattr *only = NULL;
	uint32_t n = 0;
	for (uint32_t i = 0; i < ctx->nattrs; i++) {
		if (ctx->attrs[i].type->kind != want)
			continue;
		if (strcmp(ctx->attrs[i].name->s, c->kind->name) == 0)
			return &ctx->attrs[i];
		only = &ctx->attrs[i];
		n++;
	}
	/* several Bool flags: only the name can tell */
	return n == 1 && want != WT_BOOL ? only : NULL;
}

/* Which constraint to violate (-1: none) and the context that results. */
static json_t *make_context(gen *g, wuid action, int violate, bool *ok, wbuf *why)
{
	const requirement *rq = g->rq;
	const waction *a = g->r->has_schema ? schema_action(&g->r->schema, action) : NULL;
	json_t *o = json_object();
	*ok = true;
	if (!a)
		return o;
	const wtype *ctx = a->context;
	/* the instant: inside the time window, before expiry */
	int64_t day = BASE_DAY_MS, tod = 12 * 60 * MINUTE_MS, start = -1, end = -1, expires = 0;
	bool has_exp = false;
	char s[128];
	for (size_t i = 0; i < rq->ncons; i++) {
		const req_constraint *c = &rq->cons[i];
		if (c->kind->type == GT_DATETIME && c->n && inner(c->texts[0], s, sizeof s) == 0 &&
		    ext_parse_datetime(s, strlen(s), &expires) == 0)
			has_exp = true;
		if (c->kind->type == GT_TIME_WINDOW && c->start && c->end && inner(c->start, s, sizeof s) == 0 &&
		    ext_parse_duration(s, strlen(s), &start) == 0 && inner(c->end, s, sizeof s) == 0 &&
		    ext_parse_duration(s, strlen(s), &end) == 0)
			/* the middle of the window; a window past midnight wraps */
			tod = end > start ? start + (end - start) / 2 : (start + (end + DAY_MS - start) / 2) % DAY_MS;
	}
	if (has_exp)
		day = ((expires - 2 * DAY_MS) / DAY_MS) * DAY_MS;
	for (uint32_t i = 0; i < ctx->nattrs; i++) {
		const wattr *at = &ctx->attrs[i];
		if (!at->required)
			continue;
		json_t *v = NULL;
		switch (at->type->kind) {
		case WT_BOOL:
			/* break-glass access is exercised as break-glass templates require it:
			 * declared (break_glass) and with multi-factor authentication (mfa) */
			v = json_boolean(rq->kind == REQ_BREAK_GLASS &&
					 (strstr(at->name->s, "break") || strstr(at->name->s, "mfa")));
			break;
		case WT_LONG: v = json_integer(0); break;
		case WT_STRING: v = json_string(""); break;
		case WT_IPADDR: v = json_string("127.0.0.1"); break;
		case WT_DECIMAL: v = json_string("0.0"); break;
		case WT_DURATION: v = json_string("0ms"); break;
		case WT_DATETIME: {
			wbuf b = WBUF_INIT;
			datetime_text(day + tod, &b);
			v = json_string(b.p);
			buf_release(&b);
			break;
		}
		case WT_SET: v = json_array(); break;
		case WT_RECORD: v = json_object(); break;
		default: v = json_null(); break;
		}
		json_object_set_new(o, at->name->s, v);
	}
	for (size_t i = 0; i < rq->ncons; i++) {
		const req_constraint *c = &rq->cons[i];
		const wattr *at = constraint_attr(ctx, c);
		bool bad = (int)i == violate;
		if (!at) {
			if (bad) {
				buf_printf(why, "no context attribute of action %s takes constraint '%s'", action.id->s,
					   c->kind->name);
				*ok = false;
			}
			continue;
		}
		wbuf b = WBUF_INIT;
		switch (c->kind->type) {
		case GT_IP_RANGES: {
			wipaddr ranges[16];
			size_t nr = 0;
			for (size_t k = 0; k < c->n && nr < 16; k++)
				if (inner(c->texts[k], s, sizeof s) == 0 && ext_parse_ip(s, strlen(s), &ranges[nr]) == 0)
					nr++;
			if (!nr)
				break;
			if (!bad) {
				wipaddr host = ranges[0];
				if ((!host.v6 && host.prefix < 31) || (host.v6 && host.prefix < 127))
					host.addr[host.v6 ? 15 : 3] |= 1;
				ip_text(&host, &b);
			} else {
				static const char *const outside[] = {"203.0.113.7", "198.51.100.7", "192.0.2.7",
								      "8.8.8.8", "2001:db8::7"};
				for (size_t k = 0; k < sizeof outside / sizeof outside[0] && !b.n; k++) {
					wipaddr cand;
					ext_parse_ip(outside[k], strlen(outside[k]), &cand);
					bool in = false;
					for (size_t j = 0; j < nr; j++)
						in = in || ip_in(&cand, &ranges[j]);
					if (!in)
						buf_adds(&b, outside[k]);
				}
			}
			break;
		}
		case GT_DATETIME:
			if (bad && has_exp)
				datetime_text((expires / DAY_MS) * DAY_MS + DAY_MS + tod, &b);
			break;
		case GT_TIME_WINDOW:
			if (bad && start >= 0) {
				if (start >= MINUTE_MS)
					datetime_text(day + start - MINUTE_MS, &b);
				else if (end + MINUTE_MS < DAY_MS)
					datetime_text(day + end + MINUTE_MS, &b);
			}
			break;
		case GT_BOOL: {
			bool want = c->n && strcmp(c->texts[0], "true") == 0;
			json_object_set_new(o, at->name->s, json_boolean(bad ? !want : want));
			break;
		}
		default:
			break;
		}
		if (b.n)
			json_object_set_new(o, at->name->s, json_string(b.p));
		else if (bad && c->kind->type != GT_BOOL) {
			buf_printf(why, "cannot construct a value that violates constraint '%s'", c->kind->name);
			*ok = false;
		}
		buf_release(&b);
	}
	return o;
}

/* ---- entities --------------------------------------------------------------- */

static bool target_has(const gen *g, const req_target *tg, wuid u)
{
	const wentities *es = &g->r->ents;
	switch (tg->form) {
	case RF_ENTITY: return uid_eq(tg->uid, u);
	case RF_IN: return (!tg->type || tg->type == u.type) && entities_in(es, u, tg->uid);
	default: return tg->type == u.type;
	}
}

static bool type_in(const wsym *t, const wsym *const *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == t)
			return true;
	return false;
}

/* Is the entity in environment `env` (its `environment` attribute)? An
 * entity without one may be anywhere: it counts only when not `strict`. */
static bool env_is(const gen *g, const wentity *e, const char *env, bool strict)
{
	const wvalue *v = g->env_attr ? record_get(e->attrs, g->env_attr) : NULL;
	if (!v || v->kind != WV_STRING)
		return !strict;
	return v->u.s.n == strlen(env) && memcmp(v->u.s.p, env, v->u.s.n) == 0;
}

/* Up to `max` entities: inside (or outside) the target, of a type the action
 * applies to, in environment `env` when given. */
static uint32_t sample(const gen *g, const req_target *tg, bool inside, bool principal, const waction *a,
		       const char *env, bool strict, wuid *out, uint32_t max)
{
	uint32_t n = 0;
	if (inside && tg->form == RF_ENTITY) {
		out[0] = tg->uid;
		return 1;
	}
	const wentities *es = &g->r->ents;
	for (uint32_t i = 0; i < es->n && n < max; i++) {
		const wentity *e = es->items[i];
		if (ctx_is_action_type(e->uid.type))
			continue;
		if (a && !type_in(e->uid.type, principal ? a->principals : a->resources,
				  principal ? a->nprincipals : a->nresources))
			continue;
		if (target_has(g, tg, e->uid) != inside)
			continue;
		if (env && !principal && !env_is(g, e, env, strict))
			continue;
		out[n++] = e->uid;
	}
	return n;
}

/* ---- cases ------------------------------------------------------------------ */

static void add_case(gen *g, const char *group, wuid p, wuid a, wuid r, int violate, bool allowed)
{
	wtrun *t = g->t;
	bool ok;
	wbuf why = WBUF_INIT;
	json_t *ctx = make_context(g, a, violate, &ok, &why);
	if (!ok) {
		buf_printf(&t->notes, "note: %s (%s): %s: %s; case skipped\n", g->rq->id, g->path, group, why.p);
		json_decref(ctx);
		buf_release(&why);
		return;
	}
	buf_release(&why);
	wbuf b = WBUF_INIT;
	json_t *req = json_object();
	format_uid(&b, p);
	json_object_set_new(req, "principal", json_string(b.p));
	buf_clear(&b);
	format_uid(&b, a);
	json_object_set_new(req, "action", json_string(b.p));
	buf_clear(&b);
	format_uid(&b, r);
	json_object_set_new(req, "resource", json_string(b.p));
	json_object_set_new(req, "context", ctx);
	wrequest rr;
	buf_clear(&b);
	if (request_from_json(t->cx, &t->arena, req, g->r->has_schema ? &g->r->schema : NULL, &rr, &b) < 0) {
		buf_printf(&t->notes, "note: %s (%s): %s: cannot build the request: %s; case skipped\n", g->rq->id,
			   g->path, group, b.p ? b.p : "?");
		json_decref(req);
		buf_release(&b);
		return;
	}
	json_decref(req);
	buf_clear(&b);
	buf_printf(&b, "%s: ", group);
	format_uid(&b, p);
	buf_adds(&b, " ");
	format_uid(&b, a);
	buf_adds(&b, " ");
	format_uid(&b, r);
	wtcase *c = testrun_push_case(t);
	c->name = arena_strndup(&t->arena, b.p, b.n);
	c->file = g->path;
	c->generated = true;
	c->group = arena_sprintf(&t->arena, "%s: %s", g->rq->id, group);
	c->req = rr;
	c->ents = &g->r->ents;
	c->expect_allow = allowed;
	if (!allowed) {
		c->not_by = g->own;
		c->nnot_by = g->nown;
	}
	buf_release(&b);
}

static bool requested(const requirement *rq, wuid a)
{
	for (size_t i = 0; i < rq->nactions; i++)
		if (uid_eq(rq->actions[i], a))
			return true;
	return false;
}

int testrun_generate(wtrun *t, const repo *r, const requirement *rq, const char *path)
{
	uint32_t before = t->n;
	gen g = {t, r, rq, arena_strndup(&t->arena, path, strlen(path)), NULL, 0, NULL};
	g.env_attr = intern_find(&((repo *)r)->cx.syms, "environment", 11);
	g.own = ARENA_ARRAY(&t->arena, const char *, t->ps->n ? t->ps->n : 1);
	for (uint32_t i = 0; i < t->ps->n; i++) {
		const wpolicy *p = t->ps->items[i];
		const wannotation *an = policy_annotation(p, "requirement");
		if (strcmp(p->id, rq->id) == 0 || (an && strcmp(an->val, rq->id) == 0))
			g.own[g.nown++] = p->id;
	}
	if (!g.nown) {
		buf_printf(&t->notes, "note: requirement %s (%s): no policy implements it (no @requirement(\"%s\") "
				      "or policy id '%s'); its tests were not generated\n",
			   rq->id, path, rq->id, rq->id);
		t->gen_skipped++;
		return 0;
	}
	const wschema *s = r->has_schema ? &r->schema : NULL;
	const char *env = rq->environment;
	wuid ps[SAMPLES], rs[SAMPLES];
	/* allowed: every action, sampled principals and resources */
	for (size_t i = 0; i < rq->nactions; i++) {
		const waction *a = s ? schema_action(s, rq->actions[i]) : NULL;
		uint32_t np = sample(&g, &rq->subject, true, true, a, NULL, false, ps, SAMPLES);
		uint32_t nr = sample(&g, &rq->resource, true, false, a, env, false, rs, SAMPLES);
		for (uint32_t k = 0; k < (np > nr ? np : nr) && np && nr; k++)
			add_case(&g, "allowed", ps[k % np], rq->actions[i], rs[k % nr], -1, true);
	}
	if (!rq->nactions)
		return 0;
	wuid a0 = rq->actions[0];
	const waction *act0 = s ? schema_action(s, a0) : NULL;
	bool has_p = sample(&g, &rq->subject, true, true, act0, NULL, false, ps, 1) > 0;
	if (!has_p || !sample(&g, &rq->resource, true, false, act0, env, false, rs, 1)) {
		buf_printf(&t->notes, "note: requirement %s (%s): the entity snapshot has no entity in the %s; near "
				      "misses not generated\n",
			   rq->id, path, has_p ? "resource" : "subject");
		return (int)(t->n - before);
	}
	wuid p = ps[0], res = rs[0], other;
	/* a principal outside the subject */
	if (sample(&g, &rq->subject, false, true, act0, NULL, false, &other, 1))
		add_case(&g, "principal outside the subject", other, a0, res, -1, false);
	/* each action not requested that applies to the same types */
	for (uint32_t i = 0; s && i < s->nactions; i++) {
		const waction *a = &s->actions[i];
		if (requested(rq, a->uid) || !a->has_applies_to || !type_in(p.type, a->principals, a->nprincipals) ||
		    !type_in(res.type, a->resources, a->nresources))
			continue;
		add_case(&g, "action not requested", p, a->uid, res, -1, false);
	}
	/* a resource outside the container or type (same environment) */
	if (sample(&g, &rq->resource, false, false, act0, env, true, &other, 1))
		add_case(&g, "resource outside the requested resources", p, a0, other, -1, false);
	/* each other environment */
	for (size_t i = 0; env && i < r->nenvs; i++) {
		if (strcmp(r->envs[i].name, env) == 0)
			continue;
		req_target any = {RF_TYPE, {NULL, NULL}, res.type, {0, 0}};
		if (sample(&g, &any, true, false, act0, r->envs[i].name, true, &other, 1)) {
			char grp[160];
			snprintf(grp, sizeof grp, "other environment (%s)", r->envs[i].name);
			add_case(&g, grp, p, a0, other, -1, false);
		}
	}
	/* each constraint violated */
	for (size_t i = 0; i < rq->ncons; i++) {
		char grp[160];
		snprintf(grp, sizeof grp, "constraint '%s' violated", rq->cons[i].kind->name);
		add_case(&g, grp, p, a0, res, (int)i, false);
	}
	return (int)(t->n - before);
}
