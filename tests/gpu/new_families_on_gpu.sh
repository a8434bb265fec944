#!/bin/sh
# Run on the GPU machine (device tool): the two open questions of
# docs/ACCURACY.md in one call of about 2 minutes.
#   1. calibrate over the FP32 families and the new tensor one only (fp32,
#      fp32_tile, sgemm, fp32_acc: the same work with accumulators 10^3-10^5
#      times a product, and with them bounded; tensor_mix: wgmma with a
#      GEMM's memory traffic, meant to run above the power limit, where the
#      limit probe then measures it over 4 s), 2 repeats, no gap probes;
#   2. the FP32 validation workloads (mm_fp32, conv_fp32_images, blur_4k)
#      and mm_fp16 (a tensor GEMM at the limit) measured with
#      `measure --timeline` on the same board, to set beside the
#      microbenchmarks (their counters: the recorded ncu CSVs in
#      validation/results/*_logs.tgz).
# Leaves new_families.txt (the summary), new_families_calibrate.log,
# new_families_dataset.csv and new_families_timelines.tgz in $OUT.
# usage: sh tests/gpu/new_families_on_gpu.sh [WORKLOAD...]
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
sum="$OUT/new_families.txt"
work=$(mktemp -d)
nvidia-smi --query-gpu=name,driver_version,power.limit,temperature.gpu --format=csv,noheader >"$sum" 2>&1
make -s >"$work/build.txt" 2>&1 || { cat "$work/build.txt"; exit 1; }
./gpu_profiler calibrate --only fp32,fp32_tile,sgemm,fp32_acc,tensor_mix --repeats 2 --no-gap-probes --limit-window 4 \
    -o "$work/new_families.model" --dataset "$OUT/new_families_dataset.csv" --log "$OUT/new_families_calibrate.log" \
    --force >"$work/calibrate.txt" 2>&1
echo "calibrate rc=$?" >>"$sum"
tail -3 "$work/calibrate.txt" >>"$sum"
# each configuration's mean over the repeats, with the counters that matter here
awk -F, '/^#/ { next } !h { for (i = 1; i <= NF; i++) col[$i] = i; h = 1; next }
    { printf "%-18s %-10s avg %6.1f W  min %6.1f W  fma %5.1f%%  tensor %5.1f%%  shared %5.1f%%  l2 %5.1f%%  dram %5.1f%%  %4.0f MHz\n",
      $col["config"], $col["family"], $col["avg_w"], $col["min_w"],
      $col["sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed"],
      $col["sm__pipe_tensor_cycles_active.avg.pct_of_peak_sustained_elapsed"],
      $col["l1tex__data_pipe_lsu_wavefronts_mem_shared.sum.pct_of_peak_sustained_elapsed"],
      $col["lts__t_sectors.avg.pct_of_peak_sustained_elapsed"],
      $col["dram__bytes_read.sum.pct_of_peak_sustained_elapsed"], $col["sm_clock_mhz"] }' \
    "$OUT/new_families_dataset.csv" >>"$sum" 2>&1
py=$(command -v python3)
for w in ${*:-mm_fp32 conv_fp32_images blur_4k mm_fp16}; do
    ./gpu_profiler measure --start-marker GP_START --stop-marker GP_STOP --timeline "$work/${w}_timeline.txt" --force \
        -- "$py" validation/workloads.py "$w" >"$work/${w}_measure.txt" 2>&1
    printf '%-18s rc=%d  %s\n' "$w" $? "$(grep '^measured:' "$work/${w}_measure.txt")" >>"$sum"
done
(cd "$work" && tar czf "$OUT/new_families_timelines.tgz" ./*_timeline.txt ./*_measure.txt) 2>>"$sum"
cat "$sum"
