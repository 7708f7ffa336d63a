/* Unit tests for cedar/value: ordering, equality, hashing, sets, records
 * and Cedar-syntax printing. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cedar/ctx.h"
#include "cedar/ext.h"
#include "cedar/value.h"

static wctx cx;
static warena ar;

static void setup(void)
{
	ctx_init(&cx);
	arena_init(&ar);
}

static void teardown(void)
{
	arena_release(&ar);
	ctx_release(&cx);
}

TestSuite(value, .init = setup, .fini = teardown);

static wvalue str(const char *s)
{
	return value_string(s, (uint32_t)strlen(s));
}

static wvalue ent(const char *type, const char *id)
{
	wuid u = {intern_cstr(&cx.syms, type), intern_cstr(&cx.syms, id)};
	return value_entity(u);
}

static wvalue dec(const char *s)
{
	int64_t v;
	cr_assert_eq(ext_parse_decimal(s, strlen(s), &v), 0, "decimal %s", s);
	return value_ext_int(WV_DECIMAL, v);
}

static wvalue ip(const char *s)
{
	wipaddr *p = arena_zalloc(&ar, sizeof *p);
	cr_assert_eq(ext_parse_ip(s, strlen(s), p), 0, "ip %s", s);
	wvalue v;
	v.kind = WV_IPADDR;
	v.u.ip = p;
	return v;
}

static wvalue set_of(wvalue *items, size_t n)
{
	wvalue v;
	v.kind = WV_SET;
	v.u.set = set_make(&ar, items, n);
	return v;
}

static const wsym *key(const char *s)
{
	return intern_cstr(&cx.syms, s);
}

static char *printed(wvalue v)
{
	static char out[4][512];
	static int slot;
	wbuf b = WBUF_INIT;
	value_print(&v, &b);
	char *r = out[slot++ % 4];
	cr_assert_lt(b.n, sizeof out[0]);
	memcpy(r, b.p, b.n + 1);
	buf_release(&b);
	return r;
}

Test(value, kind_names)
{
	cr_assert_str_eq(value_kind_name(WV_BOOL), "bool");
	cr_assert_str_eq(value_kind_name(WV_LONG), "long");
	cr_assert_str_eq(value_kind_name(WV_STRING), "string");
	cr_assert_str_eq(value_kind_name(WV_ENTITY), "entity");
	cr_assert_str_eq(value_kind_name(WV_SET), "set");
	cr_assert_str_eq(value_kind_name(WV_RECORD), "record");
	cr_assert_str_eq(value_kind_name(WV_IPADDR), "ipaddr");
	cr_assert_str_eq(value_kind_name(WV_DECIMAL), "decimal");
	cr_assert_str_eq(value_kind_name(WV_DATETIME), "datetime");
	cr_assert_str_eq(value_kind_name(WV_DURATION), "duration");
}

Test(value, cmp_kind_first)
{
	wvalue vs[] = {value_bool(true), value_long(-5), str(""), ent("A", "a"),
		       set_of(NULL, 0), {.kind = WV_RECORD, .u.rec = record_empty()},
		       ip("0.0.0.0"), dec("0.0"), value_ext_int(WV_DATETIME, 0),
		       value_ext_int(WV_DURATION, 0)};
	size_t n = sizeof vs / sizeof vs[0];
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(value_cmp(&vs[i], &vs[i]), 0);
		for (size_t j = i + 1; j < n; j++) {
			cr_assert_lt(value_cmp(&vs[i], &vs[j]), 0, "%zu < %zu", i, j);
			cr_assert_gt(value_cmp(&vs[j], &vs[i]), 0, "%zu > %zu", j, i);
			cr_assert_not(value_eq(&vs[i], &vs[j]));
		}
	}
}

Test(value, cmp_within_kind)
{
	wvalue f = value_bool(false), t = value_bool(true);
	cr_assert_lt(value_cmp(&f, &t), 0);
	wvalue lmin = value_long(INT64_MIN), lmax = value_long(INT64_MAX), z = value_long(0);
	cr_assert_lt(value_cmp(&lmin, &z), 0);
	cr_assert_lt(value_cmp(&z, &lmax), 0);
	cr_assert_lt(value_cmp(&lmin, &lmax), 0);
	/* strings: bytes, shorter prefix first */
	wvalue a = str("a"), ab = str("ab"), b = str("b"), e = str("");
	cr_assert_lt(value_cmp(&e, &a), 0);
	cr_assert_lt(value_cmp(&a, &ab), 0);
	cr_assert_lt(value_cmp(&ab, &b), 0);
	/* bytes >= 0x80 sort after ASCII (unsigned compare) */
	wvalue hi = str("\xc3\xa9"), lo = str("z");
	cr_assert_lt(value_cmp(&lo, &hi), 0);
	/* entities: type name, then id */
	wvalue ua = ent("User", "a"), ub = ent("User", "b"), ga = ent("Group", "z");
	cr_assert_lt(value_cmp(&ua, &ub), 0);
	cr_assert_lt(value_cmp(&ga, &ua), 0);
	wvalue ns = ent("NS::User", "a");
	cr_assert_lt(value_cmp(&ns, &ua), 0);
	/* extension values */
	wvalue d1 = dec("-1.5"), d2 = dec("1.0");
	cr_assert_lt(value_cmp(&d1, &d2), 0);
	wvalue i4 = ip("255.255.255.255"), i6 = ip("::");
	cr_assert_lt(value_cmp(&i4, &i6), 0, "ipv4 sorts before ipv6");
	wvalue p8 = ip("10.0.0.0/8"), p16 = ip("10.0.0.0/16");
	cr_assert_lt(value_cmp(&p8, &p16), 0);
}

