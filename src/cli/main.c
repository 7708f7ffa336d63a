/* main: the `ward` command, dispatching to subcommands through one table.
 *
 * Each entry maps a name to its cmd_<name>() function and one line of help;
 * the usage text is generated from the table. Only this front end decides
 * the process exit status; the library never exits or prints.
 */
#include <string.h>

#include "cli/cli.h"
#include "util/suggest.h"

const struct cli_command cli_commands[] = {
	{"authorize", cmd_authorize, "decide authorization requests (one, or a batch with --requests)"},
	{"evaluate", cmd_evaluate, "evaluate a Cedar expression and print its value"},
	{"check-parse", cmd_check_parse, "check that policies, a schema and entities parse"},
	{"validate", cmd_validate, "type check policies against a schema"},
	{"format", cmd_format, "print policies in the canonical layout (or --write / --check them)"},
	{"translate-policy", cmd_translate_policy, "translate policies between Cedar text and JSON"},
	{"translate-schema", cmd_translate_schema, "translate a schema between the Cedar and JSON formats"},
	{"link", cmd_link, "link a template with slot values into a new policy"},
	{"init", cmd_init, "create a policy repository with a worked example"},
	{"draft", cmd_draft, "draft a policy from a requirement through an approved template"},
	{"templates", cmd_templates, "list and check approved templates; match policies against them"},
	{"scan", cmd_scan, "scan files for secrets (never printing them)"},
	{"explain", cmd_explain, "explain policies, or a decision, in plain language"},
	{"test", cmd_test, "run policy tests (YAML), generated tests and coverage"},
	{"diff", cmd_diff, "the entitlement diff: access gained and lost between two policy sets"},
	{"who-can", cmd_who_can, "who may perform an action on a resource (with conditions)"},
	{"what-can", cmd_what_can, "what a principal may do (with conditions)"},
	{"lint", cmd_lint, "check policies against the lint rules (text, json or SARIF)"},
	{"check-intent", cmd_check_intent, "compare what a change grants with what its requirement asks"},
	{"check", cmd_check, "the merge gate: validate, lint, test, diff, classify risk, verify approvals"},
	{"approve", cmd_approve, "sign the change's content hash as a reviewer"},
	{"keygen", cmd_keygen, "create a reviewer's Ed25519 signing key"},
	{"ledger", cmd_ledger, "verify, list or export the evidence ledger"},
	{"bench", cmd_bench, "benchmark authorization: decisions/s and per-decision latency on a request batch"},
	{"serve", cmd_serve, "the decision server: authorization over HTTP, decision log, hot reload"},
	{"replay", cmd_replay, "replay logged decisions against draft policies: which decisions would change"},
	{"drift", cmd_drift, "from the decision log: grants never used, exceptions past their expiry"},
	{"version", cmd_version, "print the version"},
	{"help", cmd_help, "show the commands, or a command's options"},
	{NULL, NULL, NULL},
};

const struct cli_command *cli_find_command(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void cli_print_usage(struct ward_cli *cli, FILE *f)
{
	fprintf(f,
		"usage: %s <command> [options]\n\n"
		"ward: Cedar authorization policies, decided exactly as the reference implementation does.\n\n"
		"commands:\n",
		cli->prog);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-17s %s\n", c->name, c->help);
	fprintf(f,
		"\nrun '%s <command> --help' for the options of a command.\n"
		"exit status: 0 ok or allow, 1 failure, 2 deny, 3 invalid; check: 3 blocked, 4 needs approval;\n"
		"test: 1 a test failed, 2 bad input.\n",
		cli->prog);
}

int main(int argc, char **argv)
{
	struct ward_cli cli = {.prog = "ward", .cmd = "", .out = stdout, .err = stderr, .errfmt = CLI_ERR_HUMAN};
	/* -f/--error-format may also come before the command, as in the reference CLI */
	while (argc >= 2 && argv[1][0] == '-') {
		const char *a = argv[1], *v = NULL;
		int used = 1;
		if (strncmp(a, "--error-format=", 15) == 0)
			v = a + 15;
		else if ((strcmp(a, "-f") == 0 || strcmp(a, "--error-format") == 0) && argc >= 3)
			v = argv[2], used = 2;
		else
			break;
		if (strcmp(v, "json") == 0)
			cli.errfmt = CLI_ERR_JSON;
		else if (strcmp(v, "plain") == 0)
			cli.errfmt = CLI_ERR_PLAIN;
		else if (strcmp(v, "human") == 0)
			cli.errfmt = CLI_ERR_HUMAN;
		else {
			fprintf(stderr, "ward: error: invalid value '%s' for '--error-format'; expected one of: "
					"human, plain, json\n", v);
			return WARD_EXIT_FAILURE;
		}
		argv[used] = argv[0];
		argv += used;
		argc -= used;
	}
	if (argc < 2) {
		cli_print_usage(&cli, stderr);
		return WARD_EXIT_FAILURE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		cli_print_usage(&cli, stdout);
		return WARD_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	const struct cli_command *c = cli_find_command(name);
	if (!c) {
		const struct cli_command *best = NULL;
		wsuggest sg;
		suggest_init(&sg, name, strlen(name));
		for (const struct cli_command *k = cli_commands; k->name; k++) {
			suggest_consider(&sg, k->name, strlen(k->name));
			if (sg.best == k->name)
				best = k;
		}
		fprintf(stderr, "ward: error: unknown command '%s'", name);
		if (best)
			fprintf(stderr, "; did you mean '%s'?", best->name);
		fprintf(stderr, "\nrun 'ward help' for the list of commands\n");
		return WARD_EXIT_FAILURE;
	}
	cli.cmd = c->name;
	int rc = c->fn(argc - 1, argv + 1, &cli);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "ward: error: cannot write the output\n");
		return WARD_EXIT_FAILURE;
	}
	return rc;
}
