/* authz: the authorizer (see authz.h).
 *
 * Evaluates every policy of the set against one request, in set order, and
 * combines the results: deny by default, any applying forbid wins, otherwise
 * any applying permit allows. A policy whose evaluation errors is reported
 * with its message and treated as not applying (it neither permits nor
 * forbids). Unlinked templates are not policies and are skipped; linked
 * policies carry their slot values (eval_policy).
 *
 * Cost: one evaluation per policy, plus three arrays of at most ps->n
 * pointers bump-allocated in the request arena. Nothing the caller owns is
 * reset or freed.
 */
#include "cedar/authz.h"

#include "cedar/eval.h"

void authz_decide(wctx *cx, const wpolicyset *ps, const wentities *es, const wrequest *req, warena *tmp,
		  wresponse *out)
{
	weval ev = {0};
	ev.cx = cx;
	ev.ents = es;
	ev.req = req;
	ev.tmp = tmp;

	const uint32_t n = ps->n;
	const wpolicy **permits = NULL, **forbids = NULL;
	wpolicy_error *errors = NULL;
	uint32_t npermit = 0, nforbid = 0, nerr = 0;

	for (uint32_t i = 0; i < n; i++) {
		const wpolicy *p = ps->items[i];
		if (p->is_template && !p->template_of)
			continue;
		bool applies = false;
		ev.depth = 0;
		if (eval_policy(&ev, p, &applies) < 0) {
			if (!errors)
				errors = arena_alloc(tmp, sizeof *errors * n);
			errors[nerr].policy = p;
			errors[nerr].msg = ev.err ? ev.err : "evaluation error";
			nerr++;
			continue;
		}
		if (!applies)
			continue;
		if (p->effect == WEFF_FORBID) {
			if (!forbids)
				forbids = arena_alloc(tmp, sizeof *forbids * n);
			forbids[nforbid++] = p;
		} else {
			if (!permits)
				permits = arena_alloc(tmp, sizeof *permits * n);
			permits[npermit++] = p;
		}
	}

	out->errors = errors;
	out->nerrors = nerr;
	if (nforbid) {
		out->allow = false;
		out->reasons = forbids;
		out->nreasons = nforbid;
	} else {
		out->allow = npermit > 0;
		out->reasons = permits;
		out->nreasons = npermit;
	}
}
