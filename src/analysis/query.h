/* query: access queries over the entity snapshot, with residual conditions.
 *
 *   who-can ACTION RESOURCE: every principal allowed (always, or under a
 *     condition on the context) to perform ACTION on RESOURCE;
 *   what-can PRINCIPAL [ACTION]: every (action, resource) PRINCIPAL is
 *     allowed, for one action or all of them.
 * Only cells in the scope of some permit can be allowed, so only those are
 * decided (entitlements.h); forbids and conditions are then applied exactly.
 */
#ifndef WARD_ANALYSIS_QUERY_H
#define WARD_ANALYSIS_QUERY_H

#include <stddef.h>

#include "analysis/entitlements.h"
#include "util/buf.h"

typedef struct wquery_row {
	wcell c;
	uint8_t dec;      /* WDEC_ALLOW or WDEC_COND */
	const char *cond; /* WDEC_COND: formatted residual condition */
	const char *why;  /* determining policy ids, ", "-separated */
} wquery_row;

typedef struct wquery {
	warena arena;     /* strings */
	wquery_row *rows; /* heap; sorted by principal, action, resource */
	size_t n;
	size_t nscope;    /* cells decided */
	bool who;         /* who-can (else what-can) */
	wcell q;          /* the query: who-can fills a and r, what-can p (and a) */
	bool has_action;
} wquery;

void query_init(wquery *q);
void query_release(wquery *q);

int query_who_can(went_index *ix, const wpolicyset *ps, wuid action, wuid resource, wquery *out, wdiags *d);
int query_what_can(went_index *ix, const wpolicyset *ps, wuid principal, const wuid *action, wquery *out,
		   wdiags *d);

void query_print_text(const wquery *q, wbuf *out);
void query_print_json(const wquery *q, wbuf *out);

#endif
