/* Unit tests for the Cedar lexer and parser (lexer.c, parser.c, ast.c).
 *
 * Expressions are checked through a small s-expression dump of the AST, so
 * a test states the exact tree it expects: "(+ 1 (* 2 3))". Rejections are
 * checked on the diagnostic text and its line:column. The cases follow the
 * reference implementation (Cedar 4.x): what it accepts must parse to the
 * same tree, what it rejects must be a located error.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/ext.h"
#include "cedar/parser.h"

/* ---- fixture ---------------------------------------------------------------- */

static wctx cx;
static warena ar;
static wdiags dg;
static wsource src;
static wpolicyset ps;

static void setup(void)
{
	ctx_init(&cx);
	arena_init(&ar);
	diags_init(&dg);
	policyset_init(&ps);
}

static void teardown(void)
{
	policyset_release(&ps);
	diags_release(&dg);
	arena_release(&ar);
	ctx_release(&cx);
}

TestSuite(parser, .init = setup, .fini = teardown);

/* ---- AST dump ---------------------------------------------------------------- */

static const char *binop_name(int op)
{
	static const char *const names[] = {"==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "in",
					    "contains", "containsAll", "containsAny", "hasTag", "getTag"};
	return names[op];
}

static void dump_value(const wvalue *v, wbuf *b)
{
	switch (v->kind) {
	case WV_BOOL: buf_adds(b, v->u.b ? "true" : "false"); break;
	case WV_LONG: buf_printf(b, "%lld", (long long)v->u.i); break;
	case WV_STRING:
		buf_addc(b, '"');
		buf_add(b, v->u.s.p, v->u.s.n);
		buf_addc(b, '"');
		break;
	case WV_ENTITY: buf_printf(b, "%s::\"%s\"", v->u.e.type->s, v->u.e.id->s); break;
	default: buf_adds(b, "?value");
	}
}

static void dump(const wexpr *e, wbuf *b)
{
	switch (e->kind) {
	case WE_LIT: dump_value(&e->u.lit, b); break;
	case WE_VAR: {
		static const char *const v[] = {"principal", "action", "resource", "context"};
		buf_adds(b, v[e->u.var]);
		break;
	}
	case WE_SLOT: buf_adds(b, e->u.slot == WSLOT_PRINCIPAL ? "?principal" : "?resource"); break;
	case WE_IF:
		buf_adds(b, "(if ");
		dump(e->u.k.a, b);
		buf_addc(b, ' ');
		dump(e->u.k.b, b);
		buf_addc(b, ' ');
		dump(e->u.k.c, b);
		buf_addc(b, ')');
		break;
	case WE_AND:
	case WE_OR:
		buf_adds(b, e->kind == WE_AND ? "(&& " : "(|| ");
		dump(e->u.k.a, b);
		buf_addc(b, ' ');
		dump(e->u.k.b, b);
		buf_addc(b, ')');
		break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		buf_adds(b, e->kind == WE_NOT ? "(! " : e->kind == WE_NEG ? "(neg " : "(isEmpty ");
		dump(e->u.k.a, b);
		buf_addc(b, ')');
		break;
	case WE_BINARY:
		buf_printf(b, "(%s ", binop_name(e->op));
		dump(e->u.k.a, b);
		buf_addc(b, ' ');
		dump(e->u.k.b, b);
		buf_addc(b, ')');
		break;
	case WE_GETATTR:
	case WE_HASATTR:
		buf_adds(b, e->kind == WE_GETATTR ? "(. " : "(has ");
		dump(e->u.attr.obj, b);
		buf_printf(b, " %s)", e->u.attr.name->s);
		break;
	case WE_LIKE:
		buf_adds(b, "(like ");
		dump(e->u.like.obj, b);
		buf_adds(b, " \"");
		for (uint32_t i = 0; i < e->u.like.pat.n; i++) {
			uint32_t c = e->u.like.pat.cps[i];
			if (c == WPAT_STAR)
				buf_addc(b, '*');
			else if (c == '*')
				buf_adds(b, "\\*");
			else if (c < 0x80)
				buf_addc(b, (char)c);
			else
				buf_printf(b, "U+%X", (unsigned)c);
		}
		buf_adds(b, "\")");
		break;
	case WE_IS:
		buf_adds(b, "(is ");
		dump(e->u.is.obj, b);
		buf_printf(b, " %s", e->u.is.type->s);
		if (e->u.is.in) {
			buf_addc(b, ' ');
			dump(e->u.is.in, b);
		}
		buf_addc(b, ')');
		break;
	case WE_SET:
		buf_addc(b, '[');
		for (uint32_t i = 0; i < e->u.list.n; i++) {
			if (i)
				buf_addc(b, ' ');
			dump(e->u.list.items[i], b);
		}
		buf_addc(b, ']');
		break;
	case WE_RECORD:
		buf_addc(b, '{');
		for (uint32_t i = 0; i < e->u.rec.n; i++) {
			if (i)
				buf_adds(b, ", ");
			buf_printf(b, "%s: ", e->u.rec.keys[i]->s);
			dump(e->u.rec.vals[i], b);
		}
		buf_addc(b, '}');
		break;
	case WE_CALL:
		buf_printf(b, "(%s%s", e->u.call.method ? "." : "", e->u.call.name->s);
		for (uint32_t i = 0; i < e->u.call.n; i++) {
			buf_addc(b, ' ');
			dump(e->u.call.args[i], b);
		}
		buf_addc(b, ')');
		break;
	}
}