Test(value, eq_semantics)
{
	wvalue one = value_long(1), t = value_bool(true);
	cr_assert_not(value_eq(&one, &t), "different kinds are never equal");
	wvalue s1 = str("x"), one_s = str("1");
	cr_assert_not(value_eq(&one, &one_s));
	wvalue s1b = str("x");
	cr_assert(value_eq(&s1, &s1b));
	/* embedded NUL bytes count */
	wvalue n1 = value_string("a\0b", 3), n2 = value_string("a\0c", 3), n3 = value_string("a", 1);
	cr_assert_not(value_eq(&n1, &n2));
	cr_assert_not(value_eq(&n1, &n3));
	cr_assert_neq(value_cmp(&n1, &n2), 0);
	/* entities by interned identity */
	wvalue e1 = ent("User", "alice"), e2 = ent("User", "alice"), e3 = ent("Admin", "alice");
	cr_assert(value_eq(&e1, &e2));
	cr_assert_not(value_eq(&e1, &e3));
	/* decimal compares the scaled integer */
	wvalue a = dec("1.0"), b = dec("1.00"), c = dec("1.0001"), z1 = dec("0.0"), z2 = dec("-0.0");
	cr_assert(value_eq(&a, &b));
	cr_assert_eq(value_cmp(&a, &b), 0);
	cr_assert_not(value_eq(&a, &c));
	cr_assert(value_eq(&z1, &z2));
	/* decimal vs long with the same payload */
	wvalue l = value_long(10000);
	cr_assert_not(value_eq(&a, &l));
	/* datetime vs duration with the same ms */
	wvalue dt = value_ext_int(WV_DATETIME, 5), du = value_ext_int(WV_DURATION, 5);
	cr_assert_not(value_eq(&dt, &du));
	/* ip: host bits and prefix both matter */
	wvalue i1 = ip("192.168.0.1/24"), i2 = ip("192.168.0.8/24"), i3 = ip("192.168.0.1/24");
	wvalue i4 = ip("127.0.0.1"), i5 = ip("::1"), i6 = ip("192.168.0.1");
	cr_assert_not(value_eq(&i1, &i2));
	cr_assert(value_eq(&i1, &i3));
	cr_assert_not(value_eq(&i4, &i5));
	cr_assert_not(value_eq(&i1, &i6));
}

