/* Unit tests of approval.h: keys, the change hash, ward.yaml approval rules,
 * signing and every way an approval is refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "govern/approval.h"
#include "govern/gio.h"
#include "util/buf.h"
#include "util/diag.h"

static char tmpdir[64];

static void mk_tmp(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ward-appr-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(approval, .init = mk_tmp, .fini = rm_tmp);

static char *all_msgs(const wdiags *d)
{
	wbuf b = WBUF_INIT;
	diags_render(d, &b);
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* Generates a key named `name` in tmpdir and loads it. */
static void make_key(const char *name, appr_key *k, char pub[APPR_PK_TEXT])
{
	wdiags d;
	diags_init(&d);
	char *path;
	cr_assert_eq(appr_keygen(name, tmpdir, &path, pub, &d), 0);
	cr_assert_eq(appr_key_load(k, path, &d), 0);
	cr_assert_str_eq(k->name, name);
	free(path);
	diags_release(&d);
}

Test(approval, keygen_writes_private_key_0600_and_refuses_overwrite)
{
	wdiags d;
	diags_init(&d);
	char *path, pub[APPR_PK_TEXT];
	cr_assert_eq(appr_keygen("carol@example.com", tmpdir, &path, pub, &d), 0);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert(strstr(path, "carol@example.com.key"));
	cr_assert_eq(strncmp(pub, "ed25519:", 8), 0);
	unsigned char pk[APPR_PK_BYTES];
	cr_assert_eq(appr_pk_parse(pub, pk), 0);
	char *p2, pub2[APPR_PK_TEXT];
	cr_assert_eq(appr_keygen("carol@example.com", tmpdir, &p2, pub2, &d), -1);
	char *m = all_msgs(&d);
	cr_assert(strstr(m, "already exists"), "%s", m);
	free(m);
	free(path);
	diags_release(&d);
}

Test(approval, keygen_refuses_models_and_bad_names)
{
	wdiags d;
	diags_init(&d);
	char *path, pub[APPR_PK_TEXT];
	cr_assert_eq(appr_keygen("model:gpt", tmpdir, &path, pub, &d), -1);
	cr_assert_eq(appr_keygen("", tmpdir, &path, pub, &d), -1);
	cr_assert_eq(appr_keygen("a\nb", tmpdir, &path, pub, &d), -1);
	char *m = all_msgs(&d);
	cr_assert(strstr(m, "model identity"), "%s", m);
	cr_assert(strstr(m, "must not be empty"), "%s", m);
	cr_assert(strstr(m, "control character"), "%s", m);
	free(m);
	diags_release(&d);
}

Test(approval, key_load_refuses_readable_and_malformed_keys)
{
	appr_key k;
	char pub[APPR_PK_TEXT];
	make_key("dan", &k, pub);
	appr_key_release(&k);
	char path[128];
	snprintf(path, sizeof path, "%s/dan.key", tmpdir);
	cr_assert_eq(chmod(path, 0644), 0);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(appr_key_load(&k, path, &d), -1);
	char *m = all_msgs(&d);
	cr_assert(strstr(m, "accessible by others") && strstr(m, "chmod 600"), "%s", m);
	free(m);
	diags_release(&d);

	const char *bad[] = {
		"not json",
		"[]",
		"{\"format\":\"ward-key-v1\",\"name\":\"x\"}",
		"{\"format\":\"other\",\"name\":\"x\",\"public_key\":\"ed25519:AAAA\",\"secret_key\":\"AAAA\"}",
		"{\"format\":\"ward-key-v1\",\"name\":\"x\",\"public_key\":\"ed25519:AAAA\",\"secret_key\":\"AAAA\"}",
		"{\"format\":\"ward-key-v1\",\"format\":\"ward-key-v1\"}",
	};
	const char *want[] = {"malformed key file", "expected a JSON object", "missing field 'public_key'",
			      "not a ward key file", "bad key encoding", "duplicate"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		diags_init(&d);
		snprintf(path, sizeof path, "%s/bad%zu.key", tmpdir, i);
		cr_assert_eq(gio_write_atomic(path, bad[i], strlen(bad[i]), 0600, false, &d), 0);
		cr_assert_eq(appr_key_load(&k, path, &d), -1, "case %zu", i);
		m = all_msgs(&d);
		cr_assert(strstr(m, want[i]), "case %zu: %s", i, m);
		free(m);
		diags_release(&d);
	}
}

