/* explain: deterministic plain-language explanations of policies and decisions.
 *
 * Two products, both built from the AST and the evaluator, never from a model:
 *
 *  - a policy explanation (wxpolicies): for each policy, who may (or may not)
 *    do what on which resources, each condition as a sentence ("only when the
 *    request comes from 10.20.0.0/16", "until 2027-03-01"), the risky shapes
 *    called out ("any principal"), and for a permit the forbids that may
 *    override it. With a schema the phrases use its terms (action groups are
 *    expanded, "member of Team" lists the types that can be members);
 *
 *  - a decision path (wxdecision) for one request: for every policy whether
 *    its scope matched (and if not, which part did not), which conditions
 *    held, the first condition that stopped it with the values that made it
 *    stop, errors, which forbids overrode which permits, and the verdict
 *    ("allowed by ...", "forbidden by ...", "not permitted: no permit applies").
 *
 * Conditions are split into units: a `when` block into its top-level `&&`
 * operands, an `unless` block into its top-level `||` operands, so that each
 * unit is one sentence and the first unit that decides is exactly the one
 * Cedar's short-circuit evaluation stops at. Test coverage (testrun.h)
 * counts the same units.
 *
 * Results are structured (for the HTML review page and JSON) and render to
 * text and JSON. Everything an explanation holds lives in its own arena and
 * borrows the policy set, schema and entities it was built from.
 */
#ifndef WARD_GOVERN_EXPLAIN_H
#define WARD_GOVERN_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/authz.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/request.h"
#include "cedar/schema.h"
#include "util/arena.h"
#include "util/buf.h"

/* One condition unit of a policy. */
typedef struct wxunit {
	const wexpr *expr;    /* the `&&` operand of a when / `||` operand of an unless */
	uint32_t clause;      /* index of its when/unless block in the policy */
	bool is_when;         /* the block is `when` (the unit must hold) or `unless` */
	const char *text;     /* Cedar text of the unit, on one line */
	const char *sentence; /* "only when ..." / "except when ..." */
} wxunit;

/* The static explanation of one policy. */
typedef struct wxpolicy {
	const wpolicy *policy;
	const wpolicy *body;     /* policy, or the template it is linked from */
	const char *id;
	bool permit;
	const char *description; /* @description annotation, or NULL */
	const char *who;         /* "any principal", "any CiJob in Team::\"sre\"", ... */
	const char *what;        /* "read or write", "any action" ... */
	const char *on;          /* "any resource", "any Bucket in Environment::\"dev\"" */
	const char *summary;     /* one sentence: "any CiJob may read or write, on ..." */
	wxunit *units;
	uint32_t nunits;
	const char *trace;       /* annotations other than id/description, "ticket: X; template: Y", or NULL */
	const char **notes;      /* risk call-outs: "wildcard: any principal", ... */
	uint32_t nnotes;
	const wpolicy **overriders; /* permits: forbids whose scope may overlap */
	uint32_t noverriders;
} wxpolicy;

typedef struct wxpolicies {
	warena arena;
	wxpolicy *items; /* one per policy of the set (templates included), in set order */
	uint32_t n;
} wxpolicies;

void explain_policies_init(wxpolicies *x);
void explain_policies_release(wxpolicies *x);

/* Explains every policy of `ps` (or only `only_id` when not NULL). `schema`
 * and `es` may be NULL; with them the phrasing is more specific and the
 * override analysis more precise. Returns 0, or -1 when `only_id` names no
 * policy. Cost: linear in the policies' size, plus O(permits x forbids)
 * scope comparisons. */
int explain_policies(wctx *cx, const wpolicyset *ps, const wschema *schema, const wentities *es,
		     const char *only_id, wxpolicies *out);

/* The explanation of policy `p`, or NULL when it was not explained. */
const wxpolicy *explain_find(const wxpolicies *x, const wpolicy *p);

