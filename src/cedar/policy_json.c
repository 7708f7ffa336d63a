/* policy_json: JSON policy format <-> AST (see policy_json.h).
 *
 * Writing builds jansson values (which keep key insertion order) and dumps
 * them; reading walks jansson values with a JSON path kept in a buffer for
 * error messages, checking every object for unknown and missing keys.
 */
#include "cedar/policy_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/ext.h"
#include "cedar/format.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "util/xalloc.h"

/* ================= AST -> JSON ================= */

static json_t *jstr(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (!j)
		j = json_stringn_nocheck(s, n);
	return j;
}

static json_t *jsym(const wsym *s)
{
	return jstr(s->s, s->len);
}

static json_t *uid_json(wuid u)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", jsym(u.type));
	json_object_set_new(o, "id", jsym(u.id));
	return o;
}

static json_t *value_json(const wvalue *v)
{
	switch (v->kind) {
	case WV_BOOL: return json_boolean(v->u.b);
	case WV_LONG: return json_integer((json_int_t)v->u.i);
	case WV_STRING: return jstr(v->u.s.p, v->u.s.n);
	case WV_ENTITY: {
		json_t *o = json_object();
		json_object_set_new(o, "__entity", uid_json(v->u.e));
		return o;
	}
	case WV_SET: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < v->u.set->n; i++)
			json_array_append_new(a, value_json(&v->u.set->items[i]));
		return a;
	}
	case WV_RECORD: {
		json_t *o = json_object();
		for (uint32_t i = 0; i < v->u.rec->n; i++)
			json_object_setn_new_nocheck(o, v->u.rec->f[i].key->s, v->u.rec->f[i].key->len,
						     value_json(&v->u.rec->f[i].val));
		return o;
	}
	default: {
		/* extension values: {"__extn": {"fn", "arg"}} from their Cedar form fn("arg") */
		wbuf b = WBUF_INIT;
		ext_print(v, &b);
		json_t *o = json_object(), *x = json_object();
		const char *lp = b.p ? strchr(b.p, '(') : NULL;
		if (lp && b.n >= 4 && lp[1] == '"' && b.p[b.n - 1] == ')' && b.p[b.n - 2] == '"') {
			json_object_set_new(x, "fn", jstr(b.p, (size_t)(lp - b.p)));
			json_object_set_new(x, "arg", jstr(lp + 2, (size_t)(b.p + b.n - 2 - (lp + 2))));
		}
		json_object_set_new(o, "__extn", x);
		buf_release(&b);
		return o;
	}
	}
}

static json_t *op1(const char *key, json_t *body)
{
	json_t *o = json_object();
	json_object_set_new(o, key, body);
	return o;
}

static json_t *lr(const char *k1, json_t *a, const char *k2, json_t *b)
{
	json_t *o = json_object();
	json_object_set_new(o, k1, a);
	json_object_set_new(o, k2, b);
	return o;
}

static void utf8_put(wbuf *b, uint32_t c)
{
	if (c < 0x80) {
		buf_addc(b, (char)c);
	} else if (c < 0x800) {
		buf_addc(b, (char)(0xC0 | (c >> 6)));
		buf_addc(b, (char)(0x80 | (c & 0x3F)));
	} else if (c < 0x10000) {
		buf_addc(b, (char)(0xE0 | (c >> 12)));
		buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (c & 0x3F)));
	} else {
		buf_addc(b, (char)(0xF0 | (c >> 18)));
		buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3F)));
		buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
		buf_addc(b, (char)(0x80 | (c & 0x3F)));
	}
}

static json_t *pattern_json(const wpattern *p)
{
	json_t *a = json_array();
	wbuf lit = WBUF_INIT;
	for (uint32_t i = 0; i <= p->n; i++) {
		if (i == p->n || p->cps[i] == WPAT_STAR) {
			if (lit.n) {
				json_array_append_new(a, op1("Literal", jstr(lit.p, lit.n)));
				buf_clear(&lit);
			}
			if (i < p->n)
				json_array_append_new(a, json_string("Wildcard"));
		} else {
			utf8_put(&lit, p->cps[i]);
		}
	}
	buf_release(&lit);
	return a;
}

json_t *expr_to_json(const wexpr *e)
{
	switch (e->kind) {
	case WE_LIT:
		return op1("Value", value_json(&e->u.lit));
	case WE_VAR:
		return op1("Var", json_string(ast_var_name(e->u.var)));
	case WE_SLOT:
		return op1("Slot", json_string(e->u.slot == WSLOT_PRINCIPAL ? "?principal" : "?resource"));
	case WE_IF: {
		json_t *o = json_object();
		json_object_set_new(o, "if", expr_to_json(e->u.k.a));
		json_object_set_new(o, "then", expr_to_json(e->u.k.b));
		json_object_set_new(o, "else", expr_to_json(e->u.k.c));
		return op1("if-then-else", o);
	}
	case WE_AND:
	case WE_OR: {
		const wexpr *root;
		const wsym *names[WFMT_HAS_PATH_MAX];
		uint32_t n = e->kind == WE_AND ? format_has_path(e, &root, names) : 0;
		if (n) {
			json_t *a = json_array();
			for (uint32_t i = 0; i < n; i++)
				json_array_append_new(a, jsym(names[i]));
			return op1("has", lr("left", expr_to_json(root), "attr", a));
		}
		return op1(e->kind == WE_AND ? "&&" : "||",
			   lr("left", expr_to_json(e->u.k.a), "right", expr_to_json(e->u.k.b)));
	}
	case WE_NOT:
		return op1("!", op1("arg", expr_to_json(e->u.k.a)));
	case WE_NEG:
		return op1("neg", op1("arg", expr_to_json(e->u.k.a)));
	case WE_ISEMPTY:
		return op1("isEmpty", op1("arg", expr_to_json(e->u.k.a)));
	case WE_BINARY:
		return op1(ast_binop_name(e->op), lr("left", expr_to_json(e->u.k.a), "right", expr_to_json(e->u.k.b)));
	case WE_GETATTR:
	case WE_HASATTR:
		return op1(e->kind == WE_GETATTR ? "." : "has",
			   lr("left", expr_to_json(e->u.attr.obj), "attr", jsym(e->u.attr.name)));
	case WE_LIKE:
		return op1("like", lr("left", expr_to_json(e->u.like.obj), "pattern", pattern_json(&e->u.like.pat)));
	case WE_IS: {
		json_t *o = json_object();
		json_object_set_new(o, "left", expr_to_json(e->u.is.obj));
		json_object_set_new(o, "entity_type", jsym(e->u.is.type));
		if (e->u.is.in)
			json_object_set_new(o, "in", expr_to_json(e->u.is.in));
		return op1("is", o);
	}
	case WE_SET: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < e->u.list.n; i++)
			json_array_append_new(a, expr_to_json(e->u.list.items[i]));
		return op1("Set", a);
	}
	case WE_RECORD: {
		json_t *o = json_object();
		for (uint32_t i = 0; i < e->u.rec.n; i++)
			json_object_setn_new_nocheck(o, e->u.rec.keys[i]->s, e->u.rec.keys[i]->len,
						     expr_to_json(e->u.rec.vals[i]));
		return op1("Record", o);
	}
	case WE_CALL: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < e->u.call.n; i++)
			json_array_append_new(a, expr_to_json(e->u.call.args[i]));
		return op1(e->u.call.name->s, a);
	}
	}
	return json_null();
}

