/* schema_print: the schema model (schema.h) written back as a schema.
 *
 * Both formats: the human-readable `.cedarschema` text and the JSON schema
 * (used by `ward translate-schema`). The model has every name fully
 * qualified and every common type resolved, so the output declares entity
 * types and actions per namespace with common types inlined; parsing the
 * output gives the same model. Names from the entity's own namespace are
 * written unqualified, others fully qualified.
 *
 * Not representable in the text format: open records
 * ("additionalAttributes": true); they print as ordinary records.
 */
#ifndef WARD_CEDAR_SCHEMA_PRINT_H
#define WARD_CEDAR_SCHEMA_PRINT_H

#include "cedar/schema.h"
#include "util/buf.h"

/* Appends the schema in the `.cedarschema` text format. */
void schema_print_text(const wschema *s, wbuf *out);

/* Appends the schema in the JSON format (2-space indent, final newline). */
void schema_print_json(const wschema *s, wbuf *out);

#endif
