/* explain: plain-language explanations of policies and decisions (see explain.h).
 *
 * The phrasing is a small recursive translation of the AST: `noun()` says
 * what an operand is ("the principal's branch", "Team::\"sre\"") and
 * `clause()` says what a boolean expression claims ("the principal's branch
 * is \"main\""). Shapes with a customary English reading get one (ip ranges:
 * "the request comes from 10.0.0.0/8"; datetime bounds: "until 2027-03-01");
 * everything else falls back to its Cedar text in backquotes, so a sentence
 * is never wrong, only sometimes less fluent.
 *
 * The decision path re-evaluates each policy's scope and condition units with
 * the evaluator (eval.h) to find where it stopped; the decision itself, the
 * determining policies and the errors always come from authz_decide.
 */
#include "govern/explain.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/eval.h"
#include "cedar/ext.h"
#include "cedar/format.h"
#include "util/xalloc.h"

#define MAX_FACTS 8
#define MAX_VALUE_CHARS 160
#define MAX_LISTED 8

/* ---- small helpers ---------------------------------------------------------- */

static const char *keep(warena *a, const wbuf *b)
{
	return arena_strndup(a, b->p ? b->p : "", b->n);
}

/* Cedar text of an expression on one line (the formatter's layout with its
 * line breaks and indentation folded into single spaces). */
static void add_expr_text(wbuf *out, const wexpr *e)
{
	wbuf t = WBUF_INIT;
	wfmt_opts o;
	format_opts_default(&o);
	o.line_width = 100000;
	format_expr(e, &o, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (t.p[i] == '\n') {
			while (i + 1 < t.n && (t.p[i + 1] == ' ' || t.p[i + 1] == '\t'))
				i++;
			if (out->n && out->p[out->n - 1] != ' ')
				buf_addc(out, ' ');
			continue;
		}
		buf_addc(out, t.p[i]);
	}
	buf_release(&t);
}

static const char *expr_text(warena *a, const wexpr *e)
{
	wbuf b = WBUF_INIT;
	add_expr_text(&b, e);
	const char *s = keep(a, &b);
	buf_release(&b);
	return s;
}

/* The last `::` component of a name: "NS::User" -> "User". */
static const char *base_name(const char *s)
{
	const char *r = s;
	for (const char *p = s; *p; p++)
		if (p[0] == ':' && p[1] == ':')
			r = p + 2;
	return r;
}

static void add_article(wbuf *b, const char *type)
{
	char c = base_name(type)[0];
	bool vowel = c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'a' || c == 'e' || c == 'i' ||
		     c == 'o' || c == 'u';
	buf_adds(b, vowel ? "an " : "a ");
	buf_adds(b, type);
}

/* Actions are named by their id ("read"), other entities in Cedar syntax. */
static void add_uid(wbuf *b, wuid u)
{
	if (ctx_is_action_type(u.type)) {
		wbuf t = WBUF_INIT;
		format_cedar_str(&t, u.id->s, u.id->len);
		/* a plain id reads better unquoted */
		if (format_is_ident(u.id->s, u.id->len))
			buf_add(b, u.id->s, u.id->len);
		else
			buf_add(b, t.p, t.n);
		buf_release(&t);
		return;
	}
	format_uid(b, u);
}

static void add_value(wbuf *b, const wvalue *v)
{
	wbuf t = WBUF_INIT;
	value_print(v, &t);
	if (t.n > MAX_VALUE_CHARS) {
		/* cut at a character boundary: the text may go into JSON */
		size_t cut = MAX_VALUE_CHARS;
		while (cut > 0 && ((unsigned char)t.p[cut] & 0xC0) == 0x80)
			cut--;
		buf_add(b, t.p, cut);
		buf_adds(b, "...");
	} else {
		buf_add(b, t.p, t.n);
	}
	buf_release(&t);
}

static void join_list(wbuf *b, const char **items, uint32_t n, const char *last_sep)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_adds(b, i + 1 == n ? last_sep : ", ");
		buf_adds(b, items[i]);
	}
}

/* ---- schema terms -------------------------------------------------------------- */

/* Is entity type `t` (transitively) allowed to be a member of `anc`? */
static bool type_can_be_in(const wschema *s, const wsym *t, const wsym *anc, unsigned depth)
{
	if (t == anc)
		return true;
	if (!s || depth > 64)
		return false;
	const wentity_type *et = schema_entity_type(s, t);
	if (!et)
		return false;
	for (uint32_t i = 0; i < et->nparents; i++)
		if (type_can_be_in(s, et->parents[i], anc, depth + 1))
			return true;
	return false;
}

/* Is action `a` (transitively) in group `g`? */
static bool action_in_group(const wschema *s, wuid a, wuid g, unsigned depth)
{
	if (uid_eq(a, g))
		return true;
	if (!s || depth > 64)
		return false;
	const waction *act = schema_action(s, a);
	if (!act)
		return false;
	for (uint32_t i = 0; i < act->nmember_of; i++)
		if (action_in_group(s, act->member_of[i], g, depth + 1))
			return true;
	return false;
}

/* Entity types other than `t` that may be members of `t` (schema order). */
static void add_member_types(wbuf *b, const wschema *s, const wsym *t)
{
	if (!s)
		return;
	const char *names[MAX_LISTED + 1];
	uint32_t n = 0, total = 0;
	for (uint32_t i = 0; i < s->netypes; i++) {
		const wsym *et = s->etypes[i].name;
		if (et != t && type_can_be_in(s, et, t, 0)) {
			if (n < MAX_LISTED)
				names[n++] = et->s;
			total++;
		}
	}
	if (!n)
		return;
	buf_adds(b, " (");
	join_list(b, names, n, " or ");
	if (total > n)
		buf_printf(b, " and %u more", total - n);
	buf_adds(b, ")");
}

/* Actions of the schema in group `g` other than `g` itself. */
static void add_group_members(wbuf *b, const wschema *s, wuid g)
{
	if (!s)
		return;
	wbuf t = WBUF_INIT;
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->nactions; i++) {
		wuid a = s->actions[i].uid;
		if (!uid_eq(a, g) && action_in_group(s, a, g, 0)) {
			if (n)
				buf_adds(&t, ", ");
			if (n < MAX_LISTED)
				add_uid(&t, a);
			n++;
		}
	}
	if (n) {
		buf_adds(b, " (");
		buf_add(b, t.p, t.n);
		if (n > MAX_LISTED)
			buf_printf(b, " and %u more", n - MAX_LISTED);
		buf_adds(b, ")");
	}
	buf_release(&t);
}

/* ---- scope phrases --------------------------------------------------------------- */

static void add_entity_scope(wbuf *b, const wscope *sc, const char *var, const wschema *s)
{
	const char *slot = strcmp(var, "principal") == 0 ? "?principal" : "?resource";
	switch (sc->op) {
	case WSC_ANY:
		buf_printf(b, "any %s", var);
		break;
	case WSC_EQ:
		if (sc->slot)
			buf_printf(b, "the %s linked to %s", var, slot);
		else
			add_uid(b, sc->uid);
		break;
	case WSC_IN:
		if (sc->slot) {
			buf_printf(b, "the %s linked to %s, or any member of it", var, slot);
		} else {
			add_uid(b, sc->uid);
			buf_adds(b, " or any member of it");
			add_member_types(b, s, sc->uid.type);
		}
		break;
	case WSC_IS:
		buf_printf(b, "any %s", sc->type->s);
		break;
	case WSC_IS_IN:
		buf_printf(b, "any %s in ", sc->type->s);
		if (sc->slot)
			buf_printf(b, "the entity linked to %s", slot);
		else
			add_uid(b, sc->uid);
		break;
	default:
		buf_adds(b, "(unknown scope)");
	}
}

