/* schema_json: the JSON schema format (json-schema.md), read with jansson.
 *
 * jansson parses (rejecting duplicate keys) and reports syntax errors with
 * their position. It keeps no positions for values, so a small scanner walks
 * the same text once and indexes the byte spans of every object member and
 * array element by JSON pointer ("/NS/entityTypes/User"); the reader then
 * gives every diagnostic both a real span and the pointer. The reader
 * checks the document's shape strictly (unknown fields, wrong kinds, missing
 * fields, as the reference does) and records declarations in an sbuild.
 */
#include "cedar/schema.h"
#include "cedar/schema_int.h"
#include "util/xalloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- span index */

typedef struct jslot {
	const char *ptr; /* NULL: empty; JSON pointer, NUL-terminated, in tmp arena */
	uint32_t hash;
	wspan key;       /* the member name ({0,0} for array elements / root) */
	wspan val;
} jslot;

typedef struct jindex {
	jslot *slots;
	uint32_t cap, n;
} jindex;

static jslot *ji_probe(jslot *s, uint32_t cap, const char *p, size_t n, uint32_t h)
{
	uint32_t i = h & (cap - 1);
	for (;;) {
		if (!s[i].ptr || (s[i].hash == h && strlen(s[i].ptr) == n && memcmp(s[i].ptr, p, n) == 0))
			return &s[i];
		i = (i + 1) & (cap - 1);
	}
}

static void ji_put(jindex *ix, warena *a, const char *p, size_t n, wspan key, wspan val)
{
	if ((ix->n + 1) * 2 > ix->cap) {
		uint32_t nc = ix->cap ? ix->cap * 2 : 256;
		jslot *ns = xcalloc(nc, sizeof *ns);
		for (uint32_t i = 0; i < ix->cap; i++)
			if (ix->slots[i].ptr)
				*ji_probe(ns, nc, ix->slots[i].ptr, strlen(ix->slots[i].ptr), ix->slots[i].hash) =
					ix->slots[i];
		free(ix->slots);
		ix->slots = ns;
		ix->cap = nc;
	}
	uint32_t h = intern_hash(p, n);
	jslot *s = ji_probe(ix->slots, ix->cap, p, n, h);
	if (!s->ptr) {
		s->ptr = arena_strndup(a, p, n);
		s->hash = h;
		ix->n++;
	}
	s->key = key;
	s->val = val;
}

static const jslot *ji_get(const jindex *ix, const char *p, size_t n)
{
	if (!ix->cap)
		return NULL;
	const jslot *s = ji_probe(ix->slots, ix->cap, p, n, intern_hash(p, n));
	return s->ptr ? s : NULL;
}

/* Appends a JSON pointer component (RFC 6901 escapes). */
static void ptr_add(wbuf *b, const char *s, size_t n)
{
	buf_addc(b, '/');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~')
			buf_adds(b, "~0");
		else if (s[i] == '/')
			buf_adds(b, "~1");
		else
			buf_addc(b, s[i]);
	}
}

typedef struct jscan {
	const char *t;
	size_t n;
	jindex *ix;
	warena *a;
	wbuf path;
} jscan;

static size_t js_ws(const jscan *s, size_t i)
{
	while (i < s->n && (s->t[i] == ' ' || s->t[i] == '\t' || s->t[i] == '\n' || s->t[i] == '\r'))
		i++;
	return i;
}

