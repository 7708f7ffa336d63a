/* fuzz_entities: entities JSON -> entity store, with and without a schema
 * (first byte), then one authorization against the store. */
#include "fuzz.h"

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
	fuzz_fixture_free(s, fixed_es, p);
	ward_diags_free(d);
	ward_engine_free(e);
	return 0;
}
