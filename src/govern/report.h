/* report: the merge gate's result rendered for people and machines.
 *
 *   - text for terminals (ANSI colour only when asked: the caller knows
 *     whether it writes to a TTY);
 *   - JSON (everything in the result; also what the ledger keeps);
 *   - Markdown for a pull-request comment;
 *   - SARIF 2.1.0 for code-scanning dashboards;
 *   - a self-contained HTML review page (inline CSS and SVG, no script, no
 *     network fetch): each changed policy's requirement beside its
 *     plain-language explanation, the entitlement changes as a table and a
 *     small chart, risk badges, tests and coverage, approvals present and
 *     missing, and the mapping of the findings to OWASP Non-Human Identity
 *     Top 10, NIST CSF 2.0 and NIST AI RMF controls.
 *
 * report_evidence writes the evidence bundle of one change from the ledger
 * (`ward ledger export`).
 */
#ifndef WARD_GOVERN_REPORT_H
#define WARD_GOVERN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "govern/gate.h"
#include "govern/ledger.h"
#include "util/buf.h"
#include "util/diag.h"

void report_text(const gate_result *r, bool color, wbuf *out);
void report_json(const gate_result *r, wbuf *out);
void report_markdown(const gate_result *r, wbuf *out);
void report_sarif(const gate_result *r, wbuf *out);
void report_html(const gate_result *r, wbuf *out);

/* The controls a finding code maps to (static strings; NULL when none). */
typedef struct report_controls {
	const char *code;
	const char *owasp_nhi; /* "NHI5:2025 Overprivileged NHI" */
	const char *nist_csf;  /* "PR.AA-05" ... */
	const char *ai_rmf;    /* "GOVERN 3.2" ... */
} report_controls;

const report_controls *report_controls_for(const char *code);

/* Writes DIR/evidence.json (every ledger entry of the change with its
 * report, the chain hashes, the controls the findings map to) and
 * DIR/review.html (the latest entry's review page). DIR must not exist or be
 * empty; the files appear together or not at all. 0 or -1. */
int report_evidence(const ledger_entry *es, size_t n, const char *dir, wdiags *d);

#endif
