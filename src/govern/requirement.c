/* requirement: reading and validating requirements (see requirement.h). */
#include "govern/requirement.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/ext.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "util/xalloc.h"

static const char *const kind_names[] = {"grant", "exception", "break-glass"};

const char *req_kind_name(req_kind k)
{
	return (unsigned)k < 3 ? kind_names[k] : "?";
}

typedef struct rl {
	requirement *rq;
	repo *r;
	const ydoc *doc;
	wdiags *d;
	int bad;
} rl;

static void err(rl *L, const ynode *n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static void err(rl *L, const ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(L->d, WSEV_ERROR, &L->doc->src, n ? n->span : (wspan){0, 0}, fmt, ap);
	va_end(ap);
	L->bad++;
}

static const char *want_str(rl *L, const ynode *n, const char *what)
{
	if (ynode_want(L->doc, n, Y_SCALAR, what, L->d) < 0) {
		L->bad++;
		return NULL;
	}
	return n->s;
}

/* Printable text without control characters (annotation values); a
 * justification may span lines. */
static bool clean_text(const char *s, bool newlines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && !(newlines && *p == '\n')) || *p == 0x7f)
			return false;
	return true;
}

static const char *text_field(rl *L, const ynode *root, const char *key, size_t minlen, size_t maxlen,
			      const char *ov)
{
	const ynode *n = ynode_get(root, key);
	if (ov) {
		if (n)
			err(L, L->doc->root ? n : NULL, "'%s' may not be set here: it is supplied by the person asking", key);
		return ov;
	}
	if (!n || ynode_is_null(n)) {
		err(L, n ? n : root, "missing '%s': every requirement needs one", key);
		return NULL;
	}
	const char *s = want_str(L, n, key);
	if (!s)
		return NULL;
	size_t l = strlen(s);
	size_t t = 0;
	while (t < l && (s[t] == ' ' || s[t] == '\t'))
		t++;
	if (l - t < minlen) {
		if (l - t == 0)
			err(L, n, "'%s' is empty", key);
		else
			err(L, n, "'%s' is too short (at least %zu characters)", key, minlen);
		return NULL;
	}
	if (l > maxlen) {
		err(L, n, "'%s' is too long (at most %zu characters)", key, maxlen);
		return NULL;
	}
	if (!clean_text(s, strcmp(key, "justification") == 0)) {
		err(L, n, "'%s' contains control characters", key);
		return NULL;
	}
	return s;
}

/* ---- entities ------------------------------------------------------------ */

static int parse_uid_text(rl *L, const ynode *n, wuid *out)
{
	wsource src = {"<uid>", n->s, n->slen};
	wdiags tmp;
	diags_init(&tmp);
	int rc = parse_uid(&L->r->cx, &src, out, &tmp);
	diags_release(&tmp);
	if (rc < 0) {
		err(L, n, "invalid entity '%s'; write it as Type::\"id\", e.g. ServiceAccount::\"billing-exporter\"", n->s);
		return -1;
	}
	return 0;
}

static const wsym *type_sym(rl *L, const ynode *n)
{
	const wsym *t = parse_name(&L->r->cx, n->s, n->slen);
	if (!t) {
		err(L, n, "invalid entity type '%s'", n->s);
		return NULL;
	}
	return t;
}

static void unknown_type(rl *L, const ynode *n, const char *name)
{
	const wschema *s = &L->r->schema;
	const char *best = NULL;
	size_t bd = 3 + strlen(name) / 5; /* longer names tolerate more typos */
	for (uint32_t i = 0; i < s->netypes; i++) {
		size_t dd = gov_distance(name, s->etypes[i].name->s);
		if (dd < bd) {
			bd = dd;
			best = s->etypes[i].name->s;
		}
	}
	if (best)
		err(L, n, "unknown entity type '%s'; did you mean '%s'?", name, best);
	else
		err(L, n, "unknown entity type '%s'", name);
}

static int check_entity(rl *L, const ynode *n, wuid u)
{
	if (!L->r->has_schema)
		return 0;
	if (!schema_entity_type(&L->r->schema, u.type)) {
		unknown_type(L, n, u.type->s);
		return -1;
	}
	if (!L->r->has_ents)
		return 0;
	if (entities_get(&L->r->ents, u))
		return 0;
	const char *best = NULL;
	size_t bd = 4;
	for (uint32_t i = 0; i < L->r->ents.n; i++) {
		const wentity *e = L->r->ents.items[i];
		if (e->uid.type != u.type)
			continue;
		size_t dd = gov_distance(u.id->s, e->uid.id->s);
		if (dd < bd) {
			bd = dd;
			best = e->uid.id->s;
		}
	}
	if (best)
		err(L, n, "unknown entity %s::\"%s\" (not in the entity snapshot); did you mean %s::\"%s\"?", u.type->s,
		    u.id->s, u.type->s, best);
	else
		err(L, n, "unknown entity %s::\"%s\" (not in the entity snapshot)", u.type->s, u.id->s);
	return -1;
}

