#!/usr/bin/env bash
# t3100-formats: ward format, translate-policy, translate-schema and link on
# the real binary: canonical layout with comments kept, --check / --write,
# Cedar <-> JSON both ways giving the same decisions, schema translation, and
# template links; each bad input gives a located error and writes nothing.
. "$(dirname "$0")/lib.sh"

POL=$DATA/photos.cedar
SCHEMA=$DATA/photos.cedarschema
req=(-l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"' --entities "$DATA/entities.json")

tcase "format prints the canonical layout, keeps comments, and is idempotent"
printf '// leading comment\n@id("a")   permit(principal==User::"alice",action,resource)when{ resource.private // why\n};\n' >"$TMP/messy.cedar"
ward format -p "$TMP/messy.cedar"
expect_status 0
expect_out_has '// leading comment'
expect_out_has '// why'
expect_out_has 'principal == User::"alice",'
printf '%s\n' "$out" >"$TMP/once.cedar"
ward format -p "$TMP/once.cedar"
expect_out "$(cat "$TMP/once.cedar")"

tcase "format --check lists files that would change; --write rewrites them"
cp "$TMP/messy.cedar" "$TMP/w.cedar"
ward format --check "$TMP/w.cedar" "$TMP/once.cedar"
expect_status 1
expect_out_has "w.cedar"
case $out in *once.cedar*) fail "--check lists an already formatted file" ;; esac
ward format --write "$TMP/w.cedar"
expect_status 0
cmp -s "$TMP/w.cedar" "$TMP/once.cedar" || fail "--write did not produce the canonical layout"
ward format --check "$TMP/w.cedar"
expect_status 0

tcase "format of a file with a syntax error is a located error and writes nothing"
printf 'permit(principal, action, resource) when { 1 + };\n' >"$TMP/bad.cedar"
cp "$TMP/bad.cedar" "$TMP/bad.orig"
ward format --write "$TMP/bad.cedar"
expect_failure
expect_err_line 'bad.cedar:1:[0-9]+: error'
cmp -s "$TMP/bad.cedar" "$TMP/bad.orig" || fail "a file that does not parse was rewritten"

tcase "translate-policy: Cedar -> JSON -> Cedar keeps the decisions"
ward translate-policy --direction cedar-to-json -p "$POL"
expect_status 0
printf '%s\n' "$out" >"$TMP/p.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "staticPolicies" in d' "$TMP/p.json" ||
	fail "the JSON form has no staticPolicies"
ward translate-policy --direction json-to-cedar -p "$TMP/p.json"
expect_status 0
printf '%s\n' "$out" >"$TMP/p2.cedar"
for file in "$POL" "$TMP/p.json" "$TMP/p2.cedar"; do
	ward authorize -p "$file" "${req[@]}" --format json
	case $status in 0 | 2) ;; *) fail "$file: no decision: $err" ;; esac
	printf '%s %s\n' "$status" "$out" >>"$TMP/decisions"
done
[ "$(sort -u "$TMP/decisions" | wc -l)" = 1 ] || fail "decisions differ: $(cat "$TMP/decisions")"

tcase "translate-policy: malformed JSON policies name the JSON path"
printf '{"staticPolicies": {"p": {"effect": "permit", "principal": {"op": "All"}, "action": {"op": "All"}, "resource": {"op": "All"}, "conditions": [{"kind": "when", "body": {"==": {"left": {"Value": 1}, "rigth": {"Value": 2}}}}]}}}\n' >"$TMP/badp.json"
ward translate-policy --direction json-to-cedar -p "$TMP/badp.json"
expect_failure
expect_out_empty
expect_err_has "rigth"

tcase "translate-schema: Cedar -> JSON -> Cedar validates the same"
ward translate-schema --direction cedar-to-json -s "$SCHEMA"
expect_status 0
printf '%s\n' "$out" >"$TMP/s.json"
ward translate-schema --direction json-to-cedar -s "$TMP/s.json"
expect_status 0
printf '%s\n' "$out" >"$TMP/s2.cedarschema"
ward validate -p "$POL" -s "$SCHEMA"
v1=$status
ward validate -p "$POL" -s "$TMP/s2.cedarschema"
expect_status "$v1"
ward validate -p "$POL" -s "$TMP/s.json"
expect_status "$v1"

tcase "translate-schema: a bad schema is a located error"
ward translate-schema --direction cedar-to-json -s "$DATA/bad-schema.cedarschema"
expect_failure
expect_out_empty
expect_err_line 'bad-schema.cedarschema:[0-9]+:[0-9]+: error'

tcase "link: a template linked into a new policy decides under its own id"
cat >"$TMP/tpl.cedar" <<'EOT'
@id("album-viewers")
permit(principal == ?principal, action == Action::"view", resource in ?resource);
EOT
ward link -p "$TMP/tpl.cedar" --template-id album-viewers --new-id alice-albums \
	--arguments '{"?principal": "User::\"alice\"", "?resource": {"type": "Album", "id": "alice-album"}}' -k "$TMP/links.json"
expect_status 0
[ -s "$TMP/links.json" ] || fail "no links file written"
ward authorize -p "$TMP/tpl.cedar" -k "$TMP/links.json" "${req[@]}" --format json
expect_status 0
expect_out_has '"reasons":["alice-albums"]'

tcase "link: missing, extra or ill-typed slots and unknown templates are errors"
ward link -p "$TMP/tpl.cedar" --template-id album-viewers --new-id x --arguments '{"?principal": "User::\"alice\""}'
expect_failure
expect_err_has "?resource"
ward link -p "$TMP/tpl.cedar" --template-id album-viewers --new-id x \
	--arguments '{"?principal": "User::\"a\"", "?resource": "Album::\"b\"", "?other": "X::\"y\""}'
expect_failure
ward link -p "$TMP/tpl.cedar" --template-id album-viewers --new-id x --arguments '{"?principal": 5, "?resource": "Album::\"b\""}'
expect_failure
ward link -p "$TMP/tpl.cedar" --template-id nope --new-id x --arguments '{"?principal": "User::\"a\"", "?resource": "Album::\"b\""}'
expect_failure
expect_err_has "nope"

finish
