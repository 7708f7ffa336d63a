#!/usr/bin/env bash
# t6100-test: `ward test`, YAML test files, generated tests, coverage, JUnit.
. "$(dirname "$0")/lib.sh"


T6=$DATA/t6
in=(-p "$EX/policies.cedar" -s "$EX/schema.cedarschema")

tcase "passing test file: exit 0"
ward test "${in[@]}" "$T6/platform-tests.yaml"
expect_status 0
expect_err_empty
expect_out_has "  ok    agents read dev databases
  ok    agents never read secrets"
expect_out_has "hand-written: 5 passed, 0 failed; generated: 0 passed, 0 failed"

tcase "a failing case shows expected, actual and the explanation: exit 1"
ward test "${in[@]}" "$T6/failing.yaml"
expect_status 1
expect_out_has "  FAIL  preview jobs may write production (wrong on purpose) ($T6/failing.yaml:3)
        expected: allow
        actual:   deny (determined by no policy)
        | request: principal CiJob::\"web-preview-pr-1234\", action Action::\"write\", resource Bucket::\"web-assets-prod\""
expect_out_has "        |     principal.branch = \"feature/new-checkout\""
expect_out_has "        expected: allow (determined by ci-dev-buckets)
        actual:   allow (determined by agents-read-dev)"
expect_out_has "hand-written: 0 passed, 2 failed"

tcase "coverage"
ward test "${in[@]}" "$T6/platform-tests.yaml" --coverage
expect_status 0
expect_out_has "coverage: 28.6% (policies that determined a decision: 4/11; conditions seen true and false: 2/10)"
expect_out_has "  permit ci-dev-buckets never determined a decision"
expect_out_has '  ci-main-deploys-prod: condition `principal.branch == "main"` never seen true'

tcase "below the threshold: exit 1"
ward test "${in[@]}" "$T6/platform-tests.yaml" --threshold 50
expect_status 1
expect_err_has "coverage 28.6% is below the threshold of 50%"

tcase "at or above the threshold: exit 0"
ward test "${in[@]}" "$T6/platform-tests.yaml" --threshold 28
expect_status 0

tcase "bad threshold: usage error, exit 2"
ward test "${in[@]}" "$T6/platform-tests.yaml" --threshold lots
expect_status 2
expect_err_has "invalid value 'lots' for '--threshold'"

tcase "JUnit XML"
ward test "${in[@]}" "$T6/failing.yaml" --junit "$TMP/junit.xml"
expect_status 1
grep -q '<testsuites name="ward test" tests="2" failures="2">' "$TMP/junit.xml" || fail "junit summary"
grep -q "<testsuite name=\"$T6/failing.yaml\" tests=\"2\" failures=\"2\">" "$TMP/junit.xml" || fail "junit suite"
grep -q '<failure message="expected allow, got deny (determined by no policy)">' "$TMP/junit.xml" || fail "junit failure"

tcase "JSON report"
ward test "${in[@]}" "$T6/platform-tests.yaml" --format json --coverage
expect_status 0
expect_out_has '"summary":{"passed":5,"failed":0,"generated_passed":0,"generated_failed":0,"generated_skipped":0}'
expect_out_has '"coverage":{"percent":28.6,"policies":11,"determined":4,"conditions":10,"conditions_both":2'

tcase "unknown entity, action, policy id and field: located errors, exit 2"
ward test "${in[@]}" "$T6/bad-unknown.yaml"
expect_status 2
expect_out_empty
expect_err_has "$T6/bad-unknown.yaml:4:16: error: unknown entity Agent::\"nobody\": it is not in this test's entities"
expect_err_has "$T6/bad-unknown.yaml:11:13: error: unknown action Action::\"raed\": the schema does not declare it"
expect_err_has "$T6/bad-unknown.yaml:15:21: error: unknown policy id 'no-such-policy'"
expect_err_has "$T6/bad-unknown.yaml:20:5: error: unknown field 'expected' in a test case; did you mean 'expect'?"
expect_caret

