/* Tests of the JSON policy format (policy_json.h): the documented shapes on
 * output, reading them back to the same AST, policy sets with templates and
 * links, and errors that name the JSON path for bad input.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ast_eq.h"
#include "cedar/format.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"

static wctx cx;

static void setup(void)
{
	ctx_init(&cx);
}

static void teardown(void)
{
	ctx_release(&cx);
}

TestSuite(policy_json, .init = setup, .fini = teardown);

static void parse_ok(wpolicyset *ps, const char *text)
{
	wdiags d;
	diags_init(&d);
	policyset_init(ps);
	int n = parse_policies(&cx, ps, "t.cedar", text, strlen(text), &d);
	if (n)
		diags_print(&d, stderr);
	diags_release(&d);
	cr_assert_eq(n, 0, "policy text should parse: %s", text);
}

/* The JSON of the first policy of `text`, compact with sorted keys. */
static char *json_of(const char *text)
{
	wpolicyset ps;
	parse_ok(&ps, text);
	json_t *j = policy_to_json(ps.items[0]);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	policyset_release(&ps);
	return s;
}

static void expect_json(const char *text, const char *want)
{
	char *got = json_of(text);
	json_t *w = json_loads(want, 0, NULL);
	cr_assert(w, "bad expected JSON in test: %s", want);
	char *ws = json_dumps(w, JSON_COMPACT | JSON_SORT_KEYS);
	cr_expect_str_eq(got, ws, "JSON of `%s`", text);
	free(ws);
	json_decref(w);
	free(got);
}

Test(policy_json, documented_example)
{
	expect_json("permit (principal == User::\"12UA45\", action == Action::\"view\", resource in Folder::\"abc\") "
		    "when { context.tls_version == \"1.3\" };",
		    "{\"effect\":\"permit\",\"principal\":{\"op\":\"==\",\"entity\":{\"type\":\"User\",\"id\":\"12UA45\"}},"
		    "\"action\":{\"op\":\"==\",\"entity\":{\"type\":\"Action\",\"id\":\"view\"}},"
		    "\"resource\":{\"op\":\"in\",\"entity\":{\"type\":\"Folder\",\"id\":\"abc\"}},"
		    "\"conditions\":[{\"kind\":\"when\",\"body\":{\"==\":{\"left\":{\".\":{\"left\":{\"Var\":\"context\"},"
		    "\"attr\":\"tls_version\"}},\"right\":{\"Value\":\"1.3\"}}}}]}");
}

Test(policy_json, scopes_slots_and_annotations)
{
	expect_json("@shadow_mode @doc(\"x\") forbid(principal is User in ?principal, action in [Action::\"a\", "
		    "Action::\"b\"], resource is Photo);",
		    "{\"effect\":\"forbid\",\"principal\":{\"op\":\"is\",\"entity_type\":\"User\",\"in\":{\"slot\":"
		    "\"?principal\"}},\"action\":{\"op\":\"in\",\"entities\":[{\"type\":\"Action\",\"id\":\"a\"},"
		    "{\"type\":\"Action\",\"id\":\"b\"}]},\"resource\":{\"op\":\"is\",\"entity_type\":\"Photo\"},"
		    "\"conditions\":[],\"annotations\":{\"shadow_mode\":null,\"doc\":\"x\"}}");
}

