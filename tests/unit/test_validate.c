/* Unit tests for the validator (validate.c, typecheck.c, vtypes.c).
 *
 * Each test validates a policy set against one schema and states exactly
 * which issues come out: their kind, the source text they point at, and the
 * key words of the message. Cases follow the reference validator's strict
 * mode: has-guards through &&, || and if; least upper bounds; empty sets;
 * scopes that match no appliesTo; enumerated ids; tags; levels; templates.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/link.h"
#include "cedar/parser.h"
#include "cedar/schema.h"
#include "cedar/validate.h"
#include "cedar/vtypes.h"

static const char SCHEMA[] =
	"entity Group;\n"
	"entity User in [Group] {\n"
	"  name: String,\n"
	"  age: Long,\n"
	"  manager?: User,\n"
	"  nicknames: Set<String>,\n"
	"  addr?: { city: String, zip?: Long },\n"
	"} tags String;\n"
	"entity Photo { owner: User, private: Bool, created: datetime };\n"
	"entity Doc;\n"
	"entity Color enum [\"red\", \"green\"];\n"
	"action view appliesTo { principal: [User], resource: [Photo], context: { src: ipaddr, n?: Long } };\n"
	"action edit appliesTo { principal: [User], resource: [Photo, Doc] };\n"
	"action orphan;\n";

static wctx cx;
static wschema sch;
static wpolicyset ps;
static wdiags dg;
static wvalidation res;

static void setup(void)
{
	ctx_init(&cx);
	schema_init(&sch);
	policyset_init(&ps);
	diags_init(&dg);
	validation_init(&res);
	int e = schema_parse(&cx, &sch, "schema.cedarschema", SCHEMA, strlen(SCHEMA), &dg);
	if (e)
		diags_print(&dg, stderr);
	cr_assert_eq(e, 0, "test schema must parse");
}

static void teardown(void)
{
	validation_release(&res);
	diags_release(&dg);
	policyset_release(&ps);
	schema_release(&sch);
	ctx_release(&cx);
}

TestSuite(validate, .init = setup, .fini = teardown);

/* Parses `text` and validates it; returns the number of errors. */
static int run_opts(const char *text, int mode, int level)
{
	/* each call validates a fresh set */
	validation_release(&res);
	validation_init(&res);
	policyset_release(&ps);
	policyset_init(&ps);
	int e = parse_policies(&cx, &ps, "p.cedar", text, strlen(text), &dg);
	if (e)
		diags_print(&dg, stderr);
	cr_assert_eq(e, 0, "test policy must parse: %s", text);
	wvalidate_opts o = {(uint8_t)mode, level};
	return validate_policyset(&cx, &sch, &ps, &o, &res);
}

static int run(const char *text)
{
	return run_opts(text, WVMODE_STRICT, -1);
}

static size_t count_kind(wvissue_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < res.n; i++)
		n += res.items[i].kind == k;
	return n;
}

static const wvissue *find_kind(wvissue_kind k)
{
	for (size_t i = 0; i < res.n; i++)
		if (res.items[i].kind == k)
			return &res.items[i];
	return NULL;
}

/* The source text an issue points at. */
static char *span_text(const wvissue *is)
{
	size_t n = is->span.end - is->span.start;
	char *s = malloc(n + 1);
	memcpy(s, is->src->text + is->span.start, n);
	s[n] = '\0';
	return s;
}

static void dump(void)
{
	for (size_t i = 0; i < res.n; i++)
		fprintf(stderr, "  [%s] %s%s%s\n", validation_kind_name((wvissue_kind)res.items[i].kind),
			res.items[i].msg, res.items[i].help ? " | " : "", res.items[i].help ? res.items[i].help : "");
}

static void expect_valid(const char *when)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
		 "permit(principal, action == Action::\"view\", resource) when { %s };", when);
	int n = run(buf);
	if (n)
		dump();
	cr_assert_eq(n, 0, "expected valid: %s", when);
}

