/* cmd_templates: `ward templates`, the repository's approved templates.
 *
 *   ward templates [list]        id, risk, kinds and parameters of each
 *   ward templates check         load and validate every template (exit 1 on errors)
 *   ward templates match FILE... is each policy an instance of an approved
 *                                template? names it and the parameter values
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/parser.h"
#include "api/api.h"
#include "cli/cli.h"
#include "govern/gio.h"
#include "govern/match.h"
#include "govern/repo.h"
#include "govern/template.h"
#include "util/xalloc.h"

int cmd_templates(int argc, char **argv, struct ward_cli *cli);

/* Prints engine diagnostics in the chosen --error-format (human, plain or
 * JSON) through the command line's own printer. (A candidate for common.c
 * as cli_print_wdiags.) */
static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

static void print_list(struct ward_cli *cli, const tcatalog *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const tmpl *t = &c->items[i];
		fprintf(cli->out, "%s (%s risk; ", t->id, t->risk);
		const char *kn[] = {"grant", "exception", "break-glass"};
		int first = 1;
		for (int k = 0; k < 3; k++)
			if (t->kinds & (1u << k)) {
				fprintf(cli->out, "%s%s", first ? "" : ", ", kn[k]);
				first = 0;
			}
		fprintf(cli->out, ")\n  %s\n  parameters:", t->description);
		if (t->pol->principal.slot)
			fprintf(cli->out, " ?principal");
		if (t->pol->resource.slot)
			fprintf(cli->out, " ?resource");
		for (size_t j = 0; j < t->nparams; j++) {
			const tparam *p = &t->params[j];
			fprintf(cli->out, " %s: %s%s", p->name, gtype_name(p->type), p->optional ? "?" : "");
			if (p->nchoices) {
				fprintf(cli->out, " (");
				for (size_t k = 0; k < p->nchoices; k++)
					fprintf(cli->out, "%s%s", k ? "|" : "", p->choices[k]);
				fprintf(cli->out, ")");
			}
			if (j + 1 < t->nparams)
				fputc(',', cli->out);
		}
		fprintf(cli->out, "\n  file: %s\n", t->path);
	}
}

static int do_match(struct ward_cli *cli, repo *r, const tcatalog *c, const char **files, int nfiles, wdiags *d)
{
	int bad = 0;
	for (int i = 0; i < nfiles; i++) {
		size_t len;
		char *text = gio_read(files[i], 0, &len, d);
		if (!text) {
			bad++;
			continue;
		}
		wpolicyset ps;
		policyset_init(&ps);
		if (parse_policies(&r->cx, &ps, files[i], text, len, d) || policyset_use_annotation_ids(&ps, d)) {
			bad++;
		} else {
			for (uint32_t k = 0; k < ps.n; k++) {
				const wpolicy *p = ps.items[k];
				match_result m;
				wbuf why = WBUF_INIT;
				if (match_catalog(r, c, p, &m, &why) == 0) {
					fprintf(cli->out, "%s: policy '%s' is an instance of template '%s' (%s risk)\n",
						files[i], p->id, m.t->id, m.t->risk);
					for (size_t j = 0; j < m.n; j++)
						fprintf(cli->out, "  %s = %s\n", m.names[j], m.values[j]);
					match_result_release(&m);
				} else {
					wspan at = {p->span.start, p->span.start};
					wbuf req = WBUF_INIT;
					if (match_requires_template(r, p, &req))
						buf_printf(&why, " (the repository requires one here: it %s)", req.p);
					diag_add(d, WSEV_ERROR, p->src, at, "policy '%s' is not an approved template instance: %s",
						 p->id, why.p);
					buf_release(&req);
					bad++;
				}
				buf_release(&why);
			}
		}
		/* print while the policy set (which the diagnostics point into) lives */
		print_wdiags(cli, d);
		diags_release(d);
		diags_init(d);
		policyset_release(&ps);
		free(text);
	}
	return bad;
}

int cmd_templates(int argc, char **argv, struct ward_cli *cli)
{
	const char *repo_dir = NULL;
	const struct cli_opt opts[] = {
		{"repo", 'C', "DIR", "the policy repository (default: found from the current directory)", &repo_dir, NULL,
		 NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options] [list | check | match FILE...]",
		.about = "The repository's approved templates: list them, check that each parses and validates\n"
			 "against the schema, or decide whether the policies in FILEs are instances of them\n"
			 "(naming the template and every parameter value).",
		.opts = opts,
		.min_pos = 0,
		.max_pos = 256,
		.notes = "exit status: 0 ok (match: every policy is an instance), 1 otherwise.\n",
	};
	const char *pos[256];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	const char *sub = npos ? pos[0] : "list";
	if (strcmp(sub, "list") && strcmp(sub, "check") && strcmp(sub, "match")) {
		cli_error(cli, "unknown subcommand '%s'; expected list, check or match", sub);
		return WARD_EXIT_FAILURE;
	}
	if (strcmp(sub, "match") == 0 && npos < 2) {
		cli_error(cli, "'match' needs policy files");
		return WARD_EXIT_FAILURE;
	}
	if (strcmp(sub, "match") != 0 && npos > 1) {
		cli_error(cli, "'%s' takes no arguments", sub);
		return WARD_EXIT_FAILURE;
	}
	char *root = repo_dir ? xstrdup(repo_dir) : repo_find(".");
	if (!root) {
		cli_error(cli, "no ward.yaml found here or above; run 'ward init' or pass --repo DIR");
		return WARD_EXIT_FAILURE;
	}
	repo r;
	wdiags d;
	diags_init(&d);
	tcatalog cat = {0};
	int rc = WARD_EXIT_FAILURE;
	if (repo_open(&r, root, REPO_NO_ENTITIES, &d) < 0)
		goto out;
	int lerr = tcatalog_load(&cat, &r, &d);
	if (strcmp(sub, "check") == 0) {
		if (lerr == 0) {
			fprintf(cli->out, "%zu template%s ok\n", cat.n, cat.n == 1 ? "" : "s");
			rc = WARD_EXIT_OK;
		}
	} else if (strcmp(sub, "list") == 0) {
		print_list(cli, &cat);
		rc = lerr ? WARD_EXIT_FAILURE : WARD_EXIT_OK;
	} else if (lerr == 0) {
		print_wdiags(cli, &d);
		diags_release(&d);
		diags_init(&d);
		rc = do_match(cli, &r, &cat, pos + 1, npos - 1, &d) ? WARD_EXIT_FAILURE : WARD_EXIT_OK;
	}
out:
	print_wdiags(cli, &d);
	tcatalog_release(&cat);
	repo_close(&r);
	diags_release(&d);
	free(root);
	return rc;
}
