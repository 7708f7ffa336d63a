/* approval: reviewer keys, signed approvals, approval rules (see approval.h).
 *
 * Signatures are Ed25519 (libsodium crypto_sign_detached) over a
 * length-prefixed encoding of every signed field, so no two different
 * approvals share a message. Files are JSON read strictly with jansson.
 */
#include "govern/approval.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "govern/gio.h"
#include "util/xalloc.h"

static const wspan nospan = {0, 0};

#define KEY_FORMAT "ward-key-v1"
#define APPROVAL_FORMAT "ward-approval-v1"

const char *const appr_classes[] = {
	"wildcard", "exception", "break-glass", "high-risk-resource", "production", "model-drafted",
	"new-principal-type", "forbid-weakened", "config-change", NULL,
};

static int ensure_sodium(wdiags *d)
{
	if (sodium_init() < 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot initialise libsodium");
		return -1;
	}
	return 0;
}

bool appr_is_model(const char *name)
{
	return name && strncmp(name, "model:", 6) == 0;
}

/* ---- base64 and key text ------------------------------------------------- */

static void b64(const unsigned char *bin, size_t n, char *out, size_t cap)
{
	sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

/* Decodes exactly `n` bytes; 0 or -1. */
static int unb64(const char *s, unsigned char *out, size_t n)
{
	size_t got = 0;
	const char *end = NULL;
	if (sodium_base642bin(out, n, s, strlen(s), NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == n && end && *end == '\0' ? 0 : -1;
}

void appr_pk_text(const unsigned char pk[APPR_PK_BYTES], char out[APPR_PK_TEXT])
{
	memcpy(out, "ed25519:", 8);
	b64(pk, APPR_PK_BYTES, out + 8, APPR_PK_TEXT - 8);
}

int appr_pk_parse(const char *s, unsigned char pk[APPR_PK_BYTES])
{
	if (!s || strncmp(s, "ed25519:", 8) != 0)
		return -1;
	return unb64(s + 8, pk, APPR_PK_BYTES);
}

/* ---- times ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days-from-civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int appr_parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t n = strlen(s);
	if (n != 10 && n != 20)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (n == 20 && (s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
			s[16] != ':' || digits(s + 17, 2, &se) || s[19] != 'Z'))
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

void appr_format_time(int64_t t, char out[32])
{
	if (t < 0)
		t = 0;
	if (t > INT64_C(253402300799))
		t = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */
	int64_t days = t / 86400;
	int secs = (int)(t - days * 86400);
	/* civil-from-days */
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1) % 32u;
	unsigned m = (unsigned)(mp + (mp < 10 ? 3 : -9)) % 13u;
	unsigned y = (unsigned)(yoe + era * 400 + (m <= 2)) % 10000u;
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, m, d, (unsigned)secs / 3600u % 24u,
		 (unsigned)secs / 60u % 60u, (unsigned)secs % 60u);
}

/* ---- keys ------------------------------------------------------------------ */

static int check_name(const char *name, const char *what, wdiags *d)
{
	if (!name || !*name) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s must not be empty", what);
		return -1;
	}
	if (strlen(name) > 200) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s is longer than 200 bytes", what);
		return -1;
	}
	for (const char *p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "%s '%s' contains a control character", what, name);
			return -1;
		}
	}
	if (appr_is_model(name)) {
		diag_add(d, WSEV_ERROR, NULL, nospan,
			 "'%s' is a model identity; models can never approve, so they get no key", name);
		return -1;
	}
	return 0;
}

/* A file name from an identity: letters, digits, '.', '-', '_', '@' kept. */
static char *safe_file_name(const char *name, const char *suffix)
{
	wbuf b = WBUF_INIT;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		buf_addc(&b, (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '@') && c < 0x80 ? (char)c : '_');
	}
	if (b.p[0] == '.')
		b.p[0] = '_';
	buf_adds(&b, suffix);
	return buf_detach(&b);
}

