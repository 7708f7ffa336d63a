/* api: private definitions behind the public handles of include/ward/ward.h.
 *
 * The public API is a thin layer over the Cedar modules (src/cedar): each
 * handle wraps one module object together with the engine it was built with.
 * This header is shared by the .c files of src/api only.
 */
#ifndef WARD_API_API_H
#define WARD_API_API_H

#include <jansson.h>

#include "cedar/ast.h"
#include "cedar/authz.h"
#include "cedar/ctx.h"
#include "cedar/entities.h"
#include "cedar/request.h"
#include "cedar/schema.h"
#include "util/arena.h"
#include "util/diag.h"
#include "ward/ward.h"

struct ward_engine {
	wctx cx;
	wentities empty; /* the store used when a caller gives none (read-only) */
};

struct ward_diags {
	wdiags d;
	warena srcs; /* adopted copies of the sources diagnostics point into */
};

struct ward_policies {
	ward_engine *e;
	wpolicyset ps;
	char *name; /* heap copy of the source name (the wsource borrows it) */
};

struct ward_schema {
	ward_engine *e;
	wschema s;
	char *name;
};

struct ward_entities {
	ward_engine *e;
	wentities es;
	char *name;
};

struct ward_request {
	ward_engine *e;
	warena a; /* context values */
	wrequest r;
};

/* One entry of a batch: a parsed request object, or why it is not one. */
struct api_batch_item {
	json_t *obj;    /* owned reference, NULL when malformed */
	char *err;      /* heap message when obj is NULL */
	uint32_t line;  /* 1-based line (JSON Lines) or 0 (array) */
	uint32_t index; /* 0-based position in the batch */
};

struct ward_batch {
	ward_engine *e;
	char *name;
	struct api_batch_item *items;
	size_t n, cap;
};

struct ward_response {
	warena tmp; /* owns the arrays and messages of r */
	wresponse r;
};

/* Repoints diagnostics [from, n) at copies of their sources owned by `d`, so
 * they outlive the objects whose texts they were reported against. */
void api_diags_adopt(ward_diags *d, size_t from);
/* Appends an unlocated error. */
void api_error(ward_diags *d, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Parses JSON text with duplicate-key rejection. On error appends a located
 * diagnostic (adopted, so `src` may be temporary) and returns NULL. */
json_t *api_json_parse(ward_diags *d, const wsource *src);

/* A request from a parsed JSON object ({"principal", "action", "resource",
 * "context"}), as ward_request_parse_json builds it from text; errors are
 * prefixed with `where`. For callers that hold the object already (batches,
 * the decision server, which also logs it). */
ward_request *api_request_from_value(ward_engine *e, const ward_schema *s, const json_t *j, unsigned flags,
				     ward_diags *d, const char *where);

/* A heap copy of `s` or of "<input>" when NULL. */
char *api_name_dup(const char *s);

#endif
