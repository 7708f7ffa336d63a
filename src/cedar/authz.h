/* authz: the authorizer.
 *
 * Default deny; any applying forbid overrides every permit. The response
 * carries the decision, the determining policies (the applying forbids on
 * deny, the applying permits on allow, none when nothing applies) and every
 * policy whose evaluation errored, with its message. An erroring policy does
 * not apply.
 */
#ifndef WARD_CEDAR_AUTHZ_H
#define WARD_CEDAR_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/request.h"
#include "util/arena.h"

typedef struct wpolicy_error {
	const wpolicy *policy;
	const char *msg;
} wpolicy_error;

typedef struct wresponse {
	bool allow;
	const wpolicy **reasons; /* in policy-set order; arrays live in tmp */
	uint32_t nreasons;
	wpolicy_error *errors;   /* in policy-set order */
	uint32_t nerrors;
} wresponse;

/* Builds the policy index of `ps` in its arena (ps->index), so that a
 * decision evaluates only the policies whose scope can match the request.
 * Call once the set is complete (after parsing and linking); policies added
 * later are still decided correctly, by a linear scan. Cost O(policies).
 * Mutates `ps`: not concurrently with decisions on it. */
void authz_prepare(wpolicyset *ps);

/* Decides one request. Everything in *out lives in `tmp`. Uses the policy
 * index when ps has one (same result as without). Only reads cx, ps, es and
 * req: threads may decide at once, each with its own `tmp`. */
void authz_decide(wctx *cx, const wpolicyset *ps, const wentities *es, const wrequest *req, warena *tmp,
		  wresponse *out);

#endif
