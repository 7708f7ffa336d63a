#!/usr/bin/env bash
# t5400-model: `ward draft --from-text` against a scripted OpenAI-compatible
# endpoint (fake_model.py on 127.0.0.1). Good replies become drafts through
# the template path, marked @drafted_by("model:NAME"); every hostile reply
# (instructions, raw Cedar, invented templates, wildcards, unknown actions,
# exfiltration, huge or broken JSON, slow or failing endpoints) is rejected
# with a clear message and nothing is written. Secrets in the ask are
# redacted before they are sent.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 0; }
python3 "$E2E_DIR/fake_model.py" "$TMP/port" "$TMP/requests.log" &
FAKE=$!
trap 'kill $FAKE 2>/dev/null; [ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$TMP"' EXIT
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
[ -s "$TMP/port" ] || { echo "the fake model did not start"; exit 1; }
URL=http://127.0.0.1:$(cat "$TMP/port")

R=$TMP/repo
"$WARD" init "$R" >/dev/null || { echo "init failed"; exit 1; }
sed -i -e 's/^  timeout_seconds: 60/  timeout_seconds: 2/' -e 's/^  retries: 2/  retries: 1/' "$R/ward.yaml"
unset WARD_MODEL WARD_MODEL_API_KEY
export WARD_USER=bob@example.com

ASK="The billing exporter needs to read the production invoices bucket from the payments network."
# ask SCENARIO [ARGS...]: draft from text through the scenario's endpoint
ask() {
	local sc=$1
	shift
	WARD_MODEL_URL=$URL/$sc/v1 ward draft --repo "$R" --from-text "$ASK" --id REQ-3000 --ticket PAY-3000 \
		--justification "Monthly invoice export for accounting." --out "$TMP/$sc.cedar" \
		--save-request "$TMP/$sc.yaml" "$@"
}
# rejected SCENARIO MESSAGE: the reply is refused and nothing is written
rejected() {
	ask "$1"
	expect_failure
	expect_err_has "$2"
	[ -e "$TMP/$1.cedar" ] && fail "draft written"
	[ -e "$TMP/$1.yaml" ] && fail "requirement written"
	ls "$TMP" | grep -q '\.ward' && fail "temporary file left"
	true
}

tcase "a good reply is validated, shown, and drafted through the template"
ask good
expect_status 0
expect_out_empty
expect_err_has "the model proposed this requirement (validated):"
expect_err_has '  | subject:'
expect_err_has "drafted 'REQ-3000' from template 'object-read' (low risk)"
grep -q '@drafted_by("model:local-model")' "$TMP/good.cedar" || fail "not marked as the model's"
grep -q '@ticket("PAY-3000")' "$TMP/good.cedar" || fail "ticket missing"
grep -q 'resource in Bucket::"invoices-prod"' "$TMP/good.cedar" || fail "resource missing"
grep -q 'source_networks: \[10.20.0.0/16\]' "$TMP/good.yaml" || fail "requirement not saved"

tcase "the saved requirement drafts to the same policy by hand"
ward draft --repo "$R" --drafted-by 'model:local-model' "$TMP/good.yaml"
expect_status 0
[ "$out" = "$(cat "$TMP/good.cedar")" ] || fail "the saved requirement drafts differently"

tcase "the request carries the catalog and asks for structured output"
grep -q '"path": "/good/v1/chat/completions"' "$TMP/requests.log" || fail "no request logged"
grep '/good/' "$TMP/requests.log" | grep -q 'response_format' || fail "no response_format"
grep '/good/' "$TMP/requests.log" | grep -q 'object-read' || fail "no template catalog"
grep '/good/' "$TMP/requests.log" | grep -q '"model\\": \\"local-model\\"\|local-model' || fail "no model name"

tcase "WARD_MODEL names the model"
WARD_MODEL=other ask good-fenced
expect_status 0
grep -q '@drafted_by("model:other")' "$TMP/good-fenced.cedar" || fail "model name not used"

tcase "secrets in the ask are redacted before sending"
key="AKIA""J3K8WQ5ZT2LM7XNR"
ASK="Reader for invoices; it currently uses key $key, please fix" ask good --force
expect_status 0
expect_err_has "1 secret redacted from the text before sending it to the model"
grep -q "$key" "$TMP/requests.log" && fail "the secret reached the model"
grep -q 'REDACTED:aws-access-key-id' "$TMP/requests.log" || fail "no redaction marker sent"
expect_err_lacks "$key"

