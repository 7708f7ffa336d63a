/* schema_text: the human-readable `.cedarschema` format.
 *
 * A lexer turns the whole text into a token array, then a recursive-descent
 * parser (grammar in human-readable-schema-grammar.md) records declarations
 * in an sbuild; schema.c resolves them. Syntax errors are reported at the
 * offending token; the parser then skips to the end of the declaration
 * (the next ';' at the declaration's brace depth) and goes on, so one run
 * reports every broken declaration. Type nesting is bounded by
 * SCHEMA_MAX_DEPTH so that no input can exhaust the stack.
 */
#include "cedar/schema.h"
#include "cedar/schema_int.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum {
	T_EOF,
	T_IDENT,
	T_STR,
	T_NUM,
	T_COLON2, /* :: */
	T_PUNCT,  /* one of , ; : { } [ ] < > = ? @ ( ) */
	T_BAD,    /* lexical error, already reported */
};

typedef struct tok {
	uint8_t kind;
	char ch;    /* T_PUNCT */
	wspan span;
} tok;

typedef struct tparser {
	sbuild *b;
	const char *text;
	size_t len;
	tok *toks;
	size_t ntoks, cap;
	size_t i;          /* current token */
	int bdepth;        /* braces consumed and not yet closed */
	int tdepth;        /* type nesting */
	size_t nsyntax;    /* syntax errors reported */
	const wsym *ns;    /* current namespace */
} tparser;

#define MAX_SYNTAX_ERRORS 50

/* ---------------------------------------------------------------- lexer */

