/* Unit tests for the evaluator (eval.c) and the authorizer (authz.c).
 *
 * Expressions and policies are built by hand (small AST constructors below)
 * so these tests exercise the evaluator alone; the entity store is loaded
 * from entities JSON. Every operator is checked on good input, on type
 * errors and on its boundary cases (overflow, missing attributes and
 * entities, short-circuiting that hides errors, pathological patterns).
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cedar/authz.h"
#include "cedar/entities.h"
#include "cedar/eval.h"
#include "cedar/ext.h"
#include "cedar/parser.h"

/* ---- fixture ---------------------------------------------------------------- */

static wctx cx;
static warena ast;  /* AST nodes and literal values */
static warena tmp;  /* request arena */
static wentities es;
static wrequest req;
static weval ev;

static const char *ENTITIES = "["
	"{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},"
	" \"attrs\":{\"age\":30,\"name\":\"Alice\",\"tags\":[\"a\",\"b\"],"
	"  \"manager\":{\"__entity\":{\"type\":\"User\",\"id\":\"bob\"}},"
	"  \"addr\":{\"city\":\"Paris\"}},"
	" \"parents\":[{\"type\":\"Group\",\"id\":\"eng\"}],"
	" \"tags\":{\"level\":3}},"
	"{\"uid\":{\"type\":\"User\",\"id\":\"bob\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Group\",\"id\":\"eng\"},\"attrs\":{},"
	" \"parents\":[{\"type\":\"Group\",\"id\":\"all\"}]},"
	"{\"uid\":{\"type\":\"Group\",\"id\":\"all\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"view\"},\"attrs\":{},"
	" \"parents\":[{\"type\":\"Action\",\"id\":\"read\"}]},"
	"{\"uid\":{\"type\":\"Action\",\"id\":\"read\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Doc\",\"id\":\"d1\"},"
	" \"attrs\":{\"owner\":{\"__entity\":{\"type\":\"User\",\"id\":\"alice\"}}},"
	" \"parents\":[{\"type\":\"Folder\",\"id\":\"f\"}]}"
	"]";

static const wsym *S(const char *s)
{
	return ctx_sym(&cx, s, strlen(s));
}

static wuid U(const char *type, const char *id)
{
	wuid u = {S(type), S(id)};
	return u;
}

static void setup(void)
{
	ctx_init(&cx);
	arena_init(&ast);
	arena_init(&tmp);
	entities_init(&es);
	wdiags d;
	diags_init(&d);
	int nerr = entities_load_json(&cx, &es, NULL, "test.json", ENTITIES, strlen(ENTITIES), &d);
	if (nerr) {
		wbuf b = WBUF_INIT;
		diags_render(&d, &b);
		cr_log_error("entities failed to load: %s", b.p ? b.p : "");
		buf_release(&b);
	}
	cr_assert_eq(nerr, 0, "fixture entities must load");
	diags_release(&d);

	wfield f[2];
	f[0].key = S("n");
	f[0].val = value_long(7);
	f[1].key = S("ip");
	f[1].val = value_string("10.0.0.1", 8);
	req.principal = U("User", "alice");
	req.action = U("Action", "view");
	req.resource = U("Doc", "d1");
	req.context.kind = WV_RECORD;
	req.context.u.rec = record_make(&ast, f, 2, false);

	memset(&ev, 0, sizeof ev);
	ev.cx = &cx;
	ev.ents = &es;
	ev.req = &req;
	ev.tmp = &tmp;
}

static void teardown(void)
{
	entities_release(&es);
	arena_release(&tmp);
	arena_release(&ast);
	ctx_release(&cx);
}

TestSuite(eval, .init = setup, .fini = teardown);
TestSuite(authz, .init = setup, .fini = teardown);

/* ---- AST constructors --------------------------------------------------------- */

static wexpr *node(wexkind k)
{
	wexpr *e = ARENA_NEW(&ast, wexpr);
	e->kind = (uint8_t)k;
	return e;
}

static wexpr *lit(wvalue v)
{
	wexpr *e = node(WE_LIT);
	e->u.lit = v;
	return e;
}

static wexpr *L(int64_t i) { return lit(value_long(i)); }
static wexpr *B(bool b) { return lit(value_bool(b)); }
static wexpr *Str(const char *s) { return lit(value_string(s, (uint32_t)strlen(s))); }
static wexpr *E(const char *type, const char *id) { return lit(value_entity(U(type, id))); }

static wexpr *var(wvar v)
{
	wexpr *e = node(WE_VAR);
	e->u.var = (uint8_t)v;
	return e;
}

static wexpr *k2(wexkind k, wexpr *a, wexpr *b)
{
	wexpr *e = node(k);
	e->u.k.a = a;
	e->u.k.b = b;
	return e;
}

static wexpr *bin(wbinop op, wexpr *a, wexpr *b)
{
	wexpr *e = k2(WE_BINARY, a, b);
	e->op = (uint8_t)op;
	return e;
}

static wexpr *AND(wexpr *a, wexpr *b) { return k2(WE_AND, a, b); }
static wexpr *OR(wexpr *a, wexpr *b) { return k2(WE_OR, a, b); }
static wexpr *NOT(wexpr *a) { return k2(WE_NOT, a, NULL); }
static wexpr *NEG(wexpr *a) { return k2(WE_NEG, a, NULL); }
static wexpr *ISEMPTY(wexpr *a) { return k2(WE_ISEMPTY, a, NULL); }

static wexpr *ITE(wexpr *c, wexpr *a, wexpr *b)
{
	wexpr *e = k2(WE_IF, c, a);
	e->u.k.c = b;
	return e;
}

static wexpr *GET(wexpr *obj, const char *name)
{
	wexpr *e = node(WE_GETATTR);
	e->u.attr.obj = obj;
	e->u.attr.name = S(name);
	return e;
}

static wexpr *HAS(wexpr *obj, const char *name)
{
	wexpr *e = GET(obj, name);
	e->kind = WE_HASATTR;
	return e;
}

/* Pattern from UTF-8 text where '*' is the wildcard and "\*" a literal star. */
static wexpr *LIKE(wexpr *obj, const char *pat)
{
	wexpr *e = node(WE_LIKE);
	size_t n = strlen(pat);
	uint32_t *cps = arena_alloc(&ast, sizeof *cps * (n + 1));
	uint32_t k = 0;
	const unsigned char *p = (const unsigned char *)pat;
	for (size_t i = 0; i < n;) {
		uint32_t c = p[i];
		if (c == '\\' && i + 1 < n && p[i + 1] == '*') {
			cps[k++] = '*';
			i += 2;
			continue;
		}
		if (c == '*') {
			cps[k++] = WPAT_STAR;
			i++;
			continue;
		}
		int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
		for (int j = 1; j < len; j++)
			cp = (cp << 6) | (p[i + (size_t)j] & 0x3F);
		cps[k++] = cp;
		i += (size_t)len;
	}
	e->u.like.obj = obj;
	e->u.like.pat.n = k;
	e->u.like.pat.cps = cps;
	return e;
}

