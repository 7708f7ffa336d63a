/* cmd_test: `ward test`, the repository's policy tests and coverage.
 *
 * In a policy repository (the nearest directory upward holding ward.yaml,
 * or --repo), the policies are policies/ (every .cedar file, recursively),
 * the schema and entity snapshot those of ward.yaml's repository, the test
 * files tests/ (or the PATHS given), and each requirement of requests/
 * contributes its generated tests. Outside a repository, --policies (and
 * optionally --schema, --entities) name the inputs. The work is in
 * src/govern/testrun.c.
 * Exit status: 0 all passed, 1 a test failed or coverage is below
 * --threshold, 2 usage or input error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/parser.h"
#include "cli/cli.h"
#include "govern/gio.h"
#include "govern/repo.h"
#include "govern/requirement.h"
#include "govern/testrun.h"
#include "util/xalloc.h"

int cmd_test(int argc, char **argv, struct ward_cli *cli);

enum { TEST_OK = 0, TEST_FAILED = 1, TEST_BAD_INPUT = 2 };

struct test_opts {
	const char *repo, *policies, *schema, *entities, *threshold, *junit, *format;
	bool coverage, generated_only, no_generated;
};

static void print_diags(struct ward_cli *cli, const wdiags *d)
{
	if (cli->errfmt == CLI_ERR_JSON) {
		/* the shape of ward_diags_render_json: one object per line */
		for (size_t i = 0; i < d->n; i++) {
			const wdiag *g = &d->items[i];
			wbuf b = WBUF_INIT;
			buf_printf(&b, "{\"severity\":\"%s\"",
				   g->sev == WSEV_ERROR ? "error" : g->sev == WSEV_WARNING ? "warning" : "note");
			if (g->src) {
				uint32_t line, col;
				source_linecol(g->src, g->span.start, &line, &col);
				buf_adds(&b, ",\"file\":");
				buf_add_json_str(&b, g->src->name, strlen(g->src->name));
				buf_printf(&b, ",\"line\":%u,\"column\":%u", line, col);
			}
			buf_adds(&b, ",\"message\":");
			buf_add_json_str(&b, g->msg, strlen(g->msg));
			buf_adds(&b, "}\n");
			fputs(b.p, cli->err);
			buf_release(&b);
		}
		return;
	}
	if (cli->errfmt == CLI_ERR_PLAIN) {
		/* one line each: file:line:col: message */
		for (size_t i = 0; i < d->n; i++) {
			const wdiag *g = &d->items[i];
			if (g->src) {
				uint32_t line, col;
				source_linecol(g->src, g->span.start, &line, &col);
				fprintf(cli->err, "%s:%u:%u: %s\n", g->src->name, line, col, g->msg);
			} else {
				fprintf(cli->err, "%s\n", g->msg);
			}
		}
		return;
	}
	diags_print(d, cli->err);
}

static int load_file(wctx *cx, const char *path, int (*fn)(wctx *, void *, const char *, const char *, size_t, wdiags *),
		     void *obj, wdiags *d)
{
	size_t len;
	char *text = gio_read(path, 0, &len, d);
	if (!text)
		return -1;
	int nerr = fn(cx, obj, path, text, len, d);
	free(text);
	return nerr ? -1 : 0;
}

static int schema_fn(wctx *cx, void *obj, const char *name, const char *text, size_t len, wdiags *d)
{
	return schema_parse(cx, obj, name, text, len, d);
}

struct ents_arg {
	wentities *es;
	const wschema *schema;
};

static int ents_fn(wctx *cx, void *obj, const char *name, const char *text, size_t len, wdiags *d)
{
	struct ents_arg *a = obj;
	return entities_load_json(cx, a->es, a->schema, name, text, len, d);
}

