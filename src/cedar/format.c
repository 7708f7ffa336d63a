/* format: canonical policy text layout (see format.h).
 *
 * Two stages. The builder walks the AST in source order and produces a
 * document: texts, breakable lines (a space or nothing when their group is
 * flat, a newline when it is broken), hard lines, nesting and groups, plus
 * comment nodes placed just before the first token that followed them in
 * the source. The renderer lays the document out: a group is printed flat
 * when it fits in the remaining width (up to the next possible break after
 * it), otherwise its lines become newlines. A group containing a comment or
 * a hard line never fits. Indentation is written lazily so that no line
 * ends in spaces and breaks never produce blank lines.
 */
#include "cedar/format.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/parser.h"
#include "util/xalloc.h"

enum { D_TEXT, D_LINE, D_SOFT, D_HARD, D_NEST, D_GROUP, D_CAT, D_COMMENT };

typedef struct doc doc;
struct doc {
	uint8_t kind;
	bool own_line; /* D_COMMENT: was alone on its source line */
	int indent;    /* D_NEST */
	const char *s; /* D_TEXT, D_COMMENT */
	size_t n;
	unsigned w;    /* display width of s */
	doc *a, *b;    /* D_CAT: a then b; D_NEST, D_GROUP: a */
};

/* Builder state. Comments are consumed in order as tokens are emitted. */
typedef struct fmt {
	warena *a;
	unsigned indent;
	const wsource *src;  /* NULL: no comments, positions ignored */
	const wcomment *cm;  /* sorted by start */
	uint32_t ncm, ci;
} fmt;

/* ---- strings ---- */

static const char *const reserved[] = {"true", "false", "if", "then", "else", "in", "is", "like", "has", "__cedar"};

int format_is_ident(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return 0;
	}
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strlen(reserved[i]) == n && memcmp(reserved[i], s, n) == 0)
			return 0;
	return 1;
}

static void add_escaped_cp(wbuf *out, uint32_t c, bool in_pattern)
{
	switch (c) {
	case '"': buf_adds(out, "\\\""); return;
	case '\\': buf_adds(out, "\\\\"); return;
	case '\n': buf_adds(out, "\\n"); return;
	case '\r': buf_adds(out, "\\r"); return;
	case '\t': buf_adds(out, "\\t"); return;
	case '\0': buf_adds(out, "\\0"); return;
	case '*':
		buf_adds(out, in_pattern ? "\\*" : "*");
		return;
	default: break;
	}
	if (c < 0x20 || c == 0x7f) {
		buf_printf(out, "\\u{%" PRIx32 "}", c);
	} else if (c < 0x80) {
		buf_addc(out, (char)c);
	} else if (c < 0x800) {
		buf_addc(out, (char)(0xC0 | (c >> 6)));
		buf_addc(out, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		buf_addc(out, (char)(0xE0 | (c >> 12)));
		buf_addc(out, (char)(0x80 | ((c >> 6) & 0x3F)));
		buf_addc(out, (char)(0x80 | (c & 0x3F)));
	} else {
		buf_addc(out, (char)(0xF0 | (c >> 18)));
		buf_addc(out, (char)(0x80 | ((c >> 12) & 0x3F)));
		buf_addc(out, (char)(0x80 | ((c >> 6) & 0x3F)));
		buf_addc(out, (char)(0x80 | (c & 0x3F)));
	}
}

void format_cedar_str(wbuf *out, const char *s, size_t n)
{
	buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			buf_addc(out, (char)c); /* UTF-8 continuation kept verbatim */
			continue;
		}
		add_escaped_cp(out, c, false);
	}
	buf_addc(out, '"');
}

void format_uid(wbuf *out, wuid uid)
{
	buf_add(out, uid.type->s, uid.type->len);
	buf_adds(out, "::");
	format_cedar_str(out, uid.id->s, uid.id->len);
}

static void add_pattern(wbuf *out, const wpattern *p)
{
	buf_addc(out, '"');
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->cps[i] == WPAT_STAR)
			buf_addc(out, '*');
		else
			add_escaped_cp(out, p->cps[i], true);
	}
	buf_addc(out, '"');
}

