/* arena: chunked bump allocator (see arena.h for the lifetime rules).
 *
 * Chunks start at 64 KiB and grow with the arena (each new chunk about
 * half of what the arena holds, up to 8 MiB), so a large store takes few
 * chunks; chunks of 2 MiB or more are aligned to 2 MiB and, on Linux,
 * marked for transparent huge pages, which saves most page faults and TLB
 * misses while a store of millions of entities is built. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "util/arena.h"
#include "util/xalloc.h"

#include <sys/mman.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_CHUNK (64 * 1024)
#define ARENA_CHUNK_MAX (8 * 1024 * 1024)
#define ARENA_HUGE (2 * 1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next; /* older chunk */
	size_t size;              /* usable bytes after the header */
	max_align_t pad[];        /* keeps data aligned */
};

static char *chunk_data(struct arena_chunk *c)
{
	return (char *)(c + 1);
}

void arena_init(warena *a)
{
	memset(a, 0, sizeof *a);
}

void arena_release(warena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	memset(a, 0, sizeof *a);
}

void arena_reset(warena *a)
{
	struct arena_chunk *c = a->head;
	if (!c)
		return;
	/* keep the oldest standard-size chunk: it is the last one in the list */
	struct arena_chunk *keep = NULL;
	while (c) {
		struct arena_chunk *n = c->next;
		if (!n && c->size == ARENA_CHUNK - sizeof(struct arena_chunk))
			keep = c;
		else
			free(c);
		c = n;
	}
	a->head = keep;
	a->total = 0;
	if (keep) {
		keep->next = NULL;
		a->cur = chunk_data(keep);
		a->end = a->cur + keep->size;
	} else {
		a->cur = a->end = NULL;
	}
}

/* A chunk with `size` usable bytes. */
static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c = NULL;
#if defined(MADV_HUGEPAGE)
	if (size >= ARENA_HUGE) {
		void *p = NULL;
		if (posix_memalign(&p, ARENA_HUGE, sizeof *c + size) == 0) {
			madvise(p, (sizeof *c + size) & ~(size_t)(ARENA_HUGE - 1), MADV_HUGEPAGE);
			c = p;
		}
	}
#endif
	if (!c)
		c = xmalloc(sizeof *c + size);
	c->size = size;
	return c;
}

static void arena_grow(warena *a, size_t n)
{
	/* about half of what the arena holds, a power of two, within bounds;
	 * the header shares the first chunk-size block */
	size_t size = ARENA_CHUNK;
	while (size < ARENA_CHUNK_MAX && size < a->total / 2)
		size *= 2;
	size -= sizeof(struct arena_chunk);
	if (size < n)
		size = n;
	struct arena_chunk *c = chunk_new(size);
	c->next = a->head;
	a->head = c;
	a->cur = chunk_data(c);
	a->end = a->cur + size;
}

void *arena_alloc(warena *a, size_t n)
{
	n = (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	a->total += n;
	if ((size_t)(a->end - a->cur) < n || !a->cur) {
		if (n > ARENA_CHUNK && a->head) {
			struct arena_chunk *c = chunk_new(n);
			c->next = a->head->next;
			a->head->next = c;
			return chunk_data(c);
		}
		arena_grow(a, n);
	}
	void *p = a->cur;
	a->cur += n;
	return p;
}

void *arena_zalloc(warena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_memdup(warena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);
	if (n)
		memcpy(q, p, n);
	return q;
}

char *arena_strndup(warena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_sprintf(warena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
