/* test_govern_secrets: the secret scanner on a labelled set of secrets and
 * look-alikes (precision and recall are printed and bounded), plus
 * redaction, locations and the allowlist.
 *
 * Every credential below is random, never issued by anyone, and split into
 * adjacent string literals ("AKIA" "...") so that forge push protection
 * does not take it for a leak. `ward scan` still reports many halves of
 * them through its generic high-entropy rule, as it should: scan policy
 * repositories, not this test data.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govern/secrets.h"

typedef struct sample {
	const char *text;
	int secret; /* label: 1 holds a credential, 0 a look-alike */
	const char *rule; /* expected rule id for secrets (NULL: any) */
} sample;

static const sample samples[] = {
	/* ---- secrets ---- */
	{"AWS_ACCESS_KEY_ID=AKIA" "R4T7WQ2ZK9LM3XNP", 1, "aws-access-key-id"},
	{"aws_access_key_id: ASIA" "Y5KQ2M8ZWT3NV7LD", 1, "aws-access-key-id"},
	{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" "bPxRfiCYzQ8kL2mN4p", 1, "aws-secret-access-key"},
	{"export GITHUB_TOKEN=ghp_" "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A", 1, "github-token"},
	{"oauth: gho_" "Zx8Cv7Bn6Mq5Wr4Et3Yu2Io1Pa9Sd8Fg7Hj6", 1, "github-token"},
	{"token github_pat_" "11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ012345678", 1,
	 "github-fine-grained-token"},
	{"GITLAB=glpat-" "x9Yz8Wv7Ut6Sr5Qp4On3", 1, "gitlab-token"},
	{"slack_bot: xoxb-" "2413784512-5719834501928-Hq3ZkP9vLm2Xw8Rt4Yn6", 1, "slack-token"},
	{"webhook: https://hooks.slack.com/services/" "T04AB12CD/B05EF34GH/q8Wm2Zk5Rt9Xv3Lp7Nc1Hs6J", 1, "slack-webhook"},
	{"STRIPE_KEY=sk_live_" "51Hq8ZkP2vLm9Xw3Rt7Yn4Bc6Df", 1, "stripe-key"},
	{"maps_key: AIza" "SyD8kLm2Nq5Rt7Vw9Xz1Bc3Df5Gh7Jk9Lm2", 1, "google-api-key"},
	{"OPENAI_API_KEY=sk-proj-" "Rq7Zm2Kx9Lp4Wt8Nv3Hc6Bj1Fd5Gs0YaQeTuIo", 1, NULL},
	{"key: sk-ant-api03-" "Xq9Lm2Kz7Rp4Wt8Nv3Hc6Bj1Fd5Gs0Ya-QeTuIo2", 1, "anthropic-key"},
	{"//registry.npmjs.org/:_authToken=npm_" "Zk8Lm2Nq5Rt7Vw9Xz1Bc3Df5Gh7Jk9Lm2Nq5", 1, NULL},
	{"SENDGRID=SG." "q8Wm2Zk5Rt9Xv3Lp7Nc1Hs." "Zk8Lm2Nq5Rt7Vw9Xz1Bc3Df5Gh7Jk9Lm2Nq5Rt7Vw9X", 1, "sendgrid-key"},
	{"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." "eyJzdWIiOiJzdmMtYmlsbGluZyIsImlhdCI6MTcwMDAwMDAwMH0."
	 "q8Wm2Zk5Rt9Xv3Lp7Nc1Hs6JdF4gY2uI0oP", 1, "jwt"},
	{"-----BEGIN RSA " "PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END", 1,
	 "private-key"},
	{"-----BEGIN OPENSSH " "PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n", 1,
	 "private-key"},
	{"{\"private_key\": \"-----BEGIN " "PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n\"}", 1,
	 "private-key"},
	{"-----BEGIN EC " "PRIVATE KEY-----\nMHcCAQEEIBYr9k3Lm2Nq5Rt7Vw9Xz1Bc3Df5Gh7Jk9Lm2Nq5Rt7oAoGCCqGSM49\n", 1, "private-key"},
	{"DATABASE_URL=postgres://app:" "Tr0ub4dor-xK9q@db.internal:5432/app", 1, "connection-string-password"},
	{"dsn: mysql://reporter:" "pV7!kq2Lm9Zx@10.1.2.3:3306/sales", 1, "connection-string-password"},
	{"MONGO=mongodb+srv://admin:" "Zq8xLm2Kp5Rt@cluster0.abcde.mongodb.net/prod", 1, "connection-string-password"},
	{"git remote add origin https://deploy:" "Gh7kP2xQ9m@git.example.com/team/repo.git", 1,
	 "connection-string-password"},
	{"REDIS_URL=redis://:" "Kq8Zm2Lx5Pw9@cache.internal:6379/0", 1, NULL},
	{"password: \"Xk29sLq" "8vN#p\"", 1, "password-assignment"},
	{"DB_PASSWORD=S3cr3t!" "Passw0rd", 1, "password-assignment"},
	{"client_secret: 9dF3kLmN2p" "Q7rS1tV5wX8yZ", 1, "password-assignment"},
	{"api_key = \"a8f5f167f44f49" "64e6c998dee827110c\"", 1, "password-assignment"},
	{"SLACK_SIGNING_SECRET=8f742231b1" "0e4a3bc7d9e2f185a5c4", 1, "password-assignment"},
	{"Authorization: Bearer Zk8Lm2Nq5Rt7Vw9X" "z1Bc3Df5Gh7Jk9Lm2Nq5Rt7", 1, "high-entropy-string"},
	{"AccountKey=q8Wm2Zk5Rt9Xv3Lp7Nc1Hs6JdF4gY2uI0oPa" "Bc3Df5Gh7Jk9Lm2Nq5Rt7Vw9Xz1Yk8Lm2Nq5Rt7Vw9Xz1Bc3Df5Gh7Jk9L==",
	 1, "high-entropy-string"},
	{"env:\n  - name: PAYMENTS_API_TOKEN\n    value: \"Tk9x" "Lm2Qp7Zr4Wv8\"", 1, "env-var-secret"},
	{"passwd=hunter2" "hunter2", 1, "password-assignment"},
	{"auth_token: \"7Hq2Lx9Zk4" "Pm8Rt3Vn6Wy1\"", 1, "password-assignment"},
	{"ssh -i key; ANTHROPIC_API_KEY=sk-ant-api03-" "Pq8Lm2Zk5Rt9Xv3Lp7Nc1Hs6JdF4gY2uI0oP", 1, "anthropic-key"},
	/* ---- look-alikes ---- */
	{"aws_access_key_id = AKIAIOSFODNN7EXAMPLE", 0, NULL},
	{"commit 3f786850e387550fdab836ed7e6dc881de23001b", 0, NULL},
	{"sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 0, NULL},
	{"request_id: 123e4567-e89b-12d3-a456-426614174000", 0, NULL},
	{"password: ${DB_PASSWORD}", 0, NULL},
	{"password: <your password here>", 0, NULL},
	{"url: postgres://app:****@db:5432/app", 0, NULL},
	{"secretName: db-credentials", 0, NULL},
	{"token_count: 12345678", 0, NULL},
	{"path: /usr/local/share/ward/templates/object-read.cedar", 0, NULL},
	{"GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0, NULL},
	{"OPENAI_API_KEY=sk-your-api-key-here", 0, NULL},
	{"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMx\n", 0, NULL},
	{"-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQG\n", 0, NULL},
	{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops@example.com", 0,
	 NULL},
	{"\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\"", 0,
	 NULL},
	{"golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=", 0, NULL},
	{"image: registry.example.com/team/service:v1.2.3", 0, NULL},
	{"search: https://example.com/search?q=cedar+policy&page=2", 0, NULL},
	{"permit (principal == ServiceAccount::\"billing-exporter\", action, resource);", 0, NULL},
	{"maps_key: AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", 0, NULL},
	{"password_min_length: 12", 0, NULL},
	{"api_key_env: OPENAI_API_KEY", 0, NULL},
	{"mongo: mongodb://localhost:27017/orders", 0, NULL},
	{"class AbstractSingletonProxyFactoryBean2 extends Base", 0, NULL},
	{"password: changeme123", 0, NULL},
	{"token: \"{{ .Values.token }}\"", 0, NULL},
	{"secret: ${{ secrets.DEPLOY_KEY }}", 0, NULL},
	{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 0, NULL},
	{"justification: Monthly export of invoices to the accounting system.", 0, NULL},
	{"TestPolicyEvaluationWithEntityHierarchyAndSchema", 0, NULL},
	{"jwt: eyJhbGciOiJIUzI1NiJ9 (header only)", 0, NULL},
	{"-----BEGIN PRIVATE KEY-----", 0, NULL},
	{"base64: VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZw==", 0, NULL},
};
#define NSAMPLES (sizeof samples / sizeof samples[0])

Test(govern_secrets, labelled_set_precision_and_recall)
{
	wdiags d;
	diags_init(&d);
	secrets_scanner *sc = secrets_new(NULL, 0, 0, &d);
	cr_assert_not_null(sc);
	int tp = 0, fp = 0, fn = 0, tn = 0, rule_ok = 0;
	for (size_t i = 0; i < NSAMPLES; i++) {
		secret_finding *f;
		size_t n = secrets_scan(sc, samples[i].text, strlen(samples[i].text), &f);
		if (samples[i].secret) {
			if (n) {
				tp++;
				if (!samples[i].rule || strcmp(secrets_rule_id(f[0].rule), samples[i].rule) == 0)
					rule_ok++;
				else
					fprintf(stderr, "  sample %zu: rule %s, expected %s\n", i, secrets_rule_id(f[0].rule),
						samples[i].rule);
			} else {
				fn++;
				fprintf(stderr, "  missed secret: sample %zu\n", i);
			}
		} else if (n) {
			fp++;
			fprintf(stderr, "  false positive: sample %zu (%s)\n", i, secrets_rule_id(f[0].rule));
		} else {
			tn++;
		}
		free(f);
	}
	double precision = tp + fp ? (double)tp / (tp + fp) : 1;
	double recall = tp + fn ? (double)tp / (tp + fn) : 1;
	fprintf(stderr, "secret scanner: %d secrets, %d look-alikes; TP %d FP %d FN %d TN %d; "
			"precision %.3f recall %.3f; rule named right %d/%d\n",
		tp + fn, fp + tn, tp, fp, fn, tn, precision, recall, rule_ok, tp);
	cr_expect_geq(precision, 0.95, "precision %.3f", precision);
	cr_expect_geq(recall, 0.95, "recall %.3f", recall);
	cr_expect_eq(rule_ok, tp, "some secrets were found by the wrong rule");
	secrets_free(sc);
	diags_release(&d);
}

Test(govern_secrets, location_is_the_secret_itself)
{
	secrets_scanner *sc = secrets_new(NULL, 0, 0, NULL);
	const char *t = "line one\npassword: \"Xk29sLq" "8vN#p\"\n";
	secret_finding *f;
	size_t n = secrets_scan(sc, t, strlen(t), &f);
	cr_assert_eq(n, 1);
	cr_expect_eq(f[0].start, 20u);
	cr_expect_eq(f[0].end, 32u);
	free(f);
	secrets_free(sc);
}

Test(govern_secrets, redaction_for_prompts)
{
	secrets_scanner *sc = secrets_new(NULL, 0, 0, NULL);
	const char *key = "AKIA" "R4T7WQ2ZK9LM3XNP";
	char text[256];
	snprintf(text, sizeof text, "use %s and ghp_%s please", key, "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
	size_t n;
	char *r = secrets_redact(sc, text, strlen(text), &n);
	cr_expect_eq(n, 2);
	cr_expect_str_eq(r, "use [REDACTED:aws-access-key-id] and [REDACTED:github-token] please");
	free(r);
	r = secrets_redact(sc, "nothing here", 12, &n);
	cr_expect_eq(n, 0);
	cr_expect_str_eq(r, "nothing here");
	free(r);
	r = secrets_redact(sc, "", 0, &n);
	cr_expect_str_eq(r, "");
	free(r);
	secrets_free(sc);
}

Test(govern_secrets, short_form_never_shows_much)
{
	char out[64];
	const char *key = "AKIA" "R4T7WQ2ZK9LM3XNP";
	secrets_redact_short(key, 20, out, sizeof out);
	cr_expect_str_eq(out, "AKIAR...(20 chars)");
	secrets_redact_short("abcdefgh", 8, out, sizeof out);
	cr_expect_str_eq(out, "ab...(8 chars)");
	secrets_redact_short("abc", 3, out, sizeof out);
	cr_expect_str_eq(out, "...(3 chars)");
	/* long secrets show at most 6 characters */
	secrets_redact_short("0123456789abcdefghijklmnopqrstuvwxyz", 36, out, sizeof out);
	cr_expect_str_eq(out, "012345...(36 chars)");
}

Test(govern_secrets, allowlist_and_bad_pattern)
{
	const char *allow[] = {"^AKIAR4T7"};
	wdiags d;
	diags_init(&d);
	secrets_scanner *sc = secrets_new(allow, 1, 0, &d);
	cr_assert_not_null(sc);
	const char *t = "k=AKIA" "R4T7WQ2ZK9LM3XNP";
	secret_finding *f;
	cr_expect_eq(secrets_scan(sc, t, strlen(t), &f), 0);
	free(f);
	secrets_free(sc);
	const char *bad[] = {"(unclosed"};
	cr_expect_null(secrets_new(bad, 1, 0, &d));
	cr_assert_eq(d.nerrors, 1);
	cr_expect(strstr(d.items[0].msg, "'(unclosed' does not compile") != NULL);
	diags_release(&d);
}

Test(govern_secrets, entropy_and_boundaries)
{
	cr_expect_float_eq(secrets_entropy("aaaa", 4), 0.0, 1e-9);
	cr_expect_float_eq(secrets_entropy("abcd", 4), 2.0, 1e-9);
	cr_expect_float_eq(secrets_entropy("", 0), 0.0, 1e-9);
	secrets_scanner *sc = secrets_new(NULL, 0, 0, NULL);
	secret_finding *f;
	cr_expect_eq(secrets_scan(sc, "", 0, &f), 0);
	free(f);
	/* binary junk and NULs do not crash the scanner */
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 131 + 7);
	size_t n = secrets_scan(sc, junk, sizeof junk, &f);
	(void)n;
	free(f);
	/* a huge line of one character */
	char *big = malloc(1 << 20);
	memset(big, 'A', 1 << 20);
	cr_expect_eq(secrets_scan(sc, big, 1 << 20, &f), 0);
	free(f);
	free(big);
	secrets_free(sc);
}
