/* ledger: the hash-chained SQLite evidence ledger (see ledger.h). */
#include "govern/ledger.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "govern/gio.h"
#include "util/xalloc.h"

static const wspan nospan = {0, 0};

#define LEDGER_MAGIC "ward-ledger-v1"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS entries ("
	" seq INTEGER PRIMARY KEY, time TEXT NOT NULL, change TEXT NOT NULL, base TEXT NOT NULL,"
	" head TEXT NOT NULL, verdict TEXT NOT NULL, report TEXT NOT NULL, html TEXT NOT NULL,"
	" prev TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS entries_change ON entries(change);";

static int sql_error(ledger *l, wdiags *d, const char *what)
{
	diag_add(d, WSEV_ERROR, NULL, nospan, "ledger '%s': %s: %s", l->path, what,
		 l->db ? sqlite3_errmsg(l->db) : "cannot open");
	return -1;
}

/* Creates the directory of `path` (0700) when missing. */
static int make_parent(const char *path, wdiags *d)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int rc = 0;
	if (!gio_exists(dir)) {
		if (gio_mkdirs(dir) != 0 || chmod(dir, 0700) != 0) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot create the ledger directory '%s': %s", dir,
				 strerror(errno));
			rc = -1;
		}
	}
	free(dir);
	return rc;
}

int ledger_open(ledger *l, const char *path, bool create, wdiags *d)
{
	memset(l, 0, sizeof *l);
	l->path = xstrdup(path);
	if (sodium_init() < 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot initialise libsodium");
		return -1;
	}
	struct stat st;
	bool fresh = false;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT || !create) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot open the ledger '%s': %s", path, strerror(errno));
			return -1;
		}
		if (make_parent(path, d))
			return -1;
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot create the ledger '%s': %s", path, strerror(errno));
			return -1;
		}
		close(fd);
		fresh = true;
	} else if (!S_ISREG(st.st_mode)) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "the ledger '%s' is not a regular file", path);
		return -1;
	} else if (st.st_mode & 022) {
		diag_add(d, WSEV_ERROR, NULL, nospan,
			 "the ledger '%s' is writable by others (mode %03o); run 'chmod 600 %s'", path,
			 (unsigned)(st.st_mode & 0777), path);
		return -1;
	}
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return sql_error(l, d, "cannot open");
	sqlite3_busy_timeout(l->db, 5000);
	if (fresh) {
		char *msg = NULL;
		if (sqlite3_exec(l->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(l->db, "INSERT INTO meta VALUES('format','" LEDGER_MAGIC "'),('head',''),('count','0')",
				 NULL, NULL, &msg) != SQLITE_OK) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "cannot create the ledger '%s': %s", path,
				 msg ? msg : "error");
			sqlite3_free(msg);
			return -1;
		}
		return 0;
	}
	/* an existing file must be a ward ledger */
	sqlite3_stmt *st2 = NULL;
	int ok = sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE key='format'", -1, &st2, NULL) == SQLITE_OK &&
		 sqlite3_step(st2) == SQLITE_ROW && sqlite3_column_text(st2, 0) &&
		 strcmp((const char *)sqlite3_column_text(st2, 0), LEDGER_MAGIC) == 0;
	sqlite3_finalize(st2);
	if (!ok) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "'%s' is not a ward evidence ledger", path);
		return -1;
	}
	return 0;
}

void ledger_close(ledger *l)
{
	if (l->db)
		sqlite3_close(l->db);
	free(l->path);
	memset(l, 0, sizeof *l);
}

void ledger_entry_release(ledger_entry *e)
{
	free(e->time);
	free(e->change);
	free(e->base);
	free(e->head);
	free(e->verdict);
	free(e->report);
	free(e->html);
	free(e->prev);
	free(e->hash);
	memset(e, 0, sizeof *e);
}

void ledger_entries_free(ledger_entry *es, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ledger_entry_release(&es[i]);
	free(es);
}

static void hfield(crypto_generichash_state *st, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_update(st, len, sizeof len);
	if (n)
		crypto_generichash_update(st, (const unsigned char *)s, n);
}

void ledger_entry_hash(const ledger_entry *e, const char *prev, char out[LEDGER_HASH_HEX + 1])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	char seq[32];
	snprintf(seq, sizeof seq, "%lld", (long long)e->seq);
	hfield(&st, LEDGER_MAGIC);
	hfield(&st, seq);
	hfield(&st, prev);
	hfield(&st, e->time);
	hfield(&st, e->change);
	hfield(&st, e->base);
	hfield(&st, e->head);
	hfield(&st, e->verdict);
	hfield(&st, e->report);
	hfield(&st, e->html);
	unsigned char h[32];
	crypto_generichash_final(&st, h, sizeof h);
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[h[i] >> 4];
		out[2 * i + 1] = hx[h[i] & 15];
	}
	out[64] = '\0';
}

static char *meta_get(ledger *l, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE key=?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return v;
}

