/* fuzz_validate: policies + schema pairs -> the validator (validate.h).
 *
 * The input is "SCHEMA\n%%\nPOLICIES" (schema in either format); without
 * the separator it is used as policies against the fixture schema and as a
 * schema against the fixture policies. Each pair that parses is validated
 * in strict and permissive mode and with level validation, and the issues
 * are rendered. The validator has no public API entry yet, so this target
 * uses the library modules directly.
 */
#include <stdlib.h>
#include <string.h>

#include "cedar/parser.h"
#include "cedar/schema.h"
#include "cedar/validate.h"
#include "fuzz.h"

static void pair(const char *stext, size_t slen, const char *ptext, size_t plen)
{
	wctx cx;
	ctx_init(&cx);
	wdiags d;
	diags_init(&d);
	wschema s;
	schema_init(&s);
	wpolicyset ps;
	policyset_init(&ps);
	if (schema_parse(&cx, &s, "fuzz.cedarschema", stext, slen, &d) == 0 &&
	    parse_policies(&cx, &ps, "fuzz.cedar", ptext, plen, &d) == 0) {
		static const wvalidate_opts modes[] = {{WVMODE_STRICT, -1}, {WVMODE_PERMISSIVE, 1}, {WVMODE_STRICT, 0},
						       {WVMODE_STRICT, 2}};
		for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
			wvalidation v;
			validation_init(&v);
			validate_policyset(&cx, &s, &ps, &modes[i], &v);
			wdiags vd;
			diags_init(&vd);
			validation_to_diags(&v, &vd);
			wbuf b = WBUF_INIT;
			diags_render(&vd, &b);
			buf_release(&b);
			diags_release(&vd);
			validation_release(&v);
		}
	}
	policyset_release(&ps);
	schema_release(&s);
	diags_release(&d);
	ctx_release(&cx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *sep = NULL;
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(text + i, "\n%%\n", 4) == 0) {
			sep = text + i;
			break;
		}
	if (sep) {
		size_t slen = (size_t)(sep - text);
		pair(text, slen, sep + 4, size - slen - 4);
	} else {
		pair(fuzz_schema, sizeof fuzz_schema - 1, text, size);
		pair(text, size, fuzz_policies, sizeof fuzz_policies - 1);
	}
	return 0;
}
