/* jsonv: Cedar values <-> JSON (see jsonv.h and entities-syntax.md).
 *
 * Reading follows the reference's schema-based parsing: without an expected
 * type every JSON value maps to its natural Cedar value (entity references
 * and extension values need the explicit __entity / __extn escapes); with
 * an expected type, entity references may omit __entity, extension values
 * may omit __extn or be a bare string for the type's constructor, and set
 * elements and record attributes are read by their declared types. Records
 * are checked against their record type as they are read (missing required
 * and, for closed records, unexpected attributes are errors). Writing always
 * uses the explicit escapes, so the output reads back without a schema.
 */
#include "cedar/jsonv.h"
#include "cedar/ext.h"
#include "cedar/jsonv_int.h"
#include "cedar/parser.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- converter state ---------------------------------------------------- */

void jconv_init(jconv *jc, wctx *cx, warena *a, const wschema *schema, jconv_sink sink, void *sink_data)
{
	memset(jc, 0, sizeof *jc);
	jc->cx = cx;
	jc->a = a;
	jc->schema = schema;
	jc->base = "value";
	jc->kind = "at";
	jc->sink = sink;
	jc->sink_data = sink_data;
}

void jconv_release(jconv *jc)
{
	free(jc->path);
	jc->path = NULL;
	jc->depth = jc->cap = 0;
}

static jpel *push(jconv *jc)
{
	if (jc->depth == jc->cap) {
		jc->cap = jc->cap ? jc->cap * 2 : 16;
		jc->path = xrealloc(jc->path, jc->cap * sizeof *jc->path);
	}
	return &jc->path[jc->depth++];
}

void jconv_push_key(jconv *jc, const char *key, size_t n)
{
	jpel *p = push(jc);
	p->key = key;
	p->klen = n;
	p->idx = 0;
}

void jconv_push_idx(jconv *jc, size_t i)
{
	jpel *p = push(jc);
	p->key = NULL;
	p->klen = 0;
	p->idx = i;
}

void jconv_pop(jconv *jc)
{
	if (jc->depth > 0)
		jc->depth--;
}

/* Renders the path below jc->root: a.b[2].c */
static void render_subpath(const jconv *jc, wbuf *out)
{
	for (uint32_t i = jc->root; i < jc->depth; i++) {
		const jpel *p = &jc->path[i];
		if (p->key) {
			if (i > jc->root)
				buf_addc(out, '.');
			buf_add(out, p->key, p->klen);
		} else {
			buf_printf(out, "[%zu]", p->idx);
		}
	}
}

void jconv_error(jconv *jc, bool at_key, const char *fmt, ...)
{
	wbuf m = WBUF_INIT;
	buf_adds(&m, jc->base);
	if (jc->depth > jc->root) {
		buf_printf(&m, ": %s '", jc->kind);
		render_subpath(jc, &m);
		buf_addc(&m, '\'');
	}
	buf_adds(&m, ": ");
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	jc->sink(jc, at_key, m.p);
	jc->nerr++;
	buf_release(&m);
}

void jconv_sink_buf(jconv *jc, bool at_key, const char *msg)
{
	(void)at_key;
	if (jc->nerr == 0)
		buf_adds((wbuf *)jc->sink_data, msg);
}

/* ---- small helpers ------------------------------------------------------ */

static const wtype prim_type[] = {
	[WT_BOOL] = {.kind = WT_BOOL},
	[WT_LONG] = {.kind = WT_LONG},
	[WT_STRING] = {.kind = WT_STRING},
	[WT_ENTITY] = {.kind = WT_ENTITY},
	[WT_SET] = {.kind = WT_SET},
	[WT_RECORD] = {.kind = WT_RECORD},
	[WT_IPADDR] = {.kind = WT_IPADDR},
	[WT_DECIMAL] = {.kind = WT_DECIMAL},
	[WT_DATETIME] = {.kind = WT_DATETIME},
	[WT_DURATION] = {.kind = WT_DURATION},
};

/* wtkind and wvkind list the same kinds in the same order. */
static int vkind_of_tkind(int k)
{
	switch (k) {
	case WT_BOOL: return WV_BOOL;
	case WT_LONG: return WV_LONG;
	case WT_STRING: return WV_STRING;
	case WT_ENTITY: return WV_ENTITY;
	case WT_SET: return WV_SET;
	case WT_RECORD: return WV_RECORD;
	case WT_IPADDR: return WV_IPADDR;
	case WT_DECIMAL: return WV_DECIMAL;
	case WT_DATETIME: return WV_DATETIME;
	default: return WV_DURATION;
	}
}

static char *type_str(const wtype *t)
{
	wbuf b = WBUF_INIT;
	type_print(t, &b);
	return buf_detach(&b);
}

static void add_trunc(wbuf *out, const char *s, size_t n, size_t max)
{
	if (n <= max) {
		buf_add(out, s, n);
		return;
	}
	/* cut on a UTF-8 boundary */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	buf_add(out, s, max);
	buf_adds(out, "...");
}

void jsonv_describe(const json_t *j, wbuf *out)
{
	switch (json_typeof(j)) {
	case JSON_STRING: {
		wbuf q = WBUF_INIT, tmp = WBUF_INIT;
		size_t n;
		const char *sv = jsonv_str(json_string_value(j), json_string_length(j), &tmp, &n);
		buf_add_json_str(&q, sv, n);
		buf_adds(out, "string ");
		add_trunc(out, q.p, q.n, 40);
		buf_release(&q);
		buf_release(&tmp);
		break;
	}
	case JSON_INTEGER: buf_printf(out, "integer %" PRId64, (int64_t)json_integer_value(j)); break;
	case JSON_REAL: buf_printf(out, "non-integer number %g", json_real_value(j)); break;
	case JSON_TRUE: buf_adds(out, "boolean true"); break;
	case JSON_FALSE: buf_adds(out, "boolean false"); break;
	case JSON_NULL: buf_adds(out, "null"); break;
	case JSON_ARRAY: buf_adds(out, "an array"); break;
	case JSON_OBJECT:
		if (json_object_get(j, "__entity"))
			buf_adds(out, "an entity reference");
		else if (json_object_get(j, "__extn"))
			buf_adds(out, "an extension value");
		else
			buf_adds(out, "an object");
		break;
	}
}

