/* fuzz_request: request JSON (single, and as a batch of JSON Lines or an
 * array) -> requests, with and without schema validation (first byte),
 * each decided against the fixture. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned mode = data[0];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s;
	ward_entities *es;
	ward_policies *p;
	fuzz_fixture(e, &s, &es, &p);
	const ward_schema *use = mode & 1 ? s : NULL;
	unsigned flags = mode & 2 ? WARD_REQ_NO_VALIDATION : 0;

	ward_request *r = ward_request_parse_json(e, use, "fuzz.json", text, len, flags, d);
	if (r && p)
		fuzz_response(ward_authorize(e, p, es, r));
	ward_request_free(r);

	ward_batch *b = ward_batch_parse(e, "fuzz.jsonl", text, len, d);
	if (b) {
		for (size_t i = 0; i < ward_batch_count(b) && i < 64; i++) {
			size_t from = ward_diags_count(d);
			ward_request *br = ward_batch_request(b, i, use, flags, d);
			if (br && p)
				fuzz_response(ward_authorize(e, p, es, br));
			else if (!br)
				ward_free(ward_error_json(d, from));
			ward_request_free(br);
		}
		ward_batch_free(b);
	}
	fuzz_render(d);
	fuzz_fixture_free(s, es, p);
	ward_diags_free(d);
	ward_engine_free(e);
	return 0;
}
