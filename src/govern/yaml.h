/* yaml: a small located YAML (and JSON) tree for ward's own file formats.
 *
 * ward.yaml, requirements and test files are read into this tree with
 * libfyaml's event parser, keeping the byte span of every node so that any
 * later check (unknown field, wrong type, unknown action...) can report
 * `file:line:col` with a caret through util/diag. Scalars stay strings: the
 * format readers decide what a scalar means, so `expires: 2027-01-01` and
 * `"2027-01-01"` read the same. Anchors, aliases, tags, multiple documents
 * and duplicate keys are rejected: configuration should say what it means.
 * The text must be UTF-8 without NUL bytes (checked before parsing).
 * Limits (YDOC_MAX_DEPTH, YDOC_MAX_NODES) bound hostile input.
 *
 * Nodes live in the document's arena; the source text is copied into it.
 */
#ifndef WARD_GOVERN_YAML_H
#define WARD_GOVERN_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/diag.h"

#define YDOC_MAX_DEPTH 64
#define YDOC_MAX_NODES 100000

typedef enum ykind { Y_SCALAR, Y_SEQ, Y_MAP } ykind;

typedef struct ynode ynode;
struct ynode {
	uint8_t kind;   /* ykind */
	bool quoted;    /* Y_SCALAR written with quotes (so never null/bool/number) */
	wspan span;     /* whole node in the source */
	const char *s;  /* Y_SCALAR: NUL-terminated value */
	size_t slen;
	ynode **items;  /* Y_SEQ: items; Y_MAP: values */
	ynode **keys;   /* Y_MAP: key scalars, parallel to items */
	uint32_t n;
};

typedef struct ydoc {
	warena arena;
	wsource src;  /* name and text (copied into the arena) */
	ynode *root;  /* NULL for an empty document */
} ydoc;

/* Parses `text`. Returns 0, or -1 with located diagnostics in `d` (the
 * document is still released by the caller). */
int ydoc_parse(ydoc *doc, const char *name, const char *text, size_t len, wdiags *d);
void ydoc_release(ydoc *doc);

/* Mapping lookup by key; NULL when absent or `m` is not a mapping. */
ynode *ynode_get(const ynode *m, const char *key);
/* True for a plain scalar `null`, `~` or empty. */
bool ynode_is_null(const ynode *n);

/* Checked accessors: on a type mismatch they add a located error to `d`
 * ("'field' must be a string") and return -1. */
int ynode_want(const ydoc *doc, const ynode *n, ykind k, const char *what, wdiags *d);
/* Reports every key of mapping `m` not in the NULL-terminated `known`,
 * with a "did you mean" when one is close. Returns the number reported. */
int ynode_check_keys(const ydoc *doc, const ynode *m, const char *const *known, const char *what, wdiags *d);
/* Parses a boolean scalar (true/false). */
int ynode_bool(const ydoc *doc, const ynode *n, const char *what, bool *out, wdiags *d);
/* Parses an integer scalar within [lo, hi]. */
int ynode_long(const ydoc *doc, const ynode *n, const char *what, long lo, long hi, long *out, wdiags *d);

/* Edit distance for suggestions (util/suggest.h; long strings compare as far). */
size_t gov_distance(const char *a, const char *b);

#endif