static void add_action_scope(wbuf *b, const wscope *sc, const wschema *s)
{
	switch (sc->op) {
	case WSC_ANY:
		buf_adds(b, "perform any action");
		if (s && s->nactions) {
			wbuf t = WBUF_INIT;
			uint32_t n = s->nactions < MAX_LISTED ? s->nactions : MAX_LISTED;
			for (uint32_t i = 0; i < n; i++) {
				if (i)
					buf_adds(&t, ", ");
				add_uid(&t, s->actions[i].uid);
			}
			buf_printf(b, " (%s%s)", t.p, s->nactions > n ? ", ..." : "");
			buf_release(&t);
		}
		break;
	case WSC_EQ:
		add_uid(b, sc->uid);
		break;
	case WSC_IN:
		buf_adds(b, "any action in ");
		add_uid(b, sc->uid);
		add_group_members(b, s, sc->uid);
		break;
	case WSC_IN_SET:
		for (uint32_t i = 0; i < sc->nlist; i++) {
			if (i)
				buf_adds(b, i + 1 == sc->nlist ? " or " : ", ");
			add_uid(b, sc->list[i]);
			if (s && schema_action(s, sc->list[i])) {
				wbuf g = WBUF_INIT;
				add_group_members(&g, s, sc->list[i]);
				if (g.n) {
					buf_adds(b, " (a group: ");
					buf_add(b, g.p + 2, g.n - 3);
					buf_adds(b, ")");
				}
				buf_release(&g);
			}
		}
		if (!sc->nlist)
			buf_adds(b, "no action at all");
		break;
	default:
		buf_adds(b, "(unknown action scope)");
	}
}

/* ---- expression phrases ------------------------------------------------------------ */

static void clause(wbuf *b, const wexpr *e, const wschema *s);

static bool is_call(const wexpr *e, const char *name)
{
	return e->kind == WE_CALL && e->u.call.fn && strcmp(e->u.call.fn->name, name) == 0;
}

/* An extension constructor applied to a string literal: ip("10.0.0.0/8"). */
static bool is_ctor_lit(const wexpr *e)
{
	return e->kind == WE_CALL && !e->u.call.method && e->u.call.n == 1 && e->u.call.args[0]->kind == WE_LIT &&
	       e->u.call.args[0]->u.lit.kind == WV_STRING;
}

/* Does the expression not depend on the request? (literals all the way down) */
static bool is_constant(const wexpr *e)
{
	switch (e->kind) {
	case WE_LIT:
		return true;
	case WE_CALL:
		if (is_ctor_lit(e))
			return true;
		return false;
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			if (!is_constant(e->u.list.items[i]))
				return false;
		return true;
	case WE_NEG:
		return is_constant(e->u.k.a);
	default:
		return false;
	}
}

/* The root variable of an attribute chain (principal.a.b -> WVAR_PRINCIPAL), -1 if none. */
static int chain_root(const wexpr *e)
{
	while (e->kind == WE_GETATTR)
		e = e->u.attr.obj;
	return e->kind == WE_VAR ? e->u.var : -1;
}

static void add_chain_path(wbuf *b, const wexpr *e)
{
	if (e->kind == WE_GETATTR) {
		if (e->u.attr.obj->kind == WE_GETATTR) {
			add_chain_path(b, e->u.attr.obj);
			buf_addc(b, '.');
		}
		buf_adds(b, e->u.attr.name->s);
	}
}

static const char *var_noun(unsigned v)
{
	switch (v) {
	case WVAR_PRINCIPAL: return "the principal";
	case WVAR_ACTION: return "the action";
	case WVAR_RESOURCE: return "the resource";
	default: return "the request context";
	}
}

static const char *var_owner(unsigned v)
{
	switch (v) {
	case WVAR_PRINCIPAL: return "the principal's ";
	case WVAR_ACTION: return "the action's ";
	case WVAR_RESOURCE: return "the resource's ";
	default: return "the request's ";
	}
}

static void add_backquoted(wbuf *b, const wexpr *e)
{
	buf_addc(b, '`');
	add_expr_text(b, e);
	buf_addc(b, '`');
}

/* What an operand is, as a noun phrase. */
static void noun(wbuf *b, const wexpr *e)
{
	switch (e->kind) {
	case WE_VAR:
		buf_adds(b, var_noun(e->u.var));
		return;
	case WE_SLOT:
		buf_adds(b, e->u.slot == WSLOT_PRINCIPAL ? "the linked principal" : "the linked resource");
		return;
	case WE_LIT:
		if (e->u.lit.kind == WV_ENTITY)
			format_uid(b, e->u.lit.u.e);
		else
			add_value(b, &e->u.lit);
		return;
	case WE_GETATTR: {
		int root = chain_root(e);
		if (root >= 0) {
			buf_adds(b, var_owner((unsigned)root));
			add_chain_path(b, e);
			return;
		}
		break;
	}
	case WE_CALL:
		if (is_ctor_lit(e)) {
			const wvalue *v = &e->u.call.args[0]->u.lit;
			buf_add(b, v->u.s.p, v->u.s.n);
			return;
		}
		if (e->u.call.method && e->u.call.n == 1 && e->u.call.fn) {
			/* datetime/duration accessors: "the request's now as a date" */
			static const struct {
				const char *fn, *phrase;
			} acc[] = {{"toDate", "the date of "},
				   {"toTime", "the time of day of "},
				   {"toMilliseconds", "the milliseconds in "},
				   {"toSeconds", "the seconds in "},
				   {"toMinutes", "the minutes in "},
				   {"toHours", "the hours in "},
				   {"toDays", "the days in "}};
			for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++)
				if (strcmp(e->u.call.fn->name, acc[i].fn) == 0) {
					buf_adds(b, acc[i].phrase);
					noun(b, e->u.call.args[0]);
					return;
				}
		}
		break;
	case WE_SET:
		if (is_constant(e)) {
			buf_addc(b, '[');
			for (uint32_t i = 0; i < e->u.list.n; i++) {
				if (i)
					buf_adds(b, ", ");
				noun(b, e->u.list.items[i]);
			}
			buf_addc(b, ']');
			return;
		}
		break;
	case WE_BINARY:
		if (e->op == WB_GETTAG) {
			buf_adds(b, "the tag ");
			noun(b, e->u.k.b);
			buf_adds(b, " of ");
			noun(b, e->u.k.a);
			return;
		}
		break;
	default:
		break;
	}
	add_backquoted(b, e);
}

/* Is this operand a datetime (a datetime literal or an accessor producing one)? */
static bool is_datetime_lit(const wexpr *e)
{
	return is_call(e, "datetime") && is_ctor_lit(e);
}

/* "until D" style phrases for `x OP datetime("D")` where x reads the request. */
static bool time_clause(wbuf *b, const wexpr *x, unsigned op, const wexpr *d, bool negate)
{
	if (!is_datetime_lit(d))
		return false;
	const wvalue *v = &d->u.call.args[0]->u.lit;
	const char *phr;
	/* negation flips the comparison: !(x < d) is x >= d */
	if (negate) {
		switch (op) {
		case WB_LT: op = WB_GE; break;
		case WB_LE: op = WB_GT; break;
		case WB_GT: op = WB_LE; break;
		case WB_GE: op = WB_LT; break;
		default: return false;
		}
	}
	switch (op) {
	case WB_LT: phr = "until "; break;
	case WB_LE: phr = "until and including "; break;
	case WB_GT: phr = "after "; break;
	case WB_GE: phr = "from "; break;
	default: return false;
	}
	buf_adds(b, phr);
	/* midnight UTC reads as a date */
	size_t n = v->u.s.n;
	if (n == 20 && memcmp(v->u.s.p + 10, "T00:00:00Z", 10) == 0)
		n = 10;
	buf_add(b, v->u.s.p, n);
	if (op == WB_GE)
		buf_adds(b, " on");
	if (!(x->kind == WE_GETATTR && chain_root(x) == WVAR_CONTEXT)) {
		buf_adds(b, " (by ");
		noun(b, x);
		buf_addc(b, ')');
	}
	return true;
}

