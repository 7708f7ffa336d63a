/* cmd_link: `ward link`, make a template-linked policy (link.h).
 *
 * Loads the policies (Cedar text or JSON), links template --template-id
 * with --arguments '{"?principal": "User::\"alice\"", ...}' into a policy
 * --new-id, and reports the link. With -k/--template-linked FILE the link
 * is appended to that JSON file of links (created when absent; links
 * already there are applied first, so ids stay unique), replaced
 * atomically; otherwise the link is printed as JSON. A link with missing,
 * extra or ill-typed slot values, an unknown template or a duplicate id is
 * an error, and nothing is written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cedar/link.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "cli/cli.h"
#include "govern/gio.h"

/* Replaces `path` with `data` atomically. */
static int write_atomic(struct ward_cli *cli, const char *path, const char *data, size_t n)
{
	wdiags d;
	diags_init(&d);
	int rc = gio_write_atomic(path, data, n, 0644, false, &d);
	if (rc < 0)
		cli_error(cli, "%s", d.n ? d.items[0].msg : "cannot write the file");
	diags_release(&d);
	return rc;
}

static json_t *uid_json(wuid u)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_stringn(u.type->s, u.type->len));
	json_object_set_new(o, "id", json_stringn(u.id->s, u.id->len));
	return o;
}

/* Applies one link object of the links file, reporting errors as `where`. */
static int apply_link(struct ward_cli *cli, wctx *cx, wpolicyset *ps, const json_t *l, const char *where)
{
	wbuf err = WBUF_INIT;
	int rc = link_apply_json(cx, ps, l, &err);
	if (rc < 0)
		cli_error(cli, "%s: %s", where, err.p ? err.p : "cannot link");
	buf_release(&err);
	return rc;
}

int cmd_link(int argc, char **argv, struct ward_cli *cli)
{
	const char *policies = NULL, *links = NULL, *tid = NULL, *nid = NULL, *args = NULL;
	const struct cli_opt opts[] = {
		{"policies", 'p', "FILE", "policies and templates, Cedar text or JSON", &policies, NULL, NULL},
		{"template-linked", 'k', "FILE", "JSON file of links to append the new link to", &links, NULL, NULL},
		{"template-id", 't', "ID", "id of the template to link", &tid, NULL, NULL},
		{"new-id", 'n', "ID", "id of the new linked policy", &nid, NULL, NULL},
		{"arguments", 'a', "JSON", "slot values, e.g. '{\"?principal\": \"User::\\\"alice\\\"\"}'", &args, NULL,
		 NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--policies FILE --template-id ID --new-id ID --arguments JSON [options]",
		.about = "Link a template: give each of its slots (?principal, ?resource) an entity, making a new\n"
			 "policy with its own id. With --template-linked FILE the link is added to that file,\n"
			 "otherwise it is printed as JSON.",
		.opts = opts,
		.notes = "exit status: 0 on success, 1 on bad input (nothing is written then).\n",
	};
	const char *pos[1];
	int npos;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!policies || !tid || !nid || !args) {
		cli_error(cli, "--policies, --template-id, --new-id and --arguments are required");
		return WARD_EXIT_FAILURE;
	}
	json_error_t je;
	json_t *aj = json_loads(args, JSON_REJECT_DUPLICATES, &je);
	if (!aj) {
		cli_error(cli, "--arguments is not valid JSON: %s", je.text);
		return WARD_EXIT_FAILURE;
	}
	ward_diags *rd = ward_diags_new();
	size_t len;
	char *text = ward_read_file(policies, &len, rd);
	if (!text) {
		cli_print_diags(cli, rd, 0);
		ward_diags_free(rd);
		json_decref(aj);
		return WARD_EXIT_FAILURE;
	}
	wctx cx;
	ctx_init(&cx);
	wpolicyset ps;
	policyset_init(&ps);
	wdiags d;
	diags_init(&d);
	int rc = WARD_EXIT_FAILURE;
	json_t *existing = NULL;
	/* ids as every other command sees them: @id where present */
	if (policyset_parse_any(&cx, &ps, policies, text, len, &d) != 0 || policyset_use_annotation_ids(&ps, &d) != 0) {
		diags_print(&d, cli->err);
		goto out;
	}
	if (links && access(links, F_OK) == 0) {
		ward_diags_free(rd);
		rd = ward_diags_new();
		size_t ll;
		char *lt = ward_read_file(links, &ll, rd);
		if (!lt) {
			cli_print_diags(cli, rd, 0);
			goto out;
		}
		existing = json_loadb(lt, ll, JSON_REJECT_DUPLICATES, &je);
		ward_free(lt);
		if (!json_is_array(existing)) {
			cli_error(cli, "'%s' must hold a JSON array of links%s%s", links, existing ? "" : ": ",
				  existing ? "" : je.text);
			goto out;
		}
		for (size_t i = 0; i < json_array_size(existing); i++) {
			char where[64];
			snprintf(where, sizeof where, "link %zu of the file", i);
			if (apply_link(cli, &cx, &ps, json_array_get(existing, i), where) < 0)
				goto out;
		}
	}
	/* the values as entity objects {"type", "id"}, whatever form was given */
	wlink_values vals;
	wbuf verr = WBUF_INIT;
	if (link_values_from_json(&cx, aj, &vals, &verr) < 0) {
		cli_error(cli, "--arguments: %s", verr.p ? verr.p : "bad slot values");
		buf_release(&verr);
		goto out;
	}
	buf_release(&verr);
	json_t *values = json_object();
	if (vals.has_principal)
		json_object_set_new(values, "?principal", uid_json(vals.principal));
	if (vals.has_resource)
		json_object_set_new(values, "?resource", uid_json(vals.resource));
	json_t *link = json_object();
	json_object_set_new(link, "templateId", json_string(tid));
	json_object_set_new(link, "newId", json_string(nid));
	json_object_set_new(link, "values", values);
	if (apply_link(cli, &cx, &ps, link, "--arguments") < 0) {
		json_decref(link);
		goto out;
	}
	if (links) {
		if (!existing)
			existing = json_array();
		json_array_append_new(existing, link);
		char *s = json_dumps(existing, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		size_t sl = strlen(s);
		char *withnl = malloc(sl + 2);
		memcpy(withnl, s, sl);
		withnl[sl] = '\n';
		withnl[sl + 1] = '\0';
		free(s);
		if (write_atomic(cli, links, withnl, sl + 1) == 0)
			rc = WARD_EXIT_OK;
		free(withnl);
	} else {
		char *s = json_dumps(link, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(cli->out, "%s\n", s);
		free(s);
		json_decref(link);
		rc = WARD_EXIT_OK;
	}
out:
	json_decref(existing);
	json_decref(aj);
	diags_release(&d);
	policyset_release(&ps);
	ctx_release(&cx);
	ward_free(text);
	ward_diags_free(rd);
	return rc;
}