/* Parses one expression; returns its dump (static buffer) or NULL. */
static const char *px(const char *text)
{
	static char out[4096];
	src.name = "<expr>";
	src.text = text;
	src.len = strlen(text);
	wexpr *e = parse_expr(&cx, &ar, &src, &dg);
	if (!e)
		return NULL;
	wbuf b = WBUF_INIT;
	dump(e, &b);
	snprintf(out, sizeof out, "%s", b.p);
	buf_release(&b);
	return out;
}

#define EXPR_IS(text, want)                                                                     \
	do {                                                                                    \
		const char *got_ = px(text);                                                    \
		cr_assert_not_null(got_, "'%s' should parse: %s", text,                        \
				   dg.n ? dg.items[dg.n - 1].msg : "");                          \
		cr_assert_str_eq(got_, want, "'%s'", text);                                   \
	} while (0)

/* The expression is rejected with an error whose message contains `frag`. */
#define EXPR_ERR(text, frag)                                                                    \
	do {                                                                                    \
		size_t n0_ = dg.nerrors;                                                        \
		const char *got_ = px(text);                                                    \
		cr_assert_null(got_, "'%s' should be rejected, got %s", text, got_ ? got_ : ""); \
		cr_assert_gt(dg.nerrors, n0_);                                                  \
		cr_assert(has_msg(frag), "'%s': no error mentions '%s' (last: %s)", text, frag, \
			  dg.items[dg.n - 1].msg);                                              \
	} while (0)

static bool has_msg(const char *frag)
{
	for (size_t i = 0; i < dg.n; i++)
		if (strstr(dg.items[i].msg, frag))
			return true;
	return false;
}

static int pp(const char *text)
{
	return parse_policies(&cx, &ps, "test.cedar", text, strlen(text), &dg);
}

/* line:col of diagnostic i */
static void diag_at(size_t i, uint32_t *line, uint32_t *col)
{
	source_linecol(dg.items[i].src, dg.items[i].span.start, line, col);
}

/* ---- precedence and associativity ---------------------------------------------- */

Test(parser, arithmetic_precedence)
{
	EXPR_IS("1 + 2 * 3", "(+ 1 (* 2 3))");
	EXPR_IS("1 * 2 + 3", "(+ (* 1 2) 3)");
	EXPR_IS("(1 + 2) * 3", "(* (+ 1 2) 3)");
	EXPR_IS("1 - 2 - 3", "(- (- 1 2) 3)");
	EXPR_IS("1 * 2 * 3", "(* (* 1 2) 3)");
	EXPR_IS("1 + 2 - 3 + 4", "(+ (- (+ 1 2) 3) 4)");
}

Test(parser, logical_precedence)
{
	EXPR_IS("true || false && true", "(|| true (&& false true))");
	EXPR_IS("true && false || true", "(|| (&& true false) true)");
	EXPR_IS("true || false || true", "(|| (|| true false) true)");
	EXPR_IS("true && false && true", "(&& (&& true false) true)");
	EXPR_IS("1 < 2 && 3 > 4", "(&& (< 1 2) (> 3 4))");
	EXPR_IS("1 + 1 == 2", "(== (+ 1 1) 2)");
	EXPR_IS("!true || false", "(|| (! true) false)");
	EXPR_IS("if true then 1 else 2", "(if true 1 2)");
}

Test(parser, unary_and_member_precedence)
{
	EXPR_IS("!principal.admin", "(! (. principal admin))");
	EXPR_IS("-context.x * 2", "(* (neg (. context x)) 2)");
	EXPR_IS("!!true", "(! (! true))");
	EXPR_IS("----5", "(neg (neg (neg -5)))");
	EXPR_IS("- 5", "-5");
	EXPR_IS("-(5)", "(neg 5)");
	EXPR_IS("principal.a.b[\"c\"]", "(. (. (. principal a) b) c)");
	EXPR_IS("context.s.contains(1) && true", "(&& (contains (. context s) 1) true)");
	EXPR_IS("-5.x", "(neg (. 5 x))");
	/* shapes the reference documents for negation and multiplication */
	EXPR_IS("--2*3", "(* (neg -2) 3)");
	EXPR_IS("principal * -(-1)", "(* principal (neg -1))");
	EXPR_IS("0 * (-1) * principal", "(* (* 0 -1) principal)");
	EXPR_IS("--(--1)", "(neg (neg (neg -1)))");
	EXPR_IS("2--1", "(- 2 -1)");
	EXPR_IS("!!(-1) + 2 == 3", "(== (+ (! (! -1)) 2) 3)");
	EXPR_IS("-(9223372036854775807)", "(neg 9223372036854775807)");
}

Test(parser, relations)
{
	EXPR_IS("1 == 2", "(== 1 2)");
	EXPR_IS("1 != 2", "(!= 1 2)");
	EXPR_IS("1 <= 2", "(<= 1 2)");
	EXPR_IS("1 >= 2", "(>= 1 2)");
	EXPR_IS("principal in Group::\"g\"", "(in principal Group::\"g\")");
	EXPR_IS("principal in [Group::\"g\", Group::\"h\"]", "(in principal [Group::\"g\" Group::\"h\"])");
	EXPR_IS("context has a", "(has context a)");
	EXPR_IS("context has \"a b\"", "(has context a b)");
	EXPR_IS("context has principal", "(has context principal)");
	EXPR_IS("principal is User", "(is principal User)");
	EXPR_IS("principal is NS::User in Group::\"g\"", "(is principal NS::User Group::\"g\")");
	EXPR_IS("principal is User && true", "(&& (is principal User) true)");
	EXPR_IS("1 + 1 in [2]", "(in (+ 1 1) [2])");
}

