/* test_api: the public API (include/ward/ward.h) as an embedding program
 * sees it: objects, decisions, batches, evaluation, and errors as values
 * whose diagnostics outlive the objects they were reported against. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ward/ward.h"

static const char policies[] =
	"@id(\"alice-views\")\n"
	"permit(principal == User::\"alice\", action == Action::\"view\", resource);\n"
	"@id(\"no-private\")\n"
	"forbid(principal, action, resource) when { resource.private };\n"
	"permit(principal, action == Action::\"edit\", resource) when { resource.size + 9223372036854775807 > 0 };\n";

static const char entities[] =
	"[{\"uid\": {\"type\": \"Photo\", \"id\": \"a\"}, \"attrs\": {\"private\": false, \"size\": 1}, \"parents\": []},"
	" {\"uid\": {\"type\": \"Photo\", \"id\": \"b\"}, \"attrs\": {\"private\": true, \"size\": 1}, \"parents\": []}]";

static const char schema_text[] =
	"entity User;\n"
	"entity Photo { private: Bool, size: Long };\n"
	"action view, edit appliesTo { principal: User, resource: Photo, context: { n?: Long } };\n";

static ward_engine *e;
static ward_diags *d;

static void setup(void)
{
	e = ward_engine_new();
	d = ward_diags_new();
}

static void teardown(void)
{
	ward_diags_free(d);
	ward_engine_free(e);
}

TestSuite(api, .init = setup, .fini = teardown);

static ward_policies *load_policies(ward_ids ids)
{
	ward_policies *p = ward_policies_parse(e, "p.cedar", policies, strlen(policies), ids, d);
	cr_assert_not_null(p, "policies should parse");
	return p;
}

static ward_entities *load_entities(const ward_schema *s)
{
	ward_entities *es = ward_entities_parse(e, s, "e.json", entities, strlen(entities), d);
	cr_assert_not_null(es);
	return es;
}

static ward_request *req(const char *principal, const char *action, const char *resource)
{
	ward_request *r = ward_request_new(e, NULL, principal, action, resource, NULL, NULL, 0, 0, d);
	cr_assert_not_null(r);
	return r;
}

static void assert_json(ward_response *r, const char *want)
{
	char *j = ward_response_json(r);
	cr_assert_str_eq(j, want);
	ward_free(j);
}

Test(api, version)
{
	cr_assert_str_eq(ward_version(), WARD_VERSION_STRING);
}

Test(api, policy_ids_annotation_and_positional)
{
	ward_policies *p = load_policies(WARD_IDS_ANNOTATION);
	cr_assert_eq(ward_policies_count(p), 3);
	cr_assert_str_eq(ward_policies_id(p, 0), "alice-views");
	cr_assert_str_eq(ward_policies_id(p, 1), "no-private");
	cr_assert_str_eq(ward_policies_id(p, 2), "policy2");
	cr_assert_eq(ward_policies_effect(p, 1), WARD_FORBID);
	cr_assert_eq(ward_policies_effect(p, 0), WARD_PERMIT);
	cr_assert_not(ward_policies_is_template(p, 0));
	cr_assert_null(ward_policies_id(p, 3));
	ward_policies_free(p);

	p = load_policies(WARD_IDS_POSITIONAL);
	cr_assert_str_eq(ward_policies_id(p, 0), "policy0");
	cr_assert_str_eq(ward_policies_id(p, 1), "policy1");
	ward_policies_free(p);
	cr_assert_eq(ward_diags_count(d), 0);
}

Test(api, allow_deny_reasons_errors)
{
	ward_policies *p = load_policies(WARD_IDS_ANNOTATION);
	ward_entities *es = load_entities(NULL);

	ward_request *r = req("User::\"alice\"", "Action::\"view\"", "Photo::\"a\"");
	ward_response *resp = ward_authorize(e, p, es, r);
	cr_assert_eq(ward_response_decision(resp), WARD_ALLOW);
	cr_assert_eq(ward_response_reason_count(resp), 1);
	cr_assert_str_eq(ward_response_reason(resp, 0), "alice-views");
	cr_assert_eq(ward_response_error_count(resp), 0);
	assert_json(resp, "{\"decision\":\"allow\",\"reasons\":[\"alice-views\"],\"errors\":[]}");
	ward_response_free(resp);
	ward_request_free(r);

	r = req("User::\"alice\"", "Action::\"view\"", "Photo::\"b\"");
	resp = ward_authorize(e, p, es, r);
	assert_json(resp, "{\"decision\":\"deny\",\"reasons\":[\"no-private\"],\"errors\":[]}");
	ward_response_free(resp);
	ward_request_free(r);

	/* policy2 overflows: it errors and does not apply */
	r = req("User::\"bob\"", "Action::\"edit\"", "Photo::\"a\"");
	resp = ward_authorize(e, p, es, r);
	cr_assert_eq(ward_response_decision(resp), WARD_DENY);
	cr_assert_eq(ward_response_reason_count(resp), 0);
	cr_assert_eq(ward_response_error_count(resp), 1);
	cr_assert_str_eq(ward_response_error_policy(resp, 0), "policy2");
	cr_assert(strlen(ward_response_error_message(resp, 0)) > 0);
	char *j = ward_response_json(resp);
	static const char want[] = "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[{\"policy\":\"policy2\",\"message\":\"";
	cr_assert(strncmp(j, want, sizeof want - 1) == 0, "got %s", j);
	ward_free(j);
	ward_response_free(resp);
	ward_request_free(r);

	ward_entities_free(es);
	ward_policies_free(p);
}

