/* Tests of the policy formatter (format.h): golden layouts under
 * tests/golden/format (NAME.cedar formatted must equal NAME.expected, and
 * formatting the expected text must give it back), options, escaping, and
 * a sweep over every policy and schema of the reference conformance tests
 * and corpus (../shared beside the source tree, or $WARD_SHARED): format
 * keeps the policies and is idempotent, text -> JSON -> text keeps them,
 * the round-tripped policies answer the conformance requests identically,
 * and schemas survive text -> JSON -> text. The sweep skips with a message
 * when ../shared is absent.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ast_eq.h"
#include "cedar/authz.h"
#include "cedar/entities.h"
#include "cedar/format.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "cedar/request.h"
#include "cedar/schema.h"
#include "cedar/schema_print.h"
#include "cedar/validate.h"

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	wbuf b = WBUF_INIT;
	char tmp[65536];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, k);
	fclose(f);
	*n = b.n;
	return buf_detach(&b);
}

/* The repository root, from this file's path (tests/unit/test_format.c). */
static void src_root(wbuf *out)
{
	const char *f = __FILE__;
	const char *end = f + strlen(f);
	for (int i = 0; i < 3 && end > f; i++) {
		end--;
		while (end > f && *end != '/')
			end--;
	}
	if (end == f)
		buf_adds(out, ".");
	else
		buf_add(out, f, (size_t)(end - f));
}

static void shared_dir(wbuf *out)
{
	const char *env = getenv("WARD_SHARED");
	if (env && *env) {
		buf_adds(out, env);
		return;
	}
	src_root(out);
	buf_adds(out, "/../shared");
}

static int fmt_text(wctx *cx, const char *text, const wfmt_opts *o, wbuf *out)
{
	wdiags d;
	diags_init(&d);
	wpolicyset ps;
	policyset_init(&ps);
	int n = format_source(cx, &ps, "<test>", text, strlen(text), o, out, &d);
	if (n)
		diags_print(&d, stderr);
	diags_release(&d);
	policyset_release(&ps);
	return n;
}

static char *fmt_s(const char *text)
{
	wctx cx;
	ctx_init(&cx);
	wbuf out = WBUF_INIT;
	int n = fmt_text(&cx, text, NULL, &out);
	ctx_release(&cx);
	cr_assert_eq(n, 0, "'%s' should parse", text);
	return buf_detach(&out);
}

/* ---- golden layouts ---- */

static const char *const goldens[] = {"basic", "comments", "long", "strings", "templates", "has"};

Test(format, golden_files)
{
	wbuf root = WBUF_INIT;
	src_root(&root);
	for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++) {
		wbuf in = WBUF_INIT, ex = WBUF_INIT;
		buf_printf(&in, "%s/tests/golden/format/%s.cedar", root.p, goldens[i]);
		buf_printf(&ex, "%s/tests/golden/format/%s.expected", root.p, goldens[i]);
		size_t n1, n2;
		char *src = slurp(in.p, &n1), *want = slurp(ex.p, &n2);
		cr_assert(src && want, "golden files for '%s' are missing", goldens[i]);
		char *got = fmt_s(src);
		cr_expect_str_eq(got, want, "layout of '%s' differs:\n--- got ---\n%s--- want ---\n%s", goldens[i], got,
				 want);
		char *again = fmt_s(want);
		cr_expect_str_eq(again, want, "'%s.expected' is not a fixed point", goldens[i]);
		free(got);
		free(again);
		free(src);
		free(want);
		buf_release(&in);
		buf_release(&ex);
	}
	buf_release(&root);
}

Test(format, empty_and_comment_only)
{
	char *a = fmt_s("");
	cr_assert_str_eq(a, "");
	free(a);
	a = fmt_s("   \n\n");
	cr_assert_str_eq(a, "");
	free(a);
	a = fmt_s("// just a comment   \n// and another\n");
	cr_assert_str_eq(a, "// just a comment\n// and another\n");
	free(a);
}

Test(format, blank_line_between_policies_only)
{
	char *a = fmt_s("permit(principal,action,resource);\n\n\n\nforbid(principal,action,resource);");
	cr_assert_str_eq(a, "permit (principal, action, resource);\n\nforbid (principal, action, resource);\n");
	free(a);
}

