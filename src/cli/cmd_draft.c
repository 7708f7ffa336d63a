/* cmd_draft: `ward draft`, a requirement -> a policy draft from an approved
 * template (govern/draft.h), optionally with a model turning free text into
 * the requirement first (govern/model.h).
 *
 * The requirement (or the model's reply) is scanned for secrets and
 * validated against the repository before anything is rendered; the draft
 * is written atomically and never over an existing file unless --force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/draft.h"
#include "govern/gio.h"
#include "govern/model.h"
#include "govern/repo.h"
#include "govern/requirement.h"
#include "govern/secrets.h"
#include "govern/template.h"
#include "util/xalloc.h"

int cmd_draft(int argc, char **argv, struct ward_cli *cli);

/* Prints engine diagnostics in the chosen --error-format (human, plain or
 * JSON) through the command line's own printer. (A candidate for common.c
 * as cli_print_wdiags.) */
static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

/* The directory part of a path ("." when none). Heap. */
static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

/* Masked copies of scanned texts: diagnostics point into them, so they
 * live until the command ends. */
typedef struct masks {
	wsource **v;
	size_t n;
} masks;

/* Scans `text` and reports each finding as a located error. The source
 * shown under the message is a copy with the secret masked by '*', so the
 * caret points at it without printing it. Returns the number of findings. */
static int scan_text(repo *r, masks *mk, const char *name, const char *text, size_t len, const char *what, wdiags *d)
{
	secrets_scanner *sc = secrets_new(r->allowlist, r->nallow, r->entropy_threshold, d);
	if (!sc)
		return 1;
	secret_finding *f;
	size_t n = secrets_scan(sc, text, len, &f);
	if (n) {
		char *copy = xstrndup(text, len);
		for (size_t i = 0; i < n; i++)
			memset(copy + f[i].start, '*', f[i].end - f[i].start);
		wsource *src = xmalloc(sizeof *src);
		src->name = name;
		src->text = copy;
		src->len = len;
		mk->v = xrealloc(mk->v, (mk->n + 1) * sizeof *mk->v);
		mk->v[mk->n++] = src;
		for (size_t i = 0; i < n; i++) {
			wspan sp = {(uint32_t)f[i].start, (uint32_t)f[i].end};
			char shown[64];
			secrets_redact_short(text + f[i].start, f[i].end - f[i].start, shown, sizeof shown);
			diag_add(d, WSEV_ERROR, src, sp, "%s in %s (%s); remove it and rotate the credential",
				 secrets_rule_title(f[i].rule), what, shown);
		}
	}
	free(f);
	secrets_free(sc);
	return (int)n;
}

static void masks_release(masks *mk)
{
	for (size_t i = 0; i < mk->n; i++) {
		free((char *)mk->v[i]->text);
		free(mk->v[i]);
	}
	free(mk->v);
}

static const char *env_user(void)
{
	const char *u = getenv("WARD_USER");
	if (!u || !*u)
		u = getenv("USER");
	return u && *u ? u : NULL;
}

