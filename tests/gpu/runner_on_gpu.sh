#!/bin/sh
# Run on the GPU machine (device tool): builds gpu_profiler and the probe
# program and profiles it for real with -a (ncu, --clock-control none):
# once with a 2-feature model (5 metrics), once collecting every metric of
# the feature table; and, for comparison, under the original tool's
# 'ncu --set full'. ncu prints the replay passes per kernel. Writes logs, the
# CSVs and the timings under $OUT (or ./gpu-out).
set -eu
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler
work=$(mktemp -d)
nvcc -O3 -arch=sm_90 -o "$work/kern" tests/fixtures/ncu-h100/probe4_kern.cu
{
    nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader
    ncu --version | tail -1
} >"$OUT/env.txt" 2>&1

now() { date +%s.%N; }
profile() { # name, then gpu_profiler options
    name=$1
    shift
    t0=$(now)
    ./gpu_profiler -v -m all --output-dir "$work" -a "$work/kern" -s all -s 1 --no-predictions "$@" \
        >"$OUT/${name}_stdout.txt" 2>"$OUT/${name}_stderr.txt" || echo "rc=$?" >>"$OUT/${name}_stderr.txt"
    t1=$(now)
    awk -v a="$t0" -v b="$t1" -v n="$name" 'BEGIN { printf "gpu_profiler -a (%s) %.2f s\n", n, b-a }' >>"$OUT/timing.txt"
    cp "$work/gpu_profiler_ncu.csv" "$OUT/probe4_${name}_raw.csv" 2>/dev/null || true
}

: >"$OUT/timing.txt"
t0=$(now)
"$work/kern" all 1 >/dev/null
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "app alone %.2f s\n", b-a }' >>"$OUT/timing.txt"
profile tiny_model --model tests/fixtures/tiny.model
profile all_metrics
t0=$(now)
ncu --set full --clock-control none -f -o "$work/full" "$work/kern" all 1 >"$OUT/setfull_stdout.txt" 2>&1 || true
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "ncu --set full %.2f s\n", b-a }' >>"$OUT/timing.txt"
cat "$OUT/env.txt" "$OUT/timing.txt"
grep -h 'passes\|pass$' "$OUT"/*_stdout.txt