static unsigned utf8_width(const char *s, size_t n)
{
	unsigned w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/* ---- document construction ---- */

static doc *dnew(fmt *f, uint8_t kind)
{
	doc *d = ARENA_NEW(f->a, doc);
	d->kind = kind;
	return d;
}

/* Text that outlives the document (literals) */
static doc *dlit(fmt *f, const char *s)
{
	doc *d = dnew(f, D_TEXT);
	d->s = s;
	d->n = strlen(s);
	d->w = utf8_width(s, d->n);
	return d;
}

static doc *dbuf(fmt *f, const wbuf *b)
{
	doc *d = dnew(f, D_TEXT);
	d->s = arena_memdup(f->a, b->p ? b->p : "", b->n);
	d->n = b->n;
	d->w = utf8_width(d->s, d->n);
	return d;
}

static doc *cat(fmt *f, doc *x, doc *y)
{
	if (!x)
		return y;
	if (!y)
		return x;
	doc *d = dnew(f, D_CAT);
	d->a = x;
	d->b = y;
	return d;
}

static doc *nest(fmt *f, int k, doc *x)
{
	if (!x)
		return NULL;
	doc *d = dnew(f, D_NEST);
	d->indent = k;
	d->a = x;
	return d;
}

static doc *group(fmt *f, doc *x)
{
	if (!x)
		return NULL;
	doc *d = dnew(f, D_GROUP);
	d->a = x;
	return d;
}

static doc *dline(fmt *f) { return dnew(f, D_LINE); }
static doc *dsoft(fmt *f) { return dnew(f, D_SOFT); }
static doc *dhard(fmt *f) { return dnew(f, D_HARD); }

static bool comment_own_line(const wsource *src, uint32_t start)
{
	while (start > 0) {
		char c = src->text[start - 1];
		if (c == '\n')
			return true;
		if (c != ' ' && c != '\t' && c != '\r' && c != '\f')
			return false;
		start--;
	}
	return true;
}

static doc *comment_doc(fmt *f, const wcomment *c)
{
	doc *d = dnew(f, D_COMMENT);
	uint32_t e = c->span.end;
	while (e > c->span.start && (f->src->text[e - 1] == ' ' || f->src->text[e - 1] == '\t' ||
				     f->src->text[e - 1] == '\r'))
		e--;
	d->s = f->src->text + c->span.start;
	d->n = e - c->span.start;
	d->w = utf8_width(d->s, d->n);
	d->own_line = comment_own_line(f->src, c->span.start);
	return d;
}

/* Every not yet emitted comment that starts before source offset `pos`. */
static doc *comments_before(fmt *f, uint32_t pos)
{
	doc *d = NULL;
	if (!f->src)
		return NULL;
	while (f->ci < f->ncm && f->cm[f->ci].span.start < pos) {
		d = cat(f, d, comment_doc(f, &f->cm[f->ci]));
		f->ci++;
	}
	return d;
}

/* A token at source offset `pos` (0: unknown), preceded by the comments
 * that came before it. */
static doc *tok(fmt *f, uint32_t pos, doc *t)
{
	doc *c = comments_before(f, pos);
	return cat(f, c, t);
}

/* Offset of the next token at or after `pos`, skipping blanks and comments. */
static uint32_t next_token(const fmt *f, uint32_t pos)
{
	if (!f->src)
		return 0;
	const char *t = f->src->text;
	size_t n = f->src->len;
	while (pos < n) {
		char c = t[pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			pos++;
		} else if (c == '/' && pos + 1 < n && t[pos + 1] == '/') {
			while (pos < n && t[pos] != '\n')
				pos++;
		} else {
			break;
		}
	}
	return pos;
}

/* ---- expressions ---- */

enum { L_IF, L_OR, L_AND, L_REL, L_ADD, L_MUL, L_UNARY, L_MEMBER };

#define HAS_PATH_MAX WFMT_HAS_PATH_MAX

uint32_t format_has_path(const wexpr *e, const wexpr **root, const wsym **names)
{
	const wexpr *spine[HAS_PATH_MAX];
	uint32_t n = 0;
	const wexpr *cur = e;
	while (cur->kind == WE_AND && n < HAS_PATH_MAX - 1) {
		spine[n++] = cur->u.k.b;
		cur = cur->u.k.a;
	}
	if (n == 0 || cur->kind != WE_HASATTR || !format_is_ident(cur->u.attr.name->s, cur->u.attr.name->len))
		return 0;
	*root = cur->u.attr.obj;
	names[0] = cur->u.attr.name;
	uint32_t depth = 1;
	for (uint32_t i = n; i-- > 0;) {
		const wexpr *h = spine[i];
		if (h->kind != WE_HASATTR || !format_is_ident(h->u.attr.name->s, h->u.attr.name->len))
			return 0;
		const wexpr *g = h->u.attr.obj;
		for (uint32_t k = depth; k-- > 0;) {
			if (g->kind != WE_GETATTR || g->u.attr.name != names[k])
				return 0;
			g = g->u.attr.obj;
		}
		if (g != *root)
			return 0;
		names[depth++] = h->u.attr.name;
	}
	return depth;
}

static int level_of(const wexpr *e)
{
	const wexpr *root;
	const wsym *names[HAS_PATH_MAX];
	if (e->kind == WE_AND && format_has_path(e, &root, names))
		return 3; /* L_REL: printed as `root has a.b` */
	switch (e->kind) {
	case WE_IF: return L_IF;
	case WE_OR: return L_OR;
	case WE_AND: return L_AND;
	case WE_HASATTR:
	case WE_LIKE:
	case WE_IS: return L_REL;
	case WE_NOT:
	case WE_NEG: return L_UNARY;
	case WE_LIT:
		return (e->u.lit.kind == WV_LONG && e->u.lit.u.i < 0) ? L_UNARY : L_MEMBER;
	case WE_BINARY:
		switch (e->op) {
		case WB_EQ:
		case WB_NE:
		case WB_LT:
		case WB_LE:
		case WB_GT:
		case WB_GE:
		case WB_IN: return L_REL;
		case WB_ADD:
		case WB_SUB: return L_ADD;
		case WB_MUL: return L_MUL;
		default: return L_MEMBER; /* method-style operators */
		}
	default: return L_MEMBER;
	}
}

static doc *expr_doc(fmt *f, const wexpr *e, int min_level);

static doc *lit_doc(fmt *f, const wvalue *v)
{
	wbuf b = WBUF_INIT;
	switch (v->kind) {
	case WV_BOOL: buf_adds(&b, v->u.b ? "true" : "false"); break;
	case WV_LONG: buf_printf(&b, "%" PRId64, v->u.i); break;
	case WV_STRING: format_cedar_str(&b, v->u.s.p, v->u.s.n); break;
	case WV_ENTITY: format_uid(&b, v->u.e); break;
	default: value_print(v, &b); break;
	}
	doc *d = dbuf(f, &b);
	buf_release(&b);
	return d;
}

/* `[a, b]`, `(a, b)`, `{k: v}`: breaks after the opener, one item per line. */
static doc *bracketed(fmt *f, const char *open, doc **items, uint32_t n, const char *close, uint32_t close_pos)
{
	doc *inner = NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			inner = cat(f, inner, cat(f, dlit(f, ","), dline(f)));
		inner = cat(f, inner, items[i]);
	}
	doc *d = dlit(f, open);
	if (n > 0)
		d = cat(f, d, nest(f, (int)f->indent, cat(f, dsoft(f), inner)));
	doc *cl = tok(f, close_pos, dlit(f, close));
	if (n > 0)
		d = cat(f, d, dsoft(f));
	return group(f, cat(f, d, cl));
}

