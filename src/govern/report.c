/* report: text, JSON, Markdown, SARIF and HTML renderings of a gate result,
 * and the evidence bundle (see report.h).
 */
#include "govern/report.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "govern/gio.h"
#include "util/xalloc.h"

static const wspan nospan = {0, 0};

/* ---- controls ------------------------------------------------------------------ */

static const report_controls controls[] = {
	{"wildcard", "NHI5:2025 Overprivileged NHI", "PR.AA-05", NULL},
	{"exception", "NHI5:2025 Overprivileged NHI", "ID.RA-07, PR.AA-05", NULL},
	{"break-glass", "NHI5:2025 Overprivileged NHI", "PR.AA-05, ID.RA-07", NULL},
	{"break-glass-expiry", "NHI1:2025 Improper Offboarding", "PR.AA-05, ID.RA-07", NULL},
	{"high-risk-resource", "NHI5:2025 Overprivileged NHI", "PR.AA-05, PR.DS-01", NULL},
	{"production", "NHI8:2025 Environment Isolation", "PR.AA-05, PR.IR-01", NULL},
	{"model-drafted", NULL, "GV.RR-02", "GOVERN 3.2, MAP 3.5"},
	{"new-principal-type", "NHI5:2025 Overprivileged NHI", "PR.AA-01, PR.AA-05", NULL},
	{"forbid-weakened", "NHI5:2025 Overprivileged NHI", "PR.AA-05, PR.PS-01", NULL},
	{"config-change", NULL, "PR.PS-01, GV.RR-02", "GOVERN 1.4"},
	{"config-weakened", NULL, "PR.PS-01, GV.RR-02", "GOVERN 1.4"},
	{"config-invalid", NULL, "PR.PS-01", NULL},
	{"secret", "NHI2:2025 Secret Leakage", "PR.DS-01, PR.AA-01", NULL},
	{"traceability", NULL, "ID.RA-07, GV.OV-01", "GOVERN 1.4, MEASURE 2.8"},
	{"no-requirement", NULL, "ID.RA-07", "MEASURE 2.8"},
	{"creep", "NHI5:2025 Overprivileged NHI", "PR.AA-05", "MEASURE 2.7"},
	{"non-template", "NHI5:2025 Overprivileged NHI", "PR.PS-01", "MANAGE 1.3"},
	{"under-grant", NULL, "ID.RA-07", "MEASURE 2.7"},
	{"lint", "NHI5:2025 Overprivileged NHI", "PR.PS-01, PR.AA-05", NULL},
	{"invalid", NULL, "PR.PS-01", NULL},
	{"template-invalid", NULL, "PR.PS-01", NULL},
	{"requirement-invalid", NULL, "ID.RA-07", NULL},
	{"test-failed", NULL, "ID.IM-02", "MEASURE 2.7"},
	{"test-failed-generated", "NHI5:2025 Overprivileged NHI", "ID.IM-02, PR.AA-05", "MEASURE 2.7"},
	{"test-invalid", NULL, "ID.IM-02", NULL},
	{"forged-approval", NULL, "PR.AA-05, GV.RR-02", "GOVERN 3.2"},
	{"approval-invalid", NULL, "PR.AA-05", NULL},
	{"approvals", NULL, "PR.AA-05, GV.RR-02", "GOVERN 3.2, MAP 3.5"},
	{"evidence", NULL, "PR.PS-04, ID.RA-07", "MEASURE 2.8"},
	{NULL, NULL, NULL, NULL},
};

const report_controls *report_controls_for(const char *code)
{
	for (const report_controls *c = controls; c->code; c++)
		if (strcmp(c->code, code) == 0)
			return c;
	return NULL;
}

/* ---- small helpers ---------------------------------------------------------------- */

static const char *approval_status_text(uint8_t s)
{
	return appr_status_name((appr_status)s);
}

static size_t count_sev(const gate_result *r, gate_sev s)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].sev == s;
	return n;
}

/* Changed cells of one kind ('+', '-', '~'), counted as cells. */
static size_t count_cells(const gate_result *r, char c)
{
	return c == '+' ? r->ngain : c == '-' ? r->nlose : r->ncond;
}

/* A commit or hash for display (printed with %.12s), "(none)" when empty. */
static const char *short12(const char *h)
{
	return h && *h ? h : "(none)";
}

/* Distinct risk classes raised, in order of first appearance. */
static size_t risk_classes(const gate_result *r, const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++) {
		if (r->findings[i].sev != GS_RISK)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(out[k], r->findings[i].code) == 0;
		if (!seen && n < cap)
			out[n++] = r->findings[i].code;
	}
	return n;
}

static void where(const gate_finding *f, wbuf *out)
{
	if (f->file) {
		buf_adds(out, f->file);
		if (f->line)
			buf_printf(out, ":%u", f->line);
		if (f->col)
			buf_printf(out, ":%u", f->col);
		buf_adds(out, ": ");
	}
}

/* ---- text ------------------------------------------------------------------------- */

#define C(on, code) ((on) ? "\033[" code "m" : "")

