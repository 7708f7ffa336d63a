/* repo: ward.yaml and the repository layout (see repo.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "govern/repo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cedar/parser.h"
#include "govern/gio.h"
#include "util/xalloc.h"

static const char *const type_names[GT__COUNT] = {
	"actions", "environment", "entity-type", "string", "long", "bool",
	"ip-ranges", "datetime", "time-of-day", "time-window",
};

const char *gtype_name(gtype t)
{
	return (unsigned)t < GT__COUNT ? type_names[t] : "?";
}

int gtype_parse(const char *s, size_t n)
{
	for (int i = 0; i < GT__COUNT; i++)
		if (strlen(type_names[i]) == n && memcmp(type_names[i], s, n) == 0)
			return i;
	return -1;
}

static void repo_init(repo *r)
{
	memset(r, 0, sizeof *r);
	ctx_init(&r->cx);
	schema_init(&r->schema);
	entities_init(&r->ents);
	r->entropy_threshold = 4.0;
	r->model.timeout_seconds = 60;
	r->model.retries = 2;
	r->model.max_reply_bytes = 256 * 1024;
	r->model.structured_output = true;
}

char *repo_find(const char *start)
{
	/* walk up with "..", reporting the path in the user's own terms */
	char *dir = xstrdup(start && *start ? start : ".");
	char *last = NULL;
	for (int depth = 0; depth < 128; depth++) {
		char *p = gio_join(dir, "ward.yaml");
		bool ok = gio_exists(p);
		free(p);
		if (ok) {
			free(last);
			return dir;
		}
		char *real = realpath(dir, NULL);
		bool top = !real || strcmp(real, "/") == 0 || (last && strcmp(real, last) == 0);
		free(last);
		last = real;
		if (top)
			break;
		/* the lexical parent when the last component is a plain name,
		 * else "dir/.." */
		char *slash = strrchr(dir, '/');
		const char *lastc = slash ? slash + 1 : dir;
		char *up;
		if (strcmp(lastc, ".") == 0 || strcmp(lastc, "..") == 0 || !*lastc)
			up = gio_join(dir, "..");
		else if (!slash)
			up = xstrdup(".");
		else if (slash == dir)
			up = xstrdup("/");
		else
			up = xstrndup(dir, (size_t)(slash - dir));
		free(dir);
		dir = up;
	}
	free(last);
	free(dir);
	return NULL;
}

static const char *const top_keys[] = {
	"version", "environments", "constraints", "high_risk_resources", "model", "secrets",
	/* sections of other commands */
	"reviewers", "roles", "approvals", "lint", "ledger", "server", "risk", "gate", NULL,
};

static int parse_envs(repo *r, const ynode *n, wdiags *d)
{
	const ydoc *doc = &r->cfg;
	if (ynode_want(doc, n, Y_MAP, "environments", d) < 0)
		return -1;
	if (n->n == 0) {
		diag_add(d, WSEV_ERROR, &doc->src, n->span, "'environments' must name at least one environment");
		return -1;
	}
	r->envs = xcalloc(n->n, sizeof *r->envs);
	int bad = 0;
	for (uint32_t i = 0; i < n->n; i++) {
		repo_env *e = &r->envs[r->nenvs++];
		e->name = n->keys[i]->s;
		const ynode *v = n->items[i];
		if (ynode_is_null(v))
			continue;
		if (ynode_want(doc, v, Y_MAP, "environment", d) < 0) {
			bad++;
			continue;
		}
		static const char *const ek[] = {"high_risk", "description", NULL};
		bad += ynode_check_keys(doc, v, ek, "an environment", d);
		const ynode *hr = ynode_get(v, "high_risk");
		if (hr && ynode_bool(doc, hr, "high_risk", &e->high_risk, d) < 0)
			bad++;
	}
	return bad ? -1 : 0;
}

static int parse_constraints(repo *r, const ynode *n, wdiags *d)
{
	const ydoc *doc = &r->cfg;
	if (ynode_want(doc, n, Y_MAP, "constraints", d) < 0)
		return -1;
	r->cons = xcalloc(n->n ? n->n : 1, sizeof *r->cons);
	int bad = 0;
	for (uint32_t i = 0; i < n->n; i++) {
		const ynode *v = n->items[i];
		const char *name = n->keys[i]->s;
		for (const char *c = name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) {
				diag_add(d, WSEV_ERROR, &doc->src, n->keys[i]->span,
					 "constraint kind '%s' must use lowercase letters, digits and '_'", name);
				bad++;
				break;
			}
		if (ynode_want(doc, v, Y_MAP, "constraint kind", d) < 0) {
			bad++;
			continue;
		}
		static const char *const ck[] = {"type", "description", NULL};
		bad += ynode_check_keys(doc, v, ck, "a constraint kind", d);
		const ynode *t = ynode_get(v, "type");
		if (!t) {
			diag_add(d, WSEV_ERROR, &doc->src, v->span, "constraint kind '%s' needs a 'type'", name);
			bad++;
			continue;
		}
		if (ynode_want(doc, t, Y_SCALAR, "type", d) < 0) {
			bad++;
			continue;
		}
		int ty = gtype_parse(t->s, t->slen);
		if (ty < 0 || ty == GT_ACTIONS || ty == GT_ENVIRONMENT || ty == GT_ENTITY_TYPE || ty == GT_TIME_OF_DAY) {
			diag_add(d, WSEV_ERROR, &doc->src, t->span,
				 "unknown constraint type '%s'; expected one of: ip-ranges, time-window, datetime, "
				 "string, long, bool", t->s);
			bad++;
			continue;
		}
		repo_constraint *c = &r->cons[r->ncons++];
		c->name = name;
		c->type = (gtype)ty;
		const ynode *desc = ynode_get(v, "description");
		if (desc && ynode_want(doc, desc, Y_SCALAR, "description", d) == 0)
			c->description = desc->s;
	}
	return bad ? -1 : 0;
}