static wexpr *IS(wexpr *obj, const char *type, wexpr *in)
{
	wexpr *e = node(WE_IS);
	e->u.is.obj = obj;
	e->u.is.type = S(type);
	e->u.is.in = in;
	return e;
}

static wexpr *SET(uint32_t n, ...)
{
	wexpr *e = node(WE_SET);
	e->u.list.n = n;
	e->u.list.items = arena_alloc(&ast, sizeof(wexpr *) * (n ? n : 1));
	va_list ap;
	va_start(ap, n);
	for (uint32_t i = 0; i < n; i++)
		e->u.list.items[i] = va_arg(ap, wexpr *);
	va_end(ap);
	return e;
}

/* REC(n, "k1", e1, "k2", e2, ...) */
static wexpr *REC(uint32_t n, ...)
{
	wexpr *e = node(WE_RECORD);
	e->u.rec.n = n;
	e->u.rec.keys = arena_alloc(&ast, sizeof(wsym *) * (n ? n : 1));
	e->u.rec.vals = arena_alloc(&ast, sizeof(wexpr *) * (n ? n : 1));
	va_list ap;
	va_start(ap, n);
	for (uint32_t i = 0; i < n; i++) {
		e->u.rec.keys[i] = S(va_arg(ap, const char *));
		e->u.rec.vals[i] = va_arg(ap, wexpr *);
	}
	va_end(ap);
	return e;
}

static wexpr *CALL(const char *name, bool method, uint32_t n, ...)
{
	wexpr *e = node(WE_CALL);
	e->u.call.fn = ext_lookup(name, strlen(name), method);
	e->u.call.name = S(name);
	e->u.call.method = method;
	e->u.call.n = n;
	e->u.call.args = arena_alloc(&ast, sizeof(wexpr *) * (n ? n : 1));
	va_list ap;
	va_start(ap, n);
	for (uint32_t i = 0; i < n; i++)
		e->u.call.args[i] = va_arg(ap, wexpr *);
	va_end(ap);
	return e;
}

/* ---- evaluation helpers -------------------------------------------------------- */

static wvalue ok(const wexpr *e)
{
	wvalue v;
	memset(&v, 0, sizeof v);
	int rc = eval_expr(&ev, e, &v);
	cr_assert_eq(rc, 0, "expected success, got error: %s", ev.err ? ev.err : "(null)");
	return v;
}

static void is_true(const wexpr *e)
{
	wvalue v = ok(e);
	cr_assert_eq(v.kind, WV_BOOL, "expected a bool, got %s", value_kind_name((wvkind)v.kind));
	cr_assert(v.u.b, "expected true");
}

static void is_false(const wexpr *e)
{
	wvalue v = ok(e);
	cr_assert_eq(v.kind, WV_BOOL, "expected a bool, got %s", value_kind_name((wvkind)v.kind));
	cr_assert(!v.u.b, "expected false");
}

static void is_long(const wexpr *e, int64_t want)
{
	wvalue v = ok(e);
	cr_assert_eq(v.kind, WV_LONG);
	cr_assert_eq(v.u.i, want, "got %lld want %lld", (long long)v.u.i, (long long)want);
}

/* Expects an evaluation error whose message contains `frag`. */
static void fails(const wexpr *e, const char *frag)
{
	wvalue v;
	int rc = eval_expr(&ev, e, &v);
	cr_assert_eq(rc, -1, "expected an error mentioning '%s'", frag);
	cr_assert_not_null(ev.err);
	cr_assert(strstr(ev.err, frag) != NULL, "error '%s' does not mention '%s'", ev.err, frag);
}

/* an expression that always errors */
static wexpr *BOOM(void)
{
	return bin(WB_ADD, L(1), Str("x"));
}

/* ---- literals, variables, arithmetic ------------------------------------------- */

Test(eval, literals_and_variables)
{
	is_long(L(42), 42);
	is_true(B(true));
	wvalue v = ok(Str("héllo"));
	cr_assert_eq(v.kind, WV_STRING);
	cr_assert_eq(v.u.s.n, 6);
	v = ok(var(WVAR_PRINCIPAL));
	cr_assert_eq(v.kind, WV_ENTITY);
	cr_assert(uid_eq(v.u.e, U("User", "alice")));
	v = ok(var(WVAR_ACTION));
	cr_assert(uid_eq(v.u.e, U("Action", "view")));
	v = ok(var(WVAR_RESOURCE));
	cr_assert(uid_eq(v.u.e, U("Doc", "d1")));
	v = ok(var(WVAR_CONTEXT));
	cr_assert_eq(v.kind, WV_RECORD);
	is_long(GET(var(WVAR_CONTEXT), "n"), 7);
}

Test(eval, arithmetic)
{
	is_long(bin(WB_ADD, L(1), L(2)), 3);
	is_long(bin(WB_SUB, L(5), L(7)), -2);
	is_long(bin(WB_MUL, L(-3), L(4)), -12);
	is_long(NEG(L(5)), -5);
	is_long(bin(WB_ADD, L(INT64_MAX - 1), L(1)), INT64_MAX);
	is_long(bin(WB_SUB, L(INT64_MIN + 1), L(1)), INT64_MIN);
	is_long(bin(WB_MUL, L(INT64_MIN), L(1)), INT64_MIN);
	is_long(NEG(L(INT64_MAX)), -INT64_MAX);
}

Test(eval, arithmetic_overflow)
{
	fails(bin(WB_ADD, L(INT64_MAX), L(1)), "overflow");
	fails(bin(WB_ADD, L(INT64_MIN), L(-1)), "overflow");
	fails(bin(WB_SUB, L(INT64_MIN), L(1)), "overflow");
	fails(bin(WB_SUB, L(0), L(INT64_MIN)), "overflow");
	fails(bin(WB_MUL, L(INT64_MAX), L(2)), "overflow");
	fails(bin(WB_MUL, L(INT64_MIN), L(-1)), "overflow");
	fails(bin(WB_MUL, L(4294967296), L(4294967296)), "overflow");
	fails(NEG(L(INT64_MIN)), "overflow");
}

