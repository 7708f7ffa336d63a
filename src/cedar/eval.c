/* eval: the Cedar expression evaluator (see eval.h).
 *
 * A recursive tree walk over the AST. Values are small structs passed by
 * value; anything new (sets and records built by literals, extension values,
 * error messages) goes into the request arena ev->tmp, so evaluating a
 * request allocates nothing on the heap. Names are interned symbols, so
 * attribute lookups, `is` and entity comparisons are pointer compares.
 *
 * Errors follow the reference semantics: the first error aborts the whole
 * expression (returning -1 up the C stack with ev->err set); only `&&`, `||`
 * and `if-then-else` can skip evaluating a subexpression. Binary operators
 * evaluate both operands before checking their types.
 */
#include "cedar/eval.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cedar/ext.h"

/* Maximum depth of the evaluation recursion. The parser bounds explicit
 * nesting (WARD_MAX_NESTING), but left-associative chains are built by loops
 * and can be deeper; long `&&`/`||` chains are walked iteratively below, any
 * other tree deeper than this is an evaluation error instead of a stack
 * overflow. A level costs about 400 bytes of stack, so the worst case stays
 * under 1 MiB. */
#define EVAL_MAX_DEPTH 2048

/* `&&`/`||` spines at least this long are evaluated iteratively. */
#define EVAL_SPINE_MIN 16

/* Record literals up to this many keys are sorted in place. */
#define EVAL_SMALL_RECORD 32

/* Records an error message (formatted into the request arena) and returns -1.
 * Kept out of line: its buffer must not enlarge the recursive frames. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3), noinline, cold))
#endif
static int fail(weval *ev, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = (int)sizeof buf - 1;
	ev->err = arena_strndup(ev->tmp, buf, (size_t)n);
	return -1;
}

static const char *kname(const wvalue *v)
{
	return value_kind_name((wvkind)v->kind);
}

/* Symbols may hold NUL bytes; messages show them up to the first one. */
#define UIDF "%s::\"%s\""
#define UIDA(u) (u).type->s, (u).id->s

static const char *binop_name(unsigned op)
{
	switch (op) {
	case WB_EQ: return "==";
	case WB_NE: return "!=";
	case WB_LT: return "<";
	case WB_LE: return "<=";
	case WB_GT: return ">";
	case WB_GE: return ">=";
	case WB_ADD: return "+";
	case WB_SUB: return "-";
	case WB_MUL: return "*";
	case WB_IN: return "in";
	case WB_CONTAINS: return "contains";
	case WB_CONTAINSALL: return "containsAll";
	case WB_CONTAINSANY: return "containsAny";
	case WB_HASTAG: return "hasTag";
	case WB_GETTAG: return "getTag";
	}
	return "?";
}

static int type_error(weval *ev, const char *what, const char *expected, const wvalue *got)
{
	return fail(ev, "type error: %s expects %s, got %s", what, expected, kname(got));
}

/* ---- like ---------------------------------------------------------------- */

/* Decodes the UTF-8 scalar value at s[*i] (n bytes in all) and advances *i.
 * Malformed bytes decode one at a time to values outside the Unicode range,
 * so they only ever match a wildcard. */
static uint32_t utf8_next(const unsigned char *s, uint32_t n, uint32_t *i)
{
	uint32_t c = s[*i], need, cp;
	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		need = 1;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		need = 2;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		need = 3;
		cp = c & 0x07;
	} else {
		(*i)++;
		return 0x80000000u | c;
	}
	if (*i + need >= n) {
		/* truncated sequence */
		(*i)++;
		return 0x80000000u | c;
	}
	for (uint32_t k = 1; k <= need; k++) {
		uint32_t b = s[*i + k];
		if ((b & 0xC0) != 0x80) {
			(*i)++;
			return 0x80000000u | c;
		}
		cp = (cp << 6) | (b & 0x3F);
	}
	*i += need + 1;
	return cp;
}

/* Glob match of a string against a pattern of code points and WPAT_STAR.
 * The classic single-backtrack algorithm: on a mismatch, retry from the most
 * recent star one character later. Since `*` matches any sequence, earlier
 * stars never need revisiting, so the cost is O(len(s) * len(pattern)) at
 * worst, never exponential. */
