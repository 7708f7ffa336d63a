/* fuzz_repo: a small policy repository for the governance fuzz targets.
 *
 * The requirement, template and test-file targets load their input against
 * a repository: ward.yaml (environments, constraint kinds), a schema, an
 * entity snapshot, a few templates and policies. It is built once per
 * process from the texts below (fuzz_repo_get), without touching the file
 * system, and only read afterwards; each input gets its own objects.
 * Building it must succeed: a fixture that stops loading would make the
 * targets silently useless, so that aborts.
 */
#ifndef WARD_FUZZ_FUZZ_REPO_H
#define WARD_FUZZ_FUZZ_REPO_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/entities.h"
#include "cedar/parser.h"
#include "cedar/schema.h"
#include "govern/repo.h"
#include "govern/template.h"

static const char fuzz_repo_cfg[] =
	"version: 1\n"
	"environments:\n"
	"  dev: {}\n"
	"  prod: {high_risk: true}\n"
	"constraints:\n"
	"  source_networks: {type: ip-ranges}\n"
	"  time_window: {type: time-window}\n"
	"  expires: {type: datetime}\n"
	"  mfa: {type: bool}\n"
	"high_risk_resources: [Secret, 'Bucket::\"inv-prod\"']\n";

static const char fuzz_repo_schema[] =
	"entity Team;\n"
	"entity Human in [Team] { email: String };\n"
	"entity ServiceAccount in [Team] { owner: String };\n"
	"entity CiJob in [Team] { repository: String };\n"
	"entity Bucket { environment: String };\n"
	"entity Object in [Bucket] { environment: String };\n"
	"entity Secret { environment: String };\n"
	"entity DeployTarget { environment: String };\n"
	"type Ctx = { source_ip: ipaddr, now: datetime, mfa: Bool };\n"
	"action read, list, write appliesTo { principal: [Human, ServiceAccount, CiJob],\n"
	"  resource: [Bucket, Object], context: Ctx };\n"
	"action read_secret appliesTo { principal: [Human, ServiceAccount], resource: [Secret], context: Ctx };\n"
	"action deploy appliesTo { principal: [Human, CiJob], resource: [DeployTarget], context: Ctx };\n";

static const char fuzz_repo_entities[] =
	"[{\"uid\":{\"type\":\"Team\",\"id\":\"pay\"},\"attrs\":{},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Human\",\"id\":\"bob\"},\"attrs\":{\"email\":\"b@x\"},"
	"\"parents\":[{\"type\":\"Team\",\"id\":\"pay\"}]},"
	"{\"uid\":{\"type\":\"ServiceAccount\",\"id\":\"exp\"},\"attrs\":{\"owner\":\"pay\"},"
	"\"parents\":[{\"type\":\"Team\",\"id\":\"pay\"}]},"
	"{\"uid\":{\"type\":\"CiJob\",\"id\":\"ci\"},\"attrs\":{\"repository\":\"r\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Bucket\",\"id\":\"inv-prod\"},\"attrs\":{\"environment\":\"prod\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Bucket\",\"id\":\"tmp-dev\"},\"attrs\":{\"environment\":\"dev\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"Object\",\"id\":\"inv-prod/a\"},\"attrs\":{\"environment\":\"prod\"},"
	"\"parents\":[{\"type\":\"Bucket\",\"id\":\"inv-prod\"}]},"
	"{\"uid\":{\"type\":\"Secret\",\"id\":\"db\"},\"attrs\":{\"environment\":\"prod\"},\"parents\":[]},"
	"{\"uid\":{\"type\":\"DeployTarget\",\"id\":\"web\"},\"attrs\":{\"environment\":\"dev\"},\"parents\":[]}]";