/* True when entities of type `t` may be `in` an entity of type `c`. */
static bool type_can_be_in(const wschema *s, const wsym *t, const wsym *c, int depth)
{
	if (t == c)
		return true;
	if (depth > 32)
		return false;
	const wentity_type *et = schema_entity_type(s, t);
	if (!et)
		return false;
	for (uint32_t i = 0; i < et->nparents; i++)
		if (type_can_be_in(s, et->parents[i], c, depth + 1))
			return true;
	return false;
}

static int parse_target(rl *L, const ynode *root, const char *key, req_target *t)
{
	const ynode *n = ynode_get(root, key);
	if (!n) {
		err(L, root, "missing '%s'", key);
		return -1;
	}
	t->span = n->span;
	if (n->kind == Y_SCALAR) {
		/* shorthand: one entity */
		t->form = RF_ENTITY;
		if (parse_uid_text(L, n, &t->uid) < 0)
			return -1;
		return check_entity(L, n, t->uid);
	}
	if (n->kind != Y_MAP) {
		err(L, n, "'%s' must be an entity or a mapping with 'entity', 'in' or 'type'", key);
		return -1;
	}
	static const char *const known[] = {"entity", "in", "type", NULL};
	char what[32];
	snprintf(what, sizeof what, "'%s'", key);
	if (ynode_check_keys(L->doc, n, known, what, L->d)) {
		L->bad++;
		return -1;
	}
	const ynode *e = ynode_get(n, "entity"), *in = ynode_get(n, "in"), *ty = ynode_get(n, "type");
	if ((e && (in || ty)) || (!e && !in && !ty)) {
		err(L, n, "'%s' needs exactly one of: 'entity' (one entity), 'in' (everything in a group or container), "
			  "'type' (every entity of a type; may be combined with 'in')",
		    key);
		return -1;
	}
	if (e) {
		t->form = RF_ENTITY;
		if (!want_str(L, e, "entity") || parse_uid_text(L, e, &t->uid) < 0)
			return -1;
		return check_entity(L, e, t->uid);
	}
	if (ty) {
		if (!want_str(L, ty, "type") || !(t->type = type_sym(L, ty)))
			return -1;
		if (L->r->has_schema && !schema_entity_type(&L->r->schema, t->type)) {
			unknown_type(L, ty, t->type->s);
			return -1;
		}
	}
	if (in) {
		t->form = RF_IN;
		if (!want_str(L, in, "in") || parse_uid_text(L, in, &t->uid) < 0 || check_entity(L, in, t->uid) < 0)
			return -1;
		if (t->type && L->r->has_schema && !type_can_be_in(&L->r->schema, t->type, t->uid.type, 0)) {
			err(L, ty, "entities of type '%s' can never be in %s::\"%s\" (the schema does not allow it)",
			    t->type->s, t->uid.type->s, t->uid.id->s);
			return -1;
		}
		return 0;
	}
	t->form = RF_TYPE;
	return 0;
}

/* Does `types` (appliesTo list) admit the target? */
static bool target_fits(const wschema *s, const req_target *t, const wsym *const *types, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		const wsym *ty = types[i];
		switch (t->form) {
		case RF_ENTITY:
			if (ty == t->uid.type)
				return true;
			break;
		case RF_TYPE:
			if (ty == t->type)
				return true;
			break;
		case RF_IN:
			if (t->type ? ty == t->type : type_can_be_in(s, ty, t->uid.type, 0))
				return true;
			break;
		}
	}
	return false;
}

static const char *target_type(const req_target *t)
{
	return t->form == RF_TYPE || (t->form == RF_IN && t->type) ? t->type->s : t->uid.type->s;
}

