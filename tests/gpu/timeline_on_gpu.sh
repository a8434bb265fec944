#!/bin/sh
# Run on the GPU machine (device tool): builds gpu_profiler and its timeline
# tracer (CUPTI), checks the tracer on a small torch run, then measures the
# named validation workloads with `measure --timeline` (the steady loop
# between the markers) and, for the first one, once more without the tracer
# (what tracing costs). Leaves timeline_on_gpu.txt and timelines.tgz (each
# workload's NAME_timeline.txt, NAME_measure.json) in $OUT (8 files come
# back from a device call: everything else goes into the archive).
# usage: sh tests/gpu/timeline_on_gpu.sh NAME...
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
final=$OUT
OUT=$(mktemp -d)
log="$final/timeline_on_gpu.txt"
{
    nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader
    ls /usr/local/cuda/include/cupti.h /usr/local/cuda/lib64/libcupti.so 2>&1
} >"$log"
make -s >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
ls -la build/gpu_profiler_trace.so >>"$log" 2>&1 || { cat "$log" "$OUT/build.txt"; exit 1; }
py=$(command -v python3)
echo "== smoke: 100 add_ and a copy under the tracer" >>"$log"
./gpu_profiler measure --timeline "$OUT/smoke_timeline.txt" -- "$py" -c \
    "import torch; x = torch.randn(1000, device='cuda'); [x.add_(1) for _ in range(100)]; y = x.cpu(); torch.cuda.synchronize()" \
    >>"$log" 2>&1
echo "rc=$?" >>"$log"
head -5 "$OUT/smoke_timeline.txt" >>"$log" 2>&1
grep -c '^K' "$OUT/smoke_timeline.txt" >>"$log" 2>&1
first=1
for w in "$@"; do
    t0=$(date +%s.%N)
    ./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP --timeline "$OUT/${w}_timeline.txt" \
        -- "$py" validation/workloads.py "$w" >"$OUT/${w}_measure.json" 2>"$OUT/${w}_measure_err.txt"
    rc=$?
    t1=$(date +%s.%N)
    echo "== $w rc=$rc wall $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s kernels $(grep -c '^K' "$OUT/${w}_timeline.txt" 2>/dev/null)" >>"$log"
    grep -E '"(power_w|duration_s)"' "$OUT/${w}_measure.json" | tr -d '\n' >>"$log"
    echo >>"$log"
    if [ $first = 1 ]; then
        first=0
        ./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP \
            -- "$py" validation/workloads.py "$w" >"$OUT/${w}_measure_notrace.json" 2>/dev/null
        echo "== $w without the tracer" >>"$log"
        grep -E '"(power_w|duration_s)"' "$OUT/${w}_measure_notrace.json" | tr -d '\n' >>"$log"
        echo >>"$log"
    fi
done
(cd "$OUT" && tar czf "$final/timelines.tgz" .)
cat "$log"
