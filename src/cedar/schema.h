/* schema: the Cedar schema model, and its two source formats.
 *
 * Both the human-readable `.cedarschema` text and the JSON schema parse into
 * this one model with every name fully qualified ("NS::User") and every
 * common type resolved (cycles are errors). The engine uses it for
 * schema-directed parsing of entities and context and for request
 * validation; the validator (a later module) types policies against it.
 *
 * Everything lives in wschema.arena; names are interned in the wctx.
 */
#ifndef WARD_CEDAR_SCHEMA_H
#define WARD_CEDAR_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ctx.h"
#include "cedar/value.h"
#include "util/arena.h"
#include "util/diag.h"

typedef enum wtkind {
	WT_BOOL,
	WT_LONG,
	WT_STRING,
	WT_ENTITY,
	WT_SET,
	WT_RECORD,
	WT_IPADDR,
	WT_DECIMAL,
	WT_DATETIME,
	WT_DURATION,
} wtkind;

typedef struct wtype wtype;

typedef struct wattr {
	const wsym *name;
	const wtype *type;
	bool required; /* false for `name?: T` / "required": false */
	wspan span;
} wattr;

struct wtype {
	uint8_t kind;         /* wtkind */
	const wsym *entity;   /* WT_ENTITY: fully qualified entity type name */
	const wtype *elem;    /* WT_SET */
	wattr *attrs;         /* WT_RECORD: sorted by sym_cmp(name), unique */
	uint32_t nattrs;
	bool open;            /* WT_RECORD: "additionalAttributes": true */
};

typedef struct wentity_type {
	const wsym *name;       /* fully qualified */
	const wtype *attrs;     /* WT_RECORD, never NULL (empty when none) */
	const wsym **parents;   /* memberOfTypes, fully qualified */
	uint32_t nparents;
	const wtype *tags;      /* NULL when the type has no tags */
	const wsym **enum_ids;  /* enumerated ids (is_enum) */
	uint32_t nenum;
	bool is_enum;
	const wsource *src;
	wspan span;
} wentity_type;

typedef struct waction {
	wuid uid;               /* type "Action" or "NS::Action" */
	wuid *member_of;        /* parent action groups */
	uint32_t nmember_of;
	const wsym **principals; /* appliesTo principal types */
	uint32_t nprincipals;
	const wsym **resources;  /* appliesTo resource types */
	uint32_t nresources;
	const wtype *context;    /* WT_RECORD, never NULL (empty when none) */
	bool has_applies_to;     /* false: applies to no request at all */
	const wsource *src;
	wspan span;
} waction;

struct wschema_index;

typedef struct wschema {
	warena arena;
	wentity_type *etypes; /* heap array */
	uint32_t netypes, cap_etypes;
	waction *actions;     /* heap array */
	uint32_t nactions, cap_actions;
	struct wschema_index *index; /* private lookup tables */
} wschema;

void schema_init(wschema *s);
void schema_release(wschema *s);

/* Parse a schema in the text format / JSON format / whichever `text` is
 * (JSON when its first non-space byte is '{'). The source is copied into
 * the schema's arena. Returns the number of errors appended to `d`. */
int schema_parse_text(wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d);
int schema_parse_json(wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d);
int schema_parse(wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d);

const wentity_type *schema_entity_type(const wschema *s, const wsym *name);
const waction *schema_action(const wschema *s, wuid uid);

/* Type rendering for messages: "Long", "Set<String>", "{ a: Long, b?: Bool }". */
void type_print(const wtype *t, wbuf *out);

#endif