Test(value, set_make_sorts_and_dedups)
{
	wvalue items[] = {value_long(3), value_long(1), str("b"), value_long(3), value_bool(false),
			  str("a"), value_long(1), str("b")};
	wvalue s = set_of(items, sizeof items / sizeof items[0]);
	cr_assert_eq(s.u.set->n, 5);
	cr_assert_str_eq(printed(s), "[false, 1, 3, \"a\", \"b\"]");
	for (uint32_t i = 1; i < s.u.set->n; i++)
		cr_assert_lt(value_cmp(&s.u.set->items[i - 1], &s.u.set->items[i]), 0);
	wvalue probe = value_long(3), absent = value_long(2), absent2 = str("c");
	cr_assert(set_contains(s.u.set, &probe));
	cr_assert_not(set_contains(s.u.set, &absent));
	cr_assert_not(set_contains(s.u.set, &absent2));
	wvalue bfalse = value_bool(false), btrue = value_bool(true);
	cr_assert(set_contains(s.u.set, &bfalse));
	cr_assert_not(set_contains(s.u.set, &btrue));
}

Test(value, set_empty_and_equality)
{
	const wset *e = set_empty();
	cr_assert_eq(e->n, 0);
	cr_assert_eq(set_make(&ar, NULL, 0), e);
	wvalue x = value_long(1);
	cr_assert_not(set_contains(e, &x));
	wvalue a1[] = {value_long(2), value_long(1)}, a2[] = {value_long(1), value_long(2), value_long(1)};
	wvalue s1 = set_of(a1, 2), s2 = set_of(a2, 3);
	cr_assert(value_eq(&s1, &s2), "sets are equal regardless of build order and duplicates");
	cr_assert_eq(value_hash(&s1), value_hash(&s2));
	wvalue a3[] = {value_long(1)};
	wvalue s3 = set_of(a3, 1);
	cr_assert_not(value_eq(&s1, &s3));
	cr_assert_lt(value_cmp(&s3, &s1), 0, "[1] is a prefix of [1, 2]");
	wvalue es = set_of(NULL, 0);
	cr_assert_lt(value_cmp(&es, &s3), 0);
	cr_assert_str_eq(printed(es), "[]");
}

Test(value, set_of_sets_and_decimals)
{
	wvalue in1[] = {value_long(1)}, in2[] = {value_long(1)};
	wvalue outer[] = {set_of(in1, 1), set_of(in2, 1), set_of(NULL, 0)};
	wvalue s = set_of(outer, 3);
	cr_assert_eq(s.u.set->n, 2);
	cr_assert_str_eq(printed(s), "[[], [1]]");
	wvalue ds[] = {dec("1.0"), dec("1.0000"), dec("0.5")};
	wvalue d = set_of(ds, 3);
	cr_assert_eq(d.u.set->n, 2, "decimal 1.0 and 1.0000 are one element");
	wvalue probe = dec("1.00");
	cr_assert(set_contains(d.u.set, &probe));
}

Test(value, set_large_binary_search)
{
	wvalue items[200];
	for (int i = 0; i < 200; i++)
		items[i] = value_long((int64_t)(199 - i) * 2);
	wvalue s = set_of(items, 200);
	cr_assert_eq(s.u.set->n, 200);
	for (int64_t i = -1; i < 402; i++) {
		wvalue p = value_long(i);
		cr_assert_eq(set_contains(s.u.set, &p), i >= 0 && i < 400 && i % 2 == 0, "%lld", (long long)i);
	}
}

Test(value, record_make_sorts_by_key_bytes)
{
	wfield f[] = {{key("b"), value_long(2)}, {key("a"), value_long(1)}, {key("B"), value_long(0)},
		      {key("ab"), value_long(3)}};
	const wrecord *r = record_make(&ar, f, 4, false);
	cr_assert_not_null(r);
	cr_assert_eq(r->n, 4);
	cr_assert_str_eq(r->f[0].key->s, "B");
	cr_assert_str_eq(r->f[1].key->s, "a");
	cr_assert_str_eq(r->f[2].key->s, "ab");
	cr_assert_str_eq(r->f[3].key->s, "b");
	const wvalue *v = record_get(r, key("ab"));
	cr_assert_not_null(v);
	cr_assert_eq(v->u.i, 3);
	cr_assert_null(record_get(r, key("c")));
	wvalue rv = {.kind = WV_RECORD, .u.rec = r};
	cr_assert_str_eq(printed(rv), "{\"B\": 0, \"a\": 1, \"ab\": 3, \"b\": 2}");
}

