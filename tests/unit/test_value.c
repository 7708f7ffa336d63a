/* Unit tests for cedar/value: ordering, equality, hashing, sets, records
 * and Cedar-syntax printing. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/ctx.h"
#include "cedar/ext.h"
#include "cedar/jsonv_int.h"
#include "cedar/schema.h"
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

/* ---- set order against a reference ---- */

static uint64_t rng_state;

static uint32_t rng(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* A few byte strings that exercise the symbol order: empty, a NUL byte
 * first or inside, shared prefixes, bytes above 0x7f. */
static const char *const k_bytes[] = {"", "a", "b", "ab", "a\0b", "\0", "\xc3\xa9", "z", "aa", "A", "\xff"};

static const char *pick_bytes(size_t *n)
{
	uint32_t i = rng(sizeof k_bytes / sizeof k_bytes[0]);
	*n = i == 4 ? 3 : (i == 5 ? 1 : strlen(k_bytes[i]));
	return k_bytes[i];
}

static const wsym *pick_sym(void)
{
	size_t n;
	const char *s = pick_bytes(&n);
	return intern_get(&cx.syms, s, n);
}

static wvalue gen_value(int kind, int depth)
{
	wvalue v;
	switch (kind) {
	case 0: return value_bool(rng(2));
	case 1: return value_long((int64_t)rng(9) - 4);
	case 2: {
		size_t n;
		const char *s = pick_bytes(&n);
		return value_string(s, (uint32_t)n);
	}
	case 3: {
		wuid u = {pick_sym(), pick_sym()};
		return value_entity(u);
	}
	case 4: {
		wvalue it[4];
		size_t n = depth > 0 ? rng(5) : 0;
		for (size_t i = 0; i < n; i++)
			it[i] = gen_value((int)rng(8), depth - 1);
		v.kind = WV_SET;
		v.u.set = set_make(&ar, it, n);
		return v;
	}
	case 5: {
		wfield f[4];
		size_t n = depth > 0 ? rng(5) : 0;
		for (size_t i = 0; i < n; i++) {
			f[i].key = pick_sym();
			f[i].val = gen_value((int)rng(8), depth - 1);
		}
		v.kind = WV_RECORD;
		v.u.rec = record_make(&ar, f, n, true);
		return v;
	}
	case 6: return rng(2) ? ip("10.0.0.1") : ip("::1");
	default: return value_ext_int((wvkind)(WV_DECIMAL + rng(3)), (int64_t)rng(4));
	}
}

static int ref_cmp(const void *a, const void *b)
{
	return value_cmp(a, b);
}

/* set_make against qsort + dedup by value_cmp, over sizes around the sort's
 * thresholds and sets of one kind (each has its own sort) or mixed. */
Test(value, set_make_matches_reference_order)
{
	enum { MAXN = 300 };
	static wvalue in[MAXN], ref[MAXN];
	static const size_t sizes[] = {1, 2, 3, 8, 9, 16, 17, 31, 64, 65, 66, 67, 130, 300};
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 400; round++) {
		size_t n = sizes[round % (sizeof sizes / sizeof sizes[0])];
		int kind = round % 9; /* 8: mixed kinds */
		for (size_t i = 0; i < n; i++)
			in[i] = gen_value(kind == 8 ? (int)rng(8) : kind, 2);
		memcpy(ref, in, n * sizeof *in);
		qsort(ref, n, sizeof *ref, ref_cmp);
		size_t m = 1;
		for (size_t i = 1; i < n; i++)
			if (value_cmp(&ref[m - 1], &ref[i]) != 0)
				ref[m++] = ref[i];
		const wset *s = set_make(&ar, in, n);
		cr_assert_eq(s->n, m, "round %d: %u items, want %zu", round, s->n, m);
		for (size_t i = 0; i < m; i++) {
			cr_assert(value_eq(&s->items[i], &ref[i]), "round %d item %zu", round, i);
			if (i)
				cr_assert_lt(value_cmp(&s->items[i - 1], &s->items[i]), 0, "round %d item %zu", round, i);
			cr_assert(set_contains(s, &ref[i]));
		}
	}
}

