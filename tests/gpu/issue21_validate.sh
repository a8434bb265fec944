#!/bin/sh
# Run on the GPU machine (device tool), one call of at most 10 minutes, for
# issue 21: calibrate --quick on the board lent (its scale), then the
# validation workloads named (default: the FP32, memory and mixed ones that
# tell the models apart, most telling first) with NVML and the built-in
# model's counters, and their timelines, until the call's budget is spent.
# usage: sh tests/gpu/issue21_validate.sh [NAME...]
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
. tests/gpu/device_lib.sh
device_start || exit 1
names=${*:-"mm_fp32 conv_fp32_images blur_4k stream_triad sort reduce_sum scan_cumsum histogram color_convert resize_4k fft2 sobel_edges denoise_box3 image_pipeline atomics_index_add mm_fp16 mm_tf32 mm_bf16 conv_fp16_resnet transformer_inference"}
GP_DEADLINE=$((t0 + ${GP_BUDGET_S:-520})) sh validation/run.sh $names
echo "total $(( $(date +%s) - t0 )) s" | tee -a "$OUT/info.txt"
(cd "$OUT" && tar czf quick.tgz cache quick_stdout.txt build.txt && rm -rf cache quick_stdout.txt build.txt)
ls -la "$OUT"
