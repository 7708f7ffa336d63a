/* gio: file helpers of the governance layer.
 *
 * Reading whole files with located errors, writing atomically (temporary
 * file in the same directory, then rename, so a failure never leaves a
 * partial file), joining paths and listing a directory's files sorted.
 */
#ifndef WARD_GOVERN_GIO_H
#define WARD_GOVERN_GIO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"

/* Reads `path` (at most `max` bytes; 0: 64 MiB). NUL-terminated heap copy,
 * or NULL with an error "cannot read 'path': reason" in `d`. */
char *gio_read(const char *path, size_t max, size_t *len, wdiags *d);
/* Writes `data` to `path` atomically with `mode` (e.g. 0644). With
 * `exclusive`, fails when `path` exists. Returns 0 or -1 (error in `d`). */
int gio_write_atomic(const char *path, const char *data, size_t n, unsigned mode, bool exclusive, wdiags *d);
/* "a/b" (heap). */
char *gio_join(const char *a, const char *b);
/* True when `path` exists (any kind). */
bool gio_exists(const char *path);
/* Files in `dir` whose names end with `suffix`, sorted by name, as heap
 * paths "dir/name"; *n set. NULL with *n = 0 when none or no directory. */
char **gio_list(const char *dir, const char *suffix, size_t *n);
void gio_list_free(char **list, size_t n);
/* Creates `path` and its missing parents (mode 0755). 0 or -1. */
int gio_mkdirs(const char *path);

#endif
