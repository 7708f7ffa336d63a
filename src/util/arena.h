/* arena: bump allocation for objects that die together.
 *
 * A policy set's tokens and AST, an entity store's values, a schema's types
 * and a request's temporaries each live in one arena. Nothing allocated in an
 * arena is freed on its own: arena_reset() drops everything but keeps the
 * first chunk for reuse (cheap per-request reset), arena_release() frees all.
 * Allocations are 16-byte aligned. Not thread-safe: one arena per thread.
 */
#ifndef WARD_UTIL_ARENA_H
#define WARD_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

typedef struct warena {
	struct arena_chunk *head; /* current chunk (newest first) */
	char *cur;                /* next free byte in head */
	char *end;                /* end of head's usable space */
	size_t total;             /* bytes handed out since init/reset */
} warena;

void arena_init(warena *a);
void arena_release(warena *a); /* frees every chunk */
void arena_reset(warena *a);   /* frees all but one chunk, O(chunks) */

void *arena_alloc(warena *a, size_t n);  /* uninitialised, never NULL */
void *arena_zalloc(warena *a, size_t n); /* zeroed, never NULL */
void *arena_memdup(warena *a, const void *p, size_t n);
char *arena_strndup(warena *a, const char *s, size_t n); /* NUL-terminated copy */
char *arena_sprintf(warena *a, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Typed helpers. */
#define ARENA_NEW(a, T) ((T *)arena_zalloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_zalloc((a), sizeof(T) * (size_t)(n)))

#endif
