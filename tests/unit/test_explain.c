/* Tests of explanations (govern/explain.h): the sentences for each shape of
 * scope and condition, the decision path (scope misses, the first false
 * condition and its values, errors, overrides, the three verdicts), JSON,
 * agreement with the authorizer over every conformance test request, and
 * golden files (tests/golden/explain/) over the conformance policies and the
 * platform example. ../shared (beside the source tree, or $WARD_SHARED) is
 * optional: those tests skip with a message when it is absent. Set
 * WARD_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedar/authz.h"
#include "cedar/entities.h"
#include "cedar/jsonv.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "cedar/request.h"
#include "cedar/schema.h"
#include "govern/explain.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	wbuf b = WBUF_INIT;
	char tmp[8192];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, k);
	fclose(f);
	if (n)
		*n = b.n;
	if (!b.p)
		buf_adds(&b, "");
	return buf_detach(&b);
}

static void src_root(wbuf *out)
{
	const char *f = __FILE__;
	const char *end = f + strlen(f);
	for (int i = 0; i < 3 && end > f; i++) {
		end--;
		while (end > f && *end != '/')
			end--;
	}
	if (end == f)
		buf_adds(out, ".");
	else
		buf_add(out, f, (size_t)(end - f));
}

static void shared_dir(wbuf *out)
{
	const char *env = getenv("WARD_SHARED");
	if (env && *env) {
		buf_adds(out, env);
		return;
	}
	src_root(out);
	buf_adds(out, "/../shared");
}

/* A world: context, policies, schema, entities, built from texts. */
typedef struct world {
	wctx cx;
	wpolicyset ps;
	wschema schema;
	bool has_schema;
	wentities es;
	warena a;
	wxpolicies x;
} world;

static void world_init(world *w, const char *policies, const char *schema, const char *entities)
{
	ctx_init(&w->cx);
	policyset_init(&w->ps);
	schema_init(&w->schema);
	entities_init(&w->es);
	arena_init(&w->a);
	explain_policies_init(&w->x);
	wdiags d;
	diags_init(&d);
	int bad = parse_policies(&w->cx, &w->ps, "t.cedar", policies, strlen(policies), &d);
	bad += policyset_use_annotation_ids(&w->ps, &d);
	w->has_schema = schema != NULL;
	if (schema)
		bad += schema_parse(&w->cx, &w->schema, "t.cedarschema", schema, strlen(schema), &d);
	const char *ents = entities ? entities : "[]";
	bad += entities_load_json(&w->cx, &w->es, schema ? &w->schema : NULL, "e.json", ents, strlen(ents), &d);
	if (bad) {
		wbuf b = WBUF_INIT;
		diags_render(&d, &b);
		cr_assert_fail("bad fixture: %s", b.p);
	}
	diags_release(&d);
	cr_assert_eq(explain_policies(&w->cx, &w->ps, schema ? &w->schema : NULL, &w->es, NULL, &w->x), 0);
}

static void world_release(world *w)
{
	explain_policies_release(&w->x);
	arena_release(&w->a);
	entities_release(&w->es);
	schema_release(&w->schema);
	policyset_release(&w->ps);
	ctx_release(&w->cx);
}

static wrequest request(world *w, const char *json)
{
	wbuf e = WBUF_INIT;
	json_t *j = jsonv_parse_text("r.json", json, strlen(json), &e);
	cr_assert(j, "bad request json: %s", e.p);
	wrequest r;
	int rc = request_from_json(&w->cx, &w->a, j, w->has_schema ? &w->schema : NULL, &r, &e);
	cr_assert_eq(rc, 0, "bad request: %s", e.p);
	json_decref(j);
	buf_release(&e);
	return r;
}

static const wxpolicy *xp_of(world *w, const char *id)
{
	for (uint32_t i = 0; i < w->x.n; i++)
		if (strcmp(w->x.items[i].id, id) == 0)
			return &w->x.items[i];
	cr_assert_fail("no explanation for %s", id);
	return NULL;
}

static const wxpath *path_of(const wxdecision *d, const char *id)
{
	for (uint32_t i = 0; i < d->n; i++)
		if (strcmp(d->paths[i].policy->id, id) == 0)
			return &d->paths[i];
	cr_assert_fail("no path for %s", id);
	return NULL;
}

static const char *SCHEMA = "entity Team;\n"
			    "entity User in [Team] { dept: String };\n"
			    "entity Doc { owner: User, level: Long };\n"
			    "type Ctx = { ip: ipaddr, now: datetime, mfa: Bool, ticket?: String };\n"
			    "action read, write, delete appliesTo { principal: [User], resource: [Doc], context: Ctx };\n"
			    "action admin;\n"
			    "action audit in [admin] appliesTo { principal: [User], resource: [Doc], context: Ctx };\n";

