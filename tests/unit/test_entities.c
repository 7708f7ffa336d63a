/* Unit tests: JSON values (jsonv), the entity store (entities) and requests
 * (request): explicit and implicit escapes, schema-directed reading, every
 * loading error, ancestor closure (chains, cycles, missing parents, action
 * groups), request parsing and validation. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "cedar/entities.h"
#include "cedar/ext.h"
#include "cedar/jsonv.h"
#include "cedar/request.h"
#include "cedar/schema.h"

static wctx cx;
static wschema sch;
static warena ar;

static const char SCHEMA[] =
	"entity Group in [Group];\n"
	"entity User in [Group] = { name: String, age: Long, manager?: User, home?: ipaddr,\n"
	"    score?: decimal, tags?: Set<String>, addr?: { zip: Long, city?: String } };\n"
	"entity Doc in [Folder] = { owner: User } tags String;\n"
	"entity Folder;\n"
	"entity Color enum [\"red\", \"green\"];\n"
	"action all;\n"
	"action read in [all];\n"
	"action view in [read] appliesTo { principal: [User], resource: [Doc, Folder],\n"
	"    context: { ip: ipaddr, mfa: Bool, when?: datetime, wait?: duration, c?: Color } };\n"
	"action paint appliesTo { principal: [User], resource: [Color] };\n";

static void setup(void)
{
	ctx_init(&cx);
	schema_init(&sch);
	arena_init(&ar);
	wdiags d;
	diags_init(&d);
	int n = schema_parse(&cx, &sch, "test.cedarschema", SCHEMA, strlen(SCHEMA), &d);
	if (n) {
		diags_print(&d, stderr);
	}
	cr_assert_eq(n, 0, "test schema must parse");
	diags_release(&d);
}

static void teardown(void)
{
	arena_release(&ar);
	schema_release(&sch);
	ctx_release(&cx);
}

TestSuite(jsonv, .init = setup, .fini = teardown);
TestSuite(entities, .init = setup, .fini = teardown);
TestSuite(request, .init = setup, .fini = teardown);

static json_t *parse(const char *text)
{
	wbuf err = WBUF_INIT;
	json_t *j = jsonv_parse_text("t.json", text, strlen(text), &err);
	cr_assert_not_null(j, "parse failed: %s", err.p ? err.p : "");
	buf_release(&err);
	return j;
}

static wuid U(const char *type, const char *id)
{
	wuid u = {ctx_sym(&cx, type, strlen(type)), ctx_sym(&cx, id, strlen(id))};
	return u;
}

static const wsym *S(const char *s)
{
	return ctx_sym(&cx, s, strlen(s));
}

static const wtype *context_type(const char *action)
{
	const waction *a = schema_action(&sch, U("Action", action));
	cr_assert_not_null(a);
	return a->context;
}

/* Converts `text` with `expect`; returns rc, message in *msg (static). */
static int conv(const char *text, const wtype *expect, wvalue *out, char *msg, size_t msgn)
{
	json_t *j = parse(text);
	wbuf err = WBUF_INIT;
	int rc = jsonv_to_value(&cx, &ar, j, expect, &sch, "value", out, &err);
	snprintf(msg, msgn, "%s", err.p ? err.p : "");
	buf_release(&err);
	json_decref(j);
	return rc;
}

/* ---- jsonv -------------------------------------------------------------- */

