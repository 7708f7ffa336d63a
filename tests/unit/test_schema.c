/* Unit tests for the schema module: both source formats, name resolution,
 * common types, enums, tags, action groups, every error kind (with its
 * line:col), and robustness against hostile input. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/schema.h"

static wctx cx;
static wschema s;
static wdiags d;

static void setup(void)
{
	ctx_init(&cx);
	schema_init(&s);
	diags_init(&d);
}

static void teardown(void)
{
	diags_release(&d);
	schema_release(&s);
	ctx_release(&cx);
}

TestSuite(schema, .init = setup, .fini = teardown);

static int text(const char *t)
{
	return schema_parse_text(&cx, &s, "t.cedarschema", t, strlen(t), &d);
}

static int json(const char *t)
{
	return schema_parse_json(&cx, &s, "t.json", t, strlen(t), &d);
}

static const wsym *sym(const char *n)
{
	return intern_cstr(&cx.syms, n);
}

static const wentity_type *ety(const char *name)
{
	return schema_entity_type(&s, sym(name));
}

static const waction *act(const char *type, const char *id)
{
	wuid u = {sym(type), sym(id)};
	return schema_action(&s, u);
}

/* type_print into a static buffer (tests are single-threaded). */
static const char *tp(const wtype *t)
{
	static char out[4096];
	wbuf b = WBUF_INIT;
	type_print(t, &b);
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	buf_release(&b);
	return out;
}

static const char *all_diags(void)
{
	static char out[65536];
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	buf_release(&b);
	return out;
}

/* True when an error at line:col mentions `sub`. */
static bool has_error(unsigned line, unsigned col, const char *sub)
{
	for (size_t i = 0; i < d.n; i++) {
		const wdiag *g = &d.items[i];
		if (g->sev != WSEV_ERROR || !g->src)
			continue;
		uint32_t l, c;
		source_linecol(g->src, g->span.start, &l, &c);
		if (l == line && c == col && strstr(g->msg, sub))
			return true;
	}
	return false;
}

#define EXPECT_ERROR(line, col, sub)                                                                   \
	cr_expect(has_error((line), (col), (sub)), "no error at %d:%d containing \"%s\"; got:\n%s", (line), \
		  (col), (sub), all_diags())

/* A canonical, order-independent dump of the model for comparisons. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dump_model(void)
{
	size_t n = s.netypes + s.nactions;
	char **lines = calloc(n ? n : 1, sizeof *lines);
	size_t k = 0;
	for (uint32_t i = 0; i < s.netypes; i++) {
		const wentity_type *e = &s.etypes[i];
		wbuf b = WBUF_INIT;
		buf_printf(&b, "entity %s in [", e->name->s);
		const char **ps = calloc(e->nparents + 1, sizeof *ps);
		for (uint32_t j = 0; j < e->nparents; j++)
			ps[j] = e->parents[j]->s;
		qsort(ps, e->nparents, sizeof *ps, cmp_str);
		for (uint32_t j = 0; j < e->nparents; j++)
			buf_printf(&b, "%s%s", j ? "," : "", ps[j]);
		free(ps);
		buf_adds(&b, "] ");
		type_print(e->attrs, &b);
		if (e->tags) {
			buf_adds(&b, " tags ");
			type_print(e->tags, &b);
		}
		for (uint32_t j = 0; j < e->nenum; j++)
			buf_printf(&b, " \"%s\"", e->enum_ids[j]->s);
		lines[k++] = buf_detach(&b);
	}
	for (uint32_t i = 0; i < s.nactions; i++) {
		const waction *a = &s.actions[i];
		wbuf b = WBUF_INIT;
		buf_printf(&b, "action %s::\"%s\" %d in [", a->uid.type->s, a->uid.id->s, a->has_applies_to);
		for (uint32_t j = 0; j < a->nmember_of; j++)
			buf_printf(&b, "%s::\"%s\" ", a->member_of[j].type->s, a->member_of[j].id->s);
		buf_adds(&b, "] P ");
		for (uint32_t j = 0; j < a->nprincipals; j++)
			buf_printf(&b, "%s ", a->principals[j]->s);
		buf_adds(&b, "R ");
		for (uint32_t j = 0; j < a->nresources; j++)
			buf_printf(&b, "%s ", a->resources[j]->s);
		type_print(a->context, &b);
		lines[k++] = buf_detach(&b);
	}
	qsort(lines, k, sizeof *lines, cmp_str);
	wbuf out = WBUF_INIT;
	buf_adds(&out, "");
	for (size_t i = 0; i < k; i++) {
		buf_adds(&out, lines[i]);
		buf_addc(&out, '\n');
		free(lines[i]);
	}
	free(lines);
	return buf_detach(&out);
}

/* ------------------------------------------------------------ basics */

Test(schema, text_entity_and_action)
{
	int n = text("entity Group;\n"
		     "entity User in [Group] = {\n"
		     "  name: String,\n"
		     "  \"zip code\"?: Long,\n"
		     "  age: Long,\n"
		     "  tags_: Set<String>,\n"
		     "} tags String;\n"
		     "action view appliesTo { principal: User, resource: [User, Group], context: { ip: ipaddr } };\n");
	cr_assert_eq(n, 0, "%s", all_diags());
	cr_assert_eq(s.netypes, 2);
	const wentity_type *u = ety("User");
	cr_assert_not_null(u);
	cr_expect_str_eq(tp(u->attrs), "{ age: Long, name: String, tags_: Set<String>, \"zip code\"?: Long }");
	cr_expect_eq(u->nparents, 1);
	cr_expect_eq(u->parents[0], sym("Group"));
	cr_expect_str_eq(tp(u->tags), "String");
	cr_expect_null(ety("Group")->tags);
	cr_expect_str_eq(tp(ety("Group")->attrs), "{}");
	/* attributes sorted by sym_cmp */
	for (uint32_t i = 1; i < u->attrs->nattrs; i++)
		cr_expect_lt(sym_cmp(u->attrs->attrs[i - 1].name, u->attrs->attrs[i].name), 0);
	cr_expect_not(u->attrs->attrs[3].required);
	cr_expect(u->attrs->attrs[0].required);
	const waction *v = act("Action", "view");
	cr_assert_not_null(v);
	cr_expect(v->has_applies_to);
	cr_expect_eq(v->nprincipals, 1);
	cr_expect_eq(v->nresources, 2);
	cr_expect_str_eq(tp(v->context), "{ ip: ipaddr }");
	cr_expect_null(act("Action", "edit"));
	cr_expect_null(ety("Nope"));
	cr_expect_eq(v->src, u->src);
	cr_expect_str_eq(v->src->name, "t.cedarschema");
}