static void js_utf8(wbuf *o, uint32_t cp)
{
	char u[4];
	size_t k;
	if (cp < 0x80) {
		u[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	buf_add(o, u, k);
}

static uint32_t js_hex4(const jscan *s, size_t i)
{
	uint32_t v = 0;
	for (size_t k = 0; k < 4 && i + k < s->n; k++) {
		char c = s->t[i + k];
		v = v * 16 + (uint32_t)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
							   : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
	}
	return v;
}

/* Scans the string at i (t[i] == '"'), decoding into `o` when non-NULL. */
static size_t js_string(const jscan *s, size_t i, wbuf *o)
{
	i++;
	while (i < s->n && s->t[i] != '"') {
		if (s->t[i] != '\\') {
			if (o)
				buf_addc(o, s->t[i]);
			i++;
			continue;
		}
		char e = i + 1 < s->n ? s->t[i + 1] : 0;
		i += 2;
		if (e == 'u') {
			uint32_t cp = js_hex4(s, i);
			i += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s->n && s->t[i] == '\\' && s->t[i + 1] == 'u') {
				uint32_t lo = js_hex4(s, i + 2);
				if (lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					i += 6;
				}
			}
			if (o)
				js_utf8(o, cp);
			continue;
		}
		if (o) {
			char c = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b'
			       : e == 'f' ? '\f' : e;
			buf_addc(o, c);
		}
	}
	return i < s->n ? i + 1 : i;
}

/* Scans one value at i (after whitespace), indexing its members; returns
 * the offset after it. Depth is bounded by jansson's own limit, which the
 * text has already passed. */
static size_t js_value(jscan *s, size_t i)
{
	i = js_ws(s, i);
	if (i >= s->n)
		return i;
	char c = s->t[i];
	if (c == '"')
		return js_string(s, i, NULL);
	if (c == '{' || c == '[') {
		bool obj = c == '{';
		char close = obj ? '}' : ']';
		size_t idx = 0;
		i = js_ws(s, i + 1);
		while (i < s->n && s->t[i] != close) {
			size_t mark = s->path.n;
			wspan key = {0, 0};
			if (obj) {
				wbuf k = WBUF_INIT;
				size_t ks = i;
				i = js_string(s, i, &k);
				key = (wspan){(uint32_t)ks, (uint32_t)i};
				ptr_add(&s->path, k.p ? k.p : "", k.n);
				buf_release(&k);
				i = js_ws(s, i);
				if (i < s->n && s->t[i] == ':')
					i++;
			} else {
				char num[24];
				int nn = snprintf(num, sizeof num, "%zu", idx++);
				ptr_add(&s->path, num, (size_t)nn);
			}
			size_t vs = js_ws(s, i);
			i = js_value(s, vs);
			ji_put(s->ix, s->a, s->path.p, s->path.n, key, (wspan){(uint32_t)vs, (uint32_t)i});
			s->path.n = mark;
			if (s->path.p)
				s->path.p[mark] = '\0';
			i = js_ws(s, i);
			if (i < s->n && s->t[i] == ',')
				i = js_ws(s, i + 1);
			else if (i < s->n && s->t[i] != close)
				return s->n; /* cannot happen for text jansson accepted */
		}
		return i < s->n ? i + 1 : i;
	}
	/* number, true, false, null */
	while (i < s->n && !strchr(",]} \t\r\n", s->t[i]))
		i++;
	return i;
}

/* ---------------------------------------------------------------- reader */

typedef struct jwalk {
	sbuild *b;
	jindex ix;
	wbuf path;
	int depth;
	size_t nshape; /* errors in the document's shape */
} jwalk;

/* Location of the current path: the member name (`key`) or the value. */
static sloc here(jwalk *w, bool key)
{
	sloc l = {{0, 0}, NULL};
	const char *p = w->path.p ? w->path.p : "";
	const jslot *s = ji_get(&w->ix, p, w->path.n);
	if (s)
		l.span = key && s->key.end > s->key.start ? s->key : s->val;
	l.path = arena_strndup(&w->b->tmp, p, w->path.n);
	return l;
}

static size_t push_key(jwalk *w, const char *k)
{
	size_t mark = w->path.n;
	ptr_add(&w->path, k, strlen(k));
	return mark;
}

static size_t push_idx(jwalk *w, size_t i)
{
	size_t mark = w->path.n;
	char num[24];
	int n = snprintf(num, sizeof num, "%zu", i);
	ptr_add(&w->path, num, (size_t)n);
	return mark;
}

static void pop(jwalk *w, size_t mark)
{
	w->path.n = mark;
	if (w->path.p)
		w->path.p[mark] = '\0';
}

static void jerr(jwalk *w, bool key, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void jerr(jwalk *w, bool key, const char *fmt, ...)
{
	sloc l = here(w, key);
	wbuf m = WBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	sb_error(w->b, &l, "%s", m.p);
	buf_release(&m);
	w->nshape++;
}

static const char *kind_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Expects `j` (at the current path) to be of `kind`; reports otherwise. */
static bool want(jwalk *w, const json_t *j, json_type kind, const char *what)
{
	bool ok = json_typeof(j) == kind || (kind == JSON_TRUE && json_is_boolean(j));
	if (!ok)
		jerr(w, false, "expected %s, found %s", what, kind_name(j));
	return ok;
}

/* Reports members of `o` whose names are not in `allowed` (NULL-terminated). */
static bool only_fields(jwalk *w, json_t *o, const char *const *allowed, const char *ctx)
{
	bool ok = true;
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		bool found = false;
		for (size_t i = 0; allowed[i] && !found; i++)
			found = strcmp(allowed[i], k) == 0;
		if (!found) {
			size_t m = push_key(w, k);
			jerr(w, true, "unknown field '%s' in %s", k, ctx);
			pop(w, m);
			ok = false;
		}
	}
	return ok;
}

static const wsym *sym_of(jwalk *w, const json_t *s)
{
	return ctx_sym(w->b->cx, json_string_value(s), json_string_length(s));
}

static bool valid_path_str(const json_t *s)
{
	return schema_is_path(json_string_value(s), json_string_length(s), true);
}

static bool valid_ident_str(const char *s)
{
	size_t n = strlen(s);
	return schema_is_ident(s, n) && !schema_is_reserved_word(s, n);
}

/* "annotations": { "key": "value" | null, ... } */
static void read_annotations(jwalk *w, json_t *a)
{
	size_t m = push_key(w, "annotations");
	if (want(w, a, JSON_OBJECT, "an object of annotations")) {
		const char *k;
		json_t *v;
		json_object_foreach(a, k, v) {
			size_t m2 = push_key(w, k);
			if (!schema_is_ident(k, strlen(k)))
				jerr(w, true, "invalid annotation name '%s'", k);
			else if (!json_is_string(v) && !json_is_null(v))
				jerr(w, false, "annotation '%s' must be a string, not %s", k, kind_name(v));
			pop(w, m2);
		}
	}
	pop(w, m);
}

enum { T_ALLOW_REQUIRED = 1, T_ALLOW_ANNOTATIONS = 2 };

static rtype *read_type(jwalk *w, json_t *j, unsigned extra);

/* A member `key` of type object `j` that must (not) be present. */
static bool reject_fields(jwalk *w, json_t *j, const char *const *fields, const char *tyname)
{
	bool ok = true;
	for (size_t i = 0; fields[i]; i++) {
		if (!json_object_get(j, fields[i]))
			continue;
		size_t m = push_key(w, fields[i]);
		jerr(w, true, "field '%s' is not allowed for type '%s'", fields[i], tyname);
		pop(w, m);
		ok = false;
	}
	return ok;
}

static json_t *need_field(jwalk *w, json_t *o, const char *k, const char *ctx)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		jerr(w, false, "missing field '%s' in %s", k, ctx);
	return v;
}