Test(format, line_width_and_indent)
{
	const char *src = "permit(principal, action, resource) when { principal.a == 1 && principal.b == 2 };";
	wctx cx;
	ctx_init(&cx);
	wfmt_opts o = {80, 2};
	wbuf out = WBUF_INIT;
	cr_assert_eq(fmt_text(&cx, src, &o, &out), 0);
	cr_assert_str_eq(out.p, "permit (principal, action, resource)\nwhen { principal.a == 1 && principal.b == 2 };\n");
	buf_clear(&out);
	o.line_width = 40;
	o.indent = 4;
	cr_assert_eq(fmt_text(&cx, src, &o, &out), 0);
	cr_assert_str_eq(out.p, "permit (principal, action, resource)\nwhen\n{\n    principal.a == 1 && principal.b == 2\n};\n");
	buf_clear(&out);
	o.line_width = 30;
	cr_assert_eq(fmt_text(&cx, src, &o, &out), 0);
	cr_assert_str_eq(out.p, "permit (principal,\n    action,\n    resource)\nwhen\n{\n    principal.a == 1 &&\n"
				"    principal.b == 2\n};\n");
	buf_release(&out);
	ctx_release(&cx);
}

Test(format, parentheses_from_precedence)
{
	char *a = fmt_s("permit(principal,action,resource) when { ((1 + 2) * 3 == 9) && (principal in (Group::\"a\")) "
			"&& (1 - (2 - 3)) == 2 && !(true && false) && -(principal.x) == 1 && (if true then 1 else 2) + 1 "
			"== 2 };");
	cr_assert_str_eq(a, "permit (principal, action, resource)\nwhen\n{\n  (1 + 2) * 3 == 9 &&\n"
			    "  principal in Group::\"a\" &&\n  1 - (2 - 3) == 2 &&\n  !(true && false) &&\n"
			    "  -principal.x == 1 &&\n  (if true then 1 else 2) + 1 == 2\n};\n",
			 "got:\n%s", a);
	free(a);
}

Test(format, long_chain_one_operand_per_line)
{
	wbuf src = WBUF_INIT;
	buf_adds(&src, "permit(principal,action,resource) when { true");
	for (int i = 0; i < 200; i++)
		buf_adds(&src, " && principal.a == 1");
	buf_adds(&src, " };");
	char *a = fmt_s(src.p);
	char *b = fmt_s(a);
	cr_assert_str_eq(a, b);
	unsigned lines = 0;
	for (const char *c = a; *c; c++)
		lines += *c == '\n';
	cr_assert_eq(lines, 201 + 4, "one operand per line:\n%s", a);
	free(a);
	free(b);
	buf_release(&src);
}

Test(format, idempotent_on_tricky_comments)
{
	const char *src = "@a(\"x\") // c1\n// c2\npermit // c3\n( // c4\n principal // c5\n , action, resource "
			  "// c6\n) // c7\nwhen // c8\n{ // c9\n [1, // c10\n 2] // c11\n.contains(1) // c12\n} // c13\n"
			  "; // c14\n// c15\n";
	char *a = fmt_s(src);
	char *b = fmt_s(a);
	cr_assert_str_eq(a, b, "not idempotent:\n%s\n---\n%s", a, b);
	for (int i = 1; i <= 15; i++) {
		char tag[16];
		snprintf(tag, sizeof tag, "// c%d\n", i);
		cr_expect(strstr(a, tag) != NULL, "comment c%d lost:\n%s", i, a);
	}
	free(a);
	free(b);
}

Test(format, syntax_error_writes_nothing)
{
	wctx cx;
	ctx_init(&cx);
	wbuf out = WBUF_INIT;
	wdiags d;
	diags_init(&d);
	const char *bad = "permit(principal, action resource);";
	wpolicyset ps;
	policyset_init(&ps);
	int n = format_source(&cx, &ps, "bad.cedar", bad, strlen(bad), NULL, &out, &d);
	cr_assert_gt(n, 0);
	cr_assert_eq(out.n, 0);
	wbuf r = WBUF_INIT;
	diags_render(&d, &r);
	cr_assert(strstr(r.p, "bad.cedar:1:") != NULL, "diagnostic names the file and line: %s", r.p);
	buf_release(&r);
	diags_release(&d);
	policyset_release(&ps);
	buf_release(&out);
	ctx_release(&cx);
}

Test(format, cedar_string_escapes)
{
	wbuf b = WBUF_INIT;
	format_cedar_str(&b, "a\"b\\c\n\t\r\0\x01\x7f\xc3\xa9", 13);
	cr_assert_str_eq(b.p, "\"a\\\"b\\\\c\\n\\t\\r\\0\\u{1}\\u{7f}\xc3\xa9\"");
	buf_release(&b);
	cr_assert(format_is_ident("abc_1", 5));
	cr_assert(!format_is_ident("1abc", 4));
	cr_assert(!format_is_ident("if", 2));
	cr_assert(!format_is_ident("", 0));
	cr_assert(!format_is_ident("a b", 3));
}

