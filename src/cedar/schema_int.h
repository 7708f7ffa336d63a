/* schema_int: the schema builder shared by the two schema front ends.
 *
 * The text parser (schema_text.c) and the JSON reader (schema_json.c) do not
 * resolve anything: they record declarations with type references exactly as
 * written (an "r" model: rtype, rname, raref) plus where each came from, into
 * an sbuild. sb_finish() (schema.c) then does everything both formats share:
 * duplicate and reserved-name checks, RFC 70 shadowing checks, name
 * resolution (RFC 24 order), common-type inlining with cycle detection, action
 * group resolution and cycle detection, and finally fills the wschema.
 *
 * Builder memory lives in sbuild.tmp and dies with sb_release(); only the
 * resolved model goes to the schema's arena.
 */
#ifndef WARD_CEDAR_SCHEMA_INT_H
#define WARD_CEDAR_SCHEMA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cedar/schema.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

/* Deepest type nesting (Set<...>, records) either front end accepts. */
#define SCHEMA_MAX_DEPTH 128

/* Where something was written: a byte span, and for JSON also the JSON
 * pointer ("/NS/entityTypes/User") that the messages quote. */
typedef struct sloc {
	wspan span;
	const char *path; /* JSON pointer, or NULL for the text format */
} sloc;

typedef enum rkind {
	RK_LONG,
	RK_STRING,
	RK_BOOL,
	RK_EXT,    /* JSON {"type": "Extension", "name": ...} */
	RK_SET,
	RK_RECORD,
	RK_REF,    /* a name still to resolve */
} rkind;

/* What a reference may resolve to. */
enum { REF_COMMON = 1, REF_ENTITY = 2, REF_EITHER = 3 };

typedef struct rtype rtype;

typedef struct rattr {
	const wsym *name;
	rtype *type;
	bool required;
	sloc loc; /* the attribute name */
} rattr;

struct rtype {
	uint8_t kind;      /* rkind */
	uint8_t reft;      /* RK_REF: REF_* */
	bool open;         /* RK_RECORD: additionalAttributes */
	const wsym *name;  /* RK_REF: the name as written; RK_EXT: extension name */
	rtype *elem;       /* RK_SET */
	rattr *attrs;      /* RK_RECORD, in written order */
	uint32_t nattrs;
	sloc loc;
};

/* An entity type reference (memberOfTypes, principal, resource). */
typedef struct rname {
	const wsym *name; /* as written */
	sloc loc;
} rname;

/* An action group reference: `type` NULL means "Action" of the same namespace. */
typedef struct raref {
	const wsym *type; /* as written, or NULL */
	const wsym *id;
	sloc loc;
} raref;

typedef struct rctype {
	const wsym *ns;   /* namespace ("" for none) */
	const wsym *name; /* fully qualified */
	rtype *def;
	sloc loc;
	uint8_t state;    /* resolution: 0 new, 1 in progress, 2 done, 3 failed */
	const wtype *res;
} rctype;

typedef struct retype {
	const wsym *ns;
	const wsym *name;   /* fully qualified */
	const wsym *base;   /* as declared */
	rname *parents;
	uint32_t nparents;
	rtype *shape;       /* NULL: empty record */
	rtype *tags;        /* NULL: no tags */
	const wsym **enum_ids;
	uint32_t nenum;
	bool is_enum;
	sloc loc;           /* the declared name */
} retype;

typedef struct raction {
	const wsym *ns;
	wuid uid;           /* type: "Action" / "NS::Action" */
	raref *parents;
	uint32_t nparents;
	rname *principals;
	uint32_t nprincipals;
	rname *resources;
	uint32_t nresources;
	rtype *context;     /* NULL: empty record */
	bool has_applies_to;
	sloc loc;           /* the declared name */
} raction;

typedef struct rnsdecl {
	const wsym *name;
	sloc loc;
} rnsdecl;

typedef struct sbuild {
	wctx *cx;
	wschema *s;
	wdiags *d;
	const wsource *src; /* in the schema's arena */
	warena tmp;         /* builder memory */
	size_t nerr0;       /* d->nerrors when the parse started */
	size_t diag0;       /* d->n when the parse started */
	rctype **ctypes;
	uint32_t nctypes, cap_ctypes;
	retype **etypes;
	uint32_t netypes, cap_etypes;
	raction **actions;
	uint32_t nactions, cap_actions;
	rnsdecl *nss;
	uint32_t nnss, cap_nss;
} sbuild;

/* Sets up a builder for one parse: copies name and text into the schema's
 * arena (b->src). */
void sb_init(sbuild *b, wctx *cx, wschema *s, const char *name, const char *text, size_t len, wdiags *d);
void sb_release(sbuild *b);

/* Errors since sb_init. */
size_t sb_nerrors(const sbuild *b);

/* Puts this parse's diagnostics in source order (each error keeps the notes
 * that follow it). */
void sb_sort_diags(sbuild *b);

/* An error at `loc`; for JSON locations " (at <pointer>)" is appended. */
void sb_error(sbuild *b, const sloc *loc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
void sb_note(sbuild *b, const sloc *loc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Declarations. Names and namespaces are interned; the objects must be
 * allocated in b->tmp. The namespace must have been declared first with
 * sb_namespace (several times for the empty namespace is fine). */
void sb_namespace(sbuild *b, const wsym *ns, const sloc *loc);
void sb_add_ctype(sbuild *b, const wsym *ns, const wsym *base, rtype *def, const sloc *loc);
retype *sb_new_etype(sbuild *b, const wsym *ns, const wsym *base, const sloc *loc);
raction *sb_new_action(sbuild *b, const wsym *ns, const wsym *id, const sloc *loc);
rtype *sb_type(sbuild *b, rkind k, const sloc *loc);

/* Resolves everything and fills b->s unless errors were found (then the
 * schema stays empty). Returns the number of errors since sb_init. */
int sb_finish(sbuild *b);

/* Name helpers shared by the front ends. */
bool schema_is_ident(const char *s, size_t n);         /* [_a-zA-Z][_a-zA-Z0-9]* */
bool schema_is_reserved_word(const char *s, size_t n); /* true false if then else in is like has */
bool schema_is_path(const char *s, size_t n, bool allow_cedar); /* Ident {"::" Ident} */
bool schema_is_reserved_type_name(const char *s, size_t n); /* Bool Boolean Entity ... */

#endif