void report_text(const gate_result *r, bool color, wbuf *out)
{
	const char *vc = r->verdict == GATE_PASS ? "1;32" : r->verdict == GATE_BLOCKED ? "1;31" : "1;33";
	buf_printf(out, "ward check: %s%s%s%s%s\n", color ? "\033[" : "", color ? vc : "", color ? "m" : "",
		   gate_verdict_name((gate_verdict)r->verdict), C(color, "0"));
	buf_printf(out, "  change %.12s  base %s (%.12s)  head %.12s\n", short12(r->change), r->base_rev, short12(r->base),
		   short12(r->head));
	buf_printf(out, "  %zu changed file(s)", r->nfiles);
	if (r->nauthors) {
		buf_adds(out, "; authors: ");
		for (size_t i = 0; i < r->nauthors; i++)
			buf_printf(out, "%s%s", i ? ", " : "", r->authors[i]);
	}
	buf_addc(out, '\n');

	static const struct {
		gate_sev s;
		const char *title, *col;
	} groups[] = {{GS_BLOCK, "blocking", "31"}, {GS_RISK, "risk", "33"}, {GS_WARN, "warnings", "35"},
		      {GS_INFO, "notes", "36"}};
	for (size_t g = 0; g < 4; g++) {
		size_t n = count_sev(r, groups[g].s);
		if (!n)
			continue;
		buf_printf(out, "\n%s%s (%zu)%s\n", color ? "\033[1m" : "", groups[g].title, n, C(color, "0"));
		for (size_t i = 0; i < r->nfindings; i++) {
			const gate_finding *f = &r->findings[i];
			if (f->sev != groups[g].s)
				continue;
			if (color)
				buf_printf(out, "  \033[%sm[%s]\033[0m ", groups[g].col, f->code);
			else
				buf_printf(out, "  [%s] ", f->code);
			wbuf w = WBUF_INIT;
			where(f, &w);
			buf_printf(out, "%s%s\n", w.p ? w.p : "", f->msg);
			buf_release(&w);
		}
	}
	if (r->nneeds) {
		buf_printf(out, "\n%sapprovals%s\n", color ? "\033[1m" : "", C(color, "0"));
		for (size_t i = 0; i < r->nneeds; i++) {
			const gate_need *n = &r->needs[i];
			bool ok = n->filled >= n->count;
			buf_printf(out, "  %s%s%s %d of %d by %s (%s: %s)\n", color ? (ok ? "\033[32m" : "\033[33m") : "",
				   ok ? "ok     " : "MISSING", C(color, "0"), n->filled, n->count,
				   strcmp(n->role, APPR_ANY_ROLE) == 0 ? "any reviewer" : n->role, n->cls, n->why);
		}
	}
	for (size_t i = 0; i < r->napprovals; i++) {
		const gate_approval *a = &r->approvals[i];
		buf_printf(out, "  approval %s by %s as %s: %s%s%s\n", a->file, a->reviewer, a->role,
			   approval_status_text(a->status), a->why ? " - " : "", a->why ? a->why : "");
	}
	if (r->tests.ran)
		buf_printf(out, "\ntests: %u passed, %u failed; generated: %u passed, %u failed; coverage %.1f%%\n",
			   r->tests.passed, r->tests.failed, r->tests.gen_passed, r->tests.gen_failed, r->tests.coverage);
	if (r->diff_ran) {
		buf_printf(out, "entitlements: %zu gained, %zu lost, %zu changed\n", count_cells(r, '+'),
			   count_cells(r, '-'), count_cells(r, '~'));
		for (size_t i = 0; i < r->ncells && i < 50; i++) {
			const gate_cell *c = &r->cells[i];
			buf_printf(out, "  %c %s%s%s\n", c->change, c->summary ? c->summary : c->principal,
				   c->condition ? " when " : "", c->condition ? c->condition : "");
		}
		if (r->ncells > 50)
			buf_printf(out, "  ... and %zu more\n", r->ncells - 50);
	} else if (r->diff_note) {
		buf_printf(out, "entitlements: %s\n", r->diff_note);
	}
	if (r->ledger_written)
		buf_printf(out, "evidence: ledger entry %.12s in %s\n", short12(r->ledger_hash), r->ledger_path);
	if (r->verdict == GATE_NEEDS_APPROVAL)
		buf_printf(out, "\nto approve: ward approve --base %s --key KEY --role ROLE [--comment TEXT]\n",
			   r->base_rev);
}

