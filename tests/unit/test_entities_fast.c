/* Tests of the entity loader's fast path (entities.c, fastload): a store it
 * builds must equal the one the careful jansson path builds from the same
 * JSON, with and without a schema; whatever it declines (errors, escapes,
 * tags, forms the schema reads differently) must come out exactly as the
 * careful path makes it. The careful path is forced by writing the first
 * "uid" key as "\u0075id", which is the same JSON but outside the subset
 * the fast path reads.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cedar/entities.h"
#include "cedar/schema.h"

static const char k_schema[] =
	"entity Team in [Team];\n"
	"entity User in [Team] { age: Long, nick?: String, tags: Set<String>, boss?: User, info: { a: Bool } };\n"
	"entity Doc { owner: User };\n"
	"action read appliesTo { principal: [User], resource: [Doc] };\n"
	"action write in [read] appliesTo { principal: [User], resource: [Doc] };\n";

/* Fast-path material: both uid forms, a duplicate parent, a set with
 * repeats, a nested record, the smallest long, an entity with no members
 * but its uid, pretty-printing, and an action group for the schema case. */
static const char k_entities[] =
	"[\n"
	"  {\"uid\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}},\n"
	"   \"attrs\": {\"age\": 30, \"tags\": [\"b\", \"a\", \"b\"], \"info\": {\"a\": true},\n"
	"             \"boss\": {\"__entity\": {\"type\": \"User\", \"id\": \"bob\"}}},\n"
	"   \"parents\": [{\"type\": \"Team\", \"id\": \"eng\"}, {\"__entity\": {\"type\": \"Team\", \"id\": \"eng\"}}]},\n"
	"  {\"uid\": {\"type\": \"User\", \"id\": \"bob\"},\n"
	"   \"attrs\": {\"age\": -9223372036854775808, \"nick\": \"b\", \"tags\": [], \"info\": {\"a\": false}},\n"
	"   \"parents\": []},\n"
	"  {\"uid\": {\"type\": \"Team\", \"id\": \"eng\"}, \"attrs\": {}, \"parents\": [{\"type\": \"Team\", \"id\": \"all\"}]},\n"
	"  {\"uid\": {\"type\": \"Team\", \"id\": \"all\"}},\n"
	"  {\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"parents\": [],\n"
	"   \"attrs\": {\"owner\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}}},\n"
	"  {\"uid\": {\"type\": \"Action\", \"id\": \"write\"}, \"attrs\": {}, \"parents\": [{\"type\": \"Action\", \"id\": \"read\"}]},\n"
	"  {\"uid\": {\"type\": \"Action\", \"id\": \"read\"}, \"attrs\": {}, \"parents\": []}\n"
	"]\n";

static wctx cx;
static wschema schema;

static void setup(void)
{
	ctx_init(&cx);
	schema_init(&schema);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(schema_parse(&cx, &schema, "s.cedarschema", k_schema, sizeof k_schema - 1, &d), 0);
	diags_release(&d);
}

static void teardown(void)
{
	schema_release(&schema);
	ctx_release(&cx);
}

TestSuite(entities_fast, .init = setup, .fini = teardown);

/* `text` with its first "uid" key written with an escape. */
static char *careful_variant(const char *text)
{
	const char *at = strstr(text, "\"uid\"");
	cr_assert(at);
	size_t pre = (size_t)(at - text), n = strlen(text);
	char *out = malloc(n + 6);
	cr_assert(out);
	memcpy(out, text, pre);
	memcpy(out + pre, "\"\\u0075id\"", 10);
	memcpy(out + pre + 10, at + 5, n - pre - 5 + 1);
	return out;
}

static int load(wentities *es, const wschema *s, const char *text, wdiags *d)
{
	entities_init(es);
	return entities_load_json(&cx, es, s, "e.json", text, strlen(text), d);
}

static void same_store(const wentities *a, const wentities *b)
{
	cr_assert_eq(a->n, b->n, "entity count %u vs %u", a->n, b->n);
	for (uint32_t i = 0; i < a->n; i++) {
		const wentity *x = a->items[i];
		const wentity *y = entities_get(b, x->uid);
		cr_assert(y, "entity %s::%s missing", x->uid.type->s, x->uid.id->s);
		wvalue ax = {.kind = WV_RECORD, .u.rec = x->attrs}, ay = {.kind = WV_RECORD, .u.rec = y->attrs};
		cr_assert(value_eq(&ax, &ay), "attributes of %s differ", x->uid.id->s);
		wvalue tx = {.kind = WV_RECORD, .u.rec = x->tags}, ty = {.kind = WV_RECORD, .u.rec = y->tags};
		cr_assert(value_eq(&tx, &ty));
		cr_assert_eq(x->nparents, y->nparents, "parents of %s", x->uid.id->s);
		for (uint32_t k = 0; k < x->nparents; k++)
			cr_assert(uid_eq(x->parents[k], y->parents[k]));
		const wancestors *xa = entity_ancestors(x);
		cr_assert_eq(xa->n, entity_ancestors(y)->n, "ancestors of %s", x->uid.id->s);
		for (uint32_t k = 0; k < xa->cap; k++)
			if (xa->slot[k].type)
				cr_assert(entity_has_ancestor(y, xa->slot[k]));
	}
}

