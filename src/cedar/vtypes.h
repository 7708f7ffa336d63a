/* vtypes: the validator's type language (private to validate*.c).
 *
 * Richer than schema types (schema.h): singleton booleans True/False for
 * short-circuit typing, the bottom type Never, unions of entity types
 * (least upper bounds, permissive mode only), the type of action entities,
 * "any entity" for unlinked template slots and "any set" for operand
 * checks. Types are immutable and live in the validator's arena; simple
 * ones are static.
 */
#ifndef WARD_CEDAR_VTYPES_H
#define WARD_CEDAR_VTYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/schema.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/intern.h"

typedef enum vtk {
	VT_NEVER,
	VT_TRUE,
	VT_FALSE,
	VT_BOOL,
	VT_LONG,
	VT_STRING,
	VT_SET,       /* elem == NULL: any set (operand checks only) */
	VT_RECORD,
	VT_ENTITY,    /* union of n >= 1 entity types (ents, sorted, unique) */
	VT_ANYENTITY,
	VT_ACTION,    /* an action entity of action type ents[0] */
	VT_EXT,       /* ext: WT_IPADDR, WT_DECIMAL, WT_DATETIME, WT_DURATION */
} vtk;

typedef struct vtype vtype;

typedef struct vattr {
	const wsym *name;
	const vtype *type;
	bool required;
} vattr;

struct vtype {
	uint8_t kind; /* vtk */
	uint8_t ext;  /* VT_EXT: wtkind of the extension */
	bool open;    /* VT_RECORD: may have undeclared attributes */
	uint32_t n;   /* attrs (record) or ents (entity) */
	const vtype *elem;    /* VT_SET */
	const vattr *attrs;   /* VT_RECORD: sorted by sym_cmp(name) */
	const wsym *const *ents; /* VT_ENTITY, VT_ACTION */
};

/* Why a least upper bound does not exist (for help texts). */
typedef enum vlubhelp {
	LUBH_NONE,
	LUBH_ENTITY_TYPE,   /* two different entity types (strict) */
	LUBH_RECORD_WIDTH,  /* records with different attributes (strict) */
	LUBH_QUALIFIER,     /* required vs optional attribute (strict) */
	LUBH_ENTITY_RECORD, /* entity vs record */
} vlubhelp;

extern const vtype vt_never, vt_true, vt_false, vt_bool, vt_long, vt_string, vt_anyset, vt_anyentity,
	vt_anyrecord;

const vtype *vt_singleton(bool b);
const vtype *vt_ext(uint8_t ext);
const vtype *vt_set(warena *a, const vtype *elem);
const vtype *vt_entity1(warena *a, const wsym *name);
const vtype *vt_action(warena *a, const wsym *action_type);
const vtype *vt_record(warena *a, vattr *attrs, uint32_t n, bool open); /* sorts attrs */

bool vt_eq(const vtype *a, const vtype *b);
bool vt_subtype(const vtype *a, const vtype *b, bool strict);
/* NULL when no least upper bound exists; *help says why. */
const vtype *vt_lub(warena *a, const vtype *x, const vtype *y, bool strict, vlubhelp *help);
bool vt_disjoint(const vtype *a, const vtype *b);
bool vt_is_bool(const vtype *t); /* True, False or Bool */
const vattr *vt_record_attr(const vtype *rec, const wsym *name);
/* Attribute-wise LUB that drops what has no LUB (entity unions). */
const vtype *vt_record_permissive_lub(warena *a, const vtype *x, const vtype *y);

void vt_print(const vtype *t, wbuf *out);

#endif
