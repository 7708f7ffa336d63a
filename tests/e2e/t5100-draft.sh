#!/usr/bin/env bash
# t5100-draft: `ward draft` renders requirements through approved templates
# only; every malformed requirement, repository file or template gets a
# located error, exit 1, and no output file.
. "$(dirname "$0")/lib.sh"

R=$TMP/repo
"$WARD" init "$R" >/dev/null || { echo "init failed"; exit 1; }
export WARD_USER=tester@example.com

# req NAME: writes stdin to $R/requests/NAME.yaml
req() { cat >"$R/requests/$1.yaml"; }
# base FIELDS...: a valid requirement with some lines replaced (sed expressions)
base() {
	sed "$@" <<'YAML'
id: REQ-2000
ticket: DATA-2000
justification: Quarterly revenue report needs read access to staging payments.
requested_by: dave@example.com
owner: data
subject:
  entity: Human::"dave"
actions: [query]
resource:
  entity: Database::"payments-staging"
environment: staging
constraints:
  expires: 2027-02-28
YAML
}

tcase "draft to standard output, with traceability annotations"
ward draft "$R/requests/REQ-1042.yaml"
expect_status 0
expect_err_empty
expect_out_has '@id("REQ-1042")'
expect_out_has '@ticket("DATA-1042")'
expect_out_has '@justification("Build the revenue dashboard from staging payment data before the Q1 launch.")'
expect_out_has '@owner("data")'
expect_out_has '@requested_by("dave@example.com")'
expect_out_has '@drafted_by("tester@example.com")'
expect_out_has '@template("db-query")'
expect_out_has '@expires("2027-02-28")'
expect_out_has 'principal == Human::"dave",'
expect_out_has 'when { context.mfa == true }'

tcase "the draft validates and formats canonically"
echo "$out" >"$TMP/d.cedar"
ward validate -s "$R/schema.cedarschema" -p "$TMP/d.cedar"
expect_status 0

tcase "--out writes the draft; a second run refuses to overwrite; --force does"
ward draft "$R/requests/REQ-1042.yaml" --out "$TMP/out.cedar"
expect_status 0
expect_err_has "drafted 'REQ-1042' from template 'db-query' (medium risk)"
[ -f "$TMP/out.cedar" ] || fail "no output file"
ward draft "$R/requests/REQ-1042.yaml" --out "$TMP/out.cedar"
expect_failure
expect_err_has "already exists; refusing to overwrite it"
ward draft "$R/requests/REQ-1042.yaml" --out "$TMP/out.cedar" --force
expect_status 0

tcase "a named template that does not fit: the reason"
ward draft "$R/requests/REQ-1042.yaml" --template object-read --out "$TMP/nofit.cedar"
expect_failure
expect_err_has "template 'object-read' does not fit requirement 'REQ-1042': its resource scope does not take one entity"
[ -e "$TMP/nofit.cedar" ] && fail "output written"

tcase "an unknown template is named with the list"
ward draft "$R/requests/REQ-1042.yaml" --template admin-all
expect_failure
expect_err_has "no approved template 'admin-all'; the repository has: break-glass-backup, ci-artifacts-read"

tcase "no template fits: the nearest ones and why"
base -e 's/^  expires: 2027-02-28/  time_window: {start: "08:00", end: "18:00"}/' | req nofit
ward draft "$R/requests/nofit.yaml" --out "$TMP/nofit.cedar"
expect_failure
expect_err_has "no approved template fits requirement 'REQ-2000'"
expect_err_has "- 'db-query' (medium risk): it does not support the constraint 'time_window'"
[ -e "$TMP/nofit.cedar" ] && fail "output written"

tcase "a type-wide subject drafts through the entity-type template"
cat <<'YAML' | req citype
id: REQ-2001
ticket: PLAT-1
justification: Every CI job reads the shared build cache bucket in dev.
requested_by: alice@example.com
owner: platform
subject:
  type: CiJob
actions: [read]
resource:
  in: Bucket::"kb-dev"
environment: dev
YAML
ward draft "$R/requests/citype.yaml"
expect_status 0
expect_out_has 'principal is CiJob,'
expect_out_has '@template("ci-artifacts-read")'

