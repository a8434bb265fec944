#!/bin/sh
# Issue 29 on the GPU machine: the counters sampled as the application runs
# (the tracer's PM sampler), recorded for the work done without a GPU.
# usage: sh tests/gpu/issue29_sampled.sh STEP...   (device tool: OUT is set)
#   smoke        one short workload under measure --timeline --sampled, once for each
#                MB:MS in $GP_SMOKE_VARIANTS (hardware buffer, decode cadence; default
#                1024:20, the tracer's defaults); stops the script when the last run's timeline holds no PM samples
#   restart      ($GP_RESTART_ENV: env for the tracer) mm_fp32 with a decode every 500 ms, which failed on every H100 so far
#                (runs 18-24): whether the sampler restarts after the failed decode and
#                samples on (pm_restart lines, samples after them) -> restart.txt and
#                restart_timeline.txt.gz
#   cost         the decoder's CPU on mm_fp32 ($GP_COST_WORKLOAD) for each line of $GP_COST_VARIANTS
#                ("label ENV=..."; a label with 100ms samples every 100 ms) -> cost.txt
#   calibrate    ($GP_CAL_ENV: env for the tracer) calibrate --sampled (the sampled model's dataset, log, model and
#                the calibration's timeline with every sample)
#   validate     the validation workloads (validation/workloads.py, $GP_WORKLOADS or
#                all), each under measure --timeline --sampled and once without
#                sampling (the cost), their timelines and measurements
#   replay       the replay route on the same workloads and board (validation/run.sh:
#                measure, then gpu_profiler -a under ncu), packed as replay.tgz, so that
#                both routes' figures come from one session
# GP_DEADLINE=EPOCH: start nothing after it. GP_VALIDATE_MODES: "sampled plain" (default) or one. Everything lands packed in $OUT:
# info.txt, build.txt, smoke.txt, restart.txt, calibrate.tgz, validate.tgz, validate.csv, replay.tgz
# (at most 8 files come back: smoke_timeline.txt.gz and restart_timeline.txt.gz make 9 with all steps).
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # the packs cd into $W
# the device kills a call at 600 s: start nothing after 560 s unless told otherwise
GP_DEADLINE=${GP_DEADLINE:-$(( $(date +%s) + 560 ))}
. tests/gpu/device_lib.sh
make -s -j16 >"$OUT/build.txt" 2>&1 || { tail -30 "$OUT/build.txt"; exit 1; }
ls -la build/gpu_profiler_trace.so >>"$OUT/build.txt" 2>&1
nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu \
    --format=csv,noheader | tee "$OUT/info.txt"
py=$(command -v python3)
W=$(mktemp -d)
elapsed() { python3 -c "import sys, time; print('%.2f' % (time.time() - float(sys.argv[1])))" "$1"; }
late() { [ -n "${GP_DEADLINE:-}" ] && [ "$(date +%s)" -ge "$GP_DEADLINE" ]; }

