/* testrun: loading, running and reporting policy tests (see testrun.h).
 *
 * Test files are read with the governance layer's located YAML tree
 * (yaml.h), so every complaint points at file:line:col. Context values and
 * inline entities are turned into the JSON that the Cedar modules already
 * parse (jsonv.h, entities.h, request.h): a YAML plain scalar `true`,
 * `false`, `null` or an integer reads as that JSON value, anything quoted or
 * otherwise as a string, which the schema then reads as an ip address,
 * datetime, entity... where it expects one.
 */
#include "govern/testrun.h"
#include "govern/testrun_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cedar/format.h"
#include "cedar/jsonv.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "govern/gio.h"
#include "govern/yaml.h"
#include "util/xalloc.h"

/* Documents and entity stores the run owns, freed together. */
struct wtstore {
	struct wtstore *next;
	ydoc doc;
	bool has_doc;
	wentities es;
	bool has_es;
};

static struct wtstore *new_store(wtrun *t)
{
	struct wtstore *s = xcalloc(1, sizeof *s);
	s->next = t->stores;
	t->stores = s;
	return s;
}

void testrun_init(wtrun *t, wctx *cx, const wpolicyset *ps, const wschema *schema, const wentities *default_ents)
{
	memset(t, 0, sizeof *t);
	t->cx = cx;
	t->ps = ps;
	t->schema = schema;
	t->default_ents = default_ents;
	arena_init(&t->arena);
	diags_init(&t->diags);
	explain_policies_init(&t->x);
	explain_policies(cx, ps, schema, NULL, NULL, &t->x);
	t->determined = ARENA_ARRAY(&t->arena, uint32_t, ps->n ? ps->n : 1);
	t->seen = ARENA_ARRAY(&t->arena, uint8_t *, ps->n ? ps->n : 1);
	for (uint32_t i = 0; i < t->x.n; i++)
		t->seen[i] = ARENA_ARRAY(&t->arena, uint8_t, t->x.items[i].nunits ? t->x.items[i].nunits : 1);
}

void testrun_release(wtrun *t)
{
	for (struct wtstore *s = t->stores, *nx; s; s = nx) {
		nx = s->next;
		if (s->has_doc)
			ydoc_release(&s->doc);
		if (s->has_es)
			entities_release(&s->es);
		free(s);
	}
	diags_release(&t->diags);
	explain_policies_release(&t->x);
	free(t->cases);
	buf_release(&t->notes);
	arena_release(&t->arena);
	memset(t, 0, sizeof *t);
}

/* ---- loading ------------------------------------------------------------------ */

typedef struct loader {
	wtrun *t;
	const ydoc *doc;
	const char *path;
	const char *dir; /* directory of the test file ("" for the current one) */
} loader;

static void err(loader *L, const ynode *n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void err(loader *L, const ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wspan sp = n ? n->span : (wspan){0, 0};
	diag_vadd(&L->t->diags, WSEV_ERROR, &L->doc->src, sp, fmt, ap);
	va_end(ap);
}

static bool plain_is(const ynode *n, const char *s)
{
	return n->kind == Y_SCALAR && !n->quoted && strcmp(n->s, s) == 0;
}

/* A YAML node as JSON (see the file comment for scalars). NULL after an error. */
static json_t *to_json(loader *L, const ynode *n)
{
	switch (n->kind) {
	case Y_SCALAR: {
		if (!n->quoted) {
			if (ynode_is_null(n))
				return json_null();
			if (plain_is(n, "true"))
				return json_true();
			if (plain_is(n, "false"))
				return json_false();
			const char *p = n->s;
			if (*p == '-' || *p == '+')
				p++;
			bool digits = *p != '\0';
			for (const char *q = p; *q; q++)
				digits = digits && *q >= '0' && *q <= '9';
			if (digits) {
				errno = 0;
				char *end;
				long long v = strtoll(n->s, &end, 10);
				if (errno == ERANGE || *end) {
					err(L, n, "integer '%s' is out of range (Cedar longs are 64-bit)", n->s);
					return NULL;
				}
				return json_integer((json_int_t)v);
			}
		}
		return json_stringn(n->s, n->slen);
	}
	case Y_SEQ: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < n->n; i++) {
			json_t *v = to_json(L, n->items[i]);
			if (!v) {
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, v);
		}
		return a;
	}
	default: {
		json_t *o = json_object();
		for (uint32_t i = 0; i < n->n; i++) {
			json_t *v = to_json(L, n->items[i]);
			if (!v) {
				json_decref(o);
				return NULL;
			}
			json_object_setn_new_nocheck(o, n->keys[i]->s, n->keys[i]->slen, v);
		}
		return o;
	}
	}
}