static bool like_match(const char *str, uint32_t n, const wpattern *pat)
{
	const unsigned char *s = (const unsigned char *)str;
	const uint32_t *p = pat->cps;
	uint32_t pn = pat->n, si = 0, pi = 0;
	uint32_t star_p = UINT32_MAX, star_s = 0;
	while (si < n) {
		if (pi < pn && p[pi] == WPAT_STAR) {
			star_p = pi++;
			star_s = si;
			continue;
		}
		if (pi < pn) {
			uint32_t next = si;
			uint32_t cp = utf8_next(s, n, &next);
			if (cp == p[pi]) {
				si = next;
				pi++;
				continue;
			}
		}
		if (star_p == UINT32_MAX)
			return false;
		pi = star_p + 1;
		(void)utf8_next(s, n, &star_s);
		si = star_s;
	}
	while (pi < pn && p[pi] == WPAT_STAR)
		pi++;
	return pi == pn;
}

/* ---- helpers ------------------------------------------------------------- */

void eval_resolve(weval *ev)
{
	ev->pent = entities_get(ev->ents, ev->req->principal);
	ev->aent = entities_get(ev->ents, ev->req->action);
	ev->rent = entities_get(ev->ents, ev->req->resource);
	ev->resolved = true;
}

const wentity *eval_entity(const weval *ev, wuid u)
{
	if (ev->resolved) {
		const wrequest *r = ev->req;
		if (uid_eq(u, r->principal))
			return ev->pent;
		if (uid_eq(u, r->resource))
			return ev->rent;
		if (uid_eq(u, r->action))
			return ev->aent;
	}
	return entities_get(ev->ents, u);
}

/* a == b, or b is an ancestor of a. */
static bool ev_in(const weval *ev, wuid a, wuid b)
{
	if (uid_eq(a, b))
		return true;
	const wentity *e = eval_entity(ev, a);
	return e && entity_has_ancestor(e, b);
}

static bool ent_in(const wentity *ea, wuid a, wuid b)
{
	return uid_eq(a, b) || (ea && entity_has_ancestor(ea, b));
}

/* `a in s` for a set s: every element must be an entity (even past a match,
 * as the reference checks the whole set first). Sets are sorted kind first,
 * so the first and last elements tell whether all are entities. */
static int in_set(weval *ev, wuid a, const wset *s, bool *res)
{
	*res = false;
	if (s->n == 0)
		return 0;
	if (s->items[0].kind != WV_ENTITY || s->items[s->n - 1].kind != WV_ENTITY) {
		const wvalue *bad = s->items[0].kind != WV_ENTITY ? &s->items[0] : &s->items[s->n - 1];
		return fail(ev, "type error: 'in' expects a set of entities on its right, found an element of type %s",
			    kname(bad));
	}
	const wentity *ea = eval_entity(ev, a);
	for (uint32_t i = 0; i < s->n; i++) {
		if (ent_in(ea, a, s->items[i].u.e)) {
			*res = true;
			break;
		}
	}
	return 0;
}

static int checked_arith(weval *ev, unsigned op, int64_t x, int64_t y, int64_t *r)
{
	bool ovf;
#if defined(__GNUC__)
	switch (op) {
	case WB_ADD: ovf = __builtin_add_overflow(x, y, r); break;
	case WB_SUB: ovf = __builtin_sub_overflow(x, y, r); break;
	default: ovf = __builtin_mul_overflow(x, y, r); break;
	}
#else
	switch (op) {
	case WB_ADD:
		ovf = (y > 0 && x > INT64_MAX - y) || (y < 0 && x < INT64_MIN - y);
		if (!ovf)
			*r = x + y;
		break;
	case WB_SUB:
		ovf = (y < 0 && x > INT64_MAX + y) || (y > 0 && x < INT64_MIN + y);
		if (!ovf)
			*r = x - y;
		break;
	default:
		if (x > 0)
			ovf = y > 0 ? x > INT64_MAX / y : y < INT64_MIN / x;
		else
			ovf = y > 0 ? x < INT64_MIN / y : (x != 0 && y < INT64_MAX / x);
		if (!ovf)
			*r = x * y;
		break;
	}
#endif
	if (ovf)
		return fail(ev, "integer overflow: %" PRId64 " %s %" PRId64 " does not fit in a long", x,
			    binop_name(op), y);
	return 0;
}

