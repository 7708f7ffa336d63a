/* entities: the entity store.
 *
 * Loaded once from entities JSON (entities-syntax.md), optionally directed by
 * a schema (which also contributes the action entities and their groups).
 * Loading links every entity to its parents in the store and rejects
 * cycles; the transitive ancestor set of an entity is computed the first
 * time it is asked for (entity_ancestors) and kept, so `in` is then a hash
 * lookup. A caller that loads entities for one decision pays only for the
 * entities that decision looks at; a long-lived store pays once per entity.
 * Lookups by uid are hashed.
 *
 * Everything lives in wentities.arena (the ancestor tables on the heap,
 * freed with the store); names interned in the wctx. Read-only after
 * loading but for the ancestor tables, which are published atomically:
 * safe to share between threads.
 */
#ifndef WARD_CEDAR_ENTITIES_H
#define WARD_CEDAR_ENTITIES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ctx.h"
#include "cedar/schema.h"
#include "cedar/value.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

/* An entity's transitive ancestors (not the entity itself): an
 * open-addressing hash table of uids. */
typedef struct wancestors {
	uint32_t cap; /* slots: a power of two, or 0 */
	uint32_t n;   /* ancestors */
	wuid slot[];  /* empty slots have type NULL */
} wancestors;

typedef struct wentity {
	wuid uid;
	const wrecord *attrs;  /* never NULL */
	const wrecord *tags;   /* never NULL (empty when none) */
	wuid *parents;         /* direct parents as written */
	const struct wentity **parent_ents; /* the same parents in the store, or
	                                       NULL for those not in it (set at load) */
	uint32_t nparents;
	_Atomic(wancestors *) anc; /* computed on first use: see entity_ancestors */
} wentity;

struct wentities_index;

typedef struct wentities {
	warena arena;
	wentity **items;   /* heap array, in load order */
	uint32_t n, cap;
	struct wentities_index *index; /* private: uid -> entity */
} wentities;

void entities_init(wentities *es);
void entities_release(wentities *es);

/* Loads entities JSON (an array of {uid, attrs, parents[, tags]}) from
 * `text`. With a schema, attribute and tag values are parsed by their
 * declared types (implicit __entity/__extn), unknown entity types and bad
 * attribute types are errors, and the schema's action entities (with their
 * groups) are added. Without a schema, values must use explicit escapes.
 * Duplicate uids are errors. May be called once per store.
 * Returns the number of errors appended to `d`. */
int entities_load_json(wctx *cx, wentities *es, const wschema *schema, const char *name, const char *text,
		       size_t len, wdiags *d);

/* As entities_load_json, but always through the careful path (jansson),
 * never the fast single-pass reader: the two must build the same store,
 * which the tests and the entities fuzz target check with entities_dump. */
int entities_load_json_careful(wctx *cx, wentities *es, const wschema *schema, const char *name, const char *text,
			       size_t len, wdiags *d);

/* A canonical text of the store: every entity in load order with its
 * attributes, tags, parents as written and ancestors sorted. */
void entities_dump(const wentities *es, wbuf *out);

const wentity *entities_get(const wentities *es, wuid uid);

/* a == b, or b is a (transitive) ancestor of a. */
bool entities_in(const wentities *es, wuid a, wuid b);
/* Is anc a transitive ancestor of e (e itself is not)? */
bool entity_has_ancestor(const wentity *e, wuid anc);
/* e's transitive ancestors, computed on the first call and kept (several
 * threads may call at once: one table wins, the others are dropped).
 * Never NULL; lives as long as the store. */
const wancestors *entity_ancestors(const wentity *e);

#endif
