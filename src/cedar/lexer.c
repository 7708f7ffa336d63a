/* lexer: tokenizer for Cedar policy text (see lexer.h).
 *
 * Mirrors the token rules of the reference grammar: longest match, keywords
 * are plain identifiers, strings are `"(\\.|[^"\\])*"` where `.` is any
 * scalar value but a line feed, and whitespace is Unicode White_Space.
 */
#include "cedar/lexer.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

int lex_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int len;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

int lex_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Unicode White_Space, as Rust's regex `\s` matches it. */
static bool is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

static bool is_ident_start(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

typedef struct lexer {
	const wsource *src;
	const unsigned char *s;
	uint32_t n, pos;
	wdiags *d;
	wcomment_sink sink;
	void *sink_ctx;
	wtokens *out;
} lexer;

static void push(lexer *lx, wtokkind k, uint32_t start, uint32_t end)
{
	wtokens *t = lx->out;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->items = xrealloc(t->items, t->cap * sizeof *t->items);
	}
	wtoken *tk = &t->items[t->n++];
	memset(tk, 0, sizeof *tk);
	tk->kind = (uint8_t)k;
	tk->span.start = start;
	tk->span.end = end;
}

static void lex_error(lexer *lx, uint32_t start, uint32_t end, const char *msg)
{
	wspan sp = {start, end};
	diag_add(lx->d, WSEV_ERROR, lx->src, sp, "%s", msg);
}

/* Skips a `//` comment starting at pos; validates its UTF-8. */
static void lex_comment(lexer *lx)
{
	uint32_t start = lx->pos;
	while (lx->pos < lx->n && lx->s[lx->pos] != '\n' && lx->s[lx->pos] != '\r') {
		uint32_t cp;
		int k = lex_utf8_decode(lx->s + lx->pos, lx->n - lx->pos, &cp);
		if (k == 0) {
			lex_error(lx, lx->pos, lx->pos + 1, "invalid UTF-8 in comment");
			k = 1;
		}
		lx->pos += (uint32_t)k;
	}
	if (lx->sink) {
		wspan sp = {start, lx->pos};
		lx->sink(lx->sink_ctx, sp);
	}
}

/* "..." : escapes are only delimited here (backslash + any scalar but a
 * line feed); the parser decodes them. */
static void lex_string(lexer *lx)
{
	uint32_t start = lx->pos++;
	bool bad = false;
	for (;;) {
		if (lx->pos >= lx->n) {
			lex_error(lx, start, lx->pos, "unterminated string literal");
			push(lx, WT_ERROR, start, lx->pos);
			return;
		}
		unsigned char c = lx->s[lx->pos];
		if (c == '"') {
			lx->pos++;
			break;
		}
		if (c == '\\') {
			lx->pos++;
			if (lx->pos >= lx->n)
				continue;
			if (lx->s[lx->pos] == '\n') {
				if (!bad)
					lex_error(lx, lx->pos - 1, lx->pos + 1,
						  "a backslash may not end a line inside a string literal");
				bad = true;
				lx->pos++;
				continue;
			}
		}
		uint32_t cp;
		int k = lex_utf8_decode(lx->s + lx->pos, lx->n - lx->pos, &cp);
		if (k == 0) {
			if (!bad)
				lex_error(lx, lx->pos, lx->pos + 1, "invalid UTF-8 in string literal");
			bad = true;
			k = 1;
		}
		lx->pos += (uint32_t)k;
	}
	push(lx, bad ? WT_ERROR : WT_STR, start, lx->pos);
}

static void lex_number(lexer *lx)
{
	uint32_t start = lx->pos;
	uint64_t v = 0;
	bool over = false;
	while (lx->pos < lx->n && lx->s[lx->pos] >= '0' && lx->s[lx->pos] <= '9') {
		unsigned d = (unsigned)(lx->s[lx->pos] - '0');
		if (v > (UINT64_MAX - d) / 10)
			over = true;
		else
			v = v * 10 + d;
		lx->pos++;
	}
	push(lx, WT_INT, start, lx->pos);
	lx->out->items[lx->out->n - 1].num = v;
	lx->out->items[lx->out->n - 1].overflow = over;
}