static void describe_value(const wvalue *v, wbuf *out)
{
	wbuf b = WBUF_INIT;
	value_print(v, &b);
	buf_printf(out, "%s ", value_kind_name((wvkind)v->kind));
	add_trunc(out, b.p ? b.p : "", b.n, 60);
	buf_release(&b);
}

static void mismatch_json(jconv *jc, const wtype *expect, const json_t *j)
{
	char *ts = type_str(expect);
	wbuf d = WBUF_INIT;
	jsonv_describe(j, &d);
	jconv_error(jc, false, "expected %s, found %s", ts, d.p);
	buf_release(&d);
	free(ts);
}

static void mismatch_value(jconv *jc, const wtype *expect, const wvalue *v)
{
	char *ts = type_str(expect);
	wbuf d = WBUF_INIT;
	describe_value(v, &d);
	jconv_error(jc, false, "expected %s, found %s", ts, d.p);
	buf_release(&d);
	free(ts);
}

/* ---- names -------------------------------------------------------------- */

static bool is_id_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_id_char(char c)
{
	return is_id_start(c) || (c >= '0' && c <= '9');
}

static bool is_reserved(const char *s, size_t n)
{
	static const char *const words[] = {"true", "false", "if", "then", "else", "in",
					    "is", "like", "has", "__cedar"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return true;
	return false;
}

bool jsonv_valid_name(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		size_t st = i;
		if (i >= n || !is_id_start(s[i]))
			return false;
		while (i < n && is_id_char(s[i]))
			i++;
		if (is_reserved(s + st, i - st))
			return false;
		if (i == n)
			return true;
		if (i + 2 >= n || s[i] != ':' || s[i + 1] != ':')
			return false;
		i += 2;
	}
}

/* ---- entity references -------------------------------------------------- */

int jconv_check_enum(jconv *jc, wuid uid)
{
	if (!jc->schema)
		return 0;
	const wentity_type *et = schema_entity_type(jc->schema, uid.type);
	if (!et || !et->is_enum)
		return 0;
	for (uint32_t i = 0; i < et->nenum; i++)
		if (et->enum_ids[i] == uid.id)
			return 0;
	wbuf u = WBUF_INIT;
	uid_print(uid, &u);
	jconv_error(jc, false, "entity %s is of enumerated type '%s', but \"%s\" is not one of its ids", u.p,
		    uid.type->s, uid.id->s);
	buf_release(&u);
	return -1;
}

/* {"type": T, "id": I} (other members are ignored, as the reference does). */
static int type_and_id(jconv *jc, const json_t *o, wuid *out)
{
	const json_t *t = json_object_get(o, "type");
	const json_t *id = json_object_get(o, "id");
	if (!t || !id) {
		jconv_error(jc, false, "an entity reference needs both \"type\" and \"id\"");
		return -1;
	}
	if (!json_is_string(t) || !json_is_string(id)) {
		jconv_error(jc, false, "the \"type\" and \"id\" of an entity reference must be strings");
		return -1;
	}
	const char *ts = json_string_value(t);
	size_t tn = json_string_length(t);
	if (!jsonv_valid_name(ts, tn)) {
		wbuf q = WBUF_INIT;
		buf_add_json_str(&q, ts, tn);
		jconv_error(jc, false, "invalid entity type name %s (expected a name such as \"NS::User\", "
			    "without spaces or reserved words)", q.p);
		buf_release(&q);
		return -1;
	}
	out->type = ctx_sym(jc->cx, ts, tn);
	wbuf tmp = WBUF_INIT;
	size_t idn;
	const char *ids = jsonv_str(json_string_value(id), json_string_length(id), &tmp, &idn);
	out->id = ctx_sym(jc->cx, ids, idn);
	buf_release(&tmp);
	return 0;
}

int jconv_uid(jconv *jc, const json_t *j, bool allow_string, wuid *out)
{
	if (json_is_object(j)) {
		const json_t *e = json_object_get(j, "__entity");
		if (e) {
			if (!json_is_object(e)) {
				jconv_error(jc, false, "the __entity escape must hold an object {\"type\", \"id\"}");
				return -1;
			}
			return type_and_id(jc, e, out);
		}
		if (json_object_get(j, "__expr")) {
			jconv_error(jc, false, "the __expr escape is no longer supported; use {\"type\", \"id\"}");
			return -1;
		}
		return type_and_id(jc, j, out);
	}
	if (allow_string && json_is_string(j)) {
		wbuf tmp = WBUF_INIT;
		wsource src = {"<uid>", NULL, 0};
		src.text = jsonv_str(json_string_value(j), json_string_length(j), &tmp, &src.len);
		wdiags d;
		diags_init(&d);
		int rc = parse_uid(jc->cx, &src, out, &d);
		if (rc != 0 || d.nerrors) {
			wbuf q = WBUF_INIT;
			buf_add_json_str(&q, src.text, src.len);
			jconv_error(jc, false, "invalid entity uid %s: %s", q.p,
				    d.n ? d.items[0].msg : "expected Type::\"id\"");
			buf_release(&q);
			buf_release(&tmp);
			diags_release(&d);
			return -1;
		}
		buf_release(&tmp);
		diags_release(&d);
		return 0;
	}
	wbuf d = WBUF_INIT;
	jsonv_describe(j, &d);
	jconv_error(jc, false, "expected an entity reference {\"type\": ..., \"id\": ...}%s, found %s",
		    allow_string ? " or a string Type::\"id\"" : "", d.p);
	buf_release(&d);
	return -1;
}

/* ---- extension values --------------------------------------------------- */