Test(policy_json, expression_operators)
{
	expect_json("permit(principal,action,resource) unless { if !(principal has name) then -principal.x < 2 "
		    "else resource.email like \"*@a\\*b\" };",
		    "{\"effect\":\"permit\",\"principal\":{\"op\":\"All\"},\"action\":{\"op\":\"All\"},"
		    "\"resource\":{\"op\":\"All\"},\"conditions\":[{\"kind\":\"unless\",\"body\":{\"if-then-else\":{"
		    "\"if\":{\"!\":{\"arg\":{\"has\":{\"left\":{\"Var\":\"principal\"},\"attr\":\"name\"}}}},"
		    "\"then\":{\"<\":{\"left\":{\"neg\":{\"arg\":{\".\":{\"left\":{\"Var\":\"principal\"},\"attr\":\"x\"}}}},"
		    "\"right\":{\"Value\":2}}},"
		    "\"else\":{\"like\":{\"left\":{\".\":{\"left\":{\"Var\":\"resource\"},\"attr\":\"email\"}},"
		    "\"pattern\":[\"Wildcard\",{\"Literal\":\"@a*b\"}]}}}}}]}");
	expect_json("permit(principal,action,resource) when { [1, User::\"a\"].contains({a: ip(\"1.2.3.4\")."
		    "isInRange(ip(\"1.0.0.0/8\"))}) && principal is User in Group::\"g\" && context.s.isEmpty() };",
		    "{\"effect\":\"permit\",\"principal\":{\"op\":\"All\"},\"action\":{\"op\":\"All\"},"
		    "\"resource\":{\"op\":\"All\"},\"conditions\":[{\"kind\":\"when\",\"body\":{\"&&\":{\"left\":{\"&&\":{"
		    "\"left\":{\"contains\":{\"left\":{\"Set\":[{\"Value\":1},{\"Value\":{\"__entity\":{\"type\":\"User\","
		    "\"id\":\"a\"}}}]},\"right\":{\"Record\":{\"a\":{\"isInRange\":[{\"ip\":[{\"Value\":\"1.2.3.4\"}]},"
		    "{\"ip\":[{\"Value\":\"1.0.0.0/8\"}]}]}}}}},\"right\":{\"is\":{\"left\":{\"Var\":\"principal\"},"
		    "\"entity_type\":\"User\",\"in\":{\"Value\":{\"__entity\":{\"type\":\"Group\",\"id\":\"g\"}}}}}}},"
		    "\"right\":{\"isEmpty\":{\"arg\":{\".\":{\"left\":{\"Var\":\"context\"},\"attr\":\"s\"}}}}}}}]}");
}

Test(policy_json, has_path_uses_attr_list)
{
	expect_json("permit(principal,action,resource) when { context has a.b };",
		    "{\"effect\":\"permit\",\"principal\":{\"op\":\"All\"},\"action\":{\"op\":\"All\"},"
		    "\"resource\":{\"op\":\"All\"},\"conditions\":[{\"kind\":\"when\",\"body\":{\"has\":{"
		    "\"left\":{\"Var\":\"context\"},\"attr\":[\"a\",\"b\"]}}}]}");
}

Test(policy_json, text_json_text_round_trip)
{
	/* static policies first: the JSON set lists them before templates */
	const char *src = "forbid(principal, action == Action::\"x\", resource) when { {\"a b\": [true, false, -5]} == {} };\n"
			  "@id(\"a\") permit(principal in ?principal, action, resource == ?resource) when { "
			  "context.n * 2 + 1 >= 3 && context has a.b.c && context.t.hasTag(\"k\") && "
			  "context.t.getTag(\"k\") != \"v\" && [1,2].containsAll([1]) || decimal(\"1.5\").lessThan(decimal(\"2.0\")) };";
	wpolicyset a, b, c;
	parse_ok(&a, src);
	wbuf j = WBUF_INIT, t = WBUF_INIT, why = WBUF_INIT;
	policyset_json_print(&a, &j);
	wdiags d;
	diags_init(&d);
	policyset_init(&b);
	cr_assert_eq(policyset_parse_json(&cx, &b, "rt.json", j.p, j.n, &d), 0, "%s", d.n ? d.items[0].msg : "");
	cr_assert(aeq_policyset(&a, &b, true, &why), "JSON read back differs: %s", why.p);
	cr_assert(b.items[1]->is_template);
	format_policyset(&b, NULL, &t);
	parse_ok(&c, t.p);
	cr_assert(aeq_policyset(&a, &c, false, &why), "text -> JSON -> text differs: %s\n%s", why.p, t.p);
	diags_release(&d);
	buf_release(&j);
	buf_release(&t);
	buf_release(&why);
	policyset_release(&a);
	policyset_release(&b);
	policyset_release(&c);
}