static doc *args_doc(fmt *f, wexpr *const *args, uint32_t n, uint32_t close_pos)
{
	doc **items = n ? ARENA_ARRAY(f->a, doc *, n) : NULL;
	for (uint32_t i = 0; i < n; i++)
		items[i] = expr_doc(f, args[i], L_IF);
	return bracketed(f, "(", items, n, ")", close_pos);
}

static uint32_t close_pos_of(const wexpr *e)
{
	return e->span.end > 0 ? e->span.end - 1 : 0;
}

/* `.name` or `["name"]` */
static doc *access_doc(fmt *f, const wsym *name)
{
	wbuf b = WBUF_INIT;
	if (format_is_ident(name->s, name->len)) {
		buf_addc(&b, '.');
		buf_add(&b, name->s, name->len);
	} else {
		buf_addc(&b, '[');
		format_cedar_str(&b, name->s, name->len);
		buf_addc(&b, ']');
	}
	doc *d = dbuf(f, &b);
	buf_release(&b);
	return d;
}

/* A left-associative chain of the same operator family, flattened:
 * `a && b && c`, `a + b - c`. */
static bool same_chain(const wexpr *x, const wexpr *e)
{
	if (x->kind != e->kind || level_of(x) != level_of(e))
		return false;
	if (x->kind != WE_BINARY)
		return x->kind == WE_AND || x->kind == WE_OR;
	return level_of(x) == level_of(e);
}

static doc *chain_doc(fmt *f, const wexpr *e, int item_level, bool nest_rest)
{
	uint32_t n = 0;
	const wexpr *cur = e;
	while (same_chain(cur, e)) {
		n++;
		cur = cur->u.k.a;
	}
	const wexpr **ops = ARENA_ARRAY(f->a, const wexpr *, n);
	cur = e;
	for (uint32_t i = 0; i < n; i++) {
		ops[i] = cur;
		cur = cur->u.k.a;
	}
	doc *d = expr_doc(f, cur, item_level);
	doc *rest = NULL;
	for (uint32_t i = n; i-- > 0;) {
		const char *op = ops[i]->kind == WE_AND ? "&&" : ops[i]->kind == WE_OR ? "||" : ast_binop_name(ops[i]->op);
		doc *piece = cat(f, dlit(f, " "), dlit(f, op));
		piece = cat(f, piece, dline(f));
		piece = cat(f, piece, expr_doc(f, ops[i]->u.k.b, item_level));
		rest = cat(f, rest, piece);
	}
	if (nest_rest)
		rest = nest(f, (int)f->indent, rest);
	return group(f, cat(f, d, rest));
}

