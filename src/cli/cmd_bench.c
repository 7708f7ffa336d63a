/* cmd_bench: `ward bench`, the authorization benchmark.
 *
 * Loads policies, schema, entities and a batch of requests once, decides
 * every request once (the first pass, whose answers every later decision
 * must equal), then replays the batch for a number of seconds in two
 * phases on each of --threads workers:
 *
 *   throughput  the batch decided back to back, timed per batch, giving
 *               decisions/s (summed over the workers);
 *   latency     every decision timed on its own with the monotonic clock,
 *               its cost net of the clock's own (measured at start), into a
 *               log-linear histogram (exact below 1 us, 1.6% above) that
 *               gives median, p90, p99; the maximum is exact.
 *
 * Pre-loaded mode shares one engine, policy set and entity store between
 * the workers (the library only reads them while deciding); each worker
 * decides into its own reusable response, so the timed loop allocates
 * nothing. With --include-load a timed call is what a stateless caller
 * pays: parse the entity JSON, decide, free the store; each worker then has
 * its own engine (loading adds names to the engine's symbol table) with the
 * policies and schema pre-parsed, as the reference's per-call API has.
 *
 * Nothing is cached between calls but what the library keeps in its loaded
 * objects: the same code decides here as in `ward authorize`.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

struct bench_opts {
	struct cli_inputs in;
	const char *requests;
	const char *seconds;
	const char *threads;
	const char *format;
	bool include_load;
};

/* ---- time and the latency histogram -------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: on a shared machine the wall clock also
 * counts time the thread spent waiting for a core. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Buckets: exact nanoseconds below 1024; above, 64 buckets per power of two
 * up to 2^42 ns (over an hour). */
#define HIST_EXACT 1024u
#define HIST_SUB 64u
#define HIST_N (HIST_EXACT + (42u - 10u) * HIST_SUB)

typedef struct hist {
	uint64_t count[HIST_N];
	uint64_t n, max;
} hist;

static unsigned hist_bucket(uint64_t v)
{
	if (v < HIST_EXACT)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v); /* >= 10 */
	if (e >= 42u)
		return HIST_N - 1;
	return HIST_EXACT + (e - 10u) * HIST_SUB + (unsigned)((v >> (e - 6u)) & (HIST_SUB - 1));
}

/* The middle of a bucket's range. */
static uint64_t hist_value(unsigned b)
{
	if (b < HIST_EXACT)
		return b;
	unsigned e = (b - HIST_EXACT) / HIST_SUB + 10u, sub = (b - HIST_EXACT) % HIST_SUB;
	uint64_t lo = ((uint64_t)(HIST_SUB + sub)) << (e - 6u), w = (uint64_t)1 << (e - 6u);
	return lo + w / 2;
}