Test(jsonv, explicit_escapes_without_schema)
{
	wvalue v;
	char msg[512];
	cr_assert_eq(conv("{\"e\": {\"__entity\": {\"type\": \"NS::User\", \"id\": \"a\\\"b\"}},"
			  " \"ip\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0.0/8\"}},"
			  " \"d\": {\"__extn\": {\"fn\": \"decimal\", \"arg\": \"1.5\"}},"
			  " \"n\": -9223372036854775808, \"s\": [1, 1, true, \"x\"], \"r\": {}}",
			  NULL, &v, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert_eq(v.kind, WV_RECORD);
	cr_assert_eq(v.u.rec->n, 6);
	const wvalue *e = record_get(v.u.rec, S("e"));
	cr_assert_eq(e->kind, WV_ENTITY);
	cr_assert(uid_eq(e->u.e, U("NS::User", "a\"b")));
	const wvalue *ip = record_get(v.u.rec, S("ip"));
	cr_assert_eq(ip->kind, WV_IPADDR);
	cr_assert_eq(ip->u.ip->prefix, 8);
	cr_assert_eq(ip->u.ip->addr[0], 10);
	const wvalue *d = record_get(v.u.rec, S("d"));
	cr_assert_eq(d->kind, WV_DECIMAL);
	cr_assert_eq(d->u.i, 15000);
	cr_assert_eq(record_get(v.u.rec, S("n"))->u.i, INT64_MIN);
	const wvalue *s = record_get(v.u.rec, S("s"));
	cr_assert_eq(s->kind, WV_SET);
	cr_assert_eq(s->u.set->n, 3, "duplicates removed");
	cr_assert_eq(record_get(v.u.rec, S("r"))->u.rec->n, 0);
}

Test(jsonv, without_schema_bare_strings_stay_strings)
{
	wvalue v;
	char msg[512];
	cr_assert_eq(conv("{\"ip\": \"10.0.0.1\", \"u\": {\"type\": \"User\", \"id\": \"a\"}}", NULL, &v, msg,
			  sizeof msg), 0, "%s", msg);
	cr_assert_eq(record_get(v.u.rec, S("ip"))->kind, WV_STRING);
	const wvalue *u = record_get(v.u.rec, S("u"));
	cr_assert_eq(u->kind, WV_RECORD, "an implicit entity needs a schema");
}

Test(jsonv, implicit_forms_with_schema)
{
	wvalue v;
	char msg[512];
	const wtype *ct = context_type("view");
	cr_assert_eq(conv("{\"ip\": \"123.123.123.123\", \"mfa\": true, \"when\": \"2024-10-15T11:35:00Z\","
			  " \"wait\": {\"fn\": \"duration\", \"arg\": \"1h\"}, \"c\": {\"type\": \"Color\", \"id\": \"red\"}}",
			  ct, &v, msg, sizeof msg),
		     0, "%s", msg);
	const wvalue *ip = record_get(v.u.rec, S("ip"));
	cr_assert_eq(ip->kind, WV_IPADDR);
	cr_assert_eq(ip->u.ip->addr[3], 123);
	cr_assert_eq(ip->u.ip->prefix, 32);
	cr_assert_eq(record_get(v.u.rec, S("when"))->kind, WV_DATETIME);
	cr_assert_eq(record_get(v.u.rec, S("wait"))->u.i, 3600000);
	const wvalue *c = record_get(v.u.rec, S("c"));
	cr_assert(uid_eq(c->u.e, U("Color", "red")));
}

Test(jsonv, multi_argument_extension_escape)
{
	wvalue v;
	char msg[512];
	const wtype *ct = context_type("view");
	cr_assert_eq(conv("{\"ip\": \"::1\", \"mfa\": false, \"when\": {\"__extn\": {\"fn\": \"offset\", \"args\":"
			  " [\"1970-01-01\", {\"__extn\": {\"fn\": \"duration\", \"arg\": \"2ms\"}}]}}}",
			  ct, &v, msg, sizeof msg),
		     0, "%s", msg);
	const wvalue *w = record_get(v.u.rec, S("when"));
	cr_assert_eq(w->kind, WV_DATETIME);
	cr_assert_eq(w->u.i, 2);
}

Test(jsonv, schema_type_errors)
{
	wvalue v;
	char msg[512];
	const wtype *ct = context_type("view");
	cr_assert_eq(conv("{\"ip\": \"not-an-ip\", \"mfa\": true}", ct, &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "'ip'") && strstr(msg, "invalid ip"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": \"1.2.3.4\", \"mfa\": \"yes\"}", ct, &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "'mfa'") && strstr(msg, "expected Bool") && strstr(msg, "string"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": \"1.2.3.4\"}", ct, &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "missing required attribute 'mfa'"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": \"1.2.3.4\", \"mfa\": true, \"extra\": 1}", ct, &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "'extra'") && strstr(msg, "unexpected attribute"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": {\"__extn\": {\"fn\": \"decimal\", \"arg\": \"1.0\"}}, \"mfa\": true}", ct, &v,
			  msg, sizeof msg), -1);
	cr_assert(strstr(msg, "expected ipaddr") && strstr(msg, "decimal"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": \"1.2.3.4\", \"mfa\": true, \"c\": {\"type\": \"Color\", \"id\": \"blue\"}}", ct,
			  &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "enumerated") && strstr(msg, "blue"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": \"1.2.3.4\", \"mfa\": true, \"c\": {\"type\": \"User\", \"id\": \"red\"}}", ct,
			  &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "expected Color") || strstr(msg, "expected entity"), "%s", msg);
	cr_assert_eq(conv("{\"ip\": \"1.2.3.4\", \"mfa\": true, \"c\": \"Color::\\\"red\\\"\"}", ct, &v, msg,
			  sizeof msg), -1, "entity values are objects, never strings");
}

Test(jsonv, numbers)
{
	wvalue v;
	char msg[512];
	cr_assert_eq(conv("[1.5]", NULL, &v, msg, sizeof msg), -1);
	cr_assert(strstr(msg, "not an integer"), "%s", msg);
	cr_assert_eq(conv("[1e3]", NULL, &v, msg, sizeof msg), -1, "exponent forms are not integers");
	cr_assert_eq(conv("[9223372036854775807]", NULL, &v, msg, sizeof msg), 0, "%s", msg);
	cr_assert_eq(v.u.set->items[0].u.i, INT64_MAX);
	wbuf err = WBUF_INIT;
	json_t *j = jsonv_parse_text("big.json", "[\n 9223372036854775808]", 23, &err);
	cr_assert_null(j, "a number past 64 bits is rejected");
	cr_assert(strncmp(err.p, "big.json:2:", 11) == 0, "%s", err.p);
	buf_release(&err);
	cr_assert_eq(conv("null", NULL, &v, msg, sizeof msg), -1);
}

Test(jsonv, parse_errors_have_line_and_column)
{
	wbuf err = WBUF_INIT;
	const char dup[] = "{\"a\": 1,\n \"a\": 2}";
	cr_assert_null(jsonv_parse_text("dup.json", dup, strlen(dup), &err));
	cr_assert(strncmp(err.p, "dup.json:2:", 11) == 0 && strstr(err.p, "duplicate"), "%s", err.p);
	buf_clear(&err);
	const char bad[] = "[\n  {\"a\": tru}\n]";
	cr_assert_null(jsonv_parse_text("bad.json", bad, strlen(bad), &err));
	cr_assert(strncmp(err.p, "bad.json:2:", 11) == 0, "%s", err.p);
	buf_release(&err);
}

Test(jsonv, nul_bytes_in_keys_and_strings)
{
	wvalue v;
	char msg[512];
	cr_assert_eq(conv("{\"a\\u0000b\": \"x\\u0000y\", \"\\ufdef\": 1}", NULL, &v, msg, sizeof msg), 0, "%s", msg);
	const wvalue *s = record_get(v.u.rec, ctx_sym(&cx, "a\0b", 3));
	cr_assert_not_null(s);
	cr_assert_eq(s->u.s.n, 3);
	cr_assert(memcmp(s->u.s.p, "x\0y", 3) == 0);
	cr_assert_not_null(record_get(v.u.rec, S("\xEF\xB7\xAF")), "the internal marker itself survives");
	json_t *j = parse("{\"k\\u0000\": 1, \"\\\\u0000\": 2}");
	const char *key;
	size_t kl, n;
	json_t *jv;
	wbuf tmp = WBUF_INIT;
	int seen = 0;
	json_object_keylen_foreach(j, key, kl, jv)
	{
		const char *dk = jsonv_string(key, kl, &tmp, &n);
		if (json_integer_value(jv) == 1)
			cr_assert(n == 2 && memcmp(dk, "k\0", 2) == 0);
		else
			cr_assert(n == 6 && memcmp(dk, "\\u0000", 6) == 0, "an escaped backslash is not a NUL");
		seen++;
	}
	cr_assert_eq(seen, 2);
	buf_release(&tmp);
	json_decref(j);
}

Test(jsonv, uid_forms)
{
	wuid u;
	wbuf err = WBUF_INIT;
	json_t *j = parse("{\"type\": \"NS::User\", \"id\": \"alice\"}");
	cr_assert_eq(jsonv_to_uid(&cx, j, false, &u, &err), 0);
	cr_assert(uid_eq(u, U("NS::User", "alice")));
	json_decref(j);
	j = parse("{\"__entity\": {\"type\": \"User\", \"id\": \"\"}}");
	cr_assert_eq(jsonv_to_uid(&cx, j, false, &u, &err), 0);
	cr_assert(uid_eq(u, U("User", "")));
	json_decref(j);
	j = parse("\"NS::User::\\\"bob\\\"\"");
	cr_assert_eq(jsonv_to_uid(&cx, j, false, &u, &err), -1, "strings only when allowed");
	buf_clear(&err);
	cr_assert_eq(jsonv_to_uid(&cx, j, true, &u, &err), 0, "%s", err.p ? err.p : "");
	cr_assert(uid_eq(u, U("NS::User", "bob")));
	json_decref(j);
	j = parse("{\"type\": \"User \", \"id\": \"a\"}");
	cr_assert_eq(jsonv_to_uid(&cx, j, false, &u, &err), -1, "types must be normalized");
	json_decref(j);
	j = parse("{\"type\": \"if\", \"id\": \"a\"}");
	cr_assert_eq(jsonv_to_uid(&cx, j, false, &u, &err), -1, "reserved words are not names");
	json_decref(j);
	j = parse("{\"type\": \"User\"}");
	buf_clear(&err);
	cr_assert_eq(jsonv_to_uid(&cx, j, false, &u, &err), -1);
	cr_assert(strstr(err.p, "\"id\""), "%s", err.p);
	json_decref(j);
	buf_release(&err);
}

Test(jsonv, print_round_trips_without_schema)
{
	wvalue v, back;
	char msg[512];
	cr_assert_eq(conv("{\"ip\": \"10.1.2.3\", \"mfa\": true, \"when\": \"2024-01-02\", \"wait\": \"-1d2h\","
			  " \"c\": {\"type\": \"Color\", \"id\": \"green\"}}",
			  context_type("view"), &v, msg, sizeof msg),
		     0, "%s", msg);
	wbuf out = WBUF_INIT;
	jsonv_print(&v, &out);
	cr_assert(strstr(out.p, "{\"__entity\":{\"type\":\"Color\",\"id\":\"green\"}}"), "%s", out.p);
	cr_assert(strstr(out.p, "\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.1.2.3"), "%s", out.p);
	cr_assert_eq(conv(out.p, NULL, &back, msg, sizeof msg), 0, "%s: %s", out.p, msg);
	cr_assert(value_eq(&v, &back), "%s", out.p);
	buf_clear(&out);
	/* a datetime past year 9999 has no datetime() string: the offset form */
	wvalue far = value_ext_int(WV_DATETIME, 300000000000000LL);
	jsonv_print(&far, &out);
	cr_assert(strstr(out.p, "\"fn\":\"offset\""), "%s", out.p);
	cr_assert_eq(conv(out.p, NULL, &back, msg, sizeof msg), 0, "%s: %s", out.p, msg);
	cr_assert(value_eq(&far, &back), "%s", out.p);
	buf_clear(&out);
	jsonv_print_uid(U("A::B", "x\"y"), &out);
	cr_assert_str_eq(out.p, "{\"type\":\"A::B\",\"id\":\"x\\\"y\"}");
	buf_release(&out);
}

/* ---- entities ----------------------------------------------------------- */

static wentities es;

static int load(const char *text, const wschema *s, wdiags *d)
{
	entities_init(&es);
	diags_init(d);
	return entities_load_json(&cx, &es, s, "ents.json", text, strlen(text), d);
}

static void done(wdiags *d)
{
	diags_release(d);
	entities_release(&es);
}

/* The rendered diagnostics, for assertions on messages and positions. */
static char *render(const wdiags *d)
{
	wbuf b = WBUF_INIT;
	diags_render(d, &b);
	return buf_detach(&b);
}

static const char USERS[] =
	"[\n"
	" {\"uid\": {\"type\": \"User\", \"id\": \"alice\"},\n"
	"  \"attrs\": {\"name\": \"Alice\", \"age\": 30, \"manager\": {\"type\": \"User\", \"id\": \"bob\"},\n"
	"            \"home\": \"10.0.0.1\", \"score\": \"2.5\", \"tags\": [\"a\", \"b\"], \"addr\": {\"zip\": 12345}},\n"
	"  \"parents\": [{\"type\": \"Group\", \"id\": \"eng\"}]},\n"
	" {\"uid\": {\"__entity\": {\"type\": \"User\", \"id\": \"bob\"}}, \"attrs\": {\"name\": \"Bob\", \"age\": 40}},\n"
	" {\"uid\": {\"type\": \"Group\", \"id\": \"eng\"}, \"parents\": [{\"type\": \"Group\", \"id\": \"all\"}]},\n"
	" {\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {\"owner\": {\"type\": \"User\", \"id\": \"alice\"}},\n"
	"  \"tags\": {\"t\": \"v\"}, \"parents\": [{\"type\": \"Folder\", \"id\": \"f\"}]}\n"
	"]\n";

Test(entities, schema_typed_attributes)
{
	wdiags d;
	int n = load(USERS, &sch, &d);
	char *r = render(&d);
	cr_assert_eq(n, 0, "%s", r);
	free(r);
	const wentity *a = entities_get(&es, U("User", "alice"));
	cr_assert_not_null(a);
	cr_assert_eq(a->attrs->n, 7);
	cr_assert_eq(record_get(a->attrs, S("home"))->kind, WV_IPADDR);
	cr_assert_eq(record_get(a->attrs, S("score"))->kind, WV_DECIMAL);
	cr_assert_eq(record_get(a->attrs, S("score"))->u.i, 25000);
	const wvalue *m = record_get(a->attrs, S("manager"));
	cr_assert(uid_eq(m->u.e, U("User", "bob")));
	cr_assert_eq(record_get(a->attrs, S("addr"))->u.rec->n, 1);
	cr_assert_eq(a->tags->n, 0);
	const wentity *doc = entities_get(&es, U("Doc", "d"));
	cr_assert_eq(doc->tags->n, 1);
	cr_assert_eq(record_get(doc->tags, S("t"))->kind, WV_STRING);
	/* the schema's actions were added */
	cr_assert_not_null(entities_get(&es, U("Action", "view")));
	cr_assert_eq(es.n, 4 + 4);
	done(&d);
}

Test(entities, without_schema_values_use_explicit_escapes)
{
	wdiags d;
	const char t[] = "[{\"uid\": {\"type\": \"X\", \"id\": \"1\"}, \"attrs\": {\"__entity\": 1,"
			 " \"ip\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"1.1.1.1\"}}, \"s\": \"1.1.1.1\"},"
			 " \"parents\": [], \"tags\": {\"k\": [1]}}]";
	cr_assert_eq(load(t, NULL, &d), 0);
	const wentity *x = entities_get(&es, U("X", "1"));
	cr_assert_eq(record_get(x->attrs, S("__entity"))->kind, WV_LONG, "attrs keys are names, not escapes");
	cr_assert_eq(record_get(x->attrs, S("ip"))->kind, WV_IPADDR);
	cr_assert_eq(record_get(x->attrs, S("s"))->kind, WV_STRING);
	cr_assert_eq(record_get(x->tags, S("k"))->kind, WV_SET);
	cr_assert_eq(es.n, 1);
	done(&d);
}

/* Loads `t` with the schema expecting exactly `nerr` errors, the first of
 * which contains `want` and is reported on line `line`. */
static void expect_error(const char *t, int nerr, const char *want, int line)
{
	wdiags d;
	int n = load(t, &sch, &d);
	char *r = render(&d);
	cr_assert_eq(n, nerr, "%s", r);
	cr_assert(strstr(r, want), "want '%s' in:\n%s", want, r);
	if (line > 0) {
		char loc[32];
		snprintf(loc, sizeof loc, "ents.json:%d:", line);
		cr_assert(strncmp(r, loc, strlen(loc)) == 0, "want %s in:\n%s", loc, r);
	}
	free(r);
	done(&d);
}

Test(entities, duplicate_uid)
{
	expect_error("[{\"uid\": {\"type\": \"Folder\", \"id\": \"f\"}},\n"
		     " {\"uid\": {\"type\": \"Folder\", \"id\": \"f\"}}]",
		     1, "duplicate entity (already defined at index 0)", 2);
}

Test(entities, unknown_type_with_suggestion)
{
	expect_error("[\n{\"uid\": {\"type\": \"Usr\", \"id\": \"a\"}}]", 1,
		     "entity type 'Usr' is not declared in the schema; did you mean 'User'?", 2);
	expect_error("[{\"uid\": {\"type\": \"Zebra\", \"id\": \"a\"}}]", 1, "entity type 'Zebra' is not declared", 1);
}

Test(entities, bad_attribute_type)
{
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n"
		     "  \"attrs\": {\"name\": \"A\",\n   \"age\": \"30\"}}]",
		     1, "entity User::\"a\": attribute 'age': expected Long, found string \"30\"", 3);
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\", \"age\": 1,"
		     " \"addr\": {\"zip\": true}}}]",
		     1, "attribute 'addr.zip': expected Long, found boolean true", 1);
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\", \"age\": 1,"
		     " \"manager\": {\"type\": \"Group\", \"id\": \"g\"}}}]",
		     1, "expected User", 1);
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\", \"age\": 1,"
		     " \"tags\": [\"x\", 2]}}]",
		     1, "attribute 'tags[1]': expected String, found integer 2", 1);
}