/* Looks up the tag named by the string `key` on entity `ent`. Tag keys are
 * interned, so a string that was never interned cannot name a tag (and
 * intern_find does not modify the table, so this is safe to share). */
static const wvalue *tag_lookup(weval *ev, const wentity *ent, const wvalue *key)
{
	const wsym *k = intern_find(&ev->cx->syms, key->u.s.p, key->u.s.n);
	return k ? record_get(ent->tags, k) : NULL;
}

/* ---- binary operators ---------------------------------------------------- */

static int eval_binary(weval *ev, unsigned op, const wvalue *a, const wvalue *b, wvalue *out)
{
	switch (op) {
	case WB_EQ:
		*out = value_bool(value_eq(a, b));
		return 0;
	case WB_NE:
		*out = value_bool(!value_eq(a, b));
		return 0;
	case WB_LT:
	case WB_LE:
	case WB_GT:
	case WB_GE: {
		if (a->kind != b->kind || (a->kind != WV_LONG && a->kind != WV_DATETIME && a->kind != WV_DURATION))
			return fail(ev,
				    "type error: '%s' expects two longs, two datetimes or two durations, got %s and %s",
				    binop_name(op), kname(a), kname(b));
		int64_t x = a->u.i, y = b->u.i;
		bool r = op == WB_LT ? x < y : op == WB_LE ? x <= y : op == WB_GT ? x > y : x >= y;
		*out = value_bool(r);
		return 0;
	}
	case WB_ADD:
	case WB_SUB:
	case WB_MUL: {
		if (a->kind != WV_LONG || b->kind != WV_LONG)
			return fail(ev, "type error: '%s' expects two longs, got %s and %s", binop_name(op), kname(a),
				    kname(b));
		int64_t r;
		if (checked_arith(ev, op, a->u.i, b->u.i, &r) < 0)
			return -1;
		*out = value_long(r);
		return 0;
	}
	case WB_IN: {
		if (a->kind != WV_ENTITY)
			return type_error(ev, "the left side of 'in'", "an entity", a);
		bool r;
		if (b->kind == WV_ENTITY) {
			r = ev_in(ev, a->u.e, b->u.e);
		} else if (b->kind == WV_SET) {
			if (in_set(ev, a->u.e, b->u.set, &r) < 0)
				return -1;
		} else {
			return type_error(ev, "the right side of 'in'", "an entity or a set of entities", b);
		}
		*out = value_bool(r);
		return 0;
	}
	case WB_CONTAINS:
		if (a->kind != WV_SET)
			return type_error(ev, "'contains'", "a set receiver", a);
		*out = value_bool(set_contains(a->u.set, b));
		return 0;
	case WB_CONTAINSALL:
	case WB_CONTAINSANY: {
		const char *what = op == WB_CONTAINSALL ? "'containsAll'" : "'containsAny'";
		if (a->kind != WV_SET)
			return type_error(ev, what, "a set receiver", a);
		if (b->kind != WV_SET)
			return type_error(ev, what, "a set argument", b);
		const wset *x = a->u.set, *y = b->u.set;
		bool r = op == WB_CONTAINSALL;
		for (uint32_t i = 0; i < y->n; i++) {
			bool in = set_contains(x, &y->items[i]);
			if (op == WB_CONTAINSALL && !in) {
				r = false;
				break;
			}
			if (op == WB_CONTAINSANY && in) {
				r = true;
				break;
			}
		}
		*out = value_bool(r);
		return 0;
	}
	case WB_HASTAG:
	case WB_GETTAG: {
		const char *what = op == WB_HASTAG ? "'hasTag'" : "'getTag'";
		if (a->kind != WV_ENTITY)
			return type_error(ev, what, "an entity receiver", a);
		if (b->kind != WV_STRING)
			return type_error(ev, what, "a string argument", b);
		const wentity *ent = eval_entity(ev, a->u.e);
		if (!ent) {
			if (op == WB_HASTAG) {
				*out = value_bool(false);
				return 0;
			}
			return fail(ev, "entity '" UIDF "' does not exist", UIDA(a->u.e));
		}
		const wvalue *t = tag_lookup(ev, ent, b);
		if (op == WB_HASTAG) {
			*out = value_bool(t != NULL);
			return 0;
		}
		if (!t)
			return fail(ev, "entity '" UIDF "' does not have the tag '%.*s'", UIDA(a->u.e), (int)b->u.s.n,
				    b->u.s.p);
		*out = *t;
		return 0;
	}
	}
	return fail(ev, "internal error: unknown binary operator %u", op);
}

