#!/bin/sh
# Run on the GPU machine (device tool), one H100 or H200, about 8 minutes:
# the GPU experiments that would settle issue 33 (docs/ACCURACY.md, "Issue 33").
# The metric names below are ncu 2025.3.1's as documented, and ncu's answer to
# each is kept (a refused name is a finding, not a failure). Every part checks
# GP_DEADLINE (epoch seconds; default 540 s after the start) before it starts,
# and the logs are packed after every part, so that a call cut short keeps what
# ran. Order: 0 (the lanes' passes), the suite's side of 2 and 3, then 3 and 4,
# 2 and 1 on the validation workloads.
#   0. The lanes on the raw route (item 5 of "What is left for a GPU"): ncu's
#      replay passes for one kernel of the probe program with the raw model's
#      metrics (as gpu_profiler -a asks for them), and with
#      smsp__thread_inst_executed_pred_on_per_inst_executed.ratio added.
#   1. Data entropy with the same counters: the stream triad, the read-only sum and
#      a write-only fill over 2^28 floats, each on torch.rand data (what the
#      validation uses), on random bits and on zeros, measured between markers
#      (NVML energy) with NVML's SM clock; the counters of each once under ncu.
#      The recorded reduce_sum has dram_load_w64's counters (L2 36% / DRAM read
#      93% against 34% / 89%, L2 hit rate 0.7% against 0.1%) and draws 58 W less
#      on the H100: if random bits bring it to dram_load_w64's power, the memory
#      bias is the data, not the L2.
#   2. L2 hits against traffic passing to DRAM, read against write: the
#      lookup hit/miss sectors by operation, for the memory-bound validation
#      workloads (the suite's side needs a change to calibrate: below).
#   3. The FMA heavy and lite pipes and the FP32 instruction mix of cuBLAS's SGEMM,
#      the FP32 convolution and the blur (the suite's side: below).
#   4. Clocks near the limit: NVML's SM clock and power every 100 ms during the
#      FP32 workloads (mm_fp32 ran at 1966-1980 MHz before; the question is the
#      other two).
# Leaves issue33.txt (the summary) and issue33_logs.tgz (every ncu CSV and
# measurement) in $OUT.
# usage: sh tests/gpu/issue33_probes.sh
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # pack() cds into $work
sum="$OUT/issue33.txt"
work=$(mktemp -d)
py=$(command -v python3)
deadline=${GP_DEADLINE:-$(( $(date +%s) + 540 ))}
late() { [ "$(date +%s)" -ge "$deadline" ] && { echo "deadline: $1 not run" >>"$sum"; return 0; }; return 1; }
# --ignore-failed-read: a glob with no match yet (no *.csv after part 0, no *.py before part 1) must not fail tar
pack() { (cd "$work" && tar czf "$OUT/issue33_logs.tgz.tmp" --ignore-failed-read ./*.csv ./*.txt ./*.py 2>/dev/null) && mv "$OUT/issue33_logs.tgz.tmp" "$OUT/issue33_logs.tgz"; }
# tmo CMD...: CMD stopped at 150 s, and at the deadline + 40 s (the device kills the call at 600 s)
tmo() { _t=$((deadline + 40 - $(date +%s))); [ "$_t" -gt 150 ] && _t=150; [ "$_t" -lt 10 ] && _t=10; timeout -s INT -k 10 "$_t" "$@"; }
NCU="ncu --clock-control none"
nvidia-smi --query-gpu=name,serial,driver_version,power.limit,temperature.gpu --format=csv,noheader >"$sum" 2>&1
make -s >"$work/build.txt" 2>&1 || { cat "$work/build.txt"; exit 1; }

L2M=lts__t_sectors_lookup_hit.sum,lts__t_sectors_lookup_miss.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum,\
lts__t_sectors_srcunit_tex_op_read_lookup_miss.sum,lts__t_sectors_srcunit_tex_op_write_lookup_hit.sum,\
lts__t_sectors_srcunit_tex_op_write_lookup_miss.sum,lts__t_sectors.sum,dram__sectors_read.sum,dram__sectors_write.sum,\
lts__t_sectors.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum.pct_of_peak_sustained_elapsed,\
dram__bytes_write.sum.pct_of_peak_sustained_elapsed
FMAM=sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed,sm__pipe_fmaheavy_cycles_active.avg.pct_of_peak_sustained_elapsed,\
sm__pipe_fmalite_cycles_active.avg.pct_of_peak_sustained_elapsed,sm__inst_executed_pipe_fmaheavy.avg.pct_of_peak_sustained_elapsed,\
sm__inst_executed_pipe_fmalite.avg.pct_of_peak_sustained_elapsed,smsp__sass_thread_inst_executed_op_ffma_pred_on.sum,\
smsp__sass_thread_inst_executed_op_fadd_pred_on.sum,smsp__sass_thread_inst_executed_op_fmul_pred_on.sum,\
smsp__thread_inst_executed_pred_on_per_inst_executed.ratio,sm__inst_executed.avg.per_cycle_elapsed

# Metric names ncu does not know for this chip make its whole run fail: keep
# those --query-metrics lists (by base name, before .sum/.avg/.max/.ratio), say the rest.
ncu --query-metrics --chip gh100 >"$work/query_metrics.txt" 2>&1
known() {
    kept=
    for m in $(echo "$1" | tr ',' ' '); do
        base=$(echo "$m" | sed 's/\.\(sum\|avg\|max\|min\|ratio\).*$//')
        if grep -Eq "(^|[[:space:]])$base([[:space:]]|$)" "$work/query_metrics.txt"; then kept="${kept:+$kept,}$m"; else echo "metric not known to ncu: $m" >>"$sum"; fi
    done
    echo "$kept"
}
[ -s "$work/query_metrics.txt" ] && grep -Eq '(^|[[:space:]])sm__cycles_active([[:space:]]|$)' "$work/query_metrics.txt" && { L2M=$(known "$L2M"); FMAM=$(known "$FMAM"); }

# 0. the lanes' replay passes: the raw model's metrics (device_lib.sh's
# feature_metrics of its features), alone and with the lanes, counted by
# device_lib.sh's ncu_passes on the probe's fma kernel
. tests/gpu/device_lib.sh
case "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)" in
*H200*) raw_model=models/h200.model ;;
*) raw_model=models/h100.model ;;
esac
RAWM=$(feature_metrics "$(awk '$1 == "feature" { print $2 }' "$raw_model" | tr '\n' ' ')")
echo "raw metrics ($raw_model): $RAWM" >>"$sum"
nvcc -O2 -arch=sm_90 -o "$work/probe" tests/fixtures/ncu-h100/probe4_kern.cu >"$work/nvcc.txt" 2>&1
LANES=smsp__thread_inst_executed_pred_on_per_inst_executed.ratio
printf 'passes raw        %s\n' "$(ncu_passes ncu "$RAWM" "$work/probe" fma)" >>"$sum"
printf 'passes raw_lanes  %s\n' "$(ncu_passes ncu "$RAWM,$LANES" "$work/probe" fma)" >>"$sum"
pack

# 2 and 3, the suite's side: the same counters for the FP32, SGEMM, DRAM, L2 and
# mixed configurations, run as calibrate runs them under ncu (its --run-plan,
# with the launch lengths of the H100 calibration of 2026-12-06)
grep -E '^  (fp32|fp32b|tile|sgemm|dram|l2|mix_dram)[a-z0-9_]* +iters' data/h100_tiers_calibrate.log |
    awk '{ print $1, $3 }' >"$work/plan.txt"
if ! late suite; then
    tmo $NCU --metrics "$L2M,$FMAM" --csv --page raw ./gpu_profiler calibrate --run-plan "$work/plan.txt" --device 0 \
        >"$work/suite_ncu.csv" 2>&1
    printf 'suite: %s configurations, ncu lines %s\n' "$(wc -l <"$work/plan.txt")" "$(wc -l <"$work/suite_ncu.csv")" >>"$sum"
    pack
fi

# 1. data entropy, read against write, with the same counters
cat >"$work/entropy.py" <<'EOF'
import os, sys, time, torch
kind, op = sys.argv[1], sys.argv[2]
n, dev = 1 << 28, "cuda"
def data():
    if kind == "rand":
        return torch.rand(n, device=dev)
    if kind == "bits":
        return torch.randint(-2**31, 2**31 - 1, (n,), dtype=torch.int32, device=dev).view(torch.float32)
    return torch.zeros(n, device=dev)
b, c, a = data(), data(), torch.empty(n, device=dev)
# triad: 2 reads, 1 write; sum: reads only; scale: 1 read, 1 write; fill: writes only (a constant)
step = {"triad": lambda: torch.add(b, c, alpha=3.0, out=a), "sum": lambda: b.sum(),
        "scale": lambda: torch.mul(b, 3.0, out=a), "fill": lambda: a.fill_(1.5)}[op]
for _ in range(20): step()
torch.cuda.synchronize()
t0 = time.perf_counter()
for _ in range(20): step()
torch.cuda.synchronize()
per_step = (time.perf_counter() - t0) / 20
# about GP_SECONDS (4 s) like validation/workloads.py: 2000 steps were 0.5-0.7 s for sum and fill
iters = int(os.environ.get("GP_ITERS", "0")) or max(1, int(float(os.environ.get("GP_SECONDS", "4")) / per_step))
print("GP_START", flush=True)
torch.cuda.nvtx.range_push("gp_loop")
for _ in range(iters): step()
torch.cuda.synchronize()
torch.cuda.nvtx.range_pop()
print("GP_STOP", flush=True)
EOF
entropy() {
for op in triad sum fill; do
    kinds="rand bits zeros"
    [ "$op" = fill ] && kinds=rand # fill writes a constant: the input data plays no part
    for kind in $kinds; do
        late "entropy $op $kind" && return
        tmo ./gpu_profiler measure --start-marker GP_START --stop-marker GP_STOP --force \
            -- "$py" "$work/entropy.py" "$kind" "$op" >"$work/entropy_${op}_${kind}_measure.txt" 2>&1
        printf 'entropy %-6s %-6s rc=%d  %s\n' "$op" "$kind" $? \
            "$(grep '^measured:' "$work/entropy_${op}_${kind}_measure.txt")" >>"$sum"
    done
    late "entropy $op ncu" && return
    tmo env GP_ITERS=2 $NCU --metrics "$L2M" --nvtx --nvtx-include gp_loop/ --csv --page raw \
        "$py" "$work/entropy.py" rand "$op" >"$work/entropy_${op}_ncu.csv" 2>&1
    pack
done
}

# 2 and 3. the validation workloads' L2, FMA-pipe and instruction-mix counters,
# with NVML's clock and power every 100 ms (4.)
# power.draw is a 1 s average on Hopper: the instant power too, where this nvidia-smi knows the field
smi_q=timestamp,clocks.sm,power.draw.instant,power.draw,temperature.gpu
nvidia-smi --query-gpu="$smi_q" --format=csv,noheader >/dev/null 2>&1 || smi_q=timestamp,clocks.sm,power.draw,temperature.gpu
for w in mm_fp32 conv_fp32_images blur_4k reduce_sum stream_triad sort; do
    late "$w" && break
    nvidia-smi --query-gpu="$smi_q" --format=csv -lms 100 \
        >"$work/${w}_smi.csv" 2>&1 &
    smi=$!
    tmo ./gpu_profiler measure --start-marker GP_START --stop-marker GP_STOP --force \
        -- "$py" validation/workloads.py "$w" >"$work/${w}_measure.txt" 2>&1
    rc=$?
    kill "$smi" 2>/dev/null
    printf '%-18s rc=%d  %s\n' "$w" $rc "$(grep '^measured:' "$work/${w}_measure.txt")" >>"$sum"
    tmo env GP_ITERS=2 $NCU --metrics "$L2M,$FMAM" --nvtx --nvtx-include gp_loop/ --launch-count 40 --csv --page raw \
        "$py" validation/workloads.py "$w" >"$work/${w}_ncu.csv" 2>&1
    printf '%-18s ncu lines %s\n' "$w" "$(wc -l <"$work/${w}_ncu.csv")" >>"$sum"
    pack
done
entropy

grep -h '==ERROR==\|==WARNING==' "$work"/*_ncu.csv | sort | uniq -c >>"$sum"
pack
cat "$sum"