/* An entity uid node: `Type::"id"` or {type, id}. Returns JSON {"type","id"}. */
static json_t *uid_json(loader *L, const ynode *n, const char *what, wuid *out)
{
	json_t *j = to_json(L, n);
	if (!j)
		return NULL;
	wbuf e = WBUF_INIT;
	wuid u;
	if (jsonv_to_uid(L->t->cx, j, true, &u, &e) < 0) {
		err(L, n, "%s: %s", what, e.p ? e.p : "not an entity uid; write it as Type::\"id\"");
		buf_release(&e);
		json_decref(j);
		return NULL;
	}
	buf_release(&e);
	json_decref(j);
	if (out)
		*out = u;
	return json_pack("{s:s%,s:s%}", "type", u.type->s, (size_t)u.type->len, "id", u.id->s, (size_t)u.id->len);
}

static char *rel_path(loader *L, const char *p)
{
	if (p[0] == '/' || !L->dir[0])
		return xstrdup(p);
	return gio_join(L->dir, p);
}

/* Loads one entities JSON file, for its own located errors, and appends its
 * entities to `all`. */
static int add_entity_file(loader *L, const ynode *n, json_t *all)
{
	char *path = rel_path(L, n->s);
	wdiags tmp;
	diags_init(&tmp);
	size_t len;
	char *text = gio_read(path, 0, &len, &tmp);
	int rc = -1;
	if (!text) {
		err(L, n, "cannot read entities file '%s': %s", n->s, tmp.n ? tmp.items[0].msg : "unreadable");
		goto out;
	}
	struct wtstore *st = new_store(L->t);
	entities_init(&st->es);
	st->has_es = true;
	/* the file's errors, located in the file itself */
	if (entities_load_json(L->t->cx, &st->es, L->t->schema, path, text, len, &L->t->diags) > 0) {
		err(L, n, "entities file '%s' has errors (above)", n->s);
		goto out;
	}
	wbuf e = WBUF_INIT;
	json_t *j = jsonv_parse_text(path, text, len, &e);
	buf_release(&e);
	if (!j || !json_is_array(j)) {
		json_decref(j);
		err(L, n, "entities file '%s' must hold a JSON array", n->s);
		goto out;
	}
	json_array_extend(all, j);
	json_decref(j);
	rc = 0;
out:
	free(text);
	free(path);
	diags_release(&tmp);
	return rc;
}

static int add_inline_entity(loader *L, const ynode *n, json_t *all)
{
	static const char *const keys[] = {"uid", "attrs", "parents", "tags", NULL};
	if (ynode_want(L->doc, n, Y_MAP, "an inline entity", &L->t->diags) < 0)
		return -1;
	if (ynode_check_keys(L->doc, n, keys, "an entity", &L->t->diags))
		return -1;
	const ynode *uid = ynode_get(n, "uid");
	if (!uid) {
		err(L, n, "entity without 'uid'");
		return -1;
	}
	json_t *o = json_object();
	json_t *u = uid_json(L, uid, "'uid'", NULL);
	if (!u)
		goto bad;
	json_object_set_new(o, "uid", u);
	const ynode *attrs = ynode_get(n, "attrs"), *tags = ynode_get(n, "tags"), *parents = ynode_get(n, "parents");
	json_t *v;
	if (attrs) {
		if (ynode_want(L->doc, attrs, Y_MAP, "attrs", &L->t->diags) < 0 || !(v = to_json(L, attrs)))
			goto bad;
		json_object_set_new(o, "attrs", v);
	} else {
		json_object_set_new(o, "attrs", json_object());
	}
	if (tags) {
		if (ynode_want(L->doc, tags, Y_MAP, "tags", &L->t->diags) < 0 || !(v = to_json(L, tags)))
			goto bad;
		json_object_set_new(o, "tags", v);
	}
	json_t *ps = json_array();
	json_object_set_new(o, "parents", ps);
	if (parents) {
		if (ynode_want(L->doc, parents, Y_SEQ, "parents", &L->t->diags) < 0)
			goto bad;
		for (uint32_t i = 0; i < parents->n; i++) {
			json_t *p = uid_json(L, parents->items[i], "a parent", NULL);
			if (!p)
				goto bad;
			json_array_append_new(ps, p);
		}
	}
	/* load it alone to report its errors at this entity */
	json_t *one = json_array();
	json_array_append(one, o);
	char *text = json_dumps(one, JSON_COMPACT);
	json_decref(one);
	wentities es;
	entities_init(&es);
	wdiags tmp;
	diags_init(&tmp);
	int bad = entities_load_json(L->t->cx, &es, L->t->schema, L->path, text, strlen(text), &tmp);
	for (size_t i = 0; i < tmp.n; i++)
		err(L, n, "%s", tmp.items[i].msg);
	diags_release(&tmp);
	entities_release(&es);
	free(text);
	if (bad)
		goto bad;
	json_array_append_new(all, o);
	return 0;
bad:
	json_decref(o);
	return -1;
}

