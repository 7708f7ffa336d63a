/* ext_datetime: the datetime and duration extension types.
 *
 * datetime is ms since the Unix epoch (proleptic Gregorian calendar, no leap
 * seconds); duration is ms. Accepted datetime texts, as the reference:
 *   YYYY-MM-DD
 *   YYYY-MM-DDThh:mm:ss[.SSS](Z|(+|-)hhmm)
 * with exactly 4 year digits (0000-9999), real calendar days (leap years),
 * hh < 24, mm < 60, ss < 60 (no leap second) and offsets below 24h.
 * A duration is `-?` then quantity-unit pairs in the order d, h, m, s, ms,
 * each optional but at least one; the sign applies to the whole. Every
 * computation that leaves int64 is an overflow error.
 */
#include "cedar/ext.h"
#include "cedar/ext_int.h"

#include <inttypes.h>
#include <stdbool.h>

#define MS_PER_SEC INT64_C(1000)
#define MS_PER_MIN INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)
#define MS_PER_DAY INT64_C(86400000)

/* ---- calendar (Howard Hinnant's days_from_civil / civil_from_days) ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned k[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : k[m - 1];
}

/* floor division and the matching non-negative remainder */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
	int64_t q = a / b, r = a % b;
	if (r < 0) {
		q--;
		r += b;
	}
	*rem = r;
	return q;
}

/* ---- checked int64 arithmetic ---- */

static bool add_i64(int64_t a, int64_t b, int64_t *r)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return false;
	*r = a + b;
	return true;
}

static bool sub_i64(int64_t a, int64_t b, int64_t *r)
{
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
		return false;
	*r = a - b;
	return true;
}

/* a >= 0, b > 0 */
static bool mul_i64(int64_t a, int64_t b, int64_t *r)
{
	if (a > INT64_MAX / b)
		return false;
	*r = a * b;
	return true;
}

/* ---- datetime parsing ---- */