Test(value, record_duplicates)
{
	wfield f[] = {{key("x"), value_long(1)}, {key("y"), value_long(2)}, {key("x"), value_long(3)}};
	wfield g[3];
	memcpy(g, f, sizeof f);
	cr_assert_null(record_make(&ar, f, 3, false));
	const wrecord *r = record_make(&ar, g, 3, true);
	cr_assert_not_null(r);
	cr_assert_eq(r->n, 2);
	cr_assert_eq(record_get(r, key("x"))->u.i, 3, "the later duplicate wins");
	cr_assert_eq(record_get(r, key("y"))->u.i, 2);
}

Test(value, record_duplicates_stable_in_big_records)
{
	/* more than the insertion-sort threshold, duplicates spread out */
	enum { N = 40 };
	wfield f[N];
	char name[8];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "k%02d", i % 20);
		f[i].key = key(name);
		f[i].val = value_long(i);
	}
	const wrecord *r = record_make(&ar, f, N, true);
	cr_assert_eq(r->n, 20);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof name, "k%02d", i);
		const wvalue *v = record_get(r, key(name));
		cr_assert_not_null(v);
		cr_assert_eq(v->u.i, i + 20, "key %s keeps its last value", name);
	}
	cr_assert_null(record_get(r, key("k20")));
	cr_assert_null(record_get(r, key("")));
}

Test(value, record_empty_and_eq)
{
	const wrecord *e = record_empty();
	cr_assert_eq(e->n, 0);
	cr_assert_eq(record_make(&ar, NULL, 0, false), e);
	cr_assert_null(record_get(e, key("a")));
	wfield f1[] = {{key("a"), value_long(1)}, {key("b"), str("x")}};
	wfield f2[] = {{key("b"), str("x")}, {key("a"), value_long(1)}};
	wfield f3[] = {{key("b"), str("y")}, {key("a"), value_long(1)}};
	wvalue r1 = {.kind = WV_RECORD, .u.rec = record_make(&ar, f1, 2, false)};
	wvalue r2 = {.kind = WV_RECORD, .u.rec = record_make(&ar, f2, 2, false)};
	wvalue r3 = {.kind = WV_RECORD, .u.rec = record_make(&ar, f3, 2, false)};
	wvalue re = {.kind = WV_RECORD, .u.rec = e};
	cr_assert(value_eq(&r1, &r2));
	cr_assert_eq(value_cmp(&r1, &r2), 0);
	cr_assert_eq(value_hash(&r1), value_hash(&r2));
	cr_assert_not(value_eq(&r1, &r3));
	cr_assert_lt(value_cmp(&r1, &r3), 0);
	cr_assert_not(value_eq(&r1, &re));
	cr_assert_lt(value_cmp(&re, &r1), 0);
	cr_assert_str_eq(printed(re), "{}");
}

Test(value, hash_consistent_with_eq)
{
	wvalue a = dec("2.5"), b = dec("2.50");
	cr_assert_eq(value_hash(&a), value_hash(&b));
	wvalue e1 = ent("User", "x"), e2 = ent("User", "x");
	cr_assert_eq(value_hash(&e1), value_hash(&e2));
	wvalue i1 = ip("10.0.0.1/8"), i2 = ip("10.0.0.1/8");
	cr_assert_eq(value_hash(&i1), value_hash(&i2));
	wvalue s1 = str("abc"), s2 = value_string("abcd", 3);
	cr_assert_eq(value_hash(&s1), value_hash(&s2));
	/* different kinds with the same payload should not collide */
	wvalue l = value_long(7), d = value_ext_int(WV_DURATION, 7);
	cr_assert_neq(value_hash(&l), value_hash(&d));
	wvalue f = value_bool(false), z = value_long(0);
	cr_assert_neq(value_hash(&f), value_hash(&z));
}

Test(value, print_scalars)
{
	cr_assert_str_eq(printed(value_bool(true)), "true");
	cr_assert_str_eq(printed(value_bool(false)), "false");
	cr_assert_str_eq(printed(value_long(0)), "0");
	cr_assert_str_eq(printed(value_long(-42)), "-42");
	cr_assert_str_eq(printed(value_long(INT64_MIN)), "-9223372036854775808");
	cr_assert_str_eq(printed(value_long(INT64_MAX)), "9223372036854775807");
}