static json_t *scope_json(const wscope *s, const char *slot_name)
{
	json_t *o = json_object();
	switch (s->op) {
	case WSC_ANY:
		json_object_set_new(o, "op", json_string("All"));
		break;
	case WSC_EQ:
	case WSC_IN:
		json_object_set_new(o, "op", json_string(s->op == WSC_EQ ? "==" : "in"));
		if (s->slot)
			json_object_set_new(o, "slot", json_string(slot_name));
		else
			json_object_set_new(o, "entity", uid_json(s->uid));
		break;
	case WSC_IS:
	case WSC_IS_IN:
		json_object_set_new(o, "op", json_string("is"));
		json_object_set_new(o, "entity_type", jsym(s->type));
		if (s->op == WSC_IS_IN) {
			json_t *in = json_object();
			if (s->slot)
				json_object_set_new(in, "slot", json_string(slot_name));
			else
				json_object_set_new(in, "entity", uid_json(s->uid));
			json_object_set_new(o, "in", in);
		}
		break;
	case WSC_IN_SET: {
		json_object_set_new(o, "op", json_string("in"));
		json_t *a = json_array();
		for (uint32_t i = 0; i < s->nlist; i++)
			json_array_append_new(a, uid_json(s->list[i]));
		json_object_set_new(o, "entities", a);
		break;
	}
	}
	return o;
}

json_t *policy_to_json(const wpolicy *p)
{
	/* a linked policy is written as its template's body with slots filled */
	json_t *o = json_object();
	json_object_set_new(o, "effect", json_string(p->effect == WEFF_PERMIT ? "permit" : "forbid"));
	json_object_set_new(o, "principal", scope_json(&p->principal, "?principal"));
	json_object_set_new(o, "action", scope_json(&p->action, "?action"));
	json_object_set_new(o, "resource", scope_json(&p->resource, "?resource"));
	json_t *conds = json_array();
	for (uint32_t i = 0; i < p->nconds; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "kind", json_string(p->conds[i].is_when ? "when" : "unless"));
		json_object_set_new(c, "body", expr_to_json(p->conds[i].body));
		json_array_append_new(conds, c);
	}
	json_object_set_new(o, "conditions", conds);
	if (p->nannos) {
		json_t *an = json_object();
		for (uint32_t i = 0; i < p->nannos; i++) {
			const wannotation *a = &p->annos[i];
			json_object_setn_new_nocheck(an, a->key->s, a->key->len,
						     a->has_value ? jstr(a->val, a->vlen) : json_null());
		}
		json_object_set_new(o, "annotations", an);
	}
	return o;
}

json_t *policyset_to_json(const wpolicyset *ps)
{
	json_t *st = json_object(), *tm = json_object(), *links = json_array();
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		if (p->template_of) {
			json_t *l = json_object();
			json_object_set_new(l, "templateId", json_string(p->template_of->id));
			json_object_set_new(l, "newId", json_string(p->id));
			json_t *v = json_object();
			if (p->has_slot_principal)
				json_object_set_new(v, "?principal", uid_json(p->slot_principal));
			if (p->has_slot_resource)
				json_object_set_new(v, "?resource", uid_json(p->slot_resource));
			json_object_set_new(l, "values", v);
			json_array_append_new(links, l);
		} else {
			json_object_set_new(p->is_template ? tm : st, p->id, policy_to_json(p));
		}
	}
	json_t *o = json_object();
	json_object_set_new(o, "staticPolicies", st);
	json_object_set_new(o, "templates", tm);
	json_object_set_new(o, "templateLinks", links);
	return o;
}

static void dump(json_t *j, wbuf *out)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		buf_adds(out, s);
		buf_addc(out, '\n');
		free(s);
	}
	json_decref(j);
}

void policy_json_print(const wpolicy *p, wbuf *out)
{
	dump(policy_to_json(p), out);
}

void policyset_json_print(const wpolicyset *ps, wbuf *out)
{
	dump(policyset_to_json(ps), out);
}

/* ================= JSON -> AST ================= */

typedef struct jrd {
	wctx *cx;
	warena *a;
	wdiags *d;
	const char *name;
	wbuf path;       /* current JSON path */
	unsigned depth;
	int failed;
} jrd;

static int jerr(jrd *r, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static int jerr(jrd *r, const char *fmt, ...)
{
	wbuf m = WBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	wspan z = {0, 0};
	diag_add(r->d, WSEV_ERROR, NULL, z, "%s: %s: %s", r->name, r->path.n ? r->path.p : "(top level)",
		 m.p ? m.p : "");
	buf_release(&m);
	r->failed = 1;
	return -1;
}

static int ident_like(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return 0;
	}
	return 1;
}