step_smoke() {
    : >"$OUT/smoke.txt"
    for v in ${GP_SMOKE_VARIANTS:-1024:20}; do # buffer MB:decode ms, against the decoder's CPU and errors
        mb=${v%%:*} ms=${v##*:}
        s=$(date +%s.%N)
        GP_PM_DECODE_MS=$ms GP_PM_BUFFER_MB=$mb GP_PM_DEBUG=1 ./gpu_profiler measure --json --sampled --timeline "$W/smoke_timeline.txt" \
            --force --start-marker GP_START --stop-marker GP_STOP -- "$py" validation/workloads.py mm_fp32 \
            >"$W/smoke.json" 2>"$W/smoke_err.txt"
        echo "== buffer $mb MB, decode every $ms ms: measure exit $? in $(elapsed "$s") s" >>"$OUT/smoke.txt"
        cat "$W/smoke_err.txt" "$W/smoke.json" >>"$OUT/smoke.txt"
        grep '^#' "$W/smoke_timeline.txt" | cut -c1-400 >>"$OUT/smoke.txt"
        echo "M lines: $(grep -c '^M ' "$W/smoke_timeline.txt")  K lines: $(grep -c '^K ' "$W/smoke_timeline.txt")" \
            >>"$OUT/smoke.txt"
        grep -m3 '^M ' "$W/smoke_timeline.txt" >>"$OUT/smoke.txt"
        [ -f "$OUT/smoke_timeline.txt.gz" ] || gzip -c "$W/smoke_timeline.txt" >"$OUT/smoke_timeline.txt.gz"
    done
    grep -q '^M ' "$W/smoke_timeline.txt"
}

step_restart() {
    s=$(date +%s.%N)
    env ${GP_RESTART_ENV:-} GP_PM_DECODE_MS=500 GP_PM_DEBUG=1 ./gpu_profiler measure --json --sampled --timeline "$W/restart_timeline.txt" \
        --force --start-marker GP_START --stop-marker GP_STOP -- "$py" validation/workloads.py mm_fp32 \
        >"$W/restart.json" 2>"$W/restart_err.txt"
    echo "== decode every 500 ms (${GP_RESTART_ENV:-}): measure exit $? in $(elapsed "$s") s" >"$OUT/restart.txt"
    cat "$W/restart_err.txt" "$W/restart.json" >>"$OUT/restart.txt"
    grep '^# pm_' "$W/restart_timeline.txt" | cut -c1-300 >>"$OUT/restart.txt"
    echo "M lines: $(grep -c '^M ' "$W/restart_timeline.txt")" >>"$OUT/restart.txt"
    ./gpu_profiler --sampled --timeline "$W/restart_timeline.txt" >>"$OUT/restart.txt" 2>&1
    gzip -c "$W/restart_timeline.txt" >"$OUT/restart_timeline.txt.gz"
    cat "$OUT/restart.txt" | grep -E "pm_restart|pm_error|pm_stats|M lines|restarted|estimate off" | head -20
}

# The decoder's CPU by trigger mode, counters and interval, on mm_fp32: each
# line of $GP_COST_VARIANTS is "label env..." (env assignments for the tracer).
step_cost() {
    : >"$OUT/cost.txt"
    printf '%s\n' "${GP_COST_VARIANTS:-time10ms}" | while read -r label envs; do
        [ -n "$label" ] || continue
        late && { echo "deadline: cost $label not run" >>"$OUT/cost.txt"; continue; }
        iv=10
        case $label in *100ms*) iv=100 ;; esac
        s=$(date +%s.%N)
        env $envs GP_PM_DEBUG=1 ./gpu_profiler measure --json --sampled=$iv --timeline "$W/cost_timeline.txt" \
            --force --start-marker GP_START --stop-marker GP_STOP -- "$py" validation/workloads.py ${GP_COST_WORKLOAD:-mm_fp32} \
            >"$W/cost.json" 2>"$W/cost_err.txt"
        echo "== $label ($envs, --sampled=$iv, ${GP_COST_WORKLOAD:-mm_fp32}): measure exit $? in $(elapsed "$s") s" >>"$OUT/cost.txt"
        grep -E '^# (pm_stats|pm_error|pm_restart|pm_trigger|context)|^# pm device' "$W/cost_timeline.txt" | cut -c1-200 >>"$OUT/cost.txt"
        grep -h -E 'pm_|error' "$W/cost_err.txt" | head -5 >>"$OUT/cost.txt"
        awk '/^M /{n++; if (!f) f=$3; l=$4} END {printf "M lines %d, first start %s, last end %s, span_s %.3f\n", n, f, l, (l-f)/1e9}' \
            "$W/cost_timeline.txt" >>"$OUT/cost.txt"
        tr -d '\n ' <"$W/cost.json" | cut -c1-600 >>"$OUT/cost.txt"
        echo >>"$OUT/cost.txt"
    done
    grep -E '^==|pm_stats|span_s' "$OUT/cost.txt"
}