/* Argument types of the extension functions, for schema-directed reading of
 * their arguments (so {"fn":"offset","args":["2024-01-01", "1h"]} works). */
static const struct {
	const char *name;
	uint8_t n;
	uint8_t k[2];
} ext_args[] = {
	{"ip", 1, {WT_STRING, 0}},
	{"decimal", 1, {WT_STRING, 0}},
	{"datetime", 1, {WT_STRING, 0}},
	{"duration", 1, {WT_STRING, 0}},
	{"isIpv4", 1, {WT_IPADDR, 0}},
	{"isIpv6", 1, {WT_IPADDR, 0}},
	{"isLoopback", 1, {WT_IPADDR, 0}},
	{"isMulticast", 1, {WT_IPADDR, 0}},
	{"isInRange", 2, {WT_IPADDR, WT_IPADDR}},
	{"lessThan", 2, {WT_DECIMAL, WT_DECIMAL}},
	{"lessThanOrEqual", 2, {WT_DECIMAL, WT_DECIMAL}},
	{"greaterThan", 2, {WT_DECIMAL, WT_DECIMAL}},
	{"greaterThanOrEqual", 2, {WT_DECIMAL, WT_DECIMAL}},
	{"offset", 2, {WT_DATETIME, WT_DURATION}},
	{"durationSince", 2, {WT_DATETIME, WT_DATETIME}},
	{"toDate", 1, {WT_DATETIME, 0}},
	{"toTime", 1, {WT_DATETIME, 0}},
	{"toMilliseconds", 1, {WT_DURATION, 0}},
	{"toSeconds", 1, {WT_DURATION, 0}},
	{"toMinutes", 1, {WT_DURATION, 0}},
	{"toHours", 1, {WT_DURATION, 0}},
	{"toDays", 1, {WT_DURATION, 0}},
};

static const wtype *ext_arg_type(const char *name, size_t n, size_t i, size_t nargs)
{
	for (size_t k = 0; k < sizeof ext_args / sizeof ext_args[0]; k++)
		if (strlen(ext_args[k].name) == n && memcmp(ext_args[k].name, name, n) == 0 &&
		    ext_args[k].n == nargs)
			return &prim_type[ext_args[k].k[i]];
	return NULL;
}

static const char *tkind_ctor_name(int tkind)
{
	switch (tkind) {
	case WT_IPADDR: return "ip";
	case WT_DECIMAL: return "decimal";
	case WT_DATETIME: return "datetime";
	default: return "duration";
	}
}

/* Parses the string form of an extension value of kind `tkind`. */
static int ext_from_string(jconv *jc, int tkind, const char *s, size_t n, wvalue *out)
{
	int rc = -1;
	switch (tkind) {
	case WT_IPADDR: {
		wipaddr ip;
		rc = ext_parse_ip(s, n, &ip);
		if (rc == 0) {
			wipaddr *p = arena_memdup(jc->a, &ip, sizeof ip);
			out->kind = WV_IPADDR;
			out->u.ip = p;
		}
		break;
	}
	case WT_DECIMAL:
	case WT_DATETIME:
	case WT_DURATION: {
		int64_t i = 0;
		rc = tkind == WT_DECIMAL    ? ext_parse_decimal(s, n, &i)
		     : tkind == WT_DATETIME ? ext_parse_datetime(s, n, &i)
					    : ext_parse_duration(s, n, &i);
		if (rc == 0)
			*out = value_ext_int((wvkind)vkind_of_tkind(tkind), i);
		break;
	}
	default:
		break;
	}
	if (rc != 0) {
		wbuf q = WBUF_INIT;
		buf_add_json_str(&q, s, n);
		jconv_error(jc, false, "invalid %s literal %s", tkind_ctor_name(tkind), q.p);
		buf_release(&q);
	}
	return rc;
}

/* {"fn": F, "arg": A} or {"fn": F, "args": [A...]}: calls the extension
 * function. `typed` reads the arguments by the function's argument types. */
static int ext_call(jconv *jc, const json_t *fa, bool typed, wvalue *out)
{
	const json_t *fn = json_object_get(fa, "fn");
	const json_t *arg = json_object_get(fa, "arg");
	const json_t *args = json_object_get(fa, "args");
	if (!json_is_string(fn) || (!arg && !json_is_array(args))) {
		jconv_error(jc, false, "an extension value needs \"fn\" (a string) and \"arg\" (or \"args\")");
		return -1;
	}
	const char *name = json_string_value(fn);
	size_t nlen = json_string_length(fn);
	size_t nargs = arg ? 1 : json_array_size(args);
	const wext_fn *f = ext_lookup(name, nlen, false);
	if (!f || f->nargs != nargs) {
		const wext_fn *m = ext_lookup(name, nlen, true);
		if (m && m->nargs == nargs)
			f = m;
	}
	if (!f) {
		wbuf q = WBUF_INIT;
		buf_add_json_str(&q, name, nlen);
		jconv_error(jc, false, "unknown extension function %s", q.p);
		buf_release(&q);
		return -1;
	}
	if (f->nargs != nargs) {
		jconv_error(jc, false, "extension function '%s' takes %u argument%s, not %zu", f->name, f->nargs,
			    f->nargs == 1 ? "" : "s", nargs);
		return -1;
	}
	wvalue av[4];
	if (nargs > sizeof av / sizeof av[0]) {
		jconv_error(jc, false, "too many arguments to extension function '%s'", f->name);
		return -1;
	}
	int bad = 0;
	for (size_t i = 0; i < nargs; i++) {
		const json_t *aj = arg ? arg : json_array_get(args, i);
		const wtype *at = typed ? ext_arg_type(name, nlen, i, nargs) : NULL;
		if (arg) {
			jconv_push_key(jc, "arg", 3);
		} else {
			jconv_push_key(jc, "args", 4);
			jconv_push_idx(jc, i);
		}
		if (jconv_value(jc, aj, at, &av[i]) != 0)
			bad = 1;
		jconv_pop(jc);
		if (!arg)
			jconv_pop(jc);
	}
	if (bad)
		return -1;
	const char *msg = NULL;
	if (f->impl(jc->a, av, out, &msg) != 0) {
		jconv_error(jc, false, "invalid extension value: %s", msg ? msg : "evaluation failed");
		return -1;
	}
	return 0;
}

