/* cmd_scan: `ward scan PATHS`, the secret scanner over files and directories.
 *
 * Each finding is reported as `file:line:col: error: <kind> (<redacted>)`;
 * the secret itself is never printed, only its first characters and its
 * length. Inside a policy repository the allowlist and entropy threshold
 * of ward.yaml apply. Directories are walked recursively, skipping hidden
 * entries; binary files (with NUL bytes) and files over 16 MiB are skipped.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/gio.h"
#include "govern/repo.h"
#include "govern/secrets.h"
#include "util/xalloc.h"

int cmd_scan(int argc, char **argv, struct ward_cli *cli);

/* Prints engine diagnostics in the chosen --error-format (human, plain or
 * JSON) through the command line's own printer. (A candidate for common.c
 * as cli_print_wdiags.) */
static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

typedef struct scan_state {
	struct ward_cli *cli;
	secrets_scanner *sc;
	size_t files, findings, errors;
	bool json;
	bool first_json;
} scan_state;

static void report(scan_state *st, const char *path, const char *text, size_t len, const secret_finding *f)
{
	wsource src = {path, text, len};
	uint32_t line, col;
	source_linecol(&src, (uint32_t)f->start, &line, &col);
	char shown[64];
	secrets_redact_short(text + f->start, f->end - f->start, shown, sizeof shown);
	if (st->json) {
		wbuf b = WBUF_INIT;
		buf_adds(&b, st->first_json ? "" : ",\n");
		buf_adds(&b, "  {\"file\": ");
		buf_add_json_str(&b, path, strlen(path));
		buf_printf(&b, ", \"line\": %u, \"column\": %u, \"rule\": \"%s\", \"redacted\": ", line, col,
			   secrets_rule_id(f->rule));
		buf_add_json_str(&b, shown, strlen(shown));
		buf_adds(&b, "}");
		fputs(b.p, st->cli->out);
		buf_release(&b);
		st->first_json = false;
	} else {
		fprintf(st->cli->out, "%s:%u:%u: error: %s (%s)\n", path, line, col, secrets_rule_title(f->rule), shown);
	}
}

static void scan_file(scan_state *st, const char *path)
{
	wdiags d;
	diags_init(&d);
	size_t len;
	char *text = gio_read(path, (size_t)16 << 20, &len, &d);
	if (!text) {
		print_wdiags(st->cli, &d);
		diags_release(&d);
		st->errors++;
		return;
	}
	diags_release(&d);
	st->files++;
	if (memchr(text, '\0', len)) {
		free(text);
		return; /* binary */
	}
	secret_finding *f;
	size_t n = secrets_scan(st->sc, text, len, &f);
	for (size_t i = 0; i < n; i++)
		report(st, path, text, len, &f[i]);
	st->findings += n;
	free(f);
	free(text);
}

static void scan_path(scan_state *st, const char *path, int depth)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		cli_error(st->cli, "cannot read '%s': no such file or directory", path);
		st->errors++;
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		scan_file(st, path);
		return;
	}
	if (depth > 32)
		return;
	DIR *dh = opendir(path);
	if (!dh) {
		cli_error(st->cli, "cannot read directory '%s'", path);
		st->errors++;
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	/* sorted, for stable output */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		char *p = gio_join(path, names[i]);
		scan_path(st, p, depth + 1);
		free(p);
		free(names[i]);
	}
	free(names);
}

int cmd_scan(int argc, char **argv, struct ward_cli *cli)
{
	const char *repo_dir = NULL, *format = NULL;
	static const char *const formats[] = {"text", "json", NULL};
	const struct cli_opt opts[] = {
		{"repo", 'C', "DIR", "take the allowlist and entropy threshold from this repository's ward.yaml",
		 &repo_dir, NULL, NULL},
		{"format", 0, "FORMAT", "text (default) or json", &format, NULL, formats},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options] PATH...",
		.about = "Scan files and directories for secrets: cloud access keys, forge and SaaS tokens, private\n"
			 "key blocks, JWTs, connection strings with passwords, hard-coded passwords, and generic\n"
			 "high-entropy strings. Secrets are reported by location and never printed in full.",
		.opts = opts,
		.min_pos = 1,
		.max_pos = 256,
		.notes = "exit status: 0 no secret found, 1 secrets found or an error.\n",
	};
	const char *pos[256];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	wdiags d;
	diags_init(&d);
	repo r;
	bool have_repo = false;
	char *root = repo_dir ? xstrdup(repo_dir) : repo_find(".");
	if (root) {
		if (repo_open(&r, root, REPO_NO_SCHEMA, &d) < 0) {
			print_wdiags(cli, &d);
			diags_release(&d);
			repo_close(&r);
			free(root);
			return WARD_EXIT_FAILURE;
		}
		have_repo = true;
	}
	secrets_scanner *sc = have_repo ? secrets_new(r.allowlist, r.nallow, r.entropy_threshold, &d)
					: secrets_new(NULL, 0, 0, &d);
	int rc = WARD_EXIT_FAILURE;
	if (sc) {
		scan_state st = {.cli = cli, .sc = sc, .json = format && strcmp(format, "json") == 0, .first_json = true};
		if (st.json)
			fputs("[\n", cli->out);
		for (int i = 0; i < npos; i++)
			scan_path(&st, pos[i], 0);
		if (st.json)
			fputs(st.first_json ? "]\n" : "\n]\n", cli->out);
		else
			fprintf(cli->err, "ward scan: %zu file%s scanned, %zu secret%s found\n", st.files,
				st.files == 1 ? "" : "s", st.findings, st.findings == 1 ? "" : "s");
		rc = st.findings || st.errors ? WARD_EXIT_FAILURE : WARD_EXIT_OK;
		secrets_free(sc);
	}
	print_wdiags(cli, &d);
	diags_release(&d);
	if (have_repo)
		repo_close(&r);
	free(root);
	return rc;
}
