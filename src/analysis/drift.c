/* drift: grants never used, exceptions past their expiry and policies that
 * only errored, from the decision log and the current policy set (drift.h).
 *
 * Pass 1 reads the window and counts, per policy of the set (found by id
 * through a private interner), the decisions it determined, the allows it
 * determined and the decisions it errored in. Pass 2 runs only when some
 * permit is unused: it reads the same rows again (up to the last id pass 1
 * saw, so rows appended meanwhile do not count) and evaluates the scope of
 * each unused permit against the request, with the conditions left out.
 */
#include "analysis/drift.h"
#include "analysis/sarif.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/eval.h"
#include "cedar/ext.h"
#include "cedar/parser.h"
#include "cedar/request.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/intern.h"
#include "util/xalloc.h"

void drift_init(wdrift *d)
{
	memset(d, 0, sizeof *d);
}

void drift_release(wdrift *d)
{
	free(d->items);
	memset(d, 0, sizeof *d);
}

struct usage {
	uint64_t decided, allows, errors, covered;
	bool check; /* pass 2: count the requests its scope covers */
};

struct drift_run {
	wctx *cx;
	const wpolicyset *ps;
	const wentities *es;
	wdrift *d;
	winterner ids;   /* policy ids; a symbol's id indexes idx[] */
	uint32_t *idx;   /* symbol id -> policy index */
	struct usage *use; /* per policy of ps */
	int64_t last_id; /* pass 1: the highest row id seen */
	warena tmp;
	wpolicy *scopes; /* pass 2: condition-free copies of the checked permits */
	wpolicy *bodies; /* their templates' condition-free copies (linked ones) */
	uint32_t *which; /* pass 2: policy index of scopes[i] */
	size_t nscopes;
};

static const struct usage *usage_of(struct drift_run *dr, const char *id)
{
	const wsym *s = intern_find(&dr->ids, id, strlen(id));
	return s ? &dr->use[dr->idx[s->id]] : NULL;
}

/* Counts each policy of the set named in a logged JSON array of ids: as
 * erroring when `errors`, else as determining (an allow when `allow`). */
static void count_ids(struct drift_run *dr, const char *text, bool allow, bool errors)
{
	json_t *a = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, NULL);
	for (size_t i = 0; json_is_array(a) && i < json_array_size(a); i++) {
		const char *id = json_string_value(json_array_get(a, i));
		struct usage *u = id ? (struct usage *)usage_of(dr, id) : NULL;
		if (!u)
			continue;
		if (errors) {
			u->errors++;
		} else {
			u->decided++;
			if (allow)
				u->allows++;
		}
	}
	json_decref(a);
}

static int pass_usage(const dlog_entry *e, void *arg)
{
	struct drift_run *dr = arg;
	dr->d->rows++;
	if (e->id > dr->last_id)
		dr->last_id = e->id;
	count_ids(dr, e->reasons, e->allow, false);
	count_ids(dr, e->errors, false, true);
	return 0;
}

static int uid_of(wctx *cx, const char *text, wuid *out)
{
	wsource src = {.name = "log", .text = text, .len = strlen(text)};
	wdiags d;
	diags_init(&d);
	int rc = parse_uid(cx, &src, out, &d);
	diags_release(&d);
	return rc;
}

static int pass_scopes(const dlog_entry *e, void *arg)
{
	struct drift_run *dr = arg;
	if (e->id > dr->last_id)
		return 1; /* appended after pass 1 */
	wrequest req;
	if (uid_of(dr->cx, e->principal, &req.principal) != 0 || uid_of(dr->cx, e->action, &req.action) != 0 ||
	    uid_of(dr->cx, e->resource, &req.resource) != 0) {
		dr->d->unparsed++;
		return 0;
	}
	req.context.kind = WV_RECORD;
	req.context.u.rec = record_empty();
	arena_reset(&dr->tmp);
	weval ev;
	memset(&ev, 0, sizeof ev);
	ev.cx = dr->cx;
	ev.ents = dr->es;
	ev.req = &req;
	ev.tmp = &dr->tmp;
	eval_resolve(&ev);
	for (size_t i = 0; i < dr->nscopes; i++) {
		bool applies = false;
		if (eval_policy(&ev, &dr->scopes[i], &applies) == 0 && applies)
			dr->use[dr->which[i]].covered++;
	}
	return 0;
}