Test(parser, relations_do_not_chain)
{
	EXPR_ERR("1 < 2 < 3", "cannot be chained");
	EXPR_ERR("1 == 2 == true", "cannot be chained");
	EXPR_ERR("principal in A::\"a\" in B::\"b\"", "cannot be chained");
	EXPR_ERR("context has a == true", "cannot be chained");
	EXPR_ERR("principal is User == true", "cannot be chained");
	EXPR_ERR("\"a\" like \"a\" == true", "cannot be chained");
	EXPR_IS("(1 < 2) == true", "(== (< 1 2) true)");
}

Test(parser, has_path_expands)
{
	EXPR_IS("context has a.b", "(&& (has context a) (has (. context a) b))");
	EXPR_IS("principal has a.b.c",
		"(&& (&& (has principal a) (has (. principal a) b)) (has (. (. principal a) b) c))");
	EXPR_ERR("context has a.if", "reserved");
	EXPR_ERR("context has if", "reserved");
	EXPR_ERR("context has true", "reserved");
	EXPR_ERR("context has a::b", "expected");
	EXPR_ERR("context has 1", "after 'has'");
	EXPR_ERR("context has a.b()", "expected");
}

Test(parser, if_only_at_expression_level)
{
	EXPR_IS("(if true then 1 else 2) + 1", "(+ (if true 1 2) 1)");
	EXPR_IS("if true then if false then 1 else 2 else 3", "(if true (if false 1 2) 3)");
	EXPR_IS("[if true then 1 else 2]", "[(if true 1 2)]");
	EXPR_ERR("1 + if true then 1 else 2", "'if' expression must be in parentheses");
	EXPR_ERR("if true then 1", "expected 'else'");
}

/* ---- expression forms ------------------------------------------------------------ */

Test(parser, literals_and_variables)
{
	EXPR_IS("true", "true");
	EXPR_IS("false", "false");
	EXPR_IS("0", "0");
	EXPR_IS("\"hi\"", "\"hi\"");
	EXPR_IS("principal", "principal");
	EXPR_IS("action", "action");
	EXPR_IS("resource", "resource");
	EXPR_IS("context", "context");
	EXPR_IS("User::\"alice\"", "User::\"alice\"");
	EXPR_IS("A::B::C::\"x\"", "A::B::C::\"x\"");
	EXPR_IS("A :: B :: \"x\"", "A::B::\"x\"");
	EXPR_IS("principal::\"p\"", "principal::\"p\"");
	EXPR_IS("?principal", "?principal");
	EXPR_ERR("?other", "invalid template slot");
	EXPR_ERR("foo", "unknown variable 'foo'");
	EXPR_ERR("A::B", "unknown variable 'A::B'");
	EXPR_ERR("User::{id: \"a\"}", "Type::\"id\"");
}

Test(parser, sets_and_records)
{
	EXPR_IS("[]", "[]");
	EXPR_IS("[1, \"a\", [true]]", "[1 \"a\" [true]]");
	EXPR_IS("[1, 2,]", "[1 2]");
	EXPR_IS("{}", "{}");
	EXPR_IS("{a: 1, \"b c\": 2, principal: 3, permit: 4, when: 5}",
		"{a: 1, b c: 2, principal: 3, permit: 4, when: 5}");
	EXPR_IS("{a: 1,}", "{a: 1}");
	EXPR_IS("{\"if\": 1}", "{if: 1}");
	EXPR_ERR("{a: 1, a: 2}", "duplicate key 'a'");
	EXPR_ERR("{a: 1, \"a\": 2}", "duplicate key 'a'");
	EXPR_ERR("{if: 1}", "reserved identifier");
	EXPR_ERR("{true: 1}", "reserved identifier");
	EXPR_ERR("{__cedar: 1}", "reserved identifier");
	EXPR_ERR("{a::b: 1}", "record key");
	EXPR_ERR("{1: 1}", "record key");
	EXPR_ERR("[,]", "expected an expression");
	EXPR_ERR("{,}", "record key");
}

Test(parser, attributes)
{
	EXPR_IS("context.permit", "(. context permit)");
	EXPR_IS("context.principal", "(. context principal)");
	EXPR_IS("context[\"if\"]", "(. context if)");
	EXPR_IS("{a: 1}.a", "(. {a: 1} a)");
	EXPR_IS("\"s\".x", "(. \"s\" x)");
	EXPR_ERR("context.if", "reserved");
	EXPR_ERR("context.in", "reserved");
	EXPR_ERR("context.__cedar", "reserved");
	EXPR_ERR("context[1]", "string literal attribute name");
	EXPR_ERR("context.", "attribute or method name");
}