/* The value of an explicit {"__extn": {...}} escape. */
static int ext_escape(jconv *jc, const json_t *e, bool typed, wvalue *out)
{
	if (!json_is_object(e)) {
		jconv_error(jc, false, "the __extn escape must hold an object {\"fn\", \"arg\"}");
		return -1;
	}
	jconv_push_key(jc, "__extn", 6);
	int rc = ext_call(jc, e, typed, out);
	jconv_pop(jc);
	return rc;
}

/* ---- the converter ------------------------------------------------------ */

static int conv_untyped(jconv *jc, const json_t *j, wvalue *out);

static int conv_set(jconv *jc, const json_t *j, const wtype *elem, wvalue *out)
{
	size_t n = json_array_size(j);
	wvalue *items = n ? xmalloc(n * sizeof *items) : NULL;
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		jconv_push_idx(jc, i);
		if (jconv_value(jc, json_array_get(j, i), elem, &items[i]) != 0)
			bad = 1;
		jconv_pop(jc);
	}
	if (!bad) {
		out->kind = WV_SET;
		out->u.set = n ? set_make(jc->a, items, n) : set_empty();
	}
	free(items);
	return bad ? -1 : 0;
}

static int conv_untyped(jconv *jc, const json_t *j, wvalue *out)
{
	switch (json_typeof(j)) {
	case JSON_TRUE: *out = value_bool(true); return 0;
	case JSON_FALSE: *out = value_bool(false); return 0;
	case JSON_INTEGER: *out = value_long((int64_t)json_integer_value(j)); return 0;
	case JSON_REAL:
		jconv_error(jc, false, "%g is not an integer (Cedar numbers are 64-bit integers)", json_real_value(j));
		return -1;
	case JSON_STRING: {
		wbuf tmp = WBUF_INIT;
		size_t n;
		const char *sv = jsonv_str(json_string_value(j), json_string_length(j), &tmp, &n);
		if (n > UINT32_MAX) {
			buf_release(&tmp);
			jconv_error(jc, false, "string too long");
			return -1;
		}
		const char *p = n ? arena_memdup(jc->a, sv, n) : "";
		*out = value_string(p, (uint32_t)n);
		buf_release(&tmp);
		return 0;
	}
	case JSON_NULL:
		jconv_error(jc, false, "null is not a Cedar value");
		return -1;
	case JSON_ARRAY:
		return conv_set(jc, j, NULL, out);
	case JSON_OBJECT: {
		const json_t *e = json_object_get(j, "__entity");
		if (e) {
			wuid u;
			if (jconv_uid(jc, j, false, &u) != 0 || jconv_check_enum(jc, u) != 0)
				return -1;
			*out = value_entity(u);
			return 0;
		}
		const json_t *x = json_object_get(j, "__extn");
		if (x)
			return ext_escape(jc, x, false, out);
		if (json_object_get(j, "__expr")) {
			jconv_error(jc, false, "the __expr escape is no longer supported");
			return -1;
		}
		return jconv_record(jc, j, NULL, out);
	}
	}
	jconv_error(jc, false, "unsupported JSON value");
	return -1;
}

/* sym_cmp's order (its sign only), without a call when the first bytes
 * already differ. */
static inline int key_cmp(const wsym *a, const wsym *b)
{
	if (a == b)
		return 0;
	if (a->len && b->len && a->s[0] != b->s[0])
		return (unsigned char)a->s[0] < (unsigned char)b->s[0] ? -1 : 1;
	return sym_cmp(a, b);
}

/* Binary search of a record type's attributes (sorted by sym_cmp). */
static const wattr *find_attr(const wtype *t, const wsym *k)
{
	uint32_t lo = 0, hi = t->nattrs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->attrs[mid].name == k)
			return &t->attrs[mid];
		int c = key_cmp(t->attrs[mid].name, k);
		if (c == 0)
			return &t->attrs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int jconv_record(jconv *jc, const json_t *j, const wtype *expect, wvalue *out)
{
	size_t n = json_object_size(j);
	wfield *f = n ? xmalloc(n * sizeof *f) : NULL;
	size_t nf = 0;
	int bad = 0;
	if (expect) {
		for (uint32_t i = 0; i < expect->nattrs; i++) {
			const wattr *at = &expect->attrs[i];
			if (at->required && !jsonv_getn(j, at->name->s, at->name->len)) {
				jconv_error(jc, false, "missing required attribute '%s'", at->name->s);
				bad = 1;
			}
		}
	}
	const char *key;
	size_t klen;
	json_t *v;
	wbuf tmp = WBUF_INIT;
	json_object_keylen_foreach((json_t *)j, key, klen, v)
	{
		size_t dn;
		const char *dk = jsonv_str(key, klen, &tmp, &dn);
		const wsym *k = ctx_sym(jc->cx, dk, dn);
		const wtype *at = NULL;
		jconv_push_key(jc, k->s, k->len);
		if (expect) {
			const wattr *a = find_attr(expect, k);
			if (a) {
				at = a->type;
			} else if (!expect->open) {
				char *ts = type_str(expect);
				wbuf tb = WBUF_INIT;
				add_trunc(&tb, ts, strlen(ts), 80);
				jconv_error(jc, true, "unexpected attribute, not declared in the schema (expected %s)", tb.p);
				buf_release(&tb);
				free(ts);
				bad = 1;
				jconv_pop(jc);
				continue;
			}
		}
		if (jconv_value(jc, v, at, &f[nf].val) != 0)
			bad = 1;
		else
			f[nf++].key = k;
		jconv_pop(jc);
	}
	buf_release(&tmp);
	if (!bad) {
		const wrecord *r = nf ? record_make(jc->a, f, nf, false) : record_empty();
		if (!r) {
			jconv_error(jc, false, "duplicate attribute");
			bad = 1;
		} else {
			out->kind = WV_RECORD;
			out->u.rec = r;
		}
	}
	free(f);
	return bad ? -1 : 0;
}

