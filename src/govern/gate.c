/* gate: the merge gate's orchestration (see gate.h).
 *
 * gate_run loads the change (gitrepo.h, approval.h), the repository as it
 * is in the working tree (repo.h), the policies at the base and in the
 * working tree, and runs each check in turn, appending findings; nothing
 * stops at the first problem, so one run shows everything that is wrong.
 * The report (report.h) is rendered from the result and, with the result's
 * JSON, appended to the evidence ledger (ledger.h).
 */
#include "govern/gate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analysis/diff.h"
#include "analysis/entitlements.h"
#include "analysis/intent.h"
#include "analysis/query.h"
#include "analysis/lint.h"
#include "analysis/smt.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/validate.h"
#include "govern/explain.h"
#include "govern/gast.h"
#include "govern/gio.h"
#include "govern/gitrepo.h"
#include "govern/ledger.h"
#include "govern/match.h"
#include "govern/repo.h"
#include "govern/report.h"
#include "govern/requirement.h"
#include "govern/secrets.h"
#include "govern/template.h"
#include "govern/testrun.h"
#include "util/xalloc.h"
#include "ward/ward.h"

static const wspan nospan = {0, 0};

const char *gate_verdict_name(gate_verdict v)
{
	switch (v) {
	case GATE_PASS: return "PASS";
	case GATE_BLOCKED: return "BLOCKED";
	case GATE_NEEDS_APPROVAL: return "NEEDS-APPROVAL";
	case GATE_COULD_NOT_RUN: return "ERROR";
	}
	return "?";
}

const char *gate_sev_name(gate_sev s)
{
	switch (s) {
	case GS_BLOCK: return "block";
	case GS_RISK: return "risk";
	case GS_WARN: return "warning";
	case GS_INFO: return "info";
	}
	return "?";
}

void gate_add(gate_result *r, gate_sev sev, const char *code, const char *policy, const char *file, uint32_t line,
	      uint32_t col, const char *fmt, ...)
{
	if (r->nfindings == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 16;
		r->findings = xrealloc(r->findings, r->capf * sizeof *r->findings);
	}
	gate_finding *f = &r->findings[r->nfindings++];
	f->sev = (uint8_t)sev;
	f->code = arena_strndup(&r->arena, code, strlen(code));
	f->policy = policy ? arena_strndup(&r->arena, policy, strlen(policy)) : NULL;
	f->file = file ? arena_strndup(&r->arena, file, strlen(file)) : NULL;
	f->line = line;
	f->col = col;
	va_list ap;
	va_start(ap, fmt);
	wbuf b = WBUF_INIT;
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->msg = arena_strndup(&r->arena, b.p ? b.p : "", b.n);
	buf_release(&b);
}

static const char *adup(warena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* ---- the change ------------------------------------------------------------ */

static void add_author(gate_change *c, size_t *cap, const char *who)
{
	if (!who || !*who)
		return;
	for (size_t i = 0; i < c->nauthors; i++)
		if (strcmp(c->authors[i], who) == 0)
			return;
	if (c->nauthors == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		const char **na = arena_alloc(&c->arena, *cap * sizeof *na);
		if (c->nauthors)
			memcpy(na, c->authors, c->nauthors * sizeof *na);
		c->authors = na;
	}
	c->authors[c->nauthors++] = adup(&c->arena, who);
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && strcmp(s + n - m, sfx) == 0;
}

/* The requesters and drafters named in a changed file. */
static void file_people(gate_change *c, size_t *cap, const appr_file *f)
{
	if (f->status == 'D')
		return;
	if (has_suffix(f->path, ".cedar")) {
		wctx cx;
		ctx_init(&cx);
		wpolicyset ps;
		policyset_init(&ps);
		wdiags d;
		diags_init(&d);
		parse_policies(&cx, &ps, f->path, f->data, f->len, &d);
		for (uint32_t i = 0; i < ps.n; i++) {
			const wannotation *a = policy_annotation(ps.items[i], "requested_by");
			if (a)
				add_author(c, cap, a->val);
			a = policy_annotation(ps.items[i], "drafted_by");
			if (a)
				add_author(c, cap, a->val);
		}
		diags_release(&d);
		policyset_release(&ps);
		ctx_release(&cx);
	} else if (strncmp(f->path, "requests/", 9) == 0 &&
		   (has_suffix(f->path, ".yaml") || has_suffix(f->path, ".yml") || has_suffix(f->path, ".json"))) {
		ydoc doc;
		wdiags d;
		diags_init(&d);
		if (ydoc_parse(&doc, f->path, f->data, f->len, &d) == 0 && doc.root) {
			const ynode *n = ynode_get(doc.root, "requested_by");
			if (n && n->kind == Y_SCALAR)
				add_author(c, cap, n->s);
			n = ynode_get(doc.root, "drafted_by");
			if (n && n->kind == Y_SCALAR)
				add_author(c, cap, n->s);
		}
		ydoc_release(&doc);
		diags_release(&d);
	}
}

/* Rewrites located diagnostics from `from` on as unlocated ones naming
 * file:line:col, for sources that are released before the diagnostics are
 * printed. */
static void flatten_diags(wdiags *d, size_t from)
{
	for (size_t i = from; i < d->n; i++) {
		wdiag *g = &d->items[i];
		if (!g->src)
			continue;
		uint32_t line, col;
		source_linecol(g->src, g->span.start, &line, &col);
		wbuf b = WBUF_INIT;
		buf_printf(&b, "%s:%u:%u: %s", g->src->name, line, col, g->msg);
		free(g->msg);
		g->msg = buf_detach(&b);
		g->src = NULL;
		g->span = nospan;
	}
}

static bool is_ledger_file(const char *lpath, const char *path)
{
	if (!lpath || lpath[0] == '/')
		return false;
	if (lpath[0] == '.' && lpath[1] == '/')
		lpath += 2;
	size_t n = strlen(lpath);
	if (strncmp(path, lpath, n) != 0)
		return false;
	const char *rest = path + n;
	return !*rest || strcmp(rest, "-journal") == 0 || strcmp(rest, "-wal") == 0 || strcmp(rest, "-shm") == 0;
}

int gate_change_load(gate_change *c, const char *root, const char *base, wdiags *d)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->arena);
	appr_config_init(&c->cfg);
	gitrepo g;
	if (gitrepo_open(&g, root, d) != 0)
		return -1;
	int rc = -1;
	gchange *ch = NULL;
	size_t nch = 0;
	char **authors = NULL;
	size_t nauth = 0;
	if (base) {
		if (gitrepo_resolve(&g, base, c->base, d))
			goto out;
	} else {
		wdiags quiet;
		diags_init(&quiet);
		if (gitrepo_resolve(&g, "main", c->base, &quiet) && gitrepo_resolve(&g, "master", c->base, &quiet)) {
			diag_add(d, WSEV_ERROR, NULL, nospan,
				 "no 'main' or 'master' branch to compare with; give the base revision with --base");
			diags_release(&quiet);
			goto out;
		}
		diags_release(&quiet);
	}
	gitrepo_head(&g, c->head);
	size_t len;
	int got = gitrepo_read_at(&g, c->base, "ward.yaml", &c->base_cfg_text, &len, d);
	if (got < 0)
		goto out;
	if (got > 0) {
		c->has_cfg = true;
		wbuf name = WBUF_INIT;
		buf_printf(&name, "ward.yaml (at %.12s)", c->base);
		const char *nm = adup(&c->arena, name.p);
		buf_release(&name);
		size_t from = d->n;
		int bad = appr_config_parse(&c->cfg, nm, c->base_cfg_text, len, d);
		flatten_diags(d, from);
		if (bad != 0) {
			diag_add(d, WSEV_ERROR, NULL, nospan,
				 "the base revision's ward.yaml is malformed: the gate cannot know its approval rules");
			goto out;
		}
	}
	if (gitrepo_changes(&g, c->base, &ch, &nch, d))
		goto out;
	c->files = arena_alloc(&c->arena, (nch + 1) * sizeof *c->files);
	c->cfiles = arena_zalloc(&c->arena, (nch + 1) * sizeof *c->cfiles);
	size_t kept = 0;
	for (size_t i = 0; i < nch; i++) {
		/* the ledger itself (and SQLite's side files) is never part of a
		 * change, wherever ward.yaml puts it */
		if (is_ledger_file(c->cfg.ledger_path, ch[i].path))
			continue;
		appr_file *f = &c->cfiles[kept++];
		f->path = adup(&c->arena, ch[i].path);
		f->status = ch[i].status;
		if (f->status != 'D') {
			char *full = gio_join(root, ch[i].path);
			size_t flen;
			char *data = gio_read(full, 0, &flen, d);
			free(full);
			if (!data)
				goto out;
			f->data = arena_memdup(&c->arena, data, flen + 1);
			f->len = flen;
			free(data);
		}
	}
	c->nfiles = kept;
	appr_change_hash(c->base, c->cfiles, c->nfiles, c->change);
	for (size_t i = 0; i < c->nfiles; i++)
		c->files[i] = arena_sprintf(&c->arena, "%c %s", c->cfiles[i].status, c->cfiles[i].path);
	size_t cap = 0;
	if (gitrepo_authors(&g, c->base, &authors, &nauth, d))
		goto out;
	for (size_t i = 0; i < nauth; i++)
		add_author(c, &cap, authors[i]);
	for (size_t i = 0; i < c->nfiles; i++)
		file_people(c, &cap, &c->cfiles[i]);
	rc = 0;
