/* jsonv: Cedar values <-> JSON (jansson), as entities-syntax.md describes.
 *
 * Parsing accepts the explicit escapes {"__entity": {"type","id"}} and
 * {"__extn": {"fn","arg"}} everywhere, and, when an expected schema type is
 * given, the implicit forms: a {"type","id"} object for an entity, a bare
 * string for an extension value ("10.0.0.1" for ipaddr), and
 * {"fn","arg"}-less extension objects as the docs allow. Records are checked
 * against the expected record type (missing required / unexpected attributes
 * are errors, unless the record type is open).
 */
#ifndef WARD_CEDAR_JSONV_H
#define WARD_CEDAR_JSONV_H

#include <jansson.h>
#include <stdbool.h>

#include "cedar/ctx.h"
#include "cedar/schema.h"
#include "cedar/value.h"
#include "util/arena.h"
#include "util/buf.h"

/* Converts `j` to a value allocated in `a`. `expect` may be NULL (no schema
 * guidance); `schema` may be NULL. `path` names the location for messages
 * (e.g. "attribute 'age' of User::\"alice\""). On error appends a message
 * to `err` and returns -1. */
int jsonv_to_value(wctx *cx, warena *a, const json_t *j, const wtype *expect, const wschema *schema,
		   const char *path, wvalue *out, wbuf *err);

/* An entity uid from {"type","id"}, {"__entity":{"type","id"}}, or, when
 * `allow_string`, a Cedar uid string such as "User::\"alice\"". */
int jsonv_to_uid(wctx *cx, const json_t *j, bool allow_string, wuid *out, wbuf *err);

/* Appends the Cedar JSON form of a value (explicit __entity / __extn). */
void jsonv_print(const wvalue *v, wbuf *out);
void jsonv_print_uid(wuid uid, wbuf *out); /* {"type":"User","id":"alice"} */

/* Parses JSON text with duplicate-key rejection; on error appends
 * "name:line:col: message" to `err` and returns NULL. */
json_t *jsonv_parse_text(const char *name, const char *text, size_t len, wbuf *err);

/* The bytes of a JSON string value (or key) from a tree that
 * jsonv_parse_text built. jansson cannot hold NUL bytes in object keys, so
 * the parser stores \u0000 in an internal escaped form; this undoes it.
 * Returns the bytes (in `tmp` when decoding was needed) and their length. */
const char *jsonv_string(const char *s, size_t n, wbuf *tmp, size_t *len);

#endif
