/* ward.h: the public C API of libward.
 *
 * libward implements the Cedar authorization policy language. This header is
 * everything a program (the `ward` command, the decision server, a service
 * embedding ward) needs: load policies, a schema and entities, build
 * requests, authorize them, evaluate expressions, and report problems.
 *
 * Objects and lifetimes
 *   Every object is an opaque handle created by a `ward_*_new/parse/load`
 *   function and destroyed by the matching `ward_*_free` (which accepts
 *   NULL). Policies, schemas, entities and requests that are used together
 *   must be built with the same engine and must not outlive it. A response
 *   borrows the policy ids of its policy set: free it first. Strings returned
 *   as `char *` are owned by the caller and released with ward_free();
 *   strings returned as `const char *` are borrowed from their object.
 *
 * Errors are values
 *   Nothing in the library prints or exits. Functions that can fail take a
 *   ward_diags list, append located diagnostics to it and return NULL (or
 *   -1). A diagnostics list is self-contained: it keeps copies of the source
 *   texts it points into, so it stays valid after the objects it talks about
 *   are freed. Render it with ward_diags_render() when you want text.
 *   Out of memory is not an error value: the library aborts.
 *
 * Threads
 *   Parsing, loading and building requests add names to the engine's
 *   symbol table: callers sharing an engine between threads must serialise
 *   those calls (and ward_evaluate, which parses). Once built, policies,
 *   schemas, entities and requests are read-only, and ward_authorize only
 *   reads them and the engine: any number of threads may authorize at once,
 *   each response having its own memory.
 */
#ifndef WARD_WARD_H
#define WARD_WARD_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WARD_API __attribute__((visibility("default")))
#else
#define WARD_API
#endif

#define WARD_VERSION_STRING "0.1.0"

typedef struct ward_engine ward_engine;
typedef struct ward_diags ward_diags;
typedef struct ward_policies ward_policies;
typedef struct ward_schema ward_schema;
typedef struct ward_entities ward_entities;
typedef struct ward_request ward_request;
typedef struct ward_batch ward_batch;
typedef struct ward_response ward_response;

/* How policies are named. Positional ids are "policy0", "policy1", ... in
 * order of appearance (as the Cedar integration tests number them); with
 * WARD_IDS_ANNOTATION a policy with an @id("...") annotation takes that id
 * instead (as the reference command line does), and duplicates are errors. */
typedef enum ward_ids { WARD_IDS_ANNOTATION = 0, WARD_IDS_POSITIONAL = 1 } ward_ids;

/* Schema source formats. AUTO: JSON when the first non-blank byte is '{',
 * else the Cedar schema text format. */
typedef enum ward_schema_format { WARD_SCHEMA_AUTO = 0, WARD_SCHEMA_CEDAR = 1, WARD_SCHEMA_JSON = 2 } ward_schema_format;

typedef enum ward_decision { WARD_DENY = 0, WARD_ALLOW = 1 } ward_decision;
typedef enum ward_effect { WARD_PERMIT = 0, WARD_FORBID = 1 } ward_effect;

/* Request construction flags. */
#define WARD_REQ_NO_VALIDATION 0x1u /* with a schema: parse the context by it, but do
                                       not check the request against it */

/* ---- memory, version ---------------------------------------------------- */

/* Frees a string or buffer returned by this API as `char *`. */
WARD_API void ward_free(void *p);
/* "0.1.0" */
WARD_API const char *ward_version(void);

/* ---- diagnostics -------------------------------------------------------- */

WARD_API ward_diags *ward_diags_new(void);
WARD_API void ward_diags_free(ward_diags *d);
WARD_API void ward_diags_clear(ward_diags *d);
/* Number of diagnostics (errors, warnings and notes), and of errors only. */
WARD_API size_t ward_diags_count(const ward_diags *d);
WARD_API size_t ward_diags_error_count(const ward_diags *d);
/* The message of diagnostic i (borrowed), without location. */
WARD_API const char *ward_diags_message(const ward_diags *d, size_t i);
/* "error", "warning" or "note". */
WARD_API const char *ward_diags_severity(const ward_diags *d, size_t i);
/* Location of diagnostic i: 0 with *file, *line, *col (1-based; columns in
 * Unicode scalar values) when it has one, -1 when it has none. Any output
 * pointer may be NULL. */
WARD_API int ward_diags_location(const ward_diags *d, size_t i, const char **file, unsigned *line, unsigned *col);
/* Diagnostics from index `from` on, rendered as
 *     file:line:col: error: message
 *         3 | permit(principal == Usr::"alice", action, resource);
 *           |                     ^^^^^^^^^^^^
 * (or "error: message" when unlocated). Caller frees with ward_free. */