tcase "errors as JSON lines with --error-format json"
ward -f json test "${in[@]}" "$T6/bad-unknown.yaml"
expect_status 2
expect_err_has "{\"severity\":\"error\",\"file\":\"$T6/bad-unknown.yaml\",\"line\":4,\"column\":16,\"message\":\"unknown entity Agent::\\\"nobody\\\": it is not in this test's entities\"}"

tcase "errors one per line with --error-format plain"
ward -f plain test "${in[@]}" "$T6/bad-unknown.yaml"
expect_status 2
expect_err_has "$T6/bad-unknown.yaml:11:13: unknown action Action::\"raed\": the schema does not declare it
$T6/bad-unknown.yaml:15:21: unknown policy id 'no-such-policy'"

tcase "a bad entities fixture is located in the JSON file"
ward test "${in[@]}" "$T6/bad-fixture.yaml"
expect_status 2
expect_err_line "bad-entities.json:1:[0-9]+: error: "
expect_err_has "$T6/bad-fixture.yaml:1:11: error: entities file 'bad-entities.json' has errors (above)"

tcase "malformed YAML: located error, exit 2"
ward test "${in[@]}" "$T6/bad-syntax.yaml"
expect_status 2
expect_err_line "bad-syntax.yaml:[0-9]+:[0-9]+: error: invalid YAML"

tcase "missing test file: exit 2"
ward test "${in[@]}" "$T6/nothere.yaml"
expect_status 2
expect_err_has "cannot read"

tcase "unknown option: exit 2"
ward test --bogus
expect_status 2

tcase "repository: hand-written and generated tests"
cp -r "$T6/repo" "$TMP/repo"
ward test --repo "$TMP/repo"
expect_status 0
expect_out_has "generated from $TMP/repo/requests/REQ-7.yaml
  ok    allowed: Svc::\"exporter\" Action::\"read\" Bucket::\"inv-prod\"
  ok    principal outside the subject: Svc::\"other\" Action::\"read\" Bucket::\"inv-prod\""
expect_out_has "  ok    constraint 'expires' violated: Svc::\"exporter\" Action::\"read\" Bucket::\"inv-prod\""
expect_out_has "hand-written: 2 passed, 0 failed; generated: 8 passed, 0 failed"

tcase "repository: --generated-only"
ward test --repo "$TMP/repo" --generated-only
expect_status 0
expect_out_has "hand-written: 0 passed, 0 failed; generated: 8 passed, 0 failed"

tcase "repository: --no-generated"
ward test --repo "$TMP/repo" --no-generated
expect_status 0
expect_out_has "hand-written: 2 passed, 0 failed; generated: 0 passed, 0 failed"

tcase "repository: a policy granting more than asked fails the near misses"
printf '@id("REQ-7")\npermit (principal in Team::"pay", action, resource);\n' >"$TMP/repo/policies/REQ-7.cedar"
ward test --repo "$TMP/repo" --generated-only
expect_status 1
expect_out_has "  FAIL  action not requested: Svc::\"exporter\" Action::\"write\" Bucket::\"inv-prod\"
        expected: not allowed by REQ-7"
expect_out_has "  FAIL  constraint 'source_networks' violated"
cp "$T6/repo/policies/REQ-7.cedar" "$TMP/repo/policies/REQ-7.cedar"

tcase "repository: run from inside it (ward.yaml found upward)"
(cd "$TMP/repo/tests" && "$WARD" test --no-generated >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc")
status=$(cat "$TMP/rc"); out=$(cat "$TMP/out"); err=$(cat "$TMP/err")
expect_status 0
expect_out_has "hand-written: 2 passed, 0 failed"

tcase "not in a repository and no --policies: exit 2"
(cd "$TMP" && "$WARD" test >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc")
status=$(cat "$TMP/rc"); err=$(cat "$TMP/err")
expect_status 2
expect_err_has "not in a policy repository"

if [ -f "${EXAMPLES:-$E2E_DIR/../../examples}/repo/ward.yaml" ]; then
	tcase "the example repository's tests pass"
	ward test --repo "${EXAMPLES:-$E2E_DIR/../../examples}/repo"
	expect_status 0
fi

finish
