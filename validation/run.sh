#!/bin/sh
# Validation on the GPU machine: for each workload, the measured power
# (gpu_profiler measure, NVML, the steady loop only) and the estimate
# (gpu_profiler -a, the same loop's kernels under ncu). Never used to fit.
# usage: sh validation/run.sh [NAME...]   (default: every workload)
# GP_MODEL=FILE estimates with that model instead of the built-in one.
# Writes $OUT/validation_<gpu>.csv, one row per workload, and the logs in
# $OUT/validation_logs_<gpu>.tgz, with each workload's ncu CSV (NAME_ncu.csv),
# so a later model can be evaluated on the same counters without a GPU; where
# the tracer was built, also each measured loop's timeline, in
# $OUT/validation_timelines_<gpu>.tgz (validation/timeline_estimate.py).
# GP_DEADLINE=EPOCH_SECONDS: start no workload after that time (device calls
# are limited to 10 minutes).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s >/dev/null || exit 1
# with the tracer (built where make found CUPTI) each measurement also records its timeline
tl_opt=
[ -f build/gpu_profiler_trace.so ] && tl_opt=yes
py=$(command -v python3)
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '_')
names=${*:-$($py validation/workloads.py --list)}
csv="$OUT/validation_$gpu.csv"
[ -f "$csv" ] || echo "workload,measured_min_w,measured_avg_w,measured_peak_w,measured_s,measured_j,est_min_w,est_avg_w,est_peak_w,est_kernels,wall_measure_s,wall_estimate_s" >"$csv"
work=$(mktemp -d)
for w in $names; do
    if [ -n "${GP_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$GP_DEADLINE" ]; then
        echo "deadline reached: not started: $w" >&2
        continue
    fi
    t0=$(date +%s.%N)
    ./gpu_profiler measure --json --start-marker GP_START --stop-marker GP_STOP \
        ${tl_opt:+--timeline "$work/${w}_timeline.txt" --force} -- "$py" validation/workloads.py "$w" \
        >"$work/m.txt" 2>"$work/${w}_measure_err.txt"
    t1=$(date +%s.%N)
    GP_ITERS=${GP_ITERS:-2} ./gpu_profiler ${GP_MODEL:+--model "$GP_MODEL"} -m all --json --no-predictions \
        --output-dir "$work" --nvtx-range gp_loop \
        --max-kernels 300 -a "$py" -s validation/workloads.py -s "$w" >"$work/e.txt" 2>"$work/${w}_estimate_err.txt"
    t2=$(date +%s.%N)
    "$py" - "$w" "$work/m.txt" "$work/e.txt" "$t0" "$t1" "$t2" >>"$csv" <<'PY'
import json, sys
w, mpath, epath, t0, t1, t2 = sys.argv[1:7]
def doc(path):
    text = open(path).read()
    try:
        return json.loads(text[text.index("{"):text.rindex("}") + 1])
    except ValueError:
        return {}
m, e = doc(mpath), doc(epath)
# measure --json: power_w.{min,avg,peak} since schema_version 3, min_w/avg_w/peak_w before
mp = m.get("power_w") or {"min": m.get("min_w"), "avg": m.get("avg_w"), "peak": m.get("peak_w")}
task = e.get("task", {})
if isinstance(task, list):
    task = task[0] if task else {}
p = task.get("power_w", {})
f = lambda v: "" if v is None else "%.6g" % v
print(",".join([w, f(mp.get("min")), f(mp.get("avg")), f(mp.get("peak")), f(m.get("duration_s")),
                f(m.get("energy_j")), f(p.get("min")), f(p.get("avg")), f(p.get("peak")), f(task.get("kernels")),
                "%.1f" % (float(t1) - float(t0)), "%.1f" % (float(t2) - float(t1))]))
PY
    tail -1 "$csv"
    cp "$work/e.txt" "$work/${w}_estimate.json" 2>/dev/null
    cp "$work/m.txt" "$work/${w}_measure.txt" 2>/dev/null
    mv "$work/gpu_profiler_ncu.csv" "$work/${w}_ncu.csv" 2>/dev/null
    rm -f "$work/gpu_profiler_ncu.ncu-rep"
    (cd "$work" && tar czf "$OUT/validation_logs_$gpu.tgz" ./*_estimate.json ./*_measure.txt ./*_err.txt ./*_ncu.csv)
    if [ -n "$tl_opt" ] && [ -f "$work/${w}_timeline.txt" ]; then
        cp "$work/m.txt" "$work/${w}_measure.json"
        # the form validation/timeline_estimate.py reads
        (cd "$work" && tar czf "$OUT/validation_timelines_$gpu.tgz" ./*_timeline.txt ./*_measure.json)
    fi
done
