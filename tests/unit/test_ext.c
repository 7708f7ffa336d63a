/* Unit tests for cedar/ext: the extension function table, the ipaddr,
 * decimal, datetime and duration parsers, every function and method, the
 * errors they raise and the printed forms. Expected values follow the
 * reference implementation (Cedar 4.x) and its documentation. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "cedar/ext.h"
#include "cedar/value.h"

static warena ar;

static void setup(void)
{
	arena_init(&ar);
}

static void teardown(void)
{
	arena_release(&ar);
}

TestSuite(ext, .init = setup, .fini = teardown);

static wvalue str(const char *s)
{
	return value_string(s, (uint32_t)strlen(s));
}

/* Calls a function through the table; returns the impl's status. */
static int call(const char *name, bool method, const wvalue *args, unsigned nargs, wvalue *out, const char **err)
{
	const wext_fn *f = ext_lookup(name, strlen(name), method);
	cr_assert_not_null(f, "function %s", name);
	cr_assert_eq(f->nargs, nargs, "arity of %s", name);
	*err = NULL;
	return f->impl(&ar, args, out, err);
}

static wvalue ctor(const char *fn, const char *arg)
{
	wvalue a = str(arg), out;
	const char *err;
	int rc = call(fn, false, &a, 1, &out, &err);
	cr_assert_eq(rc, 0, "%s(\"%s\") failed: %s", fn, arg, err ? err : "");
	return out;
}

static const char *ctor_err(const char *fn, const char *arg)
{
	wvalue a = str(arg), out;
	const char *err;
	int rc = call(fn, false, &a, 1, &out, &err);
	cr_assert_eq(rc, -1, "%s(\"%s\") should fail", fn, arg);
	cr_assert_not_null(err);
	return err;
}

static wvalue m1(const char *name, wvalue recv)
{
	wvalue out;
	const char *err;
	cr_assert_eq(call(name, true, &recv, 1, &out, &err), 0, "%s: %s", name, err ? err : "");
	return out;
}

static wvalue m2(const char *name, wvalue recv, wvalue arg)
{
	wvalue args[2] = {recv, arg}, out;
	const char *err;
	cr_assert_eq(call(name, true, args, 2, &out, &err), 0, "%s: %s", name, err ? err : "");
	return out;
}

static const char *m1_err(const char *name, wvalue recv)
{
	wvalue out;
	const char *err;
	cr_assert_eq(call(name, true, &recv, 1, &out, &err), -1, "%s should fail", name);
	cr_assert_not_null(err);
	return err;
}

static const char *m2_err(const char *name, wvalue recv, wvalue arg)
{
	wvalue args[2] = {recv, arg}, out;
	const char *err;
	cr_assert_eq(call(name, true, args, 2, &out, &err), -1, "%s should fail", name);
	cr_assert_not_null(err);
	return err;
}

static bool truth(wvalue v)
{
	cr_assert_eq(v.kind, WV_BOOL);
	return v.u.b;
}

static int64_t as_long(wvalue v)
{
	cr_assert_eq(v.kind, WV_LONG);
	return v.u.i;
}

static char *printed(wvalue v)
{
	static char out[4][256];
	static int slot;
	wbuf b = WBUF_INIT;
	value_print(&v, &b);
	char *r = out[slot++ % 4];
	cr_assert_lt(b.n, sizeof out[0]);
	memcpy(r, b.p, b.n + 1);
	buf_release(&b);
	return r;
}

static char *arg_text(wvalue v)
{
	static char out[4][256];
	static int slot;
	wbuf b = WBUF_INIT;
	int rc = ext_print_arg(&v, &b);
	char *r = out[slot++ % 4];
	if (rc != 0) {
		cr_assert_eq(b.n, 0);
		r[0] = '\0';
	} else {
		memcpy(r, b.p, b.n + 1);
	}
	buf_release(&b);
	return rc == 0 ? r : NULL;
}

/* ---- the table ---- */

Test(ext, lookup_by_style)
{
	const char *ctors[] = {"ip", "decimal", "datetime", "duration"};
	for (size_t i = 0; i < 4; i++) {
		const wext_fn *f = ext_lookup(ctors[i], strlen(ctors[i]), false);
		cr_assert_not_null(f, "%s", ctors[i]);
		cr_assert_not(f->method);
		cr_assert_eq(f->nargs, 1);
		cr_assert_str_eq(f->name, ctors[i]);
		cr_assert_null(ext_lookup(ctors[i], strlen(ctors[i]), true), "%s is not a method", ctors[i]);
	}
	struct {
		const char *name;
		unsigned nargs;
	} methods[] = {{"isIpv4", 1}, {"isIpv6", 1}, {"isLoopback", 1}, {"isMulticast", 1},
		       {"isInRange", 2}, {"lessThan", 2}, {"lessThanOrEqual", 2}, {"greaterThan", 2},
		       {"greaterThanOrEqual", 2}, {"offset", 2}, {"durationSince", 2}, {"toDate", 1},
		       {"toTime", 1}, {"toMilliseconds", 1}, {"toSeconds", 1}, {"toMinutes", 1},
		       {"toHours", 1}, {"toDays", 1}};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		const char *n = methods[i].name;
		const wext_fn *f = ext_lookup(n, strlen(n), true);
		cr_assert_not_null(f, "%s", n);
		cr_assert(f->method);
		cr_assert_eq(f->nargs, methods[i].nargs, "%s", n);
		cr_assert_null(ext_lookup(n, strlen(n), false), "%s is not a function", n);
		cr_assert_eq(ext_lookup_any(n, strlen(n)), f);
	}
}

Test(ext, lookup_unknown_and_lengths)
{
	cr_assert_null(ext_lookup("contains", 8, true), "set methods are not extensions");
	cr_assert_null(ext_lookup("iP", 2, false), "names are case-sensitive");
	cr_assert_null(ext_lookup_any("nope", 4));
	cr_assert_null(ext_lookup_any("", 0));
	/* only `len` bytes of the name count */
	const wext_fn *f = ext_lookup("ipsum", 2, false);
	cr_assert_not_null(f);
	cr_assert_str_eq(f->name, "ip");
	cr_assert_null(ext_lookup("isIpv4x", 7, true));
	cr_assert_null(ext_lookup("isIpv", 5, true));
	cr_assert_eq(ext_lookup_any("decimal", 7), ext_lookup("decimal", 7, false));
}

Test(ext, ctor_names)
{
	cr_assert_str_eq(ext_ctor_name(WV_IPADDR), "ip");
	cr_assert_str_eq(ext_ctor_name(WV_DECIMAL), "decimal");
	cr_assert_str_eq(ext_ctor_name(WV_DATETIME), "datetime");
	cr_assert_str_eq(ext_ctor_name(WV_DURATION), "duration");
	cr_assert_null(ext_ctor_name(WV_LONG));
}