/* The `entities` of a test file: a file name, or a list of file names and
 * inline entities. NULL after errors. */
static const wentities *load_fixtures(loader *L, const ynode *n)
{
	json_t *all = json_array();
	int bad = 0;
	if (n->kind == Y_SCALAR) {
		bad |= add_entity_file(L, n, all);
	} else if (n->kind == Y_SEQ) {
		for (uint32_t i = 0; i < n->n; i++) {
			const ynode *it = n->items[i];
			if (it->kind == Y_SCALAR)
				bad |= add_entity_file(L, it, all);
			else
				bad |= add_inline_entity(L, it, all);
		}
	} else {
		err(L, n, "'entities' must be a file name or a list of files and inline entities");
		bad = 1;
	}
	if (bad) {
		json_decref(all);
		return NULL;
	}
	char *text = json_dumps(all, JSON_COMPACT);
	json_decref(all);
	struct wtstore *st = new_store(L->t);
	entities_init(&st->es);
	st->has_es = true;
	wdiags tmp;
	diags_init(&tmp);
	int nerr = entities_load_json(L->t->cx, &st->es, L->t->schema, L->path, text, strlen(text), &tmp);
	for (size_t i = 0; i < tmp.n; i++)
		err(L, n, "entities: %s", tmp.items[i].msg);
	diags_release(&tmp);
	free(text);
	return nerr ? NULL : &st->es;
}

static const wentities *empty_store(wtrun *t)
{
	struct wtstore *st = new_store(t);
	entities_init(&st->es);
	st->has_es = true;
	wdiags tmp;
	diags_init(&tmp);
	entities_load_json(t->cx, &st->es, t->schema, "<none>", "[]", 2, &tmp);
	diags_release(&tmp);
	return &st->es;
}

/* Does some policy scope name this action (for runs without a schema)? */
static bool action_known(const wtrun *t, const wentities *es, wuid a)
{
	if (t->schema)
		return schema_action(t->schema, a) != NULL;
	if (entities_get(es, a))
		return true;
	for (uint32_t i = 0; i < t->ps->n; i++) {
		const wscope *sc = &t->ps->items[i]->action;
		if ((sc->op == WSC_EQ || sc->op == WSC_IN) && uid_eq(sc->uid, a))
			return true;
		for (uint32_t k = 0; sc->op == WSC_IN_SET && k < sc->nlist; k++)
			if (uid_eq(sc->list[k], a))
				return true;
	}
	return false;
}

wtcase *testrun_push_case(wtrun *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cases = xrealloc(t->cases, sizeof *t->cases * t->cap);
	}
	wtcase *c = &t->cases[t->n++];
	memset(c, 0, sizeof *c);
	return c;
}