/* ---- the walk ------------------------------------------------------------ */

static int eval(weval *ev, const wexpr *e, wvalue *out);

/* ---- set operators over set literals --------------------------------------
 * `[a, b, c].contains(x)`, `x in [A, B]`, `s.containsAny([1, 2])`: building
 * the literal as a set means sorting it on every evaluation, which costs
 * more than the operator. A small literal operand is instead evaluated into
 * an unsorted array and scanned; the result and the errors are the same
 * (every element is still evaluated, in order, before the operator runs). */

#define EVAL_SMALL_SET 16

typedef struct setview {
	const wset *set;     /* a real set (sorted), or NULL */
	const wvalue *items; /* else: the literal's values, unsorted, maybe repeated */
	uint32_t n;
} setview;

static bool view_has(const setview *s, const wvalue *v)
{
	if (s->set)
		return set_contains(s->set, v);
	for (uint32_t i = 0; i < s->n; i++)
		if (value_eq(&s->items[i], v))
			return true;
	return false;
}

static bool is_small_set_lit(const wexpr *x)
{
	return x->kind == WE_SET && x->u.list.n > 0 && x->u.list.n <= EVAL_SMALL_SET;
}

/* Evaluates an operand in a set position; a small set literal becomes an
 * unsorted view (*v then has kind WV_SET but no body: only `sv` may be used). */
static int operand(weval *ev, const wexpr *x, bool set_pos, wvalue *v, setview *sv)
{
	if (set_pos && is_small_set_lit(x)) {
		uint32_t n = x->u.list.n;
		wvalue *items = arena_alloc(ev->tmp, sizeof *items * n);
		for (uint32_t i = 0; i < n; i++)
			if (eval(ev, x->u.list.items[i], &items[i]) < 0)
				return -1;
		v->kind = WV_SET;
		v->u.set = NULL;
		sv->set = NULL;
		sv->items = items;
		sv->n = n;
		return 0;
	}
	if (eval(ev, x, v) < 0)
		return -1;
	if (v->kind == WV_SET) {
		sv->set = v->u.set;
		sv->items = v->u.set->items;
		sv->n = v->u.set->n;
	}
	return 0;
}

static int eval_set_op(weval *ev, const wexpr *e, wvalue *out)
{
	wvalue a, b;
	setview sa = {0}, sb = {0};
	unsigned op = e->op;
	if (operand(ev, e->u.k.a, op != WB_IN, &a, &sa) < 0 || operand(ev, e->u.k.b, op != WB_CONTAINS, &b, &sb) < 0)
		return -1;
	switch (op) {
	case WB_IN: {
		if (a.kind != WV_ENTITY)
			return type_error(ev, "the left side of 'in'", "an entity", &a);
		if (b.kind != WV_SET)
			return type_error(ev, "the right side of 'in'", "an entity or a set of entities", &b);
		for (uint32_t i = 0; i < sb.n; i++)
			if (sb.items[i].kind != WV_ENTITY)
				return fail(ev, "type error: 'in' expects a set of entities on its right, "
					    "found an element of type %s", kname(&sb.items[i]));
		const wentity *ea = eval_entity(ev, a.u.e);
		bool r = false;
		for (uint32_t i = 0; i < sb.n && !r; i++)
			r = ent_in(ea, a.u.e, sb.items[i].u.e);
		*out = value_bool(r);
		return 0;
	}
	case WB_CONTAINS:
		if (a.kind != WV_SET)
			return type_error(ev, "'contains'", "a set receiver", &a);
		*out = value_bool(view_has(&sa, &b));
		return 0;
	default: { /* WB_CONTAINSALL, WB_CONTAINSANY */
		const char *what = op == WB_CONTAINSALL ? "'containsAll'" : "'containsAny'";
		if (a.kind != WV_SET)
			return type_error(ev, what, "a set receiver", &a);
		if (b.kind != WV_SET)
			return type_error(ev, what, "a set argument", &b);
		bool all = op == WB_CONTAINSALL, r = all;
		for (uint32_t i = 0; i < sb.n; i++) {
			if (view_has(&sa, &sb.items[i]) != all) {
				r = !all;
				break;
			}
		}
		*out = value_bool(r);
		return 0;
	}
	}
}