Test(ext, constructors_need_strings)
{
	const char *ctors[] = {"ip", "decimal", "datetime", "duration"};
	for (size_t i = 0; i < 4; i++) {
		wvalue a = value_long(1), out;
		const char *err;
		cr_assert_eq(call(ctors[i], false, &a, 1, &out, &err), -1);
		cr_assert_str_eq(err, "type error: expected string, got long");
	}
}

/* ---- decimal ---- */

static int64_t dec_of(const char *s)
{
	int64_t v;
	cr_assert_eq(ext_parse_decimal(s, strlen(s), &v), 0, "decimal %s", s);
	wvalue d = ctor("decimal", s);
	cr_assert_eq(d.kind, WV_DECIMAL);
	cr_assert_eq(d.u.i, v);
	return v;
}

Test(ext, decimal_valid)
{
	cr_assert_eq(dec_of("1.0"), 10000);
	cr_assert_eq(dec_of("-1.0"), -10000);
	cr_assert_eq(dec_of("123.456"), 1234560);
	cr_assert_eq(dec_of("0.1234"), 1234);
	cr_assert_eq(dec_of("-0.0123"), -123, "the sign covers a zero integer part");
	cr_assert_eq(dec_of("-0.5"), -5000);
	cr_assert_eq(dec_of("55.1"), 551000);
	cr_assert_eq(dec_of("00.000"), 0);
	cr_assert_eq(dec_of("-0.0"), 0);
	cr_assert_eq(dec_of("0123.0"), 1230000);
	cr_assert_eq(dec_of("000000000000000000000000001.0"), 10000, "leading zeros do not overflow");
	cr_assert_eq(dec_of("922337203685477.5807"), INT64_MAX);
	cr_assert_eq(dec_of("-922337203685477.5808"), INT64_MIN);
	cr_assert_eq(dec_of("922337203685477.0"), INT64_C(9223372036854770000));
	cr_assert_eq(dec_of("-578721382704613.3841"), INT64_C(-5787213827046133841));
	cr_assert_eq(dec_of("276694117332329.112"), INT64_C(2766941173323291120));
}

Test(ext, decimal_invalid)
{
	const char *bad[] = {"1234", "1.0.", "1.", ".1", "1.a", "-.", "", "-", ".", "+1.0", " 1.0", "1.0 ",
			     "1,0", "0x1.0", "1e3.0", "--1.0", "1.-0", "0.12345", "0.00000", "ॊ", "1.0\n",
			     "1.\xd9\xa0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		cr_assert_eq(ext_parse_decimal(bad[i], strlen(bad[i]), &v), -1, "\"%s\"", bad[i]);
		ctor_err("decimal", bad[i]);
	}
	/* embedded NUL */
	int64_t v;
	cr_assert_eq(ext_parse_decimal("1.0\0", 4, &v), -1);
}

Test(ext, decimal_overflow)
{
	const char *bad[] = {"1000000000000000.0", "922337203685477.5808", "-922337203685477.5809",
			     "-922337203685478.0", "9223372036854775808.0", "-9223372036854775808.0",
			     "99999999999999999999999999.0", "6221200215543063.998", "-696068899998855777690.353",
			     "-2249974848184175.8208"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		cr_assert_eq(ext_parse_decimal(bad[i], strlen(bad[i]), &v), -1, "\"%s\"", bad[i]);
		const char *e = ctor_err("decimal", bad[i]);
		cr_assert(strstr(e, "out of range"), "%s", e);
	}
}

