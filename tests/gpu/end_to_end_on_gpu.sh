#!/bin/sh
# What CI cannot run, on the GPU machine, in one call: a short calibration of
# two families (the microbenchmarks' checks on the real GPU), -a --measure
# with the full and the fast model on a PyTorch workload (NVML measurement,
# ncu, the comparison and the HTML report), the progress line on a pty, and
# measure on every GPU of the machine. Writes $OUT/end_to_end.txt and
# $OUT/end_to_end.tgz (reports, calibration log).
# usage: sh tests/gpu/end_to_end_on_gpu.sh
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
log="$OUT/end_to_end.txt"
work=$(mktemp -d)
py=$(command -v python3)
make -s gpu_profiler >/dev/null 2>&1 || { echo "build failed" >"$log"; exit 1; }
step() { echo "== $*" >>"$log"; }
step "calibrate --only dram,fp32_tile (checks on the GPU)"
./gpu_profiler calibrate --only dram,fp32_tile --repeats 2 --window 0.5 --warmup 0.1 -o "$work/q.model" \
    --dataset "$work/q.csv" --log "$work/q.log" -q >>"$log" 2>&1
echo "exit $?" >>"$log"
grep -i -E "check|fail|families|configurations" "$work/q.log" | head -20 >>"$log"
for m in full fast; do
    step "-a --measure ($m model) mm_fp32, GP_SECONDS=3, whole run"
    set --
    [ $m = fast ] && set -- --fast
    GP_SECONDS=3 ./gpu_profiler "$@" -m all --measure --no-predictions --output-dir "$work" --force \
        --report "$work/measure_$m.html" -a "$py" -s validation/workloads.py -s mm_fp32 >"$work/out_$m.txt" 2>&1
    echo "exit $?" >>"$log"
    grep -v -E '^==PROF==|^GP_|^iters' "$work/out_$m.txt" | head -30 >>"$log"
done
step "progress line on a pty (script), probe program"
nvcc -O2 -o "$work/probe" tests/fixtures/ncu-h100/probe4_kern.cu >/dev/null 2>&1
if command -v script >/dev/null 2>&1; then
    script -qfc "./gpu_profiler --no-predictions --output-dir $work --force -a $work/probe -s all" "$work/pty.txt" \
        >/dev/null 2>&1
    echo "exit $?" >>"$log"
    tr '\r' '\n' <"$work/pty.txt" | grep -a -E 'kernels? profiled' | tail -3 >>"$log"
else
    echo "no script(1) here" >>"$log"
fi
step "measure --json, every GPU of the machine (default)"
./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP -- "$py" validation/workloads.py mm_bf16 \
    2>&1 | grep -v -E '^GP_' >>"$log"
(cd "$work" && tar czf "$OUT/end_to_end.tgz" measure_*.html q.log out_*.txt pty.txt 2>/dev/null)
cat "$log"
