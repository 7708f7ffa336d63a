/* revision: policy sets from files, directories and git revisions (see
 * revision.h). Git trees are read with libgit2: resolve the revision, peel
 * it to a tree, descend to the policy repository's place in it, walk the
 * tree for `*.cedar` blobs and parse their contents; the working tree and
 * the index are never touched.
 */
#define _XOPEN_SOURCE 700
#include "analysis/revision.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "govern/gio.h"
#include "govern/repo.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define REV_MAX_FILE (256u << 20)

static const wspan nospan = {0, 0};

char *rev_read_file(const char *path, size_t *len, wdiags *d)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	wbuf b = WBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.n > REV_MAX_FILE) {
			fclose(f);
			buf_release(&b);
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': larger than %u MiB", path,
				 REV_MAX_FILE >> 20);
			return NULL;
		}
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_release(&b);
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': read error", path);
		return NULL;
	}
	if (!b.p) {
		*len = 0;
		return xstrdup("");
	}
	*len = b.n;
	return buf_detach(&b);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- directories ------------------------------------------------------------ */

typedef struct strvec {
	char **v;
	size_t n, cap;
} strvec;

static void strvec_push(strvec *s, char *x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, sizeof *s->v * s->cap);
	}
	s->v[s->n++] = x;
}

static void strvec_free(strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every `*.cedar` file below `dir` (hidden entries skipped), sorted. */
static int walk_dir(const char *dir, strvec *out, wdiags *d, unsigned depth)
{
	if (depth > 64) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': directories nested too deeply", dir);
		return -1;
	}
	DIR *dp = opendir(dir);
	if (!dp) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read directory '%s': %s", dir, strerror(errno));
		return -1;
	}
	strvec names = {0};
	struct dirent *de;
	while ((de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			strvec_push(&names, xstrdup(de->d_name));
	closedir(dp);
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		wbuf p = WBUF_INIT;
		if (strcmp(dir, ".") == 0)
			buf_adds(&p, names.v[i]);
		else
			buf_printf(&p, "%s/%s", dir, names.v[i]);
		if (is_dir(p.p)) {
			rc = walk_dir(p.p, out, d, depth + 1);
			buf_release(&p);
		} else if (ends_with(names.v[i], ".cedar")) {
			strvec_push(out, buf_detach(&p));
		} else {
			buf_release(&p);
		}
	}
	strvec_free(&names);
	return rc;
}

static int parse_text(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, bool any,
		      wdiags *d)
{
	return any ? policyset_parse_any(cx, ps, name, text, len, d) : parse_policies(cx, ps, name, text, len, d);
}

static int load_paths(wctx *cx, wpolicyset *ps, strvec *files, wdiags *d)
{
	int errs = 0;
	for (size_t i = 0; i < files->n; i++) {
		size_t len;
		char *text = rev_read_file(files->v[i], &len, d);
		if (!text) {
			errs++;
			continue;
		}
		errs += parse_text(cx, ps, files->v[i], text, len, false, d);
		free(text);
	}
	return errs;
}

/* ---- git ------------------------------------------------------------------------- */

static void git_fail(wdiags *d, const char *what, const char *name)
{
	const git_error *e = git_error_last();
	diag_add(d, WSEV_ERROR, NULL, nospan, "%s '%s'%s%s", what, name, e && e->message ? ": " : "",
		 e && e->message ? e->message : "");
}

typedef struct gitwalk {
	strvec paths;
	git_oid *oids;
	size_t n, cap;
} gitwalk;

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	gitwalk *w = payload;
	const char *name = git_tree_entry_name(entry);
	if (name[0] == '.')
		return git_tree_entry_type(entry) == GIT_OBJECT_TREE ? 1 : 0; /* skip hidden */
	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || !ends_with(name, ".cedar"))
		return 0;
	wbuf p = WBUF_INIT;
	buf_printf(&p, "%s%s", root, name);
	strvec_push(&w->paths, buf_detach(&p));
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->oids = xrealloc(w->oids, sizeof *w->oids * w->cap);
	}
	git_oid_cpy(&w->oids[w->n++], git_tree_entry_id(entry));
	return 0;
}

