/* cmd_serve: `ward serve`, the HTTP decision point.
 *
 * Parses the options, starts the server (src/server/server.h) and waits for
 * signals: SIGHUP reloads every input, SIGINT/SIGTERM stop gracefully (the
 * requests in flight finish and the decision log is flushed). With --watch
 * the inputs' file metadata is polled and a change reloads. The signals are
 * blocked before the server's threads start (they inherit the mask) and
 * taken synchronously with sigtimedwait here, so no handler and no global
 * flag are needed.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "server/server.h"

struct serve_opts {
	struct cli_inputs in;
	const char *repo;
	const char *listen;
	const char *log;
	const char *threads;
	const char *max_body;
	const char *watch;
	const char *log_queue;
	const char *max_names;
	const char *token_file;
	const char *retention;
};

/* The bearer token: the first line of `path`, which must be a regular file
 * that neither group nor others can read (as ssh asks of private keys).
 * Heap string, or NULL after an error. */
static char *read_token(struct ward_cli *cli, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		cli_error(cli, "cannot read the token file '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		cli_error(cli, "the token file '%s' is not a regular file", path);
		return NULL;
	}
	if (sb.st_mode & 077) {
		cli_error(cli, "the token file '%s' can be read by others (mode %03o): chmod 600 it", path,
			  (unsigned)(sb.st_mode & 0777));
		return NULL;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		cli_error(cli, "cannot read the token file '%s': %s", path, strerror(errno));
		return NULL;
	}
	char line[512];
	char *got = fgets(line, sizeof line, f);
	fclose(f);
	size_t n = got ? strcspn(line, "\r\n") : 0;
	line[n] = '\0';
	if (n < 16) {
		cli_error(cli, "the token in '%s' is %s: use at least 16 characters (e.g. 32 random bytes, hex)", path,
			  n ? "too short" : "empty");
		return NULL;
	}
	char *t = malloc(n + 1);
	if (t)
		memcpy(t, line, n + 1);
	memset(line, 0, sizeof line);
	return t;
}

/* A whole number in [min, max] from option `name`; -1 after an error. */
static long long parse_count(struct ward_cli *cli, const char *name, const char *s, long long min, long long max)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		cli_error(cli, "--%s '%s': expected a whole number from %lld to %lld", name, s, min, max);
		return -1;
	}
	return v;
}

static void report(struct ward_cli *cli, const char *what, ward_diags *d)
{
	fprintf(cli->err, "%s %s: %s, still serving the previous policy set:\n", cli->prog, cli->cmd, what);
	cli_print_diags(cli, d, 0);
	fflush(cli->err);
}