/* Decodes one UTF-8 scalar at t[i]; returns its length (1 for bad bytes). */
static size_t utf8_dec(const char *t, size_t n, size_t i, uint32_t *cp)
{
	unsigned char c = (unsigned char)t[i];
	size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || i + len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (size_t k = 1; k < len; k++) {
		unsigned char d = (unsigned char)t[i + k];
		if ((d & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (d & 0x3Fu);
	}
	*cp = v;
	return len;
}

static bool is_unicode_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
	       c == 0x3000;
}

static void lex_error(tparser *p, size_t s, size_t e, const char *fmt, const char *arg)
{
	sloc l = {{(uint32_t)s, (uint32_t)e}, NULL};
	if (p->nsyntax < MAX_SYNTAX_ERRORS)
		sb_error(p->b, &l, fmt, arg);
	p->nsyntax++;
}

static void push_tok(tparser *p, uint8_t kind, char ch, size_t s, size_t e)
{
	if (p->ntoks == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->toks = xrealloc(p->toks, p->cap * sizeof *p->toks);
	}
	p->toks[p->ntoks++] = (tok){kind, ch, {(uint32_t)s, (uint32_t)e}};
}

static bool is_id_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_id_char(char c)
{
	return is_id_start(c) || (c >= '0' && c <= '9');
}

static void lex(tparser *p)
{
	const char *t = p->text;
	size_t n = p->len, i = 0;
	while (i < n) {
		char c = t[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < n && t[i + 1] == '/') {
			while (i < n && t[i] != '\n' && t[i] != '\r')
				i++;
			continue;
		}
		if ((unsigned char)c >= 0x80) {
			uint32_t cp;
			size_t k = utf8_dec(t, n, i, &cp);
			if (is_unicode_space(cp)) {
				i += k;
				continue;
			}
			lex_error(p, i, i + k, "unexpected character%s", "");
			push_tok(p, T_BAD, 0, i, i + k);
			i += k;
			continue;
		}
		size_t s = i;
		if (is_id_start(c)) {
			while (i < n && is_id_char(t[i]))
				i++;
			push_tok(p, T_IDENT, 0, s, i);
		} else if (c >= '0' && c <= '9') {
			while (i < n && t[i] >= '0' && t[i] <= '9')
				i++;
			push_tok(p, T_NUM, 0, s, i);
		} else if (c == '"') {
			i++;
			while (i < n && t[i] != '"') {
				if (t[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			if (i >= n) {
				lex_error(p, s, s + 1, "unterminated string literal%s", "");
				push_tok(p, T_BAD, 0, s, n);
				return;
			}
			i++;
			push_tok(p, T_STR, 0, s, i);
		} else if (c == ':' && i + 1 < n && t[i + 1] == ':') {
			i += 2;
			push_tok(p, T_COLON2, 0, s, i);
		} else if (strchr(",;:{}[]<>=?@()", c) && c != '\0') {
			i++;
			push_tok(p, T_PUNCT, c, s, i);
		} else {
			char buf[2] = {c, 0};
			lex_error(p, s, s + 1, (unsigned char)c >= 0x20 && c != 0x7F ? "unexpected character '%s'"
									: "unexpected control character%s",
				  (unsigned char)c >= 0x20 && c != 0x7F ? buf : "");
			push_tok(p, T_BAD, 0, s, s + 1);
			i++;
		}
	}
}

/* ---------------------------------------------------------------- strings */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void utf8_put(wbuf *o, uint32_t cp)
{
	char u[4];
	size_t k;
	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	buf_add(o, u, k);
}

/* Unescapes a string token (Cedar escapes: \n \r \t \\ \0 \' \" \xHH with
 * HH <= 7F, \u{1-6 hex digits}). Reports a bad escape and returns NULL. */
static const wsym *str_value(tparser *p, const tok *tk)
{
	const char *t = p->text;
	size_t i = tk->span.start + 1, e = tk->span.end - 1;
	wbuf o = WBUF_INIT;
	buf_add(&o, "", 0);
	while (i < e) {
		char c = t[i];
		if (c != '\\') {
			buf_addc(&o, c);
			i++;
			continue;
		}
		size_t s = i;
		char d = i + 1 < e ? t[i + 1] : 0;
		i += 2;
		switch (d) {
		case 'n': buf_addc(&o, '\n'); continue;
		case 'r': buf_addc(&o, '\r'); continue;
		case 't': buf_addc(&o, '\t'); continue;
		case '\\': buf_addc(&o, '\\'); continue;
		case '0': buf_addc(&o, '\0'); continue;
		case '\'': buf_addc(&o, '\''); continue;
		case '"': buf_addc(&o, '"'); continue;
		case 'x':
			if (i + 2 <= e && hexval(t[i]) >= 0 && hexval(t[i + 1]) >= 0 &&
			    hexval(t[i]) * 16 + hexval(t[i + 1]) <= 0x7F) {
				buf_addc(&o, (char)(hexval(t[i]) * 16 + hexval(t[i + 1])));
				i += 2;
				continue;
			}
			break;
		case 'u':
			if (i < e && t[i] == '{') {
				size_t j = i + 1;
				uint32_t cp = 0;
				int nd = 0;
				while (j < e && hexval(t[j]) >= 0 && nd < 7) {
					cp = cp * 16 + (uint32_t)hexval(t[j]);
					j++;
					nd++;
				}
				if (j < e && t[j] == '}' && nd >= 1 && nd <= 6 && cp <= 0x10FFFF &&
				    !(cp >= 0xD800 && cp <= 0xDFFF)) {
					utf8_put(&o, cp);
					i = j + 1;
					continue;
				}
			}
			break;
		default:
			break;
		}
		sloc l = {{(uint32_t)s, (uint32_t)(s + 2 <= e ? s + 2 : e)}, NULL};
		if (p->nsyntax < MAX_SYNTAX_ERRORS)
			sb_error(p->b, &l, "invalid escape sequence in string literal");
		p->nsyntax++;
		buf_release(&o);
		return NULL;
	}
	const wsym *r = ctx_sym(p->b->cx, o.p, o.n);
	buf_release(&o);
	return r;
}

/* ---------------------------------------------------------------- parser helpers */

static const tok *cur(const tparser *p)
{
	return &p->toks[p->i];
}

static const tok *peek_at(const tparser *p, size_t k)
{
	size_t j = p->i + k;
	return j < p->ntoks ? &p->toks[j] : &p->toks[p->ntoks - 1];
}

static void advance(tparser *p)
{
	const tok *t = cur(p);
	if (t->kind == T_PUNCT && t->ch == '{')
		p->bdepth++;
	else if (t->kind == T_PUNCT && t->ch == '}')
		p->bdepth--;
	if (t->kind != T_EOF)
		p->i++;
}

static bool is_punct(const tok *t, char c)
{
	return t->kind == T_PUNCT && t->ch == c;
}

static bool is_word(const tparser *p, const tok *t, const char *w)
{
	size_t n = strlen(w);
	return t->kind == T_IDENT && t->span.end - t->span.start == n && memcmp(p->text + t->span.start, w, n) == 0;
}

static sloc tok_loc(const tok *t)
{
	sloc l = {t->span, NULL};
	return l;
}

static void describe(const tparser *p, const tok *t, wbuf *o)
{
	switch (t->kind) {
	case T_EOF: buf_adds(o, "end of input"); break;
	case T_STR: buf_adds(o, "a string literal"); break;
	case T_NUM: buf_adds(o, "a number"); break;
	default:
		buf_addc(o, '\'');
		buf_add(o, p->text + t->span.start, t->span.end - t->span.start);
		buf_addc(o, '\'');
		break;
	}
}

/* Reports "expected X, found Y" at the current token; always returns false. */
static bool expected(tparser *p, const char *what)
{
	const tok *t = cur(p);
	if (t->kind == T_BAD)
		return false; /* the lexer already said why */
	if (p->nsyntax < MAX_SYNTAX_ERRORS) {
		wbuf f = WBUF_INIT;
		describe(p, t, &f);
		sloc l = tok_loc(t);
		sb_error(p->b, &l, "expected %s, found %s", what, f.p);
		buf_release(&f);
	}
	p->nsyntax++;
	return false;
}

static bool expect_punct(tparser *p, char c)
{
	if (is_punct(cur(p), c)) {
		advance(p);
		return true;
	}
	char what[4] = {'\'', c, '\'', 0};
	return expected(p, what);
}

static const wsym *tok_sym(tparser *p, const tok *t)
{
	return ctx_sym(p->b->cx, p->text + t->span.start, t->span.end - t->span.start);
}

/* Ident := IDENT - {true false if then else in is like has} */
static bool parse_ident(tparser *p, const wsym **out, sloc *loc)
{
	const tok *t = cur(p);
	if (t->kind != T_IDENT)
		return expected(p, "an identifier");
	if (schema_is_reserved_word(p->text + t->span.start, t->span.end - t->span.start)) {
		wbuf f = WBUF_INIT;
		describe(p, t, &f);
		sloc l = tok_loc(t);
		if (p->nsyntax < MAX_SYNTAX_ERRORS)
			sb_error(p->b, &l, "%s is a reserved word and cannot be used as an identifier", f.p);
		buf_release(&f);
		p->nsyntax++;
		return false;
	}
	*out = tok_sym(p, t);
	*loc = tok_loc(t);
	advance(p);
	return true;
}

/* Path := Ident {'::' Ident} */
static bool parse_path(tparser *p, const wsym **out, sloc *loc)
{
	size_t s = cur(p)->span.start;
	const wsym *id;
	sloc l;
	if (!parse_ident(p, &id, &l))
		return false;
	size_t e = l.span.end;
	while (cur(p)->kind == T_COLON2 && peek_at(p, 1)->kind == T_IDENT) {
		advance(p);
		if (!parse_ident(p, &id, &l))
			return false;
		e = l.span.end;
	}
	*out = ctx_sym(p->b->cx, p->text + s, e - s);
	loc->span = (wspan){(uint32_t)s, (uint32_t)e};
	loc->path = NULL;
	return true;
}

/* Name := Ident | STR */
static bool parse_name(tparser *p, const wsym **out, sloc *loc)
{
	const tok *t = cur(p);
	if (t->kind == T_STR) {
		*loc = tok_loc(t);
		*out = str_value(p, t);
		advance(p);
		return *out != NULL;
	}
	if (t->kind != T_IDENT)
		return expected(p, "a name (identifier or string)");
	return parse_ident(p, out, loc);
}

/* Annotations := {'@' AnyIdent ['(' STR ')']}; kept only to reject duplicates. */
static bool parse_annotations(tparser *p)
{
	const wsym *seen[16];
	size_t nseen = 0;
	while (is_punct(cur(p), '@')) {
		advance(p);
		const tok *k = cur(p);
		if (k->kind != T_IDENT)
			return expected(p, "an annotation name");
		const wsym *key = tok_sym(p, k);
		sloc kl = tok_loc(k);
		advance(p);
		if (is_punct(cur(p), '(')) {
			advance(p);
			if (cur(p)->kind != T_STR)
				return expected(p, "a string literal");
			if (!str_value(p, cur(p)))
				return false;
			advance(p);
			if (!expect_punct(p, ')'))
				return false;
		}
		bool dup = false;
		for (size_t i = 0; i < nseen; i++)
			dup |= seen[i] == key;
		if (dup) {
			sb_error(p->b, &kl, "duplicate annotation '@%s'", key->s);
		} else if (nseen < 16) {
			seen[nseen++] = key;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- types */

static bool parse_type(tparser *p, rtype **out);

/* growable scratch vector of rattr */
typedef struct avec {
	rattr *v;
	size_t n, cap;
} avec;

/* AttrDecls := Annotations Name ['?'] ':' Type [',' [AttrDecls]]; the
 * opening '{' is consumed, the closing '}' is consumed here. */
static bool parse_record_body(tparser *p, rtype *r)
{
	avec a = {0};
	bool ok = true;
	while (!is_punct(cur(p), '}')) {
		rattr at = {0};
		if (!parse_annotations(p) || !parse_name(p, &at.name, &at.loc)) {
			ok = false;
			break;
		}
		at.required = true;
		if (is_punct(cur(p), '?')) {
			at.required = false;
			advance(p);
		}
		if (!expect_punct(p, ':') || !parse_type(p, &at.type)) {
			ok = false;
			break;
		}
		if (a.n == a.cap) {
			a.cap = a.cap ? a.cap * 2 : 8;
			a.v = xrealloc(a.v, a.cap * sizeof *a.v);
		}
		a.v[a.n++] = at;
		if (is_punct(cur(p), ','))
			advance(p);
		else if (!is_punct(cur(p), '}')) {
			ok = expected(p, "',' or '}'");
			break;
		}
	}
	if (ok) {
		r->loc.span.end = cur(p)->span.end;
		advance(p); /* '}' */
		r->nattrs = (uint32_t)a.n;
		if (a.n) {
			r->attrs = ARENA_ARRAY(&p->b->tmp, rattr, a.n);
			memcpy(r->attrs, a.v, a.n * sizeof *a.v);
		}
	}
	free(a.v);
	return ok;
}

/* Type := 'Set' '<' Type '>' | '{' [AttrDecls] '}' | Path */
static bool parse_type(tparser *p, rtype **out)
{
	const tok *t = cur(p);
	sloc l = tok_loc(t);
	if (p->tdepth >= SCHEMA_MAX_DEPTH) {
		if (p->nsyntax < MAX_SYNTAX_ERRORS)
			sb_error(p->b, &l, "types are nested too deeply (the limit is %d)", SCHEMA_MAX_DEPTH);
		p->nsyntax++;
		return false;
	}
	bool ok;
	p->tdepth++;
	if (is_word(p, t, "Set") && is_punct(peek_at(p, 1), '<')) {
		rtype *r = sb_type(p->b, RK_SET, &l);
		advance(p);
		advance(p);
		ok = parse_type(p, &r->elem);
		if (ok) {
			r->loc.span.end = cur(p)->span.end;
			ok = expect_punct(p, '>');
		}
		*out = r;
	} else if (is_punct(t, '{')) {
		rtype *r = sb_type(p->b, RK_RECORD, &l);
		advance(p);
		ok = parse_record_body(p, r);
		*out = r;
	} else if (t->kind == T_IDENT) {
		const wsym *name;
		sloc nl;
		ok = parse_path(p, &name, &nl);
		if (ok) {
			rtype *r = sb_type(p->b, RK_REF, &nl);
			r->reft = REF_EITHER;
			r->name = name;
			*out = r;
		}
	} else {
		ok = expected(p, "a type");
	}
	p->tdepth--;
	return ok;
}

/* ---------------------------------------------------------------- declarations */

typedef struct nvec {
	rname *v;
	size_t n, cap;
} nvec;

static void nvec_push(nvec *v, rname r)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = r;
}

static rname *nvec_done(tparser *p, nvec *v, uint32_t *n)
{
	rname *r = NULL;
	if (v->n) {
		r = ARENA_ARRAY(&p->b->tmp, rname, v->n);
		memcpy(r, v->v, v->n * sizeof *r);
	}
	*n = (uint32_t)v->n;
	free(v->v);
	memset(v, 0, sizeof *v);
	return r;
}

/* EntTypes := Path | '[' [Path {',' Path}] ']' */
static bool parse_ent_types(tparser *p, nvec *out, sloc *whole)
{
	*whole = tok_loc(cur(p));
	if (!is_punct(cur(p), '[')) {
		rname r;
		if (!parse_path(p, &r.name, &r.loc))
			return false;
		nvec_push(out, r);
		whole->span.end = r.loc.span.end;
		return true;
	}
	advance(p);
	if (!is_punct(cur(p), ']')) {
		for (;;) {
			rname r;
			if (!parse_path(p, &r.name, &r.loc))
				return false;
			nvec_push(out, r);
			if (!is_punct(cur(p), ','))
				break;
			advance(p);
		}
	}
	whole->span.end = cur(p)->span.end;
	return expect_punct(p, ']');
}

/* Entity := 'entity' Idents ['in' EntTypes] [['='] RecType] ['tags' Type] ';'
 *         | 'entity' Idents 'enum' '[' STR {',' STR} ']' ';' */
static bool parse_entity(tparser *p)
{
	advance(p); /* entity */
	nvec names = {0}, parents = {0};
	bool ok = true;
	for (;;) {
		rname r;
		if (!parse_ident(p, &r.name, &r.loc)) {
			ok = false;
			goto out;
		}
		nvec_push(&names, r);
		if (!is_punct(cur(p), ','))
			break;
		advance(p);
	}
	if (is_word(p, cur(p), "enum")) {
		advance(p);
		const wsym **ids = NULL;
		size_t nids = 0, cap = 0;
		if (!expect_punct(p, '[')) {
			ok = false;
			goto out;
		}
		for (;;) {
			if (cur(p)->kind != T_STR) {
				ok = expected(p, "a string literal");
				break;
			}
			const wsym *id = str_value(p, cur(p));
			if (!id) {
				ok = false;
				break;
			}
			advance(p);
			if (nids == cap) {
				cap = cap ? cap * 2 : 8;
				ids = xrealloc(ids, cap * sizeof *ids);
			}
			ids[nids++] = id;
			if (!is_punct(cur(p), ','))
				break;
			advance(p);
		}
		if (ok)
			ok = expect_punct(p, ']') && expect_punct(p, ';');
		if (ok) {
			for (size_t i = 0; i < names.n; i++) {
				retype *e = sb_new_etype(p->b, p->ns, names.v[i].name, &names.v[i].loc);
				e->is_enum = true;
				e->nenum = (uint32_t)nids;
				e->enum_ids = ARENA_ARRAY(&p->b->tmp, const wsym *, nids);
				memcpy(e->enum_ids, ids, nids * sizeof *ids);
			}
		}
		free(ids);
		goto out;
	}
	if (is_word(p, cur(p), "in")) {
		advance(p);
		sloc whole;
		if (!parse_ent_types(p, &parents, &whole)) {
			ok = false;
			goto out;
		}
	}
	rtype *shape = NULL, *tags = NULL;
	if (is_punct(cur(p), '=') || is_punct(cur(p), '{')) {
		if (is_punct(cur(p), '='))
			advance(p);
		if (!is_punct(cur(p), '{')) {
			ok = expected(p, "'{'");
			goto out;
		}
		sloc l = tok_loc(cur(p));
		shape = sb_type(p->b, RK_RECORD, &l);
		advance(p);
		if (!parse_record_body(p, shape)) {
			ok = false;
			goto out;
		}
	}
	if (is_word(p, cur(p), "tags")) {
		advance(p);
		if (!parse_type(p, &tags)) {
			ok = false;
			goto out;
		}
	}
	if (!expect_punct(p, ';')) {
		ok = false;
		goto out;
	}
	uint32_t np;
	rname *pv = nvec_done(p, &parents, &np);
	for (size_t i = 0; i < names.n; i++) {
		retype *e = sb_new_etype(p->b, p->ns, names.v[i].name, &names.v[i].loc);
		e->parents = pv;
		e->nparents = np;
		e->shape = shape;
		e->tags = tags;
	}
out:
	free(names.v);
	free(parents.v);
	return ok;
}

/* QualName := Name | Path '::' STR */
static bool parse_qualname(tparser *p, raref *out)
{
	const tok *t = cur(p);
	out->type = NULL;
	if (t->kind == T_STR || (t->kind == T_IDENT && peek_at(p, 1)->kind != T_COLON2))
		return parse_name(p, &out->id, &out->loc);
	if (t->kind != T_IDENT)
		return expected(p, "an action name");
	size_t s = t->span.start, e = t->span.end;
	const wsym *id;
	sloc l;
	if (!parse_ident(p, &id, &l))
		return false;
	for (;;) {
		if (cur(p)->kind != T_COLON2)
			return expected(p, "'::'");
		advance(p);
		if (cur(p)->kind == T_STR)
			break;
		if (!parse_ident(p, &id, &l))
			return false;
		e = l.span.end;
	}
	out->type = ctx_sym(p->b->cx, p->text + s, e - s);
	out->id = str_value(p, cur(p));
	out->loc = (sloc){{(uint32_t)s, cur(p)->span.end}, NULL};
	advance(p);
	return out->id != NULL;
}

/* Action := 'action' Names ['in' RefOrRefs] [AppliesTo] ['attributes' '{' '}'] ';'
 * AppliesTo := 'appliesTo' '{' AppDecls '}' */
static bool parse_action(tparser *p)
{
	advance(p); /* action */
	nvec names = {0}, prin = {0}, res = {0};
	raref *pars = NULL;
	size_t npars = 0, cpars = 0;
	rtype *context = NULL;
	bool has_applies = false, ok = true;
	for (;;) {
		rname r;
		if (!parse_name(p, &r.name, &r.loc)) {
			ok = false;
			goto out;
		}
		nvec_push(&names, r);
		if (!is_punct(cur(p), ','))
			break;
		advance(p);
	}
	if (is_word(p, cur(p), "in")) {
		advance(p);
		bool list = is_punct(cur(p), '[');
		if (list)
			advance(p);
		for (;;) {
			raref r;
			if (!parse_qualname(p, &r)) {
				ok = false;
				goto out;
			}
			if (npars == cpars) {
				cpars = cpars ? cpars * 2 : 4;
				pars = xrealloc(pars, cpars * sizeof *pars);
			}
			pars[npars++] = r;
			if (!list || !is_punct(cur(p), ','))
				break;
			advance(p);
		}
		if (list && !expect_punct(p, ']')) {
			ok = false;
			goto out;
		}
	}
	if (is_word(p, cur(p), "appliesTo")) {
		sloc al = tok_loc(cur(p));
		advance(p);
		if (!expect_punct(p, '{')) {
			ok = false;
			goto out;
		}
		has_applies = true;
		bool seen_p = false, seen_r = false, seen_c = false;
		for (;;) {
			const tok *k = cur(p);
			sloc kl = tok_loc(k);
			bool isp = is_word(p, k, "principal"), isr = is_word(p, k, "resource");
			if (isp || isr) {
				advance(p);
				if (!expect_punct(p, ':')) {
					ok = false;
					goto out;
				}
				nvec *v = isp ? &prin : &res;
				size_t before = v->n;
				sloc whole;
				if (!parse_ent_types(p, v, &whole)) {
					ok = false;
					goto out;
				}
				if ((isp && seen_p) || (isr && seen_r)) {
					sb_error(p->b, &kl, "duplicate '%s' in appliesTo", isp ? "principal" : "resource");
				} else if (v->n == before) {
					sb_error(p->b, &whole, "the %s list in appliesTo must not be empty",
						 isp ? "principal" : "resource");
				}
				if (isp)
					seen_p = true;
				else
					seen_r = true;
			} else if (is_word(p, k, "context")) {
				advance(p);
				if (!expect_punct(p, ':')) {
					ok = false;
					goto out;
				}
				rtype *c;
				if (is_punct(cur(p), '{')) {
					sloc l = tok_loc(cur(p));
					c = sb_type(p->b, RK_RECORD, &l);
					advance(p);
					if (!parse_record_body(p, c)) {
						ok = false;
						goto out;
					}
				} else {
					const wsym *name;
					sloc nl;
					if (cur(p)->kind != T_IDENT) {
						ok = expected(p, "a record type or a common type name");
						goto out;
					}
					if (!parse_path(p, &name, &nl)) {
						ok = false;
						goto out;
					}
					c = sb_type(p->b, RK_REF, &nl);
					c->reft = REF_COMMON;
					c->name = name;
				}
				if (seen_c) {
					sb_error(p->b, &kl, "duplicate 'context' in appliesTo");
				}
				seen_c = true;
				context = c;
			} else {
				ok = expected(p, "'principal', 'resource' or 'context'");
				goto out;
			}
			if (is_punct(cur(p), ',')) {
				advance(p);
				if (is_punct(cur(p), '}'))
					break;
			} else if (is_punct(cur(p), '}')) {
				break;
			} else {
				ok = expected(p, "',' or '}'");
				goto out;
			}
		}
		advance(p); /* '}' */
		if (!seen_p || !seen_r) {
			sb_error(p->b, &al, "appliesTo of action '%s' must declare %s", names.v[0].name->s,
				 !seen_p && !seen_r ? "'principal' and 'resource'"
				 : !seen_p         ? "'principal'"
						   : "'resource'");
		}
	}
	if (is_word(p, cur(p), "attributes")) {
		advance(p);
		if (!expect_punct(p, '{') || !expect_punct(p, '}')) {
			ok = false;
			goto out;
		}
	}
	if (!expect_punct(p, ';')) {
		ok = false;
		goto out;
	}
	{
		uint32_t npr, nre;
		rname *pv = nvec_done(p, &prin, &npr);
		rname *rv = nvec_done(p, &res, &nre);
		raref *parv = NULL;
		if (npars) {
			parv = ARENA_ARRAY(&p->b->tmp, raref, npars);
			memcpy(parv, pars, npars * sizeof *pars);
		}
		for (size_t i = 0; i < names.n; i++) {
			raction *a = sb_new_action(p->b, p->ns, names.v[i].name, &names.v[i].loc);
			a->parents = parv;
			a->nparents = (uint32_t)npars;
			a->principals = pv;
			a->nprincipals = npr;
			a->resources = rv;
			a->nresources = nre;
			a->context = context;
			a->has_applies_to = has_applies;
		}
	}
out:
	free(names.v);
	free(prin.v);
	free(res.v);
	free(pars);
	return ok;
}

/* TypeDecl := 'type' Ident '=' Type ';' */
static bool parse_typedecl(tparser *p)
{
	advance(p); /* type */
	const wsym *name;
	sloc l;
	rtype *t;
	if (!parse_ident(p, &name, &l) || !expect_punct(p, '=') || !parse_type(p, &t) || !expect_punct(p, ';'))
		return false;
	sb_add_ctype(p->b, p->ns, name, t, &l);
	return true;
}

/* Skips to the end of a broken declaration: the next ';' at brace depth
 * `d0`, or just before a '}' that would close depth `d0`. */
static void recover(tparser *p, int d0)
{
	for (;;) {
		const tok *t = cur(p);
		if (t->kind == T_EOF)
			return;
		if (p->bdepth <= d0 && is_punct(t, '}'))
			return;
		bool semi = is_punct(t, ';') && p->bdepth <= d0;
		advance(p);
		if (semi)
			return;
	}
}

/* Decl := Entity | Action | TypeDecl, after its annotations. */
static void parse_decl(tparser *p, int d0)
{
	const tok *t = cur(p);
	bool ok;
	if (is_word(p, t, "entity"))
		ok = parse_entity(p);
	else if (is_word(p, t, "action"))
		ok = parse_action(p);
	else if (is_word(p, t, "type"))
		ok = parse_typedecl(p);
	else
		ok = expected(p, "'entity', 'action' or 'type'");
	if (!ok) {
		p->tdepth = 0;
		if (p->i == 0 || cur(p) == t)
			advance(p); /* always make progress */
		recover(p, d0);
	}
}

/* Namespace := Annotations 'namespace' Path '{' {Annotations Decl} '}' | Annotations Decl */
static void parse_schema(tparser *p)
{
	const wsym *empty = p->b->cx->s_empty;
	sloc nl0 = {{0, 0}, NULL};
	sb_namespace(p->b, empty, &nl0);
	while (cur(p)->kind != T_EOF) {
		int d0 = p->bdepth;
		size_t start = p->i;
		if (!parse_annotations(p)) {
			if (p->i == start)
				advance(p);
			recover(p, d0);
			continue;
		}
		if (is_punct(cur(p), '}')) {
			expected(p, "a declaration");
			advance(p);
			p->bdepth = 0;
			continue;
		}
		if (!is_word(p, cur(p), "namespace")) {
			p->ns = empty;
			parse_decl(p, d0);
			continue;
		}
		advance(p);
		const wsym *ns;
		sloc nl;
		if (!parse_path(p, &ns, &nl) || !expect_punct(p, '{')) {
			recover(p, d0);
			continue;
		}
		sb_namespace(p->b, ns, &nl);
		p->ns = ns;
		int d1 = p->bdepth;
		while (cur(p)->kind != T_EOF && !is_punct(cur(p), '}')) {
			size_t s = p->i;
			if (!parse_annotations(p)) {
				if (p->i == s)
					advance(p);
				recover(p, d1);
				continue;
			}
			if (is_word(p, cur(p), "namespace")) {
				sloc l = tok_loc(cur(p));
				sb_error(p->b, &l, "namespaces cannot be nested");
				p->nsyntax++;
				advance(p);
				recover(p, d1);
				continue;
			}
			parse_decl(p, d1);
		}
		expect_punct(p, '}');
		p->bdepth = d0;
	}
}

int schema_parse_text(wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d)
{
	sbuild b;
	sb_init(&b, cx, s, name, text, len, d);
	tparser p;
	memset(&p, 0, sizeof p);
	p.b = &b;
	p.text = b.src->text;
	p.len = b.src->len;
	p.ns = cx->s_empty;
	if (sb_nerrors(&b) == 0) {
		lex(&p);
		push_tok(&p, T_EOF, 0, p.len, p.len);
		parse_schema(&p);
		if (p.nsyntax == 0)
			sb_finish(&b); /* resolves and reports the rest; fills s only if no errors at all */
	}
	free(p.toks);
	sb_sort_diags(&b);
	int n = (int)sb_nerrors(&b);
	sb_release(&b);
	return n;
}