/* ---- sweep over the reference tests and corpus ---- */

typedef struct sweep {
	wctx cx;
	unsigned files, unparsable, fmt_ok, idem_ok, json_ok, auth_files, auth_requests, auth_diff;
	unsigned schemas, schema_unparsable, schema_ok;
	unsigned val_policy_files, val_schema_files, val_diff;
	unsigned fails;
	unsigned nul_keys; /* JSON object keys with NUL bytes: jansson cannot read them */
	wbuf msgs;
} sweep;

static void note_fail(sweep *s, const char *file, const char *what, const char *why)
{
	if (why && (strstr(why, "NUL byte in object key") || strstr(why, "\\u0000 is not allowed"))) {
		s->nul_keys++;
		return;
	}
	s->fails++;
	if (s->fails <= 10)
		buf_printf(&s->msgs, "  %s: %s%s%s\n", file, what, why && *why ? ": " : "", why ? why : "");
}

/* Validation verdicts (errors per policy) of `ps` under `sc`. */
static void verdicts(sweep *s, const wschema *sc, const wpolicyset *ps, wbuf *out)
{
	wvalidation v;
	validation_init(&v);
	wvalidate_opts o = WVALIDATE_OPTS_DEFAULT;
	validate_policyset(&s->cx, sc, ps, &o, &v);
	for (uint32_t i = 0; i < v.npolicies; i++)
		buf_printf(out, "%u:%u ", i, v.policies[i].nerrors);
	validation_release(&v);
}

/* Same validation verdicts for the round-tripped policies `b` and for `a`
 * under the schema written as JSON and then as text. */
static void compare_verdicts(sweep *s, const char *path, const wschema *sc, const wpolicyset *a, const wpolicyset *b)
{
	wbuf va = WBUF_INIT, vb = WBUF_INIT, vc = WBUF_INIT, js = WBUF_INIT, ts = WBUF_INIT;
	verdicts(s, sc, a, &va);
	verdicts(s, sc, b, &vb);
	s->val_policy_files++;
	if (strcmp(va.p ? va.p : "", vb.p ? vb.p : "") != 0) {
		s->val_diff++;
		note_fail(s, path, "round-tripped policies validate differently", vb.p);
	}
	wschema s2, s3;
	schema_init(&s2);
	schema_init(&s3);
	wdiags d;
	diags_init(&d);
	schema_print_json(sc, &js);
	if (schema_parse_json(&s->cx, &s2, "json", js.p, js.n, &d) == 0) {
		schema_print_text(&s2, &ts);
		if (schema_parse_text(&s->cx, &s3, "text", ts.p ? ts.p : "", ts.n, &d) == 0) {
			verdicts(s, &s3, a, &vc);
			s->val_schema_files++;
			if (strcmp(va.p ? va.p : "", vc.p ? vc.p : "") != 0) {
				s->val_diff++;
				note_fail(s, path, "policies validate differently under the translated schema", vc.p);
			}
		}
	}
	diags_release(&d);
	schema_release(&s2);
	schema_release(&s3);
	buf_release(&va);
	buf_release(&vb);
	buf_release(&vc);
	buf_release(&js);
	buf_release(&ts);
}

/* Decides every request of conformance test `json` against `a` and `b`;
 * counts differences. */
