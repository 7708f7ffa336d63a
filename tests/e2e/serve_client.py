#!/usr/bin/env python3
"""HTTP client of the `ward serve` end-to-end tests (no curl needed).

serve_client.py PORT METHOD PATH [BODY_FILE|-] [--pick KEY,KEY...] [--header 'Name: value']

Prints the status code on the first line and the response body on the
second (with --pick: only those keys of the JSON object, compact, in the
given order, as `ward authorize --format json` prints them). With
--repeat N the request is sent N times and only the last reply printed.
"""
import json
import sys
import urllib.error
import urllib.request


def main(argv):
    pick = None
    repeat = 1
    headers = []
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--pick":
            pick = argv[i + 1].split(",")
            i += 2
        elif argv[i] == "--header":
            headers.append(argv[i + 1].split(": ", 1))
            i += 2
        elif argv[i] == "--repeat":
            repeat = int(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    port, method, path = args[0], args[1], args[2]
    data = None
    if len(args) > 3:
        data = sys.stdin.buffer.read() if args[3] == "-" else open(args[3], "rb").read()
    for _ in range(repeat):
        req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for name, value in headers:
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                status, body, ctype = r.status, r.read().decode(), r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            status, body, ctype = e.code, e.read().decode(), e.headers.get("Content-Type")
    if ctype != "application/json":
        print("%d" % status)
        print("bad content type: %s" % ctype)
        return
    if pick:
        obj = json.loads(body)
        body = json.dumps({k: obj[k] for k in pick if k in obj}, separators=(",", ":"), ensure_ascii=False)
    print(status)
    print(body.rstrip("\n"))


main(sys.argv[1:])
