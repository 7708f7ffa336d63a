/* gitrepo: the git facts the merge gate needs, read with libgit2 without a
 * checkout.
 *
 * The policy repository (the directory holding ward.yaml) may be the root of
 * a git working tree or a directory inside one; paths given to and returned
 * by this module are relative to the policy repository and '/'-separated.
 * It resolves revisions, reads files and lists directories as of a revision
 * (ward.yaml and the policies at the base), lists the files that differ
 * between a revision and the working tree (the change; untracked files
 * included, ignored files not; approvals/ and .ward/ are never part of a
 * change), and collects the authors of the commits between the base and
 * HEAD.
 */
#ifndef WARD_GOVERN_GITREPO_H
#define WARD_GOVERN_GITREPO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

#define GITREPO_OID_HEX 64 /* room for SHA-256 object ids */

typedef struct gitrepo {
	struct git_repository *repo;
	char *workdir; /* git working tree, with a trailing '/' (heap) */
	char *prefix;  /* policy repository within it: "" or "sub/dir/" (heap) */
	char *root;    /* the policy repository (heap) */
} gitrepo;

typedef struct gchange {
	char *path;    /* relative to the policy repository (heap) */
	char status;   /* 'A', 'M' or 'D' */
} gchange;

/* Opens the git repository containing `root`. 0, or -1 with an error
 * ("'root' is not inside a git repository"). */
int gitrepo_open(gitrepo *g, const char *root, wdiags *d);
void gitrepo_close(gitrepo *g);

/* Resolves `rev` (branch, tag, commit id, HEAD~1, ...) to a commit id in
 * hex. 0 or -1 with an error naming the revision. */
int gitrepo_resolve(gitrepo *g, const char *rev, char out[GITREPO_OID_HEX + 1], wdiags *d);
/* The commit id of HEAD, or "" when the branch has no commit yet. */
void gitrepo_head(gitrepo *g, char out[GITREPO_OID_HEX + 1]);

/* Reads `path` as of commit `oid`. Returns 1 and a heap copy
 * (NUL-terminated, *len bytes), 0 when the file does not exist there, -1 on
 * error. */
int gitrepo_read_at(gitrepo *g, const char *oid, const char *path, char **data, size_t *len, wdiags *d);
/* Files under directory `dir` as of `oid` (recursively) whose names end with
 * `suffix`, sorted; heap paths relative to the policy repository. 0 or -1. */
int gitrepo_list_at(gitrepo *g, const char *oid, const char *dir, const char *suffix, char ***paths, size_t *n,
		    wdiags *d);

/* The files of the policy repository that differ between commit `oid` and
 * the working tree, sorted by path. 0 or -1. */
int gitrepo_changes(gitrepo *g, const char *oid, gchange **out, size_t *n, wdiags *d);
void gitrepo_changes_free(gchange *c, size_t n);

/* "Name <email>" of the author of every commit reachable from HEAD but not
 * from `oid`, without duplicates. 0 or -1. */
int gitrepo_authors(gitrepo *g, const char *oid, char ***out, size_t *n, wdiags *d);

void gitrepo_strings_free(char **s, size_t n);

#endif
