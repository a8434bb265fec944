#!/bin/sh
# Run on a machine of two or more GPUs (device tool kind nvidia-h200-x2), one
# call of at most 10 minutes, for issue 22's validation. NOT RUN YET: no
# machine of two GPUs was lent while it was written (2026-12-02).
#  1. calibrate --only comm: the collectives over every GPU, the built-in
#     model with this machine's communication term ($OUT/comm.model, the
#     dataset and log beside it);
#  2. the four multi-GPU workloads of validation/multigpu/mgpu.py, each
#     measured twice per GPU with its kernels' timeline (gpu_profiler
#     measure --timeline, the steady loop between the markers), profiled
#     once with NCCL's kernels left out (--skip-nccl, the loop's NVTX range,
#     two steps), then estimated over each traced run with the term
#     (-c CSV --timeline FILE --model comm.model) and without it (the
#     built-in model: NCCL's kernels at the profile's mean);
#  3. $OUT/mgpu_comm_logs.tgz for validation/multigpu/summarize_comm.py.
# A dry run of the script's steps on one GPU: GP_COMM_MODEL=FILE takes that
# model in place of step 1 (e.g. tests/fixtures/timeline-derived/comm.model,
# whose term is made up), GP_WORKLOADS the workloads and GP_SCRIPT the
# program that has them (default validation/multigpu/mgpu.py, whose
# workloads need two GPUs; validation/workloads.py has one-GPU ones with the
# same markers and NVTX range).
# NVLink multicast stays off (NCCL_NVLS_ENABLE=0 and the others, as the
# device tool's KINDS.md asks; mgpu.py sets them for its processes too).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
t0=$(date +%s)
end=$((t0 + ${GP_BUDGET_S:-540}))
make -s -j8 >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; } # the tool and its timeline tracer
info="$OUT/info.txt"
{
    nvidia-smi --query-gpu=index,name,serial,driver_version,power.limit --format=csv,noheader
    nvidia-smi topo -m
} | tee "$info"
py=$(command -v python3)
. tests/gpu/device_lib.sh
nccl=$(nccl_lib)
echo "nccl: $nccl" | tee -a "$info"
if [ -n "${GP_COMM_MODEL:-}" ]; then
    cp "$GP_COMM_MODEL" "$OUT/comm.model"
    echo "DRY RUN: the model is $GP_COMM_MODEL, not a calibration of this machine" | tee -a "$info"
else
_s=$(date +%s)
./gpu_profiler calibrate --only comm --nccl "$nccl" --force -o "$OUT/comm.model" --dataset "$OUT/comm_dataset.csv" \
    --log "$OUT/comm.log" >>"$info" 2>&1
echo "calibrate --only comm: exit $?, $(( $(date +%s) - _s )) s" | tee -a "$info"
fi
[ -f "$OUT/comm.model" ] || exit 1
work=$(mktemp -d)
script=${GP_SCRIPT:-validation/multigpu/mgpu.py}
for w in ${GP_WORKLOADS:-allreduce ddp_train pipeline_2gpu two_procs_one_gpu}; do
    for rep in 1 2; do
        [ "$(date +%s)" -lt $((end - 60)) ] || { echo "budget: not started: measure $w $rep" >>"$info"; continue; }
        timeout -k 10 120 ./gpu_profiler measure --json --timeline "$work/${w}_timeline$rep.txt" --force \
            --start-marker GP_START --stop-marker GP_STOP -- "$py" "$script" "$w" \
            >"$work/${w}_measure$rep.json" 2>"$work/${w}_measure${rep}_err.txt"
        echo "measure $w $rep: exit $?" >>"$info"
    done
    [ "$(date +%s)" -lt $((end - 90)) ] || { echo "budget: not started: profile $w" >>"$info"; continue; }
    mkdir -p "$work/run_$w"
    GP_ITERS=2 timeout -k 10 150 ./gpu_profiler -m all --json --no-predictions --output-dir "$work/run_$w" --force \
        --skip-nccl --nvtx-range gp_loop --max-kernels 3000 --duration 90 --model "$OUT/comm.model" \
        -a "$py" -s "$script" -s "$w" >"$work/${w}_estimate.json" 2>"$work/${w}_estimate_err.txt"
    echo "profile $w: exit $?" >>"$info"
    mv "$work/run_$w/gpu_profiler_ncu.csv" "$work/${w}_ncu.csv" 2>/dev/null
    for rep in 1 2; do
        [ -f "$work/${w}_timeline$rep.txt" ] && [ -f "$work/${w}_ncu.csv" ] || continue
        for m in comm builtin; do
            set --
            [ $m = comm ] && set -- --model "$OUT/comm.model"
            ./gpu_profiler -m all --json --no-predictions -c "$work/${w}_ncu.csv" \
                --timeline "$work/${w}_timeline$rep.txt" "$@" >"$work/${w}_traced${rep}_$m.json" \
                2>"$work/${w}_traced${rep}_${m}_err.txt"
        done
    done
    (cd "$work" && tar czf "$OUT/mgpu_comm_logs.tgz" ./*.json ./*.txt ./*.csv 2>/dev/null)
done
ps -eo pid,etime,args | grep -E 'mgpu.py|ncu' | grep -v grep >>"$info" || echo "no process left" >>"$info"
echo "total: $(( $(date +%s) - t0 )) s" | tee -a "$info"
[ -f "$OUT/mgpu_comm_logs.tgz" ] && python3 validation/multigpu/summarize_comm.py "$OUT/mgpu_comm_logs.tgz" | tee "$OUT/table.md"
