/* Unit tests of ledger.h: appends, verification, and every kind of
 * tampering (edit, delete, reorder, insert, truncate), permissions and
 * malformed files. The attacks write the SQLite file directly. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "govern/gio.h"
#include "govern/ledger.h"
#include "util/buf.h"
#include "util/diag.h"

static char tmpdir[64];
static char dbpath[128];

static void mk_tmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ward-ledger-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/.ward/ledger.db", tmpdir);
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(ledger, .init = mk_tmp, .fini = rm_tmp);

static char *msgs(const wdiags *d)
{
	wbuf b = WBUF_INIT;
	diags_render(d, &b);
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* Creates the ledger with `n` entries for changes c0, c1, ... */
static void fill(int n)
{
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, true, &d), 0);
	for (int i = 0; i < n; i++) {
		char change[65]; /* "NN" then 62 zeros: a 64-hex-digit change hash */
		memset(change, '0', 64);
		change[64] = '\0';
		change[0] = (char)('0' + i / 10 % 10);
		change[1] = (char)('0' + i % 10);
		ledger_entry e = {.time = "2026-11-29T12:00:00Z", .change = change, .base = "b", .head = "h",
				  .verdict = i % 2 ? "PASS" : "NEEDS-APPROVAL", .report = "{\"findings\":[]}",
				  .html = "<html></html>"};
		cr_assert_eq(ledger_append(&l, &e, &d), 0);
		cr_assert_eq(e.seq, i + 1);
		cr_assert_eq(strlen(e.hash), 64);
		free(e.prev);
		free(e.hash);
	}
	ledger_close(&l);
	diags_release(&d);
}

static void sql(const char *stmt)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	char *err = NULL;
	int rc = sqlite3_exec(db, stmt, NULL, NULL, &err);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", stmt, err ? err : "");
	sqlite3_close(db);
}

static int verify(char **problems, size_t *count)
{
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, false, &d), 0);
	wbuf p = WBUF_INIT;
	char head[65];
	int rc = ledger_verify(&l, count, head, &p, &d);
	ledger_close(&l);
	diags_release(&d);
	if (!p.p)
		buf_adds(&p, "");
	*problems = buf_detach(&p);
	return rc;
}

Test(ledger, created_private_and_verifies)
{
	fill(3);
	struct stat st;
	cr_assert_eq(stat(dbpath, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char dir[160];
	snprintf(dir, sizeof dir, "%s/.ward", tmpdir);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 0, "%s", p);
	cr_assert_eq(n, 3);
	free(p);
}

Test(ledger, empty_ledger_verifies)
{
	fill(0);
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 0, "%s", p);
	cr_assert_eq(n, 0);
	free(p);
}

Test(ledger, chain_links_entries)
{
	fill(2);
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, false, &d), 0);
	ledger_entry *es;
	size_t n;
	cr_assert_eq(ledger_list(&l, 0, &es, &n, &d), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(es[0].seq, 2, "newest first");
	cr_assert_str_eq(es[0].prev, es[1].hash);
	cr_assert_str_eq(es[1].prev, "");
	char h[65];
	ledger_entry_hash(&es[1], "", h);
	cr_assert_str_eq(h, es[1].hash);
	ledger_entries_free(es, n);
	ledger_close(&l);
	diags_release(&d);
}

Test(ledger, edited_entry_detected)
{
	fill(3);
	sql("UPDATE entries SET verdict='BLOCKED' WHERE seq=2");
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 1);
	cr_assert(strstr(p, "entry 2: its contents do not match its hash: the entry was edited"), "%s", p);
	free(p);
}

Test(ledger, edited_entry_with_recomputed_hash_detected)
{
	fill(3);
	/* the attacker edits the report and recomputes that entry's hash */
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, false, &d), 0);
	ledger_entry *es;
	size_t n;
	cr_assert_eq(ledger_list(&l, 0, &es, &n, &d), 0);
	ledger_entry *e2 = &es[1]; /* seq 2 */
	free(e2->report);
	e2->report = strdup("{\"findings\":[\"nothing to see\"]}");
	char h[65];
	ledger_entry_hash(e2, e2->prev, h);
	char stmt[512];
	snprintf(stmt, sizeof stmt, "UPDATE entries SET report='%s', hash='%s' WHERE seq=2", e2->report, h);
	ledger_entries_free(es, n);
	ledger_close(&l);
	diags_release(&d);
	sql(stmt);
	char *p;
	cr_assert_eq(verify(&p, &n), 1);
	cr_assert(strstr(p, "entry 3: does not link to the entry before it"), "%s", p);
	free(p);
}

