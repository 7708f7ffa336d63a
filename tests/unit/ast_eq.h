/* ast_eq: structural equality of policies and schemas for the formats tests.
 *
 * Compares ASTs (ast.h) ignoring spans, sources and comments; and schema
 * models (schema.h) ignoring spans. Header-only (static functions) so each
 * test executable that needs it includes it. On a difference it writes a
 * short description of where into `why` (may be NULL).
 */
#ifndef WARD_TESTS_AST_EQ_H
#define WARD_TESTS_AST_EQ_H

#include <stdbool.h>
#include <string.h>

#include "cedar/ast.h"
#include "cedar/schema.h"
#include "util/buf.h"

static inline bool aeq_fail(wbuf *why, const char *what)
{
	if (why && why->n == 0)
		buf_adds(why, what);
	return false;
}

static inline bool aeq_expr(const wexpr *a, const wexpr *b, wbuf *why)
{
	if (!a || !b)
		return a == b ? true : aeq_fail(why, "null expression");
	if (a->kind != b->kind)
		return aeq_fail(why, "expression kind");
	switch (a->kind) {
	case WE_LIT:
		if (!value_eq(&a->u.lit, &b->u.lit))
			return aeq_fail(why, "literal");
		if (a->u.lit.kind != b->u.lit.kind)
			return aeq_fail(why, "literal kind");
		return true;
	case WE_VAR: return a->u.var == b->u.var ? true : aeq_fail(why, "variable");
	case WE_SLOT: return a->u.slot == b->u.slot ? true : aeq_fail(why, "slot");
	case WE_IF:
		return aeq_expr(a->u.k.a, b->u.k.a, why) && aeq_expr(a->u.k.b, b->u.k.b, why) &&
		       aeq_expr(a->u.k.c, b->u.k.c, why);
	case WE_AND:
	case WE_OR:
		return aeq_expr(a->u.k.a, b->u.k.a, why) && aeq_expr(a->u.k.b, b->u.k.b, why);
	case WE_BINARY:
		if (a->op != b->op)
			return aeq_fail(why, "binary operator");
		return aeq_expr(a->u.k.a, b->u.k.a, why) && aeq_expr(a->u.k.b, b->u.k.b, why);
	case WE_NOT:
	case WE_NEG:
	case WE_ISEMPTY:
		return aeq_expr(a->u.k.a, b->u.k.a, why);
	case WE_GETATTR:
	case WE_HASATTR:
		if (a->u.attr.name != b->u.attr.name)
			return aeq_fail(why, "attribute name");
		return aeq_expr(a->u.attr.obj, b->u.attr.obj, why);
	case WE_LIKE:
		if (a->u.like.pat.n != b->u.like.pat.n ||
		    (a->u.like.pat.n &&
		     memcmp(a->u.like.pat.cps, b->u.like.pat.cps, a->u.like.pat.n * sizeof(uint32_t)) != 0))
			return aeq_fail(why, "like pattern");
		return aeq_expr(a->u.like.obj, b->u.like.obj, why);
	case WE_IS:
		if (a->u.is.type != b->u.is.type)
			return aeq_fail(why, "is type");
		if ((a->u.is.in == NULL) != (b->u.is.in == NULL))
			return aeq_fail(why, "is ... in");
		return aeq_expr(a->u.is.obj, b->u.is.obj, why) &&
		       (!a->u.is.in || aeq_expr(a->u.is.in, b->u.is.in, why));
	case WE_SET:
		if (a->u.list.n != b->u.list.n)
			return aeq_fail(why, "set size");
		for (uint32_t i = 0; i < a->u.list.n; i++)
			if (!aeq_expr(a->u.list.items[i], b->u.list.items[i], why))
				return false;
		return true;
	case WE_RECORD:
		if (a->u.rec.n != b->u.rec.n)
			return aeq_fail(why, "record size");
		for (uint32_t i = 0; i < a->u.rec.n; i++) {
			if (a->u.rec.keys[i] != b->u.rec.keys[i])
				return aeq_fail(why, "record key");
			if (!aeq_expr(a->u.rec.vals[i], b->u.rec.vals[i], why))
				return false;
		}
		return true;
	case WE_CALL:
		if (a->u.call.name != b->u.call.name || a->u.call.n != b->u.call.n ||
		    a->u.call.method != b->u.call.method || a->u.call.fn != b->u.call.fn)
			return aeq_fail(why, "call");
		for (uint32_t i = 0; i < a->u.call.n; i++)
			if (!aeq_expr(a->u.call.args[i], b->u.call.args[i], why))
				return false;
		return true;
	}
	return aeq_fail(why, "unknown kind");
}

static inline bool aeq_scope(const wscope *a, const wscope *b, wbuf *why)
{
	if (a->op != b->op || a->slot != b->slot)
		return aeq_fail(why, "scope operator");
	if ((a->op == WSC_IS || a->op == WSC_IS_IN) && a->type != b->type)
		return aeq_fail(why, "scope type");
	if ((a->op == WSC_EQ || a->op == WSC_IN || a->op == WSC_IS_IN) && !a->slot && !uid_eq(a->uid, b->uid))
		return aeq_fail(why, "scope entity");
	if (a->op == WSC_IN_SET) {
		if (a->nlist != b->nlist)
			return aeq_fail(why, "scope list size");
		for (uint32_t i = 0; i < a->nlist; i++)
			if (!uid_eq(a->list[i], b->list[i]))
				return aeq_fail(why, "scope list entity");
	}
	return true;
}

