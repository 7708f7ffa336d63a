/* request: authorization requests from JSON, and their validation against a
 * schema (see request.h).
 *
 * Validation follows the reference's default request validation: principal
 * and resource types must be declared (enumerated ids valid), the action
 * must be declared, principal and resource types must be in the action's
 * appliesTo lists, and the context must conform to the action's context
 * type. With a schema the context is also read by that type, so implicit
 * forms such as "source_ip": "10.0.0.1" for an ipaddr attribute work.
 */
#include "cedar/request.h"
#include "cedar/jsonv.h"
#include "cedar/jsonv_int.h"

#include <string.h>

static int check_entity_type(const wschema *schema, const char *role, wuid u, wbuf *err)
{
	const wentity_type *et = schema_entity_type(schema, u.type);
	if (!et) {
		buf_printf(err, "%s type '%s' is not declared in the schema", role, u.type->s);
		return -1;
	}
	if (et->is_enum) {
		for (uint32_t i = 0; i < et->nenum; i++)
			if (et->enum_ids[i] == u.id)
				return 0;
		buf_printf(err, "%s ", role);
		uid_print(u, err);
		buf_printf(err, " is of enumerated type '%s', but \"%s\" is not one of its ids", u.type->s, u.id->s);
		return -1;
	}
	return 0;
}

static int check_applies(const waction *a, const char *role, const wsym *type, const wsym *const *types,
			 uint32_t ntypes, wbuf *err)
{
	if (a->has_applies_to)
		for (uint32_t i = 0; i < ntypes; i++)
			if (types[i] == type)
				return 0;
	buf_printf(err, "%s type '%s' is not valid for action ", role, type->s);
	uid_print(a->uid, err);
	if (!a->has_applies_to || ntypes == 0) {
		buf_printf(err, " (the action applies to no %s)", role);
	} else {
		buf_printf(err, "; valid %s types: ", role);
		for (uint32_t i = 0; i < ntypes; i++)
			buf_printf(err, "%s'%s'", i ? ", " : "", types[i]->s);
	}
	return -1;
}

/* Everything but the context. */
static int validate_head(const wschema *schema, const wrequest *r, const waction **out, wbuf *err)
{
	if (check_entity_type(schema, "principal", r->principal, err) != 0 ||
	    check_entity_type(schema, "resource", r->resource, err) != 0)
		return -1;
	const waction *a = schema_action(schema, r->action);
	if (!a) {
		buf_adds(err, "action ");
		uid_print(r->action, err);
		buf_adds(err, " is not declared in the schema");
		return -1;
	}
	if (check_applies(a, "principal", r->principal.type, a->principals, a->nprincipals, err) != 0 ||
	    check_applies(a, "resource", r->resource.type, a->resources, a->nresources, err) != 0)
		return -1;
	*out = a;
	return 0;
}

int request_validate(const wschema *schema, const wrequest *r, wbuf *err)
{
	const waction *a;
	if (validate_head(schema, r, &a, err) != 0)
		return -1;
	wbuf why = WBUF_INIT;
	if (r->context.kind != WV_RECORD) {
		buf_adds(err, "context must be a record");
		return -1;
	}
	if (!jsonv_value_conforms(schema, &r->context, a->context, &why)) {
		buf_adds(err, "context is not valid for action ");
		uid_print(r->action, err);
		buf_printf(err, ": %s", why.p ? why.p : "");
		buf_release(&why);
		return -1;
	}
	buf_release(&why);
	return 0;
}

int request_context_from_json(wctx *cx, warena *a, const json_t *obj, const wschema *schema, wuid action,
			      wvalue *out, wbuf *err)
{
	if (!obj) {
		out->kind = WV_RECORD;
		out->u.rec = record_empty();
		return 0;
	}
	if (!json_is_object(obj)) {
		buf_adds(err, "context must be a JSON object, found ");
		jsonv_describe(obj, err);
		return -1;
	}
	const wtype *expect = NULL;
	if (!schema && (json_object_get(obj, "__entity") || json_object_get(obj, "__extn"))) {
		/* as in the reference: without a schema the context is read as a
		 * value, and an escape there is an entity or extension value */
		buf_printf(err, "context must be a record, found %s",
			   json_object_get(obj, "__entity") ? "an entity reference" : "an extension value");
		return -1;
	}
	if (schema) {
		const waction *act = schema_action(schema, action);
		if (!act) {
			buf_adds(err, "action ");
			uid_print(action, err);
			buf_adds(err, " is not declared in the schema, so its context cannot be read");
			return -1;
		}
		expect = act->context;
	}
	jconv jc;
	jconv_init(&jc, cx, a, schema, jconv_sink_buf, err);
	jc.base = "context";
	jc.kind = "attribute";
	int rc = jconv_record(&jc, obj, expect, out);
	int nerr = jc.nerr;
	jconv_release(&jc);
	return rc != 0 || nerr ? -1 : 0;
}

static int get_uid(wctx *cx, const json_t *obj, const char *role, wuid *out, wbuf *err)
{
	const json_t *j = json_object_get(obj, role);
	if (!j) {
		buf_printf(err, "request has no \"%s\"", role);
		return -1;
	}
	jconv jc;
	jconv_init(&jc, cx, NULL, NULL, jconv_sink_buf, err);
	jc.base = role;
	int rc = jconv_uid(&jc, j, true, out);
	jconv_release(&jc);
	return rc;
}

int request_from_json(wctx *cx, warena *a, const json_t *obj, const wschema *schema, wrequest *out, wbuf *err)
{
	memset(out, 0, sizeof *out);
	out->context.kind = WV_RECORD;
	out->context.u.rec = record_empty();
	if (!json_is_object(obj)) {
		buf_adds(err, "a request must be a JSON object {\"principal\", \"action\", \"resource\", \"context\"}, found ");
		jsonv_describe(obj, err);
		return -1;
	}
	if (get_uid(cx, obj, "principal", &out->principal, err) != 0 ||
	    get_uid(cx, obj, "action", &out->action, err) != 0 ||
	    get_uid(cx, obj, "resource", &out->resource, err) != 0)
		return -1;
	const waction *act = NULL;
	if (schema && validate_head(schema, out, &act, err) != 0)
		return -1;
	/* With a schema the context is read by the action's context type, which
	 * also checks that it conforms. */
	return request_context_from_json(cx, a, json_object_get(obj, "context"), schema, out->action, &out->context,
					 err);
}
