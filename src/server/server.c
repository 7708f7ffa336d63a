/* server: the HTTP decision point (see server.h and docs/SERVER.md).
 *
 * Engine state and reloads. Everything loaded from the inputs lives in one
 * reference-counted `srv_state`: its own engine (symbol table), policies,
 * schema, entities, version digest and policy text. The server holds a
 * pointer to the current state under `cur_mu`; a request takes a reference
 * (srv_acquire), decides, and drops it. A reload builds a complete new state
 * without any lock, then swaps the pointer and drops the server's reference
 * to the old state, which is freed when its last in-flight request ends: no
 * request ever sees a half-loaded set or a freed one.
 *
 * Thread safety of request parsing. Deciding (ward_authorize) only reads the
 * engine, policies and entities, so any number of worker threads decide at
 * once. Building a request is different: parsing its uids and context adds
 * names to the engine's symbol table (util/intern.h), which is not safe
 * against concurrent writers. Each state therefore has `parse_mu`, held only
 * while a request is built (a few microseconds: JSON parse, interning,
 * schema checks), not while it is decided. A per-thread engine would avoid
 * the lock but would need every policy and entity interned into each
 * engine (one copy of the whole input set per thread); the lock is the
 * simpler correct design and parsing is a small part of a request's cost.
 * Names interned from requests stay until the state is freed, so a stream
 * of requests naming ever new entities would grow the table without end:
 * once requests have added more than max_request_names names, the server
 * builds a fresh state from the inputs (srv_maintain, from the command's
 * loop) and swaps it in like a reload, which bounds the memory.
 *
 * The decision log. Worker threads never touch SQLite: a decision is pushed
 * onto a bounded queue (or counted as dropped when it is full) and one
 * writer thread appends the queue in batches, one transaction each. Decision
 * ids are handed out by the server (continuing from the log's largest id) so
 * that a response can carry its id before the row is written.
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "cedar/authz.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "govern/testrun.h"
#include "server/dlog.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SRV_DEFAULT_LISTEN "127.0.0.1:8180"
#define SRV_DEFAULT_BODY (1u << 20)
#define SRV_DEFAULT_QUEUE 65536
#define SRV_BATCH_ROWS 512 /* decisions per log transaction at most */
#define SRV_DEFAULT_REQUEST_NAMES 1000000
/* Upper bounds of the decision latency histogram of GET /metrics, in ns. */
static const int64_t srv_lat_bounds[] = {1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 10000000};
#define SRV_LAT_BUCKETS (sizeof srv_lat_bounds / sizeof *srv_lat_bounds)

/* ---- loaded state -------------------------------------------------------- */

struct srv_state {
	atomic_long refs;
	ward_engine *e;
	ward_policies *p;
	ward_schema *s;        /* may be NULL */
	ward_entities *es;
	pthread_mutex_t parse_mu; /* serialises request building (interning) */
	uint32_t names_at_load; /* symbols in the engine once the inputs were loaded */
	char version[65];      /* policy version digest, lowercase hex */
	char loaded_at[32];
	char *policies_text;   /* as loaded, for the log's policy_versions */
	char *source;          /* the inputs, for humans */
	char **names;          /* policy file names the parsed policies point at */
	size_t nnames;
};

static void state_free(struct srv_state *st)
{
	if (!st)
		return;
	ward_entities_free(st->es);
	ward_policies_free(st->p);
	ward_schema_free(st->s);
	ward_engine_free(st->e);
	pthread_mutex_destroy(&st->parse_mu);
	free(st->policies_text);
	free(st->source);
	for (size_t i = 0; i < st->nnames; i++)
		free(st->names[i]);
	free(st->names);
	free(st);
}

static void state_release(struct srv_state *st)
{
	if (st && atomic_fetch_sub(&st->refs, 1) == 1)
		state_free(st);
}

/* The input paths of a configuration (a repository resolved to its files).
 * Paths are heap copies. */
struct inputs {
	char *policies, *schema, *entities, *links;
};

static void inputs_release(struct inputs *in)
{
	free(in->policies);
	free(in->schema);
	free(in->entities);
	free(in->links);
}

static char *join(const char *a, const char *b)
{
	wbuf buf = WBUF_INIT;
	buf_printf(&buf, "%s/%s", a, b);
	return buf_detach(&buf);
}

static bool is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int resolve_inputs(const srv_config *cfg, struct inputs *in, ward_diags *d)
{
	memset(in, 0, sizeof *in);
	if (!cfg->repo) {
		in->policies = xstrdup(cfg->policies);
		in->schema = cfg->schema ? xstrdup(cfg->schema) : NULL;
		in->entities = cfg->entities ? xstrdup(cfg->entities) : NULL;
		in->links = cfg->links ? xstrdup(cfg->links) : NULL;
		return 0;
	}
	if (!is_dir(cfg->repo)) {
		api_error(d, "cannot read the policy repository '%s': not a directory", cfg->repo);
		return -1;
	}
	in->policies = join(cfg->repo, "policies");
	char *schema = join(cfg->repo, "schema.cedarschema");
	if (access(schema, F_OK) == 0)
		in->schema = schema;
	else
		free(schema);
	char *edir = join(cfg->repo, "entities");
	static const char *const sfx[] = {".json", NULL};
	char **files = NULL;
	size_t nf = 0;
	if (is_dir(edir) && testrun_collect(edir, sfx, &files, &nf) == 0) {
		if (nf > 1)
			api_error(d, "'%s' holds %zu JSON files; ward serve reads one entity snapshot "
				     "(merge them into one file)", edir, nf);
		else if (nf == 1)
			in->entities = xstrdup(files[0]);
		for (size_t i = 0; i < nf; i++)
			free(files[i]);
		free(files);
	}
	free(edir);
	if (nf > 1) {
		inputs_release(in);
		return -1;
	}
	return 0;
}

