/* lexer: Cedar policy text -> tokens.
 *
 * Splits a source into tokens as the reference grammar does: identifiers
 * (keywords are identifiers; the parser decides by their text), decimal
 * integers, double-quoted strings (kept raw: escapes are decoded by the
 * parser, which knows whether the string is a `like` pattern), template
 * slots and punctuation. Whitespace is Unicode White_Space; `//` comments
 * run to the end of the line and are reported to an optional sink.
 *
 * Lexical errors (a stray character, an unterminated string, invalid UTF-8)
 * are appended to the diagnostics and produce a WT_ERROR token, so the
 * parser can skip them without reporting twice.
 */
#ifndef WARD_CEDAR_LEXER_H
#define WARD_CEDAR_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/diag.h"

typedef enum wtokkind {
	WT_EOF,
	WT_ERROR,     /* already reported */
	WT_IDENT,     /* [_a-zA-Z][_a-zA-Z0-9]* (keywords included) */
	WT_INT,       /* [0-9]+ ; value in num, overflow set past 2^64-1 */
	WT_STR,       /* "..." raw, quotes included in the span */
	WT_SLOT,      /* ?ident */
	WT_AT,        /* @ */
	WT_DOT,       /* . */
	WT_COMMA,     /* , */
	WT_SEMI,      /* ; */
	WT_COLON,     /* : */
	WT_COLONCOLON,/* :: */
	WT_LPAREN,    /* ( */
	WT_RPAREN,    /* ) */
	WT_LBRACE,    /* { */
	WT_RBRACE,    /* } */
	WT_LBRACKET,  /* [ */
	WT_RBRACKET,  /* ] */
	WT_EQEQ,      /* == */
	WT_NE,        /* != */
	WT_LT,        /* < */
	WT_LE,        /* <= */
	WT_GT,        /* > */
	WT_GE,        /* >= */
	WT_OROR,      /* || */
	WT_ANDAND,    /* && */
	WT_PLUS,      /* + */
	WT_MINUS,     /* - */
	WT_STAR,      /* * */
	WT_SLASH,     /* / (not a Cedar operator; lexed for a better error) */
	WT_PERCENT,   /* % (likewise) */
	WT_BANG,      /* ! */
	WT_ASSIGN,    /* = (likewise; suggests ==) */
} wtokkind;

typedef struct wtoken {
	uint8_t kind;   /* wtokkind */
	bool overflow;  /* WT_INT: value does not fit in 64 bits */
	wspan span;     /* bytes of the token in the source */
	uint64_t num;   /* WT_INT value */
} wtoken;

/* Receives each `//` comment span (without the line break). */
typedef void (*wcomment_sink)(void *ctx, wspan span);

typedef struct wtokens {
	wtoken *items; /* heap; always ends with one WT_EOF token */
	uint32_t n, cap;
} wtokens;

/* Tokenizes the whole source. Errors go to `d`; comments to `sink` when not
 * NULL. The token array is heap memory: release with lex_release. O(len). */
void lex_all(const wsource *src, wdiags *d, wcomment_sink sink, void *sink_ctx, wtokens *out);
void lex_release(wtokens *t);

/* Decodes one UTF-8 scalar value at s[0..n). Returns its length (1..4) and
 * stores it in *cp, or 0 when the bytes are not valid UTF-8. */
int lex_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Appends the UTF-8 encoding of a scalar value; returns its length. */
int lex_utf8_encode(uint32_t cp, char out[4]);

/* A short human name of a token kind for messages ("'('", "a string"). */
const char *lex_tok_name(wtokkind k);

#endif