Test(schema, text_syntax_variants)
{
	int n = text("// a comment\n"
		     "@doc(\"ns\") @other namespace A::B {\n"
		     "  @doc(\"x\") entity X in Y { @doc(\"a\") a: Long };\n"
		     "  entity Y {};\n"
		     "  entity P, Q = {};\n"
		     "  entity E enum [\"a\", \"b\\u{1F600}\"];\n"
		     "  action \"quoted id\", plain;\n"
		     "  action g appliesTo { context: {}, resource: X, principal: [X, Y], };\n"
		     "}\n"
		     "entity Top;\n");
	cr_assert_eq(n, 0, "%s", all_diags());
	cr_expect_not_null(ety("A::B::X"));
	cr_expect_eq(ety("A::B::X")->parents[0], sym("A::B::Y"));
	cr_expect_not_null(ety("A::B::P"));
	cr_expect_not_null(ety("A::B::Q"));
	cr_expect_not_null(ety("Top"));
	const wentity_type *e = ety("A::B::E");
	cr_assert_not_null(e);
	cr_expect(e->is_enum);
	cr_assert_eq(e->nenum, 2);
	cr_expect_str_eq(e->enum_ids[1]->s, "b\xF0\x9F\x98\x80");
	cr_expect_not_null(act("A::B::Action", "quoted id"));
	const waction *p = act("A::B::Action", "plain");
	cr_assert_not_null(p);
	cr_expect_not(p->has_applies_to);
	cr_expect_eq(p->nprincipals, 0);
	cr_expect_str_eq(tp(p->context), "{}");
	cr_expect_eq(act("A::B::Action", "g")->nprincipals, 2);
}

Test(schema, empty_schemas)
{
	cr_expect_eq(text(""), 0);
	cr_expect_eq(s.netypes + s.nactions, 0);
	schema_release(&s);
	schema_init(&s);
	cr_expect_eq(text("  // only a comment\n"), 0);
	schema_release(&s);
	schema_init(&s);
	cr_expect_eq(json("{}"), 0);
	cr_expect_eq(s.netypes, 0);
}

Test(schema, dispatch_by_first_byte)
{
	const char *j = "  \n{\"\": {\"entityTypes\": {\"A\": {}}, \"actions\": {}}}";
	cr_assert_eq(schema_parse(&cx, &s, "x", j, strlen(j), &d), 0, "%s", all_diags());
	cr_expect_not_null(ety("A"));
	schema_release(&s);
	schema_init(&s);
	const char *t = "entity B;";
	cr_assert_eq(schema_parse(&cx, &s, "x", t, strlen(t), &d), 0);
	cr_expect_not_null(ety("B"));
}

Test(schema, second_parse_is_rejected)
{
	cr_assert_eq(text("entity A;"), 0);
	cr_expect_eq(text("entity B;"), 1);
	cr_expect_null(ety("B"));
	cr_expect_not_null(ety("A"));
}

Test(schema, failed_parse_leaves_model_empty)
{
	cr_expect_gt(text("entity A; entity B { x: Nope };"), 0);
	cr_expect_eq(s.netypes, 0);
	cr_expect_null(ety("A"));
}

/* ------------------------------------------------------------ both formats */

static const char *same_text =
	"namespace PhotoFlash {\n"
	"  type Ctx = { authenticated: Bool, ip?: ipaddr };\n"
	"  entity User in UserGroup = { department: String, jobLevel: Long, home: Album };\n"
	"  entity UserGroup;\n"
	"  entity Album in Album = { account: Account, private: Bool, when: datetime };\n"
	"  entity Account { admins?: Set<User>, owner: User, limits: { max: Long, d: decimal } } tags Set<String>;\n"
	"  entity Color enum [\"red\", \"green\"];\n"
	"  action read;\n"
	"  action viewPhoto in [read] appliesTo { principal: User, resource: [Album, Account], context: Ctx };\n"
	"  action listAlbums in read appliesTo { principal: [User], resource: Account, context: { n: Long } };\n"
	"  action other in [Base::Action::\"root\"];\n"
	"}\n"
	"namespace Base { action root; entity Thing { u: PhotoFlash::User, t: duration }; }\n";

