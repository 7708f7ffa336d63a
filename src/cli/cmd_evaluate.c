/* cmd_evaluate: `ward evaluate EXPRESSION`, print the value of a Cedar
 * expression, optionally for a request and against entities and a schema.
 */
#include <string.h>

#include "cli/cli.h"

int cmd_evaluate(int argc, char **argv, struct ward_cli *cli)
{
	struct cli_inputs in;
	memset(&in, 0, sizeof in);
	const struct cli_opt opts[] = {
		CLI_OPTS_SCHEMA(in),
		CLI_OPTS_ENTITIES(in),
		CLI_OPTS_REQUEST(in),
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options] EXPRESSION",
		.about = "Evaluate a Cedar expression and print its value in Cedar syntax. The expression may use\n"
			 "principal, action, resource and context when a request is given.",
		.opts = opts,
		.min_pos = 1,
		.max_pos = 1,
		.notes = "example: ward evaluate --entities entities.json \\\n"
			 "           'User::\"alice\" in Team::\"platform\"'\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;

	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = NULL;
	ward_entities *es = NULL;
	ward_request *r = NULL;
	int rc = WARD_EXIT_FAILURE;
	int bad = cli_load_schema(cli, e, &in, &s, d);
	if (!in.schema || s) {
		bad |= cli_load_entities(e, &in, s, &es, d);
		bad |= cli_load_request(cli, e, &in, s, &r, d);
	}
	if (!bad) {
		char *v = ward_evaluate(e, "<expression>", pos[0], strlen(pos[0]), es, r, d);
		if (v) {
			fprintf(cli->out, "%s\n", v);
			ward_free(v);
			rc = WARD_EXIT_OK;
		}
	}
	if (rc != WARD_EXIT_OK)
		cli_print_diags(cli, d, 0);
	ward_request_free(r);
	ward_entities_free(es);
	ward_schema_free(s);
	ward_diags_free(d);
	ward_engine_free(e);
	return rc;
}