int jconv_value(jconv *jc, const json_t *j, const wtype *expect, wvalue *out)
{
	if (jc->depth >= JSONV_MAX_DEPTH) {
		jconv_error(jc, false, "value nested too deeply (limit %d)", JSONV_MAX_DEPTH);
		return -1;
	}
	if (!expect)
		return conv_untyped(jc, j, out);
	switch (expect->kind) {
	case WT_ENTITY: {
		wuid u;
		if (!json_is_object(j)) {
			char *ts = type_str(expect);
			wbuf d = WBUF_INIT;
			jsonv_describe(j, &d);
			jconv_error(jc, false, "expected %s (an entity reference {\"type\": \"%s\", \"id\": ...}), found %s",
				    ts, expect->entity ? expect->entity->s : "...", d.p);
			buf_release(&d);
			free(ts);
			return -1;
		}
		if (jconv_uid(jc, j, false, &u) != 0)
			return -1;
		if (expect->entity && u.type != expect->entity) {
			wvalue v = value_entity(u);
			mismatch_value(jc, expect, &v);
			return -1;
		}
		if (jconv_check_enum(jc, u) != 0)
			return -1;
		*out = value_entity(u);
		return 0;
	}
	case WT_IPADDR:
	case WT_DECIMAL:
	case WT_DATETIME:
	case WT_DURATION: {
		int rc;
		if (json_is_string(j)) {
			wbuf tmp = WBUF_INIT;
			size_t n;
			const char *sv = jsonv_str(json_string_value(j), json_string_length(j), &tmp, &n);
			rc = ext_from_string(jc, expect->kind, sv, n, out);
			buf_release(&tmp);
			return rc;
		} else if (json_is_object(j) && json_object_get(j, "__extn")) {
			rc = ext_escape(jc, json_object_get(j, "__extn"), true, out);
		} else if (json_is_object(j) && json_object_get(j, "fn")) {
			rc = ext_call(jc, j, true, out);
		} else if (json_is_object(j) && json_object_get(j, "__expr")) {
			jconv_error(jc, false, "the __expr escape is no longer supported");
			return -1;
		} else {
			char *ts = type_str(expect);
			wbuf d = WBUF_INIT;
			jsonv_describe(j, &d);
			jconv_error(jc, false, "expected %s (a string for %s(), or {\"__extn\": {\"fn\", \"arg\"}}), found %s",
				    ts, tkind_ctor_name(expect->kind), d.p);
			buf_release(&d);
			free(ts);
			return -1;
		}
		if (rc != 0)
			return -1;
		if (out->kind != vkind_of_tkind(expect->kind)) {
			mismatch_value(jc, expect, out);
			return -1;
		}
		return 0;
	}
	case WT_SET:
		if (!json_is_array(j)) {
			mismatch_json(jc, expect, j);
			return -1;
		}
		return conv_set(jc, j, expect->elem, out);
	case WT_RECORD:
		if (!json_is_object(j)) {
			mismatch_json(jc, expect, j);
			return -1;
		}
		return jconv_record(jc, j, expect, out);
	case WT_BOOL:
	case WT_LONG:
	case WT_STRING:
	default:
		break;
	}
	/* Bool, Long, String: the JSON's own shape, checked afterwards. */
	int want = vkind_of_tkind(expect->kind);
	bool shape_ok = (want == WV_BOOL && json_is_boolean(j)) || (want == WV_LONG && json_is_integer(j)) ||
			(want == WV_STRING && json_is_string(j));
	if (!shape_ok && !(json_is_object(j) && json_object_get(j, "__extn"))) {
		mismatch_json(jc, expect, j);
		return -1;
	}
	if (conv_untyped(jc, j, out) != 0)
		return -1;
	if (out->kind != want) {
		mismatch_value(jc, expect, out);
		return -1;
	}
	return 0;
}

/* ---- public conversions ------------------------------------------------- */

int jsonv_to_value(wctx *cx, warena *a, const json_t *j, const wtype *expect, const wschema *schema,
		   const char *path, wvalue *out, wbuf *err)
{
	jconv jc;
	jconv_init(&jc, cx, a, schema, jconv_sink_buf, err);
	if (path)
		jc.base = path;
	int rc = jconv_value(&jc, j, expect, out);
	int nerr = jc.nerr;
	jconv_release(&jc);
	return rc != 0 || nerr ? -1 : 0;
}

int jsonv_to_uid(wctx *cx, const json_t *j, bool allow_string, wuid *out, wbuf *err)
{
	jconv jc;
	jconv_init(&jc, cx, NULL, NULL, jconv_sink_buf, err);
	jc.base = "entity uid";
	int rc = jconv_uid(&jc, j, allow_string, out);
	jconv_release(&jc);
	return rc;
}

/* ---- conformance of built values ---------------------------------------- */

/* The check proper; `why` may be NULL: the success path (nearly every
 * value) then builds no message, and a failing attribute is checked again
 * with a buffer to say why. */
static bool conforms(const wschema *schema, const wvalue *v, const wtype *t, wbuf *why);

/* conforms without a message; a value of a type without inner structure
 * (or an entity type to look up) needs only its kind compared, in line. */
static inline bool conforms_quiet(const wschema *schema, const wvalue *v, const wtype *t)
{
	switch (t->kind) {
	case WT_ENTITY:
	case WT_SET:
	case WT_RECORD:
		return conforms(schema, v, t, NULL);
	default:
		return v->kind == vkind_of_tkind(t->kind);
	}
}