static const char *ENTS = "[{\"uid\":{\"type\":\"Team\",\"id\":\"sre\"},\"attrs\":{},\"parents\":[]},"
			  "{\"uid\":{\"type\":\"User\",\"id\":\"alice\"},\"attrs\":{\"dept\":\"ops\"},"
			  "\"parents\":[{\"type\":\"Team\",\"id\":\"sre\"}]},"
			  "{\"uid\":{\"type\":\"User\",\"id\":\"bob\"},\"attrs\":{\"dept\":\"sales\"},\"parents\":[]},"
			  "{\"uid\":{\"type\":\"Doc\",\"id\":\"d1\"},\"attrs\":{\"owner\":{\"type\":\"User\",\"id\":\"alice\"},"
			  "\"level\":3},\"parents\":[]}]";

static const char *POLICIES =
	"@id(\"net\")\n@description(\"ops reads from the office\")\n"
	"permit(principal in Team::\"sre\", action in [Action::\"read\", Action::\"write\"], resource is Doc)\n"
	"when { context.ip.isInRange(ip(\"10.20.0.0/16\")) && context.now < datetime(\"2027-03-01\") };\n"
	"@id(\"anyone\")\npermit(principal, action, resource);\n"
	"@id(\"no-delete\")\nforbid(principal, action == Action::\"delete\", resource) unless { context.mfa };\n"
	"@id(\"owner\")\npermit(principal is User, action == Action::\"audit\", resource) when { resource.owner == principal "
	"&& principal.dept == \"ops\" };\n"
	"@id(\"late\")\nforbid(principal == User::\"bob\", action in Action::\"admin\", resource) unless { context.now < "
	"datetime(\"2027-01-01\") };\n"
	"@id(\"boom\")\npermit(principal == User::\"bob\", action == Action::\"read\", resource) when { resource.level + "
	"9223372036854775807 > 0 };\n";

/* ---- policy explanations ----------------------------------------------------------- */

Test(explain, condition_sentences)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	const wxpolicy *net = xp_of(&w, "net");
	cr_assert_str_eq(net->who, "Team::\"sre\" or any member of it (User)");
	cr_assert_str_eq(net->what, "read or write");
	cr_assert_str_eq(net->on, "any Doc");
	cr_assert_str_eq(net->description, "ops reads from the office");
	cr_assert_eq(net->nunits, 2, "a when block splits at its top-level &&");
	cr_assert_str_eq(net->units[0].sentence, "only when the request comes from 10.20.0.0/16");
	cr_assert_str_eq(net->units[1].sentence, "until 2027-03-01");
	cr_assert_str_eq(net->units[0].text, "context.ip.isInRange(ip(\"10.20.0.0/16\"))");
	cr_assert_eq(net->nnotes, 0);

	const wxpolicy *late = xp_of(&w, "late");
	cr_assert_str_eq(late->units[0].sentence, "from 2027-01-01 on", "an unless bound says when the forbid applies");
	cr_assert_str_eq(late->what, "any action in admin (audit)");

	const wxpolicy *nd = xp_of(&w, "no-delete");
	cr_assert_str_eq(nd->units[0].sentence, "except when the request's mfa is true");
	cr_assert_str_eq(nd->who, "any principal");
	cr_assert_eq(nd->nnotes, 0, "a forbid's wildcard is a guardrail, not a risk");

	const wxpolicy *own = xp_of(&w, "owner");
	cr_assert_str_eq(own->units[0].sentence, "only when the resource's owner is the principal");
	cr_assert_str_eq(own->units[1].sentence, "only when the principal's dept is \"ops\"");
	world_release(&w);
}

Test(explain, wildcards_are_called_out)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	const wxpolicy *any = xp_of(&w, "anyone");
	cr_assert_str_eq(any->who, "any principal");
	cr_assert_str_eq(any->on, "any resource");
	cr_assert(strncmp(any->what, "perform any action (read, write, delete", 39) == 0, "%s", any->what);
	cr_assert_eq(any->nnotes, 4);
	cr_assert_str_eq(any->notes[0], "wildcard: any principal");
	cr_assert_str_eq(any->notes[1], "wildcard: any action");
	cr_assert_str_eq(any->notes[2], "wildcard: any resource");
	cr_assert_str_eq(any->notes[3], "unconditional: no condition limits the wildcard");
	world_release(&w);
}

Test(explain, overriding_forbids)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	/* `net` allows read/write only: the delete forbid cannot override it,
	 * nor can `late` (admin group: audit) */
	cr_assert_eq(xp_of(&w, "net")->noverriders, 0);
	const wxpolicy *any = xp_of(&w, "anyone");
	cr_assert_eq(any->noverriders, 2);
	cr_assert_str_eq(any->overriders[0]->id, "no-delete");
	cr_assert_str_eq(any->overriders[1]->id, "late");
	/* `owner` is about audit, in the admin group: `late` overlaps, but only
	 * for bob, who is a User too */
	const wxpolicy *own = xp_of(&w, "owner");
	cr_assert_eq(own->noverriders, 1);
	cr_assert_str_eq(own->overriders[0]->id, "late");
	world_release(&w);
}

