#!/bin/sh
# Run on the GPU machine of one GPU (device tool), one call, for issue 22:
# the collectives family (collectives.h) on real NCCL and NVML, as far as
# one GPU allows.
#  1. calibrate of three families and the collectives, as shipped: on one
#     GPU the family must be skipped with its note;
#  2. the same with --comm-one-rank and PyTorch's NCCL: the collectives as
#     a one-rank communicator (no data crosses a link), each measured, in
#     the dataset as family "comm" (a fixture for the tests), and the fit
#     must make no communication term of them;
#  3. fit of that dataset again without a GPU: the same model, byte for byte.
# Packs into $OUT (at most 8 files).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
. tests/gpu/device_lib.sh
make -s -j8 gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
info="$OUT/info.txt"
nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu --format=csv,noheader | tee "$info"
echo "build: $(( $(date +%s) - t0 )) s" | tee -a "$info"
env | grep -E '^(NCCL|TORCH_SYMM|NVSHMEM)' | tee -a "$info"
nccl=$(nccl_lib)
echo "nccl: $nccl" | tee -a "$info"
fams=idle,fp32,dram,comm
run() { # NAME ARGS...
    _n=$1
    shift
    _s=$(date +%s)
    timeout -k 5 200 ./gpu_profiler calibrate --only $fams --no-gap-probes --limit-window 0 --force \
        -o "$OUT/$_n.model" --dataset "$OUT/${_n}_dataset.csv" --log "$OUT/$_n.log" "$@" >"$OUT/${_n}_out.txt" 2>&1
    echo "calibrate $_n: exit $?, $(( $(date +%s) - _s )) s" | tee -a "$info"
}
run skip --nccl "$nccl"
grep -i 'collectives' "$OUT/skip.log" | tee -a "$info"
run onerank --comm-one-rank --nccl "$nccl"
grep -i -E 'collectives|comm |NCCL|communication' "$OUT/onerank.log" | tee -a "$info"
./gpu_profiler fit "$OUT/onerank_dataset.csv" -o "$OUT/refit.model" --force >>"$info" 2>&1
cmp "$OUT/refit.model" "$OUT/onerank.model" && echo "refit: same bytes" | tee -a "$info"
rm -f "$OUT/refit.model" "$OUT/skip.model" "$OUT/skip_dataset.csv"
cat "$OUT/skip_out.txt" "$OUT/onerank_out.txt" >"$OUT/stdout.txt"
rm -f "$OUT/skip_out.txt" "$OUT/onerank_out.txt"
echo "total: $(( $(date +%s) - t0 )) s" | tee -a "$info"
ls "$OUT"