Test(value, print_string_escapes)
{
	cr_assert_str_eq(printed(str("")), "\"\"");
	cr_assert_str_eq(printed(str("plain text")), "\"plain text\"");
	cr_assert_str_eq(printed(str("a\"b")), "\"a\\\"b\"");
	cr_assert_str_eq(printed(str("a\\b")), "\"a\\\\b\"");
	cr_assert_str_eq(printed(str("it's")), "\"it\\'s\"");
	cr_assert_str_eq(printed(str("l1\nl2\r\t")), "\"l1\\nl2\\r\\t\"");
	cr_assert_str_eq(printed(value_string("a\0b", 3)), "\"a\\0b\"");
	cr_assert_str_eq(printed(str("\x1c\x01\x7f")), "\"\\u{1c}\\u{1}\\u{7f}\"");
	/* non-ASCII printable text passes through; C1 controls are escaped */
	cr_assert_str_eq(printed(str("caf\xc3\xa9 \xe2\x9c\x93")), "\"caf\xc3\xa9 \xe2\x9c\x93\"");
	cr_assert_str_eq(printed(str("\xc2\x85")), "\"\\u{85}\"");
	cr_assert_str_eq(printed(str("\xf0\xb0\xa5\xb0")), "\"\xf0\xb0\xa5\xb0\"");
	cr_assert_str_eq(printed(str("*")), "\"*\"");
	/* separators, format and private-use characters are shown escaped */
	cr_assert_str_eq(printed(str("a\xc2\xa0" "b")), "\"a\\u{a0}b\"");
	cr_assert_str_eq(printed(str("\xe2\x80\xa8\xef\xbb\xbf\xee\x80\x80")), "\"\\u{2028}\\u{feff}\\u{e000}\"");
	cr_assert_str_eq(printed(str("\xe2\x80\x8b")), "\"\\u{200b}\"");
	cr_assert_str_eq(printed(str("\xc2\xae")), "\"\xc2\xae\"", "the registered sign is printable");
}

Test(value, print_entities)
{
	cr_assert_str_eq(printed(ent("User", "alice")), "User::\"alice\"");
	cr_assert_str_eq(printed(ent("NS::Sub::Doc", "a\"b\\c")), "NS::Sub::Doc::\"a\\\"b\\\\c\"");
	cr_assert_str_eq(printed(ent("User", "")), "User::\"\"");
	wbuf b = WBUF_INIT;
	wuid u = {key("Action"), key("view\nall")};
	uid_print(u, &b);
	cr_assert_str_eq(b.p, "Action::\"view\\nall\"");
	buf_release(&b);
}

Test(value, print_nested)
{
	wvalue inner[] = {ent("User", "b"), ent("User", "a")};
	wfield f[] = {{key("z\"q"), set_of(inner, 2)}, {key("a"), dec("1.5")}, {key("ip"), ip("10.0.0.0/8")}};
	wvalue r = {.kind = WV_RECORD, .u.rec = record_make(&ar, f, 3, false)};
	cr_assert_str_eq(printed(r),
			 "{\"a\": decimal(\"1.5000\"), \"ip\": ip(\"10.0.0.0/8\"), "
			 "\"z\\\"q\": [User::\"a\", User::\"b\"]}");
	wvalue outer[] = {r, value_long(1)};
	wvalue s = set_of(outer, 2);
	cr_assert_str_eq(printed(s), "[1, {\"a\": decimal(\"1.5000\"), \"ip\": ip(\"10.0.0.0/8\"), "
				     "\"z\\\"q\": [User::\"a\", User::\"b\"]}]");
}

Test(value, print_extension_values)
{
	cr_assert_str_eq(printed(ip("10.0.0.1")), "ip(\"10.0.0.1\")");
	cr_assert_str_eq(printed(dec("-0.5")), "decimal(\"-0.5000\")");
	cr_assert_str_eq(printed(value_ext_int(WV_DATETIME, 0)), "datetime(\"1970-01-01\")");
	cr_assert_str_eq(printed(value_ext_int(WV_DURATION, 5400000)), "duration(\"1h30m\")");
}
