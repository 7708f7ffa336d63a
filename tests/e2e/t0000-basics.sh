#!/usr/bin/env bash
# t0000-basics: version, help and command dispatch.
. "$(dirname "$0")/lib.sh"

tcase "version"
ward version
expect_status 0
expect_out_has "ward 0."
expect_err_empty

tcase "--version before any command"
ward --version
expect_status 0
expect_out_has "ward 0."

tcase "no command: usage on stderr, failure"
ward
expect_status 1
expect_out_empty
expect_err_has "usage: ward <command>"

tcase "--help lists every command"
ward --help
expect_status 0
for c in authorize evaluate check-parse version help; do
	expect_out_has "  $c "
done
expect_err_empty

tcase "help COMMAND equals COMMAND --help"
ward help authorize
expect_status 0
help_out=$out
ward authorize --help
expect_status 0
expect_out "$help_out"

for c in authorize evaluate check-parse validate version help; do
	tcase "$c --help"
	ward "$c" --help
	expect_status 0
	expect_out_has "usage: ward $c"
	expect_out_has "-h, --help"
	expect_err_empty
	tcase "$c -h"
	ward "$c" -h
	expect_status 0
	expect_out_has "usage: ward $c"
done

tcase "the reference CLI's flags are listed"
ward authorize --help
for f in "-p, --policies" "-s, --schema" "--entities" "-l, --principal" "-a, --action" "-r, --resource" \
	"-c, --context" "--request-json" "--policy-format" "--requests" "--format" "--ids"; do
	expect_out_has "$f"
done

tcase "unknown command suggests the closest"
ward autorize
expect_failure
expect_err_has "unknown command 'autorize'"
expect_err_has "did you mean 'authorize'"

tcase "help of an unknown command"
ward help frobnicate
expect_failure
expect_err_has "unknown command 'frobnicate'"

tcase "unexpected positional argument"
ward version extra
expect_failure
expect_err_has "unexpected argument 'extra'"

finish