Test(eval, arithmetic_type_errors)
{
	fails(bin(WB_ADD, L(1), Str("1")), "type error");
	fails(bin(WB_SUB, B(true), L(1)), "type error");
	fails(bin(WB_MUL, L(2), var(WVAR_PRINCIPAL)), "type error");
	fails(NEG(Str("1")), "type error");
	fails(NOT(L(1)), "type error");
	is_false(NOT(B(true)));
	is_true(NOT(B(false)));
}

/* ---- equality and comparison ----------------------------------------------------- */

Test(eval, equality_never_errors)
{
	is_true(bin(WB_EQ, L(1), L(1)));
	is_false(bin(WB_EQ, L(1), L(2)));
	is_false(bin(WB_EQ, L(1), Str("1")));
	is_true(bin(WB_NE, L(1), Str("1")));
	is_false(bin(WB_EQ, B(true), L(1)));
	is_true(bin(WB_EQ, var(WVAR_PRINCIPAL), E("User", "alice")));
	is_false(bin(WB_EQ, E("User", "alice"), E("Group", "alice")));
	is_true(bin(WB_EQ, SET(3, L(1), L(2), L(3)), SET(4, L(3), L(1), L(2), L(1))));
	is_false(bin(WB_EQ, SET(1, L(1)), SET(2, L(1), L(2))));
	is_true(bin(WB_EQ, REC(2, "a", L(1), "b", Str("x")), REC(2, "b", Str("x"), "a", L(1))));
	is_false(bin(WB_EQ, REC(1, "a", L(1)), REC(1, "a", L(2))));
	is_false(bin(WB_EQ, SET(0), REC(0)));
}

Test(eval, long_comparisons)
{
	is_true(bin(WB_LT, L(1), L(2)));
	is_false(bin(WB_LT, L(2), L(2)));
	is_true(bin(WB_LE, L(2), L(2)));
	is_false(bin(WB_LE, L(3), L(2)));
	is_true(bin(WB_GT, L(3), L(2)));
	is_false(bin(WB_GT, L(2), L(2)));
	is_true(bin(WB_GE, L(2), L(2)));
	is_true(bin(WB_LT, L(INT64_MIN), L(INT64_MAX)));
	is_false(bin(WB_GE, L(-1), L(0)));
}

Test(eval, comparison_type_errors)
{
	fails(bin(WB_LT, L(1), Str("2")), "type error");
	fails(bin(WB_LT, Str("a"), Str("b")), "type error");
	fails(bin(WB_GE, B(false), B(true)), "type error");
	fails(bin(WB_LE, E("User", "a"), E("User", "b")), "type error");
	/* decimals compare with methods, not operators */
	fails(bin(WB_LT, lit(value_ext_int(WV_DECIMAL, 1)), lit(value_ext_int(WV_DECIMAL, 2))), "type error");
	/* datetime vs duration, datetime vs long */
	fails(bin(WB_LT, lit(value_ext_int(WV_DATETIME, 1)), lit(value_ext_int(WV_DURATION, 2))), "type error");
	fails(bin(WB_GT, lit(value_ext_int(WV_DATETIME, 1)), L(0)), "type error");
}

Test(eval, datetime_and_duration_comparisons)
{
	wexpr *d1 = lit(value_ext_int(WV_DATETIME, -86400000)), *d2 = lit(value_ext_int(WV_DATETIME, 0));
	is_true(bin(WB_LT, d1, d2));
	is_true(bin(WB_LE, d2, d2));
	is_false(bin(WB_GT, d1, d2));
	is_true(bin(WB_GE, d2, d1));
	wexpr *u1 = lit(value_ext_int(WV_DURATION, 1000)), *u2 = lit(value_ext_int(WV_DURATION, 60000));
	is_true(bin(WB_LT, u1, u2));
	is_false(bin(WB_GE, u1, u2));
}

/* ---- && || if: short-circuit ------------------------------------------------------- */

Test(eval, and_or_truth_tables)
{
	is_true(AND(B(true), B(true)));
	is_false(AND(B(true), B(false)));
	is_false(AND(B(false), B(true)));
	is_true(OR(B(false), B(true)));
	is_false(OR(B(false), B(false)));
	is_true(OR(B(true), B(false)));
}

Test(eval, short_circuit_hides_errors)
{
	is_false(AND(B(false), BOOM()));
	is_true(OR(B(true), BOOM()));
	is_false(AND(B(false), L(1)));    /* the right side is not even type-checked */
	is_true(OR(B(true), Str("x")));
	is_long(ITE(B(true), L(1), BOOM()), 1);
	is_long(ITE(B(false), BOOM(), L(2)), 2);
	/* but an evaluated side errors */
	fails(AND(B(true), BOOM()), "type error");
	fails(OR(B(false), BOOM()), "type error");
	fails(AND(BOOM(), B(false)), "type error");
	fails(ITE(B(true), BOOM(), L(2)), "type error");
}

Test(eval, and_or_if_type_errors)
{
	fails(AND(L(1), B(true)), "type error");
	fails(AND(B(true), L(1)), "type error");
	fails(OR(Str("x"), B(true)), "type error");
	fails(OR(B(false), L(0)), "type error");
	fails(ITE(L(1), L(2), L(3)), "type error");
}

/* `x1 || x2 || ... || xN` is a left-deep tree; a long one must not exhaust
 * the stack, and keeps the same short-circuit and type rules. */
static wexpr *chain(wexkind k, int n, wexpr *(*item)(int))
{
	wexpr *e = item(0);
	for (int i = 1; i < n; i++)
		e = k2(k, e, item(i));
	return e;
}

static wexpr *item_false(int i) { (void)i; return B(false); }
static wexpr *item_last_true(int i) { return i == 99999 ? B(true) : B(false); }
static wexpr *item_mid_true_then_boom(int i) { return i < 500 ? B(false) : i == 500 ? B(true) : BOOM(); }
static wexpr *item_mid_long(int i) { return i == 300 ? L(1) : B(true); }

Test(eval, long_chains)
{
	is_false(chain(WE_OR, 100000, item_false));
	is_true(chain(WE_OR, 100000, item_last_true));
	is_true(chain(WE_OR, 1000, item_mid_true_then_boom));
	is_false(chain(WE_AND, 1000, item_false));
	fails(chain(WE_AND, 1000, item_mid_long), "type error");
	is_true(chain(WE_AND, 3, item_mid_long));
}

Test(eval, deep_nesting_is_an_error_not_a_crash)
{
	wexpr *e = B(true);
	for (int i = 0; i < 100000; i++)
		e = NOT(e);
	fails(e, "nesting");
	wexpr *f = B(true);
	for (int i = 0; i < 1000; i++)
		f = NOT(f);
	is_true(f);
	cr_assert_eq(ev.depth, 0, "depth is restored after evaluation");
}

