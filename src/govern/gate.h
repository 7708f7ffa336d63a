/* gate: `ward check`, the merge gate.
 *
 * Runs on a git working tree: the change is every file of the policy
 * repository that differs between the base revision and the working tree
 * (gitrepo.h), identified by its content hash (approval.h). gate_run
 * combines, over the policies as they are in the working tree:
 *
 *   - parsing and validation of every policy against the schema;
 *   - the repository's tests and the tests generated from every requirement
 *     (testrun.h), with coverage;
 *   - traceability: @ticket, @justification and @owner on every changed
 *     policy;
 *   - the template-instance check (match.h) for every changed permit that
 *     reaches a high-risk resource, or every changed permit when ward.yaml
 *     says `gate: require_templates: true`;
 *   - the secret scan of every changed file (the allowlist of the base);
 *   - risk classification of the change: wildcard, exception, break-glass
 *     (which must carry an expiry), high-risk-resource, production,
 *     model-drafted, new-principal-type, forbid-weakened (a forbid changed
 *     or removed), config-change (ward.yaml, the schema or a template
 *     changed);
 *   - approvals: the signed approvals under approvals/, judged against the
 *     reviewers, roles and rules of ward.yaml *as of the base revision*,
 *     with separation of duties (approval.h).
 *
 * Verdict: BLOCKED when anything is wrong (a blocking finding), else
 * NEEDS-APPROVAL when a required approval is missing, else PASS. Every
 * string of a result lives in its arena.
 */
#ifndef WARD_GOVERN_GATE_H
#define WARD_GOVERN_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "govern/approval.h"
#include "util/arena.h"
#include "util/diag.h"

typedef enum gate_verdict {
	GATE_PASS = 0,
	GATE_COULD_NOT_RUN = 1,
	GATE_BLOCKED = 3,
	GATE_NEEDS_APPROVAL = 4,
} gate_verdict;

const char *gate_verdict_name(gate_verdict v); /* "PASS", "BLOCKED", ... */

typedef enum gate_sev {
	GS_BLOCK, /* makes the verdict BLOCKED */
	GS_RISK,  /* a risk class: needs the approvals its rule names */
	GS_WARN,  /* reported, does not change the verdict */
	GS_INFO,
} gate_sev;

const char *gate_sev_name(gate_sev s); /* "block", "risk", "warning", "info" */

typedef struct gate_finding {
	uint8_t sev;        /* gate_sev */
	const char *code;   /* "invalid", "test-failed", "traceability", "non-template",
	                       "secret", "break-glass-expiry", "forged-approval",
	                       "config-invalid", "requirement-invalid", "creep",
	                       or a risk class id (approval.h appr_classes) */
	const char *policy; /* policy id, or NULL */
	const char *file;   /* relative to the repository, or NULL */
	uint32_t line, col; /* 0 when unknown */
	const char *msg;
} gate_finding;

/* One required approval: `count` approvals by `role` because of `cls`. */
typedef struct gate_need {
	const char *cls;
	const char *role;   /* or APPR_ANY_ROLE */
	int count, filled;
	const char *why;    /* the policies / files that raised the class */
} gate_need;

typedef struct gate_approval {
	const char *file;
	const char *reviewer, *role, *comment, *signed_at;
	uint8_t status;     /* appr_status */
	const char *why;    /* reason when not valid */
} gate_approval;

/* A changed policy, for the review page. */
typedef struct gate_policy {
	const char *id, *file;
	char status;             /* 'A' added, 'M' modified, 'D' removed */
	bool permit;
	const char *text;        /* the policy as written */
	const char *explanation; /* plain-language explanation (explain.h) */
	const char *requirement_id, *requirement_file; /* linked requirement or NULL */
	const char *requirement; /* the requirement in plain words, or NULL */
	const char *template_id; /* the template it instantiates, or NULL */
	const char **classes;    /* risk classes it raised */
	size_t nclasses;
} gate_policy;

/* A row of the entitlement changes: a group of cells of one principal
 * that changed the same way (analysis/diff.h groups). */
typedef struct gate_cell {
	char change;             /* '+' gained, '-' lost, '~' condition changed */
	const char *principal, *action, *resource;
	const char *condition;   /* NULL: always; else the residual condition */
	const char *summary;     /* one sentence for the group of cells */
	const char *policies;    /* determining policies after (gain) or before (loss) */
	const char *relation;    /* '~' with conditions on both sides: "narrowed", "widened",
	                            "changed" or "unknown" (diff.h, smt.h); else NULL */
} gate_cell;

typedef struct gate_tests {
	bool ran;
	uint32_t passed, failed, gen_passed, gen_failed;
	double coverage;         /* percent */
	uint32_t npolicies, ndetermined, nunits, nboth;
	const char **failures;   /* "name: expected allow, got deny (...)" */
	size_t nfailures;
} gate_tests;

typedef struct gate_result {
	warena arena;
	int verdict;             /* gate_verdict */
	const char *root;        /* policy repository */
	const char *base_rev;    /* as given ("main") */
	char base[72], head[72]; /* commit ids (head "" when unborn) */
	char change[APPR_HASH_HEX + 1];
	char time[32];
	const char *ward_version;
	const char **files;      /* changed files "A path" ... */
	size_t nfiles;
	const char **authors;    /* commit authors, @requested_by, @drafted_by */
	size_t nauthors;
	gate_finding *findings;  /* heap */
	size_t nfindings, capf;
	gate_need *needs;        /* heap */
	size_t nneeds;
	gate_approval *approvals; /* heap */
	size_t napprovals;
	gate_policy *policies;   /* heap */
	size_t npolicies;
	gate_cell *cells;        /* heap */
	size_t ncells;
	bool diff_ran;           /* the entitlement diff ran */
	size_t ngain, nlose, ncond; /* changed cells by kind (cells, not groups) */
	const char *diff_note;   /* why it did not, or a summary */
	gate_tests tests;
	bool ledger_written;
	const char *ledger_path;
	char ledger_hash[72];
} gate_result;

typedef struct gate_opts {
	const char *root;        /* policy repository (holding ward.yaml) */
	const char *base;        /* revision; NULL: "main" */
	int64_t now;             /* Unix seconds (0: the current time) */
} gate_opts;

/* The change as `ward approve` needs it: its hash, the base commit, the
 * base configuration and everyone who cannot approve it. */
typedef struct gate_change {
	warena arena;
	char base[72], head[72];
	char change[APPR_HASH_HEX + 1];
	const char **files;      /* "A path" */
	appr_file *cfiles;       /* the same files with their contents (arena) */
	size_t nfiles;
	const char **authors;
	size_t nauthors;
	appr_config cfg;         /* ward.yaml as of the base */
	bool has_cfg;            /* the base has a ward.yaml */
	char *base_cfg_text;     /* heap; `cfg` points into its copy */
} gate_change;

/* Computes the change of the repository at `root` against `base`. 0, or -1
 * with errors in `d` (not a git repository, unknown revision, the base's
 * ward.yaml malformed, unreadable files). */
int gate_change_load(gate_change *c, const char *root, const char *base, wdiags *d);
void gate_change_release(gate_change *c);

/* Runs the gate. Returns the verdict (never GATE_COULD_NOT_RUN: then -1 with
 * errors in `d`). The result is filled in both cases and must be released. */
int gate_run(const gate_opts *o, gate_result *r, wdiags *d);
void gate_result_release(gate_result *r);

/* Appends a finding (strings copied into the result's arena). */
void gate_add(gate_result *r, gate_sev sev, const char *code, const char *policy, const char *file, uint32_t line,
	      uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 8, 9)))
#endif
	;

#endif
