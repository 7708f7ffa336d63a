#!/usr/bin/env bash
# t2000-evaluate: `ward evaluate` values, requests, entities and errors.
. "$(dirname "$0")/lib.sh"

tcase "arithmetic"
ward evaluate '1 + 2 * 3'
expect_status 0
expect_out "7"
expect_err_empty

tcase "strings print in Cedar syntax"
ward evaluate '"a\"b"'
expect_status 0
expect_out '"a\"b"'

tcase "sets, records and extension values"
ward evaluate '{a: [3, 1, 1], b: ip("10.0.0.1"), c: decimal("1.5")}'
expect_status 0
expect_out '{"a": [1, 3], "b": ip("10.0.0.1"), "c": decimal("1.5000")}'

tcase "entity hierarchy from --entities"
ward evaluate --entities "$DATA/entities.json" 'User::"alice" in Group::"users"'
expect_status 0
expect_out "true"

tcase "entity attributes"
ward evaluate --entities "$DATA/entities.json" 'Photo::"beach.jpg".size + 1'
expect_status 0
expect_out "11"

tcase "request variables from -l/-a/-r/-c"
ward evaluate --entities "$DATA/entities.json" -l 'User::"carol"' -a 'Action::"edit"' -r 'Photo::"beach.jpg"' \
	-c "$DATA/ctx-mfa.json" 'principal == User::"carol" && context.mfa && resource.private == false'
expect_status 0
expect_out "true"

tcase "request from --request-json"
ward evaluate --request-json "$DATA/req-carol-edit-mfa.json" 'action'
expect_status 0
expect_out 'Action::"edit"'

tcase "with a schema"
ward evaluate -s "$DATA/photos.cedarschema" --entities "$DATA/entities.json" \
	--request-json "$DATA/req-alice-view.json" 'resource in Album::"alice-album"'
expect_status 0
expect_out "true"

tcase "evaluation error: overflow"
ward evaluate '9223372036854775807 + 1'
expect_failure
expect_err_has "overflow"

tcase "evaluation error: missing attribute"
ward evaluate --entities "$DATA/entities.json" 'User::"alice".age'
expect_failure
expect_err_has "age"

tcase "syntax error: located, with a caret"
ward evaluate '1 + (2 *'
expect_failure
expect_err_line "^<expression>:1:[0-9]+: error: "
expect_caret

tcase "a variable without a request"
ward evaluate 'principal'
expect_failure
expect_err_has "no request was given"

tcase "missing expression"
ward evaluate
expect_failure
expect_err_has "missing argument"

tcase "two expressions"
ward evaluate '1' '2'
expect_failure
expect_err_has "unexpected argument '2'"

finish