Test(parser, methods_and_functions)
{
	EXPR_IS("[1].contains(1)", "(contains [1] 1)");
	EXPR_IS("[1].containsAll([1])", "(containsAll [1] [1])");
	EXPR_IS("[1].containsAny([1])", "(containsAny [1] [1])");
	EXPR_IS("[1].isEmpty()", "(isEmpty [1])");
	EXPR_IS("principal.hasTag(\"t\")", "(hasTag principal \"t\")");
	EXPR_IS("principal.getTag(\"t\")", "(getTag principal \"t\")");
	EXPR_IS("ip(\"10.0.0.1\")", "(ip \"10.0.0.1\")");
	EXPR_IS("ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))",
		"(.isInRange (ip \"10.0.0.1\") (ip \"10.0.0.0/8\"))");
	EXPR_IS("decimal(\"1.5\").lessThan(decimal(\"2.0\"),)",
		"(.lessThan (decimal \"1.5\") (decimal \"2.0\"))");
	EXPR_ERR("[1].contains(1, 2)", "takes exactly 1 argument");
	EXPR_ERR("[1].contains()", "takes exactly 1 argument");
	EXPR_ERR("[1].isEmpty(1)", "takes exactly 0 arguments");
	EXPR_ERR("principal.getTag()", "takes exactly 1 argument");
	EXPR_ERR("foo(1)", "'foo' is not a known extension function");
	EXPR_ERR("NS::ip(\"1.2.3.4\")", "'NS::ip' is not a known extension function");
	EXPR_ERR("principal.frobnicate()", "'frobnicate' is not a known method");
	EXPR_ERR("contains([1], 1)", "is a method, not a function");
	EXPR_ERR("isInRange(ip(\"1.1.1.1\"))", "is a method, not a function");
	EXPR_ERR("context.ip(\"1.1.1.1\")", "is a function, not a method");
	EXPR_ERR("principal(1)", "variable cannot be called");
	EXPR_ERR("(1)(2)", "only extension functions can be called");
	EXPR_ERR("foo.bar", "unknown variable 'foo'");
}

Test(parser, like_patterns)
{
	EXPR_IS("\"abc\" like \"a*c\"", "(like \"abc\" \"a*c\")");
	EXPR_IS("\"a*c\" like \"a\\*c\"", "(like \"a*c\" \"a\\*c\")");
	EXPR_IS("\"x\" like \"\\u{2a}\"", "(like \"x\" \"*\")"); /* as the reference: a decoded '*' is a wildcard */
	EXPR_IS("\"x\" like \"\\u{e9}\"", "(like \"x\" \"U+E9\")");
	EXPR_IS("\"x\" like \"\"", "(like \"x\" \"\")");
	EXPR_ERR("\"x\" like \"a\" + \"b\"", "must be a string literal pattern");
	EXPR_ERR("\"x\" like context.p", "must be a string literal pattern");
	EXPR_ERR("\"x\" like \"\\q\"", "invalid escape");
}

Test(parser, slots_only_where_allowed)
{
	EXPR_IS("?resource", "?resource");
	int e = pp("permit(principal, action, resource) when { principal == ?principal };");
	cr_assert_eq(e, 1);
	cr_assert(has_msg("slots may only appear in the policy scope"));
	cr_assert_eq(ps.n, 0);
}

/* ---- integers ---------------------------------------------------------------------- */

Test(parser, long_bounds)
{
	EXPR_IS("9223372036854775807", "9223372036854775807");
	EXPR_IS("-9223372036854775808", "-9223372036854775808");
	EXPR_IS("--9223372036854775808", "(neg -9223372036854775808)");
	EXPR_IS("-9223372036854775807 - 1", "(- -9223372036854775807 1)");
	EXPR_IS("-0", "0");
	EXPR_ERR("9223372036854775808", "too large");
	EXPR_ERR("-9223372036854775809", "too large");
	EXPR_ERR("-(9223372036854775808)", "too large");
	EXPR_ERR("18446744073709551615", "too large");
	EXPR_ERR("18446744073709551616", "too large");
	EXPR_ERR("-99999999999999999999999", "too large");
	/* the error points at the literal */
	size_t n0 = dg.n;
	cr_assert_null(px("1 + 9223372036854775808"));
	cr_assert_eq(dg.n, n0 + 1);
	cr_assert_eq(dg.items[n0].span.start, 4);
	cr_assert_eq(dg.items[n0].span.end, 23);
}

Test(parser, unary_limits)
{
	EXPR_IS("!!!!true", "(! (! (! (! true))))");
	EXPR_ERR("!!!!!true", "too many '!'");
	EXPR_ERR("-----1", "too many '-'");
	EXPR_ERR("!-1", "expected an expression, found '-'");
	EXPR_ERR("-!true", "expected an expression, found '!'");
}

Test(parser, unsupported_operators)
{
	EXPR_ERR("4 / 2", "no division");
	EXPR_ERR("4 % 2", "no division");
	EXPR_ERR("1 = 1", "use '=='");
	EXPR_ERR("1 +", "expected an expression, found end of input");
	EXPR_ERR("", "expected an expression");
	EXPR_ERR("1 2", "end of input after the expression");
}

/* ---- strings -------------------------------------------------------------------------- */

Test(parser, string_escapes)
{
	const char *got = px("\"a\\n\\r\\t\\\\\\0\\'\\\"\\x41\\u{42}\\u{1F600}\\u{1_F6_00}\"");
	cr_assert_not_null(got);
	const char want[] = "\"a\n\r\t\\\0'\"AB\xF0\x9F\x98\x80\xF0\x9F\x98\x80\"";
	cr_assert_eq(memcmp(got, want, 7), 0);
	/* the NUL byte is kept inside the value */
	wsource s = {"<s>", "\"x\\0y\"", 6};
	wexpr *e = parse_expr(&cx, &ar, &s, &dg);
	cr_assert_not_null(e);
	cr_assert_eq(e->u.lit.u.s.n, 3);
	cr_assert_eq(memcmp(e->u.lit.u.s.p, "x\0y", 3), 0);
	s.text = "\"\\u{10FFFF}\\x7F\"";
	s.len = strlen(s.text);
	e = parse_expr(&cx, &ar, &s, &dg);
	cr_assert_not_null(e);
	cr_assert_eq(e->u.lit.u.s.n, 5);
	cr_assert_eq(memcmp(e->u.lit.u.s.p, "\xF4\x8F\xBF\xBF\x7F", 5), 0);
	/* raw multi-byte text and a raw newline are fine */
	EXPR_IS("\"h\xC3\xA9\nllo\"", "\"h\xC3\xA9\nllo\"");
}