/* "from 01:00 UTC" style phrases for `x.toTime() OP duration("1h")`. */
static bool tod_clause(wbuf *b, const wexpr *x, unsigned op, const wexpr *d, bool negate)
{
	if (!is_call(x, "toTime") || !is_call(d, "duration") || !is_ctor_lit(d))
		return false;
	const wvalue *v = &d->u.call.args[0]->u.lit;
	int64_t ms;
	if (ext_parse_duration(v->u.s.p, v->u.s.n, &ms) < 0 || ms < 0 || ms > 86400000)
		return false;
	if (negate) {
		switch (op) {
		case WB_LT: op = WB_GE; break;
		case WB_LE: op = WB_GT; break;
		case WB_GT: op = WB_LE; break;
		case WB_GE: op = WB_LT; break;
		default: return false;
		}
	}
	const char *phr;
	switch (op) {
	case WB_LT: phr = "before "; break;
	case WB_LE: phr = "at or before "; break;
	case WB_GT: phr = "after "; break;
	case WB_GE: phr = "from "; break;
	default: return false;
	}
	int64_t min = ms / 60000;
	buf_printf(b, "%s%02d:%02d UTC", phr, (int)(min / 60), (int)(min % 60));
	const wexpr *of = x->u.call.args[0];
	if (!(of->kind == WE_GETATTR && chain_root(of) == WVAR_CONTEXT)) {
		buf_adds(b, " (by ");
		noun(b, of);
		buf_addc(b, ')');
	}
	return true;
}

static unsigned flip_cmp(unsigned op)
{
	switch (op) {
	case WB_LT: return WB_GT;
	case WB_LE: return WB_GE;
	case WB_GT: return WB_LT;
	case WB_GE: return WB_LE;
	default: return op;
	}
}

static const char *cmp_words(unsigned op, bool neg)
{
	switch (op) {
	case WB_EQ: return neg ? " is not " : " is ";
	case WB_NE: return neg ? " is " : " is not ";
	case WB_LT: return neg ? " is at least " : " is less than ";
	case WB_LE: return neg ? " is more than " : " is at most ";
	case WB_GT: return neg ? " is at most " : " is more than ";
	case WB_GE: return neg ? " is less than " : " is at least ";
	case WB_IN: return neg ? " is not in " : " is in ";
	case WB_CONTAINS: return neg ? " does not contain " : " contains ";
	case WB_CONTAINSALL: return neg ? " does not contain all of " : " contains all of ";
	case WB_CONTAINSANY: return neg ? " contains none of " : " contains any of ";
	case WB_HASTAG: return neg ? " does not have the tag " : " has the tag ";
	default: return NULL;
	}
}

/* An ip range test on the request's source: "the request comes from R". */
static bool ip_clause(wbuf *b, const wexpr *e, bool neg)
{
	if (!is_call(e, "isInRange") || e->u.call.n != 2)
		return false;
	const wexpr *addr = e->u.call.args[0], *range = e->u.call.args[1];
	if (addr->kind == WE_GETATTR && chain_root(addr) == WVAR_CONTEXT) {
		buf_adds(b, neg ? "the request does not come from " : "the request comes from ");
		noun(b, range);
		return true;
	}
	noun(b, addr);
	buf_adds(b, neg ? " is outside the range " : " is in the range ");
	noun(b, range);
	return true;
}

/* `x.isInRange(A) || x.isInRange(B) || ...` on one request attribute:
 * "the request comes from A or B". */
static bool ip_or_leaf(const wexpr *e, const wexpr **recv)
{
	if (!is_call(e, "isInRange") || e->u.call.n != 2 || !is_constant(e->u.call.args[1]))
		return false;
	const wexpr *r = e->u.call.args[0];
	if (!(r->kind == WE_GETATTR && chain_root(r) == WVAR_CONTEXT))
		return false;
	if (*recv) {
		wbuf x = WBUF_INIT, y = WBUF_INIT;
		add_expr_text(&x, *recv);
		add_expr_text(&y, r);
		bool same = x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
		buf_release(&x);
		buf_release(&y);
		return same;
	}
	*recv = r;
	return true;
}

static bool ip_or_all(const wexpr *e, const wexpr **recv)
{
	if (e->kind == WE_OR)
		return ip_or_all(e->u.k.a, recv) && ip_or_all(e->u.k.b, recv);
	return ip_or_leaf(e, recv);
}

static void ip_or_ranges(wbuf *b, const wexpr *e, bool *first)
{
	if (e->kind == WE_OR) {
		ip_or_ranges(b, e->u.k.a, first);
		ip_or_ranges(b, e->u.k.b, first);
		return;
	}
	if (!*first)
		buf_adds(b, " or ");
	*first = false;
	noun(b, e->u.call.args[1]);
}

static bool ip_or_chain(wbuf *b, const wexpr *e)
{
	const wexpr *recv = NULL;
	if (!ip_or_all(e, &recv))
		return false;
	buf_adds(b, "the request comes from ");
	bool first = true;
	ip_or_ranges(b, e, &first);
	return true;
}