Test(approval, times_parse_and_format)
{
	int64_t t;
	cr_assert_eq(appr_parse_time("1970-01-01", &t), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(appr_parse_time("2027-01-01T00:00:01Z", &t), 0);
	cr_assert_eq(t, 1798761601);
	char out[32];
	appr_format_time(t, out);
	cr_assert_str_eq(out, "2027-01-01T00:00:01Z");
	cr_assert_eq(appr_parse_time("2024-02-29", &t), 0);
	appr_format_time(t, out);
	cr_assert_str_eq(out, "2024-02-29T00:00:00Z");
	cr_assert_eq(appr_parse_time("2023-02-29", &t), -1);
	cr_assert_eq(appr_parse_time("2023-13-01", &t), -1);
	cr_assert_eq(appr_parse_time("2023-1-01", &t), -1);
	cr_assert_eq(appr_parse_time("2023-01-01T25:00:00Z", &t), -1);
	cr_assert_eq(appr_parse_time("2023-01-01T10:00:00", &t), -1);
	cr_assert_eq(appr_parse_time("", &t), -1);
}

Test(approval, change_hash_depends_on_base_paths_and_contents)
{
	appr_file a[] = {{"policies/b.cedar", 'A', "permit", 6}, {"policies/a.cedar", 'M', "forbid", 6}};
	appr_file b[] = {{"policies/a.cedar", 'M', "forbid", 6}, {"policies/b.cedar", 'A', "permit", 6}};
	char h1[APPR_HASH_HEX + 1], h2[APPR_HASH_HEX + 1], h3[APPR_HASH_HEX + 1];
	appr_change_hash("base1", a, 2, h1);
	appr_change_hash("base1", b, 2, h2);
	cr_assert_str_eq(h1, h2, "order of files must not matter");
	cr_assert_eq(strlen(h1), 64);
	appr_change_hash("base2", b, 2, h3);
	cr_assert_str_neq(h1, h3);
	b[1].data = "permiT";
	appr_change_hash("base1", b, 2, h3);
	cr_assert_str_neq(h1, h3);
	b[1].data = "permit";
	b[1].status = 'M';
	appr_change_hash("base1", b, 2, h3);
	cr_assert_str_neq(h1, h3);
	/* field boundaries are unambiguous */
	appr_file c[] = {{"ab", 'A', "c", 1}};
	appr_file e[] = {{"a", 'A', "bc", 2}};
	appr_change_hash("x", c, 1, h1);
	appr_change_hash("x", e, 1, h2);
	cr_assert_str_neq(h1, h2);
}

static const char *cfg_fmt = "version: 1\n"
			     "roles:\n"
			     "  security: reviews risky access\n"
			     "  platform: owns production\n"
			     "reviewers:\n"
			     "  carol@example.com:\n"
			     "    roles: [security]\n"
			     "    public_key: %s\n"
			     "  dave@example.com:\n"
			     "    roles: [security, platform]\n"
			     "    public_key: %s\n"
			     "  old@example.com:\n"
			     "    roles: [platform]\n"
			     "    public_key: %s\n"
			     "    expires: 2020-01-01\n"
			     "approvals:\n"
			     "  production: [platform]\n"
			     "  forbid-weakened: [{role: security, count: 2}]\n"
			     "  wildcard: [security, security]\n"
			     "  model-drafted: ~\n"
			     "gate:\n"
			     "  require_templates: true\n"
			     "ledger:\n"
			     "  path: evidence/ledger.db\n";

struct world {
	appr_key carol, dave, old, eve;
	char pc[APPR_PK_TEXT], pd[APPR_PK_TEXT], po[APPR_PK_TEXT], pe[APPR_PK_TEXT];
	appr_config cfg;
	wbuf text;
};

static void world_init(struct world *w)
{
	memset(w, 0, sizeof *w);
	make_key("carol@example.com", &w->carol, w->pc);
	make_key("dave@example.com", &w->dave, w->pd);
	make_key("old@example.com", &w->old, w->po);
	make_key("eve@example.com", &w->eve, w->pe);
	buf_printf(&w->text, cfg_fmt, w->pc, w->pd, w->po);
	wdiags d;
	diags_init(&d);
	int rc = appr_config_parse(&w->cfg, "ward.yaml", w->text.p, w->text.n, &d);
	char *m = all_msgs(&d);
	cr_assert_eq(rc, 0, "%s", m);
	free(m);
	diags_release(&d);
}

static void world_release(struct world *w)
{
	appr_config_release(&w->cfg);
	appr_key_release(&w->carol);
	appr_key_release(&w->dave);
	appr_key_release(&w->old);
	appr_key_release(&w->eve);
	buf_release(&w->text);
}

Test(approval, config_parses_roles_reviewers_rules)
{
	struct world w;
	world_init(&w);
	cr_assert_eq(w.cfg.nroles, 2);
	cr_assert_eq(w.cfg.nreviewers, 3);
	const appr_reviewer *r = appr_find_reviewer(&w.cfg, "dave@example.com");
	cr_assert_not_null(r);
	cr_assert(appr_has_role(r, "platform") && appr_has_role(r, "security"));
	cr_assert_eq(memcmp(r->pk, w.dave.pk, APPR_PK_BYTES), 0);
	const appr_rule *fw = appr_find_rule(&w.cfg, "forbid-weakened");
	cr_assert_not_null(fw);
	cr_assert_eq(fw->n, 1);
	cr_assert_eq(fw->needs[0].count, 2);
	const appr_rule *wc = appr_find_rule(&w.cfg, "wildcard");
	cr_assert_eq(wc->n, 1);
	cr_assert_eq(wc->needs[0].count, 2, "a role listed twice adds up");
	const appr_rule *md = appr_find_rule(&w.cfg, "model-drafted");
	cr_assert_not_null(md);
	cr_assert_eq(md->n, 0);
	cr_assert_null(appr_find_rule(&w.cfg, "exception"));
	cr_assert(w.cfg.require_templates);
	cr_assert_str_eq(w.cfg.ledger_path, "evidence/ledger.db");
	cr_assert(appr_find_reviewer(&w.cfg, "old@example.com")->has_expiry);
	world_release(&w);
}

static void expect_cfg_error(const char *text, const char *want)
{
	appr_config c;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(appr_config_parse(&c, "ward.yaml", text, strlen(text), &d), -1, "accepted: %s", text);
	char *m = all_msgs(&d);
	cr_assert(strstr(m, want), "want '%s' in:\n%s", want, m);
	cr_assert(strstr(m, "ward.yaml:"), "errors are located: %s", m);
	free(m);
	diags_release(&d);
	appr_config_release(&c);
}

Test(approval, config_errors_are_located_and_clear)
{
	expect_cfg_error("roles: {a: x}\nreviewers:\n  bob:\n    roles: [b]\n    public_key: ed25519:x\n",
			 "unknown role 'b'");
	expect_cfg_error("roles: {a: x}\nreviewers:\n  bob:\n    roles: [a]\n    public_key: rsa:x\n",
			 "is not a public key");
	expect_cfg_error("roles: {a: x}\nreviewers:\n  bob:\n    roles: [a]\n", "has no 'public_key'");
	expect_cfg_error("roles: {a: x}\nreviewers:\n  model:gpt:\n    roles: [a]\n    public_key: ed25519:x\n",
			 "models can never approve");
	expect_cfg_error("roles: {a: x}\napprovals:\n  prodution: [a]\n", "did you mean 'production'");
	expect_cfg_error("roles: {a: x}\napprovals:\n  production: [b]\n", "unknown role 'b'");
	expect_cfg_error("roles: {a: x}\napprovals:\n  production: [{role: a, count: 0}]\n", "count");
	expect_cfg_error("roles: {a: x}\napprovals:\n  production: a\n", "must be");
	expect_cfg_error("gate:\n  require_templates: maybe\n", "require_templates");
	expect_cfg_error("ledger:\n  pth: x\n", "did you mean 'path'");
	expect_cfg_error("roles: [a, b]\n", "'roles' must be");
	expect_cfg_error("roles: {a: x}\nreviewers:\n  bob:\n    roles: [a]\n    public_key: "
			 "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n    expires: next year\n",
			 "is not a date");
	expect_cfg_error("roles: {a: x\n", "ward.yaml");
}

static const char *CHANGE = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char *OTHER = "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char *BASE = "89abcdef0123456789abcdef0123456789abcdef";

Test(approval, sign_roundtrip_and_verify)
{
	struct world w;
	world_init(&w);
	approval a;
	approval_sign(&a, &w.carol, CHANGE, BASE, "security", "looks right\nto me", 1800000000);
	wbuf j = WBUF_INIT;
	approval_to_json(&a, &j);
	approval b;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(approval_parse(&b, "approvals/x.json", j.p, j.n, &d), 0);
	cr_assert_str_eq(b.comment, "looks right\nto me");
	cr_assert_str_eq(b.signed_at, "2027-01-15T08:00:00Z");
	cr_assert(approval_verify(&b, w.carol.pk));
	cr_assert_not(approval_verify(&b, w.dave.pk));
	wbuf why = WBUF_INIT;
	cr_assert_eq(appr_check(&w.cfg, &b, CHANGE, NULL, 0, 1800000000, &why), AS_OK, "%s", why.p);
	char *fn = approval_file_name(&b);
	cr_assert_str_eq(fn, "0123456789abcdef-carol@example.com.json");
	free(fn);
	free(why.p);
	approval_release(&a);
	approval_release(&b);
	buf_release(&j);
	diags_release(&d);
	world_release(&w);
}

/* Signs as `k`, optionally tampers with a field, and returns the verdict. */
static appr_status judge(struct world *w, const appr_key *k, const char *role, const char *signed_change,
			 const char *tamper_field, const char *const *authors, size_t na, wbuf *why)
{
	approval a;
	approval_sign(&a, k, signed_change, BASE, role, "ok", 1800000000);
	if (tamper_field && strcmp(tamper_field, "role") == 0) {
		free(a.role);
		a.role = strdup("platform");
	} else if (tamper_field && strcmp(tamper_field, "reviewer") == 0) {
		free(a.reviewer);
		a.reviewer = strdup("dave@example.com");
	} else if (tamper_field && strcmp(tamper_field, "change") == 0) {
		memcpy(a.change, CHANGE, 64);
	}
	buf_clear(why);
	appr_status s = appr_check(&w->cfg, &a, CHANGE, authors, na, 1800000000, why);
	approval_release(&a);
	return s;
}

Test(approval, attacks_are_rejected)
{
	struct world w;
	world_init(&w);
	wbuf why = WBUF_INIT;
	/* replayed: signed for another change */
	cr_assert_eq(judge(&w, &w.carol, "security", OTHER, NULL, NULL, 0, &why), AS_OTHER_CHANGE);
	cr_assert(strstr(why.p, "another change"));
	/* the change hash edited to this change: the signature breaks */
	cr_assert_eq(judge(&w, &w.carol, "security", OTHER, "change", NULL, 0, &why), AS_FORGED);
	/* forged: eve (not a reviewer) signs, claiming to be dave */
	cr_assert_eq(judge(&w, &w.eve, "security", CHANGE, "reviewer", NULL, 0, &why), AS_FORGED);
	cr_assert(strstr(why.p, "forged"), "%s", why.p);
	/* role escalated after signing */
	cr_assert_eq(judge(&w, &w.carol, "security", CHANGE, "role", NULL, 0, &why), AS_FORGED);
	/* unknown reviewer */
	cr_assert_eq(judge(&w, &w.eve, "security", CHANGE, NULL, NULL, 0, &why), AS_UNKNOWN_REVIEWER);
	cr_assert(strstr(why.p, "as of the base revision"));
	/* wrong role: carol is not platform */
	cr_assert_eq(judge(&w, &w.carol, "platform", CHANGE, NULL, NULL, 0, &why), AS_WRONG_ROLE);
	/* expired key */
	cr_assert_eq(judge(&w, &w.old, "platform", CHANGE, NULL, NULL, 0, &why), AS_KEY_EXPIRED);
	cr_assert(strstr(why.p, "expired at 2020-01-01"), "%s", why.p);
	/* an author of the change, by email inside "Name <email>", any case */
	const char *authors[] = {"Bob <bob@example.com>", "Carol Reviewer <CAROL@example.com>"};
	cr_assert_eq(judge(&w, &w.carol, "security", CHANGE, NULL, authors, 2, &why), AS_AUTHOR);
	const char *req[] = {"dave@example.com"};
	cr_assert_eq(judge(&w, &w.dave, "security", CHANGE, NULL, req, 1, &why), AS_AUTHOR);
	cr_assert_eq(judge(&w, &w.dave, "security", CHANGE, NULL, authors, 2, &why), AS_OK);
	/* a model identity */
	approval a;
	approval_sign(&a, &w.carol, CHANGE, BASE, "security", "", 1800000000);
	free(a.reviewer);
	a.reviewer = strdup("model:helper");
	buf_clear(&why);
	cr_assert_eq(appr_check(&w.cfg, &a, CHANGE, NULL, 0, 1800000000, &why), AS_MODEL);
	approval_release(&a);
	buf_release(&why);
	world_release(&w);
}

Test(approval, author_matching)
{
	const char *au[] = {"Bob Smith <bob@example.com>", "alice@example.com"};
	cr_assert(appr_is_author("bob@example.com", au, 2));
	cr_assert(appr_is_author("Bob Smith", au, 2));
	cr_assert(appr_is_author("ALICE@example.com", au, 2));
	cr_assert_not(appr_is_author("bob", au, 2));
	cr_assert_not(appr_is_author("bob@example.co", au, 2));
	cr_assert_not(appr_is_author("x", NULL, 0));
}

Test(approval, one_person_fills_one_slot)
{
	struct world w;
	world_init(&w);
	approval a[3];
	approval_sign(&a[0], &w.dave, CHANGE, BASE, "security", "", 1800000000);
	approval_sign(&a[1], &w.dave, CHANGE, BASE, "platform", "", 1800000000);
	approval_sign(&a[2], &w.carol, CHANGE, BASE, "security", "", 1800000000);
	const approval *as[3] = {&a[0], &a[1], &a[2]};
	appr_status st[3] = {AS_OK, AS_OK, AS_OK};
	int slot[3], filled[2];
	appr_need needs[2] = {{"security", 1}, {"platform", 1}};
	appr_assign(needs, 2, filled, as, st, slot, 3);
	/* dave fills platform (the only one who can), carol security; dave's
	 * other approval is a duplicate, whatever the order */
	cr_assert_eq(filled[0], 1);
	cr_assert_eq(filled[1], 1);
	cr_assert_eq(st[0], AS_DUPLICATE);
	cr_assert_eq(st[1], AS_OK);
	cr_assert_eq(slot[1], 1);
	cr_assert_eq(st[2], AS_OK);
	cr_assert_eq(slot[2], 0);
	/* carol twice cannot fill security and platform */
	const approval *cs[2] = {&a[2], &a[2]};
	appr_status stc[2] = {AS_OK, AS_OK};
	int slotc[2], filledc[2];
	appr_assign(needs, 2, filledc, cs, stc, slotc, 2);
	cr_assert_eq(filledc[0] + filledc[1], 1);
	cr_assert_eq(stc[1], AS_DUPLICATE);
	/* two security approvals needed: dave twice does not count twice */
	appr_need two[1] = {{"security", 2}};
	approval b[2];
	approval_sign(&b[0], &w.dave, CHANGE, BASE, "security", "", 1800000000);
	approval_sign(&b[1], &w.dave, CHANGE, BASE, "security", "again", 1800000000);
	const approval *bs[2] = {&b[0], &b[1]};
	appr_status st2[2] = {AS_OK, AS_OK};
	int slot2[2], filled2[1];
	appr_assign(two, 1, filled2, bs, st2, slot2, 2);
	cr_assert_eq(filled2[0], 1);
	cr_assert_eq(st2[1], AS_DUPLICATE);
	/* any-reviewer slots come after named roles */
	appr_need mix[2] = {{APPR_ANY_ROLE, 1}, {"security", 1}};
	appr_status st3[3] = {AS_OK, AS_OK, AS_OK};
	int filled3[2];
	appr_assign(mix, 2, filled3, as, st3, slot, 3);
	cr_assert_eq(filled3[0], 1);
	cr_assert_eq(filled3[1], 1);
	for (int i = 0; i < 3; i++)
		approval_release(&a[i]);
	approval_release(&b[0]);
	approval_release(&b[1]);
	world_release(&w);
}

Test(approval, malformed_approvals_get_clear_errors)
{
	struct world w;
	world_init(&w);
	approval a;
	approval_sign(&a, &w.carol, CHANGE, BASE, "security", "", 1800000000);
	wbuf j = WBUF_INIT;
	approval_to_json(&a, &j);
	approval_release(&a);
	struct {
		const char *from, *to, *want;
	} cases[] = {
		{"\"role\": \"security\"", "\"role\": 5", "'role' must be a string"},
		{"\"role\": \"security\",", "", "missing field 'role'"},
		{"\"role\": \"security\"", "\"role\": \"security\", \"extra\": \"x\"", "unknown field 'extra'"},
		{"\"format\": \"ward-approval-v1\"", "\"format\": \"v0\"", "format must be"},
		{"\"signed_at\": \"2027-01-15T08:00:00Z\"", "\"signed_at\": \"yesterday\"", "'signed_at'"},
		{"\"role\": \"security\"", "\"role\": \"security\", \"role\": \"x\"", "duplicate"},
		{"{", "[", "malformed approval"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *p = strstr(j.p, cases[i].from);
		cr_assert_not_null(p, "case %zu", i);
		wbuf t = WBUF_INIT;
		buf_add(&t, j.p, (size_t)(p - j.p));
		buf_adds(&t, cases[i].to);
		buf_adds(&t, p + strlen(cases[i].from));
		wdiags d;
		diags_init(&d);
		approval b;
		cr_assert_eq(approval_parse(&b, "approvals/bad.json", t.p, t.n, &d), -1, "case %zu accepted", i);
		char *m = all_msgs(&d);
		cr_assert(strstr(m, cases[i].want) && strstr(m, "approvals/bad.json"), "case %zu: %s", i, m);
		free(m);
		diags_release(&d);
		buf_release(&t);
	}
	/* a signature of the wrong length */
	char *sig = strstr(j.p, "\"signature\": \"");
	cr_assert_not_null(sig);
	sig[14] = '!';
	wdiags d;
	diags_init(&d);
	approval b;
	cr_assert_eq(approval_parse(&b, "approvals/bad.json", j.p, j.n, &d), -1);
	diags_release(&d);
	buf_release(&j);
	world_release(&w);
}
