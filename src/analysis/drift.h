/* drift: what the decision log says about the current policy set.
 *
 * Over a window of the decision log (server/dlog.h) and the policies in
 * force, drift finds
 *   - grants never used: permit policies (static or linked; templates
 *     themselves never decide) that determined no allow in the window, each
 *     with the number of logged requests its scope covers, 0 meaning
 *     nobody even asked for that access;
 *   - exceptions past their expiry: policies whose @expires("...") date or
 *     datetime is at or before `now` (or that cannot be read as one);
 *   - policies that only ever errored: present among the erroring policies
 *     of logged decisions and never among the determining ones.
 * Log rows name policies by id, so a policy is matched to the log by its
 * id (its @id annotation where it has one).
 *
 * Cost: one pass over the window for usage; a second pass, over the same
 * rows only, checks the scopes of the unused grants against each request.
 */
#ifndef WARD_ANALYSIS_DRIFT_H
#define WARD_ANALYSIS_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/replay.h"
#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "server/dlog.h"
#include "util/buf.h"

typedef struct wdrift_config {
	const char *since, *until; /* log-form bounds (replay_time_parse) or NULL */
	int64_t now_ms;            /* the current time for @expires */
} wdrift_config;

typedef enum wdrift_kind {
	WDF_UNUSED,      /* permit that determined no allow */
	WDF_EXPIRED,     /* @expires at or before now */
	WDF_BAD_EXPIRY,  /* @expires that is not a date */
	WDF_ONLY_ERRORS, /* erroring in the log, never determining */
} wdrift_kind;

typedef struct wdrift_finding {
	wdrift_kind kind;
	const wpolicy *policy; /* borrowed from the policy set */
	uint32_t line, col;    /* of the policy in policy->src */
	uint64_t covered;      /* WDF_UNUSED: logged requests its scope covers */
	uint64_t errors;       /* logged decisions it errored in */
	uint64_t decided;      /* logged decisions it was among the determining policies of */
	const char *expires;   /* WDF_EXPIRED / WDF_BAD_EXPIRY: the annotation value */
} wdrift_finding;

typedef struct wdrift {
	uint64_t rows;       /* logged decisions in the window */
	uint64_t unparsed;   /* rows whose uids did not parse (left out of the scope counts) */
	wdrift_finding *items; /* by kind, then in policy-set order */
	size_t n, cap;
	size_t nunused, nexpired, nerrors_only;
	char since[REPLAY_TIME_MAX], until[REPLAY_TIME_MAX], now[REPLAY_TIME_MAX];
} wdrift;

void drift_init(wdrift *d);
void drift_release(wdrift *d);

/* Runs the three checks. `es` gives the hierarchy for `in` scopes (may be
 * empty). `ps` and `es` must be built with `cx`; `ps` must outlive `d`.
 * 0, or -1 on a database error with the message in `err`. */
int drift_run(wctx *cx, const wpolicyset *ps, const wentities *es, dlog *log, const wdrift_config *cfg,
	      wdrift *d, char *err);

/* Reports: text; one JSON object; SARIF 2.1.0 (`root`: the directory the
 * policy file names are relative to, for the artifact URIs; may be NULL). */
void drift_print_text(const wdrift *d, wbuf *out);
void drift_print_json(const wdrift *d, wbuf *out);
void drift_print_sarif(const wdrift *d, const char *root, wbuf *out);

#endif
