/* Unit tests of gate.h (and report.h): the change and its hash, risk
 * classification, blocking findings and approvals, on real git repositories
 * made in a temporary directory from the example repository (init.h). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "govern/approval.h"
#include "govern/gate.h"
#include "govern/gio.h"
#include "govern/init.h"
#include "govern/report.h"
#include "util/buf.h"

static char dir[64];
static char repo[128];
static char keys[128];

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	cr_assert_eq(rc, 0, "command failed: %s", cmd);
}

static void write_file(const char *rel, const char *text)
{
	char *p = gio_join(repo, rel);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(gio_write_atomic(p, text, strlen(text), 0644, false, &d), 0);
	diags_release(&d);
	free(p);
}

static void append_file(const char *rel, const char *text)
{
	char *p = gio_join(repo, rel);
	FILE *f = fopen(p, "a");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void pub(const char *name, char out[APPR_PK_TEXT])
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s.key", keys, name);
	appr_key k;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(appr_key_load(&k, path, &d), 0);
	appr_pk_text(k.pk, out);
	appr_key_release(&k);
	diags_release(&d);
}

#define GIT "git -C '%s' -c user.name='Alice Admin' -c user.email=alice@example.com "

/* The example repository with three reviewers on main, branch `change`. */
static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/ward-gate-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(repo, sizeof repo, "%s/repo", dir);
	snprintf(keys, sizeof keys, "%s/keys", dir);
	wdiags d;
	diags_init(&d);
	size_t n;
	cr_assert_eq(init_repo(repo, &n, &d), 0);
	const char *names[] = {"alice@example.com", "carol@example.com", "erin@example.com"};
	for (int i = 0; i < 3; i++) {
		char *path, pk[APPR_PK_TEXT];
		cr_assert_eq(appr_keygen(names[i], keys, &path, pk, &d), 0);
		free(path);
	}
	diags_release(&d);
	char pa[APPR_PK_TEXT], pc[APPR_PK_TEXT], pe[APPR_PK_TEXT];
	pub("alice@example.com", pa);
	pub("carol@example.com", pc);
	pub("erin@example.com", pe);
	wbuf b = WBUF_INIT;
	buf_printf(&b,
		   "\nreviewers:\n"
		   "  alice@example.com:\n    roles: [platform, security]\n    public_key: %s\n"
		   "  carol@example.com:\n    roles: [platform]\n    public_key: %s\n"
		   "  erin@example.com:\n    roles: [security]\n    public_key: %s\n    expires: 2099-01-01\n",
		   pa, pc, pe);
	append_file("ward.yaml", b.p);
	buf_release(&b);
	write_file(".gitignore", ".ward/\n");
	sh("git -C '%s' init -q -b main", repo);
	sh(GIT "add -A", repo);
	sh(GIT "commit -qm base", repo);
	sh(GIT "checkout -qb change", repo);
}

static void teardown(void)
{
	sh("rm -rf '%s'", dir);
}

TestSuite(gate, .init = setup, .fini = teardown, .timeout = 60);

static int run(gate_result *r)
{
	gate_opts o = {.root = repo, .base = "main", .now = 0};
	wdiags d;
	diags_init(&d);
	int v = gate_run(&o, r, &d);
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	cr_assert_geq(v, 0, "gate failed: %s", b.p ? b.p : "");
	buf_release(&b);
	diags_release(&d);
	return v;
}

static const gate_finding *finding(const gate_result *r, const char *code)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].code, code) == 0)
			return &r->findings[i];
	return NULL;
}

