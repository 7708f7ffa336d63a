/* replay: logged decisions decided again under a candidate policy set
 * (replay.h).
 *
 * One pass over the log window through dlog_each: each row is rebuilt into
 * a request JSON object {principal, action, resource, context} with the uid
 * texts as logged, handed to request_from_json (the path `ward authorize`
 * takes, so the same validation applies), decided with authz_decide in a
 * per-row arena that is reset, and compared with the logged decision.
 * Groups, skip reasons and erroring policies are found through small
 * private interners whose symbol ids are array indices.
 */
#include "analysis/replay.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cedar/authz.h"
#include "cedar/ext.h"
#include "cedar/jsonv.h"
#include "cedar/request.h"
#include "util/arena.h"
#include "util/xalloc.h"

#define REPLAY_MAX_SKIPS 100  /* distinct unreplayable reasons kept */
#define REPLAY_MAX_ERRS 200   /* distinct newly erroring policies kept */
#define REPLAY_MAX_TALLY 8    /* distinct old determining sets per group */

int replay_time_parse(const char *text, char out[REPLAY_TIME_MAX], int64_t *ms)
{
	int64_t v;
	if (!text)
		return -1;
	size_t n = strlen(text);
	char buf[64];
	/* RFC 3339 writes an offset "+02:00", Cedar's datetime() "+0200" */
	if (n >= 16 && n < sizeof buf && (text[n - 6] == '+' || text[n - 6] == '-') && text[n - 3] == ':') {
		memcpy(buf, text, n - 3);
		memcpy(buf + n - 3, text + n - 2, 2);
		buf[n - 1] = '\0';
		text = buf;
		n--;
	}
	if (ext_parse_datetime(text, n, &v) < 0)
		return -1;
	replay_time_format(v, out);
	if (ms)
		*ms = v;
	return 0;
}

void replay_time_format(int64_t ms, char out[REPLAY_TIME_MAX])
{
	int64_t sec = ms / 1000, rem = ms % 1000;
	if (rem < 0) {
		rem += 1000;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		memcpy(out, "0000-01-01T00:00:00.000Z", 25);
		return;
	}
	char tmp[96]; /* room for any int fields, so the compiler sees no truncation */
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)rem);
	size_t n = strlen(tmp);
	if (n >= REPLAY_TIME_MAX)
		n = REPLAY_TIME_MAX - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
}

void replay_init(wreplay *r)
{
	memset(r, 0, sizeof *r);
	intern_init(&r->gkeys);
	intern_init(&r->skeys);
	intern_init(&r->ekeys);
}

static void sample_release(wreplay_sample *s)
{
	free(s->time);
	free(s->principal);
	free(s->action);
	free(s->resource);
	free(s->context);
	free(s->old_reasons);
	free(s->new_reasons);
}

void replay_release(wreplay *r)
{
	for (size_t i = 0; i < r->ngroups; i++) {
		wreplay_group *g = &r->groups[i];
		free(g->action);
		free(g->policies);
		for (size_t k = 0; k < g->nsamples; k++)
			sample_release(&g->samples[k]);
		free(g->samples);
		for (size_t k = 0; k < g->nwas; k++)
			free(g->was[k].policies);
		free(g->was);
	}
	free(r->groups);
	for (size_t i = 0; i < r->nskips; i++)
		free(r->skips[i].reason);
	free(r->skips);
	for (size_t i = 0; i < r->nerrs; i++) {
		free(r->errs[i].policy);
		free(r->errs[i].message);
	}
	free(r->errs);
	intern_release(&r->gkeys);
	intern_release(&r->skeys);
	intern_release(&r->ekeys);
	memset(r, 0, sizeof *r);
}

/* ---- the pass over the log ----------------------------------------------- */