static int parse_actions(rl *L, const ynode *root)
{
	requirement *rq = L->rq;
	const ynode *n = ynode_get(root, "actions");
	if (!n) {
		err(L, root, "missing 'actions'");
		return -1;
	}
	if (n->kind == Y_SCALAR && !ynode_is_null(n)) {
		err(L, n, "'actions' must be a list, e.g. [read, list]");
		return -1;
	}
	if (ynode_want(L->doc, n, Y_SEQ, "actions", L->d) < 0) {
		L->bad++;
		return -1;
	}
	if (n->n == 0) {
		err(L, n, "'actions' is empty: name at least one action");
		return -1;
	}
	const wschema *s = &L->r->schema;
	const char *atype = s->nactions ? s->actions[0].uid.type->s : "Action";
	rq->actions = xcalloc(n->n, sizeof *rq->actions);
	int bad = 0;
	for (uint32_t i = 0; i < n->n; i++) {
		const ynode *a = n->items[i];
		if (!want_str(L, a, "action")) {
			bad++;
			continue;
		}
		wuid u;
		if (strstr(a->s, "::")) {
			if (parse_uid_text(L, a, &u) < 0) {
				bad++;
				continue;
			}
		} else {
			u.type = intern_cstr(&L->r->cx.syms, atype);
			u.id = intern_cstr(&L->r->cx.syms, a->s);
		}
		for (size_t j = 0; j < rq->nactions; j++)
			if (uid_eq(rq->actions[j], u)) {
				err(L, a, "action '%s' is listed twice", a->s);
				bad++;
				goto next;
			}
		if (L->r->has_schema) {
			const waction *sa = schema_action(s, u);
			if (!sa) {
				const char *best = NULL;
				size_t bd = 3;
				for (uint32_t k = 0; k < s->nactions; k++) {
					size_t dd = gov_distance(u.id->s, s->actions[k].uid.id->s);
					if (dd < bd) {
						bd = dd;
						best = s->actions[k].uid.id->s;
					}
				}
				if (best)
					err(L, a, "unknown action '%s'; did you mean '%s'?", u.id->s, best);
				else
					err(L, a, "unknown action '%s' (not in the schema)", u.id->s);
				bad++;
				continue;
			}
			if (rq->subject.uid.type || rq->subject.type) {
				if (!target_fits(s, &rq->subject, sa->principals, sa->nprincipals)) {
					err(L, a, "action '%s' does not apply to principals of type '%s'", u.id->s,
					    target_type(&rq->subject));
					bad++;
					continue;
				}
			}
			if (rq->resource.uid.type || rq->resource.type) {
				if (!target_fits(s, &rq->resource, sa->resources, sa->nresources)) {
					err(L, a, "action '%s' does not apply to resources %s '%s'", u.id->s,
					    rq->resource.form == RF_IN && !rq->resource.type ? "in" : "of type",
					    target_type(&rq->resource));
					bad++;
					continue;
				}
			}
		}
		rq->actions[rq->nactions++] = u;
	next:;
	}
	return bad ? -1 : 0;
}

/* ---- constraints --------------------------------------------------------- */

static void add_text(req_constraint *c, char *t)
{
	c->texts = xrealloc(c->texts, (c->n + 1) * sizeof *c->texts);
	c->texts[c->n++] = t;
}

static char *quoted(const char *fn, const char *s)
{
	wbuf b = WBUF_INIT;
	if (fn)
		buf_printf(&b, "%s(", fn);
	format_cedar_str(&b, s, strlen(s));
	if (fn)
		buf_addc(&b, ')');
	return buf_detach(&b);
}

/* "HH:MM" -> duration text "8h30m"; -1 on error. */
static int time_of_day(const char *s, long *minutes, char **text)
{
	int h, m;
	char extra;
	if (strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &extra) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
	    (h == 24 && m != 0) || s[2] != ':')
		return -1;
	*minutes = h * 60L + m;
	wbuf b = WBUF_INIT;
	buf_adds(&b, "duration(\"");
	if (h)
		buf_printf(&b, "%dh", h);
	if (m || !h)
		buf_printf(&b, "%dm", m);
	buf_adds(&b, "\")");
	*text = buf_detach(&b);
	return 0;
}