static char *all_findings(const gate_result *r)
{
	wbuf b = WBUF_INIT;
	for (size_t i = 0; i < r->nfindings; i++)
		buf_printf(&b, "[%s %s] %s\n", gate_sev_name((gate_sev)r->findings[i].sev), r->findings[i].code,
			   r->findings[i].msg);
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

static const gate_need *need(const gate_result *r, const char *role)
{
	for (size_t i = 0; i < r->nneeds; i++)
		if (strcmp(r->needs[i].role, role) == 0)
			return &r->needs[i];
	return NULL;
}

static void sign(const char *who, const char *role)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s.key", keys, who);
	appr_key k;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(appr_key_load(&k, path, &d), 0);
	gate_change ch;
	cr_assert_eq(gate_change_load(&ch, repo, "main", &d), 0);
	approval a;
	approval_sign(&a, &k, ch.change, ch.base, role, "ok", (int64_t)time(NULL));
	wbuf js = WBUF_INIT;
	approval_to_json(&a, &js);
	char rel[256];
	snprintf(rel, sizeof rel, "approvals/%s-%s.json", who, role);
	sh("mkdir -p '%s/approvals'", repo);
	write_file(rel, js.p);
	buf_release(&js);
	approval_release(&a);
	gate_change_release(&ch);
	appr_key_release(&k);
	diags_release(&d);
}

Test(gate, unchanged_repository_passes)
{
	gate_result r;
	cr_assert_eq(run(&r), GATE_PASS);
	cr_assert_eq(r.nfiles, 0);
	cr_assert_eq(r.nneeds, 0);
	cr_assert(r.tests.ran);
	cr_assert_eq(r.tests.failed + r.tests.gen_failed, 0);
	cr_assert(r.ledger_written);
	gate_result_release(&r);
}

Test(gate, change_hash_binds_contents_and_ignores_approvals)
{
	wdiags d;
	diags_init(&d);
	gate_change a, b, c;
	write_file("policies/x.cedar", "// x\n");
	cr_assert_eq(gate_change_load(&a, repo, "main", &d), 0);
	cr_assert_eq(a.nfiles, 1);
	cr_assert_str_eq(a.files[0], "A policies/x.cedar");
	sh("mkdir -p '%s/approvals' && echo '{}' >'%s/approvals/a.json'", repo, repo);
	cr_assert_eq(gate_change_load(&b, repo, "main", &d), 0);
	cr_assert_str_eq(a.change, b.change, "approvals/ is not part of the change");
	write_file("policies/x.cedar", "// y\n");
	cr_assert_eq(gate_change_load(&c, repo, "main", &d), 0);
	cr_assert_str_neq(a.change, c.change);
	gate_change_release(&a);
	gate_change_release(&b);
	gate_change_release(&c);
	/* a deleted file is part of the change */
	sh("rm '%s/policies/x.cedar' '%s/policies/REQ-1002.cedar'", repo, repo);
	cr_assert_eq(gate_change_load(&a, repo, "main", &d), 0);
	cr_assert_eq(a.nfiles, 1);
	cr_assert_str_eq(a.files[0], "D policies/REQ-1002.cedar");
	gate_change_release(&a);
	diags_release(&d);
}

Test(gate, authors_include_commits_requesters_and_drafters)
{
	write_file("policies/p.cedar", "@id(\"p\")\n@requested_by(\"rita@example.com\")\n@drafted_by(\"model:m\")\n"
				       "forbid (principal, action, resource);\n");
	sh("git -C '%s' -c user.name=Bob -c user.email=bob@example.com add -A", repo);
	sh("git -C '%s' -c user.name=Bob -c user.email=bob@example.com commit -qm p", repo);
	gate_change ch;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(gate_change_load(&ch, repo, "main", &d), 0);
	cr_assert(appr_is_author("bob@example.com", ch.authors, ch.nauthors));
	cr_assert(appr_is_author("rita@example.com", ch.authors, ch.nauthors));
	cr_assert(appr_is_author("model:m", ch.authors, ch.nauthors));
	cr_assert_not(appr_is_author("alice@example.com", ch.authors, ch.nauthors),
		      "alice only committed the base");
	gate_change_release(&ch);
	diags_release(&d);
}

static const char *trace = "@ticket(\"T-1\")\n@justification(\"because\")\n@owner(\"platform\")\n";