Test(api, authorize_without_entities)
{
	ward_policies *p = load_policies(WARD_IDS_ANNOTATION);
	ward_request *r = req("User::\"alice\"", "Action::\"view\"", "Photo::\"a\"");
	ward_response *resp = ward_authorize(e, p, NULL, r);
	/* alice-views applies; the forbid errors (no such entity) and does not */
	cr_assert_eq(ward_response_decision(resp), WARD_ALLOW);
	cr_assert_eq(ward_response_error_count(resp), 1);
	cr_assert_str_eq(ward_response_error_policy(resp, 0), "no-private");
	ward_response_free(resp);
	ward_request_free(r);
	ward_policies_free(p);
}

Test(api, objects_of_another_engine_are_refused)
{
	ward_policies *p = load_policies(WARD_IDS_ANNOTATION);
	ward_engine *other = ward_engine_new();
	ward_request *r = ward_request_new(other, NULL, "User::\"a\"", "Action::\"view\"", "Photo::\"a\"", NULL, NULL, 0,
					   0, d);
	cr_assert_not_null(r);
	cr_assert_null(ward_authorize(e, p, NULL, r));
	cr_assert_null(ward_authorize(e, NULL, NULL, r));
	ward_request_free(r);
	ward_engine_free(other);
	ward_policies_free(p);
}

Test(api, syntax_errors_outlive_the_failed_parse)
{
	const char bad[] = "permit(principal, action, resource);\nforbid(principal ==, action, resource);\n";
	/* the text is a temporary copy: diagnostics must not point into it */
	char *text = strdup(bad);
	ward_policies *p = ward_policies_parse(e, "bad.cedar", text, strlen(text), WARD_IDS_ANNOTATION, d);
	memset(text, 'x', strlen(text));
	free(text);
	cr_assert_null(p);
	cr_assert_geq(ward_diags_error_count(d), 1);
	const char *file;
	unsigned line, col;
	cr_assert_eq(ward_diags_location(d, 0, &file, &line, &col), 0);
	cr_assert_str_eq(file, "bad.cedar");
	cr_assert_eq(line, 2);
	cr_assert_gt(col, 1);
	cr_assert_str_eq(ward_diags_severity(d, 0), "error");
	char *out = ward_diags_render(d, 0);
	cr_assert(strstr(out, "bad.cedar:2:") == out, "got %s", out);
	cr_assert_not_null(strstr(out, "forbid(principal ==, action, resource);"));
	cr_assert_not_null(strstr(out, "^"));
	ward_free(out);
	char *line1 = ward_diags_line(d, 0);
	cr_assert(strncmp(line1, "bad.cedar:2:", 12) == 0);
	cr_assert_null(strchr(line1, '\n'));
	ward_free(line1);
	char *js = ward_diags_render_json(d, 0);
	static const char want[] = "{\"severity\":\"error\",\"file\":\"bad.cedar\",\"line\":2,\"column\":";
	cr_assert(strncmp(js, want, sizeof want - 1) == 0, "got %s", js);
	ward_free(js);
}