/* ---- JSON ------------------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *result_json(const gate_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "verdict", json_string(gate_verdict_name((gate_verdict)r->verdict)));
	json_object_set_new(o, "exit_code", json_integer(r->verdict));
	json_object_set_new(o, "ward_version", jstr(r->ward_version));
	json_object_set_new(o, "time", json_string(r->time));
	json_object_set_new(o, "base_rev", jstr(r->base_rev));
	json_object_set_new(o, "base", json_string(r->base));
	json_object_set_new(o, "head", json_string(r->head));
	json_object_set_new(o, "change", json_string(r->change));
	json_t *a = json_array();
	for (size_t i = 0; i < r->nfiles; i++) {
		json_t *f = json_object();
		char st[2] = {r->files[i][0], 0};
		json_object_set_new(f, "status", json_string(st));
		json_object_set_new(f, "path", json_string(r->files[i] + 2));
		json_array_append_new(a, f);
	}
	json_object_set_new(o, "files", a);
	a = json_array();
	for (size_t i = 0; i < r->nauthors; i++)
		json_array_append_new(a, json_string(r->authors[i]));
	json_object_set_new(o, "authors", a);
	const char *cls[32];
	size_t nc = risk_classes(r, cls, 32);
	a = json_array();
	for (size_t i = 0; i < nc; i++)
		json_array_append_new(a, json_string(cls[i]));
	json_object_set_new(o, "risk_classes", a);
	a = json_array();
	for (size_t i = 0; i < r->nfindings; i++) {
		const gate_finding *f = &r->findings[i];
		json_t *j = json_object();
		json_object_set_new(j, "severity", json_string(gate_sev_name((gate_sev)f->sev)));
		json_object_set_new(j, "code", json_string(f->code));
		json_object_set_new(j, "policy", jstr(f->policy));
		json_object_set_new(j, "file", jstr(f->file));
		json_object_set_new(j, "line", json_integer(f->line));
		json_object_set_new(j, "column", json_integer(f->col));
		json_object_set_new(j, "message", json_string(f->msg));
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "findings", a);
	a = json_array();
	for (size_t i = 0; i < r->nneeds; i++) {
		const gate_need *n = &r->needs[i];
		json_t *j = json_object();
		json_object_set_new(j, "role", json_string(n->role));
		json_object_set_new(j, "count", json_integer(n->count));
		json_object_set_new(j, "filled", json_integer(n->filled));
		json_object_set_new(j, "classes", json_string(n->cls));
		json_object_set_new(j, "why", json_string(n->why));
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "required_approvals", a);
	a = json_array();
	for (size_t i = 0; i < r->napprovals; i++) {
		const gate_approval *p = &r->approvals[i];
		json_t *j = json_object();
		json_object_set_new(j, "file", jstr(p->file));
		json_object_set_new(j, "reviewer", jstr(p->reviewer));
		json_object_set_new(j, "role", jstr(p->role));
		json_object_set_new(j, "signed_at", jstr(p->signed_at));
		json_object_set_new(j, "comment", jstr(p->comment));
		json_object_set_new(j, "status", json_string(approval_status_text(p->status)));
		json_object_set_new(j, "reason", jstr(p->why));
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "approvals", a);
	a = json_array();
	for (size_t i = 0; i < r->npolicies; i++) {
		const gate_policy *p = &r->policies[i];
		json_t *j = json_object();
		char st[2] = {p->status, 0};
		json_object_set_new(j, "id", jstr(p->id));
		json_object_set_new(j, "file", jstr(p->file));
		json_object_set_new(j, "status", json_string(st));
		json_object_set_new(j, "effect", json_string(p->permit ? "permit" : "forbid"));
		json_object_set_new(j, "template", jstr(p->template_id));
		json_object_set_new(j, "requirement", jstr(p->requirement_id));
		json_object_set_new(j, "requirement_file", jstr(p->requirement_file));
		json_object_set_new(j, "requirement_text", jstr(p->requirement));
		json_object_set_new(j, "explanation", jstr(p->explanation));
		json_object_set_new(j, "text", jstr(p->text));
		json_t *c = json_array();
		for (size_t k = 0; k < p->nclasses; k++)
			json_array_append_new(c, json_string(p->classes[k]));
		json_object_set_new(j, "risk_classes", c);
		json_array_append_new(a, j);
	}
	json_object_set_new(o, "policies", a);
	json_t *dj = json_object();
	json_object_set_new(dj, "ran", json_boolean(r->diff_ran));
	json_object_set_new(dj, "note", jstr(r->diff_note));
	json_object_set_new(dj, "gained", json_integer((json_int_t)count_cells(r, '+')));
	json_object_set_new(dj, "lost", json_integer((json_int_t)count_cells(r, '-')));
	json_object_set_new(dj, "changed", json_integer((json_int_t)count_cells(r, '~')));
	a = json_array();
	for (size_t i = 0; i < r->ncells; i++) {
		const gate_cell *c = &r->cells[i];
		json_t *j = json_object();
		char ch[2] = {c->change, 0};
		json_object_set_new(j, "change", json_string(ch));
		json_object_set_new(j, "principal", jstr(c->principal));
		json_object_set_new(j, "action", jstr(c->action));
		json_object_set_new(j, "resource", jstr(c->resource));
		json_object_set_new(j, "condition", jstr(c->condition));
		json_object_set_new(j, "policies", jstr(c->policies));
		json_object_set_new(j, "summary", jstr(c->summary));
		if (c->relation)
			json_object_set_new(j, "relation", json_string(c->relation));
		json_array_append_new(a, j);
	}
	json_object_set_new(dj, "cells", a);
	json_object_set_new(o, "entitlements", dj);
	json_t *tj = json_object();
	json_object_set_new(tj, "ran", json_boolean(r->tests.ran));
	json_object_set_new(tj, "passed", json_integer(r->tests.passed));
	json_object_set_new(tj, "failed", json_integer(r->tests.failed));
	json_object_set_new(tj, "generated_passed", json_integer(r->tests.gen_passed));
	json_object_set_new(tj, "generated_failed", json_integer(r->tests.gen_failed));
	json_object_set_new(tj, "coverage_percent", json_real(r->tests.coverage));
	a = json_array();
	for (size_t i = 0; i < r->tests.nfailures; i++)
		json_array_append_new(a, json_string(r->tests.failures[i]));
	json_object_set_new(tj, "failures", a);
	json_object_set_new(o, "tests", tj);
	return o;
}

void report_json(const gate_result *r, wbuf *out)
{
	json_t *o = result_json(r);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(o);
}

/* ---- Markdown ---------------------------------------------------------------------- */

static void md_cell(wbuf *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			buf_adds(out, "\\|");
		else if (*s == '\n')
			buf_adds(out, "<br>");
		else if (*s == '<')
			buf_adds(out, "&lt;");
		else
			buf_addc(out, *s);
	}
}

