/* smt: comparing residual conditions with the Z3 SMT solver.
 *
 * The entitlement diff (diff.h) decides cells with the request context
 * unknown; a cell that is conditional on both sides has two residual
 * conditions (residual.h). Two conditions that differ as text may still
 * allow exactly the same contexts (a reordered `&&`, `!(x >= 5)` vs `x < 5`),
 * or one may allow a subset of the other. smt_compare translates both into
 * Z3 terms and decides which.
 *
 * The meaning compared is the one that matters to authorization: the set of
 * contexts for which the condition evaluates to `true` (an error and `false`
 * both leave the cell denied). Errors are modelled, not assumed away: every
 * translated expression carries a term saying that its evaluation succeeds
 * and a type tag, so a missing attribute, a type error or an overflow makes
 * the condition not true exactly as in Cedar. Context attributes are free:
 * any type, present or not (no schema is assumed), so an implication proved
 * here holds for every context the schema allows too. A strict difference
 * is witnessed by some context, which may be one the schema would reject.
 *
 * Supported: bool, long, string and entity literals and context attribute
 * paths (context.a.b, also through entity-valued attributes); &&, ||, !,
 * if-then-else; ==, != on any of those; <, <=, >, >= on longs, datetimes and
 * durations; +, - and * by a literal on longs (with overflow); unary -;
 * `has`; the decimal comparison methods; isIpv4, isIpv6, isLoopback and
 * isInRange on ip addresses (CIDR ranges as bit-vectors); the residual's
 * error("...") calls. Anything else (sets, records, `in`, `like`, `is`, tags,
 * other extension functions) makes the answer WSMT_UNKNOWN.
 *
 * Determinism: each query runs under a fixed Z3 resource limit (rlimit, not
 * a wall-clock timeout), so the answer does not depend on machine load.
 * Z3 errors never abort: they make the answer WSMT_UNKNOWN.
 */
#ifndef WARD_ANALYSIS_SMT_H
#define WARD_ANALYSIS_SMT_H

#include <stdint.h>

#include "cedar/ast.h"

typedef enum wsmt_rel {
	WSMT_UNKNOWN,    /* not decided: unsupported construct, or the solver gave up */
	WSMT_EQUIVALENT, /* allow exactly the same contexts */
	WSMT_NARROWED,   /* head implies base, not the reverse */
	WSMT_WIDENED,    /* base implies head, not the reverse */
	WSMT_CHANGED,    /* neither implies the other */
} wsmt_rel;

/* One Z3 context and a cache of answers, for one diff run. */
typedef struct wsmt wsmt;

/* The resource limit of one solver query (Z3 rlimit units). */
#define WSMT_RLIMIT 2000000u

wsmt *smt_new(void);
void smt_free(wsmt *s);

/* How `head` relates to `base`, both residual conditions (boolean
 * positions). `base_key` / `head_key` identify the conditions exactly (their
 * formatted text): answers are cached by the pair, so the same pair is not
 * solved twice. Either key may be NULL (no caching). */
wsmt_rel smt_compare(wsmt *s, const wexpr *base, const char *base_key, const wexpr *head, const char *head_key);

/* "equivalent", "narrowed", "widened", "changed", "unknown". */
const char *smt_rel_name(wsmt_rel r);

/* Queries actually sent to the solver (cache misses), for tests. */
uint64_t smt_queries(const wsmt *s);

#endif
