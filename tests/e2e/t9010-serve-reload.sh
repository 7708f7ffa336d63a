#!/usr/bin/env bash
# t9010-serve-reload: `ward serve` reloads: POST /v1/reload with a changed
# policy file (the decision flips) and a broken one (the old set keeps
# serving, the error is reported), SIGHUP, --watch, and a policy repository
# (--repo) served from its policies/ directory.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/serve_lib.sh"

cp "$EX/policies.cedar" "$TMP/p.cedar"
in=(-p "$TMP/p.cedar" -s "$EX/schema.cedarschema" --entities "$EX/entities.json")
LOG=$TMP/decisions.db
cat >"$TMP/r1.json" <<'J'
{"principal":{"type":"CiJob","id":"web-deploy-main"},"action":"Action::\"write\"","resource":"Bucket::\"web-assets-prod\"","context":{"sourceIp":"10.20.0.15","breakGlass":false}}
J
freeze='@id("freeze") forbid (principal, action == Action::"write", resource);'

version() {
	http GET /v1/health
	python3 -c 'import json,sys; print(json.loads(sys.argv[1])["policy_version"])' "$hbody"
}

tcase "before the reload: allow"
serve_start "${in[@]}" --log "$LOG" || fail "server did not start: $(cat "$TMP/srv.err")"
http POST /v1/authorize "$TMP/r1.json" --pick decision,reasons
expect_http 200 '{"decision":"allow","reasons":["ci-main-deploys-prod"]}'
v1=$(version)

tcase "POST /v1/reload with a changed policy file: the decision flips"
echo "$freeze" >>"$TMP/p.cedar"
http POST /v1/reload "$TMP/r1.json"
expect_http 200
expect_body_has '"policies":12'
http POST /v1/authorize "$TMP/r1.json" --pick decision,reasons
expect_http 200 '{"decision":"deny","reasons":["freeze"]}'
v2=$(version)
[ "$v1" != "$v2" ] || fail "the policy version did not change"

tcase "POST /v1/reload with a broken file: 400 with the located error, the old set kept"
cp "$TMP/p.cedar" "$TMP/good.cedar"
badline=$(($(wc -l <"$TMP/p.cedar") + 1))
printf 'permit (principal, action, resource) when { principal.x == };\n' >>"$TMP/p.cedar"
http POST /v1/reload "$TMP/r1.json"
expect_http 400
expect_body_has "still serving the previous policy set"
expect_body_has "p.cedar:$badline:60:"
expect_body_has "\"policy_version\":\"$v2\""
grep -q "p.cedar:$badline:60:" "$TMP/srv.err" || fail "reload error not reported on stderr"
http POST /v1/authorize "$TMP/r1.json" --pick decision,reasons
expect_http 200 '{"decision":"deny","reasons":["freeze"]}'
[ "$(version)" = "$v2" ] || fail "version changed after a failed reload"

tcase "SIGHUP reloads (back to the original policies: allow again)"
cp "$EX/policies.cedar" "$TMP/p.cedar"
kill -HUP "$SRV_PID"
for i in $(seq 100); do
	[ "$(version)" = "$v1" ] && break
	sleep 0.1
done
[ "$(version)" = "$v1" ] || fail "SIGHUP did not reload"
http POST /v1/authorize "$TMP/r1.json" --pick decision,reasons
expect_http 200 '{"decision":"allow","reasons":["ci-main-deploys-prod"]}'

tcase "SIGHUP with a broken file: reported on stderr, the server keeps serving"
printf 'permit (principal, action, resource) when { principal.x == };\n' >>"$TMP/p.cedar"
kill -HUP "$SRV_PID"
for i in $(seq 100); do
	grep -q "reload on SIGHUP failed" "$TMP/srv.err" && break
	sleep 0.1
done
grep -q "reload on SIGHUP failed" "$TMP/srv.err" || fail "no report of the failed SIGHUP reload"
http POST /v1/authorize "$TMP/r1.json" --pick decision
expect_http 200 '{"decision":"allow"}'

tcase "the log holds decisions of both versions, each version recorded once"
serve_stop
[ "$srv_status" = 0 ] || fail "exit status $srv_status"
[ "$(sql "$LOG" "select decision, policy_version = '$v2' from decisions order by id")" = "allow|0
deny|1
deny|1
allow|0
allow|0" ] || fail "rows: $(sql "$LOG" 'select id, decision, policy_version from decisions')"
[ "$(sql "$LOG" "select count(*) from policy_versions")" = 2 ] || fail "policy versions: $(sql "$LOG" 'select version from policy_versions')"
case $(sql "$LOG" "select policies from policy_versions where version = '$v2'") in
*'@id("freeze")'*) ;;
*) fail "the reloaded policy text is not recorded" ;;
esac

