/* api_reuse: deciding many requests without allocating per decision (ward.h).
 *
 * A reusable response keeps its arena between decisions: arena_reset keeps
 * the first chunk, so once that chunk is there a decision (whose arrays and
 * messages are bump-allocated in it) costs no heap allocation. This is the
 * path for batch replay, the decision server and `ward bench`.
 */
#include "api/api.h"

#include "util/xalloc.h"

ward_response *ward_response_new(void)
{
	ward_response *resp = xcalloc(1, sizeof *resp);
	arena_init(&resp->tmp);
	return resp;
}

int ward_authorize_into(ward_engine *e, const ward_policies *p, const ward_entities *es, const ward_request *r,
			ward_response *resp)
{
	if (!e || !p || !r || !resp || p->e != e || r->e != e || (es && es->e != e))
		return -1;
	arena_reset(&resp->tmp);
	authz_decide(&e->cx, &p->ps, es ? &es->es : &e->empty, &r->r, &resp->tmp, &resp->r);
	return 0;
}