static rtype *read_record(jwalk *w, json_t *j, const sloc *l)
{
	rtype *r = sb_type(w->b, RK_RECORD, l);
	bool ok = true;
	json_t *open = json_object_get(j, "additionalAttributes");
	if (open) {
		size_t m = push_key(w, "additionalAttributes");
		if (want(w, open, JSON_TRUE, "a boolean"))
			r->open = json_is_true(open);
		else
			ok = false;
		pop(w, m);
	}
	json_t *attrs = need_field(w, j, "attributes", "a record type");
	if (!attrs)
		return NULL;
	size_t m = push_key(w, "attributes");
	if (!want(w, attrs, JSON_OBJECT, "an object of attributes")) {
		pop(w, m);
		return NULL;
	}
	size_t n = json_object_size(attrs);
	r->attrs = n ? ARENA_ARRAY(&w->b->tmp, rattr, n) : NULL;
	const char *k;
	json_t *v;
	json_object_foreach(attrs, k, v) {
		size_t m2 = push_key(w, k);
		rattr *a = &r->attrs[r->nattrs];
		a->name = ctx_sym(w->b->cx, k, strlen(k));
		a->loc = here(w, true);
		a->required = true;
		a->type = read_type(w, v, T_ALLOW_REQUIRED | T_ALLOW_ANNOTATIONS);
		if (!a->type)
			ok = false;
		json_t *req = json_is_object(v) ? json_object_get(v, "required") : NULL;
		if (req) {
			size_t m3 = push_key(w, "required");
			if (want(w, req, JSON_TRUE, "a boolean"))
				a->required = json_is_true(req);
			else
				ok = false;
			pop(w, m3);
		}
		r->nattrs++;
		pop(w, m2);
	}
	pop(w, m);
	return ok ? r : NULL;
}

