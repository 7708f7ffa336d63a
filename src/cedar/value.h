/* value: Cedar runtime values.
 *
 * A wvalue is a small tagged struct passed by value (24 bytes). Its heap
 * parts (string bytes, set and record bodies, ip addresses) are immutable
 * and live in an arena chosen by whoever built the value:
 *   - literals in policies: the policy set's arena,
 *   - entity attributes and tags: the entity store's arena,
 *   - request context and evaluation temporaries: the request arena.
 * Ownership rule: a value never owns anything; it is valid as long as the
 * arenas it points into. Copying a wvalue is always a shallow copy.
 *
 * Sets are kept sorted by value_cmp and free of duplicates, so membership is
 * a binary search and equality is element-wise. Records are kept sorted by
 * key bytes (sym_cmp), keys unique.
 */
#ifndef WARD_CEDAR_VALUE_H
#define WARD_CEDAR_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/intern.h"

typedef enum wvkind {
	WV_BOOL,
	WV_LONG,
	WV_STRING,
	WV_ENTITY,
	WV_SET,
	WV_RECORD,
	WV_IPADDR,
	WV_DECIMAL,
	WV_DATETIME,
	WV_DURATION,
} wvkind;

/* An entity uid. `type` is the fully qualified type name ("NS::User"). */
typedef struct wuid {
	const wsym *type;
	const wsym *id;
} wuid;

static inline bool uid_eq(wuid a, wuid b)
{
	return a.type == b.type && a.id == b.id;
}

typedef struct wipaddr {
	uint8_t v6;       /* 0: IPv4 (addr[0..3]), 1: IPv6 (addr[0..15]) */
	uint8_t prefix;   /* prefix length: 0..32 or 0..128 */
	uint8_t addr[16]; /* network byte order; bits past prefix kept as written */
} wipaddr;

struct wset;
struct wrecord;

typedef struct wvalue {
	uint8_t kind; /* wvkind */
	union {
		bool b;           /* WV_BOOL */
		int64_t i;        /* WV_LONG; WV_DECIMAL (scaled by 10^4);
		                     WV_DATETIME (ms since the Unix epoch);
		                     WV_DURATION (ms) */
		struct {
			const char *p; /* UTF-8 bytes (not NUL-terminated in general) */
			uint32_t n;    /* length in bytes */
		} s;               /* WV_STRING */
		wuid e;            /* WV_ENTITY */
		const struct wset *set;    /* WV_SET */
		const struct wrecord *rec; /* WV_RECORD */
		const wipaddr *ip;         /* WV_IPADDR */
	} u;
} wvalue;

typedef struct wset {
	uint32_t n;
	wvalue items[]; /* sorted by value_cmp, no duplicates */
} wset;

typedef struct wfield {
	const wsym *key;
	wvalue val;
} wfield;

typedef struct wrecord {
	uint32_t n;
	wfield f[]; /* sorted by sym_cmp(key), keys unique */
} wrecord;

/* Constructors (no allocation). */
static inline wvalue value_bool(bool b) { wvalue v; v.kind = WV_BOOL; v.u.b = b; return v; }
static inline wvalue value_long(int64_t i) { wvalue v; v.kind = WV_LONG; v.u.i = i; return v; }
static inline wvalue value_entity(wuid e) { wvalue v; v.kind = WV_ENTITY; v.u.e = e; return v; }
static inline wvalue value_string(const char *p, uint32_t n) { wvalue v; v.kind = WV_STRING; v.u.s.p = p; v.u.s.n = n; return v; }
static inline wvalue value_ext_int(wvkind k, int64_t i) { wvalue v; v.kind = (uint8_t)k; v.u.i = i; return v; }

/* The empty set and empty record (static, shared). */
const wset *set_empty(void);
const wrecord *record_empty(void);

/* Total order over values (kind first, then content); 0 iff equal.
 * Cedar equality between values of different kinds is false, never an error. */
int value_cmp(const wvalue *a, const wvalue *b);
bool value_eq(const wvalue *a, const wvalue *b);
uint64_t value_hash(const wvalue *v);

/* Builds a set from n values (any order, duplicates allowed); sorts and
 * dedups in place in `items` and copies into arena `a`. */
const wset *set_make(warena *a, wvalue *items, size_t n);
bool set_contains(const wset *s, const wvalue *v);

/* Builds a record from n fields; later duplicates of a key replace earlier
 * ones only if `dup_ok`, else returns NULL on a duplicate key. */
const wrecord *record_make(warena *a, wfield *fields, size_t n, bool dup_ok);
/* Field lookup by interned key (pointer compare), NULL if absent. */
const wvalue *record_get(const wrecord *r, const wsym *key);

/* Human/Cedar-syntax rendering of a value ("User::\"alice\"", [1, 2], {"a": true},
 * ip("10.0.0.1"), decimal("1.2300") ...). */
void value_print(const wvalue *v, wbuf *out);
/* Cedar-syntax rendering of an entity uid, with the id escaped. */
void uid_print(wuid e, wbuf *out);
/* Name of a kind for messages: "bool", "long", "string", "entity", "set",
 * "record", "ipaddr", "decimal", "datetime", "duration". */
const char *value_kind_name(wvkind k);

#endif