Test(entities, missing_and_extra_attributes)
{
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\"}}]", 1,
		     "entity User::\"a\": missing required attribute 'age'", 1);
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n \"attrs\": {\"name\": \"A\", \"age\": 1,\n"
		     " \"nick\": \"x\"}}]",
		     1, "attribute 'nick': unexpected attribute", 3);
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {\"name\": \"A\", \"age\": 1,"
		     " \"addr\": {\"city\": \"x\", \"zap\": 1}}}]",
		     2, "missing required attribute 'zip'", 1);
}

Test(entities, bad_parent_type)
{
	expect_error("[{\"uid\": {\"type\": \"Folder\", \"id\": \"f\"},\n"
		     " \"parents\": [{\"type\": \"User\", \"id\": \"u\"}]}]",
		     1, "parent User::\"u\" is not allowed: entity type 'Folder' may only be in no other entities", 2);
	expect_error("[{\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {\"owner\": {\"type\": \"User\", \"id\": \"u\"}},"
		     " \"parents\": [{\"type\": \"Group\", \"id\": \"g\"}]}]",
		     1, "may only be in entities of type 'Folder'", 1);
}

Test(entities, enum_ids)
{
	expect_error("[{\"uid\": {\"type\": \"Color\", \"id\": \"blue\"}}]", 1,
		     "is of enumerated type 'Color', but \"blue\" is not one of its ids", 1);
	wdiags d;
	cr_assert_eq(load("[{\"uid\": {\"type\": \"Color\", \"id\": \"red\"}}]", &sch, &d), 0);
	done(&d);
}