struct replay_run {
	wctx *cx;
	const wpolicyset *ps;
	const wschema *schema;
	const wentities *es;
	const wreplay_config *cfg;
	wreplay *r;
	warena tmp;     /* per row, reset */
	wbuf msg;       /* per row: error messages */
	wbuf key;       /* per row: map keys */
	wbuf oldj, newj; /* per row: joined determining policies */
	const char **ids; /* scratch for sorting ids */
	size_t cids;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* qsort, which must not be given a NULL array even for no elements. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void scratch_fit(struct replay_run *rr, size_t n)
{
	if (n > rr->cids) {
		rr->cids = n * 2;
		rr->ids = xrealloc(rr->ids, rr->cids * sizeof *rr->ids);
	}
}

/* Sorts ids[0..n) and joins them with ", " into b. */
static void join_sorted(const char **ids, size_t n, wbuf *b)
{
	buf_clear(b);
	sort(ids, n, sizeof *ids, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_adds(b, ", ");
		buf_adds(b, ids[i]);
	}
	buf_addc(b, '\0');
	b->n--;
}

/* The policy ids of a logged JSON array; NULL when it is not one. The
 * array keeps the strings alive. */
static json_t *logged_ids(const char *text)
{
	json_t *j = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_array(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static void skip(struct replay_run *rr, const dlog_entry *e, const char *reason)
{
	wreplay *r = rr->r;
	r->unreplayable++;
	size_t len = strlen(reason);
	const wsym *k = intern_find(&r->skeys, reason, len);
	if (!k) {
		if (r->nskips >= REPLAY_MAX_SKIPS) {
			r->skips_other++;
			return;
		}
		k = intern_get(&r->skeys, reason, len);
	}
	if (k->id == r->nskips) {
		if (r->nskips == r->cskips) {
			r->cskips = r->cskips ? r->cskips * 2 : 16;
			r->skips = xrealloc(r->skips, r->cskips * sizeof *r->skips);
		}
		r->skips[r->nskips++] = (wreplay_skip){.reason = xstrndup(reason, len), .first_id = e->id};
	}
	r->skips[k->id].count++;
}

static void new_error(struct replay_run *rr, const dlog_entry *e, const char *policy, const char *message)
{
	wreplay *r = rr->r;
	size_t len = strlen(policy);
	const wsym *k = intern_find(&r->ekeys, policy, len);
	if (!k) {
		if (r->nerrs >= REPLAY_MAX_ERRS)
			return;
		k = intern_get(&r->ekeys, policy, len);
	}
	if (k->id == r->nerrs) {
		if (r->nerrs == r->cerrs) {
			r->cerrs = r->cerrs ? r->cerrs * 2 : 16;
			r->errs = xrealloc(r->errs, r->cerrs * sizeof *r->errs);
		}
		r->errs[r->nerrs++] = (wreplay_err){
			.policy = xstrndup(policy, len), .message = xstrdup(message ? message : ""), .first_id = e->id};
	}
	r->errs[k->id].count++;
}

static wreplay_group *group_for(struct replay_run *rr, const char *action, wreplay_change ch, const char *policies)
{
	wreplay *r = rr->r;
	wbuf *k = &rr->key;
	buf_clear(k);
	buf_adds(k, action);
	buf_addc(k, '\x1f');
	buf_addc(k, ch == WRC_ALLOW_TO_DENY ? 'd' : 'a');
	buf_addc(k, '\x1f');
	buf_adds(k, policies);
	const wsym *s = intern_get(&r->gkeys, k->p, k->n);
	if (s->id == r->ngroups) {
		if (r->ngroups == r->cgroups) {
			r->cgroups = r->cgroups ? r->cgroups * 2 : 16;
			r->groups = xrealloc(r->groups, r->cgroups * sizeof *r->groups);
		}
		wreplay_group *g = &r->groups[r->ngroups++];
		memset(g, 0, sizeof *g);
		g->action = xstrdup(action);
		g->change = ch;
		g->policies = xstrdup(policies);
	}
	return &r->groups[s->id];
}

static void tally(wreplay_group *g, const char *old)
{
	for (size_t i = 0; i < g->nwas; i++)
		if (strcmp(g->was[i].policies, old) == 0) {
			g->was[i].count++;
			return;
		}
	if (g->nwas >= REPLAY_MAX_TALLY) {
		g->was_other++;
		return;
	}
	g->was = xrealloc(g->was, (g->nwas + 1) * sizeof *g->was);
	g->was[g->nwas++] = (wreplay_tally){.policies = xstrdup(old), .count = 1};
}

static void changed(struct replay_run *rr, const dlog_entry *e, bool now_allow)
{
	wreplay_change ch = now_allow ? WRC_DENY_TO_ALLOW : WRC_ALLOW_TO_DENY;
	if (now_allow)
		rr->r->deny_to_allow++;
	else
		rr->r->allow_to_deny++;
	const char *old = rr->oldj.p ? rr->oldj.p : "", *now = rr->newj.p ? rr->newj.p : "";
	wreplay_group *g = group_for(rr, e->action, ch, now);
	g->count++;
	tally(g, old);
	size_t max = rr->cfg->max_samples ? rr->cfg->max_samples : 5;
	if (g->nsamples < max) {
		g->samples = xrealloc(g->samples, (g->nsamples + 1) * sizeof *g->samples);
		g->samples[g->nsamples++] = (wreplay_sample){
			.id = e->id,
			.time = xstrdup(e->time),
			.principal = xstrdup(e->principal),
			.action = xstrdup(e->action),
			.resource = xstrdup(e->resource),
			.context = xstrdup(e->context),
			.old_reasons = xstrdup(old),
			.new_reasons = xstrdup(now),
		};
	}
}

/* Builds the request of a logged row, or explains in rr->msg why not. */
static int row_request(struct replay_run *rr, const dlog_entry *e, wrequest *req)
{
	wbuf *m = &rr->msg;
	buf_clear(m);
	json_t *ctx = jsonv_parse_text("context", e->context, strlen(e->context), m);
	if (!ctx) {
		wbuf why = WBUF_INIT;
		buf_printf(&why, "the logged context is not valid JSON: %s", m->p ? m->p : "");
		buf_clear(m);
		buf_add(m, why.p, why.n);
		buf_release(&why);
		return -1;
	}
	json_t *obj = json_object();
	json_t *p = json_string(e->principal), *a = json_string(e->action), *res = json_string(e->resource);
	int rc = -1;
	if (!p || !a || !res) {
		buf_adds(m, "an entity uid is not valid UTF-8");
		json_decref(p);
		json_decref(a);
		json_decref(res);
		json_decref(ctx);
		goto out;
	}
	json_object_set_new(obj, "principal", p);
	json_object_set_new(obj, "action", a);
	json_object_set_new(obj, "resource", res);
	json_object_set_new(obj, "context", ctx);
	rc = request_from_json(rr->cx, &rr->tmp, obj, rr->schema, req, m);
out:
	json_decref(obj);
	return rc;
}

static int replay_row(const dlog_entry *e, void *arg)
{
	struct replay_run *rr = arg;
	wreplay *r = rr->r;
	if (rr->cfg->limit && r->rows >= rr->cfg->limit)
		return 1; /* stop: the limit is reached */
	r->rows++;
	arena_reset(&rr->tmp);
	wrequest req;
	if (row_request(rr, e, &req) != 0) {
		buf_addc(&rr->msg, '\0');
		skip(rr, e, rr->msg.p ? rr->msg.p : "invalid request");
		return 0;
	}
	wresponse resp;
	authz_decide(rr->cx, rr->ps, rr->es, &req, &rr->tmp, &resp);
	r->replayed++;

	/* determining policies, before and now, as sorted joined lists */
	json_t *oldr = logged_ids(e->reasons);
	size_t no = oldr ? json_array_size(oldr) : 0;
	scratch_fit(rr, no > resp.nreasons ? no : resp.nreasons);
	size_t k = 0;
	for (size_t i = 0; i < no; i++) {
		const char *s = json_string_value(json_array_get(oldr, i));
		if (s)
			rr->ids[k++] = s;
	}
	join_sorted(rr->ids, k, &rr->oldj);
	json_decref(oldr);
	for (uint32_t i = 0; i < resp.nreasons; i++)
		rr->ids[i] = resp.reasons[i]->id;
	join_sorted(rr->ids, resp.nreasons, &rr->newj);

	if (resp.allow != e->allow)
		changed(rr, e, resp.allow);
	else {
		r->unchanged++;
		if (strcmp(rr->oldj.p ? rr->oldj.p : "", rr->newj.p ? rr->newj.p : "") != 0)
			r->reasons_changed++;
	}

	/* policies erroring now that the logged decision did not see erroring */
	if (resp.nerrors) {
		json_t *olde = logged_ids(e->errors);
		bool any = false;
		for (uint32_t i = 0; i < resp.nerrors; i++) {
			const char *id = resp.errors[i].policy->id;
			bool before = false;
			for (size_t j = 0; olde && j < json_array_size(olde) && !before; j++) {
				const char *s = json_string_value(json_array_get(olde, j));
				before = s && strcmp(s, id) == 0;
			}
			if (!before) {
				new_error(rr, e, id, resp.errors[i].msg);
				any = true;
			}
		}
		json_decref(olde);
		if (any)
			r->erroring++;
	}
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const wreplay_group *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->change != y->change)
		return x->change < y->change ? -1 : 1;
	int c = strcmp(x->action, y->action);
	return c ? c : strcmp(x->policies, y->policies);
}

static int cmp_tally(const void *a, const void *b)
{
	const wreplay_tally *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->policies, y->policies);
}

static int cmp_skip(const void *a, const void *b)
{
	const wreplay_skip *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first_id < y->first_id ? -1 : x->first_id > y->first_id;
}

static int cmp_err(const void *a, const void *b)
{
	const wreplay_err *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->policy, y->policy);
}

