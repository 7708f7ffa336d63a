/* fuzz_entities: entities JSON -> entity store, with and without a schema
 * (first byte), then one authorization against the store. The same text
 * also goes through both loaders of the library (the fast single-pass
 * reader and the careful one): when they accept it, the stores must be the
 * same, else the target aborts. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "cedar/entities.h"
#include "cedar/schema.h"

static void loaders_agree(const char *text, size_t len, int with_schema)
{
	wctx cx;
	ctx_init(&cx);
	wschema sch;
	schema_init(&sch);
	wdiags d;
	diags_init(&d);
	bool have_schema = schema_parse(&cx, &sch, "fixture.cedarschema", fuzz_schema, sizeof fuzz_schema - 1, &d) == 0;
	const wschema *s = with_schema && have_schema ? &sch : NULL;
	wentities fast, careful;
	entities_init(&fast);
	entities_init(&careful);
	int ef = entities_load_json(&cx, &fast, s, "fuzz.json", text, len, &d);
	int ec = entities_load_json_careful(&cx, &careful, s, "fuzz.json", text, len, &d);
	if ((ef == 0) != (ec == 0)) {
		fprintf(stderr, "fuzz_entities: loaders disagree on acceptance (%d vs %d errors)\n", ef, ec);
		abort();
	}
	if (ef == 0) {
		wbuf a = WBUF_INIT, b = WBUF_INIT;
		entities_dump(&fast, &a);
		entities_dump(&careful, &b);
		if (a.n != b.n || (a.n && memcmp(a.p, b.p, a.n) != 0)) {
			fprintf(stderr, "fuzz_entities: loaders disagree:\n--- fast\n%s--- careful\n%s", a.p ? a.p : "",
				b.p ? b.p : "");
			abort();
		}
		buf_release(&a);
		buf_release(&b);
	}
	entities_release(&fast);
	entities_release(&careful);
	diags_release(&d);
	schema_release(&sch);
	ctx_release(&cx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int with_schema = data[0] & 1;
	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s;
	ward_entities *fixed_es;
	ward_policies *p;
	fuzz_fixture(e, &s, &fixed_es, &p);

	ward_entities *es = ward_entities_parse(e, with_schema ? s : NULL, "fuzz.json", (const char *)data + 1, size - 1, d);
	if (es) {
		(void)ward_entities_count(es);
		ward_request *r = ward_request_new(e, NULL, "App::User::\"alice\"", "App::Action::\"view\"",
						   "App::Doc::\"d\"", "ctx", "{\"mfa\": true}", 13, 0, d);
		if (r && p)
			fuzz_response(ward_authorize(e, p, es, r));
		ward_request_free(r);
		ward_entities_free(es);
	}
	fuzz_render(d);
	loaders_agree((const char *)data + 1, size - 1, with_schema);
	fuzz_fixture_free(s, fixed_es, p);
	ward_diags_free(d);
	ward_engine_free(e);
	return 0;
}
