/* residual: partial evaluation of policy conditions with the context unknown.
 *
 * The entitlement diff and the access queries decide (principal, action,
 * resource) cells without a request context. Whatever does not depend on
 * `context` is evaluated exactly with eval_expr (an error stays an error);
 * the rest is rebuilt as a residual expression and simplified with rules
 * that keep Cedar's meaning (true && x -> x, false && x -> false,
 * if true then a else b -> a, ...). The residual is never a guess from a
 * sample context: for every context c, evaluating the residual with c gives
 * the value the original gives with c (an error in a position that depends
 * on the context is kept as an `error("message")` call that evaluates to
 * that error).
 *
 * Residual nodes and the values they hold live in ev->tmp (or point into the
 * policy set and entity store arenas): they are valid until ev->tmp is
 * reset. They print with format_expr (format.h).
 */
#ifndef WARD_ANALYSIS_RESIDUAL_H
#define WARD_ANALYSIS_RESIDUAL_H

#include <stdbool.h>

#include "cedar/ast.h"
#include "cedar/eval.h"

typedef enum wres_kind {
	WRES_VALUE, /* known value (no dependence on the context) */
	WRES_ERROR, /* evaluation errors whatever the context */
	WRES_EXPR,  /* depends on the context: `expr` */
} wres_kind;

typedef struct wres {
	uint8_t kind;     /* wres_kind */
	wvalue v;         /* WRES_VALUE */
	const char *err;  /* WRES_ERROR: message (in ev->tmp or static) */
	wexpr *expr;      /* WRES_EXPR */
} wres;

/* Partially evaluates `e` for the request principal/action/resource of
 * ev->req (its context is ignored). With `top`, only whether the result is
 * `true` matters (a policy condition: an error and `false` both mean the
 * policy does not apply), which allows x && false -> false. */
void residual_expr(weval *ev, const wexpr *e, bool top, wres *out);

/* What a policy does for a cell with the context unknown. */
typedef enum wpres_kind {
	WPRES_NO,    /* the scope does not match or a condition is false */
	WPRES_YES,   /* applies whatever the context */
	WPRES_ERROR, /* errors whatever the context (so never applies) */
	WPRES_COND,  /* applies exactly when `cond` is true */
} wpres_kind;

typedef struct wpres {
	uint8_t kind;    /* wpres_kind */
	wexpr *cond;     /* WPRES_COND: conjunction of the residual conditions */
	const char *err; /* WPRES_ERROR */
} wpres;

/* Partially evaluates policy `p` (static or linked) for ev->req. The scope
 * is matched exactly (it never depends on the context). */
void residual_policy(weval *ev, const wpolicy *p, wpres *out);

/* True when `e` mentions `context` anywhere. O(size of e). */
bool residual_uses_context(const wexpr *e);

/* Normalizes a residual used as a condition (a boolean position): `&&` and
 * `||` chains are flattened, `!!x` inside them becomes x, and repeated
 * operands (same text) are dropped, keeping the first. Each step keeps the
 * value (or error) of the condition, and makes equal conditions print the
 * same, so the diff compares them as text. New nodes go into `a`. */
wexpr *residual_simplify(warena *a, wexpr *e);

/* A comparison key for a condition: its text with the operands of every
 * `&&` / `||` chain sorted and deduplicated, so conditions that differ only
 * in the order of their conjuncts compare equal. Heap string. */
char *residual_key(const wexpr *e);

/* Node builders in ev->tmp, for combining residuals (spans are empty). */
wexpr *residual_lit(warena *a, wvalue v);
wexpr *residual_and(warena *a, wexpr *x, wexpr *y);
wexpr *residual_or(warena *a, wexpr *x, wexpr *y);
wexpr *residual_not(warena *a, wexpr *x);
/* `error("msg")`: an expression that evaluates to that error. */
wexpr *residual_error(wctx *cx, warena *a, const char *msg);

#endif