void report_markdown(const gate_result *r, wbuf *out)
{
	buf_printf(out, "## ward check: **%s**\n\n", gate_verdict_name((gate_verdict)r->verdict));
	buf_printf(out, "Change `%.12s` against `%s` (`%.12s`), %zu changed file(s).\n\n", short12(r->change), r->base_rev,
		   short12(r->base), r->nfiles);
	const char *cls[32];
	size_t nc = risk_classes(r, cls, 32);
	if (nc) {
		buf_adds(out, "**Risk:** ");
		for (size_t i = 0; i < nc; i++)
			buf_printf(out, "%s`%s`", i ? " " : "", cls[i]);
		buf_adds(out, "\n\n");
	}
	if (count_sev(r, GS_BLOCK)) {
		buf_adds(out, "### Blocking\n\n");
		for (size_t i = 0; i < r->nfindings; i++) {
			const gate_finding *f = &r->findings[i];
			if (f->sev != GS_BLOCK)
				continue;
			wbuf w = WBUF_INIT;
			where(f, &w);
			buf_printf(out, "- **%s** %s", f->code, w.p ? w.p : "");
			md_cell(out, f->msg);
			buf_addc(out, '\n');
			buf_release(&w);
		}
		buf_addc(out, '\n');
	}
	if (r->nneeds) {
		buf_adds(out, "### Approvals\n\n| role | needed | present | because of |\n| --- | --- | --- | --- |\n");
		for (size_t i = 0; i < r->nneeds; i++) {
			const gate_need *n = &r->needs[i];
			buf_printf(out, "| %s | %d | %d%s | ", strcmp(n->role, APPR_ANY_ROLE) == 0 ? "any reviewer" : n->role,
				   n->count, n->filled, n->filled < n->count ? " (missing)" : "");
			md_cell(out, n->cls);
			buf_adds(out, ": ");
			md_cell(out, n->why);
			buf_adds(out, " |\n");
		}
		buf_addc(out, '\n');
	}
	if (r->napprovals) {
		buf_adds(out, "| approval | reviewer | role | status |\n| --- | --- | --- | --- |\n");
		for (size_t i = 0; i < r->napprovals; i++) {
			const gate_approval *a = &r->approvals[i];
			buf_adds(out, "| ");
			md_cell(out, a->file);
			buf_adds(out, " | ");
			md_cell(out, a->reviewer);
			buf_adds(out, " | ");
			md_cell(out, a->role);
			buf_printf(out, " | %s", approval_status_text(a->status));
			if (a->why) {
				buf_adds(out, ": ");
				md_cell(out, a->why);
			}
			buf_adds(out, " |\n");
		}
		buf_addc(out, '\n');
	}
	if (r->npolicies) {
		buf_adds(out, "### Changed policies\n\n| policy | change | requirement | template | explanation |\n"
			      "| --- | --- | --- | --- | --- |\n");
		for (size_t i = 0; i < r->npolicies; i++) {
			const gate_policy *p = &r->policies[i];
			buf_adds(out, "| `");
			md_cell(out, p->id);
			buf_printf(out, "` | %s | ", p->status == 'A' ? "added" : p->status == 'D' ? "removed" : "modified");
			md_cell(out, p->requirement_id ? p->requirement_id : "-");
			buf_adds(out, " | ");
			md_cell(out, p->template_id ? p->template_id : "-");
			buf_adds(out, " | ");
			md_cell(out, p->explanation ? p->explanation : "");
			buf_adds(out, " |\n");
		}
		buf_addc(out, '\n');
	}
	if (r->tests.ran)
		buf_printf(out, "**Tests:** %u passed, %u failed; generated %u passed, %u failed; coverage %.1f%%\n\n",
			   r->tests.passed, r->tests.failed, r->tests.gen_passed, r->tests.gen_failed, r->tests.coverage);
	if (r->diff_ran)
		buf_printf(out, "**Entitlements:** %zu gained, %zu lost, %zu changed\n\n", count_cells(r, '+'),
			   count_cells(r, '-'), count_cells(r, '~'));
	size_t nw = count_sev(r, GS_RISK) + count_sev(r, GS_WARN);
	if (nw) {
		buf_adds(out, "<details><summary>Risk and warnings</summary>\n\n");
		for (size_t i = 0; i < r->nfindings; i++) {
			const gate_finding *f = &r->findings[i];
			if (f->sev != GS_RISK && f->sev != GS_WARN)
				continue;
			buf_printf(out, "- `%s` ", f->code);
			md_cell(out, f->msg);
			buf_addc(out, '\n');
		}
		buf_adds(out, "\n</details>\n");
	}
}

/* ---- SARIF ------------------------------------------------------------------------- */