int appr_keygen(const char *name, const char *dir, char **path, char pub[APPR_PK_TEXT], wdiags *d)
{
	*path = NULL;
	if (ensure_sodium(d) || check_name(name, "the reviewer name", d))
		return -1;
	unsigned char pk[APPR_PK_BYTES], sk[APPR_SK_BYTES];
	crypto_sign_keypair(pk, sk);
	char skt[128], pkt[APPR_PK_TEXT];
	b64(sk, sizeof sk, skt, sizeof skt);
	appr_pk_text(pk, pkt);
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string(KEY_FORMAT));
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "public_key", json_string(pkt));
	json_object_set_new(o, "secret_key", json_string(skt));
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(skt, sizeof skt);
	char *file = safe_file_name(name, ".key");
	char *p = gio_join(dir && *dir ? dir : ".", file);
	free(file);
	if (dir && *dir && gio_mkdirs(dir) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot create the directory '%s': %s", dir, strerror(errno));
		goto fail;
	}
	size_t tl = strlen(text);
	text[tl] = '\n'; /* json_dumps leaves no newline; its NUL becomes one */
	int rc = gio_write_atomic(p, text, tl + 1, 0600, true, d);
	sodium_memzero(text, tl + 1);
	free(text);
	text = NULL;
	if (rc != 0)
		goto fail;
	memcpy(pub, pkt, APPR_PK_TEXT);
	*path = p;
	return 0;
fail:
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	free(p);
	return -1;
}

static json_t *load_json(const char *path, const char *text, size_t len, const char *what, wdiags *d)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s:%d:%d: error: malformed %s: %s", path, je.line, je.column, what,
			 je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed %s: expected a JSON object", path, what);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Checks that `o` has exactly the `fields` (NULL-terminated), all strings. */
static int want_fields(json_t *o, const char *const *fields, const char *path, const char *what, wdiags *d)
{
	int bad = 0;
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		bool known = false;
		for (const char *const *f = fields; *f; f++)
			known = known || strcmp(*f, k) == 0;
		if (!known) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed %s: unknown field '%s'", path, what, k);
			bad++;
		}
	}
	for (const char *const *f = fields; *f; f++) {
		json_t *x = json_object_get(o, *f);
		if (!x) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed %s: missing field '%s'", path, what, *f);
			bad++;
		} else if (!json_is_string(x)) {
			diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed %s: '%s' must be a string", path, what,
				 *f);
			bad++;
		}
	}
	return bad ? -1 : 0;
}

int appr_key_load(appr_key *k, const char *path, wdiags *d)
{
	memset(k, 0, sizeof *k);
	if (ensure_sodium(d))
		return -1;
	struct stat st;
	if (stat(path, &st) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "cannot read the key '%s': %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & 077) {
		diag_add(d, WSEV_ERROR, NULL, nospan,
			 "the private key '%s' is accessible by others (mode %03o); run 'chmod 600 %s'", path,
			 (unsigned)(st.st_mode & 0777), path);
		return -1;
	}
	size_t len;
	char *text = gio_read(path, 1 << 16, &len, d);
	if (!text)
		return -1;
	int rc = -1;
	json_t *o = load_json(path, text, len, "key file", d);
	static const char *const fields[] = {"format", "name", "public_key", "secret_key", NULL};
	if (!o || want_fields(o, fields, path, "key file", d))
		goto out;
	if (strcmp(json_string_value(json_object_get(o, "format")), KEY_FORMAT) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: not a ward key file (format is not '%s')", path,
			 KEY_FORMAT);
		goto out;
	}
	const char *name = json_string_value(json_object_get(o, "name"));
	if (check_name(name, "the key's name", d))
		goto out;
	if (appr_pk_parse(json_string_value(json_object_get(o, "public_key")), k->pk) ||
	    unb64(json_string_value(json_object_get(o, "secret_key")), k->sk, APPR_SK_BYTES)) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed key file: bad key encoding", path);
		goto out;
	}
	unsigned char derived[APPR_PK_BYTES];
	crypto_sign_ed25519_sk_to_pk(derived, k->sk);
	if (sodium_memcmp(derived, k->pk, APPR_PK_BYTES) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan,
			 "%s: error: malformed key file: the public key does not belong to the secret key", path);
		goto out;
	}
	k->name = xstrdup(name);
	rc = 0;
