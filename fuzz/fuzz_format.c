/* fuzz_format: the formatter round trip (format.h).
 *
 * The first byte picks the line width and indent, the rest is Cedar policy
 * text. When it parses: its formatted form must parse, to the same AST
 * (ids and annotations included, comments and spans aside), and formatting
 * must be idempotent: format(format(x)) == format(x). A violation aborts so
 * the fuzzer reports it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/unit/ast_eq.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "fuzz.h"

static void fail(const char *what, const char *why, const wbuf *a, const wbuf *b)
{
	fprintf(stderr, "fuzz_format: %s%s%s\n--- first\n%.*s\n--- second\n%.*s\n", what, why ? ": " : "",
		why ? why : "", a ? (int)a->n : 0, a ? a->p : "", b ? (int)b->n : 0, b ? b->p : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const unsigned widths[] = {0, 40, 20, 120, 1, 80, 60, 100};
	wfmt_opts o;
	format_opts_default(&o);
	if (widths[data[0] & 7])
		o.line_width = widths[data[0] & 7];
	o.indent = (data[0] >> 3) & 1 ? 4 : 2;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	wctx cx;
	ctx_init(&cx);
	wdiags d;
	diags_init(&d);
	wpolicyset ps;
	policyset_init(&ps);
	wbuf once = WBUF_INIT;
	if (format_source(&cx, &ps, "fuzz.cedar", text, len, &o, &once, &d) == 0) {
		wpolicyset ps2;
		policyset_init(&ps2);
		wdiags d2;
		diags_init(&d2);
		wbuf twice = WBUF_INIT;
		if (format_source(&cx, &ps2, "once.cedar", once.p ? once.p : "", once.n, &o, &twice, &d2) != 0) {
			wbuf m = WBUF_INIT;
			diags_render(&d2, &m);
			fail("formatted text does not parse", m.p, &once, NULL);
		}
		wbuf why = WBUF_INIT;
		if (!aeq_policyset(&ps, &ps2, true, &why))
			fail("formatted text parses to a different AST", why.p, &once, NULL);
		if (once.n != twice.n || (once.n && memcmp(once.p, twice.p, once.n) != 0))
			fail("formatting is not idempotent", NULL, &once, &twice);
		buf_release(&why);
		buf_release(&twice);
		diags_release(&d2);
		policyset_release(&ps2);
	}
	buf_release(&once);
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	buf_release(&b);
	diags_release(&d);
	policyset_release(&ps);
	ctx_release(&cx);
	return 0;
}
