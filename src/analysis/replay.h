/* replay: logged decisions decided again under a candidate policy set.
 *
 * `ward serve` logs every decision (server/dlog.h). Replay reads the log
 * window, rebuilds each request exactly as `ward authorize` would (the uid
 * texts and the context JSON, parsed and validated against the candidate
 * schema when there is one), decides it with the candidate policies and
 * entities and compares the result with the logged decision. Changed
 * decisions are grouped by (action, old -> new decision, new determining
 * policies) so a reviewer reads "policy P now denies 1,234 requests of
 * action A that were allowed" rather than a list of requests. Rows that no
 * longer form a valid request (a uid that does not parse, a type the new
 * schema does not declare, a context that does not conform) are counted by
 * reason, never fatal.
 *
 * Cost: one decision per logged row; memory is bounded by the number of
 * groups and reasons (a few samples each), not by the size of the log.
 */
#ifndef WARD_ANALYSIS_REPLAY_H
#define WARD_ANALYSIS_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/schema.h"
#include "server/dlog.h"
#include "util/buf.h"
#include "util/intern.h"

/* Size of a normalised time bound: "2026-11-29T15:04:05.123Z" and a NUL. */
#define REPLAY_TIME_MAX 32

/* Reads a date or datetime as Cedar's datetime() does ("2026-11-29",
 * "2026-11-29T15:04:05Z", "...+01:00", with or without milliseconds) and
 * writes it in the decision log's form (UTC, milliseconds), which compares
 * as text in time order. *ms receives the instant (may be NULL). 0, or -1
 * when the text is not a datetime. */
int replay_time_parse(const char *text, char out[REPLAY_TIME_MAX], int64_t *ms);
/* The log's form of an instant in milliseconds since the epoch. */
void replay_time_format(int64_t ms, char out[REPLAY_TIME_MAX]);

typedef struct wreplay_config {
	const char *since, *until; /* log-form bounds (replay_time_parse) or NULL */
	uint64_t limit;            /* replay at most this many rows (oldest first); 0: all */
	size_t max_samples;        /* example requests kept per group; 0: the default, 5 */
} wreplay_config;

typedef enum wreplay_change { WRC_ALLOW_TO_DENY, WRC_DENY_TO_ALLOW } wreplay_change;

/* One logged request whose decision changed (strings heap, owned). */
typedef struct wreplay_sample {
	int64_t id;
	char *time, *principal, *action, *resource, *context;
	char *old_reasons; /* logged determining policies, ", "-joined ("" none) */
	char *new_reasons; /* determining policies now, ", "-joined ("" none) */
} wreplay_sample;

/* How often a set of old determining policies occurs in a group. */
typedef struct wreplay_tally {
	char *policies; /* ", "-joined, "" none (heap) */
	uint64_t count;
} wreplay_tally;

/* The changes sharing (action, direction, new determining policies). */
typedef struct wreplay_group {
	char *action;      /* action uid text as logged (heap) */
	wreplay_change change;
	char *policies;    /* new determining policies, ", "-joined; "" when none applies (heap) */
	uint64_t count;
	wreplay_sample *samples; /* the first few (heap) */
	size_t nsamples;
	wreplay_tally *was;      /* old determining policies, most frequent first after replay_run */
	size_t nwas;
	uint64_t was_other;      /* occurrences beyond the tally's capacity */
} wreplay_group;

/* Rows that could not be replayed, by reason. */
typedef struct wreplay_skip {
	char *reason; /* heap */
	uint64_t count;
	int64_t first_id;
} wreplay_skip;

/* Policies that error now where the logged decision had no error from them. */
typedef struct wreplay_err {
	char *policy;  /* heap */
	char *message; /* the first error message (heap) */
	uint64_t count;
	int64_t first_id;
} wreplay_err;

typedef struct wreplay {
	uint64_t rows;            /* logged rows read in the window (after --limit) */
	uint64_t replayed;        /* decided again = unchanged + allow_to_deny + deny_to_allow */
	uint64_t unchanged;
	uint64_t allow_to_deny, deny_to_allow;
	uint64_t reasons_changed; /* same decision, different determining policies */
	uint64_t erroring;        /* requests with a policy erroring now that did not before */
	uint64_t unreplayable;
	wreplay_group *groups;    /* most requests first after replay_run */
	size_t ngroups, cgroups;
	wreplay_skip *skips;
	size_t nskips, cskips;
	uint64_t skips_other;     /* rows whose reason did not fit in the table */
	wreplay_err *errs;
	size_t nerrs, cerrs;
	/* private: keys of groups, skip reasons and erroring policies; a
	 * symbol's id is its index in the matching array */
	winterner gkeys, skeys, ekeys;
	char since[REPLAY_TIME_MAX], until[REPLAY_TIME_MAX]; /* "" when unbounded */
} wreplay;

void replay_init(wreplay *r);
void replay_release(wreplay *r);

/* Replays the window of `log` against `ps` (prepared or not), with `schema`
 * (NULL: none, no request validation) and entities `es`. All of them must
 * have been built with `cx`. Returns 0, or -1 on a database error with the
 * message in `err` (DLOG_ERR_MAX bytes). */
int replay_run(wctx *cx, wpolicyset *ps, const wschema *schema, const wentities *es, dlog *log,
	       const wreplay_config *cfg, wreplay *r, char *err);

/* Reports: a summary then the groups (text), or one JSON object with the
 * counts, groups, unreplayable reasons and new errors. */
void replay_print_text(const wreplay *r, wbuf *out);
void replay_print_json(const wreplay *r, wbuf *out);

#endif
