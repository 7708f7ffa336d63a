/* fuzz_policy_json: the JSON policy format (policy_json.h) -> AST -> back.
 *
 * The input goes through policyset_parse_any, so it is read as a JSON
 * policy (set) when it starts with '{' and as Cedar text otherwise. A set
 * that loads is printed as JSON, which must read back to the same AST (ids
 * included), and formatted as Cedar text, which must parse. A violation
 * aborts so the fuzzer reports it. Duplicate ids, bad operators, slots in
 * static policies and broken links are ordinary errors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/unit/ast_eq.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "fuzz.h"

static void fail(const char *what, const char *why, const wbuf *text)
{
	fprintf(stderr, "fuzz_policy_json: %s%s%s\n%.*s\n", what, why ? ": " : "", why ? why : "",
		text ? (int)text->n : 0, text ? text->p : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wctx cx;
	ctx_init(&cx);
	wdiags d;
	diags_init(&d);
	wpolicyset ps;
	policyset_init(&ps);
	if (policyset_parse_any(&cx, &ps, "fuzz.json", (const char *)data, size, &d) == 0) {
		/* JSON out and back */
		wbuf js = WBUF_INIT;
		policyset_json_print(&ps, &js);
		wpolicyset back;
		policyset_init(&back);
		wdiags d2;
		diags_init(&d2);
		if (policyset_parse_json(&cx, &back, "back.json", js.p, js.n, &d2) != 0) {
			wbuf m = WBUF_INIT;
			diags_render(&d2, &m);
			fail("printed JSON does not read back", m.p, &js);
		}
		wbuf why = WBUF_INIT;
		if (!aeq_policyset(&ps, &back, true, &why))
			fail("printed JSON reads back to a different AST", why.p, &js);
		buf_release(&why);
		diags_release(&d2);
		policyset_release(&back);
		buf_release(&js);

		/* Cedar text of the same set */
		wbuf txt = WBUF_INIT;
		format_policyset(&ps, NULL, &txt);
		wpolicyset again;
		policyset_init(&again);
		diags_init(&d2);
		if (parse_policies(&cx, &again, "formatted.cedar", txt.p, txt.n, &d2) != 0) {
			wbuf m = WBUF_INIT;
			diags_render(&d2, &m);
			fail("formatted JSON policies do not parse", m.p, &txt);
		}
		diags_release(&d2);
		policyset_release(&again);
		buf_release(&txt);
	}
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	buf_release(&b);
	diags_release(&d);
	policyset_release(&ps);
	ctx_release(&cx);
	return 0;
}