/* A clause, negated where English allows it, else "not (...)". */
static void clause_neg(wbuf *b, const wexpr *e, bool neg, const wschema *s)
{
	if (e->kind == WE_NOT) {
		clause_neg(b, e->u.k.a, !neg, s);
		return;
	}
	if (e->kind == WE_BINARY) {
		const wexpr *l = e->u.k.a, *r = e->u.k.b;
		unsigned op = e->op;
		if (op >= WB_LT && op <= WB_GE) {
			if (time_clause(b, l, op, r, neg) || time_clause(b, r, flip_cmp(op), l, neg) ||
			    tod_clause(b, l, op, r, neg) || tod_clause(b, r, flip_cmp(op), l, neg))
				return;
		}
		/* put the request-dependent side first: `"main" == x` reads as `x is "main"` */
		if ((op == WB_EQ || op == WB_NE || (op >= WB_LT && op <= WB_GE)) && is_constant(l) &&
		    !is_constant(r)) {
			const wexpr *t = l;
			l = r;
			r = t;
			op = flip_cmp(op);
		}
		if (op == WB_CONTAINS && is_constant(l) && l->kind == WE_SET && !is_constant(r)) {
			/* ["a", "b"].contains(x) reads as "x is one of [...]" */
			noun(b, r);
			buf_adds(b, neg ? " is not one of " : " is one of ");
			noun(b, l);
			return;
		}
		const char *w = cmp_words(op, neg);
		if (w) {
			noun(b, l);
			buf_adds(b, w);
			noun(b, r);
			return;
		}
	}
	switch (e->kind) {
	case WE_LIT:
		if (e->u.lit.kind == WV_BOOL) {
			buf_adds(b, e->u.lit.u.b != neg ? "always" : "never");
			return;
		}
		break;
	case WE_HASATTR:
		if (e->u.attr.obj->kind == WE_VAR && e->u.attr.obj->u.var == WVAR_CONTEXT)
			buf_adds(b, "the request");
		else
			noun(b, e->u.attr.obj);
		buf_adds(b, neg ? " has no " : " has ");
		if (!neg)
			add_article(b, e->u.attr.name->s);
		else
			buf_adds(b, e->u.attr.name->s);
		return;
	case WE_LIKE: {
		noun(b, e->u.like.obj);
		buf_adds(b, neg ? " does not match " : " matches ");
		/* the pattern as written, `*` being the wildcard */
		wbuf t = WBUF_INIT;
		add_expr_text(&t, e);
		const char *like = strstr(t.p, " like ");
		buf_adds(b, like ? like + 6 : "the pattern");
		buf_release(&t);
		return;
	}
	case WE_IS:
		noun(b, e->u.is.obj);
		buf_adds(b, neg ? " is not " : " is ");
		add_article(b, e->u.is.type->s);
		if (e->u.is.in) {
			buf_adds(b, " in ");
			noun(b, e->u.is.in);
		}
		return;
	case WE_ISEMPTY:
		noun(b, e->u.k.a);
		buf_adds(b, neg ? " is not empty" : " is empty");
		return;
	case WE_CALL:
		if (ip_clause(b, e, neg))
			return;
		if (e->u.call.method && e->u.call.fn && e->u.call.n == 2) {
			static const struct {
				const char *fn;
				unsigned op;
			} dec[] = {{"lessThan", WB_LT},
				   {"lessThanOrEqual", WB_LE},
				   {"greaterThan", WB_GT},
				   {"greaterThanOrEqual", WB_GE}};
			for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++)
				if (strcmp(e->u.call.fn->name, dec[i].fn) == 0) {
					noun(b, e->u.call.args[0]);
					buf_adds(b, cmp_words(dec[i].op, neg));
					noun(b, e->u.call.args[1]);
					return;
				}
		}
		if (e->u.call.method && e->u.call.fn && e->u.call.n == 1) {
			static const struct {
				const char *fn, *yes, *no;
			} ipm[] = {{"isIpv4", " is an IPv4 address", " is not an IPv4 address"},
				   {"isIpv6", " is an IPv6 address", " is not an IPv6 address"},
				   {"isLoopback", " is a loopback address", " is not a loopback address"},
				   {"isMulticast", " is a multicast address", " is not a multicast address"}};
			for (size_t i = 0; i < sizeof ipm / sizeof ipm[0]; i++)
				if (strcmp(e->u.call.fn->name, ipm[i].fn) == 0) {
					noun(b, e->u.call.args[0]);
					buf_adds(b, neg ? ipm[i].no : ipm[i].yes);
					return;
				}
		}
		break;
	case WE_GETATTR:
	case WE_VAR:
		if (chain_root(e) >= 0) {
			noun(b, e);
			buf_adds(b, neg ? " is false" : " is true");
			return;
		}
		break;
	case WE_AND:
	case WE_OR:
		if (!neg && e->kind == WE_OR && ip_or_chain(b, e))
			return;
		if (!neg) {
			bool is_and = e->kind == WE_AND;
			const wexpr *l = e->u.k.a, *r = e->u.k.b;
			bool pl = l->kind == (is_and ? WE_OR : WE_AND), pr = r->kind == (is_and ? WE_OR : WE_AND);
			if (pl)
				buf_addc(b, '(');
			clause_neg(b, l, false, s);
			if (pl)
				buf_addc(b, ')');
			buf_adds(b, is_and ? " and " : " or ");
			if (pr)
				buf_addc(b, '(');
			clause_neg(b, r, false, s);
			if (pr)
				buf_addc(b, ')');
			return;
		}
		break;
	case WE_IF:
		if (!neg) {
			buf_adds(b, "if ");
			clause_neg(b, e->u.k.a, false, s);
			buf_adds(b, " then ");
			clause_neg(b, e->u.k.b, false, s);
			buf_adds(b, ", otherwise ");
			clause_neg(b, e->u.k.c, false, s);
			return;
		}
		break;
	default:
		break;
	}
	if (neg) {
		buf_adds(b, "not (");
		clause_neg(b, e, false, s);
		buf_adds(b, ")");
		return;
	}
	add_backquoted(b, e);
}

static void clause(wbuf *b, const wexpr *e, const wschema *s)
{
	clause_neg(b, e, false, s);
}

/* ---- units ------------------------------------------------------------------ */

/* A comparison that clause() says as a bare time phrase ("until ...", "from ..."). */
static bool is_time_phrase(const wexpr *e)
{
	if (e->kind != WE_BINARY || e->op < WB_LT || e->op > WB_GE)
		return false;
	const wexpr *l = e->u.k.a, *r = e->u.k.b;
	return is_datetime_lit(l) || is_datetime_lit(r) ||
	       (is_call(l, "toTime") && is_call(r, "duration") && is_ctor_lit(r)) ||
	       (is_call(r, "toTime") && is_call(l, "duration") && is_ctor_lit(l));
}

/* Collects the top-level operands of `kind` (WE_AND / WE_OR) in evaluation order. */
static void split(const wexpr *e, unsigned kind, const wexpr ***v, uint32_t *n, uint32_t *cap)
{
	if (e->kind == kind) {
		split(e->u.k.a, kind, v, n, cap);
		split(e->u.k.b, kind, v, n, cap);
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, sizeof **v * *cap);
	}
	(*v)[(*n)++] = e;
}

static void make_units(warena *a, const wpolicy *body, const wschema *s, wxpolicy *xp)
{
	const wexpr **v = NULL;
	uint32_t n = 0, cap = 0;
	uint32_t *clause_of = NULL;
	for (uint32_t c = 0; c < body->nconds; c++) {
		uint32_t before = n;
		split(body->conds[c].body, body->conds[c].is_when ? WE_AND : WE_OR, &v, &n, &cap);
		clause_of = xrealloc(clause_of, sizeof *clause_of * (cap ? cap : 1));
		for (uint32_t i = before; i < n; i++)
			clause_of[i] = c;
	}
	xp->units = ARENA_ARRAY(a, wxunit, n ? n : 1);
	xp->nunits = n;
	wbuf b = WBUF_INIT;
	for (uint32_t i = 0; i < n; i++) {
		wxunit *u = &xp->units[i];
		u->expr = v[i];
		u->clause = clause_of[i];
		u->is_when = body->conds[u->clause].is_when;
		u->text = expr_text(a, v[i]);
		buf_clear(&b);
		if (is_time_phrase(v[i])) {
			/* "until 2027-03-01" reads alone; an unless says the opposite */
			clause_neg(&b, v[i], !u->is_when, s);
		} else {
			buf_adds(&b, u->is_when ? "only when " : "except when ");
			clause(&b, v[i], s);
		}
		u->sentence = keep(a, &b);
	}
	buf_release(&b);
	free(v);
	free(clause_of);
}

/* ---- override analysis ---------------------------------------------------------- */

static const wsym *scope_type(const wscope *sc)
{
	switch (sc->op) {
	case WSC_EQ: return sc->slot ? NULL : sc->uid.type;
	case WSC_IS:
	case WSC_IS_IN: return sc->type;
	default: return NULL;
	}
}

/* Could some entity satisfy both entity scope constraints? False only when
 * provably not (by types, uids, the schema's memberOf, or the entity store). */
