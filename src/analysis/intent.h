/* intent: does a change grant what its requirement asked for, and no more?
 *
 * The cells a change grants are the entitlement diff's gained cells and
 * the cells whose condition changed to something that still allows (diff.h).
 * Each is compared with the requirement (govern/requirement.h):
 *   privilege creep (fails the check):
 *     subject      the principal is not the requested subject (entity, members
 *                  of the group, or entities of the type)
 *     action       an action that was not requested
 *     resource     a resource outside the requested entity / container / type
 *     environment  a resource whose `environment` attribute is not the
 *                  requested environment
 *     constraint   a requested constraint (MFA, source networks, time window,
 *                  expiry, ...) missing from the condition under which the
 *                  access holds, or present with other values (weaker)
 *   under-grant (reported, does not fail): requested cells (subject x actions
 *     x resources over the snapshot, limited to what the schema allows) that
 *     the head policies do not allow at all.
 * A constraint counts as present when its values, as Cedar values, appear in
 * the residual condition (a bool constraint: `context.NAME` appears).
 */
#ifndef WARD_ANALYSIS_INTENT_H
#define WARD_ANALYSIS_INTENT_H

#include <stddef.h>

#include "analysis/diff.h"
#include "govern/requirement.h"
#include "util/buf.h"

typedef enum wintent_kind {
	WINT_SUBJECT,
	WINT_ACTION,
	WINT_RESOURCE,
	WINT_ENVIRONMENT,
	WINT_CONSTRAINT,
	WINT_UNDERGRANT,
} wintent_kind;

typedef struct wintent_issue {
	uint8_t kind; /* wintent_kind */
	char *msg;    /* heap */
} wintent_issue;

typedef struct wintent {
	wintent_issue *items; /* heap, creep first, then under-grants */
	size_t n, cap;
	size_t ncreep, nunder;
	size_t ngranted;   /* cells granted by the change */
	size_t nrequested; /* requested cells over the snapshot */
	size_t nmatching;  /* requested cells the head allows (always or conditionally) */
	const char *req_id, *ticket;
} wintent;

void intent_init(wintent *w);
void intent_release(wintent *w);

/* Compares the diff `df` (base -> head, computed over `ix`) with `rq`.
 * `head` is decided for the under-grant check. Returns 0, or -1 with an
 * error in `d` (a requirement too wide to enumerate). */
int intent_check(went_index *ix, const requirement *rq, const wdiff *df, const wpolicyset *head, wintent *out,
		 wdiags *d);

const char *intent_kind_name(wintent_kind k);
void intent_print_text(const wintent *w, wbuf *out);
void intent_print_json(const wintent *w, wbuf *out);

#endif
