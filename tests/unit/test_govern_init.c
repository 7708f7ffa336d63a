/* test_govern_init: the embedded example repository matches examples/repo
 * byte for byte (the build embeds it with cmake/ward_embed.cmake), and
 * init_repo refuses to
 * overwrite. Also the model client's settings and reply checks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "govern/gio.h"
#include "govern/init.h"
#include "govern/model.h"

static void source_root(char *root, size_t cap)
{
	snprintf(root, cap, "%s", __FILE__);
	for (int i = 0; i < 3; i++) {
		char *s = strrchr(root, '/');
		if (s)
			*s = '\0';
	}
}

Test(govern_init, embedded_files_match_the_example)
{
	char root[4096];
	source_root(root, sizeof root);
	strncat(root, "/examples/repo", sizeof root - strlen(root) - 1);
	size_t n = 0;
	for (const struct init_file *f = init_files; f->path; f++, n++) {
		char *p = gio_join(root, f->path);
		wdiags d;
		diags_init(&d);
		size_t len;
		char *t = gio_read(p, 0, &len, &d);
		cr_assert_not_null(t, "examples/repo/%s is embedded but missing: rebuild to embed it again", f->path);
		cr_expect(len == f->len && memcmp(t, f->data, len) == 0,
			  "examples/repo/%s changed: rebuild (cmake/ward_embed.cmake embeds it)", f->path);
		free(t);
		free(p);
		diags_release(&d);
	}
	/* and every file of the example is embedded */
	const char *dirs[] = {"templates", "requests", "policies", "tests", "entities"};
	const char *sfx[] = {".cedar", ".yaml", ".cedar", ".yaml", ".json"};
	for (int k = 0; k < 5; k++) {
		char *dir = gio_join(root, dirs[k]);
		size_t nf;
		char **files = gio_list(dir, sfx[k], &nf);
		for (size_t i = 0; i < nf; i++) {
			const char *rel = files[i] + strlen(root) + 1;
			int found = 0;
			for (const struct init_file *f = init_files; f->path; f++)
				found |= strcmp(f->path, rel) == 0;
			cr_expect(found, "examples/repo/%s is not embedded: rebuild to embed it again", rel);
		}
		gio_list_free(files, nf);
		free(dir);
	}
	cr_expect_geq(n, 20);
}

Test(govern_init, refuses_to_overwrite)
{
	char pattern[] = "ward-init-XXXXXX"; /* in the test's working directory */
	char *dir = mkdtemp(pattern);
	cr_assert_not_null(dir);
	wdiags d;
	diags_init(&d);
	size_t n;
	cr_assert_eq(init_repo(dir, &n, &d), 0);
	cr_expect_gt(n, 0);
	size_t n2;
	cr_expect_eq(init_repo(dir, &n2, &d), -1);
	cr_expect_eq(n2, 0);
	cr_expect(strstr(d.items[0].msg, "already holds a policy repository") != NULL);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	diags_release(&d);
}

Test(govern_init, model_settings_from_the_environment)
{
	repo_model cfg = {NULL, NULL, 5, 1, 4096, false};
	model_client mc;
	wdiags d;
	diags_init(&d);
	unsetenv("WARD_MODEL_URL");
	cr_expect_eq(model_client_init(&mc, &cfg, &d), -1);
	cr_expect(strstr(d.items[0].msg, "no model endpoint configured") != NULL);
	setenv("WARD_MODEL_URL", "http://127.0.0.1:9/v1/", 1);
	setenv("WARD_MODEL", "m1", 1);
	setenv("WARD_MODEL_API_KEY", "k", 1);
	cr_assert_eq(model_client_init(&mc, &cfg, &d), 0);
	cr_expect_str_eq(mc.url, "http://127.0.0.1:9/v1/chat/completions");
	cr_expect_str_eq(mc.name, "m1");
	cr_expect_str_eq(mc.api_key, "k");
	cr_expect_eq(mc.timeout_seconds, 5);
	model_client_release(&mc);
	setenv("WARD_MODEL_URL", "file:///etc/passwd", 1);
	cr_expect_eq(model_client_init(&mc, &cfg, &d), -1);
	unsetenv("WARD_MODEL_URL");
	unsetenv("WARD_MODEL");
	unsetenv("WARD_MODEL_API_KEY");
	diags_release(&d);
}

Test(govern_init, model_reply_checks)
{
	wdiags d;
	diags_init(&d);
	cr_expect_eq(model_check_reply("{\"a\": 1}", 8, &d), 0);
	cr_expect_eq(model_check_reply("", 0, &d), -1);
	cr_expect_eq(model_check_reply("[1]", 3, &d), -1);
	cr_expect_eq(model_check_reply("{\"a\": 1, \"a\": 2}", 16, &d), -1);
	cr_expect_eq(model_check_reply("{\"a\": ", 6, &d), -1);
	cr_expect_eq(model_check_reply("permit(principal, action, resource);", 36, &d), -1);
	size_t big = 70 * 1024;
	char *b = malloc(big);
	memset(b, ' ', big);
	b[0] = '{';
	b[big - 1] = '}';
	cr_expect_eq(model_check_reply(b, big, &d), -1);
	free(b);
	diags_release(&d);
}
