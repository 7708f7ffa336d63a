/* validate_check: checks the validator against the `shouldValidate` field
 * of the Cedar integration tests.
 *
 *   validate_check [-v] ROOT DIR...    every DIR/ *.json under ROOT, and those
 *                                      of DIR's subdirectories
 *   validate_check [-v] ROOT -f FILE... the named test files (relative to ROOT)
 *
 * Exits 77 (skipped, for ctest) when ROOT does not exist: the reference
 * material lives outside the repository.
 * Each test names its policies and schema relative to ROOT. A test agrees
 * when "the set validates with no errors" equals shouldValidate. Tests
 * whose policies or schema do not parse are counted separately (they are
 * the parsers' business). Exit status 0 when every test agrees.
 */
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/ctx.h"
#include "cedar/parser.h"
#include "cedar/schema.h"
#include "cedar/validate.h"
#include "util/buf.h"
#include "util/diag.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	wbuf b = WBUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	*len = b.n;
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

struct stats {
	unsigned agree, disagree, unparsable, missing;
	unsigned false_pos, false_neg; /* we reject a valid set / accept an invalid one */
};

static int verbose;

/* jansson rejects NUL bytes in object keys, which some generated tests
 * have in their requests; the three fields needed here come first, so
 * fall back to reading just those. */
static json_t *load_header(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	if (!text)
		return NULL;
	char *req = strstr(text, "\"requests\"");
	if (req)
		*req = '\0';
	json_t *o = json_object();
	static const char *const keys[] = {"policies", "schema"};
	for (int k = 0; k < 2; k++) {
		wbuf pat = WBUF_INIT;
		buf_printf(&pat, "\"%s\": \"", keys[k]);
		char *p = strstr(text, pat.p);
		if (p) {
			p += pat.n;
			char *e = strchr(p, '"');
			if (e)
				json_object_set_new(o, keys[k], json_stringn(p, (size_t)(e - p)));
		}
		buf_release(&pat);
	}
	char *sv = strstr(text, "\"shouldValidate\": ");
	if (sv) {
		sv += strlen("\"shouldValidate\": ");
		json_object_set_new(o, "shouldValidate", json_boolean(strncmp(sv, "true", 4) == 0));
	}
	free(text);
	return o;
}

