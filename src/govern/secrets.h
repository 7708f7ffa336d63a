/* secrets: the credential scanner and redactor.
 *
 * PCRE2 rules for common credential formats (cloud access keys, forge and
 * SaaS tokens, private key blocks, JWTs, connection strings with
 * passwords, `password = ...` assignments) plus an entropy rule for generic
 * high-entropy tokens. Findings matching the allowlist (PCRE2 patterns from
 * ward.yaml) or obvious documentation placeholders are dropped. Runs over
 * requirements, templates, prompts, model replies and drafts; `ward scan`
 * exposes it. A secret is never printed in full: messages use
 * secrets_redact_short ("AKIA...(20 chars)"), model prompts secrets_redact
 * ("[REDACTED:aws-access-key-id]").
 */
#ifndef WARD_GOVERN_SECRETS_H
#define WARD_GOVERN_SECRETS_H

#include <stddef.h>

#include "util/diag.h"

typedef struct secrets_scanner secrets_scanner;

typedef struct secret_finding {
	size_t start, end; /* byte offsets of the secret itself */
	int rule;          /* index for secrets_rule_id/title */
} secret_finding;

/* Compiles the rules and the allowlist. NULL with a located error when an
 * allowlist pattern does not compile. `entropy` <= 0: default 4.0. */
secrets_scanner *secrets_new(const char *const *allow, size_t nallow, double entropy, wdiags *d);
void secrets_free(secrets_scanner *sc);

/* Findings in `text`, sorted, non-overlapping; *out is heap (free it). */
size_t secrets_scan(const secrets_scanner *sc, const char *text, size_t len, secret_finding **out);

/* A copy of `text` with each finding replaced by "[REDACTED:rule-id]";
 * *n is the number replaced. Heap, NUL-terminated. */
char *secrets_redact(const secrets_scanner *sc, const char *text, size_t len, size_t *n);

/* A short, safe rendering of a secret: its first few characters and its
 * length, "ghp_...(40 chars)". Never more than a quarter of it. */
void secrets_redact_short(const char *s, size_t n, char *out, size_t cap);

const char *secrets_rule_id(int rule);    /* "aws-access-key-id" */
const char *secrets_rule_title(int rule); /* "AWS access key id" */

/* Shannon entropy of the bytes, in bits per byte. */
double secrets_entropy(const char *s, size_t n);

#endif
