#!/bin/sh
# Ingestion speed: makes large inputs from the real H100 fixtures (raw page:
# its 4 kernel rows repeated with new IDs, processes and devices; details
# page: its 4 kernels' rows repeated likewise), then times `gpu_profiler -c FILE --json` end to end,
# RUNS times each, printing MB/s (median, min, max) and peak RSS. The model
# is tests/fixtures/tiny.model, whose metrics both pages print.
# Then times the original tool's pandas pipeline on the same files
# (bench/ingest_pandas.py: read_csv, values cleaned, mean per metric), with
# Debian's python3-pandas (PYTHON, default /usr/bin/python3), RUNS times
# each, and prints the ratio of the medians. Without pandas it says how to
# install it and times gpu_profiler alone.
# usage: sh bench/ingest.sh [SIZE_MB] [RUNS]   (defaults 500 and 3)
set -eu
size_mb=${1:-500}
runs=${2:-3}
gp=./gpu_profiler
[ -x "$gp" ] || make -s gpu_profiler
t=${TMPDIR:-/tmp}/gp_ingest.$$
mkdir -p "$t"
trap 'rm -rf "$t"' EXIT
fix=tests/fixtures/ncu-h100
# Both pages: the fixture's kernels repeated with new IDs, spread over 8
# processes (Process ID 542-549) and 2 devices, as a multi-process,
# multi-GPU run writes them: kernel K belongs to process 542 + K % 8 and
# device (K / 8) % 2. The fields between the ID and the Device column are
# split once per template row, not per output row.
# raw page: header and units rows, then data rows with increasing IDs
awk -v want=$((size_mb * 1000000)) 'BEGIN { n = 0 } NR <= 2 { print; bytes += length($0) + 1; next }
    { q = "\",\""; nf = split($0, a, q); mid[n] = a[3]; for (k = 4; k <= 9; k++) mid[n] = mid[n] q a[k];
      tail[n] = a[11]; for (k = 12; k <= nf; k++) tail[n] = tail[n] q a[k]; n++ } END {
    for (i = 0; bytes < want; i++) for (j = 0; j < n; j++) {
        kid = i * n + j
        r = "\"" kid q (542 + kid % 8) q mid[j] q (int(kid / 8) % 2) q tail[j]; print r; bytes += length(r) + 1 } }' \
    "$fix/probe4_full_raw.csv" >"$t/raw.csv"
# details page: one row per metric; the ID is the first field of every row
awk -v want=$((size_mb * 1000000)) 'BEGIN { n = 0 } NR == 1 { print; bytes += length($0) + 1; next }
    { q = "\",\""; nf = split($0, a, q); id[n] = substr(a[1], 2) + 0; mid[n] = a[3];
      for (k = 4; k <= 9; k++) mid[n] = mid[n] q a[k];
      tail[n] = a[11]; for (k = 12; k <= nf; k++) tail[n] = tail[n] q a[k]; n++ } END {
    for (i = 0; bytes < want; i++) for (j = 0; j < n; j++) {
        kid = i * 4 + id[j]
        r = "\"" kid q (542 + kid % 8) q mid[j] q (int(kid / 8) % 2) q tail[j]; print r; bytes += length(r) + 1 } }' \
    "$fix/probe4_full_details.csv" >"$t/details.csv"
py=${PYTHON:-/usr/bin/python3}
have_pandas=1
"$py" -c 'import pandas' 2>/dev/null || {
    have_pandas=0
    echo "note: no pandas for $py (apt-get install python3-pandas); timing gpu_profiler alone" >&2
}
raw_metrics="gpu__time_duration.sum sm__cycles_active.avg gpc__cycles_elapsed.max gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed"
details_metrics="Duration|DRAM Throughput|SM Active Cycles|Elapsed Cycles|Memory Throughput|Compute (SM) Throughput|Achieved Occupancy|L1/TEX Hit Rate|L2 Hit Rate|Registers Per Thread|Block Size|Grid Size"

# time_runs NAME FILE CMD...: RUNS timings of CMD into $t/NAME.rates (MB/s) and $t/NAME.rss (KB, max)
time_runs() {
    name=$1 f=$2
    shift 2
    bytes=$(wc -c <"$f")
    : >"$t/$name.rates"
    echo 0 >"$t/$name.rss"
    for r in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$t/time" "$@" >"$t/$name.out"
        read -r secs kb <"$t/time"
        awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f\n", b / 1e6 / (s > 0 ? s : 0.01) }' >>"$t/$name.rates"
        if [ "$kb" -gt "$(cat "$t/$name.rss")" ]; then echo "$kb" >"$t/$name.rss"; fi
    done
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

printf '%-8s %-12s %8s %8s %12s %12s %12s %10s %10s\n' page tool size_MB kernels MB/s_median MB/s_min MB/s_max peak_RSS_MB speedup
for page in raw details; do
    f=$t/$page.csv
    time_runs gp "$f" "$gp" -q --no-predictions --json --model tests/fixtures/tiny.model -c "$f"
    kernels=$(grep -o '"kernels": [0-9]*' "$t/gp.out" | awk '{ s += $2 } END { print s }')
    set -- $(median "$t/gp.rates")
    gp_med=$1
    printf '%-8s %-12s %8.0f %8s %12s %12s %12s %10.1f %10s\n' "$page" gpu_profiler "$(($(wc -c <"$f") / 1000000))" \
        "$kernels" "$1" "$2" "$3" "$(($(cat "$t/gp.rss") / 1024))" "-"
    if [ "$have_pandas" = 1 ]; then
        if [ "$page" = raw ]; then
            # shellcheck disable=SC2086
            time_runs pd "$f" "$py" bench/ingest_pandas.py raw "$f" $raw_metrics
        else
            old_ifs=$IFS
            IFS='|'
            # shellcheck disable=SC2086
            set -- $details_metrics
            IFS=$old_ifs
            time_runs pd "$f" "$py" bench/ingest_pandas.py details "$f" "$@"
        fi
        set -- $(median "$t/pd.rates")
        printf '%-8s %-12s %8.0f %8s %12s %12s %12s %10.1f %10s\n' "$page" pandas "$(($(wc -c <"$f") / 1000000))" \
            "$kernels" "$1" "$2" "$3" "$(($(cat "$t/pd.rss") / 1024))" \
            "$(awk -v a="$gp_med" -v b="$1" 'BEGIN { printf "%.1fx", a / b }')"
    fi
done