Test(api, missing_file)
{
	size_t len;
	cr_assert_null(ward_read_file("/nonexistent/ward/file", &len, d));
	cr_assert_eq(ward_diags_error_count(d), 1);
	cr_assert_str_eq(ward_diags_message(d, 0), "cannot read '/nonexistent/ward/file': No such file or directory");
	cr_assert_eq(ward_diags_location(d, 0, NULL, NULL, NULL), -1);
	cr_assert_null(ward_policies_load(e, "/nonexistent/ward/file", WARD_IDS_ANNOTATION, d));
	cr_assert_eq(ward_diags_error_count(d), 2);
	ward_diags_clear(d);
	cr_assert_eq(ward_diags_count(d), 0);
}

Test(api, schema_formats_detected)
{
	ward_schema *s = ward_schema_parse(e, "s.cedarschema", schema_text, strlen(schema_text), WARD_SCHEMA_AUTO, d);
	cr_assert_not_null(s);
	cr_assert_eq(ward_schema_entity_type_count(s), 2);
	cr_assert_eq(ward_schema_action_count(s), 2);
	ward_entities *es = ward_entities_empty(e, s, d);
	cr_assert_not_null(es);
	cr_assert_eq(ward_entities_count(es), 2, "the schema's two actions");
	ward_entities_free(es);
	ward_schema_free(s);

	const char json[] = " {\"\": {\"entityTypes\": {\"User\": {}}, \"actions\": {}}}";
	s = ward_schema_parse(e, "s.json", json, strlen(json), WARD_SCHEMA_AUTO, d);
	cr_assert_not_null(s);
	cr_assert_eq(ward_schema_entity_type_count(s), 1);
	ward_schema_free(s);
	/* forcing the wrong format is an error */
	cr_assert_null(ward_schema_parse(e, "s.json", json, strlen(json), WARD_SCHEMA_CEDAR, d));
	cr_assert_geq(ward_diags_error_count(d), 1);
}

Test(api, request_with_schema_validation)
{
	ward_schema *s = ward_schema_parse(e, "s", schema_text, strlen(schema_text), WARD_SCHEMA_CEDAR, d);
	cr_assert_not_null(s);
	ward_request *r = ward_request_new(e, s, "User::\"a\"", "Action::\"view\"", "Photo::\"a\"", "ctx", "{\"n\": 1}", 8,
					   0, d);
	cr_assert_not_null(r);
	ward_request_free(r);
	/* undeclared action: invalid, unless validation is off */
	cr_assert_null(ward_request_new(e, s, "User::\"a\"", "Action::\"delete\"", "Photo::\"a\"", NULL, NULL, 0, 0, d));
	cr_assert_eq(ward_diags_error_count(d), 1);
	r = ward_request_new(e, s, "User::\"a\"", "Action::\"delete\"", "Photo::\"a\"", NULL, NULL, 0,
			     WARD_REQ_NO_VALIDATION, d);
	cr_assert_not_null(r);
	ward_request_free(r);
	/* context of the wrong type for the schema */
	cr_assert_null(ward_request_new(e, s, "User::\"a\"", "Action::\"view\"", "Photo::\"a\"", "ctx", "{\"n\": \"x\"}",
					10, 0, d));
	ward_schema_free(s);
}