/* Reads exactly `k` ASCII digits at s[*p]. */
static bool digits(const char *s, size_t n, size_t *p, size_t k, unsigned *out)
{
	if (*p + k > n)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[*p + i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += k;
	*out = v;
	return true;
}

static bool lit(const char *s, size_t n, size_t *p, char c)
{
	if (*p < n && s[*p] == c) {
		(*p)++;
		return true;
	}
	return false;
}

int ext_parse_datetime(const char *s, size_t n, int64_t *out_ms)
{
	size_t p = 0;
	unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
	if (!digits(s, n, &p, 4, &y) || !lit(s, n, &p, '-') || !digits(s, n, &p, 2, &mo) ||
	    !lit(s, n, &p, '-') || !digits(s, n, &p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	int64_t offset_ms = 0;
	if (p < n) {
		if (!lit(s, n, &p, 'T') || !digits(s, n, &p, 2, &h) || !lit(s, n, &p, ':') ||
		    !digits(s, n, &p, 2, &mi) || !lit(s, n, &p, ':') || !digits(s, n, &p, 2, &sec))
			return -1;
		if (lit(s, n, &p, '.') && !digits(s, n, &p, 3, &ms))
			return -1;
		if (lit(s, n, &p, 'Z')) {
			/* UTC */
		} else if (p < n && (s[p] == '+' || s[p] == '-')) {
			bool neg = s[p] == '-';
			unsigned oh = 0, om = 0;
			p++;
			if (!digits(s, n, &p, 2, &oh) || !digits(s, n, &p, 2, &om))
				return -1;
			if (oh >= 24 || om >= 60)
				return -1;
			offset_ms = (int64_t)oh * MS_PER_HOUR + (int64_t)om * MS_PER_MIN;
			if (neg)
				offset_ms = -offset_ms;
		} else {
			return -1;
		}
		if (p != n)
			return -1;
		if (h >= 24 || mi >= 60 || sec >= 60)
			return -1;
	}
	/* years 0..9999: far from int64 limits */
	*out_ms = days_from_civil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MIN +
		  sec * MS_PER_SEC + ms - offset_ms;
	return 0;
}

/* ---- duration parsing ---- */

/* Returns 0, -1 for a malformed duration, -2 for one out of range. */
static int parse_duration(const char *s, size_t n, int64_t *out_ms)
{
	static const int64_t unit_ms[5] = {MS_PER_DAY, MS_PER_HOUR, MS_PER_MIN, MS_PER_SEC, 1};
	size_t p = 0;
	bool neg = false;
	if (lit(s, n, &p, '-'))
		neg = true;
	if (p == n)
		return -1;
	uint64_t q[5] = {0, 0, 0, 0, 0}; /* quantities of d, h, m, s, ms */
	int next = 0; /* units must come in this order, each at most once */
	while (p < n) {
		size_t start = p;
		uint64_t v = 0;
		bool too_big = false;
		while (p < n && s[p] >= '0' && s[p] <= '9') {
			unsigned dgt = (unsigned)(s[p] - '0');
			if (v > (UINT64_MAX - dgt) / 10)
				too_big = true;
			else
				v = v * 10 + dgt;
			p++;
		}
		if (p == start || p == n)
			return -1;
		int u;
		switch (s[p]) {
		case 'd': u = 0; p++; break;
		case 'h': u = 1; p++; break;
		case 's': u = 3; p++; break;
		case 'm':
			if (p + 1 < n && s[p + 1] == 's') {
				u = 4;
				p += 2;
			} else {
				u = 2;
				p++;
			}
			break;
		default: return -1;
		}
		if (u < next)
			return -1;
		next = u + 1;
		if (too_big)
			v = UINT64_MAX; /* out of range whatever the sign */
		q[u] = v;
	}
	/* accumulate from ms up to days with the sign applied, as the
	 * reference does: every quantity must fit in int64 except that ms may
	 * be 2^63 when negative, so "-9223372036854775808ms" is valid */
	int64_t total = 0;
	for (int u = 4; u >= 0; u--) {
		uint64_t v = q[u];
		int64_t part;
		if (u == 4 && neg && v == (uint64_t)INT64_MAX + 1) {
			total = INT64_MIN;
			continue;
		}
		if (v > (uint64_t)INT64_MAX || !mul_i64((int64_t)v, unit_ms[u], &part))
			return -2;
		if (!(neg ? sub_i64(total, part, &total) : add_i64(total, part, &total)))
			return -2;
	}
	*out_ms = total;
	return 0;
}

int ext_parse_duration(const char *s, size_t n, int64_t *out_ms)
{
	return parse_duration(s, n, out_ms) == 0 ? 0 : -1;
}

/* ---- printing ---- */

/* Writes local time `ms` as YYYY-MM-DD[Thh:mm:ss[.SSS]<zone>]; -1 if the
 * year is outside 0000..9999. `zone` is "Z" or an offset like "+2359". */
static int format_local(int64_t ms, const char *zone, wbuf *out)
{
	int64_t tod;
	int64_t days = floor_div(ms, MS_PER_DAY, &tod);
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return -1;
	buf_printf(out, "%04" PRId64 "-%02u-%02u", y, m, d);
	if (tod == 0 && zone[0] == 'Z')
		return 0;
	unsigned h = (unsigned)(tod / MS_PER_HOUR), mi = (unsigned)(tod / MS_PER_MIN % 60),
		 s = (unsigned)(tod / MS_PER_SEC % 60), milli = (unsigned)(tod % MS_PER_SEC);
	buf_printf(out, "T%02u:%02u:%02u", h, mi, s);
	if (milli)
		buf_printf(out, ".%03u", milli);
	buf_adds(out, zone);
	return 0;
}

/* UTC when the year is 0000..9999. Just outside that range the constructor
 * still reaches a little further with a +/-23:59 offset; use it there. */
int ext_datetime_format(int64_t ms, wbuf *out)
{
	static const int64_t max_off = 23 * MS_PER_HOUR + 59 * MS_PER_MIN;
	size_t mark = out->n;
	if (format_local(ms, "Z", out) == 0)
		return 0;
	if (ms < 0 && ms <= INT64_MAX - max_off && format_local(ms + max_off, "+2359", out) == 0)
		return 0;
	if (ms > 0 && ms >= INT64_MIN + max_off && format_local(ms - max_off, "-2359", out) == 0)
		return 0;
	if (out->p) {
		out->n = mark;
		out->p[mark] = '\0';
	}
	return -1;
}

/* Largest units first: "1d2h", "-3h30m", "120ms", "0ms". */
void ext_duration_format(int64_t ms, wbuf *out)
{
	static const struct {
		uint64_t ms;
		const char *unit;
	} units[] = {{86400000u, "d"}, {3600000u, "h"}, {60000u, "m"}, {1000u, "s"}, {1u, "ms"}};
	if (ms == 0) {
		buf_adds(out, "0ms");
		return;
	}
	uint64_t mag = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
	if (ms < 0)
		buf_addc(out, '-');
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		uint64_t q = mag / units[i].ms;
		mag %= units[i].ms;
		if (q)
			buf_printf(out, "%" PRIu64 "%s", q, units[i].unit);
	}
}

/* ---- functions ---- */

static int want(warena *a, const wvalue *v, wvkind k, const char **err)
{
	return v->kind == k ? 0 : ext_err_type(a, k, v, err);
}

int ext_fn_datetime(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (want(a, &args[0], WV_STRING, err))
		return -1;
	int64_t ms;
	if (ext_parse_datetime(args[0].u.s.p, args[0].u.s.n, &ms) != 0)
		return ext_err_literal(a, "datetime", &args[0], NULL, err);
	*out = value_ext_int(WV_DATETIME, ms);
	return 0;
}

int ext_fn_duration(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (want(a, &args[0], WV_STRING, err))
		return -1;
	int64_t ms;
	int rc = parse_duration(args[0].u.s.p, args[0].u.s.n, &ms);
	if (rc == -2)
		return ext_err_literal(a, "duration", &args[0], "out of range", err);
	if (rc != 0)
		return ext_err_literal(a, "duration", &args[0], NULL, err);
	*out = value_ext_int(WV_DURATION, ms);
	return 0;
}

/* datetime.offset(duration) -> datetime */
int ext_fn_offset(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (want(a, &args[0], WV_DATETIME, err) || want(a, &args[1], WV_DURATION, err))
		return -1;
	int64_t r;
	if (!add_i64(args[0].u.i, args[1].u.i, &r))
		return ext_err_overflow(a, "datetime offset out of range", err);
	*out = value_ext_int(WV_DATETIME, r);
	return 0;
}

/* datetime.durationSince(datetime) -> duration (receiver minus argument) */
int ext_fn_duration_since(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (want(a, &args[0], WV_DATETIME, err) || want(a, &args[1], WV_DATETIME, err))
		return -1;
	int64_t r;
	if (!sub_i64(args[0].u.i, args[1].u.i, &r))
		return ext_err_overflow(a, "duration between datetimes out of range", err);
	*out = value_ext_int(WV_DURATION, r);
	return 0;
}

/* datetime.toDate(): midnight (UTC) of the day, rounding down for times
 * before the epoch; the earliest days overflow. */
int ext_fn_to_date(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (want(a, &args[0], WV_DATETIME, err))
		return -1;
	int64_t rem;
	int64_t days = floor_div(args[0].u.i, MS_PER_DAY, &rem);
	int64_t r;
	if (!mul_i64(days < 0 ? -days : days, MS_PER_DAY, &r))
		return ext_err_overflow(a, "date of datetime out of range", err);
	*out = value_ext_int(WV_DATETIME, days < 0 ? -r : r);
	return 0;
}

/* datetime.toTime(): the duration since that day's midnight, in [0, 1d). */
int ext_fn_to_time(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (want(a, &args[0], WV_DATETIME, err))
		return -1;
	int64_t rem;
	(void)floor_div(args[0].u.i, MS_PER_DAY, &rem);
	*out = value_ext_int(WV_DURATION, rem);
	return 0;
}

/* duration conversions truncate toward zero, each from the previous unit */
static int duration_to(warena *a, const wvalue *args, wvalue *out, const char **err, int steps)
{
	static const int64_t div[4] = {1000, 60, 60, 24};
	if (want(a, &args[0], WV_DURATION, err))
		return -1;
	int64_t v = args[0].u.i;
	for (int i = 0; i < steps; i++)
		v /= div[i];
	*out = value_long(v);
	return 0;
}

int ext_fn_to_ms(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	return duration_to(a, args, out, err, 0);
}

int ext_fn_to_seconds(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	return duration_to(a, args, out, err, 1);
}

int ext_fn_to_minutes(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	return duration_to(a, args, out, err, 2);
}

int ext_fn_to_hours(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	return duration_to(a, args, out, err, 3);
}

int ext_fn_to_days(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	return duration_to(a, args, out, err, 4);
}
