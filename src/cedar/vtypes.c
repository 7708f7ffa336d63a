/* vtypes: subtyping and least upper bounds of validator types (vtypes.h).
 *
 * The rules follow the reference validator: in strict mode entity types and
 * records only join when they are equal up to depth (same attribute names,
 * same required flags), and singleton booleans join to Bool. Permissive
 * mode adds entity unions and record width subtyping.
 */
#include "cedar/vtypes.h"

#include <stdlib.h>
#include <string.h>

const vtype vt_never = {.kind = VT_NEVER};
const vtype vt_true = {.kind = VT_TRUE};
const vtype vt_false = {.kind = VT_FALSE};
const vtype vt_bool = {.kind = VT_BOOL};
const vtype vt_long = {.kind = VT_LONG};
const vtype vt_string = {.kind = VT_STRING};
const vtype vt_anyset = {.kind = VT_SET};
const vtype vt_anyentity = {.kind = VT_ANYENTITY};
const vtype vt_anyrecord = {.kind = VT_RECORD, .open = true};

static const vtype vt_exts[] = {
	{.kind = VT_EXT, .ext = WT_IPADDR},
	{.kind = VT_EXT, .ext = WT_DECIMAL},
	{.kind = VT_EXT, .ext = WT_DATETIME},
	{.kind = VT_EXT, .ext = WT_DURATION},
};

const vtype *vt_singleton(bool b)
{
	return b ? &vt_true : &vt_false;
}

const vtype *vt_ext(uint8_t ext)
{
	switch (ext) {
	case WT_IPADDR:
		return &vt_exts[0];
	case WT_DECIMAL:
		return &vt_exts[1];
	case WT_DATETIME:
		return &vt_exts[2];
	default:
		return &vt_exts[3];
	}
}

const vtype *vt_set(warena *a, const vtype *elem)
{
	vtype *t = ARENA_NEW(a, vtype);
	t->kind = VT_SET;
	t->elem = elem;
	return t;
}

const vtype *vt_entity1(warena *a, const wsym *name)
{
	vtype *t = ARENA_NEW(a, vtype);
	const wsym **e = ARENA_ARRAY(a, const wsym *, 1);
	e[0] = name;
	t->kind = VT_ENTITY;
	t->n = 1;
	t->ents = e;
	return t;
}

const vtype *vt_action(warena *a, const wsym *action_type)
{
	vtype *t = (vtype *)vt_entity1(a, action_type);
	t->kind = VT_ACTION;
	return t;
}

static int attr_cmp(const void *x, const void *y)
{
	return sym_cmp(((const vattr *)x)->name, ((const vattr *)y)->name);
}

const vtype *vt_record(warena *a, vattr *attrs, uint32_t n, bool open)
{
	vtype *t = ARENA_NEW(a, vtype);
	if (n > 1)
		qsort(attrs, n, sizeof *attrs, attr_cmp);
	t->kind = VT_RECORD;
	t->attrs = attrs;
	t->n = n;
	t->open = open;
	return t;
}

const vattr *vt_record_attr(const vtype *rec, const wsym *name)
{
	uint32_t lo = 0, hi = rec->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		int c = sym_cmp(rec->attrs[mid].name, name);
		if (c == 0)
			return &rec->attrs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool vt_is_bool(const vtype *t)
{
	return t->kind == VT_TRUE || t->kind == VT_FALSE || t->kind == VT_BOOL;
}

static bool ents_eq(const vtype *a, const vtype *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->ents[i] != b->ents[i])
			return false;
	return true;
}

static bool ents_subset(const vtype *a, const vtype *b)
{
	uint32_t j = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		while (j < b->n && sym_cmp(b->ents[j], a->ents[i]) < 0)
			j++;
		if (j == b->n || b->ents[j] != a->ents[i])
			return false;
	}
	return true;
}

static bool ents_disjoint(const vtype *a, const vtype *b)
{
	for (uint32_t i = 0; i < a->n; i++)
		for (uint32_t j = 0; j < b->n; j++)
			if (a->ents[i] == b->ents[j])
				return false;
	return true;
}

bool vt_eq(const vtype *a, const vtype *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case VT_SET:
		if (!a->elem || !b->elem)
			return a->elem == b->elem;
		return vt_eq(a->elem, b->elem);
	case VT_RECORD:
		if (a->n != b->n || a->open != b->open)
			return false;
		for (uint32_t i = 0; i < a->n; i++)
			if (a->attrs[i].name != b->attrs[i].name || a->attrs[i].required != b->attrs[i].required ||
			    !vt_eq(a->attrs[i].type, b->attrs[i].type))
				return false;
		return true;
	case VT_ENTITY:
	case VT_ACTION:
		return ents_eq(a, b);
	case VT_EXT:
		return a->ext == b->ext;
	default:
		return true;
	}
}