static int load_case(loader *L, const ynode *n, const wentities *ents, uint32_t index)
{
	static const char *const keys[] = {"name", "principal", "action", "resource", "context", "expect",
					   "determined_by", NULL};
	wtrun *t = L->t;
	size_t before = t->diags.nerrors;
	if (ynode_want(L->doc, n, Y_MAP, "a test case", &t->diags) < 0)
		return -1;
	ynode_check_keys(L->doc, n, keys, "a test case", &t->diags);
	uint32_t line, col;
	source_linecol(&L->doc->src, n->span.start, &line, &col);
	const ynode *name = ynode_get(n, "name");
	const char *cname;
	if (name && name->kind == Y_SCALAR)
		cname = arena_strndup(&t->arena, name->s, name->slen);
	else
		cname = arena_sprintf(&t->arena, "case %u", index + 1);
	if (name && name->kind != Y_SCALAR)
		err(L, name, "'name' must be a string");
	for (uint32_t i = 0; i < t->n; i++)
		if (t->cases[i].file && strcmp(t->cases[i].file, L->path) == 0 && strcmp(t->cases[i].name, cname) == 0)
			err(L, name ? name : n, "duplicate test case name '%s' in this file", cname);

	json_t *req = json_object();
	static const char *const parts[] = {"principal", "action", "resource"};
	wuid uids[3];
	bool have[3] = {false, false, false};
	for (int k = 0; k < 3; k++) {
		const ynode *v = ynode_get(n, parts[k]);
		if (!v) {
			err(L, n, "test case '%s' has no '%s'", cname, parts[k]);
			continue;
		}
		json_t *u;
		if (k == 1 && v->kind == Y_SCALAR && !strstr(v->s, "::")) {
			/* an action may be given by its bare id */
			wbuf b = WBUF_INIT;
			buf_adds(&b, "Action::");
			format_cedar_str(&b, v->s, v->slen);
			json_t *s = json_string(b.p);
			buf_release(&b);
			wbuf e = WBUF_INIT;
			wuid a;
			if (jsonv_to_uid(t->cx, s, true, &a, &e) == 0) {
				u = json_pack("{s:s,s:s%}", "type", "Action", "id", a.id->s, (size_t)a.id->len);
				uids[k] = a;
			} else {
				err(L, v, "'action': %s", e.p ? e.p : "not an action");
				u = NULL;
			}
			buf_release(&e);
			json_decref(s);
		} else {
			char what[32];
			snprintf(what, sizeof what, "'%s'", parts[k]);
			u = uid_json(L, v, what, &uids[k]);
		}
		if (!u)
			continue;
		json_object_set_new(req, parts[k], u);
		have[k] = true;
		wbuf b = WBUF_INIT;
		format_uid(&b, uids[k]);
		if (k == 1) {
			if (!action_known(t, ents, uids[k]))
				err(L, v, "unknown action %s%s", b.p,
				    t->schema ? ": the schema does not declare it" : ": no entity or policy names it");
		} else if (!entities_get(ents, uids[k])) {
			err(L, v, "unknown entity %s: it is not in this test's entities", b.p);
		}
		buf_release(&b);
	}
	const ynode *ctx = ynode_get(n, "context");
	json_t *cj = NULL;
	if (ctx && !ynode_is_null(ctx)) {
		if (ynode_want(L->doc, ctx, Y_MAP, "context", &t->diags) == 0)
			cj = to_json(L, ctx);
	}
	json_object_set_new(req, "context", cj ? cj : json_object());

	const ynode *ex = ynode_get(n, "expect");
	bool allow = false;
	if (!ex)
		err(L, n, "test case '%s' has no 'expect' (allow or deny)", cname);
	else if (ex->kind == Y_SCALAR && strcmp(ex->s, "allow") == 0)
		allow = true;
	else if (!(ex->kind == Y_SCALAR && strcmp(ex->s, "deny") == 0))
		err(L, ex, "'expect' must be allow or deny");

	const ynode *db = ynode_get(n, "determined_by");
	const char **ids = NULL;
	uint32_t nids = 0;
	if (db) {
		if (db->kind == Y_MAP) {
			err(L, db, "'determined_by' must be a policy id or a list of policy ids");
		} else {
			uint32_t cnt = db->kind == Y_SEQ ? db->n : 1;
			ids = ARENA_ARRAY(&t->arena, const char *, cnt ? cnt : 1);
			for (uint32_t i = 0; i < cnt; i++) {
				const ynode *it = db->kind == Y_SEQ ? db->items[i] : db;
				if (it->kind != Y_SCALAR) {
					err(L, it, "a policy id must be a string");
					continue;
				}
				if (!policyset_find(t->ps, it->s)) {
					err(L, it, "unknown policy id '%s'", it->s);
					continue;
				}
				ids[nids++] = arena_strndup(&t->arena, it->s, it->slen);
			}
		}
	}

	if (t->diags.nerrors == before && have[0] && have[1] && have[2]) {
		wbuf e = WBUF_INIT;
		wrequest r;
		if (request_from_json(t->cx, &t->arena, req, t->schema, &r, &e) < 0) {
			err(L, n, "test case '%s': %s", cname, e.p ? e.p : "bad request");
		} else {
			wtcase *c = testrun_push_case(t);
			c->name = cname;
			c->file = L->path;
			c->line = line;
			c->req = r;
			c->ents = ents;
			c->expect_allow = allow;
			c->expect_reasons = ids;
			c->nexpect = nids;
			c->has_reasons = db != NULL;
		}
		buf_release(&e);
	}
	json_decref(req);
	return t->diags.nerrors == before ? 0 : -1;
}

