/* cmd_translate_schema: `ward translate-schema`, the Cedar schema text
 * format <-> the JSON schema format (schema_print.h). Common types are
 * inlined in the output (the model resolves them); the schema means the
 * same. Nothing is printed on error.
 */
#include <string.h>

#include "cedar/schema.h"
#include "cedar/schema_print.h"
#include "cli/cli.h"

static const char *const directions[] = {"cedar-to-json", "json-to-cedar", NULL};

int cmd_translate_schema(int argc, char **argv, struct ward_cli *cli)
{
	const char *schema = NULL, *direction = NULL;
	const struct cli_opt opts[] = {
		{"direction", 0, "DIR", "cedar-to-json or json-to-cedar", &direction, NULL, directions},
		{"schema", 's', "FILE", "schema to translate (default: standard input)", &schema, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--direction DIR [options]",
		.about = "Translate a schema between the Cedar schema format and the JSON schema format; the\n"
			 "result goes to standard output. Common types are written inline.",
		.opts = opts,
		.notes = "exit status: 0 on success, 1 on bad input.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!direction) {
		cli_error(cli, "--direction is required (cedar-to-json or json-to-cedar)");
		return WARD_EXIT_FAILURE;
	}
	bool to_json = strcmp(direction, "cedar-to-json") == 0;
	const char *path = schema ? schema : "-";
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	ward_diags *rd = ward_diags_new();
	size_t len;
	char *text = ward_read_file(path, &len, rd);
	if (!text) {
		cli_print_diags(cli, rd, 0);
		ward_diags_free(rd);
		return WARD_EXIT_FAILURE;
	}
	ward_diags_free(rd);

	wctx cx;
	ctx_init(&cx);
	wschema s;
	schema_init(&s);
	wdiags d;
	diags_init(&d);
	wbuf out = WBUF_INIT;
	int rc = WARD_EXIT_OK;
	int nerr = to_json ? schema_parse_text(&cx, &s, name, text, len, &d) : schema_parse_json(&cx, &s, name, text, len, &d);
	if (nerr) {
		diags_print(&d, cli->err);
		rc = WARD_EXIT_FAILURE;
	} else if (to_json) {
		schema_print_json(&s, &out);
	} else {
		schema_print_text(&s, &out);
	}
	if (out.n)
		fwrite(out.p, 1, out.n, cli->out);
	buf_release(&out);
	diags_release(&d);
	schema_release(&s);
	ctx_release(&cx);
	ward_free(text);
	return rc;
}
