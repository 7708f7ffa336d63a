#!/usr/bin/env bash
# t4000-bad-input: every kind of bad input gets a clear error on stderr,
# exit 1 and an empty stdout; nothing crashes or hangs.
. "$(dirname "$0")/lib.sh"

req=(-l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"')
ents=(--entities "$DATA/entities.json")

tcase "policy syntax error: file:line:col, source line and caret"
ward authorize -p "$DATA/bad-syntax.cedar" "${ents[@]}" "${req[@]}"
expect_failure
expect_err_line "^$DATA/bad-syntax.cedar:2:[0-9]+: error: "
expect_caret

tcase "schema syntax error (Cedar format)"
ward authorize -p "$DATA/photos.cedar" -s "$DATA/bad-schema.cedarschema" "${ents[@]}" "${req[@]}"
expect_failure
expect_err_line "^$DATA/bad-schema.cedarschema:[0-9]+:[0-9]+: error: "
expect_caret

tcase "schema that is not valid JSON"
ward authorize -p "$DATA/photos.cedar" -s "$DATA/bad-schema.json" "${ents[@]}" "${req[@]}"
expect_failure
expect_err_has "bad-schema.json"

tcase "entities that are not valid JSON"
ward authorize -p "$DATA/photos.cedar" --entities "$DATA/bad-entities-syntax.json" "${req[@]}"
expect_failure
expect_err_line "bad-entities-syntax.json:3:[0-9]+"

tcase "entities of a type the schema does not declare"
ward authorize -p "$DATA/photos.cedar" -s "$DATA/photos.cedarschema" --entities "$DATA/bad-entities-unknown.json" "${req[@]}"
expect_failure
expect_err_has "Camera"

tcase "entity attribute of the wrong type for the schema"
ward authorize -p "$DATA/photos.cedar" -s "$DATA/photos.cedarschema" --entities "$DATA/bad-entities-type.json" "${req[@]}"
expect_failure
expect_err_has "private"

tcase "request JSON syntax error: located"
ward authorize -p "$DATA/photos.cedar" "${ents[@]}" --request-json "$DATA/bad-request-syntax.json"
expect_failure
expect_err_line "^$DATA/bad-request-syntax.json:2:[0-9]+: error: invalid JSON"
expect_caret

tcase "request with a malformed uid"
ward authorize -p "$DATA/photos.cedar" "${ents[@]}" --request-json "$DATA/bad-request-uid.json"
expect_failure
expect_err_has "invalid request in '$DATA/bad-request-uid.json'"

tcase "malformed uid on the command line"
ward authorize -p "$DATA/photos.cedar" "${ents[@]}" -l 'User:"alice"' -a 'Action::"view"' -r 'Photo::"beach.jpg"'
expect_failure
expect_err_line "^<principal>:1:[0-9]+: error: "
expect_caret

tcase "context that is not a JSON object"
ward authorize -p "$DATA/photos.cedar" "${ents[@]}" "${req[@]}" -c "$DATA/ctx-not-object.json"
expect_failure
expect_err_has "context"

tcase "context that is not JSON"
printf '{"mfa": tru}' >"$TMP/ctx.json"
ward authorize -p "$DATA/photos.cedar" "${ents[@]}" "${req[@]}" -c "$TMP/ctx.json"
expect_failure
expect_err_line "ctx.json:1:[0-9]+: error: invalid JSON"

for opt in -p -s --entities --request-json -c --requests; do
	tcase "missing file for $opt"
	case $opt in
	-p) ward authorize -p "$TMP/missing" "${ents[@]}" "${req[@]}" ;;
	-s) ward authorize -p "$DATA/photos.cedar" -s "$TMP/missing" "${ents[@]}" "${req[@]}" ;;
	--entities) ward authorize -p "$DATA/photos.cedar" --entities "$TMP/missing" "${req[@]}" ;;
	--request-json) ward authorize -p "$DATA/photos.cedar" --request-json "$TMP/missing" ;;
	-c) ward authorize -p "$DATA/photos.cedar" "${req[@]}" -c "$TMP/missing" ;;
	--requests) ward authorize -p "$DATA/photos.cedar" --requests "$TMP/missing" ;;
	esac
	expect_failure
	expect_err_has "cannot read '$TMP/missing': No such file or directory"
done

tcase "a directory instead of a file"
ward check-parse -p "$DATA"
expect_failure
expect_err_has "cannot read '$DATA'"

tcase "unknown flag"
ward authorize --frobnicate
expect_failure
expect_err_has "unknown option '--frobnicate'"
expect_err_has "ward authorize --help"

tcase "unknown short flag"
ward evaluate -z 1
expect_failure
expect_err_has "unknown option '-z'"

