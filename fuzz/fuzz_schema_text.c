/* fuzz_schema_text: the Cedar schema text format -> schema model, then
 * schema-directed loading of a fixed entity list against it. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = ward_schema_parse(e, "fuzz.cedarschema", (const char *)data, size, WARD_SCHEMA_CEDAR, d);
	if (s) {
		(void)ward_schema_entity_type_count(s);
		(void)ward_schema_action_count(s);
		ward_entities_free(ward_entities_parse(e, s, "fixture.json", fuzz_entities, sizeof fuzz_entities - 1, d));
		ward_entities_free(ward_entities_empty(e, s, d));
		ward_schema_free(s);
	}
	fuzz_render(d);
	ward_diags_free(d);
	ward_engine_free(e);
	return 0;
}
