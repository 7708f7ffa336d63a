#!/usr/bin/env bash
# t9110-drift: `ward drift` over a decision log (written here with python3's
# sqlite3 following src/server/dlog.h; no server): grants never used and how
# many logged requests their scope covers, forbids never counted as grants,
# @expires against --now, policies that only errored, windows, output forms.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to write the decision log (scripts/install-deps installs it)" >&2; exit 1; }
mklog() { timeout 30 python3 "$E2E_DIR/mkdlog.py" "$@"; }

cd "$TMP" || exit 1
cat >schema.cedarschema <<'S'
entity Group;
entity User in [Group] { level?: Long };
entity Photo;
action view, edit appliesTo { principal: [User], resource: [Photo], context: {} };
S
cat >entities.json <<'E'
[{"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Group", "id": "editors"}]},
 {"uid": {"type": "Group", "id": "editors"}, "attrs": {}, "parents": []}]
E
cat >policies.cedar <<'P'
@id("view-all")
@ticket("T-1")
permit (principal, action == Action::"view", resource);

@id("alice-edit")
@requirement("REQ-7")
@ticket("T-2")
permit (principal == User::"alice", action == Action::"edit", resource);

@id("group-edit")
@requirement("REQ-8")
@ticket("T-3")
permit (principal in Group::"editors", action == Action::"edit", resource)
when { resource == Photo::"shared.jpg" };

@id("no-secret")
forbid (principal, action, resource == Photo::"secret.jpg");

@id("no-locked")
forbid (principal, action == Action::"edit", resource == Photo::"locked.jpg");

@id("temp")
@ticket("T-4")
@expires("2026-12-01")
permit (principal == User::"dave", action == Action::"view", resource == Photo::"never.jpg");

@id("flaky")
permit (principal, action == Action::"view", resource) when { principal.level > 3 };
P
cat >rows.jsonl <<'R'
["2026-11-01T10:00:00.000Z", "User::\"alice\"", "Action::\"view\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-01T11:00:00.000Z", "User::\"bob\"", "Action::\"view\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-02T10:00:00.000Z", "User::\"alice\"", "Action::\"edit\"", "Photo::\"a.jpg\"", "{}", "allow", ["alice-edit"], []]
["2026-11-02T11:00:00.000Z", "User::\"bob\"", "Action::\"edit\"", "Photo::\"a.jpg\"", "{}", "deny", [], []]
["2026-11-03T10:00:00.000Z", "User::\"alice\"", "Action::\"view\"", "Photo::\"secret.jpg\"", "{}", "deny", ["no-secret"], []]
["2026-11-03T11:00:00.000Z", "User::\"alice\"", "Action::\"edit\"", "Photo::\"b.jpg\"", "{}", "allow", ["alice-edit"], []]
["2026-11-05T10:00:00.000Z", "User::\"bob\"", "Action::\"view\"", "Photo::\"b.jpg\"", "{}", "allow", ["view-all"], ["flaky"]]
R
mklog log.db <rows.jsonl || { echo "FAIL: cannot write the decision log"; exit 1; }

tcase "unused grants, with the requests their scope covers; used permits and forbids not reported"
ward drift --log log.db -p policies.cedar -s schema.cedarschema --entities entities.json --now 2026-11-15
expect_status 3
expect_out_has "drift over 7 logged decisions; now 2026-11-15T00:00:00.000Z"
expect_out_has "grants never used: 3"
expect_out_has "  policies.cedar:10: permit 'group-edit': determined no allow; its scope covers 1 logged request
      @requirement(\"REQ-8\") @ticket(\"T-3\")"
expect_out_has "  policies.cedar:22: permit 'temp': determined no allow; its scope covers 0 logged requests (never even asked)"
expect_out_has "  policies.cedar:27: permit 'flaky': determined no allow; its scope covers 4 logged requests"
for used in view-all alice-edit no-secret no-locked; do
	case $out in *"'$used'"*) fail "'$used' is reported" ;; esac
done
expect_out_has "exceptions past their expiry: 0"
expect_out_has "policies that only errored: 1
  policies.cedar:27: permit 'flaky': errored in 1 logged decision and determined none"

tcase "without the entities, 'in' covers only the group itself"
ward drift --log log.db -p policies.cedar --now 2026-11-15
expect_status 3
expect_out_has "permit 'group-edit': determined no allow; its scope covers 0 logged requests (never even asked)"

tcase "past @expires with --now: reported at the annotation"
ward drift --log log.db -p policies.cedar --now 2026-12-02
expect_status 3
expect_out_has "exceptions past their expiry: 1
  policies.cedar:24: permit 'temp': expired on 2026-12-01"