static bool scopes_may_overlap(const wscope *x, const wscope *y, const wschema *s, const wentities *es)
{
	if (x->op == WSC_ANY || y->op == WSC_ANY || x->slot || y->slot)
		return true;
	const wsym *tx = scope_type(x), *ty = scope_type(y);
	if (tx && ty && tx != ty)
		return false;
	if (x->op == WSC_EQ && y->op == WSC_EQ)
		return uid_eq(x->uid, y->uid);
	if (y->op == WSC_EQ) {
		const wscope *t = x;
		x = y;
		y = t;
	}
	bool y_in = y->op == WSC_IN || y->op == WSC_IS_IN;
	if (x->op == WSC_EQ && y_in) {
		if (es && entities_get(es, x->uid))
			return entities_in(es, x->uid, y->uid);
		return !s || type_can_be_in(s, x->uid.type, y->uid.type, 0);
	}
	if (x->op == WSC_IS && y_in)
		return !s || type_can_be_in(s, x->type, y->uid.type, 0);
	if (y->op == WSC_IS && (x->op == WSC_IN || x->op == WSC_IS_IN))
		return !s || type_can_be_in(s, y->type, x->uid.type, 0);
	bool x_in = x->op == WSC_IN || x->op == WSC_IS_IN;
	if (x_in && y_in) {
		if (s) {
			const wsym *t = tx ? tx : ty;
			bool any = false;
			if (t) {
				any = type_can_be_in(s, t, x->uid.type, 0) && type_can_be_in(s, t, y->uid.type, 0);
			} else {
				for (uint32_t i = 0; i < s->netypes && !any; i++)
					any = type_can_be_in(s, s->etypes[i].name, x->uid.type, 0) &&
					      type_can_be_in(s, s->etypes[i].name, y->uid.type, 0);
			}
			if (!any)
				return false;
		}
		if (es && es->n) {
			for (uint32_t i = 0; i < es->n; i++) {
				const wentity *e = es->items[i];
				if ((tx && e->uid.type != tx) || (ty && e->uid.type != ty))
					continue;
				if (entities_in(es, e->uid, x->uid) && entities_in(es, e->uid, y->uid))
					return true;
			}
			return false;
		}
	}
	return true;
}

/* The set of actions a scope allows, as uids from the schema (n = -1: unknown). */
static bool action_matches(const wscope *sc, wuid a, const wschema *s)
{
	switch (sc->op) {
	case WSC_ANY: return true;
	case WSC_EQ: return uid_eq(sc->uid, a);
	case WSC_IN: return action_in_group(s, a, sc->uid, 0);
	case WSC_IN_SET:
		for (uint32_t i = 0; i < sc->nlist; i++)
			if (action_in_group(s, a, sc->list[i], 0))
				return true;
		return false;
	default: return true;
	}
}

static bool actions_may_overlap(const wscope *x, const wscope *y, const wschema *s)
{
	if (x->op == WSC_ANY || y->op == WSC_ANY)
		return true;
	if (s && s->nactions) {
		for (uint32_t i = 0; i < s->nactions; i++)
			if (action_matches(x, s->actions[i].uid, s) && action_matches(y, s->actions[i].uid, s))
				return true;
		return false;
	}
	if (x->op == WSC_EQ && y->op == WSC_EQ)
		return uid_eq(x->uid, y->uid);
	return true;
}

/* ---- policies ------------------------------------------------------------------ */

void explain_policies_init(wxpolicies *x)
{
	memset(x, 0, sizeof *x);
	arena_init(&x->arena);
}

void explain_policies_release(wxpolicies *x)
{
	arena_release(&x->arena);
	memset(x, 0, sizeof *x);
}

static void add_note(warena *a, wxpolicy *xp, const char **tmp, const char *note)
{
	(void)a;
	tmp[xp->nnotes++] = note;
}

static void explain_one(wctx *cx, warena *a, const wpolicy *p, const wschema *s, wxpolicy *xp)
{
	(void)cx;
	const wpolicy *body = p->template_of ? p->template_of : p;
	wbuf b = WBUF_INIT;
	xp->policy = p;
	xp->body = body;
	xp->id = p->id;
	xp->permit = body->effect == WEFF_PERMIT;
	const wannotation *d = policy_annotation(p, "description");
	if (!d && p->template_of)
		d = policy_annotation(body, "description");
	xp->description = d && d->has_value ? d->val : NULL;

	/* the scope, with linked slot values substituted */
	wscope ps = p->principal, rs = p->resource;
	add_entity_scope(&b, &ps, "principal", s);
	xp->who = keep(a, &b);
	buf_clear(&b);
	add_action_scope(&b, &body->action, s);
	xp->what = keep(a, &b);
	buf_clear(&b);
	add_entity_scope(&b, &rs, "resource", s);
	xp->on = keep(a, &b);
	buf_clear(&b);

	make_units(a, body, s, xp);

	buf_printf(&b, "%s may %s%s, on %s", xp->who, xp->permit ? "" : "not ", xp->what, xp->on);
	for (uint32_t i = 0; i < xp->nunits; i++)
		buf_printf(&b, "%s %s", i ? "," : "", xp->units[i].sentence);
	xp->summary = keep(a, &b);

	const char *notes[10];
	xp->nnotes = 0;
	if (p->is_template && !p->template_of)
		add_note(a, xp, notes, "template: applies only once linked");
	if (xp->permit) {
		if (ps.op == WSC_ANY)
			add_note(a, xp, notes, "wildcard: any principal");
		if (body->action.op == WSC_ANY)
			add_note(a, xp, notes, "wildcard: any action");
		if (rs.op == WSC_ANY)
			add_note(a, xp, notes, "wildcard: any resource");
		if (!xp->nunits && (ps.op == WSC_ANY || body->action.op == WSC_ANY || rs.op == WSC_ANY))
			add_note(a, xp, notes, "unconditional: no condition limits the wildcard");
		for (uint32_t i = 0; i < xp->nunits; i++)
			if (xp->units[i].expr->kind == WE_LIT && xp->units[i].expr->u.lit.kind == WV_BOOL &&
			    xp->units[i].expr->u.lit.u.b == xp->units[i].is_when) {
				add_note(a, xp, notes, "a condition is always satisfied");
				break;
			}
	}
	const wannotation *kind = policy_annotation(p, "kind");
	if (kind && kind->has_value && strcmp(kind->val, "grant") != 0)
		add_note(a, xp, notes,
			 strcmp(kind->val, "break-glass") == 0 ? "kind: break-glass (emergency access)"
			 : strcmp(kind->val, "exception") == 0 ? "kind: exception (outside the usual rules)"
								: arena_sprintf(a, "kind: %s", kind->val));
	const wannotation *exp = policy_annotation(p, "expires");
	if (exp && exp->has_value)
		add_note(a, xp, notes, arena_sprintf(a, "expires: %s", exp->val));
	/* traceability: every other annotation, in source order */
	buf_clear(&b);
	for (uint32_t i = 0; i < p->nannos; i++) {
		const wannotation *an = &p->annos[i];
		if (strcmp(an->key->s, "id") == 0 || strcmp(an->key->s, "description") == 0)
			continue;
		buf_printf(&b, "%s%s", b.n ? "; " : "", an->key->s);
		if (an->has_value) {
			buf_adds(&b, ": ");
			buf_add(&b, an->val, an->vlen);
		}
	}
	xp->trace = b.n ? keep(a, &b) : NULL;
	buf_release(&b);
	xp->notes = ARENA_ARRAY(a, const char *, xp->nnotes ? xp->nnotes : 1);
	memcpy(xp->notes, notes, sizeof *notes * xp->nnotes);
}

int explain_policies(wctx *cx, const wpolicyset *ps, const wschema *schema, const wentities *es,
		     const char *only_id, wxpolicies *out)
{
	warena *a = &out->arena;
	out->items = ARENA_ARRAY(a, wxpolicy, ps->n ? ps->n : 1);
	out->n = 0;
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		if (only_id && strcmp(p->id, only_id) != 0)
			continue;
		explain_one(cx, a, p, schema, &out->items[out->n++]);
	}
	if (only_id && !out->n)
		return -1;
	/* which forbids may override each permit: over the whole set, so that
	 * `--id` still names every forbid */
	for (uint32_t i = 0; i < out->n; i++) {
		wxpolicy *xp = &out->items[i];
		if (!xp->permit || (xp->policy->is_template && !xp->policy->template_of))
			continue;
		const wpolicy **v = ARENA_ARRAY(a, const wpolicy *, ps->n ? ps->n : 1);
		uint32_t n = 0;
		for (uint32_t j = 0; j < ps->n; j++) {
			const wpolicy *f = ps->items[j];
			const wpolicy *fb = f->template_of ? f->template_of : f;
			if (fb->effect != WEFF_FORBID)
				continue;
			if (scopes_may_overlap(&xp->policy->principal, &f->principal, schema, es) &&
			    actions_may_overlap(&xp->body->action, &fb->action, schema) &&
			    scopes_may_overlap(&xp->policy->resource, &f->resource, schema, es))
				v[n++] = f;
		}
		xp->overriders = v;
		xp->noverriders = n;
	}
	return 0;
}

