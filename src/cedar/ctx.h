/* ctx: the engine context shared by everything parsed or evaluated together.
 *
 * Policy sets, schemas, entity stores and requests that are used together
 * must be built with the same wctx, because their names are interned in its
 * symbol table and compared by pointer. The library keeps no global mutable
 * state: all of it lives here or in the objects built with it.
 */
#ifndef WARD_CEDAR_CTX_H
#define WARD_CEDAR_CTX_H

#include "util/intern.h"

typedef struct wctx {
	winterner syms;
	const wsym *s_empty; /* "" */
} wctx;

void ctx_init(wctx *cx);
void ctx_release(wctx *cx);

static inline const wsym *ctx_sym(wctx *cx, const char *s, size_t n)
{
	return intern_get(&cx->syms, s, n);
}

/* True when `type` names an action entity type: "Action" or "NS::Action". */
int ctx_is_action_type(const wsym *type);

#endif