Test(parser, invalid_escapes)
{
	EXPR_ERR("\"\\q\"", "invalid escape");
	EXPR_ERR("\"\\*\"", "only 'like' patterns");
	EXPR_ERR("\"\\x80\"", "out of range");
	EXPR_ERR("\"\\x4\"", "'\\x' escape");
	EXPR_ERR("\"\\xZZ\"", "'\\x' escape");
	EXPR_ERR("\"\\u{D800}\"", "lone surrogate");
	EXPR_ERR("\"\\u{110000}\"", "out of range");
	EXPR_ERR("\"\\u{1234567}\"", "more than 6 hex digits");
	EXPR_ERR("\"\\u{}\"", "empty");
	EXPR_ERR("\"\\u{_1}\"", "may not start with '_'");
	EXPR_ERR("\"\\u41\"", "\\u{...}");
	EXPR_ERR("\"\\u{41\"", "unterminated");
	EXPR_ERR("\"\\u{4G}\"", "invalid character");
	EXPR_ERR("\"a\rb\"", "carriage return");
	EXPR_ERR("\"abc", "unterminated string");
	EXPR_ERR("\"a\\\nb\"", "backslash");
	/* two bad escapes in one string are both reported, each at its escape */
	size_t n0 = dg.n;
	cr_assert_null(px("\"\\q-\\w\""));
	cr_assert_eq(dg.n, n0 + 2);
	cr_assert_eq(dg.items[n0].span.start, 1);
	cr_assert_eq(dg.items[n0].span.end, 3);
	cr_assert_eq(dg.items[n0 + 1].span.start, 4);
}

Test(parser, invalid_utf8)
{
	EXPR_ERR("\"a\xFF\"", "invalid UTF-8");
	EXPR_ERR("\"\xC0\xAF\"", "invalid UTF-8");          /* overlong */
	EXPR_ERR("\"\xED\xA0\x80\"", "invalid UTF-8");      /* surrogate */
	EXPR_ERR("1 \xE2\x82", "invalid UTF-8");
	int e = pp("// caf\xE9\npermit(principal, action, resource);");
	cr_assert_eq(e, 1);
	cr_assert(has_msg("invalid UTF-8 in comment"));
}

Test(parser, stray_characters)
{
	EXPR_ERR("1 $ 2", "unexpected character '$'");
	EXPR_ERR("1 \x01", "unexpected character U+0001");
	EXPR_ERR("\xE2\x82\xAC", "unexpected character");
	/* Unicode whitespace separates tokens, as in the reference */
	EXPR_IS("1\xC2\xA0+\xE2\x80\x83" "2", "(+ 1 2)");
}

/* ---- reserved words ------------------------------------------------------------------ */

Test(parser, reserved_identifiers)
{
	EXPR_ERR("if::\"a\"", "expected");
	EXPR_ERR("in::\"a\"", "reserved");
	EXPR_ERR("A::true::\"a\"", "reserved");
	EXPR_ERR("A::like::\"a\"", "reserved");
	EXPR_ERR("__cedar::A::\"a\"", "'__cedar' is reserved");
	EXPR_ERR("__cedar::\"a\"", "'__cedar' is reserved");
	EXPR_ERR("principal is if", "reserved");
	EXPR_ERR("principal is __cedar::X", "reserved");
	EXPR_IS("permit::when::\"a\"", "permit::when::\"a\"");
	EXPR_IS("principal is principal", "(is principal principal)");
	EXPR_ERR("A::__cedar::\"a\"", "'__cedar' is reserved");
	EXPR_IS("A::__cedar_x::\"a\"", "A::__cedar_x::\"a\"");
}

/* ---- policies ---------------------------------------------------------------------------- */

Test(parser, empty_inputs)
{
	cr_assert_eq(pp(""), 0);
	cr_assert_eq(pp("   \n\t "), 0);
	cr_assert_eq(pp("// only a comment\n// and another"), 0);
	cr_assert_eq(ps.n, 0);
	cr_assert_eq(dg.n, 0);
	cr_assert_eq(ps.ncomments, 2);
	cr_assert_eq(ps.nsources, 3);
	const wsource *s = ps.sources[2];
	wspan c0 = ps.comments[0].span;
	cr_assert_eq(c0.end - c0.start, strlen("// only a comment"));
	cr_assert_eq(memcmp(s->text + c0.start, "// only a comment", c0.end - c0.start), 0);
}

