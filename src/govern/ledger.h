/* ledger: the tamper-evident evidence ledger of the merge gate.
 *
 * Every `ward check` appends one entry to an SQLite database (ward.yaml
 * `ledger.path`, default .ward/ledger.db, created with mode 0600 in a 0700
 * directory): time, base and head revisions, change hash, verdict, the
 * check's JSON report (findings, tests, diff summary, approvals, ward
 * version) and its HTML review page. Entries are hash-chained: each entry's
 * hash is BLAKE2b-256 over its sequence number, every field and the previous
 * entry's hash, and a meta row keeps the head hash and the count. Editing,
 * deleting or reordering entries breaks the chain, which ledger_verify
 * reports entry by entry; truncating the ledger *and* rewriting the meta row
 * is only caught against a head hash recorded elsewhere (ledger_verify
 * prints it; `ward ledger verify --head HASH` checks it).
 *
 * Appends run in one immediate transaction: an entry is written whole or
 * not at all.
 */
#ifndef WARD_GOVERN_LEDGER_H
#define WARD_GOVERN_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/diag.h"

#define LEDGER_DEFAULT_PATH ".ward/ledger.db"
#define LEDGER_HASH_HEX 64

typedef struct ledger {
	struct sqlite3 *db;
	char *path; /* heap */
} ledger;

typedef struct ledger_entry {
	int64_t seq;          /* 1, 2, ... */
	char *time;           /* "YYYY-MM-DDTHH:MM:SSZ" */
	char *change, *base, *head, *verdict;
	char *report;         /* JSON report of the check */
	char *html;           /* the HTML review page */
	char *prev, *hash;    /* hex */
} ledger_entry;

/* Opens the ledger at `path`. With `create`, creates it (and its directory)
 * when missing. Refuses a ledger file that others may write, or one that is
 * not a ward ledger. 0, or -1 with an error in `d`. */
int ledger_open(ledger *l, const char *path, bool create, wdiags *d);
void ledger_close(ledger *l);

/* Appends an entry (the fields of `e` other than seq/prev/hash are read).
 * Fills e->seq, e->prev and e->hash (heap). 0 or -1. */
int ledger_append(ledger *l, ledger_entry *e, wdiags *d);

/* Checks the whole chain. Returns 0 when intact, 1 when tampered (one line
 * per problem in `problems`), -1 when the ledger cannot be read. *count and
 * `head` (may be NULL) receive the number of entries and the head hash
 * ("" when empty). */
int ledger_verify(ledger *l, size_t *count, char head[LEDGER_HASH_HEX + 1], wbuf *problems, wdiags *d);

/* The entries whose change hash starts with `prefix` (at least 8 hex
 * digits), oldest first. -1 with an error when the prefix is ambiguous
 * (two changes) or malformed. *n may be 0. */
int ledger_find_change(ledger *l, const char *prefix, ledger_entry **out, size_t *n, wdiags *d);
/* The last `max` entries, newest first. */
int ledger_list(ledger *l, size_t max, ledger_entry **out, size_t *n, wdiags *d);

void ledger_entry_release(ledger_entry *e);
void ledger_entries_free(ledger_entry *es, size_t n);

/* The hash of an entry given its fields and the previous hash (exposed for
 * tests). */
void ledger_entry_hash(const ledger_entry *e, const char *prev, char out[LEDGER_HASH_HEX + 1]);

#endif
