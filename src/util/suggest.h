/* suggest: "did you mean ...?" — the closest known name to a mistyped one.
 *
 * One Levenshtein implementation for every module that suggests names
 * (schema types, entity types, attributes, commands, YAML keys).
 */
#ifndef WARD_UTIL_SUGGEST_H
#define WARD_UTIL_SUGGEST_H

#include <stddef.h>

/* Levenshtein distance of two byte strings, capped: returns cap + 1 as soon
 * as the distance is known to exceed `cap`, and for strings longer than 256
 * bytes. O(na * nb) time, no allocation. */
size_t suggest_distance(const char *a, size_t na, const char *b, size_t nb, size_t cap);

/* A running search for the candidate closest to `word`. */
typedef struct wsuggest {
	const char *word; /* the mistyped name */
	size_t wlen;
	const char *best; /* closest acceptable candidate so far, or NULL */
	size_t blen;
	size_t dist;      /* its distance */
} wsuggest;

void suggest_init(wsuggest *sg, const char *word, size_t wlen);
/* Considers a candidate: kept when it differs from `word`, is the closest so
 * far, and is within half the longer length (at least 1, at most 3 edits
 * for short names) — close enough to be a plausible typo. */
void suggest_consider(wsuggest *sg, const char *cand, size_t clen);

#endif
