/* cmd_approve: `ward approve [--base REV] --key KEY [--role ROLE] [--comment TEXT]`.
 *
 * Signs the change's content hash (the base revision plus every changed
 * file) with the reviewer's key and writes the approval under approvals/.
 * Refuses up front what the gate would reject: a signer who is not a
 * reviewer in ward.yaml as of the base, a role they do not hold, a key that
 * is not the one registered or has expired, and anyone who wrote, requested
 * or drafted the change. The work is in src/govern/ (gate.c, approval.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/approval.h"
#include "govern/gate.h"
#include "govern/gio.h"
#include "govern/repo.h"
#include "util/buf.h"

int cmd_approve(int argc, char **argv, struct ward_cli *cli);

static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

int cmd_approve(int argc, char **argv, struct ward_cli *cli)
{
	const char *base = NULL, *key = NULL, *role = NULL, *comment = NULL, *repo_dir = NULL;
	const struct cli_opt opts[] = {
		{"base", 0, "REV", "the revision the change is compared with (default: main)", &base, NULL, NULL},
		{"key", 'k', "FILE", "the reviewer's private key (from 'ward keygen')", &key, NULL, NULL},
		{"role", 0, "ROLE", "the role approving (default: the reviewer's only role)", &role, NULL, NULL},
		{"comment", 'm', "TEXT", "why the change is approved", &comment, NULL, NULL},
		{"repo", 0, "DIR", "the policy repository (default: the nearest directory upward with ward.yaml)",
		 &repo_dir, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--key FILE [--base REV] [--role ROLE] [--comment TEXT]",
		.about = "Approve the change in the working tree: sign its content hash (the base revision and every\n"
			 "changed file) and write the approval to approvals/. Any later edit of the change makes the\n"
			 "approval void. Reviewers and roles come from ward.yaml as of the base revision; authors,\n"
			 "requesters and drafters of the change cannot approve it.",
		.opts = opts,
		.notes = "exit status: 0 approved, 1 refused or failed.\n",
	};
	const char *pos[1];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!key) {
		cli_error(cli, "missing '--key FILE': the reviewer's private key");
		return WARD_EXIT_FAILURE;
	}
	char *root = repo_find(repo_dir ? repo_dir : ".");
	if (!root) {
		cli_error(cli, "not in a policy repository (no ward.yaml here or above); use --repo DIR");
		return WARD_EXIT_FAILURE;
	}
	int rc = WARD_EXIT_FAILURE;
	wdiags d;
	diags_init(&d);
	appr_key k;
	gate_change ch;
	bool have_key = false, have_ch = false;
	wbuf why = WBUF_INIT, js = WBUF_INIT;
	approval a;
	memset(&a, 0, sizeof a);
	char *dir = NULL, *path = NULL, *fname = NULL;
	if (appr_key_load(&k, key, &d) != 0)
		goto diags;
	have_key = true;
	if (gate_change_load(&ch, root, base, &d) != 0)
		goto diags;
	have_ch = true;
	if (!ch.nfiles) {
		cli_error(cli, "refused: the working tree does not differ from '%s'; there is no change to approve",
			  base ? base : "main");
		goto out;
	}
	if (!ch.has_cfg) {
		cli_error(cli, "refused: the base revision has no ward.yaml, so it names no reviewers");
		goto out;
	}
	const appr_reviewer *rv = appr_find_reviewer(&ch.cfg, k.name);
	if (!rv) {
		cli_error(cli, "refused: '%s' is not a reviewer in ward.yaml as of the base revision", k.name);
		goto out;
	}
	if (appr_is_author(k.name, ch.authors, ch.nauthors)) {
		cli_error(cli, "refused: '%s' is an author, requester or drafter of this change and cannot approve it; "
			       "separation of duties needs another reviewer",
			  k.name);
		goto out;
	}
	if (!role) {
		if (rv->nroles != 1) {
			cli_error(cli, "'%s' holds %zu roles; say which one approves with --role", k.name, rv->nroles);
			goto out;
		}
		role = rv->roles[0];
	}
	int64_t now = (int64_t)time(NULL);
	approval_sign(&a, &k, ch.change, ch.base, role, comment ? comment : "", now);
	if (memcmp(rv->pk, k.pk, APPR_PK_BYTES) != 0) {
		cli_error(cli, "refused: the key '%s' is not the key ward.yaml registers for '%s'", key, k.name);
		goto out;
	}
	appr_status st = appr_check(&ch.cfg, &a, ch.change, ch.authors, ch.nauthors, now, &why);
	if (st != AS_OK) {
		cli_error(cli, "refused: %s", why.p ? why.p : appr_status_name(st));
		goto out;
	}
	approval_to_json(&a, &js);
	dir = gio_join(root, "approvals");
	if (gio_mkdirs(dir) != 0) {
		cli_error(cli, "cannot create '%s'", dir);
		goto out;
	}
	fname = approval_file_name(&a);
	path = gio_join(dir, fname);
	if (gio_write_atomic(path, js.p, js.n, 0644, false, &d) != 0)
		goto diags;
	fprintf(cli->out, "approved change %.16s as %s (%s)\nwrote %s\n", ch.change, role, k.name, path);
	rc = WARD_EXIT_OK;
	goto out;
diags:
	print_wdiags(cli, &d);
out:
	approval_release(&a);
	buf_release(&why);
	buf_release(&js);
	free(dir);
	free(path);
	free(fname);
	if (have_ch)
		gate_change_release(&ch);
	if (have_key)
		appr_key_release(&k);
	diags_release(&d);
	free(root);
	return rc;
}
