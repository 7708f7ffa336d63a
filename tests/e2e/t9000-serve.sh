#!/usr/bin/env bash
# t9000-serve: `ward serve` decisions over HTTP (equal to `ward authorize`),
# batches, health, bad requests (400/404/405/413), the decision log and a
# graceful shutdown that flushes it, and failed starts.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/serve_lib.sh"

in=(-p "$EX/policies.cedar" -s "$EX/schema.cedarschema" --entities "$EX/entities.json")
LOG=$TMP/decisions.db

tcase "server starts and prints its port"
serve_start "${in[@]}" --log "$LOG" --threads 2 || fail "server did not start: $(cat "$TMP/srv.err")"

tcase "every example request: the same decision, reasons and errors as ward authorize"
nreq=0
for f in "$EX"/requests/*.json; do
	"$WARD" authorize "${in[@]}" --request-json "$f" --format json >"$TMP/want" 2>/dev/null
	http POST /v1/authorize "$f" --pick decision,reasons,errors
	expect_http 200 "$(cat "$TMP/want")"
	nreq=$((nreq + 1))
done
[ "$nreq" -ge 5 ] || fail "only $nreq example requests"

tcase "a response carries the policy version and a decision id"
f=$(ls "$EX"/requests/*.json | head -1)
http POST /v1/authorize "$f"
expect_http 200
expect_body_has '"policy_version":"'
expect_body_has "\"decision_id\":$((nreq + 1))"

tcase "uids as Cedar text and as {type, id} decide alike"
cat >"$TMP/r1.json" <<'J'
{"principal":"CiJob::\"web-deploy-main\"","action":"Action::\"write\"","resource":"Bucket::\"web-assets-prod\"","context":{"sourceIp":"10.20.0.15","breakGlass":false}}
J
http POST /v1/authorize "$TMP/r1.json" --pick decision,reasons,errors
expect_http 200 '{"decision":"allow","reasons":["ci-main-deploys-prod"],"errors":[]}'

tcase "batch: results in order, a bad item reported in place"
{
	printf '['
	sed -n 1p "$EX/requests.jsonl"
	printf ','
	sed -n 2p "$EX/requests.jsonl"
	printf ',{"principal":"CiJob::\\"x\\""},'
	sed -n 3p "$EX/requests.jsonl"
	printf ']'
} >"$TMP/batch.json"
http POST /v1/authorize/batch "$TMP/batch.json"
expect_http 200
python3 - "$hbody" "$EX/requests.jsonl" "$WARD" "${in[@]}" >"$TMP/check" 2>&1 <<'PY' || fail "batch: $(cat "$TMP/check")"
import json, subprocess, sys
res = json.loads(sys.argv[1])["results"]
lines = open(sys.argv[2]).read().splitlines()
assert len(res) == 4, res
assert set(res[2]) == {"error"} and "action" in res[2]["error"], res[2]
for got, line in zip([res[0], res[1], res[3]], lines[:3]):
    want = subprocess.run([sys.argv[3], "authorize", *sys.argv[4:], "--request-json", "/dev/stdin", "--format", "json"],
                          input=line.encode(), capture_output=True).stdout
    want = json.loads(want)
    assert {k: got[k] for k in want} == want, (got, want)
    assert "decision_id" in got
PY

tcase "batch that is not an array: 400"
echo '{"principal":"a"}' >"$TMP/notarr.json"
http POST /v1/authorize/batch "$TMP/notarr.json"
expect_http 400 '{"error":"batch: expected a JSON array of requests"}'

tcase "health"
http GET /v1/health
expect_http 200
python3 -c '
import json,sys
h=json.loads(sys.argv[1])
assert h["status"]=="ok" and h["policies"]==11 and h["entities"]==19, h
assert len(h["policy_version"])==64 and h["log_dropped"]==0 and h["decisions"]>=8, h
assert h["loaded_at"].endswith("Z"), h
' "$hbody" 2>"$TMP/check" || fail "health: $(cat "$TMP/check")"

tcase "malformed JSON: 400 with a located message"
printf '{"principal": ' >"$TMP/bad.json"
http POST /v1/authorize "$TMP/bad.json"
expect_http 400
expect_body_has '"error":"request:1:'

tcase "request against the schema: 400 like ward authorize"
echo '{"principal":"CiJob::\"web-deploy-main\"","action":"Action::\"write\"","resource":"Bucket::\"web-assets-prod\"","context":{"sourceIp":"10.20.0.15"}}' >"$TMP/noctx.json"
"$WARD" authorize "${in[@]}" --request-json "$TMP/noctx.json" >/dev/null 2>"$TMP/werr"
[ $? = 1 ] || fail "ward authorize accepted a request without breakGlass"
http POST /v1/authorize "$TMP/noctx.json"
expect_http 400
expect_body_has 'breakGlass'

tcase "unknown path: 404"
http GET /v1/nothing
expect_http 404 "{\"error\":\"no such endpoint '/v1/nothing'\"}"

tcase "wrong method: 405"
http GET /v1/authorize
expect_http 405 "{\"error\":\"method GET not allowed on '/v1/authorize'; use POST\"}"
http POST /v1/health "$TMP/r1.json"
expect_http 405

tcase "body over --max-body: 413"
python3 -c 'import sys; sys.stdout.write("[" + ",".join(["{}"] * 400000) + "]")' >"$TMP/big.json"
http POST /v1/authorize/batch "$TMP/big.json"
expect_http 413 '{"error":"request body over the limit of 1048576 bytes"}'

tcase "the server still answers after the bad requests"
http POST /v1/authorize "$TMP/r1.json" --pick decision
expect_http 200 '{"decision":"allow"}'

tcase "GET /metrics: Prometheus counters that add up with /v1/health"
http GET /v1/health
python3 - "$PORT" "$hbody" <<'PY' 2>"$TMP/check" || fail "metrics: $(cat "$TMP/check")"
import json, re, sys, urllib.request
port, health = sys.argv[1], json.loads(sys.argv[2])
r = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=10)
assert r.headers.get("Content-Type").startswith("text/plain; version=0.0.4"), r.headers.get("Content-Type")
m = {}
for line in r.read().decode().splitlines():
    if line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    m[name] = float(value)
allow = m['ward_decisions_total{decision="allow"}']
deny = m['ward_decisions_total{decision="deny"}']
assert allow >= 1 and deny >= 1, m
assert allow + deny == health["decisions"], (allow, deny, health)
assert m["ward_bad_requests_total"] >= 2, m  # the malformed and the invalid request above
assert m["ward_decision_seconds_count"] == allow + deny, m
assert m['ward_decision_seconds_bucket{le="+Inf"}'] == allow + deny, m
bounds = sorted((float(k.split('"')[1]), v) for k, v in m.items()
                if k.startswith("ward_decision_seconds_bucket") and "+Inf" not in k)
assert all(a[1] <= b[1] for a, b in zip(bounds, bounds[1:])), bounds  # cumulative
assert m["ward_policies"] == 11 and m["ward_entities"] == 19, m
assert m['ward_policy_version_info{version="%s"}' % health["policy_version"]] == 1, m
PY
http POST /metrics "$TMP/r1.json"
expect_http 405

tcase "SIGTERM: exit 0 and every decision in the log"
http GET /v1/health
ndec=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["decisions"])' "$hbody")
serve_stop TERM
[ "$srv_status" = 0 ] || fail "exit status $srv_status after SIGTERM"
[ "$(sql "$LOG" 'select count(*) from decisions')" = "$ndec" ] || fail "log rows differ from the $ndec decisions"
[ "$(sql "$LOG" 'select min(id), max(id) from decisions')" = "1|$ndec" ] || fail "ids not 1..$ndec"
[ "$(sql "$LOG" 'pragma user_version')" = 1 ] || fail "user_version"
[ "$(sql "$LOG" 'pragma journal_mode')" = wal ] || fail "not WAL"

tcase "a logged row holds the request as decided"
row=$(sql "$LOG" "select principal, action, resource, context, decision, reasons, errors from decisions where id = $((nreq + 2))")
[ "$row" = 'CiJob::"web-deploy-main"|Action::"write"|Bucket::"web-assets-prod"|{"sourceIp":"10.20.0.15","breakGlass":false}|allow|["ci-main-deploys-prod"]|[]' ] ||
	fail "row: $row"
row=$(sql "$LOG" "select count(*) from decisions d join policy_versions v on v.version = d.policy_version")
[ "$row" = "$ndec" ] || fail "decisions without their policy version: $row"
sql "$LOG" "select time, latency_ns from decisions" | grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\|[0-9]+$' &&
	fail "a time or latency is malformed"
[ "$(sql "$LOG" "select policies from policy_versions")" = "$(cat "$EX/policies.cedar")" ] || fail "policy text not logged"

tcase "a restart continues the ids of the same log"
serve_start "${in[@]}" --log "$LOG" || fail "server did not restart"
http POST /v1/authorize "$TMP/r1.json"
expect_body_has "\"decision_id\":$((ndec + 1))"
serve_stop INT
[ "$srv_status" = 0 ] || fail "exit status $srv_status after SIGINT"
[ "$(sql "$LOG" 'select count(*) from decisions')" = "$((ndec + 1))" ] || fail "row not flushed"

tcase "--log-retention: decisions older than the period are deleted at start, the rest kept"
python3 - "$LOG" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("insert into decisions (id, time, principal, action, resource, context, decision, reasons, errors,"
            " policy_version, latency_ns) values (1000000, '2000-01-01T00:00:00.000Z', 'X::\"x\"',"
            " 'Action::\"read\"', 'Y::\"y\"', '{}', 'deny', '[]', '[]', 'v', 1)")
con.commit()
PY
before=$(sql "$LOG" 'select count(*) from decisions')
serve_start "${in[@]}" --log "$LOG" --log-retention 30 || fail "server did not start: $(cat "$TMP/srv.err")"
http GET /v1/health
expect_http 200
[ "$(sql "$LOG" "select count(*) from decisions where time < '2001'")" = 0 ] || fail "the old decision is still logged"
[ "$(sql "$LOG" 'select count(*) from decisions')" = "$((before - 1))" ] || fail "recent decisions were deleted"
grep -q "deleted 1 decisions logged before" "$TMP/srv.err" || fail "the deletion was not reported: $(cat "$TMP/srv.err")"
serve_stop
ward serve "${in[@]}" --listen 127.0.0.1:0 --log-retention 30
expect_failure
expect_err_has "--log-retention needs --log FILE"

tcase "without --log: no decision id"
serve_start "${in[@]}" || fail "server did not start"
http POST /v1/authorize "$TMP/r1.json"
expect_http 200
case $hbody in *decision_id*) fail "decision_id without a log" ;; esac
serve_stop

tcase "a full log queue drops entries, counts them, never blocks: rows + dropped = decisions"
rm -f "$TMP/q.db"
serve_start "${in[@]}" --log "$TMP/q.db" --log-queue 1 || fail "server did not start"
python3 -c 'import sys; l=open(sys.argv[1]).readline().strip(); sys.stdout.write("[" + ",".join([l] * 300) + "]")' \
	"$EX/requests.jsonl" >"$TMP/many.json"
http POST /v1/authorize/batch "$TMP/many.json"
expect_http 200
http GET /v1/health
dropped=$(python3 -c 'import json,sys; h=json.loads(sys.argv[1]); print(h["log_dropped"]) if h["decisions"] == 300 else print("bad")' "$hbody")
serve_stop
[ "$srv_status" = 0 ] || fail "exit status $srv_status"
[ "$(sql "$TMP/q.db" 'select count(*) from decisions')" = "$((300 - dropped))" ] || fail "rows + dropped ($dropped) != 300"

tcase "--token-file: a bearer token on every request but health"
printf '%s\n' 0123456789abcdef0123456789abcdef >"$TMP/token"
chmod 600 "$TMP/token"
serve_start "${in[@]}" --token-file "$TMP/token" || fail "server did not start: $(cat "$TMP/srv.err")"
http POST /v1/authorize "$TMP/r1.json"
expect_http 401 '{"error":"missing or wrong bearer token"}'
http POST /v1/authorize "$TMP/r1.json" --header "Authorization: Bearer 0123456789abcdef0123456789abcdeX"
expect_http 401
http POST /v1/authorize "$TMP/r1.json" --header "Authorization: Bearer 0123456789abcdef0123456789abcde"
expect_http 401
http POST /v1/authorize "$TMP/r1.json" --pick decision --header "Authorization: Bearer 0123456789abcdef0123456789abcdef"
expect_http 200 '{"decision":"allow"}'
http GET /v1/health
expect_http 200
python3 - "$PORT" <<'PY' 2>"$TMP/check" || fail "metrics without the token: $(cat "$TMP/check")"
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10)
    raise SystemExit("metrics answered without the token")
except urllib.error.HTTPError as e:
    assert e.code == 401 and e.headers.get("WWW-Authenticate", "").startswith("Bearer"), (e.code, e.headers)
PY
serve_stop
[ "$srv_status" = 0 ] || fail "exit status $srv_status after SIGTERM"

tcase "--token-file readable by others, or too short: exit 1 before serving"
chmod 644 "$TMP/token"
ward serve "${in[@]}" --listen 127.0.0.1:0 --token-file "$TMP/token"
expect_failure
expect_err_has "can be read by others (mode 644): chmod 600 it"
printf 'short\n' >"$TMP/token2"
chmod 600 "$TMP/token2"
ward serve "${in[@]}" --listen 127.0.0.1:0 --token-file "$TMP/token2"
expect_failure
expect_err_has "too short"

tcase "bad policy file at startup: exit 1, located error, no log created"
printf 'permit(principal, action, resource)\nwhen { principal.x == };\n' >"$TMP/bad.cedar"
ward serve -p "$TMP/bad.cedar" --listen 127.0.0.1:0 --log "$TMP/never.db"
expect_failure
expect_err_line "bad.cedar:2:[0-9]+: error"
[ -e "$TMP/never.db" ] && fail "log file created on a failed start"

tcase "port in use: exit 1, no log created"
serve_start "${in[@]}" || fail "server did not start"
ward serve "${in[@]}" --listen "127.0.0.1:$PORT" --log "$TMP/never.db"
expect_failure
expect_err_has "cannot listen on '127.0.0.1:$PORT'"
[ -e "$TMP/never.db" ] && fail "log file created on a failed start"
serve_stop

tcase "bad --listen: exit 1"
ward serve "${in[@]}" --listen localhost:80
expect_failure
expect_err_has "not a numeric IPv4 or IPv6 address"

tcase "a log file that is not a decision log: exit 1"
echo "not a database, not at all, no sqlite here......................................................" >"$TMP/junk.db"
ward serve "${in[@]}" --listen 127.0.0.1:0 --log "$TMP/junk.db"
expect_failure
expect_err_has "is not a decision log"

finish