out:
	gitrepo_changes_free(ch, nch);
	gitrepo_strings_free(authors, nauth);
	gitrepo_close(&g);
	return rc;
}

void gate_change_release(gate_change *c)
{
	appr_config_release(&c->cfg);
	free(c->base_cfg_text);
	arena_release(&c->arena);
	memset(c, 0, sizeof *c);
}

/* ---- helpers over policies -------------------------------------------------- */

static const char *anno(const wpolicy *p, const char *key)
{
	const wannotation *a = policy_annotation(p, key);
	return a && a->has_value ? a->val : NULL;
}

static void policy_text(const wpolicy *p, wbuf *out)
{
	if (p->src && p->span.end <= p->src->len)
		buf_add(out, p->src->text + p->span.start, p->span.end - p->span.start);
}

/* The policy without annotations, canonically laid out: equal when the
 * policy means the same. */
static void policy_shape(const wpolicy *p, wbuf *out)
{
	wpolicy copy = *p;
	copy.annos = NULL;
	copy.nannos = 0;
	wfmt_opts o;
	format_opts_default(&o);
	format_policy(&copy, &o, out);
}

static void locate(const wpolicy *p, uint32_t *line, uint32_t *col)
{
	*line = *col = 0;
	if (p->src)
		source_linecol(p->src, p->span.start, line, col);
}

/* Repository-relative path of a policy's file. */
static const char *rel_file(gate_result *r, const wpolicy *p)
{
	if (!p->src || !p->src->name)
		return NULL;
	const char *n = p->src->name;
	size_t rl = strlen(r->root);
	if (strncmp(n, r->root, rl) == 0 && n[rl] == '/')
		return n + rl + 1;
	return n;
}

static const wpolicy *find_id(const wpolicyset *ps, const char *id)
{
	for (uint32_t i = 0; i < ps->n; i++)
		if (strcmp(ps->items[i]->id, id) == 0)
			return ps->items[i];
	return NULL;
}

/* ---- risk: what a policy reaches ------------------------------------------------ */

struct lit_scan {
	const repo *r;
	const char *hit;
};

static int lit_cb(const wexpr *e, void *ud)
{
	struct lit_scan *ls = ud;
	if (e->kind == WE_LIT && e->u.lit.kind == WV_STRING) {
		const char *s = e->u.lit.u.s.p;
		size_t n = e->u.lit.u.s.n;
		for (size_t i = 0; i < ls->r->nenvs; i++) {
			const repo_env *ev = &ls->r->envs[i];
			if (ev->high_risk && strlen(ev->name) == n && memcmp(ev->name, s, n) == 0)
				ls->hit = ev->name;
		}
	}
	return 0;
}

/* A high-risk environment named in the policy's conditions, or NULL. */
static const char *production_env(const repo *r, const wpolicy *p)
{
	struct lit_scan ls = {r, NULL};
	for (uint32_t i = 0; i < p->nconds; i++)
		gast_walk(p->conds[i].body, lit_cb, &ls);
	if (ls.hit)
		return ls.hit;
	/* the resource entity itself lives in a high-risk environment */
	if ((p->resource.op == WSC_EQ || p->resource.op == WSC_IN) && !p->resource.slot && r->has_ents) {
		const wentity *e = entities_get(&r->ents, p->resource.uid);
		const wsym *k = e ? ctx_sym((wctx *)&r->cx, "environment", 11) : NULL;
		const wvalue *v = k ? record_get(e->attrs, k) : NULL;
		if (v && v->kind == WV_STRING) {
			for (size_t i = 0; i < r->nenvs; i++)
				if (r->envs[i].high_risk && strlen(r->envs[i].name) == v->u.s.n &&
				    memcmp(r->envs[i].name, v->u.s.p, v->u.s.n) == 0)
					return r->envs[i].name;
		}
	}
	return NULL;
}

/* Does high-risk entry `hr` ("Type" or 'Type::"id"') cover entity `u`? */
static bool hr_covers(const char *hr, wuid u)
{
	const char *q = strstr(hr, "::\"");
	if (!q)
		return strcmp(hr, u.type->s) == 0;
	size_t tl = (size_t)(q - hr);
	const char *id = q + 3;
	size_t il = strlen(id);
	if (il == 0 || id[il - 1] != '"')
		return false;
	il--;
	return tl == u.type->len && memcmp(hr, u.type->s, tl) == 0 && il == u.id->len && memcmp(id, u.id->s, il) == 0;
}

static bool hr_type(const char *hr, const wsym *t)
{
	const char *q = strstr(hr, "::\"");
	size_t tl = q ? (size_t)(q - hr) : strlen(hr);
	return t && tl == t->len && memcmp(hr, t->s, tl) == 0;
}

/* The high-risk resource the policy may reach, or NULL. */
static const char *high_risk_reach(const repo *r, const wpolicy *p)
{
	const wscope *s = &p->resource;
	for (size_t i = 0; i < r->nhigh_risk; i++) {
		const char *hr = r->high_risk[i];
		switch (s->op) {
		case WSC_ANY:
			return hr; /* any resource includes it */
		case WSC_IS:
			if (hr_type(hr, s->type))
				return hr;
			break;
		case WSC_EQ:
		case WSC_IN:
		case WSC_IS_IN:
			if (s->slot)
				break;
			if (hr_covers(hr, s->uid))
				return hr;
			if (s->op != WSC_EQ && r->has_ents) {
				/* something inside the container is high risk */
				for (uint32_t k = 0; k < r->ents.n; k++) {
					const wentity *e = r->ents.items[k];
					if (hr_covers(hr, e->uid) && entities_in(&r->ents, e->uid, s->uid) &&
					    (s->op != WSC_IS_IN || e->uid.type == s->type))
						return hr;
				}
			}
			break;
		default:
			break;
		}
	}
	return NULL;
}

static bool mentions_break_glass(const wpolicy *p)
{
	for (uint32_t i = 0; i < p->nconds; i++) {
		wbuf b = WBUF_INIT;
		wfmt_opts o;
		format_opts_default(&o);
		format_expr(p->conds[i].body, &o, &b);
		bool hit = b.p && strstr(b.p, "break_glass");
		buf_release(&b);
		if (hit)
			return true;
	}
	return false;
}

static bool has_expiry_condition(const wpolicy *p)
{
	for (uint32_t i = 0; i < p->nconds; i++) {
		if (!p->conds[i].is_when)
			continue;
		wbuf b = WBUF_INIT;
		wfmt_opts o;
		format_opts_default(&o);
		format_expr(p->conds[i].body, &o, &b);
		bool hit = b.p && strstr(b.p, "context.now <") && strstr(b.p, "datetime(");
		buf_release(&b);
		if (hit)
			return true;
	}
	return false;
}

/* Principal types a permit may grant to ("*" for any), into `out`. */
static void principal_types(const repo *r, const wpolicy *p, const char **out, size_t *n, size_t cap)
{
	const wscope *s = &p->principal;
	*n = 0;
#define ADD(t)                                                        \
	do {                                                              \
		bool dup_ = false;                                            \
		for (size_t z_ = 0; z_ < *n; z_++)                            \
			dup_ = dup_ || strcmp(out[z_], (t)) == 0;                 \
		if (!dup_ && *n < cap)                                        \
			out[(*n)++] = (t);                                        \
	} while (0)
	switch (s->op) {
	case WSC_ANY:
		ADD("*");
		break;
	case WSC_IS:
	case WSC_IS_IN:
		ADD(s->type->s);
		break;
	case WSC_EQ:
		if (!s->slot)
			ADD(s->uid.type->s);
		break;
	case WSC_IN:
		if (s->slot)
			break;
		ADD(s->uid.type->s);
		if (r->has_ents)
			for (uint32_t k = 0; k < r->ents.n; k++) {
				const wentity *e = r->ents.items[k];
				if (!uid_eq(e->uid, s->uid) && entities_in(&r->ents, e->uid, s->uid))
					ADD(e->uid.type->s);
			}
		break;
	default:
		break;
	}
#undef ADD
}

/* ---- the run ----------------------------------------------------------------- */

struct run {
	gate_result *r;
	gate_change ch;
	repo rp;
	bool have_repo;
	wpolicyset ps, base_ps;
	bool ps_ok;
	tcatalog cat;
	bool have_cat;
	wxpolicies x;
	bool have_x, x_init, cat_init;
	requirement *reqs;
	char **req_files;
	size_t nreqs;
	/* risk class -> policies that raised it */
	struct {
		const char *cls;
		wbuf who;
	} raised[16];
	size_t nraised;
};

static void raise_class(struct run *u, const char *cls, const char *who)
{
	size_t i;
	for (i = 0; i < u->nraised; i++)
		if (strcmp(u->raised[i].cls, cls) == 0)
			break;
	if (i == u->nraised) {
		if (u->nraised == sizeof u->raised / sizeof *u->raised)
			return;
		u->raised[i].cls = cls;
		u->raised[i].who = (wbuf)WBUF_INIT;
		u->nraised++;
	}
	wbuf *b = &u->raised[i].who;
	if (b->p && strstr(b->p, who))
		return;
	if (b->n)
		buf_adds(b, ", ");
	buf_adds(b, who);
}