Test(gate, wildcard_and_new_principal_type)
{
	wbuf b = WBUF_INIT;
	buf_printf(&b, "@id(\"wide\")\n%spermit (principal, action == Action::\"read\", resource in Bucket::\"kb-dev\");\n",
		   trace);
	write_file("policies/wide.cedar", b.p);
	buf_release(&b);
	gate_result r;
	int v = run(&r);
	char *m = all_findings(&r);
	cr_assert_eq(v, GATE_BLOCKED, "%s", m); /* require_templates: not an instance */
	cr_assert(finding(&r, "wildcard"), "%s", m);
	cr_assert(finding(&r, "non-template"), "%s", m);
	const gate_finding *np = finding(&r, "new-principal-type");
	cr_assert(np && strstr(np->msg, "any principal"), "%s", m);
	cr_assert_not_null(need(&r, "security"));
	free(m);
	gate_result_release(&r);
}

Test(gate, high_risk_resource_needs_a_template_instance)
{
	wbuf b = WBUF_INIT;
	buf_printf(&b,
		   "@id(\"sec\")\n%spermit (principal == ServiceAccount::\"invoice-api\", action == "
		   "Action::\"read_secret\", resource == Secret::\"stripe-key-dev\");\n",
		   trace);
	write_file("policies/sec.cedar", b.p);
	buf_release(&b);
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	const gate_finding *nt = finding(&r, "non-template");
	cr_assert(nt && strstr(nt->msg, "high-risk resource Secret"), "%s", m);
	cr_assert(finding(&r, "high-risk-resource"), "%s", m);
	cr_assert_eq(r.verdict, GATE_BLOCKED);
	free(m);
	gate_result_release(&r);
}

Test(gate, traceability_is_required_on_changed_policies)
{
	write_file("policies/t.cedar", "@id(\"t\")\n@ticket(\"\")\nforbid (principal, action, resource) when { false };\n");
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	size_t n = 0;
	for (size_t i = 0; i < r.nfindings; i++)
		n += strcmp(r.findings[i].code, "traceability") == 0;
	cr_assert_eq(n, 3, "ticket (empty), justification and owner: %s", m);
	const gate_finding *f = finding(&r, "traceability");
	cr_assert_str_eq(f->file, "policies/t.cedar");
	cr_assert_eq(f->line, 1);
	free(m);
	gate_result_release(&r);
}

Test(gate, forbid_changes_and_removals_are_weakening)
{
	/* remove one guardrail, loosen another */
	sh("sed -i '/^@id(\"guardrail-agents-no-secrets\")/,/^);/d' '%s/policies/guardrails.cedar'", repo);
	sh("sed -i 's/unless { context.mfa };/unless { context.mfa || context.break_glass };/' "
	   "'%s/policies/guardrails.cedar'",
	   repo);
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	size_t n = 0;
	for (size_t i = 0; i < r.nfindings; i++)
		n += strcmp(r.findings[i].code, "forbid-weakened") == 0;
	cr_assert_eq(n, 2, "%s", m);
	const gate_need *s = need(&r, "security");
	cr_assert(s && s->count == 2, "forbid-weakened needs two security approvals: %s", m);
	/* one person cannot fill both */
	sign("erin@example.com", "security");
	sign("alice@example.com", "security");
	gate_result_release(&r);
	run(&r);
	s = need(&r, "security");
	cr_assert_eq(s->filled, 2, "erin and alice are two people");
	free(m);
	gate_result_release(&r);
}

