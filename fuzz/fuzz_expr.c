/* fuzz_expr: one Cedar expression -> parse_expr and the evaluator.
 *
 * The input is an expression as `ward evaluate` takes it. It is checked,
 * then evaluated against the fixture entity store (fuzz.h) for a fixed
 * request, and once without entities and request: evaluation must end in a
 * value or an evaluation error, never a crash or a hang. The engine, schema,
 * entities and request are built once per process (fuzz drivers may keep
 * their own statics; the library has none).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"

static ward_engine *E;
static ward_schema *S;
static ward_entities *ES;
static ward_request *R;

static void setup(void)
{
	static bool ready;
	if (ready)
		return;
	ready = true;
	E = ward_engine_new();
	ward_policies *p;
	fuzz_fixture(E, &S, &ES, &p);
	ward_policies_free(p);
	ward_diags *d = ward_diags_new();
	static const char ctx[] = "{\"mfa\": true, \"src\": \"192.168.0.1\", \"at\": \"2024-05-01T10:00:00Z\"}";
	R = ward_request_new(E, S, "App::User::\"alice\"", "App::Action::\"view\"", "App::Doc::\"d\"", "ctx", ctx,
			     sizeof ctx - 1, 0, d);
	ward_diags_free(d);
	if (!S || !ES || !R)
		abort(); /* the fixture must load, or this target tests nothing */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	const char *text = (const char *)data;
	ward_diags *d = ward_diags_new();
	if (ward_expr_check(E, "fuzz.expr", text, size, d) == 0) {
		ward_free(ward_evaluate(E, "fuzz.expr", text, size, ES, R, d));
		ward_free(ward_evaluate(E, "fuzz.expr", text, size, NULL, NULL, d));
	}
	fuzz_render(d);
	ward_diags_free(d);
	return 0;
}
