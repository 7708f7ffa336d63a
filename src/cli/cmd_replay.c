/* cmd_replay: `ward replay`, a candidate policy set decided against the
 * requests `ward serve` logged (src/analysis/replay.h).
 *
 * Also defines the input loading that `ward drift` shares (replay_cli.h).
 * Exit status: 0 when no logged decision changes, 3 when some do, 1 on bad
 * input (an unreadable log, policies that do not parse, a bad option).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/replay.h"
#include "analysis/revision.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "cli/analysis_cli.h"
#include "cli/cli.h"
#include "cli/replay_cli.h"
#include "govern/repo.h"
#include "util/xalloc.h"

static int time_opt(struct ward_cli *cli, const char *name, const char *text, char out[REPLAY_TIME_MAX])
{
	out[0] = '\0';
	if (!text)
		return 0;
	if (replay_time_parse(text, out, NULL) < 0) {
		cli_error(cli, "invalid value '%s' for '--%s': expected a date or datetime such as 2026-11-29 or "
			       "2026-11-29T15:04:05Z",
			  text, name);
		return -1;
	}
	return 0;
}

int rcli_load(struct ward_cli *cli, const struct rcli_inputs *in, struct rcli_loaded *l, wdiags *d)
{
	memset(l, 0, sizeof *l);
	policyset_init(&l->ps);
	if (!in->log) {
		cli_error(cli, "no decision log given: use --log FILE (the database `ward serve` writes)");
		return -1;
	}
	if (time_opt(cli, "since", in->since, l->since) < 0 || time_opt(cli, "until", in->until, l->until) < 0)
		return -1;
	char *root = NULL;
	if (!in->policies && !in->repo) {
		root = repo_find(".");
		if (!root) {
			cli_error(cli, "no policies given: use -p FILE|DIR|REV or --repo DIR (no ward.yaml was found "
				       "from the current directory)");
			return -1;
		}
	}
	if (in->repo || root) {
		int rc = rev_snapshot_open(&l->snap, in->repo ? in->repo : root, in->schema, in->entities, d);
		l->snap_open = true;
		free(root);
		if (rc < 0)
			return -1;
	} else {
		/* explicit inputs only: no repository defaults */
		wsnapshot *s = &l->snap;
		ctx_init(&s->cx);
		schema_init(&s->schema);
		entities_init(&s->es);
		s->root = xstrdup(".");
		l->snap_open = true;
		if (in->schema) {
			if (rev_load_schema(&s->cx, in->schema, &s->schema, d))
				return -1;
			s->has_schema = true;
		}
		int errs;
		if (in->entities)
			errs = rev_load_entities(&s->cx, in->entities, s->has_schema ? &s->schema : NULL, &s->es, d);
		else
			errs = entities_load_json(&s->cx, &s->es, s->has_schema ? &s->schema : NULL, "<no entities>",
						  "[]", 2, d);
		if (errs)
			return -1;
		s->has_entities = in->entities != NULL;
	}
	wrev_kind k;
	if (rev_load_policies(&l->snap.cx, in->policies ? in->policies : l->snap.root, l->snap.root, &l->ps, &k, d))
		return -1;
	if (in->links) {
		size_t len;
		char *text = rev_read_file(in->links, &len, d);
		int errs = text ? link_apply_file(&l->snap.cx, &l->ps, in->links, text, len, d) : 1;
		free(text);
		if (errs)
			return -1;
	}
	char err[DLOG_ERR_MAX];
	l->log = dlog_open_read(in->log, err);
	if (!l->log) {
		cli_error(cli, "%s", err);
		return -1;
	}
	return 0;
}

void rcli_close(struct rcli_loaded *l)
{
	dlog_close(l->log);
	policyset_release(&l->ps);
	if (l->snap_open)
		rev_snapshot_close(&l->snap);
	memset(l, 0, sizeof *l);
}