/* Each field: its length as 8 bytes little-endian, then its bytes. */
static void hash_field(crypto_generichash_state *h, const char *s, size_t n)
{
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_update(h, len, sizeof len);
	if (n)
		crypto_generichash_update(h, (const unsigned char *)s, n);
}

/* Loads the policies of a directory (every .cedar file below it, in name
 * order) into one policy set, and their concatenated text. */
static ward_policies *load_policy_dir(struct srv_state *st, const char *dir, bool positional, wbuf *text,
				      ward_diags *d)
{
	static const char *const sfx[] = {".cedar", NULL};
	char **files = NULL;
	size_t n = 0;
	if (testrun_collect(dir, sfx, &files, &n) < 0) {
		api_error(d, "cannot read policies '%s': no such file or directory", dir);
		return NULL;
	}
	ward_policies *p = xcalloc(1, sizeof *p);
	p->e = st->e;
	p->name = xstrdup(dir);
	policyset_init(&p->ps);
	st->names = xcalloc(n ? n : 1, sizeof *st->names);
	size_t errs0 = d->d.nerrors, from = d->d.n;
	for (size_t i = 0; i < n; i++) {
		st->names[st->nnames++] = files[i]; /* the parsed policies point at their file name */
		size_t len;
		char *t = ward_read_file(files[i], &len, d);
		if (!t)
			continue;
		buf_add(text, t, len);
		if (len && t[len - 1] != '\n')
			buf_addc(text, '\n');
		policyset_parse_any(&st->e->cx, &p->ps, files[i], t, len, &d->d);
		ward_free(t);
	}
	free(files);
	if (d->d.nerrors == errs0 && !positional)
		policyset_use_annotation_ids(&p->ps, &d->d);
	api_diags_adopt(d, from);
	if (d->d.nerrors != errs0) {
		ward_policies_free(p);
		return NULL;
	}
	authz_prepare(&p->ps);
	return p;
}

static ward_schema_format schema_format(const char *s)
{
	if (!s)
		return WARD_SCHEMA_AUTO;
	return strcmp(s, "json") == 0 ? WARD_SCHEMA_JSON : WARD_SCHEMA_CEDAR;
}

/* Loads a complete state from the configuration. NULL with diagnostics. */
static struct srv_state *state_load(const srv_config *cfg, ward_diags *d)
{
	struct inputs in;
	if (resolve_inputs(cfg, &in, d) < 0)
		return NULL;
	struct srv_state *st = xcalloc(1, sizeof *st);
	atomic_init(&st->refs, 1);
	pthread_mutex_init(&st->parse_mu, NULL);
	st->e = ward_engine_new();
	size_t errs0 = ward_diags_error_count(d);
	char *stext = NULL, *etext = NULL, *ltext = NULL;
	size_t slen = 0, elen = 0, llen = 0;
	wbuf ptext = WBUF_INIT;

	if (in.schema) {
		stext = ward_read_file(in.schema, &slen, d);
		if (stext)
			st->s = ward_schema_parse(st->e, in.schema, stext, slen, schema_format(cfg->schema_format), d);
	}
	ward_ids ids = cfg->positional_ids ? WARD_IDS_POSITIONAL : WARD_IDS_ANNOTATION;
	if (strcmp(in.policies, "-") == 0) {
		api_error(d, "ward serve reads policies from a file or directory (reloads read it again), "
			     "not from standard input");
	} else if (is_dir(in.policies)) {
		st->p = load_policy_dir(st, in.policies, cfg->positional_ids, &ptext, d);
	} else {
		size_t plen;
		char *t = ward_read_file(in.policies, &plen, d);
		if (t) {
			buf_add(&ptext, t, plen);
			st->p = ward_policies_parse(st->e, in.policies, t, plen, ids, d);
			ward_free(t);
		}
	}
	if (st->p && in.links) {
		ltext = ward_read_file(in.links, &llen, d);
		if (!ltext || ward_policies_link_file(st->e, st->p, in.links, d) < 0) {
			ward_policies_free(st->p);
			st->p = NULL;
		}
	}
	if (!in.schema || st->s) { /* entity errors after a schema error would mislead */
		if (in.entities) {
			etext = ward_read_file(in.entities, &elen, d);
			if (etext)
				st->es = ward_entities_parse(st->e, st->s, in.entities, etext, elen, d);
		} else {
			st->es = ward_entities_empty(st->e, st->s, d);
		}
	}
	bool ok = ward_diags_error_count(d) == errs0 && st->p && st->es && (!in.schema || st->s);
	if (ok) {
		crypto_generichash_state h;
		unsigned char dg[32];
		crypto_generichash_init(&h, NULL, 0, sizeof dg);
		hash_field(&h, ptext.p, ptext.n);
		hash_field(&h, stext, stext ? slen : 0);
		hash_field(&h, etext, etext ? elen : 0);
		if (ltext) /* template links: a fourth field, only when given */
			hash_field(&h, ltext, llen);
		crypto_generichash_final(&h, dg, sizeof dg);
		static const char hx[] = "0123456789abcdef";
		for (int i = 0; i < 32; i++) {
			st->version[2 * i] = hx[dg[i] >> 4];
			st->version[2 * i + 1] = hx[dg[i] & 15];
		}
		st->version[64] = '\0';
		dlog_now(st->loaded_at, sizeof st->loaded_at);
		st->policies_text = ptext.p ? buf_detach(&ptext) : xstrdup("");
		wbuf src = WBUF_INIT;
		buf_printf(&src, "policies=%s", in.policies);
		if (in.links)
			buf_printf(&src, " links=%s", in.links);
		if (in.schema)
			buf_printf(&src, " schema=%s", in.schema);
		if (in.entities)
			buf_printf(&src, " entities=%s", in.entities);
		st->source = buf_detach(&src);
	}
	buf_release(&ptext);
	ward_free(stext);
	ward_free(etext);
	ward_free(ltext);
	inputs_release(&in);
	if (!ok) {
		state_free(st);
		return NULL;
	}
	st->names_at_load = st->e->cx.syms.n;
	return st;
}

