/* cli: shared definitions of the `ward` command line.
 *
 * The command line is a thin front end over the public API (ward/ward.h):
 * main.c dispatches through a table of subcommands, each subcommand lives in
 * cmd_<name>.c, parses its options with the small option parser below
 * (opts.c) and calls the library. Results go to stdout, everything else to
 * stderr. Exit codes follow the reference Cedar command line.
 */
#ifndef WARD_CLI_CLI_H
#define WARD_CLI_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "ward/ward.h"

/* Exit codes, as the reference Cedar command line. */
enum {
	WARD_EXIT_OK = 0,      /* success; `authorize`: allow */
	WARD_EXIT_FAILURE = 1, /* bad input, bad usage, unreadable file */
	WARD_EXIT_DENY = 2,    /* `authorize`: deny */
	WARD_EXIT_INVALID = 3, /* validation failure (validation commands) */
};

/* How errors are written to stderr (-f/--error-format). */
enum cli_errfmt { CLI_ERR_HUMAN, CLI_ERR_PLAIN, CLI_ERR_JSON };

struct ward_cli {
	const char *prog; /* "ward" */
	const char *cmd;  /* the running subcommand, for messages */
	FILE *out;        /* results */
	FILE *err;        /* diagnostics */
	int errfmt;       /* enum cli_errfmt */
};

/* ---- options (opts.c) ---------------------------------------------------- */

/* One option of a command. Exactly one of `value` / `flag` is set. */
struct cli_opt {
	const char *lname;            /* long name without "--" */
	char sname;                   /* short name or 0 */
	const char *metavar;          /* value name for help ("FILE"); NULL for flags */
	const char *help;             /* one line */
	const char **value;           /* where a value option stores its argument */
	bool *flag;                   /* where a flag option records its presence */
	const char *const *choices;   /* allowed values (NULL-terminated) or NULL */
};

/* The options every command accepts, appended by cli_parse. */
#define CLI_OPT_END {NULL, 0, NULL, NULL, NULL, NULL, NULL}

/* A command's option table and usage text. */
struct cli_spec {
	const char *usage;   /* after "ward <cmd> ": e.g. "[options] EXPRESSION" */
	const char *about;   /* paragraph printed under the usage line */
	const struct cli_opt *opts;
	int min_pos, max_pos; /* positional arguments allowed */
	const char *notes;   /* printed after the options, may be NULL */
};

/* Parses argv[1..] (argv[0] is the command name). Stores option values and
 * up to spec->max_pos positionals in pos[]. Returns 0 to run the command,
 * 1 when --help was printed (exit 0), -1 after printing a usage error. */
int cli_parse(struct ward_cli *cli, const struct cli_spec *spec, int argc, char **argv, const char **pos, int *npos);
void cli_print_help(struct ward_cli *cli, const struct cli_spec *spec, FILE *f);

/* ---- shared helpers (common.c) ------------------------------------------ */

/* Prints diagnostics from `from` on to stderr in the chosen error format. */
void cli_print_diags(struct ward_cli *cli, const ward_diags *d, size_t from);
/* "ward <cmd>: error: message" on stderr (for usage-level errors), or a
 * JSON object with --error-format json. */