const wxpolicy *explain_find(const wxpolicies *x, const wpolicy *p)
{
	for (uint32_t i = 0; i < x->n; i++)
		if (x->items[i].policy == p)
			return &x->items[i];
	return NULL;
}

void explain_policies_text(const wxpolicies *x, wbuf *out)
{
	for (uint32_t i = 0; i < x->n; i++) {
		const wxpolicy *xp = &x->items[i];
		if (i)
			buf_addc(out, '\n');
		buf_printf(out, "%s %s", xp->permit ? "permit" : "forbid", xp->id);
		if (xp->policy->is_template && !xp->policy->template_of)
			buf_adds(out, " (template)");
		else if (xp->policy->template_of)
			buf_printf(out, " (linked from template %s)", xp->body->id);
		if (xp->description)
			buf_printf(out, ": %s", xp->description);
		buf_addc(out, '\n');
		buf_printf(out, "  %s %s\n", xp->permit ? "allows" : "forbids", xp->who);
		buf_printf(out, "  to %s\n", xp->what);
		buf_printf(out, "  on %s\n", xp->on);
		if (!xp->nunits)
			buf_adds(out, xp->permit ? "  with no conditions\n" : "  always (no conditions)\n");
		for (uint32_t k = 0; k < xp->nunits; k++)
			buf_printf(out, "  %s\n", xp->units[k].sentence);
		for (uint32_t k = 0; k < xp->nnotes; k++)
			buf_printf(out, "  note: %s\n", xp->notes[k]);
		if (xp->trace)
			buf_printf(out, "  traceability: %s\n", xp->trace);
		if (xp->permit && !(xp->policy->is_template && !xp->policy->template_of)) {
			if (xp->noverriders) {
				buf_adds(out, "  may be overridden by: ");
				for (uint32_t k = 0; k < xp->noverriders; k++)
					buf_printf(out, "%s%s", k ? ", " : "", xp->overriders[k]->id);
				buf_addc(out, '\n');
			} else {
				buf_adds(out, "  no forbid can override it\n");
			}
		}
	}
}

static void json_kv(wbuf *out, const char *k, const char *v, bool comma)
{
	if (comma)
		buf_addc(out, ',');
	buf_add_json_str(out, k, strlen(k));
	buf_addc(out, ':');
	if (v)
		buf_add_json_str(out, v, strlen(v));
	else
		buf_adds(out, "null");
}

void explain_policies_json(const wxpolicies *x, wbuf *out)
{
	buf_adds(out, "{\"policies\":[");
	for (uint32_t i = 0; i < x->n; i++) {
		const wxpolicy *xp = &x->items[i];
		if (i)
			buf_addc(out, ',');
		buf_addc(out, '{');
		json_kv(out, "id", xp->id, false);
		json_kv(out, "effect", xp->permit ? "permit" : "forbid", true);
		bool tmpl = xp->policy->is_template && !xp->policy->template_of;
		buf_printf(out, ",\"template\":%s", tmpl ? "true" : "false");
		json_kv(out, "linked_from", xp->policy->template_of ? xp->body->id : NULL, true);
		json_kv(out, "description", xp->description, true);
		json_kv(out, "who", xp->who, true);
		json_kv(out, "what", xp->what, true);
		json_kv(out, "on", xp->on, true);
		json_kv(out, "summary", xp->summary, true);
		buf_adds(out, ",\"annotations\":{");
		for (uint32_t k = 0, nk = 0; k < xp->policy->nannos; k++) {
			const wannotation *an = &xp->policy->annos[k];
			if (nk++)
				buf_addc(out, ',');
			buf_add_json_str(out, an->key->s, an->key->len);
			buf_addc(out, ':');
			buf_add_json_str(out, an->val, an->vlen);
		}
		buf_addc(out, '}');
		buf_adds(out, ",\"conditions\":[");
		for (uint32_t k = 0; k < xp->nunits; k++) {
			buf_adds(out, k ? ",{" : "{");
			json_kv(out, "kind", xp->units[k].is_when ? "when" : "unless", false);
			json_kv(out, "cedar", xp->units[k].text, true);
			json_kv(out, "sentence", xp->units[k].sentence, true);
			buf_addc(out, '}');
		}
		buf_adds(out, "],\"notes\":[");
		for (uint32_t k = 0; k < xp->nnotes; k++) {
			if (k)
				buf_addc(out, ',');
			buf_add_json_str(out, xp->notes[k], strlen(xp->notes[k]));
		}
		buf_adds(out, "],\"overridden_by\":[");
		for (uint32_t k = 0; k < xp->noverriders; k++) {
			if (k)
				buf_addc(out, ',');
			buf_add_json_str(out, xp->overriders[k]->id, strlen(xp->overriders[k]->id));
		}
		buf_adds(out, "]}");
	}
	buf_adds(out, "]}");
}

/* ---- decisions ------------------------------------------------------------------ */

const char *explain_outcome_name(wxoutcome o)
{
	switch (o) {
	case WXO_TRUE: return "true";
	case WXO_FALSE: return "false";
	case WXO_ERROR: return "error";
	default: return "not-evaluated";
	}
}

const char *explain_status_name(wxstatus s)
{
	switch (s) {
	case WXS_APPLIES: return "applies";
	case WXS_SCOPE: return "scope";
	case WXS_CONDITION: return "condition";
	case WXS_ERROR: return "error";
	default: return "template";
	}
}

void explain_decision_init(wxdecision *d)
{
	memset(d, 0, sizeof *d);
	arena_init(&d->arena);
}

void explain_decision_release(wxdecision *d)
{
	arena_release(&d->arena);
	memset(d, 0, sizeof *d);
}

static bool scope_ok(const wentities *es, const wscope *sc, wuid x, const wuid *slot)
{
	wuid target = sc->uid;
	switch (sc->op) {
	case WSC_ANY:
		return true;
	case WSC_IS:
		return x.type == sc->type;
	case WSC_IN_SET:
		for (uint32_t i = 0; i < sc->nlist; i++)
			if (entities_in(es, x, sc->list[i]))
				return true;
		return false;
	default:
		break;
	}
	if (sc->slot) {
		if (!slot)
			return false;
		target = *slot;
	}
	switch (sc->op) {
	case WSC_EQ: return uid_eq(x, target);
	case WSC_IN: return entities_in(es, x, target);
	case WSC_IS_IN: return x.type == sc->type && entities_in(es, x, target);
	default: return false;
	}
}

/* "the principal Agent::"x" is not a CiJob" */
static void scope_miss(wbuf *b, const char *var, const wscope *sc, wuid x, const wuid *slot)
{
	wuid target = sc->slot && slot ? *slot : sc->uid;
	buf_printf(b, "the %s ", var);
	add_uid(b, x);
	switch (sc->op) {
	case WSC_EQ:
		buf_adds(b, " is not ");
		add_uid(b, target);
		break;
	case WSC_IN:
		buf_adds(b, " is not ");
		add_uid(b, target);
		buf_adds(b, " nor a member of it");
		break;
	case WSC_IS:
		buf_adds(b, " is not ");
		add_article(b, sc->type->s);
		break;
	case WSC_IS_IN:
		if (x.type != sc->type) {
			buf_adds(b, " is not ");
			add_article(b, sc->type->s);
		} else {
			buf_adds(b, " is not in ");
			add_uid(b, target);
		}
		break;
	case WSC_IN_SET:
		buf_adds(b, " is none of ");
		for (uint32_t i = 0; i < sc->nlist; i++) {
			if (i)
				buf_adds(b, i + 1 == sc->nlist ? " or " : ", ");
			add_uid(b, sc->list[i]);
		}
		break;
	default:
		buf_adds(b, " does not match");
	}
}