out:
	if (o) {
		json_t *sk = json_object_get(o, "secret_key");
		if (json_is_string(sk))
			sodium_memzero((void *)json_string_value(sk), json_string_length(sk));
		json_decref(o);
	}
	sodium_memzero(text, len);
	free(text);
	if (rc)
		sodium_memzero(k->sk, sizeof k->sk);
	return rc;
}

void appr_key_release(appr_key *k)
{
	free(k->name);
	sodium_memzero(k, sizeof *k);
}

/* ---- change hash ----------------------------------------------------------- */

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const appr_file *)a)->path, ((const appr_file *)b)->path);
}

static void hash_field(crypto_generichash_state *st, const void *p, size_t n)
{
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_update(st, len, sizeof len);
	if (n)
		crypto_generichash_update(st, p, n);
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void appr_change_hash(const char *base, appr_file *files, size_t n, char out[APPR_HASH_HEX + 1])
{
	if (sodium_init() < 0)
		abort(); /* only fails when the system has no randomness source */
	if (n > 1)
		qsort(files, n, sizeof *files, cmp_file);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	hash_field(&st, "ward-change-v1", 14);
	hash_field(&st, base ? base : "", base ? strlen(base) : 0);
	for (size_t i = 0; i < n; i++) {
		hash_field(&st, files[i].path, strlen(files[i].path));
		hash_field(&st, &files[i].status, 1);
		if (files[i].status != 'D')
			hash_field(&st, files[i].data, files[i].len);
	}
	unsigned char h[32];
	crypto_generichash_final(&st, h, sizeof h);
	to_hex(h, sizeof h, out);
}

/* ---- ward.yaml ------------------------------------------------------------- */

void appr_config_init(appr_config *c)
{
	memset(c, 0, sizeof *c);
}

void appr_config_release(appr_config *c)
{
	for (size_t i = 0; i < c->nreviewers; i++)
		free(c->reviewers[i].roles);
	free(c->reviewers);
	for (size_t i = 0; i < c->nrules; i++)
		free(c->rules[i].needs);
	free(c->rules);
	free(c->roles);
	if (c->has_doc)
		ydoc_release(&c->doc);
	memset(c, 0, sizeof *c);
}

static bool role_declared(const appr_config *c, const char *role)
{
	for (size_t i = 0; i < c->nroles; i++)
		if (strcmp(c->roles[i], role) == 0)
			return true;
	return false;
}

static int err_at(appr_config *c, const ynode *n, wdiags *d, const char *fmt, const char *arg)
{
	diag_add(d, WSEV_ERROR, &c->doc.src, n ? n->span : nospan, fmt, arg);
	return -1;
}

static int parse_roles(appr_config *c, const ynode *m, wdiags *d)
{
	if (ynode_want(&c->doc, m, Y_MAP, "roles", d))
		return -1;
	c->roles = xcalloc(m->n + 1, sizeof *c->roles);
	for (uint32_t i = 0; i < m->n; i++) {
		const char *r = m->keys[i]->s;
		if (strcmp(r, APPR_ANY_ROLE) == 0 || !*r)
			return err_at(c, m->keys[i], d, "'%s' is not a valid role name", r);
		c->roles[c->nroles++] = r;
	}
	return 0;
}

static int parse_reviewer(appr_config *c, const ynode *key, const ynode *v, wdiags *d)
{
	appr_reviewer *rv = &c->reviewers[c->nreviewers];
	memset(rv, 0, sizeof *rv);
	rv->name = key->s;
	rv->span = key->span;
	if (appr_is_model(key->s))
		return err_at(c, key, d, "reviewer '%s' is a model identity; models can never approve", key->s);
	if (!*key->s)
		return err_at(c, key, d, "a reviewer name must not be empty%s", "");
	if (ynode_want(&c->doc, v, Y_MAP, "reviewer", d))
		return -1;
	static const char *const known[] = {"roles", "public_key", "expires", "email", "description", NULL};
	int bad = ynode_check_keys(&c->doc, v, known, "reviewer field", d) ? -1 : 0;
	const ynode *roles = ynode_get(v, "roles");
	if (!roles)
		return err_at(c, v, d, "reviewer '%s' has no 'roles'", key->s);
	if (ynode_want(&c->doc, roles, Y_SEQ, "roles", d))
		return -1;
	rv->roles = xcalloc(roles->n + 1, sizeof *rv->roles);
	for (uint32_t i = 0; i < roles->n; i++) {
		const ynode *r = roles->items[i];
		if (ynode_want(&c->doc, r, Y_SCALAR, "role", d))
			return -1;
		if (!role_declared(c, r->s))
			bad = err_at(c, r, d, "unknown role '%s'; declare it under 'roles'", r->s);
		rv->roles[rv->nroles++] = r->s;
	}
	const ynode *pk = ynode_get(v, "public_key");
	if (!pk)
		return err_at(c, v, d, "reviewer '%s' has no 'public_key'", key->s);
	if (ynode_want(&c->doc, pk, Y_SCALAR, "public_key", d))
		return -1;
	if (appr_pk_parse(pk->s, rv->pk))
		bad = err_at(c, pk, d, "'%s' is not a public key; expected 'ed25519:BASE64' as printed by 'ward keygen'",
			     pk->s);
	const ynode *ex = ynode_get(v, "expires");
	if (ex && !ynode_is_null(ex)) {
		if (ynode_want(&c->doc, ex, Y_SCALAR, "expires", d))
			return -1;
		if (appr_parse_time(ex->s, &rv->expires))
			bad = err_at(c, ex, d,
				     "'%s' is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", ex->s);
		rv->has_expiry = true;
	}
	return bad;
}

static int parse_need(appr_config *c, const ynode *n, appr_need *out, wdiags *d)
{
	out->count = 1;
	const ynode *role = n;
	if (n->kind == Y_MAP) {
		static const char *const known[] = {"role", "count", NULL};
		if (ynode_check_keys(&c->doc, n, known, "approval requirement field", d))
			return -1;
		role = ynode_get(n, "role");
		if (!role)
			return err_at(c, n, d, "an approval requirement needs a 'role'%s", "");
		const ynode *cnt = ynode_get(n, "count");
		long v = 1;
		if (cnt && ynode_long(&c->doc, cnt, "count", 1, 10, &v, d))
			return -1;
		out->count = (int)v;
	}
	if (ynode_want(&c->doc, role, Y_SCALAR, "role", d))
		return -1;
	if (strcmp(role->s, APPR_ANY_ROLE) != 0 && !role_declared(c, role->s))
		return err_at(c, role, d, "unknown role '%s'; declare it under 'roles'", role->s);
	out->role = role->s;
	return 0;
}

static int parse_rules(appr_config *c, const ynode *m, wdiags *d)
{
	if (ynode_want(&c->doc, m, Y_MAP, "approvals", d))
		return -1;
	if (ynode_check_keys(&c->doc, m, appr_classes, "risk class", d))
		return -1;
	c->rules = xcalloc(m->n + 1, sizeof *c->rules);
	int bad = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		appr_rule *r = &c->rules[c->nrules++];
		r->cls = m->keys[i]->s;
		const ynode *v = m->items[i];
		if (ynode_is_null(v) && !v->quoted)
			continue; /* an explicitly empty rule: no approval needed */
		if (ynode_want(&c->doc, v, Y_SEQ, "approval rule", d)) {
			bad = -1;
			continue;
		}
		r->needs = xcalloc(v->n + 1, sizeof *r->needs);
		for (uint32_t k = 0; k < v->n; k++) {
			appr_need nd;
			if (parse_need(c, v->items[k], &nd, d)) {
				bad = -1;
				continue;
			}
			/* the same role listed twice adds up */
			size_t j;
			for (j = 0; j < r->n; j++)
				if (strcmp(r->needs[j].role, nd.role) == 0)
					break;
			if (j < r->n)
				r->needs[j].count += nd.count;
			else
				r->needs[r->n++] = nd;
		}
	}
	return bad;
}

