/* fuzz_schema_json: the JSON schema format -> schema model, then
 * schema-directed loading of a fixed entity list against it. Auto-detection
 * is exercised too: the same bytes are parsed as WARD_SCHEMA_AUTO. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = ward_schema_parse(e, "fuzz.cedarschema.json", (const char *)data, size, WARD_SCHEMA_JSON, d);
	if (s) {
		ward_entities_free(ward_entities_parse(e, s, "fixture.json", fuzz_entities, sizeof fuzz_entities - 1, d));
		ward_schema_free(s);
	}
	ward_schema_free(ward_schema_parse(e, "fuzz.schema", (const char *)data, size, WARD_SCHEMA_AUTO, d));
	fuzz_render(d);
	ward_diags_free(d);
	ward_engine_free(e);
	return 0;
}