static doc *unary_doc(fmt *f, const wexpr *e)
{
	/* Up to four `!` or four `-` in a row without parentheses. */
	const char *op = e->kind == WE_NOT ? "!" : "-";
	doc *d = tok(f, e->span.start, dlit(f, op));
	const wexpr *x = e->u.k.a;
	unsigned count = 1;
	while (x->kind == e->kind && count < 4) {
		d = cat(f, d, tok(f, x->span.start, dlit(f, op)));
		x = x->u.k.a;
		count++;
	}
	bool paren = false;
	if (level_of(x) < L_MEMBER)
		paren = true;
	if (e->kind == WE_NEG && x->kind == WE_LIT && x->u.lit.kind == WV_LONG)
		paren = true; /* -(5) is not the literal -5 */
	if (paren)
		return cat(f, d, cat(f, dlit(f, "("), cat(f, expr_doc(f, x, L_IF), dlit(f, ")"))));
	return cat(f, d, expr_doc(f, x, L_MEMBER));
}

static doc *expr_inner(fmt *f, const wexpr *e)
{
	switch (e->kind) {
	case WE_LIT:
		return tok(f, e->span.start, lit_doc(f, &e->u.lit));
	case WE_VAR:
		return tok(f, e->span.start, dlit(f, ast_var_name(e->u.var)));
	case WE_SLOT:
		return tok(f, e->span.start, dlit(f, e->u.slot == WSLOT_PRINCIPAL ? "?principal" : "?resource"));
	case WE_IF: {
		doc *d = tok(f, e->span.start, dlit(f, "if"));
		d = cat(f, d, nest(f, (int)f->indent, cat(f, dline(f), expr_doc(f, e->u.k.a, L_IF))));
		d = cat(f, d, cat(f, dline(f), dlit(f, "then")));
		d = cat(f, d, nest(f, (int)f->indent, cat(f, dline(f), expr_doc(f, e->u.k.b, L_IF))));
		d = cat(f, d, cat(f, dline(f), dlit(f, "else")));
		d = cat(f, d, nest(f, (int)f->indent, cat(f, dline(f), expr_doc(f, e->u.k.c, L_IF))));
		return group(f, d);
	}
	case WE_OR:
		return chain_doc(f, e, L_AND, false);
	case WE_AND: {
		const wexpr *root;
		const wsym *names[HAS_PATH_MAX];
		uint32_t n = format_has_path(e, &root, names);
		if (n == 0)
			return chain_doc(f, e, L_REL, false);
		doc *d = expr_doc(f, root, L_ADD);
		wbuf b = WBUF_INIT;
		buf_adds(&b, " has ");
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				buf_addc(&b, '.');
			buf_add(&b, names[i]->s, names[i]->len);
		}
		d = cat(f, d, dbuf(f, &b));
		buf_release(&b);
		return d;
	}
	case WE_NOT:
	case WE_NEG:
		return unary_doc(f, e);
	case WE_BINARY: {
		int lv = level_of(e);
		if (lv == L_ADD)
			return chain_doc(f, e, L_MUL, true);
		if (lv == L_MUL)
			return chain_doc(f, e, L_UNARY, true);
		if (lv == L_REL) {
			doc *d = expr_doc(f, e->u.k.a, L_ADD);
			d = cat(f, d, dlit(f, " "));
			d = cat(f, d, dlit(f, ast_binop_name(e->op)));
			d = cat(f, d, dlit(f, " "));
			return cat(f, d, expr_doc(f, e->u.k.b, L_ADD));
		}
		/* a.contains(b) and friends */
		doc *d = expr_doc(f, e->u.k.a, L_MEMBER);
		d = cat(f, d, tok(f, next_token(f, e->u.k.a->span.end), dlit(f, ".")));
		d = cat(f, d, dlit(f, ast_binop_name(e->op)));
		wexpr *arg = e->u.k.b;
		return cat(f, d, args_doc(f, &arg, 1, close_pos_of(e)));
	}
	case WE_GETATTR: {
		doc *d = expr_doc(f, e->u.attr.obj, L_MEMBER);
		return cat(f, d, tok(f, next_token(f, e->u.attr.obj->span.end), access_doc(f, e->u.attr.name)));
	}
	case WE_HASATTR: {
		doc *d = expr_doc(f, e->u.attr.obj, L_ADD);
		d = cat(f, d, dlit(f, " has "));
		wbuf b = WBUF_INIT;
		const wsym *nm = e->u.attr.name;
		if (format_is_ident(nm->s, nm->len))
			buf_add(&b, nm->s, nm->len);
		else
			format_cedar_str(&b, nm->s, nm->len);
		d = cat(f, d, dbuf(f, &b));
		buf_release(&b);
		return d;
	}
	case WE_LIKE: {
		doc *d = expr_doc(f, e->u.like.obj, L_ADD);
		d = cat(f, d, dlit(f, " like "));
		wbuf b = WBUF_INIT;
		add_pattern(&b, &e->u.like.pat);
		d = cat(f, d, dbuf(f, &b));
		buf_release(&b);
		return d;
	}
	case WE_IS: {
		doc *d = expr_doc(f, e->u.is.obj, L_ADD);
		d = cat(f, d, dlit(f, " is "));
		d = cat(f, d, dlit(f, e->u.is.type->s));
		if (e->u.is.in) {
			d = cat(f, d, dlit(f, " in "));
			d = cat(f, d, expr_doc(f, e->u.is.in, L_ADD));
		}
		return d;
	}
	case WE_SET: {
		doc *open = tok(f, e->span.start, NULL);
		uint32_t n = e->u.list.n;
		doc **items = n ? ARENA_ARRAY(f->a, doc *, n) : NULL;
		for (uint32_t i = 0; i < n; i++)
			items[i] = expr_doc(f, e->u.list.items[i], L_IF);
		return cat(f, open, bracketed(f, "[", items, n, "]", close_pos_of(e)));
	}
	case WE_RECORD: {
		doc *open = tok(f, e->span.start, NULL);
		uint32_t n = e->u.rec.n;
		doc **items = n ? ARENA_ARRAY(f->a, doc *, n) : NULL;
		for (uint32_t i = 0; i < n; i++) {
			const wsym *k = e->u.rec.keys[i];
			wbuf b = WBUF_INIT;
			if (format_is_ident(k->s, k->len))
				buf_add(&b, k->s, k->len);
			else
				format_cedar_str(&b, k->s, k->len);
			buf_adds(&b, ": ");
			doc *kd = dbuf(f, &b);
			buf_release(&b);
			items[i] = cat(f, kd, expr_doc(f, e->u.rec.vals[i], L_IF));
		}
		return cat(f, open, bracketed(f, "{", items, n, "}", close_pos_of(e)));
	}
	case WE_CALL: {
		if (e->u.call.method && e->u.call.n > 0) {
			doc *d = expr_doc(f, e->u.call.args[0], L_MEMBER);
			d = cat(f, d, tok(f, next_token(f, e->u.call.args[0]->span.end), dlit(f, ".")));
			d = cat(f, d, dlit(f, e->u.call.name->s));
			return cat(f, d, args_doc(f, e->u.call.args + 1, e->u.call.n - 1, close_pos_of(e)));
		}
		doc *d = tok(f, e->span.start, dlit(f, e->u.call.name->s));
		return cat(f, d, args_doc(f, e->u.call.args, e->u.call.n, close_pos_of(e)));
	}
	case WE_ISEMPTY: {
		doc *d = expr_doc(f, e->u.k.a, L_MEMBER);
		return cat(f, d, tok(f, next_token(f, e->u.k.a->span.end), dlit(f, ".isEmpty()")));
	}
	}
	return dlit(f, "?");
}

