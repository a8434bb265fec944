#!/bin/sh
# Run on the GPU machine (device tool), in one call of at most 10 minutes:
# 1. records the probe program (tests/fixtures/ncu-h100/probe4_kern.cu, run
#    as `kern all 1`) under ncu --set basic, detailed and full, each report
#    exported as the details page and the raw page, with and without
#    --print-units base, into $OUT/tier_fixtures.txz (with the commands);
# 2. runs `gpu_profiler calibrate --tiers`, which collects every tier's metrics, into
#    $OUT/NAME.model, NAME_dataset.csv, NAME_calibrate.log.
# usage: sh tests/gpu/tiers_on_gpu.sh NAME [calibrate options]
set -u
OUT=${OUT:-gpu-out}
name=${1:-gpu}
shift || true
mkdir -p "$OUT"
t_start=$(date +%s)
deadline=$((t_start + ${GP_BUDGET_S:-570}))
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
echo "build $(( $(date +%s) - t_start )) s"
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
fx=$(mktemp -d)
nvcc -O3 -arch=sm_90 -o "$fx/kern" tests/fixtures/ncu-h100/probe4_kern.cu || exit 1
{
    nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.sm,temperature.gpu,serial,uuid --format=csv,noheader
    "$ncu" --version | tail -1
} >"$fx/env.txt" 2>&1
cat "$fx/env.txt"
for set in basic detailed full; do
    echo "ncu --clock-control none --set $set -o $set ./kern all 1" >>"$fx/commands.txt"
    timeout 120 "$ncu" --clock-control none --set "$set" -o "$fx/$set" "$fx/kern" all 1 >"$fx/${set}_ncu_log.txt" 2>&1
    for page in details raw; do
        for units in auto base; do
            f="probe4_${set}_${page}_${units}units.csv"
            echo "ncu --import $set.ncu-rep --csv --page $page --print-units $units > $f" >>"$fx/commands.txt"
            timeout 60 "$ncu" --import "$fx/$set.ncu-rep" --csv --page "$page" --print-units "$units" >"$fx/$f" 2>>"$fx/import_err.txt"
        done
    done
done
echo "ncu --clock-control none --csv ./kern all 1 > probe4_default_stdout_mixed.csv (ncu's default set, straight to stdout)" >>"$fx/commands.txt"
timeout 120 "$ncu" --clock-control none --csv "$fx/kern" all 1 >"$fx/probe4_default_stdout_mixed.csv" 2>&1
rm -f "$fx"/*.ncu-rep "$fx/kern"
(cd "$fx" && tar cJf "$OUT/tier_fixtures.txz" .)
ls -l "$fx"
echo "fixtures done at $(( $(date +%s) - t_start )) s"
left=$((deadline - $(date +%s)))
t0=$(date +%s)
timeout "$left" ./gpu_profiler calibrate --tiers -o "$OUT/$name.model" --dataset "$OUT/${name}_dataset.csv" \
    --log "$OUT/${name}_calibrate.log" "$@" 2>"$OUT/${name}_stderr.txt"
rc=$?
echo "calibrate rc=$rc wall $(( $(date +%s) - t0 )) s (limit $left s)" | tee "$OUT/timing.txt"
tail -c 2500 "$OUT/${name}_stderr.txt"
grep -h 'pass' "$OUT/${name}_calibrate.log" | head -3
