/* cmd_init: `ward init [DIR]`, a new policy repository with a worked example.
 *
 * Writes the embedded example (govern/init.h): ward.yaml, the schema, an
 * entity snapshot, approved templates, requirements with their policies,
 * guardrails and tests. Refuses to overwrite anything.
 */
#include <stdio.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/init.h"

int cmd_init(int argc, char **argv, struct ward_cli *cli);

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

int cmd_init(int argc, char **argv, struct ward_cli *cli)
{
	const struct cli_opt opts[] = {CLI_OPT_END};
	const struct cli_spec spec = {
		.usage = "[DIR]",
		.about = "Create a policy repository in DIR (default: the current directory) with a worked example:\n"
			 "ward.yaml, schema.cedarschema, entities/, templates/, requests/, policies/ and tests/.\n"
			 "Nothing is overwritten: if any of these files exists, nothing is written.",
		.opts = opts,
		.min_pos = 0,
		.max_pos = 1,
		.notes = "exit status: 0 created, 1 otherwise.\n",
	};
	const char *pos[1];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	const char *dir = npos ? pos[0] : ".";
	wdiags d;
	diags_init(&d);
	size_t n = 0;
	int rc = init_repo(dir, &n, &d);
	print_wdiags(cli, &d);
	diags_release(&d);
	if (rc < 0)
		return WARD_EXIT_FAILURE;
	fprintf(cli->out,
		"created a policy repository in %s (%zu files)\n"
		"next steps:\n"
		"  cd %s\n"
		"  ward templates list\n"
		"  ward draft requests/REQ-1042.yaml\n",
		dir, n, dir);
	return WARD_EXIT_OK;
}
