/* gast: AST child enumeration and sentinel recognition (see gast.h). */
#include "govern/gast.h"

#include <string.h>

#include "cedar/ext.h"
#include "govern/template.h"

size_t gast_children(const wexpr *e, wexpr ***list)
{
	static wexpr *none[1];
	*list = none;
	switch (e->kind) {
	case WE_IF:
		*list = (wexpr **)&e->u.k.a;
		return 3;
	case WE_AND:
	case WE_OR:
	case WE_BINARY:
		*list = (wexpr **)&e->u.k.a;
		return 2;
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		*list = (wexpr **)&e->u.k.a;
		return 1;
	case WE_GETATTR:
	case WE_HASATTR:
		*list = (wexpr **)&e->u.attr.obj;
		return 1;
	case WE_LIKE:
		*list = (wexpr **)&e->u.like.obj;
		return 1;
	case WE_IS:
		*list = (wexpr **)&e->u.is.obj;
		return 1; /* `in` handled by callers via u.is.in */
	case WE_SET:
		*list = e->u.list.items;
		return e->u.list.n;
	case WE_RECORD:
		*list = e->u.rec.vals;
		return e->u.rec.n;
	case WE_CALL:
		*list = e->u.call.args;
		return e->u.call.n;
	default:
		return 0;
	}
}

const char *gast_sentinel(const wexpr *e, size_t *n)
{
	if (e->kind == WE_LIT && e->u.lit.kind == WV_STRING)
		return tmpl_sentinel_name(e->u.lit.u.s.p, e->u.lit.u.s.n, n);
	if (e->kind == WE_CALL && !e->u.call.method && e->u.call.n == 1 && e->u.call.args[0]->kind == WE_LIT &&
	    e->u.call.args[0]->u.lit.kind == WV_STRING) {
		const char *fn = e->u.call.fn ? e->u.call.fn->name : "";
		if (strcmp(fn, "ip") == 0 || strcmp(fn, "datetime") == 0 || strcmp(fn, "duration") == 0)
			return gast_sentinel(e->u.call.args[0], n);
	}
	return NULL;
}

void gast_walk(const wexpr *e, gast_visit_fn fn, void *ud)
{
	if (!e || fn(e, ud))
		return;
	wexpr **kids;
	size_t n = gast_children(e, &kids);
	for (size_t i = 0; i < n; i++)
		gast_walk(kids[i], fn, ud);
	if (e->kind == WE_IS && e->u.is.in)
		gast_walk(e->u.is.in, fn, ud);
}