int cmd_replay(int argc, char **argv, struct ward_cli *cli)
{
	struct rcli_inputs in;
	memset(&in, 0, sizeof in);
	const char *limit = NULL, *format = NULL, *samples = NULL;
	const struct cli_opt opts[] = {
		{"log", 0, "FILE", "the decision log that `ward serve` writes (SQLite)", &in.log, NULL, NULL},
		{"policies", 'p', "FILE|DIR|REV", "the candidate policies: a file, a directory or a git revision",
		 &in.policies, NULL, NULL},
		{"schema", 's', "FILE", "schema: requests are validated against it as `ward authorize` does", &in.schema,
		 NULL, NULL},
		{"entities", 0, "FILE", "entities JSON to decide with", &in.entities, NULL, NULL},
		{"template-linked", 'k', "FILE", "JSON file of template links to apply to the candidate policies",
		 &in.links, NULL, NULL},
		{"repo", 0, "DIR", "a policy repository: its policies, schema and entity snapshot (each overridable)",
		 &in.repo, NULL, NULL},
		{"since", 0, "TIME", "replay decisions logged at or after TIME (date or RFC 3339 datetime)", &in.since,
		 NULL, NULL},
		{"until", 0, "TIME", "replay decisions logged before TIME", &in.until, NULL, NULL},
		{"limit", 0, "N", "replay at most N decisions (the oldest of the window)", &limit, NULL, NULL},
		{"samples", 0, "N", "example requests shown per group (default 5)", &samples, NULL, NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &format, NULL, cli_choices_format},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--log FILE (-p POLICIES [-s SCHEMA] [--entities FILE] [-k LINKS] | --repo DIR) [options]",
		.about = "Decide the requests of a decision log again with candidate policies and compare with\n"
			 "the logged decisions: how many are unchanged, allow -> deny and deny -> allow, grouped by\n"
			 "action and the policies that decide them now; requests that are no longer valid (an\n"
			 "entity type the schema no longer declares, ...) are counted by reason.",
		.opts = opts,
		.notes = "exit status: 0 no decision changes, 3 some decisions change, 1 bad input.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	wreplay_config cfg;
	memset(&cfg, 0, sizeof cfg);
	const char *const nums[] = {limit, samples};
	const char *const names[] = {"limit", "samples"};
	unsigned long long vals[2] = {0, 0};
	for (int i = 0; i < 2; i++) {
		if (!nums[i])
			continue;
		char *end;
		errno = 0;
		vals[i] = strtoull(nums[i], &end, 10);
		if (errno || end == nums[i] || *end || nums[i][0] == '-' || vals[i] == 0 || vals[i] > 1000000000ull) {
			cli_error(cli, "invalid value '%s' for '--%s': expected a positive number", nums[i], names[i]);
			return WARD_EXIT_FAILURE;
		}
	}
	cfg.limit = vals[0];
	cfg.max_samples = (size_t)vals[1];

	wdiags d;
	diags_init(&d);
	struct rcli_loaded l;
	wreplay r;
	replay_init(&r);
	int rc = WARD_EXIT_FAILURE;
	if (rcli_load(cli, &in, &l, &d) < 0)
		goto out;
	cfg.since = *l.since ? l.since : NULL;
	cfg.until = *l.until ? l.until : NULL;
	char err[DLOG_ERR_MAX];
	if (replay_run(&l.snap.cx, &l.ps, l.snap.has_schema ? &l.snap.schema : NULL, &l.snap.es, l.log, &cfg, &r,
		       err) < 0) {
		cli_error(cli, "%s", err);
		goto out;
	}
	wbuf b = WBUF_INIT;
	if (format && strcmp(format, "json") == 0)
		replay_print_json(&r, &b);
	else
		replay_print_text(&r, &b);
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	if (r.unreplayable && cli->errfmt != CLI_ERR_JSON)
		fprintf(cli->err, "%s %s: warning: %llu logged decision%s could not be replayed (see 'not replayable')\n",
			cli->prog, cli->cmd, (unsigned long long)r.unreplayable, r.unreplayable == 1 ? "" : "s");
	rc = r.allow_to_deny || r.deny_to_allow ? WARD_EXIT_INVALID : WARD_EXIT_OK;
out:
	acli_print_diags(cli, &d);
	replay_release(&r);
	rcli_close(&l);
	diags_release(&d);
	return rc;
}