tcase "option missing its value"
ward authorize "${req[@]}" -p
expect_failure
expect_err_has "needs a value"

tcase "option given twice"
ward authorize -p "$DATA/photos.cedar" -p "$DATA/photos.cedar" "${req[@]}"
expect_failure
expect_err_has "given more than once"

tcase "invalid choice"
ward authorize -p "$DATA/photos.cedar" "${req[@]}" --format xml
expect_failure
expect_err_has "invalid value 'xml' for '--format'; expected one of: text, json"

tcase "flag given a value"
ward authorize --verbose=yes
expect_failure
expect_err_has "takes no value"

tcase "policies in the JSON policy format decide as their Cedar text"
"$WARD" translate-policy --direction cedar-to-json -p "$DATA/photos.cedar" >"$TMP/photos.json"
ward authorize -p "$DATA/photos.cedar" --entities "$DATA/entities.json" "${req[@]}" --format json
cedar_out=$out cedar_status=$status
case $cedar_status in 0 | 2) ;; *) fail "the Cedar-text run did not decide: $err" ;; esac
ward authorize -p "$TMP/photos.json" --policy-format json --entities "$DATA/entities.json" "${req[@]}" --format json
expect_status "$cedar_status"
expect_out "$cedar_out"

tcase "an unknown policy format is an error"
ward authorize -p "$DATA/photos.cedar" --policy-format yaml "${req[@]}"
expect_failure
expect_err_has "invalid value 'yaml' for '--policy-format'"

tcase "malformed JSON policies are located errors"
printf '{"effect": "permit", "principal": {"op": "All"}, "action": {"op": "All"}}\n' >"$TMP/bad-policy.json"
ward authorize -p "$TMP/bad-policy.json" "${req[@]}"
expect_failure
expect_out_empty
expect_err_has "resource"

tcase "template links: linked policies decide under their own ids; bad links are errors"
cat >"$TMP/tpl.cedar" <<'EOT'
@id("viewers")
permit(principal == ?principal, action == Action::"view", resource in ?resource);
EOT
printf '[{"templateId": "viewers", "newId": "alice-album", "values": {"?principal": "User::\\"alice\\"", "?resource": {"type": "Album", "id": "alice-album"}}}]\n' >"$TMP/links.json"
ward authorize -p "$TMP/tpl.cedar" -k "$TMP/links.json" --entities "$DATA/entities.json" "${req[@]}" --format json
expect_status 0
expect_out_has '"reasons":["alice-album"]'
printf '[{"templateId": "viewers", "newId": "x", "values": {"?principal": "User::\\"alice\\""}}]\n' >"$TMP/badlinks.json"
ward authorize -p "$TMP/tpl.cedar" -k "$TMP/badlinks.json" --entities "$DATA/entities.json" "${req[@]}"
expect_failure
expect_out_empty
expect_err_has "?resource"

tcase "deep nesting is rejected, not a crash"
head -c 100000 /dev/zero | tr '\0' '(' >"$TMP/deep.txt"
ward evaluate "$(cat "$TMP/deep.txt")"
expect_failure
expect_err_has "nest"
printf 'permit(principal, action, resource) when { %s };' "$(cat "$TMP/deep.txt")" >"$TMP/deep.cedar"
ward check-parse -p "$TMP/deep.cedar"
expect_failure
expect_err_has "nest"

tcase "invalid UTF-8 in a policy file"
printf 'permit(principal, action, resource) when { "\377\376" == "x" };\n' >"$TMP/utf8.cedar"
ward check-parse -p "$TMP/utf8.cedar"
expect_failure
expect_err_has "utf8.cedar:1:"

tcase "a NUL byte in a policy file"
printf 'permit(principal, action, resource);\0\n' >"$TMP/nul.cedar"
ward check-parse -p "$TMP/nul.cedar"
expect_failure
expect_err_has "nul.cedar:1:"

tcase "empty policy file is a valid, empty policy set"
: >"$TMP/empty.cedar"
ward authorize -p "$TMP/empty.cedar" "${req[@]}"
expect_status 2
expect_out_has "DENY"

tcase "--error-format json: one JSON object per diagnostic on stderr"
ward authorize -f json -p "$DATA/bad-syntax.cedar" "${req[@]}"
expect_failure
expect_err_line '^\{"severity":"error","file":"[^"]*bad-syntax.cedar","line":2,"column":[0-9]+,"message":".*"\}$'
expect_err_lacks "^"

tcase "--error-format before the command"
ward --error-format=json authorize -p "$TMP/missing" "${req[@]}"
expect_failure
expect_err_line '^\{"severity":"error","message":"cannot read'

finish
