/* cmd_check_intent: `ward check-intent REQ.yaml --base REV [--head ...]`:
 * the cells a change grants compared with what its requirement asks for
 * (src/analysis/intent.h). Privilege creep fails (exit 3); under-grants are
 * reported. Runs in the policy repository (ward.yaml), whose schema, entity
 * snapshot, environments and constraint kinds the requirement is read with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/intent.h"
#include "analysis/revision.h"
#include "cedar/parser.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"
#include "govern/repo.h"
#include "govern/requirement.h"
#include "util/xalloc.h"

int cmd_check_intent(int argc, char **argv, struct ward_cli *cli)
{
	const char *base = NULL, *head = NULL, *repo_dir = NULL, *entities = NULL, *format = NULL;
	const struct cli_opt opts[] = {
		{"base", 'b', "REV|DIR|FILE", "the policies before the change: a git revision, a directory or a file",
		 &base, NULL, NULL},
		{"head", 0, "REV|DIR|FILE", "the policies after the change (default: the repository's working tree)",
		 &head, NULL, NULL},
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory holding ward.yaml)",
		 &repo_dir, NULL, NULL},
		{"entities", 0, "FILE", "entity snapshot (default: the repository's entities/*.json)", &entities, NULL,
		 NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &format, NULL, acli_formats_text_json},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "REQUIREMENT --base REV|DIR|FILE [--head REV|DIR|FILE] [options]",
		.about = "Compare what a change grants (the entitlement diff) with what its requirement asks for.\n"
			 "Anything beyond it (wider subject, extra actions, resources outside the container, other\n"
			 "environments, missing or weaker constraints) is privilege creep and fails; requested\n"
			 "access the change does not grant is reported as an under-grant.",
		.opts = opts,
		.min_pos = 1,
		.max_pos = 1,
		.notes = "exit status: 0 the change matches the requirement, 3 privilege creep, 1 bad input.\n",
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
	char *root = repo_dir ? xstrdup(repo_dir) : repo_find(".");
	if (!root) {
		cli_error(cli, "not in a ward repository (no ward.yaml here or above); use --repo DIR");
		return WARD_EXIT_FAILURE;
	}
	wdiags d;
	diags_init(&d);
	repo r;
	requirement rq;
	memset(&rq, 0, sizeof rq);
	bool has_rq = false;
	wpolicyset pb, ph;
	policyset_init(&pb);
	policyset_init(&ph);
	wdiff df;
	diff_init(&df);
	wintent w;
	intent_init(&w);
	went_index *ix = NULL;
	int rc = WARD_EXIT_FAILURE;
	int ropen = repo_open(&r, root, entities ? REPO_NO_ENTITIES : 0, &d);
	if (ropen < 0)
		goto out;
	if (entities) {
		if (rev_load_entities(&r.cx, entities, r.has_schema ? &r.schema : NULL, &r.ents, &d))
			goto out;
		r.has_ents = true;
	}
	size_t len;
	char *text = rev_read_file(pos[0], &len, &d);
	if (!text)
		goto out;
	has_rq = true;
	int lr = req_load(&rq, &r, pos[0], text, len, NULL, false, &d);
	free(text);
	if (lr < 0)
		goto out;
	wrev_kind k;
	int errs = rev_load_policies(&r.cx, base, root, &pb, &k, &d);
	errs += rev_load_policies(&r.cx, head ? head : root, root, &ph, &k, &d);
	if (errs)
		goto out;
	ix = ent_index_new(&r.cx, &r.ents, r.has_schema ? &r.schema : NULL);
	if (diff_compute(ix, &pb, &ph, &df, &d) < 0 || intent_check(ix, &rq, &df, &ph, &w, &d) < 0)
		goto out;
	wbuf b = WBUF_INIT;
	if (format && strcmp(format, "json") == 0)
		intent_print_json(&w, &b);
	else
		intent_print_text(&w, &b);
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	rc = w.ncreep ? WARD_EXIT_INVALID : WARD_EXIT_OK;
out:
	acli_print_diags(cli, &d);
	ent_index_free(ix);
	intent_release(&w);
	diff_release(&df);
	diags_release(&d);
	policyset_release(&pb);
	policyset_release(&ph);
	if (has_rq)
		req_release(&rq);
	repo_close(&r);
	free(root);
	return rc;
}