static void check_equal(const wschema *s, const char *text)
{
	char *slow = careful_variant(text);
	wentities fa, ca;
	wdiags d1, d2;
	diags_init(&d1);
	diags_init(&d2);
	int e1 = load(&fa, s, text, &d1), e2 = load(&ca, s, slow, &d2);
	cr_assert_eq(e1, e2, "error counts %d vs %d", e1, e2);
	cr_assert_eq(d1.n, d2.n, "diagnostic counts");
	for (size_t i = 0; i < d1.n; i++)
		cr_assert_str_eq(d1.items[i].msg, d2.items[i].msg);
	if (e1 == 0)
		same_store(&fa, &ca);
	entities_release(&fa);
	entities_release(&ca);
	diags_release(&d1);
	diags_release(&d2);
	free(slow);
}

Test(entities_fast, same_store_without_schema)
{
	check_equal(NULL, k_entities);
}

Test(entities_fast, same_store_with_schema)
{
	check_equal(&schema, k_entities);
}

Test(entities_fast, values_and_ancestors)
{
	wentities es;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(load(&es, &schema, k_entities, &d), 0);
	const wsym *User = ctx_sym(&cx, "User", 4), *Team = ctx_sym(&cx, "Team", 4);
	wuid alice = {User, ctx_sym(&cx, "alice", 5)}, bob = {User, ctx_sym(&cx, "bob", 3)};
	wuid all = {Team, ctx_sym(&cx, "all", 3)};
	const wentity *a = entities_get(&es, alice), *b = entities_get(&es, bob);
	cr_assert(a && b);
	cr_assert_eq(a->nparents, 1, "the repeated parent is kept once");
	cr_assert(entities_in(&es, alice, all), "ancestors are transitive");
	const wvalue *tags = record_get(a->attrs, ctx_sym(&cx, "tags", 4));
	cr_assert(tags && tags->kind == WV_SET && tags->u.set->n == 2, "a set drops repeats");
	const wvalue *age = record_get(b->attrs, ctx_sym(&cx, "age", 3));
	cr_assert(age && age->kind == WV_LONG && age->u.i == INT64_MIN);
	const wvalue *boss = record_get(a->attrs, ctx_sym(&cx, "boss", 4));
	cr_assert(boss && boss->kind == WV_ENTITY && uid_eq(boss->u.e, bob));
	entities_release(&es);
	diags_release(&d);
}

Test(entities_fast, declined_inputs_match_the_careful_path)
{
	static const char *const cases[] = {
		/* the schema reads a {"type","id"} attribute as an entity */
		"[{\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {\"owner\": {\"type\": \"User\", \"id\": \"x\"}}}]",
		/* errors: wrong attribute type, missing attribute, unknown type */
		"[{\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {\"owner\": 5}}]",
		"[{\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {}}]",
		"[{\"uid\": {\"type\": \"Photo\", \"id\": \"p\"}}]",
		/* duplicates, cycles, bad parents, tags, unknown members */
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"t\"}}, {\"uid\": {\"type\": \"Team\", \"id\": \"t\"}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}, \"parents\": [{\"type\": \"Team\", \"id\": \"b\"}]},"
		" {\"uid\": {\"type\": \"Team\", \"id\": \"b\"}, \"parents\": [{\"type\": \"Team\", \"id\": \"a\"}]}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}, \"parents\": [{\"type\": \"Doc\", \"id\": \"b\"}]}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}, \"tags\": {\"k\": 1}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}, \"extra\": 1}]",
		/* action groups that disagree with the schema */
		"[{\"uid\": {\"type\": \"Action\", \"id\": \"read\"}, \"parents\": [{\"type\": \"Action\", \"id\": \"write\"}]}]",
		/* JSON outside the subset: escapes, reals, big numbers, non-ASCII, bad syntax */
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\\u0062\"}}]",
		"[{\"uid\": {\"type\": \"User\", \"id\": \"u\"}, \"attrs\": {\"age\": 1.5, \"tags\": [], \"info\": {\"a\": true}}}]",
		"[{\"uid\": {\"type\": \"User\", \"id\": \"u\"}, \"attrs\": {\"age\": 9223372036854775808, \"tags\": [], "
		"\"info\": {\"a\": true}}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"\xc3\xa9\"}}]",
		/* the same bytes past the first 16 of a string (the vector scan) */
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"abcdefghijklmnopq\xc3\xa9\"}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"abcdefghijklmnopq\x7f\"}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"abcdefghijklmnopq\x1f\"}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"abcdefghijklmnopq\\\\r\"}}]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}},]",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}}] x",
		"[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}, \"attrs\": {\"k\": 1, \"k\": 2}}]",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		check_equal(&schema, cases[i]);
		check_equal(NULL, cases[i]);
	}
}

Test(entities_fast, fast_path_taken_for_plain_json)
{
	/* white-box: the careful path keeps a copy of the text for its
	 * diagnostics, the fast path needs none; 64 KiB of indentation tells
	 * them apart */
	static char text[80000];
	int n = snprintf(text, sizeof text, "[{\"uid\": {\"type\": \"Team\", \"id\": \"a\"}}%*s]", 65536, "");
	cr_assert(n > 65536 && (size_t)n < sizeof text);
	wentities es;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(load(&es, NULL, text, &d), 0);
	cr_assert_eq(es.n, 1);
	cr_assert_lt(es.arena.total, 65536);
	entities_release(&es);
	char *slow = careful_variant(text);
	cr_assert_eq(load(&es, NULL, slow, &d), 0);
	cr_assert_gt(es.arena.total, 65536);
	entities_release(&es);
	free(slow);
	diags_release(&d);
}
