/* dlog: the SQLite decision log (see dlog.h).
 *
 * One connection per handle; a handle is used by one thread at a time (the
 * server's log writer thread, or the replay/drift command). Statements used
 * on the hot path (appending) are prepared once at open; dlog_each prepares
 * its own statement per call so that a callback may call other dlog
 * functions on the same handle.
 */
#include "server/dlog.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

#define DLOG_SCHEMA_VERSION 1

struct dlog {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *ins_decision; /* INSERT INTO decisions */
	sqlite3_stmt *ins_version;  /* INSERT OR IGNORE INTO policy_versions */
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS decisions ("
	" id INTEGER PRIMARY KEY, time TEXT NOT NULL, principal TEXT NOT NULL, action TEXT NOT NULL,"
	" resource TEXT NOT NULL, context TEXT NOT NULL, decision TEXT NOT NULL, reasons TEXT NOT NULL,"
	" errors TEXT NOT NULL, policy_version TEXT NOT NULL, latency_ns INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS decisions_time ON decisions(time);"
	"CREATE TABLE IF NOT EXISTS policy_versions ("
	" version TEXT PRIMARY KEY, loaded_at TEXT NOT NULL, source TEXT NOT NULL, policies TEXT NOT NULL);"
	"PRAGMA user_version = 1;";

static void seterr(char *err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, DLOG_ERR_MAX, fmt, ap);
	va_end(ap);
}

static int sql_fail(dlog *l, char *err, const char *what)
{
	seterr(err, "decision log '%s': %s: %s", l->path, what, sqlite3_errmsg(l->db));
	return -1;
}

/* Reads one integer from a single-row query; -1 with err on failure. */
static int query_int(dlog *l, const char *sql, int64_t *out, char *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		seterr(err, "decision log '%s': %s", l->path, sqlite3_errmsg(l->db));
		sqlite3_finalize(st);
		return -1;
	}
	*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static dlog *open_log(const char *path, bool create, bool readonly, char *err);

dlog *dlog_open(const char *path, bool create, char *err)
{
	return open_log(path, create, false, err);
}

dlog *dlog_open_read(const char *path, char *err)
{
	return open_log(path, false, true, err);
}

static dlog *open_log(const char *path, bool create, bool readonly, char *err)
{
	struct stat sb;
	bool fresh = false;
	if (stat(path, &sb) != 0) {
		if (errno != ENOENT || !create) {
			seterr(err, "cannot open the decision log '%s': %s", path, strerror(errno));
			return NULL;
		}
		/* decisions name principals and resources: owner-only file */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			seterr(err, "cannot create the decision log '%s': %s", path, strerror(errno));
			return NULL;
		}
		close(fd);
		fresh = true;
	} else if (!S_ISREG(sb.st_mode)) {
		seterr(err, "the decision log '%s' is not a regular file", path);
		return NULL;
	}