/* Converts diagnostics to findings of severity `sev`. */
static void diags_to_findings(gate_result *r, const wdiags *d, gate_sev sev, const char *code)
{
	for (size_t i = 0; i < d->n; i++) {
		const wdiag *g = &d->items[i];
		if (g->sev == WSEV_NOTE)
			continue;
		uint32_t line = 0, col = 0;
		const char *file = NULL;
		if (g->src) {
			source_linecol(g->src, g->span.start, &line, &col);
			file = g->src->name;
			size_t rl = strlen(r->root);
			if (file && strncmp(file, r->root, rl) == 0 && file[rl] == '/')
				file += rl + 1;
		}
		gate_add(r, g->sev == WSEV_ERROR ? sev : GS_WARN, code, g->policy_id, file, line, col, "%s", g->msg);
	}
}

static void load_requirements(struct run *u)
{
	gate_result *r = u->r;
	char *rdir = repo_path(&u->rp, "requests");
	static const char *const sfx[] = {".yaml", ".yml", NULL};
	char **files = NULL;
	size_t n = 0;
	if (gio_exists(rdir))
		testrun_collect(rdir, sfx, &files, &n);
	free(rdir);
	u->reqs = xcalloc(n + 1, sizeof *u->reqs);
	u->req_files = xcalloc(n + 1, sizeof *u->req_files);
	for (size_t i = 0; i < n; i++) {
		wdiags d;
		diags_init(&d);
		size_t len;
		char *text = gio_read(files[i], 0, &len, &d);
		requirement *rq = &u->reqs[u->nreqs];
		memset(rq, 0, sizeof *rq);
		if (text && req_load(rq, &u->rp, files[i], text, len, NULL, false, &d) == 0) {
			u->req_files[u->nreqs++] = files[i];
			files[i] = NULL;
		} else {
			/* requirement diagnostics point into the requirement's own
			 * document: convert them before releasing it */
			diags_to_findings(r, &d, GS_BLOCK, "requirement-invalid");
			req_release(rq);
			memset(rq, 0, sizeof *rq);
		}
		free(text);
		diags_release(&d);
		free(files[i]);
	}
	free(files);
}

static const requirement *policy_requirement(struct run *u, const wpolicy *p, const char **file)
{
	const char *keys[] = {anno(p, "requirement"), anno(p, "id"), p->id};
	for (size_t k = 0; k < 3; k++) {
		if (!keys[k])
			continue;
		for (size_t i = 0; i < u->nreqs; i++)
			if (u->reqs[i].id && strcmp(u->reqs[i].id, keys[k]) == 0) {
				*file = u->req_files[i];
				return &u->reqs[i];
			}
	}
	const char *ticket = anno(p, "ticket");
	for (size_t i = 0; ticket && i < u->nreqs; i++)
		if (u->reqs[i].ticket && strcmp(u->reqs[i].ticket, ticket) == 0) {
			*file = u->req_files[i];
			return &u->reqs[i];
		}
	return NULL;
}

static gate_policy *new_policy(gate_result *r)
{
	r->policies = xrealloc(r->policies, (r->npolicies + 1) * sizeof *r->policies);
	gate_policy *gp = &r->policies[r->npolicies++];
	memset(gp, 0, sizeof *gp);
	gp->classes = arena_zalloc(&r->arena, 16 * sizeof *gp->classes);
	return gp;
}

static void policy_class(struct run *u, gate_policy *gp, const char *cls, const char *fmt, ...)
{
	gate_result *r = u->r;
	va_list ap;
	va_start(ap, fmt);
	wbuf b = WBUF_INIT;
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	gate_add(r, GS_RISK, cls, gp->id, gp->file, 0, 0, "%s", b.p ? b.p : "");
	buf_release(&b);
	for (size_t i = 0; i < gp->nclasses; i++)
		if (strcmp(gp->classes[i], cls) == 0)
			goto raised;
	if (gp->nclasses < 16)
		gp->classes[gp->nclasses++] = cls;
raised:
	raise_class(u, cls, gp->id);
}

static void explain_into(struct run *u, const wpolicy *p, gate_policy *gp)
{
	if (!u->have_x)
		return;
	const wxpolicy *xp = explain_find(&u->x, p);
	if (!xp)
		return;
	wbuf b = WBUF_INIT;
	/* the summary already says every condition */
	buf_adds(&b, xp->summary ? xp->summary : "");
	for (uint32_t i = 0; i < xp->noverriders; i++)
		buf_printf(&b, "\n- may be overridden by forbid '%s'", xp->overriders[i]->id);
	for (uint32_t i = 0; i < xp->nnotes; i++)
		buf_printf(&b, "\nnote: %s", xp->notes[i]);
	gp->explanation = adup(&u->r->arena, b.p ? b.p : "");
	buf_release(&b);
}

/* Is forbid `f` a guardrail with a carve-out (`unless`)? */
static bool forbid_has_unless(const wpolicy *f)
{
	for (uint32_t i = 0; i < f->nconds; i++)
		if (!f->conds[i].is_when)
			return true;
	return false;
}

static void check_policy(struct run *u, const wpolicy *p, char status, const wpolicy *old)
{
	gate_result *r = u->r;
	const appr_config *cfg = &u->ch.cfg;
	gate_policy *gp = new_policy(r);
	gp->id = adup(&r->arena, p->id);
	gp->file = adup(&r->arena, rel_file(r, p));
	gp->status = status;
	gp->permit = p->effect == WEFF_PERMIT;
	wbuf t = WBUF_INIT;
	policy_text(p, &t);
	gp->text = adup(&r->arena, t.p ? t.p : "");
	buf_release(&t);
	explain_into(u, p, gp);
	uint32_t line, col;
	locate(p, &line, &col);

	/* traceability */
	static const char *const trace[] = {"ticket", "justification", "owner"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = anno(p, trace[i]);
		if (!v || !*v)
			gate_add(r, GS_BLOCK, "traceability", p->id, gp->file, line, col,
				 "policy '%s' has no @%s; every changed policy must say its ticket, justification and "
				 "owner",
				 p->id, trace[i]);
	}
	/* requirement */
	const char *rqfile = NULL;
	const requirement *rq = policy_requirement(u, p, &rqfile);
	if (rq) {
		gp->requirement_id = adup(&r->arena, rq->id);
		size_t rl = strlen(r->root);
		gp->requirement_file = adup(&r->arena, strncmp(rqfile, r->root, rl) == 0 && rqfile[rl] == '/'
								? rqfile + rl + 1
								: rqfile);
		wbuf y = WBUF_INIT;
		req_print_yaml(rq, &y);
		gp->requirement = adup(&r->arena, y.p ? y.p : "");
		buf_release(&y);
	} else if (p->effect == WEFF_PERMIT) {
		gate_add(r, GS_WARN, "no-requirement", p->id, gp->file, line, col,
			 "permit '%s' is linked to no requirement in requests/ (by @requirement, @id or @ticket): "
			 "the intent check and the generated tests cannot cover it",
			 p->id);
	}
	const char *kind = anno(p, "kind");
	if (!kind && rq)
		kind = req_kind_name((req_kind)rq->kind);

	/* template instance */
	const char *hr = p->effect == WEFF_PERMIT ? high_risk_reach(&u->rp, p) : NULL;
	if (p->effect == WEFF_PERMIT && u->have_cat) {
		match_result m;
		memset(&m, 0, sizeof m);
		wbuf why = WBUF_INIT;
		if (match_catalog(&u->rp, &u->cat, p, &m, &why) == 0) {
			gp->template_id = adup(&r->arena, m.t->id);
			/* the template must be approved for the high-risk resource */
			match_result_release(&m);
		} else if (hr || cfg->require_templates) {
			gate_add(r, GS_BLOCK, "non-template", p->id, gp->file, line, col,
				 "permit '%s' must be an instance of an approved template (%s), but %s", p->id,
				 hr ? arena_sprintf(&r->arena, "it reaches the high-risk resource %s", hr)
				    : "ward.yaml requires templates",
				 why.p ? why.p : "no template matches");
		}
		buf_release(&why);
	} else if (p->effect == WEFF_PERMIT && (hr || cfg->require_templates)) {
		gate_add(r, GS_BLOCK, "non-template", p->id, gp->file, line, col,
			 "permit '%s' cannot be checked against the templates (the catalog did not load)", p->id);
	}

	/* risk classes */
	if (p->effect == WEFF_PERMIT) {
		const char *any = p->principal.op == WSC_ANY ? "any principal"
				  : p->action.op == WSC_ANY  ? "any action"
				  : p->resource.op == WSC_ANY ? "any resource"
							      : NULL;
		if (any)
			policy_class(u, gp, "wildcard", "permit '%s' grants to %s", p->id, any);
		else if (p->principal.op == WSC_IS)
			policy_class(u, gp, "wildcard", "permit '%s' grants to every %s", p->id, p->principal.type->s);
		if (hr)
			policy_class(u, gp, "high-risk-resource", "permit '%s' reaches the high-risk resource %s", p->id,
				     hr);
		const char *env = production_env(&u->rp, p);
		if (env)
			policy_class(u, gp, "production", "permit '%s' grants access in the high-risk environment '%s'",
				     p->id, env);
		/* carving around a guardrail: a permit that a forbid with an
		 * `unless` may override, i.e. it works inside the carve-out */
		if (u->have_x) {
			const wxpolicy *xp = explain_find(&u->x, p);
			for (uint32_t i = 0; xp && i < xp->noverriders; i++)
				if (forbid_has_unless(xp->overriders[i])) {
					policy_class(u, gp, "exception",
						     "permit '%s' works inside the carve-out (unless) of guardrail '%s'",
						     p->id, xp->overriders[i]->id);
					break;
				}
		}
		bool bg = (kind && strcmp(kind, "break-glass") == 0) || mentions_break_glass(p);
		if (bg) {
			policy_class(u, gp, "break-glass", "permit '%s' is a break-glass rule", p->id);
			const char *exp = anno(p, "expires");
			int64_t when;
			if (!exp || !has_expiry_condition(p))
				gate_add(r, GS_BLOCK, "break-glass-expiry", p->id, gp->file, line, col,
					 "break-glass permit '%s' must carry an expiry: an @expires annotation and a "
					 "`context.now < datetime(...)` condition",
					 p->id);
			else if (appr_parse_time(exp, &when) == 0 && when <= (int64_t)time(NULL))
				gate_add(r, GS_BLOCK, "break-glass-expiry", p->id, gp->file, line, col,
					 "break-glass permit '%s' expired at %s", p->id, exp);
		}
		/* new principal type */
		const char *types[32];
		size_t nt;
		principal_types(&u->rp, p, types, &nt, 32);
		for (size_t i = 0; i < nt; i++) {
			bool seen = false;
			for (uint32_t k = 0; k < u->base_ps.n && !seen; k++) {
				const wpolicy *b = u->base_ps.items[k];
				if (b->effect != WEFF_PERMIT)
					continue;
				const char *bt[32];
				size_t nb;
				principal_types(&u->rp, b, bt, &nb, 32);
				for (size_t j = 0; j < nb && !seen; j++)
					seen = strcmp(bt[j], types[i]) == 0 || strcmp(bt[j], "*") == 0;
			}
			if (!seen)
				policy_class(u, gp, "new-principal-type",
					     "permit '%s' is the first to grant anything to %s", p->id,
					     strcmp(types[i], "*") == 0 ? "any principal" : types[i]);
		}
	} else {
		if (forbid_has_unless(p) && (!old || status == 'A'))
			policy_class(u, gp, "exception", "forbid '%s' has an exception (unless)", p->id);
		if (old && status == 'M')
			policy_class(u, gp, "forbid-weakened",
				     "forbid '%s' changed: a guardrail may now forbid less", p->id);
	}
	if (kind && strcmp(kind, "exception") == 0)
		policy_class(u, gp, "exception", "policy '%s' is an exception (kind: exception)", p->id);
	const char *drafted = anno(p, "drafted_by");
	if (drafted && appr_is_model(drafted))
		policy_class(u, gp, "model-drafted", "policy '%s' was drafted by %s", p->id, drafted);
}

