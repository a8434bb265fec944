#!/bin/sh
# Run on the GPU machine (device tool), one call of at most 10 minutes, for
# issue 21: calibrate --quick and the full calibrate (min and peak from
# 0.2 s into each configuration) on the board lent, then the validation
# workloads named (default: FP32 and memory ones) until the budget is spent.
# usage: GP_BUDGET_S=S sh tests/gpu/issue21_calibrate_validate.sh [NAME...]
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
. tests/gpu/device_lib.sh
device_start || exit 1
s=$(date +%s)
timeout 380 ./gpu_profiler calibrate -o "$OUT/full.model" --dataset "$OUT/full_dataset.csv" --log "$OUT/full_calibrate.log" \
    --force -q >"$OUT/full_stdout.txt" 2>&1
echo "calibrate: exit $?, $(( $(date +%s) - s )) s" | tee -a "$OUT/info.txt"
names=${*:-"mm_fp32 conv_fp32_images blur_4k stream_triad sort scan_cumsum histogram fft2"}
GP_DEADLINE=$((t0 + ${GP_BUDGET_S:-500})) sh validation/run.sh $names
rm -f "$OUT"/validation_timelines_*.tgz
echo "total $(( $(date +%s) - t0 )) s" | tee -a "$OUT/info.txt"
(cd "$OUT" && tar czf quick.tgz cache quick_stdout.txt full_stdout.txt full.model build.txt &&
    rm -rf cache quick_stdout.txt full_stdout.txt full.model build.txt)
ls -la "$OUT"