static int parse_constraint(rl *L, const ynode *key, const ynode *v, req_constraint *c)
{
	const repo_constraint *k = repo_find_constraint(L->r, key->s);
	c->span = v->span;
	if (!k) {
		wbuf names = WBUF_INIT;
		const char *best = NULL;
		size_t bd = 3;
		for (size_t i = 0; i < L->r->ncons; i++) {
			buf_printf(&names, "%s%s", i ? ", " : "", L->r->cons[i].name);
			size_t dd = gov_distance(key->s, L->r->cons[i].name);
			if (dd < bd) {
				bd = dd;
				best = L->r->cons[i].name;
			}
		}
		if (best)
			err(L, key, "unknown constraint kind '%s'; did you mean '%s'?", key->s, best);
		else
			err(L, key, "unknown constraint kind '%s'; ward.yaml defines: %s", key->s,
			    names.p ? names.p : "none");
		buf_release(&names);
		return -1;
	}
	c->kind = k;
	switch (k->type) {
	case GT_IP_RANGES: {
		const ynode *one[1] = {v};
		ynode *const *items = (ynode *const *)one;
		uint32_t n = 1;
		if (v->kind == Y_SEQ) {
			items = v->items;
			n = v->n;
			if (!n) {
				err(L, v, "'%s' is empty: name at least one network, or leave the constraint out", key->s);
				return -1;
			}
		}
		wbuf raw = WBUF_INIT;
		for (uint32_t i = 0; i < n; i++) {
			const ynode *it = items[i];
			wipaddr ip;
			if (it->kind != Y_SCALAR || ext_parse_ip(it->s, it->slen, &ip) < 0) {
				err(L, it, "'%s' must list IP networks such as 10.20.0.0/16", key->s);
				buf_release(&raw);
				return -1;
			}
			if (ip.prefix == 0) {
				err(L, it, "'%s' network %s allows every address; leave the constraint out instead", key->s,
				    it->s);
				buf_release(&raw);
				return -1;
			}
			add_text(c, quoted("ip", it->s));
			buf_printf(&raw, "%s%s", i ? ", " : "", it->s);
		}
		c->raw = buf_detach(&raw);
		return 0;
	}
	case GT_DATETIME: {
		int64_t ms;
		if (v->kind != Y_SCALAR || ext_parse_datetime(v->s, v->slen, &ms) < 0) {
			err(L, v, "'%s' must be a date or an instant such as 2027-01-31 or 2027-01-31T18:00:00Z", key->s);
			return -1;
		}
		add_text(c, quoted("datetime", v->s));
		c->raw = xstrdup(v->s);
		return 0;
	}
	case GT_TIME_WINDOW: {
		static const char *const tk[] = {"start", "end", NULL};
		if (v->kind != Y_MAP) {
			err(L, v, "'%s' must be a mapping {start: \"HH:MM\", end: \"HH:MM\"} (UTC)", key->s);
			return -1;
		}
		if (ynode_check_keys(L->doc, v, tk, "a time window", L->d)) {
			L->bad++;
			return -1;
		}
		const ynode *s = ynode_get(v, "start"), *e = ynode_get(v, "end");
		long sm, em;
		if (!s || !e) {
			err(L, v, "'%s' needs both 'start' and 'end'", key->s);
			return -1;
		}
		if (s->kind != Y_SCALAR || time_of_day(s->s, &sm, &c->start) < 0) {
			err(L, s, "'start' must be a time of day \"HH:MM\" (UTC)");
			return -1;
		}
		if (e->kind != Y_SCALAR || time_of_day(e->s, &em, &c->end) < 0) {
			err(L, e, "'end' must be a time of day \"HH:MM\" (UTC)");
			return -1;
		}
		if (em <= sm) {
			err(L, v, "'%s' must end after it starts (%s is not after %s)", key->s, e->s, s->s);
			return -1;
		}
		wbuf raw = WBUF_INIT;
		buf_printf(&raw, "%s-%s UTC", s->s, e->s);
		c->raw = buf_detach(&raw);
		return 0;
	}
	case GT_BOOL: {
		bool b;
		if (ynode_bool(L->doc, v, key->s, &b, L->d) < 0) {
			L->bad++;
			return -1;
		}
		add_text(c, xstrdup(b ? "true" : "false"));
		c->raw = xstrdup(b ? "true" : "false");
		return 0;
	}
	case GT_LONG: {
		long x;
		if (ynode_long(L->doc, v, key->s, -(1L << 62), 1L << 62, &x, L->d) < 0) {
			L->bad++;
			return -1;
		}
		wbuf b = WBUF_INIT;
		buf_printf(&b, "%ld", x);
		c->raw = xstrdup(b.p);
		add_text(c, buf_detach(&b));
		return 0;
	}
	default:
		if (v->kind != Y_SCALAR) {
			err(L, v, "'%s' must be a string", key->s);
			return -1;
		}
		add_text(c, quoted(NULL, v->s));
		c->raw = xstrdup(v->s);
		return 0;
	}
}

/* ---- the whole requirement ------------------------------------------------ */