static void removed_policy(struct run *u, const wpolicy *b)
{
	gate_result *r = u->r;
	gate_policy *gp = new_policy(r);
	gp->id = adup(&r->arena, b->id);
	gp->file = adup(&r->arena, b->src ? b->src->name : NULL);
	gp->status = 'D';
	gp->permit = b->effect == WEFF_PERMIT;
	wbuf t = WBUF_INIT;
	policy_text(b, &t);
	gp->text = adup(&r->arena, t.p ? t.p : "");
	buf_release(&t);
	if (b->effect == WEFF_FORBID)
		policy_class(u, gp, "forbid-weakened", "forbid '%s' was removed", b->id);
	else
		gate_add(r, GS_INFO, "removed", b->id, gp->file, 0, 0, "permit '%s' was removed", b->id);
}

static bool changed(const gate_change *c, const char *path, char *status)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->cfiles[i].path, path) == 0) {
			if (status)
				*status = c->cfiles[i].status;
			return true;
		}
	return false;
}

static void load_base_policies(struct run *u)
{
	gate_result *r = u->r;
	gitrepo g;
	wdiags d;
	diags_init(&d);
	if (gitrepo_open(&g, r->root, &d) == 0) {
		char **paths = NULL;
		size_t n = 0;
		if (gitrepo_list_at(&g, u->ch.base, "policies", ".cedar", &paths, &n, &d) == 0) {
			for (size_t i = 0; i < n; i++) {
				char *text;
				size_t len;
				if (gitrepo_read_at(&g, u->ch.base, paths[i], &text, &len, &d) > 0) {
					wdiags pd;
					diags_init(&pd);
					parse_policies(&u->rp.cx, &u->base_ps, paths[i], text, len, &pd);
					diags_release(&pd);
					free(text);
				}
			}
			wdiags pd;
			diags_init(&pd);
			policyset_use_annotation_ids(&u->base_ps, &pd);
			diags_release(&pd);
		}
		gitrepo_strings_free(paths, n);
		gitrepo_close(&g);
	}
	if (d.nerrors)
		gate_add(r, GS_WARN, "base-unreadable", NULL, NULL, 0, 0,
			 "the base's policies could not all be read: risk classes that compare with the base may be "
			 "incomplete");
	diags_release(&d);
}

static void check_policies(struct run *u)
{
	gate_result *r = u->r;
	/* added and modified policies in the changed files */
	for (uint32_t i = 0; i < u->ps.n; i++) {
		const wpolicy *p = u->ps.items[i];
		const char *f = rel_file(r, p);
		char st;
		if (!f || !changed(&u->ch, f, &st))
			continue;
		const wpolicy *old = find_id(&u->base_ps, p->id);
		char status = old ? 'M' : 'A';
		if (old) {
			wbuf a = WBUF_INIT, b = WBUF_INIT;
			policy_shape(p, &a);
			policy_shape(old, &b);
			bool same = a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
			wbuf ta = WBUF_INIT, tb = WBUF_INIT;
			policy_text(p, &ta);
			policy_text(old, &tb);
			bool same_text = ta.n == tb.n && (ta.n == 0 || memcmp(ta.p, tb.p, ta.n) == 0);
			buf_release(&a);
			buf_release(&b);
			buf_release(&ta);
			buf_release(&tb);
			if (same && same_text)
				continue;
			if (same) {
				/* only annotations or layout changed: traceability still
				 * applies, the meaning did not change */
				status = 'M';
			}
		}
		check_policy(u, p, status, old);
	}
	/* removed policies */
	for (uint32_t i = 0; i < u->base_ps.n; i++) {
		const wpolicy *b = u->base_ps.items[i];
		if (!find_id(&u->ps, b->id))
			removed_policy(u, b);
	}
}

/* Did entity `u`'s place in the hierarchy change between the snapshots
 * (added, removed, or other parents)? */
static bool parents_changed(const wentities *be, const wentities *he, wuid uid)
{
	const wentity *o = entities_get(be, uid), *h = entities_get(he, uid);
	if (!o || !h)
		return true;
	if (o->nparents != h->nparents)
		return true;
	for (uint32_t k = 0; k < h->nparents; k++) {
		bool had = false;
		for (uint32_t j = 0; j < o->nparents && !had; j++)
			had = uid_eq(o->parents[j], h->parents[k]);
		if (!had)
			return true;
	}
	return false;
}

/* A row of a what-can query keyed for comparison: action, resource and
 * condition ("" when always) separated by \x1f (heap), with the row. */
typedef struct qkey {
	char *k;
	const wquery_row *row;
} qkey;

static int qkey_cmp(const void *a, const void *b)
{
	return strcmp(((const qkey *)a)->k, ((const qkey *)b)->k);
}

/* The keys of every row, sorted by key. */
static qkey *query_keys(const wquery *q)
{
	qkey *k = xcalloc(q->n + 1, sizeof *k);
	for (size_t i = 0; i < q->n; i++) {
		wbuf b = WBUF_INIT;
		uid_print(q->rows[i].c.a, &b);
		buf_addc(&b, '\x1f');
		uid_print(q->rows[i].c.r, &b);
		buf_addc(&b, '\x1f');
		buf_adds(&b, q->rows[i].dec == WDEC_COND && q->rows[i].cond ? q->rows[i].cond : "");
		k[i].k = buf_detach(&b);
		k[i].row = &q->rows[i];
	}
	qsort(k, q->n, sizeof *k, qkey_cmp);
	return k;
}

static void qkeys_free(qkey *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].k);
	free(k);
}

/* What the entity changes do to access, with the head's policies over the
 * base snapshot and over the head snapshot: for every principal whose
 * memberships changed (and everything below it), the (action, resource)
 * pairs it gains and loses. Appended to `out`; a gain on a high-risk
 * resource raises that class too. */
