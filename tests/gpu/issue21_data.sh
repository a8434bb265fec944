#!/bin/sh
# Run on the GPU machine (device tool), one call of at most 10 minutes, for
# issue 21's biases and passes:
#  1. ncu's passes for the 12-feature 1-pass set plus FFMA counters (a
#     pass count only where ncu's page has the metric's column: it accepts
#     some names it collects nothing for), and plus each per-opcode
#     instruction counter ncu lists for FP64, special functions and FP16;
#     the raw page of the probe's fma kernel with every metric recorded (a
#     fixture);
#  2. calibrate --quick with the built-in model (the board's scale);
#  3. the full calibrate on real-like data (make MB_DATA=real), timed;
#  4. if the call has time left, the same FP32, SGEMM and DRAM families on
#     random bits (the default build) and on real-like data, twice each,
#     interleaved: the data's own effect on one board.
# As run on 2026-12-02 (board 1653824162269) the default build was the
# real-like data and build-bits/ the random bits; the roles are swapped
# since, with the same data in each.
# Packs into $OUT (at most 8 files).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
end=$((t0 + ${GP_BUDGET_S:-560}))
left() { echo $((end - $(date +%s))); }
(make -s -j8 gpu_profiler >"$OUT/build.txt" 2>&1 || echo "build failed" >>"$OUT/build.txt") &
(make -s -j8 MB_DATA=real build-real/gpu_profiler >"$OUT/build_real.txt" 2>&1 || echo "real build failed" >>"$OUT/build_real.txt") &
wait
cat "$OUT/build.txt" "$OUT/build_real.txt"
[ -x gpu_profiler ] && [ -x build-real/gpu_profiler ] || exit 1
info="$OUT/info.txt"
nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu --format=csv,noheader | tee "$info"
echo "build: $(( $(date +%s) - t0 )) s" | tee -a "$info"
export XDG_CACHE_HOME="$OUT/cache"
work=$(mktemp -d)
nvcc -O2 -arch=sm_90 -o "$work/probe" tests/fixtures/ncu-h100/probe4_kern.cu || exit 1
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)

# 1. passes
. tests/gpu/device_lib.sh
passes() { ncu_passes "$ncu" "$1" "$work/probe" fma; }
set12="sm_active issue tensor dram_read dram_write l2 alu shared l1 fp16 l2_atom occupancy"
base=$(feature_metrics "$set12")
ffma=smsp__sass_inst_executed_op_ffma.avg.per_cycle_elapsed
pt="$OUT/passes.md"
{
    echo "base (12 features): $base"
    echo "| added to the 12-feature set | passes |"
    echo "| --- | --- |"
    echo "| (nothing) | $(passes "$base") |"
    echo "| $ffma | $(passes "$base,$ffma") |"
    echo "| smsp__sass_inst_executed_op_ffma.sum | $(passes "$base,smsp__sass_inst_executed_op_ffma.sum") |"
} | tee "$pt"
"$ncu" --query-metrics 2>/dev/null | awk '{ print $1 }' | grep -E '^smsp__sass_inst_executed_op_' >"$work/ops.txt"
echo "per-opcode counters ncu lists: $(wc -l <"$work/ops.txt")" | tee -a "$pt"
for op in $(grep -E 'dfma|dadd|dmul|mufu|hfma|hadd|hmul|fadd|fmul' "$work/ops.txt" | head -12); do
    echo "| $ffma + $op.sum | $(passes "$base,$ffma,$op.sum") |" | tee -a "$pt"
done
all=$(feature_metrics "$(./gpu_profiler --list-features | awk '/^[a-z]/ && NR > 1 { print $1 }' | tr '\n' ' ')")
timeout 90 "$ncu" --clock-control none --csv --page raw --metrics "$all,smsp__sass_inst_executed_op_ffma.sum" \
    -k regex:fma --launch-count 1 "$work/probe" fma >"$work/probe_fma_raw.csv" 2>"$work/probe_fma_raw_err.txt"
echo "raw page: exit $?, $(wc -l <"$work/probe_fma_raw.csv") lines" | tee -a "$info"
echo "passes: $(( $(date +%s) - t0 )) s" | tee -a "$info"

# 2. the board's scale
s=$(date +%s)
build-real/gpu_profiler calibrate --quick --force -q >"$work/quick_stdout.txt" 2>&1
echo "calibrate --quick: exit $?, $(( $(date +%s) - s )) s" | tee -a "$info"

# 3. the full calibrate on real-like data
s=$(date +%s)
timeout $(( $(left) - 5 )) build-real/gpu_profiler calibrate -o "$work/full.model" --dataset "$OUT/full_dataset.csv" \
    --log "$OUT/full_calibrate.log" --force -q >"$work/full_stdout.txt" 2>&1
echo "calibrate: exit $?, $(( $(date +%s) - s )) s" | tee -a "$info"

# 4. the data's own effect: bits and real, interleaved
fams=fp32,fp32_tile,sgemm,dram
for run in bits1 real1 bits2 real2; do
    if [ "$(left)" -lt 75 ]; then
        echo "data pair $run: not run ($(left) s left)" | tee -a "$info"
        continue
    fi
    case $run in bits*) bin=./gpu_profiler ;; *) bin=build-real/gpu_profiler ;; esac
    s=$(date +%s)
    timeout $(( $(left) - 5 )) $bin calibrate --only $fams --repeats 2 --no-gap-probes --limit-window 0 \
        -o "$work/$run.model" --dataset "$work/data_$run.csv" --log "$work/data_$run.log" --force -q \
        >"$work/data_$run.txt" 2>&1
    echo "data pair $run: exit $?, $(( $(date +%s) - s )) s" | tee -a "$info"
done
echo "total $(( $(date +%s) - t0 )) s" | tee -a "$info"
cp "$work"/quick_stdout.txt "$work"/full_stdout.txt "$XDG_CACHE_HOME" 2>/dev/null
(cd "$work" && tar czf "$OUT/data_pair.tgz" data_* probe_fma_raw.csv probe_fma_raw_err.txt ops.txt 2>/dev/null)
(cd "$OUT" && tar czf quick.tgz cache build.txt build_real.txt && rm -rf cache build.txt build_real.txt)
ls -la "$OUT"
