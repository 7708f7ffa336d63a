/* cmd_validate: `ward validate`, type check policies against a schema.
 *
 * Reports every error and warning of the validator (src/cedar/validate.h)
 * at once: in text, each as file:line:col with the source line, a caret,
 * the policy id and a message naming the types; with --format json, one
 * JSON document on stdout listing them with their kind, plus for each
 * policy the request environments in which it may apply.
 *
 * Exit status: 0 valid, 3 invalid (errors, or warnings with
 * --deny-warnings), 1 when the inputs cannot be read or parsed.
 *
 * The public API (ward/ward.h) has no validation entry point yet, so this
 * command reaches the library objects through the API's private header;
 * it should move to a `ward_validate()` call once that exists.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cedar/validate.h"
#include "cli/cli.h"
#include "util/buf.h"

static void json_issue(wbuf *b, const wvissue *is)
{
	uint32_t l1 = 0, c1 = 0, l2 = 0, c2 = 0;
	buf_printf(b, "{\"severity\":\"%s\",\"kind\":\"%s\",\"policy\":", is->sev == WSEV_ERROR ? "error" : "warning",
		   validation_kind_name((wvissue_kind)is->kind));
	buf_add_json_str(b, is->policy->id, strlen(is->policy->id));
	if (is->src) {
		source_linecol(is->src, is->span.start, &l1, &c1);
		source_linecol(is->src, is->span.end, &l2, &c2);
		buf_adds(b, ",\"file\":");
		buf_add_json_str(b, is->src->name, strlen(is->src->name));
		buf_printf(b, ",\"line\":%u,\"column\":%u,\"endLine\":%u,\"endColumn\":%u", l1, c1, l2, c2);
	}
	buf_adds(b, ",\"message\":");
	buf_add_json_str(b, is->msg, strlen(is->msg));
	if (is->help) {
		buf_adds(b, ",\"help\":");
		buf_add_json_str(b, is->help, strlen(is->help));
	}
	buf_addc(b, '}');
}

static void json_sym(wbuf *b, const char *key, const wsym *s)
{
	buf_printf(b, "\"%s\":", key);
	if (s)
		buf_add_json_str(b, s->s, s->len);
	else
		buf_adds(b, "null");
}

static void json_policy(wbuf *b, const wvpolicy *p)
{
	buf_adds(b, "{\"id\":");
	buf_add_json_str(b, p->policy->id, strlen(p->policy->id));
	buf_printf(b, ",\"template\":%s,\"errors\":%u,\"impossible\":%s,\"environments\":[",
		   p->policy->is_template ? "true" : "false", p->nerrors, p->impossible ? "true" : "false");
	for (uint32_t i = 0; i < p->nenvs; i++) {
		const wvenv *e = &p->envs[i];
		wbuf a = WBUF_INIT;
		uid_print(e->action, &a);
		buf_adds(b, i ? ",{" : "{");
		json_sym(b, "principal", e->principal);
		buf_adds(b, ",\"action\":");
		buf_add_json_str(b, a.p, a.n);
		buf_addc(b, ',');
		json_sym(b, "resource", e->resource);
		if (e->slot_principal) {
			buf_addc(b, ',');
			json_sym(b, "?principal", e->slot_principal);
		}
		if (e->slot_resource) {
			buf_addc(b, ',');
			json_sym(b, "?resource", e->slot_resource);
		}
		buf_addc(b, '}');
		buf_release(&a);
	}
	buf_adds(b, "]}");
}

int cmd_validate(int argc, char **argv, struct ward_cli *cli)
{
	struct cli_inputs in;
	const char *level = NULL, *format = NULL;
	bool deny_warnings = false;
	memset(&in, 0, sizeof in);
	const struct cli_opt opts[] = {
		CLI_OPTS_POLICIES(in),
		CLI_OPTS_SCHEMA(in),
		{"level", 0, "N", "also run level validation: at most N entity dereferences in a chain", &level, NULL,
		 NULL},
		{"deny-warnings", 0, NULL, "treat warnings as failures (exit 3)", NULL, &deny_warnings, NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &format, NULL, cli_choices_format},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--schema FILE [options]",
		.about = "Type check policies and templates against a schema, as the reference Cedar validator\n"
			 "does in strict mode, and report every error and warning with its location.",
		.opts = opts,
		.notes = "exit status: 0 when valid, 3 when invalid, 1 when the inputs cannot be read or parsed.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!in.schema) {
		cli_error(cli, "--schema is required");
		return WARD_EXIT_FAILURE;
	}
	int lvl = -1;
	if (level) {
		char *end;
		long n = strtol(level, &end, 10);
		if (*level == '\0' || *end != '\0' || n < 0 || n > INT_MAX) {
			cli_error(cli, "--level wants a number >= 0, not '%s'", level);
			return WARD_EXIT_FAILURE;
		}
		lvl = (int)n;
	}
	bool json = format && strcmp(format, "json") == 0;

	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = NULL;
	ward_policies *p = NULL;
	int rc = WARD_EXIT_FAILURE;
	int bad = cli_load_schema(cli, e, &in, &s, d) != 0;
	bad |= cli_load_policies(cli, e, &in, &p, d) != 0;
	if (bad || !s || !p) {
		cli_print_diags(cli, d, 0);
		goto out;
	}
	wvalidation v;
	validation_init(&v);
	wvalidate_opts o = {WVMODE_STRICT, lvl};
	validate_policyset(&e->cx, &s->s, &p->ps, &o, &v);
	bool fail = v.nerrors > 0 || (deny_warnings && v.nwarnings > 0);
	if (json) {
		wbuf b = WBUF_INIT;
		buf_printf(&b, "{\"valid\":%s,\"errors\":%zu,\"warnings\":%zu,\"issues\":[", fail ? "false" : "true",
			   v.nerrors, v.nwarnings);
		for (size_t i = 0; i < v.n; i++) {
			if (i)
				buf_addc(&b, ',');
			json_issue(&b, &v.items[i]);
		}
		buf_adds(&b, "],\"policies\":[");
		for (uint32_t i = 0; i < v.npolicies; i++) {
			if (i)
				buf_addc(&b, ',');
			json_policy(&b, &v.policies[i]);
		}
		buf_adds(&b, "]}\n");
		fputs(b.p, cli->out);
		buf_release(&b);
	} else {
		size_t from = d->d.n;
		validation_to_diags(&v, &d->d);
		cli_print_diags(cli, d, from);
		if (fail)
			fprintf(cli->out, "validation failed: %zu error%s, %zu warning%s\n", v.nerrors,
				v.nerrors == 1 ? "" : "s", v.nwarnings, v.nwarnings == 1 ? "" : "s");
		else
			fprintf(cli->out, "validation passed%s\n",
				v.nwarnings ? (v.nwarnings == 1 ? " with 1 warning" : " with warnings") : "");
	}
	rc = fail ? WARD_EXIT_INVALID : WARD_EXIT_OK;
	validation_release(&v);
out:
	ward_policies_free(p);
	ward_schema_free(s);
	ward_diags_free(d);
	ward_engine_free(e);
	return rc;
}