static doc *expr_doc(fmt *f, const wexpr *e, int min_level)
{
	if (level_of(e) >= min_level)
		return expr_inner(f, e);
	doc *d = dlit(f, "(");
	d = cat(f, d, nest(f, 1, expr_inner(f, e)));
	return group(f, cat(f, d, dlit(f, ")")));
}

/* ---- policies ---- */

static doc *scope_doc(fmt *f, const wscope *s, const char *var)
{
	doc *d = tok(f, s->span.start, dlit(f, var));
	wbuf b = WBUF_INIT;
	switch (s->op) {
	case WSC_ANY:
		break;
	case WSC_EQ:
	case WSC_IN:
		buf_adds(&b, s->op == WSC_EQ ? " == " : " in ");
		if (s->slot)
			buf_adds(&b, var[0] == 'p' ? "?principal" : "?resource");
		else
			format_uid(&b, s->uid);
		break;
	case WSC_IS:
	case WSC_IS_IN:
		buf_adds(&b, " is ");
		buf_add(&b, s->type->s, s->type->len);
		if (s->op == WSC_IS_IN) {
			buf_adds(&b, " in ");
			if (s->slot)
				buf_adds(&b, var[0] == 'p' ? "?principal" : "?resource");
			else
				format_uid(&b, s->uid);
		}
		break;
	case WSC_IN_SET: {
		buf_adds(&b, " in ");
		d = cat(f, d, dbuf(f, &b));
		buf_release(&b);
		doc **items = s->nlist ? ARENA_ARRAY(f->a, doc *, s->nlist) : NULL;
		for (uint32_t i = 0; i < s->nlist; i++) {
			wbuf u = WBUF_INIT;
			format_uid(&u, s->list[i]);
			items[i] = dbuf(f, &u);
			buf_release(&u);
		}
		return cat(f, d, bracketed(f, "[", items, s->nlist, "]", s->span.end ? s->span.end - 1 : 0));
	}
	}
	if (b.n)
		d = cat(f, d, dbuf(f, &b));
	buf_release(&b);
	return d;
}