static bool attr_subtype(const vattr *a, const vattr *b, bool strict)
{
	bool q = strict ? a->required == b->required : (a->required || !b->required);
	return q && vt_subtype(a->type, b->type, strict);
}

/* Every attribute of b is in a with a subtype. */
static bool attrs_subtype(const vtype *a, const vtype *b, bool strict)
{
	for (uint32_t i = 0; i < b->n; i++) {
		const vattr *x = vt_record_attr(a, b->attrs[i].name);
		if (!x || !attr_subtype(x, &b->attrs[i], strict))
			return false;
	}
	return true;
}

static bool same_keys(const vtype *a, const vtype *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->attrs[i].name != b->attrs[i].name)
			return false;
	return true;
}

bool vt_subtype(const vtype *a, const vtype *b, bool strict)
{
	if (a->kind == VT_NEVER)
		return true;
	switch (b->kind) {
	case VT_BOOL:
		return vt_is_bool(a);
	case VT_TRUE:
	case VT_FALSE:
	case VT_LONG:
	case VT_STRING:
	case VT_ANYENTITY:
		if (b->kind == VT_ANYENTITY && (a->kind == VT_ENTITY || a->kind == VT_ACTION))
			return !strict;
		return a->kind == b->kind;
	case VT_SET:
		if (a->kind != VT_SET)
			return false;
		if (!b->elem)
			return true;
		if (!a->elem)
			return false;
		return vt_subtype(a->elem, b->elem, strict);
	case VT_RECORD:
		if (a->kind != VT_RECORD)
			return false;
		if (a->open && !b->open)
			return false;
		return (b->open && !strict && attrs_subtype(a, b, strict)) ||
		       (same_keys(a, b) && attrs_subtype(a, b, strict));
	case VT_ENTITY:
		if (a->kind != VT_ENTITY)
			return false;
		return strict ? ents_eq(a, b) : ents_subset(a, b);
	case VT_ACTION:
		return a->kind == VT_ACTION && ents_eq(a, b);
	case VT_EXT:
		return a->kind == VT_EXT && a->ext == b->ext;
	default:
		return false;
	}
}

static bool is_entityish(const vtype *t)
{
	return t->kind == VT_ENTITY || t->kind == VT_ACTION || t->kind == VT_ANYENTITY;
}

static const vtype *record_lub(warena *ar, const vtype *x, const vtype *y, bool strict, vlubhelp *help)
{
	if (strict && !same_keys(x, y)) {
		*help = LUBH_RECORD_WIDTH;
		return NULL;
	}
	vattr *out = ARENA_ARRAY(ar, vattr, x->n ? x->n : 1);
	uint32_t n = 0;
	for (uint32_t i = 0; i < x->n; i++) {
		const vattr *b = vt_record_attr(y, x->attrs[i].name);
		if (!b) {
			if (strict) {
				*help = LUBH_RECORD_WIDTH;
				return NULL;
			}
			continue;
		}
		vlubhelp h = LUBH_NONE;
		const vtype *t = vt_lub(ar, x->attrs[i].type, b->type, strict, &h);
		if (t && strict && x->attrs[i].required != b->required) {
			h = LUBH_QUALIFIER;
			t = NULL;
		}
		if (!t) {
			if (strict) {
				*help = h;
				return NULL;
			}
			continue;
		}
		out[n].name = x->attrs[i].name;
		out[n].type = t;
		out[n].required = x->attrs[i].required && b->required;
		n++;
	}
	/* Closed only when the result lists every attribute of both sides. */
	bool open = x->open || y->open;
	if (!open) {
		uint32_t all = x->n;
		for (uint32_t i = 0; i < y->n; i++)
			if (!vt_record_attr(x, y->attrs[i].name))
				all++;
		open = all != n;
	}
	return vt_record(ar, out, n, open);
}

const vtype *vt_record_permissive_lub(warena *a, const vtype *x, const vtype *y)
{
	vlubhelp h;
	const vtype *r = record_lub(a, x, y, false, &h);
	return r;
}

