/* link: template linking (templates.md).
 *
 * A template is a policy with `?principal` and/or `?resource` in its scope.
 * Linking gives every slot an entity and adds a new policy under its own id
 * that takes part in authorization and validation like any other: its
 * scope holds the entities in place of the slots (slot = false), and
 * template_of / slot_principal / slot_resource (ast.h) record where it came
 * from, so it can be written back as a template link. Conditions are shared
 * with the template (slots cannot appear in conditions).
 */
#ifndef WARD_CEDAR_LINK_H
#define WARD_CEDAR_LINK_H

#include <jansson.h>
#include <stdbool.h>

#include "cedar/ast.h"
#include "util/diag.h"
#include "cedar/ctx.h"
#include "util/buf.h"

typedef struct wlink_values {
	wuid principal, resource;
	bool has_principal, has_resource;
} wlink_values;

/* The policy (static, template or linked) with this id, or NULL. */
wpolicy *policyset_find(const wpolicyset *ps, const char *id);

/* Links template `template_id` of `ps` with `vals` into a new policy `new_id`
 * (allocated in ps's arena, appended to ps). Errors (unknown template, not a
 * template, missing or extra slot value, duplicate id): message in `err`,
 * returns NULL. */
wpolicy *policy_link(wpolicyset *ps, const char *template_id, const char *new_id, const wlink_values *vals,
		     wbuf *err);

/* Slot values from a JSON object {"?principal": V, "?resource": V} where V
 * is {"type","id"}, {"__entity": {...}} or a Cedar uid string such as
 * "User::\"alice\"". Unknown keys and non-entity values are errors. */
int link_values_from_json(wctx *cx, const json_t *obj, wlink_values *out, wbuf *err);

/* Applies one link object {"templateId","newId","values"} (or the reference
 * command line's {"template_id","link_id","args"}) to `ps`. Errors: message
 * in `err`, returns -1. */
int link_apply_json(wctx *cx, wpolicyset *ps, const json_t *link, wbuf *err);

/* Applies a file of links: JSON text holding an array of link objects.
 * Every error is a diagnostic naming the file and the link's index.
 * Returns the number of errors appended to `d`. */
int link_apply_file(wctx *cx, wpolicyset *ps, const char *name, const char *text, size_t len, wdiags *d);

/* An entity uid from {"type","id"} or {"__entity": {"type","id"}}, or,
 * when `allow_string`, a Cedar uid string. */
int link_uid_from_json(wctx *cx, const json_t *j, bool allow_string, wuid *out, wbuf *err);

#endif
