/* cmd_help: `ward help [COMMAND]`, the overview or one command's help. */
#include "cli/cli.h"

int cmd_help(int argc, char **argv, struct ward_cli *cli)
{
	const struct cli_opt opts[] = {CLI_OPT_END};
	const struct cli_spec spec = {
		.usage = "[COMMAND]",
		.about = "Show the list of commands, or the help of one command.",
		.opts = opts,
		.max_pos = 1,
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (npos == 0) {
		cli_print_usage(cli, cli->out);
		return WARD_EXIT_OK;
	}
	const struct cli_command *c = cli_find_command(pos[0]);
	if (!c) {
		cli_error(cli, "unknown command '%s'; run '%s help' for the list", pos[0], cli->prog);
		return WARD_EXIT_FAILURE;
	}
	/* each command prints its own help from its option table */
	char *args[] = {(char *)c->name, "--help", NULL};
	cli->cmd = c->name;
	return c->fn(2, args, cli);
}