Test(explain, only_one_policy_and_unknown_id)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	wxpolicies one;
	explain_policies_init(&one);
	cr_assert_eq(explain_policies(&w.cx, &w.ps, &w.schema, NULL, "anyone", &one), 0);
	cr_assert_eq(one.n, 1);
	cr_assert_eq(one.items[0].noverriders, 2, "overriders come from the whole set");
	explain_policies_release(&one);
	explain_policies_init(&one);
	cr_assert_eq(explain_policies(&w.cx, &w.ps, &w.schema, NULL, "nope", &one), -1);
	explain_policies_release(&one);
	world_release(&w);
}

Test(explain, policies_text_and_json)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	wbuf b = WBUF_INIT;
	explain_policies_text(&w.x, &b);
	cr_assert(strstr(b.p, "permit net: ops reads from the office\n  allows Team::\"sre\" or any member of it (User)\n"
			      "  to read or write\n  on any Doc\n  only when the request comes from 10.20.0.0/16\n"
			      "  until 2027-03-01\n  no forbid can override it\n"),
		  "%s", b.p);
	buf_clear(&b);
	explain_policies_json(&w.x, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert(j, "invalid JSON: %s", je.text);
	json_t *p0 = json_array_get(json_object_get(j, "policies"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(p0, "id")), "net");
	json_t *c1 = json_array_get(json_object_get(p0, "conditions"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(c1, "sentence")), "until 2027-03-01");
	cr_assert_str_eq(json_string_value(json_object_get(c1, "kind")), "when");
	json_decref(j);
	buf_release(&b);
	world_release(&w);
}

/* ---- decisions ---------------------------------------------------------------------- */

static const char *ALICE_READ = "{\"principal\":\"User::\\\"alice\\\"\",\"action\":\"Action::\\\"read\\\"\","
				"\"resource\":\"Doc::\\\"d1\\\"\",\"context\":{\"ip\":\"10.20.1.2\",\"now\":\"2026-06-01\","
				"\"mfa\":false}}";

Test(explain, allowed_path)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	wrequest r = request(&w, ALICE_READ);
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	cr_assert(d.allow);
	cr_assert_str_eq(d.verdict, "allowed by net, anyone");
	const wxpath *net = path_of(&d, "net");
	cr_assert_eq(net->status, WXS_APPLIES);
	cr_assert_eq(net->outcomes[0], WXO_TRUE);
	cr_assert_eq(net->outcomes[1], WXO_TRUE);
	const wxpath *nd = path_of(&d, "no-delete");
	cr_assert_eq(nd->status, WXS_SCOPE);
	cr_assert(!nd->action_ok && nd->principal_ok && nd->resource_ok);
	cr_assert_str_eq(nd->scope_miss, "the action read is not delete");
	const wxpath *own = path_of(&d, "owner");
	cr_assert_str_eq(own->scope_miss, "the action read is not audit");
	explain_decision_release(&d);
	world_release(&w);
}

Test(explain, first_false_condition_with_values)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	wrequest r = request(&w, "{\"principal\":\"User::\\\"alice\\\"\",\"action\":\"Action::\\\"read\\\"\","
				 "\"resource\":\"Doc::\\\"d1\\\"\",\"context\":{\"ip\":\"192.168.0.9\","
				 "\"now\":\"2026-06-01\",\"mfa\":false}}");
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	const wxpath *net = path_of(&d, "net");
	cr_assert_eq(net->status, WXS_CONDITION);
	cr_assert_eq(net->stop_unit, 0);
	cr_assert_eq(net->outcomes[0], WXO_FALSE);
	cr_assert_eq(net->outcomes[1], WXO_NOT_EVALUATED, "short-circuit: the next unit is never reached");
	cr_assert_eq(net->nfacts, 1);
	cr_assert_str_eq(net->facts[0].expr, "context.ip");
	cr_assert_str_eq(net->facts[0].value, "ip(\"192.168.0.9\")");
	cr_assert_str_eq(net->why,
			 "does not apply: it requires that the request comes from 10.20.0.0/16, which is false");
	explain_decision_release(&d);
	world_release(&w);
}