static void entity_effect(struct run *u, const wentities *be, const wentities *he, wbuf *out)
{
	enum { MAX_PRINCIPALS = 256, MAX_SHOWN = 6 };
	const wschema *schema = u->rp.has_schema ? &u->rp.schema : NULL;
	went_index *ib = ent_index_new(&u->rp.cx, be, schema), *ih = ent_index_new(&u->rp.cx, he, schema);
	if (!schema) {
		ent_index_note_actions(ib, &u->ps);
		ent_index_note_actions(ih, &u->ps);
	}
	/* the principals to compare: changed entities and what is below them */
	wuid *ps = NULL;
	size_t np = 0, cap = 0;
	const wentities *sides[2] = {he, be};
	went_index *idx[2] = {ih, ib};
	for (int s = 0; s < 2; s++) {
		for (uint32_t i = 0; i < sides[s]->n; i++) {
			wuid id = sides[s]->items[i]->uid;
			if (ctx_is_action_type(id.type) || !parents_changed(be, he, id))
				continue;
			uint32_t nd = 0;
			const wentity *const *ds = ent_descendants(idx[s], id, &nd);
			for (uint32_t k = 0; k <= nd; k++) {
				wuid p = k < nd ? ds[k]->uid : id;
				bool dup = false;
				for (size_t j = 0; j < np && !dup; j++)
					dup = uid_eq(ps[j], p);
				if (dup)
					continue;
				if (np == cap) {
					cap = cap ? cap * 2 : 16;
					ps = xrealloc(ps, cap * sizeof *ps);
				}
				ps[np++] = p;
			}
		}
	}
	size_t ngain = 0, nlose = 0, shown = 0, done = 0;
	wbuf list = WBUF_INIT;
	for (size_t i = 0; i < np && done < MAX_PRINCIPALS; i++, done++) {
		wquery qb, qh;
		query_init(&qb);
		query_init(&qh);
		wdiags d;
		diags_init(&d);
		if (query_what_can(ib, &u->ps, ps[i], NULL, &qb, &d) == 0 && query_what_can(ih, &u->ps, ps[i], NULL, &qh, &d) == 0) {
			qkey *kb = query_keys(&qb), *kh = query_keys(&qh);
			char *pname = NULL;
			for (int side = 0; side < 2; side++) { /* 0: gains (in head only), 1: losses */
				const qkey *mine = side ? kb : kh, *other = side ? kh : kb;
				size_t nm = side ? qb.n : qh.n, no = side ? qh.n : qb.n;
				for (size_t k = 0; k < nm; k++) {
					if (no && bsearch(&mine[k], other, no, sizeof *other, qkey_cmp))
						continue;
					if (side) {
						nlose++;
					} else {
						ngain++;
						/* a gain on a high-risk resource needs what such grants need */
						for (size_t h = 0; h < u->rp.nhigh_risk; h++)
							if (hr_covers(u->rp.high_risk[h], mine[k].row->c.r)) {
								raise_class(u, "high-risk-resource", "entity snapshot");
								break;
							}
					}
					if (shown < MAX_SHOWN) {
						if (!pname) {
							wbuf pb = WBUF_INIT;
							uid_print(ps[i], &pb);
							pname = buf_detach(&pb);
						}
						const char *act = mine[k].k, *res = strchr(act, '\x1f') + 1;
						const char *cond = strchr(res, '\x1f') + 1;
						buf_printf(&list, "%s%s %s %.*s on %.*s%s%s", shown ? "; " : "", pname,
							   side ? "loses" : "gains", (int)(res - 1 - act), act, (int)(cond - 1 - res),
							   res, *cond ? " when " : "", cond);
						shown++;
					}
				}
			}
			free(pname);
			qkeys_free(kb, qb.n);
			qkeys_free(kh, qh.n);
		}
		diags_release(&d);
		query_release(&qb);
		query_release(&qh);
	}
	if (ngain || nlose) {
		buf_printf(out, ". With the head's policies, access changes by %zu gained and %zu lost (action, resource) "
				"pairs: %s%s",
			   ngain, nlose, list.p ? list.p : "", ngain + nlose > shown ? "; ..." : "");
	} else if (np) {
		buf_adds(out, ". With the head's policies, no access changes");
	}
	if (np > MAX_PRINCIPALS)
		buf_printf(out, " (the first %d of %zu principals compared)", MAX_PRINCIPALS, np);
	buf_release(&list);
	free(ps);
	ent_index_free(ib);
	ent_index_free(ih);
}

/* What changed in an entity snapshot file between the base and the working
 * tree, as a reviewer needs it: entities added and removed, memberships
 * joined and left, attributes changed (the first few, then a count). A
 * membership can grant as much as a policy, and the entitlement diff above
 * compares policies over one snapshot, so these changes are raised here. */
static void entity_changes(struct run *u, const appr_file *f, wbuf *out)
{
	gitrepo g;
	wdiags d;
	diags_init(&d);
	char *btext = NULL;
	size_t blen = 0;
	if (f->status != 'A' && gitrepo_open(&g, u->r->root, &d) == 0) {
		if (gitrepo_read_at(&g, u->ch.base, f->path, &btext, &blen, &d) <= 0)
			btext = NULL;
		gitrepo_close(&g);
	}
	const wschema *schema = u->rp.has_schema ? &u->rp.schema : NULL;
	wentities be, he;
	entities_init(&be);
	entities_init(&he);
	if (btext)
		entities_load_json(&u->rp.cx, &be, schema, f->path, btext, blen, &d);
	if (f->data)
		entities_load_json(&u->rp.cx, &he, schema, f->path, f->data, f->len, &d);
	size_t shown = 0, more = 0;
#define NOTE(...)                                                                                                      \
	do {                                                                                                           \
		if (shown < 6) {                                                                                       \
			buf_adds(out, shown ? "; " : ": ");                                                           \
			buf_printf(out, __VA_ARGS__);                                                                  \
			shown++;                                                                                       \
		} else {                                                                                               \
			more++;                                                                                        \
		}                                                                                                      \
	} while (0)
	wbuf a = WBUF_INIT, b = WBUF_INIT;
	for (uint32_t i = 0; i < he.n; i++) {
		const wentity *h = he.items[i];
		const wentity *o = entities_get(&be, h->uid);
		buf_clear(&a);
		uid_print(h->uid, &a);
		if (!o) {
			NOTE("%s added", a.p);
			continue;
		}
		for (uint32_t k = 0; k < h->nparents; k++) {
			bool had = false;
			for (uint32_t j = 0; j < o->nparents && !had; j++)
				had = uid_eq(o->parents[j], h->parents[k]);
			if (!had) {
				buf_clear(&b);
				uid_print(h->parents[k], &b);
				NOTE("%s joins %s", a.p, b.p);
			}
		}
		for (uint32_t j = 0; j < o->nparents; j++) {
			bool has = false;
			for (uint32_t k = 0; k < h->nparents && !has; k++)
				has = uid_eq(o->parents[j], h->parents[k]);
			if (!has) {
				buf_clear(&b);
				uid_print(o->parents[j], &b);
				NOTE("%s leaves %s", a.p, b.p);
			}
		}
		wvalue x = {.kind = WV_RECORD}, y = {.kind = WV_RECORD};
		x.u.rec = o->attrs;
		y.u.rec = h->attrs;
		if (value_cmp(&x, &y) != 0)
			NOTE("the attributes of %s change", a.p);
	}
	for (uint32_t i = 0; i < be.n; i++)
		if (!entities_get(&he, be.items[i]->uid)) {
			buf_clear(&a);
			uid_print(be.items[i]->uid, &a);
			NOTE("%s removed", a.p);
		}
#undef NOTE
	if (more)
		buf_printf(out, "; and %zu more", more);
	if (u->ps_ok)
		entity_effect(u, &be, &he, out);
	buf_release(&a);
	buf_release(&b);
	entities_release(&be);
	entities_release(&he);
	free(btext);
	diags_release(&d);
}

static void check_config_change(struct run *u)
{
	gate_result *r = u->r;
	for (size_t i = 0; i < u->ch.nfiles; i++) {
		const appr_file *f = &u->ch.cfiles[i];
		const char *what = NULL;
		if (strncmp(f->path, "entities/", 9) == 0 && strlen(f->path) > 14 &&
		    strcmp(f->path + strlen(f->path) - 5, ".json") == 0) {
			wbuf m = WBUF_INIT;
			buf_adds(&m, "the entity snapshot changed");
			entity_changes(u, f, &m);
			buf_adds(&m, " (the entitlement diff compares the policies over one snapshot; this is what the "
				     "snapshot's own change does)");
			gate_add(r, GS_RISK, "config-change", NULL, f->path, 0, 0, "%s", m.p);
			raise_class(u, "config-change", f->path);
			buf_release(&m);
			continue;
		}
		if (strcmp(f->path, "ward.yaml") == 0)
			what = "ward.yaml (reviewers, roles, approval rules, high-risk resources) changed; this change is "
			       "judged by the base revision's rules";
		else if (strcmp(f->path, "schema.cedarschema") == 0 || strcmp(f->path, "schema.cedarschema.json") == 0)
			what = "the schema changed";
		else if (strncmp(f->path, "templates/", 10) == 0)
			what = "an approved template changed";
		if (!what)
			continue;
		gate_add(r, GS_RISK, "config-change", NULL, f->path, 0, 0, "%s", what);
		raise_class(u, "config-change", f->path);
		if (strcmp(f->path, "ward.yaml") == 0 && f->status != 'D') {
			/* the new rules must at least be well-formed */
			appr_config nc;
			wdiags d;
			diags_init(&d);
			if (appr_config_parse(&nc, "ward.yaml", f->data, f->len, &d) != 0)
				diags_to_findings(r, &d, GS_BLOCK, "config-invalid");
			else {
				/* say plainly when the change weakens the rules */
				for (size_t k = 0; appr_classes[k]; k++) {
					const appr_rule *o = appr_find_rule(&u->ch.cfg, appr_classes[k]);
					const appr_rule *n = appr_find_rule(&nc, appr_classes[k]);
					int oc = 0, ncount = 0;
					for (size_t j = 0; o && j < o->n; j++)
						oc += o->needs[j].count;
					for (size_t j = 0; n && j < n->n; j++)
						ncount += n->needs[j].count;
					if (!o)
						oc = 1;
					if (!n)
						ncount = 1;
					if (ncount < oc)
						gate_add(r, GS_WARN, "config-weakened", NULL, "ward.yaml", 0, 0,
							 "the change lowers the approvals '%s' needs from %d to %d; the "
							 "base's rule applies to this change",
							 appr_classes[k], oc, ncount);
				}
				for (size_t k = 0; k < nc.nreviewers; k++)
					if (!appr_find_reviewer(&u->ch.cfg, nc.reviewers[k].name))
						gate_add(r, GS_WARN, "config-weakened", NULL, "ward.yaml", 0, 0,
							 "the change adds reviewer '%s', who cannot approve this change "
							 "(reviewers come from the base revision)",
							 nc.reviewers[k].name);
			}
			appr_config_release(&nc);
			diags_release(&d);
		}
	}
}

