/* fuzz_config: ward.yaml (repo.h: repo_parse_config) and the YAML reader.
 *
 * The input is a ward.yaml; environments, constraint kinds, high-risk
 * resources, the model and secret-scanner settings are parsed and checked.
 * A configuration that loads has its secret-scanner settings built too (the
 * allowlist patterns are compiled) and run over the file itself.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "govern/repo.h"
#include "govern/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	repo r;
	wdiags d;
	diags_init(&d);
	if (repo_parse_config(&r, "ward.yaml", (const char *)data, size, &d) == 0) {
		secrets_scanner *sc = secrets_new(r.allowlist, r.nallow, r.entropy_threshold, &d);
		if (sc) {
			/* the scanner over the file itself, as `ward scan` would */
			secret_finding *f = NULL;
			size_t n = secrets_scan(sc, (const char *)data, size, &f);
			(void)n;
			free(f);
			size_t rn;
			free(secrets_redact(sc, (const char *)data, size, &rn));
		}
		secrets_free(sc);
	}
	wbuf b = WBUF_INIT;
	diags_render(&d, &b);
	buf_release(&b);
	diags_release(&d);
	repo_close(&r);
	return 0;
}