static bool conforms(const wschema *schema, const wvalue *v, const wtype *t, wbuf *why)
{
	int want = vkind_of_tkind(t->kind);
	if (v->kind != want) {
		if (why) {
			char *ts = type_str(t);
			buf_printf(why, "expected %s, found ", ts);
			describe_value(v, why);
			free(ts);
		}
		return false;
	}
	switch (t->kind) {
	case WT_ENTITY:
		if (t->entity && v->u.e.type != t->entity) {
			if (why) {
				buf_printf(why, "expected an entity of type '%s', found ", t->entity->s);
				uid_print(v->u.e, why);
			}
			return false;
		}
		if (schema) {
			const wentity_type *et = schema_entity_type(schema, v->u.e.type);
			if (et && et->is_enum) {
				for (uint32_t i = 0; i < et->nenum; i++)
					if (et->enum_ids[i] == v->u.e.id)
						return true;
				if (why) {
					buf_adds(why, "entity ");
					uid_print(v->u.e, why);
					buf_printf(why, " is of enumerated type '%s', but \"%s\" is not one of its ids",
						   v->u.e.type->s, v->u.e.id->s);
				}
				return false;
			}
		}
		return true;
	case WT_SET:
		if (!t->elem)
			return true;
		for (uint32_t i = 0; i < v->u.set->n; i++) {
			if (!conforms_quiet(schema, &v->u.set->items[i], t->elem)) {
				if (why) {
					conforms(schema, &v->u.set->items[i], t->elem, why);
					buf_adds(why, " (in a set element)");
				}
				return false;
			}
		}
		return true;
	case WT_RECORD: {
		/* The record's fields and the type's attributes are both sorted
		 * by sym_cmp: walk them together. Errors keep the order of the
		 * one-lookup-per-attribute check: the first attribute (in
		 * attribute order) missing or ill-typed, and only then the first
		 * undeclared field (in field order). */
		const wrecord *r = v->u.rec;
		const wsym *undeclared = NULL;
		uint32_t j = 0;
		for (uint32_t i = 0; i < t->nattrs; i++) {
			const wattr *a = &t->attrs[i];
			while (j < r->n && r->f[j].key != a->name && key_cmp(r->f[j].key, a->name) < 0) {
				if (!undeclared)
					undeclared = r->f[j].key;
				j++;
			}
			if (j == r->n || r->f[j].key != a->name) {
				if (a->required) {
					if (why)
						buf_printf(why, "missing required attribute '%s'", a->name->s);
					return false;
				}
				continue;
			}
			const wvalue *f = &r->f[j++].val;
			if (!conforms_quiet(schema, f, a->type)) {
				if (why) {
					wbuf sub = WBUF_INIT;
					conforms(schema, f, a->type, &sub);
					buf_printf(why, "attribute '%s': %s", a->name->s, sub.p ? sub.p : "");
					buf_release(&sub);
				}
				return false;
			}
		}
		if (!undeclared && j < r->n)
			undeclared = r->f[j].key;
		if (!t->open && undeclared) {
			if (why)
				buf_printf(why, "unexpected attribute '%s'", undeclared->s);
			return false;
		}
		return true;
	}
	default:
		return true;
	}
}

bool jsonv_value_conforms(const wschema *schema, const wvalue *v, const wtype *t, wbuf *why)
{
	return conforms(schema, v, t, why);
}

/* ---- JSON text ---------------------------------------------------------- */

/* jansson cannot hold a NUL byte in an object key, but Cedar attribute
 * names may contain one. So before parsing, every \u0000 escape is
 * rewritten as NUL_MARK '0' and every literal NUL_MARK as NUL_MARK NUL_MARK
 * (NUL_MARK is U+FDEF, a noncharacter reserved for internal use), and every
 * string read back from the tree is decoded (jsonv_str). Offsets in
 * jansson's error messages are mapped back to the original text. */
#define NUL_MARK "\xEF\xB7\xAF"
#define NUL_MARK_LEN 3

static bool is_hex4(const char *t, size_t n, size_t i, const char *want)
{
	if (i + 4 > n)
		return false;
	for (size_t k = 0; k < 4; k++) {
		char c = t[i + k];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (c != want[k])
			return false;
	}
	return true;
}

/* Returns the encoded text (heap), or NULL when none is needed. `map`
 * receives (encoded offset, original offset) pairs at each place where the
 * lengths diverge, for mapping error offsets back. */
static char *nul_encode(const char *t, size_t n, size_t *outn, size_t **map, size_t *nmap)
{
	bool need = false;
	for (size_t i = 0; i + 1 < n && !need; i++)
		if ((t[i] == '\\' && t[i + 1] == 'u') || ((unsigned char)t[i] == 0xEF))
			need = true;
	if (!need)
		return NULL;
	wbuf b = WBUF_INIT;
	size_t *m = NULL, nm = 0, cm = 0;
	bool in_str = false, changed = false;
	for (size_t i = 0; i < n;) {
		bool ch = false;
		if (in_str && t[i] == '\\' && i + 1 < n) {
			if (t[i + 1] == 'u' && is_hex4(t, n, i + 2, "0000")) {
				buf_add(&b, NUL_MARK "0", NUL_MARK_LEN + 1);
				i += 6;
				ch = true;
			} else if (t[i + 1] == 'u' && is_hex4(t, n, i + 2, "fdef")) {
				buf_add(&b, NUL_MARK NUL_MARK, 2 * NUL_MARK_LEN);
				i += 6;
				ch = true;
			} else {
				buf_add(&b, t + i, 2);
				i += 2;
			}
		} else if (i + NUL_MARK_LEN <= n && memcmp(t + i, NUL_MARK, NUL_MARK_LEN) == 0) {
			buf_add(&b, NUL_MARK NUL_MARK, 2 * NUL_MARK_LEN);
			i += NUL_MARK_LEN;
			ch = true;
		} else {
			if (t[i] == '"')
				in_str = !in_str;
			buf_addc(&b, t[i]);
			i++;
		}
		if (ch) {
			changed = true;
			if (nm + 2 > cm) {
				cm = cm ? cm * 2 : 32;
				m = xrealloc(m, cm * sizeof *m);
			}
			m[nm++] = b.n; /* encoded offset after the change */
			m[nm++] = i;   /* original offset after it */
		}
	}
	if (!changed) {
		buf_release(&b);
		free(m);
		return NULL;
	}
	*outn = b.n;
	*map = m;
	*nmap = nm / 2;
	return buf_detach(&b);
}

