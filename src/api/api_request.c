/* api_request: requests and request batches of the public API (ward.h).
 *
 * A request owns an arena for its context values; its uids are interned in
 * the engine. A batch keeps each request as parsed JSON (or the reason it
 * could not be parsed) and builds wrequests one at a time, so one malformed
 * entry never stops the others.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/jsonv.h"
#include "cedar/parser.h"
#include "cedar/value.h"
#include "util/buf.h"
#include "util/xalloc.h"

static ward_request *request_alloc(ward_engine *e)
{
	ward_request *r = xcalloc(1, sizeof *r);
	r->e = e;
	arena_init(&r->a);
	r->r.context.kind = WV_RECORD;
	r->r.context.u.rec = record_empty();
	return r;
}

void ward_request_free(ward_request *r)
{
	if (!r)
		return;
	arena_release(&r->a);
	free(r);
}

static int check_schema_engine(ward_engine *e, const ward_schema *s, ward_diags *d)
{
	if (s && s->e != e) {
		api_error(d, "the schema was loaded with a different engine");
		return -1;
	}
	return 0;
}

/* Parses one uid given on the command line or in the API as Cedar text. */
static int uid_arg(ward_engine *e, const char *what, const char *text, wuid *out, ward_diags *d)
{
	wsource src = {what, text, strlen(text)};
	size_t from = d->d.n;
	int rc = parse_uid(&e->cx, &src, out, &d->d);
	if (rc != 0 && d->d.n == from)
		api_error(d, "invalid entity uid '%s' for %s", text, what);
	api_diags_adopt(d, from);
	return rc != 0 ? -1 : 0;
}

ward_request *ward_request_new(ward_engine *e, const ward_schema *s, const char *principal, const char *action,
			       const char *resource, const char *context_name, const char *context_text,
			       size_t context_len, unsigned flags, ward_diags *d)
{
	if (check_schema_engine(e, s, d))
		return NULL;
	if (!principal || !action || !resource) {
		api_error(d, "a request needs all three of principal, action and resource");
		return NULL;
	}
	ward_request *r = request_alloc(e);
	int bad = 0;
	bad |= uid_arg(e, "<principal>", principal, &r->r.principal, d);
	bad |= uid_arg(e, "<action>", action, &r->r.action, d);
	bad |= uid_arg(e, "<resource>", resource, &r->r.resource, d);
	if (bad) {
		ward_request_free(r);
		return NULL;
	}
	wbuf err = WBUF_INIT;
	if (context_text) {
		wsource src = {context_name ? context_name : "<context>", context_text, context_len};
		json_t *j = api_json_parse(d, &src);
		if (!j) {
			ward_request_free(r);
			return NULL;
		}
		int rc = -1;
		if (!json_is_object(j))
			api_error(d, "invalid context in '%s': expected a JSON object", src.name);
		else if (request_context_from_json(&e->cx, &r->a, j, s ? &s->s : NULL, r->r.action, &r->r.context,
						   &err) != 0)
			api_error(d, "invalid context in '%s': %s", src.name, err.p ? err.p : "malformed");
		else
			rc = 0;
		json_decref(j);
		if (rc) {
			buf_release(&err);
			ward_request_free(r);
			return NULL;
		}
	}
	if (s && !(flags & WARD_REQ_NO_VALIDATION) && request_validate(&s->s, &r->r, &err) != 0) {
		api_error(d, "request does not conform to the schema: %s", err.p ? err.p : "invalid");
		buf_release(&err);
		ward_request_free(r);
		return NULL;
	}
	buf_release(&err);
	return r;
}

/* Without validation the schema still directs how the context is parsed,
 * which request_from_json ties to validation: take the object apart here. */
static int request_from_json_novalidate(ward_engine *e, warena *a, const json_t *j, const wschema *s, wrequest *out,
					wbuf *err)
{
	static const char *const names[] = {"principal", "action", "resource"};
	wuid *uids[] = {&out->principal, &out->action, &out->resource};
	for (int i = 0; i < 3; i++) {
		const json_t *v = json_object_get(j, names[i]);
		if (!v) {
			buf_printf(err, "missing '%s'", names[i]);
			return -1;
		}
		if (jsonv_to_uid(&e->cx, v, true, uids[i], err) != 0)
			return -1;
	}
	const json_t *c = json_object_get(j, "context");
	if (!c)
		return 0;
	if (!json_is_object(c)) {
		buf_adds(err, "'context' must be a JSON object");
		return -1;
	}
	return request_context_from_json(&e->cx, a, c, s, out->action, &out->context, err);
}

