/* api_core: engine, diagnostics and file reading of the public API (ward.h).
 *
 * A ward_diags wraps the util diagnostics list. Module parsers report
 * against sources that live in the objects they build (and die with them),
 * so after every call that may report, api_diags_adopt() repoints the new
 * diagnostics at copies owned by the list: a caller may free a failed
 * object and still render its errors.
 */
#include "api/api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void ward_free(void *p)
{
	free(p);
}

const char *ward_version(void)
{
	return WARD_VERSION_STRING;
}

/* ---- diagnostics -------------------------------------------------------- */

ward_diags *ward_diags_new(void)
{
	ward_diags *d = xcalloc(1, sizeof *d);
	diags_init(&d->d);
	arena_init(&d->srcs);
	return d;
}

void ward_diags_free(ward_diags *d)
{
	if (!d)
		return;
	diags_release(&d->d);
	arena_release(&d->srcs);
	free(d);
}

void ward_diags_clear(ward_diags *d)
{
	diags_release(&d->d);
	diags_init(&d->d);
	arena_release(&d->srcs);
	arena_init(&d->srcs);
}

size_t ward_diags_count(const ward_diags *d)
{
	return d ? d->d.n : 0;
}

size_t ward_diags_error_count(const ward_diags *d)
{
	return d ? d->d.nerrors : 0;
}

const char *ward_diags_message(const ward_diags *d, size_t i)
{
	return i < d->d.n ? d->d.items[i].msg : NULL;
}

const char *ward_diags_severity(const ward_diags *d, size_t i)
{
	if (i >= d->d.n)
		return NULL;
	switch (d->d.items[i].sev) {
	case WSEV_ERROR: return "error";
	case WSEV_WARNING: return "warning";
	default: return "note";
	}
}

int ward_diags_location(const ward_diags *d, size_t i, const char **file, unsigned *line, unsigned *col)
{
	if (i >= d->d.n || !d->d.items[i].src)
		return -1;
	const wdiag *g = &d->d.items[i];
	uint32_t l, c;
	source_linecol(g->src, g->span.start, &l, &c);
	if (file)
		*file = g->src->name ? g->src->name : "<input>";
	if (line)
		*line = l;
	if (col)
		*col = c;
	return 0;
}

char *ward_diags_render(const ward_diags *d, size_t from)
{
	wbuf b = WBUF_INIT;
	for (size_t i = from; i < d->d.n; i++)
		diag_render(&d->d.items[i], &b);
	buf_adds(&b, ""); /* never return NULL */
	return buf_detach(&b);
}

/* One line: "file:line:col: message" or "message". */
static void diag_line(const ward_diags *d, size_t i, wbuf *b)
{
	const char *file;
	unsigned line, col;
	if (ward_diags_location(d, i, &file, &line, &col) == 0)
		buf_printf(b, "%s:%u:%u: ", file, line, col);
	buf_adds(b, d->d.items[i].msg);
}

char *ward_diags_line(const ward_diags *d, size_t i)
{
	wbuf b = WBUF_INIT;
	if (i < d->d.n)
		diag_line(d, i, &b);
	buf_adds(&b, "");
	return buf_detach(&b);
}

char *ward_diags_render_json(const ward_diags *d, size_t from)
{
	wbuf b = WBUF_INIT;
	for (size_t i = from; i < d->d.n; i++) {
		const char *file;
		unsigned line, col;
		const char *sev = ward_diags_severity(d, i);
		buf_adds(&b, "{\"severity\":");
		buf_add_json_str(&b, sev, strlen(sev));
		if (ward_diags_location(d, i, &file, &line, &col) == 0) {
			buf_adds(&b, ",\"file\":");
			buf_add_json_str(&b, file, strlen(file));
			buf_printf(&b, ",\"line\":%u,\"column\":%u", line, col);
		}
		if (d->d.items[i].policy_id) {
			buf_adds(&b, ",\"policy\":");
			buf_add_json_str(&b, d->d.items[i].policy_id, strlen(d->d.items[i].policy_id));
		}
		buf_adds(&b, ",\"message\":");
		buf_add_json_str(&b, d->d.items[i].msg, strlen(d->d.items[i].msg));
		buf_adds(&b, "}\n");
	}
	buf_adds(&b, "");
	return buf_detach(&b);
}