Test(api, request_errors)
{
	cr_assert_null(ward_request_new(e, NULL, "User::\"a\"", NULL, "Photo::\"a\"", NULL, NULL, 0, 0, d));
	cr_assert_str_eq(ward_diags_message(d, 0), "a request needs all three of principal, action and resource");

	cr_assert_null(ward_request_new(e, NULL, "User:\"a\"", "Action::\"view\"", "Photo::\"a\"", NULL, NULL, 0, 0, d));
	const char *file;
	cr_assert_eq(ward_diags_location(d, 1, &file, NULL, NULL), 0);
	cr_assert_str_eq(file, "<principal>");

	const char ctx[] = "{\"a\":\n tru}";
	cr_assert_null(ward_request_new(e, NULL, "User::\"a\"", "Action::\"view\"", "Photo::\"a\"", "c.json", ctx,
					strlen(ctx), 0, d));
	unsigned line;
	size_t last = ward_diags_count(d) - 1;
	cr_assert_eq(ward_diags_location(d, last, &file, &line, NULL), 0);
	cr_assert_str_eq(file, "c.json");
	cr_assert_eq(line, 2);

	cr_assert_null(ward_request_new(e, NULL, "User::\"a\"", "Action::\"view\"", "Photo::\"a\"", "c.json", "[1]", 3, 0,
					d));
	cr_assert_not_null(strstr(ward_diags_message(d, ward_diags_count(d) - 1), "expected a JSON object"));

	const char rj[] = "{\"principal\": \"User::\\\"a\\\"\", \"action\": \"Action::\\\"v\\\"\", \"context\": {}}";
	cr_assert_null(ward_request_parse_json(e, NULL, "r.json", rj, strlen(rj), 0, d));
	cr_assert_not_null(strstr(ward_diags_message(d, ward_diags_count(d) - 1), "r.json"));
}

Test(api, request_json_forms)
{
	const char a[] = "{\"principal\": \"User::\\\"alice\\\"\", \"action\": {\"type\": \"Action\", \"id\": \"view\"},"
			 " \"resource\": {\"__entity\": {\"type\": \"Photo\", \"id\": \"a\"}}, \"context\": {\"k\": 1}}";
	ward_request *r = ward_request_parse_json(e, NULL, "r.json", a, strlen(a), 0, d);
	cr_assert_not_null(r);
	char *v = ward_evaluate(e, "x", "[principal, action, resource, context.k]", 40, NULL, r, d);
	cr_assert_not_null(v);
	cr_assert_not_null(strstr(v, "User::\"alice\""));
	cr_assert_not_null(strstr(v, "Action::\"view\""));
	cr_assert_not_null(strstr(v, "Photo::\"a\""));
	ward_free(v);
	ward_request_free(r);
}

Test(api, batch_json_lines_keeps_going)
{
	const char text[] =
		"{\"principal\": \"User::\\\"alice\\\"\", \"action\": \"Action::\\\"view\\\"\", \"resource\": \"Photo::\\\"a\\\"\", \"context\": {}}\n"
		"\n"
		"{\"principal\": \n"
		"42\n"
		"{\"principal\": \"User::\\\"bob\\\"\", \"action\": \"Action::\\\"view\\\"\", \"resource\": \"Photo::\\\"a\\\"\", \"context\": {}}\n";
	ward_policies *p = load_policies(WARD_IDS_ANNOTATION);
	ward_batch *b = ward_batch_parse(e, "b.jsonl", text, strlen(text), d);
	cr_assert_not_null(b);
	cr_assert_eq(ward_batch_count(b), 4, "blank lines are skipped");

	ward_request *r = ward_batch_request(b, 0, NULL, 0, d);
	cr_assert_not_null(r);
	ward_response *resp = ward_authorize(e, p, NULL, r);
	cr_assert_eq(ward_response_decision(resp), WARD_ALLOW);
	ward_response_free(resp);
	ward_request_free(r);

	size_t from = ward_diags_count(d);
	cr_assert_null(ward_batch_request(b, 1, NULL, 0, d));
	char *j = ward_error_json(d, from);
	static const char want[] = "{\"error\":\"b.jsonl:3:";
	cr_assert(strncmp(j, want, sizeof want - 1) == 0, "got %s", j);
	cr_assert_not_null(strstr(j, "invalid JSON"));
	ward_free(j);

	from = ward_diags_count(d);
	cr_assert_null(ward_batch_request(b, 2, NULL, 0, d));
	j = ward_error_json(d, from);
	cr_assert_str_eq(j, "{\"error\":\"b.jsonl:4: a request must be a JSON object\"}");
	ward_free(j);

	r = ward_batch_request(b, 3, NULL, 0, d);
	cr_assert_not_null(r);
	ward_request_free(r);
	cr_assert_null(ward_batch_request(b, 4, NULL, 0, d), "out of range");
	ward_batch_free(b);
	ward_policies_free(p);
}

