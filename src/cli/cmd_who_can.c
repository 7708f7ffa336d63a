/* cmd_who_can: `ward who-can ACTION RESOURCE`, and cmd_what_can: `ward
 * what-can PRINCIPAL [ACTION]`: access queries over the entity snapshot with
 * residual conditions (src/analysis/query.h). Exit status 0, 1 on bad input.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/query.h"
#include "analysis/revision.h"
#include "cedar/parser.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"

struct query_opts {
	const char *policies, *repo, *schema, *entities, *format;
};

static int run_query(struct ward_cli *cli, int argc, char **argv, bool who)
{
	struct query_opts o;
	memset(&o, 0, sizeof o);
	const struct cli_opt opts[] = {
		{"policies", 'p', "REV|DIR|FILE",
		 "the policy set: a file, a directory or a git revision (default: the repository's working tree)",
		 &o.policies, NULL, NULL},
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory holding ward.yaml)", &o.repo,
		 NULL, NULL},
		{"schema", 's', "FILE", "schema (default: the repository's schema.cedarschema)", &o.schema, NULL,
		 NULL},
		{"entities", 0, "FILE", "entity snapshot (default: the repository's entities/*.json)", &o.entities,
		 NULL, NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &o.format, NULL, acli_formats_text_json},
		CLI_OPT_END,
	};
	const struct cli_spec spec_who = {
		.usage = "[options] ACTION RESOURCE",
		.about = "Every principal of the entity snapshot allowed to perform ACTION on RESOURCE, always or\n"
			 "under a condition on the request context (shown). ACTION may be a bare name ('read').",
		.opts = opts,
		.min_pos = 2,
		.max_pos = 2,
	};
	const struct cli_spec spec_what = {
		.usage = "[options] PRINCIPAL [ACTION]",
		.about = "Every (action, resource) of the entity snapshot that PRINCIPAL is allowed, always or under\n"
			 "a condition on the request context (shown); only ACTION when given.",
		.opts = opts,
		.min_pos = 1,
		.max_pos = 2,
	};
	const char *pos[2] = {NULL, NULL};
	int npos = 0;
	int pr = cli_parse(cli, who ? &spec_who : &spec_what, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	wdiags d;
	diags_init(&d);
	wsnapshot snap;
	wpolicyset ps;
	policyset_init(&ps);
	wquery q;
	query_init(&q);
	went_index *ix = NULL;
	int rc = WARD_EXIT_FAILURE;
	if (rev_snapshot_open(&snap, o.repo, o.schema, o.entities, &d) < 0)
		goto out;
	wuid a, r, p;
	if (who) {
		if (acli_parse_uid(cli, &snap.cx, "action", pos[0], true, &a) < 0 ||
		    acli_parse_uid(cli, &snap.cx, "resource", pos[1], false, &r) < 0)
			goto out;
	} else {
		if (acli_parse_uid(cli, &snap.cx, "principal", pos[0], false, &p) < 0 ||
		    (npos > 1 && acli_parse_uid(cli, &snap.cx, "action", pos[1], true, &a) < 0))
			goto out;
	}
	if (who ? (acli_check_uid(cli, &snap, a, true) < 0 || acli_check_uid(cli, &snap, r, false) < 0)
		: (acli_check_uid(cli, &snap, p, false) < 0 || (npos > 1 && acli_check_uid(cli, &snap, a, true) < 0)))
		goto out;
	wrev_kind k;
	if (rev_load_policies(&snap.cx, o.policies ? o.policies : snap.root, snap.root, &ps, &k, &d))
		goto out;
	ix = ent_index_new(&snap.cx, &snap.es, snap.has_schema ? &snap.schema : NULL);
	int qrc = who ? query_who_can(ix, &ps, a, r, &q, &d) : query_what_can(ix, &ps, p, npos > 1 ? &a : NULL, &q, &d);
	if (qrc < 0)
		goto out;
	wbuf b = WBUF_INIT;
	if (o.format && strcmp(o.format, "json") == 0)
		query_print_json(&q, &b);
	else
		query_print_text(&q, &b);
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	rc = WARD_EXIT_OK;
out:
	acli_print_diags(cli, &d);
	ent_index_free(ix);
	query_release(&q);
	diags_release(&d);
	policyset_release(&ps);
	rev_snapshot_close(&snap);
	return rc;
}

int cmd_who_can(int argc, char **argv, struct ward_cli *cli)
{
	return run_query(cli, argc, argv, true);
}

int cmd_what_can(int argc, char **argv, struct ward_cli *cli)
{
	return run_query(cli, argc, argv, false);
}
