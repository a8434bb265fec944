#!/bin/sh
# Multi-GPU validation on a machine with 2 GPUs (issue 9): for each workload
# of mgpu.py, the measured power of every GPU (gpu_profiler measure, NVML,
# the steady loop only, twice for the spread) and the estimate per device
# (gpu_profiler -a, the same loop's kernels under ncu). Never used to fit.
# usage: sh validation/multigpu/run.sh [NAME...]   (default: every workload)
# NCCL workloads are profiled twice: with every kernel, and with NCCL's
# kernels left out (--ncu-arg=-k --ncu-arg='regex:^(?!nccl)'), since ncu
# replays a kernel alone and an NCCL kernel waits for its peers.
# Writes $OUT/mgpu_info.txt (GPUs, links, ncu's multi-process options) and
# $OUT/mgpu_logs.tgz (each run's JSON, stderr and ncu CSV);
# validation/multigpu/summarize.py makes the tables from the logs.
# GP_DEADLINE=EPOCH_SECONDS: start no run after that time.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler >/dev/null || exit 1
py=$(command -v python3)
here=validation/multigpu
names=${*:-$($py $here/mgpu.py --list)}
work=$(mktemp -d)
info="$OUT/mgpu_info.txt"
{
    date -u
    nvidia-smi -L
    nvidia-smi topo -m
    nvidia-smi --query-gpu=index,name,pci.bus_id,power.limit,power.draw --format=csv
    "$py" -c 'import torch; print("torch", torch.__version__, "devices", torch.cuda.device_count(), "nccl", torch.cuda.nccl.version())'
    ncu=$(command -v ncu || ls -d /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | tail -1)
    echo "ncu: $ncu"
    "$ncu" --version
    "$ncu" --help | grep -i -E -A4 'lockstep|communicator|replay-mode|kernel-name |kernel-name-base|target-processes-filter'
} >"$info" 2>&1

deadline_passed() {
    [ -n "${GP_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$GP_DEADLINE" ]
}

save() {
    (cd "$work" && tar czf "$OUT/mgpu_logs.tgz" ./*.json ./*.txt ./*.csv 2>/dev/null)
}

for w in $names; do
    for rep in 1 2; do
        deadline_passed && { echo "deadline: not started: measure $w $rep" >>"$info"; continue; }
        t0=$(date +%s.%N)
        timeout -k 10 120 ./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP \
            -- "$py" $here/mgpu.py "$w" >"$work/${w}_measure$rep.json" 2>"$work/${w}_measure${rep}_err.txt"
        echo "measure $w $rep: exit $? in $(awk "BEGIN{print $(date +%s.%N) - $t0}") s" >>"$info"
    done
    case "$w" in allreduce | ddp_train) strategies="nonccl all" ;; *) strategies="all" ;; esac
    for s in $strategies; do
        deadline_passed && { echo "deadline: not started: estimate $w $s" >>"$info"; continue; }
        set --
        [ "$s" = nonccl ] && set -- --ncu-arg=-k '--ncu-arg=regex:^(?!nccl)'
        mkdir -p "$work/run_${w}_$s"
        t0=$(date +%s.%N)
        GP_ITERS=2 timeout -k 10 150 ./gpu_profiler -m all --json --no-predictions --output-dir "$work/run_${w}_$s" \
            --nvtx-range gp_loop --max-kernels 3000 --duration 90 "$@" \
            -a "$py" -s $here/mgpu.py -s "$w" >"$work/${w}_${s}_estimate.json" 2>"$work/${w}_${s}_estimate_err.txt"
        echo "estimate $w $s: exit $? in $(awk "BEGIN{print $(date +%s.%N) - $t0}") s" >>"$info"
        mv "$work/run_${w}_$s/gpu_profiler_ncu.csv" "$work/${w}_${s}_ncu.csv" 2>/dev/null
        save
    done
    save
done
# anything left running is ours: none should be
ps -eo pid,etime,args | grep -E 'mgpu.py|ncu' | grep -v grep >>"$info" || echo "no process left" >>"$info"
cat "$info"