static void compare_answers(sweep *s, const char *dir, const char *json_path, const wpolicyset *a,
			    const wpolicyset *b)
{
	size_t n;
	char *txt = slurp(json_path, &n);
	if (!txt)
		return;
	json_t *t = json_loadb(txt, n, JSON_ALLOW_NUL, NULL);
	free(txt);
	if (!t)
		return;
	wschema sc;
	schema_init(&sc);
	wentities es;
	entities_init(&es);
	wdiags d;
	diags_init(&d);
	bool have_schema = false;
	const json_t *sp = json_object_get(t, "schema");
	if (json_is_string(sp)) {
		wbuf p = WBUF_INIT;
		buf_printf(&p, "%s/%s", dir, json_string_value(sp));
		char *stxt = slurp(p.p, &n);
		if (stxt && schema_parse(&s->cx, &sc, p.p, stxt, n, &d) == 0)
			have_schema = true;
		free(stxt);
		buf_release(&p);
	}
	if (have_schema)
		compare_verdicts(s, json_path, &sc, a, b);
	const json_t *ep = json_object_get(t, "entities");
	bool ents_ok = false;
	if (json_is_string(ep)) {
		wbuf p = WBUF_INIT;
		buf_printf(&p, "%s/%s", dir, json_string_value(ep));
		char *etxt = slurp(p.p, &n);
		if (etxt)
			ents_ok = entities_load_json(&s->cx, &es, have_schema ? &sc : NULL, p.p, etxt, n, &d) == 0;
		free(etxt);
		buf_release(&p);
	}
	const json_t *reqs = json_object_get(t, "requests");
	if (ents_ok && json_is_array(reqs)) {
		s->auth_files++;
		warena tmp;
		arena_init(&tmp);
		for (size_t i = 0; i < json_array_size(reqs); i++) {
			const json_t *r = json_array_get(reqs, i);
			json_t *q = json_object();
			const char *keys[] = {"principal", "action", "resource", "context"};
			for (int k = 0; k < 4; k++)
				if (json_object_get(r, keys[k]))
					json_object_set(q, keys[k], json_object_get(r, keys[k]));
			wrequest req;
			wbuf err = WBUF_INIT;
			if (request_from_json(&s->cx, &tmp, q, NULL, &req, &err) == 0) {
				wresponse ra, rb;
				authz_decide(&s->cx, a, &es, &req, &tmp, &ra);
				authz_decide(&s->cx, b, &es, &req, &tmp, &rb);
				s->auth_requests++;
				bool same = ra.allow == rb.allow && ra.nreasons == rb.nreasons && ra.nerrors == rb.nerrors;
				for (uint32_t k = 0; same && k < ra.nreasons; k++)
					same = strcmp(ra.reasons[k]->id, rb.reasons[k]->id) == 0;
				if (!same) {
					s->auth_diff++;
					note_fail(s, json_path, "round-tripped policies answer a request differently", NULL);
				}
			}
			buf_release(&err);
			json_decref(q);
			arena_reset(&tmp);
		}
		arena_release(&tmp);
	}
	diags_release(&d);
	entities_release(&es);
	schema_release(&sc);
	json_decref(t);
}

static void sweep_policy_file(sweep *s, const char *dir, const char *path, const char *test_json)
{
	size_t n;
	char *txt = slurp(path, &n);
	if (!txt)
		return;
	s->files++;
	wdiags d;
	diags_init(&d);
	wpolicyset p1, p2, p3, p4;
	policyset_init(&p1);
	policyset_init(&p2);
	policyset_init(&p3);
	policyset_init(&p4);
	wbuf f1 = WBUF_INIT, f2 = WBUF_INIT, j = WBUF_INIT, t = WBUF_INIT, why = WBUF_INIT;
	if (parse_policies(&s->cx, &p1, path, txt, n, &d) != 0) {
		s->unparsable++;
		goto out;
	}
	format_policyset(&p1, NULL, &f1);
	if (parse_policies(&s->cx, &p2, "formatted", f1.p ? f1.p : "", f1.n, &d) != 0) {
		note_fail(s, path, "formatted text does not parse", f1.p);
	} else if (!aeq_policyset(&p1, &p2, true, &why)) {
		note_fail(s, path, "formatted text parses to different policies", why.p);
	} else {
		s->fmt_ok++;
		format_policyset(&p2, NULL, &f2);
		if (f1.n == f2.n && (f1.n == 0 || memcmp(f1.p, f2.p, f1.n) == 0))
			s->idem_ok++;
		else
			note_fail(s, path, "format is not idempotent", NULL);
	}
	policyset_json_print(&p1, &j);
	buf_clear(&why);
	if (policyset_parse_json(&s->cx, &p3, "json", j.p, j.n, &d) != 0) {
		note_fail(s, path, "JSON form does not read back", d.n ? d.items[d.n - 1].msg : NULL);
	} else if (!aeq_policyset(&p1, &p3, true, &why)) {
		note_fail(s, path, "JSON form reads back as different policies", why.p);
	} else {
		format_policyset(&p3, NULL, &t);
		if (parse_policies(&s->cx, &p4, "json-to-cedar", t.p ? t.p : "", t.n, &d) != 0) {
			note_fail(s, path, "JSON -> text does not parse", t.p);
		} else if (!aeq_policyset(&p1, &p4, false, &why)) {
			note_fail(s, path, "text -> JSON -> text changes the policies", why.p);
		} else {
			s->json_ok++;
			if (test_json)
				compare_answers(s, dir, test_json, &p1, &p4);
		}
	}
out:
	buf_release(&f1);
	buf_release(&f2);
	buf_release(&j);
	buf_release(&t);
	buf_release(&why);
	policyset_release(&p1);
	policyset_release(&p2);
	policyset_release(&p3);
	policyset_release(&p4);
	diags_release(&d);
	free(txt);
}

