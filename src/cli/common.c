/* common: helpers shared by the `ward` subcommands.
 *
 * Error printing in the chosen format, and loading the inputs named by the
 * options that authorize, evaluate and check-parse share with the reference
 * Cedar command line (policies, schema, entities, request).
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

const char *const cli_choices_format[] = {"text", "json", NULL};
const char *const cli_choices_ids[] = {"annotation", "positional", NULL};
/* "human" is the reference CLI's older name for the Cedar format. */
const char *const cli_choices_schema_fmt[] = {"cedar", "json", "human", NULL};
const char *const cli_choices_policy_fmt[] = {"cedar", "json", "human", NULL};
const char *const cli_choices_bool[] = {"true", "false", NULL};

void cli_print_diags(struct ward_cli *cli, const ward_diags *d, size_t from)
{
	char *s = cli->errfmt == CLI_ERR_JSON ? ward_diags_render_json(d, from) : ward_diags_render(d, from);
	fputs(s, cli->err);
	ward_free(s);
}

void cli_verror(struct ward_cli *cli, const char *fmt, va_list ap)
{
	if (cli->errfmt == CLI_ERR_JSON) {
		/* keep stderr machine-readable */
		char msg[1024];
		vsnprintf(msg, sizeof msg, fmt, ap);
		fputs("{\"severity\":\"error\",\"message\":\"", cli->err);
		for (const char *p = msg; *p; p++) {
			unsigned char c = (unsigned char)*p;
			if (c == '"' || c == '\\')
				fprintf(cli->err, "\\%c", c);
			else if (c < 0x20)
				fprintf(cli->err, "\\u%04x", c);
			else
				fputc(c, cli->err);
		}
		fputs("\"}\n", cli->err);
	} else {
		fprintf(cli->err, "%s %s: error: ", cli->prog, cli->cmd);
		vfprintf(cli->err, fmt, ap);
		fputc('\n', cli->err);
	}
}

void cli_error(struct ward_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror(cli, fmt, ap);
	va_end(ap);
}

static ward_schema_format schema_format(const char *s)
{
	if (!s)
		return WARD_SCHEMA_AUTO;
	return strcmp(s, "json") == 0 ? WARD_SCHEMA_JSON : WARD_SCHEMA_CEDAR;
}

int cli_load_schema(struct ward_cli *cli, ward_engine *e, const struct cli_inputs *in, ward_schema **out,
		    ward_diags *d)
{
	(void)cli;
	*out = NULL;
	if (!in->schema)
		return 0;
	*out = ward_schema_load(e, in->schema, schema_format(in->schema_format), d);
	return *out ? 0 : -1;
}

int cli_load_policies(struct ward_cli *cli, ward_engine *e, const struct cli_inputs *in, ward_policies **out,
		      ward_diags *d)
{
	*out = NULL;
	/* --policy-format cedar|human|json (checked by the option parser):
	 * every form is recognised by its content */
	(void)cli;
	ward_ids ids = in->ids && strcmp(in->ids, "positional") == 0 ? WARD_IDS_POSITIONAL : WARD_IDS_ANNOTATION;
	*out = ward_policies_load(e, in->policies ? in->policies : "-", ids, d);
	if (*out && in->template_links && ward_policies_link_file(e, *out, in->template_links, d) < 0) {
		ward_policies_free(*out);
		*out = NULL;
	}
	return *out ? 0 : -1;
}

int cli_load_entities(ward_engine *e, const struct cli_inputs *in, const ward_schema *s, ward_entities **out,
		      ward_diags *d)
{
	*out = in->entities ? ward_entities_load(e, s, in->entities, d) : ward_entities_empty(e, s, d);
	return *out ? 0 : -1;
}

unsigned cli_request_flags(const struct cli_inputs *in)
{
	return in->request_validation && strcmp(in->request_validation, "false") == 0 ? WARD_REQ_NO_VALIDATION : 0;
}

int cli_load_request(struct ward_cli *cli, ward_engine *e, const struct cli_inputs *in, const ward_schema *s,
		     ward_request **out, ward_diags *d)
{
	*out = NULL;
	unsigned flags = cli_request_flags(in);
	if (in->request_json) {
		if (in->principal || in->action || in->resource || in->context) {
			cli_error(cli, "--request-json cannot be combined with --principal, --action, --resource "
				       "or --context");
			return -1;
		}
		*out = ward_request_load_json(e, s, in->request_json, flags, d);
		return *out ? 0 : -1;
	}
	if (!in->principal && !in->action && !in->resource && !in->context)
		return 0;
	char *ctx = NULL;
	size_t ctxlen = 0;
	if (in->context) {
		ctx = ward_read_file(in->context, &ctxlen, d);
		if (!ctx)
			return -1;
	}
	*out = ward_request_new(e, s, in->principal, in->action, in->resource, in->context, ctx, ctxlen, flags, d);
	ward_free(ctx);
	return *out ? 0 : -1;
}