static void add_fact(warena *a, wxpath *pt, weval *ev, const wexpr *e)
{
	if (pt->nfacts >= MAX_FACTS || is_constant(e))
		return;
	const char *text = expr_text(a, e);
	for (uint32_t i = 0; i < pt->nfacts; i++)
		if (strcmp(pt->facts[i].expr, text) == 0)
			return;
	wvalue v;
	wbuf b = WBUF_INIT;
	ev->depth = 0;
	if (eval_expr(ev, e, &v) < 0)
		buf_printf(&b, "error: %s", ev->err ? ev->err : "evaluation error");
	else
		add_value(&b, &v);
	pt->facts[pt->nfacts].expr = text;
	pt->facts[pt->nfacts].value = keep(a, &b);
	pt->nfacts++;
	buf_release(&b);
}

/* The request-dependent operands of a unit, with their values. */
static void collect_facts(warena *a, wxpath *pt, weval *ev, const wexpr *e)
{
	switch (e->kind) {
	case WE_AND:
	case WE_OR:
		collect_facts(a, pt, ev, e->u.k.a);
		collect_facts(a, pt, ev, e->u.k.b);
		return;
	case WE_IF:
		collect_facts(a, pt, ev, e->u.k.a);
		collect_facts(a, pt, ev, e->u.k.b);
		collect_facts(a, pt, ev, e->u.k.c);
		return;
	case WE_NOT:
		collect_facts(a, pt, ev, e->u.k.a);
		return;
	case WE_BINARY:
		add_fact(a, pt, ev, e->u.k.a);
		add_fact(a, pt, ev, e->u.k.b);
		return;
	case WE_ISEMPTY:
	case WE_NEG:
		add_fact(a, pt, ev, e->u.k.a);
		return;
	case WE_LIKE:
		add_fact(a, pt, ev, e->u.like.obj);
		return;
	case WE_IS:
		add_fact(a, pt, ev, e->u.is.obj);
		if (e->u.is.in)
			add_fact(a, pt, ev, e->u.is.in);
		return;
	case WE_HASATTR:
		/* the whole test, not the (possibly large) record it looks into */
		add_fact(a, pt, ev, e);
		return;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			add_fact(a, pt, ev, e->u.call.args[i]);
		return;
	default:
		add_fact(a, pt, ev, e);
	}
}

static void explain_path(wctx *cx, warena *a, const wxpolicy *xp, const wentities *es, const wrequest *req,
			 wxpath *pt)
{
	const wpolicy *p = xp->policy, *body = xp->body;
	pt->policy = p;
	pt->xp = xp;
	pt->stop_unit = -1;
	pt->outcomes = ARENA_ARRAY(a, uint8_t, xp->nunits ? xp->nunits : 1);
	if (p->is_template && !p->template_of) {
		pt->status = WXS_TEMPLATE;
		pt->why = "a template: it takes part only once linked";
		return;
	}
	const wuid *sp = p->has_slot_principal ? &p->slot_principal : NULL;
	const wuid *sr = p->has_slot_resource ? &p->slot_resource : NULL;
	pt->principal_ok = scope_ok(es, &p->principal, req->principal, sp);
	pt->action_ok = scope_ok(es, &body->action, req->action, NULL);
	pt->resource_ok = scope_ok(es, &p->resource, req->resource, sr);
	wbuf b = WBUF_INIT;
	if (!pt->principal_ok || !pt->action_ok || !pt->resource_ok) {
		pt->status = WXS_SCOPE;
		if (!pt->principal_ok)
			scope_miss(&b, "principal", &p->principal, req->principal, sp);
		else if (!pt->action_ok)
			scope_miss(&b, "action", &body->action, req->action, NULL);
		else
			scope_miss(&b, "resource", &p->resource, req->resource, sr);
		pt->scope_miss = keep(a, &b);
		buf_clear(&b);
		buf_printf(&b, "does not apply: %s", pt->scope_miss);
		pt->why = keep(a, &b);
		buf_release(&b);
		return;
	}
	weval ev = {0};
	ev.cx = cx;
	ev.ents = es;
	ev.req = req;
	ev.tmp = a;
	ev.slot_principal = sp;
	ev.slot_resource = sr;
	pt->facts = ARENA_ARRAY(a, wxfact, MAX_FACTS);
	pt->status = WXS_APPLIES;
	for (uint32_t i = 0; i < xp->nunits; i++) {
		const wxunit *u = &xp->units[i];
		wvalue v;
		ev.depth = 0;
		int erc = eval_expr(&ev, u->expr, &v);
		if (erc < 0 || v.kind != WV_BOOL) {
			pt->outcomes[i] = WXO_ERROR;
			pt->status = WXS_ERROR;
			pt->stop_unit = (int32_t)i;
			/* `v` is only set when the evaluation succeeded */
			if (erc == 0)
				pt->error = arena_sprintf(a, "type error: the condition is a %s, not a bool",
							  value_kind_name((wvkind)v.kind));
			else
				pt->error = arena_strndup(a, ev.err ? ev.err : "evaluation error",
							  strlen(ev.err ? ev.err : "evaluation error"));
			collect_facts(a, pt, &ev, u->expr);
			break;
		}
		pt->outcomes[i] = v.u.b ? WXO_TRUE : WXO_FALSE;
		if (v.u.b != u->is_when) {
			pt->status = WXS_CONDITION;
			pt->stop_unit = (int32_t)i;
			collect_facts(a, pt, &ev, u->expr);
			break;
		}
	}
	buf_clear(&b);
	if (pt->status == WXS_APPLIES) {
		buf_adds(&b, "applies: its scope matches");
		if (xp->nunits)
			buf_adds(&b, " and every condition holds");
	} else if (pt->status == WXS_CONDITION) {
		const wxunit *u = &xp->units[pt->stop_unit];
		if (u->is_when) {
			buf_adds(&b, "does not apply: it requires that ");
			clause(&b, u->expr, NULL);
			buf_adds(&b, ", which is false");
		} else {
			buf_adds(&b, "does not apply: it makes an exception when ");
			clause(&b, u->expr, NULL);
			buf_adds(&b, ", which is true");
		}
	}
	pt->why = keep(a, &b);
	buf_release(&b);
}

