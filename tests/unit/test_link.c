/* Tests of template linking (link.h): linked policies take part in
 * authorization under their own ids; missing, extra and ill-typed slot
 * values, unknown templates and duplicate ids are errors.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cedar/authz.h"
#include "cedar/entities.h"
#include "cedar/link.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"

static wctx cx;
static wpolicyset ps;

static void setup(void)
{
	ctx_init(&cx);
	policyset_init(&ps);
	const char *src = "permit(principal == ?principal, action == Action::\"view\", resource in ?resource);\n"
			  "forbid(principal in ?principal, action, resource) when { resource.private };\n"
			  "permit(principal, action, resource == Photo::\"public\");\n";
	wdiags d;
	diags_init(&d);
	int n = parse_policies(&cx, &ps, "t.cedar", src, strlen(src), &d);
	diags_release(&d);
	cr_assert_eq(n, 0);
}

static void teardown(void)
{
	policyset_release(&ps);
	ctx_release(&cx);
}

TestSuite(link, .init = setup, .fini = teardown);

static wuid uid(const char *type, const char *id)
{
	wuid u = {ctx_sym(&cx, type, strlen(type)), ctx_sym(&cx, id, strlen(id))};
	return u;
}

Test(link, link_both_slots)
{
	wlink_values v = {0};
	v.principal = uid("User", "alice");
	v.has_principal = true;
	v.resource = uid("Album", "trip");
	v.has_resource = true;
	wbuf err = WBUF_INIT;
	wpolicy *p = policy_link(&ps, "policy0", "alice_trip", &v, &err);
	cr_assert(p, "link failed: %s", err.p);
	cr_assert_str_eq(p->id, "alice_trip");
	cr_assert_eq(p->template_of, ps.items[0]);
	cr_assert(!p->is_template);
	cr_assert(p->has_slot_principal && p->has_slot_resource);
	cr_assert(uid_eq(p->slot_principal, v.principal));
	cr_assert(uid_eq(p->principal.uid, v.principal));
	cr_assert(!p->principal.slot && !p->resource.slot);
	cr_assert_eq(ps.n, 4);
	cr_assert_eq(policyset_find(&ps, "alice_trip"), p);
	buf_release(&err);
}

Test(link, linked_policy_authorizes)
{
	wlink_values v = {0};
	v.principal = uid("User", "alice");
	v.has_principal = true;
	v.resource = uid("Album", "trip");
	v.has_resource = true;
	wbuf err = WBUF_INIT;
	cr_assert(policy_link(&ps, "policy0", "L1", &v, &err));
	const char *ents = "[{\"uid\": {\"type\": \"Photo\", \"id\": \"p1\"}, \"attrs\": {\"private\": false}, "
			   "\"parents\": [{\"type\": \"Album\", \"id\": \"trip\"}]}]";
	wentities es;
	entities_init(&es);
	wdiags d;
	diags_init(&d);
	cr_assert_eq(entities_load_json(&cx, &es, NULL, "e.json", ents, strlen(ents), &d), 0);
	warena tmp;
	arena_init(&tmp);
	wrequest req;
	memset(&req, 0, sizeof req);
	req.principal = uid("User", "alice");
	req.action = uid("Action", "view");
	req.resource = uid("Photo", "p1");
	req.context.kind = WV_RECORD;
	req.context.u.rec = record_empty();
	wresponse r;
	authz_decide(&cx, &ps, &es, &req, &tmp, &r);
	cr_assert(r.allow, "the linked policy should allow");
	cr_assert_eq(r.nreasons, 1);
	cr_assert_str_eq(r.reasons[0]->id, "L1");
	/* another principal: the template alone allows nothing */
	req.principal = uid("User", "bob");
	authz_decide(&cx, &ps, &es, &req, &tmp, &r);
	cr_assert(!r.allow);
	arena_release(&tmp);
	diags_release(&d);
	entities_release(&es);
	buf_release(&err);
}

Test(link, errors)
{
	wlink_values v = {0};
	wbuf err = WBUF_INIT;
	v.principal = uid("User", "alice");
	v.has_principal = true;
	cr_assert_null(policy_link(&ps, "policy0", "x", &v, &err));
	cr_assert(strstr(err.p, "?resource") && strstr(err.p, "no value"), "%s", err.p);
	buf_clear(&err);
	v.resource = uid("Album", "a");
	v.has_resource = true;
	cr_assert_null(policy_link(&ps, "policy1", "x", &v, &err));
	cr_assert(strstr(err.p, "has no ?resource slot"), "%s", err.p);
	buf_clear(&err);
	cr_assert_null(policy_link(&ps, "policy2", "x", &v, &err));
	cr_assert(strstr(err.p, "static policy"), "%s", err.p);
	buf_clear(&err);
	cr_assert_null(policy_link(&ps, "nope", "x", &v, &err));
	cr_assert(strstr(err.p, "no template with id 'nope'"), "%s", err.p);
	buf_clear(&err);
	cr_assert_null(policy_link(&ps, "policy0", "policy2", &v, &err));
	cr_assert(strstr(err.p, "already exists"), "%s", err.p);
	buf_clear(&err);
	cr_assert(policy_link(&ps, "policy0", "ok", &v, &err));
	cr_assert_null(policy_link(&ps, "ok", "again", &v, &err));
	cr_assert(strstr(err.p, "linked policy, not a template"), "%s", err.p);
	cr_assert_eq(ps.n, 4);
	buf_release(&err);
}

static int values(const char *js, wlink_values *v, wbuf *err)
{
	json_t *j = json_loads(js, 0, NULL);
	cr_assert(j, "bad JSON in test");
	int rc = link_values_from_json(&cx, j, v, err);
	json_decref(j);
	return rc;
}

Test(link, values_from_json)
{
	wlink_values v;
	wbuf err = WBUF_INIT;
	cr_assert_eq(values("{\"?principal\": \"User::\\\"alice\\\"\", \"?resource\": {\"type\": \"NS::Album\", "
			    "\"id\": \"a\"}}",
			    &v, &err),
		     0, "%s", err.p);
	cr_assert(v.has_principal && v.has_resource);
	cr_assert_str_eq(v.principal.type->s, "User");
	cr_assert_str_eq(v.principal.id->s, "alice");
	cr_assert_str_eq(v.resource.type->s, "NS::Album");
	cr_assert_eq(values("{\"?principal\": {\"__entity\": {\"type\": \"User\", \"id\": \"b\"}}}", &v, &err), 0);
	cr_assert(v.has_principal && !v.has_resource);
	buf_clear(&err);
	cr_assert_eq(values("{\"?action\": \"Action::\\\"a\\\"\"}", &v, &err), -1);
	cr_assert(strstr(err.p, "unknown slot '?action'"), "%s", err.p);
	buf_clear(&err);
	cr_assert_eq(values("{\"?principal\": 42}", &v, &err), -1);
	cr_assert(strstr(err.p, "?principal") && strstr(err.p, "expected an entity"), "%s", err.p);
	buf_clear(&err);
	cr_assert_eq(values("{\"?principal\": \"alice\"}", &v, &err), -1);
	cr_assert(strstr(err.p, "not an entity uid"), "%s", err.p);
	buf_clear(&err);
	cr_assert_eq(values("{\"?principal\": {\"type\": \"Us er\", \"id\": \"x\"}}", &v, &err), -1);
	cr_assert(strstr(err.p, "not a valid entity type name"), "%s", err.p);
	buf_clear(&err);
	cr_assert_eq(values("[]", &v, &err), -1);
	buf_release(&err);
}
