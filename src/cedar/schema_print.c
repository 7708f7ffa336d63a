/* schema_print: schema model -> .cedarschema text / JSON schema (see
 * schema_print.h).
 *
 * Declarations are grouped by namespace, in order of first appearance
 * (entity types, then actions); the empty namespace is written at top level
 * in the text format and under the key "" in JSON.
 */
#include "cedar/schema_print.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/format.h"
#include "util/xalloc.h"

/* Length of the namespace part of a qualified name ("A::B::User" -> 4). */
static size_t ns_len(const char *s, size_t n)
{
	for (size_t i = n; i >= 2; i--)
		if (s[i - 1] == ':' && s[i - 2] == ':')
			return i - 2;
	return 0;
}

typedef struct nsinfo {
	const char *name; /* not NUL-terminated */
	size_t len;
} nsinfo;

typedef struct nslist {
	nsinfo *v;
	size_t n, cap;
} nslist;

static void ns_add(nslist *l, const char *s, size_t n)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].len == n && memcmp(l->v[i].name, s, n) == 0)
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].name = s;
	l->v[l->n].len = n;
	l->n++;
}

static bool in_ns(const wsym *name, const nsinfo *ns)
{
	return ns_len(name->s, name->len) == ns->len && memcmp(name->s, ns->name, ns->len) == 0;
}

static void collect_ns(const wschema *s, nslist *l)
{
	/* the empty namespace first, so it prints at the top */
	bool root = false;
	for (uint32_t i = 0; i < s->netypes; i++)
		root |= ns_len(s->etypes[i].name->s, s->etypes[i].name->len) == 0;
	for (uint32_t i = 0; i < s->nactions; i++)
		root |= ns_len(s->actions[i].uid.type->s, s->actions[i].uid.type->len) == 0;
	if (root)
		ns_add(l, "", 0);
	for (uint32_t i = 0; i < s->netypes; i++) {
		const wsym *n = s->etypes[i].name;
		ns_add(l, n->s, ns_len(n->s, n->len));
	}
	for (uint32_t i = 0; i < s->nactions; i++) {
		const wsym *n = s->actions[i].uid.type;
		ns_add(l, n->s, ns_len(n->s, n->len));
	}
}

/* A name as written inside namespace `ns`: unqualified when it lives there
 * (it then resolves to itself first), else fully qualified. */
static void put_name(wbuf *out, const wsym *name, const nsinfo *ns)
{
	size_t nl = ns_len(name->s, name->len);
	if (nl > 0 && in_ns(name, ns))
		buf_add(out, name->s + nl + 2, name->len - nl - 2);
	else
		buf_add(out, name->s, name->len);
}

/* Is some entity type's base name equal to `base` (so the primitive of that
 * name must be written as __cedar::base)? */
static bool shadowed(const wschema *s, const char *base)
{
	size_t bl = strlen(base);
	for (uint32_t i = 0; i < s->netypes; i++) {
		const wsym *n = s->etypes[i].name;
		size_t nl = ns_len(n->s, n->len);
		const char *b = nl ? n->s + nl + 2 : n->s;
		size_t len = nl ? n->len - nl - 2 : n->len;
		if (len == bl && memcmp(b, base, bl) == 0)
			return true;
	}
	return false;
}

static void put_prim(wbuf *out, const wschema *s, const char *name)
{
	if (shadowed(s, name))
		buf_adds(out, "__cedar::");
	buf_adds(out, name);
}

static void put_attr_name(wbuf *out, const wsym *n)
{
	if (format_is_ident(n->s, n->len))
		buf_add(out, n->s, n->len);
	else
		format_cedar_str(out, n->s, n->len);
}

static void indent(wbuf *out, int k)
{
	for (int i = 0; i < k; i++)
		buf_addc(out, ' ');
}

static void text_type(wbuf *out, const wschema *s, const wtype *t, const nsinfo *ns, int ind)
{
	switch (t->kind) {
	case WT_BOOL: put_prim(out, s, "Bool"); break;
	case WT_LONG: put_prim(out, s, "Long"); break;
	case WT_STRING: put_prim(out, s, "String"); break;
	case WT_IPADDR: put_prim(out, s, "ipaddr"); break;
	case WT_DECIMAL: put_prim(out, s, "decimal"); break;
	case WT_DATETIME: put_prim(out, s, "datetime"); break;
	case WT_DURATION: put_prim(out, s, "duration"); break;
	case WT_ENTITY: put_name(out, t->entity, ns); break;
	case WT_SET:
		buf_adds(out, "Set<");
		text_type(out, s, t->elem, ns, ind);
		buf_addc(out, '>');
		break;
	case WT_RECORD:
		if (t->nattrs == 0) {
			buf_adds(out, "{}");
			break;
		}
		buf_adds(out, "{\n");
		for (uint32_t i = 0; i < t->nattrs; i++) {
			indent(out, ind + 2);
			put_attr_name(out, t->attrs[i].name);
			buf_adds(out, t->attrs[i].required ? ": " : "?: ");
			text_type(out, s, t->attrs[i].type, ns, ind + 2);
			buf_adds(out, i + 1 < t->nattrs ? ",\n" : "\n");
		}
		indent(out, ind);
		buf_addc(out, '}');
		break;
	}
}

