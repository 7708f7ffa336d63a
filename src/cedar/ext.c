/* ext: the table of Cedar extension functions, lookup by name and call
 * style, shared error messages, and printing of extension values.
 *
 * The per-type parsing and functions live in ext_ip.c, ext_decimal.c and
 * ext_datetime.c. Constructors (ip, decimal, datetime, duration) are
 * function-style; everything else is a method whose receiver is args[0].
 */
#include "cedar/ext.h"
#include "cedar/ext_int.h"

#include <string.h>

static const wext_fn k_fns[] = {
	/* constructors */
	{"ip", 1, false, ext_fn_ip},
	{"decimal", 1, false, ext_fn_decimal},
	{"datetime", 1, false, ext_fn_datetime},
	{"duration", 1, false, ext_fn_duration},
	/* ipaddr */
	{"isIpv4", 1, true, ext_fn_is_ipv4},
	{"isIpv6", 1, true, ext_fn_is_ipv6},
	{"isLoopback", 1, true, ext_fn_is_loopback},
	{"isMulticast", 1, true, ext_fn_is_multicast},
	{"isInRange", 2, true, ext_fn_is_in_range},
	/* decimal */
	{"lessThan", 2, true, ext_fn_dec_lt},
	{"lessThanOrEqual", 2, true, ext_fn_dec_le},
	{"greaterThan", 2, true, ext_fn_dec_gt},
	{"greaterThanOrEqual", 2, true, ext_fn_dec_ge},
	/* datetime and duration */
	{"offset", 2, true, ext_fn_offset},
	{"durationSince", 2, true, ext_fn_duration_since},
	{"toDate", 1, true, ext_fn_to_date},
	{"toTime", 1, true, ext_fn_to_time},
	{"toMilliseconds", 1, true, ext_fn_to_ms},
	{"toSeconds", 1, true, ext_fn_to_seconds},
	{"toMinutes", 1, true, ext_fn_to_minutes},
	{"toHours", 1, true, ext_fn_to_hours},
	{"toDays", 1, true, ext_fn_to_days},
};

#define NFNS (sizeof k_fns / sizeof k_fns[0])

static bool name_is(const wext_fn *f, const char *name, size_t len)
{
	return strlen(f->name) == len && memcmp(f->name, name, len) == 0;
}

const wext_fn *ext_lookup(const char *name, size_t len, bool method)
{
	for (size_t i = 0; i < NFNS; i++)
		if (k_fns[i].method == method && name_is(&k_fns[i], name, len))
			return &k_fns[i];
	return NULL;
}

const wext_fn *ext_lookup_any(const char *name, size_t len)
{
	for (size_t i = 0; i < NFNS; i++)
		if (name_is(&k_fns[i], name, len))
			return &k_fns[i];
	return NULL;
}

/* ---- errors ---- */

const char *ext_ctor_name(wvkind k)
{
	switch (k) {
	case WV_IPADDR: return "ip";
	case WV_DECIMAL: return "decimal";
	case WV_DATETIME: return "datetime";
	case WV_DURATION: return "duration";
	default: return NULL;
	}
}

int ext_err_type(warena *a, wvkind want, const wvalue *got, const char **err)
{
	const char *ctor = ext_ctor_name(want);
	if (got->kind == WV_STRING && ctor)
		*err = arena_sprintf(a, "type error: expected %s, got string; maybe you forgot to apply the '%s' constructor?",
				     value_kind_name(want), ctor);
	else
		*err = arena_sprintf(a, "type error: expected %s, got %s", value_kind_name(want),
				     value_kind_name((wvkind)got->kind));
	return -1;
}

/* Longest prefix of the literal quoted in messages. */
#define LITERAL_SHOWN 64

int ext_err_literal(warena *a, const char *what, const wvalue *str, const char *why, const char **err)
{
	wvalue shown = *str;
	bool cut = false;
	if (shown.u.s.n > LITERAL_SHOWN) {
		uint32_t n = LITERAL_SHOWN;
		/* do not split a UTF-8 sequence */
		while (n > 0 && ((unsigned char)shown.u.s.p[n] & 0xc0) == 0x80)
			n--;
		shown.u.s.n = n;
		cut = true;
	}
	wbuf b = WBUF_INIT;
	buf_printf(&b, "invalid %s literal ", what);
	value_print(&shown, &b);
	if (cut)
		buf_adds(&b, "...");
	if (why)
		buf_printf(&b, ": %s", why);
	*err = arena_strndup(a, b.p, b.n);
	buf_release(&b);
	return -1;
}

int ext_err_overflow(warena *a, const char *what, const char **err)
{
	*err = arena_sprintf(a, "overflow: %s", what);
	return -1;
}

/* ---- printing ---- */

int ext_ip_cmp(const wipaddr *a, const wipaddr *b)
{
	if (a->v6 != b->v6)
		return a->v6 < b->v6 ? -1 : 1;
	int c = memcmp(a->addr, b->addr, a->v6 ? 16 : 4);
	if (c)
		return c < 0 ? -1 : 1;
	return a->prefix < b->prefix ? -1 : (a->prefix > b->prefix ? 1 : 0);
}

int ext_print_arg(const wvalue *v, wbuf *out)
{
	switch ((wvkind)v->kind) {
	case WV_IPADDR:
		ext_ip_format(v->u.ip, out);
		return 0;
	case WV_DECIMAL:
		ext_decimal_format(v->u.i, out);
		return 0;
	case WV_DATETIME:
		return ext_datetime_format(v->u.i, out);
	case WV_DURATION:
		ext_duration_format(v->u.i, out);
		return 0;
	default:
		return -1;
	}
}

void ext_print(const wvalue *v, wbuf *out)
{
	const char *ctor = ext_ctor_name((wvkind)v->kind);
	if (!ctor) {
		value_print(v, out);
		return;
	}
	size_t mark = out->n;
	buf_adds(out, ctor);
	buf_adds(out, "(\"");
	if (ext_print_arg(v, out) == 0) {
		buf_adds(out, "\")");
		return;
	}
	/* a datetime beyond the constructor's range: print it the way the
	 * reference does, as an offset from the epoch */
	out->n = mark;
	out->p[mark] = '\0';
	buf_adds(out, "datetime(\"1970-01-01\").offset(duration(\"");
	ext_duration_format(v->u.i, out);
	buf_adds(out, "\"))");
}