Test(parser, scope_forms)
{
	cr_assert_eq(pp("permit(principal, action, resource);\n"
			"forbid(principal == User::\"a\", action == Action::\"v\", resource == Doc::\"d\");\n"
			"permit(principal in Group::\"g\", action in [Action::\"a\", NS::Action::\"b\"], resource in F::\"f\");\n"
			"permit(principal is User, action in Action::\"all\", resource is NS::Doc in F::\"f\");\n"
			"permit(principal is User in Group::\"g\", action, resource,);\n"
			"permit(principal == (User::\"p\"), action in [], resource);\n"),
		     0, "%s", dg.n ? dg.items[0].msg : "");
	cr_assert_eq(ps.n, 6);
	const wpolicy *p0 = ps.items[0];
	cr_assert_str_eq(p0->id, "policy0");
	cr_assert_eq(p0->effect, WEFF_PERMIT);
	cr_assert_eq(p0->principal.op, WSC_ANY);
	cr_assert_eq(p0->action.op, WSC_ANY);
	cr_assert_eq(p0->resource.op, WSC_ANY);
	cr_assert_eq(p0->nconds, 0);
	cr_assert_not(p0->is_template);

	const wpolicy *p1 = ps.items[1];
	cr_assert_str_eq(p1->id, "policy1");
	cr_assert_eq(p1->effect, WEFF_FORBID);
	cr_assert_eq(p1->principal.op, WSC_EQ);
	cr_assert_eq(p1->principal.uid.type, ctx_sym(&cx, "User", 4));
	cr_assert_eq(p1->principal.uid.id, ctx_sym(&cx, "a", 1));
	cr_assert_eq(p1->action.op, WSC_EQ);
	cr_assert_eq(p1->action.uid.type, ctx_sym(&cx, "Action", 6));
	cr_assert_eq(p1->resource.op, WSC_EQ);

	const wpolicy *p2 = ps.items[2];
	cr_assert_eq(p2->principal.op, WSC_IN);
	cr_assert_eq(p2->action.op, WSC_IN_SET);
	cr_assert_eq(p2->action.nlist, 2);
	cr_assert_eq(p2->action.list[1].type, ctx_sym(&cx, "NS::Action", 10));
	cr_assert_eq(p2->resource.op, WSC_IN);

	const wpolicy *p3 = ps.items[3];
	cr_assert_eq(p3->principal.op, WSC_IS);
	cr_assert_eq(p3->principal.type, ctx_sym(&cx, "User", 4));
	cr_assert_eq(p3->action.op, WSC_IN);
	cr_assert_eq(p3->resource.op, WSC_IS_IN);
	cr_assert_eq(p3->resource.type, ctx_sym(&cx, "NS::Doc", 7));
	cr_assert_eq(p3->resource.uid.id, ctx_sym(&cx, "f", 1));

	const wpolicy *p4 = ps.items[4];
	cr_assert_eq(p4->principal.op, WSC_IS_IN);
	cr_assert_eq(p4->principal.uid.type, ctx_sym(&cx, "Group", 5));

	const wpolicy *p5 = ps.items[5];
	cr_assert_eq(p5->principal.op, WSC_EQ);
	cr_assert_eq(p5->action.op, WSC_IN_SET);
	cr_assert_eq(p5->action.nlist, 0);

	/* spans: the whole constraint, and the policy up to ';' */
	const wsource *s = p1->src;
	wspan sp = p1->principal.span;
	cr_assert_eq(sp.end - sp.start, strlen("principal == User::\"a\""));
	cr_assert_eq(memcmp(s->text + sp.start, "principal == User::\"a\"", sp.end - sp.start), 0);
	cr_assert_eq(s->text[p1->span.end - 1], ';');
	cr_assert_eq(memcmp(s->text + p1->span.start, "forbid", 6), 0);
}

Test(parser, templates)
{
	cr_assert_eq(pp("permit(principal == ?principal, action, resource in ?resource);\n"
			"permit(principal in ?principal, action, resource is Doc in ?resource);\n"
			"permit(principal is User in ?principal, action, resource == ?resource);\n"),
		     0, "%s", dg.n ? dg.items[0].msg : "");
	cr_assert_eq(ps.n, 3);
	cr_assert(ps.items[0]->is_template);
	cr_assert(ps.items[0]->principal.slot);
	cr_assert_eq(ps.items[0]->principal.op, WSC_EQ);
	cr_assert(ps.items[0]->resource.slot);
	cr_assert_eq(ps.items[0]->resource.op, WSC_IN);
	cr_assert_eq(ps.items[1]->resource.op, WSC_IS_IN);
	cr_assert(ps.items[1]->resource.slot);
	cr_assert_eq(ps.items[2]->principal.op, WSC_IS_IN);
	cr_assert(ps.items[2]->principal.slot);

	cr_assert_eq(pp("permit(principal == ?resource, action, resource);"), 1);
	cr_assert(has_msg("'?resource' cannot be used in the principal scope"));
	cr_assert_eq(pp("permit(principal, action, resource == ?principal);"), 1);
	cr_assert_eq(pp("permit(principal, action == ?principal, resource);"), 1);
	cr_assert(has_msg("not allowed in the action scope"));
	cr_assert_eq(pp("permit(principal, action, resource) unless { resource in ?resource };"), 1);
	cr_assert_eq(ps.n, 3);
}