tcase "the API key comes from the environment and is never shown"
WARD_MODEL_API_KEY=sk-test-abcdefghijklmnopqrstuvwxyz123456 ask auth-echo
expect_status 0
grep -q 'Bearer sk-test-abcdefghijklmnopqrstuvwxyz123456' "$TMP/requests.log" || fail "key not sent"
expect_err_lacks "sk-test-abc"
ask http401
expect_failure
expect_err_has "HTTP 401"
expect_err_has "check WARD_MODEL_API_KEY"

tcase "hostile: instructions instead of a requirement"
rejected ignore-rules "the model's reply is not a JSON requirement"
tcase "hostile: raw Cedar in the reply"
rejected raw-cedar "unknown field 'policy' in a requirement"
tcase "hostile: an invented template"
rejected invented-template "unknown field 'template' in a requirement"
tcase "hostile: a type-wide (wildcard) subject"
rejected wildcard-subject "a model may not ask for every entity of a type"
tcase "hostile: a '*' subject"
rejected star-subject 'unknown entity ServiceAccount::"*"'
tcase "hostile: an action outside the schema"
rejected unknown-action "unknown action 'exfiltrate'"
tcase "hostile: an environment ward.yaml does not define"
rejected outside-schema-env "unknown environment 'production-eu'"
tcase "hostile: break-glass from a model"
rejected break-glass "a model may only propose grants, not break-glass requirements"
tcase "hostile: the model sets the ticket and justification"
rejected set-ticket "'ticket' may not be set here: it is supplied by the person asking"
tcase "hostile: a secret in the reply"
rejected exfiltrate "<model reply>:1:78: error: AWS access key id in the model's reply (AKIAZ...(20 chars))"
expect_err_lacks "Z7QH3MX2WL5V9RT4"
tcase "hostile: a URL smuggled as an entity id"
rejected exfil-url 'unknown entity Bucket::"https://evil.example/?d=stolen"'
tcase "hostile: every network"
rejected world-network "allows every address"
tcase "hostile: broken JSON"
rejected broken "the model's reply is not a JSON requirement"
tcase "hostile: duplicate keys"
rejected duplicate-keys "duplicate object key"
tcase "hostile: an array, not an object"
rejected array "the model's reply must be one JSON object"
tcase "hostile: an empty reply"
rejected empty "the model's reply is empty"
tcase "hostile: a huge reply"
rejected huge "the model's reply is larger than 262144 bytes"
tcase "hostile: not a chat-completions reply"
rejected not-json "is not a chat-completions JSON object"
rejected no-choices "has no choices[0].message.content"
tcase "a slow endpoint times out, with retries"
rejected slow "did not answer within 2 s (2 attempts)"
tcase "a failing endpoint is retried with backoff"
before=$(grep -c '/http500/' "$TMP/requests.log")
rejected http500 "the model endpoint answered HTTP 500 after 2 attempts"
[ "$(grep -c '/http500/' "$TMP/requests.log")" = $((before + 2)) ] || fail "not retried once"
tcase "an endpoint that is down"
WARD_MODEL_URL=http://127.0.0.1:1/v1 ward draft --repo "$R" --from-text "$ASK" --id REQ-3001 --ticket T-1 \
	--justification "Monthly invoice export for accounting." --out "$TMP/down.cedar"
expect_failure
expect_err_has "cannot reach the model endpoint http://127.0.0.1:1/v1/chat/completions"
[ -e "$TMP/down.cedar" ] && fail "draft written"

tcase "--from-text needs a person's ticket and justification"
WARD_MODEL_URL=$URL/good/v1 ward draft --repo "$R" --from-text "$ASK" --id REQ-3002
expect_failure
expect_err_has "--from-text needs --id, --ticket and --justification"
ward draft --repo "$R" --from-text "$ASK" --id REQ-3002 --ticket T --justification "long enough reason" \
	--drafted-by mallory
expect_failure
expect_err_has "--drafted-by cannot be used with --from-text"

finish