Test(entities, tags_checked_by_schema)
{
	expect_error("[{\"uid\": {\"type\": \"Folder\", \"id\": \"f\"}, \"tags\": {\"k\": \"v\"}}]", 1,
		     "tag 'k': not allowed: entity type 'Folder' declares no tags", 1);
	expect_error("[{\"uid\": {\"type\": \"Doc\", \"id\": \"d\"}, \"attrs\": {\"owner\": {\"type\": \"User\", \"id\": \"u\"}},"
		     " \"tags\": {\"k\": 5}}]",
		     1, "tag 'k': expected String, found integer 5", 1);
}

Test(entities, errors_continue_and_json_errors)
{
	wdiags d;
	int n = load("[{\"uid\": {\"type\": \"Usr\", \"id\": \"a\"}}, 5,\n"
		     " {\"uid\": {\"type\": \"User\", \"id\": \"b\"}, \"attrs\": {}}]",
		     &sch, &d);
	cr_assert_eq(n, 4, "unknown type, not an object, two missing attributes");
	done(&d);
	expect_error("[{\"uid\": {\"type\": \"Folder\", \"id\": \"f\"},\n \"uid\": 1}]", 1, "duplicate object key", 2);
	expect_error("[\n  {\"uid\": 1.5e}\n]", 1, "invalid JSON", 2);
	expect_error("{\"uid\": 1}", 1, "must be an array", 1);
	expect_error("[{\"uid\": {\"type\": \"User\", \"id\": \"f\"}, \"attrs\": {\"name\": \"n\", \"age\": 1.5}}]", 1,
		     "attribute 'age': expected Long, found non-integer number 1.5", 1);
	n = load("[{\"uid\": {\"type\": \"X\", \"id\": \"f\"}, \"attrs\": {\"a\": [2.5]}}]", NULL, &d);
	cr_assert_eq(n, 1);
	cr_assert(strstr(d.items[0].msg, "attribute 'a[0]': 2.5 is not an integer"), "%s", d.items[0].msg);
	done(&d);
	n = load("[{\"uid\": {\"type\": \"X\", \"id\": \"f\"}, \"parent\": []}]", NULL, &d);
	cr_assert_eq(n, 0, "an unknown member is only a warning");
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.items[0].sev, WSEV_WARNING);
	done(&d);
}

