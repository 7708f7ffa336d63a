/* cmd_format: `ward format`, the canonical layout of Cedar policy files.
 *
 * Reads policies from -p/--policies FILE, from FILE arguments, or from
 * standard input, and prints them formatted (format.h: reference formatter
 * style, comments kept). -w/--write rewrites each file in place, atomically
 * (temporary file + rename) and only when it changes; -c/--check writes
 * nothing, lists the files that would change and exits 1 if any would.
 * A file that does not parse is reported and never written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cedar/format.h"
#include "cedar/parser.h"
#include "cli/cli.h"
#include "govern/gio.h"

static int parse_width(struct ward_cli *cli, const char *opt, const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || *end || errno || v < 1 || v > 10000) {
		cli_error(cli, "'%s' needs a positive number, got '%s'", opt, s ? s : "");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Replaces `path` with `data` atomically, keeping the file's mode. */
static int write_atomic(struct ward_cli *cli, const char *path, const char *data, size_t n)
{
	struct stat st;
	unsigned mode = stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0644;
	wdiags d;
	diags_init(&d);
	int rc = gio_write_atomic(path, data, n, mode, false, &d);
	if (rc < 0)
		cli_error(cli, "%s", d.n ? d.items[0].msg : "cannot write the file");
	diags_release(&d);
	return rc;
}

int cmd_format(int argc, char **argv, struct ward_cli *cli)
{
	const char *policies = NULL, *lw = NULL, *iw = NULL;
	bool write = false, check = false;
	const struct cli_opt opts[] = {
		{"policies", 'p', "FILE", "policy file to format (default: standard input)", &policies, NULL, NULL},
		{"write", 'w', NULL, "rewrite the files in place instead of printing", NULL, &write, NULL},
		{"check", 'c', NULL, "only check: list files that would change, exit 1 if any", NULL, &check, NULL},
		{"line-width", 'l', "N", "target line width (default 80)", &lw, NULL, NULL},
		{"indent-width", 'i', "N", "spaces per indentation level (default 2)", &iw, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options] [FILE...]",
		.about = "Print Cedar policies in the canonical layout: annotations on their own lines, the scope\n"
			 "split over lines when constrained, conditions indented, one blank line between policies,\n"
			 "comments kept where they were. Formatting twice changes nothing.",
		.opts = opts,
		.min_pos = 0,
		.max_pos = 256,
		.notes = "exit status: 0 on success (with --check: nothing would change), 1 otherwise.\n",
	};
	const char *pos[256];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	wfmt_opts fo;
	format_opts_default(&fo);
	if ((lw && parse_width(cli, "--line-width", lw, &fo.line_width) < 0) ||
	    (iw && parse_width(cli, "--indent-width", iw, &fo.indent) < 0))
		return WARD_EXIT_FAILURE;
	if (write && check) {
		cli_error(cli, "--write and --check cannot be used together");
		return WARD_EXIT_FAILURE;
	}
	const char *files[257];
	int nfiles = 0;
	if (policies)
		files[nfiles++] = policies;
	for (int i = 0; i < npos; i++)
		files[nfiles++] = pos[i];
	if (nfiles == 0)
		files[nfiles++] = "-";

	wctx cx;
	ctx_init(&cx);
	int rc = WARD_EXIT_OK;
	for (int i = 0; i < nfiles; i++) {
		const char *path = files[i];
		bool is_stdin = strcmp(path, "-") == 0;
		const char *name = is_stdin ? "<stdin>" : path;
		if (write && is_stdin) {
			cli_error(cli, "--write needs files, not standard input");
			rc = WARD_EXIT_FAILURE;
			continue;
		}
		ward_diags *rd = ward_diags_new();
		size_t len;
		char *text = ward_read_file(path, &len, rd);
		if (!text) {
			cli_print_diags(cli, rd, 0);
			ward_diags_free(rd);
			rc = WARD_EXIT_FAILURE;
			continue;
		}
		ward_diags_free(rd);
		wpolicyset ps;
		policyset_init(&ps);
		wdiags d;
		diags_init(&d);
		wbuf out = WBUF_INIT;
		if (format_source(&cx, &ps, name, text, len, &fo, &out, &d) != 0) {
			diags_print(&d, cli->err);
			rc = WARD_EXIT_FAILURE;
		} else {
			bool same = out.n == len && (len == 0 || memcmp(out.p, text, len) == 0);
			if (check) {
				if (!same) {
					fprintf(cli->out, "%s\n", name);
					rc = WARD_EXIT_FAILURE;
				}
			} else if (write) {
				if (!same && write_atomic(cli, path, out.p ? out.p : "", out.n) < 0)
					rc = WARD_EXIT_FAILURE;
			} else if (out.n) {
				fwrite(out.p, 1, out.n, cli->out);
			}
		}
		buf_release(&out);
		diags_release(&d);
		policyset_release(&ps);
		ward_free(text);
	}
	ctx_release(&cx);
	return rc;
}