/* The subtree at `path` ("" = tree itself), or NULL when absent. */
static git_tree *subtree(git_repository *grepo, git_tree *tree, const char *path)
{
	git_tree *out = NULL;
	if (!*path) {
		git_object *o = NULL;
		if (git_object_dup(&o, (git_object *)tree) < 0)
			return NULL;
		return (git_tree *)o;
	}
	git_tree_entry *e = NULL;
	if (git_tree_entry_bypath(&e, tree, path) < 0)
		return NULL;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		git_tree_lookup(&out, grepo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return out;
}

/* Where `root` lies in the working tree: "" or "sub/dir". Heap. */
static char *repo_prefix(git_repository *grepo, const char *root)
{
	const char *wd = git_repository_workdir(grepo);
	if (!wd)
		return xstrdup("");
	char *rr = realpath(root, NULL), *rw = realpath(wd, NULL);
	char *out = NULL;
	if (rr && rw) {
		size_t n = strlen(rw);
		if (strncmp(rr, rw, n) == 0 && (rr[n] == '/' || rr[n] == 0))
			out = xstrdup(rr[n] == '/' ? rr + n + 1 : "");
	}
	free(rr);
	free(rw);
	return out ? out : xstrdup("");
}

static int load_git(wctx *cx, const char *spec, const char *root, wpolicyset *ps, wdiags *d, bool *not_rev)
{
	git_libgit2_init();
	git_repository *grepo = NULL;
	git_object *obj = NULL;
	git_object *treeobj = NULL;
	git_tree *base = NULL, *pol = NULL;
	char *prefix = NULL;
	gitwalk w;
	memset(&w, 0, sizeof w);
	int errs = 0;
	*not_rev = false;
	if (git_repository_open_ext(&grepo, root, 0, NULL) < 0) {
		*not_rev = true;
		errs = 1;
		goto out;
	}
	if (git_revparse_single(&obj, grepo, spec) < 0) {
		*not_rev = true;
		errs = 1;
		goto out;
	}
	if (git_object_peel(&treeobj, obj, GIT_OBJECT_TREE) < 0) {
		git_fail(d, "cannot read the tree of revision", spec);
		errs = 1;
		goto out;
	}
	prefix = repo_prefix(grepo, root);
	base = subtree(grepo, (git_tree *)treeobj, prefix);
	if (!base) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "revision '%s' has no directory '%s'", spec, prefix);
		errs = 1;
		goto out;
	}
	pol = subtree(grepo, base, "policies");
	wbuf top = WBUF_INIT;
	if (*prefix)
		buf_printf(&top, "%s/", prefix);
	if (pol)
		buf_adds(&top, "policies/");
	if (git_tree_walk(pol ? pol : base, GIT_TREEWALK_PRE, walk_cb, &w) < 0) {
		buf_release(&top);
		git_fail(d, "cannot walk the tree of revision", spec);
		errs = 1;
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		git_blob *blob = NULL;
		wbuf name = WBUF_INIT;
		buf_printf(&name, "%s:%s%s", spec, top.p ? top.p : "", w.paths.v[i]);
		if (git_blob_lookup(&blob, grepo, &w.oids[i]) < 0) {
			git_fail(d, "cannot read", name.p);
			errs++;
		} else {
			errs += parse_policies(cx, ps, name.p, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
					       d);
			git_blob_free(blob);
		}
		buf_release(&name);
	}
	buf_release(&top);
out:
	free(prefix);
	strvec_free(&w.paths);
	free(w.oids);
	git_tree_free(pol);
	git_tree_free(base);
	git_object_free(treeobj);
	git_object_free(obj);
	git_repository_free(grepo);
	git_libgit2_shutdown();
	return errs;
}

