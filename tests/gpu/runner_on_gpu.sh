#!/bin/sh
# Run on the GPU machine (device tool): builds gpu_profiler and the probe
# program, profiles it for real with -a (ncu 2025.3.1, --clock-control none),
# and, for comparison, under the original tool's 'ncu --set full'. Writes the
# logs and the CSV under $OUT (or ./gpu-out).
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
t0=$(date +%s.%N)
"$work/kern" all 1 >/dev/null
t1=$(date +%s.%N)
./gpu_profiler -v -m all --output-dir "$work" -a "$work/kern" -s all -s 1 \
    --model tests/fixtures/tiny.model --no-predictions >"$OUT/runner_stdout.txt" 2>"$OUT/runner_stderr.txt" || echo "rc=$?" >>"$OUT/runner_stderr.txt"
t2=$(date +%s.%N)
ncu --set full --clock-control none -f -o "$work/full" "$work/kern" all 1 >"$OUT/setfull_stdout.txt" 2>&1 || true
t3=$(date +%s.%N)
cp "$work/gpu_profiler_ncu.csv" "$OUT/probe4_runner_raw.csv" 2>/dev/null || true
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "app alone %.2f s\ngpu_profiler -a %.2f s\nncu --set full %.2f s\n", b-a, c-b, d-c }' >"$OUT/timing.txt"
cat "$OUT/env.txt" "$OUT/timing.txt" "$OUT/runner_stdout.txt" "$OUT/runner_stderr.txt"
grep -h 'pass' "$OUT/runner_stderr.txt" "$OUT/setfull_stdout.txt" | head -20
