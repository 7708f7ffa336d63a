/* format: the canonical text layout of Cedar policies.
 *
 * Renders policies from the AST (ast.h) in the style of the reference
 * formatter: annotations on their own lines, the effect and the scope
 * (on one line when no scope element has `==`/`in`, else one element per
 * line), each `when`/`unless` block on its own line with its condition
 * indented when it does not fit, `&&`/`||` chains broken one operand per
 * line, one blank line between policies. The layout is a small Wadler-style
 * pretty printer: a document of texts, breakable lines, groups and nesting
 * is built from the AST, then laid out to a line width.
 *
 * Comments are kept: the parser records every `// ...` span, and each one is
 * emitted just before the first token that followed it in the source, as a
 * trailing comment when it shared a line with earlier code and on its own
 * line otherwise. Formatting is idempotent: format(format(x)) == format(x).
 *
 * Parentheses come from operator precedence (the AST does not keep them),
 * so redundant ones disappear and required ones are always present.
 */
#ifndef WARD_CEDAR_FORMAT_H
#define WARD_CEDAR_FORMAT_H

#include <stddef.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "util/buf.h"
#include "util/diag.h"

#define WFMT_DEFAULT_WIDTH 80
#define WFMT_DEFAULT_INDENT 2

typedef struct wfmt_opts {
	unsigned line_width; /* target maximum columns (0: default) */
	unsigned indent;     /* spaces per nesting level (0: default) */
} wfmt_opts;

void format_opts_default(wfmt_opts *o);

/* Appends the whole policy set (static policies and templates; linked
 * policies have no text form and are skipped). Comments are kept when the
 * set was parsed from exactly one source. `o` may be NULL (defaults).
 * The output ends with a newline unless it is empty. */
void format_policyset(const wpolicyset *ps, const wfmt_opts *o, wbuf *out);

/* Appends one policy without comments and without a final newline. */
void format_policy(const wpolicy *p, const wfmt_opts *o, wbuf *out);

/* Appends one expression laid out at column 0. */
void format_expr(const wexpr *e, const wfmt_opts *o, wbuf *out);

/* Parses `text` into `ps` (initialised by the caller, released by the
 * caller after the diagnostics, which point into it, have been used) and
 * appends its formatted form. On parse errors returns the number of errors
 * (diagnostics in `d`) and appends nothing. */
int format_source(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, const wfmt_opts *o,
		  wbuf *out, wdiags *d);

/* Cedar string literal syntax for arbitrary bytes: quotes included, with
 * `"`, `\`, and control characters escaped (shared with schema printing). */
void format_cedar_str(wbuf *out, const char *s, size_t n);
/* An entity uid in Cedar syntax: `NS::Type::"id"`. */
void format_uid(wbuf *out, wuid uid);
/* The parser reads `e has a.b.c` as (e has a) && (e.a has b) && (e.a.b has c)
 * with `e` and the `e.a...` prefixes shared. Recognises that shape (shared
 * pointers, identifier names, at most WFMT_HAS_PATH_MAX names) so it can be
 * written back as `e has a.b.c` (or JSON "attr": ["a", "b", "c"]). Returns
 * the path length (>= 2) and fills *root and names[], or 0. */
#define WFMT_HAS_PATH_MAX 32
uint32_t format_has_path(const wexpr *e, const wexpr **root, const wsym **names);

/* True when `s` is an identifier that may be written unquoted as an
 * attribute name (not a reserved word). */
int format_is_ident(const char *s, size_t n);

#endif
