/* api_eval: authorization, responses and expression evaluation (ward.h).
 *
 * A response owns the arena the authorizer wrote its arrays and messages
 * into; policy ids are borrowed from the policy set. Evaluation parses the
 * expression into a temporary arena that also holds the evaluator's
 * temporaries, prints the value, and drops the arena.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/eval.h"
#include "cedar/parser.h"
#include "cedar/value.h"
#include "util/buf.h"
#include "util/xalloc.h"

ward_response *ward_authorize(ward_engine *e, const ward_policies *p, const ward_entities *es, const ward_request *r)
{
	if (!e || !p || !r || p->e != e || r->e != e || (es && es->e != e))
		return NULL;
	ward_response *resp = xcalloc(1, sizeof *resp);
	arena_init(&resp->tmp);
	authz_decide(&e->cx, &p->ps, es ? &es->es : &e->empty, &r->r, &resp->tmp, &resp->r);
	return resp;
}

void ward_response_free(ward_response *r)
{
	if (!r)
		return;
	arena_release(&r->tmp);
	free(r);
}

ward_decision ward_response_decision(const ward_response *r)
{
	return r->r.allow ? WARD_ALLOW : WARD_DENY;
}

size_t ward_response_reason_count(const ward_response *r)
{
	return r->r.nreasons;
}

const char *ward_response_reason(const ward_response *r, size_t i)
{
	return i < r->r.nreasons ? r->r.reasons[i]->id : NULL;
}

size_t ward_response_error_count(const ward_response *r)
{
	return r->r.nerrors;
}

const char *ward_response_error_policy(const ward_response *r, size_t i)
{
	return i < r->r.nerrors ? r->r.errors[i].policy->id : NULL;
}

const char *ward_response_error_message(const ward_response *r, size_t i)
{
	if (i >= r->r.nerrors)
		return NULL;
	return r->r.errors[i].msg ? r->r.errors[i].msg : "evaluation error";
}

char *ward_response_json(const ward_response *r)
{
	wbuf b = WBUF_INIT;
	buf_adds(&b, r->r.allow ? "{\"decision\":\"allow\",\"reasons\":[" : "{\"decision\":\"deny\",\"reasons\":[");
	for (uint32_t i = 0; i < r->r.nreasons; i++) {
		const char *id = r->r.reasons[i]->id;
		if (i)
			buf_addc(&b, ',');
		buf_add_json_str(&b, id, strlen(id));
	}
	buf_adds(&b, "],\"errors\":[");
	for (uint32_t i = 0; i < r->r.nerrors; i++) {
		const char *id = r->r.errors[i].policy->id;
		const char *msg = ward_response_error_message(r, i);
		if (i)
			buf_addc(&b, ',');
		buf_adds(&b, "{\"policy\":");
		buf_add_json_str(&b, id, strlen(id));
		buf_adds(&b, ",\"message\":");
		buf_add_json_str(&b, msg, strlen(msg));
		buf_addc(&b, '}');
	}
	buf_adds(&b, "]}");
	return buf_detach(&b);
}

/* ---- expressions -------------------------------------------------------- */

/* The first variable (principal, action, resource, context) the expression
 * uses, or -1. Iterative: chains of binary operators can be deep. */
static int first_var(const wexpr *root)
{
	const wexpr **stack = NULL;
	size_t n = 0, cap = 0;
	int found = -1;
#define PUSH(x)                                                           \
	do {                                                              \
		if (x) {                                                  \
			if (n == cap) {                                   \
				cap = cap ? cap * 2 : 64;                 \
				stack = xrealloc(stack, cap * sizeof *stack); \
			}                                                 \
			stack[n++] = (x);                                 \
		}                                                         \
	} while (0)
	PUSH(root);
	while (n > 0 && found < 0) {
		const wexpr *x = stack[--n];
		switch (x->kind) {
		case WE_VAR: found = x->u.var; break;
		case WE_IF:
		case WE_AND:
		case WE_OR:
		case WE_NOT:
		case WE_NEG:
		case WE_BINARY:
		case WE_ISEMPTY:
			PUSH(x->u.k.a);
			PUSH(x->u.k.b);
			PUSH(x->u.k.c);
			break;
		case WE_GETATTR:
		case WE_HASATTR: PUSH(x->u.attr.obj); break;
		case WE_LIKE: PUSH(x->u.like.obj); break;
		case WE_IS:
			PUSH(x->u.is.obj);
			PUSH(x->u.is.in);
			break;
		case WE_SET:
			for (uint32_t i = 0; i < x->u.list.n; i++)
				PUSH(x->u.list.items[i]);
			break;
		case WE_RECORD:
			for (uint32_t i = 0; i < x->u.rec.n; i++)
				PUSH(x->u.rec.vals[i]);
			break;
		case WE_CALL:
			for (uint32_t i = 0; i < x->u.call.n; i++)
				PUSH(x->u.call.args[i]);
			break;
		default: break;
		}
	}
#undef PUSH
	free(stack);
	return found;
}

int ward_expr_check(ward_engine *e, const char *name, const char *text, size_t len, ward_diags *d)
{
	warena a;
	arena_init(&a);
	wsource src = {name ? name : "<expression>", text, len};
	size_t from = d->d.n, errs0 = d->d.nerrors;
	wexpr *x = parse_expr(&e->cx, &a, &src, &d->d);
	if (!x && d->d.nerrors == errs0)
		api_error(d, "invalid expression");
	api_diags_adopt(d, from);
	arena_release(&a);
	return x && d->d.nerrors == errs0 ? 0 : -1;
}

char *ward_evaluate(ward_engine *e, const char *name, const char *text, size_t len, const ward_entities *es,
		    const ward_request *r, ward_diags *d)
{
	if ((es && es->e != e) || (r && r->e != e)) {
		api_error(d, "the entities or request were built with a different engine");
		return NULL;
	}
	static const char *const var_names[] = {"principal", "action", "resource", "context"};
	warena a;
	arena_init(&a);
	wsource src = {name ? name : "<expression>", text, len};
	size_t from = d->d.n, errs0 = d->d.nerrors;
	wexpr *x = parse_expr(&e->cx, &a, &src, &d->d);
	if (!x && d->d.nerrors == errs0)
		api_error(d, "invalid expression");
	api_diags_adopt(d, from);
	if (!x || d->d.nerrors != errs0) {
		arena_release(&a);
		return NULL;
	}
	int var = r ? -1 : first_var(x);
	if (var >= 0 && var < 4) {
		api_error(d, "the expression uses '%s' but no request was given (use --request-json, or "
			     "--principal, --action and --resource)",
			  var_names[var]);
		arena_release(&a);
		return NULL;
	}
	/* Never read (no variable is used), but the evaluator gets a valid one. */
	wrequest none;
	memset(&none, 0, sizeof none);
	none.principal.type = none.principal.id = e->cx.s_empty;
	none.action = none.resource = none.principal;
	none.context.kind = WV_RECORD;
	none.context.u.rec = record_empty();

	weval ev;
	memset(&ev, 0, sizeof ev);
	ev.cx = &e->cx;
	ev.ents = es ? &es->es : &e->empty;
	ev.req = r ? &r->r : &none;
	ev.tmp = &a;
	wvalue v;
	char *out = NULL;
	if (eval_expr(&ev, x, &v) != 0) {
		api_error(d, "evaluation failed: %s", ev.err ? ev.err : "error");
	} else {
		wbuf b = WBUF_INIT;
		value_print(&v, &b);
		buf_adds(&b, "");
		out = buf_detach(&b);
	}
	arena_release(&a);
	return out;
}