Test(parser, scope_errors)
{
	struct {
		const char *text, *frag;
	} cases[] = {
		{"permit(principal, action == User::\"x\", resource);", "is not an action"},
		{"permit(principal, action in [Action::\"a\", User::\"x\"], resource);", "is not an action"},
		{"permit(principal, action is Action, resource);", "'is' is not allowed in the action scope"},
		{"permit(principal in Group::\"g\" is User, action, resource);", "write 'is' before 'in'"},
		{"permit(principal is User == User::\"a\", action, resource);", "cannot be combined with '=='"},
		{"permit(principal, action in Group::\"g\" is Action, resource);", "'is' is not allowed in the action scope"},
		{"permit(principal, action, resource in F::\"f\" is File);", "write 'is' before 'in'"},
		{"permit(principal in [User::\"a\"], action, resource);", "expected an entity uid or ?principal"},
		{"permit(principal == \"a\", action, resource);", "expected an entity uid"},
		{"permit(principal == User, action, resource);", "unknown variable"},
		{"permit(principal == User::\"a\".x, action, resource);", "expected an entity uid"},
		{"permit(principal < User::\"a\", action, resource);", "not allowed in the policy scope"},
		{"permit(principal = User::\"a\", action, resource);", "use '=='"},
		{"permit(principal: User, action, resource);", "type constraints"},
		{"permit(principal, action);", "missing 'resource'"},
		{"permit();", "missing 'principal'"},
		{"permit(principal, action, resource, context);", "only principal, action and resource"},
		{"permit(action, principal, resource);", "expected 'principal' as element 1"},
		{"permit(principal, action, foo);", "expected 'resource' in the policy scope, found 'foo'"},
		{"allow(principal, action, resource);", "expected 'permit' or 'forbid'"},
		{"permit(principal, action, resource) if { true };", "expected 'when' or 'unless'"},
		{"permit(principal, action, resource) when { };", "empty 'when' clause"},
		{"permit(principal, action, resource)", "expected ';'"},
		{"permit(principal, action, resource) when { true }", "expected ';'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n0 = dg.nerrors;
		int e = pp(cases[i].text);
		cr_assert_gt(e, 0, "'%s' should be rejected", cases[i].text);
		cr_assert_eq(dg.nerrors, n0 + (size_t)e);
		bool found = false;
		for (size_t j = n0; j < dg.n; j++)
			if (strstr(dg.items[j].msg, cases[i].frag))
				found = true;
		cr_assert(found, "'%s': expected an error mentioning '%s', got '%s'", cases[i].text, cases[i].frag,
			  dg.items[dg.n - 1].msg);
	}
	cr_assert_eq(ps.n, 0);
}

Test(parser, conditions)
{
	cr_assert_eq(pp("permit(principal, action, resource)\n"
			"when { principal.age >= 18 }\n"
			"unless { context.blocked }\n"
			"when { true };"),
		     0);
	cr_assert_eq(ps.n, 1);
	const wpolicy *p = ps.items[0];
	cr_assert_eq(p->nconds, 3);
	cr_assert(p->conds[0].is_when);
	cr_assert_not(p->conds[1].is_when);
	wbuf b = WBUF_INIT;
	dump(p->conds[1].body, &b);
	cr_assert_str_eq(b.p, "(. context blocked)");
	buf_release(&b);
	wspan sp = p->conds[1].span;
	cr_assert_eq(memcmp(p->src->text + sp.start, "unless { context.blocked }", sp.end - sp.start), 0);
}

Test(parser, annotations)
{
	cr_assert_eq(pp("@id(\"first\")\n@advice(\"a\\nb\")\n@flag\n@if(\"reserved words are fine as keys\")\n"
			"permit(principal, action, resource);"),
		     0);
	const wpolicy *p = ps.items[0];
	cr_assert_eq(p->nannos, 4);
	const wannotation *a = policy_annotation(p, "advice");
	cr_assert_not_null(a);
	cr_assert_eq(a->vlen, 3);
	cr_assert_str_eq(a->val, "a\nb");
	cr_assert(a->has_value);
	a = policy_annotation(p, "flag");
	cr_assert_not_null(a);
	cr_assert_str_eq(a->val, "");
	cr_assert_eq(a->vlen, 0);
	cr_assert_not(a->has_value);
	cr_assert_null(policy_annotation(p, "missing"));
	cr_assert_str_eq(p->annos[0].key->s, "id");
	cr_assert_eq(memcmp(p->src->text + p->span.start, "@id", 3), 0);
	wspan sp = p->annos[1].span;
	cr_assert_eq(memcmp(p->src->text + sp.start, "@advice(\"a\\nb\")", sp.end - sp.start), 0);

	cr_assert_eq(pp("@a(\"x\") @a(\"y\") permit(principal, action, resource);"), 1);
	cr_assert(has_msg("duplicate annotation '@a'"));
	cr_assert_eq(pp("@a(x) permit(principal, action, resource);"), 1);
	cr_assert(has_msg("expected a string annotation value"));
	cr_assert_eq(ps.n, 1);
}

Test(parser, annotation_ids)
{
	cr_assert_eq(pp("@id(\"a\") permit(principal, action, resource);\n"
			"permit(principal, action, resource);\n"
			"@id(\"c\") permit(principal, action, resource);\n"),
		     0);
	cr_assert_str_eq(ps.items[1]->id, "policy1");
	cr_assert_eq(policyset_use_annotation_ids(&ps, &dg), 0);
	cr_assert_str_eq(ps.items[0]->id, "a");
	cr_assert_str_eq(ps.items[1]->id, "policy1");
	cr_assert_str_eq(ps.items[2]->id, "c");

	cr_assert_eq(pp("@id(\"a\") forbid(principal, action, resource);\n"
			"@id(\"policy1\") forbid(principal, action, resource);\n"),
		     0);
	cr_assert_str_eq(ps.items[3]->id, "policy3");
	cr_assert_eq(policyset_use_annotation_ids(&ps, &dg), 2);
	cr_assert(has_msg("duplicate policy id 'a'"));
	cr_assert(has_msg("duplicate policy id 'policy1'"));
}

Test(parser, several_errors_located)
{
	const char *text = "permit(principal, action, resource) when { 1 + };\n"   /* line 1 */
			   "permit(principal, action, resource);\n"                /* line 2: fine */
			   "forbid(principal, action, resource) when { foo };\n"  /* line 3 */
			   "permit(principal, action, resource) when { {a: 1, a: 2}.b && \"\\q\" };\n" /* 4 */
			   "permit(principal ,, action, resource);\n"              /* line 5 */
			   "permit(principal, action, resource) when { 1 < 2 < 3 };\n"; /* line 6 */
	int e = pp(text);
	cr_assert_eq(e, 6, "errors: %d", e);
	cr_assert_eq(ps.n, 1);
	cr_assert_str_eq(ps.items[0]->id, "policy0");
	uint32_t l, c;
	diag_at(0, &l, &c);
	cr_assert_eq(l, 1);
	cr_assert_eq(c, 48);
	cr_assert(strstr(dg.items[0].msg, "expected an expression, found '}'"));
	diag_at(1, &l, &c);
	cr_assert_eq(l, 3);
	cr_assert_eq(c, 44);
	cr_assert(strstr(dg.items[1].msg, "unknown variable 'foo'"));
	diag_at(2, &l, &c);
	cr_assert_eq(l, 4);
	cr_assert_eq(c, 51);
	cr_assert(strstr(dg.items[2].msg, "duplicate key 'a'"));
	diag_at(3, &l, &c);
	cr_assert_eq(l, 4);
	cr_assert_eq(c, 63);
	cr_assert(strstr(dg.items[3].msg, "invalid escape"));
	diag_at(4, &l, &c);
	cr_assert_eq(l, 5);
	cr_assert_eq(c, 19);
	diag_at(5, &l, &c);
	cr_assert_eq(l, 6);
	cr_assert_eq(c, 50);
	/* the rendering carries file:line:col */
	wbuf b = WBUF_INIT;
	diag_render(&dg.items[1], &b);
	cr_assert(strstr(b.p, "test.cedar:3:44: error: unknown variable 'foo'"), "%s", b.p);
	buf_release(&b);
}

Test(parser, recovery_after_unbalanced_brackets)
{
	int e = pp("permit(principal, action, resource when { true };\n"
		   "permit(principal, action, resource);\n");
	cr_assert_eq(e, 1);
	cr_assert_eq(ps.n, 1);
	e = pp("}} permit(principal, action, resource);");
	cr_assert_eq(e, 1);
}

/* ---- deep nesting ------------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		memcpy(s + hl + i * ul, unit, ul);
	memcpy(s + hl + ul * n, tail, tl + 1);
	return s;
}

static void expect_too_deep(char *text)
{
	size_t n0 = dg.nerrors;
	int e = pp(text);
	cr_assert_eq(e, 1);
	cr_assert_eq(dg.nerrors, n0 + 1);
	cr_assert(strstr(dg.items[dg.n - 1].msg, "nested too deeply"), "%s", dg.items[dg.n - 1].msg);
	free(text);
}

Test(parser, deep_nesting_rejected)
{
	expect_too_deep(repeat("permit(principal, action, resource) when { ", "(", 100000, "true };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { ", "[", 100000, "];"));
	expect_too_deep(repeat("permit(principal, action, resource) when { ", "{a: ", 100000, "1 };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { context", ".a", 100000, " };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { 1", " + 1", 100000, " == 2 };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { true", " && true", 100000, " };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { ", "if true then ", 100000, "1 else 2 };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { ", "!!!!(", 100000, "true };"));
	/* long flat chains are fine up to the tree-height bound (4 x the nesting limit) */
	char *chain = repeat("permit(principal, action, resource) when { context.x == 0", " || context.x == 1", 500, " };");
	cr_assert_eq(pp(chain), 0, "%s", dg.n ? dg.items[dg.n - 1].msg : "");
	free(chain);
	expect_too_deep(repeat("permit(principal, action, resource) when { 0", " + 1", 2000, " == 2 };"));
	expect_too_deep(repeat("permit(principal, action, resource) when { context has a", ".a", 5000, " };"));
	/* moderate nesting is fine */
	char *ok = repeat("permit(principal, action, resource) when { ", "(", 100, "true");
	char *ok2 = repeat(ok, ")", 100, " };");
	cr_assert_eq(pp(ok2), 0);
	free(ok);
	free(ok2);
}