static const char *same_json =
	"{\n"
	" \"PhotoFlash\": {\n"
	"  \"commonTypes\": { \"Ctx\": { \"type\": \"Record\", \"attributes\": {\n"
	"     \"authenticated\": {\"type\": \"Boolean\"},\n"
	"     \"ip\": {\"type\": \"Extension\", \"name\": \"ipaddr\", \"required\": false} } } },\n"
	"  \"entityTypes\": {\n"
	"   \"User\": { \"memberOfTypes\": [\"UserGroup\"], \"shape\": { \"type\": \"Record\", \"attributes\": {\n"
	"      \"department\": {\"type\": \"String\"}, \"jobLevel\": {\"type\": \"Long\"},\n"
	"      \"home\": {\"type\": \"Entity\", \"name\": \"Album\"} } } },\n"
	"   \"UserGroup\": {},\n"
	"   \"Album\": { \"memberOfTypes\": [\"Album\"], \"shape\": { \"type\": \"Record\", \"attributes\": {\n"
	"      \"account\": {\"type\": \"EntityOrCommon\", \"name\": \"Account\"}, \"private\": {\"type\": \"Boolean\"},\n"
	"      \"when\": {\"type\": \"datetime\"} } } },\n"
	"   \"Account\": { \"shape\": { \"type\": \"Record\", \"attributes\": {\n"
	"      \"admins\": {\"type\": \"Set\", \"element\": {\"type\": \"Entity\", \"name\": \"User\"}, \"required\": false},\n"
	"      \"owner\": {\"type\": \"Entity\", \"name\": \"PhotoFlash::User\"},\n"
	"      \"limits\": {\"type\": \"Record\", \"attributes\": {\"max\": {\"type\": \"Long\"},\n"
	"                 \"d\": {\"type\": \"Extension\", \"name\": \"decimal\"}}} } },\n"
	"     \"tags\": {\"type\": \"Set\", \"element\": {\"type\": \"String\"}} },\n"
	"   \"Color\": { \"enum\": [\"red\", \"green\"] }\n"
	"  },\n"
	"  \"actions\": {\n"
	"   \"read\": {},\n"
	"   \"viewPhoto\": { \"memberOf\": [{\"id\": \"read\"}], \"appliesTo\": { \"principalTypes\": [\"User\"],\n"
	"      \"resourceTypes\": [\"Album\", \"Account\"], \"context\": {\"type\": \"Ctx\"} } },\n"
	"   \"listAlbums\": { \"memberOf\": [{\"id\": \"read\", \"type\": \"PhotoFlash::Action\"}], \"appliesTo\": {\n"
	"      \"principalTypes\": [\"User\"], \"resourceTypes\": [\"Account\"],\n"
	"      \"context\": {\"type\": \"Record\", \"attributes\": {\"n\": {\"type\": \"Long\"}}} } },\n"
	"   \"other\": { \"memberOf\": [{\"id\": \"root\", \"type\": \"Base::Action\"}] }\n"
	"  },\n"
	"  \"annotations\": {\"doc\": \"photos\"}\n"
	" },\n"
	" \"Base\": { \"entityTypes\": { \"Thing\": { \"shape\": {\"type\": \"Record\", \"attributes\": {\n"
	"     \"u\": {\"type\": \"EntityOrCommon\", \"name\": \"PhotoFlash::User\"},\n"
	"     \"t\": {\"type\": \"EntityOrCommon\", \"name\": \"__cedar::duration\"} } } } },\n"
	"   \"actions\": { \"root\": {} } }\n"
	"}\n";

Test(schema, both_formats_same_model)
{
	cr_assert_eq(text(same_text), 0, "%s", all_diags());
	char *a = dump_model();
	schema_release(&s);
	schema_init(&s);
	cr_assert_eq(json(same_json), 0, "%s", all_diags());
	char *b = dump_model();
	cr_expect_str_eq(a, b);
	cr_expect_neq(strstr(a, "entity PhotoFlash::Account in [] { admins?: Set<PhotoFlash::User>, "
			       "limits: { d: decimal, max: Long }, owner: PhotoFlash::User } tags Set<String>"),
		      NULL, "%s", a);
	cr_expect_neq(strstr(a, "action PhotoFlash::Action::\"other\" 0 in [Base::Action::\"root\" ]"), NULL, "%s", a);
	free(a);
	free(b);
	const waction *v = act("PhotoFlash::Action", "viewPhoto");
	cr_assert_not_null(v);
	cr_assert_eq(v->nmember_of, 1);
	cr_expect(uid_eq(v->member_of[0], (wuid){sym("PhotoFlash::Action"), sym("read")}));
	cr_expect_str_eq(tp(v->context), "{ authenticated: Bool, ip?: ipaddr }");
	/* JSON spans point at the declared name */
	uint32_t l, c;
	source_linecol(ety("PhotoFlash::UserGroup")->src, ety("PhotoFlash::UserGroup")->span.start, &l, &c);
	cr_expect_eq(l, 10);
	cr_expect_eq(c, 4);
}

Test(schema, bench_like_json_with_empty_namespace)
{
	cr_assert_eq(json("{\"\": {\"entityTypes\": {\"User\": {\"memberOfTypes\": [\"Team\"]}, \"Team\": {}},"
			  " \"actions\": {\"read\": {\"appliesTo\": {\"principalTypes\": [\"User\"],"
			  " \"resourceTypes\": [\"Team\"]}}}}}"),
		     0, "%s", all_diags());
	cr_expect_not_null(ety("User"));
	cr_expect(act("Action", "read")->has_applies_to);
	cr_expect_str_eq(tp(act("Action", "read")->context), "{}");
}

/* ------------------------------------------------------------ resolution */

Test(schema, resolution_priority_rfc24)
{
	/* the documented example: common > entity > builtin */
	int n = text("namespace Demo {\n"
		     "  entity Host { ip: ipaddr, bandwidth: decimal };\n"
		     "  entity String { groups: Set<__cedar::String> };\n"
		     "  type ipaddr = { repr: String, isV4: Bool };\n"
		     "}\n");
	cr_assert_eq(n, 0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("Demo::Host")->attrs),
			 "{ bandwidth: decimal, ip: { isV4: Bool, repr: Demo::String } }");
	cr_expect_str_eq(tp(ety("Demo::String")->attrs), "{ groups: Set<String> }");
}

Test(schema, resolution_namespace_before_empty)
{
	int n = text("entity F; type U = Long;\n"
		     "namespace N { entity E; type T = String; entity X { e: E, t: T, f: F, u: U, b: Bool }; }\n");
	cr_assert_eq(n, 0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("N::X")->attrs), "{ b: Bool, e: N::E, f: F, t: String, u: Long }");
}

