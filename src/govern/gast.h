/* gast: small AST helpers shared by templates, drafting and matching. */
#ifndef WARD_GOVERN_GAST_H
#define WARD_GOVERN_GAST_H

#include <stddef.h>

#include "cedar/ast.h"

/* The direct children of an expression, in source order; returns how many
 * were stored (at most `max`; a call or set may have more: use the union). */
size_t gast_children(const wexpr *e, wexpr ***list);

/* If `e` is a parameter sentinel (`"__ward_p_x"` or ip/datetime/duration of
 * one), returns the parameter name and its length; NULL otherwise. */
const char *gast_sentinel(const wexpr *e, size_t *n);

/* Pre-order walk; `fn` returns non-zero to skip the node's children. */
typedef int (*gast_visit_fn)(const wexpr *e, void *ud);
void gast_walk(const wexpr *e, gast_visit_fn fn, void *ud);

#endif
