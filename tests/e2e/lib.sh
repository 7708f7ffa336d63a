# lib.sh: helpers of the end-to-end tests, sourced by every tNNNN-*.sh.
#
# Each test file runs the real `ward` binary ($WARD) on the fixtures in
# data/ and the bundled examples, and checks exit status, stdout and stderr.
# ctest sets WARD, E2E_DIR and EXAMPLES (see CMakeLists.txt). The scratch
# directory is made outside the source tree (so git repositories made by the
# tests are not nested in ward's own) and removed at exit unless E2E_KEEP=1;
# E2E_TMP names a fixed one instead.
set -u

: "${WARD:?WARD must name the ward binary}"
: "${E2E_DIR:?E2E_DIR must name tests/e2e}"
DATA=$E2E_DIR/data
EX=${EXAMPLES:-$E2E_DIR/../../examples}/platform
if [ -n "${E2E_TMP:-}" ]; then
	TMP=$E2E_TMP
	rm -rf "$TMP"
	mkdir -p "$TMP"
else
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/ward-e2e.XXXXXX")
	[ "${E2E_KEEP:-0}" = 1 ] || trap 'rm -rf "$TMP"' EXIT
fi

ncases=0
nfail=0
case_name=""
status=0
out=""
err=""

# tcase NAME: starts a test case (for messages).
tcase() {
	case_name=$1
	ncases=$((ncases + 1))
}

# ward ARGS...: runs the binary with stdin from /dev/null (or $STDIN),
# capturing stdout ($out), stderr ($err) and exit status ($status).
ward() {
	"$WARD" "$@" <"${STDIN:-/dev/null}" >"$TMP/out" 2>"$TMP/err"
	status=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

fail() {
	nfail=$((nfail + 1))
	printf 'FAIL [%s]: %s\n' "$case_name" "$*"
	printf '  exit status: %s\n  stdout:\n%s\n  stderr:\n%s\n' "$status" \
		"$(sed 's/^/    | /' "$TMP/out")" "$(sed 's/^/    | /' "$TMP/err")"
}

expect_status() { [ "$status" = "$1" ] || fail "exit status $status, expected $1"; }
expect_out() { [ "$out" = "$1" ] || fail "stdout differs, expected:
$1"; }
expect_err() { [ "$err" = "$1" ] || fail "stderr differs, expected:
$1"; }
expect_out_has() { case $out in *"$1"*) ;; *) fail "stdout lacks: $1" ;; esac; }
expect_err_has() { case $err in *"$1"*) ;; *) fail "stderr lacks: $1" ;; esac; }
expect_err_lacks() { case $err in *"$1"*) fail "stderr has: $1" ;; esac; }
expect_out_empty() { [ -z "$out" ] || fail "stdout is not empty"; }
expect_err_empty() { [ -z "$err" ] || fail "stderr is not empty"; }
# expect_err_line REGEX: some line of stderr matches the extended regex.
expect_err_line() { grep -Eq -- "$1" "$TMP/err" || fail "no stderr line matches: $1"; }
# expect_caret: stderr shows a source line ("  N | ...") and a caret line.
expect_caret() {
	grep -Eq '^ *[0-9]+ \| ' "$TMP/err" || fail "stderr shows no source line"
	grep -Eq '^ +\| +\^+$' "$TMP/err" || fail "stderr shows no caret line"
}
# expect_failure: the shape of every bad-input failure: exit 1, nothing on
# stdout, an error on stderr.
expect_failure() {
	expect_status 1
	expect_out_empty
	expect_err_has "error"
}

finish() {
	rm -rf "$TMP"
	if [ "$nfail" -gt 0 ]; then
		echo "$nfail check(s) failed in $ncases case(s)"
		exit 1
	fi
	echo "$ncases case(s) passed"
	exit 0
}