Test(explain, forbidden_overrides_permits)
{
	world w;
	world_init(&w, POLICIES, SCHEMA, ENTS);
	wrequest r = request(&w, "{\"principal\":\"User::\\\"alice\\\"\",\"action\":\"Action::\\\"delete\\\"\","
				 "\"resource\":\"Doc::\\\"d1\\\"\",\"context\":{\"ip\":\"10.20.1.2\","
				 "\"now\":\"2026-06-01\",\"mfa\":false}}");
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	cr_assert(!d.allow);
	cr_assert_str_eq(d.verdict, "forbidden by no-delete, which overrides the permit anyone");
	cr_assert_eq(d.noverridden, 1);
	cr_assert(path_of(&d, "anyone")->overridden);
	const wxpath *nd = path_of(&d, "no-delete");
	cr_assert_eq(nd->status, WXS_APPLIES);
	cr_assert_eq(nd->outcomes[0], WXO_FALSE, "the exception (mfa) did not hold");
	wbuf b = WBUF_INIT;
	explain_decision_text(&d, true, &b);
	cr_assert(strstr(b.p, "verdict: forbidden by no-delete, which overrides the permit anyone\n"
			      "forbid no-delete: applies: its scope matches and every condition holds\n"
			      "  except when the request's mfa is true: did not hold\n"
			      "permit anyone: applies, but a forbid overrides it\n"),
		  "%s", b.p);
	buf_release(&b);
	explain_decision_release(&d);
	world_release(&w);
}

Test(explain, not_permitted_and_errors)
{
	world w;
	world_init(&w, "@id(\"boom\")\npermit(principal == User::\"bob\", action == Action::\"read\", resource) "
		       "when { resource.level + 9223372036854775807 > 0 };\n"
		       "@id(\"ops\")\npermit(principal, action, resource) when { principal.dept == \"ops\" };\n",
		   SCHEMA, ENTS);
	wrequest r = request(&w, "{\"principal\":\"User::\\\"bob\\\"\",\"action\":\"Action::\\\"read\\\"\","
				 "\"resource\":\"Doc::\\\"d1\\\"\",\"context\":{\"ip\":\"10.20.1.2\","
				 "\"now\":\"2026-06-01\",\"mfa\":false}}");
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	cr_assert(!d.allow);
	cr_assert_str_eq(d.verdict, "not permitted: no permit applies (1 policy errored and did not apply)");
	const wxpath *boom = path_of(&d, "boom");
	cr_assert_eq(boom->status, WXS_ERROR);
	cr_assert(strstr(boom->why, "errored, so it does not apply: "), "%s", boom->why);
	cr_assert(strstr(boom->error, "overflow"), "%s", boom->error);
	cr_assert_eq(boom->outcomes[0], WXO_ERROR);
	const wxpath *ops = path_of(&d, "ops");
	cr_assert_eq(ops->status, WXS_CONDITION);
	cr_assert_str_eq(ops->facts[0].expr, "principal.dept");
	cr_assert_str_eq(ops->facts[0].value, "\"sales\"");
	wbuf b = WBUF_INIT;
	explain_decision_json(&d, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert(j, "invalid JSON: %s in %s", je.text, b.p);
	cr_assert_str_eq(json_string_value(json_object_get(j, "decision")), "deny");
	json_t *p0 = json_array_get(json_object_get(j, "policies"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(p0, "status")), "error");
	json_t *p1 = json_array_get(json_object_get(j, "policies"), 1);
	cr_assert_eq(json_integer_value(json_object_get(p1, "stopped_at")), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(p1, "facts"), 0), "value")),
			 "\"sales\"");
	json_decref(j);
	buf_release(&b);
	explain_decision_release(&d);
	world_release(&w);
}

Test(explain, templates_and_links)
{
	world w;
	world_init(&w, "@id(\"t\")\npermit(principal == ?principal, action, resource in ?resource) when { context.mfa };\n",
		   SCHEMA, ENTS);
	const wxpolicy *t = xp_of(&w, "t");
	cr_assert_str_eq(t->who, "the principal linked to ?principal");
	cr_assert_str_eq(t->notes[0], "template: applies only once linked");
	wrequest r = request(&w, ALICE_READ);
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	cr_assert_eq(path_of(&d, "t")->status, WXS_TEMPLATE);
	cr_assert_str_eq(d.verdict, "not permitted: no permit applies");
	explain_decision_release(&d);
	world_release(&w);
}

/* ---- conformance: the explanation agrees with the authorizer ---------------------- */

typedef struct conf_file {
	char *policies, *schema, *entities;
	json_t *requests;
} conf_file;

/* `base`: the directory the test's file names are relative to. */
static int load_conf(const char *base, const char *json_path, conf_file *cf, json_t **root)
{
	size_t n;
	char *text = slurp(json_path, &n);
	if (!text)
		return -1;
	wbuf e = WBUF_INIT;
	json_t *j = jsonv_parse_text(json_path, text, n, &e);
	free(text);
	buf_release(&e);
	if (!j)
		return -1;
	*root = j;
	wbuf p = WBUF_INIT;
	const char *keys[] = {"policies", "schema", "entities"};
	char **outs[] = {&cf->policies, &cf->schema, &cf->entities};
	for (int i = 0; i < 3; i++) {
		buf_clear(&p);
		buf_printf(&p, "%s/%s", base, json_string_value(json_object_get(j, keys[i])));
		*outs[i] = slurp(p.p, NULL);
	}
	buf_release(&p);
	cf->requests = json_object_get(j, "requests");
	return cf->policies && cf->schema && cf->entities ? 0 : -1;
}