/* The templates of the catalog; the template target fuzzes this format. */
static const char *const fuzz_repo_templates[] = {
	"@template(\"object-read\")\n"
	"@description(\"one identity may read the objects of one bucket\")\n"
	"@risk(\"low\")\n"
	"@kinds(\"grant, exception\")\n"
	"@resource_types(\"Bucket\")\n"
	"@param_actions(\"actions: read, list\")\n"
	"@param_environment(\"environment\")\n"
	"@param_source_networks(\"ip-ranges?\")\n"
	"@param_time_window_start(\"time-of-day?\")\n"
	"@param_time_window_end(\"time-of-day?\")\n"
	"@param_expires(\"datetime?\")\n"
	"permit (principal == ?principal, action in $actions, resource in ?resource)\n"
	"when { resource.environment == $environment }\n"
	"when { context.source_ip.isInRange($source_networks) }\n"
	"when { context.now.toTime() >= $time_window_start && context.now.toTime() < $time_window_end }\n"
	"when { context.now < $expires };\n",
	"@template(\"deploy\")\n"
	"@description(\"one CI job or person may deploy to one target\")\n"
	"@risk(\"medium\")\n"
	"@kinds(\"grant\")\n"
	"@principal_types(\"CiJob, Human\")\n"
	"@resource_types(\"DeployTarget\")\n"
	"@param_actions(\"actions: deploy\")\n"
	"@param_environment(\"environment\")\n"
	"@param_mfa(\"bool?\")\n"
	"permit (principal == ?principal, action in $actions, resource == ?resource)\n"
	"when { resource.environment == $environment }\n"
	"when { context.mfa == $mfa };\n",
};
#define FUZZ_REPO_NTEMPLATES (sizeof fuzz_repo_templates / sizeof fuzz_repo_templates[0])

/* Policies the test-file target runs cases against. */
static const char fuzz_repo_policies[] =
	"@id(\"R-1\")\n"
	"permit (principal == ServiceAccount::\"exp\", action in [Action::\"read\", Action::\"list\"],\n"
	"  resource in Bucket::\"inv-prod\")\n"
	"when { resource.environment == \"prod\" }\n"
	"when { context.source_ip.isInRange(ip(\"10.20.0.0/16\")) };\n"
	"@id(\"G-1\")\n"
	"forbid (principal, action == Action::\"deploy\", resource)\n"
	"when { resource.environment == \"prod\" } unless { context.mfa };\n"
	"@id(\"R-2\")\n"
	"permit (principal in Team::\"pay\", action == Action::\"read_secret\", resource);\n";

typedef struct fuzz_repo {
	repo r;
	tmpl t[FUZZ_REPO_NTEMPLATES];
	tcatalog c;      /* items point at t[] */
	wpolicyset ps;   /* fuzz_repo_policies, with @id ids */
} fuzz_repo;

static void fuzz_repo_die(const char *what, wdiags *d)
{
	fprintf(stderr, "fuzz fixture: %s does not load\n", what);
	diags_print(d, stderr);
	abort();
}

/* The fixture repository, built on first use (fuzz drivers are single
 * threaded). Never released: it lives as long as the process. */
static fuzz_repo *fuzz_repo_get(void)
{
	static fuzz_repo fr;
	static bool ready;
	if (ready)
		return &fr;
	wdiags d;
	diags_init(&d);
	repo *r = &fr.r;
	if (repo_parse_config(r, "ward.yaml", fuzz_repo_cfg, sizeof fuzz_repo_cfg - 1, &d) != 0)
		fuzz_repo_die("ward.yaml", &d);
	r->has_schema = true;
	if (schema_parse(&r->cx, &r->schema, "schema.cedarschema", fuzz_repo_schema, sizeof fuzz_repo_schema - 1,
			 &d) != 0)
		fuzz_repo_die("the schema", &d);
	r->has_ents = true;
	if (entities_load_json(&r->cx, &r->ents, &r->schema, "entities.json", fuzz_repo_entities,
			       sizeof fuzz_repo_entities - 1, &d) != 0)
		fuzz_repo_die("the entities", &d);
	for (size_t i = 0; i < FUZZ_REPO_NTEMPLATES; i++)
		if (tmpl_load(&fr.t[i], r, "templates/t.cedar", fuzz_repo_templates[i], strlen(fuzz_repo_templates[i]),
			      &d) != 0)
			fuzz_repo_die("a template", &d);
	memset(&fr.c, 0, sizeof fr.c);
	fr.c.items = fr.t;
	fr.c.n = FUZZ_REPO_NTEMPLATES;
	policyset_init(&fr.ps);
	if (parse_policies(&r->cx, &fr.ps, "policies.cedar", fuzz_repo_policies, sizeof fuzz_repo_policies - 1, &d) ||
	    policyset_use_annotation_ids(&fr.ps, &d))
		fuzz_repo_die("the policies", &d);
	diags_release(&d);
	ready = true;
	return &fr;
}

/* Inputs naming device or process files would make loaders that follow
 * file names (test fixtures) block or read forever; the targets skip them. */
static inline bool fuzz_names_special_file(const uint8_t *data, size_t size)
{
	static const char *const bad[] = {"/dev", "/proc", "/sys"};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		size_t n = strlen(bad[k]);
		for (size_t i = 0; i + n <= size; i++)
			if (memcmp(data + i, bad[k], n) == 0)
				return true;
	}
	return false;
}

#endif