/* ---- in ------------------------------------------------------------------------- */

Test(eval, in_hierarchy)
{
	is_true(bin(WB_IN, E("User", "alice"), E("User", "alice")));
	is_true(bin(WB_IN, E("User", "alice"), E("Group", "eng")));
	is_true(bin(WB_IN, E("User", "alice"), E("Group", "all"))); /* transitive */
	is_false(bin(WB_IN, E("User", "bob"), E("Group", "eng")));
	is_false(bin(WB_IN, E("Group", "all"), E("Group", "eng"))); /* not reversed */
	is_true(bin(WB_IN, var(WVAR_ACTION), E("Action", "read")));
	/* the parent of a stored entity need not exist itself */
	is_true(bin(WB_IN, E("Doc", "d1"), E("Folder", "f")));
}

Test(eval, in_missing_entity_is_only_in_itself)
{
	is_true(bin(WB_IN, E("User", "ghost"), E("User", "ghost")));
	is_false(bin(WB_IN, E("User", "ghost"), E("Group", "eng")));
	is_true(bin(WB_IN, E("User", "ghost"), SET(2, E("Group", "eng"), E("User", "ghost"))));
}

Test(eval, in_sets)
{
	is_true(bin(WB_IN, E("User", "alice"), SET(2, E("User", "bob"), E("Group", "all"))));
	is_false(bin(WB_IN, E("User", "alice"), SET(1, E("User", "bob"))));
	is_false(bin(WB_IN, E("User", "alice"), SET(0)));
	/* any non-entity element is a type error, even when another element matches */
	fails(bin(WB_IN, E("User", "alice"), SET(2, E("Group", "eng"), L(1))), "type error");
	fails(bin(WB_IN, E("User", "alice"), SET(2, Str("x"), E("User", "alice"))), "type error");
}

Test(eval, in_type_errors)
{
	fails(bin(WB_IN, L(1), E("Group", "eng")), "type error");
	fails(bin(WB_IN, SET(1, E("User", "alice")), E("Group", "eng")), "type error");
	fails(bin(WB_IN, E("User", "alice"), Str("Group::\"eng\"")), "type error");
	fails(bin(WB_IN, E("User", "alice"), REC(0)), "type error");
}

/* ---- has, attribute access --------------------------------------------------------- */

Test(eval, has_and_get_on_entities)
{
	is_true(HAS(var(WVAR_PRINCIPAL), "age"));
	is_false(HAS(var(WVAR_PRINCIPAL), "height"));
	is_long(GET(var(WVAR_PRINCIPAL), "age"), 30);
	wvalue v = ok(GET(var(WVAR_PRINCIPAL), "manager"));
	cr_assert_eq(v.kind, WV_ENTITY);
	cr_assert(uid_eq(v.u.e, U("User", "bob")));
	is_false(HAS(GET(var(WVAR_PRINCIPAL), "manager"), "age"));
}

Test(eval, get_attr_chain)
{
	wvalue v = ok(GET(GET(var(WVAR_PRINCIPAL), "addr"), "city"));
	cr_assert_eq(v.kind, WV_STRING);
	cr_assert_eq(v.u.s.n, 5);
	cr_assert(memcmp(v.u.s.p, "Paris", 5) == 0);
	is_true(bin(WB_EQ, GET(GET(var(WVAR_RESOURCE), "owner"), "name"), Str("Alice")));
}

Test(eval, missing_attributes_and_entities)
{
	fails(GET(var(WVAR_PRINCIPAL), "height"), "height");
	fails(GET(E("User", "bob"), "age"), "age");
	fails(GET(E("User", "ghost"), "age"), "does not exist");
	is_false(HAS(E("User", "ghost"), "age"));
	fails(GET(REC(1, "a", L(1)), "b"), "'b'");
	is_false(HAS(REC(1, "a", L(1)), "b"));
	is_true(HAS(REC(1, "a", L(1)), "a"));
	is_long(GET(REC(2, "a", L(1), "b", L(2)), "b"), 2);
}

Test(eval, has_and_get_type_errors)
{
	fails(HAS(L(1), "a"), "type error");
	fails(HAS(Str("abc"), "a"), "type error");
	fails(GET(SET(1, L(1)), "a"), "type error");
	fails(GET(B(true), "a"), "type error");
	/* errors in the object propagate */
	fails(HAS(BOOM(), "a"), "type error");
}

/* ---- like ------------------------------------------------------------------------ */

Test(eval, like_basics)
{
	is_true(LIKE(Str("abc"), "abc"));
	is_false(LIKE(Str("abc"), "ab"));
	is_true(LIKE(Str("abc"), "a*"));
	is_true(LIKE(Str("abc"), "*c"));
	is_true(LIKE(Str("abc"), "a*c"));
	is_true(LIKE(Str("abc"), "*"));
	is_true(LIKE(Str(""), "*"));
	is_true(LIKE(Str(""), ""));
	is_false(LIKE(Str(""), "a"));
	is_true(LIKE(Str("abc"), "***"));
	is_true(LIKE(Str("abcabc"), "*bc*bc"));
	is_false(LIKE(Str("abcab"), "*bc*bc"));
	is_true(LIKE(Str("mississippi"), "*iss*ppi"));
	is_false(LIKE(Str("abc"), "A*"));
}

Test(eval, like_escaped_star)
{
	is_true(LIKE(Str("a*"), "a\\*"));
	is_false(LIKE(Str("ab"), "a\\*"));
	is_true(LIKE(Str("x*y*z"), "*\\**z"));
	is_false(LIKE(Str("xyz"), "*\\**z"));
}

Test(eval, like_multibyte)
{
	/* é is two bytes, 😀 four: a wildcard matches scalar values, literals compare whole code points */
	is_true(LIKE(Str("héllo"), "h*o"));
	is_true(LIKE(Str("héllo"), "hé*"));
	is_false(LIKE(Str("hello"), "hé*"));
	is_true(LIKE(Str("😀x"), "*x"));
	is_true(LIKE(Str("a😀b"), "a😀b"));
	is_false(LIKE(Str("a😀b"), "a😁b"));
	is_true(LIKE(Str("日本語"), "日*語"));
	is_false(LIKE(Str("日本"), "日*語"));
}

static wexpr *long_string(char c, size_t n, char last)
{
	char *s = arena_alloc(&ast, n + 1);
	memset(s, c, n);
	s[n - 1] = last;
	s[n] = '\0';
	return lit(value_string(s, (uint32_t)n));
}

