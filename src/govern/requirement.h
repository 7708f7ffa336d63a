/* requirement: structured access requirements (requests/ *.yaml).
 *
 * A requirement says who needs what access, where and why: id, ticket,
 * justification, requested_by, owner, kind (grant | exception |
 * break-glass), subject, actions, resource, environment and constraints
 * (docs/FORMATS.md). YAML or JSON. req_load validates it against the
 * repository: schema entity types and actions (and that each action applies
 * to the subject and resource types), the entity snapshot (ids exist), the
 * environments and constraint kinds of ward.yaml. Every error is located in
 * the file. The same loader reads model replies (model.h), which are
 * untrusted in exactly the same way.
 */
#ifndef WARD_GOVERN_REQUIREMENT_H
#define WARD_GOVERN_REQUIREMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "cedar/value.h"
#include "govern/repo.h"
#include "govern/yaml.h"
#include "util/buf.h"
#include "util/diag.h"

typedef enum req_kind { REQ_GRANT, REQ_EXCEPTION, REQ_BREAK_GLASS } req_kind;

/* Subject or resource: one entity, everything in (members of) a group or
 * container, or every entity of a type (optionally within a container). */
typedef enum req_form { RF_ENTITY, RF_IN, RF_TYPE } req_form;

typedef struct req_target {
	uint8_t form;     /* req_form */
	wuid uid;         /* RF_ENTITY, RF_IN */
	const wsym *type; /* RF_TYPE; or RF_IN with a type restriction (NULL: none) */
	wspan span;
} req_target;

typedef struct req_constraint {
	const repo_constraint *kind;
	char **texts;     /* Cedar value texts: ip("..."), datetime("..."), "s", 1, true */
	size_t n;
	char *start, *end; /* time-window: duration texts */
	char *raw;        /* human form for messages and annotations ("2027-01-31T00:00:00Z") */
	wspan span;
} req_constraint;

/* Which front-matter fields the caller supplies instead of the file
 * (model replies: the human gives ticket and justification). */
typedef struct req_overrides {
	const char *id, *ticket, *justification, *requested_by, *owner;
} req_overrides;

typedef struct requirement {
	ydoc doc;
	bool has_doc;
	const char *id, *ticket, *justification, *requested_by, *owner; /* doc arena or overrides */
	uint8_t kind;     /* req_kind */
	req_target subject, resource;
	wuid *actions;    /* heap */
	size_t nactions;
	const char *environment;
	req_constraint *cons; /* heap */
	size_t ncons;
	bool untrusted;   /* from a model: stricter rules (no type-wide subjects...) */
} requirement;

/* Loads and validates a requirement. With `ov`, those fields come from it
 * and must not appear in the text. Returns 0 or -1 (diagnostics in `d`;
 * release the requirement in both cases). */
int req_load(requirement *rq, repo *r, const char *name, const char *text, size_t len, const req_overrides *ov,
	     bool untrusted, wdiags *d);
void req_release(requirement *rq);

const char *req_kind_name(req_kind k);
const req_constraint *req_find_constraint(const requirement *rq, const char *name);
/* A YAML rendering (for showing a model's proposal to the user, and for
 * --save-request): req_load reads it back to the same requirement. */
void req_print_yaml(const requirement *rq, wbuf *out);

#endif