Test(entities, ancestors_over_a_chain)
{
	wdiags d;
	const char t[] = "[{\"uid\": {\"type\": \"G\", \"id\": \"a\"}, \"parents\": [{\"type\": \"G\", \"id\": \"b\"}]},"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"c\"}, \"parents\": [{\"type\": \"G\", \"id\": \"d\"}]},"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"b\"}, \"parents\": [{\"type\": \"G\", \"id\": \"c\"},"
			 "   {\"type\": \"G\", \"id\": \"ghost\"}]},"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"d\"}},"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"x\"}, \"parents\": [{\"type\": \"G\", \"id\": \"b\"}]}]";
	cr_assert_eq(load(t, NULL, &d), 0);
	cr_assert(entities_in(&es, U("G", "a"), U("G", "d")));
	cr_assert(entities_in(&es, U("G", "a"), U("G", "ghost")), "a parent not in the store is an ancestor");
	cr_assert(entities_in(&es, U("G", "x"), U("G", "d")));
	cr_assert(entities_in(&es, U("G", "a"), U("G", "a")));
	cr_assert_not(entities_in(&es, U("G", "d"), U("G", "a")));
	cr_assert_not(entities_in(&es, U("G", "a"), U("G", "x")));
	cr_assert_not(entities_in(&es, U("G", "nobody"), U("G", "d")));
	cr_assert(entities_in(&es, U("G", "nobody"), U("G", "nobody")));
	cr_assert_eq(entity_ancestors(entities_get(&es, U("G", "a")))->n, 4);
	cr_assert_eq(entity_ancestors(entities_get(&es, U("G", "d")))->n, 0);
	done(&d);
}

