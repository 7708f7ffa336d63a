/* server: the HTTP decision point behind `ward serve`.
 *
 * Loads policies, schema and entities (files, or a policy repository made
 * by `ward init`), answers Cedar authorization requests over HTTP with
 * libmicrohttpd's thread pool, appends every decision to the SQLite
 * decision log (dlog.h) through a bounded queue drained by one writer
 * thread, and swaps in a newly loaded input set atomically on reload. The
 * API is described in docs/SERVER.md.
 *
 * The server never touches signals or exits: the command line (cmd_serve.c)
 * waits for signals and calls srv_reload / srv_watch / srv_stop.
 */
#ifndef WARD_SERVER_SERVER_H
#define WARD_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ward/ward.h"

typedef struct srv_config {
	const char *policies;       /* a .cedar/.json file, or a directory of .cedar files */
	const char *schema;         /* may be NULL */
	const char *schema_format;  /* "cedar", "human", "json" or NULL (detect) */
	const char *entities;       /* may be NULL */
	const char *links;          /* template links JSON, may be NULL */
	const char *repo;           /* a policy repository: replaces the four above */
	bool positional_ids;        /* policyN ids instead of @id annotations */
	bool no_request_validation; /* parse contexts by the schema, do not validate requests */
	const char *listen;         /* "ADDR:PORT" ("[v6]:PORT"); NULL: 127.0.0.1:8180 */
	const char *log_path;       /* the decision log; NULL: no logging */
	unsigned threads;           /* HTTP worker threads (0: 2) */
	size_t max_body;            /* request body limit in bytes (0: 1 MiB) */
	size_t log_queue;           /* decisions waiting for the writer (0: 65536) */
	size_t max_request_names;   /* names requests may add to the symbol table before the
	                               state is rebuilt from the inputs (0: 1,000,000) */
	unsigned log_retention_days; /* decisions older than this are deleted from the log (at
	                               start, then hourly while it grows); 0: kept forever */
	const char *token;          /* when set, every request but GET /v1/health must carry
	                               "Authorization: Bearer <token>" (compared in constant time) */
	FILE *events;               /* reloads and log errors are reported here (may be NULL) */
} srv_config;

typedef struct srv srv;

/* Loads the inputs, binds the listening socket, opens (creates) the log and
 * starts serving. NULL with located diagnostics in `d` on any failure, in
 * which case nothing was created (the log is opened only after the inputs
 * loaded and the socket is bound). */
srv *srv_start(const srv_config *cfg, ward_diags *d);
/* The bound port (useful with port 0) and address as given. */
unsigned srv_port(const srv *s);
/* The current policy version (hex digest); valid until the next reload. */
void srv_version(srv *s, char out[65]);

/* Reloads every input. On success the new set serves every request that
 * starts afterwards, requests in flight finish on the old one, and 0 is
 * returned; on failure the old set stays, -1 with diagnostics in `d`. */
int srv_reload(srv *s, ward_diags *d);
/* Reloads when an input file changed (mtime, size, or the file list of a
 * policy directory) since the last load: 1 reloaded, 0 unchanged, -1 a
 * reload failed (diagnostics in `d`; not retried until the files change
 * again). */
int srv_watch(srv *s, ward_diags *d);

/* Rebuilds the state from the inputs when requests have added more than
 * max_request_names names to its symbol table since it was loaded (names
 * are never removed from a table, so this bounds the memory a stream of
 * requests naming new entities can take). Call it periodically: 1 rebuilt,
 * 0 nothing to do, -1 the inputs no longer load (diagnostics in `d`; the
 * old state keeps serving and growing, and it is tried again next time
 * the limit is crossed). */
int srv_maintain(srv *s, ward_diags *d);

/* Stops accepting, waits for the requests in flight, flushes the decision
 * log, frees everything. */
void srv_stop(srv *s);

#endif
