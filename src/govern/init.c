/* init: writing the embedded example repository (see init.h). */
#include "govern/init.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "govern/gio.h"
#include "util/xalloc.h"

int init_repo(const char *dir, size_t *nwritten, wdiags *d)
{
	const wspan nospan = {0, 0};
	*nwritten = 0;
	/* refuse before writing anything */
	char *cfg = gio_join(dir, "ward.yaml");
	bool exists = gio_exists(cfg);
	free(cfg);
	if (exists) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "'%s' already holds a policy repository (ward.yaml); refusing to "
						      "overwrite it", dir);
		return -1;
	}
	for (const struct init_file *f = init_files; f->path; f++) {
		char *p = gio_join(dir, f->path);
		exists = gio_exists(p);
		if (exists)
			diag_add(d, WSEV_ERROR, NULL, nospan, "'%s' already exists; refusing to overwrite it", p);
		free(p);
		if (exists)
			return -1;
	}
	for (const struct init_file *f = init_files; f->path; f++) {
		char *p = gio_join(dir, f->path);
		char *slash = strrchr(p, '/');
		*slash = '\0';
		int mk = gio_mkdirs(p);
		*slash = '/';
		if (mk < 0) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot create the directory for '%s'", p);
			free(p);
			return -1;
		}
		if (gio_write_atomic(p, (const char *)f->data, f->len, 0644, true, d) < 0) {
			free(p);
			return -1;
		}
		free(p);
		(*nwritten)++;
	}
	return 0;
}
