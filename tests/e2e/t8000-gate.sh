#!/usr/bin/env bash
# t8000-gate: `ward keygen`, `ward approve` and `ward check` on real git
# repositories: verdicts and exit codes, separation of duties, approvals
# bound to the change's content, rules taken from the base revision, and the
# attacks (forged, replayed, wrong role, self-approval, weakened ward.yaml).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gate_lib.sh"
gate_require_commands
export NO_COLOR=1

R=$TMP/repo
gate_repo "$R"
cd "$R" || exit 1

tcase "keygen writes a 0600 private key and refuses to overwrite it"
ward keygen --name dan@example.com --out "$TMP/k2"
expect_status 0
expect_out_has "public key:  ed25519:"
[ "$(stat -c %a "$TMP/k2/dan@example.com.key")" = 600 ] || fail "private key mode is not 0600"
ward keygen --name dan@example.com --out "$TMP/k2"
expect_failure
expect_err_has "already exists"

tcase "keygen refuses model identities"
ward keygen --name model:local-model --out "$TMP/k2"
expect_failure
expect_err_has "models can never approve"

tcase "keygen refuses a private key readable by others when signing"
cp "$TMP/k2/dan@example.com.key" "$TMP/k2/open.key"
chmod 644 "$TMP/k2/open.key"
ward approve --key "$TMP/k2/open.key"
expect_failure
expect_err_has "accessible by others"

tcase "no change: PASS"
ward check
expect_status 0
expect_out_has "ward check: PASS"
expect_out_has "0 changed file(s)"

req_1050 "$R"
WARD_USER=alice@example.com "$WARD" draft requests/REQ-1050.yaml -o policies/REQ-1050.cedar 2>/dev/null ||
	fail "draft failed"
git add -A && git_as "Alice Admin" alice@example.com commit -qm "REQ-1050"

tcase "a production grant needs a platform approval"
ward check
expect_status 4
expect_out_has "ward check: NEEDS-APPROVAL"
expect_out_has "[production] policies/REQ-1050.cedar"
expect_out_has "MISSING 0 of 1 by platform"
expect_out_has "entitlements: 4 gained, 0 lost, 0 changed"

tcase "the requester cannot approve her own change"
ward approve --key "$KEYS/alice@example.com.key" --role platform
expect_failure
expect_err_has "refused: 'alice@example.com' is an author, requester or drafter"
[ ! -d approvals ] || [ -z "$(ls approvals)" ] || fail "a refused approval was written"

tcase "a role the reviewer does not hold is refused"
ward approve --key "$KEYS/erin@example.com.key" --role platform
expect_failure
expect_err_has "does not hold the role 'platform'"

tcase "an expired key is refused"
ward approve --key "$KEYS/olga@example.com.key"
expect_failure
expect_err_has "the key of reviewer 'olga@example.com' expired at 2020-01-01T00:00:00Z"