static size_t push_key(jrd *r, const char *k)
{
	size_t old = r->path.n;
	size_t n = strlen(k);
	if (ident_like(k, n)) {
		if (r->path.n)
			buf_addc(&r->path, '.');
		buf_add(&r->path, k, n);
	} else {
		buf_addc(&r->path, '[');
		buf_add_json_str(&r->path, k, n);
		buf_addc(&r->path, ']');
	}
	return old;
}

static size_t push_idx(jrd *r, size_t i)
{
	size_t old = r->path.n;
	buf_printf(&r->path, "[%zu]", i);
	return old;
}

static void pop(jrd *r, size_t old)
{
	r->path.n = old;
	if (r->path.p)
		r->path.p[old] = '\0';
}

static const char *jtype(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Checks that object `o` has only keys from `allowed` (NULL-terminated)
 * and every key of `required`. */
static int check_keys(jrd *r, const json_t *o, const char *const *allowed, const char *const *required)
{
	if (!json_is_object(o))
		return jerr(r, "expected an object, found %s", jtype(o));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, k) == 0)
				ok = true;
		if (!ok) {
			wbuf list = WBUF_INIT;
			for (const char *const *a = allowed; *a; a++)
				buf_printf(&list, "%s'%s'", a == allowed ? "" : ", ", *a);
			jerr(r, "unknown key '%s' (expected %s)", k, list.p ? list.p : "no keys");
			buf_release(&list);
			return -1;
		}
	}
	for (const char *const *q = required; q && *q; q++)
		if (!json_object_get(o, *q))
			return jerr(r, "missing key '%s'", *q);
	return 0;
}

static const wsym *sym(jrd *r, const char *s, size_t n)
{
	return ctx_sym(r->cx, s, n);
}

static int valid_path_name(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return 0;
	while (i < n) {
		size_t st = i;
		while (i < n && s[i] != ':')
			i++;
		if (!ident_like(s + st, i - st))
			return 0;
		if (i == n)
			return 1;
		if (i + 1 >= n || s[i + 1] != ':' || i + 2 >= n)
			return 0;
		i += 2;
	}
	return 1;
}

/* An entity type name such as "NS::User". */
static int read_type_name(jrd *r, const json_t *j, const wsym **out)
{
	if (!json_is_string(j))
		return jerr(r, "expected an entity type name (a string), found %s", jtype(j));
	const char *s = json_string_value(j);
	size_t n = json_string_length(j);
	if (!valid_path_name(s, n))
		return jerr(r, "'%s' is not a valid entity type name", s);
	*out = sym(r, s, n);
	return 0;
}

static int read_uid(jrd *r, const json_t *j, wuid *out)
{
	static const char *const ent[] = {"__entity", NULL};
	static const char *const ti[] = {"type", "id", NULL};
	if (json_is_object(j) && json_object_get(j, "__entity")) {
		if (check_keys(r, j, ent, ent) < 0)
			return -1;
		size_t o = push_key(r, "__entity");
		int rc = read_uid(r, json_object_get(j, "__entity"), out);
		pop(r, o);
		return rc;
	}
	if (check_keys(r, j, ti, ti) < 0)
		return -1;
	size_t o = push_key(r, "type");
	int rc = read_type_name(r, json_object_get(j, "type"), &out->type);
	pop(r, o);
	if (rc < 0)
		return -1;
	const json_t *id = json_object_get(j, "id");
	if (!json_is_string(id)) {
		o = push_key(r, "id");
		jerr(r, "expected a string, found %s", jtype(id));
		pop(r, o);
		return -1;
	}
	out->id = sym(r, json_string_value(id), json_string_length(id));
	return 0;
}

static wexpr *mk(jrd *r, wexkind k)
{
	wexpr *e = ARENA_NEW(r->a, wexpr);
	e->kind = (uint8_t)k;
	return e;
}

static wexpr *read_expr(jrd *r, const json_t *j);

/* Reads child `key` of object `o` as an expression. */
static wexpr *child(jrd *r, const json_t *o, const char *key)
{
	size_t old = push_key(r, key);
	wexpr *e = read_expr(r, json_object_get(o, key));
	pop(r, old);
	return e;
}