/* A name field of Entity / EntityOrCommon / Extension. */
static const wsym *read_type_name(jwalk *w, json_t *j, const char *tyname, bool ident_only)
{
	json_t *name = need_field(w, j, "name", tyname);
	if (!name)
		return NULL;
	size_t m = push_key(w, "name");
	const wsym *r = NULL;
	if (want(w, name, JSON_STRING, "a string")) {
		bool ok = ident_only ? valid_ident_str(json_string_value(name)) : valid_path_str(name);
		if (ok)
			r = sym_of(w, name);
		else
			jerr(w, false, "invalid %s name '%s'", ident_only ? "extension type" : "type",
			     json_string_value(name));
	}
	pop(w, m);
	return r;
}

/* Type := {"type": "Long"|"String"|"Boolean"|"Set"|"Record"|"Entity"|
 *          "EntityOrCommon"|"Extension"|<common type name>, ...} */
static rtype *read_type(jwalk *w, json_t *j, unsigned extra)
{
	sloc l = here(w, false);
	if (!want(w, j, JSON_OBJECT, "a type (an object with a \"type\" field)"))
		return NULL;
	if (w->depth >= SCHEMA_MAX_DEPTH) {
		jerr(w, false, "types are nested too deeply (the limit is %d)", SCHEMA_MAX_DEPTH);
		return NULL;
	}
	static const char *const base[] = {"type", "element", "attributes", "additionalAttributes", "name",
					   "required", "annotations", NULL};
	static const char *const nreq[] = {"type", "element", "attributes", "additionalAttributes", "name",
					   "annotations", NULL};
	static const char *const nann[] = {"type", "element", "attributes", "additionalAttributes", "name",
					   "required", NULL};
	static const char *const none[] = {"type", "element", "attributes", "additionalAttributes", "name", NULL};
	const char *const *allowed = (extra & T_ALLOW_REQUIRED) && (extra & T_ALLOW_ANNOTATIONS) ? base
				   : (extra & T_ALLOW_ANNOTATIONS) ? nreq
				   : (extra & T_ALLOW_REQUIRED) ? nann : none;
	bool ok = only_fields(w, j, allowed, "a type");
	json_t *ann = json_object_get(j, "annotations");
	if (ann && (extra & T_ALLOW_ANNOTATIONS))
		read_annotations(w, ann);
	json_t *ty = need_field(w, j, "type", "a type");
	if (!ty)
		return NULL;
	size_t m = push_key(w, "type");
	if (!want(w, ty, JSON_STRING, "a string")) {
		pop(w, m);
		return NULL;
	}
	pop(w, m);
	const char *s = json_string_value(ty);
	static const char *const all_extra[] = {"element", "attributes", "additionalAttributes", "name", NULL};
	static const char *const set_extra[] = {"attributes", "additionalAttributes", "name", NULL};
	static const char *const rec_extra[] = {"element", "name", NULL};
	static const char *const named_extra[] = {"element", "attributes", "additionalAttributes", NULL};
	rtype *r = NULL;
	w->depth++;
	if (!strcmp(s, "Long") || !strcmp(s, "String") || !strcmp(s, "Boolean")) {
		if (reject_fields(w, j, all_extra, s))
			r = sb_type(w->b, s[0] == 'L' ? RK_LONG : s[0] == 'S' ? RK_STRING : RK_BOOL, &l);
	} else if (!strcmp(s, "Set")) {
		json_t *el = reject_fields(w, j, set_extra, s) ? need_field(w, j, "element", "a set type") : NULL;
		if (el) {
			size_t m2 = push_key(w, "element");
			rtype *e = read_type(w, el, 0);
			pop(w, m2);
			if (e) {
				r = sb_type(w->b, RK_SET, &l);
				r->elem = e;
			}
		}
	} else if (!strcmp(s, "Record")) {
		if (reject_fields(w, j, rec_extra, s))
			r = read_record(w, j, &l);
	} else if (!strcmp(s, "Entity") || !strcmp(s, "EntityOrCommon") || !strcmp(s, "Extension")) {
		bool ext = !strcmp(s, "Extension"), either = !strcmp(s, "EntityOrCommon");
		const wsym *name = reject_fields(w, j, named_extra, s) ? read_type_name(w, j, s, ext) : NULL;
		if (name) {
			r = sb_type(w->b, ext ? RK_EXT : RK_REF, &l);
			r->name = name;
			r->reft = either ? REF_EITHER : REF_ENTITY;
		}
	} else {
		if (reject_fields(w, j, all_extra, s)) {
			if (valid_path_str(ty)) {
				r = sb_type(w->b, RK_REF, &l);
				r->name = sym_of(w, ty);
				r->reft = REF_COMMON;
			} else {
				size_t m2 = push_key(w, "type");
				jerr(w, false, "invalid type name '%s'", s);
				pop(w, m2);
			}
		}
	}
	w->depth--;
	return ok ? r : NULL;
}

