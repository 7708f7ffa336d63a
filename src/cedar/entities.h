/* entities: the entity store.
 *
 * Loaded once from entities JSON (entities-syntax.md), optionally directed by
 * a schema (which also contributes the action entities and their groups).
 * The transitive ancestor set of every entity is computed once at load so
 * `in` is a hash lookup at request time. Lookups by uid are hashed.
 *
 * Everything lives in wentities.arena; names interned in the wctx.
 * Read-only after loading: safe to share between threads.
 */
#ifndef WARD_CEDAR_ENTITIES_H
#define WARD_CEDAR_ENTITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ctx.h"
#include "cedar/schema.h"
#include "cedar/value.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

typedef struct wentity {
	wuid uid;
	const wrecord *attrs;  /* never NULL */
	const wrecord *tags;   /* never NULL (empty when none) */
	wuid *parents;         /* direct parents as written */
	uint32_t nparents;
	wuid *ancestors;       /* transitive closure (excluding itself), open-addressing
	                          hash table of size anc_cap (empty slots have type NULL) */
	uint32_t anc_cap;      /* power of two, or 0 */
	uint32_t nanc;         /* number of ancestors */
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
bool entity_has_ancestor(const wentity *e, wuid anc);

#endif