static void conf_free(conf_file *cf)
{
	free(cf->policies);
	free(cf->schema);
	free(cf->entities);
}

/* Visits every tests/<dir>/<n>.json of the conformance suite. */
static int each_conf(const char *shared, void (*fn)(const char *shared, const char *dir, const char *name, void *),
		     void *arg)
{
	wbuf t = WBUF_INIT;
	buf_printf(&t, "%s/cedar/conformance/tests", shared);
	DIR *d = opendir(t.p);
	if (!d) {
		buf_release(&t);
		return -1;
	}
	char *dirs[64];
	int nd = 0;
	struct dirent *de;
	while ((de = readdir(d)) && nd < 64)
		if (de->d_name[0] != '.')
			dirs[nd++] = strdup(de->d_name);
	closedir(d);
	/* sorted, for stable golden names */
	for (int i = 0; i < nd; i++)
		for (int k = i + 1; k < nd; k++)
			if (strcmp(dirs[k], dirs[i]) < 0) {
				char *x = dirs[i];
				dirs[i] = dirs[k];
				dirs[k] = x;
			}
	for (int i = 0; i < nd; i++) {
		wbuf sub = WBUF_INIT;
		buf_printf(&sub, "%s/%s", t.p, dirs[i]);
		DIR *s = opendir(sub.p);
		char *names[128];
		int nn = 0;
		while (s && (de = readdir(s)) && nn < 128) {
			size_t l = strlen(de->d_name);
			if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
				names[nn++] = strdup(de->d_name);
		}
		if (s)
			closedir(s);
		for (int a = 0; a < nn; a++)
			for (int b = a + 1; b < nn; b++)
				if (strcmp(names[b], names[a]) < 0) {
					char *x = names[a];
					names[a] = names[b];
					names[b] = x;
				}
		for (int a = 0; a < nn; a++) {
			fn(shared, dirs[i], names[a], arg);
			free(names[a]);
		}
		buf_release(&sub);
		free(dirs[i]);
	}
	buf_release(&t);
	return 0;
}

typedef struct agree_stats {
	unsigned files, requests;
} agree_stats;

static json_t *request_only(json_t *rq)
{
	json_t *o = json_object();
	const char *k[] = {"principal", "action", "resource", "context"};
	for (int i = 0; i < 4; i++)
		if (json_object_get(rq, k[i]))
			json_object_set(o, k[i], json_object_get(rq, k[i]));
	return o;
}

static void agree_file(const char *base, const char *path, agree_stats *st);

static void agree_one(const char *shared, const char *dir, const char *name, void *arg)
{
	wbuf path = WBUF_INIT, base = WBUF_INIT;
	buf_printf(&path, "%s/cedar/conformance/tests/%s/%s", shared, dir, name);
	buf_printf(&base, "%s/cedar/conformance", shared);
	agree_file(base.p, path.p, arg);
	buf_release(&path);
	buf_release(&base);
}