static void text_name_list(wbuf *out, const wsym *const *v, uint32_t n, const nsinfo *ns)
{
	buf_addc(out, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_adds(out, ", ");
		put_name(out, v[i], ns);
	}
	buf_addc(out, ']');
}

static void text_ns(const wschema *s, const nsinfo *ns, wbuf *out)
{
	int ind = ns->len ? 2 : 0;
	bool first = true;
	for (uint32_t i = 0; i < s->netypes; i++) {
		const wentity_type *e = &s->etypes[i];
		if (!in_ns(e->name, ns))
			continue;
		if (!first)
			buf_addc(out, '\n');
		first = false;
		indent(out, ind);
		buf_adds(out, "entity ");
		put_name(out, e->name, ns);
		if (e->is_enum) {
			buf_adds(out, " enum [");
			for (uint32_t k = 0; k < e->nenum; k++) {
				if (k)
					buf_adds(out, ", ");
				format_cedar_str(out, e->enum_ids[k]->s, e->enum_ids[k]->len);
			}
			buf_adds(out, "];\n");
			continue;
		}
		if (e->nparents) {
			buf_adds(out, " in ");
			text_name_list(out, e->parents, e->nparents, ns);
		}
		if (e->attrs && e->attrs->nattrs) {
			buf_adds(out, " = ");
			text_type(out, s, e->attrs, ns, ind);
		}
		if (e->tags) {
			buf_adds(out, " tags ");
			text_type(out, s, e->tags, ns, ind);
		}
		buf_adds(out, ";\n");
	}
	for (uint32_t i = 0; i < s->nactions; i++) {
		const waction *a = &s->actions[i];
		if (!in_ns(a->uid.type, ns))
			continue;
		if (!first)
			buf_addc(out, '\n');
		first = false;
		indent(out, ind);
		buf_adds(out, "action ");
		format_cedar_str(out, a->uid.id->s, a->uid.id->len);
		if (a->nmember_of) {
			buf_adds(out, " in [");
			for (uint32_t k = 0; k < a->nmember_of; k++) {
				if (k)
					buf_adds(out, ", ");
				wuid m = a->member_of[k];
				if (m.type != a->uid.type) {
					buf_add(out, m.type->s, m.type->len);
					buf_adds(out, "::");
				}
				format_cedar_str(out, m.id->s, m.id->len);
			}
			buf_addc(out, ']');
		}
		if (a->has_applies_to && a->nprincipals && a->nresources) {
			buf_adds(out, " appliesTo {\n");
			indent(out, ind + 2);
			buf_adds(out, "principal: ");
			text_name_list(out, a->principals, a->nprincipals, ns);
			buf_adds(out, ",\n");
			indent(out, ind + 2);
			buf_adds(out, "resource: ");
			text_name_list(out, a->resources, a->nresources, ns);
			if (a->context && a->context->nattrs) {
				buf_adds(out, ",\n");
				indent(out, ind + 2);
				buf_adds(out, "context: ");
				text_type(out, s, a->context, ns, ind + 2);
			}
			buf_addc(out, '\n');
			indent(out, ind);
			buf_addc(out, '}');
		}
		buf_adds(out, ";\n");
	}
}

void schema_print_text(const wschema *s, wbuf *out)
{
	nslist l = {NULL, 0, 0};
	collect_ns(s, &l);
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			buf_addc(out, '\n');
		if (l.v[i].len) {
			buf_adds(out, "namespace ");
			buf_add(out, l.v[i].name, l.v[i].len);
			buf_adds(out, " {\n");
		}
		text_ns(s, &l.v[i], out);
		if (l.v[i].len)
			buf_adds(out, "}\n");
	}
	free(l.v);
}

/* ---- JSON ---- */

static json_t *jname(const wsym *n, const nsinfo *ns)
{
	wbuf b = WBUF_INIT;
	put_name(&b, n, ns);
	json_t *j = json_stringn(b.p ? b.p : "", b.n);
	buf_release(&b);
	return j;
}

static json_t *jsym(const wsym *n)
{
	return json_stringn(n->s, n->len);
}