int appr_config_parse(appr_config *c, const char *name, const char *text, size_t len, wdiags *d)
{
	appr_config_init(c);
	if (ydoc_parse(&c->doc, name, text, len, d) != 0) {
		c->has_doc = true;
		return -1;
	}
	c->has_doc = true;
	const ynode *root = c->doc.root;
	if (!root)
		return 0;
	if (ynode_want(&c->doc, root, Y_MAP, "ward.yaml", d))
		return -1;
	int bad = 0;
	const ynode *roles = ynode_get(root, "roles");
	if (roles && !ynode_is_null(roles) && parse_roles(c, roles, d))
		bad = -1;
	const ynode *revs = ynode_get(root, "reviewers");
	if (revs && !ynode_is_null(revs)) {
		if (ynode_want(&c->doc, revs, Y_MAP, "reviewers", d))
			return -1;
		c->reviewers = xcalloc(revs->n + 1, sizeof *c->reviewers);
		for (uint32_t i = 0; i < revs->n; i++) {
			if (parse_reviewer(c, revs->keys[i], revs->items[i], d))
				bad = -1;
			c->nreviewers++;
		}
	}
	const ynode *rules = ynode_get(root, "approvals");
	if (rules && !ynode_is_null(rules) && parse_rules(c, rules, d))
		bad = -1;
	const ynode *gate = ynode_get(root, "gate");
	if (gate && !ynode_is_null(gate)) {
		static const char *const known[] = {"require_templates", NULL};
		if (ynode_want(&c->doc, gate, Y_MAP, "gate", d) || ynode_check_keys(&c->doc, gate, known, "gate field", d))
			return -1;
		const ynode *rt = ynode_get(gate, "require_templates");
		if (rt && ynode_bool(&c->doc, rt, "require_templates", &c->require_templates, d))
			bad = -1;
	}
	const ynode *ledger = ynode_get(root, "ledger");
	if (ledger && !ynode_is_null(ledger)) {
		static const char *const known[] = {"path", NULL};
		if (ynode_want(&c->doc, ledger, Y_MAP, "ledger", d) ||
		    ynode_check_keys(&c->doc, ledger, known, "ledger field", d))
			return -1;
		const ynode *p = ynode_get(ledger, "path");
		if (p) {
			if (ynode_want(&c->doc, p, Y_SCALAR, "ledger path", d))
				return -1;
			c->ledger_path = p->s;
		}
	}
	return bad;
}