/* A digest of the inputs' file metadata (path, size, mtime, inode; for a
 * policy directory also its file list), for --watch. */
static void sig_file(crypto_generichash_state *h, const char *path)
{
	struct stat sb;
	hash_field(h, path, strlen(path));
	int64_t meta[5] = {0};
	if (stat(path, &sb) == 0) {
		meta[0] = (int64_t)sb.st_size;
		meta[1] = (int64_t)sb.st_mtim.tv_sec;
		meta[2] = (int64_t)sb.st_mtim.tv_nsec;
		meta[3] = (int64_t)sb.st_ino;
		meta[4] = 1;
	}
	crypto_generichash_update(h, (const unsigned char *)meta, sizeof meta);
}

static void inputs_signature(const srv_config *cfg, unsigned char out[32])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	struct inputs in;
	ward_diags *d = ward_diags_new();
	if (resolve_inputs(cfg, &in, d) == 0) {
		static const char *const sfx[] = {".cedar", NULL};
		char **files = NULL;
		size_t n = 0;
		if (is_dir(in.policies) && testrun_collect(in.policies, sfx, &files, &n) == 0) {
			for (size_t i = 0; i < n; i++) {
				sig_file(&h, files[i]);
				free(files[i]);
			}
			free(files);
		} else {
			sig_file(&h, in.policies);
		}
		if (in.schema)
			sig_file(&h, in.schema);
		if (in.entities)
			sig_file(&h, in.entities);
		if (in.links)
			sig_file(&h, in.links);
		inputs_release(&in);
	} else {
		hash_field(&h, "unresolved", 10);
	}
	ward_diags_free(d);
	crypto_generichash_final(&h, out, 32);
}

/* ---- the decision log queue ---------------------------------------------- */

struct qitem {
	dlog_entry e; /* strings owned: the fields below */
	char *strs;   /* one block: time, principal, action, resource, context, reasons, errors, version */
};

struct srv {
	srv_config cfg;
	char *listen;          /* copy of cfg.listen */
	char *token;           /* copy of cfg.token, or NULL */
	struct MHD_Daemon *mhd;
	int fd;                /* listening socket */
	unsigned port;

	pthread_mutex_t cur_mu; /* guards cur */
	struct srv_state *cur;
	pthread_mutex_t reload_mu; /* one reload at a time */
	unsigned char sig[32];  /* inputs_signature at the last load */

	atomic_llong decisions;
	atomic_llong next_id;   /* next decision id (logging only) */
	atomic_bool refresh;    /* requests added too many names: build a fresh state */
	atomic_llong refreshes;
	/* for GET /metrics */
	atomic_llong allows, bad_requests, erroring, reloads_ok, reloads_failed, unauthorized;
	atomic_llong pruned;    /* decisions deleted by the retention period */
	int64_t last_prune_ns;  /* writer thread only (and start-up, before it runs) */
	atomic_llong lat_bucket[SRV_LAT_BUCKETS + 1]; /* decisions by latency bucket; last: +Inf */
	atomic_llong lat_sum_ns;

	dlog *log;              /* NULL: no logging */
	pthread_mutex_t log_mu; /* guards the dlog handle */
	pthread_mutex_t q_mu;
	pthread_cond_t q_cv;
	struct qitem *q;        /* ring of q_cap */
	size_t q_cap, q_head, q_n;
	bool q_stop;
	bool writer_started;
	pthread_t writer;
	atomic_llong dropped;
};