/* `at`: the byte offset the finding points to (the policy, or its @expires). */
static void add(wdrift *d, wdrift_kind kind, const wpolicy *p, const struct usage *u, const char *expires,
		uint32_t at)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = xrealloc(d->items, d->cap * sizeof *d->items);
	}
	wdrift_finding *f = &d->items[d->n++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->policy = p;
	if (p->src)
		source_linecol(p->src, at, &f->line, &f->col);
	f->covered = u->covered;
	f->errors = u->errors;
	f->decided = u->decided;
	f->expires = expires;
}

int drift_run(wctx *cx, const wpolicyset *ps, const wentities *es, dlog *log, const wdrift_config *cfg,
	      wdrift *d, char *err)
{
	snprintf(d->since, sizeof d->since, "%s", cfg->since ? cfg->since : "");
	snprintf(d->until, sizeof d->until, "%s", cfg->until ? cfg->until : "");
	replay_time_format(cfg->now_ms, d->now);
	struct drift_run dr = {.cx = cx, .ps = ps, .es = es, .d = d};
	intern_init(&dr.ids);
	arena_init(&dr.tmp);
	dr.idx = xcalloc(ps->n + 1, sizeof *dr.idx);
	dr.use = xcalloc(ps->n + 1, sizeof *dr.use);
	dr.scopes = xcalloc(ps->n + 1, sizeof *dr.scopes);
	dr.bodies = xcalloc(ps->n + 1, sizeof *dr.bodies);
	dr.which = xcalloc(ps->n + 1, sizeof *dr.which);
	uint32_t nid = 0;
	for (uint32_t i = 0; i < ps->n; i++) {
		const wsym *s = intern_cstr(&dr.ids, ps->items[i]->id);
		if (s->id == nid)
			dr.idx[nid++] = i; /* a duplicate id keeps its first policy */
	}
	int rc = dlog_each(log, cfg->since, cfg->until, pass_usage, &dr, err);
	if (rc < 0)
		goto out;

	/* the permits that decided nothing; their scopes are counted in pass 2 */
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		if (p->effect != WEFF_PERMIT || p->is_template || dr.use[i].allows)
			continue;
		dr.use[i].check = true;
		wpolicy *c = &dr.scopes[dr.nscopes];
		*c = *p;
		if (p->template_of) {
			wpolicy *b = &dr.bodies[dr.nscopes];
			*b = *p->template_of;
			b->nconds = 0;
			c->template_of = b;
		} else {
			c->nconds = 0;
		}
		dr.which[dr.nscopes++] = i;
	}
	if (dr.nscopes && d->rows) {
		rc = dlog_each(log, cfg->since, cfg->until, pass_scopes, &dr, err);
		if (rc < 0)
			goto out;
	}
	rc = 0;
	for (uint32_t i = 0; i < ps->n; i++)
		if (dr.use[i].check)
			add(d, WDF_UNUSED, ps->items[i], &dr.use[i], NULL, ps->items[i]->span.start);
	d->nunused = d->n;
	for (uint32_t i = 0; i < ps->n; i++) {
		const wpolicy *p = ps->items[i];
		const wannotation *ex = policy_annotation(p, "expires");
		if (!ex)
			continue;
		int64_t ms;
		if (ext_parse_datetime(ex->val, ex->vlen, &ms) < 0)
			add(d, WDF_BAD_EXPIRY, p, &dr.use[i], ex->val, ex->span.start);
		else if (ms <= cfg->now_ms)
			add(d, WDF_EXPIRED, p, &dr.use[i], ex->val, ex->span.start);
	}
	d->nexpired = d->n - d->nunused;
	for (uint32_t i = 0; i < ps->n; i++)
		if (dr.use[i].errors && !dr.use[i].decided)
			add(d, WDF_ONLY_ERRORS, ps->items[i], &dr.use[i], NULL, ps->items[i]->span.start);
	d->nerrors_only = d->n - d->nunused - d->nexpired;
