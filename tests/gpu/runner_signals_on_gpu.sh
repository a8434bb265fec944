#!/bin/sh
# Run on the GPU machine (device tool): -a with real ncu, stopped by
# --duration and by SIGTERM sent to gpu_profiler, on a PyTorch workload that
# would otherwise run for minutes under ncu. Checks that an estimate comes
# out, the exit status, the time taken, and that no process is left.
# Leaves runner_signals.txt in $OUT.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler >/dev/null || exit 1
py=$(command -v python3)
w=$(mktemp -d)
log=$OUT/runner_signals.txt
{
    echo "== --duration 15 (GP_ITERS=100000 mm_fp32, every kernel profiled)"
    t0=$(date +%s)
    GP_ITERS=100000 ./gpu_profiler -m all --no-predictions --output-dir "$w" --duration 15 \
        -a "$py" -s validation/workloads.py -s mm_fp32 >"$w/d.out" 2>"$w/d.err"
    echo "exit $? after $(($(date +%s) - t0)) s"
    grep -c '==PROF== Profiling' "$w/d.err"
    grep -v '==PROF== Profiling' "$w/d.err" | tail -8
    echo "-- stdout ($(wc -c <"$w/d.out") bytes):"
    head -12 "$w/d.out"
    ls -la "$w"
    head -c 600 "$w/gpu_profiler_ncu.csv" 2>/dev/null
    echo "== SIGTERM to gpu_profiler after 15 s"
    rm -f "$w"/gpu_profiler_ncu.*
    t0=$(date +%s)
    GP_ITERS=100000 ./gpu_profiler -m all --no-predictions --output-dir "$w" \
        -a "$py" -s validation/workloads.py -s mm_fp32 >"$w/t.out" 2>"$w/t.err" &
    gp=$!
    sleep 15
    kill -TERM "$gp"
    wait "$gp"
    echo "exit $? after $(($(date +%s) - t0)) s"
    grep -c '==PROF== Profiling' "$w/t.err"
    grep -v '==PROF== Profiling' "$w/t.err" | tail -8
    echo "-- stdout ($(wc -c <"$w/t.out") bytes):"
    head -12 "$w/t.out"
    sleep 2
    echo "== processes left (python3 workloads.py or ncu):"
    ps -eo pid,ppid,stat,etime,args | grep -E 'workloads.py|ncu' | grep -v grep || echo none
} >"$log" 2>&1
cat "$log"