static inline bool aeq_policy(const wpolicy *a, const wpolicy *b, bool ids, wbuf *why)
{
	if (ids && strcmp(a->id, b->id) != 0)
		return aeq_fail(why, "policy id");
	if (a->effect != b->effect)
		return aeq_fail(why, "effect");
	if (a->is_template != b->is_template)
		return aeq_fail(why, "is_template");
	if (a->nannos != b->nannos)
		return aeq_fail(why, "annotation count");
	for (uint32_t i = 0; i < a->nannos; i++) {
		const wannotation *x = &a->annos[i], *y = &b->annos[i];
		if (x->key != y->key || x->vlen != y->vlen || memcmp(x->val, y->val, x->vlen) != 0)
			return aeq_fail(why, "annotation");
	}
	if (!aeq_scope(&a->principal, &b->principal, why) || !aeq_scope(&a->action, &b->action, why) ||
	    !aeq_scope(&a->resource, &b->resource, why))
		return false;
	if (a->nconds != b->nconds)
		return aeq_fail(why, "condition count");
	for (uint32_t i = 0; i < a->nconds; i++) {
		if (a->conds[i].is_when != b->conds[i].is_when)
			return aeq_fail(why, "when/unless");
		if (!aeq_expr(a->conds[i].body, b->conds[i].body, why))
			return false;
	}
	if ((a->template_of == NULL) != (b->template_of == NULL))
		return aeq_fail(why, "linked or not");
	if (a->template_of) {
		if (strcmp(a->template_of->id, b->template_of->id) != 0)
			return aeq_fail(why, "link template id");
		if (a->has_slot_principal != b->has_slot_principal || a->has_slot_resource != b->has_slot_resource ||
		    (a->has_slot_principal && !uid_eq(a->slot_principal, b->slot_principal)) ||
		    (a->has_slot_resource && !uid_eq(a->slot_resource, b->slot_resource)))
			return aeq_fail(why, "link values");
	}
	return true;
}

static inline bool aeq_policyset(const wpolicyset *a, const wpolicyset *b, bool ids, wbuf *why)
{
	if (a->n != b->n)
		return aeq_fail(why, "policy count");
	for (uint32_t i = 0; i < a->n; i++)
		if (!aeq_policy(a->items[i], b->items[i], ids, why)) {
			if (why)
				buf_printf(why, " (policy %u)", i);
			return false;
		}
	return true;
}

/* ---- schemas ---- */

static inline bool seq_type(const wtype *a, const wtype *b, wbuf *why)
{
	if (!a || !b)
		return a == b ? true : aeq_fail(why, "missing type");
	if (a->kind != b->kind)
		return aeq_fail(why, "type kind");
	switch (a->kind) {
	case WT_ENTITY: return a->entity == b->entity ? true : aeq_fail(why, "entity type");
	case WT_SET: return seq_type(a->elem, b->elem, why);
	case WT_RECORD:
		if (a->nattrs != b->nattrs)
			return aeq_fail(why, "attribute count");
		for (uint32_t i = 0; i < a->nattrs; i++) {
			if (a->attrs[i].name != b->attrs[i].name || a->attrs[i].required != b->attrs[i].required)
				return aeq_fail(why, "attribute");
			if (!seq_type(a->attrs[i].type, b->attrs[i].type, why))
				return false;
		}
		return true;
	default: return true;
	}
}

static inline bool seq_syms(const wsym *const *a, uint32_t na, const wsym *const *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		bool found = false;
		for (uint32_t j = 0; j < nb; j++)
			found |= a[i] == b[j];
		if (!found)
			return false;
	}
	return true;
}

static inline bool aeq_schema(const wschema *a, const wschema *b, wbuf *why)
{
	if (a->netypes != b->netypes)
		return aeq_fail(why, "entity type count");
	for (uint32_t i = 0; i < a->netypes; i++) {
		const wentity_type *x = &a->etypes[i];
		const wentity_type *y = schema_entity_type(b, x->name);
		if (!y)
			return aeq_fail(why, "entity type missing");
		if (x->is_enum != y->is_enum || !seq_syms(x->enum_ids, x->nenum, y->enum_ids, y->nenum))
			return aeq_fail(why, "enum");
		if (!seq_syms(x->parents, x->nparents, y->parents, y->nparents))
			return aeq_fail(why, "parents");
		if (!seq_type(x->attrs, y->attrs, why) || !seq_type(x->tags, y->tags, why))
			return false;
	}
	if (a->nactions != b->nactions)
		return aeq_fail(why, "action count");
	for (uint32_t i = 0; i < a->nactions; i++) {
		const waction *x = &a->actions[i];
		const waction *y = schema_action(b, x->uid);
		if (!y)
			return aeq_fail(why, "action missing");
		bool xa = x->has_applies_to && x->nprincipals && x->nresources;
		bool ya = y->has_applies_to && y->nprincipals && y->nresources;
		if (xa != ya)
			return aeq_fail(why, "appliesTo");
		if (xa && (!seq_syms(x->principals, x->nprincipals, y->principals, y->nprincipals) ||
			   !seq_syms(x->resources, x->nresources, y->resources, y->nresources) ||
			   !seq_type(x->context, y->context, why)))
			return aeq_fail(why, "appliesTo lists");
		if (x->nmember_of != y->nmember_of)
			return aeq_fail(why, "memberOf");
		for (uint32_t k = 0; k < x->nmember_of; k++) {
			bool found = false;
			for (uint32_t q = 0; q < y->nmember_of; q++)
				found |= uid_eq(x->member_of[k], y->member_of[q]);
			if (!found)
				return aeq_fail(why, "memberOf entry");
		}
	}
	return true;
}

#endif