static int eval_bool(weval *ev, const wexpr *e, const char *what, bool *b)
{
	wvalue v;
	if (eval(ev, e, &v) < 0)
		return -1;
	if (v.kind != WV_BOOL)
		return type_error(ev, what, "a bool", &v);
	*b = v.u.b;
	return 0;
}

/* A left-deep chain of one short-circuit operator, a1 && a2 && ... && ak,
 * evaluated left to right without recursing down the spine. Same result and
 * same errors as the nested evaluation: each operand must be a bool, and the
 * first false (for &&) or true (for ||) decides. */
static int eval_spine(weval *ev, const wexpr *e, uint32_t len, wvalue *out)
{
	const bool is_and = e->kind == WE_AND;
	const char *what = is_and ? "'&&'" : "'||'";
	const wexpr **ops = arena_alloc(ev->tmp, sizeof *ops * ((size_t)len + 1));
	const wexpr *x = e;
	for (uint32_t i = len; i > 0; i--) {
		ops[i] = x->u.k.b;
		x = x->u.k.a;
	}
	ops[0] = x;
	for (uint32_t i = 0; i <= len; i++) {
		bool b = false;
		if (eval_bool(ev, ops[i], what, &b) < 0)
			return -1;
		if (b != is_and) {
			*out = value_bool(b);
			return 0;
		}
	}
	*out = value_bool(is_and);
	return 0;
}

static int eval_and_or(weval *ev, const wexpr *e, wvalue *out)
{
	/* long left-deep chains: iterate instead of recursing down the spine */
	uint32_t len = 1;
	const wexpr *x = e->u.k.a;
	while (x->kind == e->kind && len < EVAL_SPINE_MIN) {
		len++;
		x = x->u.k.a;
	}
	if (len >= EVAL_SPINE_MIN) {
		while (x->kind == e->kind) {
			len++;
			x = x->u.k.a;
		}
		return eval_spine(ev, e, len, out);
	}
	const bool is_and = e->kind == WE_AND;
	const char *what = is_and ? "'&&'" : "'||'";
	bool b = false;
	if (eval_bool(ev, e->u.k.a, what, &b) < 0)
		return -1;
	if (b != is_and) {
		*out = value_bool(b);
		return 0;
	}
	if (eval_bool(ev, e->u.k.b, what, &b) < 0)
		return -1;
	*out = value_bool(b);
	return 0;
}

static int get_attr(weval *ev, const wvalue *obj, const wsym *name, wvalue *out)
{
	if (obj->kind == WV_RECORD) {
		const wvalue *v = record_get(obj->u.rec, name);
		if (!v)
			return fail(ev, "record does not have the attribute '%s'", name->s);
		*out = *v;
		return 0;
	}
	if (obj->kind == WV_ENTITY) {
		const wentity *ent = eval_entity(ev, obj->u.e);
		if (!ent)
			return fail(ev, "entity '" UIDF "' does not exist", UIDA(obj->u.e));
		const wvalue *v = record_get(ent->attrs, name);
		if (!v)
			return fail(ev, "entity '" UIDF "' does not have the attribute '%s'", UIDA(obj->u.e), name->s);
		*out = *v;
		return 0;
	}
	return fail(ev, "type error: attribute access '.%s' expects a record or an entity, got %s", name->s,
		    kname(obj));
}