int rev_load_policies(wctx *cx, const char *spec, const char *root, wpolicyset *ps, wrev_kind *kind, wdiags *d)
{
	int errs;
	struct stat st;
	size_t before = d->nerrors;
	if (stat(spec, &st) == 0 && S_ISDIR(st.st_mode)) {
		*kind = WREV_DIR;
		strvec files = {0};
		wbuf sub = WBUF_INIT;
		if (strcmp(spec, ".") == 0)
			buf_adds(&sub, "policies");
		else
			buf_printf(&sub, "%s/policies", spec);
		const char *dir = is_dir(sub.p) ? sub.p : spec;
		errs = walk_dir(dir, &files, d, 0) < 0 ? 1 : 0;
		if (!errs)
			errs = load_paths(cx, ps, &files, d);
		strvec_free(&files);
		buf_release(&sub);
	} else if (stat(spec, &st) == 0) {
		*kind = WREV_FILE;
		size_t len;
		char *text = rev_read_file(spec, &len, d);
		if (!text)
			return 1;
		errs = parse_text(cx, ps, spec, text, len, true, d);
		free(text);
	} else {
		*kind = WREV_GIT;
		bool not_rev;
		errs = load_git(cx, spec, root ? root : ".", ps, d, &not_rev);
		if (not_rev) {
			diag_add(d, WSEV_ERROR, NULL, nospan,
				 "'%s' is not a file, a directory or a revision of the git repository at '%s'", spec,
				 root ? root : ".");
			return 1;
		}
	}
	if (errs == 0 && d->nerrors == before)
		errs = policyset_use_annotation_ids(ps, d);
	return errs ? errs : (int)(d->nerrors - before);
}

int rev_load_schema(wctx *cx, const char *path, wschema *s, wdiags *d)
{
	size_t len;
	char *text = rev_read_file(path, &len, d);
	if (!text)
		return 1;
	int errs = schema_parse(cx, s, path, text, len, d);
	free(text);
	return errs;
}

int rev_load_entities(wctx *cx, const char *path, const wschema *s, wentities *es, wdiags *d)
{
	size_t len;
	char *text = rev_read_file(path, &len, d);
	if (!text)
		return 1;
	int errs = entities_load_json(cx, es, s, path, text, len, d);
	free(text);
	return errs;
}

int rev_snapshot_open(wsnapshot *s, const char *root, const char *schema, const char *entities, wdiags *d)
{
	memset(s, 0, sizeof *s);
	ctx_init(&s->cx);
	schema_init(&s->schema);
	entities_init(&s->es);
	if (root) {
		if (!is_dir(root)) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "repository directory '%s' does not exist", root);
			return -1;
		}
		s->root = xstrdup(root);
	} else {
		s->root = repo_find(".");
		if (!s->root)
			s->root = xstrdup(".");
	}
	char *def_schema = NULL;
	if (!schema) {
		def_schema = gio_join(s->root, "schema.cedarschema");
		if (gio_exists(def_schema))
			schema = def_schema;
	}
	int errs = 0;
	if (schema) {
		errs = rev_load_schema(&s->cx, schema, &s->schema, d);
		s->has_schema = errs == 0;
	}
	free(def_schema);
	if (errs)
		return -1;
	char **files = NULL;
	size_t nf = 0;
	if (!entities) {
		char *edir = gio_join(s->root, "entities");
		files = gio_list(edir, ".json", &nf);
		if (nf > 1)
			diag_add(d, WSEV_ERROR, NULL, nospan,
				 "'%s' holds %zu JSON files; give the entity snapshot with --entities FILE", edir, nf);
		else if (nf == 1)
			entities = files[0];
		free(edir);
		if (nf > 1) {
			gio_list_free(files, nf);
			return -1;
		}
	}
	if (entities) {
		errs = rev_load_entities(&s->cx, entities, s->has_schema ? &s->schema : NULL, &s->es, d);
		s->has_entities = errs == 0;
	} else
		errs = entities_load_json(&s->cx, &s->es, s->has_schema ? &s->schema : NULL, "<no entities>", "[]",
					  2, d);
	if (files)
		gio_list_free(files, nf);
	return errs ? -1 : 0;
}

void rev_snapshot_close(wsnapshot *s)
{
	entities_release(&s->es);
	schema_release(&s->schema);
	ctx_release(&s->cx);
	free(s->root);
	memset(s, 0, sizeof *s);
}