/* Exactly one error, of kind k, pointing at `at` (NULL: don't care). */
static const wvissue *expect_one(const char *when, wvissue_kind k, const char *at)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
		 "permit(principal, action == Action::\"view\", resource) when { %s };", when);
	int n = run(buf);
	if (n != 1 || !find_kind(k))
		dump();
	cr_assert_eq(n, 1, "expected one error in: %s", when);
	const wvissue *is = find_kind(k);
	cr_assert(is, "expected a %s error in: %s", validation_kind_name(k), when);
	if (at) {
		char *t = span_text(is);
		cr_assert_str_eq(t, at);
		free(t);
	}
	return is;
}

/* ---- basics ---- */

Test(validate, valid_policy_has_no_issues)
{
	int n = run("permit(principal, action == Action::\"view\", resource)\n"
		    "when { principal.age >= 18 && resource.owner == principal && context.src.isLoopback() };");
	cr_assert_eq(n, 0);
	cr_assert_eq(res.n, 0);
	cr_assert_eq(res.npolicies, 1);
	cr_assert_eq(res.policies[0].nenvs, 1);
	cr_assert_eq(res.policies[0].impossible, false);
}

Test(validate, unknown_entity_type_with_suggestion_and_location)
{
	int n = run("permit(\n  principal == Usr::\"alice\",\n  action,\n  resource\n);");
	cr_assert_eq(n, 2); /* the type, and the scope then matches no appliesTo */
	const wvissue *is = find_kind(WVK_UNKNOWN_ENTITY_TYPE);
	cr_assert(is);
	cr_assert(strstr(is->msg, "'Usr'"), "%s", is->msg);
	cr_assert_str_eq(is->help, "did you mean 'User'?");
	uint32_t line, col;
	source_linecol(is->src, is->span.start, &line, &col);
	cr_assert_eq(line, 2);
	cr_assert_eq(col, 3);
	cr_assert_str_eq(is->policy->id, "policy0");
	cr_assert_eq(count_kind(WVK_INVALID_ACTION_APPLICATION), 1);
}

Test(validate, unknown_action_with_suggestion)
{
	int n = run("permit(principal, action == Action::\"veiw\", resource);");
	cr_assert_geq(n, 1);
	const wvissue *is = find_kind(WVK_UNKNOWN_ACTION);
	cr_assert(is);
	cr_assert(strstr(is->msg, "Action::\"veiw\""), "%s", is->msg);
	cr_assert(is->help && strstr(is->help, "Action::\"view\""), "%s", is->help ? is->help : "(none)");
}

Test(validate, unknown_attribute_names_type_and_suggests)
{
	const wvissue *is = expect_one("principal.nmae == \"x\"", WVK_UNKNOWN_ATTRIBUTE, "principal.nmae");
	cr_assert(strstr(is->msg, "'nmae'") && strstr(is->msg, "'User'"), "%s", is->msg);
	cr_assert_str_eq(is->help, "did you mean 'name'?");
}

Test(validate, unexpected_type_names_both_types)
{
	const wvissue *is = expect_one("principal.name > 3", WVK_UNEXPECTED_TYPE, "principal.name");
	cr_assert(strstr(is->msg, "'Long'") && strstr(is->msg, "'String'"), "%s", is->msg);
	expect_one("principal.age + \"1\" == 2", WVK_UNEXPECTED_TYPE, "\"1\"");
}

Test(validate, arithmetic_and_comparisons)
{
	expect_valid("principal.age * 2 - 1 < 100 && -principal.age <= 0");
	expect_valid("resource.created < datetime(\"2024-01-01\")");
	expect_one("\"a\" like \"*\" && principal like \"*\"", WVK_UNEXPECTED_TYPE, "principal");
	expect_one("resource.created < 3", WVK_UNEXPECTED_TYPE, "resource.created");
}

/* ---- optional attributes and has-guards ---- */

Test(validate, optional_attribute_needs_has)
{
	const wvissue *is =
		expect_one("principal.manager == principal", WVK_UNSAFE_OPTIONAL_ATTRIBUTE, "principal.manager");
	cr_assert(strstr(is->msg, "'manager'"), "%s", is->msg);
	cr_assert(is->help);
}

Test(validate, has_guard_through_and)
{
	expect_valid("principal has manager && principal.manager == principal");
	expect_valid("principal has manager && principal.manager has manager && principal.manager.manager.age > 1");
	expect_valid("principal has manager.age && principal.manager.age > 1");
}