Test(ext, decimal_error_messages)
{
	cr_assert_str_eq(ctor_err("decimal", "1.23456"),
			 "invalid decimal literal \"1.23456\": at most 4 fractional digits are supported");
	cr_assert_str_eq(ctor_err("decimal", "abc"), "invalid decimal literal \"abc\"");
	cr_assert_str_eq(ctor_err("decimal", "a\"b"), "invalid decimal literal \"a\\\"b\"");
	/* long literals are cut in messages */
	char big[200];
	memset(big, '7', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *e = ctor_err("decimal", big);
	cr_assert_lt(strlen(e), 120);
	cr_assert(strstr(e, "..."));
}

Test(ext, decimal_compare_methods)
{
	wvalue a = ctor("decimal", "1.23"), b = ctor("decimal", "1.24"), c = ctor("decimal", "123.45");
	wvalue d = ctor("decimal", "-1.23"), e = ctor("decimal", "-1.24");
	cr_assert(truth(m2("lessThan", a, b)));
	cr_assert_not(truth(m2("lessThan", a, a)));
	cr_assert_not(truth(m2("lessThan", c, a)));
	cr_assert(truth(m2("lessThan", d, a)));
	cr_assert_not(truth(m2("lessThan", d, e)));
	cr_assert(truth(m2("lessThanOrEqual", a, b)));
	cr_assert(truth(m2("lessThanOrEqual", a, a)));
	cr_assert_not(truth(m2("lessThanOrEqual", c, a)));
	cr_assert(truth(m2("lessThanOrEqual", d, a)));
	cr_assert_not(truth(m2("lessThanOrEqual", d, e)));
	cr_assert_not(truth(m2("greaterThan", a, b)));
	cr_assert_not(truth(m2("greaterThan", a, a)));
	cr_assert(truth(m2("greaterThan", c, a)));
	cr_assert_not(truth(m2("greaterThan", d, a)));
	cr_assert(truth(m2("greaterThan", d, e)));
	cr_assert_not(truth(m2("greaterThanOrEqual", a, b)));
	cr_assert(truth(m2("greaterThanOrEqual", a, a)));
	cr_assert(truth(m2("greaterThanOrEqual", c, a)));
	cr_assert_not(truth(m2("greaterThanOrEqual", d, a)));
	cr_assert(truth(m2("greaterThanOrEqual", d, e)));
	wvalue mn = ctor("decimal", "-922337203685477.5808"), mx = ctor("decimal", "922337203685477.5807");
	cr_assert(truth(m2("lessThan", mn, mx)));
	cr_assert(truth(m2("greaterThan", mx, mn)));
	/* -0.5 really is below zero */
	cr_assert(truth(m2("lessThan", ctor("decimal", "-0.5"), ctor("decimal", "0.0"))));
}

Test(ext, decimal_type_errors)
{
	wvalue a = ctor("decimal", "1.0");
	cr_assert_str_eq(m2_err("lessThan", a, value_long(1)), "type error: expected decimal, got long");
	cr_assert_str_eq(m2_err("greaterThan", value_long(1), a), "type error: expected decimal, got long");
	const char *e = m2_err("lessThanOrEqual", a, str("1.0"));
	cr_assert(strncmp(e, "type error: expected decimal, got string", 40) == 0, "%s", e);
	cr_assert(strstr(e, "'decimal' constructor"), "%s", e);
	wvalue dt = ctor("datetime", "2024-01-01");
	cr_assert_str_eq(m2_err("greaterThanOrEqual", a, dt), "type error: expected decimal, got datetime");
}

Test(ext, decimal_print)
{
	cr_assert_str_eq(printed(ctor("decimal", "1.23")), "decimal(\"1.2300\")");
	cr_assert_str_eq(printed(ctor("decimal", "123.0")), "decimal(\"123.0000\")");
	cr_assert_str_eq(printed(ctor("decimal", "1.0023")), "decimal(\"1.0023\")");
	cr_assert_str_eq(printed(ctor("decimal", "-123.456")), "decimal(\"-123.4560\")");
	cr_assert_str_eq(printed(ctor("decimal", "-0.0123")), "decimal(\"-0.0123\")");
	cr_assert_str_eq(printed(ctor("decimal", "-0.0")), "decimal(\"0.0000\")");
	cr_assert_str_eq(printed(ctor("decimal", "-922337203685477.5808")), "decimal(\"-922337203685477.5808\")");
	cr_assert_str_eq(printed(ctor("decimal", "922337203685477.5807")), "decimal(\"922337203685477.5807\")");
	cr_assert_str_eq(arg_text(ctor("decimal", "7.5")), "7.5000");
	/* the printed form parses back to the same value */
	const char *in[] = {"0.0001", "-0.0001", "99.99", "-922337203685477.5808"};
	for (size_t i = 0; i < 4; i++) {
		wvalue v = ctor("decimal", in[i]);
		wvalue back = ctor("decimal", arg_text(v));
		cr_assert(value_eq(&v, &back), "%s", in[i]);
	}
}

/* ---- ipaddr ---- */

static wvalue ipv(const char *s)
{
	return ctor("ip", s);
}

Test(ext, ip_parse_v4)
{
	wipaddr ip;
	cr_assert_eq(ext_parse_ip("192.168.1.100", 13, &ip), 0);
	cr_assert_eq(ip.v6, 0);
	cr_assert_eq(ip.prefix, 32);
	cr_assert_eq(ip.addr[0], 192);
	cr_assert_eq(ip.addr[3], 100);
	for (int i = 4; i < 16; i++)
		cr_assert_eq(ip.addr[i], 0);
	cr_assert_eq(ext_parse_ip("10.50.0.0/24", 12, &ip), 0);
	cr_assert_eq(ip.prefix, 24);
	cr_assert_eq(ext_parse_ip("0.0.0.0/0", 9, &ip), 0);
	cr_assert_eq(ip.prefix, 0);
	cr_assert_eq(ext_parse_ip("255.255.255.255/32", 18, &ip), 0);
	cr_assert_eq(ip.addr[0], 255);
	cr_assert_eq(ip.prefix, 32);
	/* host bits are kept as written */
	cr_assert_eq(ext_parse_ip("127.0.0.1/8", 11, &ip), 0);
	cr_assert_eq(ip.addr[3], 1);
}

Test(ext, ip_parse_v6)
{
	wipaddr ip;
	cr_assert_eq(ext_parse_ip("::1", 3, &ip), 0);
	cr_assert_eq(ip.v6, 1);
	cr_assert_eq(ip.prefix, 128);
	for (int i = 0; i < 15; i++)
		cr_assert_eq(ip.addr[i], 0);
	cr_assert_eq(ip.addr[15], 1);
	cr_assert_eq(ext_parse_ip("1:2:3:4::/48", 12, &ip), 0);
	cr_assert_eq(ip.prefix, 48);
	cr_assert_eq(ip.addr[1], 1);
	cr_assert_eq(ip.addr[7], 4);
	cr_assert_eq(ip.addr[8], 0);
	const char *full = "AFaf:0:0:0:0:0:0:ffff";
	cr_assert_eq(ext_parse_ip(full, strlen(full), &ip), 0);
	cr_assert_eq(ip.addr[0], 0xaf);
	cr_assert_eq(ip.addr[1], 0xaf);
	cr_assert_eq(ip.addr[14], 0xff);
	cr_assert_eq(ext_parse_ip("::", 2, &ip), 0);
	cr_assert_eq(ip.prefix, 128);
	cr_assert_eq(ext_parse_ip("1::", 3, &ip), 0);
	cr_assert_eq(ip.addr[1], 1);
	cr_assert_eq(ext_parse_ip("1:2:3:4:5:6:7::", 15, &ip), 0, ":: may stand for one group");
	cr_assert_eq(ip.addr[13], 7);
	cr_assert_eq(ext_parse_ip("::2:3:4:5:6:7:8", 15, &ip), 0);
	cr_assert_eq(ip.addr[3], 2);
	cr_assert_eq(ext_parse_ip("0000:0000:0000:0000:0000:0000:0000:0001/128", 43, &ip), 0,
		     "43 characters is the limit");
	cr_assert_eq(ip.addr[15], 1);
}

Test(ext, ip_parse_invalid)
{
	const char *bad[] = {
		"", "380.0.0.1", "ab.ab.ab.ab", "127.0.0.1/8/24", "fee::/64::1", "fzz::1", "1.2.3", "1.2.3.4.5",
		"01.2.3.4", "1.2.3.04", "1.2.3.00", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1..2.3",
		"174.1744.174.0", "174.174.174.0//5", "174.174.174.0/", "174.174.174.0/55", "1.2.3.4/33",
		"1.2.3.4/08", "1.2.3.4/00", "1.2.3.4/+8", "1.2.3.4/ 8", "1.2.3.4/032", "::/129", "::/0128",
		"::/1280", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1::2::3", ":1::2",
		"1:", ":", ":::", "12345::", "1:2:3:4:5:6:7", "g::", "::ffff:1.2.3.4", "::1.2.3.4",
		"::ffff:255.255.255.255", "1:2:3:4:5:6:1.2.3.4", "::1%eth0", "[::1]", "TTT2T:",
		"0000:0000:0000:0000:0000:0000:0000:0001/0128", "\n\n\n", "localhost", "1.2.3.4/", "/8",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		wipaddr ip;
		cr_assert_eq(ext_parse_ip(bad[i], strlen(bad[i]), &ip), -1, "\"%s\"", bad[i]);
		ctor_err("ip", bad[i]);
	}
	wipaddr ip;
	cr_assert_eq(ext_parse_ip("1.2.3.4\0", 8, &ip), -1);
	cr_assert_str_eq(ctor_err("ip", "1.2.3"), "invalid ip address literal \"1.2.3\"");
	/* a single dot or colon pair alone does not trigger the embedded-IPv4 refusal */
	cr_assert_eq(ext_parse_ip("::ffff:ff00:1", 13, &ip), 0);
}

Test(ext, ip_version_methods)
{
	cr_assert(truth(m1("isIpv4", ipv("127.0.0.1"))));
	cr_assert_not(truth(m1("isIpv4", ipv("::1"))));
	cr_assert(truth(m1("isIpv4", ipv("127.0.0.1/24"))));
	cr_assert_not(truth(m1("isIpv6", ipv("127.0.0.1/24"))));
	cr_assert(truth(m1("isIpv6", ipv("ffee::/64"))));
	cr_assert(truth(m1("isIpv6", ipv("::1"))));
}

Test(ext, ip_loopback)
{
	cr_assert(truth(m1("isLoopback", ipv("127.0.0.2"))));
	cr_assert(truth(m1("isLoopback", ipv("127.255.255.255"))));
	cr_assert(truth(m1("isLoopback", ipv("127.0.0.0/8"))));
	cr_assert(truth(m1("isLoopback", ipv("127.1.0.0/16"))));
	cr_assert_not(truth(m1("isLoopback", ipv("127.0.0.1/7"))), "a /7 range reaches outside 127/8");
	cr_assert_not(truth(m1("isLoopback", ipv("126.0.0.1"))));
	cr_assert_not(truth(m1("isLoopback", ipv("128.0.0.1"))));
	cr_assert(truth(m1("isLoopback", ipv("::1"))));
	cr_assert_not(truth(m1("isLoopback", ipv("::1/127"))));
	cr_assert_not(truth(m1("isLoopback", ipv("::2"))));
	cr_assert_not(truth(m1("isLoopback", ipv("::"))));
	cr_assert_not(truth(m1("isLoopback", ipv("::ffff:7f00:1"))), "IPv4-mapped is IPv6, not loopback");
}

Test(ext, ip_multicast)
{
	cr_assert_not(truth(m1("isMulticast", ipv("127.0.0.1"))));
	cr_assert(truth(m1("isMulticast", ipv("224.0.0.1"))));
	cr_assert(truth(m1("isMulticast", ipv("239.255.255.255"))));
	cr_assert(truth(m1("isMulticast", ipv("228.228.97.10"))));
	cr_assert_not(truth(m1("isMulticast", ipv("223.255.255.255"))));
	cr_assert_not(truth(m1("isMulticast", ipv("240.0.0.0"))));
	cr_assert(truth(m1("isMulticast", ipv("224.0.0.0/4"))));
	cr_assert_not(truth(m1("isMulticast", ipv("224.0.0.0/3"))));
	cr_assert(truth(m1("isMulticast", ipv("ff00::2"))));
	cr_assert(truth(m1("isMulticast", ipv("ff00::/8"))));
	cr_assert_not(truth(m1("isMulticast", ipv("ff00::/7"))));
	cr_assert_not(truth(m1("isMulticast", ipv("fe00::"))));
	cr_assert_not(truth(m1("isMulticast", ipv("::"))));
}

Test(ext, ip_in_range)
{
	cr_assert(truth(m2("isInRange", ipv("192.168.0.1"), ipv("192.168.0.1/24"))));
	cr_assert(truth(m2("isInRange", ipv("192.168.0.1"), ipv("192.168.0.1/28"))));
	cr_assert(truth(m2("isInRange", ipv("192.168.0.75"), ipv("192.168.0.1/24"))));
	cr_assert_not(truth(m2("isInRange", ipv("192.168.0.75"), ipv("192.168.0.1/28"))));
	cr_assert(truth(m2("isInRange", ipv("1:2:3:4::"), ipv("1:2:3:4::/48"))));
	cr_assert_not(truth(m2("isInRange", ipv("192.168.0.1"), ipv("1:2:3:4::"))));
	cr_assert_not(truth(m2("isInRange", ipv("::ffff:c0a8:1"), ipv("192.168.0.0/16"))));
	/* ranges within ranges */
	cr_assert(truth(m2("isInRange", ipv("10.1.0.0/16"), ipv("10.0.0.0/8"))));
	cr_assert_not(truth(m2("isInRange", ipv("10.0.0.0/8"), ipv("10.1.0.0/16"))));
	cr_assert(truth(m2("isInRange", ipv("10.0.0.0/8"), ipv("10.0.0.0/8"))));
	cr_assert(truth(m2("isInRange", ipv("10.9.9.9/8"), ipv("10.0.0.0/8"))), "host bits are ignored");
	cr_assert(truth(m2("isInRange", ipv("1.2.3.4"), ipv("0.0.0.0/0"))));
	cr_assert(truth(m2("isInRange", ipv("0.0.0.0/0"), ipv("9.9.9.9/0"))));
	cr_assert_not(truth(m2("isInRange", ipv("0.0.0.0/0"), ipv("0.0.0.0/1"))));
	cr_assert(truth(m2("isInRange", ipv("128.0.0.0/1"), ipv("255.0.0.0/1"))));
	cr_assert(truth(m2("isInRange", ipv("::"), ipv("::/0"))));
	cr_assert(truth(m2("isInRange", ipv("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/126"), ipv("ffff::/16"))));
	cr_assert_not(truth(m2("isInRange", ipv("afaf:afaf:afaf:afaf:afaf:afaf:afaf:afaf/46"),
				 ipv("afaf:afaf:afaf:afaf:afaf:afaf:afaf:afaf/47"))));
	cr_assert(truth(m2("isInRange", ipv("afaf:afaf:afaf:afaf:afaf:afaf:afaf:afaf/47"),
			     ipv("afaf:afaf:afaf:afaf:afaf:afaf:afaf:afaf/46"))));
	/* prefix boundaries that are not byte aligned */
	cr_assert(truth(m2("isInRange", ipv("175.175.175.175"), ipv("175.128.0.0/10"))));
	cr_assert_not(truth(m2("isInRange", ipv("175.192.0.0"), ipv("175.128.0.0/10"))));
	cr_assert(truth(m2("isInRange", ipv("175.191.255.255"), ipv("175.175.175.175/10"))));
}

Test(ext, ip_type_errors)
{
	cr_assert_str_eq(m2_err("isInRange", ipv("192.168.0.1"), value_long(1)),
			 "type error: expected ipaddr, got long");
	cr_assert_str_eq(m2_err("isInRange", value_bool(true), ipv("192.168.0.1")),
			 "type error: expected ipaddr, got bool");
	const char *e = m1_err("isIpv4", str("127.0.0.1"));
	cr_assert(strstr(e, "expected ipaddr, got string"), "%s", e);
	cr_assert(strstr(e, "'ip' constructor"), "%s", e);
	m1_err("isIpv6", value_long(4));
	m1_err("isLoopback", ctor("decimal", "1.0"));
	m1_err("isMulticast", ctor("duration", "1h"));
}

Test(ext, ip_print)
{
	cr_assert_str_eq(printed(ipv("127.0.0.1")), "ip(\"127.0.0.1\")");
	cr_assert_str_eq(printed(ipv("10.0.0.0/8")), "ip(\"10.0.0.0/8\")");
	cr_assert_str_eq(printed(ipv("127.0.0.1/32")), "ip(\"127.0.0.1\")");
	cr_assert_str_eq(printed(ipv("::1")), "ip(\"::1\")");
	cr_assert_str_eq(printed(ipv("::")), "ip(\"::\")");
	cr_assert_str_eq(printed(ipv("FFEE::/64")), "ip(\"ffee::/64\")");
	cr_assert_str_eq(printed(ipv("1:0:0:2:0:0:0:3")), "ip(\"1:0:0:2::3\")");
	cr_assert_str_eq(printed(ipv("1:0:0:2:0:0:3:4")), "ip(\"1::2:0:0:3:4\")", "first of equal runs");
	cr_assert_str_eq(printed(ipv("1:0:2:3:4:5:6:7")), "ip(\"1:0:2:3:4:5:6:7\")", "a single zero group stays");
	cr_assert_str_eq(printed(ipv("0001:0db8:0000:0000:0000:0000:0000:0001")), "ip(\"1:db8::1\")");
	cr_assert_str_eq(printed(ipv("1:2:3:4:5:6:7::")), "ip(\"1:2:3:4:5:6:7:0\")");
	cr_assert_str_eq(printed(ipv("::ffff:ff00:1")), "ip(\"::ffff:ff00:1\")", "stays parseable");
	cr_assert_str_eq(printed(ipv("::/0")), "ip(\"::/0\")");
	cr_assert_str_eq(arg_text(ipv("192.168.0.0/16")), "192.168.0.0/16");
	/* printed forms parse back */
	const char *in[] = {"1:0:0:2:0:0:3:4", "afaf:afaf:afaf:afaf:afaf:afaf:afaf:afaf/46", "0.0.0.4", "::ff"};
	for (size_t i = 0; i < 4; i++) {
		wvalue v = ipv(in[i]);
		wvalue back = ipv(arg_text(v));
		cr_assert(value_eq(&v, &back), "%s", in[i]);
	}
}

Test(ext, ip_cmp_order)
{
	wipaddr a, b;
	cr_assert_eq(ext_parse_ip("1.2.3.4", 7, &a), 0);
	cr_assert_eq(ext_parse_ip("1.2.3.5", 7, &b), 0);
	cr_assert_lt(ext_ip_cmp(&a, &b), 0);
	cr_assert_gt(ext_ip_cmp(&b, &a), 0);
	cr_assert_eq(ext_ip_cmp(&a, &a), 0);
	cr_assert_eq(ext_parse_ip("1.2.3.4/31", 10, &b), 0);
	cr_assert_gt(ext_ip_cmp(&a, &b), 0, "same address: shorter prefix first");
	cr_assert_eq(ext_parse_ip("::", 2, &b), 0);
	cr_assert_lt(ext_ip_cmp(&a, &b), 0, "v4 before v6");
}

/* ---- datetime ---- */

static int64_t dt_of(const char *s)
{
	int64_t v;
	cr_assert_eq(ext_parse_datetime(s, strlen(s), &v), 0, "datetime %s", s);
	wvalue d = ctor("datetime", s);
	cr_assert_eq(d.kind, WV_DATETIME);
	cr_assert_eq(d.u.i, v);
	return v;
}

Test(ext, datetime_valid)
{
	cr_assert_eq(dt_of("1970-01-01"), 0);
	cr_assert_eq(dt_of("2024-10-15"), INT64_C(1728950400000));
	cr_assert_eq(dt_of("2024-10-15T11:35:00Z"), INT64_C(1728992100000));
	cr_assert_eq(dt_of("2024-10-15T11:35:00.000Z"), INT64_C(1728992100000));
	cr_assert_eq(dt_of("2024-10-15T11:35:00.123Z"), INT64_C(1728992100123));
	cr_assert_eq(dt_of("2024-10-15T11:35:00+0100"), INT64_C(1728988500000));
	cr_assert_eq(dt_of("2024-10-15T11:35:00.000+0100"), INT64_C(1728988500000));
	cr_assert_eq(dt_of("2024-10-15T11:35:00-0000"), INT64_C(1728992100000));
	cr_assert_eq(dt_of("1969-12-31T23:59:59.999Z"), -1);
	cr_assert_eq(dt_of("0001-01-01"), INT64_C(-62135596800000));
	cr_assert_eq(dt_of("0000-01-01"), INT64_C(-62167219200000));
	cr_assert_eq(dt_of("9999-12-31T23:59:59.999Z"), INT64_C(253402300799999));
	cr_assert_eq(dt_of("0000-01-01T00:00:00+2359"), INT64_C(-62167219200000) - 86340000);
	cr_assert_eq(dt_of("9999-12-31T23:59:59-2359"), INT64_C(253402300799000) + 86340000);
	/* offsets from the reference's tests */
	cr_assert_eq(dt_of("2024-10-15T11:38:02.101+1134"), dt_of("2024-10-15T00:04:02.101Z"));
	cr_assert_eq(dt_of("2024-10-15T11:38:02-1134"), dt_of("2024-10-15T23:12:02Z"));
	cr_assert_eq(dt_of("2024-10-15T23:59:00+2359"), dt_of("2024-10-15"));
	cr_assert_eq(dt_of("2024-10-15T00:00:00-2359"), dt_of("2024-10-15T23:59:00Z"));
}

Test(ext, datetime_calendar)
{
	/* leap years: divisible by 4, except centuries, except every 400 */
	dt_of("2024-02-29");
	dt_of("2000-02-29");
	dt_of("0000-02-29");
	dt_of("1600-02-29");
	ctor_err("datetime", "2025-02-29");
	ctor_err("datetime", "1900-02-29");
	ctor_err("datetime", "2100-02-29");
	ctor_err("datetime", "2024-02-30");
	cr_assert_eq(dt_of("2024-03-01") - dt_of("2024-02-28"), 2 * 86400000);
	cr_assert_eq(dt_of("2023-03-01") - dt_of("2023-02-28"), 86400000);
	const char *last[] = {"2023-01-31", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30", "2023-07-31",
			      "2023-08-31", "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31"};
	const char *over[] = {"2023-01-32", "2023-03-32", "2023-04-31", "2023-05-32", "2023-06-31", "2023-07-32",
			      "2023-08-32", "2023-09-31", "2023-10-32", "2023-11-31", "2023-12-32"};
	for (size_t i = 0; i < sizeof last / sizeof last[0]; i++) {
		dt_of(last[i]);
		ctor_err("datetime", over[i]);
	}
}

Test(ext, datetime_invalid)
{
	const char *bad[] = {
		"", "a", "-", "-1", "11-12-13", "1111-1x-20", "00011-12-13", "10000-01-01", "10000-01-01T00:00:00Z",
		"0000-0a-01", "2022-10-10 ", " 2022-10-10", "2024-10-15Z", "2024-10-15T11:38:02ZZ", "2024-01-01T01:02",
		"2024-01-01T00:00:00", "2016-12-31T23:59:60.000Z", "2016-12-31T23:59:60Z", "2024-00-01", "2024-01-00",
		"2024-13-01", "2024-20-01", "2024-01-99", "2024-01-01T", "2024-01-01Ta", "2024-01-01T01:",
		"2024-01-01T01:02:0b", "2024-01-01T01::02:03", "2024-01-01T24:00:00Z", "2024-01-01T31:02:03Z",
		"2024-01-01T01:60:03Z", "2024-01-01T00:00:00T", "2024-01-01T00:00:00x001Z", "2024-01-01T00:00:00.001ZZ",
		"2024-01-01T00:00:00.0001Z", "2024-01-01T00:00:00.01Z", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00+2400", "2024-01-01T00:00:00-0060", "2024-01-01T00:00:00+01", "2024-01-01T00:00:00+01:00",
		"2024-01-01T00:00:00+00000", "2024-01-01t00:00:00Z", "2024-01-01T00:00:00z", "2024-1-01",
		"2024-01-1", "2024/01/01", "+2024-01-01", "2024-01-01T00:00:00.000", "0000-01-01T00:00:00",
		"3993-13-02", "3993-10-32", "1024-02-31", "2392-11-03TT006606:08.535Z", ("2024-01-01T00:00:00\xe2\x9e\x95" "0000"),
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		cr_assert_eq(ext_parse_datetime(bad[i], strlen(bad[i]), &v), -1, "\"%s\"", bad[i]);
		ctor_err("datetime", bad[i]);
	}
	int64_t v;
	cr_assert_eq(ext_parse_datetime("2024-01-01\0", 11, &v), -1);
	cr_assert_str_eq(ctor_err("datetime", "2024-01-01T"), "invalid datetime literal \"2024-01-01T\"");
}

Test(ext, datetime_offset_and_since)
{
	wvalue d = ctor("datetime", "2024-10-15");
	wvalue r = m2("offset", d, ctor("duration", "1h"));
	cr_assert_eq(r.kind, WV_DATETIME);
	cr_assert_eq(r.u.i, dt_of("2024-10-15T01:00:00Z"));
	r = m2("offset", ctor("datetime", "2024-10-15T00:18:00Z"), ctor("duration", "42m"));
	cr_assert_eq(r.u.i, dt_of("2024-10-15T01:00:00Z"));
	r = m2("offset", ctor("datetime", "2024-10-16T01:00:00Z"), ctor("duration", "-1d"));
	cr_assert_eq(r.u.i, dt_of("2024-10-15T01:00:00Z"));
	cr_assert_str_eq(m2_err("offset", d, value_long(42)), "type error: expected duration, got long");
	cr_assert_str_eq(m2_err("offset", ctor("duration", "1h"), ctor("duration", "1h")),
			 "type error: expected datetime, got duration");

	wvalue s = m2("durationSince", ctor("datetime", "2024-10-15T01:00:00Z"), d);
	cr_assert_eq(s.kind, WV_DURATION);
	cr_assert_eq(s.u.i, 3600000);
	s = m2("durationSince", ctor("datetime", "2024-10-14T23:18:00Z"), d);
	cr_assert_eq(s.u.i, -42 * 60000);
	s = m2("durationSince", ctor("datetime", "2024-10-16T00:00:00-0500"), d);
	cr_assert_eq(s.u.i, ctor("duration", "1d5h").u.i);
	cr_assert_str_eq(m2_err("durationSince", d, ctor("duration", "1h")),
			 "type error: expected datetime, got duration");
}

Test(ext, datetime_overflow)
{
	wvalue max = value_ext_int(WV_DATETIME, INT64_MAX), min = value_ext_int(WV_DATETIME, INT64_MIN);
	const char *e = m2_err("offset", max, ctor("duration", "1ms"));
	cr_assert(strncmp(e, "overflow", 8) == 0, "%s", e);
	m2_err("offset", min, ctor("duration", "-1ms"));
	wvalue r = m2("offset", max, ctor("duration", "-1ms"));
	cr_assert_eq(r.u.i, INT64_MAX - 1);
	r = m2("offset", min, ctor("duration", "9223372036854775807ms"));
	cr_assert_eq(r.u.i, -1);
	m2_err("durationSince", max, min);
	m2_err("durationSince", min, value_ext_int(WV_DATETIME, 1));
	r = m2("durationSince", min, value_ext_int(WV_DATETIME, 0));
	cr_assert_eq(r.u.i, INT64_MIN);
	m2_err("offset", ctor("datetime", "9999-12-31"), ctor("duration", "9223372036854775807ms"));
	r = m2("offset", ctor("datetime", "1969-12-31"), ctor("duration", "9223372036854775807ms"));
	cr_assert_eq(r.u.i, INT64_MAX - 86400000);
}

Test(ext, datetime_to_date_and_time)
{
	wvalue r = m1("toDate", ctor("datetime", "2025-02-20T10:35:00Z"));
	cr_assert_eq(r.kind, WV_DATETIME);
	cr_assert_eq(r.u.i, dt_of("2025-02-20"));
	r = m1("toDate", ctor("datetime", "2025-02-20T22:00:00-0500"));
	cr_assert_eq(r.u.i, dt_of("2025-02-21"));
	r = m1("toTime", ctor("datetime", "2025-02-20T10:35:00Z"));
	cr_assert_eq(r.kind, WV_DURATION);
	cr_assert_eq(r.u.i, ctor("duration", "10h35m").u.i);
	r = m1("toTime", ctor("datetime", "2025-02-20T10:35:00-0500"));
	cr_assert_eq(r.u.i, ctor("duration", "15h35m").u.i);
	r = m1("toTime", ctor("datetime", "2025-02-20T22:00:00-0500"));
	cr_assert_eq(r.u.i, ctor("duration", "3h").u.i);
	/* before the epoch: round down to the previous midnight */
	r = m1("toDate", value_ext_int(WV_DATETIME, -1));
	cr_assert_eq(r.u.i, -86400000);
	r = m1("toTime", value_ext_int(WV_DATETIME, -1));
	cr_assert_eq(r.u.i, 86400000 - 1);
	r = m1("toDate", value_ext_int(WV_DATETIME, -86400000));
	cr_assert_eq(r.u.i, -86400000);
	r = m1("toTime", value_ext_int(WV_DATETIME, -86400000));
	cr_assert_eq(r.u.i, 0);
	r = m1("toDate", ctor("datetime", "1969-07-20T20:17:40Z"));
	cr_assert_eq(r.u.i, dt_of("1969-07-20"));
	r = m1("toTime", ctor("datetime", "1969-07-20T20:17:40Z"));
	cr_assert_eq(r.u.i, ctor("duration", "20h17m40s").u.i);
	r = m1("toDate", ctor("datetime", "0000-01-01T00:00:00+2359"));
	cr_assert_eq(r.u.i, INT64_C(-62167219200000) - 86400000);
	r = m1("toDate", value_ext_int(WV_DATETIME, INT64_MAX));
	cr_assert_eq(r.u.i, INT64_MAX - INT64_MAX % 86400000);
	r = m1("toTime", value_ext_int(WV_DATETIME, INT64_MAX));
	cr_assert_eq(r.u.i, INT64_MAX % 86400000);
	/* the first days of int64 have no representable midnight */
	const char *e = m1_err("toDate", value_ext_int(WV_DATETIME, INT64_MIN));
	cr_assert(strncmp(e, "overflow", 8) == 0, "%s", e);
	int64_t lowest_day = INT64_C(-106751991167) * 86400000; /* = -9223372036828800000 */
	r = m1("toDate", value_ext_int(WV_DATETIME, lowest_day + 5));
	cr_assert_eq(r.u.i, lowest_day);
	m1_err("toDate", value_ext_int(WV_DATETIME, lowest_day - 1));
	r = m1("toTime", value_ext_int(WV_DATETIME, INT64_MIN));
	cr_assert_eq(r.u.i, INT64_MIN % 86400000 + 86400000);
	cr_assert_str_eq(m1_err("toDate", ctor("duration", "5h")), "type error: expected datetime, got duration");
	cr_assert_str_eq(m1_err("toTime", ctor("duration", "5h")), "type error: expected datetime, got duration");
}

Test(ext, datetime_print)
{
	cr_assert_str_eq(printed(ctor("datetime", "2024-10-15")), "datetime(\"2024-10-15\")");
	cr_assert_str_eq(printed(ctor("datetime", "2024-10-15T11:35:00Z")), "datetime(\"2024-10-15T11:35:00Z\")");
	cr_assert_str_eq(printed(ctor("datetime", "2024-10-15T11:35:00.007Z")),
			 "datetime(\"2024-10-15T11:35:00.007Z\")");
	cr_assert_str_eq(printed(ctor("datetime", "2024-10-15T11:35:00+0100")), "datetime(\"2024-10-15T10:35:00Z\")");
	cr_assert_str_eq(printed(ctor("datetime", "2024-10-15T00:00:00.000Z")), "datetime(\"2024-10-15\")");
	cr_assert_str_eq(printed(value_ext_int(WV_DATETIME, -1)), "datetime(\"1969-12-31T23:59:59.999Z\")");
	cr_assert_str_eq(printed(ctor("datetime", "0000-01-01")), "datetime(\"0000-01-01\")");
	cr_assert_str_eq(printed(ctor("datetime", "9999-12-31T23:59:59.999Z")),
			 "datetime(\"9999-12-31T23:59:59.999Z\")");
	/* just outside years 0000..9999, the constructor's offsets still reach */
	cr_assert_str_eq(printed(ctor("datetime", "0000-01-01T00:00:00+2359")),
			 "datetime(\"0000-01-01T00:00:00+2359\")");
	cr_assert_str_eq(printed(ctor("datetime", "9999-12-31T23:59:59-2359")),
			 "datetime(\"9999-12-31T23:59:59-2359\")");
	/* beyond that, only an offset expression can express the value */
	cr_assert_str_eq(printed(value_ext_int(WV_DATETIME, INT64_MAX)),
			 "datetime(\"1970-01-01\").offset(duration(\"106751991167d7h12m55s807ms\"))");
	cr_assert_str_eq(printed(value_ext_int(WV_DATETIME, INT64_MIN)),
			 "datetime(\"1970-01-01\").offset(duration(\"-106751991167d7h12m55s808ms\"))");
	cr_assert_null(arg_text(value_ext_int(WV_DATETIME, INT64_MIN)));
	cr_assert_str_eq(arg_text(ctor("datetime", "2000-01-01T12:00:00Z")), "2000-01-01T12:00:00Z");
	/* printed forms parse back */
	int64_t samples[] = {0, -1, 1, 951782400000, INT64_C(-62167305540000), INT64_C(253402387139000), 123456789};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		wvalue v = value_ext_int(WV_DATETIME, samples[i]);
		wvalue back = ctor("datetime", arg_text(v));
		cr_assert_eq(back.u.i, samples[i], "%lld", (long long)samples[i]);
	}
}

