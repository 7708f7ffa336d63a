/* gio: whole-file reads, atomic writes, directory listings (see gio.h). */
#include "govern/gio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

static const wspan nospan = {0, 0};

char *gio_read(const char *path, size_t max, size_t *len, wdiags *d)
{
	if (!max)
		max = (size_t)64 << 20;
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': it is a directory", path);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *p = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(p);
				fclose(f);
				diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': larger than %zu bytes", path, max);
				return NULL;
			}
			cap = cap * 2 > max ? max : cap * 2;
			p = xrealloc(p, cap + 1);
		}
		size_t got = fread(p + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(p);
		fclose(f);
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read '%s': read error", path);
		return NULL;
	}
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

int gio_write_atomic(const char *path, const char *data, size_t n, unsigned mode, bool exclusive, wdiags *d)
{
	if (exclusive && gio_exists(path)) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "'%s' already exists; refusing to overwrite it", path);
		return -1;
	}
	size_t pl = strlen(path);
	char *tmp = xmalloc(pl + 16);
	snprintf(tmp, pl + 16, "%s.wardXXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	int ok = fchmod(fd, (mode_t)mode) == 0;
	size_t off = 0;
	while (ok && off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			ok = 0;
		else
			off += (size_t)w;
	}
	int e = errno;
	if (close(fd) != 0)
		ok = 0;
	if (ok && exclusive) {
		/* link() fails when the target appeared meanwhile: no overwrite */
		if (link(tmp, path) != 0) {
			e = errno;
			ok = 0;
		}
		unlink(tmp);
	} else if (ok && rename(tmp, path) != 0) {
		e = errno;
		ok = 0;
	}
	if (!ok) {
		unlink(tmp);
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot write '%s': %s", path, strerror(e ? e : EIO));
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

char *gio_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = xmalloc(la + lb + 2);
	memcpy(p, a, la);
	size_t n = la;
	if (la && a[la - 1] != '/')
		p[n++] = '/';
	memcpy(p + n, b, lb + 1);
	return p;
}

bool gio_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **gio_list(const char *dir, const char *suffix, size_t *n)
{
	*n = 0;
	DIR *dh = opendir(dir);
	if (!dh)
		return NULL;
	char **names = NULL;
	size_t cnt = 0, cap = 0, sl = strlen(suffix);
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < sl || strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[cnt++] = xstrdup(de->d_name);
	}
	closedir(dh);
	if (!cnt)
		return NULL;
	qsort(names, cnt, sizeof *names, cmp_str);
	for (size_t i = 0; i < cnt; i++) {
		char *full = gio_join(dir, names[i]);
		free(names[i]);
		names[i] = full;
	}
	*n = cnt;
	return names;
}

void gio_list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int gio_mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = (mkdir(p, 0755) != 0 && errno != EEXIST) ? -1 : 0;
	free(p);
	return rc;
}