int req_load(requirement *rq, repo *r, const char *name, const char *text, size_t len, const req_overrides *ov,
	     bool untrusted, wdiags *d)
{
	memset(rq, 0, sizeof *rq);
	rq->untrusted = untrusted;
	rq->has_doc = true;
	if (ydoc_parse(&rq->doc, name, text, len, d) < 0)
		return -1;
	rl L = {.rq = rq, .r = r, .doc = &rq->doc, .d = d};
	const ynode *root = rq->doc.root;
	if (!root || root->kind != Y_MAP) {
		err(&L, root, "a requirement must be a mapping with id, ticket, justification, subject, actions, "
			      "resource, environment...");
		return -1;
	}
	static const char *const known[] = {"id", "ticket", "justification", "requested_by", "owner", "kind",
					     "subject", "actions", "resource", "environment", "constraints", NULL};
	if (ynode_check_keys(rq->doc.root ? &rq->doc : NULL, root, known, "a requirement", d))
		L.bad++;
	req_overrides none = {0};
	if (!ov)
		ov = &none;
	rq->id = text_field(&L, root, "id", 1, 64, ov->id);
	if (rq->id && !ov->id) {
		for (const char *c = rq->id; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			      *c == '-' || *c == '_' || *c == '.')) {
				err(&L, ynode_get(root, "id"), "'id' may only use letters, digits, '-', '_' and '.'");
				break;
			}
	}
	rq->ticket = text_field(&L, root, "ticket", 1, 128, ov->ticket);
	rq->justification = text_field(&L, root, "justification", 10, 2000, ov->justification);
	rq->requested_by = text_field(&L, root, "requested_by", 1, 200, ov->requested_by);
	rq->owner = text_field(&L, root, "owner", 1, 200, ov->owner);

	const ynode *k = ynode_get(root, "kind");
	rq->kind = REQ_GRANT;
	if (k) {
		const char *ks = want_str(&L, k, "kind");
		if (ks) {
			int found = -1;
			for (int i = 0; i < 3; i++)
				if (strcmp(ks, kind_names[i]) == 0)
					found = i;
			if (found < 0)
				err(&L, k, "unknown kind '%s'; expected grant, exception or break-glass", ks);
			else
				rq->kind = (uint8_t)found;
		}
	}
	int sub_ok = parse_target(&L, root, "subject", &rq->subject) == 0;
	int res_ok = parse_target(&L, root, "resource", &rq->resource) == 0;
	if (!sub_ok)
		memset(&rq->subject, 0, sizeof rq->subject);
	if (!res_ok)
		memset(&rq->resource, 0, sizeof rq->resource);
	parse_actions(&L, root);

	const ynode *env = ynode_get(root, "environment");
	if (!env) {
		err(&L, root, "missing 'environment'");
	} else if ((rq->environment = want_str(&L, env, "environment")) != NULL) {
		if (!repo_find_env(r, rq->environment)) {
			wbuf names = WBUF_INIT;
			for (size_t i = 0; i < r->nenvs; i++)
				buf_printf(&names, "%s%s", i ? ", " : "", r->envs[i].name);
			err(&L, env, "unknown environment '%s'; ward.yaml defines: %s", rq->environment, names.p);
			buf_release(&names);
			rq->environment = NULL;
		} else if (res_ok && rq->resource.form != RF_TYPE && r->has_ents) {
			/* the resource must live in that environment */
			const wentity *e = entities_get(&r->ents, rq->resource.uid);
			const wvalue *ev = e ? record_get(e->attrs, intern_cstr(&r->cx.syms, "environment")) : NULL;
			if (ev && ev->kind == WV_STRING &&
			    (ev->u.s.n != strlen(rq->environment) || memcmp(ev->u.s.p, rq->environment, ev->u.s.n))) {
				err(&L, env, "%s::\"%s\" is in environment '%.*s', not '%s'", rq->resource.uid.type->s,
				    rq->resource.uid.id->s, (int)ev->u.s.n, ev->u.s.p, rq->environment);
			}
		}
	}

	const ynode *cs = ynode_get(root, "constraints");
	if (cs && !ynode_is_null(cs)) {
		if (ynode_want(&rq->doc, cs, Y_MAP, "constraints", d) < 0) {
			L.bad++;
		} else {
			rq->cons = xcalloc(cs->n ? cs->n : 1, sizeof *rq->cons);
			for (uint32_t i = 0; i < cs->n; i++) {
				req_constraint *c = &rq->cons[rq->ncons];
				if (parse_constraint(&L, cs->keys[i], cs->items[i], c) == 0)
					rq->ncons++;
				else {
					for (size_t j = 0; j < c->n; j++)
						free(c->texts[j]);
					free(c->texts);
					free(c->start);
					free(c->end);
					free(c->raw);
					memset(c, 0, sizeof *c);
				}
			}
		}
	}
	if ((rq->kind == REQ_EXCEPTION || rq->kind == REQ_BREAK_GLASS) && !req_find_constraint(rq, "expires") &&
	    L.bad == 0)
		err(&L, k, "a %s must expire: add 'constraints: {expires: YYYY-MM-DD}'", req_kind_name(rq->kind));
	if (untrusted) {
		if (sub_ok && rq->subject.form == RF_TYPE)
			err(&L, ynode_get(root, "subject"),
			    "a model may not ask for every entity of a type; name one entity or group");
		if (res_ok && rq->resource.form == RF_TYPE)
			err(&L, ynode_get(root, "resource"),
			    "a model may not ask for every entity of a type; name one resource or container");
		if (rq->kind != REQ_GRANT)
			err(&L, k, "a model may only propose grants, not %s requirements", req_kind_name(rq->kind));
	}
	return L.bad ? -1 : 0;
}