/* ---- single items ------------------------------------------------------------------------- */

Test(parser, parse_uid_and_name)
{
	wuid u;
	wsource s = {"<uid>", "NS::User::\"al\\u{69}ce\"", 22};
	cr_assert_eq(parse_uid(&cx, &s, &u, &dg), 0);
	cr_assert_eq(u.type, ctx_sym(&cx, "NS::User", 8));
	cr_assert_eq(u.id, ctx_sym(&cx, "alice", 5));
	s.text = "User";
	s.len = 4;
	cr_assert_eq(parse_uid(&cx, &s, &u, &dg), -1);
	s.text = "if::\"a\"";
	s.len = 7;
	cr_assert_eq(parse_uid(&cx, &s, &u, &dg), -1);
	s.text = "User::\"a\" extra";
	s.len = strlen(s.text);
	cr_assert_eq(parse_uid(&cx, &s, &u, &dg), -1);

	cr_assert_eq(parse_name(&cx, "NS::User", 8), ctx_sym(&cx, "NS::User", 8));
	cr_assert_eq(parse_name(&cx, "User", 4), ctx_sym(&cx, "User", 4));
	cr_assert_null(parse_name(&cx, "", 0));
	cr_assert_null(parse_name(&cx, "NS::", 4));
	cr_assert_null(parse_name(&cx, "a b", 3));
	cr_assert_null(parse_name(&cx, "in", 2));
	cr_assert_null(parse_name(&cx, "__cedar::X", 10));
	cr_assert_null(parse_name(&cx, "X::__cedar", 10));
	cr_assert_null(parse_name(&cx, "User::\"a\"", 9));
}

Test(parser, ids_are_positional_across_sources)
{
	cr_assert_eq(pp("permit(principal, action, resource);"), 0);
	cr_assert_eq(pp("permit(principal, action, resource); forbid(principal, action, resource);"), 0);
	cr_assert_eq(ps.n, 3);
	cr_assert_str_eq(ps.items[2]->id, "policy2");
	cr_assert_eq(ps.items[2]->src, ps.sources[1]);
	cr_assert_eq(ps.nsources, 2);
}
