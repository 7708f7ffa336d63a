/* ast: the Cedar policy AST.
 *
 * Produced by the parser (parser.h), consumed by the evaluator, and later by
 * the validator, formatter, JSON policy format and explanation modules, so it
 * keeps everything they need: byte spans on every node, annotations in
 * source order, template slots, and the positions of comments.
 *
 * Everything here lives in the policy set's arena (wpolicyset.arena) and
 * dies with it. Names (entity types, attributes, annotation keys) are
 * interned in the engine's symbol table (struct wctx).
 */
#ifndef WARD_CEDAR_AST_H
#define WARD_CEDAR_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/value.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/intern.h"

struct wext_fn;

typedef enum wexkind {
	WE_LIT,     /* u.lit: bool, long, string or entity literal */
	WE_VAR,     /* u.var: principal/action/resource/context */
	WE_SLOT,    /* u.slot: ?principal / ?resource (templates only) */
	WE_IF,      /* u.a/b/c: if a then b else c */
	WE_AND,     /* u.a && u.b (short-circuit) */
	WE_OR,      /* u.a || u.b (short-circuit) */
	WE_NOT,     /* !u.a */
	WE_NEG,     /* -u.a (long negation; a negative long literal is a WE_LIT) */
	WE_BINARY,  /* u.a OP u.b, op in wbinop */
	WE_GETATTR, /* u.attr.obj . u.attr.name  or  obj["name"] */
	WE_HASATTR, /* u.attr.obj has u.attr.name (name may be a path a.b.c: see below) */
	WE_LIKE,    /* u.like.obj like u.like.pat */
	WE_IS,      /* u.is.obj is u.is.type [in u.is.in] (in may be NULL) */
	WE_SET,     /* u.list: [e, ...] */
	WE_RECORD,  /* u.rec: {k: e, ...} */
	WE_CALL,    /* u.call: extension function f(args) or method a.f(args) */
	WE_ISEMPTY, /* u.a.isEmpty() */
} wexkind;

typedef enum wvar { WVAR_PRINCIPAL, WVAR_ACTION, WVAR_RESOURCE, WVAR_CONTEXT } wvar;
typedef enum wslot { WSLOT_PRINCIPAL, WSLOT_RESOURCE } wslot;

typedef enum wbinop {
	WB_EQ,
	WB_NE,
	WB_LT,
	WB_LE,
	WB_GT,
	WB_GE,
	WB_ADD,
	WB_SUB,
	WB_MUL,
	WB_IN,          /* a in b (entity hierarchy, b entity or set of entities) */
	WB_CONTAINS,    /* a.contains(b) */
	WB_CONTAINSALL, /* a.containsAll(b) */
	WB_CONTAINSANY, /* a.containsAny(b) */
	WB_HASTAG,      /* a.hasTag(b) */
	WB_GETTAG,      /* a.getTag(b) */
} wbinop;

/* A `like` pattern: a sequence of Unicode scalar values where WPAT_STAR
 * stands for the wildcard `*` (an escaped `\*` is the literal U+002A). */
#define WPAT_STAR 0xFFFFFFFFu
typedef struct wpattern {
	uint32_t n;
	const uint32_t *cps; /* n code points or WPAT_STAR */
} wpattern;

typedef struct wexpr wexpr;
struct wexpr {
	uint8_t kind; /* wexkind */
	uint8_t op;   /* wbinop for WE_BINARY */
	wspan span;   /* source bytes of the whole expression */
	union {
		wvalue lit; /* WE_LIT */
		uint8_t var;  /* WE_VAR: wvar */
		uint8_t slot; /* WE_SLOT: wslot */
		struct {
			wexpr *a, *b, *c;
		} k; /* WE_IF (a,b,c), WE_AND/WE_OR/WE_BINARY (a,b), WE_NOT/WE_NEG/WE_ISEMPTY (a) */
		struct {
			wexpr *obj;
			const wsym *name;
		} attr; /* WE_GETATTR, WE_HASATTR. `e has a.b.c` is parsed as
		           (e has a) && (e.a has b) && (e.a.b has c), as the reference does. */
		struct {
			wexpr *obj;
			wpattern pat;
		} like;
		struct {
			wexpr *obj;
			const wsym *type; /* fully qualified */
			wexpr *in;        /* NULL when absent */
		} is;
		struct {
			wexpr **items;
			uint32_t n;
		} list; /* WE_SET */
		struct {
			const wsym **keys; /* in source order; duplicates rejected by the parser */
			wexpr **vals;
			uint32_t n;
		} rec; /* WE_RECORD */
		struct {
			const struct wext_fn *fn; /* resolved at parse time (ext.h) */
			const wsym *name;         /* name as written */
			wexpr **args;             /* method calls: args[0] is the receiver */
			uint32_t n;
			bool method;
		} call;
	} u;
};

