#!/usr/bin/env bash
# t1100-authorize-batch: --requests, JSON Lines and arrays, malformed entries.
. "$(dirname "$0")/lib.sh"

in=(-p "$DATA/photos.cedar" --entities "$DATA/entities.json")

tcase "JSON Lines: one result per request, malformed ones get an error object"
ward authorize "${in[@]}" --requests "$DATA/batch.jsonl"
expect_status 1
expect_err_empty
[ "$(printf '%s\n' "$out" | wc -l)" = 5 ] || fail "expected 5 output lines"
line() { printf '%s\n' "$out" | sed -n "$1p"; }
[ "$(line 1)" = '{"decision":"allow","reasons":["alice-views-own"],"errors":[]}' ] || fail "line 1: $(line 1)"
[ "$(line 2)" = '{"decision":"deny","reasons":["no-private"],"errors":[]}' ] || fail "line 2: $(line 2)"
case $(line 3) in '{"error":"'*'batch.jsonl:4:'*'invalid JSON'*'"}') ;; *) fail "line 3: $(line 3)" ;; esac
case $(line 4) in '{"error":"'*'batch.jsonl:5'*'"}') ;; *) fail "line 4: $(line 4)" ;; esac
[ "$(line 5)" = '{"decision":"deny","reasons":[],"errors":[]}' ] || fail "line 5: $(line 5)"

tcase "JSON array, all well-formed: exit 0"
ward authorize "${in[@]}" --requests "$DATA/batch-array.json" --format json
expect_status 0
expect_out '{"decision":"allow","reasons":["alice-views-own"],"errors":[]}
{"decision":"allow","reasons":["policy2"],"errors":[]}'
expect_err_empty

tcase "text format batch"
ward authorize "${in[@]}" --requests "$DATA/batch.jsonl" --format text
expect_status 1
expect_out_has "request 1: ALLOW
  determined by: alice-views-own"
expect_out_has "request 3: ERROR"
expect_out_has "request 5: DENY"

tcase "an array that is not valid JSON: located error, nothing decided"
ward authorize "${in[@]}" --requests "$DATA/batch-broken.json"
expect_failure
expect_err_line "batch-broken.json:3:[0-9]+: error: invalid JSON"
expect_caret

tcase "an empty batch"
: >"$TMP/empty.jsonl"
ward authorize "${in[@]}" --requests "$TMP/empty.jsonl"
expect_status 0
expect_out_empty

tcase "a batch entry that is not an object"
printf '42\n"x"\n' >"$TMP/scalars.jsonl"
ward authorize "${in[@]}" --requests "$TMP/scalars.jsonl"
expect_status 1
[ "$(printf '%s\n' "$out" | grep -c '^{"error":')" = 2 ] || fail "expected 2 error objects"

tcase "a batch validated against a schema"
printf '%s\n' '{"principal": "User::\"alice\"", "action": "Action::\"nope\"", "resource": "Photo::\"beach.jpg\"", "context": {}}' \
	'{"principal": "User::\"alice\"", "action": "Action::\"view\"", "resource": "Photo::\"beach.jpg\"", "context": {}}' \
	>"$TMP/schema.jsonl"
ward authorize "${in[@]}" -s "$DATA/photos.cedarschema" --requests "$TMP/schema.jsonl"
expect_status 1
case $out in '{"error":"'*'schema.jsonl:1'*) ;; *) fail "first line should be an error" ;; esac
expect_out_has '{"decision":"allow","reasons":["alice-views-own"],"errors":[]}'

tcase "--requests conflicts with a single request"
ward authorize "${in[@]}" --requests "$DATA/batch.jsonl" -l 'User::"alice"'
expect_failure
expect_err_has "cannot be combined"

tcase "--requests with a missing file"
ward authorize "${in[@]}" --requests "$TMP/nope.jsonl"
expect_failure
expect_err_has "cannot read"

tcase "the platform example batch"
ward authorize -p "$EX/policies.cedar" -s "$EX/schema.cedarschema" --entities "$EX/entities.json" \
	--requests "$EX/requests.jsonl"
expect_status 1
[ "$(printf '%s\n' "$out" | wc -l)" = 9 ] || fail "expected 9 output lines"
[ "$(printf '%s\n' "$out" | grep -c '"decision":"allow"')" = 6 ] || fail "expected 6 allows"
[ "$(printf '%s\n' "$out" | grep -c '^{"error":')" = 1 ] || fail "expected 1 error"

finish