/* An array of entity type names (memberOfTypes, principalTypes, ...). */
static bool read_names(jwalk *w, json_t *arr, rname **out, uint32_t *n)
{
	if (!want(w, arr, JSON_ARRAY, "an array of entity type names"))
		return false;
	size_t cnt = json_array_size(arr);
	*out = cnt ? ARENA_ARRAY(&w->b->tmp, rname, cnt) : NULL;
	*n = 0;
	bool ok = true;
	for (size_t i = 0; i < cnt; i++) {
		json_t *e = json_array_get(arr, i);
		size_t m = push_idx(w, i);
		if (!want(w, e, JSON_STRING, "an entity type name")) {
			ok = false;
		} else if (!valid_path_str(e)) {
			jerr(w, false, "invalid entity type name '%s'", json_string_value(e));
			ok = false;
		} else {
			(*out)[*n].name = sym_of(w, e);
			(*out)[*n].loc = here(w, false);
			(*n)++;
		}
		pop(w, m);
	}
	return ok;
}

static void read_entity_type(jwalk *w, const wsym *ns, const char *name, json_t *j)
{
	static const char *const fields[] = {"memberOfTypes", "shape", "tags", "enum", "annotations", NULL};
	sloc nl = here(w, true);
	if (!valid_ident_str(name)) {
		jerr(w, true, "invalid entity type name '%s'", name);
		return;
	}
	if (!want(w, j, JSON_OBJECT, "an entity type declaration (an object)"))
		return;
	only_fields(w, j, fields, "an entity type declaration");
	retype *e = sb_new_etype(w->b, ns, ctx_sym(w->b->cx, name, strlen(name)), &nl);
	json_t *v;
	if ((v = json_object_get(j, "annotations")))
		read_annotations(w, v);
	if ((v = json_object_get(j, "enum"))) {
		static const char *const std[] = {"memberOfTypes", "shape", "tags", NULL};
		for (size_t i = 0; std[i]; i++) {
			if (!json_object_get(j, std[i]))
				continue;
			size_t m = push_key(w, std[i]);
			jerr(w, true, "unexpected field '%s': an enumerated entity type has no %s", std[i],
			     std[i][0] == 'm' ? "parents" : std[i][0] == 's' ? "attributes" : "tags");
			pop(w, m);
		}
		size_t m = push_key(w, "enum");
		e->is_enum = true;
		if (want(w, v, JSON_ARRAY, "a non-empty array of strings")) {
			size_t n = json_array_size(v);
			if (n == 0)
				jerr(w, false, "an enumerated entity type needs at least one id");
			e->enum_ids = n ? ARENA_ARRAY(&w->b->tmp, const wsym *, n) : NULL;
			for (size_t i = 0; i < n; i++) {
				json_t *s = json_array_get(v, i);
				size_t m2 = push_idx(w, i);
				if (want(w, s, JSON_STRING, "a string"))
					e->enum_ids[e->nenum++] = sym_of(w, s);
				pop(w, m2);
			}
		}
		pop(w, m);
		return;
	}
	if ((v = json_object_get(j, "memberOfTypes"))) {
		size_t m = push_key(w, "memberOfTypes");
		read_names(w, v, &e->parents, &e->nparents);
		pop(w, m);
	}
	if ((v = json_object_get(j, "shape"))) {
		size_t m = push_key(w, "shape");
		e->shape = read_type(w, v, 0);
		pop(w, m);
	}
	if ((v = json_object_get(j, "tags"))) {
		size_t m = push_key(w, "tags");
		e->tags = read_type(w, v, 0);
		pop(w, m);
	}
}