static void run_test(const char *root, const char *rel, struct stats *st)
{
	wbuf path = WBUF_INIT;
	buf_printf(&path, "%s/%s", root, rel);
	json_error_t jerr;
	json_t *t = json_load_file(path.p, JSON_ALLOW_NUL, &jerr);
	if (!t)
		t = load_header(path.p);
	buf_release(&path);
	if (!t) {
		st->missing++;
		fprintf(stderr, "%s: cannot read test: %s\n", rel, jerr.text);
		return;
	}
	json_t *sv = json_object_get(t, "shouldValidate");
	const char *pol = json_string_value(json_object_get(t, "policies"));
	const char *sch = json_string_value(json_object_get(t, "schema"));
	if (!json_is_boolean(sv) || !pol || !sch) {
		st->missing++;
		json_decref(t);
		return;
	}
	bool expect = json_is_true(sv);
	wbuf pp = WBUF_INIT, sp = WBUF_INIT;
	buf_printf(&pp, "%s/%s", root, pol);
	buf_printf(&sp, "%s/%s", root, sch);
	size_t plen = 0, slen = 0;
	char *ptext = read_file(pp.p, &plen), *stext = read_file(sp.p, &slen);
	if (!ptext || !stext) {
		st->missing++;
		fprintf(stderr, "%s: missing %s or %s\n", rel, pp.p, sp.p);
		goto out;
	}
	wctx cx;
	ctx_init(&cx);
	wdiags d;
	diags_init(&d);
	wschema s;
	schema_init(&s);
	wpolicyset ps;
	policyset_init(&ps);
	int se = schema_parse(&cx, &s, sch, stext, slen, &d);
	int pe = parse_policies(&cx, &ps, pol, ptext, plen, &d);
	if (se || pe) {
		st->unparsable++;
		if (verbose) {
			fprintf(stderr, "%s: does not parse (expected %s)\n", rel, expect ? "valid" : "invalid");
			diags_print(&d, stderr);
		}
	} else {
		wvalidation v;
		validation_init(&v);
		wvalidate_opts o = WVALIDATE_OPTS_DEFAULT;
		validate_policyset(&cx, &s, &ps, &o, &v);
		bool valid = v.nerrors == 0;
		if (valid == expect) {
			st->agree++;
		} else {
			st->disagree++;
			if (valid)
				st->false_neg++;
			else
				st->false_pos++;
			fprintf(stderr, "DISAGREE %s: expected %s, got %s\n", rel, expect ? "valid" : "invalid",
				valid ? "valid" : "invalid");
			if (verbose) {
				wdiags vd;
				diags_init(&vd);
				validation_to_diags(&v, &vd);
				diags_print(&vd, stderr);
				diags_release(&vd);
			}
		}
		validation_release(&v);
	}
	policyset_release(&ps);
	schema_release(&s);
	diags_release(&d);
	ctx_release(&cx);
out:
	free(ptext);
	free(stext);
	buf_release(&pp);
	buf_release(&sp);
	json_decref(t);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *root, const char *dir, struct stats *st)
{
	wbuf p = WBUF_INIT;
	buf_printf(&p, "%s/%s", root, dir);
	DIR *d = opendir(p.p);
	if (!d) {
		fprintf(stderr, "cannot open %s\n", p.p);
		st->missing++;
		buf_release(&p);
		return;
	}
	char **names = NULL, **subs = NULL;
	size_t n = 0, cap = 0, nsub = 0, csub = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] != '.') {
			wbuf full = WBUF_INIT;
			struct stat sb;
			buf_printf(&full, "%s/%s", p.p, de->d_name);
			if (stat(full.p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
				if (nsub == csub) {
					csub = csub ? csub * 2 : 16;
					subs = realloc(subs, csub * sizeof *subs);
				}
				wbuf r = WBUF_INIT;
				buf_printf(&r, "%s/%s", dir, de->d_name);
				subs[nsub++] = buf_detach(&r);
				buf_release(&full);
				continue;
			}
			buf_release(&full);
		}
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		if (l > 14 && strcmp(de->d_name + l - 14, ".entities.json") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = realloc(names, cap * sizeof *names);
		}
		wbuf r = WBUF_INIT;
		buf_printf(&r, "%s/%s", dir, de->d_name);
		names[n++] = buf_detach(&r);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		run_test(root, names[i], st);
		free(names[i]);
	}
	free(names);
	if (nsub)
		qsort(subs, nsub, sizeof *subs, cmp_str);
	for (size_t i = 0; i < nsub; i++) {
		run_dir(root, subs[i], st);
		free(subs[i]);
	}
	free(subs);
	buf_release(&p);
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "-v") == 0) {
		verbose = 1;
		i++;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: validate_check [-v] ROOT DIR... | ROOT -f FILE...\n");
		return 2;
	}
	const char *root = argv[i++];
	struct stat rs;
	if (stat(root, &rs) != 0 || !S_ISDIR(rs.st_mode)) {
		printf("skipped: '%s' does not exist (the reference tests live outside the repository)\n", root);
		return 77;
	}
	struct stats st = {0};
	if (strcmp(argv[i], "-f") == 0) {
		for (i++; i < argc; i++)
			run_test(root, argv[i], &st);
	} else {
		for (; i < argc; i++)
			run_dir(root, argv[i], &st);
	}
	unsigned total = st.agree + st.disagree;
	printf("shouldValidate: %u/%u agree (%u rejected valid, %u accepted invalid), %u unparsable, %u unreadable\n",
	       st.agree, total, st.false_pos, st.false_neg, st.unparsable, st.missing);
	return st.disagree || st.missing || st.unparsable ? 1 : 0;
}