int replay_run(wctx *cx, wpolicyset *ps, const wschema *schema, const wentities *es, dlog *log,
	       const wreplay_config *cfg, wreplay *r, char *err)
{
	if (!ps->index)
		authz_prepare(ps);
	snprintf(r->since, sizeof r->since, "%s", cfg->since ? cfg->since : "");
	snprintf(r->until, sizeof r->until, "%s", cfg->until ? cfg->until : "");
	struct replay_run rr = {.cx = cx, .ps = ps, .schema = schema, .es = es, .cfg = cfg, .r = r};
	arena_init(&rr.tmp);
	int rc = dlog_each(log, cfg->since, cfg->until, replay_row, &rr, err);
	arena_release(&rr.tmp);
	buf_release(&rr.msg);
	buf_release(&rr.key);
	buf_release(&rr.oldj);
	buf_release(&rr.newj);
	free(rr.ids);
	if (rc < 0)
		return -1;
	/* the order of the report; the key tables are not used after this */
	for (size_t i = 0; i < r->ngroups; i++)
		sort(r->groups[i].was, r->groups[i].nwas, sizeof *r->groups[i].was, cmp_tally);
	sort(r->groups, r->ngroups, sizeof *r->groups, cmp_group);
	sort(r->skips, r->nskips, sizeof *r->skips, cmp_skip);
	sort(r->errs, r->nerrs, sizeof *r->errs, cmp_err);
	return 0;
}