int testrun_load(wtrun *t, const char *path, const char *text, size_t len)
{
	static const char *const keys[] = {"description", "entities", "cases", NULL};
	size_t before = t->diags.nerrors;
	uint32_t ncases_before = t->n;
	struct wtstore *st = new_store(t);
	st->has_doc = true;
	const char *p = arena_strndup(&t->arena, path, strlen(path));
	if (ydoc_parse(&st->doc, p, text, len, &t->diags) < 0)
		return (int)(t->diags.nerrors - before);
	const char *slash = strrchr(p, '/');
	loader L = {t, &st->doc, p, slash ? arena_strndup(&t->arena, p, (size_t)(slash - p)) : ""};
	const ynode *root = st->doc.root;
	if (!root) {
		diag_add(&t->diags, WSEV_ERROR, &st->doc.src, (wspan){0, 0}, "empty test file: add 'cases'");
		return 1;
	}
	if (ynode_want(&st->doc, root, Y_MAP, "a test file", &t->diags) < 0)
		return (int)(t->diags.nerrors - before);
	ynode_check_keys(&st->doc, root, keys, "a test file", &t->diags);
	const ynode *en = ynode_get(root, "entities");
	const wentities *ents = en ? load_fixtures(&L, en) : t->default_ents ? t->default_ents : empty_store(t);
	const ynode *cases = ynode_get(root, "cases");
	if (!cases) {
		err(&L, root, "no 'cases' in the test file");
	} else if (ynode_want(&st->doc, cases, Y_SEQ, "cases", &t->diags) == 0) {
		if (!cases->n)
			err(&L, cases, "'cases' is empty: a test file needs at least one case");
		if (ents)
			for (uint32_t i = 0; i < cases->n; i++)
				load_case(&L, cases->items[i], ents, i);
	}
	size_t nerr = t->diags.nerrors - before;
	if (nerr)
		t->n = ncases_before; /* a file with errors contributes no case */
	return (int)nerr;
}

/* ---- running ------------------------------------------------------------------ */

static bool same_ids(const char *const *a, uint32_t na, const char *const *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		bool found = false;
		for (uint32_t k = 0; k < nb && !found; k++)
			found = strcmp(a[i], b[k]) == 0;
		if (!found)
			return false;
	}
	return true;
}

void testrun_run(wtrun *t, bool generated_only)
{
	for (uint32_t i = 0; i < t->n; i++) {
		wtcase *c = &t->cases[i];
		if (generated_only && !c->generated)
			continue;
		wxdecision d;
		explain_decision_init(&d);
		explain_decision(t->cx, t->ps, &t->x, c->ents, &c->req, &d);
		c->ran = true;
		c->actual_allow = d.allow;
		c->nactual = d.ndetermining;
		c->actual_reasons = ARENA_ARRAY(&t->arena, const char *, d.ndetermining ? d.ndetermining : 1);
		for (uint32_t k = 0; k < d.ndetermining; k++)
			c->actual_reasons[k] = d.determining[k]->id;
		c->verdict = arena_strndup(&t->arena, d.verdict, strlen(d.verdict));
		if (c->nnot_by) {
			/* a near miss: the requirement's own policies must not apply */
			c->passed = true;
			for (uint32_t p = 0; p < d.n; p++)
				for (uint32_t k = 0; k < c->nnot_by; k++)
					if (d.paths[p].status == WXS_APPLIES &&
					    strcmp(d.paths[p].policy->id, c->not_by[k]) == 0)
						c->passed = false;
		} else {
			c->passed = c->actual_allow == c->expect_allow &&
				    (!c->has_reasons ||
				     same_ids(c->expect_reasons, c->nexpect, c->actual_reasons, c->nactual));
		}
		if (!c->passed) {
			wbuf b = WBUF_INIT;
			explain_decision_text(&d, true, &b);
			c->explanation = arena_strndup(&t->arena, b.p ? b.p : "", b.n);
			buf_release(&b);
		}
		if (c->generated)
			c->passed ? t->gen_passed++ : t->gen_failed++;
		else
			c->passed ? t->passed++ : t->failed++;
		/* coverage */
		for (uint32_t p = 0; p < d.n; p++) {
			const wxpath *pt = &d.paths[p];
			for (uint32_t k = 0; k < d.ndetermining; k++)
				if (d.determining[k] == pt->policy)
					t->determined[p]++;
			for (uint32_t u = 0; u < pt->xp->nunits; u++) {
				if (pt->outcomes[u] == WXO_TRUE)
					t->seen[p][u] |= 1;
				else if (pt->outcomes[u] == WXO_FALSE)
					t->seen[p][u] |= 2;
			}
		}
		explain_decision_release(&d);
	}
}

