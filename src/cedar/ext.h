/* ext: Cedar extension types and their functions.
 *
 * ipaddr (ip), decimal, datetime and duration: parsing of their string forms,
 * and every extension function and method, looked up by name at parse time
 * so the evaluator calls through a resolved pointer.
 *
 * Value representations are in value.h: decimal is an int64 scaled by 10^4,
 * datetime is ms since the epoch, duration is ms, ipaddr a wipaddr.
 * Comparisons `<`/`<=`/`>`/`>=` on datetime and duration are done by the
 * evaluator (same-kind compare of u.i); `==` by value_eq.
 */
#ifndef WARD_CEDAR_EXT_H
#define WARD_CEDAR_EXT_H

#include <stdbool.h>
#include <stddef.h>

#include "cedar/value.h"
#include "util/arena.h"

/* Implementation of one function. `args` has exactly fn->nargs values
 * (receiver first for methods). On success stores the result and returns 0;
 * on a Cedar evaluation error (wrong argument type, unparsable string,
 * overflow) sets *err to a message (static or in `a`) and returns -1. */
typedef int (*wext_impl)(warena *a, const wvalue *args, wvalue *out, const char **err);

typedef struct wext_fn {
	const char *name; /* "ip", "isInRange", ... */
	unsigned nargs;   /* including the receiver for methods */
	bool method;      /* called as receiver.name(...) */
	wext_impl impl;
} wext_fn;

/* NULL when no extension function of that name and call style exists. */
const wext_fn *ext_lookup(const char *name, size_t len, bool method);
/* NULL when no function of that name exists in either style (for messages). */
const wext_fn *ext_lookup_any(const char *name, size_t len);

/* String-form parsers, shared with schema-directed JSON parsing.
 * Return 0 on success, -1 if the text is not a valid literal. */
int ext_parse_ip(const char *s, size_t n, wipaddr *out);
int ext_parse_decimal(const char *s, size_t n, int64_t *out);
int ext_parse_datetime(const char *s, size_t n, int64_t *out_ms);
int ext_parse_duration(const char *s, size_t n, int64_t *out_ms);

/* Cedar-syntax rendering: ip("10.0.0.0/8"), decimal("1.2300"),
 * datetime("..."), duration("...") as the reference prints them. */
void ext_print(const wvalue *v, wbuf *out);
/* The bare string form that the constructor accepts ("10.0.0.0/8",
 * "1.2300", "2024-10-15T11:35:00Z", "1d2h"), unquoted, for JSON's
 * {"__extn": {"fn", "arg"}}. Returns 0, or -1 (appending nothing) when the
 * value has no such form: a datetime offset beyond what the datetime()
 * constructor can express (before year 0000 or after 9999). */
int ext_print_arg(const wvalue *v, wbuf *out);
/* The constructor name of an extension kind ("ip", "decimal", "datetime",
 * "duration"), NULL for other kinds. */
const char *ext_ctor_name(wvkind k);
/* Compare two ip addresses for the total value order (value_cmp). */
int ext_ip_cmp(const wipaddr *a, const wipaddr *b);

#endif