/* ---- reports --------------------------------------------------------------- */

static const char *or_none(const char *s, const char *none)
{
	return s && *s ? s : none;
}

static void print_group_head(const wreplay_group *g, wbuf *out)
{
	bool plural = strchr(g->policies, ',') != NULL;
	if (g->change == WRC_ALLOW_TO_DENY) {
		if (*g->policies)
			buf_printf(out, "allow -> deny: polic%s %s now den%s %llu request%s of action %s that %s allowed\n",
				   plural ? "ies" : "y", g->policies, plural ? "y" : "ies", (unsigned long long)g->count,
				   g->count == 1 ? "" : "s", g->action, g->count == 1 ? "was" : "were");
		else
			buf_printf(out,
				   "allow -> deny: %llu request%s of action %s that %s allowed %s now denied by default "
				   "(no permit applies)\n",
				   (unsigned long long)g->count, g->count == 1 ? "" : "s", g->action,
				   g->count == 1 ? "was" : "were", g->count == 1 ? "is" : "are");
	} else {
		buf_printf(out, "deny -> allow: polic%s %s now allow%s %llu request%s of action %s that %s denied\n",
			   plural ? "ies" : "y", g->policies, plural ? "" : "s", (unsigned long long)g->count,
			   g->count == 1 ? "" : "s", g->action, g->count == 1 ? "was" : "were");
	}
}

