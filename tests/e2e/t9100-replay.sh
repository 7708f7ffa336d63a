#!/usr/bin/env bash
# t9100-replay: `ward replay`, a candidate policy set decided against the
# requests of a decision log (written here with python3's sqlite3 following
# src/server/dlog.h; no server): unchanged, removed and widened grants
# grouped by action and policy, unreplayable rows, windows, JSON, bad logs.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to write the decision log (scripts/install-deps installs it)" >&2; exit 1; }
mklog() { timeout 30 python3 "$E2E_DIR/mkdlog.py" "$@"; }

cd "$TMP" || exit 1
cat >schema.cedarschema <<'S'
entity Group;
entity User in [Group];
entity Photo;
action view, edit appliesTo { principal: [User], resource: [Photo], context: {} };
S
cat >base.cedar <<'P'
@id("view-all")
permit (principal, action == Action::"view", resource);

@id("alice-edit")
permit (principal == User::"alice", action == Action::"edit", resource);

@id("no-secret")
forbid (principal, action, resource == Photo::"secret.jpg");
P
# what the base policies decided, as `ward serve` would have logged it
cat >rows.jsonl <<'R'
["2026-11-01T10:00:00.000Z", "User::\"alice\"", "Action::\"view\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-01T11:00:00.000Z", "User::\"bob\"", "Action::\"view\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-02T10:00:00.000Z", "User::\"alice\"", "Action::\"edit\"", "Photo::\"a.jpg\"", "{}", "allow", ["alice-edit"], []]
["2026-11-02T11:00:00.000Z", "User::\"bob\"", "Action::\"edit\"", "Photo::\"a.jpg\"", "{}", "deny", [], []]
["2026-11-03T10:00:00.000Z", "User::\"alice\"", "Action::\"view\"", "Photo::\"secret.jpg\"", "{}", "deny", ["no-secret"], []]
["2026-11-03T11:00:00.000Z", "User::\"alice\"", "Action::\"edit\"", "Photo::\"b.jpg\"", "{}", "allow", ["alice-edit"], []]
R
mklog log.db <rows.jsonl || { echo "FAIL: cannot write the decision log"; exit 1; }

tcase "the policies that were logged: nothing changes, exit 0"
ward replay --log log.db -p base.cedar -s schema.cedarschema
expect_status 0
expect_out "replayed 6 of 6 logged decisions
  unchanged       6
  allow -> deny   0
  deny -> allow   0
  now erroring    0
  not replayable  0"
expect_err_empty

tcase "a draft that removes a grant: allow -> deny, grouped by action, exit 3"
sed '/alice-edit/,+1d' base.cedar >nogrant.cedar
grep -q alice nogrant.cedar && fail "fixture: the grant was not removed"
ward replay --log log.db -p nogrant.cedar -s schema.cedarschema
expect_status 3
expect_out_has "  unchanged       4
  allow -> deny   2
  deny -> allow   0"
expect_out_has 'allow -> deny: 2 requests of action Action::"edit" that were allowed are now denied by default (no permit applies)'
expect_out_has "  were allowed by: alice-edit (2)"
expect_out_has '  #3 2026-11-02T10:00:00.000Z  User::"alice" Action::"edit" Photo::"a.jpg"'
expect_out_has '  #6 2026-11-03T11:00:00.000Z  User::"alice" Action::"edit" Photo::"b.jpg"'
expect_out_has "      was: alice-edit; now: none"

tcase "a draft that widens and adds a forbid: one group per direction and policy"
cp base.cedar wide.cedar
cat >>wide.cedar <<'P'

@id("edit-all")
permit (principal, action == Action::"edit", resource);

@id("no-bob")
forbid (principal == User::"bob", action == Action::"view", resource);
P
ward replay --log log.db -p wide.cedar -s schema.cedarschema
expect_status 3
expect_out_has "  unchanged       4 (2 with other determining policies)
  allow -> deny   1
  deny -> allow   1"
expect_out_has 'deny -> allow: policy edit-all now allows 1 request of action Action::"edit" that was denied'
expect_out_has "  were denied by: no policy applied (1)"
expect_out_has 'allow -> deny: policy no-bob now denies 1 request of action Action::"view" that was allowed'
expect_out_has "      was: view-all; now: no-bob"

tcase "JSON: the counts and the groups"
ward replay --log log.db -p wide.cedar -s schema.cedarschema --format json
expect_status 3
printf '%s' "$out" >replay.json
python3 - replay.json <<'PY' || fail "JSON report differs"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["counts"]
assert (c["rows"], c["replayed"], c["unchanged"], c["allow_to_deny"], c["deny_to_allow"],
        c["not_replayable"], c["reasons_changed"]) == (6, 6, 4, 1, 1, 0, 2), c
g = {(x["change"], x["action"], tuple(x["policies"])): x for x in r["groups"]}
a = g[("deny->allow", 'Action::"edit"', ("edit-all",))]
assert a["count"] == 1 and a["samples"][0]["id"] == 4, a
assert a["samples"][0]["old_reasons"] == [] and a["samples"][0]["new_reasons"] == ["edit-all"], a
d = g[("allow->deny", 'Action::"view"', ("no-bob",))]
assert d["was_determined_by"] == [{"policies": ["view-all"], "count": 1}], d
assert d["samples"][0]["principal"] == 'User::"bob"' and d["samples"][0]["context"] == {}, d
assert r["window"] == {"since": None, "until": None}
PY