static void agree_file(const char *base, const char *pathname, agree_stats *st)
{
	wbuf path = WBUF_INIT;
	buf_adds(&path, pathname);
	conf_file cf = {0};
	json_t *root = NULL;
	if (load_conf(base, path.p, &cf, &root) < 0)
		cr_assert_fail("cannot load %s", path.p);
	world w;
	world_init(&w, cf.policies, cf.schema, cf.entities);
	st->files++;
	{
		wbuf b = WBUF_INIT;
		explain_policies_text(&w.x, &b);
		buf_clear(&b);
		explain_policies_json(&w.x, &b);
		json_error_t je;
		json_t *jj = json_loads(b.p, JSON_ALLOW_NUL, &je);
		cr_assert(jj, "%s: invalid policies JSON: %s", path.p, je.text);
		json_decref(jj);
		buf_release(&b);
	}
	size_t i;
	json_t *rq;
	json_array_foreach(cf.requests, i, rq)
	{
		json_t *o = request_only(rq);
		wbuf e = WBUF_INIT;
		wrequest r;
		int rc = request_from_json(&w.cx, &w.a, o, &w.schema, &r, &e);
		json_decref(o);
		buf_release(&e);
		if (rc < 0)
			continue;
		st->requests++;
		wxdecision d;
		explain_decision_init(&d);
		explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
		/* the decision is the conformance suite's */
		const char *want = json_string_value(json_object_get(rq, "decision"));
		cr_assert_str_eq(d.allow ? "allow" : "deny", want, "%s request %zu", path.p, i);
		/* and every path's status agrees with the decision's sets */
		for (uint32_t k = 0; k < d.n; k++) {
			const wxpath *pt = &d.paths[k];
			bool determining = false;
			for (uint32_t m = 0; m < d.ndetermining; m++)
				determining |= d.determining[m] == pt->policy;
			bool permit = pt->xp->permit;
			if (determining)
				cr_assert_eq(pt->status, WXS_APPLIES, "%s req %zu: %s determines but is %s", path.p, i,
					     pt->policy->id, explain_status_name((wxstatus)pt->status));
			if (pt->status == WXS_APPLIES && !(permit && !d.allow && d.ndetermining))
				cr_assert(determining, "%s req %zu: %s applies but does not determine", path.p, i,
					  pt->policy->id);
			if (pt->status == WXS_APPLIES && permit && !d.allow && d.ndetermining)
				cr_assert(pt->overridden, "%s req %zu: %s should be overridden", path.p, i,
					  pt->policy->id);
		}
		uint32_t nerr = 0;
		for (uint32_t k = 0; k < d.n; k++)
			nerr += d.paths[k].status == WXS_ERROR;
		cr_assert_eq(nerr, d.nerrors, "%s req %zu: errors", path.p, i);
		cr_assert_eq(nerr, json_array_size(json_object_get(rq, "errors")), "%s req %zu: error count", path.p, i);
		/* every rendering works and the JSON is valid */
		wbuf b = WBUF_INIT;
		explain_decision_text(&d, false, &b);
		cr_assert(b.n > 0);
		buf_clear(&b);
		explain_decision_json(&d, &b);
		json_error_t je;
		json_t *jj = json_loads(b.p, JSON_ALLOW_NUL, &je);
		cr_assert(jj, "%s req %zu: invalid decision JSON: %s", path.p, i, je.text);
		json_decref(jj);
		buf_release(&b);
		explain_decision_release(&d);
	}
	world_release(&w);
	conf_free(&cf);
	json_decref(root);
	buf_release(&path);
}

Test(explain, agrees_with_authorizer_on_conformance)
{
	wbuf shared = WBUF_INIT;
	shared_dir(&shared);
	agree_stats st = {0, 0};
	if (each_conf(shared.p, agree_one, &st) < 0) {
		buf_release(&shared);
		cr_skip_test("conformance tests not found beside the source tree (../shared); skipped");
	}
	cr_assert_gt(st.requests, 20, "only %u requests checked", st.requests);
	buf_release(&shared);
}

/* The generated corpus (5,916 tests) is too slow for every run: with
 * WARD_CORPUS naming the directory that holds corpus-tests/, every test of it
 * is checked the same way. */
Test(explain, agrees_with_authorizer_on_corpus, .timeout = 600)
{
	const char *base = getenv("WARD_CORPUS");
	if (!base || !*base)
		cr_skip_test("set WARD_CORPUS to the directory holding corpus-tests/ to run this");
	wbuf dir = WBUF_INIT;
	buf_printf(&dir, "%s/corpus-tests", base);
	DIR *d = opendir(dir.p);
	cr_assert(d, "cannot open %s", dir.p);
	agree_stats st = {0, 0};
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0 || strstr(de->d_name, ".entities.json"))
			continue;
		wbuf p = WBUF_INIT;
		buf_printf(&p, "%s/%s", dir.p, de->d_name);
		agree_file(base, p.p, &st);
		buf_release(&p);
	}
	closedir(d);
	cr_assert_gt(st.requests, 1000);
	buf_release(&dir);
}

/* ---- golden files -------------------------------------------------------------- */

static void golden(const char *name, const char *actual)
{
	wbuf p = WBUF_INIT;
	src_root(&p);
	buf_printf(&p, "/tests/golden/explain/%s", name);
	const char *upd = getenv("WARD_UPDATE_GOLDEN");
	if (upd && *upd == '1') {
		FILE *f = fopen(p.p, "wb");
		cr_assert(f, "cannot write %s", p.p);
		fputs(actual, f);
		fclose(f);
		buf_release(&p);
		return;
	}
	char *want = slurp(p.p, NULL);
	cr_assert(want, "missing golden file %s (run with WARD_UPDATE_GOLDEN=1 to create it)", p.p);
	cr_assert_str_eq(actual, want, "%s differs from the golden file", name);
	free(want);
	buf_release(&p);
}

