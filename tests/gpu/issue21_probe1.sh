#!/bin/sh
# Run on the GPU machine (device tool), one call of at most 10 minutes, for
# issue 21: (1) ncu replay passes per kernel as features are added to the
# 1-pass set greedily, in the order of what each adds on the validation
# workloads, keeping each that leaves the total at most 2 passes (and each
# feature alone beside that set); (2) whether a shorter warm-up before each
# measured window changes the measured power: calibrate on the same
# families with --warmup 0.05 and 0.2, datasets side by side.
# Writes $OUT/passes.md, $OUT/warmup_{005,020}_dataset.csv and logs.
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
t0=$(date +%s)
deadline=$((t0 + ${GP_BUDGET_S:-560}))
left() { echo $((deadline - $(date +%s))); }
make -s gpu_profiler >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; exit 1; }
nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu --format=csv,noheader | tee "$OUT/env.txt"
work=$(mktemp -d)
nvcc -O2 -arch=sm_90 -o "$work/probe" tests/fixtures/ncu-h100/probe4_kern.cu || exit 1
ds=data/h200_dataset.csv
passes() { # features -> passes ncu reported for the fma kernel
    ./gpu_profiler fit "$ds" --features "$1" -o "$work/m.model" --force -q >/dev/null 2>&1 || { echo fit; return; }
    ./gpu_profiler --model "$work/m.model" --no-predictions --output-dir "$work" --force -a "$work/probe" -s fma \
        >"$work/out.txt" 2>&1
    grep -o '[0-9]* pass' "$work/out.txt" | head -1 | awk '{ print $1 }'
}
base="sm_active,issue,tensor,dram_read,dram_write"
order="fp32 l2 fp64 alu shared gmma lsu l1 xu fp16 l2_atom occupancy"
{
    echo "| features | passes per kernel |"
    echo "| --- | --- |"
    echo "| $base | $(passes "$base") |"
    for f in $order; do
        [ "$(left)" -gt 330 ] || break
        echo "| $base + $f | $(passes "$base,$f") |"
    done
    acc=$base
    for f in $order; do
        [ "$(left)" -gt 300 ] || break
        p=$(passes "$acc,$f")
        echo "| greedy: $acc + $f | $p |"
        case "$p" in 1|2) acc="$acc,$f" ;; esac
    done
    echo "largest greedy set in at most 2 passes: $acc"
} | tee "$OUT/passes.md"
echo "passes done at $(( $(date +%s) - t0 )) s"
for w in 0.05 0.2; do
    tag=$(echo "$w" | tr -d '.' | cut -c1-3)
    [ "$(left)" -gt 130 ] || { echo "no time left for warm-up $w"; break; }
    s=$(date +%s)
    timeout $(( $(left) - 10 )) ./gpu_profiler calibrate --only fp32,dram,mma,int,idle --warmup "$w" --no-gap-probes \
        --limit-window 0 -o "$work/w.model" --dataset "$OUT/warmup_${tag}_dataset.csv" --log "$OUT/warmup_${tag}.log" \
        --force -q >"$OUT/warmup_${tag}_stdout.txt" 2>&1
    echo "calibrate --warmup $w: exit $?, $(( $(date +%s) - s )) s" | tee -a "$OUT/env.txt"
done
echo "total $(( $(date +%s) - t0 )) s"