/* Builds a request from a parsed JSON value; `where` prefixes messages. */
ward_request *api_request_from_value(ward_engine *e, const ward_schema *s, const json_t *j, unsigned flags,
				      ward_diags *d, const char *where)
{
	if (!json_is_object(j)) {
		api_error(d, "%s: a request must be a JSON object", where);
		return NULL;
	}
	ward_request *r = request_alloc(e);
	wbuf err = WBUF_INIT;
	int rc;
	if (s && (flags & WARD_REQ_NO_VALIDATION))
		rc = request_from_json_novalidate(e, &r->a, j, &s->s, &r->r, &err);
	else
		rc = request_from_json(&e->cx, &r->a, j, s ? &s->s : NULL, &r->r, &err);
	if (rc != 0) {
		api_error(d, "%s: %s", where, err.p ? err.p : "malformed request");
		buf_release(&err);
		ward_request_free(r);
		return NULL;
	}
	buf_release(&err);
	return r;
}

ward_request *ward_request_parse_json(ward_engine *e, const ward_schema *s, const char *name, const char *text,
				      size_t len, unsigned flags, ward_diags *d)
{
	if (check_schema_engine(e, s, d))
		return NULL;
	wsource src = {name ? name : "<request>", text, len};
	json_t *j = api_json_parse(d, &src);
	if (!j)
		return NULL;
	wbuf where = WBUF_INIT;
	buf_printf(&where, "invalid request in '%s'", src.name);
	ward_request *r = api_request_from_value(e, s, j, flags, d, where.p);
	buf_release(&where);
	json_decref(j);
	return r;
}

ward_request *ward_request_load_json(ward_engine *e, const ward_schema *s, const char *path, unsigned flags,
				     ward_diags *d)
{
	size_t len;
	char *text = ward_read_file(path, &len, d);
	if (!text)
		return NULL;
	ward_request *r =
		ward_request_parse_json(e, s, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, flags, d);
	free(text);
	return r;
}

/* ---- batches ------------------------------------------------------------ */

static struct api_batch_item *batch_push(ward_batch *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->items = xrealloc(b->items, b->cap * sizeof *b->items);
	}
	struct api_batch_item *it = &b->items[b->n];
	memset(it, 0, sizeof *it);
	it->index = (uint32_t)b->n++;
	return it;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* JSON Lines: every non-blank line is one request object. */
static void batch_lines(ward_batch *b, const char *text, size_t len)
{
	size_t pos = 0;
	uint32_t line = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		size_t s = pos;
		while (s < end && is_blank(text[s]))
			s++;
		if (s < end) {
			struct api_batch_item *it = batch_push(b);
			it->line = line;
			json_error_t je;
			it->obj = json_loadb(text + pos, end - pos, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL,
					     &je);
			if (!it->obj) {
				wbuf m = WBUF_INIT;
				buf_printf(&m, "%s:%u:%d: invalid JSON: %s", b->name, line, je.column > 0 ? je.column : 1,
					   je.text);
				it->err = buf_detach(&m);
			}
		}
		pos = end + 1;
	}
}

ward_batch *ward_batch_parse(ward_engine *e, const char *name, const char *text, size_t len, ward_diags *d)
{
	ward_batch *b = xcalloc(1, sizeof *b);
	b->e = e;
	b->name = api_name_dup(name);
	size_t s = 0;
	while (s < len && is_blank(text[s]))
		s++;
	if (s < len && text[s] == '[') {
		wsource src = {b->name, text, len};
		json_t *arr = api_json_parse(d, &src);
		if (!arr) {
			ward_batch_free(b);
			return NULL;
		}
		size_t i;
		json_t *v;
		json_array_foreach(arr, i, v) {
			struct api_batch_item *it = batch_push(b);
			it->obj = json_incref(v);
		}
		json_decref(arr);
	} else {
		batch_lines(b, text, len);
	}
	return b;
}

ward_batch *ward_batch_load(ward_engine *e, const char *path, ward_diags *d)
{
	size_t len;
	char *text = ward_read_file(path, &len, d);
	if (!text)
		return NULL;
	ward_batch *b = ward_batch_parse(e, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, d);
	free(text);
	return b;
}

void ward_batch_free(ward_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->items[i].obj);
		free(b->items[i].err);
	}
	free(b->items);
	free(b->name);
	free(b);
}

size_t ward_batch_count(const ward_batch *b)
{
	return b->n;
}

ward_request *ward_batch_request(ward_batch *b, size_t i, const ward_schema *s, unsigned flags, ward_diags *d)
{
	if (i >= b->n) {
		api_error(d, "request %zu is out of range (the batch has %zu)", i + 1, b->n);
		return NULL;
	}
	if (check_schema_engine(b->e, s, d))
		return NULL;
	const struct api_batch_item *it = &b->items[i];
	if (!it->obj) {
		api_error(d, "%s", it->err);
		return NULL;
	}
	wbuf where = WBUF_INIT;
	if (it->line)
		buf_printf(&where, "%s:%u", b->name, it->line);
	else
		buf_printf(&where, "%s: request %u", b->name, it->index + 1);
	ward_request *r = api_request_from_value(b->e, s, it->obj, flags, d, where.p);
	buf_release(&where);
	return r;
}
