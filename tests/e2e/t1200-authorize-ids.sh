#!/usr/bin/env bash
# t1200-authorize-ids: @id annotations versus positional policy ids.
. "$(dirname "$0")/lib.sh"

in=(-p "$DATA/photos.cedar" --entities "$DATA/entities.json")

tcase "default: @id where present, positional otherwise"
ward authorize "${in[@]}" -l 'User::"bob"' -a 'Action::"view"' -r 'Photo::"beach.jpg"' --format json
expect_status 0
expect_out '{"decision":"allow","reasons":["policy2"],"errors":[]}'

tcase "--ids annotation is the default"
ward authorize "${in[@]}" --ids annotation -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"secret.jpg"' --format json
expect_status 2
expect_out '{"decision":"deny","reasons":["no-private"],"errors":[]}'

tcase "--ids positional: policyN in order of appearance"
ward authorize "${in[@]}" --ids positional -l 'User::"alice"' -a 'Action::"view"' -r 'Photo::"secret.jpg"' --format json
expect_status 2
expect_out '{"decision":"deny","reasons":["policy1"],"errors":[]}'

tcase "--ids positional names erroring policies positionally too"
ward authorize "${in[@]}" --ids positional -l 'User::"carol"' -a 'Action::"edit"' -r 'Photo::"beach.jpg"' --format json
expect_status 2
expect_out_has '"errors":[{"policy":"policy3","message":'

tcase "duplicate @id is an error"
ward authorize -p "$DATA/dup-ids.cedar" -l 'User::"a"' -a 'Action::"b"' -r 'R::"c"'
expect_failure
expect_err_has "same"
expect_err_line "dup-ids.cedar:[0-9]+:[0-9]+: error:"

tcase "duplicate @id is fine with positional ids"
ward authorize -p "$DATA/dup-ids.cedar" --ids positional -l 'User::"a"' -a 'Action::"b"' -r 'R::"c"' --format json
expect_status 2
expect_out '{"decision":"deny","reasons":["policy1"],"errors":[]}'

tcase "invalid --ids value"
ward authorize "${in[@]}" --ids numbered -l 'User::"a"' -a 'Action::"b"' -r 'R::"c"'
expect_failure
expect_err_has "invalid value 'numbered' for '--ids'"

finish