static int parse_strlist(const ydoc *doc, const ynode *n, const char *what, const char ***out, size_t *nout,
			 wdiags *d)
{
	if (ynode_want(doc, n, Y_SEQ, what, d) < 0)
		return -1;
	*out = xcalloc(n->n ? n->n : 1, sizeof **out);
	int bad = 0;
	for (uint32_t i = 0; i < n->n; i++) {
		if (ynode_want(doc, n->items[i], Y_SCALAR, what, d) < 0) {
			bad++;
			continue;
		}
		(*out)[(*nout)++] = n->items[i]->s;
	}
	return bad ? -1 : 0;
}

static int parse_model(repo *r, const ynode *n, wdiags *d)
{
	const ydoc *doc = &r->cfg;
	if (ynode_want(doc, n, Y_MAP, "model", d) < 0)
		return -1;
	static const char *const mk[] = {"endpoint", "name", "timeout_seconds", "retries", "max_reply_bytes",
					  "structured_output", NULL};
	int bad = ynode_check_keys(doc, n, mk, "'model'", d);
	const ynode *v;
	if ((v = ynode_get(n, "api_key")) != NULL)
		bad++; /* already reported as unknown; the key comes from the environment only */
	if ((v = ynode_get(n, "endpoint")) != NULL) {
		if (ynode_want(doc, v, Y_SCALAR, "endpoint", d) < 0)
			bad++;
		else if (strncmp(v->s, "http://", 7) != 0 && strncmp(v->s, "https://", 8) != 0) {
			diag_add(d, WSEV_ERROR, &doc->src, v->span, "model endpoint must be an http:// or https:// URL");
			bad++;
		} else
			r->model.endpoint = v->s;
	}
	if ((v = ynode_get(n, "name")) != NULL) {
		if (ynode_want(doc, v, Y_SCALAR, "name", d) < 0)
			bad++;
		else
			r->model.name = v->s;
	}
	if ((v = ynode_get(n, "timeout_seconds")) != NULL &&
	    ynode_long(doc, v, "timeout_seconds", 1, 3600, &r->model.timeout_seconds, d) < 0)
		bad++;
	if ((v = ynode_get(n, "retries")) != NULL && ynode_long(doc, v, "retries", 0, 10, &r->model.retries, d) < 0)
		bad++;
	if ((v = ynode_get(n, "max_reply_bytes")) != NULL &&
	    ynode_long(doc, v, "max_reply_bytes", 1024, 16 << 20, &r->model.max_reply_bytes, d) < 0)
		bad++;
	if ((v = ynode_get(n, "structured_output")) != NULL &&
	    ynode_bool(doc, v, "structured_output", &r->model.structured_output, d) < 0)
		bad++;
	return bad ? -1 : 0;
}

static int parse_secrets(repo *r, const ynode *n, wdiags *d)
{
	const ydoc *doc = &r->cfg;
	if (ynode_want(doc, n, Y_MAP, "secrets", d) < 0)
		return -1;
	static const char *const sk[] = {"allowlist", "entropy_threshold", NULL};
	int bad = ynode_check_keys(doc, n, sk, "'secrets'", d);
	const ynode *v;
	if ((v = ynode_get(n, "allowlist")) != NULL && parse_strlist(doc, v, "allowlist", &r->allowlist, &r->nallow, d) < 0)
		bad++;
	if ((v = ynode_get(n, "entropy_threshold")) != NULL) {
		char *end;
		double t = v->kind == Y_SCALAR ? strtod(v->s, &end) : 0;
		if (v->kind != Y_SCALAR || *end || t < 2.0 || t > 6.0) {
			diag_add(d, WSEV_ERROR, &doc->src, v->span, "'entropy_threshold' must be a number from 2 to 6");
			bad++;
		} else {
			r->entropy_threshold = t;
		}
	}
	return bad ? -1 : 0;
}