void cli_verror(struct ward_cli *cli, const char *fmt, va_list ap);
void cli_error(struct ward_cli *cli, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* The input options shared by authorize, evaluate and check-parse. */
struct cli_inputs {
	const char *policies;       /* -p/--policies FILE */
	const char *policy_format;  /* --policy-format cedar|json */
	const char *template_links; /* -k/--template-linked FILE */
	const char *schema;         /* -s/--schema FILE */
	const char *schema_format;  /* --schema-format cedar|json */
	const char *entities;       /* --entities FILE */
	const char *ids;            /* --ids annotation|positional */
	const char *principal;      /* -l/--principal UID */
	const char *action;         /* -a/--action UID */
	const char *resource;       /* -r/--resource UID */
	const char *context;        /* -c/--context FILE */
	const char *request_json;   /* --request-json FILE */
	const char *request_validation; /* --request-validation true|false */
};

extern const char *const cli_choices_format[];     /* text, json */
extern const char *const cli_choices_ids[];        /* annotation, positional */
extern const char *const cli_choices_schema_fmt[]; /* cedar, json, human */
extern const char *const cli_choices_policy_fmt[]; /* cedar, json, human */
extern const char *const cli_choices_bool[];       /* true, false */

/* Option table entries for the shared inputs (flags as the reference CLI). */
#define CLI_OPTS_POLICIES(in)                                                                                  \
	{"policies", 'p', "FILE", "Cedar policies and templates (default: standard input)", &(in).policies,   \
	 NULL, NULL},                                                                                          \
	{"policy-format", 0, "FORMAT", "format of --policies: cedar or json (also recognised by content)",               \
	 &(in).policy_format, NULL, cli_choices_policy_fmt},                                                   \
	{"template-linked", 'k', "FILE", "JSON file of template links to apply (as ward link -k writes)", &(in).template_links, NULL,    \
	 NULL},                                                                                                \
	{"ids", 0, "MODE", "policy ids: annotation (@id where present; default) or positional (policyN)",     \
	 &(in).ids, NULL, cli_choices_ids}
#define CLI_OPTS_SCHEMA(in)                                                                                    \
	{"schema", 's', "FILE", "schema, Cedar or JSON format (detected from the text)", &(in).schema, NULL,  \
	 NULL},                                                                                                \
	{"schema-format", 0, "FORMAT", "read --schema as this format: cedar or json", &(in).schema_format,    \
	 NULL, cli_choices_schema_fmt}
#define CLI_OPTS_ENTITIES(in) {"entities", 0, "FILE", "entities JSON", &(in).entities, NULL, NULL}
#define CLI_OPTS_REQUEST(in)                                                                                   \
	{"principal", 'l', "UID", "principal of the request, e.g. 'User::\"alice\"'", &(in).principal, NULL,   \
	 NULL},                                                                                                \
	{"action", 'a', "UID", "action of the request, e.g. 'Action::\"view\"'", &(in).action, NULL, NULL},    \
	{"resource", 'r', "UID", "resource of the request, e.g. 'Photo::\"a.jpg\"'", &(in).resource, NULL,     \
	 NULL},                                                                                                \
	{"context", 'c', "FILE", "context of the request: a JSON object", &(in).context, NULL, NULL},          \
	{"request-json", 0, "FILE", "the whole request as JSON {principal, action, resource, context}",       \
	 &(in).request_json, NULL, NULL},                                                                      \
	{"request-validation", 0, "BOOL", "validate the request against the schema (default: true)",          \
	 &(in).request_validation, NULL, cli_choices_bool}

/* Loads the schema named by in->schema (NULL when none given). Returns -1 on
 * error (diagnostics appended), 0 otherwise. */
int cli_load_schema(struct ward_cli *cli, ward_engine *e, const struct cli_inputs *in, ward_schema **out,
		    ward_diags *d);
/* Loads policies from in->policies (standard input when NULL). */
int cli_load_policies(struct ward_cli *cli, ward_engine *e, const struct cli_inputs *in, ward_policies **out,
		      ward_diags *d);
/* Loads entities from in->entities, or only the schema's actions when none
 * is given. */
int cli_load_entities(ward_engine *e, const struct cli_inputs *in, const ward_schema *s, ward_entities **out,
		      ward_diags *d);
/* Builds the request from --request-json or -l/-a/-r[/-c]. *out is NULL
 * and 0 is returned when no request option was given at all. */
int cli_load_request(struct ward_cli *cli, ward_engine *e, const struct cli_inputs *in, const ward_schema *s,
		     ward_request **out, ward_diags *d);
/* WARD_REQ_* flags from --request-validation. */
unsigned cli_request_flags(const struct cli_inputs *in);

/* ---- commands ------------------------------------------------------------ */

int cmd_authorize(int argc, char **argv, struct ward_cli *cli);
int cmd_evaluate(int argc, char **argv, struct ward_cli *cli);
int cmd_check_parse(int argc, char **argv, struct ward_cli *cli);
int cmd_validate(int argc, char **argv, struct ward_cli *cli);
int cmd_format(int argc, char **argv, struct ward_cli *cli);
int cmd_translate_policy(int argc, char **argv, struct ward_cli *cli);
int cmd_translate_schema(int argc, char **argv, struct ward_cli *cli);
int cmd_link(int argc, char **argv, struct ward_cli *cli);
int cmd_init(int argc, char **argv, struct ward_cli *cli);
int cmd_draft(int argc, char **argv, struct ward_cli *cli);
int cmd_templates(int argc, char **argv, struct ward_cli *cli);
int cmd_scan(int argc, char **argv, struct ward_cli *cli);
int cmd_diff(int argc, char **argv, struct ward_cli *cli);
int cmd_who_can(int argc, char **argv, struct ward_cli *cli);
int cmd_what_can(int argc, char **argv, struct ward_cli *cli);
int cmd_lint(int argc, char **argv, struct ward_cli *cli);
int cmd_check_intent(int argc, char **argv, struct ward_cli *cli);
int cmd_check(int argc, char **argv, struct ward_cli *cli);
int cmd_approve(int argc, char **argv, struct ward_cli *cli);
int cmd_keygen(int argc, char **argv, struct ward_cli *cli);
int cmd_ledger(int argc, char **argv, struct ward_cli *cli);
int cmd_explain(int argc, char **argv, struct ward_cli *cli);
int cmd_test(int argc, char **argv, struct ward_cli *cli);
int cmd_bench(int argc, char **argv, struct ward_cli *cli);
int cmd_serve(int argc, char **argv, struct ward_cli *cli);
int cmd_replay(int argc, char **argv, struct ward_cli *cli);
int cmd_drift(int argc, char **argv, struct ward_cli *cli);
int cmd_version(int argc, char **argv, struct ward_cli *cli);
int cmd_help(int argc, char **argv, struct ward_cli *cli);

/* The command table (main.c), for `ward help`. */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv, struct ward_cli *cli);
	const char *help; /* one line */
};
extern const struct cli_command cli_commands[];
void cli_print_usage(struct ward_cli *cli, FILE *f);
const struct cli_command *cli_find_command(const char *name);

#endif