Test(policy_json, policy_set_with_links)
{
	const char *js = "{\"staticPolicies\": {\"p0\": {\"effect\": \"permit\", \"principal\": {\"op\": \"All\"},"
			 " \"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, \"conditions\": []}},"
			 " \"templates\": {\"t0\": {\"effect\": \"forbid\", \"principal\": {\"op\": \"==\", \"slot\":"
			 " \"?principal\"}, \"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"in\", \"slot\":"
			 " \"?resource\"}, \"conditions\": []}},"
			 " \"templateLinks\": [{\"templateId\": \"t0\", \"newId\": \"l0\", \"values\": {\"?principal\":"
			 " {\"type\": \"User\", \"id\": \"alice\"}, \"?resource\": {\"__entity\": {\"type\": \"Folder\","
			 " \"id\": \"f\"}}}}]}";
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	int n = policyset_parse_any(&cx, &ps, "set.json", js, strlen(js), &d);
	if (n)
		diags_print(&d, stderr);
	cr_assert_eq(n, 0);
	cr_assert_eq(ps.n, 3);
	cr_assert_str_eq(ps.items[0]->id, "p0");
	cr_assert_str_eq(ps.items[1]->id, "t0");
	cr_assert(ps.items[1]->is_template);
	const wpolicy *l = ps.items[2];
	cr_assert_str_eq(l->id, "l0");
	cr_assert_eq(l->template_of, ps.items[1]);
	cr_assert(l->has_slot_principal && l->has_slot_resource);
	cr_assert_str_eq(l->slot_principal.id->s, "alice");
	cr_assert_str_eq(l->slot_resource.type->s, "Folder");
	/* written back: the same three sections */
	wbuf out = WBUF_INIT;
	policyset_json_print(&ps, &out);
	json_t *j = json_loads(out.p, 0, NULL);
	cr_assert(j);
	cr_assert_eq(json_object_size(json_object_get(j, "staticPolicies")), 1);
	cr_assert_eq(json_object_size(json_object_get(j, "templates")), 1);
	json_t *links = json_object_get(j, "templateLinks");
	cr_assert_eq(json_array_size(links), 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(links, 0), "newId")), "l0");
	json_decref(j);
	buf_release(&out);
	diags_release(&d);
	policyset_release(&ps);
}

/* Reads `js`, expects an error whose message contains every one of `parts`. */
static void expect_error(const char *js, const char *part1, const char *part2)
{
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	int n = policyset_parse_json(&cx, &ps, "bad.json", js, strlen(js), &d);
	cr_expect_gt(n, 0, "should be rejected: %s", js);
	if (n > 0) {
		wbuf r = WBUF_INIT;
		diags_render(&d, &r);
		cr_expect(strstr(r.p, part1) != NULL, "message should contain '%s': %s", part1, r.p);
		if (part2)
			cr_expect(strstr(r.p, part2) != NULL, "message should contain '%s': %s", part2, r.p);
		buf_release(&r);
	}
	diags_release(&d);
	policyset_release(&ps);
}

#define POL(body) "{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"All\"}, " \
		  "\"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, \"conditions\": [{\"kind\": " \
		  "\"when\", \"body\": " body "}]}}}"