static bool comments_within(const fmt *f, uint32_t from, uint32_t to)
{
	if (!f->src)
		return false;
	for (uint32_t i = f->ci; i < f->ncm; i++) {
		if (f->cm[i].span.start >= to)
			break;
		if (f->cm[i].span.start >= from)
			return true;
	}
	return false;
}

static doc *policy_doc(fmt *f, const wpolicy *p)
{
	doc *d = NULL;
	for (uint32_t i = 0; i < p->nannos; i++) {
		const wannotation *an = &p->annos[i];
		wbuf b = WBUF_INIT;
		buf_addc(&b, '@');
		buf_add(&b, an->key->s, an->key->len);
		if (an->has_value) {
			buf_addc(&b, '(');
			format_cedar_str(&b, an->val, an->vlen);
			buf_addc(&b, ')');
		}
		d = cat(f, d, tok(f, an->span.start, dbuf(f, &b)));
		d = cat(f, d, dhard(f));
		buf_release(&b);
	}
	uint32_t eff_pos = next_token(f, p->nannos ? p->annos[p->nannos - 1].span.end : p->span.start);
	d = cat(f, d, tok(f, eff_pos, dlit(f, p->effect == WEFF_PERMIT ? "permit" : "forbid")));
	d = cat(f, d, dlit(f, " "));
	uint32_t lp_pos = next_token(f, eff_pos + 6);
	d = cat(f, d, tok(f, lp_pos, dlit(f, "(")));

	uint32_t rp_pos = next_token(f, p->resource.span.end);
	bool multiline = p->principal.op == WSC_EQ || p->principal.op == WSC_IN || p->principal.op == WSC_IS_IN ||
			 p->action.op != WSC_ANY || p->resource.op == WSC_EQ || p->resource.op == WSC_IN ||
			 p->resource.op == WSC_IS_IN || comments_within(f, lp_pos, rp_pos);
	doc *pd = scope_doc(f, &p->principal, "principal");
	doc *ad = scope_doc(f, &p->action, "action");
	doc *rd = scope_doc(f, &p->resource, "resource");
	doc *rp = tok(f, rp_pos, dlit(f, ")"));
	if (multiline) {
		doc *in = cat(f, dhard(f), pd);
		in = cat(f, in, cat(f, dlit(f, ","), dhard(f)));
		in = cat(f, in, ad);
		in = cat(f, in, cat(f, dlit(f, ","), dhard(f)));
		in = cat(f, in, rd);
		d = cat(f, d, nest(f, (int)f->indent, in));
		d = cat(f, d, dhard(f));
		d = cat(f, d, rp);
	} else {
		doc *in = pd;
		in = cat(f, in, cat(f, dlit(f, ","), dline(f)));
		in = cat(f, in, ad);
		in = cat(f, in, cat(f, dlit(f, ","), dline(f)));
		in = cat(f, in, rd);
		d = cat(f, d, group(f, cat(f, nest(f, (int)f->indent, in), rp)));
	}

	for (uint32_t i = 0; i < p->nconds; i++) {
		const wcond *c = &p->conds[i];
		doc *cd = tok(f, c->span.start, dlit(f, c->is_when ? "when" : "unless"));
		uint32_t lb = next_token(f, c->span.start + (c->is_when ? 4 : 6));
		cd = cat(f, cd, dline(f));
		cd = cat(f, cd, tok(f, lb, dlit(f, "{")));
		doc *body = group(f, expr_doc(f, c->body, L_IF));
		cd = cat(f, cd, nest(f, (int)f->indent, cat(f, dline(f), body)));
		cd = cat(f, cd, dline(f));
		cd = cat(f, cd, tok(f, c->span.end ? c->span.end - 1 : 0, dlit(f, "}")));
		d = cat(f, d, dhard(f));
		d = cat(f, d, group(f, cd));
	}
	d = cat(f, d, tok(f, p->span.end ? p->span.end - 1 : 0, dlit(f, ";")));
	return d;
}

