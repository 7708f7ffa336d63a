/* eval: the Cedar expression evaluator.
 *
 * Evaluates AST expressions (ast.h) for one request against an entity store.
 * Temporaries (new strings, sets, records) go into the request arena `tmp`,
 * which the caller resets between requests. Errors follow Cedar's semantics:
 * a type error, overflow, missing attribute or entity, or an extension
 * function failure makes the expression (and so its policy) error; `&&`,
 * `||` and `if` short-circuit, so an error in an unevaluated branch is not
 * an error.
 */
#ifndef WARD_CEDAR_EVAL_H
#define WARD_CEDAR_EVAL_H

#include <stdbool.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/request.h"
#include "util/arena.h"

typedef struct weval {
	wctx *cx;
	const wentities *ents; /* may be empty, never NULL */
	const wrequest *req;
	warena *tmp;
	/* slot values when evaluating a linked template (NULL otherwise) */
	const wuid *slot_principal, *slot_resource;
	const char *err; /* message of the last error (static or in tmp) */
	unsigned depth;  /* recursion guard */
	/* The request's principal, action and resource entities (NULL when not
	 * in the store), looked up once per request by eval_resolve(); while
	 * `resolved` is false the evaluator looks them up in `ents` as needed. */
	const wentity *pent, *aent, *rent;
	bool resolved;
} weval;

/* Looks up the request's principal, action and resource entities once, so
 * the evaluation of every policy of the request reuses them. Optional. */
void eval_resolve(weval *ev);

/* The entity with this uid, or NULL: the request's own entities come from
 * the eval_resolve() cache, others from a hashed lookup. */
const wentity *eval_entity(const weval *ev, wuid u);

/* 0 and *out on success; -1 on a Cedar evaluation error (ev->err). */
int eval_expr(weval *ev, const wexpr *e, wvalue *out);

/* Does the policy apply? Scope match and every condition true. Sets
 * *applies; returns -1 (ev->err set) if evaluating a condition errors. */
int eval_policy(weval *ev, const wpolicy *p, bool *applies);

#endif