Test(policy_json, errors_name_the_path)
{
	expect_error(POL("{\"Vr\": \"principal\"}"), "staticPolicies.p.conditions[0].body",
		     "unknown operator or extension function 'Vr'");
	expect_error(POL("{\"==\": {\"left\": {\"Var\": \"principal\"}, \"rigth\": {\"Value\": 1}}}"),
		     "body[\"==\"]", "unknown key 'rigth'");
	expect_error(POL("{\"==\": {\"left\": {\"Var\": \"principal\"}}}"), "body[\"==\"]", "missing key 'right'");
	expect_error(POL("{\"&&\": {\"left\": {\"Value\": true}, \"right\": {\"Var\": \"princpal\"}}}"),
		     "body[\"&&\"].right.Var", NULL);
	expect_error(POL("{\"Value\": 1.5}"), "body.Value", "integers");
	expect_error(POL("{\"Slot\": \"?principal\"}"), "body.Slot", "only in the policy scope");
	expect_error(POL("{\"Var\": \"context\", \"Value\": 1}"), "exactly one key", NULL);
	expect_error(POL("{\"like\": {\"left\": {\"Var\": \"context\"}, \"pattern\": [\"Wild\"]}}"),
		     "pattern[0]", NULL);
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"allow\", \"principal\": {\"op\": \"All\"}, "
		     "\"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, \"conditions\": []}}}",
		     "staticPolicies.p.effect", "\"permit\" or \"forbid\"");
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"==\", "
		     "\"slot\": \"?resource\"}, \"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, "
		     "\"conditions\": []}}}",
		     "staticPolicies.p.principal.slot", "must be \"?principal\"");
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"==\", "
		     "\"slot\": \"?principal\"}, \"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, "
		     "\"conditions\": []}}}",
		     "staticPolicies.p", "belongs under \"templates\"");
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"All\"}, "
		     "\"action\": {\"op\": \"is\", \"entity_type\": \"Action\"}, \"resource\": {\"op\": \"All\"}, "
		     "\"conditions\": []}}}",
		     "staticPolicies.p.action.op", NULL);
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"All\"}, "
		     "\"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, \"conditions\": [], "
		     "\"extra\": 1}}}",
		     "staticPolicies.p", "unknown key 'extra'");
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"==\", "
		     "\"entity\": {\"type\": \"Us er\", \"id\": \"a\"}}, \"action\": {\"op\": \"All\"}, "
		     "\"resource\": {\"op\": \"All\"}, \"conditions\": []}}}",
		     "principal.entity.type", "not a valid entity type name");
	expect_error("{\"staticPolicies\": {}, \"templats\": {}}", "unknown key 'templats'", NULL);
	expect_error("{\"staticPolicies\": {\"p\": 1, \"p\": 2}}", "bad.json:1:", "duplicate");
	expect_error("{\"staticPolicies\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"All\"}, "
		     "\"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, \"conditions\": []}}, "
		     "\"templates\": {\"p\": {\"effect\": \"permit\", \"principal\": {\"op\": \"==\", \"slot\": "
		     "\"?principal\"}, \"action\": {\"op\": \"All\"}, \"resource\": {\"op\": \"All\"}, "
		     "\"conditions\": []}}}",
		     "templates.p", "duplicate policy id 'p'");
	expect_error("{\"templateLinks\": [{\"templateId\": \"nope\", \"newId\": \"x\", \"values\": {}}]}",
		     "templateLinks[0]", "no template with id 'nope'");
}

Test(policy_json, deep_nesting_is_an_error_not_a_crash)
{
	wbuf js = WBUF_INIT;
	buf_adds(&js, "{\"effect\": \"permit\", \"principal\": {\"op\": \"All\"}, \"action\": {\"op\": \"All\"}, "
		      "\"resource\": {\"op\": \"All\"}, \"conditions\": [{\"kind\": \"when\", \"body\": ");
	for (int i = 0; i < 1000; i++)
		buf_adds(&js, "{\"!\": {\"arg\": ");
	buf_adds(&js, "{\"Value\": true}");
	for (int i = 0; i < 1000; i++)
		buf_adds(&js, "}}");
	buf_adds(&js, "}]}");
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	cr_assert_gt(policyset_parse_json(&cx, &ps, "deep.json", js.p, js.n, &d), 0);
	diags_release(&d);
	policyset_release(&ps);
	buf_release(&js);
}

Test(policy_json, detects_json_text)
{
	cr_assert(policy_text_is_json("  \n{\"a\":1}", 10));
	cr_assert(!policy_text_is_json("permit(principal, action, resource);", 36));
	cr_assert(!policy_text_is_json("", 0));
}
