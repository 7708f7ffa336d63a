/* cmd_drift: `ward drift`, what the decision log says about the policies in
 * force: grants never used, exceptions past their @expires, policies that
 * only errored (src/analysis/drift.h).
 *
 * Inputs as `ward replay` (replay_cli.h). Exit status: 0 nothing found,
 * 3 some finding, 1 bad input.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analysis/drift.h"
#include "analysis/replay.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"
#include "cli/replay_cli.h"

static const char *const drift_formats[] = {"text", "json", "sarif", NULL};

int cmd_drift(int argc, char **argv, struct ward_cli *cli)
{
	struct rcli_inputs in;
	memset(&in, 0, sizeof in);
	const char *now = NULL, *format = NULL;
	const struct cli_opt opts[] = {
		{"log", 0, "FILE", "the decision log that `ward serve` writes (SQLite)", &in.log, NULL, NULL},
		{"policies", 'p', "FILE|DIR|REV", "the policies in force: a file, a directory or a git revision",
		 &in.policies, NULL, NULL},
		{"schema", 's', "FILE", "schema (for the entity snapshot)", &in.schema, NULL, NULL},
		{"entities", 0, "FILE", "entities JSON: the hierarchy for `in` scopes when counting covered requests",
		 &in.entities, NULL, NULL},
		{"template-linked", 'k', "FILE", "JSON file of template links to apply to the policies", &in.links,
		 NULL, NULL},
		{"repo", 0, "DIR", "a policy repository: its policies, schema and entity snapshot (each overridable)",
		 &in.repo, NULL, NULL},
		{"since", 0, "TIME", "consider decisions logged at or after TIME (date or RFC 3339 datetime)",
		 &in.since, NULL, NULL},
		{"until", 0, "TIME", "consider decisions logged before TIME", &in.until, NULL, NULL},
		{"now", 0, "TIME", "the current time for @expires (default: the clock), e.g. 2027-01-01", &now, NULL,
		 NULL},
		{"format", 0, "FORMAT", "output: text (default), json or sarif", &format, NULL, drift_formats},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--log FILE (-p POLICIES [-s SCHEMA] [--entities FILE] | --repo DIR) [options]",
		.about = "Compare the policies in force with the decisions `ward serve` logged: permits that\n"
			 "determined no allow in the window (with how many logged requests their scope covers;\n"
			 "0: nobody even asked), policies whose @expires has passed, and policies that only\n"
			 "ever errored.",
		.opts = opts,
		.notes = "exit status: 0 nothing found, 3 unused grants, expired exceptions or only-erroring\n"
			 "policies found, 1 bad input.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	wdrift_config cfg;
	memset(&cfg, 0, sizeof cfg);
	if (now) {
		char tmp[REPLAY_TIME_MAX];
		if (replay_time_parse(now, tmp, &cfg.now_ms) < 0) {
			cli_error(cli, "invalid value '%s' for '--now': expected a date or datetime such as 2027-01-01",
				  now);
			return WARD_EXIT_FAILURE;
		}
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		cfg.now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	wdiags d;
	diags_init(&d);
	struct rcli_loaded l;
	wdrift r;
	drift_init(&r);
	int rc = WARD_EXIT_FAILURE;
	if (rcli_load(cli, &in, &l, &d) < 0)
		goto out;
	cfg.since = *l.since ? l.since : NULL;
	cfg.until = *l.until ? l.until : NULL;
	char err[DLOG_ERR_MAX];
	if (drift_run(&l.snap.cx, &l.ps, &l.snap.es, l.log, &cfg, &r, err) < 0) {
		cli_error(cli, "%s", err);
		goto out;
	}
	wbuf b = WBUF_INIT;
	if (format && strcmp(format, "json") == 0)
		drift_print_json(&r, &b);
	else if (format && strcmp(format, "sarif") == 0)
		drift_print_sarif(&r, l.snap.root, &b);
	else
		drift_print_text(&r, &b);
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	rc = r.n ? WARD_EXIT_INVALID : WARD_EXIT_OK;
out:
	acli_print_diags(cli, &d);
	drift_release(&r);
	rcli_close(&l);
	diags_release(&d);
	return rc;
}
