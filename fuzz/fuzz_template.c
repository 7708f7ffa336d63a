/* fuzz_template: template files (template.h).
 *
 * The input is a templates/ *.cedar file, loaded against the fixture
 * repository (fuzz_repo.h); loading parses the annotations and `$NAME`
 * parameters, renders sample values and validates the result. A template
 * that loads is used to draft fixed requirements (loaded once): each draft
 * must parse and match the template back. The rendering of every binding a
 * draft fills is what ward commits, so a violation aborts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_repo.h"
#include "govern/draft.h"
#include "govern/match.h"
#include "govern/requirement.h"

static const char *const reqs[] = {
	"id: R-1\nticket: T-1\njustification: export invoices monthly\nrequested_by: bob@example.com\n"
	"owner: pay\nkind: grant\nsubject: {entity: 'ServiceAccount::\"exp\"'}\nactions: [read]\n"
	"resource: {in: 'Bucket::\"inv-prod\"'}\nenvironment: prod\n"
	"constraints:\n  source_networks: [10.20.0.0/16]\n  time_window: {start: \"01:00\", end: \"05:00\"}\n",
	"id: R-2\nticket: T-2\njustification: deploy the web service\nrequested_by: bob@example.com\n"
	"owner: pay\nkind: grant\nsubject: {entity: 'CiJob::\"ci\"'}\nactions: [deploy]\n"
	"resource: {entity: 'DeployTarget::\"web\"'}\nenvironment: dev\nconstraints: {mfa: true}\n",
	"id: R-3\nticket: T-3\njustification: team reads the bucket\nrequested_by: bob@example.com\n"
	"owner: pay\nkind: exception\nsubject: {in: 'Team::\"pay\"'}\nactions: [read, list]\n"
	"resource: {type: Object, in: 'Bucket::\"tmp-dev\"'}\nenvironment: dev\n"
	"constraints: {expires: 2027-01-31T00:00:00Z}\n",
};
#define NREQS (sizeof reqs / sizeof reqs[0])

static requirement R[NREQS];

static fuzz_repo *setup(void)
{
	static bool ready;
	fuzz_repo *fr = fuzz_repo_get();
	if (ready)
		return fr;
	ready = true;
	for (size_t i = 0; i < NREQS; i++) {
		wdiags d;
		diags_init(&d);
		if (req_load(&R[i], &fr->r, "requests/r.yaml", reqs[i], strlen(reqs[i]), NULL, false, &d) != 0) {
			diags_print(&d, stderr);
			abort();
		}
		diags_release(&d);
	}
	return fr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_repo *fr = setup();
	repo *r = &fr->r;
	wdiags d;
	diags_init(&d);
	tmpl t;
	if (tmpl_load(&t, r, "templates/fuzz.cedar", (const char *)data, size, &d) == 0) {
		tcatalog c;
		memset(&c, 0, sizeof c);
		c.items = &t;
		c.n = 1;
		for (size_t i = 0; i < NREQS; i++) {
			draft_opts o = {t.id, R[i].requested_by};
			wbuf out = WBUF_INIT;
			const tmpl *used = NULL;
			wdiags dd;
			diags_init(&dd);
			if (draft_make(r, &c, &R[i], &o, &out, &used, &dd) == 0) {
				wpolicyset ps;
				policyset_init(&ps);
				wbuf why = WBUF_INIT;
				match_result m;
				if (parse_policies(&r->cx, &ps, "draft.cedar", out.p ? out.p : "", out.n, &dd) != 0 ||
				    ps.n != 1) {
					diags_print(&dd, stderr);
					fprintf(stderr, "fuzz_template: a draft does not parse\n%.*s\n", (int)out.n, out.p);
					abort();
				}
				if (match_template(r, &t, ps.items[0], &m, &why) != 0) {
					fprintf(stderr, "fuzz_template: a draft does not match its template: %s\n%.*s\n",
						why.p ? why.p : "", (int)out.n, out.p);
					abort();
				}
				match_result_release(&m);
				buf_release(&why);
				policyset_release(&ps);
			}
			wbuf b = WBUF_INIT;
			diags_render(&dd, &b);
			buf_release(&b);
			diags_release(&dd);
			buf_release(&out);
		}
	}
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	buf_release(&b);
	diags_release(&d);
	tmpl_release(&t);
	return 0;
}