/* Text: one block per policy, separated by blank lines. */
void explain_policies_text(const wxpolicies *x, wbuf *out);
/* JSON: {"policies":[{"id","effect","description","who","what","on",
 * "summary","annotations":{k:v},"conditions":[{"kind":"when"|"unless","cedar","sentence"}],
 * "notes":[...],"overridden_by":[ids]}]} (no trailing newline). */
void explain_policies_json(const wxpolicies *x, wbuf *out);

/* ---- decisions ------------------------------------------------------------ */

typedef enum wxoutcome {
	WXO_NOT_EVALUATED, /* never reached (scope missed or an earlier unit decided) */
	WXO_TRUE,
	WXO_FALSE,
	WXO_ERROR,
} wxoutcome;

typedef enum wxstatus {
	WXS_APPLIES,   /* scope matched and every condition held */
	WXS_SCOPE,     /* the scope did not match */
	WXS_CONDITION, /* a condition unit stopped it */
	WXS_ERROR,     /* evaluating it errored (it does not apply) */
	WXS_TEMPLATE,  /* an unlinked template: not evaluated */
} wxstatus;

/* A value that made a condition what it was: "principal.branch" = "\"dev\"". */
typedef struct wxfact {
	const char *expr;  /* Cedar text of the operand */
	const char *value; /* its value in Cedar syntax, or "error: ..." */
} wxfact;

typedef struct wxpath {
	const wpolicy *policy;
	const wxpolicy *xp;      /* its static explanation */
	uint8_t status;          /* wxstatus */
	bool principal_ok, action_ok, resource_ok; /* each scope part, checked independently */
	const char *scope_miss;  /* WXS_SCOPE: "the principal X is not a CiJob" */
	uint8_t *outcomes;       /* per unit of xp (wxoutcome) */
	int32_t stop_unit;       /* WXS_CONDITION / WXS_ERROR in a unit: its index, else -1 */
	wxfact *facts;           /* values of the stopping unit's operands */
	uint32_t nfacts;
	const char *error;       /* WXS_ERROR: the evaluator's message */
	const char *why;         /* one sentence about this policy */
	bool overridden;         /* an applying permit overridden by an applying forbid */
} wxpath;

typedef struct wxdecision {
	warena arena;
	const wrequest *req;
	bool allow;
	const wpolicy **determining; /* as authz_decide: applying forbids on deny, permits on allow */
	uint32_t ndetermining;
	const wpolicy **overridden;  /* applying permits that a forbid overrode */
	uint32_t noverridden;
	uint32_t nerrors;
	wxpath *paths;               /* one per policy, in set order */
	uint32_t n;
	const char *verdict;         /* "allowed by a, b" / "forbidden by f" / "not permitted: ..." */
} wxdecision;

void explain_decision_init(wxdecision *d);
void explain_decision_release(wxdecision *d);

/* Decides `req` (exactly as authz_decide, which it calls for the decision,
 * determining policies and errors) and explains the path to the decision,
 * using `x`, the explanation of the same policy set (explain_policies with
 * no `only_id`). The request must outlive `d`. Cost: one authorization plus
 * one evaluation of each unit and of a failing unit's operands. */
void explain_decision(wctx *cx, const wpolicyset *ps, const wxpolicies *x, const wentities *es,
		      const wrequest *req, wxdecision *d);

/* Text: the request, the verdict, then the policies in the order: applying
 * forbids, applying permits, errors, stopped by a condition, scope missed.
 * With `brief`, the scope misses are counted rather than listed. */
void explain_decision_text(const wxdecision *d, bool brief, wbuf *out);
/* JSON: {"request":{...},"decision","verdict","determining":[ids],
 * "overridden":[ids],"policies":[{"id","effect","status","scope":{...},
 * "conditions":[{"cedar","sentence","outcome"}],"stopped_at","facts":[...],
 * "error","why"}]} (no trailing newline). */
void explain_decision_json(const wxdecision *d, wbuf *out);

/* Name of an outcome / status for JSON: "true", "false", "error",
 * "not-evaluated"; "applies", "scope", "condition", "error", "template". */
const char *explain_outcome_name(wxoutcome o);
const char *explain_status_name(wxstatus s);

#endif