WARD_API char *ward_diags_render(const ward_diags *d, size_t from);
/* Diagnostic i on one line: "file:line:col: message" (no severity, no
 * source excerpt). Caller frees. */
WARD_API char *ward_diags_line(const ward_diags *d, size_t i);
/* Diagnostics from `from` on as JSON Lines, one object per diagnostic:
 * {"severity":"error","file":F,"line":L,"column":C,"message":M}
 * (file/line/column omitted when unlocated). Caller frees. */
WARD_API char *ward_diags_render_json(const ward_diags *d, size_t from);

/* ---- engine ------------------------------------------------------------- */

WARD_API ward_engine *ward_engine_new(void);
/* Frees the engine; every object built with it must be freed before. */
WARD_API void ward_engine_free(ward_engine *e);

/* Reads a whole file ("-" is standard input). Returns a NUL-terminated heap
 * buffer (caller frees with ward_free) and its length in *len, or NULL with
 * a diagnostic ("cannot read 'x': reason"). */
WARD_API char *ward_read_file(const char *path, size_t *len, ward_diags *d);

/* ---- policies ----------------------------------------------------------- */

/* Parses policies: Cedar policy text (any number of policies and templates)
 * or the JSON policy format (a policy, or a policy set with staticPolicies,
 * templates and templateLinks), told apart by the first non-blank byte
 * ('{' is JSON). `name` names the source in diagnostics. NULL if any error
 * was reported: every syntax error the parser could recover from is in `d`. */
WARD_API ward_policies *ward_policies_parse(ward_engine *e, const char *name, const char *text, size_t len,
					    ward_ids ids, ward_diags *d);
/* Same, from a file ("-" for standard input). */
WARD_API ward_policies *ward_policies_load(ward_engine *e, const char *path, ward_ids ids, ward_diags *d);
/* Links templates of `p` with the links in a JSON file: an array of
 * {"templateId", "newId", "values": {"?principal": UID, "?resource": UID}}
 * (the reference command line's {"template_id", "link_id", "args"} too).
 * The linked policies take part in decisions under their new ids. Returns
 * 0, or -1 with every bad link in `d` (then `p` must not be used). */
WARD_API int ward_policies_link_file(ward_engine *e, ward_policies *p, const char *path, ward_diags *d);
WARD_API void ward_policies_free(ward_policies *p);
/* Policies and templates in order of appearance. */
WARD_API size_t ward_policies_count(const ward_policies *p);
WARD_API const char *ward_policies_id(const ward_policies *p, size_t i);
WARD_API ward_effect ward_policies_effect(const ward_policies *p, size_t i);
WARD_API bool ward_policies_is_template(const ward_policies *p, size_t i);

/* ---- schema ------------------------------------------------------------- */

WARD_API ward_schema *ward_schema_parse(ward_engine *e, const char *name, const char *text, size_t len,
					ward_schema_format fmt, ward_diags *d);
WARD_API ward_schema *ward_schema_load(ward_engine *e, const char *path, ward_schema_format fmt, ward_diags *d);
WARD_API void ward_schema_free(ward_schema *s);
WARD_API size_t ward_schema_entity_type_count(const ward_schema *s);
WARD_API size_t ward_schema_action_count(const ward_schema *s);

/* ---- entities ----------------------------------------------------------- */

/* Loads entities JSON (an array of {uid, attrs, parents[, tags]}). With a
 * schema (may be NULL), values are parsed by their declared types, types are
 * checked, and the schema's action entities are added. */
WARD_API ward_entities *ward_entities_parse(ward_engine *e, const ward_schema *s, const char *name, const char *text,
					    size_t len, ward_diags *d);
WARD_API ward_entities *ward_entities_load(ward_engine *e, const ward_schema *s, const char *path, ward_diags *d);
/* An entity store holding only the schema's action entities (none when `s`
 * is NULL). */
WARD_API ward_entities *ward_entities_empty(ward_engine *e, const ward_schema *s, ward_diags *d);
WARD_API void ward_entities_free(ward_entities *es);
WARD_API size_t ward_entities_count(const ward_entities *es);

/* ---- requests ----------------------------------------------------------- */

/* A request from entity uids in Cedar syntax (`User::"alice"`) and an
 * optional context JSON object (context_text NULL: empty context;
 * context_name names it in diagnostics). With a schema the context is parsed
 * by the action's context type and, unless WARD_REQ_NO_VALIDATION, the
 * request is validated as the reference implementation does. */
