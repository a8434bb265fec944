#!/bin/sh
# Run on the GPU machine (device tool), one call of at most 10 minutes, for
# issue 21: calibrate --quick on the board lent, then the full calibrate
# with its current defaults (timed: the goal is 300 s), then validation
# workloads of part 2 while the call has time. Packs into $OUT.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu --format=csv,noheader | tee "$OUT/env.txt"
export XDG_CACHE_HOME="$OUT/cache"
s=$(date +%s)
./gpu_profiler calibrate --quick --force -q >"$OUT/quick_stdout.txt" 2>&1
echo "calibrate --quick: exit $?, $(( $(date +%s) - s )) s" | tee -a "$OUT/env.txt"
s=$(date +%s)
timeout 420 ./gpu_profiler calibrate -o "$OUT/full.model" --dataset "$OUT/full_dataset.csv" --log "$OUT/full_calibrate.log" \
    --force -q >"$OUT/full_stdout.txt" 2>&1
echo "calibrate: exit $?, $(( $(date +%s) - s )) s" | tee -a "$OUT/env.txt"
names="image_pipeline fft2 reduce_sum sort scan_cumsum stream_triad atomics_index_add copy_1g idle_gaps transformer_inference launch_storm transformer_train"
GP_DEADLINE=$((t0 + ${GP_BUDGET_S:-545})) sh validation/run.sh $names
echo "total $(( $(date +%s) - t0 )) s" | tee -a "$OUT/env.txt"
rm -f "$OUT"/validation_timelines_*.tgz
(cd "$OUT" && tar czf quick.tgz cache env.txt quick_stdout.txt full_stdout.txt full.model && rm -rf cache quick_stdout.txt full_stdout.txt full.model)
ls -la "$OUT"
