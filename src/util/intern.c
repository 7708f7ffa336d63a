/* intern: open-addressing symbol table (see intern.h).
 *
 * Each slot keeps the symbol's hash and length beside its pointer, so a
 * probe only dereferences a symbol whose hash and length both match: on a
 * table of millions of symbols that saves a cache miss per probed slot. */
#include "util/intern.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A multiply-xorshift hash eight bytes at a time (identifiers are short:
 * one to three steps), with the length mixed in, so the short tail can be
 * read with overlapping loads. Any byte changes the result. */
static inline uint64_t hash_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

uint32_t intern_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)len;
	size_t n = len;
	while (n > 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = hash_mix(h, w);
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	if (n == 8) {
		memcpy(&w, s, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = ((uint64_t)a << 32) | b;
	} else if (n) {
		w = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
		    (uint64_t)(unsigned char)s[n - 1] << 16;
	}
	h = hash_mix(h, w);
	h *= 0xc4ceb9fe1a85ec53ULL;
	return (uint32_t)(h ^ (h >> 29) ^ (h >> 47));
}

void intern_init(winterner *in)
{
	arena_init(&in->arena);
	in->cap = 256;
	in->n = 0;
	in->tab = xcalloc(in->cap, sizeof *in->tab);
}

void intern_release(winterner *in)
{
	arena_release(&in->arena);
	free(in->tab);
	memset(in, 0, sizeof *in);
}

/* A multiply folds the hash's high bits into the low ones that pick the
 * slot. */
static inline uint32_t slot_of(uint32_t h, uint32_t mask)
{
	return ((h * 0x9E3779B1u) >> 16 ^ h) & mask;
}

static inline uint32_t probe(const wintern_slot *tab, uint32_t cap, const char *s, size_t len, uint32_t h)
{
	uint32_t mask = cap - 1, i = slot_of(h, mask);
	for (;;) {
		const wintern_slot *t = &tab[i];
		if (!t->sym || (t->hash == h && t->len == len && intern_bytes_eq(t->sym->s, s, len)))
			return i;
		i = (i + 1) & mask;
	}
}

const wsym *intern_find(const winterner *in, const char *s, size_t len)
{
	if (!in->tab)
		return NULL;
	uint32_t h = intern_hash(s, len);
	return in->tab[probe(in->tab, in->cap, s, len, h)].sym;
}

static void rehash(winterner *in, uint32_t ncap)
{
	wintern_slot *nt = xcalloc_table(ncap, sizeof *nt);
	uint32_t mask = ncap - 1;
	for (uint32_t i = 0; i < in->cap; i++) {
		const wintern_slot *t = &in->tab[i];
		if (!t->sym)
			continue;
		uint32_t j = slot_of(t->hash, mask);
		while (nt[j].sym)
			j = (j + 1) & mask;
		nt[j] = *t;
	}
	free(in->tab);
	in->tab = nt;
	in->cap = ncap;
}

void intern_reserve(winterner *in, size_t more)
{
	if (!in->tab)
		return;
	uint64_t want = (uint64_t)in->n + more;
	if (want > UINT32_MAX / 4)
		want = UINT32_MAX / 4;
	uint64_t ncap = in->cap;
	while ((want + 1) * 2 > ncap)
		ncap *= 2;
	if (ncap > in->cap)
		rehash(in, (uint32_t)ncap);
}

uint32_t intern_prefetch(const winterner *in, const char *s, size_t len)
{
	uint32_t h = intern_hash(s, len);
	__builtin_prefetch(&in->tab[slot_of(h, in->cap - 1)]);
	return h;
}

const wsym *intern_get(winterner *in, const char *s, size_t len)
{
	return intern_get_hashed(in, s, len, intern_hash(s, len));
}

const wsym *intern_get_hashed(winterner *in, const char *s, size_t len, uint32_t h)
{
	uint32_t i = probe(in->tab, in->cap, s, len, h);
	if (in->tab[i].sym)
		return in->tab[i].sym;
	wsym *y = arena_alloc(&in->arena, sizeof *y + len + 1);
	y->len = (uint32_t)len;
	y->hash = h;
	y->id = in->n;
	if (len)
		memcpy(y->s, s, len);
	y->s[len] = '\0';
	in->tab[i].sym = y;
	in->tab[i].hash = h;
	in->tab[i].len = (uint32_t)len;
	if (++in->n * 2 > in->cap)
		rehash(in, in->cap * 2);
	return y;
}

const wsym *intern_cstr(winterner *in, const char *s)
{
	return intern_get(in, s, strlen(s));
}

int sym_cmp(const wsym *a, const wsym *b)
{
	if (a == b)
		return 0;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : (a->len > b->len ? 1 : 0);
}
