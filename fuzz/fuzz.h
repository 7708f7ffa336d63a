/* fuzz: shared fixture of the libFuzzer targets.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput() over the public
 * API (ward/ward.h) where it covers the format, else over the library
 * modules (src/; the governance targets share fuzz_repo.h), so the same
 * entry function is linked either with libFuzzer (WARD_FUZZ=ON) or with
 * replay.c, which feeds it the seed corpus and the kept regression inputs
 * under ctest. A target must never crash,
 * hang or leak, whatever the bytes; errors are just diagnostics.
 */
#ifndef WARD_FUZZ_FUZZ_H
#define WARD_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ward/ward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small schema, entities and policies that the targets evaluate against,
 * so that fuzzed inputs reach the evaluator and authorizer too. */
static const char fuzz_schema[] =
	"namespace App {\n"
	"  entity Team;\n"
	"  entity User in [Team] { name: String, level: Long, ip?: ipaddr, tags: Set<String> } tags String;\n"
	"  entity Doc in [Team] { owner: User, score: decimal, created: datetime, ttl?: duration };\n"
	"  action view, edit appliesTo { principal: User, resource: Doc,\n"
	"    context: { mfa: Bool, src?: ipaddr, at?: datetime } };\n"
	"}\n";

static const char fuzz_entities[] =
	"[{\"uid\":{\"type\":\"App::Team\",\"id\":\"t\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"App::User\",\"id\":\"alice\"},\"attrs\":{\"name\":\"Alice\",\"level\":3,"
	"\"ip\":\"10.0.0.1\",\"tags\":[\"a\",\"b\"]},\"parents\":[{\"type\":\"App::Team\",\"id\":\"t\"}],"
	"\"tags\":{\"k\":\"v\"}},"
	"{\"uid\":{\"type\":\"App::Doc\",\"id\":\"d\"},\"attrs\":{\"owner\":{\"type\":\"App::User\",\"id\":\"alice\"},"
	"\"score\":\"1.5\",\"created\":\"2024-01-01\"},\"parents\":[{\"type\":\"App::Team\",\"id\":\"t\"}]}]";

static const char fuzz_policies[] =
	"@id(\"p\") permit(principal in App::Team::\"t\", action == App::Action::\"view\", resource)\n"
	"  when { resource.owner == principal && principal.level > 2 && context.mfa };\n"
	"forbid(principal, action, resource) when { principal has ip && !principal.ip.isInRange(ip(\"10.0.0.0/8\")) };\n"
	"permit(principal, action in [App::Action::\"edit\"], resource is App::Doc)\n"
	"  when { resource.score.greaterThan(decimal(\"1.0\")) && principal.getTag(\"k\") like \"v*\" };\n";

/* Builds the fixture with engine `e`; any part may be NULL if the engine
 * modules reject it (the targets then skip the steps needing it). */
static inline void fuzz_fixture(ward_engine *e, ward_schema **s, ward_entities **es, ward_policies **p)
{
	ward_diags *d = ward_diags_new();
	*s = ward_schema_parse(e, "fixture.cedarschema", fuzz_schema, sizeof fuzz_schema - 1, WARD_SCHEMA_CEDAR, d);
	*es = *s ? ward_entities_parse(e, *s, "fixture.json", fuzz_entities, sizeof fuzz_entities - 1, d) : NULL;
	*p = ward_policies_parse(e, "fixture.cedar", fuzz_policies, sizeof fuzz_policies - 1, WARD_IDS_ANNOTATION, d);
	ward_diags_free(d);
}

static inline void fuzz_fixture_free(ward_schema *s, ward_entities *es, ward_policies *p)
{
	ward_policies_free(p);
	ward_entities_free(es);
	ward_schema_free(s);
}

/* Renders every diagnostic (the rendering code is fuzzed too). */
static inline void fuzz_render(ward_diags *d)
{
	ward_free(ward_diags_render(d, 0));
	ward_free(ward_diags_render_json(d, 0));
	for (size_t i = 0; i < ward_diags_count(d); i++)
		ward_free(ward_diags_line(d, i));
}

/* Exercises a response's accessors and JSON form. */
static inline void fuzz_response(ward_response *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < ward_response_reason_count(r); i++)
		(void)strlen(ward_response_reason(r, i));
	for (size_t i = 0; i < ward_response_error_count(r); i++)
		(void)strlen(ward_response_error_message(r, i));
	ward_free(ward_response_json(r));
	ward_response_free(r);
}

#endif
