/* entitlements: the (principal, action, resource) cells a policy set allows
 * over an entity snapshot.
 *
 * Three pieces:
 *   - went_index: an index of the entity store built once (entities by type,
 *     descendants of every group or container from the precomputed ancestor
 *     sets, the known actions), so the cells in a policy's scope come from set
 *     operations (`in G` = G's descendants, `is T` = T's entities, each
 *     filtered by the types the schema lets the action apply to) rather than
 *     from enumerating every entity;
 *   - wcellset: a set of cells (hashed), filled with the cells in the scope of
 *     some policies (only those can change when those policies change);
 *   - went_pset: a policy set indexed by action, which decides one cell with
 *     the context unknown: allow, deny, or allow exactly when a residual
 *     condition holds (residual.h).
 *
 * Everything borrows the entity store, schema and policy sets, which must
 * outlive these objects and share one wctx. Not thread-safe (the policy
 * index keeps a scratch stamp per policy).
 */
#ifndef WARD_ANALYSIS_ENTITLEMENTS_H
#define WARD_ANALYSIS_ENTITLEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/entities.h"
#include "cedar/eval.h"
#include "cedar/schema.h"
#include "util/diag.h"

/* Refuse to enumerate more cells than this for one query (a policy with an
 * unconstrained scope and no schema to narrow the types); the error names
 * the policy. */
#define WENT_MAX_CELLS 20000000u

typedef struct wcell {
	wuid p, a, r;
} wcell;

typedef struct wcellset {
	wcell *items; /* heap, in insertion order */
	size_t n, cap;
	uint32_t *slots; /* heap hash table of indexes + 1 (0: empty) */
	size_t nslots;
} wcellset;

void cellset_init(wcellset *s);
void cellset_release(wcellset *s);
/* Adds a cell; returns true when it was new. */
bool cellset_add(wcellset *s, wcell c);
bool cellset_has(const wcellset *s, wcell c);

typedef struct went_index went_index;

/* Indexes `es` (and the schema's actions and appliesTo types when `schema`
 * is not NULL). Cost O(entities + total ancestors). */
went_index *ent_index_new(wctx *cx, const wentities *es, const wschema *schema);
void ent_index_free(went_index *ix);
/* Makes the actions named in the scopes of `ps` known to the index (used
 * without a schema, where actions need not be entities in the store). */
void ent_index_note_actions(went_index *ix, const wpolicyset *ps);

/* Restricts enumeration to one principal, action and/or resource (NULL: no
 * restriction). */
typedef struct went_filter {
	const wuid *principal, *action, *resource;
} went_filter;

/* Adds to `out` the cells in the scope of each policy of `pols` (templates
 * are skipped: only their links grant anything) that pass `f` (may be NULL).
 * With a schema, only (principal type, action, resource type) combinations
 * some action applies to. Returns 0, or -1 with an error in `d` when the
 * scope of a policy exceeds WENT_MAX_CELLS. */
int ent_scope_cells(went_index *ix, const wpolicy *const *pols, size_t n, const went_filter *f, wcellset *out,
		    wdiags *d);

/* Decision of a cell with the context unknown. */
typedef enum wdec_kind { WDEC_DENY, WDEC_ALLOW, WDEC_COND } wdec_kind;

typedef struct wdecision {
	uint8_t kind;           /* wdec_kind */
	wexpr *cond;            /* WDEC_COND: allowed exactly when this holds */
	const wpolicy **why;    /* permits that (may) allow, then forbids that (may) deny; in tmp */
	uint32_t nwhy;
} wdecision;

typedef struct went_pset went_pset;

/* Indexes the policies of `ps` by action. */
went_pset *ent_pset_new(went_index *ix, const wpolicyset *ps);
void ent_pset_free(went_pset *s);

/* Decides cell `c` with policy set `s`; everything in *out lives in `tmp`.
 * An erroring policy does not apply (as in authorization); a condition
 * combines the residuals of the permits and forbids that depend on the
 * context: (p1 || p2 ...) && !(f1 || f2 ...). */
void ent_decide(went_index *ix, went_pset *s, wcell c, warena *tmp, wdecision *out);

/* The indexes (into the set's items) of the policies whose action and
 * principal scopes may match cell `c`, in set order; valid until the next
 * call on `s`. The resource scope and conditions are not checked. */
uint32_t ent_candidates(went_index *ix, went_pset *s, wcell c, const uint32_t **idx);

/* Readable forms, for messages and output. */
const char *ent_dec_name(wdec_kind k); /* "deny", "allow", "conditional" */
/* "Type::\"id\"" appended to `out`. */
void ent_uid_str(wuid u, wbuf *out);

/* The entities whose ancestors include `u` (NULL, *n = 0 when none). */
const wentity *const *ent_descendants(const went_index *ix, wuid u, uint32_t *n);
/* Entities of type `t` in the store. */
const wentity *const *ent_of_type(const went_index *ix, const wsym *t, uint32_t *n);
const wentities *ent_store(const went_index *ix);
const wschema *ent_schema(const went_index *ix);
wctx *ent_ctx(const went_index *ix);

#endif