static bool counts(const wxpolicy *xp)
{
	return !(xp->policy->is_template && !xp->policy->template_of);
}

void testrun_coverage(const wtrun *t, wtcoverage *out)
{
	memset(out, 0, sizeof *out);
	for (uint32_t i = 0; i < t->x.n; i++) {
		const wxpolicy *xp = &t->x.items[i];
		if (!counts(xp))
			continue;
		out->npolicies++;
		out->ndetermined += t->determined[i] > 0;
		out->nunits += xp->nunits;
		for (uint32_t u = 0; u < xp->nunits; u++)
			out->nboth += t->seen[i][u] == 3;
	}
	uint32_t all = out->npolicies + out->nunits;
	out->percent = all ? 100.0 * (double)(out->ndetermined + out->nboth) / (double)all : 100.0;
}

/* ---- reports ------------------------------------------------------------------ */

static void add_ids(wbuf *b, const char *const *ids, uint32_t n)
{
	if (!n) {
		buf_adds(b, "no policy");
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", ids[i]);
}

static void add_expectation(wbuf *b, bool allow, const char *const *ids, uint32_t n, bool with_ids)
{
	buf_adds(b, allow ? "allow" : "deny");
	if (with_ids) {
		buf_adds(b, " (determined by ");
		add_ids(b, ids, n);
		buf_adds(b, ")");
	}
}

static void indent(wbuf *b, const char *text, const char *pfx)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		buf_adds(b, pfx);
		buf_add(b, p, n);
		buf_addc(b, '\n');
		p += n + (nl ? 1 : 0);
	}
}

static void case_text(const wtcase *c, wbuf *out)
{
	if (c->passed) {
		buf_printf(out, "  ok    %s\n", c->name);
		return;
	}
	buf_printf(out, "  FAIL  %s", c->name);
	if (c->line)
		buf_printf(out, " (%s:%u)", c->file, c->line);
	buf_adds(out, "\n        expected: ");
	if (c->nnot_by) {
		buf_adds(out, "not allowed by ");
		add_ids(out, c->not_by, c->nnot_by);
	} else {
		add_expectation(out, c->expect_allow, c->expect_reasons, c->nexpect, c->has_reasons);
	}
	buf_adds(out, "\n        actual:   ");
	add_expectation(out, c->actual_allow, c->actual_reasons, c->nactual, true);
	buf_addc(out, '\n');
	if (c->explanation)
		indent(out, c->explanation, "        | ");
}

static void coverage_text(const wtrun *t, wbuf *out)
{
	wtcoverage cv;
	testrun_coverage(t, &cv);
	buf_printf(out, "coverage: %.1f%% (policies that determined a decision: %u/%u; conditions seen true and "
			"false: %u/%u)\n",
		   cv.percent, cv.ndetermined, cv.npolicies, cv.nboth, cv.nunits);
	for (uint32_t i = 0; i < t->x.n; i++) {
		const wxpolicy *xp = &t->x.items[i];
		if (!counts(xp))
			continue;
		if (!t->determined[i])
			buf_printf(out, "  %s %s never determined a decision\n", xp->permit ? "permit" : "forbid", xp->id);
		for (uint32_t u = 0; u < xp->nunits; u++) {
			uint8_t s = t->seen[i][u];
			if (s == 3)
				continue;
			buf_printf(out, "  %s: condition `%s` %s\n", xp->id, xp->units[u].text,
				   s == 1 ? "never seen false" : s == 2 ? "never seen true" : "never evaluated");
		}
	}
}

void testrun_report_text(const wtrun *t, bool coverage, wbuf *out)
{
	const char *file = NULL;
	const char *group = NULL;
	/* hand-written cases by file, then generated ones by requirement */
	for (uint32_t i = 0; i < t->n; i++) {
		const wtcase *c = &t->cases[i];
		if (!c->ran || c->generated)
			continue;
		if (!file || strcmp(file, c->file) != 0) {
			file = c->file;
			buf_printf(out, "%s\n", file);
		}
		case_text(c, out);
	}
	for (uint32_t i = 0; i < t->n; i++) {
		const wtcase *c = &t->cases[i];
		if (!c->ran || !c->generated)
			continue;
		if (!group || strcmp(group, c->file) != 0) {
			group = c->file;
			buf_printf(out, "generated from %s\n", group);
		}
		case_text(c, out);
	}
	if (t->notes.n)
		buf_add(out, t->notes.p, t->notes.n);
	buf_printf(out, "hand-written: %u passed, %u failed; generated: %u passed, %u failed\n", t->passed, t->failed,
		   t->gen_passed, t->gen_failed);
	if (coverage)
		coverage_text(t, out);
}