Test(entities, long_chain_does_not_recurse)
{
	enum { N = 3000 };
	wbuf b = WBUF_INIT;
	buf_adds(&b, "[");
	for (int i = 0; i < N; i++)
		buf_printf(&b, "%s{\"uid\": {\"type\": \"G\", \"id\": \"%d\"}, \"parents\": [{\"type\": \"G\", \"id\": \"%d\"}]}",
			   i ? "," : "", i, i + 1);
	buf_adds(&b, "]");
	wdiags d;
	cr_assert_eq(load(b.p, NULL, &d), 0);
	cr_assert_eq(entity_ancestors(entities_get(&es, U("G", "0")))->n, N);
	cr_assert(entities_in(&es, U("G", "0"), U("G", "3000")));
	cr_assert(entity_has_ancestor(entities_get(&es, U("G", "1500")), U("G", "2999")));
	cr_assert_not(entity_has_ancestor(entities_get(&es, U("G", "1500")), U("G", "1499")));
	done(&d);
	buf_release(&b);
}

Test(entities, cycle_is_an_error_but_terminates)
{
	wdiags d;
	const char t[] = "[{\"uid\": {\"type\": \"G\", \"id\": \"a\"}, \"parents\": [{\"type\": \"G\", \"id\": \"b\"}]},\n"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"b\"}, \"parents\": [{\"type\": \"G\", \"id\": \"c\"}]},\n"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"c\"}, \"parents\": [{\"type\": \"G\", \"id\": \"a\"},"
			 " {\"type\": \"G\", \"id\": \"top\"}]},\n"
			 " {\"uid\": {\"type\": \"G\", \"id\": \"s\"}, \"parents\": [{\"type\": \"G\", \"id\": \"s\"}]}]";
	int n = load(t, NULL, &d);
	char *r = render(&d);
	cr_assert_eq(n, 2, "%s", r);
	cr_assert(strstr(r, "cycle"), "%s", r);
	cr_assert(strstr(r, "G::\"s\" is its own ancestor"), "%s", r);
	free(r);
	const wentity *a = entities_get(&es, U("G", "a"));
	cr_assert_eq(entity_ancestors(a)->n, 3, "b, c and top, not itself");
	cr_assert(entity_has_ancestor(a, U("G", "c")));
	cr_assert(entity_has_ancestor(entities_get(&es, U("G", "c")), U("G", "b")));
	cr_assert_not(entity_has_ancestor(a, U("G", "a")));
	done(&d);
}

Test(entities, schema_action_groups_are_ancestors)
{
	wdiags d;
	cr_assert_eq(load("[]", &sch, &d), 0);
	cr_assert(entities_in(&es, U("Action", "view"), U("Action", "all")));
	cr_assert(entities_in(&es, U("Action", "view"), U("Action", "read")));
	cr_assert_not(entities_in(&es, U("Action", "all"), U("Action", "view")));
	cr_assert_eq(es.n, 4);
	done(&d);
}

