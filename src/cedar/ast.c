/* ast: helpers over the policy AST (see ast.h). */
#include "cedar/ast.h"

#include <string.h>

const wannotation *policy_annotation(const wpolicy *p, const char *key)
{
	size_t n = strlen(key);
	for (uint32_t i = 0; i < p->nannos; i++) {
		const wsym *k = p->annos[i].key;
		if (k->len == n && memcmp(k->s, key, n) == 0)
			return &p->annos[i];
	}
	return NULL;
}

const char *ast_binop_name(unsigned op)
{
	switch (op) {
	case WB_EQ: return "==";
	case WB_NE: return "!=";
	case WB_LT: return "<";
	case WB_LE: return "<=";
	case WB_GT: return ">";
	case WB_GE: return ">=";
	case WB_ADD: return "+";
	case WB_SUB: return "-";
	case WB_MUL: return "*";
	case WB_IN: return "in";
	case WB_CONTAINS: return "contains";
	case WB_CONTAINSALL: return "containsAll";
	case WB_CONTAINSANY: return "containsAny";
	case WB_HASTAG: return "hasTag";
	case WB_GETTAG: return "getTag";
	}
	return "?";
}

const char *ast_var_name(unsigned var)
{
	switch (var) {
	case WVAR_PRINCIPAL: return "principal";
	case WVAR_ACTION: return "action";
	case WVAR_RESOURCE: return "resource";
	default: return "context";
	}
}