static const vtype *ents_union(warena *ar, const vtype *x, const vtype *y)
{
	const wsym **e = ARENA_ARRAY(ar, const wsym *, x->n + y->n);
	uint32_t i = 0, j = 0, n = 0;
	while (i < x->n || j < y->n) {
		if (j == y->n || (i < x->n && sym_cmp(x->ents[i], y->ents[j]) < 0))
			e[n++] = x->ents[i++];
		else if (i == x->n || sym_cmp(y->ents[j], x->ents[i]) < 0)
			e[n++] = y->ents[j++];
		else {
			e[n++] = x->ents[i++];
			j++;
		}
	}
	vtype *t = ARENA_NEW(ar, vtype);
	t->kind = VT_ENTITY;
	t->ents = e;
	t->n = n;
	return t;
}

const vtype *vt_lub(warena *ar, const vtype *x, const vtype *y, bool strict, vlubhelp *help)
{
	*help = LUBH_NONE;
	if (vt_subtype(x, y, strict))
		return y;
	if (vt_subtype(y, x, strict))
		return x;
	if (vt_is_bool(x) && vt_is_bool(y))
		return &vt_bool;
	if (x->kind == VT_SET && y->kind == VT_SET) {
		if (!x->elem || !y->elem)
			return &vt_anyset;
		const vtype *e = vt_lub(ar, x->elem, y->elem, strict, help);
		return e ? vt_set(ar, e) : NULL;
	}
	if (x->kind == VT_RECORD && y->kind == VT_RECORD)
		return record_lub(ar, x, y, strict, help);
	if (x->kind == VT_RECORD || y->kind == VT_RECORD) {
		if (is_entityish(x) || is_entityish(y))
			*help = LUBH_ENTITY_RECORD;
		return NULL;
	}
	if (x->kind == VT_ENTITY && y->kind == VT_ENTITY) {
		if (strict) {
			*help = LUBH_ENTITY_TYPE;
			return NULL;
		}
		return ents_union(ar, x, y);
	}
	if (is_entityish(x) && is_entityish(y)) {
		if (strict) {
			*help = LUBH_ENTITY_TYPE;
			return NULL;
		}
		return &vt_anyentity;
	}
	return NULL;
}

bool vt_disjoint(const vtype *a, const vtype *b)
{
	bool ea = a->kind == VT_ENTITY || a->kind == VT_ACTION;
	bool eb = b->kind == VT_ENTITY || b->kind == VT_ACTION;
	return ea && eb && ents_disjoint(a, b);
}

static const char *ext_name(uint8_t ext)
{
	switch (ext) {
	case WT_IPADDR:
		return "ipaddr";
	case WT_DECIMAL:
		return "decimal";
	case WT_DATETIME:
		return "datetime";
	default:
		return "duration";
	}
}

void vt_print(const vtype *t, wbuf *out)
{
	if (!t) {
		buf_adds(out, "?");
		return;
	}
	switch (t->kind) {
	case VT_NEVER:
		buf_adds(out, "Never");
		break;
	case VT_TRUE:
	case VT_FALSE:
	case VT_BOOL:
		buf_adds(out, "Bool");
		break;
	case VT_LONG:
		buf_adds(out, "Long");
		break;
	case VT_STRING:
		buf_adds(out, "String");
		break;
	case VT_SET:
		if (!t->elem) {
			buf_adds(out, "Set");
			break;
		}
		buf_adds(out, "Set<");
		vt_print(t->elem, out);
		buf_addc(out, '>');
		break;
	case VT_RECORD:
		if (t->n == 0 && t->open) {
			buf_adds(out, "record");
			break;
		}
		buf_adds(out, "{");
		for (uint32_t i = 0; i < t->n; i++) {
			buf_printf(out, "%s%s%s: ", i ? ", " : " ", t->attrs[i].name->s, t->attrs[i].required ? "" : "?");
			vt_print(t->attrs[i].type, out);
		}
		if (t->open)
			buf_adds(out, t->n ? ", ..." : " ...");
		buf_adds(out, t->n || t->open ? " }" : "}");
		break;
	case VT_ENTITY:
		for (uint32_t i = 0; i < t->n; i++)
			buf_printf(out, "%s%s", i ? " | " : "", t->ents[i]->s);
		break;
	case VT_ANYENTITY:
		buf_adds(out, "entity");
		break;
	case VT_ACTION:
		buf_adds(out, t->ents[0]->s);
		break;
	case VT_EXT:
		buf_adds(out, ext_name(t->ext));
		break;
	}
}
