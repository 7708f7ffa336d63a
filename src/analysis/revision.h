/* revision: loading the policy set (and schema and entity snapshot) that a
 * diff or query compares, from a file, a directory or a git revision.
 *
 * A source is named by one string:
 *   - an existing file: Cedar policy text, or the JSON policy format;
 *   - an existing directory: every `*.cedar` file below its `policies/`
 *     directory when it has one (a ward repository), else below itself,
 *     in path order;
 *   - otherwise a git revision (branch, tag, commit id, HEAD~1, ...) of the
 *     git repository containing `root` (or the current directory): the same
 *     files read from that revision's tree with libgit2, without a checkout,
 *     relative to where `root` lies in the working tree.
 * Every policy file is parsed into one policy set with positional ids, then
 * renamed by @id annotations. Errors are located (`main:policies/a.cedar:3:1`
 * for a file read from a revision).
 */
#ifndef WARD_ANALYSIS_REVISION_H
#define WARD_ANALYSIS_REVISION_H

#include <stddef.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/schema.h"
#include "util/diag.h"

typedef enum wrev_kind { WREV_FILE, WREV_DIR, WREV_GIT } wrev_kind;

/* Loads the policies named by `spec` into `ps` (initialised by the caller,
 * which releases it after using the diagnostics, since they may point into
 * it). `root` is the directory whose git repository resolves revisions (NULL:
 * the current directory). Sets *kind. Returns the number of errors appended
 * to `d` (0: loaded). */
int rev_load_policies(wctx *cx, const char *spec, const char *root, wpolicyset *ps, wrev_kind *kind, wdiags *d);

/* The schema file at `path` (either format). Returns the number of errors. */
int rev_load_schema(wctx *cx, const char *path, wschema *s, wdiags *d);
/* The entities JSON file at `path` (with the schema's actions when `s` is
 * given). Returns the number of errors. */
int rev_load_entities(wctx *cx, const char *path, const wschema *s, wentities *es, wdiags *d);

/* Reads a whole file: heap, NUL-terminated; NULL with an error naming it. */
char *rev_read_file(const char *path, size_t *len, wdiags *d);

#endif
