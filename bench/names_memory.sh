#!/bin/sh
# Memory by distinct kernel names (issue 32, defect 14): N names, each
# launched twice, streamed to `gpu_profiler -c -` (a raw page with the
# stand-in model's metrics, made by awk on the fly: no file). The text table
# (per-name sums, the top launches kept) against --json (every launch kept).
# The names are bench/names_csv.sh's. Prints the peak resident
# memory (GNU time) and the wall time.
# usage: sh bench/names_memory.sh [N...]     (default 1000000)
set -eu
gp=${GP:-./gpu_profiler}
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_names.XXXXXX")
trap 'rm -rf "$T"' EXIT
gen() { sh "$(dirname "$0")/names_csv.sh" "$1"; }
measure() { # measure N LABEL ARGS...: peak RSS and wall time of one run
    n=$1
    label=$2
    shift 2
    gen "$n" | /usr/bin/time -f "%M %e" -o "$T/time" "$gp" --model tests/fixtures/tiny.model \
        --no-predictions -q -c - "$@" >/dev/null
    read -r kb s <"$T/time"
    awk -v n="$n" -v l="$label" -v kb="$kb" -v s="$s" 'BEGIN { printf "| %d | %s | %.1f MB | %.1f s |\n", n, l, kb / 1024, s }'
}
echo "| names (2 launches each) | output | peak memory | wall time |"
echo "| --- | --- | --- | --- |"
for n in ${@:-1000000}; do
    measure "$n" "text table (per-name sums)"
    measure "$n" "--json (every launch kept)" --json
done