static void json_str(wbuf *b, const char *s)
{
	buf_add_json_str(b, s, strlen(s));
}

static void json_ids(wbuf *b, const char *const *ids, uint32_t n)
{
	buf_addc(b, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		json_str(b, ids[i]);
	}
	buf_addc(b, ']');
}

void testrun_report_json(const wtrun *t, bool coverage, wbuf *out)
{
	buf_adds(out, "{\"cases\":[");
	bool first = true;
	for (uint32_t i = 0; i < t->n; i++) {
		const wtcase *c = &t->cases[i];
		if (!c->ran)
			continue;
		if (!first)
			buf_addc(out, ',');
		first = false;
		buf_adds(out, "{\"name\":");
		json_str(out, c->name);
		buf_adds(out, ",\"file\":");
		json_str(out, c->file);
		buf_printf(out, ",\"line\":%u,\"generated\":%s", c->line, c->generated ? "true" : "false");
		if (c->group) {
			buf_adds(out, ",\"group\":");
			json_str(out, c->group);
		}
		buf_printf(out, ",\"passed\":%s,\"expected\":{\"decision\":\"%s\"", c->passed ? "true" : "false",
			   c->expect_allow ? "allow" : "deny");
		if (c->has_reasons) {
			buf_adds(out, ",\"determined_by\":");
			json_ids(out, c->expect_reasons, c->nexpect);
		}
		buf_printf(out, "},\"actual\":{\"decision\":\"%s\",\"determined_by\":", c->actual_allow ? "allow" : "deny");
		json_ids(out, c->actual_reasons, c->nactual);
		buf_adds(out, ",\"verdict\":");
		json_str(out, c->verdict);
		buf_adds(out, "}");
		if (c->explanation) {
			buf_adds(out, ",\"explanation\":");
			json_str(out, c->explanation);
		}
		buf_addc(out, '}');
	}
	buf_printf(out,
		   "],\"summary\":{\"passed\":%u,\"failed\":%u,\"generated_passed\":%u,\"generated_failed\":%u,"
		   "\"generated_skipped\":%u}",
		   t->passed, t->failed, t->gen_passed, t->gen_failed, t->gen_skipped);
	if (coverage) {
		wtcoverage cv;
		testrun_coverage(t, &cv);
		buf_printf(out,
			   ",\"coverage\":{\"percent\":%.1f,\"policies\":%u,\"determined\":%u,\"conditions\":%u,"
			   "\"conditions_both\":%u,\"by_policy\":[",
			   cv.percent, cv.npolicies, cv.ndetermined, cv.nunits, cv.nboth);
		bool f2 = true;
		for (uint32_t i = 0; i < t->x.n; i++) {
			const wxpolicy *xp = &t->x.items[i];
			if (!counts(xp))
				continue;
			if (!f2)
				buf_addc(out, ',');
			f2 = false;
			buf_adds(out, "{\"id\":");
			json_str(out, xp->id);
			buf_printf(out, ",\"determined\":%u,\"conditions\":[", t->determined[i]);
			for (uint32_t u = 0; u < xp->nunits; u++) {
				buf_adds(out, u ? ",{\"cedar\":" : "{\"cedar\":");
				json_str(out, xp->units[u].text);
				buf_printf(out, ",\"seen_true\":%s,\"seen_false\":%s}",
					   t->seen[i][u] & 1 ? "true" : "false", t->seen[i][u] & 2 ? "true" : "false");
			}
			buf_adds(out, "]}");
		}
		buf_adds(out, "]}");
	}
	buf_addc(out, '}');
}

static void xml_text(wbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '&': buf_adds(b, "&amp;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\'': buf_adds(b, "&apos;"); break;
		default:
			/* XML 1.0 forbids most control characters */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' && *s != '\r')
				buf_addc(b, ' ');
			else
				buf_addc(b, *s);
		}
	}
}

