#!/bin/sh
# Run on the GPU machine (device tool), about 2 minutes, for issue 21's next
# step: which FP32 counter ncu collects beside the 12-feature 1-pass set
# without another pass. Runs the real ncu (--clock-control none) on the
# probe program's fma kernel with the set's metrics plus each candidate and
# prints ncu's passes. Writes $OUT/fp32_passes.md.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler >/dev/null 2>&1 || exit 1
nvidia-smi --query-gpu=name,serial --format=csv,noheader | tee "$OUT/env.txt"
work=$(mktemp -d)
nvcc -O2 -arch=sm_90 -o "$work/probe" tests/fixtures/ncu-h100/probe4_kern.cu || exit 1
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
set12="sm_active issue tensor dram_read dram_write l2 alu shared l1 fp16 l2_atom occupancy"
. tests/gpu/device_lib.sh
base=$(feature_metrics "$set12")
echo "base metrics: $base" | tee "$OUT/fp32_passes.md"
passes() { ncu_passes "$ncu" "$1" "$work/probe" fma; }
echo "| added to the 12-feature set | passes |" | tee -a "$OUT/fp32_passes.md"
echo "| --- | --- |" | tee -a "$OUT/fp32_passes.md"
echo "| (nothing) | $(passes "$base") |" | tee -a "$OUT/fp32_passes.md"
for c in sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed \
         sm__inst_executed_pipe_fma.avg.pct_of_peak_sustained_elapsed \
         sm__pipe_fmaheavy_cycles_active.avg.pct_of_peak_sustained_elapsed \
         sm__inst_executed_pipe_fmaheavy.avg.pct_of_peak_sustained_elapsed \
         sm__inst_executed_pipe_fmalite.avg.pct_of_peak_sustained_elapsed \
         smsp__inst_executed_pipe_fma.sum \
         sm__sass_thread_inst_executed_op_ffma_pred_on.sum \
         smsp__sass_inst_executed_op_ffma.sum \
         sm__inst_executed_pipe_fp64.avg.pct_of_peak_sustained_elapsed \
         sm__pipe_fp64_cycles_active.avg.pct_of_peak_sustained_elapsed \
         sm__inst_executed_pipe_xu.avg.pct_of_peak_sustained_elapsed \
         sm__inst_executed_pipe_lsu.avg.pct_of_peak_sustained_elapsed \
         sm__pipe_alu_cycles_active.avg.pct_of_peak_sustained_elapsed \
         sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_active; do
    echo "| $c | $(passes "$base,$c") |" | tee -a "$OUT/fp32_passes.md"
done