static void check_secrets(struct run *u)
{
	gate_result *r = u->r;
	/* the allowlist of the base: a change cannot allowlist its own secret */
	repo base_cfg;
	wdiags d;
	diags_init(&d);
	const char *const *allow = NULL;
	size_t nallow = 0;
	double entropy = 0;
	bool have_base = false;
	if (u->ch.has_cfg) {
		have_base = true; /* released below, parsed or not */
		if (repo_parse_config(&base_cfg, "ward.yaml", u->ch.base_cfg_text, strlen(u->ch.base_cfg_text), &d) ==
		    0) {
			allow = base_cfg.allowlist;
			nallow = base_cfg.nallow;
			entropy = base_cfg.entropy_threshold;
		}
	}
	diags_release(&d);
	diags_init(&d);
	secrets_scanner *sc = secrets_new(allow, nallow, entropy, &d);
	if (!sc) {
		diags_to_findings(r, &d, GS_BLOCK, "config-invalid");
	} else {
		for (size_t i = 0; i < u->ch.nfiles; i++) {
			const appr_file *f = &u->ch.cfiles[i];
			if (f->status == 'D')
				continue;
			secret_finding *fs = NULL;
			size_t n = secrets_scan(sc, f->data, f->len, &fs);
			wsource src = {f->path, f->data, f->len};
			for (size_t k = 0; k < n; k++) {
				/* reviewers' public keys look random but are not secrets */
				if (fs[k].start >= 8 && memcmp(f->data + fs[k].start - 8, "ed25519:", 8) == 0)
					continue;
				uint32_t line, col;
				source_linecol(&src, (uint32_t)fs[k].start, &line, &col);
				char shown[64];
				secrets_redact_short(f->data + fs[k].start, fs[k].end - fs[k].start, shown, sizeof shown);
				gate_add(r, GS_BLOCK, "secret", NULL, f->path, line, col, "%s found: %s",
					 secrets_rule_title(fs[k].rule), shown);
			}
			free(fs);
		}
		secrets_free(sc);
	}
	diags_release(&d);
	if (have_base)
		repo_close(&base_cfg);
}

static void run_tests(struct run *u)
{
	gate_result *r = u->r;
	wtrun t;
	testrun_init(&t, &u->rp.cx, &u->ps, u->rp.has_schema ? &u->rp.schema : NULL,
		     u->rp.has_ents ? &u->rp.ents : NULL);
	static const char *const sfx[] = {".yaml", ".yml", NULL};
	char *tdir = repo_path(&u->rp, "tests");
	char **files = NULL;
	size_t n = 0;
	if (gio_exists(tdir))
		testrun_collect(tdir, sfx, &files, &n);
	free(tdir);
	for (size_t i = 0; i < n; i++) {
		wdiags d;
		diags_init(&d);
		size_t len;
		char *text = gio_read(files[i], 0, &len, &d);
		if (text) {
			testrun_load(&t, files[i], text, len);
			free(text);
		}
		diags_to_findings(r, &d, GS_BLOCK, "test-invalid");
		diags_release(&d);
		free(files[i]);
	}
	free(files);
	for (size_t i = 0; i < u->nreqs; i++)
		testrun_generate(&t, &u->rp, &u->reqs[i], u->req_files[i]);
	diags_to_findings(r, &t.diags, GS_BLOCK, "test-invalid");
	testrun_run(&t, false);
	wtcoverage cv;
	testrun_coverage(&t, &cv);
	gate_tests *gt = &r->tests;
	gt->ran = true;
	gt->passed = t.passed;
	gt->failed = t.failed;
	gt->gen_passed = t.gen_passed;
	gt->gen_failed = t.gen_failed;
	gt->coverage = cv.percent;
	gt->npolicies = cv.npolicies;
	gt->ndetermined = cv.ndetermined;
	gt->nunits = cv.nunits;
	gt->nboth = cv.nboth;
	gt->failures = arena_zalloc(&r->arena, (t.n + 1) * sizeof *gt->failures);
	for (uint32_t i = 0; i < t.n; i++) {
		const wtcase *c = &t.cases[i];
		if (!c->ran || c->passed)
			continue;
		const char *file = c->file;
		size_t rl = strlen(r->root);
		if (file && strncmp(file, r->root, rl) == 0 && file[rl] == '/')
			file += rl + 1;
		/* generated cases: "REQ-1: near miss" + "near miss: request" -> "REQ-1: near miss: request" */
		const char *group = c->group ? c->group : "";
		const char *colon = strstr(group, ": ");
		size_t glen = strlen(group);
		if (colon && strncmp(c->name, colon + 2, strlen(colon + 2)) == 0)
			glen = (size_t)(colon - group);
		const char *msg = arena_sprintf(&r->arena, "%.*s%s%s: expected %s, got %s (%s)", (int)glen, group,
						glen ? ": " : "", c->name, c->expect_allow ? "allow" : "deny",
						c->actual_allow ? "allow" : "deny", c->verdict ? c->verdict : "");
		gt->failures[gt->nfailures++] = msg;
		gate_add(r, GS_BLOCK, c->generated ? "test-failed-generated" : "test-failed", NULL, file, c->line, 0,
			 "%s", msg);
	}
	testrun_release(&t);
}

/* ---- the entitlement diff and the intent check -------------------------------------- */

static void uid_text(wuid u, wbuf *b)
{
	ent_uid_str(u, b);
}

/* The intent check (analysis/intent.h) of each changed permit linked to a
 * requirement, on the diff of that policy alone (the base with only this
 * policy changed), so that two requirements changed together do not count
 * each other's cells as creep. */
static void check_intent(struct run *u, went_index *ix)
{
	gate_result *r = u->r;
	for (size_t i = 0; i < r->npolicies; i++) {
		gate_policy *gp = &r->policies[i];
		if (!gp->permit || gp->status == 'D' || !gp->requirement_id)
			continue;
		const requirement *rq = NULL;
		for (size_t k = 0; k < u->nreqs && !rq; k++)
			if (u->reqs[k].id && strcmp(u->reqs[k].id, gp->requirement_id) == 0)
				rq = &u->reqs[k];
		const wpolicy *p = find_id(&u->ps, gp->id);
		if (!rq || !p)
			continue;
		wpolicyset one;
		policyset_init(&one);
		for (uint32_t k = 0; k < u->base_ps.n; k++)
			if (strcmp(u->base_ps.items[k]->id, gp->id) != 0)
				policyset_push(&one, u->base_ps.items[k]);
		policyset_push(&one, (wpolicy *)p);
		wdiff df;
		diff_init(&df);
		wintent w;
		intent_init(&w);
		wdiags d;
		diags_init(&d);
		if (diff_compute(ix, &u->base_ps, &one, &df, &d) != 0 || intent_check(ix, rq, &df, &one, &w, &d) != 0) {
			diags_to_findings(r, &d, GS_WARN, "intent-failed");
		} else {
			/* one finding per kind of creep: its first example and how many
			 * more of that kind */
			for (int kind = WINT_SUBJECT; kind < WINT_UNDERGRANT; kind++) {
				size_t count = 0;
				const char *first = NULL;
				for (size_t k = 0; k < w.n; k++)
					if (w.items[k].kind == kind && !count++)
						first = w.items[k].msg;
				if (!count)
					continue;
				wbuf more = WBUF_INIT;
				if (count > 1)
					buf_printf(&more, " (and %zu more like it)", count - 1);
				gate_add(r, GS_BLOCK, "creep", gp->id, gp->file, 0, 0,
					 "privilege creep (%s): policy '%s' grants more than requirement %s asks: %s%s",
					 intent_kind_name((wintent_kind)kind), gp->id, rq->id, first, more.p ? more.p : "");
				buf_release(&more);
			}
			if (w.nunder)
				gate_add(r, GS_WARN, "under-grant", gp->id, gp->file, 0, 0,
					 "%zu of the %zu accesses requirement %s asks for are not allowed after the change",
					 w.nunder, w.nrequested, rq->id);
		}
		diags_release(&d);
		intent_release(&w);
		diff_release(&df);
		free(one.items); /* the policies belong to the other sets */
	}
}

/* Is `rel` (a path relative to the repository) one of the changed files
 * ("A path", "M path", ...)? */
static bool file_in_change(const gate_result *r, const char *rel)
{
	for (size_t i = 0; rel && i < r->nfiles; i++)
		if (strlen(r->files[i]) > 2 && strcmp(r->files[i] + 2, rel) == 0)
			return true;
	return false;
}

