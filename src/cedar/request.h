/* request: an authorization request and its JSON form.
 *
 * The JSON shape is the integration tests' one:
 *   {"principal": P, "action": A, "resource": R, "context": {...}}
 * where P/A/R are {"type","id"} objects (with or without __entity) or
 * Cedar uid strings `Type::"id"`. With a schema, the request is validated as
 * the reference does by default (action declared, principal and resource
 * types in its appliesTo, context conforming to its context type, context
 * parsed by that type).
 */
#ifndef WARD_CEDAR_REQUEST_H
#define WARD_CEDAR_REQUEST_H

#include <jansson.h>

#include "cedar/ctx.h"
#include "cedar/schema.h"
#include "cedar/value.h"
#include "util/arena.h"
#include "util/buf.h"

typedef struct wrequest {
	wuid principal, action, resource;
	wvalue context; /* always a WV_RECORD */
} wrequest;

/* Builds a request from its JSON object; context values go into `a`.
 * With a schema, also validates it. Errors: message appended to `err`, -1. */
int request_from_json(wctx *cx, warena *a, const json_t *obj, const wschema *schema, wrequest *out, wbuf *err);

/* Context alone (a JSON object), parsed against the action's context type
 * when a schema is given. */
int request_context_from_json(wctx *cx, warena *a, const json_t *obj, const wschema *schema, wuid action,
			      wvalue *out, wbuf *err);

/* Validates a request against the schema. 0 ok, -1 with a message. */
int request_validate(const wschema *schema, const wrequest *r, wbuf *err);

#endif