int cmd_serve(int argc, char **argv, struct ward_cli *cli)
{
	struct serve_opts o;
	memset(&o, 0, sizeof o);
	const struct cli_opt opts[] = {
		{"policies", 'p', "PATH", "Cedar policies: a file, or a directory of .cedar files", &o.in.policies,
		 NULL, NULL},
		{"template-linked", 'k', "FILE", "JSON file of template links to apply", &o.in.template_links, NULL,
		 NULL},
		{"ids", 0, "MODE", "policy ids: annotation (@id where present; default) or positional (policyN)",
		 &o.in.ids, NULL, cli_choices_ids},
		CLI_OPTS_SCHEMA(o.in),
		CLI_OPTS_ENTITIES(o.in),
		{"repo", 0, "DIR", "serve a policy repository: its policies/, schema.cedarschema, entities/", &o.repo,
		 NULL, NULL},
		{"request-validation", 0, "BOOL", "validate requests against the schema (default: true)",
		 &o.in.request_validation, NULL, cli_choices_bool},
		{"listen", 0, "ADDR:PORT", "address to listen on (default 127.0.0.1:8180; port 0: any free port)",
		 &o.listen, NULL, NULL},
		{"log", 0, "FILE", "append every decision to this SQLite decision log", &o.log, NULL, NULL},
		{"threads", 0, "N", "HTTP worker threads (default 2)", &o.threads, NULL, NULL},
		{"max-body", 0, "BYTES", "largest request body accepted (default 1048576)", &o.max_body, NULL, NULL},
		{"log-queue", 0, "N", "decisions waiting for the log writer before new ones are dropped (default 65536)",
		 &o.log_queue, NULL, NULL},
		{"log-retention", 0, "DAYS", "delete logged decisions older than DAYS (at start, then hourly); default: keep",
		 &o.retention, NULL, NULL},
		{"token-file", 0, "FILE",
		 "require 'Authorization: Bearer TOKEN' on every request but health; TOKEN is FILE's first line "
		 "(the file must not be readable by group or others)",
		 &o.token_file, NULL, NULL},
		{"max-request-names", 0, "N",
		 "names requests may add (new entity ids...) before the state is rebuilt from the inputs (default "
		 "1000000)",
		 &o.max_names, NULL, NULL},
		{"watch", 0, "SECONDS", "poll the input files every SECONDS and reload when one changed", &o.watch,
		 NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options]",
		.about = "Serve Cedar authorization decisions over HTTP (JSON): POST /v1/authorize,\n"
			 "POST /v1/authorize/batch, GET /v1/health, POST /v1/reload (see docs/SERVER.md).",
		.opts = opts,
		.notes = "Prints 'listening on ADDR:PORT' on standard output once it serves. SIGHUP reloads the\n"
			 "inputs (a set that fails to load is reported and the previous one kept); SIGINT or\n"
			 "SIGTERM stop after the requests in flight and flush the decision log (exit 0).\n"
			 "exit status: 0 after a clean stop, 1 when the server cannot start.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;

	srv_config cfg;
	memset(&cfg, 0, sizeof cfg);
	if (o.repo && (o.in.policies || o.in.schema || o.in.entities || o.in.template_links)) {
		cli_error(cli, "--repo cannot be combined with --policies, --schema, --entities or --template-linked");
		return WARD_EXIT_FAILURE;
	}
	if (!o.repo && !o.in.policies) {
		cli_error(cli, "no policies given: use --policies FILE|DIR or --repo DIR");
		return WARD_EXIT_FAILURE;
	}
	cfg.policies = o.in.policies;
	cfg.schema = o.in.schema;
	cfg.schema_format = o.in.schema_format;
	cfg.entities = o.in.entities;
	cfg.links = o.in.template_links;
	cfg.repo = o.repo;
	cfg.positional_ids = o.in.ids && strcmp(o.in.ids, "positional") == 0;
	cfg.no_request_validation = cli_request_flags(&o.in) & WARD_REQ_NO_VALIDATION;
	cfg.listen = o.listen;
	cfg.log_path = o.log;

	cfg.events = cli->err;
	long long watch = 0, v;
	if (o.threads) {
		if ((v = parse_count(cli, "threads", o.threads, 1, 256)) < 0)
			return WARD_EXIT_FAILURE;
		cfg.threads = (unsigned)v;
	}
	if (o.max_body) {
		if ((v = parse_count(cli, "max-body", o.max_body, 1, 1LL << 30)) < 0)
			return WARD_EXIT_FAILURE;
		cfg.max_body = (size_t)v;
	}
	if (o.log_queue) {
		if ((v = parse_count(cli, "log-queue", o.log_queue, 1, 1 << 24)) < 0)
			return WARD_EXIT_FAILURE;
		cfg.log_queue = (size_t)v;
	}
	if (o.retention && !o.log) {
		cli_error(cli, "--log-retention needs --log FILE");
		return WARD_EXIT_FAILURE;
	}
	if (o.retention) {
		if ((v = parse_count(cli, "log-retention", o.retention, 1, 36500)) < 0)
			return WARD_EXIT_FAILURE;
		cfg.log_retention_days = (unsigned)v;
	}
	if (o.max_names) {
		if ((v = parse_count(cli, "max-request-names", o.max_names, 1, 1LL << 30)) < 0)
			return WARD_EXIT_FAILURE;
		cfg.max_request_names = (size_t)v;
	}
	if (o.watch && (watch = parse_count(cli, "watch", o.watch, 1, 86400)) < 0)
		return WARD_EXIT_FAILURE;

	/* block the signals before any thread starts: every thread inherits
	 * the mask and only sigtimedwait below receives them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	char *token = NULL;
	if (o.token_file) {
		if (!(token = read_token(cli, o.token_file)))
			return WARD_EXIT_FAILURE;
		cfg.token = token;
	}
	ward_diags *d = ward_diags_new();
	srv *s = srv_start(&cfg, d);
	if (token) { /* the server keeps its own copy */
		memset(token, 0, strlen(token));
		free(token);
		cfg.token = NULL;
	}
	if (!s) {
		cli_print_diags(cli, d, 0);
		ward_diags_free(d);
		return WARD_EXIT_FAILURE;
	}
	char version[65];
	srv_version(s, version);
	const char *addr = o.listen ? o.listen : "127.0.0.1:8180";
	const char *colon = strrchr(addr, ':');
	fprintf(cli->out, "listening on %.*s:%u (policy version %.12s)\n", (int)(colon - addr), addr, srv_port(s),
		version);
	fflush(cli->out);

	time_t next_watch = watch ? time(NULL) + watch : 0;
	for (;;) {
		struct timespec ts = {1, 0};
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP) {
			ward_diags_clear(d);
			if (srv_reload(s, d) < 0)
				report(cli, "reload on SIGHUP failed", d);
		}
		ward_diags_clear(d);
		if (srv_maintain(s, d) < 0)
			report(cli, "rebuilding the state (requests had added too many names) failed", d);
		if (watch && time(NULL) >= next_watch) {
			ward_diags_clear(d);
			if (srv_watch(s, d) < 0)
				report(cli, "reload after a change of the inputs failed", d);
			next_watch = time(NULL) + watch;
		}
	}
	fprintf(cli->err, "%s %s: stopping\n", cli->prog, cli->cmd);
	srv_stop(s);
	ward_diags_free(d);
	return WARD_EXIT_OK;
}
