/* approval: reviewer keys, signed approvals of a change, and the approval
 * rules of ward.yaml.
 *
 * A reviewer holds an Ed25519 key pair (libsodium): `ward keygen` writes the
 * private key file (mode 0600, refused when others can read it) and prints
 * the public key ("ed25519:BASE64") that goes into ward.yaml's `reviewers`.
 * A change is identified by its content hash: BLAKE2b-256 over the base
 * revision and the path, status and bytes of every changed file
 * (appr_change_hash), so any later edit of the change gives another hash and
 * invalidates every earlier approval. `ward approve` signs that hash, with
 * the base revision, reviewer, role, time and comment, into a JSON file under
 * approvals/ (approvals/ itself is not part of the change).
 *
 * The gate verifies approvals against the reviewers, roles and rules of
 * ward.yaml *as of the base revision* (appr_config_parse on the base's
 * text), so a change cannot add its own approver or relax its own rules.
 * appr_check judges one approval: wrong change (stale or replayed), unknown
 * reviewer, signature that does not verify with the registered key (forged),
 * expired key, a role the reviewer does not hold, an author of the change
 * (commit authors, @requested_by, @drafted_by), a model identity.
 * appr_assign fills the required (role, count) slots, one person at most
 * one slot.
 *
 * ward.yaml sections read here (docs/FORMATS.md, "Approvals"):
 *
 *     roles:                      role -> description
 *       security: reviews wildcards, exceptions and break-glass
 *     reviewers:                  identity -> roles, key, optional key expiry
 *       carol@example.com:
 *         roles: [security]
 *         public_key: ed25519:BASE64
 *         expires: 2027-12-31
 *     approvals:                  risk class -> required roles
 *       production: [platform]
 *       forbid-weakened: [{role: security, count: 2}]
 *     gate:
 *       require_templates: false  every changed permit must be a template instance
 *     ledger:
 *       path: .ward/ledger.db
 *
 * A risk class with no rule needs one approval by any reviewer ("*").
 */
#ifndef WARD_GOVERN_APPROVAL_H
#define WARD_GOVERN_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "govern/yaml.h"
#include "util/buf.h"
#include "util/diag.h"

#define APPR_PK_BYTES 32
#define APPR_SK_BYTES 64
#define APPR_SIG_BYTES 64
#define APPR_HASH_HEX 64 /* change hash: BLAKE2b-256 in hex */
#define APPR_PK_TEXT 64  /* "ed25519:" + base64 of 32 bytes + NUL fits */
#define APPR_ANY_ROLE "*"

/* ---- keys --------------------------------------------------------------- */

typedef struct appr_key {
	char *name;                        /* reviewer identity (heap) */
	unsigned char pk[APPR_PK_BYTES];
	unsigned char sk[APPR_SK_BYTES];   /* wiped by appr_key_release */
} appr_key;

/* True for identities that stand for a model ("model:NAME"): they can never
 * approve or hold a key. */
bool appr_is_model(const char *name);

/* Generates a key pair for `name` and writes DIR/FILE.key (mode 0600, never
 * overwriting) where FILE is the name with unsafe characters replaced.
 * *path receives the private key path (heap), `pub` the public key text.
 * 0, or -1 with an error in `d` (nothing written). */
int appr_keygen(const char *name, const char *dir, char **path, char pub[APPR_PK_TEXT], wdiags *d);
/* Loads a private key file; refuses one that others may read. */
int appr_key_load(appr_key *k, const char *path, wdiags *d);
void appr_key_release(appr_key *k);

/* "ed25519:BASE64" <-> 32 bytes. appr_pk_parse returns 0 or -1. */
void appr_pk_text(const unsigned char pk[APPR_PK_BYTES], char out[APPR_PK_TEXT]);
int appr_pk_parse(const char *s, unsigned char pk[APPR_PK_BYTES]);

/* ---- times ---------------------------------------------------------------- */

/* Parses "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ" into Unix
 * seconds. 0 or -1. */
int appr_parse_time(const char *s, int64_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL). */
void appr_format_time(int64_t t, char out[32]);

/* ---- the change hash ---------------------------------------------------- */

/* One changed file of a change. */
typedef struct appr_file {
	const char *path;  /* relative to the repository root, '/' separated */
	char status;       /* 'A' added, 'M' modified, 'D' deleted */
	const char *data;  /* contents (NULL for 'D') */
	size_t len;
} appr_file;

/* BLAKE2b-256 over the base revision and the files, taken in path order
 * (the array is sorted in place). Lowercase hex into `out`. */
void appr_change_hash(const char *base, appr_file *files, size_t n, char out[APPR_HASH_HEX + 1]);

/* ---- ward.yaml: reviewers, roles, rules ------------------------------------ */

