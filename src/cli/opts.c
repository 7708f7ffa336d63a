/* opts: the option parser and help printer of the `ward` command line.
 *
 * Each command describes its options in a table (struct cli_opt); this file
 * parses argv against it and prints `--help` from the same table, so the
 * help text cannot drift from what is accepted. Syntax: `--name value`,
 * `--name=value`, `-x value`, `-xvalue`, bundled short flags (`-vt`), `--`
 * ends the options, and a lone `-` is a positional argument (stdin).
 * Every command also accepts -h/--help and -f/--error-format.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

static const char *const errfmt_choices[] = {"human", "plain", "json", NULL};

/* The options shared by every command, storing into the caller's locals
 * (NULL pointers give a table fit only for printing help). */
static void common_table(struct cli_opt t[3], const char **errfmt, bool *help)
{
	const struct cli_opt tab[3] = {
		{"error-format", 'f', "FORMAT", "how errors are printed: human, plain or json", errfmt, NULL,
		 errfmt_choices},
		{"help", 'h', NULL, "show this help", NULL, help, NULL},
		CLI_OPT_END,
	};
	memcpy(t, tab, sizeof tab);
}

static const struct cli_opt *find_long(const struct cli_opt *t, const char *name, size_t n)
{
	for (; t->lname; t++)
		if (strlen(t->lname) == n && memcmp(t->lname, name, n) == 0)
			return t;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *t, char c)
{
	for (; t->lname; t++)
		if (t->sname && t->sname == c)
			return t;
	return NULL;
}

static const struct cli_opt *lookup_long(const struct cli_spec *spec, const struct cli_opt *common, const char *name,
					 size_t n)
{
	const struct cli_opt *o = find_long(spec->opts, name, n);
	return o ? o : find_long(common, name, n);
}

static const struct cli_opt *lookup_short(const struct cli_spec *spec, const struct cli_opt *common, char c)
{
	const struct cli_opt *o = find_short(spec->opts, c);
	return o ? o : find_short(common, c);
}

static void usage_error(struct ward_cli *cli, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void usage_error(struct ward_cli *cli, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror(cli, fmt, ap);
	va_end(ap);
	if (cli->errfmt != CLI_ERR_JSON)
		fprintf(cli->err, "run '%s %s --help' to see the options\n", cli->prog, cli->cmd);
}

static int set_value(struct ward_cli *cli, const struct cli_opt *o, const char *v)
{
	if (*o->value) {
		usage_error(cli, "option '--%s' given more than once", o->lname);
		return -1;
	}
	if (o->choices) {
		const char *const *c;
		for (c = o->choices; *c && strcmp(*c, v) != 0; c++)
			;
		if (!*c) {
			char list[256] = "";
			size_t used = 0;
			for (c = o->choices; *c && used < sizeof list; c++) {
				int k = snprintf(list + used, sizeof list - used, "%s%s", c == o->choices ? "" : ", ", *c);
				if (k < 0)
					break;
				used += (size_t)k;
			}
			usage_error(cli, "invalid value '%s' for '--%s'; expected one of: %s", v, o->lname, list);
			return -1;
		}
	}
	*o->value = v;
	return 0;
}

int cli_parse(struct ward_cli *cli, const struct cli_spec *spec, int argc, char **argv, const char **pos, int *npos)
{
	const char *opt_errfmt = NULL;
	bool opt_help = false;
	struct cli_opt common[3];
	common_table(common, &opt_errfmt, &opt_help);
	*npos = 0;
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (*npos >= spec->max_pos) {
				usage_error(cli, "unexpected argument '%s'", a);
				return -1;
			}
			pos[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			const struct cli_opt *o = lookup_long(spec, common, name, n);
			if (!o) {
				usage_error(cli, "unknown option '--%.*s'", (int)n, name);
				return -1;
			}
			if (o->flag) {
				if (eq) {
					usage_error(cli, "option '--%s' takes no value", o->lname);
					return -1;
				}
				*o->flag = true;
				continue;
			}
			const char *v = eq ? eq + 1 : NULL;
			if (!v) {
				if (i + 1 >= argc) {
					usage_error(cli, "option '--%s' needs a value (%s)", o->lname, o->metavar);
					return -1;
				}
				v = argv[++i];
			}
			if (set_value(cli, o, v))
				return -1;
			continue;
		}
		/* short options, possibly bundled: -vt, -pFILE, -p FILE */
		for (const char *c = a + 1; *c; c++) {
			const struct cli_opt *o = lookup_short(spec, common, *c);
			if (!o) {
				usage_error(cli, "unknown option '-%c'", *c);
				return -1;
			}
			if (o->flag) {
				*o->flag = true;
				continue;
			}
			const char *v = c[1] ? c + 1 : NULL;
			if (!v) {
				if (i + 1 >= argc) {
					usage_error(cli, "option '-%c' (--%s) needs a value (%s)", *c, o->lname,
						    o->metavar);
					return -1;
				}
				v = argv[++i];
			}
			if (set_value(cli, o, v))
				return -1;
			break;
		}
	}
	if (opt_errfmt)
		cli->errfmt = strcmp(opt_errfmt, "json") == 0    ? CLI_ERR_JSON
			      : strcmp(opt_errfmt, "plain") == 0 ? CLI_ERR_PLAIN
								 : CLI_ERR_HUMAN;
	if (opt_help) {
		cli_print_help(cli, spec, cli->out);
		return 1;
	}
	if (*npos < spec->min_pos) {
		usage_error(cli, "missing argument; usage: %s %s %s", cli->prog, cli->cmd, spec->usage);
		return -1;
	}
	return 0;
}

static void print_opts(const struct cli_opt *t, FILE *f)
{
	for (; t->lname; t++) {
		char left[64];
		int n = snprintf(left, sizeof left, "%c%c%c --%s%s%s", t->sname ? '-' : ' ', t->sname ? t->sname : ' ',
				 t->sname ? ',' : ' ', t->lname, t->metavar ? " " : "", t->metavar ? t->metavar : "");
		if (n < 0)
			continue;
		if (n <= 28)
			fprintf(f, "  %-28s %s\n", left, t->help);
		else
			fprintf(f, "  %s\n  %-28s %s\n", left, "", t->help);
	}
}

void cli_print_help(struct ward_cli *cli, const struct cli_spec *spec, FILE *f)
{
	fprintf(f, "usage: %s %s %s\n\n%s\n\noptions:\n", cli->prog, cli->cmd, spec->usage, spec->about);
	struct cli_opt common[3];
	common_table(common, NULL, NULL);
	print_opts(spec->opts, f);
	print_opts(common, f);
	if (spec->notes)
		fprintf(f, "\n%s", spec->notes);
}