static int has_attr(weval *ev, const wvalue *obj, const wsym *name, bool *res)
{
	if (obj->kind == WV_RECORD) {
		*res = record_get(obj->u.rec, name) != NULL;
		return 0;
	}
	if (obj->kind == WV_ENTITY) {
		const wentity *ent = eval_entity(ev, obj->u.e);
		*res = ent && record_get(ent->attrs, name) != NULL;
		return 0;
	}
	return fail(ev, "type error: 'has %s' expects a record or an entity, got %s", name->s, kname(obj));
}

static int eval_call(weval *ev, const wexpr *e, wvalue *out)
{
	const wext_fn *fn = e->u.call.fn;
	const uint32_t n = e->u.call.n;
	if (!fn)
		return fail(ev, "unknown extension function '%s'", e->u.call.name ? e->u.call.name->s : "?");
	if (fn->nargs != n)
		return fail(ev, "extension function '%s' takes %u argument(s), got %u", fn->name,
			    fn->method ? fn->nargs - 1 : fn->nargs, fn->method && n ? n - 1 : n);
	wvalue small[4];
	wvalue *args = n <= 4 ? small : arena_alloc(ev->tmp, sizeof *args * n);
	for (uint32_t i = 0; i < n; i++)
		if (eval(ev, e->u.call.args[i], &args[i]) < 0)
			return -1;
	const char *err = NULL;
	if (fn->impl(ev->tmp, args, out, &err) < 0) {
		ev->err = err ? err : "extension function failed";
		return -1;
	}
	return 0;
}

static int eval_set(weval *ev, const wexpr *e, wvalue *out)
{
	const uint32_t n = e->u.list.n;
	if (n == 0) {
		out->kind = WV_SET;
		out->u.set = set_empty();
		return 0;
	}
	if (n <= EVAL_SMALL_SET) {
		/* insertion sort with duplicate removal straight into the set body
		 * (the C library's qsort costs more than the whole small sort) */
		wset *s = arena_alloc(ev->tmp, sizeof *s + sizeof s->items[0] * n);
		uint32_t m = 0;
		for (uint32_t i = 0; i < n; i++) {
			wvalue x;
			if (eval(ev, e->u.list.items[i], &x) < 0)
				return -1;
			uint32_t j = m;
			int c = 1;
			while (j > 0 && (c = value_cmp(&s->items[j - 1], &x)) > 0)
				j--;
			if (j > 0 && c == 0)
				continue; /* duplicate */
			memmove(&s->items[j + 1], &s->items[j], sizeof s->items[0] * (m - j));
			s->items[j] = x;
			m++;
		}
		s->n = m;
		out->kind = WV_SET;
		out->u.set = s;
		return 0;
	}
	wvalue *items = arena_alloc(ev->tmp, sizeof *items * n);
	for (uint32_t i = 0; i < n; i++)
		if (eval(ev, e->u.list.items[i], &items[i]) < 0)
			return -1;
	out->kind = WV_SET;
	out->u.set = set_make(ev->tmp, items, n);
	return 0;
}

static int eval_record(weval *ev, const wexpr *e, wvalue *out)
{
	const uint32_t n = e->u.rec.n;
	out->kind = WV_RECORD;
	if (n == 0) {
		out->u.rec = record_empty();
		return 0;
	}
	if (n <= EVAL_SMALL_RECORD) {
		/* Keys are unique (the parser rejects duplicates): build the sorted
		 * record in place with an insertion sort, no scratch allocation. */
		wrecord *r = arena_alloc(ev->tmp, sizeof *r + sizeof r->f[0] * n);
		r->n = n;
		for (uint32_t i = 0; i < n; i++) {
			wfield x;
			x.key = e->u.rec.keys[i];
			if (eval(ev, e->u.rec.vals[i], &x.val) < 0)
				return -1;
			uint32_t j = i;
			while (j > 0 && sym_cmp(r->f[j - 1].key, x.key) > 0) {
				r->f[j] = r->f[j - 1];
				j--;
			}
			if (j > 0 && r->f[j - 1].key == x.key)
				return fail(ev, "duplicate key '%s' in record literal", x.key->s);
			r->f[j] = x;
		}
		out->u.rec = r;
		return 0;
	}
	wfield *f = arena_alloc(ev->tmp, sizeof *f * n);
	for (uint32_t i = 0; i < n; i++) {
		f[i].key = e->u.rec.keys[i];
		if (eval(ev, e->u.rec.vals[i], &f[i].val) < 0)
			return -1;
	}
	const wrecord *r = record_make(ev->tmp, f, n, false);
	if (!r)
		return fail(ev, "duplicate key in record literal");
	out->u.rec = r;
	return 0;
}