/* A conformance test file: its "policies" (relative to `base`) are swept
 * and its requests compared. */
static void sweep_test_json(sweep *s, const char *base, const char *json_path)
{
	size_t n;
	char *txt = slurp(json_path, &n);
	if (!txt)
		return;
	json_t *t = json_loadb(txt, n, JSON_ALLOW_NUL, NULL);
	free(txt);
	const json_t *pp = t ? json_object_get(t, "policies") : NULL;
	if (json_is_string(pp)) {
		wbuf p = WBUF_INIT;
		buf_printf(&p, "%s/%s", base, json_string_value(pp));
		sweep_policy_file(s, base, p.p, json_path);
		buf_release(&p);
	}
	json_decref(t);
}

static void sweep_schema_file(sweep *s, const char *path)
{
	size_t n;
	char *txt = slurp(path, &n);
	if (!txt)
		return;
	s->schemas++;
	wdiags d;
	diags_init(&d);
	wschema s1, s2, s3;
	schema_init(&s1);
	schema_init(&s2);
	schema_init(&s3);
	wbuf js = WBUF_INIT, ts = WBUF_INIT, why = WBUF_INIT;
	if (schema_parse(&s->cx, &s1, path, txt, n, &d) != 0) {
		s->schema_unparsable++;
		goto out;
	}
	schema_print_json(&s1, &js);
	if (schema_parse_json(&s->cx, &s2, "json", js.p, js.n, &d) != 0) {
		note_fail(s, path, "printed JSON schema does not parse", d.n ? d.items[d.n - 1].msg : NULL);
		goto out;
	}
	if (!aeq_schema(&s1, &s2, &why)) {
		note_fail(s, path, "JSON schema differs", why.p);
		goto out;
	}
	schema_print_text(&s2, &ts);
	if (schema_parse_text(&s->cx, &s3, "text", ts.p ? ts.p : "", ts.n, &d) != 0) {
		note_fail(s, path, "printed text schema does not parse", d.n ? d.items[d.n - 1].msg : NULL);
		goto out;
	}
	if (!aeq_schema(&s1, &s3, &why)) {
		note_fail(s, path, "text -> JSON -> text schema differs", why.p);
		goto out;
	}
	s->schema_ok++;
out:
	buf_release(&js);
	buf_release(&ts);
	buf_release(&why);
	schema_release(&s1);
	schema_release(&s2);
	schema_release(&s3);
	diags_release(&d);
	free(txt);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every file in `dir` (sorted). */
static char **list_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	*n = 0;
	if (!d)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof *v);
		}
		v[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof *v, name_cmp);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the extracted corpus: the conformance runner's copy when present,
 * else our own extraction under the current (build) directory. */
static bool corpus_dir(const char *shared, wbuf *out)
{
	if (is_dir("conformance/corpus/corpus-tests")) {
		buf_adds(out, "conformance/corpus");
		return true;
	}
	if (!is_dir("format-corpus/corpus-tests")) {
		wbuf cmd = WBUF_INIT;
		buf_printf(&cmd, "mkdir -p format-corpus && tar -xzf '%s/cedar/conformance/corpus-tests.tar.gz' -C format-corpus",
			   shared);
		int rc = system(cmd.p);
		buf_release(&cmd);
		if (rc != 0 || !is_dir("format-corpus/corpus-tests"))
			return false;
	}
	buf_adds(out, "format-corpus");
	return true;
}

