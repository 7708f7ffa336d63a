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

#include <stdbool.h>
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

/* What a diff or query runs against: one engine context, the schema (when
 * any) and the entity snapshot. Defaults come from the ward repository at
 * `root`: root/schema.cedarschema when present, and the one JSON file of
 * root/entities/ when present (several are an error: merge them). */
typedef struct wsnapshot {
	wctx cx;
	wschema schema;
	bool has_schema;
	wentities es;
	bool has_entities; /* loaded from a file (else only the schema's actions) */
	char *root; /* heap: the repository directory used for defaults and git */
} wsnapshot;

/* `root` NULL: the nearest directory upward from the current one holding
 * ward.yaml, else the current directory. `schema` / `entities` NULL: the
 * defaults above. Returns 0, or -1 with located errors in `d` (close the
 * snapshot in both cases; the diagnostics may point into it). */
int rev_snapshot_open(wsnapshot *s, const char *root, const char *schema, const char *entities, wdiags *d);
void rev_snapshot_close(wsnapshot *s);

/* Reads a whole file: heap, NUL-terminated; NULL with an error naming it. */
char *rev_read_file(const char *path, size_t *len, wdiags *d);

#endif
