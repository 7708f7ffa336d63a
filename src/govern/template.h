/* template: approved policy templates with typed parameters.
 *
 * A template file (templates/NAME.cedar) holds one Cedar policy whose
 * annotations declare what it is (docs/FORMATS.md):
 *
 *     @template("object-read")              id (required)
 *     @description("...")                   (required)
 *     @risk("low")                          low | medium | high | critical
 *     @kinds("grant, exception")            requirement kinds it may serve
 *     @resource_types("Bucket")             types the ?resource slot may take
 *     @principal_types("ServiceAccount")    types the ?principal slot may take
 *     @param_actions("actions: read, list") one @param_NAME per parameter:
 *     @param_expires("datetime?")           "TYPE[?][: choice, ...]", ? = optional
 *     permit (principal == ?principal, action in $actions, resource in ?resource)
 *     when { resource.environment == $environment }
 *     when { context.now < $expires };
 *
 * `$NAME` marks a parameter in a value position of a condition, in the
 * action scope (`action in $actions`) or after `is` (`principal is $type`).
 * A `when`/`unless` block that uses an optional parameter disappears when
 * the parameter is absent. An ip-ranges parameter inside a call such as
 * `context.source_ip.isInRange($nets)` repeats that call once per range,
 * joined with `||`.
 *
 * Internally each `$NAME` becomes a typed sentinel (`"__ward_p_NAME"`,
 * `ip("__ward_p_NAME")`, ...) so the template parses with the ordinary Cedar
 * parser; the sentinel AST is what drafting renders from and what the
 * template-instance check (match.h) matches against. Loading also renders
 * the template with sample values and validates it against the schema.
 */
#ifndef WARD_GOVERN_TEMPLATE_H
#define WARD_GOVERN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cedar/ast.h"
#include "govern/repo.h"
#include "util/buf.h"
#include "util/diag.h"

#define TMPL_SENTINEL "__ward_p_"

typedef struct tparam {
	const char *name;     /* heap */
	gtype type;
	bool optional;
	char **choices;       /* heap; actions / entity-type choices */
	size_t nchoices;
	bool used;            /* appears in the policy text */
} tparam;

enum { TMPL_GRANT = 1, TMPL_EXCEPTION = 2, TMPL_BREAK_GLASS = 4 };

typedef struct tmpl {
	char *path;           /* heap */
	char *id, *description, *risk; /* heap */
	unsigned kinds;       /* TMPL_* bits */
	char **resource_types, **principal_types; /* heap; NULL = any */
	size_t nresource_types, nprincipal_types;
	tparam *params;       /* heap */
	size_t nparams;
	char *stext;          /* sentinel text (heap) */
	size_t stext_len;
	wpolicyset ps;        /* parsed sentinel text: exactly one policy */
	const wpolicy *pol;
} tmpl;

typedef struct tcatalog {
	tmpl *items;          /* heap */
	size_t n;
	tmpl *failed;         /* heap: templates that did not load, kept alive
	                         because diagnostics point into their sources */
	size_t nfailed;
	warena keep;          /* masked copies of templates holding secrets */
} tcatalog;

/* Values for rendering, one per parameter (index as in t->params). Each
 * value is Cedar text: `"prod"`, `ip("10.0.0.0/8")`, `[Action::"read"]`,
 * `ServiceAccount`; ip-ranges take several. */
typedef struct tvalue {
	bool present;
	char **texts;         /* heap */
	size_t n;
} tvalue;

typedef struct tbinding {
	tvalue *vals;          /* t->nparams entries */
	char *principal;       /* uid text for ?principal, NULL: keep the slot */
	char *resource;        /* uid text for ?resource */
} tbinding;

void tbinding_init(tbinding *b, const tmpl *t);
void tbinding_release(tbinding *b, const tmpl *t);
/* Appends a value text to parameter `i` (marks it present). */
void tbinding_add(tbinding *b, size_t i, const char *text);

/* Loads one template file and checks it against the repository (schema,
 * environments). Returns 0 or -1 with located diagnostics, which point into
 * the template: release it only after the diagnostics have been used. */
int tmpl_load(tmpl *t, repo *r, const char *path, const char *text, size_t len, wdiags *d);
void tmpl_release(tmpl *t);

/* Loads every templates/ *.cedar of the repository. Duplicate ids are
 * errors, and so is a secret in a template (reported with the secret
 * masked). Returns 0 or -1 (some template failed; the others are kept). */
int tcatalog_load(tcatalog *c, repo *r, wdiags *d);
void tcatalog_release(tcatalog *c);
const tmpl *tcatalog_find(const tcatalog *c, const char *id);

/* Index of parameter `name`, or -1. */
int tmpl_param_index(const tmpl *t, const char *name);

/* Renders the template's policy body (no annotations) with the binding,
 * appending Cedar text to `out`. Returns 0, or -1 with a message in `err`
 * (a required parameter or slot missing). */
int tmpl_render(const tmpl *t, const tbinding *b, wbuf *out, wbuf *err);

/* The parameter a sentinel names: `"__ward_p_x"` -> "x" (length in *n),
 * for a string literal value; NULL when not a sentinel. */
const char *tmpl_sentinel_name(const char *s, size_t len, size_t *n);

/* Scope shapes, for fitting requirements. */
typedef enum tshape { TS_ANY, TS_ENTITY, TS_IN, TS_TYPE, TS_TYPE_IN, TS_OTHER } tshape;
tshape tmpl_scope_shape(const wscope *sc);

#endif