tcase "--since / --until: only the window is replayed"
ward replay --log log.db -p nogrant.cedar -s schema.cedarschema --since 2026-11-02 --until 2026-11-03
expect_status 3
expect_out_has "replayed 2 of 2 logged decisions (window 2026-11-02T00:00:00.000Z .. 2026-11-03T00:00:00.000Z)"
expect_out_has "  allow -> deny   1"
expect_out_has "#3 "
case $out in *"#6 "*) fail "row 6 is outside the window" ;; esac

tcase "a window without the changed rows: exit 0"
ward replay --log log.db -p nogrant.cedar --until 2026-11-02T00:00:00Z
expect_status 0
expect_out_has "replayed 2 of 2 logged decisions"

tcase "--since with an offset is compared in UTC"
ward replay --log log.db -p nogrant.cedar --since "2026-11-03T12:30:00+02:00"
expect_status 3
expect_out_has "replayed 1 of 1 logged decisions (window 2026-11-03T10:30:00.000Z .. end)"

tcase "--limit: the oldest N decisions of the window"
ward replay --log log.db -p nogrant.cedar --limit 3
expect_status 3
expect_out_has "replayed 3 of 3 logged decisions"
expect_out_has "  allow -> deny   1"

tcase "a policy erroring now is reported, the decision unchanged"
cp base.cedar flaky.cedar
printf '\n@id("flaky")\npermit (principal, action == Action::"view", resource) when { principal.level > 3 };\n' >>flaky.cedar
ward replay --log log.db -p flaky.cedar -s schema.cedarschema
expect_status 0
expect_out_has "  now erroring    3"
expect_out_has "  flaky: 3 requests (first #1): "

# rows that are no longer valid requests
cp rows.jsonl bad.jsonl
cat >>bad.jsonl <<'R'
["2026-11-04T10:00:00.000Z", "User::alice", "Action::\"view\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-04T11:00:00.000Z", "Robot::\"r2\"", "Action::\"view\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-04T12:00:00.000Z", "User::\"alice\"", "Action::\"view\"", "Photo::\"a.jpg\"", "not json", "allow", ["view-all"], []]
["2026-11-04T13:00:00.000Z", "User::\"alice\"", "Action::\"delete\"", "Photo::\"a.jpg\"", "{}", "allow", ["view-all"], []]
["2026-11-04T14:00:00.000Z", "Robot::\"r3\"", "Action::\"view\"", "Photo::\"b.jpg\"", "{}", "allow", ["view-all"], []]
R
mklog bad.db <bad.jsonl

tcase "unreplayable rows are counted by reason, not fatal"
ward replay --log bad.db -p base.cedar -s schema.cedarschema
expect_status 0
expect_out_has "replayed 6 of 11 logged decisions"
expect_out_has "  not replayable  5"
expect_out_has "  2 (first #8): principal type 'Robot' is not declared in the schema"
expect_out_has '  1 (first #7): principal: invalid entity uid "User::alice"'
expect_out_has "  1 (first #9): the logged context is not valid JSON: "
expect_out_has "  1 (first #10): action Action::\"delete\" is not declared in the schema"
expect_err_has "warning: 5 logged decisions could not be replayed"

tcase "without the schema, a type it would reject is replayed"
ward replay --log bad.db -p base.cedar --format json
printf '%s' "$out" >bad.json
python3 - bad.json <<'PY' || fail "JSON report differs"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["counts"]
assert (c["rows"], c["replayed"], c["not_replayable"]) == (11, 9, 2), c
reasons = sorted(x["reason"].split(":")[0] for x in r["not_replayable"])
assert reasons == ["principal", "the logged context is not valid JSON"], reasons
PY

tcase "a missing log: exit 1 naming the file"
ward replay --log missing.db -p base.cedar
expect_failure
expect_err_has "'missing.db'"

tcase "a file that is not a database: exit 1 naming the file"
echo "not a database at all, just text" >corrupt.db
ward replay --log corrupt.db -p base.cedar
expect_failure
expect_err_has "'corrupt.db' is not a decision log"

tcase "a log of another schema version: exit 1"
mklog v2.db --user-version 2 </dev/null
ward replay --log v2.db -p base.cedar
expect_failure
expect_err_has "'v2.db' has schema version 2"

tcase "candidate policies that do not parse: exit 1"
printf 'permit (principal, action, resource' >broken.cedar
ward replay --log log.db -p broken.cedar
expect_failure

tcase "a bad --since: exit 1"
ward replay --log log.db -p base.cedar --since yesterday
expect_failure
expect_err_has "invalid value 'yesterday' for '--since'"

tcase "no --log: exit 1"
ward replay -p base.cedar
expect_failure
expect_err_has "--log"

tcase "--repo: the repository's policies, schema and entities"
mkdir -p repo/policies
cp schema.cedarschema repo/
cp nogrant.cedar repo/policies/
printf 'environments: [prod]\n' >repo/ward.yaml
ward replay --log log.db --repo repo
expect_status 3
expect_out_has "  allow -> deny   2"

finish
