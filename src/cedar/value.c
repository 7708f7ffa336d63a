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

/* sym_cmp normalised to -1/0/1, without a call when the symbols are the
 * same or their first bytes already differ (the usual case for attribute
 * names and entity ids). Same order as sym_cmp: bytes unsigned, a proper
 * prefix first. */
static inline int cmp_sym(const wsym *a, const wsym *b)
{
	if (a == b)
		return 0;
	if (a->len && b->len && a->s[0] != b->s[0])
		return (unsigned char)a->s[0] < (unsigned char)b->s[0] ? -1 : 1;
	int c = sym_cmp(a, b);
	return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

static int cmp_slow(const wvalue *a, const wvalue *b);

/* value_cmp with the common kinds handled in line; the others (and the
 * recursion into sets and records) go through cmp_slow. */
static inline int cmp_fast(const wvalue *a, const wvalue *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch ((wvkind)a->kind) {
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
	default:
		return cmp_slow(a, b);
	}
}

static int cmp_slow(const wvalue *a, const wvalue *b)
{
	switch ((wvkind)a->kind) {
	case WV_BOOL:
		return (int)a->u.b - (int)b->u.b;
	case WV_SET: {
		const wset *x = a->u.set, *y = b->u.set;
		if (x == y)
			return 0;
		uint32_t n = x->n < y->n ? x->n : y->n;
		for (uint32_t i = 0; i < n; i++) {
			int c = cmp_fast(&x->items[i], &y->items[i]);
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
			/* records of one type share their key symbols */
			if (x->f[i].key != y->f[i].key) {
				int c = cmp_sym(x->f[i].key, y->f[i].key);
				if (c)
					return c;
			}
			int c = cmp_fast(&x->f[i].val, &y->f[i].val);
			if (c)
				return c;
		}
		return x->n < y->n ? -1 : (x->n > y->n ? 1 : 0);
	}
	case WV_IPADDR: {
		int c = ext_ip_cmp(a->u.ip, b->u.ip);
		return c < 0 ? -1 : (c > 0 ? 1 : 0);
	}
	default:
		return 0; /* the other kinds are handled by cmp_fast */
	}
}

int value_cmp(const wvalue *a, const wvalue *b)
{
	return cmp_fast(a, b);
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

/* Orders for sets whose items are all of one kind (nearly all sets), each
 * agreeing with value_cmp on that kind and small enough to be inlined in
 * its sort. */
static inline int cmp_ints(const wvalue *a, const wvalue *b)
{
	return cmp_i64(a->u.i, b->u.i);
}

static inline int cmp_strings(const wvalue *a, const wvalue *b)
{
	return cmp_bytes(a->u.s.p, a->u.s.n, b->u.s.p, b->u.s.n);
}

static inline int cmp_entities(const wvalue *a, const wvalue *b)
{
	if (a->u.e.type != b->u.e.type) {
		int c = cmp_sym(a->u.e.type, b->u.e.type);
		if (c)
			return c;
	}
	return cmp_sym(a->u.e.id, b->u.e.id);
}

/* Records: those of one type share their key symbols, and the first field
 * usually decides; long fields are compared in line. */
static inline int cmp_records(const wvalue *a, const wvalue *b)
{
	const wrecord *x = a->u.rec, *y = b->u.rec;
	if (x == y)
		return 0;
	uint32_t n = x->n < y->n ? x->n : y->n;
	for (uint32_t i = 0; i < n; i++) {
		if (x->f[i].key != y->f[i].key) {
			int c = cmp_sym(x->f[i].key, y->f[i].key);
			if (c)
				return c;
		}
		const wvalue *p = &x->f[i].val, *q = &y->f[i].val;
		int c = p->kind == WV_LONG && q->kind == WV_LONG ? cmp_i64(p->u.i, q->u.i) : cmp_fast(p, q);
		if (c)
			return c;
	}
	return x->n < y->n ? -1 : (x->n > y->n ? 1 : 0);
}

/* ITEMS_SORTER(name, CMP) defines, for the order CMP:
 *   name_sort(v, tmp, n): stable merge sort with scratch `tmp` of n/2
 *     values: runs of up to 8 by insertion, halves merged only when they
 *     overlap (sorted input costs one comparison per half). Stable, so
 *     that dedup keeps the first of equal values as given.
 *   name_uniq(v, n): drops adjacent duplicates, returns the new count.
 * A macro rather than a comparison callback so that CMP is inlined: the
 * sort is most of the cost of loading sets of records. */
#define ITEMS_SORTER(name, CMP)                                                      \
	static void name##_sort(wvalue *v, wvalue *tmp, size_t n)                    \
	{                                                                            \
		if (n <= 8) {                                                        \
			for (size_t i = 1; i < n; i++) {                             \
				if (CMP(&v[i - 1], &v[i]) <= 0)                      \
					continue;                                    \
				wvalue x = v[i];                                     \
				size_t j = i;                                        \
				do {                                                 \
					v[j] = v[j - 1];                             \
					j--;                                         \
				} while (j > 0 && CMP(&v[j - 1], &x) > 0);           \
				v[j] = x;                                            \
			}                                                            \
			return;                                                      \
		}                                                                    \
		size_t h = n / 2;                                                    \
		name##_sort(v, tmp, h);                                              \
		name##_sort(v + h, tmp, n - h);                                      \
		if (CMP(&v[h - 1], &v[h]) <= 0)                                      \
			return;                                                      \
		/* merge the left half (moved to tmp) and the right half into v; \
		 * what is left of the right half is already in place */         \
		memcpy(tmp, v, h * sizeof *v);                                       \
		size_t i = 0, j = h, k = 0;                                          \
		while (i < h && j < n)                                               \
			v[k++] = CMP(&v[j], &tmp[i]) < 0 ? v[j++] : tmp[i++];        \
		while (i < h)                                                        \
			v[k++] = tmp[i++];                                           \
	}                                                                            \
	static size_t name##_uniq(wvalue *v, size_t n)                               \
	{                                                                            \
		size_t m = 1;                                                        \
		for (size_t i = 1; i < n; i++)                                       \
			if (CMP(&v[m - 1], &v[i]) != 0)                              \
				v[m++] = v[i];                                       \
		return m;                                                            \
	}

ITEMS_SORTER(any, cmp_fast)
ITEMS_SORTER(ints, cmp_ints)
ITEMS_SORTER(strings, cmp_strings)
ITEMS_SORTER(entities, cmp_entities)
ITEMS_SORTER(records, cmp_records)

const wset *set_make(warena *a, wvalue *items, size_t n)
{
	if (n == 0)
		return set_empty();
	uint8_t kind = items[0].kind;
	for (size_t i = 1; i < n && kind != 0xff; i++)
		if (items[i].kind != kind)
			kind = 0xff;
	wvalue small[32];
	wvalue *tmp = n / 2 <= 32 ? small : xmalloc(n / 2 * sizeof *tmp);
	size_t m;
	switch (kind) {
	case WV_LONG:
	case WV_DECIMAL:
	case WV_DATETIME:
	case WV_DURATION:
		ints_sort(items, tmp, n);
		m = ints_uniq(items, n);
		break;
	case WV_STRING:
		strings_sort(items, tmp, n);
		m = strings_uniq(items, n);
		break;
	case WV_ENTITY:
		entities_sort(items, tmp, n);
		m = entities_uniq(items, n);
		break;
	case WV_RECORD:
		records_sort(items, tmp, n);
		m = records_uniq(items, n);
		break;
	default:
		any_sort(items, tmp, n);
		m = any_uniq(items, n);
		break;
	}
	if (tmp != small)
		free(tmp);
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
		int c = cmp_fast(&s->items[mid], v);
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
 * is kept and "later replaces earlier" can be applied afterwards. `tmp`
 * holds n/2 fields; the shape is that of items_sort. */
static void fields_sort(wfield *f, wfield *tmp, size_t n)
{
	if (n <= 8) {
		for (size_t i = 1; i < n; i++) {
			if (cmp_sym(f[i - 1].key, f[i].key) <= 0)
				continue;
			wfield x = f[i];
			size_t j = i;
			do {
				f[j] = f[j - 1];
				j--;
			} while (j > 0 && cmp_sym(f[j - 1].key, x.key) > 0);
			f[j] = x;
		}
		return;
	}
	size_t h = n / 2;
	fields_sort(f, tmp, h);
	fields_sort(f + h, tmp, n - h);
	if (cmp_sym(f[h - 1].key, f[h].key) <= 0)
		return;
	memcpy(tmp, f, h * sizeof *f);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		f[k++] = cmp_sym(f[j].key, tmp[i].key) < 0 ? f[j++] : tmp[i++];
	while (i < h)
		f[k++] = tmp[i++];
}

/* Drops duplicate keys from sorted fields, the later one winning; the
 * new count, or 0 on a duplicate when !dup_ok. */
static size_t fields_uniq(wfield *f, size_t n, bool dup_ok)
{
	size_t m = 1;
	for (size_t i = 1; i < n; i++) {
		if (f[m - 1].key == f[i].key) {
			if (!dup_ok)
				return 0;
			f[m - 1] = f[i]; /* later one wins */
			continue;
		}
		if (m != i)
			f[m] = f[i];
		m++;
	}
	return m;
}

const wrecord *record_make(warena *a, wfield *fields, size_t n, bool dup_ok)
{
	if (n == 0)
		return record_empty();
	wrecord *r;
	size_t m;
	if (n <= 8) {
		/* the usual small record: insertion sort straight into the arena
		 * (a rejected duplicate leaves the copy unused there) */
		r = arena_alloc(a, sizeof *r + n * sizeof r->f[0]);
		wfield *d = r->f;
		bool dup = false;
		d[0] = fields[0];
		for (size_t i = 1; i < n; i++) {
			size_t j = i;
			while (j > 0 && cmp_sym(d[j - 1].key, fields[i].key) > 0) {
				d[j] = d[j - 1];
				j--;
			}
			/* stable: an equal key stops the scan just before it */
			if (j > 0 && d[j - 1].key == fields[i].key)
				dup = true;
			d[j] = fields[i];
		}
		m = dup ? fields_uniq(d, n, dup_ok) : n;
		if (m == 0)
			return NULL;
		r->n = (uint32_t)m;
		return r;
	}
	wfield small[32];
	wfield *tmp = n / 2 <= 32 ? small : xmalloc(n / 2 * sizeof *tmp);
	fields_sort(fields, tmp, n);
	if (tmp != small)
		free(tmp);
	m = fields_uniq(fields, n, dup_ok);
	if (m == 0)
		return NULL;
	r = arena_alloc(a, sizeof *r + m * sizeof r->f[0]);
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
		if (cmp_sym(r->f[mid].key, key) < 0)
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
