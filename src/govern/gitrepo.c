/* gitrepo: revisions, files at a revision, the change and its authors, via
 * libgit2 (see gitrepo.h). libgit2's own global state is set up with
 * git_libgit2_init and released with git_libgit2_shutdown, which count
 * their calls, so every open gitrepo holds one reference.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "govern/gitrepo.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

static const wspan nospan = {0, 0};

static int git_fail(wdiags *d, const char *what, const char *arg)
{
	const git_error *e = git_error_last();
	diag_add(d, WSEV_ERROR, NULL, nospan, "%s '%s': %s", what, arg, e && e->message ? e->message : "git error");
	return -1;
}

static char *with_slash(const char *p)
{
	size_t n = strlen(p);
	wbuf b = WBUF_INIT;
	buf_adds(&b, p);
	if (n == 0 || p[n - 1] != '/')
		buf_addc(&b, '/');
	return buf_detach(&b);
}

int gitrepo_open(gitrepo *g, const char *root, wdiags *d)
{
	memset(g, 0, sizeof *g);
	git_libgit2_init();
	char *real = realpath(root, NULL);
	if (!real) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot open '%s': %s", root, strerror(errno));
		gitrepo_close(g);
		return -1;
	}
	g->root = xstrdup(real);
	if (git_repository_open_ext(&g->repo, real, 0, NULL) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan,
			 "'%s' is not inside a git repository; 'ward check' compares the working tree with a "
			 "git revision",
			 root);
		free(real);
		gitrepo_close(g);
		return -1;
	}
	const char *wd = git_repository_workdir(g->repo);
	if (!wd) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "the git repository of '%s' is bare; a working tree is needed",
			 root);
		free(real);
		gitrepo_close(g);
		return -1;
	}
	char *wreal = realpath(wd, NULL);
	g->workdir = with_slash(wreal ? wreal : wd);
	free(wreal);
	char *rs = with_slash(real);
	free(real);
	size_t wl = strlen(g->workdir);
	if (strncmp(rs, g->workdir, wl) == 0)
		g->prefix = xstrdup(rs + wl);
	else if (strcmp(rs, g->workdir) == 0)
		g->prefix = xstrdup("");
	else
		g->prefix = xstrdup("");
	free(rs);
	return 0;
}

void gitrepo_close(gitrepo *g)
{
	if (g->repo)
		git_repository_free(g->repo);
	free(g->workdir);
	free(g->prefix);
	free(g->root);
	memset(g, 0, sizeof *g);
	git_libgit2_shutdown();
}

int gitrepo_resolve(gitrepo *g, const char *rev, char out[GITREPO_OID_HEX + 1], wdiags *d)
{
	git_object *obj = NULL, *commit = NULL;
	if (git_revparse_single(&obj, g->repo, rev) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "unknown revision '%s'; give a branch, tag or commit with --base",
			 rev);
		return -1;
	}
	int rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "the revision '%s' does not name a commit", rev);
		return -1;
	}
	git_oid_tostr(out, GITREPO_OID_HEX + 1, git_object_id(commit));
	git_object_free(commit);
	return 0;
}

void gitrepo_head(gitrepo *g, char out[GITREPO_OID_HEX + 1])
{
	git_oid oid;
	out[0] = '\0';
	if (git_reference_name_to_id(&oid, g->repo, "HEAD") == 0)
		git_oid_tostr(out, GITREPO_OID_HEX + 1, &oid);
}

static int tree_at(gitrepo *g, const char *oid, git_tree **tree, wdiags *d)
{
	git_oid id;
	git_commit *c = NULL;
	if (git_oid_fromstr(&id, oid) != 0 || git_commit_lookup(&c, g->repo, &id) != 0)
		return git_fail(d, "cannot read the commit", oid);
	int rc = git_commit_tree(tree, c);
	git_commit_free(c);
	return rc ? git_fail(d, "cannot read the tree of commit", oid) : 0;
}

static char *full(const gitrepo *g, const char *path)
{
	wbuf b = WBUF_INIT;
	buf_adds(&b, g->prefix);
	buf_adds(&b, path);
	return buf_detach(&b);
}

int gitrepo_read_at(gitrepo *g, const char *oid, const char *path, char **data, size_t *len, wdiags *d)
{
	*data = NULL;
	*len = 0;
	git_tree *tree = NULL;
	if (tree_at(g, oid, &tree, d))
		return -1;
	char *fp = full(g, path);
	git_tree_entry *te = NULL;
	int rc = git_tree_entry_bypath(&te, tree, fp);
	if (rc == GIT_ENOTFOUND) {
		git_tree_free(tree);
		free(fp);
		return 0;
	}
	if (rc != 0 || git_tree_entry_type(te) != GIT_OBJECT_BLOB) {
		if (te)
			git_tree_entry_free(te);
		git_tree_free(tree);
		free(fp);
		return rc ? git_fail(d, "cannot read", path) : 0;
	}
	git_blob *blob = NULL;
	rc = git_blob_lookup(&blob, g->repo, git_tree_entry_id(te));
	git_tree_entry_free(te);
	git_tree_free(tree);
	if (rc != 0) {
		git_fail(d, "cannot read", fp);
		free(fp);
		return -1;
	}
	free(fp);
	size_t n = (size_t)git_blob_rawsize(blob);
	char *p = xmalloc(n + 1);
	memcpy(p, git_blob_rawcontent(blob), n);
	p[n] = '\0';
	git_blob_free(blob);
	*data = p;
	*len = n;
	return 1;
}

struct list_ctx {
	const char *suffix;
	const char *strip; /* prefix of the policy repository within the tree walked */
	char ***paths;
	size_t *n, cap;
	const char *dir;
};

