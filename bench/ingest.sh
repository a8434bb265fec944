#!/bin/sh
# Ingestion speed: makes large inputs from the real H100 fixtures (raw page:
# its 4 kernel rows repeated with new IDs; details page: its 4 kernels' rows
# repeated likewise), then times `gpu_profiler -c FILE --json` end to end,
# RUNS times each, printing MB/s (median, min, max) and peak RSS. The model
# is tests/fixtures/tiny.model, whose metrics both pages print.
# usage: sh bench/ingest.sh [SIZE_MB] [RUNS]   (defaults 500 and 3)
# The pandas comparison of the ingestion issue is not here yet.
set -eu
size_mb=${1:-500}
runs=${2:-3}
gp=./gpu_profiler
[ -x "$gp" ] || make -s gpu_profiler
t=${TMPDIR:-/tmp}/gp_ingest.$$
mkdir -p "$t"
trap 'rm -rf "$t"' EXIT
fix=tests/fixtures/ncu-h100
# raw page: header and units rows, then data rows with increasing IDs
awk -v want=$((size_mb * 1000000)) 'NR <= 2 { print; bytes += length($0) + 1; next } { rows[n++] = $0 } END {
    for (i = 0; bytes < want; i++) for (j = 0; j < n; j++) {
        r = rows[j]; sub(/^"[0-9]+"/, "\"" (i * n + j) "\"", r); print r; bytes += length(r) + 1 } }' \
    "$fix/probe4_full_raw.csv" >"$t/raw.csv"
# details page: one row per metric; the ID is the first field of every row
awk -v want=$((size_mb * 1000000)) 'NR == 1 { print; bytes += length($0) + 1; next } { rows[n] = $0; id[n] = $0;
    sub(/^"/, "", id[n]); sub(/".*/, "", id[n]); n++ } END {
    for (i = 0; bytes < want; i++) for (j = 0; j < n; j++) {
        r = rows[j]; sub(/^"[0-9]+"/, "\"" (i * 4 + id[j]) "\"", r); print r; bytes += length(r) + 1 } }' \
    "$fix/probe4_full_details.csv" >"$t/details.csv"
printf '%-8s %10s %8s %12s %12s %12s %10s\n' page size_MB kernels MB/s_median MB/s_min MB/s_max peak_RSS_MB
for page in raw details; do
    f=$t/$page.csv
    bytes=$(wc -c <"$f")
    : >"$t/rates"
    rss=0
    for r in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$t/time" "$gp" -q --no-predictions --json --model tests/fixtures/tiny.model -c "$f" >"$t/out.json"
        read -r secs kb <"$t/time"
        awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f\n", b / 1e6 / (s > 0 ? s : 0.01) }' >>"$t/rates"
        [ "$kb" -gt "$rss" ] && rss=$kb
    done
    kernels=$(grep -o '"kernels": [0-9]*' "$t/out.json" | head -1 | grep -o '[0-9]*$')
    sort -n "$t/rates" | awk -v p="$page" -v b="$bytes" -v k="$kernels" -v rss="$rss" \
        '{ v[NR] = $1 } END { printf "%-8s %10.0f %8s %12.1f %12.1f %12.1f %10.1f\n", p, b / 1e6, k, v[int((NR + 1) / 2)], v[1], v[NR], rss / 1024 }'
done
