#!/usr/bin/env bash
# t3000-check-parse: parsing checks of policies, schema, entities, expressions.
. "$(dirname "$0")/lib.sh"

tcase "everything parses: a summary per input, exit 0"
ward check-parse -p "$DATA/photos.cedar" -s "$DATA/photos.cedarschema" --entities "$DATA/entities.json"
expect_status 0
expect_err_empty
expect_out "$DATA/photos.cedar: 5 policies (4 permit, 1 forbid)
$DATA/photos.cedarschema: 4 entity types, 2 actions
$DATA/entities.json: 5 entities (+ 2 actions from the schema)"

tcase "the platform example parses"
ward check-parse -p "$EX/policies.cedar" -s "$EX/schema.cedarschema" --entities "$EX/entities.json"
expect_status 0
expect_err_empty
expect_out_has "11 policies (7 permit, 4 forbid)"

tcase "a JSON schema"
ward check-parse -s "$DATA/photos.cedarschema.json"
expect_status 0
expect_out "$DATA/photos.cedarschema.json: 4 entity types, 2 actions"

tcase "policies from standard input"
STDIN=$DATA/photos.cedar ward check-parse
expect_status 0
expect_out "<stdin>: 5 policies (4 permit, 1 forbid)"

tcase "an expression"
ward check-parse --expression 'principal.age > 3 && context has x'
expect_status 0
expect_out "<expression>: ok"

tcase "a bad expression"
ward check-parse --expression 'principal.age >'
expect_failure
expect_err_line "^<expression>:1:[0-9]+: error: "

tcase "syntax errors: every recoverable one reported, located, with carets"
ward check-parse -p "$DATA/bad-syntax.cedar"
expect_failure
expect_err_line "bad-syntax.cedar:2:[0-9]+: error: "
expect_err_line "bad-syntax.cedar:3:[0-9]+: error: "
expect_caret

tcase "errors in several inputs are all reported"
ward check-parse -p "$DATA/bad-syntax.cedar" -s "$DATA/bad-schema.cedarschema"
expect_status 1
expect_err_has "bad-syntax.cedar:"
expect_err_has "bad-schema.cedarschema:"

tcase "good policies and bad entities: exit 1, the good part summarised"
ward check-parse -p "$DATA/photos.cedar" --entities "$DATA/bad-entities-syntax.json"
expect_status 1
expect_out "$DATA/photos.cedar: 5 policies (4 permit, 1 forbid)"
expect_err_has "bad-entities-syntax.json"

tcase "templates are counted apart"
printf 'permit(principal == ?principal, action, resource);\npermit(principal, action, resource);\n' >"$TMP/t.cedar"
ward check-parse -p "$TMP/t.cedar"
expect_status 0
expect_out "$TMP/t.cedar: 1 policy (1 permit, 0 forbid), 1 template"

finish