static int list_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct list_ctx *lc = payload;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	const char *name = git_tree_entry_name(e);
	size_t nl = strlen(name), sl = strlen(lc->suffix);
	if (nl < sl || strcmp(name + nl - sl, lc->suffix) != 0)
		return 0;
	if (*lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 16;
		*lc->paths = xrealloc(*lc->paths, lc->cap * sizeof **lc->paths);
	}
	wbuf b = WBUF_INIT;
	buf_adds(&b, lc->dir);
	if (*lc->dir)
		buf_addc(&b, '/');
	buf_adds(&b, root);
	buf_adds(&b, name);
	(*lc->paths)[(*lc->n)++] = buf_detach(&b);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int gitrepo_list_at(gitrepo *g, const char *oid, const char *dir, const char *suffix, char ***paths, size_t *n,
		    wdiags *d)
{
	*paths = NULL;
	*n = 0;
	git_tree *tree = NULL;
	if (tree_at(g, oid, &tree, d))
		return -1;
	git_tree *sub = NULL;
	char *fp = full(g, dir);
	size_t fl = strlen(fp);
	while (fl && fp[fl - 1] == '/')
		fp[--fl] = '\0';
	if (fl == 0) {
		sub = tree;
		tree = NULL;
	} else {
		git_tree_entry *te = NULL;
		int rc = git_tree_entry_bypath(&te, tree, fp);
		if (rc == 0 && git_tree_entry_type(te) == GIT_OBJECT_TREE)
			rc = git_tree_lookup(&sub, g->repo, git_tree_entry_id(te));
		else if (rc == 0)
			rc = GIT_ENOTFOUND;
		if (te)
			git_tree_entry_free(te);
		if (rc != 0) {
			git_tree_free(tree);
			free(fp);
			return rc == GIT_ENOTFOUND ? 0 : git_fail(d, "cannot read the directory", dir);
		}
	}
	free(fp);
	struct list_ctx lc = {.suffix = suffix, .paths = paths, .n = n, .dir = dir};
	char *trimmed = xstrdup(dir);
	size_t tl = strlen(trimmed);
	while (tl && trimmed[tl - 1] == '/')
		trimmed[--tl] = '\0';
	lc.dir = trimmed;
	git_tree_walk(sub, GIT_TREEWALK_PRE, list_cb, &lc);
	free(trimmed);
	git_tree_free(sub);
	if (tree)
		git_tree_free(tree);
	if (*n > 1)
		qsort(*paths, *n, sizeof **paths, cmp_str);
	return 0;
}

