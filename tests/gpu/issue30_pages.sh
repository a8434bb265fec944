#!/bin/sh
# Issue 30. Run on the GPU machine (device tool), one call of at most 10
# minutes per part; what the data in the repository could not give
# (docs/ACCURACY.md, "Rule texts and kernel names"). Part cal ran on an H100 on
# 2026-12-06 (data/h100_tiers_dataset.csv, data/h100_tiers_calibrate.log); part
# val's first try was cut short with nothing kept, and this bounded form has
# not run on a GPU:
#   part cal: a plain `gpu_profiler calibrate --tiers`, whose ncu run collects
#     (since issue 30's CPU work) what the rules of the details page are
#     computed from: the roofline's FP32/FP64 counts and peaks, the Shared pipe
#     and ALU cycles, kept as dataset columns, from which fit derives
#     SOLFPRoofline's shares and ncu's own busiest pipe (rule_fp32_peak,
#     rule_fp64_peak, rule_*) -> $OUT/NAME_dataset.csv, NAME_calibrate.log (its
#     "ncu: ... passes" line says what the added counters cost: 11 passes per
#     kernel before them on the H200, data/h200_tiers_calibrate.log; 12 with them
#     on the H100, data/h100_tiers_calibrate.log), NAME_calibrate_out.txt
#     (its stdout and stderr), NAME.model.
#   part val [WORKLOAD...]: each validation workload measured by NVML between its
#     markers (gpu_profiler measure), then profiled two ways on one step of its
#     loop (GP_ITERS=1: the NVTX range gp_loop holds one step) and at most
#     GP_LAUNCHES kernels of it (default 40): ncu --set full (the report
#     exported as the details page and the raw page), plain `ncu --csv` (ncu's
#     default set, as users get it) -> $OUT/issue30_val_NAME.csv
#     (measurements), issue30_val_NAME_times.csv (each workload's seconds and
#     exit statuses) and issue30_val_NAME_logs.tgz (WORKLOAD_full_details.csv,
#     WORKLOAD_full_raw.csv, WORKLOAD_default.csv, WORKLOAD_measure.txt, the
#     ncu logs); re-estimate with validation/reestimate.py on the
#     *_full_details.csv and *_default.csv files (copied to WORKLOAD_ncu.csv).
#     Bounded, so that a call cut short keeps what ran: each workload gets the
#     time left (GP_BUDGET_S from the start, default 570 s, less 15 s to pack)
#     divided by the workloads not yet started, at least 90 s (a workload that
#     finds less than 90 s left is not started); ncu gets SIGINT at its share
#     (it saves the report of the kernels profiled until then), and the logs
#     are packed again after every workload. How long a workload takes under
#     --set full is not known (the first try, 2026-12-06, spent more than 6
#     minutes on mm_fp32, whose gp_loop holds 1 kernel a step, and left no log):
#     give a call a few workloads, and read the times file.
#     40 launches hold one whole step of 22 of the 24 workloads (the 2026-11-24
#     recordings); cnn_inference and transformer_train are cut (their first 40
#     launches hold 11 of 21 and 12 of 22 kernel names).
# usage: sh tests/gpu/issue30_pages.sh cal|val NAME [WORKLOAD...]
set -u
OUT=${OUT:-gpu-out}
part=${1:?cal or val}
name=${2:-gpu}
if [ $# -ge 2 ]; then shift 2; else shift $#; fi # dash exits on a failed shift 2
mkdir -p "$OUT"
t_start=$(date +%s)
deadline=$((t_start + ${GP_BUDGET_S:-570}))
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
ncu=${NCU:-$(command -v ncu || echo /usr/local/cuda/bin/ncu)}
py=${PYTHON:-python3}
nvidia-smi --query-gpu=name,driver_version,power.limit,serial --format=csv,noheader | tee "$OUT/env_$name.txt"
"$ncu" --version | tail -1 | tee -a "$OUT/env_$name.txt"
if [ "$part" = cal ]; then
    timeout $((deadline - $(date +%s))) ./gpu_profiler calibrate --tiers -o "$OUT/$name.model" \
        --dataset "$OUT/${name}_dataset.csv" --log "$OUT/${name}_calibrate.log" >"$OUT/${name}_calibrate_out.txt" 2>&1
    echo "calibrate exit $? after $(( $(date +%s) - t_start )) s"
    exit 0
fi
names=${*:-$("$py" validation/workloads.py --list)}
work=$(mktemp -d)
csv="$OUT/issue30_val_$name.csv"
times="$OUT/issue30_val_${name}_times.csv"
logs="$OUT/issue30_val_${name}_logs.tgz"
echo "workload,measured_min_w,measured_avg_w,measured_peak_w,measured_s,measured_j" >"$csv"
echo "workload,share_s,measure_s,measure_exit,full_s,full_exit,default_s,default_exit,elapsed_s" >"$times"
left=$(echo $names | wc -w)
launches=${GP_LAUNCHES:-40}
# pack: everything recorded so far, replacing the previous archive (a call cut
# short keeps the workloads done)
pack() {
    (cd "$work" && tar czf "$logs.tmp" ./*.csv ./*.txt 2>/dev/null) && mv "$logs.tmp" "$logs"
}
for w in $names; do
    now=$(date +%s)
    share=$(( (deadline - 15 - now) / left ))
    left=$((left - 1))
    # at least 90 s a workload: those that find less left are not started (give a call fewer)
    [ "$share" -lt 90 ] && share=90
    if [ $((deadline - 15 - now)) -lt 90 ]; then
        echo "$w: not started: $((deadline - 15 - now)) s left" >&2
        continue
    fi
    # measure's window is about GP_SECONDS=4 s after the warm-up (10-21 s a workload on
    # 2026-11-24, validation/results/h100_model2_part*.csv): a third of the share
    t_m=$(( share / 3 ))
    timeout -k 10 "$t_m" ./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP -- \
        "$py" validation/workloads.py "$w" >"$work/${w}_measure.txt" 2>"$work/${w}_measure_err.txt"
    rc_m=$?
    "$py" -c 'import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t[t.index("{"):t.rindex("}")+1]); a=d.get("all",d); p=a.get("power_w") or {"min":a["min_w"],"avg":a["avg_w"],"peak":a["peak_w"]}; print("%s,%s,%s,%s,%s,%s"%(sys.argv[2],p["min"],p["avg"],p["peak"],a["duration_s"],a["energy_j"]))' \
        "$work/${w}_measure.txt" "$w" >>"$csv" 2>>"$work/${w}_measure_err.txt"
    t1=$(date +%s)
    rest=$(( now + share - t1 ))
    rng="--nvtx --nvtx-include gp_loop/ --launch-count $launches --clock-control none"
    # the full set: two thirds of what is left of the share, SIGINT at its end
    t_f=$(( rest * 2 / 3 ))
    GP_ITERS=1 timeout -s INT -k 20 "$t_f" "$ncu" $rng --set full -o "$work/$w" "$py" validation/workloads.py "$w" \
        >"$work/${w}_full_log.txt" 2>&1
    rc_f=$?
    if [ -f "$work/$w.ncu-rep" ]; then
        "$ncu" --import "$work/$w.ncu-rep" --csv --page details >"$work/${w}_full_details.csv" 2>>"$work/${w}_full_log.txt"
        "$ncu" --import "$work/$w.ncu-rep" --csv --page raw >"$work/${w}_full_raw.csv" 2>>"$work/${w}_full_log.txt"
        rm -f "$work/$w.ncu-rep"
    fi
    t2=$(date +%s)
    t_d=$(( now + share - t2 ))
    [ "$t_d" -lt 10 ] && t_d=10
    GP_ITERS=1 timeout -s INT -k 20 "$t_d" "$ncu" $rng --csv "$py" validation/workloads.py "$w" \
        >"$work/${w}_default.csv" 2>"$work/${w}_default_log.txt"
    rc_d=$?
    t3=$(date +%s)
    echo "$w,$share,$((t1 - now)),$rc_m,$((t2 - t1)),$rc_f,$((t3 - t2)),$rc_d,$((t3 - now))" >>"$times"
    echo "$w: $((t3 - now)) s (share $share s): measure $((t1 - now)) s exit $rc_m, --set full $((t2 - t1)) s" \
        "exit $rc_f, default set $((t3 - t2)) s exit $rc_d"
    pack
done
pack
echo "done after $(( $(date +%s) - t_start )) s"
