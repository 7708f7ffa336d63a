/* fuzz_testfile: YAML policy-test files (testrun.h).
 *
 * The input is a tests/ *.yaml file, loaded and run against the fixture
 * repository's policies, schema and entity snapshot (fuzz_repo.h); inline
 * entities, contexts, expected decisions and determining ids are all
 * fuzzed. The cases that load are run, with coverage, and every report
 * (text, JSON, JUnit) is rendered. Inputs naming device or process files
 * are skipped: a fixture file name is read from the file system.
 */
#include "fuzz.h"
#include "fuzz_repo.h"
#include "govern/testrun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_names_special_file(data, size))
		return 0;
	fuzz_repo *fr = fuzz_repo_get();
	repo *r = &fr->r;
	wtrun t;
	testrun_init(&t, &r->cx, &fr->ps, &r->schema, &r->ents);
	testrun_load(&t, "tests/fuzz.yaml", (const char *)data, size);
	testrun_run(&t, false);
	wtcoverage cov;
	testrun_coverage(&t, &cov);
	wbuf b = WBUF_INIT;
	diags_render(&t.diags, &b);
	testrun_report_text(&t, true, &b);
	testrun_report_json(&t, true, &b);
	testrun_report_junit(&t, &b);
	buf_release(&b);
	testrun_release(&t);
	return 0;
}