tcase "@expires at exactly --now counts as expired"
ward drift --log log.db -p policies.cedar --now 2026-12-01T00:00:00Z
expect_out_has "exceptions past their expiry: 1"

tcase "not yet expired: not reported"
ward drift --log log.db -p policies.cedar --now 2026-11-30T23:59:59Z
expect_out_has "exceptions past their expiry: 0"

tcase "a window: a permit used only outside it is unused inside"
ward drift --log log.db -p policies.cedar --now 2026-11-15 --since 2026-11-02 --until 2026-11-04
expect_status 3
expect_out_has "drift over 4 logged decisions (window 2026-11-02T00:00:00.000Z .. 2026-11-04T00:00:00.000Z)"
expect_out_has "permit 'view-all': determined no allow; its scope covers 1 logged request"
case $out in *"'alice-edit'"*) fail "alice-edit is used in the window" ;; esac
expect_out_has "policies that only errored: 0"

tcase "nothing found: exit 0"
cat >clean.cedar <<'P'
@id("view-all")
permit (principal, action == Action::"view", resource);
@id("alice-edit")
permit (principal == User::"alice", action == Action::"edit", resource);
@id("no-locked")
forbid (principal, action == Action::"edit", resource == Photo::"locked.jpg");
@id("later")
@expires("2027-06-30")
forbid (principal, action, resource == Photo::"old.jpg");
P
ward drift --log log.db -p clean.cedar --now 2026-11-15
expect_status 0
expect_out_has "grants never used: 0"
expect_out_has "exceptions past their expiry: 0"

tcase "JSON"
ward drift --log log.db -p policies.cedar -s schema.cedarschema --entities entities.json --now 2026-12-02 --format json
expect_status 3
printf '%s' "$out" >drift.json
python3 - drift.json <<'PY' || fail "JSON report differs"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["decisions"] == 7 and r["now"] == "2026-12-02T00:00:00.000Z", r
un = {u["policy"]: u for u in r["unused_grants"]}
assert sorted(un) == ["flaky", "group-edit", "temp"], un
assert un["group-edit"]["covered_requests"] == 1 and un["temp"]["covered_requests"] == 0
assert un["group-edit"]["annotations"]["requirement"] == "REQ-8"
assert un["group-edit"]["file"] == "policies.cedar" and un["group-edit"]["line"] == 10
assert [e["policy"] for e in r["expired"]] == ["temp"] and r["expired"][0]["expires"] == "2026-12-01"
assert [e["policy"] for e in r["only_errors"]] == ["flaky"] and r["only_errors"][0]["errors"] == 1
PY

tcase "SARIF"
ward drift --log log.db -p policies.cedar --now 2026-12-02 --format sarif
expect_status 3
printf '%s' "$out" >drift.sarif
python3 - drift.sarif <<'PY' || fail "SARIF report differs"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["version"] == "2.1.0"
res = r["runs"][0]["results"]
ids = sorted((x["ruleId"], x["properties"]["policy"]) for x in res)
assert ids == [("expired", "temp"), ("only-errors", "flaky"), ("unused-grant", "flaky"),
               ("unused-grant", "group-edit"), ("unused-grant", "temp")], ids
loc = res[0]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "policies.cedar" and loc["region"]["startLine"] >= 1
PY

tcase "an unreadable @expires is a finding"
printf '@id("odd")\n@expires("next tuesday")\nforbid (principal, action, resource == Photo::"x");\n' >odd.cedar
ward drift --log log.db -p odd.cedar --now 2026-11-15
expect_status 3
expect_out_has "odd.cedar:2: forbid 'odd': cannot read @expires(\"next tuesday\") as a date"

tcase "an empty window: every grant is unused, with a note"
ward drift --log log.db -p clean.cedar --now 2026-11-15 --since 2027-01-01
expect_status 3
expect_out_has "note: the window holds no decisions"
expect_out_has "grants never used: 2"

tcase "--repo: the repository's policies and entities"
mkdir -p repo/policies repo/entities
cp schema.cedarschema repo/
cp policies.cedar repo/policies/
cp entities.json repo/entities/
printf 'environments: [prod]\n' >repo/ward.yaml
ward drift --log log.db --repo repo --now 2026-11-15
expect_status 3
expect_out_has "repo/policies/policies.cedar:10: permit 'group-edit': determined no allow; its scope covers 1 logged request"

tcase "bad inputs: exit 1"
ward drift --log missing.db -p policies.cedar
expect_failure
expect_err_has "'missing.db'"
ward drift --log log.db -p policies.cedar --now soon
expect_failure
expect_err_has "invalid value 'soon' for '--now'"
echo "garbage" >corrupt.db
ward drift --log corrupt.db -p policies.cedar
expect_failure
expect_err_has "'corrupt.db' is not a decision log"

finish
