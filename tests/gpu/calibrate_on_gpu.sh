#!/bin/sh
# Run on the GPU machine (device tool): builds gpu_profiler with its
# microbenchmarks and runs `gpu_profiler calibrate` for the GPU there, then
# profiles the probe program with the new model to check ncu's pass count.
# Leaves NAME.model, NAME_dataset.csv, NAME_calibrate.log and timing.txt in
# $OUT. usage: sh tests/gpu/calibrate_on_gpu.sh NAME [calibrate options]
set -u
OUT=${OUT:-gpu-out}
name=${1:-gpu}
shift || true
mkdir -p "$OUT"
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
{
    nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.sm,temperature.gpu --format=csv,noheader
    ncu --version | tail -1
} >"$OUT/env.txt" 2>&1
./gpu_profiler calibrate --list >"$OUT/${name}_suite.txt" 2>&1
t0=$(date +%s.%N)
./gpu_profiler calibrate -o "$OUT/$name.model" --dataset "$OUT/${name}_dataset.csv" \
    --log "$OUT/${name}_calibrate.log" "$@" 2>"$OUT/${name}_stderr.txt"
rc=$?
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v rc="$rc" 'BEGIN { printf "calibrate rc=%d wall %.1f s\n", rc, b-a }' >"$OUT/timing.txt"
cat "$OUT/env.txt" "$OUT/timing.txt"
tail -c 3000 "$OUT/${name}_stderr.txt"
if [ "$rc" = 0 ]; then
    work=$(mktemp -d)
    nvcc -O3 -arch=sm_90 -o "$work/kern" tests/fixtures/ncu-h100/probe4_kern.cu &&
        ./gpu_profiler -v -m all --model "$OUT/$name.model" --output-dir "$work" -a "$work/kern" -s all -s 1 \
            --no-predictions >"$OUT/${name}_probe4_stdout.txt" 2>&1
    cp "$work/gpu_profiler_ncu.csv" "$OUT/${name}_probe4_raw.csv" 2>/dev/null
    grep -h 'pass' "$OUT/${name}_probe4_stdout.txt" | head -3
    tail -20 "$OUT/${name}_probe4_stdout.txt"
fi