void req_release(requirement *rq)
{
	for (size_t i = 0; i < rq->ncons; i++) {
		req_constraint *c = &rq->cons[i];
		for (size_t j = 0; j < c->n; j++)
			free(c->texts[j]);
		free(c->texts);
		free(c->start);
		free(c->end);
		free(c->raw);
	}
	free(rq->cons);
	free(rq->actions);
	if (rq->has_doc)
		ydoc_release(&rq->doc);
	memset(rq, 0, sizeof *rq);
}

const req_constraint *req_find_constraint(const requirement *rq, const char *name)
{
	for (size_t i = 0; i < rq->ncons; i++)
		if (strcmp(rq->cons[i].kind->name, name) == 0)
			return &rq->cons[i];
	return NULL;
}

static void yaml_str(wbuf *out, const char *s)
{
	buf_add_json_str(out, s, strlen(s));
}

static void print_target(wbuf *out, const char *key, const req_target *t)
{
	buf_printf(out, "%s:\n", key);
	if (t->form == RF_ENTITY || t->form == RF_IN) {
		wbuf u = WBUF_INIT;
		uid_print(t->uid, &u);
		buf_printf(out, "  %s: ", t->form == RF_ENTITY ? "entity" : "in");
		yaml_str(out, u.p);
		buf_addc(out, '\n');
		buf_release(&u);
	}
	if (t->type)
		buf_printf(out, "  type: %s\n", t->type->s);
}

void req_print_yaml(const requirement *rq, wbuf *out)
{
	const char *keys[] = {"id", "ticket", "justification", "requested_by", "owner"};
	const char *vals[] = {rq->id, rq->ticket, rq->justification, rq->requested_by, rq->owner};
	for (int i = 0; i < 5; i++) {
		if (!vals[i])
			continue;
		buf_printf(out, "%s: ", keys[i]);
		yaml_str(out, vals[i]);
		buf_addc(out, '\n');
	}
	buf_printf(out, "kind: %s\n", req_kind_name((req_kind)rq->kind));
	print_target(out, "subject", &rq->subject);
	buf_adds(out, "actions: [");
	for (size_t i = 0; i < rq->nactions; i++)
		buf_printf(out, "%s%s", i ? ", " : "", rq->actions[i].id->s);
	buf_adds(out, "]\n");
	print_target(out, "resource", &rq->resource);
	if (rq->environment)
		buf_printf(out, "environment: %s\n", rq->environment);
	if (rq->ncons) {
		buf_adds(out, "constraints:\n");
		for (size_t i = 0; i < rq->ncons; i++) {
			const req_constraint *c = &rq->cons[i];
			const char *raw = c->raw ? c->raw : "";
			buf_printf(out, "  %s: ", c->kind->name);
			switch (c->kind->type) {
			case GT_IP_RANGES: /* raw: "a, b" */
				buf_printf(out, "[%s]", raw);
				break;
			case GT_TIME_WINDOW: /* raw: "HH:MM-HH:MM UTC" */
				buf_printf(out, "{start: \"%.5s\", end: \"%.5s\"}", raw, strlen(raw) >= 11 ? raw + 6 : "");
				break;
			case GT_BOOL:
			case GT_LONG:
				buf_adds(out, raw);
				break;
			default:
				yaml_str(out, raw);
			}
			buf_addc(out, '\n');
		}
	}
}