void report_sarif(const gate_result *r, wbuf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_t *run = json_object();
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("ward"));
	json_object_set_new(driver, "version", jstr(r->ward_version));
	json_t *rules = json_array();
	const char *seen[64];
	size_t nseen = 0;
	for (size_t i = 0; i < r->nfindings && nseen < 64; i++) {
		bool dup = false;
		for (size_t k = 0; k < nseen && !dup; k++)
			dup = strcmp(seen[k], r->findings[i].code) == 0;
		if (dup)
			continue;
		seen[nseen++] = r->findings[i].code;
		json_t *rule = json_object();
		json_object_set_new(rule, "id", json_string(r->findings[i].code));
		json_t *sd = json_object();
		json_object_set_new(sd, "text", json_string(r->findings[i].code));
		json_object_set_new(rule, "shortDescription", sd);
		const report_controls *c = report_controls_for(r->findings[i].code);
		if (c) {
			json_t *props = json_object();
			json_t *tags = json_array();
			if (c->owasp_nhi)
				json_array_append_new(tags, json_string(c->owasp_nhi));
			if (c->nist_csf)
				json_array_append_new(tags, json_string(c->nist_csf));
			if (c->ai_rmf)
				json_array_append_new(tags, json_string(c->ai_rmf));
			json_object_set_new(props, "tags", tags);
			json_object_set_new(rule, "properties", props);
		}
		json_array_append_new(rules, rule);
	}
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_t *results = json_array();
	for (size_t i = 0; i < r->nfindings; i++) {
		const gate_finding *f = &r->findings[i];
		json_t *res = json_object();
		json_object_set_new(res, "ruleId", json_string(f->code));
		json_object_set_new(res, "level", json_string(f->sev == GS_BLOCK  ? "error"
							      : f->sev == GS_INFO ? "note"
										  : "warning"));
		json_t *msg = json_object();
		json_object_set_new(msg, "text", json_string(f->msg));
		json_object_set_new(res, "message", msg);
		if (f->file) {
			json_t *loc = json_object(), *phys = json_object(), *art = json_object();
			json_object_set_new(art, "uri", json_string(f->file));
			json_object_set_new(phys, "artifactLocation", art);
			if (f->line) {
				json_t *reg = json_object();
				json_object_set_new(reg, "startLine", json_integer(f->line));
				if (f->col)
					json_object_set_new(reg, "startColumn", json_integer(f->col));
				json_object_set_new(phys, "region", reg);
			}
			json_object_set_new(loc, "physicalLocation", phys);
			json_t *locs = json_array();
			json_array_append_new(locs, loc);
			json_object_set_new(res, "locations", locs);
		}
		json_array_append_new(results, res);
	}
	json_object_set_new(run, "results", results);
	json_t *props = json_object();
	json_object_set_new(props, "verdict", json_string(gate_verdict_name((gate_verdict)r->verdict)));
	json_object_set_new(props, "change", json_string(r->change));
	json_object_set_new(run, "properties", props);
	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(root);
}

/* ---- HTML -------------------------------------------------------------------------- */

static void esc(wbuf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default: buf_addc(out, *s);
		}
	}
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f6f7f9;color:#1d2330}"
	"header{padding:18px 28px;background:#1d2330;color:#fff}header h1{margin:0 0 6px;font-size:20px}"
	"header .meta{font:12px ui-monospace,monospace;opacity:.85}"
	"main{padding:18px 28px;max-width:1200px}section{background:#fff;border:1px solid #dde1e8;border-radius:6px;"
	"padding:14px 18px;margin:0 0 16px}h2{font-size:16px;margin:0 0 10px}"
	".verdict{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:700;margin-left:8px}"
	".PASS{background:#1f883d;color:#fff}.BLOCKED{background:#cf222e;color:#fff}"
	".NEEDS-APPROVAL{background:#bf8700;color:#fff}"
	".badge{display:inline-block;padding:2px 8px;margin:2px 4px 2px 0;border-radius:10px;font-size:12px;"
	"background:#fff1c2;border:1px solid #d4a72c;color:#5c4300}"
	".badge.block{background:#ffebe9;border-color:#cf222e;color:#82071e}"
	"table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eaecf0;padding:5px 8px;"
	"text-align:left;vertical-align:top;font-size:13px}th{background:#f3f4f6}"
	".side{display:grid;grid-template-columns:1fr 1fr;gap:12px}.side>div{border:1px solid #eaecf0;"
	"border-radius:4px;padding:8px 10px}.side h3{font-size:13px;margin:0 0 6px;color:#57606a}"
	"pre{white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace;margin:0}"
	".ok{color:#1f883d;font-weight:600}.missing{color:#cf222e;font-weight:600}"
	".plus{color:#1f883d;font-weight:700}.minus{color:#cf222e;font-weight:700}"
	"footer{padding:0 28px 24px;font-size:12px;color:#57606a}";

static void chart(const gate_result *r, wbuf *out)
{
	struct {
		const char *label;
		size_t v;
		const char *color;
	} bars[] = {
		{"entitlements gained", count_cells(r, '+'), "#1f883d"},
		{"entitlements lost", count_cells(r, '-'), "#cf222e"},
		{"conditions changed", count_cells(r, '~'), "#bf8700"},
		{"tests passed", (size_t)r->tests.passed + r->tests.gen_passed, "#0969da"},
		{"tests failed", (size_t)r->tests.failed + r->tests.gen_failed, "#cf222e"},
		{"blocking findings", count_sev(r, GS_BLOCK), "#82071e"},
		{"risk findings", count_sev(r, GS_RISK), "#d4a72c"},
	};
	size_t nb = sizeof bars / sizeof *bars, max = 1;
	for (size_t i = 0; i < nb; i++)
		if (bars[i].v > max)
			max = bars[i].v;
	unsigned h = (unsigned)(nb * 24 + 8);
	buf_printf(out,
		   "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"%u\" role=\"img\" "
		   "aria-label=\"summary chart\">",
		   h);
	for (size_t i = 0; i < nb; i++) {
		unsigned y = (unsigned)(i * 24 + 4);
		unsigned w = (unsigned)(bars[i].v * 300 / max);
		buf_printf(out,
			   "<text x=\"0\" y=\"%u\" font-size=\"12\" fill=\"#1d2330\">%s</text>"
			   "<rect class=\"bar\" data-label=\"%s\" data-value=\"%zu\" x=\"150\" y=\"%u\" width=\"%u\" "
			   "height=\"16\" fill=\"%s\"/>"
			   "<text x=\"%u\" y=\"%u\" font-size=\"12\" fill=\"#1d2330\">%zu</text>",
			   y + 13, bars[i].label, bars[i].label, bars[i].v, y, w ? w : 1, bars[i].color, 150 + w + 6, y + 13,
			   bars[i].v);
	}
	buf_adds(out, "</svg>");
}