const appr_reviewer *appr_find_reviewer(const appr_config *c, const char *name)
{
	for (size_t i = 0; i < c->nreviewers; i++)
		if (strcmp(c->reviewers[i].name, name) == 0)
			return &c->reviewers[i];
	return NULL;
}

const appr_rule *appr_find_rule(const appr_config *c, const char *cls)
{
	for (size_t i = 0; i < c->nrules; i++)
		if (strcmp(c->rules[i].cls, cls) == 0)
			return &c->rules[i];
	return NULL;
}

bool appr_has_role(const appr_reviewer *r, const char *role)
{
	for (size_t i = 0; i < r->nroles; i++)
		if (strcmp(r->roles[i], role) == 0)
			return true;
	return false;
}

/* ---- approvals -------------------------------------------------------------- */

void approval_release(approval *a)
{
	free(a->path);
	free(a->change);
	free(a->base);
	free(a->reviewer);
	free(a->role);
	free(a->comment);
	free(a->signed_at);
	memset(a, 0, sizeof *a);
}

/* The signed message: every field, length-prefixed, in a fixed order. */
static void message(const approval *a, wbuf *m)
{
	const char *f[] = {APPROVAL_FORMAT, a->change, a->base, a->reviewer, a->role, a->signed_at, a->comment};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		const char *s = f[i] ? f[i] : "";
		buf_printf(m, "%zu:", strlen(s));
		buf_adds(m, s);
		buf_addc(m, '\n');
	}
}