/* "Value": a Cedar value in entity-JSON syntax, built as literal expressions. */
static wexpr *read_value(jrd *r, const json_t *j)
{
	wexpr *e;
	switch (json_typeof(j)) {
	case JSON_TRUE:
	case JSON_FALSE:
		e = mk(r, WE_LIT);
		e->u.lit = value_bool(json_is_true(j));
		return e;
	case JSON_INTEGER:
		e = mk(r, WE_LIT);
		e->u.lit = value_long((int64_t)json_integer_value(j));
		return e;
	case JSON_STRING: {
		e = mk(r, WE_LIT);
		size_t n = json_string_length(j);
		const char *p = arena_memdup(r->a, json_string_value(j), n);
		e->u.lit = value_string(p, (uint32_t)n);
		return e;
	}
	case JSON_ARRAY: {
		e = mk(r, WE_SET);
		size_t n = json_array_size(j);
		e->u.list.n = (uint32_t)n;
		e->u.list.items = ARENA_ARRAY(r->a, wexpr *, n);
		for (size_t i = 0; i < n; i++) {
			size_t old = push_idx(r, i);
			e->u.list.items[i] = read_value(r, json_array_get(j, i));
			pop(r, old);
			if (!e->u.list.items[i])
				return NULL;
		}
		return e;
	}
	case JSON_OBJECT: {
		if (json_object_get(j, "__entity")) {
			e = mk(r, WE_LIT);
			wuid u;
			if (read_uid(r, j, &u) < 0)
				return NULL;
			e->u.lit = value_entity(u);
			return e;
		}
		if (json_object_get(j, "__extn")) {
			static const char *const ex[] = {"__extn", NULL};
			static const char *const fa[] = {"fn", "arg", NULL};
			if (check_keys(r, j, ex, ex) < 0)
				return NULL;
			size_t old = push_key(r, "__extn");
			const json_t *x = json_object_get(j, "__extn");
			wexpr *res = NULL;
			if (check_keys(r, x, fa, fa) == 0) {
				const json_t *fn = json_object_get(x, "fn"), *arg = json_object_get(x, "arg");
				const wext_fn *f = json_is_string(fn) ? ext_lookup(json_string_value(fn),
										  json_string_length(fn), false)
								       : NULL;
				if (!f || f->nargs != 1) {
					jerr(r, "unknown extension constructor %s", json_is_string(fn) ? json_string_value(fn) : "(not a string)");
				} else {
					size_t o2 = push_key(r, "arg");
					wexpr *a = read_value(r, arg);
					pop(r, o2);
					if (a) {
						res = mk(r, WE_CALL);
						res->u.call.fn = f;
						res->u.call.name = sym(r, f->name, strlen(f->name));
						res->u.call.args = ARENA_ARRAY(r->a, wexpr *, 1);
						res->u.call.args[0] = a;
						res->u.call.n = 1;
						res->u.call.method = false;
					}
				}
			}
			pop(r, old);
			return res;
		}
		e = mk(r, WE_RECORD);
		size_t n = json_object_size(j);
		e->u.rec.n = 0;
		e->u.rec.keys = ARENA_ARRAY(r->a, const wsym *, n);
		e->u.rec.vals = ARENA_ARRAY(r->a, wexpr *, n);
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			size_t old = push_key(r, k);
			wexpr *x = read_value(r, v);
			pop(r, old);
			if (!x)
				return NULL;
			e->u.rec.keys[e->u.rec.n] = sym(r, k, strlen(k));
			e->u.rec.vals[e->u.rec.n++] = x;
		}
		return e;
	}
	case JSON_REAL:
		jerr(r, "numbers must be integers (Cedar has no floating point)");
		return NULL;
	default:
		jerr(r, "null is not a Cedar value");
		return NULL;
	}
}

static bool is_binop(const char *k, unsigned *op, wexkind *kind)
{
	static const struct {
		const char *k;
		wexkind kind;
		unsigned op;
	} t[] = {
		{"==", WE_BINARY, WB_EQ}, {"!=", WE_BINARY, WB_NE}, {"<", WE_BINARY, WB_LT},
		{"<=", WE_BINARY, WB_LE}, {">", WE_BINARY, WB_GT}, {">=", WE_BINARY, WB_GE},
		{"+", WE_BINARY, WB_ADD}, {"-", WE_BINARY, WB_SUB}, {"*", WE_BINARY, WB_MUL},
		{"in", WE_BINARY, WB_IN}, {"contains", WE_BINARY, WB_CONTAINS},
		{"containsAll", WE_BINARY, WB_CONTAINSALL}, {"containsAny", WE_BINARY, WB_CONTAINSANY},
		{"hasTag", WE_BINARY, WB_HASTAG}, {"getTag", WE_BINARY, WB_GETTAG},
		{"&&", WE_AND, 0}, {"||", WE_OR, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].k, k) == 0) {
			*op = t[i].op;
			*kind = t[i].kind;
			return true;
		}
	return false;
}

static int read_pattern(jrd *r, const json_t *j, wpattern *out)
{
	/* count code points first */
	uint32_t *cps = NULL;
	size_t n = 0, cap = 0;
	if (json_is_string(j)) {
		/* older form: a pattern string where `*` is the wildcard and `\*` a star */
		const char *s = json_string_value(j);
		size_t len = json_string_length(j);
		for (size_t i = 0; i < len;) {
			uint32_t c;
			unsigned char b = (unsigned char)s[i];
			size_t k = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
			if (i + k > len)
				k = len - i;
			c = k == 1 ? b : (uint32_t)(b & (0xFF >> (k + 1)));
			for (size_t q = 1; q < k; q++)
				c = (c << 6) | ((unsigned char)s[i + q] & 0x3F);
			bool star = false;
			if (c == '\\' && i + 1 < len && s[i + 1] == '*') {
				c = '*';
				k = 2;
			} else if (c == '*') {
				star = true;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				cps = xrealloc(cps, cap * sizeof *cps);
			}
			cps[n++] = star ? WPAT_STAR : c;
			i += k;
		}
	} else if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			const json_t *el = json_array_get(j, i);
			size_t old = push_idx(r, i);
			if (json_is_string(el) && strcmp(json_string_value(el), "Wildcard") == 0) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					cps = xrealloc(cps, cap * sizeof *cps);
				}
				cps[n++] = WPAT_STAR;
			} else {
				static const char *const lit[] = {"Literal", NULL};
				if (check_keys(r, el, lit, lit) < 0 || !json_is_string(json_object_get(el, "Literal"))) {
					if (!r->failed)
						jerr(r, "expected \"Wildcard\" or {\"Literal\": string}");
					pop(r, old);
					free(cps);
					return -1;
				}
				const json_t *ls = json_object_get(el, "Literal");
				const char *s = json_string_value(ls);
				size_t len = json_string_length(ls);
				for (size_t p = 0; p < len;) {
					unsigned char b = (unsigned char)s[p];
					size_t k = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
					if (p + k > len)
						k = len - p;
					uint32_t c = k == 1 ? b : (uint32_t)(b & (0xFF >> (k + 1)));
					for (size_t q = 1; q < k; q++)
						c = (c << 6) | ((unsigned char)s[p + q] & 0x3F);
					if (n == cap) {
						cap = cap ? cap * 2 : 16;
						cps = xrealloc(cps, cap * sizeof *cps);
					}
					cps[n++] = c;
					p += k;
				}
			}
			pop(r, old);
		}
	} else {
		return jerr(r, "expected a pattern (an array of \"Wildcard\" and {\"Literal\": string}), found %s",
			    jtype(j));
	}
	out->n = (uint32_t)n;
	out->cps = n ? arena_memdup(r->a, cps, n * sizeof *cps) : NULL;
	free(cps);
	return 0;
}