Test(api, batch_array)
{
	const char ok[] = "[{\"principal\": \"User::\\\"a\\\"\", \"action\": \"Action::\\\"v\\\"\", \"resource\": "
			  "\"Photo::\\\"a\\\"\", \"context\": {}}, 7]";
	ward_batch *b = ward_batch_parse(e, "b.json", ok, strlen(ok), d);
	cr_assert_not_null(b);
	cr_assert_eq(ward_batch_count(b), 2);
	ward_request *r = ward_batch_request(b, 0, NULL, 0, d);
	cr_assert_not_null(r);
	ward_request_free(r);
	cr_assert_null(ward_batch_request(b, 1, NULL, 0, d));
	cr_assert_str_eq(ward_diags_message(d, 0), "b.json: request 2: a request must be a JSON object");
	ward_batch_free(b);

	const char broken[] = "[\n{\"principal\": }\n]";
	cr_assert_null(ward_batch_parse(e, "b.json", broken, strlen(broken), d));
	unsigned line;
	cr_assert_eq(ward_diags_location(d, 1, NULL, &line, NULL), 0);
	cr_assert_eq(line, 2);

	b = ward_batch_parse(e, "empty", "", 0, d);
	cr_assert_not_null(b);
	cr_assert_eq(ward_batch_count(b), 0);
	ward_batch_free(b);
}

Test(api, evaluate_values_and_errors)
{
	char *v = ward_evaluate(e, "x", "1 + 2", 5, NULL, NULL, d);
	cr_assert_str_eq(v, "3");
	ward_free(v);
	v = ward_evaluate(e, "x", "\"a\" like \"*\"", 12, NULL, NULL, d);
	cr_assert_str_eq(v, "true");
	ward_free(v);

	ward_entities *es = load_entities(NULL);
	v = ward_evaluate(e, "x", "Photo::\"b\".private", 18, es, NULL, d);
	cr_assert_str_eq(v, "true");
	ward_free(v);
	ward_entities_free(es);
	cr_assert_eq(ward_diags_count(d), 0);

	/* a variable but no request */
	cr_assert_null(ward_evaluate(e, "x", "[1, {a: context}]", 17, NULL, NULL, d));
	cr_assert_not_null(strstr(ward_diags_message(d, 0), "'context'"));
	/* evaluation error */
	cr_assert_null(ward_evaluate(e, "x", "9223372036854775807 * 2", 23, NULL, NULL, d));
	cr_assert_not_null(strstr(ward_diags_message(d, 1), "overflow"));
	/* syntax error, located in the expression */
	cr_assert_null(ward_evaluate(e, "expr", "1 +", 3, NULL, NULL, d));
	const char *file;
	cr_assert_eq(ward_diags_location(d, 2, &file, NULL, NULL), 0);
	cr_assert_str_eq(file, "expr");
}

Test(api, expr_check)
{
	cr_assert_eq(ward_expr_check(e, "x", "principal.a && [1, 2].contains(1)", 33, d), 0);
	cr_assert_eq(ward_diags_count(d), 0);
	cr_assert_eq(ward_expr_check(e, "x", "(((", 3, d), -1);
	cr_assert_geq(ward_diags_error_count(d), 1);
}

Test(api, deep_nesting_is_an_error)
{
	size_t n = 20000;
	char *s = malloc(n);
	memset(s, '[', n);
	cr_assert_null(ward_evaluate(e, "deep", s, n, NULL, NULL, d));
	cr_assert_geq(ward_diags_error_count(d), 1);
	free(s);
}

Test(api, error_json_escapes_and_joins)
{
	size_t len;
	ward_read_file("/nonexistent/\"q\"", &len, d);
	ward_read_file("/nonexistent/b", &len, d);
	char *j = ward_error_json(d, 0);
	cr_assert_str_eq(j, "{\"error\":\"cannot read '/nonexistent/\\\"q\\\"': No such file or directory; "
			    "cannot read '/nonexistent/b': No such file or directory\"}");
	ward_free(j);
	j = ward_error_json(d, 2);
	cr_assert_str_eq(j, "{\"error\":\"unknown error\"}");
	ward_free(j);
}
