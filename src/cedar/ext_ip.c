/* ext_ip: the ipaddr extension type (ip() and its methods).
 *
 * Accepts what the reference accepts: an IPv4 dotted quad (no leading zeros
 * in an octet) or an IPv6 address in colon-hex form with at most one `::`,
 * optionally followed by `/prefix` (decimal, no leading zeros, at most 32 or
 * 128). IPv4 embedded in IPv6 (`::ffff:1.2.3.4`) is refused: any string with
 * two or more colons and two or more dots is rejected, as are strings longer
 * than 43 bytes. A bare address has the full prefix. The address bits past
 * the prefix are kept as written, so ip("10.0.0.1/8") != ip("10.0.0.2/8").
 */
#include "cedar/ext.h"
#include "cedar/ext_int.h"

#include <string.h>

/* longest accepted text: "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128" */
#define IP_TEXT_MAX 43

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ipv4 := octet '.' octet '.' octet '.' octet, octet := 0 | [1-9][0-9]{0,2}
 * (value <= 255); the whole of s[0..n) must be consumed. */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t p = 0;
	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			if (p >= n || s[p] != '.')
				return -1;
			p++;
		}
		size_t start = p;
		unsigned v = 0;
		while (p < n && s[p] >= '0' && s[p] <= '9') {
			v = v * 10 + (unsigned)(s[p] - '0');
			p++;
			if (p - start > 3 || v > 255)
				return -1;
		}
		if (p == start)
			return -1;
		if (s[start] == '0' && p - start > 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return p == n ? 0 : -1;
}

/* Reads up to `limit` colon-separated groups of 1-4 hex digits at *pos.
 * A group that fails to read (including its separator) is not consumed. */
static size_t read_groups(const char *s, size_t n, size_t *pos, uint16_t *g, size_t limit)
{
	size_t i;
	for (i = 0; i < limit; i++) {
		size_t p = *pos;
		if (i > 0) {
			if (p >= n || s[p] != ':')
				break;
			p++;
		}
		size_t start = p;
		unsigned v = 0;
		int d;
		while (p < n && (d = hex_digit(s[p])) >= 0) {
			v = v * 16 + (unsigned)d;
			p++;
			if (p - start > 4)
				return i;
		}
		if (p == start)
			break;
		g[i] = (uint16_t)v;
		*pos = p;
	}
	return i;
}

/* ipv6 := groups (8 of them) | groups? '::' groups? (7 at most in total) */
static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t head[8] = {0}, tail[7] = {0}, g[8] = {0};
	size_t p = 0;
	size_t nh = read_groups(s, n, &p, head, 8);
	size_t nt = 0;
	if (nh < 8) {
		if (p + 2 > n || s[p] != ':' || s[p + 1] != ':')
			return -1;
		p += 2;
		nt = read_groups(s, n, &p, tail, 8 - (nh + 1));
	}
	if (p != n)
		return -1;
	memcpy(g, head, nh * sizeof g[0]);
	memcpy(g + 8 - nt, tail, nt * sizeof g[0]);
	for (int i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(g[i] >> 8);
		out[2 * i + 1] = (uint8_t)g[i];
	}
	return 0;
}

/* prefix := '0' | [1-9][0-9]*, at most `maxlen` characters, value <= max */
static int parse_prefix(const char *s, size_t n, unsigned max, size_t maxlen, uint8_t *out)
{
	if (n == 0 || n > maxlen)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (s[0] == '0' && n > 1)
		return -1;
	if (v > max)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

int ext_parse_ip(const char *s, size_t n, wipaddr *out)
{
	if (n > IP_TEXT_MAX)
		return -1;
	size_t colons = 0, dots = 0, slash = n;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':')
			colons++;
		else if (s[i] == '.')
			dots++;
		else if (s[i] == '/' && slash == n)
			slash = i;
	}
	if (colons >= 2 && dots >= 2)
		return -1;
	wipaddr ip;
	memset(&ip, 0, sizeof ip);
	if (parse_v4(s, slash, ip.addr) == 0) {
		ip.v6 = 0;
		ip.prefix = 32;
	} else if (parse_v6(s, slash, ip.addr) == 0) {
		ip.v6 = 1;
		ip.prefix = 128;
	} else {
		return -1;
	}
	if (slash < n) {
		const char *ps = s + slash + 1;
		size_t pn = n - slash - 1;
		if (parse_prefix(ps, pn, ip.v6 ? 128 : 32, ip.v6 ? 3 : 2, &ip.prefix) != 0)
			return -1;
	}
	*out = ip;
	return 0;
}