static void hist_add(hist *h, uint64_t v)
{
	h->count[hist_bucket(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

static void hist_merge(hist *into, const hist *h)
{
	for (unsigned i = 0; i < HIST_N; i++)
		into->count[i] += h->count[i];
	into->n += h->n;
	if (h->max > into->max)
		into->max = h->max;
}

/* The value below which a fraction q of the samples lie. */
static uint64_t hist_quantile(const hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)h->n), seen = 0;
	for (unsigned i = 0; i < HIST_N; i++) {
		seen += h->count[i];
		if (seen > rank) {
			uint64_t v = hist_value(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The clock's own cost: the median of many back-to-back readings. */
static uint64_t timer_overhead(void)
{
	enum { N = 2001 };
	static uint64_t d[N];
	for (int i = 0; i < N; i++) {
		uint64_t a = now_ns();
		d[i] = now_ns() - a;
	}
	qsort(d, N, sizeof d[0], cmp_u64);
	return d[N / 2];
}

/* Out of memory ends the command, as everywhere in the command line. */
static void *bench_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fputs("ward bench: error: out of memory\n", stderr);
		exit(WARD_EXIT_FAILURE);
	}
	return p;
}

/* ---- what a worker decides with ------------------------------------------ */

/* A decision as the first pass gave it. */
typedef struct expect {
	ward_decision decision;
	size_t nreasons, nerrors;
	const char **reasons; /* ids, borrowed from the worker's policy set */
} expect;

typedef struct worker {
	pthread_t th;
	struct bench_shared *sh;
	/* own objects with --include-load, else the shared ones */
	ward_engine *e;
	ward_schema *s;
	ward_policies *p;
	ward_entities *es;
	ward_request **reqs;
	ward_response *resp;
	ward_diags *d;
	expect *exp;
	/* results */
	uint64_t thr_decisions, thr_ns, thr_cpu_ns;
	hist lat;
	const char *error; /* static message when a decision differed or failed */
	size_t bad_request;
} worker;

typedef struct bench_shared {
	struct bench_opts *o;
	const char *ent_name, *ent_text;
	size_t ent_len;
	size_t nreq;
	double seconds;
	uint64_t overhead;
	pthread_barrier_t start;
} bench_shared;

/* One call: with --include-load, parse the entities, decide, free them. */
static int decide(worker *w, size_t i)
{
	bench_shared *sh = w->sh;
	if (!sh->o->include_load)
		return ward_authorize_into(w->e, w->p, w->es, w->reqs[i], w->resp);
	ward_entities *es = ward_entities_parse(w->e, w->s, sh->ent_name, sh->ent_text, sh->ent_len, w->d);
	if (!es)
		return -1;
	int rc = ward_authorize_into(w->e, w->p, es, w->reqs[i], w->resp);
	ward_entities_free(es);
	return rc;
}

/* Does the response in w->resp equal the first pass for request i? The ids
 * are the policy set's own strings, so pointers compare. */
static bool same(const worker *w, size_t i)
{
	const expect *x = &w->exp[i];
	const ward_response *r = w->resp;
	if (ward_response_decision(r) != x->decision || ward_response_reason_count(r) != x->nreasons ||
	    ward_response_error_count(r) != x->nerrors)
		return false;
	for (size_t k = 0; k < x->nreasons; k++)
		if (ward_response_reason(r, k) != x->reasons[k])
			return false;
	return true;
}

static void record(worker *w, size_t i)
{
	const ward_response *r = w->resp;
	expect *x = &w->exp[i];
	x->decision = ward_response_decision(r);
	x->nreasons = ward_response_reason_count(r);
	x->nerrors = ward_response_error_count(r);
	x->reasons = x->nreasons ? bench_calloc(x->nreasons, sizeof *x->reasons) : NULL;
	for (size_t k = 0; k < x->nreasons; k++)
		x->reasons[k] = ward_response_reason(r, k);
}

static bool fail_at(worker *w, size_t i, const char *msg)
{
	w->error = msg;
	w->bad_request = i;
	return false;
}

/* The timed phases. Each runs until its half of --seconds has passed,
 * always finishing the pass over the batch it is in. */
static bool run_phases(worker *w)
{
	bench_shared *sh = w->sh;
	const size_t n = sh->nreq;
	const uint64_t span = (uint64_t)(sh->seconds * 0.5e9);

	/* warm up: one pass, checked */
	for (size_t i = 0; i < n; i++)
		if (decide(w, i) < 0 || !same(w, i))
			return fail_at(w, i, "decision differs from the first pass");

	uint64_t t0 = now_ns(), t = t0, c0 = cpu_ns();
	while (t - t0 < span) {
		for (size_t i = 0; i < n; i++) {
			if (decide(w, i) < 0 || !same(w, i))
				return fail_at(w, i, "decision differs from the first pass");
		}
		w->thr_decisions += n;
		t = now_ns();
	}
	w->thr_ns = t - t0;
	w->thr_cpu_ns = cpu_ns() - c0;

	t0 = now_ns();
	t = t0;
	while (t - t0 < span) {
		for (size_t i = 0; i < n; i++) {
			uint64_t a = now_ns();
			int rc = decide(w, i);
			uint64_t b = now_ns();
			if (rc < 0 || !same(w, i))
				return fail_at(w, i, "decision differs from the first pass");
			uint64_t dt = b - a;
			hist_add(&w->lat, dt > sh->overhead ? dt - sh->overhead : 0);
		}
		t = now_ns();
	}
	return true;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	pthread_barrier_wait(&w->sh->start);
	run_phases(w);
	return NULL;
}

/* ---- loading -------------------------------------------------------------- */

/* Builds every request of the batch (validated against the schema when one
 * is given, as the reference's validateRequest). */
static ward_request **build_requests(struct ward_cli *cli, ward_engine *e, const ward_schema *s, const char *path,
				     size_t *n, ward_diags *d)
{
	ward_batch *b = ward_batch_load(e, path, d);
	if (!b)
		return NULL;
	size_t m = ward_batch_count(b);
	ward_request **r = bench_calloc(m, sizeof *r);
	for (size_t i = 0; i < m; i++) {
		r[i] = ward_batch_request(b, i, s, 0, d);
		if (!r[i]) {
			for (size_t k = 0; k < i; k++)
				ward_request_free(r[k]);
			free(r);
			ward_batch_free(b);
			return NULL;
		}
	}
	ward_batch_free(b);
	if (m == 0) {
		cli_error(cli, "no requests in '%s'", path);
		free(r);
		return NULL;
	}
	*n = m;
	return r;
}

static void free_requests(ward_request **r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++)
		ward_request_free(r[i]);
	free(r);
}

/* A worker's own engine, schema, policies and requests (--include-load). */
static int load_private(struct ward_cli *cli, worker *w, const struct cli_inputs *in, const char *requests)
{
	size_t n = 0;
	w->e = ward_engine_new();
	if (cli_load_schema(cli, w->e, in, &w->s, w->d) < 0 || cli_load_policies(cli, w->e, in, &w->p, w->d) < 0)
		return -1;
	w->reqs = build_requests(cli, w->e, w->s, requests, &n, w->d);
	return w->reqs && n == w->sh->nreq ? 0 : -1;
}

static long resident_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static bool parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* ---- the command ----------------------------------------------------------- */

int cmd_bench(int argc, char **argv, struct ward_cli *cli)
{
	struct bench_opts o;
	memset(&o, 0, sizeof o);
	const struct cli_opt opts[] = {
		{"policies", 'p', "FILE", "Cedar policies", &o.in.policies, NULL, NULL},
		CLI_OPTS_SCHEMA(o.in),
		CLI_OPTS_ENTITIES(o.in),
		{"requests", 0, "FILE", "the requests to replay (JSON array or JSON Lines)", &o.requests, NULL, NULL},
		{"seconds", 0, "N", "how long to replay (default 4; half throughput, half latency)", &o.seconds, NULL,
		 NULL},
		{"threads", 0, "N", "decide on N threads at once (default 1)", &o.threads, NULL, NULL},
		{"include-load", 0, NULL, "time whole calls that parse the entity JSON each time", NULL,
		 &o.include_load, NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &o.format, NULL, cli_choices_format},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--policies FILE --entities FILE --requests FILE [options]",
		.about = "Benchmark authorization: load once, replay the requests for a while, and print\n"
			 "decisions per second and the latency of one decision (median, p90, p99, max).\n"
			 "Every decision is checked against the first pass over the requests.",
		.opts = opts,
		.notes = "Latencies are net of the clock's own cost (reported). JSON output: decisions_per_s,\n"
			 "median_ns, p90_ns, p99_ns, max_ns, requests, threads and more.\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!o.in.policies || !o.in.entities || !o.requests) {
		cli_error(cli, "--policies, --entities and --requests are required");
		return WARD_EXIT_FAILURE;
	}
	double seconds = 4, threads_d = 1;
	if (o.seconds && !parse_number(o.seconds, 0.01, 86400, &seconds)) {
		cli_error(cli, "invalid value '%s' for '--seconds': expected a number of seconds", o.seconds);
		return WARD_EXIT_FAILURE;
	}
	if (o.threads && (!parse_number(o.threads, 1, 256, &threads_d) || threads_d != (double)(int)threads_d)) {
		cli_error(cli, "invalid value '%s' for '--threads': expected a whole number from 1 to 256", o.threads);
		return WARD_EXIT_FAILURE;
	}
	const int nth = (int)threads_d;
	const bool json = o.format && strcmp(o.format, "json") == 0;

	int rc = WARD_EXIT_FAILURE;
	ward_engine *e = ward_engine_new();
	ward_diags *d = ward_diags_new();
	ward_schema *s = NULL;
	ward_policies *p = NULL;
	ward_entities *es = NULL;
	ward_request **reqs = NULL;
	char *ent_text = NULL;
	size_t nreq = 0, ent_len = 0;
	worker *ws = NULL;
	bench_shared sh;
	memset(&sh, 0, sizeof sh);

	if (cli_load_schema(cli, e, &o.in, &s, d) < 0 || cli_load_policies(cli, e, &o.in, &p, d) < 0)
		goto diags;
	ent_text = ward_read_file(o.in.entities, &ent_len, d);
	if (!ent_text)
		goto diags;
	long rss0 = resident_kib();
	uint64_t l0 = now_ns(), lc0 = cpu_ns();
	es = ward_entities_parse(e, s, o.in.entities, ent_text, ent_len, d);
	uint64_t load_ns = now_ns() - l0, load_cpu_ns = cpu_ns() - lc0;
	long rss1 = resident_kib();
	if (!es)
		goto diags;
	reqs = build_requests(cli, e, s, o.requests, &nreq, d);
	if (!reqs)
		goto diags;
	size_t nent = ward_entities_count(es);

	sh.o = &o;
	sh.ent_name = o.in.entities;
	sh.ent_text = ent_text;
	sh.ent_len = ent_len;
	sh.nreq = nreq;
	sh.seconds = seconds;
	sh.overhead = timer_overhead();

	ws = bench_calloc((size_t)nth, sizeof *ws);
	for (int t = 0; t < nth; t++) {
		worker *w = &ws[t];
		w->sh = &sh;
		w->d = ward_diags_new();
		w->resp = ward_response_new();
		w->exp = bench_calloc(nreq, sizeof *w->exp);
		if (o.include_load) {
			if (load_private(cli, w, &o.in, o.requests) < 0) {
				cli_print_diags(cli, w->d, 0);
				goto out;
			}
		} else {
			w->e = e;
			w->s = s;
			w->p = p;
			w->es = es;
			w->reqs = reqs;
		}
		/* the first pass: the answers every later decision must equal */
		for (size_t i = 0; i < nreq; i++) {
			if (decide(w, i) < 0) {
				cli_print_diags(cli, w->d, 0);
				cli_error(cli, "request %zu could not be decided", i + 1);
				goto out;
			}
			record(w, i);
		}
		/* workers with their own policy sets must agree with the first */
		for (size_t i = 0; t > 0 && i < nreq; i++) {
			const expect *a = &ws[0].exp[i], *b = &w->exp[i];
			bool eq = a->decision == b->decision && a->nreasons == b->nreasons && a->nerrors == b->nerrors;
			for (size_t k = 0; eq && k < a->nreasons; k++)
				eq = strcmp(a->reasons[k], b->reasons[k]) == 0;
			if (!eq) {
				cli_error(cli, "thread %d decided request %zu differently", t + 1, i + 1);
				goto out;
			}
		}
	}
	size_t allows = 0;
	for (size_t i = 0; i < nreq; i++)
		allows += ws[0].exp[i].decision == WARD_ALLOW;

	pthread_barrier_init(&sh.start, NULL, (unsigned)nth);
	for (int t = 1; t < nth; t++) {
		if (pthread_create(&ws[t].th, NULL, worker_main, &ws[t]) != 0) {
			/* the others wait at the start barrier for this one: cannot go on */
			fprintf(stderr, "ward bench: error: cannot start thread %d\n", t + 1);
			exit(WARD_EXIT_FAILURE);
		}
	}
	pthread_barrier_wait(&sh.start);
	run_phases(&ws[0]);
	for (int t = 1; t < nth; t++)
		pthread_join(ws[t].th, NULL);
	pthread_barrier_destroy(&sh.start);

	hist *lat = bench_calloc(1, sizeof *lat);
	uint64_t decisions = 0, wall = 0, cpu = 0;
	for (int t = 0; t < nth; t++) {
		if (ws[t].error) {
			cli_error(cli, "thread %d, request %zu: %s", t + 1, ws[t].bad_request + 1, ws[t].error);
			free(lat);
			goto out;
		}
		decisions += ws[t].thr_decisions;
		cpu += ws[t].thr_cpu_ns;
		if (ws[t].thr_ns > wall)
			wall = ws[t].thr_ns;
		hist_merge(lat, &ws[t].lat);
	}
	double dps = wall ? (double)decisions * 1e9 / (double)wall : 0;
	/* per core actually obtained, and the share of the cores obtained */
	double dpcpu = cpu ? (double)decisions * 1e9 / (double)cpu : 0;
	double util = wall ? (double)cpu / ((double)wall * nth) : 0;
	uint64_t med = hist_quantile(lat, 0.5), p90 = hist_quantile(lat, 0.9), p99 = hist_quantile(lat, 0.99);
	double ent_per_s = load_ns ? (double)nent * 1e9 / (double)load_ns : 0;
	double ent_per_cpu_s = load_cpu_ns ? (double)nent * 1e9 / (double)load_cpu_ns : 0;
	double rss_per_ent = nent ? (double)(rss1 - rss0) * 1024.0 / (double)nent : 0;
	uint64_t checked = decisions + lat->n + (uint64_t)nth * nreq * 2;
	if (json) {
		fprintf(cli->out,
			"{\"mode\":\"%s\",\"threads\":%d,\"requests\":%zu,\"allows\":%zu,\"decisions\":%" PRIu64
			",\"decisions_per_s\":%.0f,\"decisions_per_cpu_s\":%.0f,\"cpu_share\":%.2f,\"median_ns\":%" PRIu64 ",\"p90_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64
			",\"max_ns\":%" PRIu64 ",\"latency_samples\":%" PRIu64 ",\"timer_overhead_ns\":%" PRIu64
			",\"seconds\":%g,\"entities\":%zu,\"entity_load_ns\":%" PRIu64 ",\"entities_per_s\":%.0f,\"entities_per_cpu_s\":%.0f"
			",\"rss_bytes_per_entity\":%.0f}\n",
			o.include_load ? "include_load" : "preloaded", nth, nreq, allows, checked, dps, dpcpu, util, med,
			p90, p99,
			lat->max, lat->n, sh.overhead, seconds, nent, load_ns, ent_per_s, ent_per_cpu_s, rss_per_ent);
	} else {
		fprintf(cli->out,
			"mode:          %s\n"
			"threads:       %d\n"
			"requests:      %zu (%zu allowed), %" PRIu64 " decisions, all equal to the first pass\n"
			"throughput:    %.0f decisions/s (%.0f per CPU second; %.0f%% of %d core(s) obtained)\n"
			"latency (ns):  median %" PRIu64 ", p90 %" PRIu64 ", p99 %" PRIu64 ", max %" PRIu64
			" (%" PRIu64 " samples, clock cost %" PRIu64 " ns subtracted)\n"
			"entity load:   %zu entities in %.3f ms (%.0f entities/s, %.0f per CPU second), %.0f bytes resident "
			"per entity\n",
			o.include_load ? "entities parsed on every call" : "pre-loaded entities", nth, nreq, allows,
			checked, dps, dpcpu, util * 100, nth, med, p90, p99, lat->max, lat->n, sh.overhead, nent, (double)load_ns / 1e6,
			ent_per_s, ent_per_cpu_s, rss_per_ent);
	}
	free(lat);
	rc = WARD_EXIT_OK;
	goto out;
diags:
	cli_print_diags(cli, d, 0);
out:
	for (int t = 0; ws && t < nth; t++) {
		worker *w = &ws[t];
		for (size_t i = 0; w->exp && i < nreq; i++)
			free(w->exp[i].reasons);
		free(w->exp);
		ward_response_free(w->resp);
		if (o.include_load) {
			free_requests(w->reqs, nreq);
			ward_policies_free(w->p);
			ward_schema_free(w->s);
			ward_engine_free(w->e);
		}
		ward_diags_free(w->d);
	}
	free(ws);
	free_requests(reqs, nreq);
	ward_entities_free(es);
	ward_policies_free(p);
	ward_schema_free(s);
	free(ent_text);
	ward_diags_free(d);
	ward_engine_free(e);
	return rc;
}
