/* validate: the Cedar policy validator (type checking against a schema).
 *
 * Checks every policy and template of a policy set against a schema the way
 * the reference Cedar validator does in its default (strict) mode:
 *   - entity types, action ids and enumerated entity ids used anywhere in a
 *     policy must exist in the schema;
 *   - the scope must allow at least one (principal type, action, resource
 *     type) combination declared by some action's appliesTo;
 *   - the condition (scope && when && !unless) is type checked once per
 *     request environment, i.e. per (principal type, action, resource type)
 *     of each action's appliesTo (and, for templates, per possible slot
 *     type). Optional attributes and tags are readable only where a `has` /
 *     `hasTag` guard proves them present; `&&`, `||` and `if` propagate that
 *     knowledge exactly as the reference does.
 *   - optionally (level >= 0), level validation: no chain of entity
 *     dereferences longer than `level`, no dereference of an entity literal.
 *
 * Results are structured (wvalidation): every error and warning with a kind,
 * the policy, the source span and a message naming the types, plus for each
 * policy the request environments in which it may apply. They convert to
 * wdiags for rendering with file:line:col and carets.
 *
 * The validator never modifies the policy set or the schema. Both must have
 * been built with the same wctx. Cost: O(policies x environments x policy
 * size), plus O(entity types^2) bits once per call for the type hierarchy.
 */
#ifndef WARD_CEDAR_VALIDATE_H
#define WARD_CEDAR_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/schema.h"
#include "util/diag.h"

typedef enum wvmode {
	WVMODE_STRICT,     /* the reference's default */
	WVMODE_PERMISSIVE, /* entity unions, record width subtyping, [] allowed */
} wvmode;

typedef struct wvalidate_opts {
	uint8_t mode; /* wvmode */
	int level;    /* level validation depth; < 0 disables it */
} wvalidate_opts;

#define WVALIDATE_OPTS_DEFAULT {WVMODE_STRICT, -1}

typedef enum wvissue_kind {
	/* errors */
	WVK_UNKNOWN_ENTITY_TYPE,     /* `Usr::"a"`: no such entity type */
	WVK_UNKNOWN_ACTION,          /* `Action::"raed"`: no such action */
	WVK_INVALID_ENUM_ENTITY,     /* enumerated type, id not in the enumeration */
	WVK_INVALID_ACTION_APPLICATION, /* scope matches no appliesTo combination */
	WVK_UNEXPECTED_TYPE,         /* operand of the wrong type */
	WVK_INCOMPATIBLE_TYPES,      /* no least upper bound (==, if, set, contains...) */
	WVK_UNKNOWN_ATTRIBUTE,       /* attribute not declared */
	WVK_UNSAFE_OPTIONAL_ATTRIBUTE, /* optional attribute read without `has` */
	WVK_UNSAFE_TAG_ACCESS,       /* getTag without hasTag */
	WVK_NO_TAGS_ALLOWED,         /* getTag on a type without tags */
	WVK_UNDEFINED_FUNCTION,      /* unknown extension function */
	WVK_WRONG_NUMBER_ARGS,       /* extension function arity */
	WVK_INVALID_EXT_LITERAL,     /* ip("x"), decimal("1.23456"), ... */
	WVK_NON_LITERAL_EXT_CONSTRUCTOR, /* ip(context.s) in strict mode */
	WVK_EMPTY_SET,               /* `[]` in strict mode */
	WVK_LEVEL_EXCEEDED,          /* level validation: chain too long */
	WVK_LITERAL_DEREFERENCE,     /* level validation: `User::"a".x` */
	WVK_INTERNAL,                /* should not happen */
	/* warnings */
	WVK_IMPOSSIBLE_POLICY,       /* false in every request environment */
} wvissue_kind;

typedef struct wvissue {
	uint8_t kind;          /* wvissue_kind */
	uint8_t sev;           /* wseverity: WSEV_ERROR or WSEV_WARNING */
	const wpolicy *policy; /* never NULL */
	const wsource *src;    /* the policy's source (may be NULL) */
	wspan span;            /* the offending expression or scope */
	char *msg;             /* heap, owned: "... 'User' ..." */
	char *help;            /* heap, owned, or NULL: "did you mean 'User'?" */
} wvissue;

/* One request environment: a (principal type, action, resource type) from
 * the schema, plus the slot types for templates (NULL when not a slot). */
typedef struct wvenv {
	const wsym *principal;
	wuid action;
	const wsym *resource;
	const wsym *slot_principal; /* type linked to ?principal, or NULL */
	const wsym *slot_resource;  /* type linked to ?resource, or NULL */
} wvenv;

/* Typing facts about one policy (same order as the policy set). */
typedef struct wvpolicy {
	const wpolicy *policy;
	wvenv *envs;       /* heap: environments where it type checks and is not
	                      always false, i.e. where it may apply */
	uint32_t nenvs;
	uint32_t nchecked; /* environments examined */
	bool impossible;   /* false in every environment (warning) */
	uint32_t nerrors;  /* errors about this policy */
} wvpolicy;

typedef struct wvalidation {
	wvissue *items; /* heap: errors and warnings, by policy then position */
	size_t n, cap;
	size_t nerrors, nwarnings;
	wvpolicy *policies; /* heap, one per policy of the set */
	uint32_t npolicies;
} wvalidation;

void validation_init(wvalidation *v);
void validation_release(wvalidation *v);

/* Validates every policy and template of `ps` against `schema`, appending
 * to `out` (which must be initialised). Returns the number of errors found
 * (0: the set is valid; warnings do not count). Never fails otherwise. */
int validate_policyset(wctx *cx, const wschema *schema, const wpolicyset *ps, const wvalidate_opts *opts,
		       wvalidation *out);

/* Appends every issue to `d` as a located diagnostic with policy_id set,
 * message "policy 'ID': message; help" (the help part only when any). */
void validation_to_diags(const wvalidation *v, wdiags *d);

/* Stable lowercase name of a kind, for JSON output: "unknown-entity-type"... */
const char *validation_kind_name(wvissue_kind k);

#endif