out:
	intern_release(&dr.ids);
	arena_release(&dr.tmp);
	free(dr.idx);
	free(dr.use);
	free(dr.scopes);
	free(dr.bodies);
	free(dr.which);
	return rc < 0 ? -1 : 0;
}

/* ---- reports --------------------------------------------------------------- */

static const char *const shown_annos[] = {"requirement", "ticket", "owner", "kind", "expires"};

static const char *src_name(const wdrift_finding *f)
{
	return f->policy->src && f->policy->src->name ? f->policy->src->name : "<policies>";
}

static void print_annos(const wpolicy *p, wbuf *out)
{
	bool any = false;
	for (size_t i = 0; i < sizeof shown_annos / sizeof *shown_annos; i++) {
		const wannotation *a = policy_annotation(p, shown_annos[i]);
		if (!a)
			continue;
		buf_printf(out, "%s@%s(", any ? " " : "      ", shown_annos[i]);
		buf_add_json_str(out, a->val, a->vlen);
		buf_adds(out, ")");
		any = true;
	}
	if (any)
		buf_adds(out, "\n");
}

void drift_print_text(const wdrift *d, wbuf *out)
{
	buf_printf(out, "drift over %llu logged decision%s", (unsigned long long)d->rows, d->rows == 1 ? "" : "s");
	if (*d->since || *d->until)
		buf_printf(out, " (window %s .. %s)", *d->since ? d->since : "start", *d->until ? d->until : "end");
	buf_printf(out, "; now %s\n", d->now);
	if (!d->rows)
		buf_adds(out, "note: the window holds no decisions, so every grant counts as unused\n");
	if (d->unparsed)
		buf_printf(out, "note: %llu logged request%s with an unreadable entity uid left out of the scope counts\n",
			   (unsigned long long)d->unparsed, d->unparsed == 1 ? "" : "s");
	static const char *const titles[] = {"grants never used", "exceptions past their expiry",
					     "policies that only errored"};
	size_t counts[] = {d->nunused, d->nexpired, d->nerrors_only};
	size_t at = 0;
	for (int sec = 0; sec < 3; sec++) {
		buf_printf(out, "\n%s: %zu\n", titles[sec], counts[sec]);
		for (size_t k = 0; k < counts[sec]; k++, at++) {
			const wdrift_finding *f = &d->items[at];
			const char *id = f->policy->id;
			buf_printf(out, "  %s:%u: %s '%s': ", src_name(f), f->line,
				   f->policy->effect == WEFF_PERMIT ? "permit" : "forbid", id);
			switch (f->kind) {
			case WDF_UNUSED:
				if (f->covered)
					buf_printf(out, "determined no allow; its scope covers %llu logged request%s\n",
						   (unsigned long long)f->covered, f->covered == 1 ? "" : "s");
				else
					buf_adds(out, "determined no allow; its scope covers 0 logged requests (never "
						      "even asked)\n");
				break;
			case WDF_EXPIRED:
				buf_printf(out, "expired on %s\n", f->expires);
				break;
			case WDF_BAD_EXPIRY:
				buf_printf(out, "cannot read @expires(\"%s\") as a date\n", f->expires);
				break;
			case WDF_ONLY_ERRORS:
				buf_printf(out, "errored in %llu logged decision%s and determined none\n",
					   (unsigned long long)f->errors, f->errors == 1 ? "" : "s");
				break;
			}
			print_annos(f->policy, out);
		}
	}
}

static const char *kind_name(wdrift_kind k)
{
	switch (k) {
	case WDF_UNUSED:
		return "unused-grant";
	case WDF_EXPIRED:
		return "expired";
	case WDF_BAD_EXPIRY:
		return "invalid-expiry";
	case WDF_ONLY_ERRORS:
		return "only-errors";
	}
	return "?";
}

