#!/bin/sh
# Issue 30 (prepared, not run: no GPU time was lent to the sessions that wrote
# it). Run on the GPU machine (device tool), one call of at most 10 minutes per
# part; what the data in the repository could not give (docs/ACCURACY.md, "Rule
# texts and kernel names"):
#   part cal: a plain `gpu_profiler calibrate --tiers`, whose ncu run collects
#     (since issue 30's CPU work) what the rules of the details page are
#     computed from: the roofline's FP32/FP64 counts and peaks, the Shared pipe
#     and ALU cycles, kept as dataset columns, from which fit derives
#     SOLFPRoofline's shares and ncu's own busiest pipe (rule_fp32_peak,
#     rule_fp64_peak, rule_*) -> $OUT/NAME_dataset.csv, NAME_calibrate.log (its
#     "ncu: ... passes" line says what the added counters cost: 11 passes per
#     kernel before them, data/h200_tiers_calibrate.log), NAME_calibrate_out.txt
#     (its stdout and stderr), NAME.model.
#   part val [WORKLOAD...]: each validation workload measured by NVML between its
#     markers (gpu_profiler measure), then profiled three ways on two steps of
#     its loop: ncu --set full (the report exported as the details page and the
#     raw page), plain `ncu --csv` (ncu's default set, as users get it)
#     -> $OUT/issue30_val_NAME.csv (measurements) and issue30_val_NAME_logs.tgz
#     (WORKLOAD_full_details.csv, WORKLOAD_full_raw.csv, WORKLOAD_default.csv,
#     WORKLOAD_measure.txt); re-estimate with validation/reestimate.py on the
#     *_full_details.csv and *_default.csv files (copied to WORKLOAD_ncu.csv).
# usage: sh tests/gpu/issue30_pages.sh cal|val NAME [WORKLOAD...]
set -u
OUT=${OUT:-gpu-out}
part=${1:?cal or val}
name=${2:-gpu}
shift 2 || shift $#
mkdir -p "$OUT"
t_start=$(date +%s)
deadline=$((t_start + ${GP_BUDGET_S:-570}))
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
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
echo "workload,measured_min_w,measured_avg_w,measured_peak_w,measured_s,measured_j" >"$csv"
for w in $names; do
    [ "$(date +%s)" -ge "$deadline" ] && { echo "deadline reached: not started: $w" >&2; continue; }
    ./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP -- "$py" validation/workloads.py "$w" \
        >"$work/${w}_measure.txt" 2>"$work/${w}_measure_err.txt"
    "$py" -c 'import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t[t.index("{"):t.rindex("}")+1]); a=d.get("all",d); p=a["power_w"]; print("%s,%s,%s,%s,%s,%s"%(sys.argv[2],p["min"],p["avg"],p["peak"],a["duration_s"],a["energy_j"]))' \
        "$work/${w}_measure.txt" "$w" >>"$csv" 2>>"$work/${w}_measure_err.txt"
    export GP_ITERS=2
    rng="--nvtx --nvtx-include gp_loop/ --launch-count 300 --clock-control none"
    timeout 240 "$ncu" $rng --set full -o "$work/$w" "$py" validation/workloads.py "$w" >"$work/${w}_full_log.txt" 2>&1
    "$ncu" --import "$work/$w.ncu-rep" --csv --page details >"$work/${w}_full_details.csv" 2>>"$work/${w}_full_log.txt"
    "$ncu" --import "$work/$w.ncu-rep" --csv --page raw >"$work/${w}_full_raw.csv" 2>>"$work/${w}_full_log.txt"
    rm -f "$work/$w.ncu-rep"
    timeout 120 "$ncu" $rng --csv "$py" validation/workloads.py "$w" >"$work/${w}_default.csv" 2>&1
done
(cd "$work" && tar czf "$OUT/issue30_val_${name}_logs.tgz" ./*.csv ./*.txt)
echo "done after $(( $(date +%s) - t_start )) s"