void testrun_report_junit(const wtrun *t, wbuf *out)
{
	uint32_t total = 0, fails = 0;
	for (uint32_t i = 0; i < t->n; i++)
		if (t->cases[i].ran) {
			total++;
			fails += !t->cases[i].passed;
		}
	buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ward test\" tests=\"%u\" "
			"failures=\"%u\">\n", total, fails);
	/* one suite per file (hand-written) or requirement file (generated) */
	for (uint32_t i = 0; i < t->n; i++) {
		const wtcase *c = &t->cases[i];
		if (!c->ran)
			continue;
		bool seen_before = false;
		for (uint32_t k = 0; k < i && !seen_before; k++)
			seen_before = t->cases[k].ran && t->cases[k].generated == c->generated &&
				      strcmp(t->cases[k].file, c->file) == 0;
		if (seen_before)
			continue;
		uint32_t n = 0, nf = 0;
		for (uint32_t k = i; k < t->n; k++)
			if (t->cases[k].ran && t->cases[k].generated == c->generated &&
			    strcmp(t->cases[k].file, c->file) == 0) {
				n++;
				nf += !t->cases[k].passed;
			}
		buf_adds(out, "  <testsuite name=\"");
		if (c->generated)
			buf_adds(out, "generated: ");
		xml_text(out, c->file);
		buf_printf(out, "\" tests=\"%u\" failures=\"%u\">\n", n, nf);
		for (uint32_t k = i; k < t->n; k++) {
			const wtcase *x = &t->cases[k];
			if (!x->ran || x->generated != c->generated || strcmp(x->file, c->file) != 0)
				continue;
			buf_adds(out, "    <testcase classname=\"");
			xml_text(out, x->file);
			buf_adds(out, "\" name=\"");
			xml_text(out, x->name);
			buf_adds(out, "\"");
			if (x->passed) {
				buf_adds(out, "/>\n");
				continue;
			}
			wbuf m = WBUF_INIT;
			buf_adds(&m, "expected ");
			add_expectation(&m, x->expect_allow, x->expect_reasons, x->nexpect, x->has_reasons);
			buf_adds(&m, ", got ");
			add_expectation(&m, x->actual_allow, x->actual_reasons, x->nactual, true);
			buf_adds(out, ">\n      <failure message=\"");
			xml_text(out, m.p);
			buf_adds(out, "\">");
			xml_text(out, x->explanation ? x->explanation : "");
			buf_adds(out, "</failure>\n    </testcase>\n");
			buf_release(&m);
		}
		buf_adds(out, "  </testsuite>\n");
	}
	buf_adds(out, "</testsuites>\n");
}

/* ---- files ---------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_suffix(const char *s, const char *const *suffixes)
{
	size_t n = strlen(s);
	for (const char *const *x = suffixes; *x; x++) {
		size_t k = strlen(*x);
		if (n >= k && strcmp(s + n - k, *x) == 0)
			return true;
	}
	return false;
}

static void push_path(char ***list, size_t *n, char *p)
{
	*list = xrealloc(*list, sizeof **list * (*n + 1));
	(*list)[(*n)++] = p;
}

static void collect_dir(const char *dir, const char *const *suffixes, char ***list, size_t *n, unsigned depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 32) {
		if (d)
			closedir(d);
		return;
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		push_path(&names, &nn, gio_join(dir, de->d_name));
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof *names, cmp_str);
	for (size_t i = 0; i < nn; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			collect_dir(names[i], suffixes, list, n, depth + 1);
			free(names[i]);
		} else if (has_suffix(names[i], suffixes)) {
			push_path(list, n, names[i]);
		} else {
			free(names[i]);
		}
	}
	free(names);
}

int testrun_collect(const char *path, const char *const *suffixes, char ***list, size_t *n)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		collect_dir(path, suffixes, list, n, 0);
	else
		push_path(list, n, xstrdup(path));
	return 0;
}

int testrun_load_policies(wctx *cx, wpolicyset *ps, const char *path, wdiags *d)
{
	static const char *const sfx[] = {".cedar", NULL};
	char **files = NULL;
	size_t n = 0;
	if (testrun_collect(path, sfx, &files, &n) < 0) {
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "cannot read policies '%s': no such file or directory", path);
		return -1;
	}
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = gio_read(files[i], 0, &len, d);
		if (!text) {
			bad = 1;
		} else {
			bad |= parse_policies(cx, ps, files[i], text, len, d) > 0;
			free(text);
		}
		free(files[i]);
	}
	free(files);
	if (!bad)
		bad |= policyset_use_annotation_ids(ps, d) > 0;
	return bad ? -1 : 0;
}