int cmd_test(int argc, char **argv, struct ward_cli *cli)
{
	struct test_opts o;
	memset(&o, 0, sizeof o);
	const struct cli_opt opts[] = {
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory upward with ward.yaml)",
		 &o.repo, NULL, NULL},
		{"policies", 'p', "PATH", "policies: a .cedar file or a directory (default: the repository's policies/)",
		 &o.policies, NULL, NULL},
		{"schema", 's', "FILE", "schema (default: the repository's)", &o.schema, NULL, NULL},
		{"entities", 0, "FILE", "entities for test files without their own", &o.entities, NULL, NULL},
		{"coverage", 0, NULL, "report coverage: policies that determined a decision, conditions seen true and false",
		 NULL, &o.coverage, NULL},
		{"threshold", 0, "N", "fail (exit 1) when coverage is below N percent (implies --coverage)", &o.threshold,
		 NULL, NULL},
		{"junit", 0, "FILE", "also write the results as JUnit XML to FILE", &o.junit, NULL, NULL},
		{"format", 0, "FORMAT", "output: text (default) or json", &o.format, NULL, cli_choices_format},
		{"generated-only", 0, NULL, "run only the tests generated from requirements", NULL, &o.generated_only,
		 NULL},
		{"no-generated", 0, NULL, "do not generate tests from requirements", NULL, &o.no_generated, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options] [PATHS...]",
		.about = "Run policy tests: YAML test files (files, or directories searched for *.yaml) and the tests\n"
			 "generated from each requirement of the repository's requests/ (the requested access is\n"
			 "allowed, near misses are denied). A failing case shows the request, expected and actual\n"
			 "decisions, and the explanation of the actual decision. Test file format: docs/FORMATS.md.",
		.opts = opts,
		.min_pos = 0,
		.max_pos = 64,
		.notes = "exit status: 0 all passed, 1 a test failed or coverage below --threshold, 2 usage or input "
			 "error.\n",
	};
	const char *pos[64];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? TEST_OK : TEST_BAD_INPUT;
	double threshold = -1;
	if (o.threshold) {
		char *end;
		threshold = strtod(o.threshold, &end);
		if (*end || end == o.threshold || threshold < 0 || threshold > 100) {
			cli_error(cli, "invalid value '%s' for '--threshold': expected a percentage from 0 to 100",
				  o.threshold);
			return TEST_BAD_INPUT;
		}
		o.coverage = true;
	}
	if (o.generated_only && o.no_generated) {
		cli_error(cli, "--generated-only and --no-generated cannot be combined");
		return TEST_BAD_INPUT;
	}

	int rc = TEST_BAD_INPUT;
	wdiags d;
	diags_init(&d);
	repo r;
	memset(&r, 0, sizeof r);
	bool have_repo = false;
	wctx own_cx;
	bool have_own_cx = false;
	wschema own_schema;
	bool have_schema = false;
	wentities own_ents;
	bool have_ents = false;
	wpolicyset ps;
	policyset_init(&ps);
	char *root = NULL;
	wtrun t;
	bool have_run = false;
	char **files = NULL;
	size_t nfiles = 0;

	if (o.repo)
		root = xstrdup(o.repo);
	else if (!o.policies)
		root = repo_find(".");
	if (!root && !o.policies) {
		cli_error(cli, "not in a policy repository (no ward.yaml here or above): use --repo DIR, or "
			       "--policies PATH with test files");
		goto out;
	}
	wctx *cx;
	const wschema *schema = NULL;
	const wentities *ents = NULL;
	if (root) {
		unsigned flags = o.schema ? REPO_NO_SCHEMA : 0;
		have_repo = true;
		if (repo_open(&r, root, flags, &d) < 0)
			goto diags;
		cx = &r.cx;
		if (r.has_schema)
			schema = &r.schema;
		if (r.has_ents)
			ents = &r.ents;
	} else {
		ctx_init(&own_cx);
		have_own_cx = true;
		cx = &own_cx;
	}
	if (o.schema) {
		schema_init(&own_schema);
		have_schema = true;
		if (load_file(cx, o.schema, schema_fn, &own_schema, &d) < 0)
			goto diags;
		schema = &own_schema;
	}
	if (o.entities) {
		entities_init(&own_ents);
		have_ents = true;
		struct ents_arg ea = {&own_ents, schema};
		if (load_file(cx, o.entities, ents_fn, &ea, &d) < 0)
			goto diags;
		ents = &own_ents;
	}
	{
		char *pdir = o.policies ? xstrdup(o.policies) : repo_path(&r, "policies");
		int bad = testrun_load_policies(cx, &ps, pdir, &d);
		free(pdir);
		if (bad < 0)
			goto diags;
	}

	testrun_init(&t, cx, &ps, schema, ents);
	have_run = true;
	static const char *const yaml_sfx[] = {".yaml", ".yml", NULL};
	if (!o.generated_only) {
		if (npos) {
			for (int i = 0; i < npos; i++)
				if (testrun_collect(pos[i], yaml_sfx, &files, &nfiles) < 0)
					diag_add(&d, WSEV_ERROR, NULL, (wspan){0, 0},
						 "cannot read '%s': no such file or directory", pos[i]);
		} else if (have_repo) {
			char *tdir = repo_path(&r, "tests");
			if (gio_exists(tdir))
				testrun_collect(tdir, yaml_sfx, &files, &nfiles);
			free(tdir);
		}
		for (size_t i = 0; i < nfiles; i++) {
			size_t len;
			char *text = gio_read(files[i], 0, &len, &d);
			if (text) {
				testrun_load(&t, files[i], text, len);
				free(text);
			}
		}
	}
	if (have_repo && !o.no_generated) {
		char *rdir = repo_path(&r, "requests");
		char **reqs = NULL;
		size_t nreqs = 0;
		if (gio_exists(rdir))
			testrun_collect(rdir, yaml_sfx, &reqs, &nreqs);
		free(rdir);
		for (size_t i = 0; i < nreqs; i++) {
			size_t len;
			char *text = gio_read(reqs[i], 0, &len, &d);
			if (text) {
				requirement rq;
				memset(&rq, 0, sizeof rq);
				if (req_load(&rq, &r, reqs[i], text, len, NULL, false, &d) == 0)
					testrun_generate(&t, &r, &rq, reqs[i]);
				req_release(&rq);
				free(text);
			}
			free(reqs[i]);
		}
		free(reqs);
	}
	if (d.nerrors || t.diags.nerrors) {
		print_diags(cli, &t.diags);
		goto diags;
	}
	if (!t.n) {
		cli_error(cli, "no test cases found%s", o.generated_only ? " (no requirement generated any)" : "");
		goto out;
	}

	testrun_run(&t, o.generated_only);
	wbuf b = WBUF_INIT;
	bool json = o.format && strcmp(o.format, "json") == 0;
	if (json) {
		testrun_report_json(&t, o.coverage, &b);
		buf_addc(&b, '\n');
	} else {
		testrun_report_text(&t, o.coverage, &b);
	}
	fwrite(b.p ? b.p : "", 1, b.n, cli->out);
	buf_release(&b);
	if (o.junit) {
		wbuf x = WBUF_INIT;
		testrun_report_junit(&t, &x);
		int wr = gio_write_atomic(o.junit, x.p, x.n, 0644, false, &d);
		buf_release(&x);
		if (wr < 0)
			goto diags;
	}
	rc = t.failed || t.gen_failed ? TEST_FAILED : TEST_OK;
	if (threshold >= 0) {
		wtcoverage cv;
		testrun_coverage(&t, &cv);
		if (cv.percent + 1e-9 < threshold) {
			cli_error(cli, "coverage %.1f%% is below the threshold of %g%%", cv.percent, threshold);
			rc = TEST_FAILED;
		}
	}
	goto out;
diags:
	print_diags(cli, &d);
	rc = TEST_BAD_INPUT;
out:
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	if (have_run)
		testrun_release(&t);
	policyset_release(&ps);
	if (have_ents)
		entities_release(&own_ents);
	if (have_schema)
		schema_release(&own_schema);
	if (have_repo)
		repo_close(&r);
	if (have_own_cx)
		ctx_release(&own_cx);
	free(root);
	diags_release(&d);
	return rc;
}
