/* sarif: the shared parts of SARIF 2.1.0 logs (see sarif.h). */
#include "analysis/sarif.h"

#include <stdlib.h>
#include <string.h>

json_t *sarif_rule(const char *id, const char *name, const char *text, const char *level)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_string(id));
	if (name)
		json_object_set_new(r, "name", json_string(name));
	json_t *sd = json_object();
	json_object_set_new(sd, "text", json_string(text));
	json_object_set_new(r, "shortDescription", sd);
	json_t *dc = json_object();
	json_object_set_new(dc, "level", json_string(level));
	json_object_set_new(r, "defaultConfiguration", dc);
	return r;
}

json_t *sarif_log(json_t *rules, json_t **results)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(doc, "version", json_string("2.1.0"));
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("ward"));
	json_object_set_new(driver, "semanticVersion", json_string("0.1.0"));
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);
	json_t *run = json_object();
	json_object_set_new(run, "tool", tool);
	*results = json_array();
	json_object_set_new(run, "results", *results);
	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_object_set_new(doc, "runs", runs);
	return doc;
}

json_t *sarif_result(const char *rule_id, size_t rule_index, const char *level, const char *message,
		     const char *policy_id)
{
	json_t *r = json_object();
	json_object_set_new(r, "ruleId", json_string(rule_id));
	json_object_set_new(r, "ruleIndex", json_integer((json_int_t)rule_index));
	json_object_set_new(r, "level", json_string(level));
	json_t *msg = json_object();
	json_object_set_new(msg, "text", json_string(message ? message : ""));
	json_object_set_new(r, "message", msg);
	if (policy_id) {
		json_t *props = json_object();
		json_object_set_new(props, "policy", json_string(policy_id));
		json_object_set_new(r, "properties", props);
	}
	return r;
}

void sarif_locate(json_t *result, const char *name, const char *root, json_t *region)
{
	json_t *al = json_object();
	json_object_set_new(al, "uri", sarif_artifact_uri(name, root));
	json_t *pl = json_object();
	json_object_set_new(pl, "artifactLocation", al);
	json_object_set_new(pl, "region", region);
	json_t *loc = json_object();
	json_object_set_new(loc, "physicalLocation", pl);
	json_t *locs = json_array();
	json_array_append_new(locs, loc);
	json_object_set_new(result, "locations", locs);
}

json_t *sarif_artifact_uri(const char *name, const char *root)
{
	const char *s = name ? name : "";
	size_t rl = root ? strlen(root) : 0;
	if (rl && strncmp(s, root, rl) == 0 && s[rl] == '/')
		s += rl + 1;
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	/* a revision-qualified name "REV:path" keeps only the path */
	const char *colon = strchr(s, ':'), *slash = strchr(s, '/');
	if (colon && (!slash || colon < slash))
		s = colon + 1;
	while (*s == '/')
		s++;
	wbuf b = WBUF_INIT;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~/", ch))
			buf_addc(&b, (char)ch);
		else
			buf_printf(&b, "%%%02X", ch);
	}
	json_t *j = json_string(b.p ? b.p : "");
	buf_release(&b);
	return j;
}

void sarif_write(json_t *log, wbuf *out)
{
	char *s = json_dumps(log, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	buf_adds(out, s ? s : "{}");
	buf_addc(out, '\n');
	free(s);
	json_decref(log);
}
