#!/bin/sh
# NCCL workloads profiled one rank at a time (issue 9). run.sh showed that
# ncu cannot profile every rank of an NCCL job at once: it runs one kernel at
# a time across the processes it profiles, an NCCL kernel waits for its
# peers, and the job hangs (the all-reduce at its first NCCL kernel, the
# data-parallel step even with NCCL's kernels left out, since its compute
# kernels queue behind NCCL's on the other stream). Here only rank R opens
# the NVTX range gp_loop (GP_PROFILE_RANK=R), so the other rank runs free,
# and NCCL's own kernels are left out. Then application-range replay of the
# whole loop, which reruns the job once per pass and counts the range in
# flight, NCCL kernels included, where ncu manages it.
# usage: sh validation/multigpu/run_ranks.sh; writes $OUT/mgpu_ranks_logs.tgz
# GP_DEADLINE=EPOCH_SECONDS: start no run after that time.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler >/dev/null || exit 1
py=$(command -v python3)
here=validation/multigpu
work=$(mktemp -d)
log="$work/ranks_log.txt"

deadline_passed() {
    [ -n "${GP_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$GP_DEADLINE" ]
}

# run NAME RANK TAG ITERS LIMIT_S [gpu_profiler options...]
run() {
    w=$1 r=$2 tag=$3 iters=$4 limit=$5
    shift 5
    deadline_passed && { echo "deadline: not started: $w rank $r $tag" >>"$log"; return; }
    mkdir -p "$work/run_${w}_${tag}_r$r"
    t0=$(date +%s.%N)
    GP_PROFILE_RANK=$r GP_ITERS=$iters timeout -k 10 "$limit" ./gpu_profiler -m all --json --no-predictions \
        --output-dir "$work/run_${w}_${tag}_r$r" --nvtx-range gp_loop --max-kernels 3000 "$@" \
        -a "$py" -s $here/mgpu.py -s "$w" >"$work/${w}_${tag}_r${r}_estimate.json" 2>"$work/${w}_${tag}_r${r}_estimate_err.txt"
    echo "$w rank $r $tag: exit $? in $(awk "BEGIN{print $(date +%s.%N) - $t0}") s" >>"$log"
    mv "$work/run_${w}_${tag}_r$r/gpu_profiler_ncu.csv" "$work/${w}_${tag}_r${r}_ncu.csv" 2>/dev/null
    (cd "$work" && tar czf "$OUT/mgpu_ranks_logs.tgz" ./*.json ./*.txt ./*.csv 2>/dev/null)
}

for w in ddp_train allreduce; do
    for r in 0 1; do
        run "$w" "$r" rank 2 150 --duration 100 --ncu-arg=-k '--ncu-arg=regex:^(?!nccl)'
    done
done
run allreduce 0 apprange 20 150 --duration 120 --ncu-arg=--replay-mode --ncu-arg=app-range
run ddp_train 0 apprange 4 150 --duration 120 --ncu-arg=--replay-mode --ncu-arg=app-range
ps -eo pid,etime,args | grep -E 'mgpu.py|ncu' | grep -v grep >>"$log" || echo "no process left" >>"$log"
cat "$log"