static void event(srv *s, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void event(srv *s, const char *fmt, ...)
{
	if (!s->cfg.events)
		return;
	char when[32];
	dlog_now(when, sizeof when);
	va_list ap;
	va_start(ap, fmt);
	fprintf(s->cfg.events, "%s ward serve: ", when);
	vfprintf(s->cfg.events, fmt, ap);
	fputc('\n', s->cfg.events);
	fflush(s->cfg.events);
	va_end(ap);
}

static int64_t mono_ns(void);

/* Deletes the decisions older than the retention period (log_mu held by
 * the caller, or before the writer runs). */
static void prune_log(srv *s)
{
	if (!s->cfg.log_retention_days)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t cutoff = (int64_t)ts.tv_sec * 1000 - (int64_t)s->cfg.log_retention_days * 86400000;
	char before[32], err[DLOG_ERR_MAX];
	dlog_time_at(cutoff, before, sizeof before);
	int64_t n = 0;
	if (dlog_prune(s->log, before, &n, err) < 0)
		event(s, "error: %s", err);
	else if (n)
		event(s, "deleted %lld decisions logged before %s (--log-retention %u days)", (long long)n, before,
		      s->cfg.log_retention_days);
	atomic_fetch_add(&s->pruned, n);
	s->last_prune_ns = mono_ns();
}

static void *writer_main(void *arg)
{
	srv *s = arg;
	struct qitem *batch = xcalloc(SRV_BATCH_ROWS, sizeof *batch);
	dlog_entry *rows = xcalloc(SRV_BATCH_ROWS, sizeof *rows);
	for (;;) {
		pthread_mutex_lock(&s->q_mu);
		while (s->q_n == 0 && !s->q_stop)
			pthread_cond_wait(&s->q_cv, &s->q_mu);
		if (s->q_n == 0 && s->q_stop) {
			pthread_mutex_unlock(&s->q_mu);
			break;
		}
		size_t n = 0;
		while (s->q_n && n < SRV_BATCH_ROWS) {
			batch[n++] = s->q[s->q_head];
			s->q_head = (s->q_head + 1) % s->q_cap;
			s->q_n--;
		}
		pthread_mutex_unlock(&s->q_mu);
		for (size_t i = 0; i < n; i++)
			rows[i] = batch[i].e;
		char err[DLOG_ERR_MAX];
		pthread_mutex_lock(&s->log_mu);
		int rc = dlog_append(s->log, rows, n, err);
		if (s->cfg.log_retention_days && mono_ns() - s->last_prune_ns > (int64_t)3600 * 1000000000)
			prune_log(s); /* hourly while decisions come in */
		pthread_mutex_unlock(&s->log_mu);
		if (rc < 0) {
			atomic_fetch_add(&s->dropped, (long long)n);
			event(s, "error: %s (%zu decisions not logged)", err, n);
		}
		for (size_t i = 0; i < n; i++)
			free(batch[i].strs);
	}
	free(batch);
	free(rows);
	return NULL;
}

/* Queues one decision; never blocks on the disk (only on the queue's mutex,
 * held for a copy). Counts it as dropped when the queue is full. */
static void log_push(srv *s, int64_t id, const char *time, const char *principal, const char *action,
		     const char *resource, const char *context, bool allow, const char *reasons, const char *errors,
		     const char *version, int64_t latency_ns)
{
	const char *f[8] = {time, principal, action, resource, context, reasons, errors, version};
	size_t len[8], total = 0;
	for (int i = 0; i < 8; i++)
		total += (len[i] = strlen(f[i])) + 1;
	struct qitem it;
	it.strs = xmalloc(total);
	const char *p[8];
	char *w = it.strs;
	for (int i = 0; i < 8; i++) {
		memcpy(w, f[i], len[i] + 1);
		p[i] = w;
		w += len[i] + 1;
	}
	it.e = (dlog_entry){.id = id, .time = p[0], .principal = p[1], .action = p[2], .resource = p[3],
			    .context = p[4], .allow = allow, .reasons = p[5], .errors = p[6],
			    .policy_version = p[7], .latency_ns = latency_ns};
	pthread_mutex_lock(&s->q_mu);
	if (s->q_n == s->q_cap) {
		pthread_mutex_unlock(&s->q_mu);
		atomic_fetch_add(&s->dropped, 1);
		free(it.strs);
		return;
	}
	s->q[(s->q_head + s->q_n) % s->q_cap] = it;
	s->q_n++;
	pthread_cond_signal(&s->q_cv);
	pthread_mutex_unlock(&s->q_mu);
}

static void log_version(srv *s, const struct srv_state *st)
{
	if (!s->log)
		return;
	char err[DLOG_ERR_MAX];
	pthread_mutex_lock(&s->log_mu);
	int rc = dlog_add_version(s->log, st->version, st->loaded_at, st->source, st->policies_text, err);
	pthread_mutex_unlock(&s->log_mu);
	if (rc < 0)
		event(s, "error: %s", err);
}

/* ---- state switching ----------------------------------------------------- */

static struct srv_state *srv_acquire(srv *s)
{
	pthread_mutex_lock(&s->cur_mu);
	struct srv_state *st = s->cur;
	atomic_fetch_add(&st->refs, 1);
	pthread_mutex_unlock(&s->cur_mu);
	return st;
}

static void srv_install(srv *s, struct srv_state *st)
{
	pthread_mutex_lock(&s->cur_mu);
	struct srv_state *old = s->cur;
	s->cur = st;
	pthread_mutex_unlock(&s->cur_mu);
	state_release(old); /* freed here or by the last request still using it */
}

static int reload_locked(srv *s, ward_diags *d)
{
	unsigned char sig[32];
	inputs_signature(&s->cfg, sig);
	memcpy(s->sig, sig, sizeof sig); /* a failed set is not retried until it changes */
	struct srv_state *st = state_load(&s->cfg, d);
	if (!st) {
		atomic_fetch_add(&s->reloads_failed, 1);
		return -1;
	}
	atomic_fetch_add(&s->reloads_ok, 1);
	log_version(s, st);
	srv_install(s, st);
	event(s, "loaded policy version %s (%zu policies, %zu entities)", st->version, ward_policies_count(st->p),
	      ward_entities_count(st->es));
	return 0;
}

int srv_reload(srv *s, ward_diags *d)
{
	pthread_mutex_lock(&s->reload_mu);
	int rc = reload_locked(s, d);
	pthread_mutex_unlock(&s->reload_mu);
	return rc;
}

int srv_watch(srv *s, ward_diags *d)
{
	unsigned char sig[32];
	inputs_signature(&s->cfg, sig);
	pthread_mutex_lock(&s->reload_mu);
	int rc = 0;
	if (memcmp(sig, s->sig, sizeof sig) != 0)
		rc = reload_locked(s, d) == 0 ? 1 : -1;
	pthread_mutex_unlock(&s->reload_mu);
	return rc;
}

int srv_maintain(srv *s, ward_diags *d)
{
	if (!atomic_exchange(&s->refresh, false))
		return 0;
	pthread_mutex_lock(&s->reload_mu);
	struct srv_state *st = state_load(&s->cfg, d);
	if (st) {
		log_version(s, st);
		srv_install(s, st);
		atomic_fetch_add(&s->refreshes, 1);
		event(s, "refreshed policy version %s: requests had added too many names", st->version);
	}
	pthread_mutex_unlock(&s->reload_mu);
	return st ? 1 : -1;
}

void srv_version(srv *s, char out[65])
{
	struct srv_state *st = srv_acquire(s);
	memcpy(out, st->version, 65);
	state_release(st);
}

unsigned srv_port(const srv *s)
{
	return s->port;
}

/* ---- requests ------------------------------------------------------------ */

struct conn {
	wbuf body;
	bool too_big;
};

static json_t *error_obj(const char *msg)
{
	return json_pack("{s:s}", "error", msg);
}

/* Diagnostics from `from` on, one line each, joined by "; ". */
static char *diag_lines(const ward_diags *d, size_t from)
{
	wbuf b = WBUF_INIT;
	for (size_t i = from; i < ward_diags_count(d); i++) {
		char *line = ward_diags_line(d, i);
		if (b.n)
			buf_adds(&b, "; ");
		buf_adds(&b, line);
		ward_free(line);
	}
	if (!b.p)
		buf_adds(&b, "invalid request");
	return buf_detach(&b);
}

/* An entity uid of a request object as Cedar text, for the log: a string is
 * kept as given, {"type","id"} (or {"__entity": {...}}) is printed. */
static char *uid_text(const json_t *j)
{
	if (json_is_string(j))
		return xstrdup(json_string_value(j));
	const json_t *inner = json_object_get(j, "__entity");
	if (inner)
		j = inner;
	const json_t *t = json_object_get(j, "type"), *id = json_object_get(j, "id");
	if (!json_is_string(t) || !json_is_string(id))
		return xstrdup("");
	wbuf b = WBUF_INIT;
	buf_adds(&b, json_string_value(t));
	buf_adds(&b, "::");
	format_cedar_str(&b, json_string_value(id), json_string_length(id));
	return buf_detach(&b);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Decides one request object given as JSON text (`obj` is its parsed form
 * when the caller has it, for the log). Returns the result object, or
 * {"error": ...} with *bad set. */
/* Decides one request given as a parsed JSON object (`name` locates its
 * errors); the same object is what the decision log records, so the body
 * is parsed once. */
static json_t *decide(srv *s, struct srv_state *st, const char *name, const json_t *obj, bool *bad)
{
	ward_diags *d = ward_diags_new();
	unsigned flags = s->cfg.no_request_validation ? WARD_REQ_NO_VALIDATION : 0;
	int64_t t0 = mono_ns();
	char where[80];
	snprintf(where, sizeof where, "invalid request in '%s'", name);
	pthread_mutex_lock(&st->parse_mu);
	ward_request *r = api_request_from_value(st->e, st->s, obj, flags, d, where);
	uint32_t added = st->e->cx.syms.n - st->names_at_load;
	pthread_mutex_unlock(&st->parse_mu);
	size_t limit = s->cfg.max_request_names ? s->cfg.max_request_names : SRV_DEFAULT_REQUEST_NAMES;
	if (added > limit)
		atomic_store(&s->refresh, true);
	if (!r) {
		char *msg = diag_lines(d, 0);
		json_t *res = error_obj(msg);
		free(msg);
		ward_diags_free(d);
		*bad = true;
		atomic_fetch_add(&s->bad_requests, 1);
		return res;
	}
	ward_response *resp = ward_authorize(st->e, st->p, st->es, r);
	int64_t latency = mono_ns() - t0;
	ward_request_free(r);
	ward_diags_free(d);
	atomic_fetch_add(&s->decisions, 1);
	size_t b = 0;
	while (b < SRV_LAT_BUCKETS && latency > srv_lat_bounds[b])
		b++;
	atomic_fetch_add(&s->lat_bucket[b], 1);
	atomic_fetch_add(&s->lat_sum_ns, latency);

	bool allow = ward_response_decision(resp) == WARD_ALLOW;
	if (allow)
		atomic_fetch_add(&s->allows, 1);
	if (ward_response_error_count(resp))
		atomic_fetch_add(&s->erroring, 1);
	json_t *reasons = json_array(), *errors = json_array(), *error_ids = json_array();
	for (size_t i = 0; i < ward_response_reason_count(resp); i++)
		json_array_append_new(reasons, json_string(ward_response_reason(resp, i)));
	for (size_t i = 0; i < ward_response_error_count(resp); i++) {
		json_array_append_new(errors, json_pack("{s:s,s:s}", "policy", ward_response_error_policy(resp, i),
							"message", ward_response_error_message(resp, i)));
		json_array_append_new(error_ids, json_string(ward_response_error_policy(resp, i)));
	}
	ward_response_free(resp);
	json_t *res = json_pack("{s:s,s:o,s:o,s:s}", "decision", allow ? "allow" : "deny", "reasons", reasons,
				"errors", errors, "policy_version", st->version);
	if (s->log) {
		int64_t id = atomic_fetch_add(&s->next_id, 1);
		json_object_set_new(res, "decision_id", json_integer(id));
		char *p = uid_text(json_object_get(obj, "principal"));
		char *a = uid_text(json_object_get(obj, "action"));
		char *rs = uid_text(json_object_get(obj, "resource"));
		const json_t *ctx = json_object_get(obj, "context");
		char *ctext = ctx ? json_dumps(ctx, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		char *rtext = json_dumps(json_object_get(res, "reasons"), JSON_COMPACT);
		char *etext = json_dumps(error_ids, JSON_COMPACT);
		char when[32];
		dlog_now(when, sizeof when);
		log_push(s, id, when, p, a, rs, ctext ? ctext : "{}", allow, rtext, etext, st->version, latency);
		free(p);
		free(a);
		free(rs);
		free(ctext);
		free(rtext);
		free(etext);
	}
	json_decref(error_ids);
	return res;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *body, const char *allow)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	size_t n = strlen(text);
	char *out = xmalloc(n + 2);
	memcpy(out, text, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	free(text);
	struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, out, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static json_t *health(srv *s)
{
	struct srv_state *st = srv_acquire(s);
	pthread_mutex_lock(&st->parse_mu);
	uint32_t added = st->e->cx.syms.n - st->names_at_load;
	pthread_mutex_unlock(&st->parse_mu);
	json_t *j = json_pack("{s:s,s:s,s:I,s:I,s:s,s:I,s:b,s:I,s:I,s:I}", "status", "ok", "policy_version",
			      st->version, "policies", (json_int_t)ward_policies_count(st->p), "entities",
			      (json_int_t)ward_entities_count(st->es), "loaded_at", st->loaded_at, "decisions",
			      (json_int_t)atomic_load(&s->decisions), "logging", s->log != NULL, "log_dropped",
			      (json_int_t)atomic_load(&s->dropped), "request_names", (json_int_t)added, "refreshes",
			      (json_int_t)atomic_load(&s->refreshes));
	state_release(st);
	return j;
}

static enum MHD_Result handle_reload(srv *s, struct MHD_Connection *c)
{
	ward_diags *d = ward_diags_new();
	int rc = srv_reload(s, d);
	if (rc == 0) {
		ward_diags_free(d);
		return send_json(c, MHD_HTTP_OK, health(s), NULL);
	}
	char *text = ward_diags_render(d, 0);
	event(s, "reload failed, still serving the previous policy set:\n%s", text);
	ward_free(text);
	char version[65];
	srv_version(s, version);
	json_t *diags = json_array();
	for (size_t i = 0; i < ward_diags_count(d); i++) {
		char *line = ward_diags_line(d, i);
		json_array_append_new(diags, json_string(line));
		ward_free(line);
	}
	ward_diags_free(d);
	return send_json(c, MHD_HTTP_BAD_REQUEST,
			 json_pack("{s:s,s:o,s:s}", "error", "reload failed; still serving the previous policy set",
				   "diagnostics", diags, "policy_version", version),
			 NULL);
}

static enum MHD_Result handle_batch(srv *s, struct MHD_Connection *c, const char *body, size_t n)
{
	json_error_t je;
	json_t *arr = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!arr) {
		char msg[300];
		snprintf(msg, sizeof msg, "batch:%d:%d: %s", je.line, je.column, je.text);
		return send_json(c, MHD_HTTP_BAD_REQUEST, error_obj(msg), NULL);
	}
	if (!json_is_array(arr)) {
		json_decref(arr);
		return send_json(c, MHD_HTTP_BAD_REQUEST, error_obj("batch: expected a JSON array of requests"), NULL);
	}
	struct srv_state *st = srv_acquire(s);
	json_t *results = json_array();
	for (size_t i = 0; i < json_array_size(arr); i++) {
		char name[48];
		snprintf(name, sizeof name, "request[%zu]", i);
		bool bad = false;
		json_array_append_new(results, decide(s, st, name, json_array_get(arr, i), &bad));
	}
	state_release(st);
	json_decref(arr);
	return send_json(c, MHD_HTTP_OK, json_pack("{s:o}", "results", results), NULL);
}

/* Does the request carry the server's bearer token? Compared in constant
 * time over the token's length, so the answer leaks nothing of it. */
static bool authorized(const srv *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return false;
	const char *t = h + 7;
	size_t n = strlen(s->token);
	return strlen(t) == n && sodium_memcmp(t, s->token, n) == 0;
}

static enum MHD_Result send_unauthorized(struct MHD_Connection *c)
{
	static const char body[] = "{\"error\":\"missing or wrong bearer token\"}\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"ward\"");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
	MHD_destroy_response(r);
	return rc;
}

/* GET /metrics: counters and the decision latency histogram in the
 * Prometheus text exposition format (version 0.0.4). */
static enum MHD_Result handle_metrics(srv *s, struct MHD_Connection *c)
{
	struct srv_state *st = srv_acquire(s);
	long long decisions = atomic_load(&s->decisions), allows = atomic_load(&s->allows);
	wbuf b = WBUF_INIT;
	buf_adds(&b, "# HELP ward_decisions_total Authorization decisions made, by decision.\n"
		     "# TYPE ward_decisions_total counter\n");
	buf_printf(&b, "ward_decisions_total{decision=\"allow\"} %lld\n", allows);
	buf_printf(&b, "ward_decisions_total{decision=\"deny\"} %lld\n", decisions - allows);
	buf_printf(&b, "# HELP ward_decisions_with_errors_total Decisions in which some policy errored.\n"
		       "# TYPE ward_decisions_with_errors_total counter\nward_decisions_with_errors_total %lld\n",
		   (long long)atomic_load(&s->erroring));
	buf_printf(&b, "# HELP ward_bad_requests_total Requests refused as malformed or invalid (400).\n"
		       "# TYPE ward_bad_requests_total counter\nward_bad_requests_total %lld\n",
		   (long long)atomic_load(&s->bad_requests));
	buf_adds(&b, "# HELP ward_decision_seconds Time to build and decide a request.\n"
		     "# TYPE ward_decision_seconds histogram\n");
	long long cum = 0;
	for (size_t k = 0; k <= SRV_LAT_BUCKETS; k++) {
		cum += atomic_load(&s->lat_bucket[k]);
		if (k < SRV_LAT_BUCKETS)
			buf_printf(&b, "ward_decision_seconds_bucket{le=\"%g\"} %lld\n", (double)srv_lat_bounds[k] / 1e9, cum);
		else
			buf_printf(&b, "ward_decision_seconds_bucket{le=\"+Inf\"} %lld\n", cum);
	}
	buf_printf(&b, "ward_decision_seconds_sum %.9f\nward_decision_seconds_count %lld\n",
		   (double)atomic_load(&s->lat_sum_ns) / 1e9, cum);
	buf_printf(&b, "# HELP ward_unauthorized_total Requests refused for a missing or wrong bearer token.\n"
		       "# TYPE ward_unauthorized_total counter\nward_unauthorized_total %lld\n",
		   (long long)atomic_load(&s->unauthorized));
	buf_printf(&b, "# HELP ward_log_dropped_total Decisions not written to the decision log.\n"
		       "# TYPE ward_log_dropped_total counter\nward_log_dropped_total %lld\n",
		   (long long)atomic_load(&s->dropped));
	buf_printf(&b, "# HELP ward_log_pruned_total Decisions deleted from the log by the retention period.\n"
		       "# TYPE ward_log_pruned_total counter\nward_log_pruned_total %lld\n",
		   (long long)atomic_load(&s->pruned));
	buf_adds(&b, "# HELP ward_reloads_total Reloads of the inputs, by result.\n# TYPE ward_reloads_total counter\n");
	buf_printf(&b, "ward_reloads_total{result=\"ok\"} %lld\nward_reloads_total{result=\"failed\"} %lld\n",
		   (long long)atomic_load(&s->reloads_ok), (long long)atomic_load(&s->reloads_failed));
	buf_printf(&b, "# HELP ward_refreshes_total Rebuilds because requests had added too many names.\n"
		       "# TYPE ward_refreshes_total counter\nward_refreshes_total %lld\n",
		   (long long)atomic_load(&s->refreshes));
	buf_printf(&b, "# HELP ward_policies Policies in the set being served.\n# TYPE ward_policies gauge\n"
		       "ward_policies %zu\n", ward_policies_count(st->p));
	buf_printf(&b, "# HELP ward_entities Entities in the set being served.\n# TYPE ward_entities gauge\n"
		       "ward_entities %zu\n", ward_entities_count(st->es));
	buf_printf(&b, "# HELP ward_policy_version_info The policy version being served.\n"
		       "# TYPE ward_policy_version_info gauge\nward_policy_version_info{version=\"%s\"} 1\n",
		   st->version);
	state_release(st);
	size_t n = b.n;
	char *out = buf_detach(&b);
	struct MHD_Response *r = MHD_create_response_from_buffer(n, out, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	srv *s = cls;
	struct conn *cn = *con_cls;
	if (!cn) {
		cn = xcalloc(1, sizeof *cn);
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cn->too_big && cn->body.n + *upload_size > s->cfg.max_body) {
			cn->too_big = true;
			buf_release(&cn->body);
		}
		if (!cn->too_big)
			buf_add(&cn->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0, get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
	const char *allow = NULL;
	enum { R_NONE, R_AUTHZ, R_BATCH, R_HEALTH, R_RELOAD, R_METRICS } route = R_NONE;
	if (strcmp(url, "/v1/authorize") == 0)
		route = R_AUTHZ, allow = "POST";
	else if (strcmp(url, "/v1/authorize/batch") == 0)
		route = R_BATCH, allow = "POST";
	else if (strcmp(url, "/v1/health") == 0)
		route = R_HEALTH, allow = "GET";
	else if (strcmp(url, "/v1/reload") == 0)
		route = R_RELOAD, allow = "POST";
	else if (strcmp(url, "/metrics") == 0)
		route = R_METRICS, allow = "GET";
	if (route == R_NONE) {
		char msg[160];
		snprintf(msg, sizeof msg, "no such endpoint '%.100s'", url);
		return send_json(c, MHD_HTTP_NOT_FOUND, error_obj(msg), NULL);
	}
	if ((strcmp(allow, "GET") == 0 && !get) || (strcmp(allow, "POST") == 0 && !post)) {
		char msg[160];
		snprintf(msg, sizeof msg, "method %.20s not allowed on '%s'; use %s", method, url, allow);
		return send_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, error_obj(msg), allow);
	}
	if (cn->too_big) {
		char msg[120];
		snprintf(msg, sizeof msg, "request body over the limit of %zu bytes", s->cfg.max_body);
		return send_json(c, 413, error_obj(msg), NULL);
	}
	if (s->token && route != R_HEALTH && !authorized(s, c)) {
		atomic_fetch_add(&s->unauthorized, 1);
		return send_unauthorized(c);
	}
	const char *body = cn->body.p ? cn->body.p : "";
	switch (route) {
	case R_HEALTH:
		return send_json(c, MHD_HTTP_OK, health(s), NULL);
	case R_METRICS:
		return handle_metrics(s, c);
	case R_RELOAD:
		return handle_reload(s, c);
	case R_BATCH:
		return handle_batch(s, c, body, cn->body.n);
	case R_AUTHZ: {
		struct srv_state *st = srv_acquire(s);
		bool bad = false;
		json_t *res;
		ward_diags *d = ward_diags_new();
		wsource src = {"request", body, cn->body.n};
		json_t *obj = api_json_parse(d, &src);
		if (obj) {
			res = decide(s, st, "request", obj, &bad);
			json_decref(obj);
		} else {
			char *msg = diag_lines(d, 0);
			res = error_obj(msg);
			free(msg);
			bad = true;
			atomic_fetch_add(&s->bad_requests, 1);
		}
		ward_diags_free(d);
		state_release(st);
		return send_json(c, bad ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, res, NULL);
	}
	default:
		break;
	}
	return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;
	if (!cn)
		return;
	buf_release(&cn->body);
	free(cn);
	*con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------ */

/* Binds "ADDR:PORT" or "[ADDR]:PORT" (numeric addresses only). */
static int bind_listen(srv *s, const char *spec, ward_diags *d)
{
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || !colon[1]) {
		api_error(d, "bad --listen '%s': expected ADDR:PORT, e.g. 127.0.0.1:8180 or [::1]:8180", spec);
		return -1;
	}
	char host[128];
	size_t hl = (size_t)(colon - spec);
	const char *h = spec;
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']')
		h++, hl -= 2;
	if (hl >= sizeof host) {
		api_error(d, "bad --listen '%s': address too long", spec);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535) {
		api_error(d, "bad --listen '%s': port must be a number from 0 to 65535", spec);
		return -1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai = NULL;
	int gai = getaddrinfo(host, colon + 1, &hints, &ai);
	if (gai != 0) {
		api_error(d, "bad --listen '%s': '%s' is not a numeric IPv4 or IPv6 address", spec, host);
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		api_error(d, "cannot listen on '%s': %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	s->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	s->fd = fd;
	return 0;
}

static void srv_free(srv *s)
{
	if (s->log)
		dlog_close(s->log);
	if (s->fd >= 0)
		close(s->fd);
	state_release(s->cur);
	free(s->q);
	free(s->listen);
	if (s->token) {
		sodium_memzero(s->token, strlen(s->token));
		free(s->token);
	}
	pthread_mutex_destroy(&s->cur_mu);
	pthread_mutex_destroy(&s->reload_mu);
	pthread_mutex_destroy(&s->log_mu);
	pthread_mutex_destroy(&s->q_mu);
	pthread_cond_destroy(&s->q_cv);
	free(s);
}

srv *srv_start(const srv_config *cfg, ward_diags *d)
{
	if (sodium_init() < 0) {
		api_error(d, "cannot initialise libsodium");
		return NULL;
	}
	if (!cfg->repo && !cfg->policies) {
		api_error(d, "no policies given: use --policies FILE|DIR or --repo DIR");
		return NULL;
	}
	srv *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	s->token = cfg->token && *cfg->token ? xstrdup(cfg->token) : NULL;
	s->listen = xstrdup(cfg->listen ? cfg->listen : SRV_DEFAULT_LISTEN);
	s->cfg.listen = s->listen;
	if (!s->cfg.threads)
		s->cfg.threads = 2;
	if (!s->cfg.max_body)
		s->cfg.max_body = SRV_DEFAULT_BODY;
	if (!s->cfg.log_queue)
		s->cfg.log_queue = SRV_DEFAULT_QUEUE;
	s->fd = -1;
	pthread_mutex_init(&s->cur_mu, NULL);
	pthread_mutex_init(&s->reload_mu, NULL);
	pthread_mutex_init(&s->log_mu, NULL);
	pthread_mutex_init(&s->q_mu, NULL);
	pthread_cond_init(&s->q_cv, NULL);
	atomic_init(&s->decisions, 0);
	atomic_init(&s->refresh, false);
	atomic_init(&s->refreshes, 0);
	atomic_init(&s->allows, 0);
	atomic_init(&s->bad_requests, 0);
	atomic_init(&s->erroring, 0);
	atomic_init(&s->reloads_ok, 0);
	atomic_init(&s->reloads_failed, 0);
	atomic_init(&s->unauthorized, 0);
	atomic_init(&s->pruned, 0);
	atomic_init(&s->lat_sum_ns, 0);
	for (size_t b = 0; b <= SRV_LAT_BUCKETS; b++)
		atomic_init(&s->lat_bucket[b], 0);
	atomic_init(&s->dropped, 0);
	atomic_init(&s->next_id, 1);

	inputs_signature(&s->cfg, s->sig);
	s->cur = state_load(&s->cfg, d);
	if (!s->cur || bind_listen(s, s->listen, d) < 0)
		goto fail;
	if (s->cfg.log_path) {
		char err[DLOG_ERR_MAX];
		s->log = dlog_open(s->cfg.log_path, true, err);
		int64_t last = s->log ? dlog_max_id(s->log, err) : -1;
		if (last < 0) {
			api_error(d, "%s", err);
			goto fail;
		}
		atomic_store(&s->next_id, last + 1);
		prune_log(s);
		log_version(s, s->cur);
		s->q_cap = s->cfg.log_queue;
		s->q = xcalloc(s->q_cap, sizeof *s->q);
		if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
			api_error(d, "cannot start the decision log writer thread");
			goto fail;
		}
		s->writer_started = true;
	}
	s->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ERROR_LOG, 0,
				  NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
				  MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->cfg.threads,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)30, MHD_OPTION_END);
	if (!s->mhd) {
		api_error(d, "cannot start the HTTP server on '%s'", s->listen);
		goto fail;
	}
	return s;
fail:
	if (s->writer_started) {
		pthread_mutex_lock(&s->q_mu);
		s->q_stop = true;
		pthread_cond_signal(&s->q_cv);
		pthread_mutex_unlock(&s->q_mu);
		pthread_join(s->writer, NULL);
	}
	srv_free(s);
	return NULL;
}

void srv_stop(srv *s)
{
	if (!s)
		return;
	/* MHD_stop_daemon stops accepting, closes the listening socket and
	 * joins the workers: a request being handled completes (and queues its
	 * log entry) first */
	MHD_stop_daemon(s->mhd);
	if (s->writer_started) {
		pthread_mutex_lock(&s->q_mu);
		s->q_stop = true;
		pthread_cond_signal(&s->q_cv);
		pthread_mutex_unlock(&s->q_mu);
		pthread_join(s->writer, NULL); /* drains the queue before it ends */
	}
	s->fd = -1; /* closed by MHD_stop_daemon */
	srv_free(s);
}
