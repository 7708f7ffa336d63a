/* cmd_check_parse: `ward check-parse`, check that inputs parse.
 *
 * Parses the given policies, schema, entities and expression, reports every
 * error found in any of them, and prints a one-line summary per input that
 * parsed. With no input option at all, reads policies from standard input
 * (as the reference CLI does). Exit 0 when everything parsed, 1 otherwise.
 */
#include <string.h>

#include "cli/cli.h"

static void summary_policies(struct ward_cli *cli, const char *name, const ward_policies *p)
{
	size_t n = ward_policies_count(p), forbids = 0, templates = 0;
	for (size_t i = 0; i < n; i++) {
		if (ward_policies_is_template(p, i))
			templates++;
		else if (ward_policies_effect(p, i) == WARD_FORBID)
			forbids++;
	}
	size_t policies = n - templates;
	fprintf(cli->out, "%s: %zu polic%s (%zu permit, %zu forbid)", name, policies, policies == 1 ? "y" : "ies",
		policies - forbids, forbids);
	if (templates)
		fprintf(cli->out, ", %zu template%s", templates, templates == 1 ? "" : "s");
	fputc('\n', cli->out);
}

int cmd_check_parse(int argc, char **argv, struct ward_cli *cli)
{
	struct cli_inputs in;
	const char *expression = NULL;
	memset(&in, 0, sizeof in);
	const struct cli_opt opts[] = {
		CLI_OPTS_POLICIES(in),
		CLI_OPTS_SCHEMA(in),
		CLI_OPTS_ENTITIES(in),
		{"expression", 0, "EXPR", "a Cedar expression to parse", &expression, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options]",
		.about = "Check that policies, a schema, entities and an expression parse, reporting every error\n"
			 "with its location. With none of them given, reads policies from standard input.",
		.opts = opts,
		.notes = "exit status: 0 when everything parsed, 1 otherwise.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;

	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = NULL;
	ward_policies *p = NULL;
	ward_entities *es = NULL;
	int bad = 0;
	bool none = !in.policies && !in.schema && !in.entities && !expression;
	if (in.policies || none) {
		if (cli_load_policies(cli, e, &in, &p, d) == 0)
			summary_policies(cli, in.policies ? in.policies : "<stdin>", p);
		else
			bad = 1;
	}
	if (in.schema) {
		if (cli_load_schema(cli, e, &in, &s, d) == 0)
			fprintf(cli->out, "%s: %zu entity types, %zu actions\n", in.schema,
				ward_schema_entity_type_count(s), ward_schema_action_count(s));
		else
			bad = 1;
	}
	if (in.entities && (!in.schema || s)) {
		if (cli_load_entities(e, &in, s, &es, d) == 0) {
			/* the store also holds the schema's action entities */
			size_t n = ward_entities_count(es), acts = s ? ward_schema_action_count(s) : 0;
			if (acts > n)
				acts = n;
			fprintf(cli->out, "%s: %zu entities", in.entities, n - acts);
			if (acts)
				fprintf(cli->out, " (+ %zu actions from the schema)", acts);
			fputc('\n', cli->out);
		} else
			bad = 1;
	}
	if (expression) {
		if (ward_expr_check(e, "<expression>", expression, strlen(expression), d) == 0)
			fprintf(cli->out, "<expression>: ok\n");
		else
			bad = 1;
	}
	if (ward_diags_count(d))
		cli_print_diags(cli, d, 0);
	ward_entities_free(es);
	ward_policies_free(p);
	ward_schema_free(s);
	ward_diags_free(d);
	ward_engine_free(e);
	return bad ? WARD_EXIT_FAILURE : WARD_EXIT_OK;
}
