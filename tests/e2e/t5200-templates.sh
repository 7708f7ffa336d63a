#!/usr/bin/env bash
# t5200-templates: the template-instance check. Drafted policies match and
# name their template and parameter values; any edit that leaves the
# template's shape (an extra condition, a wider scope, an action or value
# the template does not offer, a dropped required condition) is rejected.
. "$(dirname "$0")/lib.sh"

R=$TMP/repo
"$WARD" init "$R" >/dev/null || { echo "init failed"; exit 1; }
P=$R/policies/REQ-1001.cedar

# edit NAME SED: a copy of REQ-1001 edited by SED
edit() { sed "$2" "$P" >"$TMP/$1.cedar"; }
rejects() {
	ward templates match --repo "$R" "$TMP/$1.cedar"
	expect_failure
	expect_err_line "^$TMP/$1.cedar:1:1: error: policy 'REQ-1001' is not an approved template instance: $2"
}

tcase "a drafted policy matches and names every value"
ward templates match --repo "$R" "$P"
expect_status 0
expect_out "$P: policy 'REQ-1001' is an instance of template 'object-read' (low risk)
  ?principal = ServiceAccount::\"billing-exporter\"
  ?resource = Bucket::\"invoices-prod\"
  actions = [Action::\"read\", Action::\"list\"]
  environment = \"prod\"
  source_networks = ip(\"10.20.0.0/16\"), ip(\"10.21.0.0/16\")
  time_window_start = duration(\"1h\")
  time_window_end = duration(\"5h\")"

tcase "annotations are not part of the shape"
edit noannos '/^@/d'
ward templates match --repo "$R" "$TMP/noannos.cedar"
expect_status 0
expect_out_has "is an instance of template 'object-read'"

tcase "an extra condition"
edit extra 's/^when { resource.environment == "prod" }/when { resource.environment == "prod" }\nwhen { context.mfa || true }/'
rejects extra "it claims template 'object-read' but it has a condition the template does not have"

tcase "a widened condition"
edit widened 's/resource.environment == "prod"/resource.environment == "prod" || true/'
rejects widened "it claims template 'object-read' but"

tcase "an environment ward.yaml does not define"
edit env 's/resource.environment == "prod"/resource.environment == "qa"/'
rejects env "it claims template 'object-read' but 'qa' is not an environment of ward.yaml"

tcase "an action the template does not offer"
edit action 's/Action::"list"/Action::"delete"/'
rejects action "it claims template 'object-read' but action 'delete' is not one the template offers"

tcase "a wider principal scope"
edit scope 's/principal == ServiceAccount::"billing-exporter"/principal in Team::"payments"/'
rejects scope "it claims template 'object-read' but its principal scope has a different shape"

tcase "an unconstrained resource"
edit res 's/resource in Bucket::"invoices-prod"/resource/'
rejects res "it claims template 'object-read' but its resource scope has a different shape"

tcase "a forbid is not a permit template"
edit forbid 's/^permit (/forbid (/'
rejects forbid "it claims template 'object-read' but it is a forbid, the template a permit"

tcase "dropping the required environment condition"
edit noenv '/^when { resource.environment == "prod" }$/d'
rejects noenv "it claims template 'object-read' but"

tcase "an invented template name"
edit invented 's/@template("object-read")/@template("admin-all")/'
ward templates match --repo "$R" "$TMP/invented.cedar"
expect_status 0
expect_out_has "is an instance of template 'object-read'"
edit invented2 's/@template("object-read")/@template("admin-all")/;s/resource.environment == "prod"/true/'
rejects invented2 "it claims template 'admin-all', which is not an approved template, and matches no other"

tcase "an optional block may be absent, a required one not"
ward templates match --repo "$R" "$R/policies/REQ-1003.cedar"
expect_status 0
expect_out_has "expires = datetime(\"2027-03-31\")"
sed -e '/context.now < datetime/d' -e 's/^when { context.break_glass \&\& context.mfa }$/&;/' "$R/policies/REQ-1004.cedar" >"$TMP/bg.cedar"
ward templates match --repo "$R" "$TMP/bg.cedar"
expect_failure
expect_err_has "it claims template 'break-glass-backup' but it lacks the template's condition #3"

tcase "where templates are required, the error says why"
sed 's/ip("10.20.0.0\/16")/ip("0.0.0.0\/1")/;s/isInRange/isLoopback() || context.source_ip.isInRange/' \
	"$R/policies/REQ-1005.cedar" >"$TMP/secret.cedar"
ward templates match --repo "$R" "$TMP/secret.cedar"
expect_failure
expect_err_has "(the repository requires one here: it reaches high-risk resource 'Secret')"

tcase "a policy file that does not parse"
printf 'permit(principal ==, action, resource);\n' >"$TMP/syntax.cedar"
ward templates match --repo "$R" "$TMP/syntax.cedar"
expect_failure
expect_err_line "^$TMP/syntax.cedar:1:[0-9]+: error: "

tcase "usage errors"
ward templates match --repo "$R"
expect_failure
expect_err_has "'match' needs policy files"
ward templates frob --repo "$R"
expect_failure
expect_err_has "unknown subcommand 'frob'"

finish
