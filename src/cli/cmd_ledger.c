/* cmd_ledger: `ward ledger verify|list|export`, the evidence ledger.
 *
 * verify checks the hash chain (edited, deleted, reordered entries) and
 * prints the head hash to record elsewhere; --head HASH compares with such a
 * record (which also catches a truncated ledger). list shows the latest
 * entries. export writes one change's evidence bundle (JSON and the HTML
 * review page with the controls mapping). The ledger is ward.yaml's
 * `ledger.path` (default .ward/ledger.db) or --ledger FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/approval.h"
#include "govern/gio.h"
#include "govern/ledger.h"
#include "govern/repo.h"
#include "govern/report.h"
#include "util/xalloc.h"

int cmd_ledger(int argc, char **argv, struct ward_cli *cli);

static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

/* The ledger path: --ledger, else ward.yaml's ledger.path under the
 * repository, else the default. Heap, or NULL after an error. */
static char *ledger_path(struct ward_cli *cli, const char *repo_dir, const char *given, wdiags *d)
{
	if (given)
		return xstrdup(given);
	char *root = repo_find(repo_dir ? repo_dir : ".");
	if (!root) {
		cli_error(cli, "not in a policy repository (no ward.yaml here or above); use --repo DIR or --ledger FILE");
		return NULL;
	}
	char *cfgp = gio_join(root, "ward.yaml");
	size_t len;
	char *text = gio_read(cfgp, 0, &len, d);
	free(cfgp);
	char *path = NULL;
	if (text) {
		appr_config c;
		if (appr_config_parse(&c, "ward.yaml", text, len, d) == 0) {
			const char *rel = c.ledger_path ? c.ledger_path : LEDGER_DEFAULT_PATH;
			path = rel[0] == '/' ? gio_join(rel, "") : gio_join(root, rel);
		}
		appr_config_release(&c);
		free(text);
	}
	free(root);
	if (path) {
		size_t n = strlen(path);
		if (n > 1 && path[n - 1] == '/')
			path[n - 1] = '\0';
	}
	return path;
}

