/* compile: a compact form of policies for the authorizer's fast path
 * (private to src/cedar: authz.c builds it, nothing else sees it).
 *
 * authz_prepare compiles every policy of the set once. A compiled policy
 * keeps only the scope checks its index filing does not already guarantee,
 * and its conditions as a small tree of specialised nodes: attribute paths
 * off the request's variables read the entities the request resolved once,
 * `in` tests go straight to an ancestor table, sets of literals are folded
 * at compile time, and anything else is a node that runs the AST evaluator.
 *
 * The fast path never reports an error itself. Whenever it meets a case the
 * AST evaluator would treat specially (an error, a missing attribute or
 * entity, an unexpected type) it gives up (CP_BAIL) and the authorizer
 * evaluates that policy with eval_policy, which produces the exact result
 * and message. Evaluation has no side effects, so evaluating twice is safe;
 * the fast path answers only when it agrees with eval_policy.
 */
#ifndef WARD_CEDAR_COMPILE_H
#define WARD_CEDAR_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/eval.h"
#include "util/arena.h"

typedef struct wcnode wcnode;

/* A scope check left for the fast path. */
typedef struct wcscope {
	uint8_t op;       /* wscopeop; WSC_ANY when nothing is left to check */
	const wsym *type; /* WSC_IS, WSC_IS_IN */
	wuid uid;         /* WSC_EQ, WSC_IN, WSC_IS_IN (slots resolved) */
	const wuid *list; /* WSC_IN_SET */
	uint32_t nlist;
} wcscope;

typedef struct wcpolicy {
	const wpolicy *p;        /* the policy in the set */
	bool generic;            /* not compiled: always use eval_policy */
	bool scoped;             /* some scope below is not WSC_ANY */
	wcscope principal, action, resource;
	const wcnode **conds;    /* compiled bodies, in order */
	const bool *is_when;
	uint32_t nconds;
} wcpolicy;

/* Which scope the index filing already guarantees (no check needed). */
enum { CP_GUARD_NONE, CP_GUARD_PRINCIPAL, CP_GUARD_RESOURCE, CP_GUARD_ACTION, CP_GUARD_PRINCIPAL_RESOURCE };

/* Compiles policy p into *out, in arena a. `guard` names the scope the
 * index guarantees for every request p is a candidate for (CP_GUARD_*); a
 * guaranteed `is T in E` still checks T. */
void compile_policy(warena *a, const wpolicy *p, int guard, wcpolicy *out);

enum { CP_NO = 0, CP_YES = 1, CP_BAIL = -1 };

/* Does the compiled policy apply? CP_YES / CP_NO, or CP_BAIL when the
 * caller must decide it with eval_policy. `ev` must be eval_resolve()d. */
int compile_applies(weval *ev, const wcpolicy *cp);

#endif
