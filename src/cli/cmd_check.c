/* cmd_check: `ward check`, the merge gate for CI.
 *
 * Runs src/govern/gate.c on the policy repository's working tree against a
 * base revision, prints the report in the chosen format and exits with the
 * verdict: 0 PASS, 3 BLOCKED, 4 NEEDS-APPROVAL, 1 could not run. Every run
 * appends an entry to the evidence ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/gate.h"
#include "govern/gio.h"
#include "govern/report.h"
#include "util/buf.h"

int cmd_check(int argc, char **argv, struct ward_cli *cli);

static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

static const char *const formats[] = {"text", "json", "markdown", "sarif", "html", NULL};

int cmd_check(int argc, char **argv, struct ward_cli *cli)
{
	const char *base = NULL, *format = NULL, *out = NULL, *html = NULL, *repo_dir = NULL;
	const struct cli_opt opts[] = {
		{"base", 0, "REV", "the revision to compare with (default: main, else master)", &base, NULL, NULL},
		{"format", 0, "FORMAT", "report format: text (default), json, markdown, sarif or html", &format, NULL,
		 formats},
		{"out", 'o', "FILE", "write the report to FILE instead of standard output", &out, NULL, NULL},
		{"html", 0, "FILE", "also write the HTML review page to FILE", &html, NULL, NULL},
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory upward with ward.yaml)",
		 &repo_dir, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[--base REV] [--format FORMAT] [--out FILE] [--html FILE]",
		.about = "The merge gate. Compares the working tree with the base revision (read with libgit2, no\n"
			 "checkout) and checks the change: validation, tests (generated ones included), traceability,\n"
			 "the template-instance check, secrets, risk classification and the signed approvals the risk\n"
			 "requires, judged by ward.yaml as of the base. Each run appends to the evidence ledger.",
		.opts = opts,
		.notes = "exit status: 0 PASS, 3 BLOCKED, 4 NEEDS-APPROVAL, 1 could not run.\n",
	};
	const char *pos[1];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	const char *fmt = format ? format : "text";
	gate_opts o = {.root = repo_dir, .base = base, .now = 0};
	gate_result r;
	wdiags d;
	diags_init(&d);
	int v = gate_run(&o, &r, &d);
	if (v < 0) {
		print_wdiags(cli, &d);
		diags_release(&d);
		gate_result_release(&r);
		return WARD_EXIT_FAILURE;
	}
	wbuf b = WBUF_INIT;
	if (strcmp(fmt, "json") == 0)
		report_json(&r, &b);
	else if (strcmp(fmt, "markdown") == 0)
		report_markdown(&r, &b);
	else if (strcmp(fmt, "sarif") == 0)
		report_sarif(&r, &b);
	else if (strcmp(fmt, "html") == 0)
		report_html(&r, &b);
	else {
		const char *nc = getenv("NO_COLOR");
		bool color = !out && isatty(fileno(cli->out)) && !(nc && *nc);
		report_text(&r, color, &b);
	}
	int rc = v;
	if (out) {
		if (gio_write_atomic(out, b.p ? b.p : "", b.n, 0644, false, &d) != 0)
			rc = WARD_EXIT_FAILURE;
	} else {
		fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	}
	if (html && rc != WARD_EXIT_FAILURE) {
		wbuf h = WBUF_INIT;
		report_html(&r, &h);
		if (gio_write_atomic(html, h.p, h.n, 0644, false, &d) != 0)
			rc = WARD_EXIT_FAILURE;
		buf_release(&h);
	}
	print_wdiags(cli, &d);
	buf_release(&b);
	diags_release(&d);
	gate_result_release(&r);
	return rc;
}
