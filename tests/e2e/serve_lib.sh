# serve_lib.sh: helpers of the `ward serve` end-to-end tests (t9xxx), sourced
# after lib.sh. Servers listen on 127.0.0.1 with a port the kernel picks
# (--listen 127.0.0.1:0; the port is read from the "listening on" line);
# every server started is stopped when the test exits, whatever happens.

SRV_PID=""
PORT=""
trap 'serve_kill; [ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$TMP"' EXIT

# serve_start ARGS...: starts `ward serve ARGS` in the background and waits
# (at most 10 s) for it to listen. 0 with $PORT set, or 1 when it exited.
serve_start() {
	# emptied here, not only by the child's redirection: the child may open
	# the files after the loop below has read a previous server's port
	: >"$TMP/srv.out"
	: >"$TMP/srv.err"
	"$WARD" serve --listen 127.0.0.1:0 "$@" >"$TMP/srv.out" 2>"$TMP/srv.err" </dev/null &
	SRV_PID=$!
	PORT=""
	local i
	for i in $(seq 100); do
		PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\) .*/\1/p' "$TMP/srv.out")
		[ -n "$PORT" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# serve_stop [SIGNAL]: stops the server (SIGTERM by default), waits for it,
# sets $srv_status to its exit status.
serve_stop() {
	srv_status=""
	[ -n "$SRV_PID" ] || return 0
	kill "-${1:-TERM}" "$SRV_PID" 2>/dev/null
	wait "$SRV_PID"
	srv_status=$?
	SRV_PID=""
}

serve_kill() {
	if [ -n "$SRV_PID" ]; then
		kill -KILL "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=""
	fi
}

# http METHOD PATH [BODY_FILE] [--pick K,K]: one request; sets $hstatus and
# $hbody (and $status/$out for lib.sh's messages).
http() {
	python3 "$E2E_DIR/serve_client.py" "$PORT" "$@" >"$TMP/out" 2>"$TMP/err"
	hstatus=$(sed -n 1p "$TMP/out")
	hbody=$(sed -n 2p "$TMP/out")
	status=$hstatus
	out=$hbody
	err=$(cat "$TMP/err")
}

expect_http() {
	[ "$hstatus" = "$1" ] || fail "HTTP status $hstatus, expected $1"
	if [ $# -gt 1 ]; then
		[ "$hbody" = "$2" ] || fail "body differs, expected:
$2"
	fi
}
expect_body_has() { case $hbody in *"$1"*) ;; *) fail "body lacks: $1" ;; esac; }

# sql DB QUERY: the rows of a query on a decision log, one per line,
# columns joined by '|'.
sql() {
	python3 - "$1" "$2" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}