static int parse_config(repo *r, wdiags *d)
{
	const ydoc *doc = &r->cfg;
	const ynode *root = doc->root;
	if (!root || root->kind != Y_MAP) {
		diag_add(d, WSEV_ERROR, &doc->src, root ? root->span : (wspan){0, 0}, "ward.yaml must be a mapping");
		return -1;
	}
	int bad = ynode_check_keys(doc, root, top_keys, "ward.yaml", d);
	const ynode *v = ynode_get(root, "version");
	long ver = 0;
	if (!v) {
		diag_add(d, WSEV_ERROR, &doc->src, root->span, "ward.yaml needs 'version: 1'");
		bad++;
	} else if (ynode_long(doc, v, "version", 1, 1, &ver, d) < 0) {
		bad++;
	}
	v = ynode_get(root, "environments");
	if (!v) {
		diag_add(d, WSEV_ERROR, &doc->src, root->span, "ward.yaml needs 'environments'");
		bad++;
	} else if (parse_envs(r, v, d) < 0) {
		bad++;
	}
	if ((v = ynode_get(root, "constraints")) != NULL && parse_constraints(r, v, d) < 0)
		bad++;
	if ((v = ynode_get(root, "high_risk_resources")) != NULL &&
	    parse_strlist(doc, v, "high_risk_resources", &r->high_risk, &r->nhigh_risk, d) < 0)
		bad++;
	if ((v = ynode_get(root, "model")) != NULL && parse_model(r, v, d) < 0)
		bad++;
	if ((v = ynode_get(root, "secrets")) != NULL && parse_secrets(r, v, d) < 0)
		bad++;
	return bad ? -1 : 0;
}

int repo_parse_config(repo *r, const char *name, const char *text, size_t len, wdiags *d)
{
	repo_init(r);
	r->root = xstrdup(".");
	if (ydoc_parse(&r->cfg, name, text, len, d) < 0) {
		r->has_cfg = true;
		return -1;
	}
	r->has_cfg = true;
	return parse_config(r, d);
}

/* high_risk_resources name schema entity types or entities of them. */
static int check_high_risk(repo *r, wdiags *d)
{
	const ynode *list = ynode_get(r->cfg.root, "high_risk_resources");
	int bad = 0;
	for (size_t i = 0; i < r->nhigh_risk && list && i < list->n; i++) {
		const char *s = r->high_risk[i];
		const char *q = strstr(s, "::\"");
		const wsym *t = parse_name(&r->cx, s, q ? (size_t)(q - s) : strlen(s));
		if (!t || !schema_entity_type(&r->schema, t)) {
			diag_add(d, WSEV_ERROR, &r->cfg.src, list->items[i]->span,
				 "high-risk resource '%s' does not name an entity type of the schema (write a type, or "
				 "Type::\"id\")", s);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

int repo_open(repo *r, const char *root, unsigned flags, wdiags *d)
{
	repo_init(r);
	r->root = xstrdup(root);
	char *path = gio_join(root, "ward.yaml");
	size_t len;
	char *text = gio_read(path, 1 << 20, &len, d);
	if (!text) {
		free(path);
		return -1;
	}
	int rc = ydoc_parse(&r->cfg, path, text, len, d);
	r->has_cfg = true;
	free(text);
	free(path);
	if (rc < 0 || parse_config(r, d) < 0)
		return -1;
	if (flags & REPO_NO_SCHEMA)
		return 0;
	path = gio_join(root, "schema.cedarschema");
	text = gio_read(path, 0, &len, d);
	if (!text) {
		free(path);
		return -1;
	}
	rc = schema_parse(&r->cx, &r->schema, path, text, len, d);
	r->has_schema = true;
	free(text);
	free(path);
	if (rc)
		return -1;
	if (check_high_risk(r, d) < 0)
		return -1;
	if (flags & REPO_NO_ENTITIES)
		return 0;
	char *edir = gio_join(root, "entities");
	size_t nf;
	char **files = gio_list(edir, ".json", &nf);
	free(edir);
	if (nf > 1) {
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0},
			 "entities/ holds %zu JSON files; ward reads one entity snapshot (merge them into one file)", nf);
		gio_list_free(files, nf);
		return -1;
	}
	if (nf == 1) {
		text = gio_read(files[0], 0, &len, d);
		if (!text) {
			gio_list_free(files, nf);
			return -1;
		}
		rc = entities_load_json(&r->cx, &r->ents, &r->schema, files[0], text, len, d);
		r->has_ents = true;
		free(text);
		gio_list_free(files, nf);
		if (rc)
			return -1;
	}
	return 0;
}

void repo_close(repo *r)
{
	if (r->has_cfg)
		ydoc_release(&r->cfg);
	free(r->envs);
	free(r->cons);
	free(r->high_risk);
	free(r->allowlist);
	free(r->root);
	entities_release(&r->ents);
	schema_release(&r->schema);
	ctx_release(&r->cx);
	memset(r, 0, sizeof *r);
}

const repo_env *repo_find_env(const repo *r, const char *name)
{
	for (size_t i = 0; i < r->nenvs; i++)
		if (strcmp(r->envs[i].name, name) == 0)
			return &r->envs[i];
	return NULL;
}

const repo_constraint *repo_find_constraint(const repo *r, const char *name)
{
	for (size_t i = 0; i < r->ncons; i++)
		if (strcmp(r->cons[i].name, name) == 0)
			return &r->cons[i];
	return NULL;
}

char *repo_path(const repo *r, const char *rel)
{
	return gio_join(r->root, rel);
}
