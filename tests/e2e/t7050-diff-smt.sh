#!/usr/bin/env bash
# t7050-diff-smt: `ward diff` compares residual conditions with the SMT solver:
# a condition rewritten to an equivalent one is not a change, a narrowed or
# widened one is reported as such (text and JSON).
. "$(dirname "$0")/lib.sh"


REPO=${EXAMPLES:-$E2E_DIR/../../examples}/repo
R=$TMP/repo
cp -r "$REPO" "$R"
cd "$R" || exit 1
P=policies/REQ-1004.cedar
cp "$P" "$TMP/base.cedar"

tcase "a reordered and rewritten condition is not a change"
sed -e 's/when { context.break_glass \&\& context.mfa }/when { context.mfa \&\& !(!context.break_glass) }/' \
	-e 's/when { context.now < datetime("2027-01-01T00:00:00Z") }/unless { context.now >= datetime("2027-01-01T00:00:00Z") }/' \
	"$TMP/base.cedar" >"$TMP/reordered.cedar"
grep -q 'context.mfa && !(!context.break_glass)' "$TMP/reordered.cedar" || fail "sed did not rewrite the policy"
ward diff --base "$TMP/base.cedar" --head "$TMP/reordered.cedar"
expect_status 0
expect_err_empty
expect_out_has "policies: 0 added, 0 removed, 1 modified, 0 unchanged"
expect_out_has "cell(s) with a condition rewritten to an equivalent one (not a change)"
expect_out_has "no entitlement changes"
ward diff --base "$TMP/base.cedar" --head "$TMP/reordered.cedar" --format json
expect_status 0
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["summary"]; assert s["cells_changed"]==0 and s["condition_equivalent"]>0, s; assert d["changes"]==[], d["changes"]' ||
	fail "json: equivalent"

tcase "a narrowed condition is reported as narrowed"
sed -e 's/when { context.break_glass \&\& context.mfa }/when { context.break_glass \&\& context.mfa \&\& context.now < datetime("2026-12-01T00:00:00Z") }/' \
	"$TMP/base.cedar" >"$TMP/narrowed.cedar"
ward diff --base "$TMP/base.cedar" --head "$TMP/narrowed.cedar"
expect_status 0
expect_out_has '~ 2 Human in Team::"sre" delete_backup, restore_backup on Backup::"payments-prod-nightly": condition narrowed'
ward diff --base "$TMP/base.cedar" --head "$TMP/narrowed.cedar" --format json
expect_status 0
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ch = d["changes"]
assert ch and all(g["change"] == "condition" and g["relation"] == "narrowed" for g in ch), ch
assert all(g["summary"].endswith(": condition narrowed") for g in ch), ch
assert "condition_equivalent" not in d["summary"], d["summary"]
' || fail "json: narrowed"

tcase "the reverse is widened"
ward diff --base "$TMP/narrowed.cedar" --head "$TMP/base.cedar" --format json
expect_status 0
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); ch=d["changes"]; assert ch and all(g["relation"]=="widened" for g in ch), ch' ||
	fail "json: widened"

tcase "ward check reports the relation of a condition change in its JSON cells"
git_() { git -C "$R" -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
cp "$TMP/base.cedar" "$P"
git_ init -q
git_ add -A
git_ commit -q -m base
cp "$TMP/narrowed.cedar" "$P"
ward check --base HEAD --format json
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
cells = d["entitlements"]["cells"]
assert cells and all(c["change"] == "~" and c["relation"] == "narrowed" for c in cells), cells
' || fail "check json: relation narrowed"
rm -rf .ward

finish
