#!/usr/bin/env bash
# t7100-lint: `ward lint`, rule ids and severities (ward.yaml), locations,
# fix hints, text / JSON / SARIF output, guardrails against a git base.
. "$(dirname "$0")/lib.sh"


REPO=${EXAMPLES:-$E2E_DIR/../../examples}/repo
R=$TMP/repo
cp -r "$REPO" "$R"
git_() { git -C "$R" -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
git_ init -q
git_ add -A
git_ commit -q -m base
cd "$R" || exit 1

tcase "the example repository is clean"
ward lint --now 2026-06-01
expect_status 0
expect_out "0 errors, 0 warnings, 0 notes"

tcase "after @expires: an error, exit 3"
ward lint --now 2027-06-01
expect_status 3
expect_out_has "policies/REQ-1003.cedar:9:1: error: [W008 expired] permit 'REQ-1003' expired on 2027-03-31"
expect_out_has "  help: remove the policy, or renew it through a new request"

tcase "a right-to-left override hidden in a comment: an error, and ward check blocks"
cp policies/REQ-1001.cedar "$TMP/REQ-1001.keep"
printf '// reviewed \342\200\256 ;resource ,action ,principal( timrep\n' >>policies/REQ-1001.cedar
ward lint --now 2026-06-01
expect_status 3
expect_out_has "error: [W016 hidden-characters] U+202E RIGHT-TO-LEFT OVERRIDE in a comment of 'REQ-1001'"
ward check --base HEAD
expect_status 3
expect_out_has "ward check: BLOCKED"
expect_out_has "W016 hidden-characters: U+202E RIGHT-TO-LEFT OVERRIDE in a comment of 'REQ-1001'"
cp "$TMP/REQ-1001.keep" policies/REQ-1001.cedar
rm -rf .ward

tcase "a risky draft: located findings with hints"
cat >policies/draft.cedar <<'P'
@id("draft")
permit (principal is Agent, action, resource)
when { principal.model like "*" };
P
ward lint --now 2026-06-01
expect_status 3
expect_out_has "policies/draft.cedar:2:1: warning: [W007 missing-traceability] permit 'draft' has no @ticket, @justification, @owner"
expect_out_has "policies/draft.cedar:2:29: warning: [W002 unconstrained-action] permit 'draft' allows every action"
expect_out_has "[W011 agent-destructive] permit 'draft' lets an AI agent perform any action"
expect_out_has "[W004 wildcard-like]"
expect_out_has "[W006 prod-no-environment] permit 'draft' reaches the high-risk environment 'prod'"

tcase "snapshot rules: redundant over the snapshot, skipped with --no-snapshot"
ward lint --now 2026-06-01
expect_out_has "[W013 redundant] permit 'REQ-1003' is redundant: every cell it allows is already allowed unconditionally by permit 'draft'"
ward lint --now 2026-06-01 --no-snapshot
case $out in *W013*) fail "W013 with --no-snapshot" ;; esac
expect_out_has "[W006 prod-no-environment]"

tcase "severities from ward.yaml"
cat >>ward.yaml <<'Y'
lint:
  rules:
    agent-destructive: warning
    prod-no-environment: off
    W004: note
Y
ward lint --now 2026-06-01 --format json
expect_status 0
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
by = {f["rule"]: f for f in d["findings"]}
assert "W006" not in by, by
assert by["W011"]["severity"] == "warning" and by["W004"]["severity"] == "note", by
assert by["W002"]["file"] == "policies/draft.cedar" and by["W002"]["line"] == 2, by["W002"]
assert d["summary"]["errors"] == 0' || fail "json"

tcase "SARIF to a file"
ward lint --now 2026-06-01 --format sarif --output "$TMP/lint.sarif"
expect_status 0
expect_out_empty
python3 - "$TMP/lint.sarif" <<'PY' || fail "sarif"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
for r in run["results"]:
    assert r["ruleId"] == ids[r["ruleIndex"]]
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] in ("policies/draft.cedar", "policies/REQ-1003.cedar"), loc
    assert loc["region"]["startLine"] >= 1
PY

tcase "a removed guardrail against the git base"
rm policies/draft.cedar
git_ checkout -q -- ward.yaml
python3 - policies/guardrails.cedar <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
i = s.index('@id("guardrail-agents-no-secrets")'); j = s.index('@id("guardrail-prod-deploy-mfa")')
open(p, 'w').write(s[:i] + s[j:])
PY
ward lint --now 2026-06-01 --base HEAD
expect_status 3
expect_out_has "[W015 guardrail-weakened] guardrail 'guardrail-agents-no-secrets' (a forbid of the base) is removed by this change"

tcase "bad ward.yaml lint section: located, exit 1"
git_ checkout -q -- .
printf 'lint:\n  rules:\n    W042: error\n' >>ward.yaml
ward lint
expect_failure
expect_err_has "ward.yaml:"
expect_err_has "unknown lint rule 'W042'"

tcase "bad --now"
git_ checkout -q -- .
ward lint --now yesterday
expect_failure
expect_err_has "invalid value 'yesterday' for '--now'"

finish