/* ---- duration ---- */

static int64_t du_of(const char *s)
{
	int64_t v;
	cr_assert_eq(ext_parse_duration(s, strlen(s), &v), 0, "duration %s", s);
	wvalue d = ctor("duration", s);
	cr_assert_eq(d.kind, WV_DURATION);
	cr_assert_eq(d.u.i, v);
	return v;
}

Test(ext, duration_valid)
{
	cr_assert_eq(du_of("2h30m"), 9000000);
	cr_assert_eq(du_of("-1d12h"), -129600000);
	cr_assert_eq(du_of("1h30m45s"), 5445000);
	cr_assert_eq(du_of("1d2h3m4s5ms"), 93784005);
	cr_assert_eq(du_of("120ms"), 120);
	cr_assert_eq(du_of("-3h30m"), -12600000);
	cr_assert_eq(du_of("0ms"), 0);
	cr_assert_eq(du_of("-0ms"), 0);
	cr_assert_eq(du_of("-0d"), 0);
	cr_assert_eq(du_of("1m1ms"), 60001);
	cr_assert_eq(du_of("1m"), 60000);
	cr_assert_eq(du_of("1s"), 1000);
	cr_assert_eq(du_of("4s100ms"), 4100);
	cr_assert_eq(du_of("0001d"), 86400000);
	cr_assert_eq(du_of("49772545d4294967295h"), INT64_C(49772545) * 86400000 + INT64_C(4294967295) * 3600000);
	cr_assert_eq(du_of("9223372036854775807ms"), INT64_MAX);
	cr_assert_eq(du_of("-9223372036854775807ms"), -INT64_MAX);
	cr_assert_eq(du_of("-9223372036854775808ms"), INT64_MIN);
	cr_assert_eq(du_of("106751991167d7h12m55s807ms"), INT64_MAX);
	cr_assert_eq(du_of("-106751991167d7h12m55s808ms"), INT64_MIN);
	cr_assert_eq(du_of("-1d1h1m1s1ms"), -(86400000 + 3600000 + 60000 + 1000 + 1));
}

