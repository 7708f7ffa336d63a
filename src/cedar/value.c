/* value: Cedar runtime values (see value.h).
 *
 * The total order (value_cmp) is what keeps sets sorted and makes output
 * deterministic: kind first, then content. Equality (value_eq) is Cedar's
 * `==`: values of different kinds are never equal, extension values compare
 * by their representation (decimal("1.0") == decimal("1.00") because both
 * are 10000 scaled, ip addresses compare address bytes and prefix).
 * Printing renders Cedar syntax, escaping strings the way the reference
 * implementation does (Rust's escape_debug).
 */
#include "cedar/value.h"
#include "cedar/ext.h"
#include "util/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const wset k_empty_set;
static const wrecord k_empty_record;

const wset *set_empty(void)
{
	return &k_empty_set;
}

const wrecord *record_empty(void)
{
	return &k_empty_record;
}

const char *value_kind_name(wvkind k)
{
	switch (k) {
	case WV_BOOL: return "bool";
	case WV_LONG: return "long";
	case WV_STRING: return "string";
	case WV_ENTITY: return "entity";
	case WV_SET: return "set";
	case WV_RECORD: return "record";
	case WV_IPADDR: return "ipaddr";
	case WV_DECIMAL: return "decimal";
	case WV_DATETIME: return "datetime";
	case WV_DURATION: return "duration";
	}
	return "unknown";
}

/* ---- ordering and equality ---- */

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : (a > b ? 1 : 0);
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : (an > bn ? 1 : 0);
}

