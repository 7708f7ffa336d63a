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
char *xstrndup(const char *s, size_t n);
char *xstrdup(const char *s);

#endif