Test(schema, resolution_common_beats_entity_same_namespace)
{
	cr_assert_eq(text("namespace N { entity A; type A = Long; entity B { a: A, s: Set<N::A> }; }"), 0, "%s",
		     all_diags());
	cr_expect_str_eq(tp(ety("N::B")->attrs), "{ a: Long, s: Set<Long> }");
	/* but memberOf wants entity types only */
	schema_release(&s);
	schema_init(&s);
	cr_assert_eq(text("namespace N { entity A; type A = Long; entity B in A; }"), 0, "%s", all_diags());
	cr_expect_eq(ety("N::B")->parents[0], sym("N::A"));
}

Test(schema, resolution_user_entity_in_empty_ns_hides_builtin)
{
	cr_assert_eq(text("entity Long; entity A { x: Long, y: __cedar::Long };"), 0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("A")->attrs), "{ x: Long, y: Long }");
	cr_expect_eq(ety("A")->attrs->attrs[0].type->kind, WT_ENTITY);
	cr_expect_eq(ety("A")->attrs->attrs[1].type->kind, WT_LONG);
}

Test(schema, resolution_action_entity_type)
{
	cr_assert_eq(text("namespace N { entity A { a: Action, s: Set<N::Action> }; action x; }"), 0, "%s",
		     all_diags());
	cr_expect_str_eq(tp(ety("N::A")->attrs), "{ a: N::Action, s: Set<N::Action> }");
	cr_expect_null(ety("N::Action"));
	/* but the action type is not a declared entity type for appliesTo */
	schema_release(&s);
	schema_init(&s);
	cr_expect_gt(text("action x appliesTo { principal: Action, resource: Action };"), 0);
	EXPECT_ERROR(1, 33, "action entity type");
}

Test(schema, extension_types_all_forms)
{
	cr_assert_eq(text("entity A { a: ipaddr, b: decimal, c: datetime, d: duration, e: __cedar::ipaddr, "
			  "f: Bool, g: __cedar::Bool, h: String };"),
		     0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("A")->attrs), "{ a: ipaddr, b: decimal, c: datetime, d: duration, e: ipaddr, "
					     "f: Bool, g: Bool, h: String }");
	cr_expect_eq(ety("A")->attrs->attrs[2].type->kind, WT_DATETIME);
	cr_expect_eq(ety("A")->attrs->attrs[3].type->kind, WT_DURATION);
}

Test(schema, json_extension_unknown)
{
	cr_expect_gt(json("{\"\": {\"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\", \"attributes\": {\n"
			  "\"x\": {\"type\": \"Extension\", \"name\": \"ipadr\"}}}}}, \"actions\": {}}}"),
		     0);
	EXPECT_ERROR(2, 6, "unknown extension type 'ipadr'");
	cr_expect(strstr(all_diags(), "/entityTypes/A/shape/attributes/x"), "%s", all_diags());
}

/* ------------------------------------------------------------ common types */

Test(schema, common_types_chain_and_nesting)
{
	cr_assert_eq(text("namespace N {\n"
			  "  type Name = String;\n"
			  "  type Person = { name: Name, tags: Set<Name>, boss?: Person2 };\n"
			  "  type Person2 = { id: Long };\n"
			  "  entity E = Person;\n" /* not allowed: '=' needs a record literal */
			  "}\n"),
		     1);
	EXPECT_ERROR(5, 14, "expected '{'");
	schema_release(&s);
	schema_init(&s);
	diags_release(&d);
	diags_init(&d);
	cr_assert_eq(text("namespace N {\n"
			  "  type Name = String;\n"
			  "  type Person = { name: Name, tags: Set<Name>, boss?: Person2 };\n"
			  "  type Person2 = { id: Long };\n"
			  "  entity E { p: Person };\n"
			  "  action a appliesTo { principal: E, resource: E, context: Person };\n"
			  "}\n"),
		     0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("N::E")->attrs), "{ p: { boss?: { id: Long }, name: String, tags: Set<String> } }");
	cr_expect_str_eq(tp(act("N::Action", "a")->context), "{ boss?: { id: Long }, name: String, tags: Set<String> }");
}

Test(schema, common_type_cycle_text)
{
	cr_expect_gt(text("type A = Set<B>;\n"
			  "type B = { a: A };\n"
			  "type C = C;\n"
			  "entity E;\n"),
		     0);
	EXPECT_ERROR(2, 15, "'A' is defined in terms of itself");
	EXPECT_ERROR(3, 10, "'C' is defined in terms of itself");
	cr_expect_eq(s.netypes, 0);
}

Test(schema, common_type_cycle_json)
{
	cr_expect_gt(json("{\"N\": {\"commonTypes\": {\n"
			  "  \"A\": {\"type\": \"B\"},\n"
			  "  \"B\": {\"type\": \"Set\", \"element\": {\"type\": \"A\"}}},\n"
			  " \"entityTypes\": {}, \"actions\": {}}}"),
		     0);
	cr_expect(strstr(all_diags(), "is defined in terms of itself"), "%s", all_diags());
	cr_expect(strstr(all_diags(), "(at /N/commonTypes/"), "%s", all_diags());
}

Test(schema, common_type_reserved_names)
{
	cr_expect_gt(text("type Long = String;\ntype Record = Long;\n"), 0);
	EXPECT_ERROR(1, 6, "reserved type name");
	EXPECT_ERROR(2, 6, "reserved type name");
}

/* ------------------------------------------------------------ enums and tags */

Test(schema, enums)
{
	cr_assert_eq(text("entity Color enum [\"red\", \"green\", \"red\"];\nentity Empty enum [\"\"];\n"
			  "entity User { c: Color };"),
		     0, "%s", all_diags());
	const wentity_type *c = ety("Color");
	cr_assert_not_null(c);
	cr_expect(c->is_enum);
	cr_expect_eq(c->nenum, 2);
	cr_expect_str_eq(tp(c->attrs), "{}");
	cr_expect_eq(ety("Empty")->nenum, 1);
	cr_expect_eq(ety("Empty")->enum_ids[0]->len, 0);
	cr_expect_not(ety("User")->is_enum);
	schema_release(&s);
	schema_init(&s);
	cr_expect_gt(text("entity E enum [];"), 0);
	EXPECT_ERROR(1, 16, "expected a string literal");
}