WARD_API ward_request *ward_request_new(ward_engine *e, const ward_schema *s, const char *principal,
					const char *action, const char *resource, const char *context_name,
					const char *context_text, size_t context_len, unsigned flags, ward_diags *d);
/* A request from its JSON object {"principal","action","resource","context"}
 * where the uids are `Type::"id"` strings or {"type","id"} objects. */
WARD_API ward_request *ward_request_parse_json(ward_engine *e, const ward_schema *s, const char *name,
					       const char *text, size_t len, unsigned flags, ward_diags *d);
WARD_API ward_request *ward_request_load_json(ward_engine *e, const ward_schema *s, const char *path, unsigned flags,
					      ward_diags *d);
WARD_API void ward_request_free(ward_request *r);

/* A batch of requests: a JSON array of request objects, or JSON Lines (one
 * request object per non-blank line). Returns NULL only when the text is a
 * JSON array that does not parse; a bad line of JSON Lines is kept and
 * reported when its request is built. */
WARD_API ward_batch *ward_batch_parse(ward_engine *e, const char *name, const char *text, size_t len, ward_diags *d);
WARD_API ward_batch *ward_batch_load(ward_engine *e, const char *path, ward_diags *d);
WARD_API void ward_batch_free(ward_batch *b);
WARD_API size_t ward_batch_count(const ward_batch *b);
/* Builds request i of the batch; NULL with a diagnostic naming the line (or
 * array index) when that request is malformed. */
WARD_API ward_request *ward_batch_request(ward_batch *b, size_t i, const ward_schema *s, unsigned flags,
					  ward_diags *d);

/* ---- authorization ------------------------------------------------------ */

/* Decides a request: default deny, any applying forbid overrides every
 * permit. `es` may be NULL (no entities). Returns NULL only when an argument
 * is NULL or the objects come from different engines. */
WARD_API ward_response *ward_authorize(ward_engine *e, const ward_policies *p, const ward_entities *es,
				       const ward_request *r);
WARD_API void ward_response_free(ward_response *r);
/* For deciding many requests: an empty response (deny, no reasons) to
 * decide into with ward_authorize_into, which reuses its memory instead of
 * allocating a new response per call. One response per thread. */
WARD_API ward_response *ward_response_new(void);
/* Decides like ward_authorize, into `resp` (its previous contents are
 * dropped). Once `resp` has decided a request or two it has the memory it
 * needs, and a decision allocates nothing. 0, or -1 when an argument is NULL
 * or the objects come from different engines. */
WARD_API int ward_authorize_into(ward_engine *e, const ward_policies *p, const ward_entities *es,
				 const ward_request *r, ward_response *resp);
WARD_API ward_decision ward_response_decision(const ward_response *r);
/* The determining policies: the applying forbids on deny, the applying
 * permits on allow, none when nothing applied. In policy-set order. */
WARD_API size_t ward_response_reason_count(const ward_response *r);
WARD_API const char *ward_response_reason(const ward_response *r, size_t i);
/* Policies whose evaluation errored (they do not apply), with messages. */
WARD_API size_t ward_response_error_count(const ward_response *r);
WARD_API const char *ward_response_error_policy(const ward_response *r, size_t i);
WARD_API const char *ward_response_error_message(const ward_response *r, size_t i);
/* {"decision":"allow"|"deny","reasons":[ids],"errors":[{"policy":id,"message":m}]}
 * without a trailing newline. Caller frees. */
WARD_API char *ward_response_json(const ward_response *r);

/* {"error":"<the diagnostics from `from` on, one line each, joined by "; ">"}
 * for reporting a failed request inside JSON output. Caller frees. */
WARD_API char *ward_error_json(const ward_diags *d, size_t from);

/* ---- expressions -------------------------------------------------------- */

/* Parses a Cedar expression without evaluating it. 0, or -1 with
 * diagnostics. */
WARD_API int ward_expr_check(ward_engine *e, const char *name, const char *text, size_t len, ward_diags *d);
/* Evaluates a Cedar expression for a request (may be NULL when the
 * expression does not use principal, action, resource or context) against
 * entities (may be NULL). Returns the value printed in Cedar syntax
 * (`User::"alice"`, `[1, 2]`, `{"a": true}`, `ip("10.0.0.1")`), or NULL with
 * a diagnostic on a parse or evaluation error. Caller frees. */
WARD_API char *ward_evaluate(ward_engine *e, const char *name, const char *text, size_t len,
			     const ward_entities *es, const ward_request *r, ward_diags *d);

#ifdef __cplusplus
}
#endif

#endif