static json_t *jtype_of(const wtype *t, const nsinfo *ns)
{
	json_t *o = json_object();
	const char *ext = NULL;
	switch (t->kind) {
	case WT_BOOL: json_object_set_new(o, "type", json_string("Boolean")); break;
	case WT_LONG: json_object_set_new(o, "type", json_string("Long")); break;
	case WT_STRING: json_object_set_new(o, "type", json_string("String")); break;
	case WT_IPADDR: ext = "ipaddr"; break;
	case WT_DECIMAL: ext = "decimal"; break;
	case WT_DATETIME: ext = "datetime"; break;
	case WT_DURATION: ext = "duration"; break;
	case WT_ENTITY:
		json_object_set_new(o, "type", json_string("Entity"));
		json_object_set_new(o, "name", jname(t->entity, ns));
		break;
	case WT_SET:
		json_object_set_new(o, "type", json_string("Set"));
		json_object_set_new(o, "element", jtype_of(t->elem, ns));
		break;
	case WT_RECORD: {
		json_object_set_new(o, "type", json_string("Record"));
		json_t *at = json_object();
		for (uint32_t i = 0; i < t->nattrs; i++) {
			json_t *a = jtype_of(t->attrs[i].type, ns);
			if (!t->attrs[i].required)
				json_object_set_new(a, "required", json_false());
			json_object_setn_new_nocheck(at, t->attrs[i].name->s, t->attrs[i].name->len, a);
		}
		json_object_set_new(o, "attributes", at);
		if (t->open)
			json_object_set_new(o, "additionalAttributes", json_true());
		break;
	}
	}
	if (ext) {
		json_object_set_new(o, "type", json_string("Extension"));
		json_object_set_new(o, "name", json_string(ext));
	}
	return o;
}

static json_t *json_names(const wsym *const *v, uint32_t n, const nsinfo *ns)
{
	json_t *a = json_array();
	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(a, jname(v[i], ns));
	return a;
}

void schema_print_json(const wschema *s, wbuf *out)
{
	nslist l = {NULL, 0, 0};
	collect_ns(s, &l);
	json_t *root = json_object();
	for (size_t i = 0; i < l.n; i++) {
		const nsinfo *ns = &l.v[i];
		json_t *nso = json_object(), *ets = json_object(), *acts = json_object();
		for (uint32_t k = 0; k < s->netypes; k++) {
			const wentity_type *e = &s->etypes[k];
			if (!in_ns(e->name, ns))
				continue;
			json_t *eo = json_object();
			if (e->is_enum) {
				json_t *ids = json_array();
				for (uint32_t q = 0; q < e->nenum; q++)
					json_array_append_new(ids, jsym(e->enum_ids[q]));
				json_object_set_new(eo, "enum", ids);
			} else {
				if (e->nparents)
					json_object_set_new(eo, "memberOfTypes", json_names(e->parents, e->nparents, ns));
				if (e->attrs && (e->attrs->nattrs || e->attrs->open))
					json_object_set_new(eo, "shape", jtype_of(e->attrs, ns));
				if (e->tags)
					json_object_set_new(eo, "tags", jtype_of(e->tags, ns));
			}
			wbuf b = WBUF_INIT;
			put_name(&b, e->name, ns);
			json_object_setn_new_nocheck(ets, b.p, b.n, eo);
			buf_release(&b);
		}
		for (uint32_t k = 0; k < s->nactions; k++) {
			const waction *a = &s->actions[k];
			if (!in_ns(a->uid.type, ns))
				continue;
			json_t *ao = json_object();
			if (a->nmember_of) {
				json_t *mo = json_array();
				for (uint32_t q = 0; q < a->nmember_of; q++) {
					json_t *m = json_object();
					json_object_set_new(m, "id", jsym(a->member_of[q].id));
					if (a->member_of[q].type != a->uid.type)
						json_object_set_new(m, "type", jsym(a->member_of[q].type));
					json_array_append_new(mo, m);
				}
				json_object_set_new(ao, "memberOf", mo);
			}
			if (a->has_applies_to) {
				json_t *ap = json_object();
				json_object_set_new(ap, "principalTypes", json_names(a->principals, a->nprincipals, ns));
				json_object_set_new(ap, "resourceTypes", json_names(a->resources, a->nresources, ns));
				if (a->context && (a->context->nattrs || a->context->open))
					json_object_set_new(ap, "context", jtype_of(a->context, ns));
				json_object_set_new(ao, "appliesTo", ap);
			}
			json_object_setn_new_nocheck(acts, a->uid.id->s, a->uid.id->len, ao);
		}
		json_object_set_new(nso, "entityTypes", ets);
		json_object_set_new(nso, "actions", acts);
		json_object_setn_new_nocheck(root, ns->name, ns->len, nso);
	}
	char *txt = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (txt) {
		buf_adds(out, txt);
		buf_addc(out, '\n');
		free(txt);
	}
	json_decref(root);
	free(l.v);
}
