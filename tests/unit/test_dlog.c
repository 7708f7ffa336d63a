/* Unit tests of dlog.h, the decision log: create and reopen, policy
 * versions, batched appends, reading with time bounds, early stop, ids,
 * and files that are not (this version of) a decision log. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/dlog.h"

static char tmpdir[64];
static char dbpath[128];

static void mk_tmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ward-dlog-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/decisions.db", tmpdir);
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(dlog, .init = mk_tmp, .fini = rm_tmp);

static dlog_entry entry(const char *time, const char *principal, bool allow)
{
	return (dlog_entry){.time = time, .principal = principal, .action = "Action::\"view\"",
			    .resource = "Photo::\"a.jpg\"", .context = "{\"ip\":\"10.0.0.1\"}", .allow = allow,
			    .reasons = allow ? "[\"p1\"]" : "[]", .errors = "[\"p2\"]", .policy_version = "abc",
			    .latency_ns = 1234};
}

/* Collects what dlog_each passes, as "id time principal decision". */
struct seen {
	char rows[16][160];
	int n;
	int stop_at; /* return 7 at this row (1-based), 0: never */
};

static int collect(const dlog_entry *e, void *arg)
{
	struct seen *s = arg;
	cr_assert_lt(s->n, 16);
	snprintf(s->rows[s->n], sizeof s->rows[0], "%lld %s %s %s %s %s %s %s %s %s %lld", (long long)e->id, e->time,
		 e->principal, e->action, e->resource, e->context, e->allow ? "allow" : "deny", e->reasons, e->errors,
		 e->policy_version, (long long)e->latency_ns);
	s->n++;
	return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

static void fill(void)
{
	char err[DLOG_ERR_MAX] = "";
	dlog *l = dlog_open(dbpath, true, err);
	cr_assert_not_null(l, "%s", err);
	cr_assert_eq(dlog_add_version(l, "abc", "2026-11-29T10:00:00.000Z", "policies=p.cedar", "permit(principal,action,resource);", err), 0, "%s", err);
	dlog_entry es[3] = {
		entry("2026-11-29T10:00:00.000Z", "User::\"alice\"", true),
		entry("2026-11-29T11:00:00.000Z", "User::\"bob\"", false),
		entry("2026-11-29T12:00:00.000Z", "User::\"carol\"", true),
	};
	cr_assert_eq(dlog_append(l, es, 3, err), 0, "%s", err);
	cr_assert_eq(dlog_max_id(l, err), 3);
	dlog_close(l);
}

Test(dlog, round_trip_after_reopen)
{
	fill();
	struct stat sb;
	cr_assert_eq(stat(dbpath, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0600, "decision logs are private to their owner");
	char err[DLOG_ERR_MAX] = "";
	dlog *l = dlog_open(dbpath, false, err);
	cr_assert_not_null(l, "%s", err);
	struct seen s = {0};
	cr_assert_eq(dlog_each(l, NULL, NULL, collect, &s, err), 0);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.rows[0], "1 2026-11-29T10:00:00.000Z User::\"alice\" Action::\"view\" Photo::\"a.jpg\" "
				    "{\"ip\":\"10.0.0.1\"} allow [\"p1\"] [\"p2\"] abc 1234");
	cr_assert_str_eq(s.rows[1], "2 2026-11-29T11:00:00.000Z User::\"bob\" Action::\"view\" Photo::\"a.jpg\" "
				    "{\"ip\":\"10.0.0.1\"} deny [] [\"p2\"] abc 1234");
	char *pol = dlog_version_policies(l, "abc", err);
	cr_assert_not_null(pol, "%s", err);
	cr_assert_str_eq(pol, "permit(principal,action,resource);");
	free(pol);
	cr_assert_null(dlog_version_policies(l, "nope", err));
	cr_assert(strstr(err, "unknown policy version 'nope'"), "%s", err);
	/* a second record of the same version is ignored, not an error */
	cr_assert_eq(dlog_add_version(l, "abc", "2026-11-30T00:00:00.000Z", "x", "forbid(principal,action,resource);", err), 0);
	pol = dlog_version_policies(l, "abc", err);
	cr_assert_str_eq(pol, "permit(principal,action,resource);");
	free(pol);
	dlog_close(l);
}

Test(dlog, since_until_bounds)
{
	fill();
	char err[DLOG_ERR_MAX] = "";
	dlog *l = dlog_open(dbpath, false, err);
	cr_assert_not_null(l, "%s", err);
	struct seen s = {0};
	/* since is inclusive, until exclusive */
	cr_assert_eq(dlog_each(l, "2026-11-29T11:00:00.000Z", NULL, collect, &s, err), 0);
	cr_assert_eq(s.n, 2);
	cr_assert(strncmp(s.rows[0], "2 ", 2) == 0, "%s", s.rows[0]);
	memset(&s, 0, sizeof s);
	cr_assert_eq(dlog_each(l, NULL, "2026-11-29T11:00:00.000Z", collect, &s, err), 0);
	cr_assert_eq(s.n, 1);
	cr_assert(strncmp(s.rows[0], "1 ", 2) == 0, "%s", s.rows[0]);
	memset(&s, 0, sizeof s);
	cr_assert_eq(dlog_each(l, "2026-11-29T10:30:00.000Z", "2026-11-29T12:00:00.000Z", collect, &s, err), 0);
	cr_assert_eq(s.n, 1);
	cr_assert(strstr(s.rows[0], "bob"), "%s", s.rows[0]);
	memset(&s, 0, sizeof s);
	cr_assert_eq(dlog_each(l, "2027-01-01T00:00:00.000Z", NULL, collect, &s, err), 0);
	cr_assert_eq(s.n, 0);
	/* the callback's non-zero value stops the walk and is returned */
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	cr_assert_eq(dlog_each(l, NULL, NULL, collect, &s, err), 7);
	cr_assert_eq(s.n, 2);
	dlog_close(l);
}

Test(dlog, given_ids_and_appends_continue)
{
	fill();
	char err[DLOG_ERR_MAX] = "";
	dlog *l = dlog_open(dbpath, true, err);
	cr_assert_not_null(l, "%s", err);
	dlog_entry e = entry("2026-11-29T13:00:00.000Z", "User::\"dave\"", false);
	e.id = 10;
	cr_assert_eq(dlog_append(l, &e, 1, err), 0, "%s", err);
	cr_assert_eq(dlog_max_id(l, err), 10);
	e.id = 0; /* SQLite picks the next */
	cr_assert_eq(dlog_append(l, &e, 1, err), 0, "%s", err);
	cr_assert_eq(dlog_max_id(l, err), 11);
	/* a duplicate id fails the whole batch: nothing of it is written */
	dlog_entry two[2] = {entry("2026-11-29T14:00:00.000Z", "User::\"eve\"", true), e};
	two[1].id = 10;
	cr_assert_eq(dlog_append(l, two, 2, err), -1);
	cr_assert(strstr(err, "cannot append a decision"), "%s", err);
	struct seen s = {0};
	cr_assert_eq(dlog_each(l, NULL, NULL, collect, &s, err), 0);
	cr_assert_eq(s.n, 5);
	cr_assert_eq(dlog_append(l, NULL, 0, err), 0, "an empty batch is fine");
	dlog_close(l);
}

Test(dlog, open_missing_without_create)
{
	char err[DLOG_ERR_MAX] = "";
	cr_assert_null(dlog_open(dbpath, false, err));
	cr_assert(strstr(err, "cannot open the decision log"), "%s", err);
	cr_assert_neq(access(dbpath, F_OK), 0, "nothing created");
}

Test(dlog, wrong_schema_version_rejected)
{
	fill();
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	char err[DLOG_ERR_MAX] = "";
	cr_assert_null(dlog_open(dbpath, false, err));
	cr_assert(strstr(err, "has schema version 2; this ward reads version 1"), "%s", err);
	cr_assert_null(dlog_open(dbpath, true, err));
}

Test(dlog, other_database_rejected)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	char err[DLOG_ERR_MAX] = "";
	cr_assert_null(dlog_open(dbpath, true, err));
	cr_assert(strstr(err, "is not a decision log"), "%s", err);
}

