/* parser: recursive descent over lexer tokens, producing the AST (ast.h).
 *
 * The grammar and its acceptance follow the reference implementation
 * (Cedar 4.x): what it parses we parse, what it rejects we reject with a
 * located message. Precedence, loosest first:
 *
 *   if-then-else < || < && < relation (== != < <= > >= in has like is; not
 *   chainable) < + - < * < unary (! or -, at most 4) < member access < primary
 *
 * Errors come in two kinds. A syntax error (an unexpected token, nesting
 * too deep) is reported and abandons the current policy: the parser
 * longjmps back to the policy loop, which skips to the `;` ending that
 * policy and goes on with the next one. A semantic error (a reserved word
 * used as a name, an unknown function, a bad escape, a duplicate key) is
 * reported and parsing continues, so one policy can yield several. A policy
 * with any error is not added to the set. The longjmp never leaves this file.
 *
 * Memory: nodes, strings and patterns go to the target arena; names are
 * interned in the engine context; the token array is heap and freed here.
 */
#include "cedar/parser.h"
#include "cedar/ext.h"
#include "cedar/lexer.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
	wctx *cx;
	warena *a;          /* nodes and literal data */
	const wsource *src;
	wdiags *d;
	const wtoken *t;    /* tokens, ending with WT_EOF */
	uint32_t nt, pos;
	uint32_t prev_end;  /* end of the last consumed token */
	int depth;          /* current nesting, bounded by WARD_MAX_NESTING */
	bool slots_ok;      /* parsing a scope entity: slots may appear */
	jmp_buf *jb;        /* where a syntax error returns to */
} parser;

/* ---- tokens ---------------------------------------------------------- */

static const wtoken *peek(const parser *p)
{
	return &p->t[p->pos];
}

static const wtoken *peek2(const parser *p)
{
	return &p->t[p->pos + 1 < p->nt ? p->pos + 1 : p->nt - 1];
}

static const wtoken *next(parser *p)
{
	const wtoken *tk = &p->t[p->pos];
	if (tk->kind != WT_EOF)
		p->pos++;
	p->prev_end = tk->span.end;
	return tk;
}

static const char *tok_text(const parser *p, const wtoken *tk)
{
	return p->src->text + tk->span.start;
}

static uint32_t tok_len(const wtoken *tk)
{
	return tk->span.end - tk->span.start;
}

static bool tok_is(const parser *p, const wtoken *tk, const char *kw)
{
	size_t n = strlen(kw);
	return tk->kind == WT_IDENT && tok_len(tk) == n && memcmp(tok_text(p, tk), kw, n) == 0;
}

static wspan span2(wspan a, wspan b)
{
	wspan s = {a.start, b.end};
	return s;
}