void approval_sign(approval *a, const appr_key *k, const char *change, const char *base, const char *role,
		   const char *comment, int64_t now)
{
	memset(a, 0, sizeof *a);
	char t[32];
	appr_format_time(now, t);
	a->change = xstrdup(change);
	a->base = xstrdup(base);
	a->reviewer = xstrdup(k->name);
	a->role = xstrdup(role);
	a->comment = xstrdup(comment ? comment : "");
	a->signed_at = xstrdup(t);
	memcpy(a->pk, k->pk, APPR_PK_BYTES);
	wbuf m = WBUF_INIT;
	message(a, &m);
	crypto_sign_detached(a->sig, NULL, (const unsigned char *)m.p, m.n, k->sk);
	buf_release(&m);
}

bool approval_verify(const approval *a, const unsigned char pk[APPR_PK_BYTES])
{
	if (sodium_init() < 0)
		return false;
	wbuf m = WBUF_INIT;
	message(a, &m);
	bool ok = crypto_sign_verify_detached(a->sig, (const unsigned char *)m.p, m.n, pk) == 0;
	buf_release(&m);
	return ok;
}

void approval_to_json(const approval *a, wbuf *out)
{
	char pk[APPR_PK_TEXT], sig[128];
	appr_pk_text(a->pk, pk);
	b64(a->sig, APPR_SIG_BYTES, sig, sizeof sig);
	json_t *o = json_object();
	json_object_set_new(o, "format", json_string(APPROVAL_FORMAT));
	json_object_set_new(o, "change", json_string(a->change));
	json_object_set_new(o, "base", json_string(a->base));
	json_object_set_new(o, "reviewer", json_string(a->reviewer));
	json_object_set_new(o, "role", json_string(a->role));
	json_object_set_new(o, "signed_at", json_string(a->signed_at));
	json_object_set_new(o, "comment", json_string(a->comment));
	json_object_set_new(o, "public_key", json_string(pk));
	json_object_set_new(o, "signature", json_string(sig));
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
}

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

int approval_parse(approval *a, const char *path, const char *text, size_t len, wdiags *d)
{
	memset(a, 0, sizeof *a);
	json_t *o = load_json(path, text, len, "approval", d);
	if (!o)
		return -1;
	int rc = -1;
	static const char *const fields[] = {"format", "change", "base", "reviewer", "role", "signed_at",
					     "comment", "public_key", "signature", NULL};
	if (want_fields(o, fields, path, "approval", d))
		goto out;
#define S(k) json_string_value(json_object_get(o, k))
	if (strcmp(S("format"), APPROVAL_FORMAT) != 0) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed approval: format must be '%s'", path,
			 APPROVAL_FORMAT);
		goto out;
	}
	const char *bad = NULL;
	int64_t t;
	if (!is_hex(S("change"), APPR_HASH_HEX))
		bad = "'change' must be a change hash (64 lowercase hex digits)";
	else if (!is_hex(S("base"), 40) && !is_hex(S("base"), 64))
		bad = "'base' must be a commit id (40 or 64 lowercase hex digits)";
	else if (!*S("reviewer") || !*S("role"))
		bad = "'reviewer' and 'role' must not be empty";
	else if (appr_parse_time(S("signed_at"), &t) != 0)
		bad = "'signed_at' must be a time YYYY-MM-DDTHH:MM:SSZ";
	else if (appr_pk_parse(S("public_key"), a->pk) != 0)
		bad = "'public_key' must be 'ed25519:BASE64'";
	else if (unb64(S("signature"), a->sig, APPR_SIG_BYTES) != 0)
		bad = "'signature' must be 64 bytes in base64";
	if (bad) {
		diag_add(d, WSEV_ERROR, NULL, nospan, "%s: error: malformed approval: %s", path, bad);
		goto out;
	}
	a->path = xstrdup(path);
	a->change = xstrdup(S("change"));
	a->base = xstrdup(S("base"));
	a->reviewer = xstrdup(S("reviewer"));
	a->role = xstrdup(S("role"));
	a->comment = xstrdup(S("comment"));
	a->signed_at = xstrdup(S("signed_at"));