/* ---- rendering ---- */

typedef struct cmd {
	int indent;
	bool flat;
	const doc *d;
} cmd;

typedef struct cmdstack {
	cmd *v;
	size_t n, cap;
} cmdstack;

static void push(cmdstack *s, int indent, bool flat, const doc *d)
{
	if (!d)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n].indent = indent;
	s->v[s->n].flat = flat;
	s->v[s->n].d = d;
	s->n++;
}

typedef struct render {
	wbuf *out;
	int width;
	int col;
	int pending_indent;
	bool content;       /* the current line has text */
	bool need_nl;       /* a comment ended the current line */
	bool prev_comment;  /* the previous line ends with a comment */
	bool prev_line;     /* there is a previous line in this document */
	size_t line_start;  /* offset of the current line in out */
	cmdstack scratch;   /* for fits() */
} render;

/* Does `d` laid out flat, followed by the rest of the stack up to its
 * next line break, fit in `w` columns? */
static bool fits(render *r, int w, const doc *d, const cmdstack *rest)
{
	cmdstack *s = &r->scratch;
	s->n = 0;
	push(s, 0, true, d);
	size_t ri = rest->n;
	bool in_rest = false;
	while (w >= 0) {
		if (s->n == 0) {
			if (ri == 0)
				return true;
			ri--;
			push(s, 0, rest->v[ri].flat, rest->v[ri].d);
			in_rest = true;
			continue;
		}
		cmd c = s->v[--s->n];
		const doc *x = c.d;
		switch (x->kind) {
		case D_TEXT:
			w -= (int)x->w;
			break;
		case D_LINE:
		case D_SOFT:
			if (!c.flat)
				return true;
			w -= x->kind == D_LINE ? 1 : 0;
			break;
		case D_HARD:
		case D_COMMENT:
			return in_rest;
		case D_NEST:
		case D_GROUP:
			push(s, 0, c.flat, x->a);
			break;
		case D_CAT:
			push(s, 0, c.flat, x->b);
			push(s, 0, c.flat, x->a);
			break;
		}
	}
	return false;
}

static void trim_line(render *r)
{
	wbuf *o = r->out;
	while (o->n > r->line_start && (o->p[o->n - 1] == ' ' || o->p[o->n - 1] == '\t'))
		o->n--;
	if (o->p)
		o->p[o->n] = '\0';
}

static void newline(render *r, int indent, bool ends_comment)
{
	if (r->content) {
		trim_line(r);
		buf_addc(r->out, '\n');
		r->line_start = r->out->n;
		r->prev_line = true;
		r->prev_comment = ends_comment;
	}
	r->content = false;
	r->need_nl = false;
	r->pending_indent = indent;
	r->col = indent;
}

static void emit(render *r, int indent, const char *s, size_t n, unsigned w)
{
	if (r->need_nl)
		newline(r, indent, true);
	if (!r->content) {
		for (int i = 0; i < r->pending_indent; i++)
			buf_addc(r->out, ' ');
		r->col = r->pending_indent;
		r->content = true;
	}
	buf_add(r->out, s, n);
	r->col += (int)w;
}

static void emit_comment(render *r, int indent, const doc *x)
{
	if (!x->own_line) {
		if (r->content && !r->need_nl) {
			trim_line(r);
			buf_addc(r->out, ' ');
			buf_add(r->out, x->s, x->n);
			r->need_nl = true;
			return;
		}
		if (!r->content && r->prev_line && !r->prev_comment && r->out->n > 0 &&
		    r->out->p[r->out->n - 1] == '\n') {
			/* pull the comment back onto the line it trailed */
			r->out->n--;
			buf_addc(r->out, ' ');
			buf_add(r->out, x->s, x->n);
			buf_addc(r->out, '\n');
			r->line_start = r->out->n;
			r->prev_comment = true;
			return;
		}
	}
	if (r->content)
		newline(r, indent, false);
	emit(r, indent, x->s, x->n, x->w);
	r->need_nl = true;
}