Test(schema, enums_json_errors)
{
	cr_expect_gt(json("{\"\": {\"entityTypes\": {\n"
			  "\"E\": {\"enum\": [\"a\"], \"memberOfTypes\": []},\n"
			  "\"F\": {\"enum\": []}}, \"actions\": {}}}"),
		     0);
	EXPECT_ERROR(2, 22, "unexpected field 'memberOfTypes'");
	EXPECT_ERROR(3, 15, "at least one id");
}

Test(schema, tags)
{
	cr_assert_eq(text("entity A tags Set<Long>;\nentity B = { x: Long } tags { k: String };\nentity C;"), 0, "%s",
		     all_diags());
	cr_expect_str_eq(tp(ety("A")->tags), "Set<Long>");
	cr_expect_str_eq(tp(ety("B")->tags), "{ k: String }");
	cr_expect_null(ety("C")->tags);
	schema_release(&s);
	schema_init(&s);
	cr_assert_eq(json("{\"\": {\"entityTypes\": {\"A\": {\"tags\": {\"type\": \"String\"}}}, \"actions\": {}}}"),
		     0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("A")->tags), "String");
}

/* ------------------------------------------------------------ actions */

Test(schema, action_groups)
{
	cr_assert_eq(text("action top;\n"
			  "namespace N {\n"
			  "  action all;\n"
			  "  action read in all;\n"
			  "  action \"view file\" in [read, \"all\", Action::\"top\", N::Action::\"all\", Other::Action::\"o\"];\n"
			  "}\n"
			  "namespace Other { action o; }\n"),
		     0, "%s", all_diags());
	const waction *v = act("N::Action", "view file");
	cr_assert_not_null(v);
	cr_assert_eq(v->nmember_of, 4); /* "all" and N::Action::"all" are one group */
	cr_expect(uid_eq(v->member_of[0], (wuid){sym("N::Action"), sym("read")}));
	cr_expect(uid_eq(v->member_of[1], (wuid){sym("N::Action"), sym("all")}));
	cr_expect(uid_eq(v->member_of[2], (wuid){sym("Action"), sym("top")}));
	cr_expect(uid_eq(v->member_of[3], (wuid){sym("Other::Action"), sym("o")}));
	cr_expect_eq(act("N::Action", "all")->nmember_of, 0);
}

Test(schema, action_cycles)
{
	cr_expect_gt(text("action a in b;\naction b in c;\naction c in a;\naction self in self;\naction ok;\n"), 0);
	EXPECT_ERROR(4, 8, "cycle in the action hierarchy");
	cr_expect(strstr(all_diags(), "cycle in the action hierarchy: 'Action::\"a\"'") ||
		  strstr(all_diags(), "cycle in the action hierarchy: 'Action::\"b\"'") ||
		  strstr(all_diags(), "cycle in the action hierarchy: 'Action::\"c\"'"), "%s", all_diags());
	cr_expect_eq(s.nactions, 0);
}

Test(schema, action_cycle_json)
{
	cr_expect_gt(json("{\"\": {\"entityTypes\": {}, \"actions\": {\n"
			  " \"a\": {\"memberOf\": [{\"id\": \"b\"}]},\n"
			  " \"b\": {\"memberOf\": [{\"id\": \"a\"}]}}}}"),
		     0);
	cr_expect(strstr(all_diags(), "cycle in the action hierarchy"), "%s", all_diags());
}

Test(schema, action_undeclared_group)
{
	cr_expect_gt(text("namespace N {\n  action a in [missing, Q::Action::\"x\"];\n}\n"), 0);
	EXPECT_ERROR(2, 16, "undeclared action 'N::Action::\"missing\"'");
	EXPECT_ERROR(2, 25, "undeclared action 'Q::Action::\"x\"'");
}

Test(schema, action_applies_to_errors)
{
	cr_expect_gt(text("entity U;\n"
			  "action a appliesTo { principal: [], resource: U };\n"
			  "action b appliesTo { principal: U };\n"
			  "action c appliesTo { principal: U, resource: U, principal: U };\n"
			  "action d appliesTo { principal: U, resource: U, context: U };\n"
			  "action e appliesTo { principal: U, resource: U, context: Long };\n"),
		     0);
	EXPECT_ERROR(2, 33, "principal list in appliesTo must not be empty");
	EXPECT_ERROR(3, 10, "must declare 'resource'");
	EXPECT_ERROR(4, 49, "duplicate 'principal'");
	EXPECT_ERROR(5, 58, "unknown common type 'U'");
	EXPECT_ERROR(6, 58, "context of action 'Action::\"e\"' must be a record type, not 'Long'");
}

Test(schema, action_json_empty_applies_lists_are_fine)
{
	cr_assert_eq(json("{\"\": {\"entityTypes\": {\"U\": {}}, \"actions\": {\"g\": {\"appliesTo\": "
			  "{\"principalTypes\": [], \"resourceTypes\": []}}}}}"),
		     0, "%s", all_diags());
	const waction *g = act("Action", "g");
	cr_assert_not_null(g);
	cr_expect(g->has_applies_to);
	cr_expect_eq(g->nprincipals + g->nresources, 0);
}

/* ------------------------------------------------------------ errors */

