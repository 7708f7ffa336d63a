#!/usr/bin/env bash
# t1000-authorize: single requests, decisions, exit codes, text and JSON.
. "$(dirname "$0")/lib.sh"

in=(-p "$DATA/photos.cedar" --entities "$DATA/entities.json")

tcase "allow (text): decision and determining policy, exit 0"
ward authorize "${in[@]}" -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_status 0
expect_out "ALLOW
  determined by: alice-views-own"
expect_err_empty

tcase "deny by a forbid (text), exit 2"
ward authorize "${in[@]}" -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"secret.jpg"'
expect_status 2
expect_out "DENY
  determined by: no-private"
expect_err_empty

tcase "deny by default (text), exit 2"
ward authorize "${in[@]}" -l 'User::"carol"' -a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_status 2
expect_out "DENY
  no policy applied (denied by default)"

tcase "allow (json)"
ward authorize "${in[@]}" -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"' --format json
expect_status 0
expect_out '{"decision":"allow","reasons":["alice-views-own"],"errors":[]}'
expect_err_empty

tcase "deny (json), exit 2"
ward authorize "${in[@]}" -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"secret.jpg"' --format=json
expect_status 2
expect_out '{"decision":"deny","reasons":["no-private"],"errors":[]}'

tcase "erroring policy is reported and does not apply (json)"
ward authorize "${in[@]}" -l 'User::"carol"' -a 'Action::"edit"' -r 'Photo::"beach.jpg"' --format json
expect_status 2
expect_out_has '{"decision":"deny","reasons":[],"errors":[{"policy":"overflow","message":"'
expect_err_empty

tcase "allow despite an erroring policy (text)"
ward authorize "${in[@]}" -l 'User::"bob"' -a 'Action::"edit"' -r 'Photo::"beach.jpg"'
expect_status 0
expect_out_has "ALLOW
  determined by: policy2
  error in overflow: "

tcase "long option names"
ward authorize --policies "$DATA/photos.cedar" --entities "$DATA/entities.json" \
	--principal 'User::"alice"' --action 'Action::"view"' --resource 'Photo::"beach.jpg"'
expect_status 0
expect_out_has "ALLOW"

tcase "option=value and -xVALUE forms"
ward authorize --policies="$DATA/photos.cedar" --entities="$DATA/entities.json" \
	-l'User::"alice"' -a'Action::"view"' -r'Photo::"beach.jpg"'
expect_status 0
expect_out_has "ALLOW"

tcase "-v and -t are accepted; timing goes to stderr only"
ward authorize "${in[@]}" -v -t -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_status 0
expect_out "ALLOW
  determined by: alice-views-own"
expect_err_has "authorization time"

tcase "--request-json with uid strings"
ward authorize "${in[@]}" --request-json "$DATA/req-alice-view.json"
expect_status 0
expect_out_has "determined by: alice-views-own"

tcase "--request-json with uid objects and a context"
ward authorize "${in[@]}" --request-json "$DATA/req-carol-edit-mfa.json" --format json
expect_status 0
expect_out_has '"decision":"allow","reasons":["mfa-edit"]'

tcase "-c context file"
ward authorize "${in[@]}" -l 'User::"carol"' -a 'Action::"edit"' -r 'Photo::"beach.jpg"' -c "$DATA/ctx-mfa.json"
expect_status 0
expect_out_has "determined by: mfa-edit"

tcase "with a schema in the Cedar format"
ward authorize "${in[@]}" -s "$DATA/photos.cedarschema" -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_status 0
expect_out_has "determined by: alice-views-own"

tcase "with a schema in the JSON format (detected)"
ward authorize "${in[@]}" --schema "$DATA/photos.cedarschema.json" -l 'User::"alice"' -a 'Action::"view"' \
	-r 'Photo::"secret.jpg"'
expect_status 2
expect_out_has "determined by: no-private"

tcase "--schema-format json"
ward authorize "${in[@]}" -s "$DATA/photos.cedarschema.json" --schema-format json -l 'User::"alice"' \
	-a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_status 0

tcase "request not valid for the schema"
ward authorize "${in[@]}" -s "$DATA/photos.cedarschema" -l 'User::"alice"' -a 'Action::"delete"' -r 'Photo::"beach.jpg"'
expect_failure
expect_err_has "delete"

tcase "--request-validation false skips schema validation of the request"
ward authorize "${in[@]}" -s "$DATA/photos.cedarschema" --request-validation false -l 'User::"alice"' \
	-a 'Action::"delete"' -r 'Photo::"beach.jpg"'
expect_status 2
expect_out_has "DENY"

tcase "policies from standard input when -p is absent"
STDIN=$DATA/photos.cedar ward authorize --entities "$DATA/entities.json" -l 'User::"alice"' -a 'Action::"view"' \
	-r 'Photo::"beach.jpg"'
expect_status 0
expect_out_has "determined by: alice-views-own"

tcase "no entities: an empty store"
ward authorize -p "$DATA/photos.cedar" -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_status 2
expect_out_has "DENY"

tcase "no request at all"
ward authorize "${in[@]}"
expect_failure
expect_err_has "no request given"

tcase "an incomplete request"
ward authorize "${in[@]}" -l 'User::"alice"' -a 'Action::"view"'
expect_failure
expect_err_has "principal, action and resource"

tcase "--request-json conflicts with -l"
ward authorize "${in[@]}" --request-json "$DATA/req-alice-view.json" -l 'User::"alice"'
expect_failure
expect_err_has "cannot be combined"

tcase "the platform example: guardrail forbid overrides a permit"
ward authorize -p "$EX/policies.cedar" -s "$EX/schema.cedarschema" --entities "$EX/entities.json" \
	--request-json "$EX/requests/agent-reads-secret.json"
expect_status 2
expect_out "DENY
  determined by: guardrail-agents-no-secrets"

finish
