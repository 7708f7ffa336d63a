/* cmd_translate_policy: `ward translate-policy`, Cedar policy text <-> the
 * JSON policy format (policy_json.h).
 *
 * cedar-to-json prints a policy set {"staticPolicies", "templates",
 * "templateLinks"}; json-to-cedar accepts a policy set or a single policy
 * object and prints formatted Cedar text (template links have no text form:
 * they are left out with a note on stderr). Nothing is printed on error.
 */
#include <string.h>

#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "cli/cli.h"

static const char *const directions[] = {"cedar-to-json", "json-to-cedar", NULL};

int cmd_translate_policy(int argc, char **argv, struct ward_cli *cli)
{
	const char *policies = NULL, *direction = NULL;
	const struct cli_opt opts[] = {
		{"direction", 0, "DIR", "cedar-to-json or json-to-cedar", &direction, NULL, directions},
		{"policies", 'p', "FILE", "policies to translate (default: standard input)", &policies, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--direction DIR [options]",
		.about = "Translate policies between Cedar text and the JSON policy format; the result goes to\n"
			 "standard output.",
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
	const char *path = policies ? policies : "-";
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
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	wbuf out = WBUF_INIT;
	int rc = WARD_EXIT_OK;
	int nerr = to_json ? parse_policies(&cx, &ps, name, text, len, &d)
			   : policyset_parse_json(&cx, &ps, name, text, len, &d);
	if (nerr) {
		diags_print(&d, cli->err);
		rc = WARD_EXIT_FAILURE;
	} else if (to_json) {
		policyset_json_print(&ps, &out);
	} else {
		format_policyset(&ps, NULL, &out);
		unsigned links = 0;
		for (uint32_t i = 0; i < ps.n; i++)
			links += ps.items[i]->template_of != NULL;
		if (links)
			fprintf(cli->err, "%s %s: note: %u template link%s left out (Cedar text has no form for them)\n",
				cli->prog, cli->cmd, links, links == 1 ? "" : "s");
	}
	if (out.n)
		fwrite(out.p, 1, out.n, cli->out);
	buf_release(&out);
	diags_release(&d);
	policyset_release(&ps);
	ctx_release(&cx);
	ward_free(text);
	return rc;
}