Test(eval, like_pathological_patterns_are_fast, .timeout = 5)
{
	/* exponential for naive backtracking; linear-ish here */
	is_false(LIKE(long_string('a', 20000, 'a'), "*a*a*a*a*a*a*a*a*a*b"));
	is_true(LIKE(long_string('a', 20000, 'b'), "*a*a*a*a*a*a*a*a*a*b"));
}

Test(eval, like_type_error)
{
	fails(LIKE(L(1), "*"), "type error");
	fails(LIKE(var(WVAR_PRINCIPAL), "*"), "type error");
}

/* ---- is ------------------------------------------------------------------------- */

Test(eval, is_operator)
{
	is_true(IS(var(WVAR_PRINCIPAL), "User", NULL));
	is_false(IS(var(WVAR_PRINCIPAL), "Group", NULL));
	is_true(IS(E("Nowhere", "x"), "Nowhere", NULL)); /* no store lookup needed */
	is_true(IS(var(WVAR_PRINCIPAL), "User", E("Group", "all")));
	is_false(IS(var(WVAR_PRINCIPAL), "User", E("User", "bob")));
	is_true(IS(var(WVAR_PRINCIPAL), "User", SET(2, E("User", "bob"), E("Group", "eng"))));
	fails(IS(L(1), "User", NULL), "type error");
	/* the `in` side is only evaluated when the type matches */
	is_false(IS(var(WVAR_PRINCIPAL), "Group", BOOM()));
	fails(IS(var(WVAR_PRINCIPAL), "User", BOOM()), "type error");
	fails(IS(var(WVAR_PRINCIPAL), "User", L(3)), "type error");
}

/* ---- sets and records --------------------------------------------------------- */

Test(eval, set_operations)
{
	wexpr *s = SET(3, L(1), L(2), L(3));
	is_true(bin(WB_CONTAINS, s, L(2)));
	is_false(bin(WB_CONTAINS, s, L(4)));
	is_false(bin(WB_CONTAINS, s, Str("2")));
	is_true(bin(WB_CONTAINSALL, s, SET(2, L(3), L(1))));
	is_false(bin(WB_CONTAINSALL, s, SET(2, L(3), L(4))));
	is_true(bin(WB_CONTAINSALL, s, SET(0)));
	is_true(bin(WB_CONTAINSANY, s, SET(2, L(9), L(1))));
	is_false(bin(WB_CONTAINSANY, s, SET(2, L(9), L(8))));
	is_false(bin(WB_CONTAINSANY, s, SET(0)));
	is_true(ISEMPTY(SET(0)));
	is_false(ISEMPTY(s));
	is_true(bin(WB_CONTAINS, GET(var(WVAR_PRINCIPAL), "tags"), Str("b")));
	is_true(bin(WB_CONTAINS, SET(2, E("User", "a"), REC(1, "x", L(1))), REC(1, "x", L(1))));
	is_true(bin(WB_CONTAINS, SET(1, SET(2, L(1), L(2))), SET(2, L(2), L(1))));
}

/* The evaluator scans small set literals instead of building them; wrapping
 * a literal in `if true then [..] else []` forces the general path. Both must
 * agree on every operator, including elements that are sets themselves. */
static wexpr *opaque(wexpr *x)
{
	return ITE(B(true), x, SET(0));
}

static void same_both_ways(wbinop op, wexpr *a, wexpr *b)
{
	wvalue fast, slow;
	int rf = eval_expr(&ev, bin(op, a, b), &fast);
	int rs = eval_expr(&ev, bin(op, a->kind == WE_SET ? opaque(a) : a, b->kind == WE_SET ? opaque(b) : b), &slow);
	cr_assert_eq(rf, rs, "fast and general paths disagree on erroring (op %d)", (int)op);
	if (rf == 0)
		cr_assert(value_eq(&fast, &slow), "fast and general paths disagree (op %d)", (int)op);
}

Test(eval, set_literal_fast_paths_agree)
{
	wexpr *big = node(WE_SET);
	big->u.list.n = 40;
	big->u.list.items = arena_alloc(&ast, sizeof(wexpr *) * 40);
	for (int i = 0; i < 40; i++)
		big->u.list.items[i] = L(i * 3);
	wexpr *sets[] = {SET(3, L(1), L(2), L(3)), SET(2, L(2), L(2)), SET(1, SET(2, L(1), L(2))),
			 SET(2, E("Group", "eng"), E("User", "bob")), SET(2, Str("a"), L(1)), big,
			 GET(var(WVAR_PRINCIPAL), "tags"), SET(1, REC(1, "a", L(1)))};
	wexpr *elems[] = {L(2), L(4), Str("a"), SET(2, L(2), L(1)), E("User", "alice"), REC(1, "a", L(1)), L(39 * 3)};
	size_t ns = sizeof sets / sizeof *sets, ne = sizeof elems / sizeof *elems;
	for (size_t i = 0; i < ns; i++) {
		for (size_t j = 0; j < ns; j++) {
			same_both_ways(WB_CONTAINSALL, sets[i], sets[j]);
			same_both_ways(WB_CONTAINSANY, sets[i], sets[j]);
		}
		for (size_t j = 0; j < ne; j++) {
			same_both_ways(WB_CONTAINS, sets[i], elems[j]);
			same_both_ways(WB_IN, elems[j], sets[i]);
		}
		same_both_ways(WB_CONTAINS, sets[i], sets[i]);
		same_both_ways(WB_IN, E("User", "alice"), sets[i]);
	}
	is_true(bin(WB_CONTAINS, SET(2, L(1), SET(2, L(2), L(1))), SET(2, L(1), L(2))));
	is_true(bin(WB_CONTAINSALL, big, SET(2, L(0), L(117))));
	is_false(bin(WB_CONTAINSALL, big, SET(2, L(0), L(118))));
	is_true(bin(WB_CONTAINSANY, SET(2, L(118), L(3)), big));
	fails(bin(WB_CONTAINS, SET(2, L(1), BOOM()), L(1)), "type error");
	fails(bin(WB_CONTAINSANY, SET(1, L(1)), SET(2, L(1), BOOM())), "type error");
	fails(bin(WB_IN, E("User", "alice"), SET(2, E("User", "alice"), BOOM())), "type error");
	fails(bin(WB_IN, SET(1, E("User", "alice")), SET(1, E("User", "alice"))), "type error");
}

Test(eval, set_operation_type_errors)
{
	fails(bin(WB_CONTAINS, L(1), L(1)), "type error");
	fails(bin(WB_CONTAINS, Str("abc"), Str("a")), "type error");
	fails(bin(WB_CONTAINSALL, SET(1, L(1)), L(1)), "type error");
	fails(bin(WB_CONTAINSALL, L(1), SET(1, L(1))), "type error");
	fails(bin(WB_CONTAINSANY, SET(1, L(1)), REC(0)), "type error");
	fails(ISEMPTY(REC(0)), "type error");
	fails(ISEMPTY(Str("")), "type error");
}