Test(validate, has_guard_does_not_flow_through_or)
{
	expect_one("principal has manager || principal.manager == principal", WVK_UNSAFE_OPTIONAL_ATTRIBUTE,
		   "principal.manager");
}

Test(validate, or_keeps_common_capabilities)
{
	expect_valid("(principal has manager || principal has manager) && principal.manager.age > 1");
	expect_valid("(principal has manager && principal.age > 1 || principal has manager) && "
		     "principal.manager.age > 1");
	expect_one("(principal has manager || principal has addr) && principal.manager.age > 1",
		   WVK_UNSAFE_OPTIONAL_ATTRIBUTE, "principal.manager");
}

Test(validate, has_guard_through_if)
{
	expect_valid("if principal has manager then principal.manager.age > 1 else false");
	expect_one("if principal has manager then true else principal.manager.age > 1",
		   WVK_UNSAFE_OPTIONAL_ATTRIBUTE, "principal.manager");
	/* both branches prove it: so does the whole if */
	expect_valid("(if principal.age > 1 then principal has manager else principal has manager) && "
		     "principal.manager.age > 1");
}

Test(validate, nested_record_optional_attributes)
{
	expect_one("principal has addr && principal.addr.zip > 1", WVK_UNSAFE_OPTIONAL_ATTRIBUTE,
		   "principal.addr.zip");
	expect_valid("principal has addr && principal.addr has zip && principal.addr.zip > 1");
	expect_valid("context has n && context.n > 1");
	expect_one("context.n > 1", WVK_UNSAFE_OPTIONAL_ATTRIBUTE, "context.n");
}

Test(validate, short_circuit_skips_unreachable_errors)
{
	/* `false && ...` never evaluates its right side: the reference does not
	 * check it, so neither do we; the policy is then impossible (a warning) */
	int n = run("permit(principal, action == Action::\"view\", resource) when { false && principal.nope };");
	cr_assert_eq(n, 0);
	cr_assert_eq(count_kind(WVK_IMPOSSIBLE_POLICY), 1);
	cr_assert_eq(res.nwarnings, 1);
}

/* ---- equality and least upper bounds ---- */

Test(validate, equality_of_incompatible_types)
{
	const wvissue *is = expect_one("principal.age == \"x\"", WVK_INCOMPATIBLE_TYPES, "principal.age == \"x\"");
	cr_assert(strstr(is->msg, "'Long'") && strstr(is->msg, "'String'"), "%s", is->msg);
}

Test(validate, equality_of_disjoint_entity_types_is_false_not_error)
{
	int n = run("permit(principal, action == Action::\"view\", resource) when { principal == Group::\"g\" };");
	cr_assert_eq(n, 0);
	cr_assert_eq(count_kind(WVK_IMPOSSIBLE_POLICY), 1);
	cr_assert(res.policies[0].impossible);
	cr_assert_eq(res.policies[0].nenvs, 0);
}

Test(validate, lub_of_if_branches)
{
	expect_valid("(if principal.age > 1 then 1 else 2) == 1");
	expect_one("(if principal.age > 1 then 1 else \"a\") == 1", WVK_INCOMPATIBLE_TYPES, NULL);
	/* records: same attributes, same qualifiers */
	expect_valid("(if principal.age > 1 then {a: 1} else {a: 2}).a == 1");
	expect_one("(if principal.age > 1 then {a: 1} else {a: 2, b: 3}).a == 1", WVK_INCOMPATIBLE_TYPES, NULL);
}

Test(validate, lub_of_set_elements)
{
	expect_valid("[1, 2, 3].contains(principal.age)");
	expect_one("[1, \"a\"].contains(1)", WVK_INCOMPATIBLE_TYPES, "[1, \"a\"]");
	/* different entity types have no LUB in strict mode... */
	expect_one("[principal, resource].contains(principal)", WVK_INCOMPATIBLE_TYPES, NULL);
}

Test(validate, permissive_mode_allows_entity_unions)
{
	int n = run_opts("permit(principal, action == Action::\"view\", resource) when "
			 "{ [principal, resource].contains(principal) };",
			 WVMODE_PERMISSIVE, -1);
	cr_assert_eq(n, 0);
}

