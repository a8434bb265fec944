#!/bin/sh
# Memory by distinct kernel names (issue 32, defect 14): 10^5 names launched
# twice each (bench/names_memory.sh's input, smaller), the text table against
# --json. The text table keeps the names' sums and the top launches; --json
# keeps every launch: the text table must not take more (it took 1.5 times
# as much: a copy of every name's sums for the table, another for the
# shortened names, and their labels). Under SANITIZE=1 (GP_SANITIZE set) the
# sanitizer's quarantine holds what was freed: not compared.
# usage: sh tests/names_memory.sh ./gpu_profiler      Prints "N passed, N failed, N skipped".
set -u
GP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_names.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$HERE/prereq.sh"
passed=0
failed=0
sh "$HERE/../bench/names_csv.sh" 100000 >"$T/names.csv"
run() { # run OUT ARGS...: the peak resident memory (KB) in $T/OUT.kb
    o=$1
    shift
    /usr/bin/time -f "%M" -o "$T/$o.kb" "$GP" --model "$HERE/fixtures/tiny.model" --no-predictions -c "$T/names.csv" \
        "$@" >"$T/$o" 2>"$T/$o.err"
}
run text --top 10
check "text table: 10 names of 100000" grep -q "(99990 more names; --top N shows more)" "$T/text"
check "text table: names that shorten alike told apart" grep -q "elementwise_kernel_.*, Functor_.*<float>>" "$T/text"
if ! [ -x /usr/bin/time ]; then
    skip_tool "names memory" /usr/bin/time "apt-get install time"
elif [ -n "${GP_SANITIZE:-}" ]; then
    echo "skipped: names memory: a sanitizer build (its quarantine keeps what was freed)"
    skipped=$((skipped + 1))
else
    run json --json
    text_kb=$(cat "$T/text.kb")
    json_kb=$(cat "$T/json.kb")
    echo "names memory: 10^5 names, text table $text_kb KB, --json $json_kb KB"
    check "text table ($text_kb KB) within --json's memory ($json_kb KB)" [ "$text_kb" -lt "$json_kb" ]
fi
tally_line "$passed" "$failed"