Test(ledger, deleted_entry_detected)
{
	fill(4);
	sql("DELETE FROM entries WHERE seq=2");
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 1);
	cr_assert(strstr(p, "entry 3: expected entry 2 here"), "%s", p);
	cr_assert(strstr(p, "does not link"), "%s", p);
	free(p);
}

Test(ledger, deleted_last_entry_detected)
{
	fill(3);
	sql("DELETE FROM entries WHERE seq=3");
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 1);
	cr_assert(strstr(p, "recorded head does not match"), "%s", p);
	cr_assert(strstr(p, "recorded count (3)"), "%s", p);
	free(p);
}

Test(ledger, reordered_entries_detected)
{
	fill(3);
	sql("UPDATE entries SET seq=100 WHERE seq=1; UPDATE entries SET seq=1 WHERE seq=2;"
	    "UPDATE entries SET seq=2 WHERE seq=100");
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 1);
	cr_assert(strstr(p, "entry 1:") && strstr(p, "entry 2:"), "%s", p);
	free(p);
}

Test(ledger, appends_after_verify_keep_chain)
{
	fill(2);
	fill(0); /* reopen only */
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, true, &d), 0);
	ledger_entry e = {.time = "t", .change = "c", .base = "b", .head = "h", .verdict = "PASS", .report = "{}",
			  .html = ""};
	cr_assert_eq(ledger_append(&l, &e, &d), 0);
	cr_assert_eq(e.seq, 3);
	free(e.prev);
	free(e.hash);
	ledger_close(&l);
	diags_release(&d);
	char *p;
	size_t n;
	cr_assert_eq(verify(&p, &n), 0, "%s", p);
	cr_assert_eq(n, 3);
	free(p);
}

Test(ledger, find_change_by_prefix)
{
	fill(3);
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, false, &d), 0);
	ledger_entry *es;
	size_t n;
	cr_assert_eq(ledger_find_change(&l, "01000000", &es, &n, &d), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(es[0].seq, 2);
	ledger_entries_free(es, n);
	cr_assert_eq(ledger_find_change(&l, "ff000000", &es, &n, &d), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(ledger_find_change(&l, "0", &es, &n, &d), -1);
	cr_assert_eq(ledger_find_change(&l, "0000000", &es, &n, &d), -1);
	cr_assert_eq(ledger_find_change(&l, "ABCDEF01", &es, &n, &d), -1);
	char *m = msgs(&d);
	cr_assert(strstr(m, "at least 8 lowercase hex digits"), "%s", m);
	free(m);
	ledger_close(&l);
	diags_release(&d);
}

Test(ledger, ambiguous_prefix_rejected)
{
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, true, &d), 0);
	const char *ch[] = {"abcdef0011", "abcdef0022"};
	for (int i = 0; i < 2; i++) {
		ledger_entry e = {.time = "t", .change = (char *)ch[i], .base = "b", .head = "h", .verdict = "PASS",
				  .report = "{}", .html = ""};
		cr_assert_eq(ledger_append(&l, &e, &d), 0);
		free(e.prev);
		free(e.hash);
	}
	ledger_entry *es;
	size_t n;
	cr_assert_eq(ledger_find_change(&l, "abcdef00", &es, &n, &d), -1);
	char *m = msgs(&d);
	cr_assert(strstr(m, "ambiguous"), "%s", m);
	free(m);
	ledger_close(&l);
	diags_release(&d);
}

Test(ledger, unsafe_permissions_and_foreign_files_refused)
{
	fill(1);
	cr_assert_eq(chmod(dbpath, 0666), 0);
	ledger l;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, dbpath, false, &d), -1);
	ledger_close(&l);
	char *m = msgs(&d);
	cr_assert(strstr(m, "writable by others"), "%s", m);
	free(m);
	diags_release(&d);

	char other[160];
	snprintf(other, sizeof other, "%s/other.db", tmpdir);
	cr_assert_eq(gio_write_atomic(other, "hello", 5, 0600, false, NULL), 0);
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, other, false, &d), -1);
	ledger_close(&l);
	m = msgs(&d);
	cr_assert(strstr(m, "not a ward evidence ledger") || strstr(m, "not a database"), "%s", m);
	free(m);
	diags_release(&d);

	snprintf(other, sizeof other, "%s/missing.db", tmpdir);
	diags_init(&d);
	cr_assert_eq(ledger_open(&l, other, false, &d), -1);
	ledger_close(&l);
	m = msgs(&d);
	cr_assert(strstr(m, "cannot open the ledger"), "%s", m);
	free(m);
	diags_release(&d);
}
