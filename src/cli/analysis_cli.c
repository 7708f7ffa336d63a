/* analysis_cli: helpers of the entitlement commands (see analysis_cli.h). */
#include "cli/analysis_cli.h"

#include <string.h>

#include "analysis/revision.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "util/suggest.h"
#include "util/buf.h"

const char *const acli_formats_text_json[] = {"text", "json", NULL};
const char *const acli_formats_diff[] = {"text", "json", "markdown", NULL};

void acli_print_diags(struct ward_cli *cli, const wdiags *d)
{
	if (cli->errfmt == CLI_ERR_HUMAN) {
		diags_print(d, cli->err);
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const wdiag *g = &d->items[i];
		uint32_t line = 0, col = 0;
		if (g->src)
			source_linecol(g->src, g->span.start, &line, &col);
		if (cli->errfmt == CLI_ERR_PLAIN) {
			if (g->src)
				fprintf(cli->err, "%s:%u:%u: %s\n", g->src->name, line, col, g->msg);
			else
				fprintf(cli->err, "%s\n", g->msg);
			continue;
		}
		wbuf b = WBUF_INIT;
		buf_printf(&b, "{\"severity\":\"%s\"",
			   g->sev == WSEV_ERROR ? "error" : g->sev == WSEV_WARNING ? "warning" : "note");
		if (g->src) {
			buf_adds(&b, ",\"file\":");
			buf_add_json_str(&b, g->src->name, strlen(g->src->name));
			buf_printf(&b, ",\"line\":%u,\"column\":%u", line, col);
		}
		buf_adds(&b, ",\"message\":");
		buf_add_json_str(&b, g->msg, strlen(g->msg));
		buf_adds(&b, "}\n");
		fputs(b.p, cli->err);
		buf_release(&b);
	}
}

int acli_parse_uid(struct ward_cli *cli, wctx *cx, const char *what, const char *text, bool action, wuid *out)
{
	wbuf b = WBUF_INIT;
	if (action && !strstr(text, "::"))
		buf_printf(&b, "Action::\"%s\"", text);
	else
		buf_adds(&b, text);
	wsource src = {what, b.p, b.n};
	wdiags d;
	diags_init(&d);
	int rc = parse_uid(cx, &src, out, &d);
	if (rc < 0) {
		cli_error(cli, "invalid %s '%s': expected an entity uid such as %s", what, text,
			  action ? "'read' or 'Action::\"read\"'" : "'User::\"alice\"'");
	}
	diags_release(&d);
	buf_release(&b);
	return rc;
}

int acli_check_uid(struct ward_cli *cli, const wsnapshot *snap, wuid u, bool action)
{
	wbuf b = WBUF_INIT;
	format_uid(&b, u);
	int rc = 0;
	if (action && snap->has_schema && !schema_action(&snap->schema, u)) {
		wsuggest sg;
		suggest_init(&sg, u.id->s, u.id->len);
		for (uint32_t i = 0; i < snap->schema.nactions; i++)
			suggest_consider(&sg, snap->schema.actions[i].uid.id->s, snap->schema.actions[i].uid.id->len);
		if (sg.best)
			cli_error(cli, "unknown action '%s' (not in the schema); did you mean '%.*s'?", b.p, (int)sg.blen,
				  sg.best);
		else
			cli_error(cli, "unknown action '%s' (not in the schema)", b.p);
		rc = -1;
	} else if (!action && snap->has_entities && !entities_get(&snap->es, u)) {
		fprintf(cli->err, "%s %s: note: %s is not in the entity snapshot\n", cli->prog, cli->cmd, b.p);
	}
	buf_release(&b);
	return rc;
}