Test(schema, duplicates)
{
	cr_expect_gt(text("entity A;\n"
			  "entity A;\n"
			  "type T = Long;\n"
			  "type T = String;\n"
			  "action x;\n"
			  "action \"x\";\n"
			  "entity B { a: Long, \"a\": String };\n"
			  "namespace N {}\n"
			  "namespace N {}\n"),
		     0);
	EXPECT_ERROR(2, 8, "duplicate entity type 'A'");
	EXPECT_ERROR(4, 6, "duplicate common type 'T'");
	EXPECT_ERROR(6, 8, "duplicate action 'Action::\"x\"'");
	EXPECT_ERROR(7, 21, "duplicate attribute 'a'");
	EXPECT_ERROR(9, 11, "duplicate namespace 'N'");
	/* a note points at the first declaration */
	bool note = false;
	for (size_t i = 0; i < d.n; i++)
		note |= d.items[i].sev == WSEV_NOTE && strstr(d.items[i].msg, "first declared here");
	cr_expect(note);
}

Test(schema, duplicates_json)
{
	cr_expect_gt(json("{\"\": {\"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\", \"attributes\": {\n"
			  "  \"x\": {\"type\": \"Long\"}, \"x\": {\"type\": \"Long\"}}}}}, \"actions\": {}}}"),
		     0);
	cr_expect(strstr(all_diags(), "invalid JSON: duplicate object key"), "%s", all_diags());
	cr_expect(strstr(all_diags(), "t.json:2:"), "%s", all_diags());
}

Test(schema, reserved_names)
{
	cr_expect_gt(text("entity Action;\n"
			  "namespace __cedar { entity X; }\n"
			  "namespace A::__cedar::B { entity Y; }\n"
			  "entity __cedar;\n"
			  "entity if;\n"),
		     0);
	EXPECT_ERROR(1, 8, "'Action' is declared implicitly");
	EXPECT_ERROR(2, 11, "'__cedar' is reserved");
	EXPECT_ERROR(3, 11, "'__cedar' is reserved");
	EXPECT_ERROR(4, 8, "'__cedar' is reserved");
	EXPECT_ERROR(5, 8, "'if' is a reserved word");
}

Test(schema, unknown_types)
{
	cr_expect_gt(text("namespace N {\n"
			  "  entity A in [B] { x: Foo, y: Set<M::Bar> };\n"
			  "  action a appliesTo { principal: [Nope], resource: A };\n"
			  "}\n"),
		     0);
	EXPECT_ERROR(2, 16, "unknown entity type 'B': neither 'N::B' nor 'B'");
	EXPECT_ERROR(2, 24, "unknown type 'Foo'");
	EXPECT_ERROR(2, 36, "unknown type 'M::Bar': 'M::Bar' is not declared");
	EXPECT_ERROR(3, 36, "unknown entity type 'Nope'");
}

Test(schema, unknown_types_json_kinds)
{
	/* {"type": X} must be a common type; "Entity" must be an entity type */
	cr_expect_gt(json("{\"\": {\"entityTypes\": {\"U\": {\"shape\": {\"type\": \"Record\", \"attributes\": {\n"
			  "  \"a\": {\"type\": \"U\"},\n"
			  "  \"b\": {\"type\": \"Entity\", \"name\": \"T\"}}}}},\n"
			  " \"commonTypes\": {\"T\": {\"type\": \"Long\"}}, \"actions\": {}}}"),
		     0);
	EXPECT_ERROR(2, 8, "unknown common type 'U'");
	EXPECT_ERROR(3, 8, "unknown entity type 'T'");
}

Test(schema, shape_not_record_json)
{
	cr_expect_gt(json("{\"\": {\"commonTypes\": {\"L\": {\"type\": \"Long\"}},\n"
			  " \"entityTypes\": {\"A\": {\"shape\": {\"type\": \"L\"}}}, \"actions\": {}}}"),
		     0);
	EXPECT_ERROR(2, 33, "shape of entity type 'A' must be a record type, not 'Long'");
}

Test(schema, shadowing_rfc70)
{
	cr_expect_gt(text("type id = { a: String };\n"
			  "entity E;\n"
			  "action a;\n"
			  "namespace Demo {\n"
			  "  type id = String;\n"
			  "  entity E;\n"
			  "  action a;\n"
			  "}\n"),
		     0);
	EXPECT_ERROR(5, 8, "'Demo::id' would shadow 'id'");
	EXPECT_ERROR(6, 10, "'Demo::E' would shadow 'E'");
	EXPECT_ERROR(7, 10, "would shadow 'Action::\"a\"'");
	/* an entity and a common type of the same name in one namespace are fine */
	schema_release(&s);
	schema_init(&s);
	diags_release(&d);
	diags_init(&d);
	cr_expect_eq(text("entity T; type T = Long; namespace N { entity U; }"), 0, "%s", all_diags());
}

Test(schema, syntax_errors_all_reported)
{
	cr_expect_gt(text("entity A {\n"
			  "  a: Long\n"
			  "  b: String\n"
			  "};\n"
			  "entity B in ;\n"
			  "entity C;\n"
			  "action \"bad\\q\";\n"
			  "entity D tags;\n"
			  "entity E { x: Set<Long };\n"
			  "namespace N { namespace M {} }\n"
			  "entity F $;\n"),
		     0);
	EXPECT_ERROR(3, 3, "expected ',' or '}', found 'b'");
	EXPECT_ERROR(5, 13, "expected an identifier, found ';'");
	EXPECT_ERROR(7, 12, "invalid escape sequence");
	EXPECT_ERROR(8, 14, "expected a type, found ';'");
	EXPECT_ERROR(9, 24, "expected '>'");
	EXPECT_ERROR(10, 15, "namespaces cannot be nested");
	EXPECT_ERROR(11, 10, "unexpected character '$'");
	cr_expect_eq(s.netypes, 0);
}

