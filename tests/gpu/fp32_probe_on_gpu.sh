#!/bin/sh
# Run on the GPU machine (device tool): the FP32 question of docs/ACCURACY.md
# ("Why FP32 CUDA-core work reads low") in one call of about 2 minutes.
#   1. calibrate over the FP32 families only (fp32, fp32_tile, sgemm,
#      fp32_acc: the same work with accumulators 10^3-10^5 times a product,
#      and with them bounded), 2 repeats, no probes;
#   2. the FP32 validation workloads (mm_fp32, conv_fp32_images, blur_4k)
#      measured with `measure --timeline` on the same board, to set beside
#      the microbenchmarks (their counters: the recorded ncu CSVs in
#      validation/results/*_logs.tgz).
# Leaves fp32_probe.txt (the summary), fp32_probe_calibrate.log,
# fp32_probe_dataset.csv and fp32_probe_timelines.tgz in $OUT.
# usage: sh tests/gpu/fp32_probe_on_gpu.sh [WORKLOAD...]
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
sum="$OUT/fp32_probe.txt"
work=$(mktemp -d)
nvidia-smi --query-gpu=name,driver_version,power.limit,temperature.gpu --format=csv,noheader >"$sum" 2>&1
make -s >"$work/build.txt" 2>&1 || { cat "$work/build.txt"; exit 1; }
./gpu_profiler calibrate --only fp32,fp32_tile,sgemm,fp32_acc --repeats 2 --no-gap-probes --limit-window 0 \
    -o "$work/fp32_probe.model" --dataset "$OUT/fp32_probe_dataset.csv" --log "$OUT/fp32_probe_calibrate.log" \
    --force >"$work/calibrate.txt" 2>&1
echo "calibrate rc=$?" >>"$sum"
tail -3 "$work/calibrate.txt" >>"$sum"
# each configuration's mean over the repeats, with the counters that matter here
awk -F, '/^#/ { next } !h { for (i = 1; i <= NF; i++) col[$i] = i; h = 1; next }
    { printf "%-18s %-10s avg %6.1f W  fma %5.1f%%  shared %5.1f%%  l2 %5.1f%%  dram %5.1f%%  %4.0f MHz\n",
      $col["config"], $col["family"], $col["avg_w"],
      $col["sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed"],
      $col["l1tex__data_pipe_lsu_wavefronts_mem_shared.sum.pct_of_peak_sustained_elapsed"],
      $col["lts__t_sectors.avg.pct_of_peak_sustained_elapsed"],
      $col["dram__bytes_read.sum.pct_of_peak_sustained_elapsed"], $col["sm_clock_mhz"] }' \
    "$OUT/fp32_probe_dataset.csv" >>"$sum" 2>&1
py=$(command -v python3)
for w in ${*:-mm_fp32 conv_fp32_images blur_4k}; do
    ./gpu_profiler measure --start-marker GP_START --stop-marker GP_STOP --timeline "$work/${w}_timeline.txt" --force \
        -- "$py" validation/workloads.py "$w" >"$work/${w}_measure.txt" 2>&1
    printf '%-18s rc=%d  %s\n' "$w" $? "$(grep '^measured:' "$work/${w}_measure.txt")" >>"$sum"
done
(cd "$work" && tar czf "$OUT/fp32_probe_timelines.tgz" ./*_timeline.txt ./*_measure.txt) 2>>"$sum"
cat "$sum"
