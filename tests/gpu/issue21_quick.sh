#!/bin/sh
# Run on the GPU machine (device tool), one call of at most 10 minutes, for
# issue 21: calibrate --quick on the board lent (timed), then as many of the
# validation workloads as the call leaves time for (validation/run.sh with
# the built-in model), so that the built-in and the board-adjusted models can
# be compared offline on this board's own measurements
# (validation/reestimate.py --model). Packs everything into $OUT/quick.tgz.
# usage: sh tests/gpu/issue21_quick.sh PART (1 or 2: validation/tiers_part.sh's halves)
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu --format=csv,noheader | tee "$OUT/env.txt"
export XDG_CACHE_HOME="$OUT/cache"
s=$(date +%s)
./gpu_profiler calibrate --quick --force >"$OUT/quick_stdout.txt" 2>&1
echo "calibrate --quick: exit $?, $(( $(date +%s) - s )) s" | tee -a "$OUT/env.txt"
tail -5 "$OUT/quick_stdout.txt"
case "${1:-1}" in
1) names="mm_fp32 mm_tf32 mm_fp16 mm_bf16 conv_fp16_resnet conv_fp32_images blur_4k resize_4k color_convert sobel_edges histogram denoise_box3 cnn_inference" ;;
*) names="image_pipeline fft2 reduce_sum sort scan_cumsum stream_triad atomics_index_add copy_1g idle_gaps transformer_inference launch_storm transformer_train" ;;
esac
# the built-in model for the estimate (its CSVs hold the same metrics the board model reads)
GP_DEADLINE=$((t0 + ${GP_BUDGET_S:-480})) sh validation/run.sh $names
echo "total $(( $(date +%s) - t0 )) s" | tee -a "$OUT/env.txt"
(cd "$OUT" && tar czf quick.tgz cache env.txt quick_stdout.txt && rm -rf cache quick_stdout.txt)
ls -la "$OUT"
