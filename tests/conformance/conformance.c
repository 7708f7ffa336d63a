/* conformance: runs the reference Cedar integration tests against ward.
 *
 * Each test file (JSON) names a policy file, an entities file and a schema,
 * and lists requests with the expected decision, the determining policies
 * ("reason") and the erroring policies ("errors"). Policies get positional
 * ids policy0, policy1, ...; entities are loaded with the schema; each
 * request's context is parsed with the schema, and the request is validated
 * against it when "validateRequest" is true (the default), as the reference
 * harness does. A request passes when the decision and both id sets match.
 * The tests' "shouldValidate" flags are only counted here; validate_check.c
 * checks them against the validator.
 *
 * Two suites are run: the handwritten tests (SHARED/cedar/conformance/tests/
 * * / *.json, paths relative to SHARED/cedar/conformance) and the generated
 * corpus (CORPUS/corpus-tests/ *.json, paths relative to CORPUS), which ctest
 * extracts into the build tree first.
 *
 * usage: conformance [--shared DIR] [--corpus DIR] [--max-show N] [TEST.json]
 * The environment variable WARD_SHARED overrides --shared. Exit status: 0
 * when every request matches, 1 on any mismatch, 2 on usage or setup
 * errors, 77 (skip) when the shared reference folder is absent.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cedar/authz.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/jsonv.h"
#include "cedar/parser.h"
#include "cedar/request.h"
#include "cedar/schema.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"
#include "util/xalloc.h"

#define EXIT_SKIP 77

typedef struct suite_stats {
	unsigned files;       /* test files run */
	unsigned bad_files;   /* files whose policies/schema/entities failed to load */
	unsigned pass, fail;  /* requests */
	unsigned sv_true, sv_false;
} suite_stats;

typedef struct runner {
	unsigned shown;    /* mismatches printed so far */
	unsigned max_show; /* print at most this many */
	warena tmp;        /* per-request arena, reset between requests */
} runner;

/* The entity store has two loaders, a fast single-pass reader and the
 * careful one (through jansson) it falls back to: every entities file of
 * the suites must give the same store through both. */
static void check_loaders_agree(wctx *cx, const wentities *fast, const wschema *schema, const char *name,
				const char *text, size_t len, wbuf *msg)
{
	wentities careful;
	entities_init(&careful);
	wdiags d;
	diags_init(&d);
	entities_load_json_careful(cx, &careful, schema, name, text, len, &d);
	wbuf a = WBUF_INIT, b = WBUF_INIT;
	entities_dump(fast, &a);
	entities_dump(&careful, &b);
	if (d.nerrors || a.n != b.n || (a.n && memcmp(a.p, b.p, a.n) != 0))
		buf_printf(msg, "the fast and the careful entity loaders disagree on '%s'\n", name);
	buf_release(&a);
	buf_release(&b);
	diags_release(&d);
	entities_release(&careful);
}

/* ---- small file helpers ---------------------------------------------------- */

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	wbuf b = WBUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		buf_release(&b);
		return NULL;
	}
	*len = b.n;
	if (!b.p)
		buf_add(&b, "", 0);
	return buf_detach(&b);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct strlist {
	char **v;
	size_t n, cap;
} strlist;

static void strlist_push(strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
}

static void strlist_release(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static char *path_join(const char *a, const char *b)
{
	wbuf p = WBUF_INIT;
	buf_printf(&p, "%s/%s", a, b);
	return buf_detach(&p);
}

/* Appends dir/NAME for every NAME ending in .json (but not .entities.json). */
static int list_tests(const char *dir, strlist *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *de;
	size_t first = out->n;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".json") || ends_with(de->d_name, ".entities.json"))
			continue;
		strlist_push(out, path_join(dir, de->d_name));
	}
	closedir(d);
	qsort(out->v + first, out->n - first, sizeof *out->v, cmp_str);
	return 0;
}

/* ---- comparing one response ------------------------------------------------ */

static bool id_in_json(const char *id, const json_t *arr)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return true;
	}
	return false;
}

typedef const char *(*id_at_fn)(const wresponse *r, uint32_t i);

static const char *reason_id(const wresponse *r, uint32_t i)
{
	return r->reasons[i]->id;
}

static const char *error_id(const wresponse *r, uint32_t i)
{
	return r->errors[i].policy->id;
}