Test(ext, duration_invalid)
{
	const char *bad[] = {"", "-", "d", "1d2h3m4s5ms ", " 1d", "1d2h3m4s5ms6", "1s1d", "1s1s", "1d-1s", "1",
			     "-1", "1x", "1D", "1H", "1msms", "1ms1s", "1m1h", "1h1h", "--1d", "+1d", "1.5h", "1 d",
			     "ms", "-ms", "1d ", "1dd", "1d2", "1mss", "\x08\x08", "1µs"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		cr_assert_eq(ext_parse_duration(bad[i], strlen(bad[i]), &v), -1, "\"%s\"", bad[i]);
		ctor_err("duration", bad[i]);
	}
	cr_assert_str_eq(ctor_err("duration", "1s1d"), "invalid duration literal \"1s1d\"");
}

Test(ext, duration_overflow)
{
	const char *bad[] = {"1d9223372036854775807ms", "9223372036854775808ms", "-9223372036854775809ms",
			     "9223372036854775807s", "106751991168d", "-106751991168d", "106751991167d7h12m55s808ms",
			     "-106751991167d7h12m55s809ms", "18446744073709551616ms", "99999999999999999999999d",
			     "14406535985235427072ms", "-1d1h3689349694351212543m3689348816184750899s3689348814741910323ms",
			     "-9223372036854775808ms1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		cr_assert_eq(ext_parse_duration(bad[i], strlen(bad[i]), &v), -1, "\"%s\"", bad[i]);
		ctor_err("duration", bad[i]);
	}
	cr_assert(strstr(ctor_err("duration", "9223372036854775808ms"), "out of range"));
	/* -2^63 ms leaves no room for any other unit */
	int64_t v;
	cr_assert_eq(ext_parse_duration("-1s9223372036854775808ms", 24, &v), -1);
	cr_assert_eq(ext_parse_duration("-0s9223372036854775808ms", 24, &v), 0);
	cr_assert_eq(v, INT64_MIN);
}