/* Lint (analysis/lint.h) with the severities of the base's ward.yaml; only
 * findings about changed policies count, and hidden characters (W016) in
 * any changed file, even where the change leaves every policy as it was
 * (a comment is enough to mislead a reviewer). */
static void run_lint(struct run *u, went_index *ix)
{
	gate_result *r = u->r;
	wlint_config lc;
	lint_config_default(&lc);
	ydoc keep;
	bool have_keep = false;
	wdiags d;
	diags_init(&d);
	if (u->ch.has_cfg) {
		have_keep = true;
		if (lint_config_yaml(&lc, &keep, "ward.yaml", u->ch.base_cfg_text, strlen(u->ch.base_cfg_text), &d))
			gate_add(r, GS_WARN, "lint-config", NULL, "ward.yaml", 0, 0,
				 "the base's lint settings could not be read; defaults apply");
	}
	diags_release(&d);
	diags_init(&d);
	wlint l;
	lint_init(&l);
	if (lint_run(&lc, ix, &u->ps, &u->base_ps, &l, &d) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			const wlint_finding *f = &l.items[i];
			bool mine = false;
			for (size_t k = 0; k < r->npolicies && !mine; k++)
				mine = f->policy && strcmp(r->policies[k].id, f->policy->id) == 0;
			if (!mine && f->rule == WL_HIDDEN_CHARACTERS && f->policy)
				mine = file_in_change(r, rel_file(r, f->policy));
			if (!mine)
				continue;
			uint32_t line = 0, col = 0;
			if (f->src)
				source_linecol(f->src, f->span.start, &line, &col);
			const wlint_rule_info *ri = lint_rule_info((wlint_rule)f->rule);
			gate_add(r, f->sev == WSEV_ERROR ? GS_BLOCK : f->sev == WSEV_WARNING ? GS_WARN : GS_INFO, "lint",
				 f->policy->id, rel_file(r, f->policy), line, col, "%s %s: %s%s%s", ri->id, ri->name, f->msg,
				 f->help ? "; " : "", f->help ? f->help : "");
		}
	} else {
		diags_to_findings(r, &d, GS_WARN, "lint-failed");
	}
	lint_release(&l);
	diags_release(&d);
	lint_config_release(&lc);
	if (have_keep)
		ydoc_release(&keep);
}

static void run_diff(struct run *u)
{
	gate_result *r = u->r;
	if (!u->rp.has_ents) {
		r->diff_note = "no entity snapshot in entities/: the entitlement diff needs one";
		run_lint(u, NULL); /* the rules that need no snapshot */
		return;
	}
	went_index *ix = ent_index_new(&u->rp.cx, &u->rp.ents, u->rp.has_schema ? &u->rp.schema : NULL);
	if (!u->rp.has_schema) {
		ent_index_note_actions(ix, &u->base_ps);
		ent_index_note_actions(ix, &u->ps);
	}
	wdiff df;
	diff_init(&df);
	wdiags d;
	diags_init(&d);
	if (diff_compute(ix, &u->base_ps, &u->ps, &df, &d) != 0) {
		diags_to_findings(r, &d, GS_WARN, "diff-failed");
		r->diff_note = "the entitlement diff could not be computed";
	} else {
		r->diff_ran = true;
		r->ngain = df.ngain;
		r->nlose = df.nlose;
		r->ncond = df.ncond;
		r->diff_note = arena_sprintf(&r->arena, "%zu cells gained, %zu lost, %zu with a changed condition "
							"(%zu decided)",
					     df.ngain, df.nlose, df.ncond, df.nscope);
		size_t n = df.ngroups < 500 ? df.ngroups : 500;
		r->cells = xcalloc(n + 1, sizeof *r->cells);
		for (size_t i = 0; i < n; i++) {
			const wdiff_group *g = &df.groups[i];
			gate_cell *c = &r->cells[r->ncells++];
			c->change = g->change == WCCHG_GAIN ? '+' : g->change == WCCHG_LOSE ? '-' : '~';
			wbuf b = WBUF_INIT;
			uid_text(g->principal, &b);
			c->principal = adup(&r->arena, b.p);
			buf_clear(&b);
			for (uint32_t k = 0; k < g->nactions; k++) {
				if (k)
					buf_adds(&b, ", ");
				diff_add_action(&b, g->actions[k]);
			}
			c->action = adup(&r->arena, b.p ? b.p : "");
			buf_clear(&b);
			diff_add_count(&b, g->nresources);
			buf_printf(&b, " %s", g->rtype ? g->rtype->s : "");
			if (g->has_container) {
				buf_adds(&b, " in ");
				uid_text(g->container, &b);
			} else if (g->nresources == 1) {
				buf_clear(&b);
				uid_text(g->resources[0], &b);
			}
			c->resource = adup(&r->arena, b.p);
			buf_release(&b);
			const wdiff_side *side = g->change == WCCHG_LOSE ? &g->before : &g->after;
			c->condition = side->dec == WDEC_COND ? adup(&r->arena, side->cond) : NULL;
			c->policies = adup(&r->arena, side->why);
			c->summary = adup(&r->arena, g->summary);
			c->relation = g->change == WCCHG_COND && g->before.dec == WDEC_COND && g->after.dec == WDEC_COND
					      ? smt_rel_name((wsmt_rel)g->relation)
					      : NULL;
		}
		check_intent(u, ix);
	}
	run_lint(u, ix);
	diags_release(&d);
	diff_release(&df);
	ent_index_free(ix);
}

/* The approvals the risk classes need, and the approvals present. */
static void check_approvals(struct run *u, int64_t now)
{
	gate_result *r = u->r;
	const appr_config *cfg = &u->ch.cfg;
	/* needs: per role, the largest count any raised class asks for */
	r->needs = xcalloc(u->nraised * 4 + 1, sizeof *r->needs);
	for (size_t i = 0; i < u->nraised; i++) {
		const appr_rule *rule = appr_find_rule(cfg, u->raised[i].cls);
		appr_need any = {APPR_ANY_ROLE, 1};
		const appr_need *nd = rule ? rule->needs : &any;
		size_t nn = rule ? rule->n : 1;
		for (size_t k = 0; k < nn; k++) {
			size_t j;
			for (j = 0; j < r->nneeds; j++)
				if (strcmp(r->needs[j].role, nd[k].role) == 0)
					break;
			if (j == r->nneeds) {
				if (r->nneeds >= u->nraised * 4)
					continue;
				r->needs[j].role = nd[k].role;
				r->needs[j].cls = adup(&r->arena, u->raised[i].cls);
				r->needs[j].why = adup(&r->arena, u->raised[i].who.p ? u->raised[i].who.p : "");
				r->needs[j].count = nd[k].count;
				r->nneeds++;
			} else {
				gate_need *g = &r->needs[j];
				if (nd[k].count > g->count)
					g->count = nd[k].count;
				g->cls = arena_sprintf(&r->arena, "%s, %s", g->cls, u->raised[i].cls);
				const char *who = u->raised[i].who.p ? u->raised[i].who.p : "";
				if (!strstr(g->why, who))
					g->why = arena_sprintf(&r->arena, "%s; %s", g->why, who);
			}
		}
	}
	for (size_t j = 0; j < r->nneeds; j++)
		r->needs[j].role = adup(&r->arena, r->needs[j].role);

	/* approvals present */
	char *adir = gio_join(r->root, "approvals");
	size_t nfiles = 0;
	char **files = gio_list(adir, ".json", &nfiles);
	free(adir);
	approval *as = xcalloc(nfiles + 1, sizeof *as);
	const approval **ap = xcalloc(nfiles + 1, sizeof *ap);
	appr_status *st = xcalloc(nfiles + 1, sizeof *st);
	int *slot = xcalloc(nfiles + 1, sizeof *slot);
	char **whys = xcalloc(nfiles + 1, sizeof *whys);
	size_t na = 0;
	for (size_t i = 0; i < nfiles; i++) {
		wdiags d;
		diags_init(&d);
		size_t len;
		const char *rel = files[i] + strlen(r->root) + 1;
		char *text = gio_read(files[i], 1 << 20, &len, &d);
		if (!text || approval_parse(&as[na], rel, text, len, &d) != 0) {
			for (size_t k = 0; k < d.n; k++)
				gate_add(r, GS_WARN, "approval-invalid", NULL, rel, 0, 0, "%s (this approval is ignored)",
					 d.items[k].msg);
			free(text);
			diags_release(&d);
			continue;
		}
		free(text);
		diags_release(&d);
		wbuf why = WBUF_INIT;
		st[na] = appr_check(cfg, &as[na], r->change, r->authors, r->nauthors, now, &why);
		whys[na] = buf_detach(&why);
		ap[na] = &as[na];
		if (st[na] == AS_FORGED)
			gate_add(r, GS_BLOCK, "forged-approval", NULL, rel, 0, 0, "%s", whys[na]);
		na++;
	}
	/* fill named roles first; "any reviewer" needs count distinct people
	 * whose approvals are otherwise valid */
	size_t nnamed = 0;
	appr_need *named = xcalloc(r->nneeds + 1, sizeof *named);
	size_t *idx = xcalloc(r->nneeds + 1, sizeof *idx);
	for (size_t j = 0; j < r->nneeds; j++)
		if (strcmp(r->needs[j].role, APPR_ANY_ROLE) != 0) {
			named[nnamed].role = r->needs[j].role;
			named[nnamed].count = r->needs[j].count;
			idx[nnamed++] = j;
		}
	int *filled = xcalloc(nnamed + 1, sizeof *filled);
	appr_assign(named, nnamed, filled, ap, st, slot, na);
	for (size_t k = 0; k < nnamed; k++)
		r->needs[idx[k]].filled = filled[k];
	for (size_t j = 0; j < r->nneeds; j++) {
		if (strcmp(r->needs[j].role, APPR_ANY_ROLE) != 0)
			continue;
		int people = 0;
		for (size_t k = 0; k < na; k++) {
			if (st[k] != AS_OK && st[k] != AS_NOT_NEEDED)
				continue;
			bool dup = false;
			for (size_t m = 0; m < k && !dup; m++)
				dup = (st[m] == AS_OK || st[m] == AS_NOT_NEEDED) &&
				      strcasecmp(as[m].reviewer, as[k].reviewer) == 0;
			if (!dup)
				people++;
			if (st[k] == AS_NOT_NEEDED)
				st[k] = AS_OK;
		}
		r->needs[j].filled = people < r->needs[j].count ? people : r->needs[j].count;
	}
	r->approvals = xcalloc(na + 1, sizeof *r->approvals);
	for (size_t k = 0; k < na; k++) {
		gate_approval *g = &r->approvals[r->napprovals++];
		g->file = adup(&r->arena, as[k].path);
		g->reviewer = adup(&r->arena, as[k].reviewer);
		g->role = adup(&r->arena, as[k].role);
		g->comment = adup(&r->arena, as[k].comment);
		g->signed_at = adup(&r->arena, as[k].signed_at);
		g->status = (uint8_t)st[k];
		if (st[k] == AS_DUPLICATE)
			g->why = arena_sprintf(&r->arena,
					       "'%s' already fills a required approval; one person cannot fill two",
					       as[k].reviewer);
		else if (st[k] == AS_NOT_NEEDED)
			g->why = arena_sprintf(&r->arena, "no required approval asks for the role '%s'", as[k].role);
		else if (st[k] != AS_OK)
			g->why = adup(&r->arena, whys[k]);
	}
	for (size_t k = 0; k < nfiles; k++)
		free(files[k]);
	free(files);
	for (size_t k = 0; k < na; k++) {
		approval_release(&as[k]);
		free(whys[k]);
	}
	free(as);
	free(ap);
	free(st);
	free(slot);
	free(whys);
	free(named);
	free(idx);
	free(filled);
}