/* ---- printing ---- */

/* IPv4 dotted; IPv6 as RFC 5952 (lowercase, the longest run of two or more
 * zero groups, the first on ties, shown as `::`). IPv4-mapped IPv6 stays in
 * hex so that the text parses again. The prefix is shown when not full. */
void ext_ip_format(const wipaddr *ip, wbuf *out)
{
	if (!ip->v6) {
		buf_printf(out, "%u.%u.%u.%u", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3]);
		if (ip->prefix != 32)
			buf_printf(out, "/%u", ip->prefix);
		return;
	}
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = ((unsigned)ip->addr[2 * i] << 8) | ip->addr[2 * i + 1];
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		if (g[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			buf_adds(out, "::");
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			buf_addc(out, ':');
		buf_printf(out, "%x", g[i]);
	}
	if (ip->prefix != 128)
		buf_printf(out, "/%u", ip->prefix);
}

/* ---- functions ---- */

static int as_ip(warena *a, const wvalue *v, const wipaddr **out, const char **err)
{
	if (v->kind != WV_IPADDR)
		return ext_err_type(a, WV_IPADDR, v, err);
	*out = v->u.ip;
	return 0;
}

int ext_fn_ip(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	if (args[0].kind != WV_STRING)
		return ext_err_type(a, WV_STRING, &args[0], err);
	wipaddr ip;
	if (ext_parse_ip(args[0].u.s.p, args[0].u.s.n, &ip) != 0)
		return ext_err_literal(a, "ip address", &args[0], NULL, err);
	wipaddr *p = arena_memdup(a, &ip, sizeof ip);
	out->kind = WV_IPADDR;
	out->u.ip = p;
	return 0;
}

int ext_fn_is_ipv4(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	const wipaddr *ip = NULL;
	if (as_ip(a, &args[0], &ip, err))
		return -1;
	*out = value_bool(!ip->v6);
	return 0;
}

int ext_fn_is_ipv6(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	const wipaddr *ip = NULL;
	if (as_ip(a, &args[0], &ip, err))
		return -1;
	*out = value_bool(ip->v6);
	return 0;
}

/* 127.0.0.0/8 or ::1; a range counts only if it lies entirely inside. */
int ext_fn_is_loopback(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	const wipaddr *ip = NULL;
	if (as_ip(a, &args[0], &ip, err))
		return -1;
	bool r;
	if (!ip->v6) {
		r = ip->addr[0] == 127 && ip->prefix >= 8;
	} else {
		static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
		r = memcmp(ip->addr, one, 16) == 0 && ip->prefix == 128;
	}
	*out = value_bool(r);
	return 0;
}

/* 224.0.0.0/4 or ff00::/8; a range counts only if it lies entirely inside. */
int ext_fn_is_multicast(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	const wipaddr *ip = NULL;
	if (as_ip(a, &args[0], &ip, err))
		return -1;
	bool r;
	if (!ip->v6)
		r = (ip->addr[0] & 0xf0) == 0xe0 && ip->prefix >= 4;
	else
		r = ip->addr[0] == 0xff && ip->prefix >= 8;
	*out = value_bool(r);
	return 0;
}

/* The lowest and highest addresses of ip's network. */
static void ip_bounds(const wipaddr *ip, uint8_t lo[16], uint8_t hi[16])
{
	int nb = ip->v6 ? 16 : 4;
	for (int i = 0; i < nb; i++) {
		int bits = (int)ip->prefix - 8 * i;
		if (bits < 0)
			bits = 0;
		if (bits > 8)
			bits = 8;
		uint8_t mask = (uint8_t)(0xff00u >> bits);
		lo[i] = ip->addr[i] & mask;
		hi[i] = ip->addr[i] | (uint8_t)~mask;
	}
}

/* a.isInRange(b): a's whole range lies within b's. Never across versions. */
int ext_fn_is_in_range(warena *a, const wvalue *args, wvalue *out, const char **err)
{
	const wipaddr *x = NULL, *y = NULL;
	if (as_ip(a, &args[0], &x, err) || as_ip(a, &args[1], &y, err))
		return -1;
	if (x->v6 != y->v6) {
		*out = value_bool(false);
		return 0;
	}
	uint8_t xlo[16], xhi[16], ylo[16], yhi[16];
	ip_bounds(x, xlo, xhi);
	ip_bounds(y, ylo, yhi);
	size_t nb = x->v6 ? 16 : 4;
	*out = value_bool(memcmp(ylo, xlo, nb) <= 0 && memcmp(xhi, yhi, nb) <= 0);
	return 0;
}
