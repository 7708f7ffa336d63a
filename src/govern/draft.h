/* draft: requirement + approved template -> canonical Cedar policy.
 *
 * The only path by which ward writes policy text. draft_fit decides whether
 * a template can serve a requirement (kind, subject and resource shapes and
 * types, actions within the template's choices, environment, every
 * constraint mapped to a parameter of the same name and type, every
 * required parameter given) and binds its parameters. draft_make picks the
 * fitting template of lowest risk (or the one named), renders it, adds the
 * traceability annotations, lays it out with the canonical formatter and
 * validates it against the schema; any failure means no draft at all.
 */
#ifndef WARD_GOVERN_DRAFT_H
#define WARD_GOVERN_DRAFT_H

#include "govern/repo.h"
#include "govern/requirement.h"
#include "govern/template.h"
#include "util/buf.h"
#include "util/diag.h"

typedef struct draft_opts {
	const char *template_id; /* NULL: choose */
	const char *drafted_by;  /* person, or "model:NAME" */
} draft_opts;

/* 0 and `b` bound when `t` fits; otherwise -1 with the reason in `why`
 * and *stage telling how far it got (for ranking near misses). */
int draft_fit(const repo *r, const tmpl *t, const requirement *rq, tbinding *b, wbuf *why, int *stage);

/* Drafts the policy text (ending with a newline) into `out`, and the id of
 * the template used into *used. Returns 0, or -1 with diagnostics in `d`. */
int draft_make(repo *r, const tcatalog *c, const requirement *rq, const draft_opts *o, wbuf *out, const tmpl **used,
	       wdiags *d);

/* Rank of a risk level: low 0 .. critical 3 (unknown 4). */
int draft_risk_rank(const char *risk);

#endif