/* Set equality between the ids the response has and the expected array. */
static bool same_ids(const wresponse *r, uint32_t n, id_at_fn at, const json_t *expected)
{
	if (!json_is_array(expected))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!id_in_json(at(r, i), expected))
			return false;
	size_t k;
	const json_t *v;
	json_array_foreach(expected, k, v)
	{
		if (!json_is_string(v))
			return false;
		bool found = false;
		for (uint32_t i = 0; i < n && !found; i++)
			found = strcmp(at(r, i), json_string_value(v)) == 0;
		if (!found)
			return false;
	}
	return true;
}

static void print_ids(wbuf *b, const wresponse *r, uint32_t n, id_at_fn at)
{
	buf_addc(b, '[');
	for (uint32_t i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", at(r, i));
	buf_addc(b, ']');
}

static void print_json_ids(wbuf *b, const json_t *arr)
{
	char *s = json_dumps(arr, JSON_COMPACT | JSON_ENCODE_ANY);
	buf_adds(b, s ? s : "?");
	free(s);
}

static void show(runner *rn, const char *file, size_t idx, const json_t *req, const char *what)
{
	if (rn->shown++ >= rn->max_show)
		return;
	const char *desc = json_string_value(json_object_get(req, "description"));
	printf("MISMATCH %s: request %zu%s%s%s: %s\n", file, idx, desc ? " (" : "", desc ? desc : "", desc ? ")" : "",
	       what);
}

/* ---- running one test file ------------------------------------------------- */

static int build_request(wctx *cx, warena *a, const json_t *jr, const wschema *schema, wrequest *out, wbuf *err)
{
	const json_t *vr = json_object_get(jr, "validateRequest");
	bool validate = !vr || json_is_true(vr);
	if (validate)
		return request_from_json(cx, a, jr, schema, out, err);
	/* no validation, but the context is still parsed by the action's type */
	if (jsonv_to_uid(cx, json_object_get(jr, "principal"), true, &out->principal, err) < 0 ||
	    jsonv_to_uid(cx, json_object_get(jr, "action"), true, &out->action, err) < 0 ||
	    jsonv_to_uid(cx, json_object_get(jr, "resource"), true, &out->resource, err) < 0)
		return -1;
	const json_t *ctxj = json_object_get(jr, "context");
	json_t *empty = NULL;
	if (!ctxj)
		ctxj = empty = json_object();
	int rc = request_context_from_json(cx, a, ctxj, schema, out->action, &out->context, err);
	json_decref(empty);
	return rc;
}

static void run_file(runner *rn, const char *root, const char *path, suite_stats *st)
{
	/* jsonv_parse_text, as the library parses JSON: duplicate keys rejected,
	 * NUL bytes in strings kept */
	size_t tlen = 0;
	char *ttext = read_whole(path, &tlen);
	wbuf jerr = WBUF_INIT;
	if (!ttext)
		buf_adds(&jerr, strerror(errno));
	json_t *t = ttext ? jsonv_parse_text(path, ttext, tlen, &jerr) : NULL;
	/* requests of an unreadable file still count as failed: each has one "decision" */
	unsigned lost = 0;
	for (const char *q = ttext; !t && q && (q = strstr(q, "\"decision\"")) != NULL; q++)
		lost++;
	free(ttext);
	st->files++;
	if (!t || !json_is_object(t)) {
		if (rn->shown++ < rn->max_show)
			printf("ERROR %s: cannot read test file: %s\n", path,
			       t ? "not an object" : jerr.p ? jerr.p : "?");
		st->bad_files++;
		st->fail += lost;
		json_decref(t);
		buf_release(&jerr);
		return;
	}
	buf_release(&jerr);
	const json_t *reqs = json_object_get(t, "requests");
	size_t nreq = json_is_array(reqs) ? json_array_size(reqs) : 0;
	const json_t *sv = json_object_get(t, "shouldValidate");
	if (json_is_true(sv))
		st->sv_true++;
	else if (json_is_false(sv))
		st->sv_false++;

	wctx cx;
	ctx_init(&cx);
	wpolicyset ps;
	policyset_init(&ps);
	wschema schema;
	schema_init(&schema);
	wentities ents;
	entities_init(&ents);
	wdiags d;
	diags_init(&d);
	wbuf msg = WBUF_INIT;
	bool have_schema = false;

	const char *files[3] = {json_string_value(json_object_get(t, "policies")),
				json_string_value(json_object_get(t, "schema")),
				json_string_value(json_object_get(t, "entities"))};
	const char *what[3] = {"policies", "schema", "entities"};
	for (int k = 0; k < 3 && !msg.n; k++) {
		if (!files[k]) {
			if (k == 1)
				continue; /* no schema: entities and requests are parsed without one */
			buf_printf(&msg, "no '%s' file named", what[k]);
			break;
		}
		char *full = path_join(root, files[k]);
		size_t len = 0;
		char *text = read_whole(full, &len);
		if (!text) {
			buf_printf(&msg, "cannot read %s file '%s': %s", what[k], full, strerror(errno));
			free(full);
			break;
		}
		int nerr = 0;
		if (k == 0)
			nerr = parse_policies(&cx, &ps, files[k], text, len, &d);
		else if (k == 1)
			nerr = schema_parse(&cx, &schema, files[k], text, len, &d);
		else
			nerr = entities_load_json(&cx, &ents, have_schema ? &schema : NULL, files[k], text, len, &d);
		if (k == 1 && nerr == 0)
			have_schema = true;
		if (k == 2 && nerr == 0 && d.nerrors == 0)
			check_loaders_agree(&cx, &ents, have_schema ? &schema : NULL, files[k], text, len, &msg);
		if (nerr > 0 || d.nerrors > 0) {
			buf_printf(&msg, "%s failed to load:\n", what[k]);
			diags_render(&d, &msg);
		}
		free(text);
		free(full);
	}

	if (!msg.n)
		authz_prepare(&ps); /* decide through the policy index, as the library does */
	if (msg.n) {
		if (rn->shown++ < rn->max_show)
			printf("ERROR %s: %s\n", path, msg.p);
		st->bad_files++;
		st->fail += (unsigned)nreq;
		goto out;
	}

	wbuf err = WBUF_INIT, line = WBUF_INIT;
	for (size_t i = 0; i < nreq; i++) {
		const json_t *jr = json_array_get(reqs, i);
		arena_reset(&rn->tmp);
		buf_clear(&err);
		buf_clear(&line);
		wrequest req;
		memset(&req, 0, sizeof req);
		if (build_request(&cx, &rn->tmp, jr, have_schema ? &schema : NULL, &req, &err) < 0) {
			buf_printf(&line, "request rejected: %s", err.p ? err.p : "(no message)");
			show(rn, path, i, jr, line.p);
			st->fail++;
			continue;
		}
		wresponse resp;
		authz_decide(&cx, &ps, &ents, &req, &rn->tmp, &resp);

		const char *dec = json_string_value(json_object_get(jr, "decision"));
		const json_t *xr = json_object_get(jr, "reason"), *xe = json_object_get(jr, "errors");
		bool dec_ok = dec && strcmp(dec, resp.allow ? "allow" : "deny") == 0;
		bool rs_ok = same_ids(&resp, resp.nreasons, reason_id, xr);
		bool er_ok = same_ids(&resp, resp.nerrors, error_id, xe);
		if (dec_ok && rs_ok && er_ok) {
			st->pass++;
			continue;
		}
		st->fail++;
		if (!dec_ok)
			buf_printf(&line, "decision expected %s got %s; ", dec ? dec : "?",
				   resp.allow ? "allow" : "deny");
		if (!rs_ok) {
			buf_adds(&line, "reasons expected ");
			print_json_ids(&line, xr);
			buf_adds(&line, " got ");
			print_ids(&line, &resp, resp.nreasons, reason_id);
			buf_adds(&line, "; ");
		}
		if (!er_ok) {
			buf_adds(&line, "errors expected ");
			print_json_ids(&line, xe);
			buf_adds(&line, " got ");
			print_ids(&line, &resp, resp.nerrors, error_id);
			buf_adds(&line, "; ");
		}
		for (uint32_t k = 0; k < resp.nerrors; k++)
			buf_printf(&line, "\n    %s: %s", resp.errors[k].policy->id, resp.errors[k].msg);
		show(rn, path, i, jr, line.p);
	}
	buf_release(&err);
	buf_release(&line);
out:
	buf_release(&msg);
	diags_release(&d);
	entities_release(&ents);
	schema_release(&schema);
	policyset_release(&ps);
	ctx_release(&cx);
	json_decref(t);
}

static void run_suite(runner *rn, const char *root, const strlist *files, suite_stats *st)
{
	for (size_t i = 0; i < files->n; i++)
		run_file(rn, root, files->v[i], st);
}

static void report(const char *name, const suite_stats *st)
{
	printf("%s: %u passed, %u failed (%u test files", name, st->pass, st->fail, st->files);
	if (st->bad_files)
		printf(", %u failed to load", st->bad_files);
	printf(")\n");
}

static int usage(void)
{
	fprintf(stderr, "usage: conformance [--shared DIR] [--corpus DIR] [--max-show N] [TEST.json]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *shared = NULL, *corpus = NULL, *only = NULL;
	runner rn = {0, 20, {0}};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--shared") == 0 && i + 1 < argc)
			shared = argv[++i];
		else if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc)
			corpus = argv[++i];
		else if (strcmp(argv[i], "--max-show") == 0 && i + 1 < argc)
			rn.max_show = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (argv[i][0] == '-')
			return usage();
		else if (!only)
			only = argv[i];
		else
			return usage();
	}
	const char *env = getenv("WARD_SHARED");
	if (env && *env)
		shared = env;
	if (!shared)
		return usage();

	char *conf = path_join(shared, "cedar/conformance");
	if (!is_dir(conf)) {
		printf("conformance: the shared reference folder '%s' is absent; skipping "
		       "(set WARD_SHARED to its location)\n",
		       conf);
		free(conf);
		return EXIT_SKIP;
	}
	arena_init(&rn.tmp);
	suite_stats hand = {0}, corp = {0};
	int rc = 0;

	if (only) {
		/* one file: corpus files live in a corpus-tests/ folder, paths relative to its parent */
		const char *cut = strstr(only, "corpus-tests/");
		char *root = cut ? xstrndup(only, (size_t)(cut - only)) : xstrdup(conf);
		if (cut && !*root) {
			free(root);
			root = xstrdup(".");
		}
		suite_stats *st = cut ? &corp : &hand;
		run_file(&rn, root, only, st);
		report(cut ? "corpus" : "handwritten", st);
		free(root);
	} else {
		strlist hfiles = {0}, cfiles = {0};
		char *tdir = path_join(conf, "tests");
		DIR *d = opendir(tdir);
		if (d) {
			struct dirent *de;
			strlist sub = {0};
			while ((de = readdir(d)) != NULL)
				if (de->d_name[0] != '.')
					strlist_push(&sub, path_join(tdir, de->d_name));
			closedir(d);
			qsort(sub.v, sub.n, sizeof *sub.v, cmp_str);
			for (size_t i = 0; i < sub.n; i++)
				if (is_dir(sub.v[i]))
					list_tests(sub.v[i], &hfiles);
			strlist_release(&sub);
		}
		free(tdir);
		run_suite(&rn, conf, &hfiles, &hand);
		report("handwritten", &hand);

		char *cdir = corpus ? path_join(corpus, "corpus-tests") : NULL;
		if (!cdir || list_tests(cdir, &cfiles) < 0 || cfiles.n == 0) {
			printf("corpus: not found at '%s' (ctest extracts corpus-tests.tar.gz there first)\n",
			       cdir ? cdir : "(no --corpus given)");
			rc = 2;
		} else {
			run_suite(&rn, corpus, &cfiles, &corp);
			report("corpus", &corp);
		}
		free(cdir);
		strlist_release(&hfiles);
		strlist_release(&cfiles);
	}

	suite_stats all = {hand.files + corp.files, hand.bad_files + corp.bad_files, hand.pass + corp.pass,
			   hand.fail + corp.fail, hand.sv_true + corp.sv_true, hand.sv_false + corp.sv_false};
	if (rn.shown > rn.max_show)
		printf("(%u more mismatches or load errors not shown; use --max-show N)\n", rn.shown - rn.max_show);
	printf("%u passed, %u failed\n", all.pass, all.fail);
	printf("shouldValidate: %u test files expect valid, %u expect invalid: not checked by this runner "
	       "(validate_check does: ctest -R conformance.validate)\n",
	       all.sv_true, all.sv_false);
	arena_release(&rn.tmp);
	free(conf);
	if (all.fail || all.bad_files)
		return 1;
	return rc;
}
