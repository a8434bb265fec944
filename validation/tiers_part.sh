#!/bin/sh
# One of the two device calls of the tier validation: validation/run.sh over
# a part of the workloads with the full tier's model, so each workload's
# ncu CSV (in the logs) holds the metrics of the full, detailed and basic
# tiers beside its NVML measurement. usage: sh validation/tiers_part.sh 1|2
set -u
case "$1" in
1) names="mm_fp32 mm_tf32 mm_fp16 mm_bf16 conv_fp16_resnet conv_fp32_images blur_4k resize_4k color_convert sobel_edges histogram denoise_box3 cnn_inference" ;;
2) names="image_pipeline fft2 reduce_sum sort scan_cumsum stream_triad atomics_index_add copy_1g idle_gaps transformer_inference launch_storm transformer_train" ;;
*) echo "usage: sh validation/tiers_part.sh 1|2" >&2; exit 2 ;;
esac
GP_MODEL=bench/results/calibrate/h200_2026-12-02_tiers_full.model GP_DEADLINE=$(($(date +%s) + ${GP_BUDGET_S:-480})) \
    sh validation/run.sh $names