Test(validate, contains_element_type_must_match)
{
	expect_one("principal.nicknames.contains(1)", WVK_INCOMPATIBLE_TYPES, NULL);
	expect_valid("principal.nicknames.containsAny([\"a\"]) && principal.nicknames.contains(\"b\")");
	expect_one("principal.nicknames.containsAll(1)", WVK_UNEXPECTED_TYPE, "1");
}

Test(validate, empty_set_literal_in_strict_mode)
{
	const wvissue *is = expect_one("principal.nicknames.containsAny([])", WVK_EMPTY_SET, "[]");
	cr_assert(strstr(is->msg, "empty set"), "%s", is->msg);
	int n = run_opts("permit(principal, action == Action::\"view\", resource) when "
			 "{ principal.nicknames.containsAny([]) };",
			 WVMODE_PERMISSIVE, -1);
	cr_assert_eq(n, 0);
}

/* ---- scope ---- */

Test(validate, unreachable_action_is_an_error)
{
	int n = run("permit(principal, action == Action::\"orphan\", resource);");
	cr_assert_eq(n, 1);
	const wvissue *is = find_kind(WVK_INVALID_ACTION_APPLICATION);
	cr_assert(is);
	char *t = span_text(is);
	cr_assert_str_eq(t, "action == Action::\"orphan\"");
	free(t);
}

Test(validate, scope_types_must_meet_applies_to)
{
	int n = run("permit(principal, action == Action::\"view\", resource == Doc::\"d\");");
	cr_assert_eq(n, 1);
	cr_assert_eq(count_kind(WVK_INVALID_ACTION_APPLICATION), 1);
	/* edit applies to Doc */
	n = run("permit(principal, action in [Action::\"view\", Action::\"edit\"], resource == Doc::\"d\");");
	cr_assert_eq(n, 0);
	cr_assert_eq(res.policies[0].nenvs, 1);
	cr_assert_eq(res.policies[0].envs[0].resource, ctx_sym(&cx, "Doc", 3));
}

Test(validate, eq_instead_of_in_gets_help)
{
	int n = run("permit(principal == Group::\"admins\", action == Action::\"view\", resource);");
	cr_assert_eq(n, 1);
	const wvissue *is = find_kind(WVK_INVALID_ACTION_APPLICATION);
	cr_assert(is && is->help && strstr(is->help, "principal in"), "%s", is && is->help ? is->help : "(none)");
	cr_assert_eq(run("permit(principal in Group::\"admins\", action == Action::\"view\", resource);"), 0);
}

Test(validate, policy_environments)
{
	int n = run("permit(principal, action == Action::\"edit\", resource);\n"
		    "permit(principal, action, resource is Doc);");
	cr_assert_eq(n, 0);
	cr_assert_eq(res.npolicies, 2);
	cr_assert_eq(res.policies[0].nenvs, 2); /* (User, edit, Photo), (User, edit, Doc) */
	cr_assert_eq(res.policies[0].nchecked, 3);
	cr_assert_eq(res.policies[1].nenvs, 1); /* only (User, edit, Doc) */
	cr_assert_eq(res.policies[1].envs[0].action.id, ctx_sym(&cx, "edit", 4));
}

/* ---- entity literals ---- */

Test(validate, enumerated_entity_ids)
{
	expect_valid("Color::\"red\" != Color::\"green\"");
	const wvissue *is = expect_one("Color::\"blue\" != Color::\"red\"", WVK_INVALID_ENUM_ENTITY, "Color::\"blue\"");
	cr_assert(strstr(is->msg, "'Color'"), "%s", is->msg);
	cr_assert(is->help && strstr(is->help, "\"red\""), "%s", is->help ? is->help : "");
}

/* ---- tags ---- */

Test(validate, tags_need_has_tag)
{
	expect_valid("principal.hasTag(\"x\") && principal.getTag(\"x\") == \"a\"");
	expect_one("principal.getTag(\"x\") == \"a\"", WVK_UNSAFE_TAG_ACCESS, "principal.getTag(\"x\")");
	/* the guard must be on the same tag expression */
	expect_one("principal.hasTag(\"y\") && principal.getTag(\"x\") == \"a\"", WVK_UNSAFE_TAG_ACCESS, NULL);
}

