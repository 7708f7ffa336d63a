/* ctx: engine context (see ctx.h). */
#include "cedar/ctx.h"

#include <string.h>

void ctx_init(wctx *cx)
{
	intern_init(&cx->syms);
	cx->s_empty = intern_get(&cx->syms, "", 0);
}

void ctx_release(wctx *cx)
{
	intern_release(&cx->syms);
}

int ctx_is_action_type(const wsym *type)
{
	static const char act[] = "Action";
	const size_t n = sizeof act - 1;
	if (type->len < n || memcmp(type->s + type->len - n, act, n) != 0)
		return 0;
	return type->len == n || (type->len >= n + 2 && memcmp(type->s + type->len - n - 2, "::", 2) == 0);
}
