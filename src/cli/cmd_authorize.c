/* cmd_authorize: `ward authorize`, one request or a batch.
 *
 * Loads policies, schema and entities once, then decides either the single
 * request given by -l/-a/-r[/-c] or --request-json, or every request of a
 * --requests file (JSON array or JSON Lines), printing one result each.
 * Exit codes as the reference CLI: 0 allow, 2 deny, 1 bad input. A batch
 * exits 0 when every request was decided and 1 when any was malformed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

struct authorize_opts {
	struct cli_inputs in;
	const char *requests;
	const char *format;
	bool verbose, timing;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Text form of a response:
 *     ALLOW
 *       determined by: id1, id2
 *       error in id3: message */
static void print_text(FILE *f, const char *prefix, const ward_response *r)
{
	size_t nr = ward_response_reason_count(r), ne = ward_response_error_count(r);
	fprintf(f, "%s%s\n", prefix, ward_response_decision(r) == WARD_ALLOW ? "ALLOW" : "DENY");
	if (nr) {
		fputs("  determined by: ", f);
		for (size_t i = 0; i < nr; i++)
			fprintf(f, "%s%s", i ? ", " : "", ward_response_reason(r, i));
		fputc('\n', f);
	} else {
		fputs("  no policy applied (denied by default)\n", f);
	}
	for (size_t i = 0; i < ne; i++)
		fprintf(f, "  error in %s: %s\n", ward_response_error_policy(r, i), ward_response_error_message(r, i));
}

static void print_response(FILE *f, const char *prefix, const ward_response *r, bool json)
{
	if (json) {
		char *s = ward_response_json(r);
		fprintf(f, "%s\n", s);
		ward_free(s);
	} else {
		print_text(f, prefix, r);
	}
}

static int run_batch(struct ward_cli *cli, struct authorize_opts *o, ward_engine *e, const ward_policies *p,
		     const ward_schema *s, const ward_entities *es, ward_diags *d)
{
	bool json = !o->format || strcmp(o->format, "json") == 0;
	ward_batch *b = ward_batch_load(e, o->requests, d);
	if (!b) {
		cli_print_diags(cli, d, 0);
		return WARD_EXIT_FAILURE;
	}
	int rc = WARD_EXIT_OK;
	unsigned flags = cli_request_flags(&o->in);
	double spent = 0;
	for (size_t i = 0; i < ward_batch_count(b); i++) {
		size_t from = ward_diags_count(d);
		ward_request *r = ward_batch_request(b, i, s, flags, d);
		if (!r) {
			rc = WARD_EXIT_FAILURE;
			if (json) {
				char *j = ward_error_json(d, from);
				fprintf(cli->out, "%s\n", j);
				ward_free(j);
			} else {
				fprintf(cli->out, "request %zu: ERROR\n", i + 1);
				for (size_t k = from; k < ward_diags_count(d); k++) {
					char *line = ward_diags_line(d, k);
					fprintf(cli->out, "  %s\n", line);
					ward_free(line);
				}
			}
			continue;
		}
		double t0 = now_us();
		ward_response *resp = ward_authorize(e, p, es, r);
		spent += now_us() - t0;
		char prefix[48];
		snprintf(prefix, sizeof prefix, "request %zu: ", i + 1);
		print_response(cli->out, prefix, resp, json);
		ward_response_free(resp);
		ward_request_free(r);
	}
	if (o->timing)
		fprintf(cli->err, "authorization time: %.0f microseconds for %zu requests\n", spent,
			ward_batch_count(b));
	ward_batch_free(b);
	return rc;
}

int cmd_authorize(int argc, char **argv, struct ward_cli *cli)
{
	struct authorize_opts o;
	memset(&o, 0, sizeof o);
	const struct cli_opt opts[] = {
		CLI_OPTS_POLICIES(o.in),
		CLI_OPTS_SCHEMA(o.in),
		CLI_OPTS_ENTITIES(o.in),
		CLI_OPTS_REQUEST(o.in),
		{"requests", 0, "FILE", "decide every request of FILE (JSON array or JSON Lines)", &o.requests, NULL,
		 NULL},
		{"format", 0, "FORMAT", "output: text (default; JSON Lines for --requests) or json", &o.format, NULL,
		 cli_choices_format},
		{"verbose", 'v', NULL, "no effect: the determining policies are always shown", NULL,
		 &o.verbose, NULL},
		{"timing", 't', NULL, "report the authorization time on stderr", NULL, &o.timing, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options]",
		.about = "Decide an authorization request: may the principal perform the action on the resource?\n"
			 "Prints ALLOW or DENY and the policies that determined the decision.",
		.opts = opts,
		.notes = "exit status: 0 allow, 2 deny, 1 bad input. With --requests: one result per request\n"
			 "and line, in order; exit 0 when every request was decided, 1 when any was malformed.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	const struct cli_inputs *in = &o.in;
	bool single = in->principal || in->action || in->resource || in->context || in->request_json;
	if (o.requests && single) {
		cli_error(cli, "--requests cannot be combined with a single request (--principal, --action, "
			       "--resource, --context, --request-json)");
		return WARD_EXIT_FAILURE;
	}
	if (!o.requests && !single) {
		cli_error(cli, "no request given: use --principal, --action and --resource, or --request-json, "
			       "or --requests FILE");
		return WARD_EXIT_FAILURE;
	}

	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = NULL;
	ward_policies *p = NULL;
	ward_entities *es = NULL;
	ward_request *r = NULL;
	int rc = WARD_EXIT_FAILURE;
	int bad = 0;
	bad |= cli_load_schema(cli, e, in, &s, d);
	bad |= cli_load_policies(cli, e, in, &p, d);
	if (!in->schema || s) /* entity errors after a schema error would mislead */
		bad |= cli_load_entities(e, in, s, &es, d);
	if (!bad && !o.requests)
		bad |= cli_load_request(cli, e, in, s, &r, d);
	if (bad) {
		cli_print_diags(cli, d, 0);
		goto out;
	}
	if (o.requests) {
		rc = run_batch(cli, &o, e, p, s, es, d);
		goto out;
	}
	double t0 = now_us();
	ward_response *resp = ward_authorize(e, p, es, r);
	double t1 = now_us();
	print_response(cli->out, "", resp, o.format && strcmp(o.format, "json") == 0);
	if (o.timing)
		fprintf(cli->err, "authorization time: %.0f microseconds\n", t1 - t0);
	rc = ward_response_decision(resp) == WARD_ALLOW ? WARD_EXIT_OK : WARD_EXIT_DENY;
	ward_response_free(resp);
out:
	ward_request_free(r);
	ward_entities_free(es);
	ward_policies_free(p);
	ward_schema_free(s);
	ward_diags_free(d);
	ward_engine_free(e);
	return rc;
}
