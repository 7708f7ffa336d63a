/* cmd_diff: `ward diff`, the entitlement diff between two policy sets.
 *
 * Loads the entity snapshot (and schema) once, the base and head policy sets
 * (each a git revision, a directory or a file; the head defaults to the
 * repository's working tree), and prints the (principal, action, resource)
 * cells whose decision changes, grouped, with residual conditions
 * (src/analysis/diff.h). Exit status 0 (whether or not access changes), 1 on
 * bad input.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/diff.h"
#include "analysis/revision.h"
#include "cedar/parser.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"

int cmd_diff(int argc, char **argv, struct ward_cli *cli)
{
	const char *base = NULL, *head = NULL, *repo = NULL, *schema = NULL, *entities = NULL, *format = NULL;
	bool timing = false;
	const struct cli_opt opts[] = {
		{"base", 'b', "REV|DIR|FILE", "the policies before the change: a git revision, a directory or a file",
		 &base, NULL, NULL},
		{"head", 0, "REV|DIR|FILE", "the policies after the change (default: the repository's working tree)",
		 &head, NULL, NULL},
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory holding ward.yaml)", &repo,
		 NULL, NULL},
		{"schema", 's', "FILE", "schema (default: the repository's schema.cedarschema)", &schema, NULL, NULL},
		{"entities", 0, "FILE", "entity snapshot (default: the repository's entities/*.json)", &entities, NULL,
		 NULL},
		{"format", 0, "FORMAT", "output: text (default), json or markdown", &format, NULL,
		 acli_formats_diff},
		{"timing", 't', NULL, "report the time spent on stderr", NULL, &timing, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--base REV|DIR|FILE [--head REV|DIR|FILE] [options]",
		.about = "The entitlement diff: every (principal, action, resource) cell of the entity snapshot whose\n"
			 "decision changes between two policy sets, grouped, with the condition on the request\n"
			 "context under which access holds. A path that exists is read as a file or directory\n"
			 "(its policies/ when it has one); anything else is a git revision, read without a checkout.",
		.opts = opts,
		.notes = "exit status: 0 diff computed (with or without changes), 1 bad input.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!base) {
		cli_error(cli, "no base given: use --base REV|DIR|FILE (e.g. --base main)");
		return WARD_EXIT_FAILURE;
	}
	wdiags d;
	diags_init(&d);
	wsnapshot snap;
	wpolicyset pb, ph;
	policyset_init(&pb);
	policyset_init(&ph);
	wdiff df;
	diff_init(&df);
	went_index *ix = NULL;
	int rc = WARD_EXIT_FAILURE;
	if (rev_snapshot_open(&snap, repo, schema, entities, &d) < 0)
		goto out;
	wrev_kind kb, kh;
	const char *head_spec = head ? head : snap.root;
	int errs = rev_load_policies(&snap.cx, base, snap.root, &pb, &kb, &d);
	errs += rev_load_policies(&snap.cx, head_spec, snap.root, &ph, &kh, &d);
	if (errs)
		goto out;
	ix = ent_index_new(&snap.cx, &snap.es, snap.has_schema ? &snap.schema : NULL);
	if (diff_compute(ix, &pb, &ph, &df, &d) < 0)
		goto out;
	const char *hl = head ? head : "working tree";
	wbuf b = WBUF_INIT;
	if (format && strcmp(format, "json") == 0)
		diff_print_json(&df, base, hl, &b);
	else if (format && strcmp(format, "markdown") == 0)
		diff_print_markdown(&df, base, hl, &b);
	else
		diff_print_text(&df, base, hl, &b);
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	if (timing)
		fprintf(cli->err, "diff time: %.1f ms (%zu cells in scope)\n", df.seconds * 1e3, df.nscope);
	rc = WARD_EXIT_OK;
out:
	acli_print_diags(cli, &d);
	ent_index_free(ix);
	diff_release(&df);
	diags_release(&d);
	policyset_release(&pb);
	policyset_release(&ph);
	rev_snapshot_close(&snap);
	return rc;
}
