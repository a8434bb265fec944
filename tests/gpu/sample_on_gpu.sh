#!/bin/sh
# On the GPU machine (device tool), in one short call: --sample with real ncu
# (does ncu take the --kernel-id expression, and how many of the probe
# program's 4 x 40 launches does it profile), against the same run profiled
# whole; and gpu_profiler measure on the probe program (NVML). Writes
# $OUT/sample_on_gpu.txt.
# usage: sh tests/gpu/sample_on_gpu.sh
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
log="$OUT/sample_on_gpu.txt"
work=$(mktemp -d)
make -s gpu_profiler >"$log" 2>&1 || { echo "build failed" >>"$log"; exit 1; }
nvcc -O3 -arch=sm_90 -o "$work/kern" tests/fixtures/ncu-h100/probe4_kern.cu >>"$log" 2>&1
{ nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader; ncu --version | tail -1; } >>"$log" 2>&1
for s in 1 10; do
    set --
    [ "$s" = 1 ] || set -- --sample "$s"
    echo "== -a kern all 40, ${s:+sample $s}" >>"$log"
    t0=$(date +%s.%N)
    ./gpu_profiler "$@" -m all --no-predictions --force --output-dir "$work" -a "$work/kern" -s all -s 40 \
        >"$work/out_$s.txt" 2>&1
    echo "exit $? in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >>"$log"
    grep -v '^==PROF== Profiling' "$work/out_$s.txt" | head -14 >>"$log"
    grep -c '^==PROF== Profiling' "$work/out_$s.txt" | sed 's/^/ncu profiling lines: /' >>"$log"
done
echo "== measure kern all 400" >>"$log"
./gpu_profiler measure -- "$work/kern" all 400 >>"$log" 2>&1
echo "exit $?" >>"$log"
cat "$log"