static int cmp_sym(const wsym *a, const wsym *b)
{
	int c = sym_cmp(a, b);
	return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int value_cmp(const wvalue *a, const wvalue *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch ((wvkind)a->kind) {
	case WV_BOOL:
		return (int)a->u.b - (int)b->u.b;
	case WV_LONG:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		return cmp_i64(a->u.i, b->u.i);
	case WV_STRING:
		return cmp_bytes(a->u.s.p, a->u.s.n, b->u.s.p, b->u.s.n);
	case WV_ENTITY: {
		int c = cmp_sym(a->u.e.type, b->u.e.type);
		return c ? c : cmp_sym(a->u.e.id, b->u.e.id);
	}
	case WV_SET: {
		const wset *x = a->u.set, *y = b->u.set;
		if (x == y)
			return 0;
		uint32_t n = x->n < y->n ? x->n : y->n;
		for (uint32_t i = 0; i < n; i++) {
			int c = value_cmp(&x->items[i], &y->items[i]);
			if (c)
				return c;
		}
		return x->n < y->n ? -1 : (x->n > y->n ? 1 : 0);
	}
	case WV_RECORD: {
		const wrecord *x = a->u.rec, *y = b->u.rec;
		if (x == y)
			return 0;
		uint32_t n = x->n < y->n ? x->n : y->n;
		for (uint32_t i = 0; i < n; i++) {
			int c = cmp_sym(x->f[i].key, y->f[i].key);
			if (c)
				return c;
			c = value_cmp(&x->f[i].val, &y->f[i].val);
			if (c)
				return c;
		}
		return x->n < y->n ? -1 : (x->n > y->n ? 1 : 0);
	}
	case WV_IPADDR: {
		int c = ext_ip_cmp(a->u.ip, b->u.ip);
		return c < 0 ? -1 : (c > 0 ? 1 : 0);
	}
	}
	return 0;
}

bool value_eq(const wvalue *a, const wvalue *b)
{
	if (a->kind != b->kind)
		return false;
	switch ((wvkind)a->kind) {
	case WV_BOOL:
		return a->u.b == b->u.b;
	case WV_LONG:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		return a->u.i == b->u.i;
	case WV_STRING:
		return a->u.s.n == b->u.s.n &&
		       (a->u.s.n == 0 || memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0);
	case WV_ENTITY:
		/* interned: same bytes <=> same symbol */
		return uid_eq(a->u.e, b->u.e);
	case WV_SET: {
		const wset *x = a->u.set, *y = b->u.set;
		if (x == y)
			return true;
		if (x->n != y->n)
			return false;
		for (uint32_t i = 0; i < x->n; i++)
			if (!value_eq(&x->items[i], &y->items[i]))
				return false;
		return true;
	}
	case WV_RECORD: {
		const wrecord *x = a->u.rec, *y = b->u.rec;
		if (x == y)
			return true;
		if (x->n != y->n)
			return false;
		for (uint32_t i = 0; i < x->n; i++)
			if (x->f[i].key != y->f[i].key || !value_eq(&x->f[i].val, &y->f[i].val))
				return false;
		return true;
	}
	case WV_IPADDR:
		return ext_ip_cmp(a->u.ip, b->u.ip) == 0;
	}
	return false;
}

/* ---- hashing (consistent with value_eq) ---- */

static uint64_t mix64(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

uint64_t value_hash(const wvalue *v)
{
	uint64_t h = mix64(0x51ed27a5ull, v->kind);
	switch ((wvkind)v->kind) {
	case WV_BOOL:
		return mix64(h, v->u.b);
	case WV_LONG:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		return mix64(h, (uint64_t)v->u.i);
	case WV_STRING:
		return mix64(h, hash_bytes(v->u.s.p, v->u.s.n));
	case WV_ENTITY:
		/* byte hashes, so the result does not depend on interning order */
		return mix64(mix64(h, v->u.e.type->hash), v->u.e.id->hash);
	case WV_SET:
		h = mix64(h, v->u.set->n);
		for (uint32_t i = 0; i < v->u.set->n; i++)
			h = mix64(h, value_hash(&v->u.set->items[i]));
		return h;
	case WV_RECORD:
		h = mix64(h, v->u.rec->n);
		for (uint32_t i = 0; i < v->u.rec->n; i++) {
			h = mix64(h, v->u.rec->f[i].key->hash);
			h = mix64(h, value_hash(&v->u.rec->f[i].val));
		}
		return h;
	case WV_IPADDR: {
		const wipaddr *ip = v->u.ip;
		h = mix64(h, ((uint64_t)ip->v6 << 8) | ip->prefix);
		return mix64(h, hash_bytes(ip->addr, ip->v6 ? 16 : 4));
	}
	}
	return h;
}

/* ---- sets ---- */

static int qsort_value_cmp(const void *a, const void *b)
{
	return value_cmp(a, b);
}

const wset *set_make(warena *a, wvalue *items, size_t n)
{
	if (n == 0)
		return set_empty();
	qsort(items, n, sizeof *items, qsort_value_cmp);
	size_t m = 1;
	for (size_t i = 1; i < n; i++)
		if (value_cmp(&items[m - 1], &items[i]) != 0)
			items[m++] = items[i];
	wset *s = arena_alloc(a, sizeof *s + m * sizeof s->items[0]);
	s->n = (uint32_t)m;
	memcpy(s->items, items, m * sizeof *items);
	return s;
}

bool set_contains(const wset *s, const wvalue *v)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = value_cmp(&s->items[mid], v);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ---- records ---- */

/* Stable merge sort by key bytes, so that among equal keys the input order
 * is kept and "later replaces earlier" can be applied afterwards. */
static void fields_sort(wfield *f, wfield *tmp, size_t n)
{
	if (n < 2)
		return;
	if (n <= 8) {
		for (size_t i = 1; i < n; i++) {
			wfield x = f[i];
			size_t j = i;
			while (j > 0 && sym_cmp(f[j - 1].key, x.key) > 0) {
				f[j] = f[j - 1];
				j--;
			}
			f[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	fields_sort(f, tmp, h);
	fields_sort(f + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = sym_cmp(f[j].key, f[i].key) < 0 ? f[j++] : f[i++];
	while (i < h)
		tmp[k++] = f[i++];
	while (j < n)
		tmp[k++] = f[j++];
	memcpy(f, tmp, n * sizeof *f);
}

const wrecord *record_make(warena *a, wfield *fields, size_t n, bool dup_ok)
{
	if (n == 0)
		return record_empty();
	/* records are usually small: sort scratch on the stack */
	wfield small[32];
	wfield *tmp = n <= 32 ? small : xmalloc(n * sizeof *tmp);
	fields_sort(fields, tmp, n);
	if (tmp != small)
		free(tmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && fields[m - 1].key == fields[i].key) {
			if (!dup_ok)
				return NULL;
			fields[m - 1] = fields[i]; /* later one wins */
			continue;
		}
		fields[m++] = fields[i];
	}
	wrecord *r = arena_alloc(a, sizeof *r + m * sizeof r->f[0]);
	r->n = (uint32_t)m;
	memcpy(r->f, fields, m * sizeof *fields);
	return r;
}

const wvalue *record_get(const wrecord *r, const wsym *key)
{
	if (r->n <= 8) {
		for (uint32_t i = 0; i < r->n; i++)
			if (r->f[i].key == key)
				return &r->f[i].val;
		return NULL;
	}
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->f[mid].key == key)
			return &r->f[mid].val;
		if (sym_cmp(r->f[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- printing ---- */

/* Decodes one UTF-8 sequence at s[0..n); returns its length, or 0 if the
 * bytes are not well-formed UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, v = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, v = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Characters the reference (Rust's escape_debug) shows as \u{..}: controls
 * (Cc), format characters (Cf), separators other than the ASCII space (Zs,
 * Zl, Zp), private use (Co) and noncharacters. Unassigned code points and
 * a leading combining mark, which Rust also escapes, are shown as is. */
static bool needs_unicode_escape(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0xa0))
		return true;
	if (cp < 0xad)
		return false;
	return cp == 0xad || (cp >= 0x600 && cp <= 0x605) || cp == 0x61c || cp == 0x6dd || cp == 0x70f ||
	       cp == 0x1680 || cp == 0x180e || (cp >= 0x2000 && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x206f) || cp == 0x3000 || (cp >= 0xe000 && cp <= 0xf8ff) ||
	       (cp >= 0xfdd0 && cp <= 0xfdef) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	       (cp & 0xfffe) == 0xfffe || cp == 0x110bd || (cp >= 0x1d173 && cp <= 0x1d17a) ||
	       cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f) || cp >= 0xf0000;
}

/* Appends the bytes of a Cedar string literal body (no quotes). */
static void print_escaped(wbuf *out, const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		/* copy plain printable ASCII in one go */
		while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\' && s[run] != '\'')
			run++;
		if (run > i) {
			buf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		uint32_t cp;
		size_t len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			/* not UTF-8 (cannot come from Cedar text or JSON): keep the byte */
			buf_addc(out, (char)s[i]);
			i++;
			continue;
		}
		switch (cp) {
		case '"': buf_adds(out, "\\\""); break;
		case '\\': buf_adds(out, "\\\\"); break;
		case '\'': buf_adds(out, "\\'"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case 0: buf_adds(out, "\\0"); break;
		default:
			if (needs_unicode_escape(cp))
				buf_printf(out, "\\u{%" PRIx32 "}", cp);
			else
				buf_add(out, s + i, len);
		}
		i += len;
	}
}

static void print_quoted(wbuf *out, const char *p, size_t n)
{
	buf_addc(out, '"');
	print_escaped(out, p, n);
	buf_addc(out, '"');
}

void uid_print(wuid e, wbuf *out)
{
	buf_add(out, e.type->s, e.type->len);
	buf_adds(out, "::");
	print_quoted(out, e.id->s, e.id->len);
}

void value_print(const wvalue *v, wbuf *out)
{
	switch ((wvkind)v->kind) {
	case WV_BOOL:
		buf_adds(out, v->u.b ? "true" : "false");
		return;
	case WV_LONG:
		buf_printf(out, "%" PRId64, v->u.i);
		return;
	case WV_STRING:
		print_quoted(out, v->u.s.p, v->u.s.n);
		return;
	case WV_ENTITY:
		uid_print(v->u.e, out);
		return;
	case WV_SET:
		buf_addc(out, '[');
		for (uint32_t i = 0; i < v->u.set->n; i++) {
			if (i)
				buf_adds(out, ", ");
			value_print(&v->u.set->items[i], out);
		}
		buf_addc(out, ']');
		return;
	case WV_RECORD:
		buf_addc(out, '{');
		for (uint32_t i = 0; i < v->u.rec->n; i++) {
			const wfield *f = &v->u.rec->f[i];
			if (i)
				buf_adds(out, ", ");
			print_quoted(out, f->key->s, f->key->len);
			buf_adds(out, ": ");
			value_print(&f->val, out);
		}
		buf_addc(out, '}');
		return;
	case WV_IPADDR:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		ext_print(v, out);
		return;
	}
}