Test(validate, tags_on_type_without_tags)
{
	/* hasTag on a type without tags is False: the rest is never checked */
	int n = run("permit(principal, action == Action::\"view\", resource) when "
		    "{ resource.hasTag(\"x\") && resource.getTag(\"x\") == \"a\" };");
	cr_assert_eq(n, 0);
	cr_assert_eq(count_kind(WVK_IMPOSSIBLE_POLICY), 1);
}

/* ---- extension functions ---- */

Test(validate, extension_literals_are_checked)
{
	const wvissue *is = expect_one("ip(\"nope\").isIpv4()", WVK_INVALID_EXT_LITERAL, "ip(\"nope\")");
	cr_assert(strstr(is->msg, "\"nope\""), "%s", is->msg);
	expect_one("decimal(\"1.23456\").lessThan(decimal(\"1.0\"))", WVK_INVALID_EXT_LITERAL, NULL);
	expect_valid("context.src.isInRange(ip(\"10.0.0.0/8\")) && decimal(\"1.5\").lessThan(decimal(\"2.0\"))");
	expect_one("ip(principal.name).isIpv4()", WVK_NON_LITERAL_EXT_CONSTRUCTOR, "ip(principal.name)");
	expect_one("context.src.isInRange(decimal(\"1.0\"))", WVK_UNEXPECTED_TYPE, "decimal(\"1.0\")");
}

/* ---- levels ---- */

Test(validate, level_validation)
{
	const char *p = "permit(principal, action == Action::\"view\", resource) when "
			"{ principal has manager && principal.manager.age > 1 };";
	cr_assert_eq(run_opts(p, WVMODE_STRICT, 2), 0);
	cr_assert_eq(run_opts(p, WVMODE_STRICT, 1), 1);
	const wvissue *is = find_kind(WVK_LEVEL_EXCEEDED);
	cr_assert(is);
	char *t = span_text(is);
	cr_assert_str_eq(t, "principal.manager.age");
	free(t);
}

Test(validate, level_zero_forbids_in_and_attributes)
{
	cr_assert_eq(run_opts("permit(principal in Group::\"g\", action == Action::\"view\", resource);",
			      WVMODE_STRICT, 0),
		     1);
	cr_assert_eq(count_kind(WVK_LEVEL_EXCEEDED), 1);
	validation_release(&res);
	validation_init(&res);
	policyset_release(&ps);
	policyset_init(&ps);
	/* equality, `is` and context are fine at level 0 */
	cr_assert_eq(run_opts("permit(principal is User, action == Action::\"view\", resource) when "
			      "{ context has n && context.n > 1 };",
			      WVMODE_STRICT, 0),
		     0);
}

Test(validate, level_forbids_literal_dereference)
{
	cr_assert_eq(run_opts("permit(principal, action == Action::\"view\", resource) when "
			      "{ User::\"alice\".age > 1 };",
			      WVMODE_STRICT, 5),
		     1);
	cr_assert_eq(count_kind(WVK_LITERAL_DEREFERENCE), 1);
}

Test(validate, level_skipped_when_invalid)
{
	/* level validation only runs on policies that validate */
	cr_assert_eq(run_opts("permit(principal, action == Action::\"view\", resource) when "
			      "{ principal.nope.age > 1 };",
			      WVMODE_STRICT, 0),
		     1);
	cr_assert_eq(count_kind(WVK_LEVEL_EXCEEDED), 0);
}

/* ---- templates ---- */

Test(validate, templates_type_slots)
{
	int n = run("permit(principal == ?principal, action == Action::\"view\", resource in ?resource) "
		    "when { principal.age > 1 };");
	cr_assert_eq(n, 0);
	cr_assert(res.policies[0].nenvs >= 1);
	cr_assert_eq(res.policies[0].envs[0].slot_principal, ctx_sym(&cx, "User", 4));
	cr_assert_eq(res.policies[0].envs[0].slot_resource, ctx_sym(&cx, "Photo", 5));
}