Test(ext, duration_conversions)
{
	cr_assert_eq(as_long(m1("toMilliseconds", ctor("duration", "1d"))), 86400000);
	cr_assert_eq(as_long(m1("toMilliseconds", ctor("duration", "4s100ms"))), 4100);
	cr_assert_eq(as_long(m1("toSeconds", ctor("duration", "1d"))), 86400);
	cr_assert_eq(as_long(m1("toSeconds", ctor("duration", "4s100ms"))), 4);
	cr_assert_eq(as_long(m1("toSeconds", ctor("duration", "100ms"))), 0);
	cr_assert_eq(as_long(m1("toMinutes", ctor("duration", "1d"))), 1440);
	cr_assert_eq(as_long(m1("toMinutes", ctor("duration", "4m30s"))), 4);
	cr_assert_eq(as_long(m1("toMinutes", ctor("duration", "4m70s"))), 5);
	cr_assert_eq(as_long(m1("toMinutes", ctor("duration", "100ms"))), 0);
	cr_assert_eq(as_long(m1("toHours", ctor("duration", "1d"))), 24);
	cr_assert_eq(as_long(m1("toHours", ctor("duration", "4h30m"))), 4);
	cr_assert_eq(as_long(m1("toHours", ctor("duration", "4h70m"))), 5);
	cr_assert_eq(as_long(m1("toHours", ctor("duration", "100ms"))), 0);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "1d"))), 1);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "4d10h"))), 4);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "4d30h"))), 5);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "100ms"))), 0);
	/* negative durations truncate toward zero */
	cr_assert_eq(as_long(m1("toSeconds", ctor("duration", "-1500ms"))), -1);
	cr_assert_eq(as_long(m1("toMinutes", ctor("duration", "-119s"))), -1);
	cr_assert_eq(as_long(m1("toHours", ctor("duration", "-1h59m59s999ms"))), -1);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "-1d23h"))), -1);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "-23h"))), 0);
	cr_assert_eq(as_long(m1("toMilliseconds", ctor("duration", "-9223372036854775808ms"))), INT64_MIN);
	cr_assert_eq(as_long(m1("toDays", ctor("duration", "-9223372036854775808ms"))), INT64_C(-106751991167));
	cr_assert_str_eq(m1_err("toMilliseconds", str("4s100ms")),
			 "type error: expected duration, got string; maybe you forgot to apply the 'duration' constructor?");
	cr_assert_str_eq(m1_err("toDays", ctor("datetime", "2024-01-01")), "type error: expected duration, got datetime");
	m1_err("toSeconds", value_long(1));
	m1_err("toMinutes", value_bool(true));
	m1_err("toHours", ctor("decimal", "1.0"));
}