void report_html(const gate_result *r, wbuf *out)
{
	const char *v = gate_verdict_name((gate_verdict)r->verdict);
	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
		      "'unsafe-inline'; img-src data:\">"
		      "<title>ward review: ");
	esc(out, v);
	buf_printf(out, " %.12s</title><style>%s</style></head><body>\n", short12(r->change), css);
	buf_printf(out, "<header><h1>ward review<span id=\"verdict\" class=\"verdict %s\" data-verdict=\"%s\">%s</span></h1>",
		   v, v, v);
	buf_adds(out, "<div class=\"meta\">change ");
	esc(out, r->change);
	buf_adds(out, "<br>base ");
	esc(out, r->base_rev);
	buf_adds(out, " (");
	esc(out, r->base);
	buf_adds(out, ") &middot; head ");
	esc(out, *r->head ? r->head : "(none)");
	buf_adds(out, " &middot; ");
	esc(out, r->time);
	buf_adds(out, "</div></header>\n<main>\n");

	/* risk badges */
	buf_adds(out, "<section id=\"risk\"><h2>Risk</h2>");
	const char *cls[32];
	size_t nc = risk_classes(r, cls, 32);
	if (!nc)
		buf_adds(out, "<p>No risk class raised.</p>");
	for (size_t i = 0; i < nc; i++) {
		buf_adds(out, "<span class=\"badge risk\" data-class=\"");
		esc(out, cls[i]);
		buf_adds(out, "\">");
		esc(out, cls[i]);
		buf_adds(out, "</span>");
	}
	size_t nblock = count_sev(r, GS_BLOCK);
	if (nblock) {
		buf_adds(out, "<h2 style=\"margin-top:12px\">Blocking</h2><ul id=\"blocking\">");
		for (size_t i = 0; i < r->nfindings; i++) {
			const gate_finding *f = &r->findings[i];
			if (f->sev != GS_BLOCK)
				continue;
			buf_adds(out, "<li><span class=\"badge block\">");
			esc(out, f->code);
			buf_adds(out, "</span> ");
			wbuf w = WBUF_INIT;
			where(f, &w);
			esc(out, w.p ? w.p : "");
			buf_release(&w);
			esc(out, f->msg);
			buf_adds(out, "</li>");
		}
		buf_adds(out, "</ul>");
	}
	buf_adds(out, "</section>\n");

	/* approvals */
	buf_adds(out, "<section id=\"approvals\"><h2>Approvals</h2>");
	if (!r->nneeds)
		buf_adds(out, "<p>No approval is required.</p>");
	else {
		buf_adds(out, "<table><tr><th>role</th><th>needed</th><th>present</th><th>because of</th></tr>");
		for (size_t i = 0; i < r->nneeds; i++) {
			const gate_need *n = &r->needs[i];
			bool ok = n->filled >= n->count;
			buf_printf(out, "<tr class=\"need %s\"><td>", ok ? "met" : "unmet");
			esc(out, strcmp(n->role, APPR_ANY_ROLE) == 0 ? "any reviewer" : n->role);
			buf_printf(out, "</td><td>%d</td><td class=\"%s\">%d%s</td><td>", n->count, ok ? "ok" : "missing",
				   n->filled, ok ? "" : " (missing)");
			esc(out, n->cls);
			buf_adds(out, ": ");
			esc(out, n->why);
			buf_adds(out, "</td></tr>");
		}
		buf_adds(out, "</table>");
	}
	if (r->napprovals) {
		buf_adds(out, "<h2 style=\"margin-top:12px\">Signed approvals present</h2><table><tr><th>reviewer</th>"
			      "<th>role</th><th>signed</th><th>status</th><th>comment</th></tr>");
		for (size_t i = 0; i < r->napprovals; i++) {
			const gate_approval *a = &r->approvals[i];
			buf_printf(out, "<tr class=\"approval\" data-status=\"%s\"><td>", approval_status_text(a->status));
			esc(out, a->reviewer);
			buf_adds(out, "</td><td>");
			esc(out, a->role);
			buf_adds(out, "</td><td>");
			esc(out, a->signed_at);
			buf_printf(out, "</td><td class=\"%s\">%s", a->status == AS_OK ? "ok" : "missing",
				   approval_status_text(a->status));
			if (a->why) {
				buf_adds(out, ": ");
				esc(out, a->why);
			}
			buf_adds(out, "</td><td>");
			esc(out, a->comment);
			buf_adds(out, "</td></tr>");
		}
		buf_adds(out, "</table>");
	}
	buf_adds(out, "</section>\n");

	/* changed policies: requirement beside explanation */
	buf_printf(out, "<section id=\"policies\"><h2>Changed policies (%zu)</h2>", r->npolicies);
	for (size_t i = 0; i < r->npolicies; i++) {
		const gate_policy *p = &r->policies[i];
		buf_adds(out, "<div class=\"policy\" data-id=\"");
		esc(out, p->id);
		buf_printf(out, "\"><h3>%s <code>", p->status == 'A' ? "added" : p->status == 'D' ? "removed" : "modified");
		esc(out, p->id);
		buf_adds(out, "</code>");
		if (p->file) {
			buf_adds(out, " in ");
			esc(out, p->file);
		}
		if (p->template_id) {
			buf_adds(out, " &middot; template <code>");
			esc(out, p->template_id);
			buf_adds(out, "</code>");
		}
		buf_adds(out, "</h3>");
		for (size_t k = 0; k < p->nclasses; k++) {
			buf_adds(out, "<span class=\"badge risk\">");
			esc(out, p->classes[k]);
			buf_adds(out, "</span>");
		}
		buf_adds(out, "<div class=\"side\"><div class=\"requirement\"><h3>Requirement");
		if (p->requirement_id) {
			buf_adds(out, " ");
			esc(out, p->requirement_id);
			buf_adds(out, " (");
			esc(out, p->requirement_file);
			buf_adds(out, ")");
		}
		buf_adds(out, "</h3><pre>");
		esc(out, p->requirement ? p->requirement : "no linked requirement");
		buf_adds(out, "</pre></div><div class=\"explanation\"><h3>What the policy does</h3><pre>");
		esc(out, p->explanation ? p->explanation : "(no explanation)");
		buf_adds(out, "</pre></div></div><details><summary>policy text</summary><pre>");
		esc(out, p->text);
		buf_adds(out, "</pre></details></div>");
	}
	buf_adds(out, "</section>\n");

	/* entitlements */
	buf_adds(out, "<section id=\"entitlements\"><h2>Entitlement changes</h2>");
	chart(r, out);
	if (!r->diff_ran) {
		buf_adds(out, "<p class=\"note\">");
		esc(out, r->diff_note ? r->diff_note : "the entitlement diff did not run");
		buf_adds(out, "</p>");
	} else if (!r->ncells) {
		buf_adds(out, "<p>No entitlement changes.</p>");
	} else {
		buf_adds(out, "<p>");
		esc(out, r->diff_note);
		buf_adds(out, "</p>");
	}
	if (r->diff_ran && r->ncells) {
		buf_adds(out, "<table id=\"cells\"><tr><th></th><th>principal</th><th>action</th><th>resource</th>"
			      "<th>condition</th><th>by</th></tr>");
		for (size_t i = 0; i < r->ncells; i++) {
			const gate_cell *c = &r->cells[i];
			buf_printf(out, "<tr class=\"cell\" data-change=\"%c\"><td class=\"%s\">%c</td><td>", c->change,
				   c->change == '+' ? "plus" : c->change == '-' ? "minus" : "", c->change);
			esc(out, c->principal);
			buf_adds(out, "</td><td>");
			esc(out, c->action);
			buf_adds(out, "</td><td>");
			esc(out, c->resource);
			buf_adds(out, "</td><td>");
			esc(out, c->condition ? c->condition : "always");
			buf_adds(out, "</td><td>");
			esc(out, c->policies);
			buf_adds(out, "</td></tr>");
		}
		buf_adds(out, "</table>");
	}
	buf_adds(out, "</section>\n");

	/* tests */
	buf_adds(out, "<section id=\"tests\"><h2>Tests and coverage</h2>");
	if (!r->tests.ran)
		buf_adds(out, "<p>The tests did not run (the policies did not load).</p>");
	else {
		buf_printf(out,
			   "<p><span data-tests-passed=\"%u\">%u passed</span>, <span data-tests-failed=\"%u\">%u "
			   "failed</span>; generated from requirements: %u passed, %u failed. Coverage <b "
			   "id=\"coverage\">%.1f%%</b> (%u of %u policies determined a decision, %u of %u conditions "
			   "seen both ways).</p>",
			   r->tests.passed + r->tests.gen_passed, r->tests.passed, r->tests.failed + r->tests.gen_failed,
			   r->tests.failed, r->tests.gen_passed, r->tests.gen_failed, r->tests.coverage,
			   r->tests.ndetermined, r->tests.npolicies, r->tests.nboth, r->tests.nunits);
		if (r->tests.nfailures) {
			buf_adds(out, "<ul>");
			for (size_t i = 0; i < r->tests.nfailures; i++) {
				buf_adds(out, "<li class=\"missing\">");
				esc(out, r->tests.failures[i]);
				buf_adds(out, "</li>");
			}
			buf_adds(out, "</ul>");
		}
	}
	buf_adds(out, "</section>\n");

	/* all findings with controls */
	buf_adds(out, "<section id=\"controls\"><h2>Findings and controls</h2><table><tr><th>severity</th><th>finding"
		      "</th><th>OWASP NHI Top 10</th><th>NIST CSF 2.0</th><th>NIST AI RMF</th><th>detail</th></tr>");
	for (size_t i = 0; i < r->nfindings; i++) {
		const gate_finding *f = &r->findings[i];
		const report_controls *c = report_controls_for(f->code);
		buf_printf(out, "<tr class=\"finding\" data-code=\"%s\"><td>%s</td><td>", f->code,
			   gate_sev_name((gate_sev)f->sev));
		esc(out, f->code);
		buf_adds(out, "</td><td>");
		esc(out, c && c->owasp_nhi ? c->owasp_nhi : "");
		buf_adds(out, "</td><td>");
		esc(out, c && c->nist_csf ? c->nist_csf : "");
		buf_adds(out, "</td><td>");
		esc(out, c && c->ai_rmf ? c->ai_rmf : "");
		buf_adds(out, "</td><td>");
		esc(out, f->msg);
		buf_adds(out, "</td></tr>");
	}
	static const char *const always[] = {"approvals", "evidence"};
	for (size_t i = 0; i < 2; i++) {
		const report_controls *c = report_controls_for(always[i]);
		buf_printf(out, "<tr class=\"control\" data-code=\"%s\"><td>control</td><td>%s</td><td>%s</td><td>%s</td>"
				"<td>%s</td><td>%s</td></tr>",
			   always[i], always[i], c->owasp_nhi ? c->owasp_nhi : "", c->nist_csf, c->ai_rmf,
			   i == 0 ? "signed human approvals, separation of duties, no model approvers"
				  : "hash-chained evidence ledger entry for every check");
	}
	buf_adds(out, "</table></section>\n</main>\n<footer>");
	buf_adds(out, "ward ");
	esc(out, r->ward_version);
	if (r->ledger_path) {
		buf_adds(out, " &middot; evidence ledger ");
		esc(out, r->ledger_path);
	}
	buf_adds(out, " &middot; changed files: ");
	for (size_t i = 0; i < r->nfiles; i++) {
		esc(out, r->files[i]);
		if (i + 1 < r->nfiles)
			buf_adds(out, ", ");
	}
	buf_adds(out, "</footer>\n</body></html>\n");
}