Test(eval, set_and_record_literals)
{
	wvalue v = ok(SET(4, L(2), L(1), L(2), bin(WB_ADD, L(1), L(2))));
	cr_assert_eq(v.kind, WV_SET);
	cr_assert_eq(v.u.set->n, 3, "duplicates collapse");
	v = ok(REC(2, "b", L(2), "a", SET(0)));
	cr_assert_eq(v.kind, WV_RECORD);
	cr_assert_eq(v.u.rec->n, 2);
	cr_assert_not_null(record_get(v.u.rec, S("a")));
	/* the evaluator's own small-set sort agrees with set_make */
	wvalue raw[7] = {value_long(3), value_string("a", 1), value_long(1), value_string("a", 1), value_bool(true),
			 value_long(3), value_entity(U("User", "x"))};
	wvalue built = {0};
	built.kind = WV_SET;
	built.u.set = set_make(&ast, raw, 7);
	v = ok(SET(7, L(3), Str("a"), L(1), Str("a"), B(true), L(3), E("User", "x")));
	cr_assert_eq(v.u.set->n, 5);
	cr_assert(value_eq(&v, &built));
	for (uint32_t i = 0; i + 1 < v.u.set->n; i++)
		cr_assert_lt(value_cmp(&v.u.set->items[i], &v.u.set->items[i + 1]), 0, "sorted, no duplicates");
	/* element errors propagate */
	fails(SET(2, L(1), BOOM()), "type error");
	fails(REC(2, "a", L(1), "b", GET(E("User", "ghost"), "x")), "does not exist");
}

Test(eval, record_literals_small_and_large)
{
	/* both the in-place path (few keys) and the record_make path (many keys) */
	for (uint32_t n = 1; n <= 40; n += 13) {
		wexpr *e = node(WE_RECORD);
		e->u.rec.n = n;
		e->u.rec.keys = arena_alloc(&ast, sizeof(wsym *) * n);
		e->u.rec.vals = arena_alloc(&ast, sizeof(wexpr *) * n);
		for (uint32_t i = 0; i < n; i++) {
			char k[16];
			snprintf(k, sizeof k, "k%02u", (n - i) % n);
			e->u.rec.keys[i] = S(k);
			e->u.rec.vals[i] = L((int64_t)((n - i) % n));
		}
		wvalue v = ok(e);
		cr_assert_eq(v.kind, WV_RECORD);
		cr_assert_eq(v.u.rec->n, n);
		for (uint32_t i = 0; i + 1 < n; i++)
			cr_assert_lt(sym_cmp(v.u.rec->f[i].key, v.u.rec->f[i + 1].key), 0, "sorted keys");
		for (uint32_t i = 0; i < n; i++)
			cr_assert_eq(v.u.rec->f[i].val.u.i, (int64_t)i, "key k%02u holds %u", i, i);
		is_long(GET(e, "k00"), 0);
	}
}

/* ---- tags ------------------------------------------------------------------------ */

Test(eval, tags)
{
	is_true(bin(WB_HASTAG, var(WVAR_PRINCIPAL), Str("level")));
	is_false(bin(WB_HASTAG, var(WVAR_PRINCIPAL), Str("rank")));
	is_false(bin(WB_HASTAG, var(WVAR_PRINCIPAL), Str("never-interned-anywhere")));
	is_false(bin(WB_HASTAG, E("User", "ghost"), Str("level")));
	is_long(bin(WB_GETTAG, var(WVAR_PRINCIPAL), Str("level")), 3);
	fails(bin(WB_GETTAG, var(WVAR_PRINCIPAL), Str("rank")), "rank");
	fails(bin(WB_GETTAG, E("User", "ghost"), Str("level")), "does not exist");
	fails(bin(WB_GETTAG, E("User", "bob"), Str("level")), "level");
	fails(bin(WB_HASTAG, var(WVAR_PRINCIPAL), L(1)), "type error");
	fails(bin(WB_HASTAG, Str("x"), Str("level")), "type error");
	fails(bin(WB_GETTAG, REC(1, "level", L(1)), Str("level")), "type error");
	/* tags and attributes are separate namespaces */
	is_false(HAS(var(WVAR_PRINCIPAL), "level"));
	is_false(bin(WB_HASTAG, var(WVAR_PRINCIPAL), Str("age")));
}

/* ---- extension calls -------------------------------------------------------------- */

Test(eval, extension_calls)
{
	cr_assert_not_null(ext_lookup("decimal", 7, false), "ext.c provides decimal()");
	wvalue v = ok(CALL("decimal", false, 1, Str("1.5")));
	cr_assert_eq(v.kind, WV_DECIMAL);
	cr_assert_eq(v.u.i, 15000);
	is_true(CALL("lessThan", true, 2, CALL("decimal", false, 1, Str("1.5")),
		     CALL("decimal", false, 1, Str("2.0"))));
	is_true(CALL("isInRange", true, 2, CALL("ip", false, 1, GET(var(WVAR_CONTEXT), "ip")),
		     CALL("ip", false, 1, Str("10.0.0.0/8"))));
	/* bad argument strings and argument errors */
	fails(CALL("decimal", false, 1, Str("not a number")), "");
	fails(CALL("decimal", false, 1, BOOM()), "type error");
	fails(CALL("lessThan", true, 2, L(1), L(2)), "");
}

/* ---- slots ------------------------------------------------------------------------- */

Test(eval, slots)
{
	wexpr *s = node(WE_SLOT);
	s->u.slot = WSLOT_PRINCIPAL;
	fails(s, "?principal");
	wuid bob = U("User", "bob");
	ev.slot_principal = &bob;
	wvalue v = ok(s);
	cr_assert(uid_eq(v.u.e, bob));
}

/* ---- policies ----------------------------------------------------------------------- */

static wpolicy *policy(const char *id, weffect eff)
{
	wpolicy *p = ARENA_NEW(&ast, wpolicy);
	p->id = id;
	p->effect = (uint8_t)eff;
	return p;
}

static void when(wpolicy *p, bool is_when, wexpr *body)
{
	wcond *c = arena_alloc(&ast, sizeof *c * (p->nconds + 1));
	if (p->nconds)
		memcpy(c, p->conds, sizeof *c * p->nconds);
	memset(&c[p->nconds], 0, sizeof *c);
	c[p->nconds].is_when = is_when;
	c[p->nconds].body = body;
	p->conds = c;
	p->nconds++;
}

