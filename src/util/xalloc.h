/* xalloc: the single out-of-memory policy of libward.
 *
 * Every heap allocation in the library goes through these wrappers. On
 * failure they call the installed hook (which by default prints a message
 * and aborts). Tests may install a hook that counts or fails on purpose.
 */
#ifndef WARD_UTIL_XALLOC_H
#define WARD_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);            /* never returns NULL */
void *xcalloc(size_t n, size_t sz); /* never returns NULL, zeroed */
void *xrealloc(void *p, size_t n);  /* never returns NULL */
/* xcalloc for a large table read at random (hash tables of millions of
 * slots): on Linux its pages are marked for transparent huge pages, which
 * saves most TLB misses and page faults. Freed with free(). */
void *xcalloc_table(size_t n, size_t sz);
char *xstrndup(const char *s, size_t n);
char *xstrdup(const char *s);

#endif