Test(entities, json_actions_must_match_the_schema)
{
	wdiags d;
	const char ok[] = "[{\"uid\": {\"type\": \"Action\", \"id\": \"view\"}, \"attrs\": {},"
			  " \"parents\": [{\"type\": \"Action\", \"id\": \"read\"}]},"
			  " {\"uid\": {\"type\": \"Action\", \"id\": \"read\"}, \"parents\": [{\"type\": \"Action\", \"id\": \"all\"}]}]";
	cr_assert_eq(load(ok, &sch, &d), 0);
	cr_assert(entities_in(&es, U("Action", "view"), U("Action", "all")));
	done(&d);
	expect_error("[{\"uid\": {\"type\": \"Action\", \"id\": \"view\"}, \"parents\": []}]", 1,
		     "does not match its declaration in the schema", 1);
	expect_error("[{\"uid\": {\"type\": \"Action\", \"id\": \"nope\"}}]", 1, "action is not declared in the schema", 1);
	expect_error("[{\"uid\": {\"type\": \"Action\", \"id\": \"all\"}, \"attrs\": {\"a\": 1}}]", 1, "actions have no attributes",
		     1);
}

/* ---- requests ----------------------------------------------------------- */

static int req(const char *text, const wschema *s, wrequest *r, char *msg, size_t msgn)
{
	json_t *j = parse(text);
	wbuf err = WBUF_INIT;
	int rc = request_from_json(&cx, &ar, j, s, r, &err);
	snprintf(msg, msgn, "%s", err.p ? err.p : "");
	buf_release(&err);
	json_decref(j);
	return rc;
}

