/* secrets: PCRE2 credential rules, entropy rule, redaction (see secrets.h).
 *
 * Each rule is a pattern plus an optional capture group holding the secret
 * proper (for `password = VALUE` the secret is VALUE, not the key name) and
 * an optional check: a minimum entropy, or the placeholder filter. The
 * generic rule only fires on long tokens mixing upper case, lower case and
 * digits whose entropy reaches the threshold, which leaves out hex digests,
 * UUIDs and ordinary identifiers.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "govern/secrets.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

enum { CHK_NONE, CHK_PLACEHOLDER, CHK_ASSIGN, CHK_GENERIC };

typedef struct rule {
	const char *id, *title, *pattern;
	int group;      /* capture group of the secret (0: whole match) */
	int check;      /* CHK_* */
	double min_ent; /* minimum entropy of the secret (0: none) */
} rule;

static const rule rules[] = {
	{"private-key", "private key block",
	 "-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\\s\\\\n]*[A-Za-z0-9+/=]{20,}", 0, CHK_NONE, 0},
	{"aws-access-key-id", "AWS access key id", "\\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\\b", 0, CHK_PLACEHOLDER, 0},
	{"aws-secret-access-key", "AWS secret access key",
	 "(?i:aws_?secret(?:_?access)?_?key)[\"']?\\s*[:=]\\s*[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1,
	 CHK_PLACEHOLDER, 3.0},
	{"github-token", "GitHub token", "\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\\b", 0, CHK_PLACEHOLDER, 3.0},
	{"github-fine-grained-token", "GitHub fine-grained token", "\\bgithub_pat_[A-Za-z0-9_]{60,}\\b", 0,
	 CHK_PLACEHOLDER, 3.0},
	{"gitlab-token", "GitLab token", "\\bglpat-[A-Za-z0-9_-]{20,}\\b", 0, CHK_PLACEHOLDER, 3.0},
	{"slack-token", "Slack token", "\\bxox[abposr]-[A-Za-z0-9-]{10,}\\b", 0, CHK_PLACEHOLDER, 3.0},
	{"slack-webhook", "Slack webhook URL", "https://hooks\\.slack\\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}",
	 0, CHK_PLACEHOLDER, 0},
	{"stripe-key", "Stripe secret key", "\\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\\b", 0, CHK_PLACEHOLDER, 3.0},
	{"google-api-key", "Google API key", "\\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", 0, CHK_PLACEHOLDER, 3.0},
	{"anthropic-key", "Anthropic API key", "\\bsk-ant-[A-Za-z0-9_-]{32,}", 0, CHK_PLACEHOLDER, 3.5},
	{"openai-key", "OpenAI API key", "\\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}", 0, CHK_PLACEHOLDER, 3.5},
	{"npm-token", "npm token", "\\bnpm_[A-Za-z0-9]{36}\\b", 0, CHK_PLACEHOLDER, 3.0},
	{"sendgrid-key", "SendGrid API key", "\\bSG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}\\b", 0, CHK_PLACEHOLDER, 3.0},
	{"jwt", "JSON web token", "\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}", 0, CHK_NONE, 0},
	{"connection-string-password", "password in a connection string",
	 "\\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\\s:/@\"']{0,64}:([^\\s@/\"']{1,128})@[^\\s\"']+", 1, CHK_PLACEHOLDER, 0},
	{"password-assignment", "hard-coded password or secret",
	 "(?i)(?<![A-Za-z0-9])[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|api_?key|apikey|access_?token|auth_?token|"
	 "token)[A-Za-z0-9_.-]*[\"']?\\s*[:=]\\s*[\"']?([^\\s\"'`,;]{8,})",
	 1, CHK_ASSIGN, 2.5},
	{"env-var-secret", "secret in an environment variable",
	 "(?i)name:\\s*[\"']?[A-Za-z0-9_]*(?:password|passwd|secret|token|api_?key)[A-Za-z0-9_]*[\"']?[ \\t]*\\r?\\n"
	 "[ \\t-]*value:\\s*[\"']?([^\\s\"']{8,})",
	 1, CHK_ASSIGN, 2.5},
	{"high-entropy-string", "high-entropy string (possible secret)", "(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{32,}", 0,
	 CHK_GENERIC, 0},
};
#define NRULES (sizeof rules / sizeof rules[0])

struct secrets_scanner {
	pcre2_code *re[NRULES];
	pcre2_code **allow;
	size_t nallow;
	double entropy;
};

const char *secrets_rule_id(int r)
{
	return r >= 0 && (size_t)r < NRULES ? rules[r].id : "?";
}

const char *secrets_rule_title(int r)
{
	return r >= 0 && (size_t)r < NRULES ? rules[r].title : "?";
}

