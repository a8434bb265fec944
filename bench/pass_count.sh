#!/bin/sh
# Replay passes per kernel for models fitted on subsets of the features
# (issue 5: at most 2 passes). For each subset, fits a model on the GPU's
# dataset (gpu_profiler fit --features), profiles one FP32 kernel of the
# probe program with it (gpu_profiler -a, real ncu) and reads the passes ncu
# printed. Subsets: the prefixes of an order of the features by what they
# add on the validation workloads (docs/ACCURACY.md), then a few others.
# Prints a Markdown table and writes $OUT/pass_count.md; the largest prefix
# that needs at most 2 passes is left as $OUT/lean.model.
# usage: sh bench/pass_count.sh
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
make -s gpu_profiler >/dev/null || exit 1
work=$(mktemp -d)
nvcc -O2 -o "$work/probe" tests/fixtures/ncu-h100/probe4_kern.cu || exit 1
case "$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)" in
*H200*) ds=data/h200_dataset.csv ;;
*) ds=data/h100_dataset.csv ;;
esac
order="sm_active issue tensor fp32 dram_read dram_write l2 fp64 alu shared gmma lsu l1 xu fp16 l2_atom occupancy"
sets=""
acc=""
for f in $order; do
    acc="${acc:+$acc,}$f"
    sets="$sets $acc"
done
sets="$sets sm_active,issue,tensor,dram_read,dram_write sm_active,tensor,fp32,dram_read,dram_write sm_active,issue,tensor,fp32,dram_read,dram_write,lsu,l1"
table="$OUT/pass_count.md"
echo "| features | n | passes per kernel |" | tee "$table"
echo "| --- | --- | --- |" | tee -a "$table"
best=""
for s in $sets; do
    ./gpu_profiler fit "$ds" --features "$s" -o "$work/m.model" --force -q >/dev/null 2>&1 || { echo "| $s | fit failed | |" | tee -a "$table"; continue; }
    ./gpu_profiler --model "$work/m.model" --no-predictions --output-dir "$work" --force -a "$work/probe" -s fma \
        >"$work/out.txt" 2>&1
    p=$(grep -o '[0-9]* pass' "$work/out.txt" | head -1 | awk '{ print $1 }')
    echo "| $s | $(echo "$s" | tr ',' '\n' | wc -l) | ${p:-none} |" | tee -a "$table"
    case "$s" in *,*,*) ;; esac
    if [ -n "$p" ] && [ "$p" -le 2 ] && [ "$(echo "$order" | tr ' ' ',' | cut -c1-${#s})" = "$s" ]; then
        best=$s
        cp "$work/m.model" "$OUT/lean.model"
    fi
done
echo "largest prefix in at most 2 passes: ${best:-none}" | tee -a "$table"
