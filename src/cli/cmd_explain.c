/* cmd_explain: `ward explain`, policies and decisions in plain language.
 *
 * Without a request: each policy (or the one named by --id) said back in the
 * schema's terms. With a request (-l/-a/-r[/-c] or --request-json): the
 * decision path, from the scopes that matched to the verdict. All the work
 * is in src/govern/explain.c; this file loads the inputs and prints.
 * Exit status: 0 explained, 1 bad input or usage.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "cedar/parser.h"
#include "govern/explain.h"
#include "govern/testrun.h"

int cmd_explain(int argc, char **argv, struct ward_cli *cli);

struct explain_opts {
	struct cli_inputs in;
	const char *id;
	const char *format;
	bool all;
};

int cmd_explain(int argc, char **argv, struct ward_cli *cli)
{
	struct explain_opts o;
	memset(&o, 0, sizeof o);
	const struct cli_opt opts[] = {
		CLI_OPTS_POLICIES(o.in),
		CLI_OPTS_SCHEMA(o.in),
		CLI_OPTS_ENTITIES(o.in),
		CLI_OPTS_REQUEST(o.in),
		{"id", 0, "ID", "explain only this policy", &o.id, NULL, NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &o.format, NULL, cli_choices_format},
		{"all", 0, NULL, "with a request: also list each policy whose scope did not match", NULL, &o.all,
		 NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options]",
		.about = "Say in plain language what each policy allows or forbids, or, given a request, why it\n"
			 "is allowed or denied: which scopes matched, which conditions held, the first condition\n"
			 "that stopped each other policy and the values that made it stop.",
		.opts = opts,
		.notes = "exit status: 0 explained, 1 bad input or usage.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	const struct cli_inputs *in = &o.in;
	bool json = o.format && strcmp(o.format, "json") == 0;

	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = NULL;
	ward_policies *p = NULL;
	ward_entities *es = NULL;
	ward_request *r = NULL;
	wpolicyset own_ps;
	bool have_own_ps = false;
	int rc = WARD_EXIT_FAILURE;
	int bad = 0;
	bad |= cli_load_schema(cli, e, in, &s, d);
	struct stat st;
	bool dir = in->policies && stat(in->policies, &st) == 0 && S_ISDIR(st.st_mode);
	if (dir) {
		/* a directory: every .cedar file under it, as `ward test` reads policies/ */
		wdiags pd;
		diags_init(&pd);
		policyset_init(&own_ps);
		have_own_ps = true;
		if (testrun_load_policies(&e->cx, &own_ps, in->policies, &pd) < 0) {
			diags_print(&pd, cli->err);
			diags_release(&pd);
			goto out;
		}
		diags_release(&pd);
	} else {
		bad |= cli_load_policies(cli, e, in, &p, d);
	}
	if (!in->schema || s)
		bad |= cli_load_entities(e, in, s, &es, d);
	if (!bad)
		bad |= cli_load_request(cli, e, in, s, &r, d);
	if (bad) {
		cli_print_diags(cli, d, 0);
		goto out;
	}
	if (r && o.id) {
		cli_error(cli, "--id explains one policy; it cannot be combined with a request");
		goto out;
	}

	wxpolicies x;
	explain_policies_init(&x);
	const wschema *schema = s ? &s->s : NULL;
	const wentities *ents = in->entities ? &es->es : NULL;
	const wpolicyset *ps = have_own_ps ? &own_ps : &p->ps;
	if (explain_policies(&e->cx, ps, schema, ents, r ? NULL : o.id, &x) < 0) {
		cli_error(cli, "no policy with id '%s' in '%s'", o.id, in->policies ? in->policies : "<stdin>");
		explain_policies_release(&x);
		goto out;
	}
	wbuf b = WBUF_INIT;
	if (r) {
		wxdecision dec;
		explain_decision_init(&dec);
		explain_decision(&e->cx, ps, &x, &es->es, &r->r, &dec);
		if (json)
			explain_decision_json(&dec, &b);
		else
			explain_decision_text(&dec, !o.all, &b);
		explain_decision_release(&dec);
	} else if (json) {
		explain_policies_json(&x, &b);
	} else {
		explain_policies_text(&x, &b);
	}
	if (json)
		buf_addc(&b, '\n');
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	explain_policies_release(&x);
	rc = WARD_EXIT_OK;
out:
	ward_request_free(r);
	ward_entities_free(es);
	ward_policies_free(p);
	if (have_own_ps)
		policyset_release(&own_ps);
	ward_schema_free(s);
	ward_diags_free(d);
	ward_engine_free(e);
	return rc;
}
