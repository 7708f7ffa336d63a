/* diag: diagnostics list and rendering (see diag.h). */
#include "util/diag.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

void diags_init(wdiags *d)
{
	memset(d, 0, sizeof *d);
}

void diags_release(wdiags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].msg);
		free(d->items[i].policy_id);
	}
	free(d->items);
	memset(d, 0, sizeof *d);
}

wdiag *diag_vadd(wdiags *d, wseverity sev, const wsource *src, wspan span, const char *fmt, va_list ap)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = xrealloc(d->items, d->cap * sizeof *d->items);
	}
	wdiag *g = &d->items[d->n++];
	wbuf b = WBUF_INIT;
	buf_vprintf(&b, fmt, ap);
	g->sev = sev;
	g->src = src;
	g->span = span;
	g->msg = buf_detach(&b);
	g->policy_id = NULL;
	if (sev == WSEV_ERROR)
		d->nerrors++;
	return g;
}

wdiag *diag_add(wdiags *d, wseverity sev, const wsource *src, wspan span, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	wdiag *g = diag_vadd(d, sev, src, span, fmt, ap);
	va_end(ap);
	return g;
}

void source_linecol(const wsource *src, uint32_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1, c = 1;
	if (off > src->len)
		off = (uint32_t)src->len;
	for (uint32_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)src->text[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static const char *sev_name(wseverity s)
{
	return s == WSEV_ERROR ? "error" : s == WSEV_WARNING ? "warning" : "note";
}

void diag_render(const wdiag *d, wbuf *out)
{
	if (!d->src) {
		buf_printf(out, "%s: %s\n", sev_name(d->sev), d->msg);
		return;
	}
	const wsource *s = d->src;
	uint32_t line, col;
	source_linecol(s, d->span.start, &line, &col);
	buf_printf(out, "%s:%u:%u: %s: %s\n", s->name ? s->name : "<input>", line, col, sev_name(d->sev), d->msg);
	/* the source line */
	size_t ls = d->span.start > s->len ? s->len : d->span.start;
	while (ls > 0 && s->text[ls - 1] != '\n')
		ls--;
	size_t le = ls;
	while (le < s->len && s->text[le] != '\n')
		le++;
	if (le > ls && s->text[le - 1] == '\r')
		le--;
	buf_printf(out, "%5u | ", line);
	for (size_t i = ls; i < le; i++) {
		char c = s->text[i];
		buf_addc(out, c == '\t' ? ' ' : c);
	}
	buf_adds(out, "\n      | ");
	for (uint32_t i = 1; i < col; i++)
		buf_addc(out, ' ');
	size_t end = d->span.end > le ? le : d->span.end;
	size_t carets = 0;
	for (size_t i = d->span.start; i < end; i++)
		if (((unsigned char)s->text[i] & 0xC0) != 0x80)
			carets++;
	if (carets == 0)
		carets = 1;
	for (size_t i = 0; i < carets; i++)
		buf_addc(out, '^');
	buf_addc(out, '\n');
}

void diags_render(const wdiags *d, wbuf *out)
{
	for (size_t i = 0; i < d->n; i++)
		diag_render(&d->items[i], out);
}

void diags_print(const wdiags *d, FILE *f)
{
	wbuf b = WBUF_INIT;
	diags_render(d, &b);
	if (b.n)
		fwrite(b.p, 1, b.n, f);
	buf_release(&b);
}