typedef struct appr_reviewer {
	const char *name;
	const char **roles;   /* heap array of doc strings */
	size_t nroles;
	unsigned char pk[APPR_PK_BYTES];
	bool has_expiry;
	int64_t expires;      /* key valid before this instant */
	wspan span;
} appr_reviewer;

typedef struct appr_need {
	const char *role;     /* a role of `roles`, or APPR_ANY_ROLE */
	int count;
} appr_need;

typedef struct appr_rule {
	const char *cls;      /* risk class id, e.g. "production" */
	appr_need *needs;     /* heap */
	size_t n;
} appr_rule;

typedef struct appr_config {
	ydoc doc;
	bool has_doc;
	const char **roles;   /* heap; declared role names */
	size_t nroles;
	appr_reviewer *reviewers; /* heap */
	size_t nreviewers;
	appr_rule *rules;     /* heap */
	size_t nrules;
	bool require_templates;
	const char *ledger_path; /* NULL: default .ward/ledger.db */
} appr_config;

/* The risk classes a rule may name (NULL-terminated). */
extern const char *const appr_classes[];

void appr_config_init(appr_config *c);
/* Parses the gate's sections of a ward.yaml text. Other sections are left
 * alone (repo.h checks them). 0, or -1 with located errors. */
int appr_config_parse(appr_config *c, const char *name, const char *text, size_t len, wdiags *d);
void appr_config_release(appr_config *c);

const appr_reviewer *appr_find_reviewer(const appr_config *c, const char *name);
/* The rule of a class, or NULL (then one approval by any reviewer). */
const appr_rule *appr_find_rule(const appr_config *c, const char *cls);
bool appr_has_role(const appr_reviewer *r, const char *role);

/* ---- approvals ------------------------------------------------------------ */

typedef struct approval {
	char *path;          /* file it was read from, or NULL */
	char *change;        /* change hash (hex) */
	char *base;          /* base revision (commit id) */
	char *reviewer, *role, *comment, *signed_at;
	unsigned char pk[APPR_PK_BYTES];
	unsigned char sig[APPR_SIG_BYTES];
} approval;

void approval_release(approval *a);
/* Signs: fills `a` (heap copies) for the change. `now` in Unix seconds. */
void approval_sign(approval *a, const appr_key *k, const char *change, const char *base, const char *role,
		   const char *comment, int64_t now);
/* The approval file text (JSON, ending with a newline). */
void approval_to_json(const approval *a, wbuf *out);
/* Parses an approval file strictly: every field present with the right
 * type, no unknown or duplicate fields. 0, or -1 with an error naming the
 * file (and line:col for JSON syntax errors). */
int approval_parse(approval *a, const char *path, const char *text, size_t len, wdiags *d);
/* True when the signature verifies with `pk`. */
bool approval_verify(const approval *a, const unsigned char pk[APPR_PK_BYTES]);
/* The file name for an approval: "<change[0..16]>-<reviewer>.json". Heap. */
char *approval_file_name(const approval *a);

typedef enum appr_status {
	AS_OK,
	AS_OTHER_CHANGE,     /* signed for another change (stale or replayed) */
	AS_UNKNOWN_REVIEWER, /* not a reviewer in the base's ward.yaml */
	AS_FORGED,           /* the signature does not verify with the reviewer's key */
	AS_KEY_EXPIRED,
	AS_WRONG_ROLE,       /* the reviewer does not hold the role claimed */
	AS_AUTHOR,           /* an author, requester or drafter of the change */
	AS_MODEL,            /* a model identity */
	AS_DUPLICATE,        /* the same person already fills a required approval */
	AS_NOT_NEEDED,       /* valid, but no required slot wants its role */
} appr_status;

const char *appr_status_name(appr_status s);

/* True when `name` is one of `authors` (case-insensitive; an author
 * "Name <email>" matches either part). */
bool appr_is_author(const char *name, const char *const *authors, size_t nauthors);

/* Judges one approval for `change` against the base configuration. `why`
 * receives a one-line reason when not AS_OK. */
appr_status appr_check(const appr_config *c, const approval *a, const char *change, const char *const *authors,
		       size_t nauthors, int64_t now, wbuf *why);

/* Fills the required slots with the approvals whose status is AS_OK: each
 * approval fills one slot of its role (or an APPR_ANY_ROLE slot), each person
 * at most one slot, as many slots as any assignment can fill (a maximum
 * bipartite matching, so the order of the approvals does not matter). `needs` (n) gives the required counts; `filled` (n)
 * receives how many were filled; approvals left over get AS_DUPLICATE (same
 * person already counted) or AS_NOT_NEEDED. `slot` (napprovals) receives the
 * index in `needs` each approval filled, or -1. */
void appr_assign(const appr_need *needs, size_t n, int *filled, const approval *const *as, appr_status *status,
		 int *slot, size_t napprovals);

#endif