/* Identifiers that can never name anything (the reference's reserved list). */
static bool is_reserved_word(const char *s, size_t n)
{
	static const char *const words[] = {"true", "false", "if", "then", "else", "in", "is", "like", "has"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

static bool is_cedar_reserved(const char *s, size_t n)
{
	return n == 7 && memcmp(s, "__cedar", 7) == 0;
}

/* ---- errors ---------------------------------------------------------- */

/* Describes a token for "found ..." parts of messages. */
static void describe(const parser *p, const wtoken *tk, wbuf *b)
{
	switch (tk->kind) {
	case WT_IDENT:
	case WT_INT:
	case WT_SLOT:
	case WT_STR: {
		uint32_t n = tok_len(tk);
		if (n > 40)
			buf_printf(b, "'%.*s...'", 37, tok_text(p, tk));
		else
			buf_printf(b, "'%.*s'", (int)n, tok_text(p, tk));
		break;
	}
	default:
		buf_adds(b, lex_tok_name((wtokkind)tk->kind));
	}
}

static void sem_error(parser *p, wspan sp, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void sem_error(parser *p, wspan sp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(p->d, WSEV_ERROR, p->src, sp, fmt, ap);
	va_end(ap);
}

/* Reports "expected WHAT, found TOKEN" (unless the token is a lexical error,
 * already reported) and abandons the policy. */
static _Noreturn void syntax_error(parser *p, const wtoken *tk, const char *what)
{
	if (tk->kind != WT_ERROR) {
		wbuf b = WBUF_INIT;
		describe(p, tk, &b);
		diag_add(p->d, WSEV_ERROR, p->src, tk->span, "expected %s, found %s", what, b.p);
		buf_release(&b);
	}
	longjmp(*p->jb, 1);
}

static _Noreturn void syntax_msg(parser *p, wspan sp, const char *msg)
{
	diag_add(p->d, WSEV_ERROR, p->src, sp, "%s", msg);
	longjmp(*p->jb, 1);
}

static const wtoken *expect(parser *p, wtokkind k, const char *what)
{
	if (peek(p)->kind != k)
		syntax_error(p, peek(p), what);
	return next(p);
}

static void enter(parser *p)
{
	if (++p->depth > WARD_MAX_NESTING) {
		wbuf b = WBUF_INIT;
		buf_printf(&b, "expression is nested too deeply (the limit is %d levels)", WARD_MAX_NESTING);
		diag_add(p->d, WSEV_ERROR, p->src, peek(p)->span, "%s", b.p);
		buf_release(&b);
		longjmp(*p->jb, 1);
	}
}

/* ---- nodes ----------------------------------------------------------- */

/* Every node made here carries its height (1 for a leaf) just before it, so
 * the height of a tree is known as it is built without walking it. Heights
 * are bounded by PARSE_MAX_HEIGHT: chains of binary operators and `has`
 * paths are loops in the parser, but they still make deep trees that the
 * evaluator and other consumers walk recursively. */
#define PARSE_MAX_HEIGHT (4 * WARD_MAX_NESTING)

typedef struct pnode {
	uint32_t h;
	wexpr e;
} pnode;

static uint32_t height(const wexpr *e)
{
	return ((const pnode *)(const void *)((const char *)e - offsetof(pnode, e)))->h;
}

static wexpr *mk(parser *p, wexkind k, wspan sp)
{
	pnode *n = ARENA_NEW(p->a, pnode);
	n->h = 1;
	n->e.kind = (uint8_t)k;
	n->e.span = sp;
	return &n->e;
}

static uint32_t hmax(uint32_t a, const wexpr *e)
{
	uint32_t h = e ? height(e) : 0;
	return h > a ? h : a;
}

/* Computes a finished node's height from its children; rejects trees
 * taller than PARSE_MAX_HEIGHT. */
static wexpr *done(parser *p, wexpr *e)
{
	uint32_t h = 0;
	switch (e->kind) {
	case WE_IF: h = hmax(hmax(hmax(0, e->u.k.a), e->u.k.b), e->u.k.c); break;
	case WE_AND:
	case WE_OR:
	case WE_BINARY: h = hmax(hmax(0, e->u.k.a), e->u.k.b); break;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY: h = hmax(0, e->u.k.a); break;
	case WE_GETATTR:
	case WE_HASATTR: h = hmax(0, e->u.attr.obj); break;
	case WE_LIKE: h = hmax(0, e->u.like.obj); break;
	case WE_IS: h = hmax(hmax(0, e->u.is.obj), e->u.is.in); break;
	case WE_SET:
		for (uint32_t i = 0; i < e->u.list.n; i++)
			h = hmax(h, e->u.list.items[i]);
		break;
	case WE_RECORD:
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			h = hmax(h, e->u.rec.vals[i]);
		break;
	case WE_CALL:
		for (uint32_t i = 0; i < e->u.call.n; i++)
			h = hmax(h, e->u.call.args[i]);
		break;
	default: break;
	}
	((pnode *)(void *)((char *)e - offsetof(pnode, e)))->h = h + 1;
	if (h + 1 > PARSE_MAX_HEIGHT) {
		diag_add(p->d, WSEV_ERROR, p->src, e->span,
			 "expression is nested too deeply (the limit is %d levels of operators)", PARSE_MAX_HEIGHT);
		longjmp(*p->jb, 1);
	}
	return e;
}

static wexpr *mk2(parser *p, wexkind k, wexpr *a, wexpr *b)
{
	wexpr *e = mk(p, k, span2(a->span, b->span));
	e->u.k.a = a;
	e->u.k.b = b;
	return done(p, e);
}

static wexpr *mkbin(parser *p, wbinop op, wexpr *a, wexpr *b)
{
	wexpr *e = mk2(p, WE_BINARY, a, b);
	e->op = (uint8_t)op;
	return e;
}

static wexpr *mklit(parser *p, wvalue v, wspan sp)
{
	wexpr *e = mk(p, WE_LIT, sp);
	e->u.lit = v;
	return e;
}

/* A placeholder after a semantic error, so parsing can go on. */
static wexpr *dummy(parser *p, wspan sp)
{
	return mklit(p, value_bool(false), sp);
}

static wexpr *mkattr(parser *p, wexkind k, wexpr *obj, const wsym *name, wspan sp)
{
	wexpr *e = mk(p, k, sp);
	e->u.attr.obj = obj;
	e->u.attr.name = name;
	return done(p, e);
}

/* A growable array of pointers in the arena (old copies are left behind;
 * total waste is bounded by the final size). */
typedef struct pvec {
	void **v;
	uint32_t n, cap;
} pvec;

static void pvec_push(parser *p, pvec *pv, void *x)
{
	if (pv->n == pv->cap) {
		uint32_t nc = pv->cap ? pv->cap * 2 : 4;
		void **nv = arena_alloc(p->a, nc * sizeof *nv);
		if (pv->n)
			memcpy(nv, pv->v, pv->n * sizeof *nv);
		pv->v = nv;
		pv->cap = nc;
	}
	pv->v[pv->n++] = x;
}

/* ---- string literals --------------------------------------------------- */

static int hexval(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

typedef struct strcur {
	const unsigned char *s;
	uint32_t n, i;
} strcur;

/* Next scalar value of already-validated UTF-8, or -1 at the end. */
static int64_t cur_next(strcur *c)
{
	if (c->i >= c->n)
		return -1;
	uint32_t cp;
	int k = lex_utf8_decode(c->s + c->i, c->n - c->i, &cp);
	if (k == 0) {
		cp = c->s[c->i];
		k = 1;
	}
	c->i += (uint32_t)k;
	return cp;
}

/* Decodes the escapes of a string token as Rust string literals do
 * (\n \r \t \\ \0 \' \" \xHH up to 0x7F, \u{1-6 hex digits, '_' allowed
 * after the first} naming a scalar value). With `pattern`, `\*` is a literal
 * star and any other `*` (however written) is the wildcard. Each bad escape
 * is reported; returns 0 when there was none. Output: UTF-8 bytes in the
 * arena (strings) or code points (patterns). */
static int unescape(parser *p, const wtoken *tk, bool pattern, const char **out, uint32_t *outn,
		    wpattern *pat)
{
	uint32_t base = tk->span.start + 1;
	strcur c = {(const unsigned char *)p->src->text + base, tok_len(tk) - 2, 0};
	char *bytes = arena_alloc(p->a, c.n + 1);
	uint32_t nb = 0;
	uint32_t *cps = pattern ? arena_alloc(p->a, (c.n + 1) * sizeof *cps) : NULL;
	uint32_t ncp = 0;
	int errs = 0;
	for (;;) {
		uint32_t at = c.i;
		int64_t ch = cur_next(&c);
		if (ch < 0)
			break;
		uint32_t v = (uint32_t)ch;
		bool literal_star = false;
		const char *err = NULL;
		if (ch == '\r') {
			err = "bare carriage return in a string literal; write it as \\r";
		} else if (ch == '\\') {
			int64_t e = cur_next(&c);
			switch (e) {
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 't': v = '\t'; break;
			case '\\': v = '\\'; break;
			case '0': v = 0; break;
			case '\'': v = '\''; break;
			case '"': v = '"'; break;
			case '*':
				if (pattern) {
					v = '*';
					literal_star = true;
				} else {
					err = "invalid escape '\\*' in a string literal (only 'like' patterns may escape '*')";
				}
				break;
			case 'x': {
				int64_t h = cur_next(&c), l = h < 0 ? -1 : cur_next(&c);
				if (h < 0 || l < 0) {
					err = "incomplete '\\x' escape: expected two hex digits";
				} else if (hexval((uint32_t)h) < 0 || hexval((uint32_t)l) < 0) {
					err = "invalid character in '\\x' escape: expected two hex digits";
				} else {
					v = (uint32_t)(hexval((uint32_t)h) * 16 + hexval((uint32_t)l));
					if (v > 0x7F)
						err = "'\\x' escape out of range: it must be at most \\x7F; use \\u{...}";
				}
				break;
			}
			case 'u': {
				if (cur_next(&c) != '{') {
					err = "'\\u' escape must be written \\u{...}";
					break;
				}
				int64_t f = cur_next(&c);
				if (f < 0) {
					err = "unterminated '\\u{...}' escape";
					break;
				}
				if (f == '_') {
					err = "'\\u{...}' escape may not start with '_'";
					break;
				}
				if (f == '}') {
					err = "empty '\\u{}' escape";
					break;
				}
				if (hexval((uint32_t)f) < 0) {
					err = "invalid character in '\\u{...}' escape";
					break;
				}
				uint32_t val = (uint32_t)hexval((uint32_t)f);
				int nd = 1;
				for (;;) {
					int64_t g = cur_next(&c);
					if (g < 0) {
						err = "unterminated '\\u{...}' escape";
						break;
					}
					if (g == '_')
						continue;
					if (g == '}') {
						if (nd > 6)
							err = "'\\u{...}' escape has more than 6 hex digits";
						else if (val > 0x10FFFF)
							err = "'\\u{...}' escape is out of range (above 10FFFF)";
						else if (val >= 0xD800 && val <= 0xDFFF)
							err = "'\\u{...}' escape is a lone surrogate, not a Unicode scalar value";
						break;
					}
					if (hexval((uint32_t)g) < 0) {
						err = "invalid character in '\\u{...}' escape";
						break;
					}
					if (++nd <= 6)
						val = val * 16 + (uint32_t)hexval((uint32_t)g);
				}
				v = val;
				break;
			}
			case -1:
				err = "incomplete escape at the end of a string literal";
				break;
			default:
				err = "invalid escape in a string literal; valid escapes are \\n \\r \\t \\\\ \\0 \\' \\\" \\x.. and \\u{...}";
				break;
			}
		}
		if (err) {
			wspan sp = {base + at, base + c.i};
			sem_error(p, sp, "%s", err);
			errs++;
			continue;
		}
		if (pattern) {
			cps[ncp++] = (v == '*' && !literal_star) ? WPAT_STAR : v;
		} else {
			char enc[4];
			int k = lex_utf8_encode(v, enc);
			memcpy(bytes + nb, enc, (size_t)k);
			nb += (uint32_t)k;
		}
	}
	bytes[nb] = '\0';
	if (out) {
		*out = bytes;
		*outn = nb;
	}
	if (pat) {
		pat->n = ncp;
		pat->cps = cps;
	}
	return errs;
}

/* A string token's decoded text interned as a symbol (NULL after errors). */
static const wsym *str_sym(parser *p, const wtoken *tk)
{
	const char *s;
	uint32_t n;
	if (unescape(p, tk, false, &s, &n, NULL))
		return NULL;
	return ctx_sym(p->cx, s, n);
}

/* ---- names ------------------------------------------------------------- */

/* Path ::= IDENT {'::' IDENT}. Consumes `::` only when an identifier
 * follows, so `A::"id"` leaves `::` for the caller. Returns the number of
 * components; their tokens are p->t[first .. first+n). */
static uint32_t path_tokens(parser *p, uint32_t *first)
{
	*first = p->pos;
	uint32_t n = 1;
	next(p);
	while (peek(p)->kind == WT_COLONCOLON && peek2(p)->kind == WT_IDENT) {
		next(p);
		next(p);
		n++;
	}
	return n;
}

/* Checks a path's components and reports reserved words; returns true when
 * every component may name a type or function. */
static bool path_ok(parser *p, uint32_t first, uint32_t n)
{
	bool ok = true;
	for (uint32_t i = 0; i < n; i++) {
		const wtoken *tk = &p->t[first + 2 * i];
		const char *s = tok_text(p, tk);
		uint32_t l = tok_len(tk);
		if (is_reserved_word(s, l)) {
			sem_error(p, tk->span, "'%.*s' is a reserved identifier and cannot be used in a name", (int)l, s);
			ok = false;
		} else if (is_cedar_reserved(s, l)) {
			sem_error(p, tk->span, "'__cedar' is reserved for Cedar and cannot be used in a name");
			ok = false;
		}
	}
	return ok;
}

static wspan path_span(const parser *p, uint32_t first, uint32_t n)
{
	return span2(p->t[first].span, p->t[first + 2 * (n - 1)].span);
}

/* The path's components joined with "::", interned. */
static const wsym *path_sym(parser *p, uint32_t first, uint32_t n)
{
	wbuf b = WBUF_INIT;
	for (uint32_t i = 0; i < n; i++) {
		const wtoken *tk = &p->t[first + 2 * i];
		if (i)
			buf_adds(&b, "::");
		buf_add(&b, tok_text(p, tk), tok_len(tk));
	}
	const wsym *s = ctx_sym(p->cx, b.p, b.n);
	buf_release(&b);
	return s;
}

/* An entity type name: Path (used after `is`). */
static const wsym *type_name(parser *p, wspan *sp)
{
	if (peek(p)->kind != WT_IDENT)
		syntax_error(p, peek(p), "an entity type name");
	uint32_t first, n = path_tokens(p, &first);
	*sp = path_span(p, first, n);
	path_ok(p, first, n);
	return path_sym(p, first, n);
}

static bool var_of(const parser *p, const wtoken *tk, wvar *v)
{
	if (tok_is(p, tk, "principal"))
		*v = WVAR_PRINCIPAL;
	else if (tok_is(p, tk, "action"))
		*v = WVAR_ACTION;
	else if (tok_is(p, tk, "resource"))
		*v = WVAR_RESOURCE;
	else if (tok_is(p, tk, "context"))
		*v = WVAR_CONTEXT;
	else
		return false;
	return true;
}

/* An attribute name after `.` or in `has a.b`: any identifier but the
 * reserved ones. */
static const wsym *attr_ident(parser *p, const wtoken *tk)
{
	const char *s = tok_text(p, tk);
	uint32_t l = tok_len(tk);
	if (is_reserved_word(s, l) || is_cedar_reserved(s, l))
		sem_error(p, tk->span,
			  "'%.*s' is a reserved identifier and cannot be an attribute name here; use [\"%.*s\"]",
			  (int)l, s, (int)l, s);
	return ctx_sym(p->cx, s, l);
}

/* ---- expressions ------------------------------------------------------- */

static wexpr *expr(parser *p);

/* '(' [Expr {',' Expr} [',']] ')' ; the '(' is the current token. */
static pvec call_args(parser *p)
{
	pvec args = {0};
	next(p);
	while (peek(p)->kind != WT_RPAREN) {
		pvec_push(p, &args, expr(p));
		if (peek(p)->kind != WT_COMMA)
			break;
		next(p);
	}
	expect(p, WT_RPAREN, "',' or ')'");
	return args;
}

static bool is_builtin_method(const char *s, size_t n, wbinop *op, unsigned *arity, bool *isempty)
{
	static const struct {
		const char *name;
		wbinop op;
	} bm[] = {
		{"contains", WB_CONTAINS}, {"containsAll", WB_CONTAINSALL}, {"containsAny", WB_CONTAINSANY},
		{"hasTag", WB_HASTAG},     {"getTag", WB_GETTAG},
	};
	for (size_t i = 0; i < sizeof bm / sizeof bm[0]; i++) {
		if (strlen(bm[i].name) == n && memcmp(bm[i].name, s, n) == 0) {
			*op = bm[i].op;
			*arity = 1;
			*isempty = false;
			return true;
		}
	}
	if (n == 7 && memcmp(s, "isEmpty", 7) == 0) {
		*arity = 0;
		*isempty = true;
		*op = WB_EQ;
		return true;
	}
	return false;
}

static wexpr **args_array(parser *p, pvec *args, wexpr *recv)
{
	uint32_t n = args->n + (recv ? 1 : 0);
	wexpr **v = ARENA_ARRAY(p->a, wexpr *, n ? n : 1);
	uint32_t k = 0;
	if (recv)
		v[k++] = recv;
	for (uint32_t i = 0; i < args->n; i++)
		v[k++] = args->v[i];
	return v;
}

/* recv '.' name '(' args ')' : builtin methods with their exact arity, else
 * an extension method. */
static wexpr *method_call(parser *p, wexpr *recv, const wtoken *name)
{
	const char *s = tok_text(p, name);
	uint32_t l = tok_len(name);
	pvec args = call_args(p);
	wspan sp = {recv->span.start, p->prev_end};
	wbinop op;
	unsigned arity;
	bool isempty;
	if (is_builtin_method(s, l, &op, &arity, &isempty)) {
		if (args.n != arity) {
			sem_error(p, sp, "'%.*s' takes exactly %u argument%s, but %u %s given", (int)l, s, arity,
				  arity == 1 ? "" : "s", args.n, args.n == 1 ? "was" : "were");
			return dummy(p, sp);
		}
		if (isempty) {
			wexpr *e = mk(p, WE_ISEMPTY, sp);
			e->u.k.a = recv;
			return done(p, e);
		}
		wexpr *e = mkbin(p, op, recv, args.v[0]);
		e->span = sp;
		return e;
	}
	const wext_fn *fn = ext_lookup(s, l, true);
	if (!fn) {
		if (ext_lookup(s, l, false))
			sem_error(p, name->span, "'%.*s' is a function, not a method; call it as %.*s(...)", (int)l, s,
				  (int)l, s);
		else
			sem_error(p, name->span, "'%.*s' is not a known method or extension method", (int)l, s);
		return dummy(p, sp);
	}
	wexpr *e = mk(p, WE_CALL, sp);
	e->u.call.fn = fn;
	e->u.call.name = ctx_sym(p->cx, s, l);
	e->u.call.args = args_array(p, &args, recv);
	e->u.call.n = args.n + 1;
	e->u.call.method = true;
	return done(p, e);
}

/* Path '(' args ')' : an extension function call. */
static wexpr *function_call(parser *p, uint32_t first, uint32_t n)
{
	wspan nsp = path_span(p, first, n);
	bool ok = path_ok(p, first, n);
	const wsym *name = path_sym(p, first, n);
	pvec args = call_args(p);
	wspan sp = {nsp.start, p->prev_end};
	if (!ok)
		return dummy(p, sp);
	wbinop op;
	unsigned ar;
	bool ie;
	if (n == 1 && (is_builtin_method(name->s, name->len, &op, &ar, &ie) || ext_lookup(name->s, name->len, true))) {
		sem_error(p, nsp, "'%s' is a method, not a function; call it as e.%s(...)", name->s, name->s);
		return dummy(p, sp);
	}
	const wext_fn *fn = ext_lookup(name->s, name->len, false);
	if (!fn) {
		sem_error(p, nsp, "'%s' is not a known extension function", name->s);
		return dummy(p, sp);
	}
	wexpr *e = mk(p, WE_CALL, sp);
	e->u.call.fn = fn;
	e->u.call.name = name;
	e->u.call.args = args_array(p, &args, NULL);
	e->u.call.n = args.n;
	e->u.call.method = false;
	return done(p, e);
}

static wexpr *set_literal(parser *p)
{
	const wtoken *open = next(p);
	pvec items = {0};
	while (peek(p)->kind != WT_RBRACKET) {
		pvec_push(p, &items, expr(p));
		if (peek(p)->kind != WT_COMMA)
			break;
		next(p);
	}
	const wtoken *close = expect(p, WT_RBRACKET, "',' or ']'");
	wexpr *e = mk(p, WE_SET, span2(open->span, close->span));
	e->u.list.items = (wexpr **)items.v;
	e->u.list.n = items.n;
	return done(p, e);
}

static int sym_ptr_cmp(const void *a, const void *b)
{
	const wsym *x = *(const wsym *const *)a, *y = *(const wsym *const *)b;
	return x < y ? -1 : x > y;
}

/* '{' [Key ':' Expr {',' Key ':' Expr} [',']] '}' ; Key is IDENT or STR. */
static wexpr *record_literal(parser *p)
{
	const wtoken *open = next(p);
	pvec keys = {0}, vals = {0}, ktoks = {0};
	while (peek(p)->kind != WT_RBRACE) {
		const wtoken *k = peek(p);
		if (!((k->kind == WT_IDENT || k->kind == WT_STR) && peek2(p)->kind == WT_COLON))
			syntax_error(p, k, "a record key (an identifier or a string) followed by ':'");
		next(p);
		next(p);
		const wsym *key;
		if (k->kind == WT_STR) {
			key = str_sym(p, k);
			if (!key)
				key = p->cx->s_empty;
		} else {
			const char *s = tok_text(p, k);
			uint32_t l = tok_len(k);
			if (is_reserved_word(s, l) || is_cedar_reserved(s, l))
				sem_error(p, k->span, "'%.*s' is a reserved identifier; quote it to use it as a record key: \"%.*s\"",
					  (int)l, s, (int)l, s);
			key = ctx_sym(p->cx, s, l);
		}
		pvec_push(p, &keys, (void *)key);
		pvec_push(p, &ktoks, (void *)k);
		pvec_push(p, &vals, expr(p));
		if (peek(p)->kind != WT_COMMA)
			break;
		next(p);
	}
	const wtoken *close = expect(p, WT_RBRACE, "',' or '}'");
	wspan sp = span2(open->span, close->span);
	if (keys.n > 1) {
		const wsym **sorted = arena_alloc(p->a, keys.n * sizeof *sorted);
		memcpy(sorted, keys.v, keys.n * sizeof *sorted);
		qsort(sorted, keys.n, sizeof *sorted, sym_ptr_cmp);
		for (uint32_t i = 1; i < keys.n; i++) {
			if (sorted[i] != sorted[i - 1] || (i > 1 && sorted[i - 1] == sorted[i - 2]))
				continue;
			/* report at the second occurrence in source order */
			uint32_t seen = 0;
			for (uint32_t j = 0; j < keys.n; j++) {
				if (keys.v[j] == sorted[i] && ++seen == 2) {
					const wtoken *kt = ktoks.v[j];
					sem_error(p, kt->span, "duplicate key '%s' in record literal", sorted[i]->s);
					break;
				}
			}
		}
	}
	wexpr *e = mk(p, WE_RECORD, sp);
	e->u.rec.keys = (const wsym **)keys.v;
	e->u.rec.vals = (wexpr **)vals.v;
	e->u.rec.n = keys.n;
	return done(p, e);
}

static wexpr *slot_expr(parser *p)
{
	const wtoken *tk = next(p);
	wexpr *e = mk(p, WE_SLOT, tk->span);
	if (tok_len(tk) == 10 && memcmp(tok_text(p, tk), "?principal", 10) == 0) {
		e->u.slot = WSLOT_PRINCIPAL;
	} else if (tok_len(tk) == 9 && memcmp(tok_text(p, tk), "?resource", 9) == 0) {
		e->u.slot = WSLOT_RESOURCE;
	} else {
		sem_error(p, tk->span, "invalid template slot '%.*s'; the slots are ?principal and ?resource",
			  (int)tok_len(tk), tok_text(p, tk));
		return dummy(p, tk->span);
	}
	if (!p->slots_ok) {
		sem_error(p, tk->span,
			  "template slot '%.*s' is not allowed here; slots may only appear in the policy scope",
			  (int)tok_len(tk), tok_text(p, tk));
		return dummy(p, tk->span);
	}
	return e;
}

/* Primary ::= LITERAL | VAR | Entity | ExtFun '(' [ExprList] ')' | '(' Expr ')'
 *           | '[' [ExprList] ']' | '{' [RecInits] '}' | SLOT */
static wexpr *primary(parser *p)
{
	const wtoken *tk = peek(p);
	switch (tk->kind) {
	case WT_INT:
		next(p);
		if (tk->overflow || tk->num > (uint64_t)INT64_MAX) {
			sem_error(p, tk->span, "integer literal '%.*s' is too large: a Long is at most 9223372036854775807",
				  (int)tok_len(tk), tok_text(p, tk));
			return dummy(p, tk->span);
		}
		return mklit(p, value_long((int64_t)tk->num), tk->span);
	case WT_STR: {
		next(p);
		const char *s;
		uint32_t n;
		if (unescape(p, tk, false, &s, &n, NULL))
			return dummy(p, tk->span);
		return mklit(p, value_string(s, n), tk->span);
	}
	case WT_SLOT:
		return slot_expr(p);
	case WT_LPAREN: {
		const wtoken *open = next(p);
		wexpr *e = expr(p);
		const wtoken *close = expect(p, WT_RPAREN, "')'");
		e->span = span2(open->span, close->span);
		return e;
	}
	case WT_LBRACKET:
		return set_literal(p);
	case WT_LBRACE:
		return record_literal(p);
	case WT_IDENT:
		break;
	default:
		syntax_error(p, tk, "an expression");
	}
	if (tok_is(p, tk, "true") || tok_is(p, tk, "false")) {
		next(p);
		return mklit(p, value_bool(tok_is(p, tk, "true")), tk->span);
	}
	if (tok_is(p, tk, "if"))
		syntax_msg(p, tk->span, "an 'if' expression must be in parentheses here");
	uint32_t first, n = path_tokens(p, &first);
	wspan nsp = path_span(p, first, n);
	const wtoken *nx = peek(p);
	if (nx->kind == WT_COLONCOLON && peek2(p)->kind == WT_STR) {
		/* Entity ::= Path '::' STR */
		next(p);
		const wtoken *id = next(p);
		wspan sp = span2(nsp, id->span);
		bool ok = path_ok(p, first, n);
		const wsym *ids = str_sym(p, id);
		if (!ok || !ids)
			return dummy(p, sp);
		wuid u = {path_sym(p, first, n), ids};
		return mklit(p, value_entity(u), sp);
	}
	if (nx->kind == WT_COLONCOLON && peek2(p)->kind == WT_LBRACE)
		syntax_msg(p, span2(nsp, peek2(p)->span), "entity literals must be written Type::\"id\"");
	wvar v;
	if (n == 1 && var_of(p, tk, &v)) {
		if (nx->kind == WT_LPAREN)
			syntax_msg(p, span2(nsp, nx->span), "a variable cannot be called as a function");
		wexpr *e = mk(p, WE_VAR, nsp);
		e->u.var = (uint8_t)v;
		return e;
	}
	if (nx->kind == WT_LPAREN)
		return function_call(p, first, n);
	if (path_ok(p, first, n)) {
		const wsym *s = path_sym(p, first, n);
		sem_error(p, nsp,
			  "unknown variable '%s': the variables are principal, action, resource and context (an entity needs an id: %s::\"...\")",
			  s->s, s->s);
	}
	return dummy(p, nsp);
}

/* Member ::= Primary {'.' IDENT ['(' [ExprList] ')'] | '[' STR ']'} */
static wexpr *member(parser *p)
{
	int d0 = p->depth;
	wexpr *e = primary(p);
	for (;;) {
		const wtoken *tk = peek(p);
		if (tk->kind == WT_DOT) {
			enter(p);
			next(p);
			const wtoken *name = peek(p);
			if (name->kind != WT_IDENT)
				syntax_error(p, name, "an attribute or method name after '.'");
			next(p);
			if (peek(p)->kind == WT_LPAREN) {
				e = method_call(p, e, name);
			} else {
				const wsym *a = attr_ident(p, name);
				e = mkattr(p, WE_GETATTR, e, a, span2(e->span, name->span));
			}
		} else if (tk->kind == WT_LBRACKET) {
			enter(p);
			next(p);
			const wtoken *s = peek(p);
			if (s->kind != WT_STR)
				syntax_error(p, s, "a string literal attribute name inside '[...]'");
			next(p);
			const wtoken *close = expect(p, WT_RBRACKET, "']'");
			const wsym *a = str_sym(p, s);
			e = mkattr(p, WE_GETATTR, e, a ? a : p->cx->s_empty, span2(e->span, close->span));
		} else if (tk->kind == WT_LPAREN) {
			syntax_msg(p, tk->span, "only extension functions can be called; this expression is not a function");
		} else {
			break;
		}
	}
	p->depth = d0;
	return e;
}

/* Unary ::= ['!'x1..4 | '-'x1..4] Member ; `-` on an integer literal is
 * folded into the literal, which is how -9223372036854775808 is written. */
static wexpr *unary(parser *p)
{
	const wtoken *tk = peek(p);
	if (tk->kind != WT_BANG && tk->kind != WT_MINUS)
		return member(p);
	int d0 = p->depth;
	wtokkind k = (wtokkind)tk->kind;
	uint32_t n = 0;
	const wtoken *ops[5] = {0};
	while (peek(p)->kind == k) {
		const wtoken *o = next(p);
		if (n < 5)
			ops[n] = o;
		n++;
	}
	if (n > 4) {
		sem_error(p, span2(tk->span, ops[4]->span), "too many '%s' operators in a row (at most 4)",
			  k == WT_BANG ? "!" : "-");
		n = 4;
	}
	for (uint32_t i = 0; i < n; i++)
		enter(p);
	wexpr *e;
	uint32_t nops = n;
	const wtoken *lit = peek(p);
	wtokkind after = (wtokkind)peek2(p)->kind;
	if (k == WT_MINUS && lit->kind == WT_INT && after != WT_DOT && after != WT_LBRACKET && after != WT_LPAREN) {
		next(p);
		wspan sp = span2(ops[n - 1]->span, lit->span);
		if (!lit->overflow && lit->num == (uint64_t)INT64_MAX + 1) {
			e = mklit(p, value_long(INT64_MIN), sp);
		} else if (!lit->overflow && lit->num <= (uint64_t)INT64_MAX) {
			e = mklit(p, value_long(-(int64_t)lit->num), sp);
		} else {
			sem_error(p, sp, "integer literal '-%.*s' is too large: a Long is at least -9223372036854775808",
				  (int)tok_len(lit), tok_text(p, lit));
			e = dummy(p, sp);
		}
		nops--;
	} else {
		e = member(p);
	}
	while (nops > 0) {
		nops--;
		wexpr *u = mk(p, k == WT_BANG ? WE_NOT : WE_NEG, span2(ops[nops]->span, e->span));
		u->u.k.a = e;
		e = done(p, u);
	}
	p->depth = d0;
	return e;
}

/* Mult ::= Unary {'*' Unary} ('/' and '%' are rejected) */
static wexpr *mult(parser *p)
{
	wexpr *l = unary(p);
	for (;;) {
		const wtoken *op = peek(p);
		if (op->kind != WT_STAR && op->kind != WT_SLASH && op->kind != WT_PERCENT)
			break;
		next(p);
		wexpr *r = unary(p);
		if (op->kind != WT_STAR)
			sem_error(p, op->span, "'%s' is not a Cedar operator: there is no division or remainder",
				  op->kind == WT_SLASH ? "/" : "%");
		l = mkbin(p, WB_MUL, l, r);
	}
	return l;
}

/* Add ::= Mult {('+' | '-') Mult} */
static wexpr *add(parser *p)
{
	wexpr *l = mult(p);
	for (;;) {
		const wtoken *op = peek(p);
		if (op->kind != WT_PLUS && op->kind != WT_MINUS)
			break;
		next(p);
		wexpr *r = mult(p);
		l = mkbin(p, op->kind == WT_PLUS ? WB_ADD : WB_SUB, l, r);
	}
	return l;
}

static bool relop_of(const parser *p, const wtoken *tk, wbinop *op)
{
	switch (tk->kind) {
	case WT_EQEQ: *op = WB_EQ; return true;
	case WT_ASSIGN: *op = WB_EQ; return true;
	case WT_NE: *op = WB_NE; return true;
	case WT_LT: *op = WB_LT; return true;
	case WT_LE: *op = WB_LE; return true;
	case WT_GT: *op = WB_GT; return true;
	case WT_GE: *op = WB_GE; return true;
	default: break;
	}
	if (tok_is(p, tk, "in")) {
		*op = WB_IN;
		return true;
	}
	return false;
}

static bool starts_relation(const parser *p, const wtoken *tk)
{
	wbinop op;
	return relop_of(p, tk, &op) || tok_is(p, tk, "has") || tok_is(p, tk, "like") || tok_is(p, tk, "is");
}

/* `obj has a.b.c` == (obj has a) && (obj.a has b) && (obj.a.b has c). */
static wexpr *has_rhs(parser *p, wexpr *obj)
{
	const wtoken *tk = peek(p);
	if (tk->kind == WT_STR) {
		next(p);
		const wsym *a = str_sym(p, tk);
		return mkattr(p, WE_HASATTR, obj, a ? a : p->cx->s_empty, span2(obj->span, tk->span));
	}
	if (tk->kind != WT_IDENT)
		syntax_error(p, tk, "an attribute name (an identifier or a string) after 'has'");
	next(p);
	const wsym *a = attr_ident(p, tk);
	wexpr *res = mkattr(p, WE_HASATTR, obj, a, span2(obj->span, tk->span));
	wexpr *get = mkattr(p, WE_GETATTR, obj, a, span2(obj->span, tk->span));
	while (peek(p)->kind == WT_DOT && peek2(p)->kind == WT_IDENT) {
		next(p);
		const wtoken *nt = next(p);
		const wsym *b = attr_ident(p, nt);
		wspan sp = span2(obj->span, nt->span);
		wexpr *h = mkattr(p, WE_HASATTR, get, b, sp);
		res = mk2(p, WE_AND, res, h);
		res->span = sp;
		get = mkattr(p, WE_GETATTR, get, b, sp);
	}
	return res;
}

/* `obj like PAT` : the pattern must be a string literal on its own. */
static wexpr *like_rhs(parser *p, wexpr *obj)
{
	const wtoken *tk = peek(p);
	wtokkind after = (wtokkind)peek2(p)->kind;
	if (tk->kind == WT_STR && after != WT_DOT && after != WT_LBRACKET && after != WT_LPAREN && after != WT_STAR &&
	    after != WT_SLASH && after != WT_PERCENT && after != WT_PLUS && after != WT_MINUS) {
		next(p);
		wexpr *e = mk(p, WE_LIKE, span2(obj->span, tk->span));
		e->u.like.obj = obj;
		unescape(p, tk, true, NULL, NULL, &e->u.like.pat);
		return done(p, e);
	}
	wexpr *r = add(p);
	sem_error(p, r->span, "the right-hand side of 'like' must be a string literal pattern");
	return dummy(p, span2(obj->span, r->span));
}

/* Relation ::= Add [RELOP Add] | Add 'has' (IDENT{'.'IDENT} | STR)
 *            | Add 'like' PAT | Add 'is' Path ['in' Add] */
static wexpr *relation(parser *p)
{
	wexpr *l = add(p);
	const wtoken *tk = peek(p);
	wbinop op;
	wexpr *e;
	if (relop_of(p, tk, &op)) {
		next(p);
		wexpr *r = add(p);
		if (tk->kind == WT_ASSIGN)
			sem_error(p, tk->span, "'=' is not an operator; use '==' to compare");
		e = mkbin(p, op, l, r);
	} else if (tok_is(p, tk, "has")) {
		next(p);
		e = has_rhs(p, l);
	} else if (tok_is(p, tk, "like")) {
		next(p);
		e = like_rhs(p, l);
	} else if (tok_is(p, tk, "is")) {
		next(p);
		wspan tsp;
		const wsym *ty = type_name(p, &tsp);
		wexpr *in = NULL;
		if (tok_is(p, peek(p), "in")) {
			next(p);
			in = add(p);
		}
		e = mk(p, WE_IS, span2(l->span, in ? in->span : tsp));
		e->u.is.obj = l;
		e->u.is.type = ty;
		e->u.is.in = in;
		done(p, e);
	} else {
		return l;
	}
	if (starts_relation(p, peek(p)))
		syntax_msg(p, peek(p)->span,
			   "relational operators (==, !=, <, <=, >, >=, in, has, like, is) cannot be chained; add parentheses");
	return e;
}

/* And ::= Relation {'&&' Relation} */
static wexpr *and_expr(parser *p)
{
	wexpr *l = relation(p);
	while (peek(p)->kind == WT_ANDAND) {
		next(p);
		l = mk2(p, WE_AND, l, relation(p));
	}
	return l;
}

/* Or ::= And {'||' And} */
static wexpr *or_expr(parser *p)
{
	wexpr *l = and_expr(p);
	while (peek(p)->kind == WT_OROR) {
		next(p);
		l = mk2(p, WE_OR, l, and_expr(p));
	}
	return l;
}

/* Expr ::= Or | 'if' Expr 'then' Expr 'else' Expr */
static wexpr *expr(parser *p)
{
	enter(p);
	wexpr *e;
	const wtoken *tk = peek(p);
	if (tok_is(p, tk, "if")) {
		next(p);
		wexpr *c = expr(p);
		if (!tok_is(p, peek(p), "then"))
			syntax_error(p, peek(p), "'then'");
		next(p);
		wexpr *a = expr(p);
		if (!tok_is(p, peek(p), "else"))
			syntax_error(p, peek(p), "'else'");
		next(p);
		wexpr *b = expr(p);
		e = mk(p, WE_IF, span2(tk->span, b->span));
		e->u.k.a = c;
		e->u.k.b = a;
		e->u.k.c = b;
		done(p, e);
	} else {
		e = or_expr(p);
	}
	p->depth--;
	return e;
}

/* ---- policies ---------------------------------------------------------- */

static const char *const k_role_names[3] = {"principal", "action", "resource"};

static void uid_text(wuid u, wbuf *b)
{
	buf_printf(b, "%s::\"%s\"", u.type->s, u.id->s);
}

/* Converts the expression after `==`/`in` in the scope into the constraint's
 * entity (or slot, or action set). Only a literal, a matching slot, or (for
 * `action in`) a set of literals are allowed, as in the reference. */
static void scope_entity(parser *p, wpolicy *pol, int role, wexpr *e, wscope *sc, bool allow_set)
{
	if (e->kind == WE_SLOT && role != 1) {
		wslot want = role == 0 ? WSLOT_PRINCIPAL : WSLOT_RESOURCE;
		if (e->u.slot != want) {
			sem_error(p, e->span, "'%s' cannot be used in the %s scope; use ?%s",
				  e->u.slot == WSLOT_PRINCIPAL ? "?principal" : "?resource", k_role_names[role],
				  k_role_names[role]);
			return;
		}
		sc->slot = true;
		pol->is_template = true;
		return;
	}
	if (e->kind == WE_LIT && e->u.lit.kind == WV_ENTITY) {
		sc->uid = e->u.lit.u.e;
		if (role == 1 && !ctx_is_action_type(sc->uid.type)) {
			wbuf b = WBUF_INIT;
			uid_text(sc->uid, &b);
			sem_error(p, e->span, "'%s' is not an action: entities in the action scope must have type Action or NS::Action", b.p);
			buf_release(&b);
		}
		return;
	}
	if (e->kind == WE_SET && allow_set) {
		sc->op = WSC_IN_SET;
		sc->nlist = e->u.list.n;
		sc->list = ARENA_ARRAY(p->a, wuid, e->u.list.n ? e->u.list.n : 1);
		for (uint32_t i = 0; i < e->u.list.n; i++) {
			wexpr *it = e->u.list.items[i];
			if (it->kind != WE_LIT || it->u.lit.kind != WV_ENTITY) {
				sem_error(p, it->span, "expected an action entity uid in the action set");
				continue;
			}
			sc->list[i] = it->u.lit.u.e;
			if (!ctx_is_action_type(sc->list[i].type)) {
				wbuf b = WBUF_INIT;
				uid_text(sc->list[i], &b);
				sem_error(p, it->span, "'%s' is not an action: entities in the action scope must have type Action or NS::Action", b.p);
				buf_release(&b);
			}
		}
		return;
	}
	const char *want = role == 1 ? (allow_set ? "an action entity uid or a set of them" : "an action entity uid")
				     : role == 0 ? "an entity uid or ?principal" : "an entity uid or ?resource";
	if (e->kind == WE_SLOT)
		sem_error(p, e->span, "template slots are not allowed in the action scope");
	else
		sem_error(p, e->span, "expected %s in the %s scope", want, k_role_names[role]);
}

/* VariableDef ::= VAR [':' Name] ['is' Path] [('==' | 'in') Expr] ;
 * `pos` is the position in the scope (0, 1, 2, or more for extras). */
static void scope_var(parser *p, wpolicy *pol, uint32_t pos)
{
	const wtoken *vt = peek(p);
	if (vt->kind != WT_IDENT)
		syntax_error(p, vt, pos < 3 ? (pos == 0 ? "'principal'" : pos == 1 ? "'action'" : "'resource'") : "')'");
	next(p);
	wscope extra;
	int role = pos < 3 ? (int)pos : 0;
	wscope *sc = pos == 0 ? &pol->principal : pos == 1 ? &pol->action : pos == 2 ? &pol->resource : &extra;
	memset(sc, 0, sizeof *sc);
	int got = -1;
	for (int i = 0; i < 3; i++)
		if (tok_is(p, vt, k_role_names[i]))
			got = i;
	if (pos >= 3)
		sem_error(p, vt->span, "the policy scope has only principal, action and resource; remove this element");
	else if (got < 0)
		sem_error(p, vt->span, "expected '%s' in the policy scope, found '%.*s'", k_role_names[pos],
			  (int)tok_len(vt), tok_text(p, vt));
	else if (got != role)
		sem_error(p, vt->span, "expected '%s' as element %u of the policy scope, found '%s'", k_role_names[pos],
			  pos + 1, k_role_names[got]);
	sc->op = WSC_ANY;
	if (peek(p)->kind == WT_COLON) {
		const wtoken *c = next(p);
		wspan tsp;
		type_name(p, &tsp);
		sem_error(p, span2(c->span, tsp), "type constraints with ':' are not supported; use 'is'");
	}
	bool has_is = false;
	if (tok_is(p, peek(p), "is")) {
		const wtoken *is = next(p);
		wspan tsp;
		sc->type = type_name(p, &tsp);
		sc->op = WSC_IS;
		has_is = true;
		if (role == 1)
			sem_error(p, span2(is->span, tsp), "'is' is not allowed in the action scope");
	}
	const wtoken *op = peek(p);
	wbinop bop;
	if (relop_of(p, op, &bop)) {
		next(p);
		bool saved = p->slots_ok;
		p->slots_ok = true;
		wexpr *e = expr(p);
		p->slots_ok = saved;
		if (bop == WB_EQ) {
			if (op->kind == WT_ASSIGN)
				sem_error(p, op->span, "'=' is not an operator; use '=='");
			if (has_is)
				sem_error(p, op->span, "'is' cannot be combined with '==' in the scope; use 'is T in E' or '== E'");
			sc->op = WSC_EQ;
			scope_entity(p, pol, role, e, sc, false);
		} else if (bop == WB_IN) {
			sc->op = has_is ? WSC_IS_IN : WSC_IN;
			if (e->kind == WE_IS && role == 1)
				sem_error(p, e->span, "'is' is not allowed in the action scope");
			else if (e->kind == WE_IS)
				sem_error(p, e->span, "write 'is' before 'in' in the scope: %s is T in E", k_role_names[role]);
			else
				scope_entity(p, pol, role, e, sc, role == 1);
		} else {
			sem_error(p, op->span, "this operator is not allowed in the policy scope; use '==', 'in' or 'is'");
		}
	}
	sc->span = span2(vt->span, (wspan){p->prev_end, p->prev_end});
}

/* Annotation ::= '@' ANYIDENT ['(' STR ')'] */
static void annotations(parser *p, wpolicy *pol)
{
	pvec v = {0};
	while (peek(p)->kind == WT_AT) {
		const wtoken *at = next(p);
		const wtoken *k = expect(p, WT_IDENT, "an annotation name after '@'");
		wannotation *an = ARENA_NEW(p->a, wannotation);
		an->key = ctx_sym(p->cx, tok_text(p, k), tok_len(k));
		an->val = "";
		an->vlen = 0;
		if (peek(p)->kind == WT_LPAREN) {
			next(p);
			const wtoken *s = expect(p, WT_STR, "a string annotation value");
			expect(p, WT_RPAREN, "')'");
			const char *val;
			uint32_t n;
			if (!unescape(p, s, false, &val, &n, NULL)) {
				an->val = val;
				an->vlen = n;
			}
			an->has_value = true;
		}
		an->span = span2(at->span, (wspan){p->prev_end, p->prev_end});
		for (uint32_t i = 0; i < v.n; i++) {
			if (((wannotation *)v.v[i])->key == an->key) {
				sem_error(p, an->span, "duplicate annotation '@%s'", an->key->s);
				break;
			}
		}
		pvec_push(p, &v, an);
	}
	pol->nannos = v.n;
	pol->annos = ARENA_ARRAY(p->a, wannotation, v.n ? v.n : 1);
	for (uint32_t i = 0; i < v.n; i++)
		pol->annos[i] = *(wannotation *)v.v[i];
}

/* Policy ::= {Annotation} Effect '(' Scope ')' {Condition} ';' */
static wpolicy *policy(parser *p)
{
	wpolicy *pol = ARENA_NEW(p->a, wpolicy);
	pol->src = p->src;
	const wtoken *first = peek(p);
	annotations(p, pol);
	const wtoken *eff = peek(p);
	if (eff->kind != WT_IDENT)
		syntax_error(p, eff, "'permit' or 'forbid'");
	next(p);
	if (tok_is(p, eff, "permit"))
		pol->effect = WEFF_PERMIT;
	else if (tok_is(p, eff, "forbid"))
		pol->effect = WEFF_FORBID;
	else
		sem_error(p, eff->span, "expected 'permit' or 'forbid', found '%.*s'", (int)tok_len(eff), tok_text(p, eff));
	expect(p, WT_LPAREN, "'(' after the effect");
	uint32_t n = 0;
	while (peek(p)->kind != WT_RPAREN) {
		scope_var(p, pol, n++);
		if (peek(p)->kind != WT_COMMA)
			break;
		next(p);
	}
	const wtoken *close = expect(p, WT_RPAREN, "',' or ')'");
	for (uint32_t i = n; i < 3; i++)
		sem_error(p, span2(eff->span, close->span), "the policy scope is missing '%s'", k_role_names[i]);
	pvec conds = {0};
	while (peek(p)->kind == WT_IDENT) {
		const wtoken *kw = next(p);
		wcond *c = ARENA_NEW(p->a, wcond);
		if (tok_is(p, kw, "when"))
			c->is_when = true;
		else if (!tok_is(p, kw, "unless"))
			sem_error(p, kw->span, "expected 'when' or 'unless', found '%.*s'", (int)tok_len(kw), tok_text(p, kw));
		expect(p, WT_LBRACE, "'{' after the condition keyword");
		if (peek(p)->kind == WT_RBRACE) {
			next(p);
			sem_error(p, span2(kw->span, (wspan){p->prev_end, p->prev_end}), "empty '%.*s' clause: add a condition",
				  (int)tok_len(kw), tok_text(p, kw));
			c->body = dummy(p, kw->span);
		} else {
			c->body = expr(p);
			expect(p, WT_RBRACE, "'}' closing the condition");
		}
		c->span = span2(kw->span, (wspan){p->prev_end, p->prev_end});
		pvec_push(p, &conds, c);
	}
	const wtoken *semi = expect(p, WT_SEMI, "';' at the end of the policy");
	pol->nconds = conds.n;
	pol->conds = ARENA_ARRAY(p->a, wcond, conds.n ? conds.n : 1);
	for (uint32_t i = 0; i < conds.n; i++)
		pol->conds[i] = *(wcond *)conds.v[i];
	pol->span = span2(first->span, semi->span);
	return pol;
}

/* Runs one policy under a recovery point; false after a syntax error. */
static bool try_policy(parser *p, wpolicy **out)
{
	jmp_buf jb;
	p->jb = &jb;
	p->depth = 0;
	p->slots_ok = false;
	if (setjmp(jb))
		return false;
	*out = policy(p);
	return true;
}

/* After a syntax error: skip to the `;` that ends the broken policy, i.e.
 * one at bracket depth 0 counted from the policy's start, or one directly
 * followed by the start of another policy. */
static void recover(parser *p, uint32_t start)
{
	int depth = 0;
	uint32_t err = p->pos;
	for (uint32_t i = start; i < p->nt; i++) {
		const wtoken *tk = &p->t[i];
		if (tk->kind == WT_EOF) {
			p->pos = i;
			return;
		}
		if (tk->kind == WT_LPAREN || tk->kind == WT_LBRACKET || tk->kind == WT_LBRACE)
			depth++;
		else if (tk->kind == WT_RPAREN || tk->kind == WT_RBRACKET || tk->kind == WT_RBRACE)
			depth--;
		else if (tk->kind == WT_SEMI && i >= err) {
			const wtoken *nx = &p->t[i + 1 < p->nt ? i + 1 : i];
			if (depth <= 0 || nx->kind == WT_EOF || nx->kind == WT_AT || tok_is(p, nx, "permit") ||
			    tok_is(p, nx, "forbid")) {
				p->pos = i + 1;
				return;
			}
		}
	}
	p->pos = p->nt - 1;
}

/* ---- policy sets --------------------------------------------------------- */

void policyset_init(wpolicyset *ps)
{
	memset(ps, 0, sizeof *ps);
	arena_init(&ps->arena);
}

void policyset_release(wpolicyset *ps)
{
	free(ps->items);
	free(ps->comments);
	free(ps->sources);
	arena_release(&ps->arena);
	memset(ps, 0, sizeof *ps);
}

void policyset_push(wpolicyset *ps, wpolicy *p)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->items = xrealloc(ps->items, ps->cap * sizeof *ps->items);
	}
	ps->items[ps->n++] = p;
}

static void comment_sink(void *ctx, wspan sp)
{
	wpolicyset *ps = ctx;
	if (ps->ncomments == ps->ccap) {
		ps->ccap = ps->ccap ? ps->ccap * 2 : 16;
		ps->comments = xrealloc(ps->comments, ps->ccap * sizeof *ps->comments);
	}
	ps->comments[ps->ncomments++].span = sp;
}

static bool too_long(const wsource *src, wdiags *d)
{
	if (src->len < UINT32_MAX - 1)
		return false;
	wspan z = {0, 0};
	diag_add(d, WSEV_ERROR, src, z, "input is too large (at most 4 GiB)");
	return true;
}

static void parser_init(parser *p, wctx *cx, warena *a, const wsource *src, wdiags *d, const wtokens *tk)
{
	memset(p, 0, sizeof *p);
	p->cx = cx;
	p->a = a;
	p->src = src;
	p->d = d;
	p->t = tk->items;
	p->nt = tk->n;
}

int parse_policies(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d)
{
	size_t e0 = d->nerrors;
	wsource *src = ARENA_NEW(&ps->arena, wsource);
	src->name = arena_strndup(&ps->arena, name ? name : "<input>", name ? strlen(name) : 7);
	src->text = arena_strndup(&ps->arena, text ? text : "", text ? len : 0);
	src->len = text ? len : 0;
	if (ps->nsources == ps->scap) {
		ps->scap = ps->scap ? ps->scap * 2 : 4;
		ps->sources = xrealloc(ps->sources, ps->scap * sizeof *ps->sources);
	}
	ps->sources[ps->nsources++] = src;
	if (too_long(src, d))
		return (int)(d->nerrors - e0);

	wtokens toks;
	lex_all(src, d, comment_sink, ps, &toks);
	parser p;
	parser_init(&p, cx, &ps->arena, src, d, &toks);
	while (peek(&p)->kind != WT_EOF) {
		uint32_t start = p.pos;
		size_t before = d->nerrors;
		wpolicy *pol = NULL;
		if (!try_policy(&p, &pol)) {
			recover(&p, start);
			continue;
		}
		if (d->nerrors == before) {
			pol->id = arena_sprintf(&ps->arena, "policy%" PRIu32, ps->n);
			policyset_push(ps, pol);
		}
	}
	lex_release(&toks);
	return (int)(d->nerrors - e0);
}

typedef struct idref {
	const char *id;
	uint32_t idx; /* position in the set */
} idref;

static int idref_cmp(const void *a, const void *b)
{
	const idref *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int policyset_use_annotation_ids(wpolicyset *ps, wdiags *d)
{
	size_t e0 = d->nerrors;
	for (uint32_t i = 0; i < ps->n; i++) {
		const wannotation *a = policy_annotation(ps->items[i], "id");
		if (a && a->has_value)
			ps->items[i]->id = a->val;
	}
	if (ps->n < 2)
		return 0;
	idref *v = xmalloc(ps->n * sizeof *v);
	for (uint32_t i = 0; i < ps->n; i++) {
		v[i].id = ps->items[i]->id;
		v[i].idx = i;
	}
	qsort(v, ps->n, sizeof *v, idref_cmp);
	/* in each run of equal ids, every policy but the first is a duplicate */
	for (uint32_t i = 1; i < ps->n; i++) {
		if (strcmp(v[i].id, v[i - 1].id) != 0)
			continue;
		wpolicy *dup = ps->items[v[i].idx];
		const wannotation *a = policy_annotation(dup, "id");
		wdiag *g = diag_add(d, WSEV_ERROR, dup->src, a ? a->span : dup->span,
				    "duplicate policy id '%s'", dup->id);
		g->policy_id = xstrdup(dup->id);
	}
	free(v);
	return (int)(d->nerrors - e0);
}

/* ---- single items ----------------------------------------------------------- */

wexpr *parse_expr(wctx *cx, warena *a, const wsource *src, wdiags *d)
{
	size_t e0 = d->nerrors;
	if (too_long(src, d))
		return NULL;
	wtokens toks;
	lex_all(src, d, NULL, NULL, &toks);
	parser p;
	parser_init(&p, cx, a, src, d, &toks);
	p.slots_ok = true;
	jmp_buf jb;
	p.jb = &jb;
	wexpr *volatile e = NULL;
	if (!setjmp(jb)) {
		if (peek(&p)->kind == WT_EOF)
			syntax_error(&p, peek(&p), "an expression");
		e = expr(&p);
		if (peek(&p)->kind != WT_EOF)
			syntax_error(&p, peek(&p), "end of input after the expression");
	}
	lex_release(&toks);
	return d->nerrors == e0 ? e : NULL;
}

int parse_uid(wctx *cx, const wsource *src, wuid *out, wdiags *d)
{
	size_t e0 = d->nerrors;
	if (too_long(src, d))
		return -1;
	wtokens toks;
	lex_all(src, d, NULL, NULL, &toks);
	warena a;
	arena_init(&a);
	parser p;
	parser_init(&p, cx, &a, src, d, &toks);
	jmp_buf jb;
	p.jb = &jb;
	if (!setjmp(jb)) {
		if (peek(&p)->kind != WT_IDENT)
			syntax_error(&p, peek(&p), "an entity uid such as Type::\"id\"");
		uint32_t first, n = path_tokens(&p, &first);
		expect(&p, WT_COLONCOLON, "'::' followed by a quoted id");
		const wtoken *id = expect(&p, WT_STR, "a quoted entity id");
		if (peek(&p)->kind != WT_EOF)
			syntax_error(&p, peek(&p), "end of input after the entity uid");
		bool ok = path_ok(&p, first, n);
		const wsym *ids = str_sym(&p, id);
		if (ok && ids) {
			out->type = path_sym(&p, first, n);
			out->id = ids;
		}
	}
	arena_release(&a);
	lex_release(&toks);
	return d->nerrors == e0 ? 0 : -1;
}

const wsym *parse_name(wctx *cx, const char *text, size_t len)
{
	wsource src = {"<name>", text, len};
	wdiags d;
	diags_init(&d);
	const wsym *res = NULL;
	if (!too_long(&src, &d)) {
		wtokens toks;
		lex_all(&src, &d, NULL, NULL, &toks);
		if (d.nerrors == 0 && toks.n >= 2 && toks.items[0].kind == WT_IDENT) {
			warena a;
			arena_init(&a);
			parser p;
			parser_init(&p, cx, &a, &src, &d, &toks);
			uint32_t first, n = path_tokens(&p, &first);
			if (peek(&p)->kind == WT_EOF && path_ok(&p, first, n))
				res = path_sym(&p, first, n);
			arena_release(&a);
		}
		lex_release(&toks);
	}
	diags_release(&d);
	return res;
}