#undef S
	rc = 0;
out:
	json_decref(o);
	return rc;
}

char *approval_file_name(const approval *a)
{
	wbuf b = WBUF_INIT;
	buf_add(&b, a->change, 16);
	buf_addc(&b, '-');
	char *n = safe_file_name(a->reviewer, ".json");
	buf_adds(&b, n);
	free(n);
	return buf_detach(&b);
}

const char *appr_status_name(appr_status s)
{
	switch (s) {
	case AS_OK: return "valid";
	case AS_OTHER_CHANGE: return "other-change";
	case AS_UNKNOWN_REVIEWER: return "unknown-reviewer";
	case AS_FORGED: return "forged";
	case AS_KEY_EXPIRED: return "key-expired";
	case AS_WRONG_ROLE: return "wrong-role";
	case AS_AUTHOR: return "author";
	case AS_MODEL: return "model";
	case AS_DUPLICATE: return "duplicate-person";
	case AS_NOT_NEEDED: return "not-needed";
	}
	return "?";
}

static bool ieq(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && strncasecmp(a, b, an) == 0;
}

bool appr_is_author(const char *name, const char *const *authors, size_t nauthors)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < nauthors; i++) {
		const char *au = authors[i];
		if (ieq(au, strlen(au), name))
			return true;
		/* "Name <email>" */
		const char *lt = strchr(au, '<'), *gt = lt ? strchr(lt, '>') : NULL;
		if (lt && gt) {
			const char *e = lt;
			while (e > au && e[-1] == ' ')
				e--;
			if ((size_t)(e - au) == nl && ieq(au, nl, name))
				return true;
			if (ieq(lt + 1, (size_t)(gt - lt - 1), name))
				return true;
		}
	}
	return false;
}

appr_status appr_check(const appr_config *c, const approval *a, const char *change, const char *const *authors,
		       size_t nauthors, int64_t now, wbuf *why)
{
	if (strcmp(a->change, change) != 0) {
		buf_printf(why, "signed for another change (%.16s...), not this one (%.16s...)", a->change, change);
		return AS_OTHER_CHANGE;
	}
	if (appr_is_model(a->reviewer)) {
		buf_printf(why, "'%s' is a model identity; models can never approve", a->reviewer);
		return AS_MODEL;
	}
	const appr_reviewer *rv = appr_find_reviewer(c, a->reviewer);
	if (!rv) {
		buf_printf(why, "'%s' is not a reviewer in ward.yaml as of the base revision", a->reviewer);
		return AS_UNKNOWN_REVIEWER;
	}
	if (!approval_verify(a, rv->pk)) {
		buf_printf(why, "the signature does not verify with the key of reviewer '%s': forged or altered",
			   a->reviewer);
		return AS_FORGED;
	}
	if (rv->has_expiry && now >= rv->expires) {
		char t[32];
		appr_format_time(rv->expires, t);
		buf_printf(why, "the key of reviewer '%s' expired at %s", a->reviewer, t);
		return AS_KEY_EXPIRED;
	}
	if (!appr_has_role(rv, a->role)) {
		buf_printf(why, "reviewer '%s' does not hold the role '%s' in ward.yaml as of the base revision",
			   a->reviewer, a->role);
		return AS_WRONG_ROLE;
	}
	if (appr_is_author(a->reviewer, authors, nauthors)) {
		buf_printf(why, "'%s' is an author, requester or drafter of this change and cannot approve it",
			   a->reviewer);
		return AS_AUTHOR;
	}
	return AS_OK;
}

