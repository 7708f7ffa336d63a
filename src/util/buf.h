/* buf: a growable byte buffer (string builder) on the heap. */
#ifndef WARD_UTIL_BUF_H
#define WARD_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct wbuf {
	char *p;    /* bytes, always NUL-terminated when non-NULL */
	size_t n;   /* length */
	size_t cap; /* allocated */
} wbuf;

#define WBUF_INIT {NULL, 0, 0}

void buf_release(wbuf *b);
void buf_clear(wbuf *b); /* length 0, keeps memory */
void buf_add(wbuf *b, const void *p, size_t n);
void buf_adds(wbuf *b, const char *s);
void buf_addc(wbuf *b, char c);
void buf_printf(wbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
void buf_vprintf(wbuf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (quotes included, escapes as needed). */
void buf_add_json_str(wbuf *b, const char *s, size_t n);
/* Takes ownership of the bytes (caller frees); the buffer becomes empty. */
char *buf_detach(wbuf *b);

#endif
