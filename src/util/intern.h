/* intern: the symbol table.
 *
 * Entity type names, entity ids, attribute names and other identifiers are
 * interned once per engine (struct wctx) so that equality is pointer
 * equality. A symbol is immutable and lives as long as its interner.
 * Symbols may contain NUL bytes (Cedar strings can); `s` is always also
 * NUL-terminated for convenience.
 *
 * Thread-safety: interning mutates the table; callers that share an engine
 * between threads must serialise intern_get (intern_find is read-only).
 */
#ifndef WARD_UTIL_INTERN_H
#define WARD_UTIL_INTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"

typedef struct wsym {
	uint32_t len;  /* bytes, excluding the terminating NUL */
	uint32_t hash; /* intern_hash of the bytes */
	uint32_t id;   /* dense index, 0..n-1, in interning order */
	char s[];      /* the bytes, NUL-terminated */
} wsym;

/* One slot of the table: the symbol with a copy of its hash and length, so
 * a probe compares without touching the symbol (a cache miss less). */
typedef struct wintern_slot {
	const wsym *sym; /* NULL = empty */
	uint32_t hash;
	uint32_t len;
} wintern_slot;

typedef struct winterner {
	warena arena;      /* owns every wsym */
	wintern_slot *tab; /* open addressing, power-of-two size */
	uint32_t cap;      /* slots in tab */
	uint32_t n;        /* symbols interned */
} winterner;

void intern_init(winterner *in);
void intern_release(winterner *in);

/* The unique symbol for these bytes; creates it if new. Never NULL. */
const wsym *intern_get(winterner *in, const char *s, size_t len);
const wsym *intern_cstr(winterner *in, const char *s);
/* The symbol if already interned, else NULL. Does not modify the table. */
const wsym *intern_find(const winterner *in, const char *s, size_t len);
/* intern_get split in two, for loaders that can do other work between
 * the halves: intern_prefetch hashes the bytes and starts loading their
 * slot of the table (returns the hash); intern_get_hashed then finishes
 * with that hash. */
uint32_t intern_prefetch(const winterner *in, const char *s, size_t len);
const wsym *intern_get_hashed(winterner *in, const char *s, size_t len, uint32_t h);
/* Makes room for `more` symbols beyond those interned without rehashing
 * (a hint: interning works the same without it). */
void intern_reserve(winterner *in, size_t more);

uint32_t intern_hash(const char *s, size_t len);

/* a[0..n) == b[0..n), without a call for the short keys identifiers
 * are: two overlapping loads cover 4 to 16 bytes. */
static inline bool intern_bytes_eq(const char *a, const char *b, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t x, y, u, v;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&v, b + n - 8, 8);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	if (n >= 4 && n < 8) {
		uint32_t x, y, u, v;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	return memcmp(a, b, n) == 0;
}

/* Byte-wise ordering of two symbols (shorter prefix first): for sorted output. */
int sym_cmp(const wsym *a, const wsym *b);

#endif
