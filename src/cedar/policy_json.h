/* policy_json: the JSON policy format (EST), both directions.
 *
 * ../shared/cedar/docs/json-format.md describes it: one policy is an object
 * with effect, principal/action/resource (op "All", "==", "in", "is", with
 * entity, entities, entity_type, slot), conditions (kind + body) and
 * annotations; a body is a JSON expression with a single operator key
 * ("Value", "Var", "Slot", "==", "&&", ".", "has", "like", "is",
 * "if-then-else", "Set", "Record", extension function names ...). A policy
 * set is {"staticPolicies": {id: policy}, "templates": {id: policy},
 * "templateLinks": [{"templateId", "newId", "values"}]}.
 *
 * Reading builds the same AST the text parser builds (ast.h), so every
 * other module (evaluator, validator, formatter) works on JSON policies
 * unchanged. Errors name the JSON path of the offending value, e.g.
 * `policies.json: staticPolicies.p1.conditions[0].body["=="].left: unknown
 * operator 'Vr'`. Spans of nodes read from JSON are empty (0, 0).
 */
#ifndef WARD_CEDAR_POLICY_JSON_H
#define WARD_CEDAR_POLICY_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "util/buf.h"
#include "util/diag.h"

/* ---- AST -> JSON ---- */

/* New references (caller json_decref's). */
json_t *expr_to_json(const wexpr *e);
json_t *policy_to_json(const wpolicy *p);
/* {"staticPolicies", "templates", "templateLinks"} keyed by policy id. */
json_t *policyset_to_json(const wpolicyset *ps);

/* Pretty-printed (2-space indent) JSON text, with a final newline. */
void policy_json_print(const wpolicy *p, wbuf *out);
void policyset_json_print(const wpolicyset *ps, wbuf *out);

/* ---- JSON -> AST ---- */

/* Reads one policy object into ps's arena and appends it to ps with id
 * `id`. `path` prefixes error messages (may be ""). `name` is the file
 * name for messages. Returns 0, or -1 with diagnostics in `d`. */
int policy_from_json(wctx *cx, wpolicyset *ps, const json_t *j, const char *id, const char *name,
		     const char *path, wdiags *d);

/* Reads a policy set object, or a single policy object (given the id
 * "policy0"). Ids must be unique across static policies, templates and
 * links; links are made with link.h. Returns the number of errors. */
int policyset_from_json(wctx *cx, wpolicyset *ps, const json_t *j, const char *name, wdiags *d);

/* Parses JSON text (duplicate keys rejected) then policyset_from_json. */
int policyset_parse_json(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d);

/* True when `text` looks like JSON (first non-blank byte is '{'); Cedar
 * policy text never starts that way. */
int policy_text_is_json(const char *text, size_t len);

/* Either form: JSON policy (set) or Cedar text. Returns the number of errors. */
int policyset_parse_any(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d);

#endif