tcase "JSON requirements are accepted"
cat >"$R/requests/json.json" <<'JSON'
{"id": "REQ-2002", "ticket": "PAY-9", "justification": "Invoice export to the data lake for finance.",
 "requested_by": "bob@example.com", "owner": "payments",
 "subject": {"entity": "ServiceAccount::\"billing-exporter\""}, "actions": ["read"],
 "resource": {"in": "Bucket::\"invoices-dev\""}, "environment": "dev"}
JSON
ward draft "$R/requests/json.json"
expect_status 0
expect_out_has '@id("REQ-2002")'

# bad NAME EXPECTED-REGEX: the requirement fails with a located error
bad() {
	ward draft "$R/requests/$1.yaml" --out "$TMP/$1.cedar"
	expect_failure
	expect_err_line "$2"
	[ -e "$TMP/$1.cedar" ] && fail "output written"
	ls "$TMP" | grep -q "$1.cedar.ward" && fail "temporary file left"
	true
}
P="requests"

tcase "YAML syntax error"
printf 'id: REQ-1\nticket: [unclosed\njustification: x\n' | req syntax
bad syntax "$R/$P/syntax.yaml:[0-9]+:[0-9]+: error: invalid YAML"
expect_caret

tcase "duplicate key"
printf 'id: A\nid: B\n' | req dup
bad dup "$R/$P/dup.yaml:2:1: error: duplicate key 'id'"

tcase "unknown field, with a suggestion"
base -e 's/^owner: data/ownr: data/' | req field
bad field "$R/$P/field.yaml:5:1: error: unknown field 'ownr' in a requirement; did you mean 'owner'\?"

tcase "missing ticket"
base -e '/^ticket:/d' | req noticket
bad noticket "$R/$P/noticket.yaml:1:1: error: missing 'ticket': every requirement needs one"

tcase "empty justification"
base -e 's/^justification: .*/justification: ""/' | req nojust
bad nojust "$R/$P/nojust.yaml:3:16: error: 'justification' is empty"

tcase "unknown entity type, with a suggestion"
base -e 's/Human::"dave"/Humen::"dave"/' | req type
bad type "$R/$P/type.yaml:7:11: error: unknown entity type 'Humen'; did you mean 'Human'\?"
expect_caret

tcase "unknown entity id, with a suggestion"
base -e 's/Human::"dave"/Human::"davd"/' | req id
bad id "$R/$P/id.yaml:7:11: error: unknown entity Human::\"davd\" \(not in the entity snapshot\); did you mean Human::\"dave\"\?"

tcase "malformed entity"
base -e 's/Human::"dave"/dave/' | req uid
bad uid "$R/$P/uid.yaml:7:11: error: invalid entity 'dave'; write it as Type::\"id\""

tcase "unknown action"
base -e 's/\[query\]/[query, qeury]/' | req action
bad action "$R/$P/action.yaml:8:18: error: unknown action 'qeury'; did you mean 'query'\?"

tcase "action that does not apply to the resource"
base -e 's/\[query\]/[deploy]/' | req applies
bad applies "$R/$P/applies.yaml:8:11: error: action 'deploy' does not apply to resources of type 'Database'"

tcase "unknown environment"
base -e 's/^environment: staging/environment: stage/' | req env
bad env "$R/$P/env.yaml:11:14: error: unknown environment 'stage'; ward.yaml defines: dev, staging, prod"

tcase "resource in another environment"
base -e 's/^environment: staging/environment: prod/' | req envmismatch
bad envmismatch "$R/$P/envmismatch.yaml:11:14: error: Database::\"payments-staging\" is in environment 'staging', not 'prod'"

tcase "unknown constraint kind, with a suggestion"
base -e 's/^  expires:/  expire:/' | req ckind
bad ckind "$R/$P/ckind.yaml:13:3: error: unknown constraint kind 'expire'; did you mean 'expires'\?"

tcase "bad constraint value types"
base -e 's/^  expires: .*/  expires: next week/' | req cexp
bad cexp "$R/$P/cexp.yaml:13:12: error: 'expires' must be a date or an instant"
base -e 's/^  expires: .*/  source_networks: [10.0.0.0\/8, not-a-network]/' | req cnet
bad cnet "$R/$P/cnet.yaml:13:33: error: 'source_networks' must list IP networks"
base -e 's/^  expires: .*/  source_networks: [0.0.0.0\/0]/' | req cworld
bad cworld "allows every address; leave the constraint out instead"
base -e 's/^  expires: .*/  time_window: {start: "18:00", end: "08:00"}/' | req ctw
bad ctw "$R/$P/ctw.yaml:13:16: error: 'time_window' must end after it starts"
base -e 's/^  expires: .*/  mfa: yes please/' | req cbool
bad cbool "$R/$P/cbool.yaml:13:8: error: 'mfa' must be true or false"