static wexpr *read_expr_inner(jrd *r, const json_t *j)
{
	if (!json_is_object(j) || json_object_size(j) != 1) {
		if (json_is_object(j))
			jerr(r, "an expression must have exactly one key, found %zu", json_object_size(j));
		else
			jerr(r, "expected an expression (an object with one key), found %s", j ? jtype(j) : "nothing");
		return NULL;
	}
	const char *k = json_object_iter_key(json_object_iter((json_t *)j));
	const json_t *v = json_object_get(j, k);
	size_t old = push_key(r, k);
	wexpr *e = NULL;
	unsigned op;
	wexkind kind;
	static const char *const LR[] = {"left", "right", NULL};
	static const char *const ARG[] = {"arg", NULL};
	static const char *const LA[] = {"left", "attr", NULL};
	if (strcmp(k, "Value") == 0) {
		e = read_value(r, v);
	} else if (strcmp(k, "Var") == 0) {
		static const char *const vars[] = {"principal", "action", "resource", "context"};
		if (json_is_string(v))
			for (unsigned i = 0; i < 4; i++)
				if (strcmp(json_string_value(v), vars[i]) == 0) {
					e = mk(r, WE_VAR);
					e->u.var = (uint8_t)i;
				}
		if (!e)
			jerr(r, "expected \"principal\", \"action\", \"resource\" or \"context\"");
	} else if (strcmp(k, "Slot") == 0) {
		jerr(r, "slots may appear only in the policy scope, not in conditions");
	} else if (strcmp(k, "Unknown") == 0) {
		jerr(r, "unknowns (partial evaluation) are not supported");
	} else if (is_binop(k, &op, &kind)) {
		if (check_keys(r, v, LR, LR) == 0) {
			wexpr *a = child(r, v, "left");
			wexpr *b = a ? child(r, v, "right") : NULL;
			if (a && b) {
				e = mk(r, kind);
				e->op = (uint8_t)op;
				e->u.k.a = a;
				e->u.k.b = b;
			}
		}
	} else if (strcmp(k, "!") == 0 || strcmp(k, "neg") == 0 || strcmp(k, "isEmpty") == 0) {
		if (check_keys(r, v, ARG, ARG) == 0) {
			wexpr *a = child(r, v, "arg");
			if (a) {
				e = mk(r, k[0] == '!' ? WE_NOT : k[0] == 'n' ? WE_NEG : WE_ISEMPTY);
				e->u.k.a = a;
			}
		}
	} else if (strcmp(k, ".") == 0) {
		if (check_keys(r, v, LA, LA) == 0) {
			wexpr *a = child(r, v, "left");
			const json_t *at = json_object_get(v, "attr");
			if (a && !json_is_string(at)) {
				size_t o2 = push_key(r, "attr");
				jerr(r, "expected an attribute name (a string), found %s", jtype(at));
				pop(r, o2);
			} else if (a) {
				e = mk(r, WE_GETATTR);
				e->u.attr.obj = a;
				e->u.attr.name = sym(r, json_string_value(at), json_string_length(at));
			}
		}
	} else if (strcmp(k, "has") == 0) {
		if (check_keys(r, v, LA, LA) == 0) {
			wexpr *a = child(r, v, "left");
			const json_t *at = json_object_get(v, "attr");
			size_t o2 = push_key(r, "attr");
			if (!a) {
				/* error already reported */
			} else if (json_is_string(at)) {
				e = mk(r, WE_HASATTR);
				e->u.attr.obj = a;
				e->u.attr.name = sym(r, json_string_value(at), json_string_length(at));
			} else if (json_is_array(at) && json_array_size(at) > 0) {
				/* `e has a.b.c` = (e has a) && (e.a has b) && (e.a.b has c) */
				wexpr *obj = a, *acc = NULL;
				for (size_t i = 0; i < json_array_size(at); i++) {
					const json_t *s = json_array_get(at, i);
					if (!json_is_string(s)) {
						size_t o3 = push_idx(r, i);
						jerr(r, "expected an attribute name (a string), found %s", jtype(s));
						pop(r, o3);
						acc = NULL;
						break;
					}
					const wsym *nm = sym(r, json_string_value(s), json_string_length(s));
					wexpr *h = mk(r, WE_HASATTR);
					h->u.attr.obj = obj;
					h->u.attr.name = nm;
					if (acc) {
						wexpr *and = mk(r, WE_AND);
						and->u.k.a = acc;
						and->u.k.b = h;
						acc = and;
					} else {
						acc = h;
					}
					wexpr *g = mk(r, WE_GETATTR);
					g->u.attr.obj = obj;
					g->u.attr.name = nm;
					obj = g;
				}
				e = acc;
			} else {
				jerr(r, "expected an attribute name or a non-empty array of names, found %s", jtype(at));
			}
			pop(r, o2);
		}
	} else if (strcmp(k, "like") == 0) {
		static const char *const LP[] = {"left", "pattern", NULL};
		if (check_keys(r, v, LP, LP) == 0) {
			wexpr *a = child(r, v, "left");
			wpattern pat;
			size_t o2 = push_key(r, "pattern");
			if (a && read_pattern(r, json_object_get(v, "pattern"), &pat) == 0) {
				e = mk(r, WE_LIKE);
				e->u.like.obj = a;
				e->u.like.pat = pat;
			}
			pop(r, o2);
		}
	} else if (strcmp(k, "is") == 0) {
		static const char *const IS[] = {"left", "entity_type", "in", NULL};
		static const char *const ISR[] = {"left", "entity_type", NULL};
		if (check_keys(r, v, IS, ISR) == 0) {
			wexpr *a = child(r, v, "left");
			const wsym *t = NULL;
			size_t o2 = push_key(r, "entity_type");
			int rc = a ? read_type_name(r, json_object_get(v, "entity_type"), &t) : -1;
			pop(r, o2);
			wexpr *in = NULL;
			if (rc == 0 && json_object_get(v, "in")) {
				in = child(r, v, "in");
				if (!in)
					rc = -1;
			}
			if (rc == 0) {
				e = mk(r, WE_IS);
				e->u.is.obj = a;
				e->u.is.type = t;
				e->u.is.in = in;
			}
		}
	} else if (strcmp(k, "if-then-else") == 0) {
		static const char *const ITE[] = {"if", "then", "else", NULL};
		if (check_keys(r, v, ITE, ITE) == 0) {
			wexpr *a = child(r, v, "if");
			wexpr *b = a ? child(r, v, "then") : NULL;
			wexpr *c = b ? child(r, v, "else") : NULL;
			if (c) {
				e = mk(r, WE_IF);
				e->u.k.a = a;
				e->u.k.b = b;
				e->u.k.c = c;
			}
		}
	} else if (strcmp(k, "Set") == 0) {
		if (!json_is_array(v)) {
			jerr(r, "expected an array of expressions, found %s", jtype(v));
		} else {
			size_t n = json_array_size(v);
			wexpr *s = mk(r, WE_SET);
			s->u.list.n = (uint32_t)n;
			s->u.list.items = ARENA_ARRAY(r->a, wexpr *, n);
			e = s;
			for (size_t i = 0; i < n && e; i++) {
				size_t o2 = push_idx(r, i);
				s->u.list.items[i] = read_expr(r, json_array_get(v, i));
				if (!s->u.list.items[i])
					e = NULL;
				pop(r, o2);
			}
		}
	} else if (strcmp(k, "Record") == 0) {
		if (!json_is_object(v)) {
			jerr(r, "expected an object of expressions, found %s", jtype(v));
		} else {
			size_t n = json_object_size(v);
			wexpr *rec = mk(r, WE_RECORD);
			rec->u.rec.keys = ARENA_ARRAY(r->a, const wsym *, n);
			rec->u.rec.vals = ARENA_ARRAY(r->a, wexpr *, n);
			e = rec;
			const char *rk;
			json_t *rv;
			json_object_foreach((json_t *)v, rk, rv) {
				size_t o2 = push_key(r, rk);
				wexpr *x = read_expr(r, rv);
				pop(r, o2);
				if (!x) {
					e = NULL;
					break;
				}
				rec->u.rec.keys[rec->u.rec.n] = sym(r, rk, strlen(rk));
				rec->u.rec.vals[rec->u.rec.n++] = x;
			}
		}
	} else {
		/* an extension function or method: {"name": [args]} */
		const wext_fn *fn = ext_lookup_any(k, strlen(k));
		if (!fn) {
			jerr(r, "unknown operator or extension function '%s'", k);
		} else if (!json_is_array(v)) {
			jerr(r, "expected an array of arguments, found %s", jtype(v));
		} else {
			size_t n = json_array_size(v);
			const wext_fn *f2 = ext_lookup(k, strlen(k), fn->method);
			if (f2)
				fn = f2;
			/* a wrong number of arguments is an evaluation error, as in text */
			if (fn->method && n == 0) {
				jerr(r, "method '%s' needs its receiver as the first argument", k);
			} else {
				wexpr *c = mk(r, WE_CALL);
				c->u.call.fn = fn;
				c->u.call.name = sym(r, k, strlen(k));
				c->u.call.method = fn->method;
				c->u.call.n = (uint32_t)n;
				c->u.call.args = ARENA_ARRAY(r->a, wexpr *, n);
				e = c;
				for (size_t i = 0; i < n; i++) {
					size_t o2 = push_idx(r, i);
					c->u.call.args[i] = read_expr(r, json_array_get(v, i));
					pop(r, o2);
					if (!c->u.call.args[i]) {
						e = NULL;
						break;
					}
				}
			}
		}
	}
	pop(r, old);
	return e;
}

