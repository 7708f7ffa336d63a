/* intern: open-addressing symbol table (see intern.h). */
#include "util/intern.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

uint32_t intern_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
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
	free((void *)in->tab);
	memset(in, 0, sizeof *in);
}

static uint32_t probe(const wsym **tab, uint32_t cap, const char *s, size_t len, uint32_t h)
{
	uint32_t mask = cap - 1, i = h & mask;
	for (;;) {
		const wsym *y = tab[i];
		if (!y || (y->hash == h && y->len == len && memcmp(y->s, s, len) == 0))
			return i;
		i = (i + 1) & mask;
	}
}

const wsym *intern_find(const winterner *in, const char *s, size_t len)
{
	if (!in->tab)
		return NULL;
	uint32_t h = intern_hash(s, len);
	return in->tab[probe(in->tab, in->cap, s, len, h)];
}

static void grow(winterner *in)
{
	uint32_t ncap = in->cap * 2;
	const wsym **nt = xcalloc(ncap, sizeof *nt);
	for (uint32_t i = 0; i < in->cap; i++) {
		const wsym *y = in->tab[i];
		if (y)
			nt[probe(nt, ncap, y->s, y->len, y->hash)] = y;
	}
	free((void *)in->tab);
	in->tab = nt;
	in->cap = ncap;
}

const wsym *intern_get(winterner *in, const char *s, size_t len)
{
	uint32_t h = intern_hash(s, len);
	uint32_t i = probe(in->tab, in->cap, s, len, h);
	if (in->tab[i])
		return in->tab[i];
	wsym *y = arena_alloc(&in->arena, sizeof *y + len + 1);
	y->len = (uint32_t)len;
	y->hash = h;
	y->id = in->n;
	if (len)
		memcpy(y->s, s, len);
	y->s[len] = '\0';
	in->tab[i] = y;
	if (++in->n * 2 > in->cap)
		grow(in);
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