Test(value, set_dedup_keeps_the_first_equal_value)
{
	static const char b1[] = "same", b2[] = "same";
	wvalue items[20];
	for (int i = 0; i < 20; i++)
		items[i] = value_string(i % 2 ? b2 : b1, 4);
	items[0] = value_string(b2, 4); /* the first as given */
	const wset *s = set_make(&ar, items, 20);
	cr_assert_eq(s->n, 1);
	cr_assert_eq(s->items[0].u.s.p, b2);
}

/* Records of one shape (as in a set of tasks) order by their fields in key
 * order; records with other keys by the key bytes first. */
Test(value, set_of_records_orders_by_keys_then_values)
{
	wvalue items[12];
	for (int i = 0; i < 10; i++) {
		wfield f[] = {{key("name"), str(i % 2 ? "odd" : "even")},
			      {key("id"), value_long(5 - i / 2)},
			      {key("state"), str("s")}};
		items[i].kind = WV_RECORD;
		items[i].u.rec = record_make(&ar, f, 3, false);
	}
	wfield g[] = {{key("a"), value_long(100)}};
	wfield h[] = {{key("id"), str("x")}};
	items[10].kind = items[11].kind = WV_RECORD;
	items[10].u.rec = record_make(&ar, g, 1, false);
	items[11].u.rec = record_make(&ar, h, 1, false);
	wvalue s = set_of(items, 12);
	cr_assert_eq(s.u.set->n, 12);
	cr_assert_str_eq(printed(s),
			 "[{\"a\": 100}, "
			 "{\"id\": 1, \"name\": \"even\", \"state\": \"s\"}, {\"id\": 1, \"name\": \"odd\", \"state\": \"s\"}, "
			 "{\"id\": 2, \"name\": \"even\", \"state\": \"s\"}, {\"id\": 2, \"name\": \"odd\", \"state\": \"s\"}, "
			 "{\"id\": 3, \"name\": \"even\", \"state\": \"s\"}, {\"id\": 3, \"name\": \"odd\", \"state\": \"s\"}, "
			 "{\"id\": 4, \"name\": \"even\", \"state\": \"s\"}, {\"id\": 4, \"name\": \"odd\", \"state\": \"s\"}, "
			 "{\"id\": 5, \"name\": \"even\", \"state\": \"s\"}, {\"id\": 5, \"name\": \"odd\", \"state\": \"s\"}, "
			 "{\"id\": \"x\"}]");
}

/* Symbols order by unsigned bytes, a proper prefix first, NUL included. */
Test(value, entity_order_is_unsigned_bytes)
{
	wuid u[5] = {{key("T"), intern_get(&cx.syms, "\xc3\xa9", 2)}, {key("T"), key("z")},
		     {key("T"), intern_get(&cx.syms, "a\0", 2)}, {key("T"), key("a")},
		     {key("T"), intern_get(&cx.syms, "", 0)}};
	wvalue items[5];
	for (int i = 0; i < 5; i++)
		items[i] = value_entity(u[i]);
	const wset *s = set_make(&ar, items, 5);
	cr_assert_eq(s->n, 5);
	cr_assert_eq(s->items[0].u.e.id->len, 0);
	cr_assert_eq(s->items[1].u.e.id, key("a"));
	cr_assert_eq(s->items[2].u.e.id->len, 2);
	cr_assert_eq(s->items[3].u.e.id, key("z"));
	cr_assert_eq(s->items[4].u.e.id->len, 2);
	cr_assert_eq((unsigned char)s->items[4].u.e.id->s[0], 0xc3);
	wvalue x = value_entity((wuid){key("S"), key("zz")});
	cr_assert_lt(value_cmp(&x, &items[4]), 0, "the type decides first");
}

/* record_make against a stable sort by key bytes with the later duplicate
 * winning, for records below and above the insertion-sort size. */
