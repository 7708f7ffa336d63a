/* parser: Cedar policy text -> AST (ast.h).
 *
 * A hand-written recursive-descent parser over a lexer (lexer.h). It reports
 * every syntax error it can recover from (skipping to the next `;` at the top
 * level), each located, and rejects nesting deeper than WARD_MAX_NESTING so a
 * hostile input cannot overflow the C stack.
 */
#ifndef WARD_CEDAR_PARSER_H
#define WARD_CEDAR_PARSER_H

#include <stddef.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "util/diag.h"

/* Maximum nesting of expressions (parentheses, brackets, operators chained
 * by recursion). Documented in docs/ARCHITECTURE.md. */
#define WARD_MAX_NESTING 256

void policyset_init(wpolicyset *ps);
void policyset_release(wpolicyset *ps);
/* Appends a policy (already allocated in ps->arena). */
void policyset_push(wpolicyset *ps, wpolicy *p);

/* Parses every policy and template in `text` and appends them to `ps`,
 * with positional ids "policyN" (N = index in the set). The text is copied
 * into ps's arena (the wsource lives there too). Returns the number of
 * errors appended to `d`; on errors, the policies that did parse are still
 * appended, but callers treat the set as unusable. */
int parse_policies(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d);

/* Renames policies to their @id("...") annotation where they have one.
 * Returns the number of errors (duplicate ids) appended to `d`. */
int policyset_use_annotation_ids(wpolicyset *ps, wdiags *d);

/* Parses a single expression (for `ward evaluate`). The source must outlive
 * the result; nodes go into `a`. NULL on error (diagnostics in `d`). */
wexpr *parse_expr(wctx *cx, warena *a, const wsource *src, wdiags *d);

/* Parses an entity uid such as `NS::User::"alice"`. Returns 0 or -1 with
 * diagnostics in `d`. */
int parse_uid(wctx *cx, const wsource *src, wuid *out, wdiags *d);

/* Parses a (possibly namespaced) name such as `NS::User` into a symbol.
 * Returns NULL on error. */
const wsym *parse_name(wctx *cx, const char *text, size_t len);

#endif