	dlog *l = xcalloc(1, sizeof *l);
	l->path = xstrdup(path);
	if (sqlite3_open_v2(path, &l->db, readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		seterr(err, "cannot open the decision log '%s': %s", path,
		       l->db ? sqlite3_errmsg(l->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(l->db, 5000);

	/* the first read tells a database from anything else ("file is not a
	 * database" for a corrupt or foreign file) */
	int64_t version = 0, tables = 0;
	if (query_int(l, "PRAGMA user_version", &version, err) != 0 ||
	    query_int(l, "SELECT count(*) FROM sqlite_master", &tables, err) != 0) {
		seterr(err, "'%s' is not a decision log: %s", path, sqlite3_errmsg(l->db));
		goto fail;
	}
	if (version == 0 && tables == 0 && (fresh || create)) {
		char *msg = NULL;
		if (sqlite3_exec(l->db, "PRAGMA journal_mode=WAL", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(l->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
			seterr(err, "cannot create the decision log '%s': %s", path, msg ? msg : "error");
			sqlite3_free(msg);
			goto fail;
		}
	} else if (version != DLOG_SCHEMA_VERSION) {
		if (version == 0)
			seterr(err, "'%s' is not a decision log (no schema version)", path);
		else
			seterr(err, "the decision log '%s' has schema version %lld; this ward reads version %d", path,
			       (long long)version, DLOG_SCHEMA_VERSION);
		goto fail;
	} else if (readonly) {
		return l; /* reading needs no journal mode and no insert statements */
	} else if (sqlite3_exec(l->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(l, err, "cannot enable write-ahead logging");
		goto fail;
	}
	/* WAL with NORMAL sync: durable across process crashes, a power loss
	 * may lose the last batches but never corrupts the file */
	sqlite3_exec(l->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);

	if (sqlite3_prepare_v2(l->db,
			       "INSERT INTO decisions (id, time, principal, action, resource, context, decision,"
			       " reasons, errors, policy_version, latency_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &l->ins_decision, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(l->db,
			       "INSERT OR IGNORE INTO policy_versions (version, loaded_at, source, policies)"
			       " VALUES (?,?,?,?)",
			       -1, &l->ins_version, NULL) != SQLITE_OK) {
		seterr(err, "'%s' is not a decision log: %s", path, sqlite3_errmsg(l->db));
		goto fail;
	}
	return l;
fail:
	dlog_close(l);
	return NULL;
}

void dlog_close(dlog *l)
{
	if (!l)
		return;
	sqlite3_finalize(l->ins_decision);
	sqlite3_finalize(l->ins_version);
	if (l->db)
		sqlite3_close(l->db);
	free(l->path);
	free(l);
}

int dlog_add_version(dlog *l, const char *version, const char *loaded_at, const char *source,
		     const char *policies_text, char *err)
{
	sqlite3_stmt *st = l->ins_version;
	if (!st) {
		seterr(err, "the decision log '%s' was opened for reading only", l->path);
		return -1;
	}
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, loaded_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, source ? source : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, policies_text ? policies_text : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return sql_fail(l, err, "cannot record the policy version");
	return 0;
}

static const char *nz(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

int dlog_append(dlog *l, const dlog_entry *entries, size_t n, char *err)
{
	if (n == 0)
		return 0;
	if (!l->ins_decision) {
		seterr(err, "the decision log '%s' was opened for reading only", l->path);
		return -1;
	}
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(l, err, "cannot start a transaction");
	sqlite3_stmt *st = l->ins_decision;
	for (size_t i = 0; i < n; i++) {
		const dlog_entry *e = &entries[i];
		sqlite3_reset(st);
		if (e->id > 0)
			sqlite3_bind_int64(st, 1, e->id);
		else
			sqlite3_bind_null(st, 1);
		sqlite3_bind_text(st, 2, nz(e->time, ""), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, nz(e->principal, ""), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, nz(e->action, ""), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, nz(e->resource, ""), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, nz(e->context, "{}"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, e->allow ? "allow" : "deny", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, nz(e->reasons, "[]"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, nz(e->errors, "[]"), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, nz(e->policy_version, ""), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, e->latency_ns);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sql_fail(l, err, "cannot append a decision");
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sql_fail(l, err, "cannot commit decisions");
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

int dlog_each(dlog *l, const char *since, const char *until, int (*fn)(const dlog_entry *e, void *arg), void *arg,
	      char *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db,
			       "SELECT id, time, principal, action, resource, context, decision, reasons, errors,"
			       " policy_version, latency_ns FROM decisions"
			       " WHERE (?1 IS NULL OR time >= ?1) AND (?2 IS NULL OR time < ?2) ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(l, err, "cannot read decisions");
	if (since)
		sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	if (until)
		sqlite3_bind_text(st, 2, until, -1, SQLITE_STATIC);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		dlog_entry e = {
			.id = sqlite3_column_int64(st, 0),
			.time = col(st, 1),
			.principal = col(st, 2),
			.action = col(st, 3),
			.resource = col(st, 4),
			.context = col(st, 5),
			.allow = strcmp(col(st, 6), "allow") == 0,
			.reasons = col(st, 7),
			.errors = col(st, 8),
			.policy_version = col(st, 9),
			.latency_ns = sqlite3_column_int64(st, 10),
		};
		ret = fn(&e, arg);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		sql_fail(l, err, "cannot read decisions");
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

char *dlog_version_policies(dlog *l, const char *version, char *err)
{
	sqlite3_stmt *st = NULL;
	char *out = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT policies FROM policy_versions WHERE version = ?", -1, &st, NULL) !=
	    SQLITE_OK) {
		sql_fail(l, err, "cannot read policy versions");
		return NULL;
	}
	sqlite3_bind_text(st, 1, version, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		out = xstrdup(col(st, 0));
	else if (rc == SQLITE_DONE)
		seterr(err, "decision log '%s': unknown policy version '%s'", l->path, version);
	else
		sql_fail(l, err, "cannot read policy versions");
	sqlite3_finalize(st);
	return out;
}

int64_t dlog_max_id(dlog *l, char *err)
{
	int64_t id = 0;
	if (query_int(l, "SELECT coalesce(max(id), 0) FROM decisions", &id, err) != 0)
		return -1;
	return id;
}

void dlog_time_at(int64_t unix_ms, char *buf, size_t n)
{
	int64_t ms = unix_ms % 1000;
	if (ms < 0)
		ms += 1000;
	time_t secs = (time_t)((unix_ms - ms) / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char base[24];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03dZ", base, (int)ms);
}

void dlog_now(char *buf, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	dlog_time_at((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000L, buf, n);
}

int dlog_prune(dlog *l, const char *before, int64_t *deleted, char *err)
{
	*deleted = 0;
	if (!l->ins_decision) {
		seterr(err, "the decision log '%s' was opened for reading only", l->path);
		return -1;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "DELETE FROM decisions WHERE time < ?", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(l, err, "cannot prune the decision log");
	sqlite3_bind_text(st, 1, before, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(l, err, "cannot prune the decision log");
	*deleted = sqlite3_changes(l->db);
	return 0;
}