tcase "an approval in a role nobody asked for does not count"
ward approve --key "$KEYS/erin@example.com.key" -m "security looked"
expect_status 0
ward check
expect_status 4
expect_out_has "as security: not-needed"
rm -f approvals/*erin*

tcase "a platform reviewer approves: PASS"
ward approve --key "$KEYS/carol@example.com.key" -m "kb-prod holds public docs"
expect_status 0
expect_out_has "approved change"
expect_out_has "as platform (carol@example.com)"
ward check
expect_status 0
expect_out_has "ward check: PASS"
expect_out_has "ok      1 of 1 by platform"
expect_out_has "by carol@example.com as platform: valid"

tcase "any edit of the change voids the approval"
sed -i 's/Index the production/Index  the production/' policies/REQ-1050.cedar
ward check
expect_status 4
expect_out_has "other-change - signed for another change"
git checkout -q policies/REQ-1050.cedar
ward check
expect_status 0

tcase "an uncommitted extra file is part of the change"
mkdir -p docs && echo "# note" >docs/notes.md
ward check
expect_status 4
expect_out_has "3 changed file(s)"
rm -r docs
ward check
expect_status 0

tcase "a forged approval (role edited after signing) blocks"
A=$(ls approvals/*carol*)
cp "$A" "$TMP/approval.bak"
sed -i 's/"comment": "kb-prod holds public docs"/"comment": "anything goes"/' "$A"
ward check
expect_status 3
expect_out_has "[forged-approval]"
expect_out_has "forged or altered"
cp "$TMP/approval.bak" "$A"

tcase "a signature made with another key is forged"
python3 - "$A" "$TMP/k2/dan@example.com.key" <<'PY' || fail "python failed"
import json, sys
a = json.load(open(sys.argv[1]))
k = json.load(open(sys.argv[2]))
a["public_key"] = k["public_key"]
a["signature"] = "A" * 86 + "=="
json.dump(a, open(sys.argv[1], "w"))
PY
ward check
expect_status 3
expect_out_has "forged-approval"
cp "$TMP/approval.bak" "$A"

tcase "a malformed approval file gets a clear message and is ignored"
echo '{"format": "ward-approval-v1", "change": 5}' >approvals/junk.json
ward check
expect_status 0
expect_out_has "[approval-invalid] approvals/junk.json"
expect_out_has "'change' must be a string"
rm approvals/junk.json

tcase "the approval of one change is not accepted for another (replay)"
git checkout -q main
git checkout -qb other
req_1050 "$R"
sed -i 's/10.30.0.0/10.31.0.0/' requests/REQ-1050.yaml
WARD_USER=alice@example.com "$WARD" draft requests/REQ-1050.yaml -o policies/REQ-1050.cedar 2>/dev/null
mkdir -p approvals
cp "$TMP/approval.bak" approvals/replayed.json
ward check
expect_status 4
expect_out_has "signed for another change"
rm -rf approvals requests/REQ-1050.yaml policies/REQ-1050.cedar

tcase "a change that weakens ward.yaml is judged by the base's rules"
git checkout -q change
cat >>ward.yaml <<'EOF'
  mallory@example.com:
    roles: [platform]
    public_key: ed25519:eLaPQrY3rW/+u3aEEHhmKy0XgZ2nNKlHQ2TgDR44mSk=
EOF
sed -i 's/^  production: \[platform\]/  production: ~/' ward.yaml
rm -rf approvals
ward check
expect_status 4
expect_out_has "[config-change] ward.yaml"
expect_out_has "judged by the base revision's rules"
expect_out_has "lowers the approvals 'production' needs from 1 to 0"
expect_out_has "adds reviewer 'mallory@example.com', who cannot approve this change"
expect_out_has "MISSING 0 of 1 by platform"
git checkout -q ward.yaml
mkdir -p approvals && cp "$TMP/approval.bak" approvals/carol.json

tcase "a membership added to the entity snapshot: its access gains shown, high-risk ones need security"
python3 - <<'PY'
import json
p = "entities/platform.json"
es = json.load(open(p))
for e in es:
    if e["uid"] == {"type": "ServiceAccount", "id": "metrics-collector"}:
        e["parents"].append({"type": "Team", "id": "sre"})
json.dump(es, open(p, "w"), indent=2)
PY
ward check --base HEAD
expect_status 4
expect_out_has "ward check: NEEDS-APPROVAL"
expect_out_has '[config-change] entities/platform.json: the entity snapshot changed: ServiceAccount::"metrics-collector" joins Team::"sre"'
expect_out_has 'access changes by 2 gained and 0 lost (action, resource) pairs'
expect_out_has 'ServiceAccount::"metrics-collector" gains Action::"delete_backup" on Backup::"payments-prod-nightly" when context.break_glass && context.mfa'
expect_out_has "MISSING 0 of 1 by security (high-risk-resource: entity snapshot)"
git checkout -q entities/platform.json

tcase "an over-broad model draft is BLOCKED with the creep shown"
cat >policies/REQ-1050.cedar <<'EOF'
@id("REQ-1050")
@ticket("PLAT-1050")
@justification("Index the production knowledge base for the search service.")
@owner("platform")
@requested_by("alice@example.com")
@drafted_by("model:local-model")
permit (
  principal in Team::"platform",
  action in [Action::"read", Action::"list", Action::"write"],
  resource in Bucket::"kb-prod"
)
when { resource.environment == "prod" }
when { context.source_ip.isInRange(ip("10.30.0.0/16")) };
EOF
ward check
expect_status 3
expect_out_has "ward check: BLOCKED"
expect_out_has "[creep] policies/REQ-1050.cedar: privilege creep (subject): policy 'REQ-1050' grants more than requirement REQ-1050 asks"
expect_out_has "[creep] policies/REQ-1050.cedar: privilege creep (action): policy 'REQ-1050' grants more than requirement REQ-1050 asks"
expect_out_has "write was not requested"
expect_out_has "[non-template]"
expect_out_has "[model-drafted]"
expect_out_has "action not requested"

tcase "missing traceability and a secret block"
cat >policies/extra.cedar <<'EOF'
// key: AKIAQ3EGVKZMRXTP4W7N
@id("extra")
permit (principal == CiJob::"docs-build", action == Action::"read", resource in Bucket::"kb-dev");
EOF
ward check
expect_status 3
expect_out_has "[traceability] policies/extra.cedar:2:1: policy 'extra' has no @ticket"
expect_out_has "[secret] policies/extra.cedar:1:9: AWS access key id found: AKIA"
case $out in *AKIAQ3EGVKZMRXTP4W7N*) fail "the secret is printed in full" ;; esac
rm policies/extra.cedar
git checkout -q policies/REQ-1050.cedar

tcase "a break-glass rule without expiry blocks; removing a guardrail needs two security approvals"
cat >policies/bg.cedar <<'EOF'
@id("bg")
@ticket("INC-1")
@justification("incident")
@owner("sre")
@kind("break-glass")
permit (principal in Team::"sre", action == Action::"restore_backup", resource in Database::"payments-staging")
when { context.break_glass };
EOF
sed -i '/^@id("guardrail-agents-no-secrets")/,/^);/d' policies/guardrails.cedar
ward check --format json
expect_status 3
python3 -c '
import json, sys
d = json.load(sys.stdin)
codes = {f["code"] for f in d["findings"]}
assert d["verdict"] == "BLOCKED", d["verdict"]
assert "break-glass-expiry" in codes and "break-glass" in codes, codes
assert "forbid-weakened" in codes, codes
sec = [n for n in d["required_approvals"] if n["role"] == "security"]
assert sec and sec[0]["count"] == 2, d["required_approvals"]
' <<<"$out" || fail "json report lacks the expected findings"
git checkout -q policies/guardrails.cedar
rm policies/bg.cedar

tcase "report formats: json, markdown, sarif, html"
ward check --format json
expect_status 0
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict"]=="PASS" and d["exit_code"]==0 and len(d["change"])==64' <<<"$out" ||
	fail "bad json"
ward check --format sarif
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["version"]=="2.1.0" and d["runs"][0]["tool"]["driver"]["name"]=="ward"' <<<"$out" ||
	fail "bad sarif"
ward check --format markdown
expect_out_has "## ward check: **PASS**"
expect_out_has "| platform | 1 | 1 |"
ward check --format html --out "$TMP/page.html"
expect_status 0
expect_out_empty
grep -q 'id="verdict" class="verdict PASS"' "$TMP/page.html" || fail "html lacks the verdict"
grep -Eq '(src|href)="https?:' "$TMP/page.html" && fail "the html page fetches from the network"
ward check --html "$TMP/page2.html"
[ -s "$TMP/page2.html" ] || fail "--html wrote nothing"

tcase "could not run: not a git repository, unknown base, malformed base ward.yaml"
mkdir "$TMP/nogit" && "$WARD" init "$TMP/nogit" >/dev/null
(cd "$TMP/nogit" && "$WARD" check >"$TMP/out" 2>"$TMP/err")
status=$?
err=$(cat "$TMP/err")
expect_status 1
expect_err_has "is not inside a git repository"
ward check --base no-such-branch
expect_status 1
expect_err_has "unknown revision 'no-such-branch'"
git checkout -q main
echo "reviewers: [oops" >>ward.yaml
git_as "Alice Admin" alice@example.com commit -qam broken
git checkout -q change
ward check
expect_status 1
expect_err_has "the base revision's ward.yaml is malformed"

finish
