#!/usr/bin/env bash
# diff_bench: times `ward diff` for a one-policy change in a 1,000-policy set
# over 100,000 entities (bench/diff_gen.py). Not a test: prints numbers.
# Usage: bench/diff_bench.sh [WARD] [RUNS] [team|user]
set -eu
WARD=${1:-build/ward}
RUNS=${2:-5}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
python3 "$(dirname "$0")/diff_gen.py" "$DIR" --change "${3:-team}"
in=(--repo "$DIR" --schema "$DIR/schema.cedarschema" --entities "$DIR/entities.json" --base "$DIR/base" --head "$DIR/head")
"$WARD" diff "${in[@]}" | head -8
for i in $(seq "$RUNS"); do
	s=$(date +%s.%N)
	"$WARD" diff "${in[@]}" --timing 2>"$DIR/err" >/dev/null
	e=$(date +%s.%N)
	printf 'run %d: whole command %.0f ms (load + diff); %s\n' "$i" "$(echo "($e - $s) * 1000" | bc)" "$(cat "$DIR/err")"
done
