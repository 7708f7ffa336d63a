#!/usr/bin/env bash
# t1300-bench: ward bench on the real binary — it decides every request,
# checks each timed decision against the first pass and reports the figures
# (never a timing threshold: the machine is shared); bad input is an error.
. "$(dirname "$0")/lib.sh"

in=(-p "$DATA/photos.cedar" --entities "$DATA/entities.json")
printf '%s\n' \
	'{"principal": "User::\"alice\"", "action": "Action::\"view\"", "resource": "Photo::\"beach.jpg\"", "context": {}}' \
	'{"principal": {"type": "User", "id": "bob"}, "action": "Action::\"edit\"", "resource": "Photo::\"beach.jpg\"", "context": {"mfa": true}}' \
	>"$TMP/reqs.jsonl"

tcase "bench --format json reports every figure"
ward bench "${in[@]}" --requests "$TMP/reqs.jsonl" --seconds 0.2 --format json
expect_status 0
for key in decisions_per_s median_ns p90_ns p99_ns max_ns requests threads; do
	expect_out_has "\"$key\""
done
python3 - "$TMP/out" <<'PY' || fail "the JSON figures are not consistent"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["requests"] == 2 and d["threads"] == 1
assert 0 < d["median_ns"] <= d["p90_ns"] <= d["p99_ns"] <= d["max_ns"]
assert d["decisions_per_s"] > 0
PY

tcase "bench with two threads and with entities parsed per call"
ward bench "${in[@]}" --requests "$TMP/reqs.jsonl" --seconds 0.2 --threads 2 --include-load --format json
expect_status 0
expect_out_has '"threads":2'

tcase "bench: bad input is an error"
ward bench "${in[@]}" --requests "$DATA/batch-broken.json" --seconds 0.2
expect_failure
ward bench "${in[@]}" --requests "$TMP/reqs.jsonl" --seconds -1
expect_failure
ward bench -p "$DATA/bad-syntax.cedar" --entities "$DATA/entities.json" --requests "$TMP/reqs.jsonl"
expect_failure
expect_out_empty

finish