static int eval_slot(weval *ev, unsigned slot, wvalue *out)
{
	const wuid *u = slot == WSLOT_PRINCIPAL ? ev->slot_principal : ev->slot_resource;
	if (!u)
		return fail(ev, "template slot '%s' is not linked",
			    slot == WSLOT_PRINCIPAL ? "?principal" : "?resource");
	*out = value_entity(*u);
	return 0;
}

static int eval_node(weval *ev, const wexpr *e, wvalue *out)
{
	wvalue a, b;
	bool r = false;
	switch (e->kind) {
	case WE_LIT:
		*out = e->u.lit;
		return 0;
	case WE_VAR:
		switch (e->u.var) {
		case WVAR_PRINCIPAL: *out = value_entity(ev->req->principal); return 0;
		case WVAR_ACTION: *out = value_entity(ev->req->action); return 0;
		case WVAR_RESOURCE: *out = value_entity(ev->req->resource); return 0;
		default: *out = ev->req->context; return 0;
		}
	case WE_SLOT:
		return eval_slot(ev, e->u.slot, out);
	case WE_IF:
		if (eval_bool(ev, e->u.k.a, "the condition of 'if'", &r) < 0)
			return -1;
		return eval(ev, r ? e->u.k.b : e->u.k.c, out);
	case WE_AND:
	case WE_OR:
		return eval_and_or(ev, e, out);
	case WE_NOT:
		if (eval_bool(ev, e->u.k.a, "'!'", &r) < 0)
			return -1;
		*out = value_bool(!r);
		return 0;
	case WE_NEG:
		if (eval(ev, e->u.k.a, &a) < 0)
			return -1;
		if (a.kind != WV_LONG)
			return type_error(ev, "unary '-'", "a long", &a);
		if (a.u.i == INT64_MIN)
			return fail(ev, "integer overflow: -(%" PRId64 ") does not fit in a long", a.u.i);
		*out = value_long(-a.u.i);
		return 0;
	case WE_BINARY:
		if ((e->op == WB_IN && is_small_set_lit(e->u.k.b)) ||
		    (e->op == WB_CONTAINS && is_small_set_lit(e->u.k.a)) ||
		    ((e->op == WB_CONTAINSALL || e->op == WB_CONTAINSANY) &&
		     (is_small_set_lit(e->u.k.a) || is_small_set_lit(e->u.k.b))))
			return eval_set_op(ev, e, out);
		if (eval(ev, e->u.k.a, &a) < 0 || eval(ev, e->u.k.b, &b) < 0)
			return -1;
		return eval_binary(ev, e->op, &a, &b, out);
	case WE_GETATTR:
		if (eval(ev, e->u.attr.obj, &a) < 0)
			return -1;
		return get_attr(ev, &a, e->u.attr.name, out);
	case WE_HASATTR:
		if (eval(ev, e->u.attr.obj, &a) < 0 || has_attr(ev, &a, e->u.attr.name, &r) < 0)
			return -1;
		*out = value_bool(r);
		return 0;
	case WE_LIKE:
		if (eval(ev, e->u.like.obj, &a) < 0)
			return -1;
		if (a.kind != WV_STRING)
			return type_error(ev, "'like'", "a string", &a);
		*out = value_bool(like_match(a.u.s.p, a.u.s.n, &e->u.like.pat));
		return 0;
	case WE_IS:
		if (eval(ev, e->u.is.obj, &a) < 0)
			return -1;
		if (a.kind != WV_ENTITY)
			return type_error(ev, "'is'", "an entity", &a);
		if (a.u.e.type != e->u.is.type || !e->u.is.in) {
			*out = value_bool(a.u.e.type == e->u.is.type);
			return 0;
		}
		/* `x is T in y` is `x is T && x in y`: y only evaluated when the type matches */
		if (eval(ev, e->u.is.in, &b) < 0)
			return -1;
		return eval_binary(ev, WB_IN, &a, &b, out);
	case WE_SET:
		return eval_set(ev, e, out);
	case WE_RECORD:
		return eval_record(ev, e, out);
	case WE_CALL:
		return eval_call(ev, e, out);
	case WE_ISEMPTY:
		if (eval(ev, e->u.k.a, &a) < 0)
			return -1;
		if (a.kind != WV_SET)
			return type_error(ev, "'isEmpty'", "a set receiver", &a);
		*out = value_bool(a.u.set->n == 0);
		return 0;
	}
	return fail(ev, "internal error: unknown expression kind %u", (unsigned)e->kind);
}

