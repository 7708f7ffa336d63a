/* testrun: policy tests — YAML test files, generated tests, coverage.
 *
 * A test file (docs/FORMATS.md, "Policy test files") names entity fixtures
 * and a list of cases, each a request with the expected decision and,
 * optionally, the exact set of determining policies. Loading checks
 * everything a typo could silently turn into a passing test: unknown
 * fields, unknown entities (principal and resource must exist in the
 * fixtures), unknown actions (declared in the schema, or known from the
 * entities or policies when there is no schema), unknown policy ids, and
 * reports each problem at file:line:col.
 *
 * Generated tests come from a requirement (requirement.h): the requested
 * access is allowed (every requested action, on a sample of entities when
 * the subject or resource is a group or a type) and the near misses are
 * denied (a principal outside the subject, each action not requested, a
 * resource outside the container or type, a resource of another
 * environment, each constraint violated). They are kept and counted apart
 * from hand-written cases.
 *
 * Running decides each case with explain_decision (explain.h), so a failing
 * case carries the explanation of the actual decision, and coverage falls
 * out of the same evaluation: a policy is covered when it determined some
 * decision, a condition unit (explain.h) when it was seen both true and
 * false. Coverage = covered items / (policies + condition units), unlinked
 * templates excluded.
 */
#ifndef WARD_GOVERN_TESTRUN_H
#define WARD_GOVERN_TESTRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/ast.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/request.h"
#include "cedar/schema.h"
#include "govern/explain.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

struct requirement;
struct repo;

typedef struct wtcase {
	const char *name;
	const char *file;        /* test file, or requirement file for generated cases */
	uint32_t line;           /* 1-based line of the case (0: none) */
	bool generated;
	const char *group;       /* generated: "REQ-1: allowed", "REQ-1: other action"...; else NULL */
	wrequest req;
	const wentities *ents;   /* the fixtures it runs against */
	bool expect_allow;
	const char **expect_reasons; /* when has_reasons: the exact determining policy ids */
	uint32_t nexpect;
	bool has_reasons;
	const char **not_by;     /* generated near misses: pass when none of these policies applies */
	uint32_t nnot_by;
	/* results (testrun_run) */
	bool ran, passed;
	bool actual_allow;
	const char **actual_reasons;
	uint32_t nactual;
	const char *verdict;     /* the actual decision's verdict sentence */
	const char *explanation; /* failing cases: the explanation of the actual decision (text) */
} wtcase;

typedef struct wtrun {
	wctx *cx;
	const wpolicyset *ps;
	const wschema *schema;        /* may be NULL */
	const wentities *default_ents; /* fixtures of files without `entities` (may be NULL) */
	warena arena;                 /* cases, requests, strings */
	wxpolicies x;                 /* explanation of ps: units for coverage */
	struct wtstore *stores;       /* owned entity stores and YAML documents */
	wtcase *cases;                /* heap */
	uint32_t n, cap;
	wdiags diags;                 /* load errors (located) */
	uint32_t *determined;         /* per policy of ps: decisions it determined */
	uint8_t **seen;               /* per policy, per unit: 1 seen true, 2 seen false */
	uint32_t passed, failed, gen_passed, gen_failed;
	uint32_t gen_skipped;         /* requirements with no implementing policy */
	wbuf notes;                   /* one line per skipped requirement etc. */
} wtrun;

typedef struct wtcoverage {
	uint32_t npolicies, ndetermined; /* policies (templates excluded), those that determined a decision */
	uint32_t nunits, nboth;          /* condition units, those seen both true and false */
	double percent;                  /* (ndetermined + nboth) / (npolicies + nunits) * 100; 100 when empty */
} wtcoverage;

/* The run borrows everything; they must outlive it. */
void testrun_init(wtrun *t, wctx *cx, const wpolicyset *ps, const wschema *schema, const wentities *default_ents);
void testrun_release(wtrun *t);

/* Loads one test file (`path` names it and anchors relative fixture paths).
 * Appends its cases; returns the number of errors appended to t->diags
 * (a file with errors contributes no case). */
int testrun_load(wtrun *t, const char *path, const char *text, size_t len);

/* Appends the generated cases of one requirement (its file name `path` for
 * messages), run against the repository's entity snapshot. Returns the
 * number of cases added, 0 when no policy of the set implements it (noted
 * in t->notes and counted in gen_skipped). */
int testrun_generate(wtrun *t, const struct repo *r, const struct requirement *rq, const char *path);

/* Runs every loaded case (keeps only generated ones with `generated_only`)
 * and accumulates coverage. */
void testrun_run(wtrun *t, bool generated_only);

void testrun_coverage(const wtrun *t, wtcoverage *out);

/* Reports. Text: a line per case (failures with request, expected vs actual
 * and the explanation), the counts, and with `coverage` the coverage and
 * what is not covered. JSON: {"cases":[...],"summary":{...}[,"coverage":{...}]}.
 * JUnit: one <testsuite> per file, hand-written and generated apart. */
void testrun_report_text(const wtrun *t, bool coverage, wbuf *out);
void testrun_report_json(const wtrun *t, bool coverage, wbuf *out);
void testrun_report_junit(const wtrun *t, wbuf *out);

/* Files named by `path`: the file itself, or every file under the directory
 * (recursively) whose name ends with one of the NULL-terminated `suffixes`,
 * sorted. Appends heap paths to *list (grown with xrealloc). Returns 0, or
 * -1 when `path` does not exist. */
int testrun_collect(const char *path, const char *const *suffixes, char ***list, size_t *n);

/* Parses every .cedar file named by `path` (a file, or a directory searched
 * recursively, in name order) into `ps`, then takes @id annotations as ids.
 * Returns 0, or -1 with located diagnostics in `d`. */
int testrun_load_policies(wctx *cx, wpolicyset *ps, const char *path, wdiags *d);

#endif
