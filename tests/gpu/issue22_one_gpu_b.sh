#!/bin/sh
# Run on the GPU machine of one GPU (device tool), one call, for issue 22,
# second part: what one GPU allows of the rest.
#  1. calibrate --only comm on one GPU: refused (exit 8), saying why;
#  2. the same with --comm-one-rank: the collectives measured as one rank,
#     then refused for the term (exit 4), the dataset kept; fit --comm on
#     that dataset refuses the same way;
#  3. -a --skip-nccl --measure on a real program under the real ncu: ncu's
#     kernel filter, and the whole run's rest at idle with the shipped model
#     (no term) and at the term of a model with a made-up one
#     (tests/fixtures/timeline-derived/comm.model: not a measurement);
#  4. device_lib.sh's pass count, which counts only metrics that have a
#     column on ncu's page (never run on a GPU before): a real metric set,
#     and one with the FFMA name that ncu accepts and collects nothing for.
# Packs into $OUT (at most 8 files).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
. tests/gpu/device_lib.sh
make -s -j8 gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
info="$OUT/info.txt"
nvidia-smi --query-gpu=name,serial,driver_version,power.limit --format=csv,noheader | tee "$info"
nccl=$(nccl_lib)
w=$(mktemp -d)
step() { echo "== $*" | tee -a "$info"; }
step "1. calibrate --only comm"
./gpu_profiler calibrate --only comm --nccl "$nccl" -o "$w/a.model" --dataset "$w/a.csv" --log "$w/a.log" >>"$info" 2>&1
echo "exit $?" | tee -a "$info"
step "2. calibrate --only comm --comm-one-rank"
_s=$(date +%s)
./gpu_profiler calibrate --only comm --comm-one-rank --nccl "$nccl" -o "$w/b.model" --dataset "$OUT/comm_one_rank_dataset.csv" \
    --log "$OUT/comm_one_rank.log" >>"$info" 2>&1
echo "exit $?, $(( $(date +%s) - _s )) s; model written: $([ -f "$w/b.model" ] && echo yes || echo no)" | tee -a "$info"
./gpu_profiler fit --comm "$OUT/comm_one_rank_dataset.csv" -o "$w/c.model" >>"$info" 2>&1
echo "fit --comm: exit $?" | tee -a "$info"
step "3. -a --skip-nccl --measure"
nvcc -O2 -arch=sm_90 -o "$w/probe" tests/fixtures/ncu-h100/probe4_kern.cu || exit 1
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
for m in builtin comm; do
    set --
    [ $m = comm ] && set -- --model tests/fixtures/timeline-derived/comm.model
    mkdir -p "$w/run_$m"
    timeout -k 5 120 ./gpu_profiler -m all --skip-nccl --measure --no-predictions --output-dir "$w/run_$m" "$@" \
        -a "$w/probe" >"$OUT/skip_nccl_$m.txt" 2>&1
    echo "$m: exit $?" | tee -a "$info"
    grep -h -E 'ncu|-k' "$w/run_$m/ncu.log" 2>/dev/null | head -3 >>"$info"
done
grep -h 'whole run' "$OUT"/skip_nccl_*.txt | tee -a "$info"
step "4. pass counts"
set1=$(feature_metrics "sm_active issue dram")
echo "metrics: $set1" >>"$info"
echo "passes, real set: $(ncu_passes "$ncu" "$set1" "$w/probe" fma)" | tee -a "$info"
echo "passes, with the FFMA name: $(ncu_passes "$ncu" "$set1,smsp__sass_inst_executed_op_ffma.sum" "$w/probe" fma)" | tee -a "$info"
echo "total: $(( $(date +%s) - t0 )) s" | tee -a "$info"
ls "$OUT"
