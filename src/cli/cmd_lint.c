/* cmd_lint: `ward lint`, the lint rules over a policy set (src/analysis/lint.h).
 *
 * Reads the policies (the repository's working tree by default), the
 * severities from ward.yaml's `lint` section, the entity snapshot when there
 * is one (for the vacuous / redundant / shadowed rules) and, with --base, the
 * base revision (for guardrail-weakened). Prints text, JSON or SARIF 2.1.0;
 * --output writes the report atomically instead (never a partial file).
 * Exit status: 0 no error-level finding, 3 some, 1 bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/lint.h"
#include "analysis/revision.h"
#include "cedar/ext.h"
#include "cedar/parser.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"
#include "govern/gio.h"
#include "govern/yaml.h"

static const char *const lint_formats[] = {"text", "json", "sarif", NULL};

int cmd_lint(int argc, char **argv, struct ward_cli *cli)
{
	const char *policies = NULL, *base = NULL, *repo = NULL, *schema = NULL, *entities = NULL, *format = NULL,
		   *output = NULL, *now = NULL;
	bool no_snapshot = false;
	const struct cli_opt opts[] = {
		{"policies", 'p', "REV|DIR|FILE", "the policies to lint (default: the repository's working tree)",
		 &policies, NULL, NULL},
		{"base", 'b', "REV|DIR|FILE", "also check the change from this base (guardrails weakened or removed)",
		 &base, NULL, NULL},
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory holding ward.yaml)", &repo,
		 NULL, NULL},
		{"schema", 's', "FILE", "schema (default: the repository's schema.cedarschema)", &schema, NULL, NULL},
		{"entities", 0, "FILE", "entity snapshot for the snapshot rules (default: the repository's entities/)",
		 &entities, NULL, NULL},
		{"format", 0, "FORMAT", "output: text (default), json or sarif", &format, NULL, lint_formats},
		{"output", 'o', "FILE", "write the report to FILE (atomically) instead of standard output", &output,
		 NULL, NULL},
		{"no-snapshot", 0, NULL, "skip the rules decided over the entity snapshot (vacuous, redundant, shadowed)",
		 NULL, &no_snapshot, NULL},
		{"now", 0, "DATETIME", "the current time for @expires (default: the clock), e.g. 2027-01-01", &now,
		 NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options]",
		.about = "Check policies against ward's lint rules: unconstrained scopes, wildcard patterns, missing\n"
			 "traceability, expired or unbounded exceptions, human-only conditions on workloads, AI agents\n"
			 "with destructive actions, dead, redundant or shadowed policies, weakened guardrails.\n"
			 "Severities come from the `lint` section of ward.yaml (rule id or name: error, warning,\n"
			 "note or off).",
		.opts = opts,
		.notes = "exit status: 0 no error-level finding, 3 error-level findings, 1 bad input.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	wdiags d;
	diags_init(&d);
	wsnapshot snap;
	wpolicyset ps, pb;
	policyset_init(&ps);
	policyset_init(&pb);
	wlint_config cfg;
	lint_config_default(&cfg);
	ydoc cfgdoc;
	memset(&cfgdoc, 0, sizeof cfgdoc);
	bool has_doc = false;
	wlint l;
	lint_init(&l);
	went_index *ix = NULL;
	int rc = WARD_EXIT_FAILURE;
	if (rev_snapshot_open(&snap, repo, schema, entities, &d) < 0)
		goto out;
	if (now) {
		int64_t ms;
		if (ext_parse_datetime(now, strlen(now), &ms) < 0) {
			cli_error(cli, "invalid value '%s' for '--now': expected a date such as 2027-01-01", now);
			goto out;
		}
		cfg.now_ms = ms;
	}
	char *yp = gio_join(snap.root, "ward.yaml");
	if (gio_exists(yp)) {
		size_t len;
		char *text = rev_read_file(yp, &len, &d);
		has_doc = true;
		int errs = text ? lint_config_yaml(&cfg, &cfgdoc, yp, text, len, &d) : 1;
		free(text);
		if (errs) {
			free(yp);
			goto out;
		}
	}
	free(yp);
	wrev_kind k;
	int errs = rev_load_policies(&snap.cx, policies ? policies : snap.root, snap.root, &ps, &k, &d);
	if (base)
		errs += rev_load_policies(&snap.cx, base, snap.root, &pb, &k, &d);
	if (errs)
		goto out;
	cfg.no_snapshot_rules = no_snapshot;
	if (snap.has_entities)
		ix = ent_index_new(&snap.cx, &snap.es, snap.has_schema ? &snap.schema : NULL);
	if (lint_run(&cfg, ix, &ps, base ? &pb : NULL, &l, &d) < 0)
		goto out;
	wbuf b = WBUF_INIT;
	if (format && strcmp(format, "json") == 0)
		lint_print_json(&l, &b);
	else if (format && strcmp(format, "sarif") == 0)
		lint_print_sarif(&l, snap.root, &b);
	else
		lint_print_text(&l, &b);
	if (output) {
		if (gio_write_atomic(output, b.p ? b.p : "", b.n, 0644, false, &d) < 0) {
			buf_release(&b);
			goto out;
		}
	} else {
		fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	}
	buf_release(&b);
	rc = l.nerrors ? WARD_EXIT_INVALID : WARD_EXIT_OK;
out:
	acli_print_diags(cli, &d);
	ent_index_free(ix);
	lint_release(&l);
	diags_release(&d);
	policyset_release(&ps);
	policyset_release(&pb);
	lint_config_release(&cfg);
	if (has_doc)
		ydoc_release(&cfgdoc);
	rev_snapshot_close(&snap);
	return rc;
}
