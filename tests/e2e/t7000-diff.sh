#!/usr/bin/env bash
# t7000-diff: `ward diff`, the entitlement diff between git revisions,
# directories and files, with residual conditions; who-can / what-can.
. "$(dirname "$0")/lib.sh"


REPO=${EXAMPLES:-$E2E_DIR/../../examples}/repo
R=$TMP/repo
cp -r "$REPO" "$R"
git_() { git -C "$R" -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
git_ init -q -b main || git_ init -q
git_ add -A
git_ commit -q -m base
cd "$R" || exit 1

tcase "no change: nothing to report"
ward diff --base HEAD
expect_status 0
expect_err_empty
expect_out_has "policies: 0 added, 0 removed, 0 modified, 8 unchanged"
expect_out_has "no entitlement changes"

tcase "a widened resource scope against the committed revision (no checkout)"
sed -i 's|resource in Bucket::"invoices-prod"|resource is Object|' policies/REQ-1001.cedar
ward diff --base HEAD
expect_status 0
expect_out_has "  modified REQ-1001"
expect_out_has '+ ServiceAccount::"billing-exporter" gains list, read on Object::"kb-prod/faq.md"
    allowed when:
      (context.source_ip.isInRange(ip("10.20.0.0/16")) ||'
expect_out_has '- ServiceAccount::"billing-exporter" loses list, read on Bucket::"invoices-prod"'
# the working tree was not touched by reading the revision
git -C "$R" status --porcelain | grep -q 'policies/REQ-1001.cedar' || fail "working tree changed"

tcase "a committed revision against another (--head REV)"
git_ commit -q -a -m widen
ward diff --base HEAD~1 --head HEAD --format json
expect_status 0
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["summary"]; assert s["gained"]==2 and s["lost"]==2, s; assert d["policies"]==[{"id":"REQ-1001","change":"modified"}], d["policies"]' ||
	fail "json summary"

tcase "a renamed guardrail is unchanged; removing a redundant one changes nothing"
sed -i 's/@id("guardrail-agents-no-secrets")/@id("guardrail-agents-no-secretz")/' policies/guardrails.cedar
ward diff --base HEAD
expect_out_has "policies: 0 added, 0 removed, 0 modified, 8 unchanged"
python3 - policies/guardrails.cedar <<'PY'
import sys, re
p = sys.argv[1]; s = open(p).read()
i = s.index('@id("guardrail-prod-backup-delete")'); j = s.index('@id("guardrail-agents')
open(p, 'w').write(s[:i] + s[j:])
PY
ward diff --base HEAD
expect_out_has "  removed guardrail-prod-backup-delete"
# REQ-1004 already asks for break-glass and MFA: same conditions, no change
expect_out_has "no entitlement changes"

tcase "a weaker constraint is a condition change"
git_ checkout -q -- .
sed -i 's/when { context.break_glass \&\& context.mfa }/when { context.break_glass }/' policies/REQ-1004.cedar
ward diff --base HEAD
expect_out_has '~ 2 Human in Team::"sre" restore_backup on Backup::"payments-prod-nightly": condition widened
    principals: Human::"alice", Human::"carol"
    before when:
      context.break_glass && context.mfa && context.now < datetime("2027-01-01")
      policies: REQ-1004
    after when:
      context.break_glass && context.now < datetime("2027-01-01")'
# delete_backup still needs MFA through the guardrail: unchanged
case $out in *delete_backup*) fail "delete_backup reported" ;; esac
git_ checkout -q -- .

tcase "directories and files"
mkdir -p "$TMP/a" "$TMP/b"
cp policies/REQ-1003.cedar "$TMP/a/"
printf 'permit (principal == Agent::"support-bot", action == Action::"read", resource in Bucket::"kb-prod");\n' >"$TMP/b/p.cedar"
ward diff --base "$TMP/a" --head "$TMP/b/p.cedar" --format markdown
expect_status 0
expect_out_has '### Entitlement diff'
expect_out_has '| ✏️ | Agent::"support-bot" read on Object::"kb-prod/faq.md": now unconditional | always |'
expect_out_has '| ➖ | Agent::"support-bot" loses list on Bucket::"kb-prod" | conditional (below) |'

tcase "bad revision: located error, nothing on stdout"
ward diff --base no-such-branch
expect_failure
expect_err_has "'no-such-branch' is not a file, a directory or a revision of the git repository"

tcase "malformed policy in the base revision: located with the revision"
git_ checkout -q -b broken
printf 'permit (principal ==, action, resource);\n' >policies/broken.cedar
git_ add -A
git_ commit -q -m broken
git_ checkout -q -
ward diff --base broken
expect_failure
expect_err_has "broken:policies/broken.cedar:1:"
expect_caret

tcase "missing entities file"
ward diff --base HEAD --entities "$TMP/nope.json"
expect_failure
expect_err_has "cannot read '$TMP/nope.json'"

tcase "no --base: usage error"
ward diff
expect_failure
expect_err_has "no base given"

tcase "who-can, with residual conditions"
git_ checkout -q -- .
ward who-can read 'Object::"invoices-prod/2026-10.csv"'
expect_status 0
expect_out_has 'who can read on Object::"invoices-prod/2026-10.csv": 1 principal
  ServiceAccount::"billing-exporter" [REQ-1001] when:'

tcase "what-can, one action"
ward what-can 'Human::"alice"' restore_backup --format json
expect_status 0
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["allowed"]; assert len(r)==1 and all(x["decision"]=="conditional" for x in r), r; assert "context.break_glass" in r[0]["condition"], r' ||
	fail "what-can json"

tcase "who-can: unknown action, with a suggestion; an entity not in the snapshot"
ward who-can raed 'Object::"x"'
expect_failure
expect_err_has "unknown action 'Action::\"raed\"' (not in the schema); did you mean 'read'?"
ward what-can 'Human::"nobody"'
expect_status 0
expect_err_has 'note: Human::"nobody" is not in the entity snapshot'
expect_out_has "0 (action, resource) pairs"

tcase "who-can: bad uid"
ward who-can read 'Object::'
expect_failure
expect_err_has "invalid resource"

finish