static wexpr *read_expr(jrd *r, const json_t *j)
{
	if (r->depth >= WARD_MAX_NESTING) {
		jerr(r, "expression nested deeper than %d levels", WARD_MAX_NESTING);
		return NULL;
	}
	r->depth++;
	wexpr *e = read_expr_inner(r, j);
	r->depth--;
	return e;
}

/* Scope element: {"op", "entity" | "slot" | "entities" | "entity_type" + "in"} */
static int read_scope(jrd *r, const json_t *j, const char *var, wscope *out)
{
	static const char *const keys[] = {"op", "entity", "slot", "entities", "entity_type", "in", NULL};
	static const char *const req[] = {"op", NULL};
	memset(out, 0, sizeof *out);
	size_t old = push_key(r, var);
	int rc = -1;
	bool is_action = strcmp(var, "action") == 0;
	char slot_name[16];
	snprintf(slot_name, sizeof slot_name, "?%s", var);
	if (!j) {
		pop(r, old);
		return jerr(r, "missing key '%s'", var);
	}
	if (check_keys(r, j, keys, req) < 0)
		goto out;
	const json_t *op = json_object_get(j, "op");
	const char *ops = json_is_string(op) ? json_string_value(op) : "";
	const json_t *ent = json_object_get(j, "entity"), *slot = json_object_get(j, "slot"),
		     *ents = json_object_get(j, "entities"), *et = json_object_get(j, "entity_type"),
		     *in = json_object_get(j, "in");
	/* which keys each op takes */
	bool want_target = false;
	if (strcmp(ops, "All") == 0) {
		out->op = WSC_ANY;
		if (ent || slot || ents || et || in) {
			jerr(r, "op \"All\" takes no other keys");
			goto out;
		}
		rc = 0;
		goto out;
	} else if (strcmp(ops, "==") == 0) {
		out->op = WSC_EQ;
		want_target = true;
	} else if (strcmp(ops, "in") == 0) {
		out->op = WSC_IN;
		want_target = true;
	} else if (strcmp(ops, "is") == 0 && !is_action) {
		out->op = WSC_IS;
	} else {
		size_t o2 = push_key(r, "op");
		jerr(r, is_action ? "expected \"All\", \"==\" or \"in\"" : "expected \"All\", \"==\", \"in\" or \"is\"");
		pop(r, o2);
		goto out;
	}
	if (want_target) {
		if (et || in) {
			jerr(r, "'entity_type' and 'in' go with op \"is\" only");
			goto out;
		}
		int nt = (ent != NULL) + (slot != NULL) + (ents != NULL);
		if (nt != 1) {
			jerr(r, is_action ? "op \"%s\" needs exactly one of 'entity' or 'entities'"
					  : "op \"%s\" needs exactly one of 'entity' or 'slot'",
			     ops);
			goto out;
		}
		if (ents && (!is_action || out->op != WSC_IN)) {
			jerr(r, "'entities' is only allowed for action with op \"in\"");
			goto out;
		}
		if (slot && is_action) {
			jerr(r, "the action scope cannot have a slot");
			goto out;
		}
	} else {
		if (ent || slot || ents) {
			jerr(r, "op \"is\" takes 'entity_type' and optionally 'in'");
			goto out;
		}
		if (!et) {
			jerr(r, "missing key 'entity_type'");
			goto out;
		}
		size_t o2 = push_key(r, "entity_type");
		int t = read_type_name(r, et, &out->type);
		pop(r, o2);
		if (t < 0)
			goto out;
		if (in) {
			static const char *const ink[] = {"entity", "slot", NULL};
			out->op = WSC_IS_IN;
			o2 = push_key(r, "in");
			if (check_keys(r, in, ink, NULL) < 0) {
				pop(r, o2);
				goto out;
			}
			ent = json_object_get(in, "entity");
			slot = json_object_get(in, "slot");
			if ((ent != NULL) + (slot != NULL) != 1) {
				jerr(r, "needs exactly one of 'entity' or 'slot'");
				pop(r, o2);
				goto out;
			}
		} else {
			rc = 0;
			goto out;
		}
		/* fall through to read ent/slot inside "in" */
		if (slot) {
			size_t o3 = push_key(r, "slot");
			if (!json_is_string(slot) || strcmp(json_string_value(slot), slot_name) != 0)
				jerr(r, "the %s slot must be \"%s\"", var, slot_name);
			else
				out->slot = true, rc = 0;
			pop(r, o3);
		} else {
			size_t o3 = push_key(r, "entity");
			rc = read_uid(r, ent, &out->uid);
			pop(r, o3);
		}
		pop(r, o2);
		goto out;
	}
	if (slot) {
		size_t o2 = push_key(r, "slot");
		if (!json_is_string(slot) || strcmp(json_string_value(slot), slot_name) != 0)
			jerr(r, "the %s slot must be \"%s\"", var, slot_name);
		else
			out->slot = true, rc = 0;
		pop(r, o2);
	} else if (ent) {
		size_t o2 = push_key(r, "entity");
		rc = read_uid(r, ent, &out->uid);
		pop(r, o2);
	} else {
		size_t o2 = push_key(r, "entities");
		if (!json_is_array(ents)) {
			jerr(r, "expected an array of entities, found %s", jtype(ents));
		} else {
			size_t n = json_array_size(ents);
			out->op = WSC_IN_SET;
			out->nlist = (uint32_t)n;
			out->list = ARENA_ARRAY(r->a, wuid, n);
			rc = 0;
			for (size_t i = 0; i < n && rc == 0; i++) {
				size_t o3 = push_idx(r, i);
				rc = read_uid(r, json_array_get(ents, i), &out->list[i]);
				pop(r, o3);
			}
		}
		pop(r, o2);
	}
out:
	pop(r, old);
	return rc;
}

