/* diag: located diagnostics (errors and warnings) collected, then rendered.
 *
 * Every token and AST node carries a byte span into its source. Parsers and
 * checkers append diagnostics to a wdiags list instead of stopping, so a
 * user sees every problem at once. Rendering computes line and column
 * (1-based; columns count Unicode scalar values) and prints
 *
 *     file:line:col: error: message
 *        3 | permit(principal == Usr::"alice", action, resource);
 *          |                     ^^^
 *
 * Diagnostics own their message (heap) and borrow their wsource, which must
 * outlive them.
 */
#ifndef WARD_UTIL_DIAG_H
#define WARD_UTIL_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/buf.h"

typedef struct wspan {
	uint32_t start; /* byte offset of the first byte */
	uint32_t end;   /* byte offset one past the last byte */
} wspan;

/* A named text being parsed. Borrowed by spans and diagnostics. */
typedef struct wsource {
	const char *name; /* file name as given by the user, or "<stdin>" etc. */
	const char *text; /* contents (need not be NUL-terminated) */
	size_t len;
} wsource;

typedef enum wseverity { WSEV_ERROR, WSEV_WARNING, WSEV_NOTE } wseverity;

typedef struct wdiag {
	wseverity sev;
	const wsource *src; /* may be NULL for diagnostics without a location */
	wspan span;
	char *msg;       /* heap, owned */
	char *policy_id; /* heap, owned; NULL when not about one policy */
} wdiag;

typedef struct wdiags {
	wdiag *items;
	size_t n, cap;
	size_t nerrors; /* items with sev == WSEV_ERROR */
} wdiags;

void diags_init(wdiags *d);
void diags_release(wdiags *d);

/* Appends a diagnostic; returns it so callers may set policy_id. */
wdiag *diag_add(wdiags *d, wseverity sev, const wsource *src, wspan span, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;
wdiag *diag_vadd(wdiags *d, wseverity sev, const wsource *src, wspan span, const char *fmt, va_list ap);

/* 1-based line and column (in Unicode scalar values) of a byte offset. */
void source_linecol(const wsource *src, uint32_t off, uint32_t *line, uint32_t *col);

/* Renders one/all diagnostics with source line and caret. */
void diag_render(const wdiag *d, wbuf *out);
void diags_render(const wdiags *d, wbuf *out);
void diags_print(const wdiags *d, FILE *f);

#endif
