/* ext_int: private interface between ext.c (the function table, errors,
 * printing dispatch) and the per-type files ext_ip.c, ext_decimal.c and
 * ext_datetime.c. Not part of the contract; only the ext*.c files use it. */
#ifndef WARD_CEDAR_EXT_INT_H
#define WARD_CEDAR_EXT_INT_H

#include "cedar/ext.h"
#include "util/buf.h"

/* Error helpers: set *err (allocated in `a`) and return -1. */
int ext_err_type(warena *a, wvkind want, const wvalue *got, const char **err);
int ext_err_literal(warena *a, const char *what, const wvalue *str, const char *why, const char **err);
int ext_err_overflow(warena *a, const char *what, const char **err);

/* Canonical bare string forms (see ext_print_arg). */
void ext_ip_format(const wipaddr *ip, wbuf *out);
void ext_decimal_format(int64_t d, wbuf *out);
int ext_datetime_format(int64_t ms, wbuf *out);
void ext_duration_format(int64_t ms, wbuf *out);

/* Function implementations (wext_impl). */
int ext_fn_ip(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_is_ipv4(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_is_ipv6(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_is_loopback(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_is_multicast(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_is_in_range(warena *a, const wvalue *args, wvalue *out, const char **err);

int ext_fn_decimal(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_dec_lt(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_dec_le(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_dec_gt(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_dec_ge(warena *a, const wvalue *args, wvalue *out, const char **err);

int ext_fn_datetime(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_duration(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_offset(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_duration_since(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_date(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_time(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_ms(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_seconds(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_minutes(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_hours(warena *a, const wvalue *args, wvalue *out, const char **err);
int ext_fn_to_days(warena *a, const wvalue *args, wvalue *out, const char **err);

#endif