/* Two-character punctuation first (longest match), then one-character. */
static bool lex_punct(lexer *lx)
{
	static const struct {
		const char *s;
		wtokkind k;
	} ops[] = {
		{"::", WT_COLONCOLON}, {"==", WT_EQEQ}, {"!=", WT_NE}, {"<=", WT_LE}, {">=", WT_GE},
		{"||", WT_OROR}, {"&&", WT_ANDAND}, {"@", WT_AT}, {".", WT_DOT}, {",", WT_COMMA},
		{";", WT_SEMI}, {":", WT_COLON}, {"(", WT_LPAREN}, {")", WT_RPAREN}, {"{", WT_LBRACE},
		{"}", WT_RBRACE}, {"[", WT_LBRACKET}, {"]", WT_RBRACKET}, {"<", WT_LT}, {">", WT_GT},
		{"+", WT_PLUS}, {"-", WT_MINUS}, {"*", WT_STAR}, {"/", WT_SLASH}, {"%", WT_PERCENT},
		{"!", WT_BANG}, {"=", WT_ASSIGN},
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t l = strlen(ops[i].s);
		if (lx->pos + l <= lx->n && memcmp(lx->s + lx->pos, ops[i].s, l) == 0) {
			push(lx, ops[i].k, lx->pos, lx->pos + (uint32_t)l);
			lx->pos += (uint32_t)l;
			return true;
		}
	}
	return false;
}

void lex_all(const wsource *src, wdiags *d, wcomment_sink sink, void *sink_ctx, wtokens *out)
{
	lexer lx = {src, (const unsigned char *)src->text, (uint32_t)src->len, 0, d, sink, sink_ctx, out};
	memset(out, 0, sizeof *out);
	while (lx.pos < lx.n) {
		unsigned char c = lx.s[lx.pos];
		if (c == '/' && lx.pos + 1 < lx.n && lx.s[lx.pos + 1] == '/') {
			lex_comment(&lx);
		} else if (c == '"') {
			lex_string(&lx);
		} else if (c >= '0' && c <= '9') {
			lex_number(&lx);
		} else if (is_ident_start(c)) {
			uint32_t start = lx.pos;
			while (lx.pos < lx.n && is_ident_char(lx.s[lx.pos]))
				lx.pos++;
			push(&lx, WT_IDENT, start, lx.pos);
		} else if (c == '?' && lx.pos + 1 < lx.n && is_ident_start(lx.s[lx.pos + 1])) {
			uint32_t start = lx.pos++;
			while (lx.pos < lx.n && is_ident_char(lx.s[lx.pos]))
				lx.pos++;
			push(&lx, WT_SLOT, start, lx.pos);
		} else if (lex_punct(&lx)) {
			/* pushed */
		} else {
			uint32_t cp;
			int k = lex_utf8_decode(lx.s + lx.pos, lx.n - lx.pos, &cp);
			if (k > 0 && is_space(cp)) {
				lx.pos += (uint32_t)k;
				continue;
			}
			uint32_t start = lx.pos;
			if (k == 0) {
				lex_error(&lx, start, start + 1, "invalid UTF-8 in policy text");
				k = 1;
			} else {
				wbuf b = WBUF_INIT;
				if (cp < 0x20 || cp == 0x7F)
					buf_printf(&b, "unexpected character U+%04X", (unsigned)cp);
				else
					buf_printf(&b, "unexpected character '%.*s'", k, (const char *)lx.s + start);
				lex_error(&lx, start, start + (uint32_t)k, b.p);
				buf_release(&b);
			}
			lx.pos += (uint32_t)k;
			push(&lx, WT_ERROR, start, lx.pos);
		}
	}
	push(&lx, WT_EOF, lx.n, lx.n);
}

void lex_release(wtokens *t)
{
	free(t->items);
	memset(t, 0, sizeof *t);
}

const char *lex_tok_name(wtokkind k)
{
	switch (k) {
	case WT_EOF: return "end of input";
	case WT_ERROR: return "an invalid token";
	case WT_IDENT: return "an identifier";
	case WT_INT: return "an integer";
	case WT_STR: return "a string";
	case WT_SLOT: return "a template slot";
	case WT_AT: return "'@'";
	case WT_DOT: return "'.'";
	case WT_COMMA: return "','";
	case WT_SEMI: return "';'";
	case WT_COLON: return "':'";
	case WT_COLONCOLON: return "'::'";
	case WT_LPAREN: return "'('";
	case WT_RPAREN: return "')'";
	case WT_LBRACE: return "'{'";
	case WT_RBRACE: return "'}'";
	case WT_LBRACKET: return "'['";
	case WT_RBRACKET: return "']'";
	case WT_EQEQ: return "'=='";
	case WT_NE: return "'!='";
	case WT_LT: return "'<'";
	case WT_LE: return "'<='";
	case WT_GT: return "'>'";
	case WT_GE: return "'>='";
	case WT_OROR: return "'||'";
	case WT_ANDAND: return "'&&'";
	case WT_PLUS: return "'+'";
	case WT_MINUS: return "'-'";
	case WT_STAR: return "'*'";
	case WT_SLASH: return "'/'";
	case WT_PERCENT: return "'%'";
	case WT_BANG: return "'!'";
	case WT_ASSIGN: return "'='";
	}
	return "a token";
}