step_calibrate() {
    mkdir -p "$W/cal"
    s=$(date +%s)
    # stopped (SIGINT) 20 s after the deadline, so that its logs are still packed
    timeout -s INT -k 10 $((GP_DEADLINE + 20 - $(date +%s))) env ${GP_CAL_ENV:-} ./gpu_profiler calibrate --sampled --repeats 2 --warmup 0.05 --force -q -o "$W/cal/sampled.model" \
        --dataset "$W/cal/sampled_dataset.csv" --log "$W/cal/sampled_calibrate.log" \
        --timeline "$W/cal/calibration_timeline.txt" >"$W/cal/stdout.txt" 2>&1
    echo "calibrate --sampled: exit $?, $(( $(date +%s) - s )) s" | tee -a "$OUT/info.txt"
    tail -5 "$W/cal/stdout.txt"
    (cd "$W" && tar czf "$OUT/calibrate.tgz.tmp" cal) && mv "$OUT/calibrate.tgz.tmp" "$OUT/calibrate.tgz"
}

step_validate() {
    names=${GP_WORKLOADS:-$("$py" validation/workloads.py --list)}
    mkdir -p "$W/val"
    echo "workload,sampled,exit,wall_s,json" >"$OUT/validate.csv"
    for w in $names; do
        for mode in ${GP_VALIDATE_MODES:-sampled plain}; do
            late && { echo "deadline: not run: $w $mode" | tee -a "$OUT/info.txt"; continue; }
            opt=
            [ $mode = sampled ] && opt=--sampled
            s=$(date +%s.%N)
            ./gpu_profiler measure --json $opt --timeline "$W/val/${w}_${mode}_timeline.txt" --force \
                --start-marker GP_START --stop-marker GP_STOP -- "$py" validation/workloads.py "$w" \
                >"$W/val/${w}_${mode}.json" 2>"$W/val/${w}_${mode}_err.txt"
            rc=$?
            printf '%s,%s,%s,%.2f,%s\n' "$w" "$mode" "$rc" "$(elapsed "$s")" \
                "$(tr -d '\n ' <"$W/val/${w}_${mode}.json" | tr ',' ';')" >>"$OUT/validate.csv"
            # after each: a call cut short keeps what ran (written aside, then renamed: a kill during tar
            # must not leave a truncated archive); the plain timelines (about 10 MB gzipped over the 25
            # workloads, read by nothing) would take validate.tgz past the 16 MiB a returned file may have
            (cd "$W" && tar czf "$OUT/validate.tgz.tmp" --exclude='*_plain_timeline.txt' val) &&
                mv "$OUT/validate.tgz.tmp" "$OUT/validate.tgz"
        done
    done
}

step_replay() {
    mkdir -p "$W/replay"
    OUT="$W/replay" GP_DEADLINE=${GP_DEADLINE:-} sh validation/run.sh ${GP_WORKLOADS:-} >"$W/replay/run_stdout.txt" 2>&1
    echo "replay: exit $?, $(tail -1 "$W/replay/run_stdout.txt")" | tee -a "$OUT/info.txt"
    (cd "$W" && tar czf "$OUT/replay.tgz.tmp" replay) && mv "$OUT/replay.tgz.tmp" "$OUT/replay.tgz"
}

for step in "$@"; do
    late && { echo "deadline: step $step not run" | tee -a "$OUT/info.txt"; continue; }
    case $step in
    smoke) step_smoke || { echo "no PM samples: stopping"; cat "$OUT/smoke.txt"; exit 1; } ;;
    restart) step_restart ;;
    cost) step_cost ;;
    calibrate) step_calibrate ;;
    validate) step_validate ;;
    replay) step_replay ;;
    *) echo "unknown step $step" ;;
    esac
done
ls -la "$OUT"