int cmd_ledger(int argc, char **argv, struct ward_cli *cli)
{
	const char *sub = argc >= 2 ? argv[1] : NULL;
	static const char *const subs[] = {"verify", "list", "export", NULL};
	bool known = false;
	for (const char *const *s = subs; sub && *s; s++)
		known = known || strcmp(*s, sub) == 0;
	if (sub && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
		fprintf(cli->out, "usage: %s ledger verify|list|export [options]\n\n"
				  "  verify [--head HASH]          check the hash chain of the evidence ledger\n"
				  "  list [--limit N]              the latest entries\n"
				  "  export --change H --out DIR   write one change's evidence bundle\n\n"
				  "run '%s ledger SUBCOMMAND --help' for the options.\n",
			cli->prog, cli->prog);
		return WARD_EXIT_OK;
	}
	if (!known) {
		cli_error(cli, sub ? "unknown ledger subcommand '%s'; expected verify, list or export"
				   : "missing subcommand%s; expected verify, list or export",
			  sub ? sub : "");
		return WARD_EXIT_FAILURE;
	}
	const char *repo_dir = NULL, *lpath = NULL, *head = NULL, *change = NULL, *out = NULL, *limit = NULL;
	struct cli_opt opts[8];
	size_t no = 0;
	opts[no++] = (struct cli_opt){"repo", 0, "DIR", "the policy repository (default: the nearest upward)",
				      &repo_dir, NULL, NULL};
	opts[no++] = (struct cli_opt){"ledger", 0, "FILE", "the ledger file (default: ward.yaml's ledger.path)",
				      &lpath, NULL, NULL};
	const char *usage = "";
	if (strcmp(sub, "verify") == 0) {
		opts[no++] = (struct cli_opt){"head", 0, "HASH", "the head hash recorded earlier: the ledger must "
								 "still end with it or contain it",
					      &head, NULL, NULL};
		usage = "verify [--head HASH]";
	} else if (strcmp(sub, "export") == 0) {
		opts[no++] = (struct cli_opt){"change", 0, "HASH", "the change hash (at least 8 hex digits of it)",
					      &change, NULL, NULL};
		opts[no++] = (struct cli_opt){"out", 'o', "DIR", "directory for the bundle (must not exist or be "
								 "empty)",
					      &out, NULL, NULL};
		usage = "export --change HASH --out DIR";
	} else {
		opts[no++] = (struct cli_opt){"limit", 'n', "N", "how many entries (default 20)", &limit, NULL, NULL};
		usage = "list [--limit N]";
	}
	opts[no++] = (struct cli_opt)CLI_OPT_END;
	const struct cli_spec spec = {
		.usage = usage,
		.about = "The evidence ledger of 'ward check' (hash-chained, SQLite).",
		.opts = opts,
		.notes = "exit status: 0 ok, 1 failure, 3 the ledger was tampered with (verify).\n",
	};
	const char *pos[1];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc - 1, argv + 1, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (strcmp(sub, "export") == 0 && (!change || !out)) {
		cli_error(cli, "export needs '--change HASH' and '--out DIR'");
		return WARD_EXIT_FAILURE;
	}
	long lim = 20;
	if (limit) {
		char *end;
		lim = strtol(limit, &end, 10);
		if (*end || end == limit || lim < 1 || lim > 100000) {
			cli_error(cli, "invalid value '%s' for '--limit': expected a number from 1 to 100000", limit);
			return WARD_EXIT_FAILURE;
		}
	}
	wdiags d;
	diags_init(&d);
	int rc = WARD_EXIT_FAILURE;
	char *path = ledger_path(cli, repo_dir, lpath, &d);
	ledger l;
	memset(&l, 0, sizeof l);
	bool open = false;
	if (!path)
		goto out;
	if (ledger_open(&l, path, false, &d) != 0)
		goto out;
	open = true;
	if (strcmp(sub, "verify") == 0) {
		size_t count;
		char h[LEDGER_HASH_HEX + 1];
		wbuf problems = WBUF_INIT;
		int v = ledger_verify(&l, &count, h, &problems, &d);
		if (v < 0) {
			buf_release(&problems);
			goto out;
		}
		bool head_ok = true;
		if (head && v == 0 && strcmp(head, h) != 0) {
			/* an earlier head must still be in the chain */
			ledger_entry *es = NULL;
			size_t n = 0;
			head_ok = false;
			if (ledger_list(&l, 0, &es, &n, &d) == 0)
				for (size_t i = 0; i < n && !head_ok; i++)
					head_ok = strcmp(es[i].hash, head) == 0;
			ledger_entries_free(es, n);
			if (!head_ok)
				buf_printf(&problems, "the recorded head %s is not in the ledger: entries were removed or "
						      "rewritten\n",
					   head);
		}
		if (v == 0 && head_ok) {
			fprintf(cli->out, "ledger %s: intact, %zu entries\nhead %s\n", path, count, *h ? h : "(empty)");
			rc = WARD_EXIT_OK;
		} else {
			fprintf(cli->out, "ledger %s: TAMPERED\n%s", path, problems.p ? problems.p : "");
			rc = WARD_EXIT_INVALID;
		}
		buf_release(&problems);
	} else if (strcmp(sub, "list") == 0) {
		ledger_entry *es = NULL;
		size_t n = 0;
		if (ledger_list(&l, (size_t)lim, &es, &n, &d) != 0)
			goto out;
		for (size_t i = 0; i < n; i++)
			fprintf(cli->out, "%4lld  %s  %-14s  change %.16s  base %.12s  entry %.12s\n", (long long)es[i].seq,
				es[i].time, es[i].verdict, es[i].change, es[i].base, es[i].hash);
		ledger_entries_free(es, n);
		rc = WARD_EXIT_OK;
	} else {
		ledger_entry *es = NULL;
		size_t n = 0;
		if (ledger_find_change(&l, change, &es, &n, &d) != 0)
			goto out;
		if (!n) {
			cli_error(cli, "no ledger entry for change '%s'", change);
			goto out;
		}
		if (report_evidence(es, n, out, &d) == 0) {
			fprintf(cli->out, "wrote %s/evidence.json and %s/review.html (%zu entries, latest: %s)\n", out, out,
				n, es[n - 1].verdict);
			rc = WARD_EXIT_OK;
		}
		ledger_entries_free(es, n);
	}
out:
	print_wdiags(cli, &d);
	diags_release(&d);
	if (open)
		ledger_close(&l);
	else if (l.path)
		ledger_close(&l);
	free(path);
	return rc;
}