Test(value, record_make_matches_reference)
{
	rng_state = 12345;
	for (int round = 0; round < 500; round++) {
		size_t n = 1 + rng(round % 5 ? 9 : 40);
		wfield f[40], g[40];
		for (size_t i = 0; i < n; i++) {
			f[i].key = pick_sym();
			f[i].val = value_long((int64_t)i);
		}
		memcpy(g, f, n * sizeof *f);
		/* reference: for each distinct key its last value, keys in order */
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				dup = dup || f[i].key == f[j].key;
		cr_assert_eq(record_make(&ar, g, n, false) == NULL, dup, "round %d", round);
		memcpy(g, f, n * sizeof *f);
		const wrecord *r = record_make(&ar, g, n, true);
		cr_assert_not_null(r);
		for (uint32_t i = 1; i < r->n; i++)
			cr_assert_lt(sym_cmp(r->f[i - 1].key, r->f[i].key), 0, "round %d", round);
		size_t distinct = 0;
		for (size_t i = 0; i < n; i++) {
			size_t last = i;
			bool first = true;
			for (size_t j = 0; j < n; j++) {
				if (f[j].key != f[i].key)
					continue;
				first = first && j >= i;
				last = j;
			}
			if (!first)
				continue;
			distinct++;
			const wvalue *v = record_get(r, f[i].key);
			cr_assert_not_null(v);
			cr_assert_eq(v->u.i, (int64_t)last, "round %d: the later duplicate wins", round);
		}
		cr_assert_eq(r->n, distinct);
	}
}

/* ---- conformance of built values to schema types (jsonv) ---- */

static wvalue rec_of(wfield *f, size_t n)
{
	wvalue v;
	v.kind = WV_RECORD;
	v.u.rec = record_make(&ar, f, n, false);
	cr_assert_not_null(v.u.rec);
	return v;
}

/* The message of a failing check ("" when it passes). */
static const char *why_not(const wvalue *v, const wtype *t, bool *ok)
{
	static char out[512];
	wbuf w = WBUF_INIT;
	*ok = jsonv_value_conforms(NULL, v, t, &w);
	cr_assert_lt(w.n, sizeof out);
	memcpy(out, w.p ? w.p : "", w.n + 1);
	buf_release(&w);
	return out;
}

static void check_conforms(const wvalue *v, const wtype *t, const char *want)
{
	bool ok;
	const char *got = why_not(v, t, &ok);
	cr_assert_eq(ok, want == NULL, "got [%s]", got);
	cr_assert_str_eq(got, want ? want : "");
}

