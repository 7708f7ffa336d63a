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