static void read_action(jwalk *w, const wsym *ns, const char *name, json_t *j)
{
	static const char *const fields[] = {"attributes", "appliesTo", "memberOf", "annotations", NULL};
	sloc nl = here(w, true);
	if (!want(w, j, JSON_OBJECT, "an action declaration (an object)"))
		return;
	only_fields(w, j, fields, "an action declaration");
	raction *a = sb_new_action(w->b, ns, ctx_sym(w->b->cx, name, strlen(name)), &nl);
	json_t *v;
	if ((v = json_object_get(j, "annotations")))
		read_annotations(w, v);
	if ((v = json_object_get(j, "attributes"))) {
		size_t m = push_key(w, "attributes");
		jerr(w, true, "action attributes are not supported");
		pop(w, m);
	}
	if ((v = json_object_get(j, "memberOf")) && !json_is_null(v)) {
		size_t m = push_key(w, "memberOf");
		if (want(w, v, JSON_ARRAY, "an array of action references")) {
			size_t n = json_array_size(v);
			a->parents = n ? ARENA_ARRAY(&w->b->tmp, raref, n) : NULL;
			for (size_t i = 0; i < n; i++) {
				json_t *r = json_array_get(v, i);
				size_t m2 = push_idx(w, i);
				static const char *const rf[] = {"id", "type", NULL};
				if (want(w, r, JSON_OBJECT, "an action reference {\"id\": ..., \"type\": ...}") &&
				    only_fields(w, r, rf, "an action reference")) {
					json_t *id = need_field(w, r, "id", "an action reference");
					json_t *ty = json_object_get(r, "type");
					bool ok = id != NULL;
					if (id) {
						size_t m3 = push_key(w, "id");
						ok = want(w, id, JSON_STRING, "a string");
						pop(w, m3);
					}
					if (ty) {
						size_t m3 = push_key(w, "type");
						if (!want(w, ty, JSON_STRING, "a string")) {
							ok = false;
						} else if (!valid_path_str(ty)) {
							jerr(w, false, "invalid action type name '%s'",
							     json_string_value(ty));
							ok = false;
						}
						pop(w, m3);
					}
					if (ok) {
						raref *p = &a->parents[a->nparents++];
						p->id = sym_of(w, id);
						p->type = ty ? sym_of(w, ty) : NULL;
						p->loc = here(w, false);
					}
				}
				pop(w, m2);
			}
		}
		pop(w, m);
	}
	if ((v = json_object_get(j, "appliesTo")) && !json_is_null(v)) {
		size_t m = push_key(w, "appliesTo");
		static const char *const af[] = {"principalTypes", "resourceTypes", "context", NULL};
		if (want(w, v, JSON_OBJECT, "an object") && only_fields(w, v, af, "appliesTo")) {
			a->has_applies_to = true;
			json_t *pt = need_field(w, v, "principalTypes", "appliesTo");
			json_t *rt = need_field(w, v, "resourceTypes", "appliesTo");
			json_t *cx = json_object_get(v, "context");
			if (pt) {
				size_t m2 = push_key(w, "principalTypes");
				read_names(w, pt, &a->principals, &a->nprincipals);
				pop(w, m2);
			}
			if (rt) {
				size_t m2 = push_key(w, "resourceTypes");
				read_names(w, rt, &a->resources, &a->nresources);
				pop(w, m2);
			}
			if (cx) {
				size_t m2 = push_key(w, "context");
				a->context = read_type(w, cx, 0);
				pop(w, m2);
			}
		}
		pop(w, m);
	}
}