Test(dlog, corrupt_file_rejected)
{
	FILE *f = fopen(dbpath, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 64; i++)
		fputs("this is not an sqlite database. ", f);
	fclose(f);
	char err[DLOG_ERR_MAX] = "";
	cr_assert_null(dlog_open(dbpath, true, err));
	cr_assert(strstr(err, "is not a decision log"), "%s", err);
	cr_assert(strstr(err, "decisions.db"), "%s", err);
}

Test(dlog, now_is_rfc3339_millis)
{
	char buf[32];
	dlog_now(buf, sizeof buf);
	cr_assert_eq(strlen(buf), 24, "%s", buf);
	cr_assert_eq(buf[4], '-');
	cr_assert_eq(buf[10], 'T');
	cr_assert_eq(buf[19], '.');
	cr_assert_eq(buf[23], 'Z');
}

Test(dlog, read_only_open_on_read_only_storage)
{
	fill();
	char err[DLOG_ERR_MAX] = "";
	/* the log and its directory made read-only, as an auditor's copy is */
	cr_assert_eq(chmod(dbpath, 0400), 0);
	cr_assert_eq(chmod(tmpdir, 0500), 0);
	dlog *l = dlog_open_read(dbpath, err);
	cr_assert_not_null(l, "%s", err);
	struct seen s = {0};
	cr_assert_eq(dlog_each(l, NULL, NULL, collect, &s, err), 0, "%s", err);
	cr_assert_eq(s.n, 3);
	char *pol = dlog_version_policies(l, "abc", err);
	cr_assert_not_null(pol, "%s", err);
	free(pol);
	/* writing through a read-only handle is refused, not attempted */
	dlog_entry e = {0};
	e.time = "2026-11-29T13:00:00.000Z";
	e.principal = e.action = e.resource = "X::\"x\"";
	e.context = "{}";
	e.reasons = e.errors = "[]";
	e.policy_version = "v1";
	cr_assert_eq(dlog_append(l, &e, 1, err), -1);
	cr_assert(strstr(err, "reading only"), "%s", err);
	cr_assert_eq(dlog_add_version(l, "v9", "2026-11-29T13:00:00.000Z", "x", "", err), -1);
	dlog_close(l);
	cr_assert_eq(chmod(tmpdir, 0700), 0);
	/* a missing file is an error naming it */
	char missing[192];
	snprintf(missing, sizeof missing, "%s/none.db", tmpdir);
	cr_assert_null(dlog_open_read(missing, err));
	cr_assert(strstr(err, "none.db"), "%s", err);
}