void explain_decision(wctx *cx, const wpolicyset *ps, const wxpolicies *x, const wentities *es,
		      const wrequest *req, wxdecision *d)
{
	warena *a = &d->arena;
	wresponse r;
	authz_decide(cx, ps, es, req, a, &r);
	d->req = req;
	d->allow = r.allow;
	d->determining = r.reasons;
	d->ndetermining = r.nreasons;
	d->nerrors = r.nerrors;
	d->paths = ARENA_ARRAY(a, wxpath, x->n ? x->n : 1);
	d->n = 0;
	d->overridden = ARENA_ARRAY(a, const wpolicy *, x->n ? x->n : 1);
	bool forbidden = !r.allow && r.nreasons;
	for (uint32_t i = 0; i < x->n; i++) {
		wxpath *pt = &d->paths[d->n++];
		explain_path(cx, a, &x->items[i], es, req, pt);
		/* the authorizer is the authority on errors */
		for (uint32_t k = 0; k < r.nerrors; k++)
			if (r.errors[k].policy == pt->policy) {
				pt->status = WXS_ERROR;
				pt->error = r.errors[k].msg;
			}
		if (pt->status == WXS_ERROR)
			pt->why = arena_sprintf(a, "errored, so it does not apply: %s", pt->error);
		if (pt->status == WXS_APPLIES && forbidden && x->items[i].permit) {
			pt->overridden = true;
			d->overridden[d->noverridden++] = pt->policy;
			pt->why = "applies, but a forbid overrides it";
		}
	}
	wbuf b = WBUF_INIT;
	const wpolicy **v = r.reasons;
	if (r.allow) {
		buf_adds(&b, "allowed by ");
	} else if (forbidden) {
		buf_adds(&b, "forbidden by ");
	} else {
		buf_adds(&b, "not permitted: no permit applies");
	}
	if (r.nreasons) {
		for (uint32_t i = 0; i < r.nreasons; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", v[i]->id);
	}
	if (forbidden && d->noverridden) {
		buf_printf(&b, ", which override%s the permit%s ", r.nreasons == 1 ? "s" : "",
			   d->noverridden == 1 ? "" : "s");
		for (uint32_t i = 0; i < d->noverridden; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", d->overridden[i]->id);
	}
	if (r.nerrors)
		buf_printf(&b, " (%u polic%s errored and did not apply)", r.nerrors, r.nerrors == 1 ? "y" : "ies");
	d->verdict = keep(a, &b);
	buf_release(&b);
}

static void add_request_line(wbuf *out, const wrequest *r)
{
	buf_adds(out, "request: principal ");
	format_uid(out, r->principal);
	buf_adds(out, ", action ");
	format_uid(out, r->action);
	buf_adds(out, ", resource ");
	format_uid(out, r->resource);
	buf_addc(out, '\n');
	if (r->context.kind == WV_RECORD && r->context.u.rec->n) {
		buf_adds(out, "context: ");
		value_print(&r->context, out);
		buf_addc(out, '\n');
	}
}

static void path_text(const wxpath *pt, bool show_units, wbuf *out)
{
	const wxpolicy *xp = pt->xp;
	buf_printf(out, "%s %s: %s\n", xp->permit ? "permit" : "forbid", xp->id, pt->why);
	if (show_units) {
		for (uint32_t k = 0; k < xp->nunits; k++) {
			if (pt->outcomes[k] == WXO_NOT_EVALUATED)
				continue;
			/* "held" says the sentence's own claim was true: for an
			 * `except when` unit, that the exception applied */
			bool held = pt->outcomes[k] == WXO_TRUE;
			buf_printf(out, "  %s: %s\n", xp->units[k].sentence,
				   pt->outcomes[k] == WXO_ERROR ? "error" : held ? "held" : "did not hold");
		}
	}
	for (uint32_t k = 0; k < pt->nfacts; k++)
		buf_printf(out, "    %s = %s\n", pt->facts[k].expr, pt->facts[k].value);
}

void explain_decision_text(const wxdecision *d, bool brief, wbuf *out)
{
	add_request_line(out, d->req);
	buf_printf(out, "decision: %s\n", d->allow ? "ALLOW" : "DENY");
	buf_printf(out, "verdict: %s\n", d->verdict);
	/* applying forbids, applying permits, errors, conditions, scope misses */
	static const struct {
		uint8_t status;
		int permit; /* -1 any */
	} order[] = {{WXS_APPLIES, 0}, {WXS_APPLIES, 1}, {WXS_ERROR, -1}, {WXS_CONDITION, -1}};
	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
		for (uint32_t i = 0; i < d->n; i++) {
			const wxpath *pt = &d->paths[i];
			if (pt->status != order[o].status)
				continue;
			if (order[o].permit >= 0 && (int)pt->xp->permit != order[o].permit)
				continue;
			path_text(pt, true, out);
		}
	uint32_t nscope = 0;
	for (uint32_t i = 0; i < d->n; i++)
		if (d->paths[i].status == WXS_SCOPE) {
			nscope++;
			if (!brief)
				path_text(&d->paths[i], false, out);
		}
	if (brief && nscope)
		buf_printf(out, "%u other polic%s: scope does not match the request\n", nscope,
			   nscope == 1 ? "y" : "ies");
}

static void json_uid(wbuf *out, wuid u)
{
	wbuf t = WBUF_INIT;
	format_uid(&t, u);
	buf_add_json_str(out, t.p, t.n);
	buf_release(&t);
}

void explain_decision_json(const wxdecision *d, wbuf *out)
{
	buf_adds(out, "{\"request\":{\"principal\":");
	json_uid(out, d->req->principal);
	buf_adds(out, ",\"action\":");
	json_uid(out, d->req->action);
	buf_adds(out, ",\"resource\":");
	json_uid(out, d->req->resource);
	buf_adds(out, ",\"context\":");
	{
		wbuf t = WBUF_INIT;
		value_print(&d->req->context, &t);
		buf_add_json_str(out, t.p, t.n);
		buf_release(&t);
	}
	buf_addc(out, '}');
	json_kv(out, "decision", d->allow ? "allow" : "deny", true);
	json_kv(out, "verdict", d->verdict, true);
	buf_adds(out, ",\"determining\":[");
	for (uint32_t i = 0; i < d->ndetermining; i++) {
		if (i)
			buf_addc(out, ',');
		buf_add_json_str(out, d->determining[i]->id, strlen(d->determining[i]->id));
	}
	buf_adds(out, "],\"overridden\":[");
	for (uint32_t i = 0; i < d->noverridden; i++) {
		if (i)
			buf_addc(out, ',');
		buf_add_json_str(out, d->overridden[i]->id, strlen(d->overridden[i]->id));
	}
	buf_adds(out, "],\"policies\":[");
	for (uint32_t i = 0; i < d->n; i++) {
		const wxpath *pt = &d->paths[i];
		const wxpolicy *xp = pt->xp;
		if (i)
			buf_addc(out, ',');
		buf_addc(out, '{');
		json_kv(out, "id", xp->id, false);
		json_kv(out, "effect", xp->permit ? "permit" : "forbid", true);
		json_kv(out, "status", explain_status_name((wxstatus)pt->status), true);
		buf_printf(out, ",\"overridden\":%s", pt->overridden ? "true" : "false");
		if (pt->status != WXS_TEMPLATE)
			buf_printf(out, ",\"scope\":{\"principal\":%s,\"action\":%s,\"resource\":%s}",
				   pt->principal_ok ? "true" : "false", pt->action_ok ? "true" : "false",
				   pt->resource_ok ? "true" : "false");
		buf_adds(out, ",\"conditions\":[");
		for (uint32_t k = 0; k < xp->nunits; k++) {
			buf_adds(out, k ? ",{" : "{");
			json_kv(out, "cedar", xp->units[k].text, false);
			json_kv(out, "sentence", xp->units[k].sentence, true);
			json_kv(out, "outcome", explain_outcome_name((wxoutcome)pt->outcomes[k]), true);
			buf_addc(out, '}');
		}
		buf_adds(out, "]");
		if (pt->stop_unit >= 0)
			buf_printf(out, ",\"stopped_at\":%d", (int)pt->stop_unit);
		buf_adds(out, ",\"facts\":[");
		for (uint32_t k = 0; k < pt->nfacts; k++) {
			buf_adds(out, k ? ",{" : "{");
			json_kv(out, "cedar", pt->facts[k].expr, false);
			json_kv(out, "value", pt->facts[k].value, true);
			buf_addc(out, '}');
		}
		buf_adds(out, "]");
		if (pt->error)
			json_kv(out, "error", pt->error, true);
		json_kv(out, "why", pt->why, true);
		buf_addc(out, '}');
	}
	buf_adds(out, "]}");
}