static void read_namespace(jwalk *w, const char *nsname, json_t *j)
{
	static const char *const fields[] = {"commonTypes", "entityTypes", "actions", "annotations", NULL};
	sloc nl = here(w, true);
	size_t nlen = strlen(nsname);
	if (nlen && !schema_is_path(nsname, nlen, true)) {
		jerr(w, true, "invalid namespace name '%s'", nsname);
		return;
	}
	if (!want(w, j, JSON_OBJECT, "a namespace declaration (an object)"))
		return;
	const wsym *ns = ctx_sym(w->b->cx, nsname, nlen);
	sb_namespace(w->b, ns, &nl);
	only_fields(w, j, fields, "a namespace declaration");
	json_t *v;
	const char *k;
	json_t *d;
	if ((v = json_object_get(j, "annotations")))
		read_annotations(w, v);
	if ((v = json_object_get(j, "commonTypes"))) {
		size_t m = push_key(w, "commonTypes");
		if (want(w, v, JSON_OBJECT, "an object of common types")) {
			json_object_foreach(v, k, d) {
				size_t m2 = push_key(w, k);
				sloc l = here(w, true);
				if (!valid_ident_str(k)) {
					jerr(w, true, "invalid common type name '%s'", k);
				} else {
					rtype *t = read_type(w, d, T_ALLOW_ANNOTATIONS);
					if (t)
						sb_add_ctype(w->b, ns, ctx_sym(w->b->cx, k, strlen(k)), t, &l);
				}
				pop(w, m2);
			}
		}
		pop(w, m);
	}
	if ((v = need_field(w, j, "entityTypes", "a namespace declaration"))) {
		size_t m = push_key(w, "entityTypes");
		if (want(w, v, JSON_OBJECT, "an object of entity types")) {
			json_object_foreach(v, k, d) {
				size_t m2 = push_key(w, k);
				read_entity_type(w, ns, k, d);
				pop(w, m2);
			}
		}
		pop(w, m);
	}
	if ((v = need_field(w, j, "actions", "a namespace declaration"))) {
		size_t m = push_key(w, "actions");
		if (want(w, v, JSON_OBJECT, "an object of actions")) {
			json_object_foreach(v, k, d) {
				size_t m2 = push_key(w, k);
				read_action(w, ns, k, d);
				pop(w, m2);
			}
		}
		pop(w, m);
	}
}

int schema_parse_json(wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d)
{
	sbuild b;
	sb_init(&b, cx, s, name, text, len, d);
	if (sb_nerrors(&b)) {
		int n = (int)sb_nerrors(&b);
		sb_release(&b);
		return n;
	}
	json_error_t err;
	json_t *root = json_loadb(b.src->text, b.src->len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		size_t pos = err.position > 0 ? (size_t)err.position - 1 : 0;
		if (pos > len)
			pos = len;
		sloc l = {{(uint32_t)pos, (uint32_t)(pos < len ? pos + 1 : pos)}, NULL};
		sb_error(&b, &l, "invalid JSON: %s (line %d, column %d)", err.text, err.line, err.column);
	} else {
		jwalk w;
		memset(&w, 0, sizeof w);
		w.b = &b;
		jscan sc = {b.src->text, b.src->len, &w.ix, &b.tmp, WBUF_INIT};
		buf_add(&sc.path, "", 0);
		size_t rs = js_ws(&sc, 0);
		size_t re = js_value(&sc, rs);
		ji_put(&w.ix, &b.tmp, "", 0, (wspan){0, 0}, (wspan){(uint32_t)rs, (uint32_t)re});
		buf_release(&sc.path);
		buf_add(&w.path, "", 0);
		if (want(&w, root, JSON_OBJECT, "a JSON object mapping namespace names to namespaces")) {
			const char *k;
			json_t *v;
			json_object_foreach(root, k, v) {
				size_t m = push_key(&w, k);
				read_namespace(&w, k, v);
				pop(&w, m);
			}
		}
		if (w.nshape == 0)
			sb_finish(&b);
		json_decref(root);
		free(w.ix.slots);
		buf_release(&w.path);
	}
	sb_sort_diags(&b);
	int n = (int)sb_nerrors(&b);
	sb_release(&b);
	return n;
}
