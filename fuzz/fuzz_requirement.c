/* fuzz_requirement: requirement files (requirement.h) and model replies.
 *
 * The first byte picks the mode: bit 0 reads the rest as a model's reply
 * (model_check_reply, then req_load untrusted with the front matter given
 * by the person), otherwise as a hand-written requests/ file. Each input is
 * loaded against the fixture repository (fuzz_repo.h). A requirement that
 * loads is printed as YAML, which must load back (hand-written mode), then
 * drafted from the fixture catalog; a draft must parse and be an instance
 * of the template it came from. Its generated tests are made and run
 * against the fixture policies. A violation aborts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_repo.h"
#include "govern/draft.h"
#include "govern/match.h"
#include "govern/model.h"
#include "govern/requirement.h"
#include "govern/testrun.h"

static void fail(const char *what, const wdiags *d, const wbuf *text)
{
	wbuf m = WBUF_INIT;
	if (d)
		diags_render(d, &m);
	fprintf(stderr, "fuzz_requirement: %s\n%.*s\n%.*s\n", what, (int)m.n, m.p ? m.p : "", text ? (int)text->n : 0,
		text ? text->p : "");
	abort();
}

static void render(const wdiags *d)
{
	wbuf b = WBUF_INIT;
	diags_render(d, &b);
	buf_release(&b);
}

static void use(fuzz_repo *fr, const requirement *rq, bool reload)
{
	repo *r = &fr->r;
	wdiags d;
	diags_init(&d);
	if (reload) {
		wbuf y = WBUF_INIT;
		req_print_yaml(rq, &y);
		requirement back;
		if (req_load(&back, r, "printed.yaml", y.p ? y.p : "", y.n, NULL, false, &d) != 0)
			fail("the printed requirement does not load back", &d, &y);
		req_release(&back);
		buf_release(&y);
	}

	draft_opts o = {NULL, rq->requested_by};
	wbuf out = WBUF_INIT;
	const tmpl *used = NULL;
	if (draft_make(r, &fr->c, rq, &o, &out, &used, &d) == 0) {
		wpolicyset ps;
		policyset_init(&ps);
		if (parse_policies(&r->cx, &ps, "draft.cedar", out.p ? out.p : "", out.n, &d) != 0 || ps.n != 1)
			fail("a draft does not parse to one policy", &d, &out);
		match_result m;
		wbuf why = WBUF_INIT;
		if (match_catalog(r, &fr->c, ps.items[0], &m, &why) != 0 || m.t != used) {
			fprintf(stderr, "match: %s\n", why.p ? why.p : "");
			fail("a draft is not an instance of its template", NULL, &out);
		}
		match_result_release(&m);
		buf_release(&why);
		policyset_release(&ps);
	}
	buf_release(&out);

	wtrun t;
	testrun_init(&t, &r->cx, &fr->ps, &r->schema, &r->ents);
	testrun_generate(&t, r, rq, "requests/fuzz.yaml");
	testrun_run(&t, true);
	wbuf rep = WBUF_INIT;
	testrun_report_text(&t, true, &rep);
	testrun_report_json(&t, true, &rep);
	buf_release(&rep);
	testrun_release(&t);
	diags_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_repo *fr = fuzz_repo_get();
	bool model = data[0] & 1;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	wdiags d;
	diags_init(&d);
	requirement rq;
	if (model) {
		static const req_overrides ov = {"REQ-9", "T-9", "asked in chat", "bob@example.com", "pay"};
		if (model_check_reply(text, len, &d) == 0) {
			if (req_load(&rq, &fr->r, "model reply", text, len, &ov, true, &d) == 0)
				use(fr, &rq, false);
			render(&d);
			req_release(&rq);
		}
	} else {
		if (req_load(&rq, &fr->r, "requests/fuzz.yaml", text, len, NULL, false, &d) == 0)
			use(fr, &rq, true);
		render(&d); /* the diagnostics point into the requirement */
		req_release(&rq);
	}
	render(&d);
	diags_release(&d);
	return 0;
}
