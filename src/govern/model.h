/* model: the OpenAI-compatible chat-completions client for `ward draft
 * --from-text`.
 *
 * The model is asked to turn a person's free-text ask into a structured
 * requirement (JSON), given a summary of the schema, the entity ids, the
 * environments, constraint kinds and the approved template catalog. It never
 * writes policy: its reply is untrusted input, size-limited, parsed as
 * strict JSON and then validated by requirement.h exactly like a
 * hand-written requirement, with stricter rules (requirement.h: untrusted).
 *
 * Endpoint and model come from ward.yaml (`model:`) or the environment
 * (WARD_MODEL_URL, WARD_MODEL); the API key only from the environment
 * (WARD_MODEL_API_KEY). Timeouts per attempt, retries with exponential
 * backoff on connection errors, timeouts, 429 and 5xx.
 */
#ifndef WARD_GOVERN_MODEL_H
#define WARD_GOVERN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "govern/repo.h"
#include "govern/template.h"
#include "util/buf.h"
#include "util/diag.h"

typedef struct model_client {
	char *url;        /* ".../chat/completions" (heap) */
	char *name;       /* model name (heap) */
	char *api_key;    /* heap or NULL; never printed */
	long timeout_seconds, retries, max_reply_bytes;
	bool structured;
} model_client;

/* Reads settings (environment over ward.yaml). -1 with an error when no
 * endpoint is configured. */
int model_client_init(model_client *mc, const repo_model *cfg, wdiags *d);
void model_client_release(model_client *mc);

/* The system prompt: rules, requirement format, schema and catalog. */
void model_build_system_prompt(const repo *r, const tcatalog *c, wbuf *out);

/* Sends the conversation and returns the reply's message content (heap,
 * NUL-terminated, *len bytes), or NULL with a clear error in `d`. */
char *model_ask(const model_client *mc, const char *system, const char *user, size_t *len, wdiags *d);

/* Checks that `content` is one strict JSON object (no duplicate keys,
 * within limits); 0 or -1 with an error. */
int model_check_reply(const char *content, size_t len, wdiags *d);

#endif