Test(gate, one_person_cannot_fill_two_roles)
{
	/* production break-glass: platform (production) and two security
	 * (break-glass, high-risk Backup) in the example's rules */
	wbuf b = WBUF_INIT;
	buf_printf(&b,
		   "@id(\"bg-prod\")\n%s@kind(\"break-glass\")\n@expires(\"2099-01-01T00:00:00Z\")\npermit (\n"
		   "  principal in Team::\"sre\",\n  action in [Action::\"restore_backup\"],\n"
		   "  resource in Database::\"payments-prod\"\n)\nwhen { resource.environment == \"prod\" }\n"
		   "when { context.break_glass && context.mfa }\n"
		   "when { context.now < datetime(\"2099-01-01T00:00:00Z\") };\n",
		   trace);
	write_file("policies/bg-prod.cedar", b.p);
	buf_release(&b);
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	cr_assert(finding(&r, "break-glass"), "%s", m);
	cr_assert_null(finding(&r, "break-glass-expiry"), "%s", m);
	cr_assert_null(finding(&r, "non-template"), "an instance of break-glass-backup: %s", m);
	cr_assert_eq(r.verdict, GATE_NEEDS_APPROVAL, "%s", m);
	const gate_need *plat = need(&r, "platform"), *sec = need(&r, "security");
	cr_assert(plat && plat->count == 1, "%s", m);
	cr_assert(sec && sec->count == 2, "%s", m);
	/* alice holds both roles: her two approvals fill one slot */
	sign("alice@example.com", "platform");
	sign("alice@example.com", "security");
	gate_result_release(&r);
	run(&r);
	cr_assert_eq(need(&r, "platform")->filled + need(&r, "security")->filled, 1);
	size_t dup = 0;
	for (size_t i = 0; i < r.napprovals; i++)
		dup += r.approvals[i].status == AS_DUPLICATE;
	cr_assert_eq(dup, 1);
	cr_assert_eq(r.verdict, GATE_NEEDS_APPROVAL);
	/* with carol (platform) and erin (security), alice is best used as
	 * security: everything is filled whatever the file order */
	sign("carol@example.com", "platform");
	sign("erin@example.com", "security");
	gate_result_release(&r);
	run(&r);
	cr_assert_eq(need(&r, "platform")->filled, 1);
	cr_assert_eq(need(&r, "security")->filled, 2);
	cr_assert_eq(r.verdict, GATE_PASS);
	free(m);
	gate_result_release(&r);
}

Test(gate, break_glass_without_expiry_blocks)
{
	wbuf b = WBUF_INIT;
	buf_printf(&b,
		   "@id(\"bg\")\n%spermit (principal in Team::\"sre\", action == Action::\"restore_backup\", resource "
		   "in Database::\"payments-staging\") when { context.break_glass };\n",
		   trace);
	write_file("policies/bg.cedar", b.p);
	buf_release(&b);
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	cr_assert(finding(&r, "break-glass-expiry"), "%s", m);
	cr_assert_eq(r.verdict, GATE_BLOCKED);
	free(m);
	gate_result_release(&r);
}

Test(gate, config_change_is_risk_and_judged_by_base)
{
	append_file("templates/object-read.cedar", "\n");
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	const gate_finding *f = finding(&r, "config-change");
	cr_assert(f && strcmp(f->file, "templates/object-read.cedar") == 0, "%s", m);
	cr_assert_eq(r.verdict, GATE_NEEDS_APPROVAL, "%s", m);
	/* the example has no rule for config-change: any one reviewer */
	cr_assert_not_null(need(&r, APPR_ANY_ROLE));
	sign("carol@example.com", "platform");
	gate_result_release(&r);
	run(&r);
	cr_assert_eq(r.verdict, GATE_PASS);
	free(m);
	gate_result_release(&r);
}

Test(gate, invalid_policy_and_bad_requirement_block)
{
	write_file("policies/bad.cedar", "@id(\"bad\")\npermit (principal == Usr::\"x\", action, resource);\n");
	write_file("requests/REQ-9.yaml", "id: REQ-9\nticket: [\n");
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	cr_assert(finding(&r, "invalid"), "%s", m);
	cr_assert(finding(&r, "requirement-invalid"), "%s", m);
	cr_assert_eq(r.verdict, GATE_BLOCKED);
	free(m);
	gate_result_release(&r);
}

