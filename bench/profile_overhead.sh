#!/bin/sh
# Profiling cost on the GPU machine (device tool), for the PyTorch workloads
# of validation/workloads.py: wall time of
#   app        the workload alone (GP_ITERS steps)
#   ours       gpu_profiler -a on the same run, the model's metrics only
#   full       ncu --set full on the same run (what the original tool runs)
# each over the same steps (NVTX range gp_loop, at most MAX kernels), and
# the replay passes per kernel that ncu printed. Prints a Markdown table
# (also written, row by row, to $OUT/profile_overhead.md) and leaves the
# logs in $OUT/profile_overhead_logs.tgz after each workload.
# usage: sh bench/profile_overhead.sh [WORKLOAD...]   (GP_ITERS=2, MAX=300)
# GP_LEAN_MODEL=FILE adds a column: gpu_profiler -a with that model (fewer
# metrics, fewer passes; bench/pass_count.sh makes one); GP_LEAN_MODEL=fast
# uses the built-in fast model (gpu_profiler --fast).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler >/dev/null || exit 1
py=$(command -v python3)
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
iters=${GP_ITERS:-2}
max=${MAX:-300}
work=$(mktemp -d)
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
passes() { grep -o '[0-9]* pass' "$1" | sort | uniq -c | sort -rn | head -1 | awk '{ print $2 }'; }
table="$OUT/profile_overhead.md"
lean=${GP_LEAN_MODEL:-}
echo "| workload | kernels | app alone s | gpu_profiler -a s (passes/kernel) | lean model s (passes/kernel) | ncu --set full s (passes/kernel) | full / ours | full / lean |" | tee "$table"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |" | tee -a "$table"
for w in ${*:-mm_fp32 blur_4k image_pipeline}; do
    t0=$(now)
    GP_ITERS=$iters "$py" validation/workloads.py "$w" >"$work/${w}_app.txt" 2>&1
    t1=$(now)
    GP_ITERS=$iters ./gpu_profiler -m avg --no-predictions --output-dir "$work" --force --nvtx-range gp_loop \
        --max-kernels "$max" -a "$py" -s validation/workloads.py -s "$w" >"$work/${w}_ours.txt" 2>&1
    t2=$(now)
    if [ -n "$lean" ]; then
        if [ "$lean" = fast ]; then set -- --fast; else set -- --model "$lean"; fi
        GP_ITERS=$iters ./gpu_profiler "$@" -m avg --no-predictions --output-dir "$work" --force \
            --nvtx-range gp_loop --max-kernels "$max" -a "$py" -s validation/workloads.py -s "$w" \
            >"$work/${w}_lean.txt" 2>&1
    fi
    t2b=$(now)
    GP_ITERS=$iters "$ncu" --set full --clock-control none --target-processes all --nvtx --nvtx-include 'gp_loop/' \
        --launch-count "$max" -f -o "$work/${w}_full" "$py" validation/workloads.py "$w" >"$work/${w}_full.txt" 2>&1
    t3=$(now)
    k=$(grep -c '==PROF== Profiling' "$work/${w}_ours.txt")
    po=$(passes "$work/${w}_ours.txt")
    pf=$(passes "$work/${w}_full.txt")
    pl=n/a
    [ -n "$lean" ] && pl=$(passes "$work/${w}_lean.txt")
    a=$(secs "$t0" "$t1"); o=$(secs "$t1" "$t2"); l=$(secs "$t2" "$t2b"); f=$(secs "$t2b" "$t3")
    [ -n "$lean" ] || l=n/a
    echo "| $w | $k | $a | $o ($po) | $l ($pl) | $f ($pf) | $(awk -v o="$o" -v f="$f" 'BEGIN { printf "%.1fx", f / o }') | $(awk -v o="$l" -v f="$f" 'BEGIN { if (o + 0 > 0) printf "%.1fx", f / o; else printf "n/a" }') |" |
        tee -a "$table"
    rm -f "$work"/*.ncu-rep
    (cd "$work" && tar czf "$OUT/profile_overhead_logs.tgz" ./*.txt)
done