int ledger_append(ledger *l, ledger_entry *e, wdiags *d)
{
	if (sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(l, d, "cannot start a transaction");
	sqlite3_stmt *st = NULL;
	char *prev = NULL;
	int64_t last = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 0);
		prev = xstrdup((const char *)sqlite3_column_text(st, 1));
	} else if (rc != SQLITE_DONE) {
		goto fail;
	} else {
		prev = xstrdup("");
	}
	sqlite3_finalize(st);
	st = NULL;
	e->seq = last + 1;
	char h[LEDGER_HASH_HEX + 1];
	ledger_entry_hash(e, prev, h);
	if (sqlite3_prepare_v2(l->db,
			       "INSERT INTO entries(seq,time,change,base,head,verdict,report,html,prev,hash)"
			       " VALUES(?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, e->seq);
	const char *vals[] = {e->time, e->change, e->base, e->head, e->verdict, e->report, e->html, prev, h};
	for (int i = 0; i < 9; i++)
		sqlite3_bind_text(st, i + 2, vals[i] ? vals[i] : "", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(l->db, "UPDATE meta SET value=? WHERE key=?", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	char cnt[32];
	snprintf(cnt, sizeof cnt, "%lld", (long long)e->seq);
	const char *kv[2][2] = {{h, "head"}, {cnt, "count"}};
	for (int i = 0; i < 2; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, kv[i][0], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, kv[i][1], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(l->db) != 1)
			goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	free(e->prev);
	free(e->hash);
	e->prev = prev;
	e->hash = xstrdup(h);
	return 0;
fail:
	sql_error(l, d, "cannot append an entry");
	sqlite3_finalize(st);
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	free(prev);
	return -1;
}

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return xstrdup(t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, ledger_entry *e)
{
	e->seq = sqlite3_column_int64(st, 0);
	e->time = col(st, 1);
	e->change = col(st, 2);
	e->base = col(st, 3);
	e->head = col(st, 4);
	e->verdict = col(st, 5);
	e->report = col(st, 6);
	e->html = col(st, 7);
	e->prev = col(st, 8);
	e->hash = col(st, 9);
}

#define COLS "seq,time,change,base,head,verdict,report,html,prev,hash"

int ledger_verify(ledger *l, size_t *count, char head[LEDGER_HASH_HEX + 1], wbuf *problems, wdiags *d)
{
	*count = 0;
	if (head)
		head[0] = '\0';
	sqlite3_stmt *st = NULL;
	/* rowid order is insertion order in practice, but a reordering attack
	 * may rewrite seq; walk by seq and check every link */
	if (sqlite3_prepare_v2(l->db, "SELECT " COLS " FROM entries ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		return sql_error(l, d, "cannot read the entries");
	int bad = 0;
	char prev[LEDGER_HASH_HEX + 1] = "";
	int64_t expect = 1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ledger_entry e = {0};
		read_row(st, &e);
		if (e.seq != expect) {
			buf_printf(problems, "entry %lld: expected entry %lld here: an entry was deleted or reordered\n",
				   (long long)e.seq, (long long)expect);
			bad++;
		}
		if (strcmp(e.prev, prev) != 0) {
			buf_printf(problems,
				   "entry %lld: does not link to the entry before it: an entry was deleted, inserted or "
				   "reordered\n",
				   (long long)e.seq);
			bad++;
		}
		char h[LEDGER_HASH_HEX + 1];
		ledger_entry_hash(&e, e.prev, h);
		if (strcmp(h, e.hash) != 0) {
			buf_printf(problems, "entry %lld: its contents do not match its hash: the entry was edited\n",
				   (long long)e.seq);
			bad++;
		}
		snprintf(prev, sizeof prev, "%s", e.hash);
		expect = e.seq + 1;
		(*count)++;
		ledger_entry_release(&e);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_error(l, d, "cannot read the entries");
	char *mh = meta_get(l, "head"), *mc = meta_get(l, "count");
	char cnt[32];
	snprintf(cnt, sizeof cnt, "%zu", *count);
	if (!mh || strcmp(mh, prev) != 0) {
		buf_printf(problems, "the recorded head does not match the last entry: entries were deleted or added\n");
		bad++;
	}
	if (!mc || strcmp(mc, cnt) != 0) {
		buf_printf(problems, "the recorded count (%s) does not match the %zu entries: entries were deleted or "
				     "added\n",
			   mc ? mc : "missing", *count);
		bad++;
	}
	free(mh);
	free(mc);
	if (head)
		memcpy(head, prev, sizeof prev);
	return bad ? 1 : 0;
}

static int query(ledger *l, sqlite3_stmt *st, ledger_entry **out, size_t *n, wdiags *d)
{
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		memset(&(*out)[*n], 0, sizeof **out);
		read_row(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		ledger_entries_free(*out, *n);
		*out = NULL;
		*n = 0;
		return sql_error(l, d, "cannot read the entries");
	}
	return 0;
}

int ledger_find_change(ledger *l, const char *prefix, ledger_entry **out, size_t *n, wdiags *d)
{
	*out = NULL;
	*n = 0;
	size_t pl = strlen(prefix);
	bool hex = pl >= 8 && pl <= LEDGER_HASH_HEX;
	for (size_t i = 0; hex && i < pl; i++)
		hex = isxdigit((unsigned char)prefix[i]) && !isupper((unsigned char)prefix[i]);
	if (!hex) {
		diag_add(d, WSEV_ERROR, NULL, nospan,
			 "'%s' is not a change hash; give at least 8 lowercase hex digits of it", prefix);
		return -1;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT " COLS " FROM entries WHERE substr(change,1,?)=? ORDER BY seq", -1, &st,
			       NULL) != SQLITE_OK)
		return sql_error(l, d, "cannot read the entries");
	sqlite3_bind_int(st, 1, (int)pl);
	sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
	if (query(l, st, out, n, d))
		return -1;
	for (size_t i = 1; i < *n; i++) {
		if (strcmp((*out)[i].change, (*out)[0].change) != 0) {
			diag_add(d, WSEV_ERROR, NULL, nospan,
				 "the change hash prefix '%s' is ambiguous: it matches %.16s... and %.16s...", prefix,
				 (*out)[0].change, (*out)[i].change);
			ledger_entries_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
	}
	return 0;
}

int ledger_list(ledger *l, size_t max, ledger_entry **out, size_t *n, wdiags *d)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT " COLS " FROM entries ORDER BY seq DESC LIMIT ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return sql_error(l, d, "cannot read the entries");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(max ? max : (size_t)INT64_MAX));
	return query(l, st, out, n, d);
}