Test(schema, syntax_unterminated_string_and_eof)
{
	cr_expect_gt(text("entity A;\naction \"oops;\n"), 0);
	EXPECT_ERROR(2, 8, "unterminated string literal");
	schema_release(&s);
	schema_init(&s);
	diags_release(&d);
	diags_init(&d);
	cr_expect_gt(text("namespace N {\n  entity A;\n"), 0);
	EXPECT_ERROR(3, 1, "expected '}', found end of input");
	schema_release(&s);
	schema_init(&s);
	diags_release(&d);
	diags_init(&d);
	cr_expect_gt(text("entity A; 42"), 0);
	EXPECT_ERROR(1, 11, "found a number");
}

Test(schema, json_syntax_error_line_col)
{
	cr_expect_gt(json("{\n  \"N\": {\n    \"entityTypes\": {,}\n  }\n}"), 0);
	EXPECT_ERROR(3, 21, "invalid JSON");
	cr_expect(strstr(all_diags(), "(line 3, column"), "%s", all_diags());
}

Test(schema, json_shape_errors)
{
	cr_expect_gt(json("{\"N\": {\n"
			  " \"entityTypes\": {\"A\": {\"memberOfTypes\": \"B\", \"bogus\": 1}},\n"
			  " \"actions\": {\"x\": {\"appliesTo\": {\"principalTypes\": [\"A\"]}, \"memberOf\": [{\"ty\": 1}]}},\n"
			  " \"commonTypes\": {\"T\": {\"type\": \"Set\"}, \"R\": {\"type\": \"Record\"},\n"
			  "   \"bad name\": {\"type\": \"Long\"}, \"Q\": {\"type\": \"Long\", \"element\": {}}}\n"
			  "}, \"M\": [] }"),
		     0);
	EXPECT_ERROR(2, 41, "expected an array of entity type names, found a string");
	EXPECT_ERROR(2, 46, "unknown field 'bogus'");
	EXPECT_ERROR(3, 33, "missing field 'resourceTypes'");
	EXPECT_ERROR(3, 74, "unknown field 'ty'");
	EXPECT_ERROR(4, 23, "missing field 'element'");
	EXPECT_ERROR(4, 45, "missing field 'attributes'");
	EXPECT_ERROR(5, 4, "invalid common type name 'bad name'");
	EXPECT_ERROR(5, 56, "field 'element' is not allowed for type 'Long'");
	EXPECT_ERROR(6, 9, "expected a namespace declaration");
	cr_expect(strstr(all_diags(), "(at /N/entityTypes/A/bogus)"), "%s", all_diags());
	cr_expect(strstr(all_diags(), "missing field 'entityTypes'") == NULL);
}

Test(schema, json_missing_sections_and_root)
{
	cr_expect_gt(json("{\"N\": {\"entityTypes\": {}}}"), 0);
	cr_expect(strstr(all_diags(), "missing field 'actions' in a namespace declaration (at /N)"), "%s",
		  all_diags());
	schema_release(&s);
	schema_init(&s);
	diags_release(&d);
	diags_init(&d);
	cr_expect_gt(json("[1, 2]"), 0);
	EXPECT_ERROR(1, 1, "expected a JSON object");
}

/* ------------------------------------------------------------ type_print */

Test(schema, type_print_forms)
{
	cr_assert_eq(json("{\"\": {\"entityTypes\": {\"A\": {\"shape\": {\"type\": \"Record\", "
			  "\"additionalAttributes\": true, \"attributes\": {\"x\": {\"type\": \"Set\", "
			  "\"element\": {\"type\": \"Set\", \"element\": {\"type\": \"Boolean\"}}}}}}}, \"actions\": {}}}"),
		     0, "%s", all_diags());
	cr_expect(ety("A")->attrs->open);
	cr_expect_str_eq(tp(ety("A")->attrs), "{ x: Set<Set<Bool>>, .. }");
	cr_expect_str_eq(tp(NULL), "?");
}

/* ------------------------------------------------------------ robustness */

static char *repeat(const char *head, const char *unit, size_t n, const char *mid, const char *tail_unit,
		    const char *tail)
{
	wbuf b = WBUF_INIT;
	buf_adds(&b, head);
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, unit);
	buf_adds(&b, mid);
	for (size_t i = 0; i < n; i++)
		buf_adds(&b, tail_unit);
	buf_adds(&b, tail);
	return buf_detach(&b);
}

Test(schema, deep_nesting_is_an_error_not_a_crash)
{
	char *t = repeat("entity A { x: ", "Set<", 100000, "Long", ">", " };");
	cr_expect_gt(text(t), 0);
	cr_expect(strstr(all_diags(), "nested too deeply"), "%s", all_diags());
	free(t);
	schema_release(&s);
	schema_init(&s);
	t = repeat("type T = ", "{ a: ", 50000, "Long", " }", ";");
	cr_expect_gt(text(t), 0);
	free(t);
	schema_release(&s);
	schema_init(&s);
	/* moderate nesting is fine */
	t = repeat("entity A { x: ", "Set<", 100, "Long", ">", " };");
	cr_expect_eq(text(t), 0, "%s", all_diags());
	free(t);
}

Test(schema, deep_json_nesting)
{
	char *t = repeat("{\"\": {\"entityTypes\": {\"A\": {\"tags\": ", "{\"type\": \"Set\", \"element\": ", 1000,
			 "{\"type\": \"Long\"}", "}", "}}, \"actions\": {}}}");
	cr_expect_gt(json(t), 0);
	cr_expect(strstr(all_diags(), "nested too deeply"), "%s", all_diags());
	free(t);
}

Test(schema, long_chains)
{
	/* 3000 chained common types: beyond the resolution depth, reported once */
	wbuf b = WBUF_INIT;
	for (int i = 0; i < 3000; i++)
		buf_printf(&b, "type T%d = T%d;\n", i, i + 1);
	buf_adds(&b, "type T3000 = Long;\n");
	cr_expect_gt(text(b.p), 0);
	cr_expect_leq(d.nerrors, 3);
	buf_release(&b);
	schema_release(&s);
	schema_init(&s);
	/* 200000 chained action groups are fine (no recursion) */
	for (int i = 0; i < 200000; i++)
		buf_printf(&b, "action a%d in a%d;\n", i, i + 1);
	buf_adds(&b, "action a200000;\n");
	cr_expect_eq(text(b.p), 0, "%s", all_diags());
	cr_expect_eq(s.nactions, 200001);
	cr_expect_eq(act("Action", "a5")->member_of[0].id, sym("a6"));
	buf_release(&b);
}