static json_t *finding_json(const wdrift_finding *f)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(kind_name(f->kind)));
	json_object_set_new(j, "policy", json_string(f->policy->id));
	json_object_set_new(j, "effect", json_string(f->policy->effect == WEFF_PERMIT ? "permit" : "forbid"));
	json_object_set_new(j, "file", json_string(src_name(f)));
	json_object_set_new(j, "line", json_integer(f->line));
	json_t *an = json_object();
	for (uint32_t i = 0; i < f->policy->nannos; i++) {
		const wannotation *a = &f->policy->annos[i];
		json_t *v = json_stringn(a->val, a->vlen);
		if (v)
			json_object_set_new(an, a->key->s, v);
	}
	json_object_set_new(j, "annotations", an);
	if (f->kind == WDF_UNUSED)
		json_object_set_new(j, "covered_requests", json_integer((json_int_t)f->covered));
	if (f->kind == WDF_EXPIRED || f->kind == WDF_BAD_EXPIRY)
		json_object_set_new(j, "expires", json_string(f->expires));
	json_object_set_new(j, "errors", json_integer((json_int_t)f->errors));
	json_object_set_new(j, "determined", json_integer((json_int_t)f->decided));
	return j;
}

static void dump(json_t *o, wbuf *out)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
	json_decref(o);
}

void drift_print_json(const wdrift *d, wbuf *out)
{
	json_t *o = json_object();
	json_t *win = json_object();
	json_object_set_new(win, "since", *d->since ? json_string(d->since) : json_null());
	json_object_set_new(win, "until", *d->until ? json_string(d->until) : json_null());
	json_object_set_new(o, "window", win);
	json_object_set_new(o, "now", json_string(d->now));
	json_object_set_new(o, "decisions", json_integer((json_int_t)d->rows));
	json_object_set_new(o, "unparsed", json_integer((json_int_t)d->unparsed));
	json_t *un = json_array(), *ex = json_array(), *er = json_array();
	for (size_t i = 0; i < d->n; i++) {
		const wdrift_finding *f = &d->items[i];
		json_t *arr = f->kind == WDF_UNUSED ? un : f->kind == WDF_ONLY_ERRORS ? er : ex;
		json_array_append_new(arr, finding_json(f));
	}
	json_object_set_new(o, "unused_grants", un);
	json_object_set_new(o, "expired", ex);
	json_object_set_new(o, "only_errors", er);
	dump(o, out);
}


void drift_print_sarif(const wdrift *d, const char *root, wbuf *out)
{
	static const struct {
		const char *id, *text, *level;
	} rules[] = {
		{"unused-grant", "permit that determined no allow in the decision log window", "warning"},
		{"expired", "policy whose @expires date has passed", "error"},
		{"invalid-expiry", "@expires that cannot be read as a date", "error"},
		{"only-errors", "policy that only ever errored in the decision log window", "warning"},
	};
	json_t *rs = json_array();
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		json_array_append_new(rs, sarif_rule(rules[i].id, NULL, rules[i].text, rules[i].level));
	json_t *results;
	json_t *doc = sarif_log(rs, &results);
	for (size_t i = 0; i < d->n; i++) {
		const wdrift_finding *f = &d->items[i];
		wbuf m = WBUF_INIT;
		switch (f->kind) {
		case WDF_UNUSED:
			buf_printf(&m, "permit '%s' determined no allow in %llu logged decisions; its scope covers %llu",
				   f->policy->id, (unsigned long long)d->rows, (unsigned long long)f->covered);
			break;
		case WDF_EXPIRED:
			buf_printf(&m, "'%s' expired on %s", f->policy->id, f->expires);
			break;
		case WDF_BAD_EXPIRY:
			buf_printf(&m, "'%s': cannot read @expires(\"%s\") as a date", f->policy->id, f->expires);
			break;
		case WDF_ONLY_ERRORS:
			buf_printf(&m, "'%s' errored in %llu logged decisions and determined none", f->policy->id,
				   (unsigned long long)f->errors);
			break;
		}
		json_t *r = sarif_result(rules[f->kind].id, (size_t)f->kind, rules[f->kind].level, m.p, f->policy->id);
		buf_release(&m);
		json_t *reg = json_object();
		json_object_set_new(reg, "startLine", json_integer(f->line ? f->line : 1));
		json_object_set_new(reg, "startColumn", json_integer(f->col ? f->col : 1));
		sarif_locate(r, src_name(f), root, reg);
		json_array_append_new(results, r);
	}
	sarif_write(doc, out);
}