static void scope(wscope *s, wscopeop op, const char *type, wuid uid)
{
	memset(s, 0, sizeof *s);
	s->op = (uint8_t)op;
	s->type = type ? S(type) : NULL;
	s->uid = uid;
}

static bool applies(const wpolicy *p)
{
	bool a = true;
	int rc = eval_policy(&ev, p, &a);
	cr_assert_eq(rc, 0, "policy %s errored: %s", p->id, ev.err ? ev.err : "");
	return a;
}

static wuid NOUID;

Test(eval, policy_scopes)
{
	wpolicy *p = policy("p", WEFF_PERMIT);
	cr_assert(applies(p), "an unconstrained policy applies");

	scope(&p->principal, WSC_EQ, NULL, U("User", "alice"));
	cr_assert(applies(p));
	scope(&p->principal, WSC_EQ, NULL, U("User", "bob"));
	cr_assert(!applies(p));
	scope(&p->principal, WSC_IN, NULL, U("Group", "all"));
	cr_assert(applies(p));
	scope(&p->principal, WSC_IN, NULL, U("Group", "other"));
	cr_assert(!applies(p));
	scope(&p->principal, WSC_IS, "User", NOUID);
	cr_assert(applies(p));
	scope(&p->principal, WSC_IS, "Group", NOUID);
	cr_assert(!applies(p));
	scope(&p->principal, WSC_IS_IN, "User", U("Group", "eng"));
	cr_assert(applies(p));
	scope(&p->principal, WSC_IS_IN, "Group", U("Group", "eng"));
	cr_assert(!applies(p));
	scope(&p->principal, WSC_ANY, NULL, NOUID);

	wuid acts[2] = {U("Action", "edit"), U("Action", "read")};
	scope(&p->action, WSC_IN_SET, NULL, NOUID);
	p->action.list = acts;
	p->action.nlist = 2;
	cr_assert(applies(p), "view is in read");
	p->action.nlist = 1;
	cr_assert(!applies(p));
	scope(&p->action, WSC_EQ, NULL, U("Action", "view"));
	cr_assert(applies(p));

	scope(&p->resource, WSC_IN, NULL, U("Folder", "f"));
	cr_assert(applies(p));
	scope(&p->resource, WSC_EQ, NULL, U("Doc", "d2"));
	cr_assert(!applies(p));
}

Test(eval, policy_conditions)
{
	wpolicy *p = policy("p", WEFF_PERMIT);
	when(p, true, B(true));
	cr_assert(applies(p));
	when(p, false, B(false)); /* unless false: still applies */
	cr_assert(applies(p));
	when(p, false, B(true)); /* unless true: does not apply */
	cr_assert(!applies(p));

	wpolicy *q = policy("q", WEFF_PERMIT);
	when(q, true, B(false));
	when(q, true, BOOM()); /* never reached: the first condition already fails */
	cr_assert(!applies(q));

	wpolicy *r = policy("r", WEFF_PERMIT);
	when(r, true, L(1));
	bool a = true;
	cr_assert_eq(eval_policy(&ev, r, &a), -1, "a non-bool condition is a type error");
	cr_assert(!a);
	cr_assert(strstr(ev.err, "type error"));

	wpolicy *s = policy("s", WEFF_PERMIT);
	when(s, false, Str("x"));
	cr_assert_eq(eval_policy(&ev, s, &a), -1);

	/* scope mismatch: conditions are not evaluated, so no error */
	wpolicy *t = policy("t", WEFF_PERMIT);
	scope(&t->principal, WSC_EQ, NULL, U("User", "bob"));
	when(t, true, BOOM());
	cr_assert(!applies(t));
}

Test(eval, linked_template_uses_its_slots)
{
	wpolicy *tpl = policy("t", WEFF_PERMIT);
	tpl->is_template = true;
	scope(&tpl->principal, WSC_IN, NULL, NOUID);
	tpl->principal.slot = true;
	scope(&tpl->resource, WSC_EQ, NULL, NOUID);
	tpl->resource.slot = true;

	bool a;
	cr_assert_eq(eval_policy(&ev, tpl, &a), -1, "an unlinked template errors");

	wpolicy *link = policy("l", WEFF_PERMIT);
	*link = *tpl;
	link->id = "l";
	link->template_of = tpl;
	link->slot_principal = U("Group", "all");
	link->slot_resource = U("Doc", "d1");
	link->has_slot_principal = link->has_slot_resource = true;
	cr_assert(applies(link));
	link->slot_resource = U("Doc", "d2");
	cr_assert(!applies(link));
	cr_assert_null(ev.slot_principal, "the evaluator's own slots are restored");
}

/* ---- the authorizer ------------------------------------------------------------------- */

static wresponse decide(wpolicy **ps, uint32_t n)
{
	wpolicyset set;
	memset(&set, 0, sizeof set);
	set.items = ps;
	set.n = n;
	wresponse r;
	memset(&r, 0xAB, sizeof r);
	authz_decide(&cx, &set, &es, &req, &tmp, &r);
	return r;
}

Test(authz, default_deny)
{
	wresponse r = decide(NULL, 0);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 0);
	cr_assert_eq(r.nerrors, 0);

	wpolicy *p = policy("policy0", WEFF_PERMIT);
	scope(&p->principal, WSC_EQ, NULL, U("User", "bob"));
	wpolicy *ps[] = {p};
	r = decide(ps, 1);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 0);
}

Test(authz, permits_are_reasons_in_order)
{
	wpolicy *a = policy("a", WEFF_PERMIT), *b = policy("b", WEFF_PERMIT), *c = policy("c", WEFF_PERMIT);
	when(b, true, B(false));
	wpolicy *ps[] = {c, b, a};
	wresponse r = decide(ps, 3);
	cr_assert(r.allow);
	cr_assert_eq(r.nreasons, 2);
	cr_assert_str_eq(r.reasons[0]->id, "c");
	cr_assert_str_eq(r.reasons[1]->id, "a");
	cr_assert_eq(r.nerrors, 0);
}

Test(authz, forbid_overrides_permit)
{
	wpolicy *p = policy("permit", WEFF_PERMIT), *f = policy("forbid", WEFF_FORBID);
	wpolicy *f2 = policy("forbid2", WEFF_FORBID);
	when(f2, true, B(false));
	wpolicy *ps[] = {p, f, f2};
	wresponse r = decide(ps, 3);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 1);
	cr_assert_str_eq(r.reasons[0]->id, "forbid");

	/* a forbid alone: deny, and it is the reason */
	wpolicy *only[] = {f};
	r = decide(only, 1);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 1);
}