/* Bipartite matching of people to required slots (Kuhn's augmenting
 * paths): the most slots filled, each person in at most one slot, whatever
 * order the approvals come in. Sizes are tiny (reviewers x slots). */
struct match {
	size_t npeople, nslots;
	bool *edge;        /* npeople x nslots */
	int *slot_person;  /* per slot: person or -1 */
	bool *seen;        /* per slot, one search */
};

static bool augment(struct match *m, size_t p)
{
	for (size_t s = 0; s < m->nslots; s++) {
		if (!m->edge[p * m->nslots + s] || m->seen[s])
			continue;
		m->seen[s] = true;
		if (m->slot_person[s] < 0 || augment(m, (size_t)m->slot_person[s])) {
			m->slot_person[s] = (int)p;
			return true;
		}
	}
	return false;
}

void appr_assign(const appr_need *needs, size_t n, int *filled, const approval *const *as, appr_status *status,
		 int *slot, size_t na)
{
	for (size_t i = 0; i < n; i++)
		filled[i] = 0;
	for (size_t k = 0; k < na; k++)
		slot[k] = -1;
	/* people: distinct reviewers (case-insensitive) among valid approvals */
	size_t *person = xcalloc(na + 1, sizeof *person);
	size_t npeople = 0;
	size_t *first = xcalloc(na + 1, sizeof *first); /* an approval of each person */
	for (size_t k = 0; k < na; k++) {
		if (status[k] != AS_OK)
			continue;
		size_t p;
		for (p = 0; p < npeople; p++)
			if (strcasecmp(as[first[p]]->reviewer, as[k]->reviewer) == 0)
				break;
		if (p == npeople)
			first[npeople++] = k;
		person[k] = p;
	}
	/* slots: each need repeated count times */
	size_t nslots = 0;
	for (size_t i = 0; i < n; i++)
		nslots += needs[i].count > 0 ? (size_t)needs[i].count : 0;
	size_t *slot_need = xcalloc(nslots + 1, sizeof *slot_need);
	for (size_t i = 0, s = 0; i < n; i++)
		for (int c = 0; c < needs[i].count; c++)
			slot_need[s++] = i;
	struct match m = {npeople, nslots, xcalloc(npeople * nslots + 1, sizeof(bool)),
			  xcalloc(nslots + 1, sizeof(int)), xcalloc(nslots + 1, sizeof(bool))};
	for (size_t s = 0; s < nslots; s++)
		m.slot_person[s] = -1;
	for (size_t k = 0; k < na; k++) {
		if (status[k] != AS_OK)
			continue;
		for (size_t s = 0; s < nslots; s++) {
			const char *role = needs[slot_need[s]].role;
			if (strcmp(role, APPR_ANY_ROLE) == 0 || strcmp(role, as[k]->role) == 0)
				m.edge[person[k] * nslots + s] = true;
		}
	}
	for (size_t p = 0; p < npeople; p++) {
		memset(m.seen, 0, nslots * sizeof *m.seen);
		augment(&m, p);
	}
	/* each matched person: the approval whose role fits the slot */
	bool *used = xcalloc(npeople + 1, sizeof *used);
	for (size_t s = 0; s < nslots; s++) {
		int p = m.slot_person[s];
		if (p < 0)
			continue;
		size_t i = slot_need[s];
		filled[i]++;
		used[p] = true;
		for (size_t k = 0; k < na; k++) {
			if (status[k] != AS_OK || person[k] != (size_t)p || slot[k] >= 0)
				continue;
			if (strcmp(needs[i].role, APPR_ANY_ROLE) == 0 || strcmp(needs[i].role, as[k]->role) == 0) {
				slot[k] = (int)i;
				break;
			}
		}
	}
	for (size_t k = 0; k < na; k++)
		if (status[k] == AS_OK && slot[k] < 0)
			status[k] = used[person[k]] ? AS_DUPLICATE : AS_NOT_NEEDED;
	free(used);
	free(m.edge);
	free(m.slot_person);
	free(m.seen);
	free(slot_need);
	free(first);
	free(person);
}