double secrets_entropy(const char *s, size_t n)
{
	if (!n)
		return 0;
	size_t cnt[256] = {0};
	for (size_t i = 0; i < n; i++)
		cnt[(unsigned char)s[i]]++;
	double h = 0;
	for (int i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

secrets_scanner *secrets_new(const char *const *allow, size_t nallow, double entropy, wdiags *d)
{
	secrets_scanner *sc = xcalloc(1, sizeof *sc);
	sc->entropy = entropy > 0 ? entropy : 4.0;
	for (size_t i = 0; i < NRULES; i++) {
		int ec;
		PCRE2_SIZE eo;
		sc->re[i] = pcre2_compile((PCRE2_SPTR)rules[i].pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
		if (!sc->re[i])
			abort(); /* built-in rules always compile; tests prove it */
	}
	sc->allow = xcalloc(nallow ? nallow : 1, sizeof *sc->allow);
	for (size_t i = 0; i < nallow; i++) {
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)allow[i], PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(ec, msg, sizeof msg);
			diag_add(d, WSEV_ERROR, NULL, (wspan){0, 0},
				 "secrets allowlist pattern '%s' does not compile: %s at offset %zu", allow[i], (char *)msg,
				 (size_t)eo);
			secrets_free(sc);
			return NULL;
		}
		sc->allow[sc->nallow++] = re;
	}
	return sc;
}

void secrets_free(secrets_scanner *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < NRULES; i++)
		pcre2_code_free(sc->re[i]);
	for (size_t i = 0; i < sc->nallow; i++)
		pcre2_code_free(sc->allow[i]);
	free(sc->allow);
	free(sc);
}

static bool ci_contains(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++) {
		size_t j = 0;
		while (j < wl && tolower((unsigned char)s[i + j]) == w[j])
			j++;
		if (j == wl)
			return true;
	}
	return false;
}

/* Documentation placeholders and references to secrets kept elsewhere. */
static bool placeholder(const char *s, size_t n)
{
	if (!n)
		return true;
	char c0 = s[0];
	if (c0 == '$' || c0 == '{' || c0 == '<' || c0 == '%' || c0 == '[' || c0 == '(')
		return true;
	if (n >= 2 && s[0] == '*' && s[1] == '*')
		return true;
	static const char *const words[] = {"example", "placeholder", "changeme", "redacted", "xxxxxx",
					     "your_", "your-", "dummy", "sample", "notreal", "not-real", "not_a_real",
					     "fake", "test_key", "<", "...", NULL};
	for (const char *const *w = words; *w; w++)
		if (ci_contains(s, n, *w))
			return true;
	/* one repeated character: "aaaaaaaa", "00000000" */
	size_t same = 1;
	for (size_t i = 1; i < n; i++)
		same += s[i] == s[0];
	if (same == n)
		return true;
	return false;
}

/* Letter-case and digit classes present: upper, lower, digit (0..3). */
static int char_classes(const char *s, size_t n)
{
	bool up = false, lo = false, dig = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		up |= c >= 'A' && c <= 'Z';
		lo |= c >= 'a' && c <= 'z';
		dig |= c >= '0' && c <= '9';
	}
	return up + lo + dig;
}

static bool ends_with_ci(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	if (n < wl)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (tolower((unsigned char)s[n - wl + i]) != w[i])
			return false;
	return true;
}

/* Public material that looks random: public key and certificate blocks,
 * SSH public keys, subresource-integrity and module checksums. */
static bool public_context(const char *text, size_t start)
{
	size_t from = start > 4096 ? start - 4096 : 0;
	/* the nearest PEM header before the token */
	const char *hdr = NULL;
	for (size_t i = start; i-- > from;) {
		if (text[i] == '-' && i + 11 <= start && memcmp(text + i, "-----BEGIN ", 11) == 0) {
			hdr = text + i;
			break;
		}
		if (text[i] == '-' && i + 9 <= start && memcmp(text + i, "-----END ", 9) == 0)
			break;
	}
	if (hdr) {
		const char *e = memchr(hdr + 11, '-', (size_t)(text + start - (hdr + 11)));
		if (e && !ci_contains(hdr, (size_t)(e - hdr), "private"))
			return true;
	}
	/* the word just before the token */
	size_t k = start;
	while (k > from && (text[k - 1] == ' ' || text[k - 1] == '\t'))
		k--;
	size_t w = k;
	while (w > from && text[w - 1] != ' ' && text[w - 1] != '\t' && text[w - 1] != '\n' && text[w - 1] != '"')
		w--;
	const char *pre[] = {"ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
			     "ecdsa-sha2-nistp521", NULL};
	for (const char *const *p = pre; *p; p++)
		if (k - w == strlen(*p) && memcmp(text + w, *p, k - w) == 0)
			return true;
	/* "sha512-..." (SRI) and "h1:..." (Go checksums) */
	if (strncmp(text + start, "sha512-", 7) == 0 || strncmp(text + start, "sha384-", 7) == 0 ||
	    strncmp(text + start, "sha256-", 7) == 0)
		return true;
	if (ends_with_ci(text + from, start - from, "sha512-") || ends_with_ci(text + from, start - from, "sha384-") ||
	    ends_with_ci(text + from, start - from, "sha256-") || ends_with_ci(text + from, start - from, "h1:"))
		return true;
	return false;
}