Test(value, conforms_records_and_messages)
{
	wtype tlong = {.kind = WT_LONG}, tstr = {.kind = WT_STRING};
	wtype tuser = {.kind = WT_ENTITY, .entity = key("User")};
	/* {id: Long, name: String, state?: String}, closed */
	wattr ta[] = {{.name = key("id"), .type = &tlong, .required = true},
		      {.name = key("name"), .type = &tstr, .required = true},
		      {.name = key("state"), .type = &tstr, .required = false}};
	wtype ttask = {.kind = WT_RECORD, .attrs = ta, .nattrs = 3};
	wtype tset = {.kind = WT_SET, .elem = &ttask};
	wattr la[] = {{.name = key("owner"), .type = &tuser, .required = true},
		      {.name = key("tasks"), .type = &tset, .required = true}};
	wtype tlist = {.kind = WT_RECORD, .attrs = la, .nattrs = 2};

	wfield f1[] = {{key("name"), str("n")}, {key("id"), value_long(1)}, {key("state"), str("s")}};
	wfield f2[] = {{key("name"), str("n")}, {key("id"), value_long(2)}};
	wvalue ok1 = rec_of(f1, 3), ok2 = rec_of(f2, 2);
	check_conforms(&ok1, &ttask, NULL);
	check_conforms(&ok2, &ttask, NULL);

	wfield f3[] = {{key("name"), str("n")}, {key("state"), str("s")}};
	wvalue v3 = rec_of(f3, 2);
	check_conforms(&v3, &ttask, "missing required attribute 'id'");
	/* an ill-typed attribute (in attribute order) beats an undeclared field
	 * that sorts before it */
	wfield f5[] = {{key("name"), value_long(5)}, {key("id"), str("x")}, {key("a"), value_long(1)}};
	wvalue v5 = rec_of(f5, 3);
	check_conforms(&v5, &ttask, "attribute 'id': expected Long, found string \"x\"");
	/* the first undeclared field in field order, wherever it falls */
	wfield f6[] = {{key("name"), str("n")}, {key("id"), value_long(1)}, {key("zz"), value_long(1)},
		       {key("b"), value_long(1)}};
	wvalue v6 = rec_of(f6, 4);
	check_conforms(&v6, &ttask, "unexpected attribute 'b'");
	wfield f7[] = {{key("name"), str("n")}, {key("id"), value_long(1)}, {key("zz"), value_long(1)}};
	wvalue v7 = rec_of(f7, 3);
	check_conforms(&v7, &ttask, "unexpected attribute 'zz'");
	wfield f7b[] = {{key("name"), str("n")}, {key("id"), value_long(1)}, {key("j"), value_long(1)}};
	wvalue v7b = rec_of(f7b, 3);
	check_conforms(&v7b, &ttask, "unexpected attribute 'j'");
	/* a missing attribute beats an undeclared field */
	wfield f8[] = {{key("id"), value_long(1)}, {key("zz"), value_long(1)}};
	wvalue v8 = rec_of(f8, 2);
	check_conforms(&v8, &ttask, "missing required attribute 'name'");
	ttask.open = true;
	check_conforms(&v7, &ttask, NULL);
	check_conforms(&v8, &ttask, "missing required attribute 'name'");
	ttask.open = false;

	/* nested: an attribute holding a set of records */
	wvalue bad[] = {ok1, ok2, v5};
	wvalue sbad = set_of(bad, 3);
	wvalue good[] = {ok1, ok2};
	wvalue sgood = set_of(good, 2);
	wvalue mixed[] = {ok1, value_long(7)};
	wvalue smixed = set_of(mixed, 2);
	wvalue alice = ent("User", "alice"), team = ent("Team", "t");
	wfield l1[] = {{key("tasks"), sbad}, {key("owner"), alice}};
	wvalue lv1 = rec_of(l1, 2);
	check_conforms(&lv1, &tlist,
		       "attribute 'tasks': attribute 'id': expected Long, found string \"x\" (in a set element)");
	wfield l2[] = {{key("tasks"), sgood}, {key("owner"), team}};
	wvalue lv2 = rec_of(l2, 2);
	check_conforms(&lv2, &tlist, "attribute 'owner': expected an entity of type 'User', found Team::\"t\"");
	wfield l3[] = {{key("tasks"), sgood}, {key("owner"), alice}};
	wvalue lv3 = rec_of(l3, 2);
	check_conforms(&lv3, &tlist, NULL);
	wfield l4[] = {{key("tasks"), value_long(4)}, {key("owner"), alice}};
	wvalue lv4 = rec_of(l4, 2);
	check_conforms(&lv4, &tlist,
		       "attribute 'tasks': expected Set<{ id: Long, name: String, state?: String }>, found long 4");
	wfield l5[] = {{key("tasks"), smixed}, {key("owner"), alice}};
	wvalue lv5 = rec_of(l5, 2);
	check_conforms(&lv5, &tlist,
		       "attribute 'tasks': expected { id: Long, name: String, state?: String }, found long 7 "
		       "(in a set element)");
	check_conforms(&ok1, &tlong, "expected Long, found record {\"id\": 1, \"name\": \"n\", \"state\": \"s\"}");

	/* empty records and record types */
	wvalue empty = {.kind = WV_RECORD, .u.rec = record_empty()};
	wtype tempty = {.kind = WT_RECORD};
	check_conforms(&empty, &ttask, "missing required attribute 'id'");
	check_conforms(&v7, &tempty, "unexpected attribute 'id'");
	check_conforms(&empty, &tempty, NULL);
}
