#!/usr/bin/env bash
# t8100-ledger: every `ward check` appends to the hash-chained evidence
# ledger; `ward ledger verify` detects edited, deleted and reordered entries;
# `ward ledger export` writes the evidence bundle of one change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gate_lib.sh"
gate_require_commands
export NO_COLOR=1

R=$TMP/repo
gate_repo "$R"
cd "$R" || exit 1
req_1050 "$R"
WARD_USER=alice@example.com "$WARD" draft requests/REQ-1050.yaml -o policies/REQ-1050.cedar 2>/dev/null ||
	fail "draft failed"
DB=$R/.ward/ledger.db

# sqlite STATEMENT: runs SQL on the ledger file directly (the attacker).
sqlite() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' "$DB" "$1"; }

tcase "verify before any check: no ledger yet"
ward ledger verify
expect_failure
expect_err_has "cannot open the ledger"

tcase "each check appends an entry; the ledger is private"
for i in 1 2 3; do "$WARD" check >/dev/null; done
ward approve --key "$KEYS/carol@example.com.key"
"$WARD" check >/dev/null
ward ledger verify
expect_status 0
expect_out_has "intact, 4 entries"
expect_out_line() { :; }
[ "$(stat -c %a "$DB")" = 600 ] || fail "ledger mode is not 0600"
[ "$(stat -c %a "$R/.ward")" = 700 ] || fail "ledger directory mode is not 0700"
HEAD=$(printf '%s\n' "$out" | sed -n 's/^head //p')
[ ${#HEAD} = 64 ] || fail "no head hash printed"

tcase "list shows the verdicts"
ward ledger list
expect_status 0
expect_out_has "NEEDS-APPROVAL"
expect_out_has "PASS"

tcase "export writes the evidence bundle"
CH=$("$WARD" check --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["change"])')
ward ledger export --change "${CH:0:12}" --out "$TMP/bundle"
expect_status 0
expect_out_has "evidence.json"
python3 - "$TMP/bundle/evidence.json" <<'PY' || fail "evidence.json is not as expected"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "ward-evidence-v1"
v = [e["verdict"] for e in d["entries"]]
assert v[0] == "NEEDS-APPROVAL" and v[-1] == "PASS", v
assert all(len(e["hash"]) == 64 for e in d["entries"])
c = d["controls"]
assert c["production"]["owasp_nhi_top10"].startswith("NHI8"), c
assert "PR.AA-05" in c["approvals"]["nist_csf_2"], c
assert c["approvals"]["nist_ai_rmf"], c
assert d["entries"][-1]["report"]["verdict"] == "PASS"
PY
grep -q "OWASP NHI Top 10" "$TMP/bundle/review.html" || fail "review.html lacks the controls mapping"
grep -q "NIST AI RMF" "$TMP/bundle/review.html" || fail "review.html lacks NIST AI RMF"

tcase "export refuses to overwrite, and an unknown change"
ward ledger export --change "${CH:0:12}" --out "$TMP/bundle"
expect_failure
expect_err_has "refusing to overwrite"
ward ledger export --change deadbeefdeadbeef --out "$TMP/b2"
expect_failure
expect_err_has "no ledger entry for change 'deadbeefdeadbeef'"
[ ! -e "$TMP/b2" ] || fail "a failed export left files"
ward ledger export --change xyz --out "$TMP/b2"
expect_failure
expect_err_has "at least 8 lowercase hex digits"

cp "$DB" "$TMP/good.db"

tcase "an edited entry is detected"
sqlite "UPDATE entries SET verdict='PASS' WHERE seq=2"
ward ledger verify
expect_status 3
expect_out_has "TAMPERED"
expect_out_has "entry 2: its contents do not match its hash: the entry was edited"
cp "$TMP/good.db" "$DB"

tcase "a deleted entry is detected"
sqlite "DELETE FROM entries WHERE seq=2"
ward ledger verify
expect_status 3
expect_out_has "entry 3: expected entry 2 here"
cp "$TMP/good.db" "$DB"

tcase "reordered entries are detected"
sqlite "UPDATE entries SET seq=100 WHERE seq=1; UPDATE entries SET seq=1 WHERE seq=2; UPDATE entries SET seq=2 WHERE seq=100"
ward ledger verify
expect_status 3
expect_out_has "entry 1: does not link to the entry before it"
cp "$TMP/good.db" "$DB"

tcase "truncation with the meta row rewritten is caught by the recorded head"
sqlite "DELETE FROM entries WHERE seq>=4; UPDATE meta SET value=(SELECT hash FROM entries WHERE seq=3) WHERE key='head'; UPDATE meta SET value='3' WHERE key='count'"
ward ledger verify
expect_status 0
ward ledger verify --head "$HEAD"
expect_status 3
expect_out_has "is not in the ledger"
cp "$TMP/good.db" "$DB"
ward ledger verify --head "$HEAD"
expect_status 0

tcase "a ledger writable by others is refused"
chmod 666 "$DB"
ward check
expect_status 1
expect_err_has "writable by others"
chmod 600 "$DB"

tcase "a file that is not a ledger"
echo "not sqlite" >"$TMP/x.db"
chmod 600 "$TMP/x.db"
ward ledger verify --ledger "$TMP/x.db"
expect_failure
expect_err_has "is not a ward evidence ledger"

tcase "unknown subcommand"
ward ledger frobnicate
expect_failure
expect_err_has "unknown ledger subcommand 'frobnicate'"

finish