static int write_ledger(gate_result *r, const appr_config *cfg, wdiags *d)
{
	const char *rel = cfg->ledger_path ? cfg->ledger_path : LEDGER_DEFAULT_PATH;
	char *path = rel[0] == '/' ? xstrdup(rel) : gio_join(r->root, rel);
	r->ledger_path = adup(&r->arena, path);
	ledger l;
	int rc = -1;
	if (ledger_open(&l, path, true, d) == 0) {
		wbuf js = WBUF_INIT, html = WBUF_INIT;
		report_json(r, &js);
		report_html(r, &html);
		ledger_entry e = {.time = r->time, .change = r->change, .base = r->base, .head = r->head,
				  .verdict = (char *)gate_verdict_name((gate_verdict)r->verdict),
				  .report = js.p ? js.p : "", .html = html.p ? html.p : ""};
		if (ledger_append(&l, &e, d) == 0) {
			r->ledger_written = true;
			snprintf(r->ledger_hash, sizeof r->ledger_hash, "%s", e.hash);
			rc = 0;
		}
		free(e.prev);
		free(e.hash);
		buf_release(&js);
		buf_release(&html);
	}
	ledger_close(&l);
	free(path);
	return rc;
}

int gate_run(const gate_opts *o, gate_result *r, wdiags *d)
{
	memset(r, 0, sizeof *r);
	arena_init(&r->arena);
	r->verdict = GATE_COULD_NOT_RUN;
	r->ward_version = ward_version();
	r->base_rev = adup(&r->arena, o->base ? o->base : "main");
	int64_t now = o->now ? o->now : (int64_t)time(NULL);
	appr_format_time(now, r->time);
	char *real = repo_find(o->root ? o->root : ".");
	if (!real) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "'%s' is not in a policy repository (no ward.yaml here or above)",
			 o->root ? o->root : ".");
		return -1;
	}
	r->root = adup(&r->arena, real);
	free(real);

	struct run u;
	memset(&u, 0, sizeof u);
	u.r = r;
	policyset_init(&u.ps);
	policyset_init(&u.base_ps);
	int rc = -1;
	if (gate_change_load(&u.ch, r->root, o->base, d) != 0)
		goto out;
	snprintf(r->base, sizeof r->base, "%s", u.ch.base);
	snprintf(r->head, sizeof r->head, "%s", u.ch.head);
	memcpy(r->change, u.ch.change, sizeof r->change);
	r->files = arena_zalloc(&r->arena, (u.ch.nfiles + 1) * sizeof *r->files);
	for (size_t i = 0; i < u.ch.nfiles; i++)
		r->files[r->nfiles++] = adup(&r->arena, u.ch.files[i]);
	r->authors = arena_zalloc(&r->arena, (u.ch.nauthors + 1) * sizeof *r->authors);
	for (size_t i = 0; i < u.ch.nauthors; i++)
		r->authors[r->nauthors++] = adup(&r->arena, u.ch.authors[i]);
	if (!u.ch.has_cfg)
		gate_add(r, GS_WARN, "no-base-config", NULL, "ward.yaml", 0, 0,
			 "the base revision has no ward.yaml: no reviewers can approve this change");

	/* the repository as it is in the working tree */
	wdiags rd;
	diags_init(&rd);
	u.have_repo = true;
	if (repo_open(&u.rp, r->root, 0, &rd) != 0) {
		diags_to_findings(r, &rd, GS_BLOCK, "invalid");
		diags_release(&rd);
		u.ps_ok = false;
	} else {
		diags_release(&rd);
		diags_init(&rd);
		char *pdir = repo_path(&u.rp, "policies");
		u.ps_ok = testrun_load_policies(&u.rp.cx, &u.ps, pdir, &rd) == 0;
		free(pdir);
		diags_to_findings(r, &rd, GS_BLOCK, "invalid");
		diags_release(&rd);
		if (u.ps_ok && u.rp.has_schema) {
			wvalidation v;
			validation_init(&v);
			wvalidate_opts vo = WVALIDATE_OPTS_DEFAULT;
			validate_policyset(&u.rp.cx, &u.rp.schema, &u.ps, &vo, &v);
			diags_init(&rd);
			validation_to_diags(&v, &rd);
			diags_to_findings(r, &rd, GS_BLOCK, "invalid");
			diags_release(&rd);
			validation_release(&v);
		}
		diags_init(&rd);
		u.cat_init = true;
		if (tcatalog_load(&u.cat, &u.rp, &rd) == 0)
			u.have_cat = true;
		else {
			diags_to_findings(r, &rd, GS_BLOCK, "template-invalid");
			u.have_cat = u.cat.n > 0;
		}
		diags_release(&rd);
		load_requirements(&u);
		load_base_policies(&u);
		if (u.ps_ok) {
			explain_policies_init(&u.x);
			u.x_init = true;
			u.have_x = explain_policies(&u.rp.cx, &u.ps, u.rp.has_schema ? &u.rp.schema : NULL,
						    u.rp.has_ents ? &u.rp.ents : NULL, NULL, &u.x) == 0;
			check_policies(&u);
			run_tests(&u);
		}
	}
	r->diff_note = "the entitlement diff did not run: the policies did not load";
	if (u.ps_ok && r->npolicies)
		run_diff(&u);
	else if (u.ps_ok) {
		r->diff_ran = true; /* no policy changed: no entitlement can */
		r->diff_note = "no policy changed";
		run_lint(&u, NULL); /* hidden characters in a changed file still count */
	}
	check_config_change(&u);
	check_secrets(&u);
	check_approvals(&u, now);

	bool block = false, missing = false;
	for (size_t i = 0; i < r->nfindings; i++)
		block = block || r->findings[i].sev == GS_BLOCK;
	for (size_t i = 0; i < r->nneeds; i++)
		missing = missing || r->needs[i].filled < r->needs[i].count;
	r->verdict = block ? GATE_BLOCKED : missing ? GATE_NEEDS_APPROVAL : GATE_PASS;
	if (write_ledger(r, &u.ch.cfg, d) != 0) {
		r->verdict = GATE_COULD_NOT_RUN;
		goto out;
	}
	rc = r->verdict;
out:
	for (size_t i = 0; i < u.nraised; i++)
		buf_release(&u.raised[i].who);
	for (size_t i = 0; i < u.nreqs; i++) {
		req_release(&u.reqs[i]);
		free(u.req_files[i]);
	}
	free(u.reqs);
	free(u.req_files);
	if (u.x_init)
		explain_policies_release(&u.x);
	if (u.cat_init)
		tcatalog_release(&u.cat);
	policyset_release(&u.ps);
	policyset_release(&u.base_ps);
	if (u.have_repo)
		repo_close(&u.rp);
	gate_change_release(&u.ch);
	return rc;
}

void gate_result_release(gate_result *r)
{
	free(r->findings);
	free(r->needs);
	free(r->approvals);
	free(r->policies);
	free(r->cells);
	arena_release(&r->arena);
	memset(r, 0, sizeof *r);
}
