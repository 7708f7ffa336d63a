/* cmd_keygen: `ward keygen --name NAME [--out DIR]`, a reviewer's signing key.
 *
 * Writes an Ed25519 private key file (mode 0600, never overwriting) and
 * prints the public key to put under the reviewer in ward.yaml. The work is
 * in src/govern/approval.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "govern/approval.h"
#include "govern/gio.h"

int cmd_keygen(int argc, char **argv, struct ward_cli *cli);

static void print_wdiags(struct ward_cli *cli, wdiags *d)
{
	ward_diags *wd = ward_diags_new();
	wdiags tmp = wd->d;
	wd->d = *d;
	cli_print_diags(cli, wd, 0);
	wd->d = tmp;
	ward_diags_free(wd);
}

int cmd_keygen(int argc, char **argv, struct ward_cli *cli)
{
	const char *name = NULL, *out = NULL;
	const struct cli_opt opts[] = {
		{"name", 0, "NAME", "the reviewer's identity as ward.yaml names it (e.g. an email address)", &name, NULL,
		 NULL},
		{"out", 'o', "DIR", "directory for the private key (default: $XDG_CONFIG_HOME/ward/keys or "
				    "~/.config/ward/keys)",
		 &out, NULL, NULL},
		CLI_OPT_END,
	};
	const struct cli_spec spec = {
		.usage = "--name NAME [--out DIR]",
		.about = "Create an Ed25519 signing key for a reviewer. The private key file (NAME.key) is written with\n"
			 "mode 0600 and never overwritten; keep it out of the policy repository. The public key is\n"
			 "printed: add it under the reviewer in ward.yaml (reviewers: NAME: public_key: ...).\n"
			 "Model identities (model:...) cannot have keys: a model never approves.",
		.opts = opts,
		.notes = "exit status: 0 created, 1 otherwise.\n",
	};
	const char *pos[1];
	int npos = 0;
	int pr = cli_parse(cli, &spec, argc, argv, pos, &npos);
	if (pr)
		return pr > 0 ? WARD_EXIT_OK : WARD_EXIT_FAILURE;
	if (!name) {
		cli_error(cli, "missing '--name NAME': the reviewer the key belongs to");
		return WARD_EXIT_FAILURE;
	}
	char *dir = NULL;
	if (out)
		dir = gio_join(out, "");
	else {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		if (xdg && *xdg)
			dir = gio_join(xdg, "ward/keys");
		else if (home && *home)
			dir = gio_join(home, ".config/ward/keys");
		else {
			cli_error(cli, "no HOME to put the key in; give a directory with --out");
			return WARD_EXIT_FAILURE;
		}
	}
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dir[--dl] = '\0';
	bool fresh = !gio_exists(dir);
	wdiags d;
	diags_init(&d);
	char *path = NULL, pub[APPR_PK_TEXT];
	int rc = appr_keygen(name, dir, &path, pub, &d);
	if (rc == 0 && fresh)
		chmod(dir, 0700); /* a directory we created holds only keys */
	print_wdiags(cli, &d);
	diags_release(&d);
	free(dir);
	if (rc < 0)
		return WARD_EXIT_FAILURE;
	fprintf(cli->out,
		"private key: %s (mode 0600; keep it secret)\n"
		"public key:  %s\n"
		"add to ward.yaml:\n"
		"  reviewers:\n"
		"    %s:\n"
		"      roles: [ROLE]\n"
		"      public_key: %s\n",
		path, pub, name, pub);
	free(path);
	return WARD_EXIT_OK;
}