Test(authz, erroring_policies_are_reported_and_do_not_apply)
{
	wpolicy *p = policy("ok", WEFF_PERMIT);
	wpolicy *e1 = policy("bad_forbid", WEFF_FORBID);
	when(e1, true, GET(var(WVAR_PRINCIPAL), "nope"));
	wpolicy *e2 = policy("bad_permit", WEFF_PERMIT);
	when(e2, true, bin(WB_ADD, L(INT64_MAX), L(1)));
	wpolicy *ps[] = {e1, p, e2};
	wresponse r = decide(ps, 3);
	cr_assert(r.allow, "an erroring forbid does not forbid");
	cr_assert_eq(r.nreasons, 1);
	cr_assert_str_eq(r.reasons[0]->id, "ok");
	cr_assert_eq(r.nerrors, 2);
	cr_assert_str_eq(r.errors[0].policy->id, "bad_forbid");
	cr_assert(strstr(r.errors[0].msg, "nope"));
	cr_assert_str_eq(r.errors[1].policy->id, "bad_permit");
	cr_assert(strstr(r.errors[1].msg, "overflow"));

	/* only erroring permits: deny with no reasons, errors reported */
	wpolicy *ps2[] = {e2};
	r = decide(ps2, 1);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 0);
	cr_assert_eq(r.nerrors, 1);
}

Test(authz, unlinked_templates_are_skipped)
{
	wpolicy *t = policy("tpl", WEFF_FORBID);
	t->is_template = true;
	scope(&t->principal, WSC_EQ, NULL, NOUID);
	t->principal.slot = true;
	wpolicy *p = policy("p", WEFF_PERMIT);
	wpolicy *link = policy("link", WEFF_FORBID);
	*link = *t;
	link->id = "link";
	link->template_of = t;
	link->slot_principal = U("User", "bob");
	link->has_slot_principal = true;
	wpolicy *ps[] = {t, p, link};
	wresponse r = decide(ps, 3);
	cr_assert(r.allow);
	cr_assert_eq(r.nerrors, 0);
	link->slot_principal = U("User", "alice");
	r = decide(ps, 3);
	cr_assert(!r.allow);
	cr_assert_str_eq(r.reasons[0]->id, "link");
}

/* ---- through the parser ------------------------------------------------------------------
 * The same semantics reached from policy text: escapes in `like` patterns,
 * `is ... in`, `has` paths, and a whole policy set decided. */

static wvalue parsed(const char *text, int *rc)
{
	wsource *src = ARENA_NEW(&ast, wsource);
	src->name = "<test>";
	src->text = arena_strndup(&ast, text, strlen(text));
	src->len = strlen(text);
	wdiags d;
	diags_init(&d);
	wexpr *e = parse_expr(&cx, &ast, src, &d);
	cr_assert_not_null(e, "'%s' must parse", text);
	diags_release(&d);
	wvalue v;
	memset(&v, 0, sizeof v);
	*rc = eval_expr(&ev, e, &v);
	return v;
}

static void text_is(const char *text, bool want)
{
	int rc;
	wvalue v = parsed(text, &rc);
	cr_assert_eq(rc, 0, "'%s' errored: %s", text, ev.err ? ev.err : "");
	cr_assert_eq(v.kind, WV_BOOL, "'%s' is not a bool", text);
	cr_assert_eq(v.u.b, want, "'%s' should be %s", text, want ? "true" : "false");
}

static void text_fails(const char *text)
{
	int rc;
	(void)parsed(text, &rc);
	cr_assert_eq(rc, -1, "'%s' should error", text);
}

Test(eval, parsed_expressions)
{
	text_is("\"a*b\" like \"a\\*b\"", true);
	text_is("\"axb\" like \"a\\*b\"", false);
	text_is("\"a*bc\" like \"a\\**\"", true);
	text_is("\"caf\\u{e9}\" like \"caf\u00e9\"", true);
	text_is("\"\u65e5\u672c\u8a9e\" like \"*\u672c*\"", true);
	text_is("principal is User in Group::\"all\"", true);
	text_is("principal.addr has city && principal has addr.city", true);
	text_is("principal has addr.zip", false);
	text_is("User::\"ghost\" has addr.city", false);
	text_is("[1, 2, 3].containsAll([3, 1]) && ![].isEmpty() || true", true);
	text_is("[1, 2, 3].containsAll([3, 1]) && ![].isEmpty()", false);
	text_is("if principal.age > 18 then resource in Folder::\"f\" else false", true);
	text_is("principal.hasTag(\"level\") && principal.getTag(\"level\") == 3", true);
	text_is("context.n * 2 - 14 == 0", true);
	text_is("ip(context.ip).isInRange(ip(\"10.0.0.0/8\"))", true);
	text_is("false && 1 + \"a\" > 0", false);
	text_fails("true && 1 + \"a\" > 0");
	text_fails("principal.height > 1");
	text_fails("9223372036854775807 + 1 > 0");
	text_fails("-9223372036854775807 - 2 < 0");
	text_fails("User::\"alice\" in [Group::\"eng\", 1]");
	text_fails("decimal(\"1.23456\")");
}

Test(authz, parsed_policy_set)
{
	static const char text[] = "permit(principal in Group::\"eng\", action in [Action::\"read\"],\n"
				   "  resource is Doc)\n"
				   "  when { resource.owner == principal };\n"
				   "forbid(principal, action, resource) when { context.n > 100 };\n"
				   "permit(principal == User::\"bob\", action, resource);\n"
				   "forbid(principal, action, resource) unless { principal.missing };\n";
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(parse_policies(&cx, &ps, "t.cedar", text, sizeof text - 1, &d), 0);
	cr_assert_eq(ps.n, 4);
	wresponse r;
	authz_decide(&cx, &ps, &es, &req, &tmp, &r);
	cr_assert(r.allow);
	cr_assert_eq(r.nreasons, 1);
	cr_assert_str_eq(r.reasons[0]->id, "policy0");
	cr_assert_eq(r.nerrors, 1, "policy3 errors (missing attribute) and so does not forbid");
	cr_assert_str_eq(r.errors[0].policy->id, "policy3");

	req.principal = U("User", "bob");
	authz_decide(&cx, &ps, &es, &req, &tmp, &r);
	cr_assert(r.allow);
	cr_assert_str_eq(r.reasons[0]->id, "policy2");
	cr_assert_eq(r.nerrors, 1);

	req.principal = U("User", "carol"); /* not in the store */
	authz_decide(&cx, &ps, &es, &req, &tmp, &r);
	cr_assert(!r.allow);
	cr_assert_eq(r.nreasons, 0);
	cr_assert_eq(r.nerrors, 1, "a missing principal's attribute is an error");
	policyset_release(&ps);
	diags_release(&d);
}
