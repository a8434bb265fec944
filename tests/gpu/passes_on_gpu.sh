#!/bin/sh
# Run on the GPU machine: profiles the probe program with every metric of the
# feature table (what -a collects when the model is not known in advance) and
# reports ncu's replay passes per kernel. Writes under $OUT.
set -eu
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler
work=$(mktemp -d)
nvcc -O3 -arch=sm_90 -o "$work/kern" tests/fixtures/ncu-h100/probe4_kern.cu
t0=$(date +%s.%N)
./gpu_profiler -v --output-dir "$work" -a "$work/kern" -s all -s 1 --no-predictions >"$OUT/all_stdout.txt" 2>"$OUT/all_stderr.txt" || echo "rc=$?" >>"$OUT/all_stderr.txt"
t1=$(date +%s.%N)
cp "$work/gpu_profiler_ncu.csv" "$OUT/probe4_runner_allmetrics_raw.csv" || true
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "gpu_profiler -a (all table metrics) %.2f s\n", b-a }' >"$OUT/timing.txt"
cat "$OUT/timing.txt" "$OUT/all_stderr.txt"
