#!/bin/sh
# Run on the GPU machine (device tool), in one 10-minute call: calibrate the
# GPU there (tests/gpu/calibrate_on_gpu.sh), then run as many validation
# workloads as fit before the deadline, estimated with the new model.
# $OUT gets NAME.model, NAME_dataset.csv, NAME_calibrate.log,
# NAME_calibrate_extras.tgz (build, environment, timing, probe) and the
# validation CSV and logs (validation/run.sh): at most 8 files come back.
# usage: sh tests/gpu/calibrate_and_validate.sh NAME [WORKLOAD...]
# GP_BUDGET_S: seconds from the start after which no workload starts (540).
set -u
OUT=${OUT:-gpu-out}
name=${1:-gpu}
shift || true
start=$(date +%s)
mkdir -p "$OUT"
cal=$(mktemp -d)
OUT=$cal sh tests/gpu/calibrate_on_gpu.sh "$name"
rc=$?
for f in "$name.model" "${name}_dataset.csv" "${name}_calibrate.log"; do
    [ -f "$cal/$f" ] && mv "$cal/$f" "$OUT/"
done
(cd "$cal" && tar czf "$OUT/${name}_calibrate_extras.tgz" .)
[ "$rc" = 0 ] && [ -f "$OUT/$name.model" ] || { echo "calibrate failed (rc=$rc)"; exit 1; }
GP_MODEL="$OUT/$name.model" GP_DEADLINE=$((start + ${GP_BUDGET_S:-540})) OUT="$OUT" sh validation/run.sh "$@"
