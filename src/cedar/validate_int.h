/* validate_int: state shared by validate.c (driver, scope and name checks)
 * and typecheck.c (per-environment type checking, level validation).
 * Private to the validator.
 */
#ifndef WARD_CEDAR_VALIDATE_INT_H
#define WARD_CEDAR_VALIDATE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "cedar/validate.h"
#include "cedar/vtypes.h"

#define BIT_HAS(w, i) (((w)[(size_t)(i) / 64] >> ((size_t)(i) % 64)) & 1u)
#define BIT_SET(w, i) ((w)[(size_t)(i) / 64] |= (uint64_t)1 << ((size_t)(i) % 64))

struct tmemo {
	const wtype *k;
	const vtype *v;
};

/* Per-call validator context: the schema, indexed. */
typedef struct vctx {
	wctx *cx;
	const wschema *s;
	bool strict;
	int level;
	warena arena;       /* converted schema types */
	int32_t *symmap;    /* sym id -> entity type index + 1 (0: none) */
	uint32_t nsymmap;
	uint64_t *anc;      /* ne rows of wordsE words: transitive memberOf types */
	uint32_t wordsE;
	int32_t *amap;      /* open addressing: action uid -> index, -1 empty */
	uint32_t acap;
	uint64_t *aanc;     /* na rows of wordsA words: transitive action groups */
	uint32_t wordsA;
	wvenv *envs;        /* unlinked request environments */
	uint32_t nenvs;
	struct tmemo *tmemo; /* schema type -> validator type */
	uint32_t tmemo_cap, tmemo_n;
} vctx;

/* Per-policy context. */
typedef struct vpolicyctx {
	vctx *v;
	const wpolicy *p;
	wvalidation *out;
	size_t first;   /* index of this policy's first issue in out */
	size_t nerrors; /* errors for this policy */
	size_t nraw;    /* errors found, duplicates included */
	warena arena;   /* the rebuilt condition and per-policy types */
	wexpr *cond;
} vpolicyctx;

typedef struct vsuggest {
	const char *word;
	const char *best;
	size_t dist;
} vsuggest;

int vx_etype_index(const vctx *v, const wsym *name);
int vx_action_index(const vctx *v, wuid u);
bool vx_is_action_type(const vctx *v, const wsym *type);
bool vx_etype_in(const vctx *v, int d, int t);  /* d == t or d a descendant of t */
bool vx_action_in(const vctx *v, int d, int t); /* same for actions */
const vtype *vx_conv(vctx *v, const wtype *t);
void vx_suggest_init(vsuggest *sg, const char *word);
void vx_suggest(vsuggest *sg, const char *cand);
/* Records an issue (deduplicated); takes ownership of `help`. */
void vx_issue(vpolicyctx *pc, wvissue_kind kind, wspan span, char *help, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;
char *vx_help(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

enum {
	TC_REPORT, /* report type errors */
	TC_LEVEL,  /* report level validation errors only (the policy is valid) */
	TC_SILENT, /* report nothing (typing facts only) */
};

/* Type checks pc->cond in one environment. *is_false: the condition has
 * type False there. `mode` says what to report (TC_*). */
void tc_policy_env(vpolicyctx *pc, const wvenv *env, bool *is_false, int mode);

#endif
