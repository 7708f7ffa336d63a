/* api_load: policies, schemas and entity stores of the public API (ward.h).
 *
 * Each loader runs the module parser into a fresh object, adopts the
 * diagnostics it produced (so they outlive the object), and hands the object
 * out only when no error was reported.
 */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "cedar/link.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "util/xalloc.h"

/* ---- policies ----------------------------------------------------------- */

ward_policies *ward_policies_parse(ward_engine *e, const char *name, const char *text, size_t len, ward_ids ids,
				   ward_diags *d)
{
	size_t from = d->d.n, errs0 = d->d.nerrors;
	ward_policies *p = xcalloc(1, sizeof *p);
	p->e = e;
	p->name = api_name_dup(name);
	policyset_init(&p->ps);
	policyset_parse_any(&e->cx, &p->ps, p->name, text, len, &d->d);
	if (d->d.nerrors == errs0 && ids == WARD_IDS_ANNOTATION)
		policyset_use_annotation_ids(&p->ps, &d->d);
	api_diags_adopt(d, from);
	if (d->d.nerrors != errs0) {
		ward_policies_free(p);
		return NULL;
	}
	authz_prepare(&p->ps); /* the policy index: decisions touch only candidate policies */
	return p;
}

ward_policies *ward_policies_load(ward_engine *e, const char *path, ward_ids ids, ward_diags *d)
{
	size_t len;
	char *text = ward_read_file(path, &len, d);
	if (!text)
		return NULL;
	ward_policies *p = ward_policies_parse(e, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, ids, d);
	free(text);
	return p;
}

int ward_policies_link_file(ward_engine *e, ward_policies *p, const char *path, ward_diags *d)
{
	size_t len, from = d->d.n;
	char *text = ward_read_file(path, &len, d);
	if (!text)
		return -1;
	int nerr = link_apply_file(&e->cx, &p->ps, path, text, len, &d->d);
	free(text);
	api_diags_adopt(d, from);
	if (nerr)
		return -1;
	authz_prepare(&p->ps); /* re-index with the linked policies */
	return 0;
}

void ward_policies_free(ward_policies *p)
{
	if (!p)
		return;
	policyset_release(&p->ps);
	free(p->name);
	free(p);
}

size_t ward_policies_count(const ward_policies *p)
{
	return p->ps.n;
}

const char *ward_policies_id(const ward_policies *p, size_t i)
{
	return i < p->ps.n ? p->ps.items[i]->id : NULL;
}

ward_effect ward_policies_effect(const ward_policies *p, size_t i)
{
	return i < p->ps.n && p->ps.items[i]->effect == WEFF_FORBID ? WARD_FORBID : WARD_PERMIT;
}

bool ward_policies_is_template(const ward_policies *p, size_t i)
{
	return i < p->ps.n && p->ps.items[i]->is_template;
}

/* ---- schema ------------------------------------------------------------- */

ward_schema *ward_schema_parse(ward_engine *e, const char *name, const char *text, size_t len, ward_schema_format fmt,
			       ward_diags *d)
{
	size_t from = d->d.n, errs0 = d->d.nerrors;
	ward_schema *s = xcalloc(1, sizeof *s);
	s->e = e;
	s->name = api_name_dup(name);
	schema_init(&s->s);
	switch (fmt) {
	case WARD_SCHEMA_CEDAR:
		schema_parse_text(&e->cx, &s->s, s->name, text, len, &d->d);
		break;
	case WARD_SCHEMA_JSON:
		schema_parse_json(&e->cx, &s->s, s->name, text, len, &d->d);
		break;
	default:
		schema_parse(&e->cx, &s->s, s->name, text, len, &d->d);
		break;
	}
	api_diags_adopt(d, from);
	if (d->d.nerrors != errs0) {
		ward_schema_free(s);
		return NULL;
	}
	return s;
}

ward_schema *ward_schema_load(ward_engine *e, const char *path, ward_schema_format fmt, ward_diags *d)
{
	size_t len;
	char *text = ward_read_file(path, &len, d);
	if (!text)
		return NULL;
	ward_schema *s = ward_schema_parse(e, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, fmt, d);
	free(text);
	return s;
}

void ward_schema_free(ward_schema *s)
{
	if (!s)
		return;
	schema_release(&s->s);
	free(s->name);
	free(s);
}

size_t ward_schema_entity_type_count(const ward_schema *s)
{
	return s->s.netypes;
}

size_t ward_schema_action_count(const ward_schema *s)
{
	return s->s.nactions;
}

/* ---- entities ----------------------------------------------------------- */

ward_entities *ward_entities_parse(ward_engine *e, const ward_schema *s, const char *name, const char *text,
				   size_t len, ward_diags *d)
{
	if (s && s->e != e) {
		api_error(d, "the schema was loaded with a different engine");
		return NULL;
	}
	size_t from = d->d.n, errs0 = d->d.nerrors;
	ward_entities *es = xcalloc(1, sizeof *es);
	es->e = e;
	es->name = api_name_dup(name);
	entities_init(&es->es);
	entities_load_json(&e->cx, &es->es, s ? &s->s : NULL, es->name, text, len, &d->d);
	api_diags_adopt(d, from);
	if (d->d.nerrors != errs0) {
		ward_entities_free(es);
		return NULL;
	}
	return es;
}

ward_entities *ward_entities_load(ward_engine *e, const ward_schema *s, const char *path, ward_diags *d)
{
	size_t len;
	char *text = ward_read_file(path, &len, d);
	if (!text)
		return NULL;
	ward_entities *es = ward_entities_parse(e, s, strcmp(path, "-") == 0 ? "<stdin>" : path, text, len, d);
	free(text);
	return es;
}

ward_entities *ward_entities_empty(ward_engine *e, const ward_schema *s, ward_diags *d)
{
	return ward_entities_parse(e, s, "<no entities>", "[]", 2, d);
}

void ward_entities_free(ward_entities *es)
{
	if (!es)
		return;
	entities_release(&es->es);
	free(es->name);
	free(es);
}

size_t ward_entities_count(const ward_entities *es)
{
	return es->es.n;
}