/* ---- evidence bundle ---------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *data, size_t n, wdiags *d)
{
	char *p = gio_join(dir, name);
	int rc = gio_write_atomic(p, data, n, 0644, true, d);
	free(p);
	return rc;
}

static bool dir_empty(const char *dir)
{
	size_t n = 0;
	char **l = gio_list(dir, "", &n);
	gio_list_free(l, n);
	return n == 0;
}

int report_evidence(const ledger_entry *es, size_t n, const char *dir, wdiags *d)
{
	if (!n) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "no ledger entry for this change");
		return -1;
	}
	struct stat st;
	bool exists = stat(dir, &st) == 0;
	if (exists && (!S_ISDIR(st.st_mode) || !dir_empty(dir))) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "'%s' exists and is not an empty directory; refusing to overwrite it",
			 dir);
		return -1;
	}
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string("ward-evidence-v1"));
	json_object_set_new(o, "change", json_string(es[n - 1].change));
	json_t *arr = json_array();
	json_t *ctl = json_object();
	for (size_t i = 0; i < n; i++) {
		const ledger_entry *e = &es[i];
		json_t *j = json_object();
		json_object_set_new(j, "seq", json_integer(e->seq));
		json_object_set_new(j, "time", json_string(e->time));
		json_object_set_new(j, "base", json_string(e->base));
		json_object_set_new(j, "head", json_string(e->head));
		json_object_set_new(j, "verdict", json_string(e->verdict));
		json_object_set_new(j, "prev_hash", json_string(e->prev));
		json_object_set_new(j, "hash", json_string(e->hash));
		json_error_t je;
		json_t *rep = json_loads(e->report, 0, &je);
		json_object_set_new(j, "report", rep ? rep : json_string(e->report));
		if (rep && i == n - 1) {
			json_t *fs = json_object_get(rep, "findings"), *f;
			size_t k;
			json_array_foreach(fs, k, f) {
				const char *code = json_string_value(json_object_get(f, "code"));
				const report_controls *c = code ? report_controls_for(code) : NULL;
				if (!c || json_object_get(ctl, code))
					continue;
				json_t *m = json_object();
				json_object_set_new(m, "owasp_nhi_top10", jstr(c->owasp_nhi));
				json_object_set_new(m, "nist_csf_2", jstr(c->nist_csf));
				json_object_set_new(m, "nist_ai_rmf", jstr(c->ai_rmf));
				json_object_set_new(ctl, code, m);
			}
		}
		json_array_append_new(arr, j);
	}
	static const char *const always[] = {"approvals", "evidence"};
	for (size_t i = 0; i < 2; i++) {
		const report_controls *c = report_controls_for(always[i]);
		json_t *m = json_object();
		json_object_set_new(m, "owasp_nhi_top10", jstr(c->owasp_nhi));
		json_object_set_new(m, "nist_csf_2", jstr(c->nist_csf));
		json_object_set_new(m, "nist_ai_rmf", jstr(c->ai_rmf));
		json_object_set_new(ctl, always[i], m);
	}
	json_object_set_new(o, "entries", arr);
	json_object_set_new(o, "controls", ctl);
	char *js = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	size_t jl = strlen(js);

	/* build in a temporary sibling directory, then rename it into place */
	size_t dl = strlen(dir);
	char *tmp = xmalloc(dl + 16);
	snprintf(tmp, dl + 16, "%s.wardXXXXXX", dir);
	int rc = -1;
	if (!mkdtemp(tmp)) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	js = xrealloc(js, jl + 2);
	js[jl] = '\n';
	js[jl + 1] = '\0';
	if (write_file(tmp, "evidence.json", js, jl + 1, d) ||
	    write_file(tmp, "review.html", es[n - 1].html, strlen(es[n - 1].html), d) || chmod(tmp, 0755) != 0 ||
	    (exists && rmdir(dir) != 0) || rename(tmp, dir) != 0) {
		if (!d->nerrors)
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot write '%s': %s", dir, strerror(errno));
		char *a = gio_join(tmp, "evidence.json"), *b = gio_join(tmp, "review.html");
		unlink(a);
		unlink(b);
		free(a);
		free(b);
		rmdir(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(js);
	return rc;
}