Test(gate, reports_render_every_format)
{
	wbuf b = WBUF_INIT;
	buf_printf(&b, "@id(\"wide\")\n%spermit (principal, action == Action::\"read\", resource in Bucket::\"kb-dev\");\n",
		   trace);
	write_file("policies/wide.cedar", b.p);
	buf_release(&b);
	gate_result r;
	run(&r);
	wbuf t = WBUF_INIT, j = WBUF_INIT, md = WBUF_INIT, sa = WBUF_INIT, h = WBUF_INIT;
	report_text(&r, false, &t);
	report_json(&r, &j);
	report_markdown(&r, &md);
	report_sarif(&r, &sa);
	report_html(&r, &h);
	cr_assert(strstr(t.p, "ward check: BLOCKED"));
	cr_assert_null(strstr(t.p, "\033["), "no colour unless asked");
	wbuf tc = WBUF_INIT;
	report_text(&r, true, &tc);
	cr_assert(strstr(tc.p, "\033[1;31mBLOCKED\033[0m"));
	cr_assert(strstr(j.p, "\"verdict\": \"BLOCKED\""));
	cr_assert(strstr(md.p, "## ward check: **BLOCKED**"));
	cr_assert(strstr(sa.p, "\"version\": \"2.1.0\""));
	cr_assert(strstr(sa.p, "\"ruleId\": \"wildcard\""));
	cr_assert(strstr(h.p, "data-verdict=\"BLOCKED\""));
	cr_assert(strstr(h.p, "data-class=\"wildcard\""));
	cr_assert_null(strstr(h.p, "<script"));
	const report_controls *c = report_controls_for("wildcard");
	cr_assert(c && strstr(c->owasp_nhi, "NHI5"));
	cr_assert_null(report_controls_for("no-such-code"));
	buf_release(&t);
	buf_release(&tc);
	buf_release(&j);
	buf_release(&md);
	buf_release(&sa);
	buf_release(&h);
	gate_result_release(&r);
}

Test(gate, permit_inside_a_guardrail_carve_out_is_an_exception)
{
	/* people deploy to production only with MFA (guardrail with unless):
	 * a permit for a person to deploy to prod works inside that carve-out */
	wbuf b = WBUF_INIT;
	buf_printf(&b,
		   "@id(\"dep\")\n%s@template(\"deploy\")\npermit (\n  principal == Human::\"bob\",\n  action in "
		   "[Action::\"deploy\"],\n  resource == DeployTarget::\"payments-prod\"\n)\nwhen { "
		   "resource.environment == \"prod\" };\n",
		   trace);
	write_file("policies/dep.cedar", b.p);
	buf_release(&b);
	gate_result r;
	run(&r);
	char *m = all_findings(&r);
	const gate_finding *f = finding(&r, "exception");
	cr_assert(f && strstr(f->msg, "guardrail-prod-deploy-mfa"), "%s", m);
	cr_assert(finding(&r, "production"), "%s", m);
	cr_assert_null(finding(&r, "non-template"), "%s", m);
	cr_assert_eq(r.verdict, GATE_NEEDS_APPROVAL, "%s", m);
	free(m);
	gate_result_release(&r);
}

Test(gate, not_a_git_repository_cannot_run)
{
	sh("rm -rf '%s/.git'", repo);
	gate_opts o = {.root = repo, .base = "main", .now = 0};
	gate_result r;
	wdiags d;
	diags_init(&d);
	cr_assert_eq(gate_run(&o, &r, &d), -1);
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	cr_assert(b.p && strstr(b.p, "is not inside a git repository"), "%s", b.p ? b.p : "");
	buf_release(&b);
	diags_release(&d);
	gate_result_release(&r);
}

Test(gate, a_ledger_inside_the_repository_is_not_part_of_the_change)
{
	/* ward.yaml on main puts the ledger in evidence/, not ignored by git */
	sh(GIT "checkout -q main", repo);
	append_file("ward.yaml", "ledger:\n  path: evidence/ledger.db\n");
	sh(GIT "commit -qam 'ledger in evidence/'", repo);
	sh(GIT "checkout -q -B change main", repo);
	gate_result r;
	cr_assert_eq(run(&r), GATE_PASS);
	cr_assert(r.ledger_written);
	cr_assert(strstr(r.ledger_path, "evidence/ledger.db"));
	char change[APPR_HASH_HEX + 1];
	memcpy(change, r.change, sizeof change);
	gate_result_release(&r);
	cr_assert_eq(run(&r), GATE_PASS);
	cr_assert_eq(r.nfiles, 0, "the ledger written by the first run is not a changed file");
	cr_assert_str_eq(r.change, change);
	gate_result_release(&r);
}