Test(schema, every_prefix_and_byte_flip_is_safe)
{
	size_t n = strlen(same_text);
	char *t = malloc(n + 1);
	for (size_t i = 0; i <= n; i++) {
		wctx c2;
		wschema s2;
		wdiags d2;
		ctx_init(&c2);
		schema_init(&s2);
		diags_init(&d2);
		memcpy(t, same_text, n);
		int r1 = schema_parse_text(&c2, &s2, "p", t, i, &d2);
		cr_expect(i == n ? r1 == 0 : r1 >= 0);
		schema_release(&s2);
		schema_init(&s2);
		if (i < n) {
			t[i] ^= (char)0xA5;
			schema_parse_text(&c2, &s2, "f", t, n, &d2);
		}
		diags_release(&d2);
		schema_release(&s2);
		ctx_release(&c2);
	}
	size_t m = strlen(same_json);
	t = realloc(t, m + 1);
	for (size_t i = 0; i <= m; i += 3) {
		wctx c2;
		wschema s2;
		wdiags d2;
		ctx_init(&c2);
		schema_init(&s2);
		diags_init(&d2);
		memcpy(t, same_json, m);
		schema_parse_json(&c2, &s2, "p", t, i, &d2);
		cr_expect(i == m || d2.nerrors > 0);
		diags_release(&d2);
		schema_release(&s2);
		ctx_release(&c2);
	}
	free(t);
}

Test(schema, nul_bytes_and_binary_input)
{
	static const char bin[] = "entity \0A; \xff\xfe action \"a\0b\";";
	cr_expect_gt(schema_parse_text(&cx, &s, "b", bin, sizeof bin - 1, &d), 0);
	schema_release(&s);
	schema_init(&s);
	static const char ok[] = "action \"a\\0b\";";
	cr_assert_eq(text(ok), 0, "%s", all_diags());
	wuid u = {sym("Action"), intern_get(&cx.syms, "a\0b", 3)};
	cr_expect_not_null(schema_action(&s, u));
}

Test(schema, did_you_mean)
{
	cr_expect_gt(text("namespace N {\n"
			  "  entity User;\n"
			  "  entity A in [Usr] { s: Strng, q: Q };\n"
			  "}\n"),
		     0);
	EXPECT_ERROR(3, 16, "did you mean 'User'?");
	EXPECT_ERROR(3, 26, "did you mean 'String'?");
	EXPECT_ERROR(3, 36, "unknown type 'Q'");
	cr_expect(strstr(all_diags(), "'Q' is declared as a common or entity type\n"), "%s", all_diags());
}

Test(schema, json_annotations_and_nulls)
{
	cr_assert_eq(json("{\"N\": {\"annotations\": {\"doc\": \"x\", \"flag\": null},\n"
			  " \"commonTypes\": {\"T\": {\"type\": \"Long\", \"annotations\": {\"doc\": \"t\"}}},\n"
			  " \"entityTypes\": {\"A\": {\"annotations\": {\"doc\": \"a\"}, \"shape\": {\"type\": \"Record\",\n"
			  "   \"attributes\": {\"x\": {\"type\": \"T\", \"annotations\": {\"doc\": \"x\"}}}}}},\n"
			  " \"actions\": {\"a\": {\"memberOf\": null, \"appliesTo\": null, \"annotations\": {}}}}}"),
		     0, "%s", all_diags());
	cr_expect_str_eq(tp(ety("N::A")->attrs), "{ x: Long }");
	cr_expect_not(act("N::Action", "a")->has_applies_to);
	schema_release(&s);
	schema_init(&s);
	cr_expect_gt(json("{\"N\": {\"annotations\": {\"doc\": 1}, \"entityTypes\": {}, \"actions\": {\"a\": "
			  "{\"attributes\": {}}}}}"),
		     0);
	cr_expect(strstr(all_diags(), "annotation 'doc' must be a string"), "%s", all_diags());
	cr_expect(strstr(all_diags(), "action attributes are not supported"), "%s", all_diags());
}

Test(schema, text_annotation_duplicates_and_keywords_as_names)
{
	cr_expect_gt(text("@doc(\"a\") @doc(\"b\") entity A;"), 0);
	EXPECT_ERROR(1, 12, "duplicate annotation '@doc'");
	schema_release(&s);
	schema_init(&s);
	/* keywords that are not reserved words are ordinary identifiers */
	cr_assert_eq(text("entity entity { principal: Long, namespace: String, type: Bool };\n"
			  "namespace type { entity action; }\n"),
		     0, "%s", all_diags());
	cr_expect_not_null(ety("entity"));
	cr_expect_not_null(ety("type::action"));
}

Test(schema, diagnostics_in_source_order)
{
	cr_expect_gt(text("entity A in [Nope];\n"  /* found while resolving */
			  "type Long = String;\n" /* found while parsing */
			  "entity A;\n"),
		     0);
	uint32_t last = 0;
	size_t errors = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (d.items[i].sev != WSEV_ERROR)
			continue;
		cr_expect_geq(d.items[i].span.start, last, "%s", all_diags());
		last = d.items[i].span.start;
		errors++;
	}
	cr_expect_eq(errors, 3, "%s", all_diags());
	/* the note about the first 'A' follows the duplicate error */
	cr_assert_eq(d.items[d.n - 1].sev, WSEV_NOTE);
	cr_expect(strstr(d.items[d.n - 2].msg, "duplicate entity type 'A'"));
}