Test(dlog, prune_deletes_what_is_older_than_the_bound)
{
	fill();
	char err[DLOG_ERR_MAX] = "";
	dlog *l = dlog_open(dbpath, false, err);
	cr_assert_not_null(l, "%s", err);
	int64_t n = -1;
	cr_assert_eq(dlog_prune(l, "2026-11-29T11:00:00.000Z", &n, err), 0, "%s", err);
	cr_assert_eq(n, 1, "only the 10:00 decision is older");
	struct seen s = {0};
	cr_assert_eq(dlog_each(l, NULL, NULL, collect, &s, err), 0);
	cr_assert_eq(s.n, 2);
	cr_assert(strstr(s.rows[0], "bob"), "%s", s.rows[0]);
	char *pol = dlog_version_policies(l, "abc", err);
	cr_assert_not_null(pol, "the policy versions stay");
	free(pol);
	cr_assert_eq(dlog_prune(l, "2000-01-01T00:00:00.000Z", &n, err), 0);
	cr_assert_eq(n, 0);
	dlog_close(l);
	char t[32];
	dlog_time_at(0, t, sizeof t);
	cr_assert_str_eq(t, "1970-01-01T00:00:00.000Z");
	dlog_time_at(1764428645123LL, t, sizeof t);
	cr_assert_str_eq(t, "2025-11-29T15:04:05.123Z");
	dlog_time_at(-1, t, sizeof t);
	cr_assert_str_eq(t, "1969-12-31T23:59:59.999Z");
}
