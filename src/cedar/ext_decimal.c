/* ext_decimal: the decimal extension type (decimal() and its comparison
 * methods).
 *
 * A decimal is `-?[0-9]+.[0-9]+` with one to four fractional digits, held
 * as an int64 scaled by 10^4, so the range is -922337203685477.5808 to
 * 922337203685477.5807 and anything outside is an overflow error. The sign
 * applies to the whole number, also when the integer part is zero
 * ("-0.5" is -5000), as in the reference since its fix of late 2025.
 */
#include "cedar/ext.h"
#include "cedar/ext_int.h"

#include <inttypes.h>

#define DEC_DIGITS 4
#define DEC_SCALE 10000

/* Parses an unsigned run of ASCII digits s[0..n) into *out; -1 on
 * overflow of int64 (the reference parses each side as i64). */
static int parse_u63(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = s[i] - '0';
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Returns 0, -1 for a malformed literal, -2 for one out of range, -3 for
 * too many fractional digits. */
static int parse_decimal(const char *s, size_t n, int64_t *out)
{
	size_t p = 0;
	bool neg = false;
	if (p < n && s[p] == '-') {
		neg = true;
		p++;
	}
	size_t ip = p;
	while (p < n && is_digit(s[p]))
		p++;
	size_t il = p - ip;
	if (il == 0 || p >= n || s[p] != '.')
		return -1;
	p++;
	size_t fp = p;
	while (p < n && is_digit(s[p]))
		p++;
	size_t fl = p - fp;
	if (fl == 0 || p != n)
		return -1;
	int64_t whole, frac;
	/* an integer part of 2^63 or more overflows once scaled in any case */
	if (parse_u63(s + ip, il, &whole) != 0)
		return -2;
	if (fl > DEC_DIGITS)
		return -3;
	if (parse_u63(s + fp, fl, &frac) != 0)
		return -2;
	for (size_t i = fl; i < DEC_DIGITS; i++)
		frac *= 10;
	if (whole > INT64_MAX / DEC_SCALE)
		return -2;
	int64_t w = whole * DEC_SCALE;
	if (neg) {
		/* -w - frac >= INT64_MIN  <=>  w + frac <= 2^63 */
		if (frac > 0 && w > INT64_MAX - (frac - 1))
			return -2;
		*out = -w - frac;
	} else {
		if (w > INT64_MAX - frac)
			return -2;
		*out = w + frac;
	}
	return 0;
}

int ext_parse_decimal(const char *s, size_t n, int64_t *out)
{
	int64_t v;
	if (parse_decimal(s, n, &v) != 0)
		return -1;
	*out = v;
	return 0;
}

/* Integer part, '.', exactly four fractional digits: "1.2300", "-0.5000". */
void ext_decimal_format(int64_t d, wbuf *out)
{
	uint64_t mag = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	buf_printf(out, "%s%" PRIu64 ".%04" PRIu64, d < 0 ? "-" : "", mag / DEC_SCALE, mag % DEC_SCALE);
}

int ext_fn_decimal(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (args[0].kind != WV_STRING)
		return ext_err_type(a, WV_STRING, &args[0], err);
	int64_t v;
	int rc = parse_decimal(args[0].u.s.p, args[0].u.s.n, &v);
	if (rc == -2)
		return ext_err_literal(a, "decimal", &args[0], "out of range", err);
	if (rc == -3)
		return ext_err_literal(a, "decimal", &args[0], "at most 4 fractional digits are supported", err);
	if (rc != 0)
		return ext_err_literal(a, "decimal", &args[0], NULL, err);
	*out = value_ext_int(WV_DECIMAL, v);
	return 0;
}

static int dec_args(warena *a, const wvalue *args, int64_t *x, int64_t *y, const char **err)
{
	if (args[0].kind != WV_DECIMAL)
		return ext_err_type(a, WV_DECIMAL, &args[0], err);
	if (args[1].kind != WV_DECIMAL)
		return ext_err_type(a, WV_DECIMAL, &args[1], err);
	*x = args[0].u.i;
	*y = args[1].u.i;
	return 0;
}

int ext_fn_dec_lt(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	int64_t x = 0, y = 0;
	if (dec_args(a, args, &x, &y, err))
		return -1;
	*out = value_bool(x < y);
	return 0;
}

int ext_fn_dec_le(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	int64_t x = 0, y = 0;
	if (dec_args(a, args, &x, &y, err))
		return -1;
	*out = value_bool(x <= y);
	return 0;
}

int ext_fn_dec_gt(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	int64_t x = 0, y = 0;
	if (dec_args(a, args, &x, &y, err))
		return -1;
	*out = value_bool(x > y);
	return 0;
}

int ext_fn_dec_ge(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	int64_t x = 0, y = 0;
	if (dec_args(a, args, &x, &y, err))
		return -1;
	*out = value_bool(x >= y);
	return 0;
}