/* Scope constraints. */
typedef enum wscopeop {
	WSC_ANY,   /* principal */
	WSC_EQ,    /* principal == E  |  principal == ?principal */
	WSC_IN,    /* principal in E  |  principal in ?principal */
	WSC_IS,    /* principal is T */
	WSC_IS_IN, /* principal is T in E | ?principal */
	WSC_IN_SET /* action in [E, ...] (action only) */
} wscopeop;

typedef struct wscope {
	uint8_t op;        /* wscopeop */
	bool slot;         /* the entity is the slot (?principal / ?resource) */
	const wsym *type;  /* WSC_IS, WSC_IS_IN */
	wuid uid;          /* WSC_EQ, WSC_IN, WSC_IS_IN when !slot */
	wuid *list;        /* WSC_IN_SET */
	uint32_t nlist;
	wspan span;        /* whole constraint, e.g. `principal in Group::"a"` */
} wscope;

typedef struct wannotation {
	const wsym *key;
	const char *val; /* NUL-terminated; "" when written without a value */
	uint32_t vlen;
	bool has_value;
	wspan span;
} wannotation;

typedef struct wcond {
	bool is_when; /* when / unless */
	wexpr *body;
	wspan span;   /* the whole `when { ... }` */
} wcond;

typedef enum weffect { WEFF_PERMIT, WEFF_FORBID } weffect;

typedef struct wpolicy {
	const char *id;       /* policy id: positional "policyN" unless set otherwise */
	uint8_t effect;       /* weffect */
	bool is_template;     /* has a slot anywhere in its scope */
	wannotation *annos;
	uint32_t nannos;
	wscope principal, action, resource;
	wcond *conds;
	uint32_t nconds;
	wspan span;           /* from the first annotation to the ';' */
	const wsource *src;   /* the text it was parsed from */
	/* For a policy linked from a template: the template and slot values. */
	const struct wpolicy *template_of;
	wuid slot_principal, slot_resource;
	bool has_slot_principal, has_slot_resource;
} wpolicy;

typedef struct wcomment {
	wspan span; /* `// ...` up to (not including) the newline */
} wcomment;

/* A parsed policy file: policies in source order plus comments.
 * Nodes live in `arena`; the three growable arrays below are heap (xrealloc)
 * and are freed by policyset_release (parser.h). */
typedef struct wpolicyset {
	warena arena;        /* owns every node, pattern, string here */
	wpolicy **items;     /* in order of appearance (across all added sources) */
	uint32_t n, cap;
	wcomment *comments;
	uint32_t ncomments, ccap;
	wsource **sources;   /* copies of the parsed texts (owned, in arena) */
	uint32_t nsources, scap;
	/* The authorizer's policy index (authz.h: authz_prepare), in `arena`;
	 * NULL until prepared. It covers items[0..index n); policies added
	 * afterwards are still decided, by a linear scan. */
	const struct wauthz_index *index;
} wpolicyset;

/* Cedar spelling of a binary operator ("==", "in", "containsAll", ...) and
 * of a variable ("principal", ...). Static strings. */
const char *ast_binop_name(unsigned op);
const char *ast_var_name(unsigned var);

/* Returns the annotation value for `key` or NULL. */
const wannotation *policy_annotation(const wpolicy *p, const char *key);

#endif