static bool excluded(const char *rel)
{
	return strncmp(rel, "approvals/", 10) == 0 || strncmp(rel, ".ward/", 6) == 0;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const gchange *)a)->path, ((const gchange *)b)->path);
}

int gitrepo_changes(gitrepo *g, const char *oid, gchange **out, size_t *n, wdiags *d)
{
	*out = NULL;
	*n = 0;
	git_tree *tree = NULL;
	if (tree_at(g, oid, &tree, d))
		return -1;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS | GIT_DIFF_INCLUDE_TYPECHANGE;
	char *spec = NULL;
	if (*g->prefix) {
		spec = xstrdup(g->prefix);
		opts.pathspec.strings = &spec;
		opts.pathspec.count = 1;
	}
	git_diff *diff = NULL;
	int rc = git_diff_tree_to_workdir_with_index(&diff, g->repo, tree, &opts);
	git_tree_free(tree);
	free(spec);
	if (rc != 0)
		return git_fail(d, "cannot compare the working tree with", oid);
	size_t nd = git_diff_num_deltas(diff), cap = nd ? nd : 1;
	*out = xcalloc(cap, sizeof **out);
	size_t pl = strlen(g->prefix);
	for (size_t i = 0; i < nd; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);
		char st;
		const char *p;
		switch (dl->status) {
		case GIT_DELTA_ADDED:
		case GIT_DELTA_UNTRACKED:
			st = 'A', p = dl->new_file.path;
			break;
		case GIT_DELTA_DELETED:
			st = 'D', p = dl->old_file.path;
			break;
		case GIT_DELTA_MODIFIED:
		case GIT_DELTA_TYPECHANGE:
			st = 'M', p = dl->new_file.path;
			break;
		default:
			continue;
		}
		if (strncmp(p, g->prefix, pl) != 0)
			continue;
		const char *rel = p + pl;
		if (excluded(rel))
			continue;
		(*out)[*n].path = xstrdup(rel);
		(*out)[*n].status = st;
		(*n)++;
	}
	git_diff_free(diff);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_change);
	return 0;
}

void gitrepo_changes_free(gchange *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

int gitrepo_authors(gitrepo *g, const char *oid, char ***out, size_t *n, wdiags *d)
{
	*out = NULL;
	*n = 0;
	git_revwalk *w = NULL;
	git_oid base, id;
	if (git_revwalk_new(&w, g->repo) != 0)
		return git_fail(d, "cannot walk the history of", g->root);
	if (git_revwalk_push_head(w) != 0) {
		git_revwalk_free(w); /* no commit yet: no authors */
		return 0;
	}
	if (git_oid_fromstr(&base, oid) != 0 || git_revwalk_hide(w, &base) != 0) {
		git_revwalk_free(w);
		return git_fail(d, "cannot walk the history from", oid);
	}
	size_t cap = 0, count = 0;
	while (git_revwalk_next(&id, w) == 0) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, g->repo, &id) != 0)
			continue;
		if (++count > 100000) {
			git_commit_free(c);
			break;
		}
		const git_signature *a = git_commit_author(c);
		wbuf b = WBUF_INIT;
		buf_printf(&b, "%s <%s>", a && a->name ? a->name : "", a && a->email ? a->email : "");
		git_commit_free(c);
		bool dup = false;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = strcmp((*out)[i], b.p) == 0;
		if (dup) {
			buf_release(&b);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = buf_detach(&b);
	}
	git_revwalk_free(w);
	return 0;
}

void gitrepo_strings_free(char **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}
