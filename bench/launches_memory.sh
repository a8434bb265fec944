#!/bin/sh
# Memory by kernel launches (issue 19): N launches of 8 kernel names streamed
# to `gpu_profiler -c -` (a raw page with the stand-in model's metrics, made
# by awk on the fly: no file), the text table (per-name sums, launches not
# kept) against --out-csv (every launch kept, as --per-kernel, --json and the
# reports need). Prints the peak resident memory (GNU time) and the wall time.
# usage: sh bench/launches_memory.sh [N...]     (default 1000000 10000000)
set -eu
gp=${GP:-./gpu_profiler}
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_launches.XXXXXX")
trap 'rm -rf "$T"' EXIT
gen() {
    awk -v n="$1" 'BEGIN {
        print "\"ID\",\"Kernel Name\",\"Device\",\"gpu__time_duration.sum\",\"sm__cycles_active.avg\",\"gpc__cycles_elapsed.max\",\"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed\""
        print "\"\",\"\",\"\",\"s\",\"cycle\",\"cycle\",\"%\""
        for (i = 0; i < n; i++)
            printf "\"%d\",\"kernel_%d(float *, int)\",\"0\",\"%.6f\",\"%d\",\"100\",\"%d\"\n", i, i % 8, 0.00001 + (i % 13) * 1e-6, 20 + i % 80, i % 90
    }'
}
measure() { # measure N LABEL ARGS...: peak RSS and wall time of one run
    n=$1
    label=$2
    shift 2
    gen "$n" | /usr/bin/time -f "%M %e" -o "$T/time" "$gp" --model tests/fixtures/tiny.model \
        --no-predictions -q -c - "$@" >/dev/null
    read -r kb s <"$T/time"
    rm -f "$T/k.csv"
    awk -v n="$n" -v l="$label" -v kb="$kb" -v s="$s" 'BEGIN { printf "| %d | %s | %.1f MB | %.1f s |\n", n, l, kb / 1024, s }'
}
echo "| launches | output | peak memory | wall time |"
echo "| --- | --- | --- | --- |"
for n in ${@:-1000000 10000000}; do
    measure "$n" "text table (per-name sums)"
    measure "$n" "--out-csv (every launch kept)" --out-csv "$T/k.csv"
done
