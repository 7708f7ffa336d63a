/* match: the template-instance check.
 *
 * Decides whether a policy is an instance of an approved template: the
 * policy's AST is matched against the template's, where slots and `$NAME`
 * parameters are typed holes (a hole for an environment takes only a string
 * naming one of ward.yaml's environments, an actions hole only actions the
 * template offers, an ip-ranges hole one or more ranges joined with `||`),
 * optional condition blocks may be absent, and nothing else may differ:
 * no extra condition, no changed operator, no other scope. Annotations are
 * not part of the shape. On success it names the template and every
 * parameter value. The merge gate uses it to reject hand-edited or
 * model-written policies where the repository requires templates.
 */
#ifndef WARD_GOVERN_MATCH_H
#define WARD_GOVERN_MATCH_H

#include "cedar/ast.h"
#include "govern/repo.h"
#include "govern/template.h"
#include "util/buf.h"

typedef struct match_result {
	const tmpl *t;       /* the template matched */
	char **names;        /* heap: "?principal", "actions", "environment", ... */
	char **values;       /* heap: Cedar text of each value */
	size_t n;
} match_result;

/* Matches `p` against one template. 0 on a match (result filled), -1
 * otherwise with the first difference in `why`. */
int match_template(const repo *r, const tmpl *t, const wpolicy *p, match_result *out, wbuf *why);

/* Tries every template of the catalog (the one named by the policy's
 * @template annotation first). 0 on a match, -1 with the reason in `why`. */
int match_catalog(const repo *r, const tcatalog *c, const wpolicy *p, match_result *out, wbuf *why);

void match_result_release(match_result *m);

/* Whether the repository requires `p` to be a template instance: it was
 * drafted by a model (@drafted_by("model:...")), or it is a permit that may
 * reach a
 * high-risk resource of ward.yaml (an entity type, or one entity, reached
 * through the resource scope; an unconstrained resource scope reaches every
 * type its actions apply to). The reason goes to `why` ("drafted by a
 * model", "reaches high-risk resource 'Secret'"). */
bool match_requires_template(const repo *r, const wpolicy *p, wbuf *why);

#endif