char *ward_error_json(const ward_diags *d, size_t from)
{
	wbuf msg = WBUF_INIT, b = WBUF_INIT;
	for (size_t i = from; i < d->d.n; i++) {
		if (d->d.items[i].sev != WSEV_ERROR)
			continue;
		if (msg.n)
			buf_adds(&msg, "; ");
		diag_line(d, i, &msg);
	}
	if (!msg.n)
		buf_adds(&msg, "unknown error");
	buf_adds(&b, "{\"error\":");
	buf_add_json_str(&b, msg.p, msg.n);
	buf_addc(&b, '}');
	buf_release(&msg);
	return buf_detach(&b);
}

void api_diags_adopt(ward_diags *d, size_t from)
{
	/* Sources are few (one per parsed text): a linear map suffices. */
	const wsource *orig[8];
	wsource *copy[8];
	size_t n = 0;
	for (size_t i = from; i < d->d.n; i++) {
		wdiag *g = &d->d.items[i];
		if (!g->src)
			continue;
		size_t k;
		for (k = 0; k < n && orig[k] != g->src; k++)
			;
		if (k == n) {
			wsource *c = ARENA_NEW(&d->srcs, wsource);
			const char *name = g->src->name ? g->src->name : "<input>";
			c->name = arena_strndup(&d->srcs, name, strlen(name));
			c->text = g->src->len ? arena_memdup(&d->srcs, g->src->text, g->src->len) : "";
			c->len = g->src->len;
			if (n == sizeof orig / sizeof orig[0])
				n = 0; /* more sources than slots: start over, copies stay valid */
			orig[n] = g->src;
			copy[n] = c;
			k = n++;
		}
		g->src = copy[k];
	}
}

void api_error(ward_diags *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(&d->d, WSEV_ERROR, NULL, (wspan){0, 0}, fmt, ap);
	va_end(ap);
}

char *api_name_dup(const char *s)
{
	return xstrdup(s ? s : "<input>");
}

json_t *api_json_parse(ward_diags *d, const wsource *src)
{
	json_error_t je;
	json_t *j = json_loadb(src->text, src->len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (j)
		return j;
	/* jansson's position is the byte offset just past the offending input */
	size_t pos = je.position > 0 ? (size_t)je.position - 1 : 0;
	if (pos > src->len)
		pos = src->len;
	size_t from = d->d.n;
	diag_add(&d->d, WSEV_ERROR, src, (wspan){(uint32_t)pos, (uint32_t)pos + 1}, "invalid JSON: %s", je.text);
	api_diags_adopt(d, from);
	return NULL;
}

/* ---- engine ------------------------------------------------------------- */

ward_engine *ward_engine_new(void)
{
	ward_engine *e = xcalloc(1, sizeof *e);
	ctx_init(&e->cx);
	/* built now, not on first use, so that authorizing never mutates the engine */
	wdiags d;
	diags_init(&d);
	entities_init(&e->empty);
	entities_load_json(&e->cx, &e->empty, NULL, "<no entities>", "[]", 2, &d);
	diags_release(&d);
	return e;
}

void ward_engine_free(ward_engine *e)
{
	if (!e)
		return;
	entities_release(&e->empty);
	ctx_release(&e->cx);
	free(e);
}

char *ward_read_file(const char *path, size_t *len, ward_diags *d)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		api_error(d, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	wbuf b = WBUF_INIT;
	char chunk[65536];
	size_t n;
	errno = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	int failed = ferror(f);
	int err = errno;
	if (!is_stdin)
		fclose(f);
	if (failed) {
		api_error(d, "cannot read '%s': %s", is_stdin ? "<stdin>" : path,
			  strerror(err ? err : EIO));
		buf_release(&b);
		return NULL;
	}
	*len = b.n;
	buf_adds(&b, "");
	return buf_detach(&b);
}