int cmd_draft(int argc, char **argv, struct ward_cli *cli)
{
	const char *out = NULL, *template_id = NULL, *repo_dir = NULL, *drafted_by = NULL, *from_text = NULL;
	const char *ticket = NULL, *justification = NULL, *requested_by = NULL, *owner = NULL, *id = NULL;
	const char *save_request = NULL;
	bool force = false;
	const struct cli_opt opts[] = {
		{"out", 'o', "FILE", "write the draft to FILE (default: standard output)", &out, NULL, NULL},
		{"template", 't', "ID", "use this approved template (default: the fitting one of lowest risk)",
		 &template_id, NULL, NULL},
		{"repo", 'C', "DIR", "the policy repository (default: found from the requirement or the current directory)",
		 &repo_dir, NULL, NULL},
		{"drafted-by", 0, "NAME", "who drafts (default: $WARD_USER, $USER, or the requester)", &drafted_by, NULL,
		 NULL},
		{"force", 0, NULL, "overwrite --out if it exists", NULL, &force, NULL},
		{"from-text", 0, "TEXT", "ask the repository's model to turn TEXT into the requirement", &from_text, NULL,
		 NULL},
		{"id", 0, "ID", "--from-text: the requirement id", &id, NULL, NULL},
		{"ticket", 0, "TICKET", "--from-text: the ticket", &ticket, NULL, NULL},
		{"justification", 0, "TEXT", "--from-text: why the access is needed", &justification, NULL, NULL},
		{"requested-by", 0, "NAME", "--from-text: who asks (default: $WARD_USER or $USER)", &requested_by, NULL,
		 NULL},
		{"owner", 0, "NAME", "--from-text: who owns the access (default: the requester)", &owner, NULL, NULL},
		{"save-request", 0, "FILE", "--from-text: also write the validated requirement as YAML", &save_request,
		 NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "[options] REQUIREMENT.yaml  |  --from-text TEXT --id ID --ticket T --justification J",
		.about = "Draft a Cedar policy for a structured access requirement, rendered only from the repository's\n"
			 "approved templates, with traceability annotations (@id, @ticket, @justification, @owner,\n"
			 "@requested_by, @drafted_by, @template, @expires). The draft must validate against the schema.\n"
			 "With --from-text, a model proposes the requirement; its reply is validated like any\n"
			 "untrusted input, shown, and only then drafted through the same template path.",
		.opts = opts,
		.min_pos = 0,
		.max_pos = 1,
		.notes = "exit status: 0 drafted, 1 any error (nothing is written).\n",
	};
	const char *pos[1];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if ((npos == 0) == (from_text == NULL)) {
		cli_error(cli, "give either a requirement file or --from-text, not %s", npos ? "both" : "neither");
		return WARD_EXIT_FAILURE;
	}
	if (!from_text && (id || ticket || justification || requested_by || owner || save_request)) {
		cli_error(cli, "--id, --ticket, --justification, --requested-by, --owner and --save-request go with "
			       "--from-text; a requirement file carries its own");
		return WARD_EXIT_FAILURE;
	}
	char *root = repo_dir ? xstrdup(repo_dir) : NULL;
	if (!root) {
		char *dir = npos ? dir_of(pos[0]) : xstrdup(".");
		root = repo_find(dir);
		free(dir);
		if (!root) {
			cli_error(cli, "no ward.yaml found in '%s' or above; run 'ward init' or pass --repo DIR",
				  npos ? pos[0] : ".");
			return WARD_EXIT_FAILURE;
		}
	}
	int rc = WARD_EXIT_FAILURE;
	repo r;
	wdiags d;
	diags_init(&d);
	tcatalog cat = {0};
	requirement rq;
	memset(&rq, 0, sizeof rq);
	char *text = NULL, *reply = NULL;
	char drafted[256];
	masks mk = {NULL, 0};
	wbuf draft = WBUF_INIT, shown = WBUF_INIT;
	if (repo_open(&r, root, 0, &d) < 0)
		goto out;
	if (tcatalog_load(&cat, &r, &d) < 0)
		goto out;
	if (!from_text) {
		size_t len;
		text = gio_read(pos[0], 1 << 20, &len, &d);
		if (!text)
			goto out;
		if (scan_text(&r, &mk, pos[0], text, len, "the requirement", &d))
			goto out;
		if (req_load(&rq, &r, pos[0], text, len, NULL, false, &d) < 0)
			goto out;
		const char *who = drafted_by ? drafted_by : env_user();
		snprintf(drafted, sizeof drafted, "%s", who ? who : rq.requested_by);
	} else {
		if (!id || !ticket || !justification) {
			cli_error(cli, "--from-text needs --id, --ticket and --justification: a person states the need, "
				       "the model only structures it");
			goto out_quiet;
		}
		if (!requested_by)
			requested_by = env_user();
		if (!requested_by) {
			cli_error(cli, "--from-text needs --requested-by (or WARD_USER)");
			goto out_quiet;
		}
		if (!owner)
			owner = requested_by;
		if (drafted_by) {
			cli_error(cli, "--drafted-by cannot be used with --from-text: the draft is marked as the model's");
			goto out_quiet;
		}
		model_client mc;
		if (model_client_init(&mc, &r.model, &d) < 0)
			goto out;
		/* the ask is redacted before it leaves the machine */
		secrets_scanner *sc = secrets_new(r.allowlist, r.nallow, r.entropy_threshold, &d);
		if (!sc) {
			model_client_release(&mc);
			goto out;
		}
		size_t nred = 0;
		char *ask = secrets_redact(sc, from_text, strlen(from_text), &nred);
		secrets_free(sc);
		if (nred)
			fprintf(cli->err, "ward draft: note: %zu secret%s redacted from the text before sending it to the "
					  "model\n", nred, nred == 1 ? "" : "s");
		wbuf prompt = WBUF_INIT;
		model_build_system_prompt(&r, &cat, &prompt);
		/* descriptions in ward.yaml and templates could hold secrets too */
		size_t nred2 = 0;
		sc = secrets_new(r.allowlist, r.nallow, r.entropy_threshold, &d);
		char *system = sc ? secrets_redact(sc, prompt.p, prompt.n, &nred2) : NULL;
		secrets_free(sc);
		buf_release(&prompt);
		if (!system) {
			free(ask);
			model_client_release(&mc);
			goto out;
		}
		size_t rlen = 0;
		reply = model_ask(&mc, system, ask, &rlen, &d);
		free(system);
		free(ask);
		snprintf(drafted, sizeof drafted, "model:%s", mc.name);
		model_client_release(&mc);
		if (!reply)
			goto out;
		if (scan_text(&r, &mk, "<model reply>", reply, rlen, "the model's reply", &d))
			goto out;
		req_overrides ov = {id, ticket, justification, requested_by, owner};
		if (model_check_reply(reply, rlen, &d) < 0)
			goto out;
		if (req_load(&rq, &r, "<model reply>", reply, rlen, &ov, true, &d) < 0) {
			diag_add(&d, WSEV_ERROR, NULL, (wspan){0, 0},
				 "the model's proposal was rejected; nothing was drafted");
			goto out;
		}
		req_print_yaml(&rq, &shown);
		fprintf(cli->err, "ward draft: the model proposed this requirement (validated):\n");
		for (const char *p = shown.p; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(cli->err, "  | %.*s\n", (int)l, p);
			p += l + (nl ? 1 : 0);
		}
	}
	const tmpl *used = NULL;
	draft_opts o = {template_id, drafted};
	if (draft_make(&r, &cat, &rq, &o, &draft, &used, &d) < 0)
		goto out;
	if (scan_text(&r, &mk, "<draft>", draft.p, draft.n, "the draft", &d))
		goto out;
	if (save_request) {
		if (gio_write_atomic(save_request, shown.p, shown.n, 0644, !force, &d) < 0)
			goto out;
	}
	if (out) {
		if (gio_write_atomic(out, draft.p, draft.n, 0644, !force, &d) < 0) {
			if (save_request)
				remove(save_request);
			goto out;
		}
		fprintf(cli->err, "ward draft: drafted '%s' from template '%s' (%s risk) into %s\n", rq.id, used->id,
			used->risk, out);
	} else {
		fwrite(draft.p, 1, draft.n, cli->out);
	}
	rc = WARD_EXIT_OK;
out:
	print_wdiags(cli, &d);
out_quiet:
	buf_release(&draft);
	buf_release(&shown);
	free(text);
	free(reply);
	req_release(&rq);
	tcatalog_release(&cat);
	if (r.root || r.has_cfg)
		repo_close(&r);
	diags_release(&d);
	masks_release(&mk);
	free(root);
	return rc;
}
