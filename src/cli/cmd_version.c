/* cmd_version: `ward version`, print the version of ward. */
#include "cli/cli.h"

int cmd_version(int argc, char **argv, struct ward_cli *cli)
{
	const struct cli_opt opts[] = {CLI_OPT_END};
	const struct cli_spec spec = {
		.usage = "",
		.about = "Print the version of ward.",
		.opts = opts,
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	fprintf(cli->out, "ward %s\n", ward_version());
	return WARD_EXIT_OK;
}
