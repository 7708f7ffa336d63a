/* fuzz_policy: Cedar policy text -> parser, annotation ids, authorizer.
 *
 * The first byte picks positional or @id naming; the rest is the policy
 * text. Policies that parse are evaluated for two fixed requests, so the
 * evaluator sees fuzzed expressions as well.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	ward_ids ids = data[0] & 1 ? WARD_IDS_POSITIONAL : WARD_IDS_ANNOTATION;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s;
	ward_entities *es;
	ward_policies *fixed;
	fuzz_fixture(e, &s, &es, &fixed);

	ward_policies *p = ward_policies_parse(e, "fuzz.cedar", text, len, ids, d);
	if (p) {
		for (size_t i = 0; i < ward_policies_count(p); i++)
			(void)strlen(ward_policies_id(p, i));
		static const char ctx[] = "{\"mfa\": true, \"src\": \"192.168.0.1\"}";
		ward_request *r = ward_request_new(e, s, "App::User::\"alice\"", "App::Action::\"view\"",
						   "App::Doc::\"d\"", "ctx", ctx, sizeof ctx - 1, 0, d);
		if (r) {
			fuzz_response(ward_authorize(e, p, es, r));
			fuzz_response(ward_authorize(e, p, NULL, r));
		}
		ward_request_free(r);
		ward_policies_free(p);
	}
	fuzz_render(d);
	fuzz_fixture_free(s, es, fixed);
	ward_diags_free(d);
	ward_engine_free(e);
	return 0;
}
