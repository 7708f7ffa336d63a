/* replay_cli: input loading shared by `ward replay` and `ward drift`
 * (defined in cmd_replay.c). Private to src/cli.
 *
 * Both commands read a decision log (--log), a policy set (-p FILE|DIR|REV,
 * or a repository's policies with --repo), optionally a schema and an
 * entity snapshot (the repository's by default with --repo), and a time
 * window (--since / --until, dates or datetimes).
 */
#ifndef WARD_CLI_REPLAY_CLI_H
#define WARD_CLI_REPLAY_CLI_H

#include "analysis/replay.h"
#include "analysis/revision.h"
#include "cli/cli.h"
#include "server/dlog.h"
#include "util/diag.h"

struct rcli_inputs {
	const char *log;      /* --log FILE */
	const char *policies; /* -p FILE|DIR|REV */
	const char *schema;   /* -s FILE */
	const char *entities; /* --entities FILE */
	const char *links;    /* -k FILE (template links) */
	const char *repo;     /* --repo DIR */
	const char *since, *until;
};

struct rcli_loaded {
	wsnapshot snap;   /* engine context, schema, entities, root */
	bool snap_open;
	wpolicyset ps;
	dlog *log;
	char since[REPLAY_TIME_MAX], until[REPLAY_TIME_MAX]; /* "" when not given */
};

/* Loads everything; 0, or -1 after printing the errors (close `l` in both
 * cases). */
int rcli_load(struct ward_cli *cli, const struct rcli_inputs *in, struct rcli_loaded *l, wdiags *d);
void rcli_close(struct rcli_loaded *l);

#endif