static void golden_one(const char *shared, const char *dir, const char *name, void *arg)
{
	unsigned *count = arg;
	wbuf path = WBUF_INIT;
	buf_printf(&path, "%s/cedar/conformance/tests/%s/%s", shared, dir, name);
	conf_file cf = {0};
	json_t *root = NULL;
	wbuf base = WBUF_INIT;
	buf_printf(&base, "%s/cedar/conformance", shared);
	if (load_conf(base.p, path.p, &cf, &root) < 0)
		cr_assert_fail("cannot load %s", path.p);
	buf_release(&base);
	world w;
	world_init(&w, cf.policies, cf.schema, cf.entities);
	wbuf out = WBUF_INIT;
	explain_policies_text(&w.x, &out);
	/* and the decision path of the first two requests */
	size_t i;
	json_t *rq;
	json_array_foreach(cf.requests, i, rq)
	{
		if (i >= 2)
			break;
		json_t *o = request_only(rq);
		wbuf e = WBUF_INIT;
		wrequest r;
		int rc = request_from_json(&w.cx, &w.a, o, &w.schema, &r, &e);
		json_decref(o);
		buf_release(&e);
		if (rc < 0)
			continue;
		wxdecision d;
		explain_decision_init(&d);
		explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
		buf_adds(&out, "\n---- decision ----\n");
		explain_decision_text(&d, false, &out);
		explain_decision_release(&d);
	}
	wbuf gname = WBUF_INIT;
	buf_printf(&gname, "conformance-%s-%.*s.txt", dir, (int)(strlen(name) - 5), name);
	golden(gname.p, out.p ? out.p : "");
	(*count)++;
	buf_release(&gname);
	buf_release(&out);
	world_release(&w);
	conf_free(&cf);
	json_decref(root);
	buf_release(&path);
}

Test(explain, golden_conformance)
{
	wbuf shared = WBUF_INIT;
	shared_dir(&shared);
	unsigned n = 0;
	if (each_conf(shared.p, golden_one, &n) < 0) {
		buf_release(&shared);
		cr_skip_test("conformance tests not found beside the source tree (../shared); skipped");
	}
	cr_assert_gt(n, 10);
	buf_release(&shared);
}

Test(explain, golden_platform_example)
{
	wbuf root = WBUF_INIT, p = WBUF_INIT;
	src_root(&root);
	char *texts[3];
	const char *files[3] = {"policies.cedar", "schema.cedarschema", "entities.json"};
	for (int i = 0; i < 3; i++) {
		buf_clear(&p);
		buf_printf(&p, "%s/examples/platform/%s", root.p, files[i]);
		texts[i] = slurp(p.p, NULL);
		cr_assert(texts[i], "cannot read %s", p.p);
	}
	world w;
	world_init(&w, texts[0], texts[1], texts[2]);
	wbuf out = WBUF_INIT;
	explain_policies_text(&w.x, &out);
	golden("platform-policies.txt", out.p);
	buf_clear(&out);
	explain_policies_json(&w.x, &out);
	buf_addc(&out, '\n');
	golden("platform-policies.json", out.p);
	static const char *reqs[] = {"agent-reads-dev-db", "agent-reads-secret", "billing-from-outside",
				     "billing-reads-restricted-db-ticket", "billing-reads-restricted-db",
				     "ci-main-writes-prod", "ci-preview-writes-prod"};
	buf_clear(&out);
	for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
		buf_clear(&p);
		buf_printf(&p, "%s/examples/platform/requests/%s.json", root.p, reqs[i]);
		char *rt = slurp(p.p, NULL);
		cr_assert(rt, "cannot read %s", p.p);
		wrequest r = request(&w, rt);
		free(rt);
		wxdecision d;
		explain_decision_init(&d);
		explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
		buf_printf(&out, "---- %s ----\n", reqs[i]);
		explain_decision_text(&d, true, &out);
		explain_decision_release(&d);
	}
	golden("platform-decisions.txt", out.p);
	buf_release(&out);
	world_release(&w);
	for (int i = 0; i < 3; i++)
		free(texts[i]);
	buf_release(&root);
	buf_release(&p);
}

Test(explain, long_values_are_cut_at_a_character_boundary)
{
	wbuf ents = WBUF_INIT;
	buf_adds(&ents, "[{\"uid\":{\"type\":\"User\",\"id\":\"u\"},\"attrs\":{\"dept\":\"");
	for (int i = 0; i < 200; i++)
		buf_adds(&ents, "\xc3\xa9"); /* é */
	buf_adds(&ents, "\"},\"parents\":[]},{\"uid\":{\"type\":\"Doc\",\"id\":\"d1\"},\"attrs\":{\"owner\":{\"type\":"
			"\"User\",\"id\":\"u\"},\"level\":1},\"parents\":[]}]");
	world w;
	world_init(&w, "@id(\"p\")\npermit(principal, action, resource) when { principal.dept == \"ops\" };\n", SCHEMA,
		   ents.p);
	wrequest r = request(&w, "{\"principal\":\"User::\\\"u\\\"\",\"action\":\"Action::\\\"read\\\"\","
				 "\"resource\":\"Doc::\\\"d1\\\"\",\"context\":{\"ip\":\"10.20.1.2\","
				 "\"now\":\"2026-06-01\",\"mfa\":false}}");
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	const wxpath *p = path_of(&d, "p");
	cr_assert_eq(p->nfacts, 1);
	size_t n = strlen(p->facts[0].value);
	cr_assert(n <= 163 && n > 100, "%zu", n);
	cr_assert_str_eq(p->facts[0].value + n - 3, "...");
	wbuf b = WBUF_INIT;
	explain_decision_json(&d, &b);
	json_error_t je;
	json_t *j = json_loads(b.p, 0, &je);
	cr_assert(j, "invalid JSON (UTF-8 cut mid-character?): %s", je.text);
	json_decref(j);
	buf_release(&b);
	buf_release(&ents);
	explain_decision_release(&d);
	world_release(&w);
}

