#!/usr/bin/env bash
# t5000-init: `ward init` creates the example policy repository, refuses to
# overwrite one, and the example is coherent: its templates check, every
# requirement drafts to exactly the policy committed for it, and every
# policy is an instance of an approved template (except the guardrails).
. "$(dirname "$0")/lib.sh"

R=$TMP/repo

tcase "init creates the repository"
ward init "$R"
expect_status 0
expect_out_has "created a policy repository in $R"
for f in ward.yaml schema.cedarschema entities/platform.json templates/object-read.cedar \
	requests/REQ-1042.yaml policies/guardrails.cedar tests/guardrails.yaml; do
	[ -f "$R/$f" ] || fail "missing $f"
done

tcase "the created repository is the example, byte for byte"
diff -r "$R" "${EXAMPLES:-$E2E_DIR/../../examples}/repo" >/dev/null || fail "differs from examples/repo"

tcase "init refuses an existing repository and writes nothing"
before=$(find "$R" -type f | sort | xargs cat | cksum)
ward init "$R"
expect_failure
expect_err_has "already holds a policy repository"
after=$(find "$R" -type f | sort | xargs cat | cksum)
[ "$before" = "$after" ] || fail "files changed"

tcase "init refuses a directory with one colliding file, writes nothing"
mkdir -p "$TMP/partial/templates"
echo keep >"$TMP/partial/templates/object-read.cedar"
ward init "$TMP/partial"
expect_failure
expect_err_has "templates/object-read.cedar' already exists"
[ "$(find "$TMP/partial" -type f | wc -l)" = 1 ] || fail "init wrote files next to the collision"
[ "$(cat "$TMP/partial/templates/object-read.cedar")" = keep ] || fail "collision overwritten"

tcase "templates check"
cd "$R"
ward templates check
cd - >/dev/null
expect_status 0
expect_out "8 templates ok"

tcase "templates list names risk, kinds and parameters"
ward templates list --repo "$R"
expect_status 0
expect_out_has "break-glass-backup (critical risk; break-glass)"
expect_out_has "expires: datetime"
expect_out_has "source_networks: ip-ranges?"

for n in 1001 1002 1003 1004 1005; do
	tcase "REQ-$n drafts to the committed policy"
	who=$(sed -n 's/^requested_by: //p' "$R/requests/REQ-$n.yaml")
	ward draft --drafted-by "$who" "$R/requests/REQ-$n.yaml"
	expect_status 0
	[ "$out" = "$(cat "$R/policies/REQ-$n.cedar")" ] || fail "draft differs from policies/REQ-$n.cedar"
done

tcase "every drafted policy is a template instance; guardrails are not"
cd "$R"
ward templates match policies/REQ-100*.cedar
expect_status 0
expect_out_has "policy 'REQ-1004' is an instance of template 'break-glass-backup' (critical risk)"
expect_out_has '  expires = datetime("2027-01-01T00:00:00Z")'
ward templates match policies/guardrails.cedar
cd - >/dev/null
expect_status 1
expect_err_line "^policies/guardrails.cedar:3:1: error: policy 'guardrail-prod-backup-delete' is not an approved template instance"

tcase "the example holds no secrets"
ward scan "$R"
expect_status 0

finish
