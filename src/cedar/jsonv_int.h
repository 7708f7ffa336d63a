/* jsonv_int: the JSON -> value converter shared by jsonv.c, entities.c and
 * request.c (private to src/cedar).
 *
 * A jconv walks a jansson tree, guided by an optional schema type, and
 * builds wvalues in an arena. It keeps the JSON path it is at (array indices
 * and object keys, from the document root) so an error can be reported both
 * as text ("entity User::\"alice\": attribute 'age': expected Long, found
 * string \"x\"") and, by a sink that knows the source text, at a line and
 * column. Conversion continues after an error where it can (other record
 * attributes, other set elements), so a diagnostics sink sees every problem.
 */
#ifndef WARD_CEDAR_JSONV_INT_H
#define WARD_CEDAR_JSONV_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ctx.h"
#include "cedar/schema.h"
#include "cedar/value.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

/* Deepest value nesting accepted (the reference's JSON reader stops at 128). */
#define JSONV_MAX_DEPTH 256

typedef struct jpel {
	const char *key; /* object key (not NUL-terminated in general), or NULL */
	size_t klen;
	size_t idx;      /* array index when key == NULL */
} jpel;

typedef struct jconv jconv;

/* Receives one finished message; `at_key` asks to point at the last key of
 * the path rather than at its value. */
typedef void (*jconv_sink)(jconv *jc, bool at_key, const char *msg);

struct jconv {
	wctx *cx;
	warena *a;              /* values are built here */
	const wschema *schema;  /* may be NULL */
	const char *base;       /* what is being converted, e.g. "entity User::\"a\"" */
	const char *kind;       /* how to name a sub-path: "attribute", "tag", "at" */
	jpel *path;             /* heap stack, root first */
	uint32_t depth, cap;
	uint32_t root;          /* leading path elements not shown in messages */
	int nerr;               /* errors reported so far */
	jconv_sink sink;
	void *sink_data;        /* the sink's own state */
};

void jconv_init(jconv *jc, wctx *cx, warena *a, const wschema *schema, jconv_sink sink, void *sink_data);
void jconv_release(jconv *jc);
void jconv_push_key(jconv *jc, const char *key, size_t n);
void jconv_push_idx(jconv *jc, size_t i);
void jconv_pop(jconv *jc);

/* Reports an error at the current path (message prefixed by base/kind/sub-path). */
void jconv_error(jconv *jc, bool at_key, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Converts `j` (expected type `expect`, may be NULL) into *out. 0 or -1. */
int jconv_value(jconv *jc, const json_t *j, const wtype *expect, wvalue *out);
/* Converts a JSON object member by member into a record: with `expect` (a
 * record type) attributes are read by their types, and missing required or
 * (unless open) undeclared ones are errors. Escapes are not recognised at
 * this level (for entity "attrs", whose keys are attribute names). */
int jconv_record(jconv *jc, const json_t *j, const wtype *expect, wvalue *out);
/* An entity uid ({"type","id"}, {"__entity":...}, or a `T::"id"` string when
 * allowed). Errors reported through jc. 0 or -1. */
int jconv_uid(jconv *jc, const json_t *j, bool allow_string, wuid *out);
/* With a schema: an enumerated entity type's id must be one of its ids.
 * 0, or -1 with an error reported. */
int jconv_check_enum(jconv *jc, wuid uid);

/* A sink appending the first error to a wbuf (sink_data). */
void jconv_sink_buf(jconv *jc, bool at_key, const char *msg);

/* True when `s` is a normalized Cedar name: IDENT{::IDENT}, no reserved words. */
bool jsonv_valid_name(const char *s, size_t n);

/* Parses JSON text (duplicate keys rejected, NUL bytes allowed in strings
 * and keys, see jsonv_str). On error returns NULL, jansson's message is in
 * e->text and *off is the byte offset of the problem in `text`. */
json_t *jsonv_load(const char *text, size_t len, json_error_t *e, size_t *off);

/* A string read from a tree that jsonv_load built, decoded (see jsonv.c):
 * returns `s` itself, or the decoded bytes in `tmp`. */
const char *jsonv_str(const char *s, size_t n, wbuf *tmp, size_t *outn);
/* json_object_getn for a key that may contain NUL bytes. */
const json_t *jsonv_getn(const json_t *obj, const char *key, size_t n);

/* Byte span of the value (or, with at_key, of the key) that `path` names in
 * the JSON text, as far as it can be followed. */
wspan jsonv_locate(const char *text, size_t len, const jpel *path, uint32_t depth, bool at_key);

/* Appends a short description of a JSON value for messages: `string "x"`,
 * `integer 5`, `object`... */
void jsonv_describe(const json_t *j, wbuf *out);

/* Does `v` conform to `t`? (Used for values not parsed from JSON.) On a
 * mismatch appends a description to `why` and returns false. */
bool jsonv_value_conforms(const wschema *schema, const wvalue *v, const wtype *t, wbuf *why);

#endif