tcase "an exception must expire"
base -e 's/^owner: data/owner: data\nkind: exception/' -e '/^constraints:/d' -e '/^  expires:/d' | req exc
bad exc "error: a exception must expire"

tcase "a secret in a requirement is an error and is never printed"
key="AKIA""Q7N4HX2LW9RT5ZK3"
base -e "s/^justification: .*/justification: Needs access, the key is $key for now./" | req secret
bad secret "$R/$P/secret.yaml:3:[0-9]+: error: AWS access key id in the requirement"
expect_err_has "********************"
expect_err_lacks "$key"
expect_err_has "AKIAQ...(20 chars)"

tcase "no repository"
mkdir -p "$TMP/empty"
cp "$R/requests/REQ-1042.yaml" "$TMP/empty/"
ward draft "$TMP/empty/REQ-1042.yaml"
expect_failure
expect_err_has "no ward.yaml found"

tcase "a bad ward.yaml is located"
cp -r "$R" "$TMP/r2"
sed -i 's/^environments:/enviroments:/' "$TMP/r2/ward.yaml"
ward draft "$TMP/r2/requests/REQ-1042.yaml"
expect_failure
expect_err_line "$TMP/r2/ward.yaml:[0-9]+:1: error: unknown field 'enviroments' in ward.yaml; did you mean 'environments'\?"

tcase "a high-risk resource of no schema type is located"
cp -r "$R" "$TMP/r8"
sed -i 's/^  - Secret$/  - Secrt/' "$TMP/r8/ward.yaml"
ward draft "$TMP/r8/requests/REQ-1042.yaml"
expect_failure
expect_err_line "$TMP/r8/ward.yaml:[0-9]+:5: error: high-risk resource 'Secrt' does not name an entity type"

tcase "a model API key in ward.yaml is refused"
cp -r "$R" "$TMP/r3"
sed -i 's/^  name: local-model/  name: local-model\n  api_key: sk-abc/' "$TMP/r3/ward.yaml"
ward draft "$TMP/r3/requests/REQ-1042.yaml"
expect_failure
expect_err_has "unknown field 'api_key' in 'model'"

tcase "a broken template is located and blocks drafting"
cp -r "$R" "$TMP/r4"
sed -i 's/@param_environment("environment")/@param_environment("enviroment")/' "$TMP/r4/templates/db-query.cedar"
ward draft "$TMP/r4/requests/REQ-1042.yaml" --out "$TMP/r4.cedar"
expect_failure
expect_err_line "$TMP/r4/templates/db-query.cedar:[0-9]+:1: error: unknown parameter type 'enviroment' for 'environment'"
[ -e "$TMP/r4.cedar" ] && fail "output written"

tcase "an undeclared template parameter is located"
cp -r "$R" "$TMP/r5"
sed -i 's/resource.environment == \$environment/resource.environment == $env/' "$TMP/r5/templates/db-query.cedar"
ward templates check --repo "$TMP/r5"
expect_failure
expect_err_line "$TMP/r5/templates/db-query.cedar:[0-9]+:[0-9]+: error: parameter 'env' is not declared"
expect_caret

tcase "a template that does not validate against the schema"
cp -r "$R" "$TMP/r6"
sed -i 's/resource.environment == \$environment/resource.enviroment == $environment/' "$TMP/r6/templates/db-query.cedar"
ward templates check --repo "$TMP/r6"
expect_failure
expect_err_has "template 'db-query' does not validate against the schema"

tcase "a secret in a template is located, masked, and blocks drafting"
cp -r "$R" "$TMP/r7"
tok="ghp_""aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"
sed -i "s|^// One identity may query one database.|// One identity may query one database. ci token $tok|" "$TMP/r7/templates/db-query.cedar"
ward draft "$TMP/r7/requests/REQ-1042.yaml" --out "$TMP/r7.cedar"
expect_failure
expect_err_line "^$TMP/r7/templates/db-query.cedar:1:50: error: GitHub token in a template \\(ghp_aB...\\(40 chars\\)\\)"
expect_err_lacks "$tok"
[ -e "$TMP/r7.cedar" ] && fail "output written"

finish