void replay_print_text(const wreplay *r, wbuf *out)
{
	buf_printf(out, "replayed %llu of %llu logged decisions", (unsigned long long)r->replayed,
		   (unsigned long long)r->rows);
	if (*r->since || *r->until)
		buf_printf(out, " (window %s .. %s)", or_none(r->since, "start"), or_none(r->until, "end"));
	buf_adds(out, "\n");
	buf_printf(out, "  unchanged       %llu", (unsigned long long)r->unchanged);
	if (r->reasons_changed)
		buf_printf(out, " (%llu with other determining policies)", (unsigned long long)r->reasons_changed);
	buf_adds(out, "\n");
	buf_printf(out, "  allow -> deny   %llu\n", (unsigned long long)r->allow_to_deny);
	buf_printf(out, "  deny -> allow   %llu\n", (unsigned long long)r->deny_to_allow);
	buf_printf(out, "  now erroring    %llu\n", (unsigned long long)r->erroring);
	buf_printf(out, "  not replayable  %llu\n", (unsigned long long)r->unreplayable);
	for (size_t i = 0; i < r->ngroups; i++) {
		const wreplay_group *g = &r->groups[i];
		buf_adds(out, "\n");
		print_group_head(g, out);
		buf_printf(out, "  %s by: ", g->change == WRC_ALLOW_TO_DENY ? "were allowed" : "were denied");
		for (size_t k = 0; k < g->nwas; k++)
			buf_printf(out, "%s%s (%llu)", k ? "; " : "",
				   or_none(g->was[k].policies, "no policy applied"),
				   (unsigned long long)g->was[k].count);
		if (g->was_other)
			buf_printf(out, "; others (%llu)", (unsigned long long)g->was_other);
		buf_adds(out, "\n");
		for (size_t k = 0; k < g->nsamples; k++) {
			const wreplay_sample *s = &g->samples[k];
			buf_printf(out, "  #%lld %s  %s %s %s", (long long)s->id, s->time, s->principal, s->action,
				   s->resource);
			if (strcmp(s->context, "{}") != 0)
				buf_printf(out, " context %s", s->context);
			buf_printf(out, "\n      was: %s; now: %s\n", or_none(s->old_reasons, "none"),
				   or_none(s->new_reasons, "none"));
		}
		if (g->count > g->nsamples)
			buf_printf(out, "  ... and %llu more\n", (unsigned long long)(g->count - g->nsamples));
	}
	if (r->nerrs) {
		buf_adds(out, "\nnow erroring:\n");
		for (size_t i = 0; i < r->nerrs; i++)
			buf_printf(out, "  %s: %llu request%s (first #%lld): %s\n", r->errs[i].policy,
				   (unsigned long long)r->errs[i].count, r->errs[i].count == 1 ? "" : "s",
				   (long long)r->errs[i].first_id, r->errs[i].message);
	}
	if (r->nskips || r->skips_other) {
		buf_adds(out, "\nnot replayable:\n");
		for (size_t i = 0; i < r->nskips; i++)
			buf_printf(out, "  %llu (first #%lld): %s\n", (unsigned long long)r->skips[i].count,
				   (long long)r->skips[i].first_id, r->skips[i].reason);
		if (r->skips_other)
			buf_printf(out, "  %llu: other reasons\n", (unsigned long long)r->skips_other);
	}
}

/* The ids of a ", "-joined list as a JSON array. */
static json_t *ids_array(const char *joined)
{
	json_t *a = json_array();
	const char *p = joined;
	while (p && *p) {
		const char *q = strstr(p, ", ");
		size_t n = q ? (size_t)(q - p) : strlen(p);
		json_array_append_new(a, json_stringn(p, n));
		p = q ? q + 2 : NULL;
	}
	return a;
}

static json_t *str_or_null(const char *s)
{
	return *s ? json_string(s) : json_null();
}