static size_t map_back(size_t off, const size_t *m, size_t nm)
{
	size_t orig = off;
	for (size_t k = 0; k < nm; k++) {
		if (m[2 * k] > off)
			break;
		orig = m[2 * k + 1] + (off - m[2 * k]);
	}
	return orig;
}

const char *jsonv_str(const char *s, size_t n, wbuf *tmp, size_t *outn)
{
	if (n < NUL_MARK_LEN + 1 || !memchr(s, 0xEF, n)) {
		*outn = n;
		return s;
	}
	buf_clear(tmp);
	for (size_t i = 0; i < n;) {
		if (i + NUL_MARK_LEN < n && memcmp(s + i, NUL_MARK, NUL_MARK_LEN) == 0) {
			char c = s[i + NUL_MARK_LEN];
			if (c == '0') {
				buf_addc(tmp, '\0');
				i += NUL_MARK_LEN + 1;
				continue;
			}
			if (i + 2 * NUL_MARK_LEN <= n && memcmp(s + i + NUL_MARK_LEN, NUL_MARK, NUL_MARK_LEN) == 0) {
				buf_add(tmp, NUL_MARK, NUL_MARK_LEN);
				i += 2 * NUL_MARK_LEN;
				continue;
			}
		}
		buf_addc(tmp, s[i++]);
	}
	*outn = tmp->n;
	return tmp->p ? tmp->p : "";
}

const char *jsonv_string(const char *s, size_t n, wbuf *tmp, size_t *len)
{
	return jsonv_str(s, n, tmp, len);
}

const json_t *jsonv_getn(const json_t *obj, const char *key, size_t n)
{
	if (!memchr(key, 0, n) && !(n >= NUL_MARK_LEN && memchr(key, 0xEF, n)))
		return json_object_getn(obj, key, n);
	wbuf b = WBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (key[i] == '\0')
			buf_add(&b, NUL_MARK "0", NUL_MARK_LEN + 1);
		else if (i + NUL_MARK_LEN <= n && memcmp(key + i, NUL_MARK, NUL_MARK_LEN) == 0) {
			buf_add(&b, NUL_MARK NUL_MARK, 2 * NUL_MARK_LEN);
			i += NUL_MARK_LEN - 1;
		} else
			buf_addc(&b, key[i]);
	}
	const json_t *r = json_object_getn(obj, b.p ? b.p : "", b.n);
	buf_release(&b);
	return r;
}

json_t *jsonv_load(const char *text, size_t len, json_error_t *e, size_t *off)
{
	size_t en = 0, *map = NULL, nmap = 0;
	char *enc = nul_encode(text, len, &en, &map, &nmap);
	json_t *j = json_loadb(enc ? enc : text, enc ? en : len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, e);
	if (!j) {
		size_t p = e->position > 0 ? (size_t)e->position : 0;
		if (enc)
			p = map_back(p, map, nmap);
		/* jansson reports the offset just past the offending token */
		if (p > 0 && p >= len)
			p = len ? len - 1 : 0;
		else if (p > 0)
			p--;
		*off = p;
	}
	free(enc);
	free(map);
	return j;
}

json_t *jsonv_parse_text(const char *name, const char *text, size_t len, wbuf *err)
{
	json_error_t e;
	size_t off = 0;
	json_t *j = jsonv_load(text, len, &e, &off);
	if (!j) {
		wsource src = {name, text, len};
		uint32_t line, col;
		source_linecol(&src, (uint32_t)(off > UINT32_MAX ? UINT32_MAX : off), &line, &col);
		buf_printf(err, "%s:%u:%u: %s", name ? name : "<input>", line, col, e.text);
	}
	return j;
}

/* ---- locating a path in JSON text --------------------------------------- */
/* The text is known to be valid JSON (jansson parsed it), so this scanner
 * only needs to skip, not to validate. */

static size_t skip_ws(const char *t, size_t n, size_t i)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

static size_t skip_string(const char *t, size_t n, size_t i)
{
	i++; /* opening quote */
	while (i < n && t[i] != '"') {
		if (t[i] == '\\')
			i++;
		i++;
	}
	return i < n ? i + 1 : n;
}

static size_t skip_value(const char *t, size_t n, size_t i)
{
	i = skip_ws(t, n, i);
	if (i >= n)
		return n;
	if (t[i] == '"')
		return skip_string(t, n, i);
	if (t[i] == '{' || t[i] == '[') {
		size_t depth = 0;
		while (i < n) {
			char c = t[i];
			if (c == '"') {
				i = skip_string(t, n, i);
				continue;
			}
			if (c == '{' || c == '[')
				depth++;
			else if (c == '}' || c == ']') {
				if (--depth == 0)
					return i + 1;
			}
			i++;
		}
		return n;
	}
	while (i < n && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\n' &&
	       t[i] != '\t' && t[i] != '\r')
		i++;
	return i;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(wbuf *b, uint32_t cp)
{
	char u[4];
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, u, 4);
	}
}

static uint32_t hex4(const char *t, size_t n, size_t i)
{
	uint32_t v = 0;
	for (size_t k = 0; k < 4; k++) {
		int h = i + k < n ? hexval(t[i + k]) : -1;
		if (h < 0)
			return 0xFFFD;
		v = v * 16 + (uint32_t)h;
	}
	return v;
}