static bool generic_ok(const secrets_scanner *sc, const char *s, size_t n)
{
	bool up = false, lo = false, dig = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		up |= c >= 'A' && c <= 'Z';
		lo |= c >= 'a' && c <= 'z';
		dig |= c >= '0' && c <= '9';
	}
	if (!(up && lo && dig))
		return false;
	/* identifiers made of words ("AbstractSingletonProxyFactoryBean2"):
	 * a long lowercase run and few digits; random tokens rarely have both */
	size_t run = 0, maxrun = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		run = (c >= 'a' && c <= 'z') ? run + 1 : 0;
		if (run > maxrun)
			maxrun = run;
		digits += c >= '0' && c <= '9';
	}
	if (maxrun >= 6 && digits < 3)
		return false;
	if (placeholder(s, n))
		return false;
	/* paths and URLs split into words are not tokens */
	size_t slashes = 0;
	for (size_t i = 0; i < n; i++)
		slashes += s[i] == '/';
	if (slashes > 2)
		return false;
	return secrets_entropy(s, n) >= sc->entropy;
}

static bool allowed(const secrets_scanner *sc, const char *s, size_t n, pcre2_match_data *md)
{
	for (size_t i = 0; i < sc->nallow; i++)
		if (pcre2_match(sc->allow[i], (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0)
			return true;
	return false;
}

static int cmp_find(const void *a, const void *b)
{
	const secret_finding *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1; /* longer first */
	return x->rule - y->rule;
}

size_t secrets_scan(const secrets_scanner *sc, const char *text, size_t len, secret_finding **out)
{
	secret_finding *v = NULL;
	size_t n = 0, cap = 0;
	pcre2_match_data *md = pcre2_match_data_create(8, NULL);
	pcre2_match_data *amd = pcre2_match_data_create(2, NULL);
	for (size_t r = 0; r < NRULES; r++) {
		size_t off = 0;
		while (off <= len) {
			int rc = pcre2_match(sc->re[r], (PCRE2_SPTR)text, len, off, 0, md, NULL);
			if (rc < 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			size_t ms = ov[0], me = ov[1];
			size_t gs = ms, ge = me;
			int g = rules[r].group;
			if (g && rc > g && ov[2 * g] != PCRE2_UNSET) {
				gs = ov[2 * g];
				ge = ov[2 * g + 1];
			}
			off = me > ms ? me : ms + 1;
			const char *s = text + gs;
			size_t sl = ge - gs;
			bool keep = true;
			switch (rules[r].check) {
			case CHK_PLACEHOLDER:
				keep = !placeholder(s, sl) &&
				       (rules[r].min_ent <= 0 || secrets_entropy(s, sl) >= rules[r].min_ent);
				break;
			case CHK_ASSIGN:
				keep = !placeholder(s, sl) && char_classes(s, sl) >= 2 &&
				       secrets_entropy(s, sl) >= rules[r].min_ent;
				break;
			case CHK_GENERIC:
				keep = generic_ok(sc, s, sl) && !public_context(text, gs);
				break;
			default:
				break;
			}
			if (keep && allowed(sc, s, sl, amd))
				keep = false;
			if (!keep)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n++] = (secret_finding){gs, ge, (int)r};
		}
	}
	pcre2_match_data_free(md);
	pcre2_match_data_free(amd);
	if (n)
		qsort(v, n, sizeof *v, cmp_find);
	/* drop findings overlapping an earlier one (the specific rules sort
	 * first at equal spans; the generic rule is last) */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && v[i].start < v[k - 1].end) {
			/* prefer the specific rule when the generic one covers the same text */
			if (rules[v[k - 1].rule].check == CHK_GENERIC && rules[v[i].rule].check != CHK_GENERIC &&
			    v[i].end >= v[k - 1].end - 0) {
				v[k - 1] = v[i];
			}
			continue;
		}
		v[k++] = v[i];
	}
	*out = v;
	return k;
}

char *secrets_redact(const secrets_scanner *sc, const char *text, size_t len, size_t *n)
{
	secret_finding *f;
	size_t nf = secrets_scan(sc, text, len, &f);
	wbuf b = WBUF_INIT;
	size_t at = 0;
	for (size_t i = 0; i < nf; i++) {
		buf_add(&b, text + at, f[i].start - at);
		buf_printf(&b, "[REDACTED:%s]", rules[f[i].rule].id);
		at = f[i].end;
	}
	buf_add(&b, text + at, len - at);
	free(f);
	*n = nf;
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

void secrets_redact_short(const char *s, size_t n, char *out, size_t cap)
{
	size_t show = n / 4;
	if (show > 6)
		show = 6;
	char head[8];
	size_t k = 0;
	for (size_t i = 0; i < show; i++)
		head[k++] = (s[i] >= 0x21 && s[i] < 0x7f) ? s[i] : '?';
	head[k] = '\0';
	snprintf(out, cap, "%s...(%zu chars)", head, n);
}