static int read_policy(jrd *r, wpolicyset *ps, const json_t *j, const char *id, wpolicy **outp)
{
	static const char *const keys[] = {"effect", "principal", "action", "resource", "conditions", "annotations", NULL};
	static const char *const req[] = {"effect", "principal", "action", "resource", "conditions", NULL};
	if (check_keys(r, j, keys, req) < 0)
		return -1;
	wpolicy *p = ARENA_NEW(r->a, wpolicy);
	p->id = arena_strndup(r->a, id, strlen(id));
	const json_t *eff = json_object_get(j, "effect");
	if (json_is_string(eff) && strcmp(json_string_value(eff), "permit") == 0) {
		p->effect = WEFF_PERMIT;
	} else if (json_is_string(eff) && strcmp(json_string_value(eff), "forbid") == 0) {
		p->effect = WEFF_FORBID;
	} else {
		size_t o = push_key(r, "effect");
		jerr(r, "expected \"permit\" or \"forbid\"");
		pop(r, o);
		return -1;
	}
	if (read_scope(r, json_object_get(j, "principal"), "principal", &p->principal) < 0 ||
	    read_scope(r, json_object_get(j, "action"), "action", &p->action) < 0 ||
	    read_scope(r, json_object_get(j, "resource"), "resource", &p->resource) < 0)
		return -1;
	p->is_template = p->principal.slot || p->resource.slot;
	const json_t *conds = json_object_get(j, "conditions");
	size_t o = push_key(r, "conditions");
	if (!json_is_array(conds)) {
		jerr(r, "expected an array, found %s", jtype(conds));
		pop(r, o);
		return -1;
	}
	p->nconds = (uint32_t)json_array_size(conds);
	p->conds = ARENA_ARRAY(r->a, wcond, p->nconds);
	for (size_t i = 0; i < p->nconds; i++) {
		static const char *const ck[] = {"kind", "body", NULL};
		const json_t *c = json_array_get(conds, i);
		size_t o2 = push_idx(r, i);
		if (check_keys(r, c, ck, ck) < 0) {
			pop(r, o);
			return -1;
		}
		const json_t *kind = json_object_get(c, "kind");
		const char *ks = json_is_string(kind) ? json_string_value(kind) : "";
		if (strcmp(ks, "when") != 0 && strcmp(ks, "unless") != 0) {
			size_t o3 = push_key(r, "kind");
			jerr(r, "expected \"when\" or \"unless\"");
			pop(r, o);
			(void)o3;
			return -1;
		}
		p->conds[i].is_when = ks[0] == 'w';
		p->conds[i].body = child(r, c, "body");
		pop(r, o2);
		if (!p->conds[i].body) {
			pop(r, o);
			return -1;
		}
	}
	pop(r, o);
	const json_t *an = json_object_get(j, "annotations");
	if (an) {
		o = push_key(r, "annotations");
		if (!json_is_object(an)) {
			jerr(r, "expected an object, found %s", jtype(an));
			pop(r, o);
			return -1;
		}
		p->nannos = (uint32_t)json_object_size(an);
		p->annos = ARENA_ARRAY(r->a, wannotation, p->nannos);
		uint32_t i = 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)an, k, v) {
			size_t o2 = push_key(r, k);
			if (!ident_like(k, strlen(k))) {
				jerr(r, "annotation key '%s' is not an identifier", k);
				pop(r, o);
				return -1;
			}
			if (!json_is_string(v) && !json_is_null(v)) {
				jerr(r, "expected a string or null, found %s", jtype(v));
				pop(r, o);
				return -1;
			}
			wannotation *a = &p->annos[i++];
			a->key = sym(r, k, strlen(k));
			a->has_value = json_is_string(v);
			if (a->has_value) {
				a->vlen = (uint32_t)json_string_length(v);
				a->val = arena_strndup(r->a, json_string_value(v), a->vlen);
			} else {
				a->val = "";
			}
			pop(r, o2);
		}
		pop(r, o);
	}
	policyset_push(ps, p);
	if (outp)
		*outp = p;
	return 0;
}