Test(format, sweep_conformance_and_corpus, .timeout = 900)
{
	wbuf shared = WBUF_INIT;
	shared_dir(&shared);
	wbuf conf = WBUF_INIT;
	buf_printf(&conf, "%s/cedar/conformance", shared.p);
	if (!is_dir(conf.p)) {
		fprintf(stderr, "format sweep: '%s' is absent: skipped\n", conf.p);
		buf_release(&conf);
		buf_release(&shared);
		/* criterion's skip makes the run exit non-zero: report and return */
		return;
	}
	sweep s;
	memset(&s, 0, sizeof s);
	ctx_init(&s.cx);

	/* handwritten integration tests: tests/<family>/N.json name their policies */
	wbuf tdir = WBUF_INIT;
	buf_printf(&tdir, "%s/tests", conf.p);
	size_t nf;
	char **fams = list_dir(tdir.p, &nf);
	for (size_t i = 0; i < nf; i++) {
		wbuf fd = WBUF_INIT;
		buf_printf(&fd, "%s/%s", tdir.p, fams[i]);
		size_t nfile;
		char **files = list_dir(fd.p, &nfile);
		for (size_t k = 0; k < nfile; k++) {
			if (!has_suffix(files[k], ".json"))
				continue;
			wbuf jp = WBUF_INIT;
			buf_printf(&jp, "%s/%s", fd.p, files[k]);
			sweep_test_json(&s, conf.p, jp.p);
			buf_release(&jp);
		}
		free_list(files, nfile);
		buf_release(&fd);
	}
	free_list(fams, nf);
	buf_release(&tdir);

	wbuf sd = WBUF_INIT;
	buf_printf(&sd, "%s/sample-data", conf.p);
	char **sds = list_dir(sd.p, &nf);
	for (size_t i = 0; i < nf; i++) {
		wbuf fd = WBUF_INIT;
		buf_printf(&fd, "%s/%s", sd.p, sds[i]);
		size_t nfile;
		char **files = list_dir(fd.p, &nfile);
		for (size_t k = 0; k < nfile; k++) {
			wbuf p = WBUF_INIT;
			buf_printf(&p, "%s/%s", fd.p, files[k]);
			if (has_suffix(files[k], ".cedarschema"))
				sweep_schema_file(&s, p.p);
			buf_release(&p);
		}
		free_list(files, nfile);
		buf_release(&fd);
	}
	free_list(sds, nf);
	buf_release(&sd);

	unsigned hand = s.files;
	wbuf cd = WBUF_INIT;
	if (corpus_dir(shared.p, &cd)) {
		wbuf ct = WBUF_INIT;
		buf_printf(&ct, "%s/corpus-tests", cd.p);
		size_t nfile;
		char **files = list_dir(ct.p, &nfile);
		for (size_t k = 0; k < nfile; k++) {
			wbuf p = WBUF_INIT;
			buf_printf(&p, "%s/%s", ct.p, files[k]);
			if (has_suffix(files[k], ".cedar")) {
				/* by file, not through the test JSON, which jansson cannot
				 * always read (NUL bytes in keys) */
				wbuf jp = WBUF_INIT;
				buf_printf(&jp, "%s/%.*s.json", ct.p, (int)(strlen(files[k]) - 6), files[k]);
				sweep_policy_file(&s, cd.p, p.p, jp.p);
				buf_release(&jp);
			} else if (has_suffix(files[k], ".cedarschema")) {
				sweep_schema_file(&s, p.p);
			}
			buf_release(&p);
		}
		free_list(files, nfile);
		buf_release(&ct);
	} else {
		fprintf(stderr, "format sweep: the corpus archive could not be extracted; sweeping the handwritten tests only\n");
	}
	buf_release(&cd);

	fprintf(stderr,
		"formats sweep: %u policy files (%u handwritten, %u unparsable): format keeps policies %u, "
		"idempotent %u, text->JSON->text keeps policies %u; answers compared on %u requests of %u test "
		"files, %u differ; %u schemas (%u unparsable): text->JSON->text equal %u; not representable in "
		"jansson (NUL in a JSON object key) %u; validation verdicts compared for %u policy files and %u "
		"translated schemas, %u differ; failures %u\n",
		s.files, hand, s.unparsable, s.fmt_ok, s.idem_ok, s.json_ok, s.auth_requests, s.auth_files,
		s.auth_diff, s.schemas, s.schema_unparsable, s.schema_ok, s.nul_keys, s.val_policy_files, s.val_schema_files, s.val_diff, s.fails);
	if (s.msgs.n)
		fprintf(stderr, "first failures:\n%s", s.msgs.p);
	cr_expect_gt(s.files, 0, "no policy files found under '%s'", conf.p);
	cr_expect_eq(s.fails, 0, "%u sweep failures (see stderr)", s.fails);
	cr_expect_eq(s.fmt_ok, s.files - s.unparsable);
	cr_expect_eq(s.idem_ok, s.fmt_ok);
	cr_expect_eq(s.json_ok + s.schema_ok + s.nul_keys, s.files - s.unparsable + s.schemas - s.schema_unparsable);
	buf_release(&s.msgs);
	ctx_release(&s.cx);
	buf_release(&conf);
	buf_release(&shared);
}