Test(validate, template_in_slot_links_ancestors)
{
	int n = run("permit(principal in ?principal, action == Action::\"view\", resource);");
	cr_assert_eq(n, 0);
	/* ?principal may be a User or a Group */
	cr_assert_eq(res.policies[0].nenvs, 2);
}

/* ---- several policies, rendering ---- */

Test(validate, errors_are_attributed_and_rendered)
{
	int n = run("permit(principal, action == Action::\"view\", resource);\n"
		    "@id(\"second\")\n"
		    "forbid(principal, action == Action::\"view\", resource) when { principal.agee > 1 };");
	cr_assert_eq(n, 1);
	cr_assert_str_eq(res.items[0].policy->id, "policy1");
	validation_to_diags(&res, &dg);
	wbuf b = WBUF_INIT;
	diags_render(&dg, &b);
	cr_assert(strstr(b.p, "p.cedar:3:"), "%s", b.p);
	cr_assert(strstr(b.p, "^"), "%s", b.p);
	cr_assert(strstr(b.p, "did you mean 'age'?"), "%s", b.p);
	buf_release(&b);
	cr_assert_str_eq(dg.items[dg.n - 1].policy_id, "policy1");
}

Test(validate, same_error_in_several_environments_reported_once)
{
	int n = run("permit(principal, action in [Action::\"view\", Action::\"edit\"], resource) "
		    "when { principal.nope };");
	cr_assert_eq(n, 1);
}

/* ---- types ---- */

Test(validate, vtype_lub_rules)
{
	warena a;
	arena_init(&a);
	vlubhelp h;
	cr_assert_eq(vt_lub(&a, &vt_true, &vt_false, true, &h), &vt_bool);
	cr_assert_null(vt_lub(&a, &vt_long, &vt_string, true, &h));
	const wsym *u = ctx_sym(&cx, "User", 4), *g = ctx_sym(&cx, "Group", 5);
	const vtype *tu = vt_entity1(&a, u), *tg = vt_entity1(&a, g);
	cr_assert_null(vt_lub(&a, tu, tg, true, &h));
	cr_assert_eq(h, LUBH_ENTITY_TYPE);
	const vtype *un = vt_lub(&a, tu, tg, false, &h);
	cr_assert(un && un->kind == VT_ENTITY && un->n == 2);
	cr_assert(vt_subtype(tu, un, false));
	cr_assert(!vt_subtype(tu, un, true));
	cr_assert(vt_disjoint(tu, tg));
	cr_assert(!vt_disjoint(tu, un));
	wbuf b = WBUF_INIT;
	vt_print(un, &b);
	cr_assert_str_eq(b.p, "Group | User");
	buf_release(&b);
	arena_release(&a);
}

Test(validate, template_links_check_slot_types)
{
	cr_assert_eq(run("permit(principal == ?principal, action == Action::\"view\", resource);"), 0);
	wbuf err = WBUF_INIT;
	wlink_values lv = {0};
	lv.has_principal = true;
	lv.principal.type = ctx_sym(&cx, "Usr", 3);
	lv.principal.id = ctx_sym(&cx, "a", 1);
	cr_assert(policy_link(&ps, "policy0", "bad-link", &lv, &err), "%s", err.p ? err.p : "");
	lv.principal.type = ctx_sym(&cx, "User", 4);
	cr_assert(policy_link(&ps, "policy0", "good-link", &lv, &err), "%s", err.p ? err.p : "");
	buf_release(&err);
	validation_release(&res);
	validation_init(&res);
	wvalidate_opts o = WVALIDATE_OPTS_DEFAULT;
	int n = validate_policyset(&cx, &sch, &ps, &o, &res);
	if (n != 2)
		dump();
	/* the bad link: unknown type, and then no action applies */
	cr_assert_eq(n, 2);
	const wvissue *is = find_kind(WVK_UNKNOWN_ENTITY_TYPE);
	cr_assert(is);
	cr_assert_str_eq(is->policy->id, "bad-link");
	cr_assert_eq(res.npolicies, 3);
	cr_assert_eq(res.policies[2].nenvs, 1);
	cr_assert_eq(res.policies[2].nerrors, 0);
}