static void render_doc(const doc *root, int width, wbuf *out)
{
	render r;
	memset(&r, 0, sizeof r);
	r.out = out;
	r.width = width;
	r.line_start = out->n;
	cmdstack st = {NULL, 0, 0};
	push(&st, 0, false, root);
	while (st.n > 0) {
		cmd c = st.v[--st.n];
		const doc *x = c.d;
		switch (x->kind) {
		case D_TEXT:
			emit(&r, c.indent, x->s, x->n, x->w);
			break;
		case D_LINE:
		case D_SOFT:
			if (c.flat && !r.need_nl) {
				if (x->kind == D_LINE)
					emit(&r, c.indent, " ", 1, 1);
			} else {
				newline(&r, c.indent, r.need_nl);
			}
			break;
		case D_HARD:
			newline(&r, c.indent, r.need_nl);
			break;
		case D_COMMENT:
			emit_comment(&r, c.indent, x);
			break;
		case D_NEST:
			push(&st, c.indent + x->indent, c.flat, x->a);
			break;
		case D_GROUP: {
			bool flat = c.flat;
			if (!flat) {
				int col = r.content ? r.col : r.pending_indent;
				flat = !r.need_nl && fits(&r, r.width - col, x->a, &st);
			}
			push(&st, c.indent, flat, x->a);
			break;
		}
		case D_CAT:
			push(&st, c.indent, c.flat, x->b);
			push(&st, c.indent, c.flat, x->a);
			break;
		}
	}
	if (r.content)
		trim_line(&r);
	free(st.v);
	free(r.scratch.v);
}

/* ---- entry points ---- */

void format_opts_default(wfmt_opts *o)
{
	o->line_width = WFMT_DEFAULT_WIDTH;
	o->indent = WFMT_DEFAULT_INDENT;
}

static void fmt_init(fmt *f, warena *a, const wfmt_opts *o)
{
	memset(f, 0, sizeof *f);
	f->a = a;
	f->indent = (o && o->indent) ? o->indent : WFMT_DEFAULT_INDENT;
}

static int width_of(const wfmt_opts *o)
{
	return (o && o->line_width) ? (int)o->line_width : WFMT_DEFAULT_WIDTH;
}

void format_policy(const wpolicy *p, const wfmt_opts *o, wbuf *out)
{
	warena a;
	arena_init(&a);
	fmt f;
	fmt_init(&f, &a, o);
	render_doc(policy_doc(&f, p), width_of(o), out);
	arena_release(&a);
}

void format_expr(const wexpr *e, const wfmt_opts *o, wbuf *out)
{
	warena a;
	arena_init(&a);
	fmt f;
	fmt_init(&f, &a, o);
	render_doc(group(&f, expr_doc(&f, e, L_IF)), width_of(o), out);
	arena_release(&a);
}

/* Does the source have a blank line between offsets a and b? */
static bool blank_between(const wsource *src, uint32_t a, uint32_t b)
{
	int nl = 0;
	for (uint32_t i = a; i < b && i < src->len; i++) {
		char c = src->text[i];
		if (c == '\n') {
			if (++nl >= 2)
				return true;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			nl = 0;
		}
	}
	return false;
}

static bool same_line(const wsource *src, uint32_t a, uint32_t b)
{
	for (uint32_t i = a; i < b && i < src->len; i++)
		if (src->text[i] == '\n')
			return false;
	return true;
}

void format_policyset(const wpolicyset *ps, const wfmt_opts *o, wbuf *out)
{
	warena a;
	arena_init(&a);
	fmt f;
	fmt_init(&f, &a, o);
	if (ps->nsources == 1) {
		f.src = ps->sources[0];
		f.cm = ps->comments;
		f.ncm = ps->ncomments;
	}
	int width = width_of(o);
	bool any = false;
	uint32_t last_end = 0;
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		if (p->template_of)
			continue;
		fmt *fp = &f;
		fmt plain;
		if (f.src && p->src != f.src) {
			fmt_init(&plain, &a, o);
			fp = &plain;
		}
		if (any)
			buf_adds(out, "\n\n");
		doc *d = fp->src ? comments_before(fp, p->span.start) : NULL;
		d = cat(fp, d, policy_doc(fp, p));
		/* comments after the ';' on the same line trail the policy */
		while (fp->src && fp->ci < fp->ncm && same_line(fp->src, p->span.end, fp->cm[fp->ci].span.start)) {
			d = cat(fp, d, comment_doc(fp, &fp->cm[fp->ci]));
			fp->ci++;
		}
		render_doc(d, width, out);
		any = true;
		last_end = p->span.end;
	}
	/* comments after the last policy */
	if (f.src && f.ci < f.ncm) {
		if (any)
			buf_adds(out, blank_between(f.src, last_end, f.cm[f.ci].span.start) ? "\n\n" : "\n");
		doc *d = comments_before(&f, UINT32_MAX);
		render_doc(d, width, out);
		any = true;
	}
	if (any)
		buf_addc(out, '\n');
	arena_release(&a);
}

int format_source(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, const wfmt_opts *o,
		  wbuf *out, wdiags *d)
{
	int nerr = parse_policies(cx, ps, name, text, len, d);
	if (nerr == 0)
		format_policyset(ps, o, out);
	return nerr;
}
