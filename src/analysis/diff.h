/* diff: the entitlement diff between two policy sets over an entity snapshot.
 *
 * Policies are matched by content first (a renamed or moved policy is
 * unchanged; annotations other than the policy's effect and body do not
 * count), then by id (modified); the rest are added or removed. Only the
 * cells in the scope of a changed policy (its base or head version) can
 * change decision, so only those are decided, with each set, with the
 * context unknown (entitlements.h). Cells whose decision or residual
 * condition differs are reported, then grouped. When both sides are
 * conditional, the two conditions are compared with Z3 (smt.h): equivalent
 * ones are not a change (only counted), the others are classified as
 * narrowed, widened or changed (unknown when the solver cannot tell). Groups: one group per principal,
 * kind of change, decisions and conditions before and after, determining
 * policies, and resource type, with the actions that share exactly the same
 * resources merged, and the most specific container holding all of a
 * group's resources named in its summary:
 *   ServiceAccount::"billing-exporter" gains read, list on 1,204 Object in Bucket::"invoices"
 */
#ifndef WARD_ANALYSIS_DIFF_H
#define WARD_ANALYSIS_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/entitlements.h"
#include "cedar/ast.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

typedef enum wpchg_kind { WPCHG_ADDED, WPCHG_REMOVED, WPCHG_MODIFIED } wpchg_kind;

typedef struct wdiff_policy {
	uint8_t kind;        /* wpchg_kind */
	const wpolicy *base; /* NULL when added */
	const wpolicy *head; /* NULL when removed */
} wdiff_policy;

typedef enum wcchg_kind { WCCHG_GAIN, WCCHG_LOSE, WCCHG_COND } wcchg_kind;

/* One side of a changed cell. Strings live in the diff's arena. */
typedef struct wdiff_side {
	uint8_t dec;      /* wdec_kind */
	const char *cond; /* WDEC_COND: the residual condition, formatted */
	const char *key;  /* WDEC_COND: residual_key() of it, for comparing */
	const char *why;  /* ids of the determining policies, ", "-separated ("" when none) */
} wdiff_side;

typedef struct wdiff_cell {
	wcell c;
	uint8_t change;   /* wcchg_kind */
	uint8_t relation; /* wsmt_rel (smt.h): WCCHG_COND with both sides
	                     conditional; WSMT_UNKNOWN otherwise */
	wdiff_side before, after;
} wdiff_cell;

typedef struct wdiff_group {
	wuid principal;
	uint8_t change;           /* wcchg_kind */
	uint8_t relation;         /* wsmt_rel, shared by every cell of the group */
	wdiff_side before, after; /* shared by every cell of the group */
	const wsym *rtype;        /* resource type */
	wuid *actions;            /* sorted */
	uint32_t nactions;
	wuid *resources;          /* sorted */
	uint32_t nresources;
	bool has_container;       /* every resource is in `container` */
	wuid container;
	char *summary;            /* the one-line sentence */
} wdiff_group;

/* Groups that differ only by principal, merged for reading:
 *   47 User in Team::"payments" gain read on 1,204 Invoice in Folder::"invoices" */
typedef struct wdiff_merged {
	uint32_t first, n;  /* groups[first .. first + n) */
	bool has_container; /* every principal is in `container` */
	wuid container;
	char *summary;      /* the group's own summary when n == 1 */
} wdiff_merged;

typedef struct wdiff {
	warena arena;                /* strings and arrays below */
	wdiff_policy *policies;      /* changed policies, in head order then removed ones */
	size_t npolicies;
	size_t nunchanged;           /* policies matched by content */
	size_t nscope;               /* cells decided (the scope of the changed policies) */
	wdiff_cell *cells;           /* changed cells, sorted */
	size_t ncells;
	wdiff_group *groups;         /* sorted by kind of change, conditions, actions,
	                                resources, then principal */
	size_t ngroups;
	wdiff_merged *merged;        /* consecutive groups merged (heap) */
	size_t nmerged;
	size_t ngain, nlose, ncond;  /* cells by kind of change */
	size_t nequivalent;          /* cells whose conditions differ as text only
	                                (equivalent for Z3): not changes */
	double seconds;              /* time spent computing */
} wdiff;

void diff_init(wdiff *df);
void diff_release(wdiff *df);

/* Computes the diff of `base` -> `head` over the index's entity snapshot.
 * Both sets must be built with the index's wctx. Returns 0, or -1 with an
 * error in `d` (a scope too large to enumerate). */
int diff_compute(went_index *ix, const wpolicyset *base, const wpolicyset *head, wdiff *out, wdiags *d);

/* Only the matching step: fills out->policies and out->nunchanged. */
void diff_match(wdiff *out, const wpolicyset *base, const wpolicyset *head);

/* Outputs. Labels name base and head for the reader ("main", "policies/"). */
void diff_print_text(const wdiff *df, const char *base_label, const char *head_label, wbuf *out);
void diff_print_json(const wdiff *df, const char *base_label, const char *head_label, wbuf *out);
void diff_print_markdown(const wdiff *df, const char *base_label, const char *head_label, wbuf *out);

/* "1,204": thousands separated. */
void diff_add_count(wbuf *out, size_t n);
/* An action for prose: its id when the type is Action, else the uid. */
void diff_add_action(wbuf *out, wuid a);

#endif