tcase "requests racing reloads: each answer matches the version that decided it"
cp "$EX/policies.cedar" "$TMP/p.cedar"
serve_start "${in[@]}" --threads 4 --log "$TMP/race.db" || fail "server did not start"
python3 - "$PORT" "$TMP/p.cedar" "$EX/policies.cedar" "$TMP/r1.json" "$freeze" >"$TMP/check" 2>&1 <<'PY' || fail "race: $(cat "$TMP/check")"
import json, sys, threading, urllib.request, urllib.error
port, pfile, orig, req, freeze = sys.argv[1:]
base = "http://127.0.0.1:%s" % port
body = open(req, "rb").read()
text = open(orig).read()
def call(path, data):
    r = urllib.request.Request(base + path, data=data, method="POST")
    try:
        with urllib.request.urlopen(r, timeout=20) as f:
            return f.status, json.loads(f.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
seen = {}  # policy_version -> set of decisions
bad = []
lock = threading.Lock()
def worker():
    for _ in range(60):
        st, j = call("/v1/authorize", body)
        with lock:
            if st != 200:
                bad.append((st, j))
            else:
                seen.setdefault(j["policy_version"], set()).add(j["decision"])
ts = [threading.Thread(target=worker) for _ in range(4)]
for t in ts:
    t.start()
for i in range(16):
    open(pfile, "w").write(text + ("\n" + freeze + "\n" if i % 2 == 0 else "\n// plain\n"))
    st, j = call("/v1/reload", b"")
    assert st == 200, j
for t in ts:
    t.join()
assert not bad, bad[:3]
assert all(len(d) == 1 for d in seen.values()), seen
print(len(seen), "versions")
PY
http GET /v1/health
serve_stop
[ "$srv_status" = 0 ] || fail "exit status $srv_status"
[ "$(sql "$TMP/race.db" "select count(*) from decisions")" = 240 ] || fail "not every decision logged"

tcase "--watch: a changed file is reloaded without a signal"
cp "$TMP/good.cedar" "$TMP/p.cedar"
serve_start "${in[@]}" --watch 1 || fail "server did not start"
http POST /v1/authorize "$TMP/r1.json" --pick decision
expect_http 200 '{"decision":"deny"}'
cp "$EX/policies.cedar" "$TMP/p.cedar"
for i in $(seq 100); do
	[ "$(version)" = "$v1" ] && break
	sleep 0.1
done
http POST /v1/authorize "$TMP/r1.json" --pick decision
expect_http 200 '{"decision":"allow"}'
serve_stop

tcase "requests naming ever new entities: the state is rebuilt past --max-request-names"
cp "$TMP/good.cedar" "$TMP/p.cedar" 2>/dev/null || cp "$EX/policies.cedar" "$TMP/p.cedar"
serve_start "${in[@]}" --max-request-names 20 || fail "server did not start: $(cat "$TMP/srv.err")"
python3 - "$TMP/r1.json" >"$TMP/many.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
out = []
for i in range(60):
    q = dict(r)
    q["principal"] = {"type": "CiJob", "id": "job-%d" % i}
    out.append(q)
print(json.dumps(out))
PY
http POST /v1/authorize/batch "$TMP/many.json"
expect_http 200
expect_body_has '"decision":"deny"'
refreshed=""
for i in $(seq 50); do
	http GET /v1/health
	case $hbody in *'"refreshes":0'*) sleep 0.1 ;; *) refreshed=1; break ;; esac
done
[ -n "$refreshed" ] || fail "no rebuild after 60 new names with --max-request-names 20: $hbody"
case $hbody in *'"request_names":0'*) ;; *) fail "the rebuilt state still holds the requests' names: $hbody" ;; esac
grep -q "refreshed policy version" "$TMP/srv.err" || fail "the rebuild was not reported: $(cat "$TMP/srv.err")"
http POST /v1/authorize "$TMP/r1.json" --pick decision
expect_http 200
expect_body_has '"decision":'
serve_stop
[ "$srv_status" = 0 ] || fail "exit status $srv_status after SIGTERM"

tcase "--repo: serves policies/, schema and entities of a policy repository"
cp -r "$EXAMPLES/repo" "$TMP/repo"
cat >"$TMP/r2.json" <<'J'
{"principal":"Agent::\"support-bot\"","action":"Action::\"read\"","resource":"Object::\"kb-prod/faq.md\"","context":{"source_ip":"10.30.0.2","now":"2026-12-01T12:00:00Z","mfa":false,"break_glass":false}}
J
cat "$TMP"/repo/policies/*.cedar >"$TMP/all.cedar"
"$WARD" authorize -p "$TMP/all.cedar" -s "$TMP/repo/schema.cedarschema" --entities "$TMP/repo/entities/platform.json" \
	--request-json "$TMP/r2.json" --format json >"$TMP/want"
serve_start --repo "$TMP/repo" || fail "server did not start: $(cat "$TMP/srv.err")"
http POST /v1/authorize "$TMP/r2.json" --pick decision,reasons,errors
expect_http 200 "$(cat "$TMP/want")"
expect_body_has '"reasons":["REQ-1003"]'

tcase "--repo: a new policy file in policies/ is picked up by a reload"
mkdir -p "$TMP/repo/policies/extra"
echo '@id("no-agents") forbid (principal is Agent, action, resource);' >"$TMP/repo/policies/extra/freeze.cedar"
http POST /v1/reload "$TMP/r2.json"
expect_http 200
http POST /v1/authorize "$TMP/r2.json" --pick decision,reasons
expect_http 200 '{"decision":"deny","reasons":["no-agents"]}'
serve_stop

tcase "--repo with a broken policy: exit 1 with the file's location"
echo 'permit (principal, action, resource' >"$TMP/repo/policies/extra/broken.cedar"
ward serve --repo "$TMP/repo" --listen 127.0.0.1:0
expect_failure
expect_err_line "extra/broken.cedar:[0-9]+:[0-9]+: error"

finish
