#!/usr/bin/env bash
# t7200-check-intent: `ward check-intent`, the change against its requirement:
# privilege creep fails, under-grants are reported.
. "$(dirname "$0")/lib.sh"


REPO=${EXAMPLES:-$E2E_DIR/../../examples}/repo
R=$TMP/repo
cp -r "$REPO" "$R"
git_() { git -C "$R" -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "$@" >/dev/null 2>&1; }
git_ init -q
git_ add -A
git_ commit -q -m base
cd "$R" || exit 1

exact() {
	cat >policies/REQ-1042.cedar <<'P'
@id("REQ-1042")
@ticket("DATA-1042")
@justification("Build the revenue dashboard from staging payment data before the Q1 launch.")
@owner("data")
permit (
  principal == Human::"dave",
  action in [Action::"query"],
  resource == Database::"payments-staging"
)
when { resource.environment == "staging" }
when { context.mfa }
when { context.now < datetime("2027-02-28") };
P
}

tcase "a draft that grants exactly what was asked"
exact
ward check-intent requests/REQ-1042.yaml --base HEAD
expect_status 0
expect_err_empty
expect_out 'intent check REQ-1042 (DATA-1042): ok
granted by the change: 1 cells; requested: 1 cells, 1 allowed after the change'

tcase "privilege creep: wider subject, extra action, other resources and environments, missing constraint"
cat >policies/REQ-1042.cedar <<'P'
@id("REQ-1042")
permit (principal in Team::"data", action in [Action::"query", Action::"migrate"], resource is Database)
when { context.now < datetime("2027-02-28") };
P
ward check-intent requests/REQ-1042.yaml --base HEAD
expect_status 3
expect_out_has 'intent check REQ-1042 (DATA-1042): FAIL'
expect_out_has '  [action] Human::"dave" gains migrate, query on 3 Database: migrate was not requested'
expect_out_has '  [resource] Human::"dave" gains migrate, query on 3 Database: 2 resources outside Database::"payments-staging" (e.g. Database::"payments-dev")'
expect_out_has "  [environment] Human::\"dave\" gains migrate, query on 3 Database: 2 resources in environment 'dev', 'prod', the requirement is for 'staging'"
expect_out_has '  [constraint] Human::"dave" gains migrate, query on 3 Database: the condition lacks or weakens the requested constraint mfa (true)'

tcase "a weaker constraint value is creep; the subject widened to a team"
cat >policies/REQ-1042.cedar <<'P'
@id("REQ-1042")
permit (principal in Team::"payments", action == Action::"query", resource == Database::"payments-staging")
when { context.mfa && context.now < datetime("2027-12-31") };
P
ward check-intent requests/REQ-1042.yaml --base HEAD --format json
expect_status 3
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
kinds = sorted({c["kind"] for c in d["creep"]})
assert kinds == ["constraint", "subject"], kinds
assert any("expires (2027-02-28)" in c["message"] for c in d["creep"]), d["creep"]
assert d["ok"] is False
assert d["under_granted_total"] == 1 and "Human::\"dave\" query on Database::\"payments-staging\"" in d["under_granted"][0]["message"], d' ||
	fail "json"

tcase "nothing drafted yet: an under-grant, not a failure"
rm policies/REQ-1042.cedar
ward check-intent requests/REQ-1042.yaml --base HEAD
expect_status 0
expect_out_has 'under-granted (1):
  Human::"dave" query on Database::"payments-staging": requested, but not allowed after the change'

tcase "a requirement with errors is located"
printf 'id: REQ-9\nticket: T\njustification: j\nrequested_by: a@b\nowner: o\nsubject: {entity: Human::"nobody"}\nactions: [query]\nresource: {entity: Database::"payments-staging"}\nenvironment: staging\n' >"$TMP/bad.yaml"
ward check-intent "$TMP/bad.yaml" --base HEAD
expect_failure
expect_err_has "$TMP/bad.yaml:6:"

tcase "bad base revision"
exact
ward check-intent requests/REQ-1042.yaml --base nope
expect_failure
expect_err_has "'nope' is not a file, a directory or a revision"

finish