Test(ext, duration_print)
{
	cr_assert_str_eq(printed(ctor("duration", "2h30m")), "duration(\"2h30m\")");
	cr_assert_str_eq(printed(ctor("duration", "90m")), "duration(\"1h30m\")");
	cr_assert_str_eq(printed(ctor("duration", "-1d12h")), "duration(\"-1d12h\")");
	cr_assert_str_eq(printed(ctor("duration", "0ms")), "duration(\"0ms\")");
	cr_assert_str_eq(printed(ctor("duration", "-0s")), "duration(\"0ms\")");
	cr_assert_str_eq(printed(ctor("duration", "1d2h3m4s5ms")), "duration(\"1d2h3m4s5ms\")");
	cr_assert_str_eq(printed(ctor("duration", "1001ms")), "duration(\"1s1ms\")");
	cr_assert_str_eq(arg_text(ctor("duration", "-9223372036854775808ms")), "-106751991167d7h12m55s808ms");
	int64_t samples[] = {0, 1, -1, 86400000, INT64_MAX, INT64_MIN, -129600000, 3600001};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		wvalue v = value_ext_int(WV_DURATION, samples[i]);
		wvalue back = ctor("duration", arg_text(v));
		cr_assert_eq(back.u.i, samples[i], "%lld", (long long)samples[i]);
	}
}

Test(ext, print_arg_rejects_non_extension)
{
	wbuf b = WBUF_INIT;
	wvalue l = value_long(1);
	cr_assert_eq(ext_print_arg(&l, &b), -1);
	cr_assert_eq(b.n, 0);
	buf_release(&b);
}
