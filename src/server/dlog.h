/* dlog: the decision log, an SQLite database that `ward serve` appends
 * every decision to and `ward replay` / `ward drift` read.
 *
 * Schema (PRAGMA user_version = 1), WAL mode:
 *   decisions(id INTEGER PRIMARY KEY, time TEXT, principal TEXT, action TEXT,
 *             resource TEXT, context TEXT, decision TEXT, reasons TEXT,
 *             errors TEXT, policy_version TEXT, latency_ns INTEGER)
 *   policy_versions(version TEXT PRIMARY KEY, loaded_at TEXT, source TEXT,
 *                   policies TEXT)
 * time is UTC RFC 3339 with milliseconds (2026-11-29T15:04:05.123Z);
 * principal/action/resource are entity uids as Cedar text (User::"alice");
 * context is the request's context as JSON text; decision is "allow" or
 * "deny"; reasons and errors are JSON arrays of policy ids. A
 * policy_version is the lowercase hex BLAKE2b-256 of the policies, schema
 * and entities texts, each preceded by its length (8 bytes, little-endian).
 *
 * Errors are values: every function returning int gives 0 on success and
 * -1 on failure with a message in `err` (a caller buffer of DLOG_ERR_MAX).
 */
#ifndef WARD_SERVER_DLOG_H
#define WARD_SERVER_DLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DLOG_ERR_MAX 512

typedef struct dlog dlog;

/* One logged decision. Strings are NUL-terminated; in dlog_each they are
 * valid only during the callback. */
typedef struct dlog_entry {
	int64_t id;
	const char *time;
	const char *principal, *action, *resource;
	const char *context;        /* JSON text */
	bool allow;
	const char *reasons;        /* JSON array text */
	const char *errors;         /* JSON array text */
	const char *policy_version;
	int64_t latency_ns;
} dlog_entry;

/* Opens (creating when `create`) the log at `path`; checks the schema
 * version. NULL on failure, with the reason in err. */
dlog *dlog_open(const char *path, bool create, char *err);
/* Opens an existing log for reading only (replay, drift, audits of a copy
 * on read-only storage): nothing is written, not even the journal mode.
 * Appending to a log opened this way fails. */
dlog *dlog_open_read(const char *path, char *err);
void dlog_close(dlog *l);

/* Records a policy set version (once; later calls with the same version do
 * nothing). */
int dlog_add_version(dlog *l, const char *version, const char *loaded_at, const char *source,
		     const char *policies_text, char *err);

/* Appends decisions in one transaction. */
int dlog_append(dlog *l, const dlog_entry *entries, size_t n, char *err);

/* Calls fn for every decision with since <= time < until (either NULL: no
 * bound), in id order; stops early when fn returns non-zero (that value is
 * returned). -1 on a database error. */
int dlog_each(dlog *l, const char *since, const char *until, int (*fn)(const dlog_entry *e, void *arg), void *arg,
	      char *err);

/* The policies text of a version (heap, caller frees), NULL when unknown. */
char *dlog_version_policies(dlog *l, const char *version, char *err);

/* The largest decision id in the log (0 when empty), -1 on error. A writer
 * that hands out ids before the rows are written (`ward serve` answers with
 * the decision id while its writer thread appends later) continues from
 * here; dlog_append stores entries[i].id when > 0 and lets SQLite choose
 * otherwise. One writer per log. */
int64_t dlog_max_id(dlog *l, char *err);

/* The current time as RFC 3339 UTC with milliseconds into buf (>= 32 bytes). */
void dlog_now(char *buf, size_t n);
/* The same for an instant given in milliseconds since the epoch. */
void dlog_time_at(int64_t unix_ms, char *buf, size_t n);

/* Deletes the decisions logged before `before` (the log's time form);
 * their number in *deleted. The policy versions stay. */
int dlog_prune(dlog *l, const char *before, int64_t *deleted, char *err);

#endif