static void jrd_init(jrd *r, wctx *cx, wpolicyset *ps, const char *name, const char *path, wdiags *d)
{
	memset(r, 0, sizeof *r);
	r->cx = cx;
	r->a = &ps->arena;
	r->d = d;
	r->name = name ? name : "<json>";
	if (path && *path)
		buf_adds(&r->path, path);
}

int policy_from_json(wctx *cx, wpolicyset *ps, const json_t *j, const char *id, const char *name,
		     const char *path, wdiags *d)
{
	jrd r;
	jrd_init(&r, cx, ps, name, path, d);
	int rc = read_policy(&r, ps, j, id, NULL);
	buf_release(&r.path);
	return rc;
}

int policyset_from_json(wctx *cx, wpolicyset *ps, const json_t *j, const char *name, wdiags *d)
{
	size_t before = d->nerrors;
	jrd r;
	jrd_init(&r, cx, ps, name, NULL, d);
	if (json_is_object(j) && json_object_get(j, "effect")) {
		if (policyset_find(ps, "policy0"))
			jerr(&r, "duplicate policy id 'policy0'");
		else
			read_policy(&r, ps, j, "policy0", NULL);
		buf_release(&r.path);
		return (int)(d->nerrors - before);
	}
	static const char *const keys[] = {"staticPolicies", "templates", "templateLinks", NULL};
	if (check_keys(&r, j, keys, NULL) < 0) {
		buf_release(&r.path);
		return (int)(d->nerrors - before);
	}
	const char *const sections[] = {"staticPolicies", "templates"};
	for (int s = 0; s < 2; s++) {
		const json_t *sec = json_object_get(j, sections[s]);
		if (!sec)
			continue;
		size_t o = push_key(&r, sections[s]);
		if (!json_is_object(sec)) {
			jerr(&r, "expected an object mapping policy ids to policies, found %s", jtype(sec));
			pop(&r, o);
			continue;
		}
		const char *id;
		json_t *pj;
		json_object_foreach((json_t *)sec, id, pj) {
			size_t o2 = push_key(&r, id);
			wpolicy *p = NULL;
			if (policyset_find(ps, id)) {
				jerr(&r, "duplicate policy id '%s'", id);
			} else if (read_policy(&r, ps, pj, id, &p) == 0) {
				if (s == 0 && p->is_template) {
					jerr(&r, "policy '%s' has a slot, so it belongs under \"templates\"", id);
					ps->n--; /* drop it */
				} else if (s == 1) {
					p->is_template = true; /* templates never apply on their own */
				}
			}
			pop(&r, o2);
		}
		pop(&r, o);
	}
	const json_t *links = json_object_get(j, "templateLinks");
	if (links) {
		size_t o = push_key(&r, "templateLinks");
		if (!json_is_array(links)) {
			jerr(&r, "expected an array of links, found %s", jtype(links));
		} else {
			for (size_t i = 0; i < json_array_size(links); i++) {
				static const char *const lk[] = {"templateId", "newId", "values", NULL};
				const json_t *l = json_array_get(links, i);
				size_t o2 = push_idx(&r, i);
				if (check_keys(&r, l, lk, lk) == 0) {
					const json_t *tid = json_object_get(l, "templateId"), *nid = json_object_get(l, "newId");
					wlink_values vals;
					if (!json_is_string(tid) || !json_is_string(nid)) {
						jerr(&r, "'templateId' and 'newId' must be strings");
					} else {
						wbuf err = WBUF_INIT;
						size_t o3 = push_key(&r, "values");
						int ok = link_values_from_json(cx, json_object_get(l, "values"), &vals, &err) == 0;
						if (!ok)
							jerr(&r, "%s", err.p ? err.p : "bad link values");
						pop(&r, o3);
						if (ok && !policy_link(ps, json_string_value(tid), json_string_value(nid), &vals, &err))
							jerr(&r, "%s", err.p ? err.p : "link failed");
						buf_release(&err);
					}
				}
				pop(&r, o2);
			}
		}
		pop(&r, o);
	}
	buf_release(&r.path);
	return (int)(d->nerrors - before);
}

int policyset_parse_json(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d)
{
	json_error_t e;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
	if (!j) {
		wspan z = {0, 0};
		diag_add(d, WSEV_ERROR, NULL, z, "%s:%d:%d: invalid JSON: %s", name ? name : "<json>", e.line, e.column,
			 e.text);
		return 1;
	}
	int n = policyset_from_json(cx, ps, j, name, d);
	json_decref(j);
	return n;
}

int policy_text_is_json(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		return c == '{';
	}
	return 0;
}

int policyset_parse_any(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d)
{
	if (policy_text_is_json(text, len))
		return policyset_parse_json(cx, ps, name, text, len, d);
	return parse_policies(cx, ps, name, text, len, d);
}
