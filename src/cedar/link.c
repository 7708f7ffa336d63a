/* link: template linking (see link.h). */
#include "cedar/link.h"
#include "cedar/jsonv.h"

#include <string.h>

#include "cedar/parser.h"

wpolicy *policyset_find(const wpolicyset *ps, const char *id)
{
	for (uint32_t i = 0; i < ps->n; i++)
		if (strcmp(ps->items[i]->id, id) == 0)
			return ps->items[i];
	return NULL;
}

static bool scope_has_slot(const wscope *s)
{
	return s->slot && (s->op == WSC_EQ || s->op == WSC_IN || s->op == WSC_IS_IN);
}

wpolicy *policy_link(wpolicyset *ps, const char *template_id, const char *new_id, const wlink_values *vals,
		     wbuf *err)
{
	wpolicy *t = policyset_find(ps, template_id);
	if (!t) {
		buf_printf(err, "no template with id '%s'", template_id);
		return NULL;
	}
	if (t->template_of) {
		buf_printf(err, "'%s' is a linked policy, not a template", template_id);
		return NULL;
	}
	if (!t->is_template) {
		buf_printf(err, "'%s' is a static policy, not a template (it has no ?principal or ?resource slot)",
			   template_id);
		return NULL;
	}
	if (policyset_find(ps, new_id)) {
		buf_printf(err, "a policy with id '%s' already exists", new_id);
		return NULL;
	}
	bool need_p = scope_has_slot(&t->principal), need_r = scope_has_slot(&t->resource);
	if (need_p && !vals->has_principal) {
		buf_printf(err, "template '%s' has the slot ?principal but no value was given for it", template_id);
		return NULL;
	}
	if (need_r && !vals->has_resource) {
		buf_printf(err, "template '%s' has the slot ?resource but no value was given for it", template_id);
		return NULL;
	}
	if (!need_p && vals->has_principal) {
		buf_printf(err, "template '%s' has no ?principal slot, but a value was given for it", template_id);
		return NULL;
	}
	if (!need_r && vals->has_resource) {
		buf_printf(err, "template '%s' has no ?resource slot, but a value was given for it", template_id);
		return NULL;
	}
	wpolicy *p = ARENA_NEW(&ps->arena, wpolicy);
	*p = *t;
	p->id = arena_strndup(&ps->arena, new_id, strlen(new_id));
	p->is_template = false;
	p->template_of = t;
	p->has_slot_principal = need_p;
	p->has_slot_resource = need_r;
	if (need_p) {
		p->slot_principal = vals->principal;
		p->principal.slot = false;
		p->principal.uid = vals->principal;
	}
	if (need_r) {
		p->slot_resource = vals->resource;
		p->resource.slot = false;
		p->resource.uid = vals->resource;
	}
	policyset_push(ps, p);
	return p;
}

int link_uid_from_json(wctx *cx, const json_t *j, bool allow_string, wuid *out, wbuf *err)
{
	if (allow_string && json_is_string(j)) {
		wsource src = {"<link value>", json_string_value(j), json_string_length(j)};
		wdiags d;
		diags_init(&d);
		int rc = parse_uid(cx, &src, out, &d);
		if (rc < 0) {
			buf_printf(err, "'%s' is not an entity uid (expected e.g. User::\"alice\")", json_string_value(j));
		}
		diags_release(&d);
		return rc < 0 ? -1 : 0;
	}
	if (json_is_object(j) && json_object_get(j, "__entity") && json_object_size(j) == 1)
		return link_uid_from_json(cx, json_object_get(j, "__entity"), false, out, err);
	const json_t *t = json_is_object(j) ? json_object_get(j, "type") : NULL;
	const json_t *id = json_is_object(j) ? json_object_get(j, "id") : NULL;
	if (!json_is_string(t) || !json_is_string(id) || json_object_size(j) != 2) {
		buf_adds(err, "expected an entity: {\"type\": ..., \"id\": ...}");
		if (allow_string)
			buf_adds(err, " or a string such as \"User::\\\"alice\\\"\"");
		return -1;
	}
	const wsym *ty = parse_name(cx, json_string_value(t), json_string_length(t));
	if (!ty) {
		buf_printf(err, "'%s' is not a valid entity type name", json_string_value(t));
		return -1;
	}
	out->type = ty;
	out->id = ctx_sym(cx, json_string_value(id), json_string_length(id));
	return 0;
}

int link_values_from_json(wctx *cx, const json_t *obj, wlink_values *out, wbuf *err)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(obj)) {
		buf_adds(err, "link values must be an object such as {\"?principal\": \"User::\\\"alice\\\"\"}");
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		wuid *dst;
		bool *has;
		if (strcmp(k, "?principal") == 0) {
			dst = &out->principal;
			has = &out->has_principal;
		} else if (strcmp(k, "?resource") == 0) {
			dst = &out->resource;
			has = &out->has_resource;
		} else {
			buf_printf(err, "unknown slot '%s' (templates have only ?principal and ?resource)", k);
			return -1;
		}
		wbuf e2 = WBUF_INIT;
		if (link_uid_from_json(cx, v, true, dst, &e2) < 0) {
			buf_printf(err, "value of '%s': %s", k, e2.p ? e2.p : "not an entity");
			buf_release(&e2);
			return -1;
		}
		buf_release(&e2);
		*has = true;
	}
	return 0;
}

int link_apply_json(wctx *cx, wpolicyset *ps, const json_t *l, wbuf *err)
{
	const json_t *t = json_object_get(l, "templateId"), *n = json_object_get(l, "newId"),
		     *v = json_object_get(l, "values");
	if (!t && !n && !v) {
		t = json_object_get(l, "template_id");
		n = json_object_get(l, "link_id");
		v = json_object_get(l, "args");
	}
	if (!json_is_string(t) || !json_is_string(n) || !json_is_object(v)) {
		buf_adds(err, "a link needs \"templateId\", \"newId\" (strings) and \"values\" (an object)");
		return -1;
	}
	wlink_values vals;
	if (link_values_from_json(cx, v, &vals, err) < 0)
		return -1;
	return policy_link(ps, json_string_value(t), json_string_value(n), &vals, err) ? 0 : -1;
}

int link_apply_file(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d)
{
	wbuf err = WBUF_INIT;
	size_t errs0 = d->nerrors;
	json_t *arr = jsonv_parse_text(name, text, len, &err);
	if (!arr) {
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "%s", err.p ? err.p : "malformed JSON");
	} else if (!json_is_array(arr)) {
		diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "%s: expected a JSON array of template links", name);
	} else {
		for (size_t i = 0; i < json_array_size(arr); i++) {
			buf_clear(&err);
			if (link_apply_json(cx, ps, json_array_get(arr, i), &err) < 0)
				diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0}, "%s: link %zu: %s", name, i,
					 err.p ? err.p : "cannot link");
		}
	}
	json_decref(arr);
	buf_release(&err);
	return (int)(d->nerrors - errs0);
}