/* Decodes the JSON string at t[i] (a quote) into `out`. */
static void decode_string(const char *t, size_t n, size_t i, wbuf *out)
{
	buf_clear(out);
	i++;
	while (i < n && t[i] != '"') {
		if (t[i] != '\\') {
			buf_addc(out, t[i++]);
			continue;
		}
		if (++i >= n)
			break;
		char c = t[i++];
		switch (c) {
		case 'n': buf_addc(out, '\n'); break;
		case 't': buf_addc(out, '\t'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'u': {
			uint32_t cp = hex4(t, n, i);
			i += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && t[i] == '\\' && t[i + 1] == 'u') {
				uint32_t lo = hex4(t, n, i + 2);
				if (lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					i += 6;
				}
			}
			put_utf8(out, cp);
			break;
		}
		default: buf_addc(out, c); break;
		}
	}
}

wspan jsonv_locate(const char *t, size_t n, const jpel *path, uint32_t depth, bool at_key)
{
	size_t i = skip_ws(t, n, 0);
	size_t key_at = i;
	wbuf k = WBUF_INIT;
	for (uint32_t d = 0; d < depth && i < n; d++) {
		const jpel *p = &path[d];
		size_t found = (size_t)-1;
		if (p->key && t[i] == '{') {
			size_t j = skip_ws(t, n, i + 1);
			while (j < n && t[j] == '"') {
				size_t ks = j;
				decode_string(t, n, j, &k);
				j = skip_ws(t, n, skip_string(t, n, j));
				if (j < n && t[j] == ':')
					j = skip_ws(t, n, j + 1);
				if (k.n == p->klen && (k.n == 0 || memcmp(k.p, p->key, k.n) == 0)) {
					found = j;
					key_at = ks;
					break;
				}
				j = skip_ws(t, n, skip_value(t, n, j));
				if (j < n && t[j] == ',')
					j = skip_ws(t, n, j + 1);
			}
		} else if (!p->key && t[i] == '[') {
			size_t j = skip_ws(t, n, i + 1);
			for (size_t e = 0; j < n && t[j] != ']'; e++) {
				if (e == p->idx) {
					found = j;
					key_at = j;
					break;
				}
				j = skip_ws(t, n, skip_value(t, n, j));
				if (j < n && t[j] == ',')
					j = skip_ws(t, n, j + 1);
			}
		}
		if (found == (size_t)-1)
			break;
		i = found;
	}
	buf_release(&k);
	wspan s;
	if (at_key && depth > 0) {
		s.start = (uint32_t)key_at;
		s.end = (uint32_t)(key_at < n && t[key_at] == '"' ? skip_string(t, n, key_at) : key_at + 1);
	} else {
		s.start = (uint32_t)i;
		s.end = (uint32_t)skip_value(t, n, i);
		if (s.end <= s.start)
			s.end = s.start + 1;
	}
	return s;
}

/* ---- writing ------------------------------------------------------------ */

void jsonv_print_uid(wuid uid, wbuf *out)
{
	buf_adds(out, "{\"type\":");
	buf_add_json_str(out, uid.type->s, uid.type->len);
	buf_adds(out, ",\"id\":");
	buf_add_json_str(out, uid.id->s, uid.id->len);
	buf_addc(out, '}');
}

/* {"__extn": {"fn": F, "arg": "A"}} for an extension value; a datetime
 * that datetime() cannot express is written as the reference does,
 * offset(datetime("1970-01-01"), duration("<ms>ms")). */
static void print_ext(const wvalue *v, wbuf *out)
{
	wbuf arg = WBUF_INIT;
	const char *ctor = ext_ctor_name((wvkind)v->kind);
	if (ctor && ext_print_arg(v, &arg) == 0) {
		buf_adds(out, "{\"__extn\":{\"fn\":");
		buf_add_json_str(out, ctor, strlen(ctor));
		buf_adds(out, ",\"arg\":");
		buf_add_json_str(out, arg.p ? arg.p : "", arg.n);
		buf_adds(out, "}}");
	} else if (v->kind == WV_DATETIME) {
		buf_printf(out,
			   "{\"__extn\":{\"fn\":\"offset\",\"args\":[{\"__extn\":{\"fn\":\"datetime\",\"arg\":\"1970-01-01\"}},"
			   "{\"__extn\":{\"fn\":\"duration\",\"arg\":\"%" PRId64 "ms\"}}]}}",
			   v->u.i);
	} else {
		ext_print(v, &arg);
		buf_adds(out, "{\"__extn\":{\"fn\":\"unknown\",\"arg\":");
		buf_add_json_str(out, arg.p ? arg.p : "", arg.n);
		buf_adds(out, "}}");
	}
	buf_release(&arg);
}

void jsonv_print(const wvalue *v, wbuf *out)
{
	switch (v->kind) {
	case WV_BOOL: buf_adds(out, v->u.b ? "true" : "false"); break;
	case WV_LONG: buf_printf(out, "%" PRId64, v->u.i); break;
	case WV_STRING: buf_add_json_str(out, v->u.s.p, v->u.s.n); break;
	case WV_ENTITY:
		buf_adds(out, "{\"__entity\":");
		jsonv_print_uid(v->u.e, out);
		buf_addc(out, '}');
		break;
	case WV_SET:
		buf_addc(out, '[');
		for (uint32_t i = 0; i < v->u.set->n; i++) {
			if (i)
				buf_addc(out, ',');
			jsonv_print(&v->u.set->items[i], out);
		}
		buf_addc(out, ']');
		break;
	case WV_RECORD:
		buf_addc(out, '{');
		for (uint32_t i = 0; i < v->u.rec->n; i++) {
			if (i)
				buf_addc(out, ',');
			buf_add_json_str(out, v->u.rec->f[i].key->s, v->u.rec->f[i].key->len);
			buf_addc(out, ':');
			jsonv_print(&v->u.rec->f[i].val, out);
		}
		buf_addc(out, '}');
		break;
	default:
		print_ext(v, out);
		break;
	}
}