static int eval(weval *ev, const wexpr *e, wvalue *out)
{
	if (ev->depth >= EVAL_MAX_DEPTH)
		return fail(ev, "expression nesting exceeds the evaluation limit of %d", EVAL_MAX_DEPTH);
	ev->depth++;
	int rc = eval_node(ev, e, out);
	ev->depth--;
	return rc;
}

int eval_expr(weval *ev, const wexpr *e, wvalue *out)
{
	ev->err = NULL;
	return eval(ev, e, out);
}

/* ---- policies ------------------------------------------------------------ */

/* Does the request entity `x` satisfy one scope constraint? 1 yes, 0 no,
 * -1 when the constraint names a slot that is not linked. */
static int scope_match(weval *ev, const wscope *sc, wuid x, const wuid *slot, const char *slot_name)
{
	wuid target;
	if (sc->op == WSC_ANY)
		return 1;
	if (sc->op == WSC_IS)
		return x.type == sc->type;
	if (sc->op == WSC_IN_SET) {
		const wentity *ex = eval_entity(ev, x);
		for (uint32_t i = 0; i < sc->nlist; i++)
			if (ent_in(ex, x, sc->list[i]))
				return 1;
		return 0;
	}
	if (sc->slot) {
		if (!slot)
			return fail(ev, "template slot '%s' is not linked", slot_name);
		target = *slot;
	} else {
		target = sc->uid;
	}
	switch (sc->op) {
	case WSC_EQ:
		return uid_eq(x, target);
	case WSC_IN:
		return ev_in(ev, x, target);
	case WSC_IS_IN:
		return x.type == sc->type && ev_in(ev, x, target);
	}
	return fail(ev, "internal error: unknown scope operator %u", (unsigned)sc->op);
}

static int policy_applies(weval *ev, const wpolicy *body, bool *applies)
{
	const wrequest *req = ev->req;
	int m;
	*applies = false;
	if ((m = scope_match(ev, &body->principal, req->principal, ev->slot_principal, "?principal")) <= 0)
		return m;
	if ((m = scope_match(ev, &body->action, req->action, NULL, "?action")) <= 0)
		return m;
	if ((m = scope_match(ev, &body->resource, req->resource, ev->slot_resource, "?resource")) <= 0)
		return m;
	for (uint32_t i = 0; i < body->nconds; i++) {
		const wcond *c = &body->conds[i];
		wvalue v;
		if (eval(ev, c->body, &v) < 0)
			return -1;
		if (v.kind != WV_BOOL)
			return type_error(ev, c->is_when ? "a 'when' condition" : "an 'unless' condition", "a bool",
					  &v);
		if (v.u.b != c->is_when)
			return 0;
	}
	*applies = true;
	return 0;
}

int eval_policy(weval *ev, const wpolicy *p, bool *applies)
{
	ev->err = NULL;
	if (!p->template_of)
		return policy_applies(ev, p, applies);
	/* a linked policy: the template's body with this link's slot values */
	const wuid *sp = ev->slot_principal, *sr = ev->slot_resource;
	ev->slot_principal = p->has_slot_principal ? &p->slot_principal : NULL;
	ev->slot_resource = p->has_slot_resource ? &p->slot_resource : NULL;
	int rc = policy_applies(ev, p->template_of, applies);
	ev->slot_principal = sp;
	ev->slot_resource = sr;
	return rc;
}
