#!/usr/bin/env bash
# t8300-demo-pipeline: scripts/demo-pipeline (`make demo`) runs the whole
# governance story on the real binary and tells it: NEEDS-APPROVAL, the
# requester refused, PASS after a reviewer's approval, main served with its
# decisions logged and the approved draft replayed against them (two denials
# become allows by REQ-1050) with drift listing the unused grants, the
# over-broad draft BLOCKED with the creep shown, the ledger intact, the
# review page written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gate_lib.sh"
gate_require_commands

tcase "the demo tells the whole story"
TMPDIR=$TMP "$E2E_DIR/../../scripts/demo-pipeline" >"$TMP/out" 2>"$TMP/err"
status=$?
out=$(cat "$TMP/out")
err=$(cat "$TMP/err")
expect_status 0
expect_err_empty
expect_out_has "ward check: NEEDS-APPROVAL"
expect_out_has "refused: 'alice@example.com' is an author, requester or drafter"
expect_out_has "ward check: PASS"
expect_out_has "-> allow REQ-1003"
expect_out_has "replayed 5 of 5 logged decisions"
expect_out_has "deny -> allow: policy REQ-1050 now allows 1 request of action Action::\"read\" that was denied"
expect_out_has "permit 'REQ-1001': determined no allow"
expect_out_has "ward check: BLOCKED"
expect_out_has "[creep] policies/REQ-1050.cedar: privilege creep"
expect_out_has "intact, "
page=$(printf '%s\n' "$out" | sed -n 's/^ *\(\/.*review-REQ-1050.html\)$/\1/p' | head -1)
[ -n "$page" ] && [ -s "$page" ] || fail "the review page path is not printed or the page is missing"
grep -q 'data-verdict="PASS"' "$page" || fail "the review page is not the PASS one"

finish