Test(explain, linked_policy_uses_its_slot_values)
{
	world w;
	world_init(&w, "@id(\"t\")\n@description(\"one user reads one doc\")\n"
		       "permit(principal == ?principal, action == Action::\"read\", resource == ?resource) "
		       "when { context.mfa };\n",
		   SCHEMA, ENTS);
	wlink_values v = {0};
	v.principal = (wuid){ctx_sym(&w.cx, "User", 4), ctx_sym(&w.cx, "alice", 5)};
	v.resource = (wuid){ctx_sym(&w.cx, "Doc", 3), ctx_sym(&w.cx, "d1", 2)};
	v.has_principal = v.has_resource = true;
	wbuf err = WBUF_INIT;
	cr_assert(policy_link(&w.ps, "t", "alice-d1", &v, &err), "%s", err.p);
	explain_policies_release(&w.x);
	explain_policies_init(&w.x);
	cr_assert_eq(explain_policies(&w.cx, &w.ps, &w.schema, &w.es, NULL, &w.x), 0);
	const wxpolicy *l = xp_of(&w, "alice-d1");
	cr_assert_str_eq(l->who, "User::\"alice\"");
	cr_assert_str_eq(l->on, "Doc::\"d1\"");
	cr_assert_str_eq(l->description, "one user reads one doc", "the template's description");
	cr_assert_eq(l->nunits, 1);
	wbuf b = WBUF_INIT;
	explain_policies_text(&w.x, &b);
	cr_assert(strstr(b.p, "permit alice-d1 (linked from template t): one user reads one doc\n"), "%s", b.p);
	wrequest r = request(&w, "{\"principal\":\"User::\\\"alice\\\"\",\"action\":\"Action::\\\"read\\\"\","
				 "\"resource\":\"Doc::\\\"d1\\\"\",\"context\":{\"ip\":\"10.20.1.2\","
				 "\"now\":\"2026-06-01\",\"mfa\":true}}");
	wxdecision d;
	explain_decision_init(&d);
	explain_decision(&w.cx, &w.ps, &w.x, &w.es, &r, &d);
	cr_assert_str_eq(d.verdict, "allowed by alice-d1");
	cr_assert_eq(path_of(&d, "t")->status, WXS_TEMPLATE);
	cr_assert_eq(path_of(&d, "alice-d1")->status, WXS_APPLIES);
	explain_decision_release(&d);
	buf_release(&b);
	buf_release(&err);
	world_release(&w);
}

/* The example policy repository that `ward init` creates and `make demo`
 * uses: every committed policy explained in the schema's terms. */
Test(explain, golden_repo_example)
{
	wbuf root = WBUF_INIT, p = WBUF_INIT, pol = WBUF_INIT;
	src_root(&root);
	static const char *files[] = {"guardrails", "REQ-1001", "REQ-1002", "REQ-1003", "REQ-1004", "REQ-1005"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		buf_clear(&p);
		buf_printf(&p, "%s/examples/repo/policies/%s.cedar", root.p, files[i]);
		char *t = slurp(p.p, NULL);
		cr_assert(t, "cannot read %s", p.p);
		buf_adds(&pol, t);
		buf_addc(&pol, '\n');
		free(t);
	}
	buf_clear(&p);
	buf_printf(&p, "%s/examples/repo/schema.cedarschema", root.p);
	char *schema = slurp(p.p, NULL);
	cr_assert(schema, "cannot read %s", p.p);
	buf_clear(&p);
	buf_printf(&p, "%s/examples/repo/entities/platform.json", root.p);
	char *ents = slurp(p.p, NULL);
	cr_assert(ents, "cannot read %s", p.p);
	world w;
	world_init(&w, pol.p, schema, ents);
	wbuf out = WBUF_INIT;
	explain_policies_text(&w.x, &out);
	golden("repo-policies.txt", out.p);
	buf_release(&out);
	world_release(&w);
	free(schema);
	free(ents);
	buf_release(&pol);
	buf_release(&p);
	buf_release(&root);
}