void replay_print_json(const wreplay *r, wbuf *out)
{
	json_t *o = json_object();
	json_t *win = json_object();
	json_object_set_new(win, "since", str_or_null(r->since));
	json_object_set_new(win, "until", str_or_null(r->until));
	json_object_set_new(o, "window", win);
	json_t *c = json_object();
	json_object_set_new(c, "rows", json_integer((json_int_t)r->rows));
	json_object_set_new(c, "replayed", json_integer((json_int_t)r->replayed));
	json_object_set_new(c, "unchanged", json_integer((json_int_t)r->unchanged));
	json_object_set_new(c, "reasons_changed", json_integer((json_int_t)r->reasons_changed));
	json_object_set_new(c, "allow_to_deny", json_integer((json_int_t)r->allow_to_deny));
	json_object_set_new(c, "deny_to_allow", json_integer((json_int_t)r->deny_to_allow));
	json_object_set_new(c, "now_erroring", json_integer((json_int_t)r->erroring));
	json_object_set_new(c, "not_replayable", json_integer((json_int_t)r->unreplayable));
	json_object_set_new(o, "counts", c);
	json_t *gs = json_array();
	for (size_t i = 0; i < r->ngroups; i++) {
		const wreplay_group *g = &r->groups[i];
		json_t *j = json_object();
		json_object_set_new(j, "action", json_string(g->action));
		json_object_set_new(j, "change", json_string(g->change == WRC_ALLOW_TO_DENY ? "allow->deny"
											    : "deny->allow"));
		json_object_set_new(j, "policies", ids_array(g->policies));
		json_object_set_new(j, "count", json_integer((json_int_t)g->count));
		json_t *was = json_array();
		for (size_t k = 0; k < g->nwas; k++) {
			json_t *w = json_object();
			json_object_set_new(w, "policies", ids_array(g->was[k].policies));
			json_object_set_new(w, "count", json_integer((json_int_t)g->was[k].count));
			json_array_append_new(was, w);
		}
		json_object_set_new(j, "was_determined_by", was);
		json_object_set_new(j, "was_other", json_integer((json_int_t)g->was_other));
		json_t *ss = json_array();
		for (size_t k = 0; k < g->nsamples; k++) {
			const wreplay_sample *s = &g->samples[k];
			json_t *sj = json_object();
			json_object_set_new(sj, "id", json_integer((json_int_t)s->id));
			json_object_set_new(sj, "time", json_string(s->time));
			json_object_set_new(sj, "principal", json_string(s->principal));
			json_object_set_new(sj, "action", json_string(s->action));
			json_object_set_new(sj, "resource", json_string(s->resource));
			json_t *ctx = json_loads(s->context, 0, NULL);
			json_object_set_new(sj, "context", ctx ? ctx : json_string(s->context));
			json_object_set_new(sj, "old_reasons", ids_array(s->old_reasons));
			json_object_set_new(sj, "new_reasons", ids_array(s->new_reasons));
			json_array_append_new(ss, sj);
		}
		json_object_set_new(j, "samples", ss);
		json_array_append_new(gs, j);
	}
	json_object_set_new(o, "groups", gs);
	json_t *es = json_array();
	for (size_t i = 0; i < r->nerrs; i++) {
		json_t *j = json_object();
		json_object_set_new(j, "policy", json_string(r->errs[i].policy));
		json_object_set_new(j, "count", json_integer((json_int_t)r->errs[i].count));
		json_object_set_new(j, "first_id", json_integer((json_int_t)r->errs[i].first_id));
		json_object_set_new(j, "message", json_string(r->errs[i].message));
		json_array_append_new(es, j);
	}
	json_object_set_new(o, "now_erroring", es);
	json_t *sk = json_array();
	for (size_t i = 0; i < r->nskips; i++) {
		json_t *j = json_object();
		json_object_set_new(j, "reason", json_string(r->skips[i].reason));
		json_object_set_new(j, "count", json_integer((json_int_t)r->skips[i].count));
		json_object_set_new(j, "first_id", json_integer((json_int_t)r->skips[i].first_id));
		json_array_append_new(sk, j);
	}
	if (r->skips_other) {
		json_t *j = json_object();
		json_object_set_new(j, "reason", json_string("other reasons"));
		json_object_set_new(j, "count", json_integer((json_int_t)r->skips_other));
		json_array_append_new(sk, j);
	}
	json_object_set_new(o, "not_replayable", sk);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	json_decref(o);
}