Test(request, both_uid_forms_and_context)
{
	wrequest r;
	char msg[512];
	cr_assert_eq(req("{\"principal\": \"User::\\\"alice\\\"\", \"action\": {\"type\": \"Action\", \"id\": \"view\"},"
			 " \"resource\": {\"__entity\": {\"type\": \"Doc\", \"id\": \"d\"}},"
			 " \"context\": {\"ip\": \"123.123.123.123\", \"mfa\": true}, \"description\": \"ignored\"}",
			 &sch, &r, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert(uid_eq(r.principal, U("User", "alice")));
	cr_assert(uid_eq(r.action, U("Action", "view")));
	cr_assert(uid_eq(r.resource, U("Doc", "d")));
	cr_assert_eq(r.context.kind, WV_RECORD);
	cr_assert_eq(record_get(r.context.u.rec, S("ip"))->kind, WV_IPADDR);
	wbuf err = WBUF_INIT;
	cr_assert_eq(request_validate(&sch, &r, &err), 0, "%s", err.p ? err.p : "");
	buf_release(&err);
	/* without a schema: no context needed, strings stay strings */
	cr_assert_eq(req("{\"principal\": \"A::\\\"a\\\"\", \"action\": \"Action::\\\"x\\\"\", \"resource\": \"B::\\\"b\\\"\"}",
			 NULL, &r, msg, sizeof msg),
		     0, "%s", msg);
	cr_assert_eq(r.context.u.rec->n, 0);
	cr_assert_eq(req("{\"principal\": \"A::\\\"a\\\"\", \"action\": \"Action::\\\"x\\\"\", \"resource\": \"B::\\\"b\\\"\","
			 " \"context\": {\"__entity\": {\"type\": \"A\", \"id\": \"a\"}}}",
			 NULL, &r, msg, sizeof msg),
		     -1);
	cr_assert(strstr(msg, "context must be a record, found an entity reference"), "%s", msg);
}

static void req_fails(const char *text, const char *want)
{
	wrequest r;
	char msg[512];
	cr_assert_eq(req(text, &sch, &r, msg, sizeof msg), -1, "expected a failure for %s", text);
	cr_assert(strstr(msg, want), "want '%s' in '%s'", want, msg);
}

#define P_U "\"principal\": {\"type\": \"User\", \"id\": \"u\"}, "
#define A_V "\"action\": {\"type\": \"Action\", \"id\": \"view\"}, "
#define R_D "\"resource\": {\"type\": \"Doc\", \"id\": \"d\"}, "
#define C_OK "\"context\": {\"ip\": \"1.2.3.4\", \"mfa\": false}"

Test(request, validation_failures)
{
	req_fails("{" P_U "\"action\": {\"type\": \"Action\", \"id\": \"fly\"}, " R_D C_OK "}",
		  "action Action::\"fly\" is not declared in the schema");
	req_fails("{\"principal\": {\"type\": \"Doc\", \"id\": \"u\"}, " A_V R_D C_OK "}",
		  "principal type 'Doc' is not valid for action Action::\"view\"; valid principal types: 'User'");
	req_fails("{\"principal\": {\"type\": \"Alien\", \"id\": \"u\"}, " A_V R_D C_OK "}",
		  "principal type 'Alien' is not declared in the schema");
	req_fails("{" P_U A_V "\"resource\": {\"type\": \"User\", \"id\": \"d\"}, " C_OK "}",
		  "resource type 'User' is not valid for action Action::\"view\"; valid resource types: 'Doc', 'Folder'");
	req_fails("{" P_U A_V R_D "\"context\": {\"ip\": \"1.2.3.4\"}}", "context: missing required attribute 'mfa'");
	req_fails("{" P_U A_V R_D "\"context\": {\"ip\": 7, \"mfa\": true}}", "context: attribute 'ip': expected ipaddr");
	req_fails("{" P_U A_V R_D "\"context\": {\"ip\": \"1.2.3.4\", \"mfa\": true, \"x\": 1}}", "attribute 'x': unexpected");
	req_fails("{" P_U A_V R_D "\"context\": [1]}", "context must be a JSON object");
	req_fails("{" P_U "\"action\": {\"type\": \"Action\", \"id\": \"paint\"}, "
		  "\"resource\": {\"type\": \"Color\", \"id\": \"blue\"}}",
		  "resource Color::\"blue\" is of enumerated type 'Color'");
	req_fails("{" A_V R_D C_OK "}", "request has no \"principal\"");
	req_fails("{\"principal\": \"User::alice\", " A_V R_D C_OK "}", "invalid entity uid");
}

Test(request, validate_built_request)
{
	wrequest r;
	r.principal = U("User", "u");
	r.action = U("Action", "view");
	r.resource = U("Folder", "f");
	r.context.kind = WV_RECORD;
	r.context.u.rec = record_empty();
	wbuf err = WBUF_INIT;
	cr_assert_eq(request_validate(&sch, &r, &err), -1);
	cr_assert(strstr(err.p, "missing required attribute"), "%s", err.p);
	buf_clear(&err);
	wfield f[2];
	wipaddr ip = {0, 32, {1, 2, 3, 4}};
	f[0].key = S("ip");
	f[0].val.kind = WV_IPADDR;
	f[0].val.u.ip = &ip;
	f[1].key = S("mfa");
	f[1].val = value_long(1);
	r.context.u.rec = record_make(&ar, f, 2, false);
	cr_assert_eq(request_validate(&sch, &r, &err), -1);
	cr_assert(strstr(err.p, "attribute 'mfa': expected Bool"), "%s", err.p);
	buf_clear(&err);
	f[0].key = S("ip");
	f[0].val.kind = WV_IPADDR;
	f[0].val.u.ip = &ip;
	f[1].key = S("mfa");
	f[1].val = value_bool(true);
	r.context.u.rec = record_make(&ar, f, 2, false);
	cr_assert_eq(request_validate(&sch, &r, &err), 0, "%s", err.p ? err.p : "");
	buf_release(&err);
}

/* Ancestor tables are computed on first use; threads sharing a store may
 * ask for the same entity's at once. Each thread's answers must be the
 * same as one thread's, whichever table won. */
typedef struct race {
	const wentities *es;
	uint32_t *counts; /* per entity: its number of ancestors, as seen */
	bool ok;
} race;

static void *race_run(void *arg)
{
	race *r = arg;
	r->ok = true;
	for (uint32_t i = r->es->n; i-- > 0;) {
		const wentity *e = r->es->items[i];
		const wancestors *t = entity_ancestors(e);
		r->counts[i] = t->n;
		for (uint32_t k = 0; k < t->cap; k++)
			if (t->slot[k].type && !entity_has_ancestor(e, t->slot[k]))
				r->ok = false;
	}
	return NULL;
}

Test(entities, ancestors_computed_by_racing_threads)
{
	enum { N = 400, T = 4 };
	wbuf b = WBUF_INIT;
	buf_adds(&b, "[");
	/* a layered hierarchy: entity i is in i/2 and i/3 (a DAG with diamonds) */
	for (int i = 0; i < N; i++) {
		buf_printf(&b, "%s{\"uid\": {\"type\": \"G\", \"id\": \"%d\"}, \"parents\": [", i ? "," : "", i);
		if (i > 1)
			buf_printf(&b, "{\"type\": \"G\", \"id\": \"%d\"}, {\"type\": \"G\", \"id\": \"%d\"}", i / 2, i / 3);
		buf_adds(&b, "]}");
	}
	buf_adds(&b, "]");
	wdiags d;
	cr_assert_eq(load(b.p, NULL, &d), 0);
	pthread_t th[T];
	race r[T];
	uint32_t counts[T][N];
	for (int t = 0; t < T; t++) {
		r[t].es = &es;
		r[t].counts = counts[t];
		cr_assert_eq(pthread_create(&th[t], NULL, race_run, &r[t]), 0);
	}
	for (int t = 0; t < T; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < T; t++) {
		cr_assert(r[t].ok);
		cr_assert_eq(memcmp(counts[t], counts[0], sizeof counts[0]), 0);
	}
	/* 399 is in 199 and 133; 199 in 99 and 66; ... down to 0 and 1 */
	const wentity *e = entities_get(&es, U("G", "399"));
	cr_assert(entity_has_ancestor(e, U("G", "1")));
	cr_assert(entity_has_ancestor(e, U("G", "66")));
	cr_assert_not(entity_has_ancestor(e, U("G", "398")));
	cr_assert_eq(entity_ancestors(entities_get(&es, U("G", "1")))->n, 0);
	done(&d);
	buf_release(&b);
}
