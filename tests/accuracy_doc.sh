#!/bin/sh
# Keeps docs/ACCURACY.md true: re-estimates the recorded validation runs
# (validation/reestimate.py, no GPU) with this checkout's binary and models,
# and checks that the summary figures the document quotes are those it gets.
# usage: sh tests/accuracy_doc.sh ./gpu_profiler     Prints "N passed, N failed, N skipped".
set -u
gp=$1
doc=docs/ACCURACY.md
r=validation/results
pass=0
fail=0
. tests/prereq.sh
py=$(command -v python3 || true)
if [ -z "$py" ]; then
    skip_tool "docs/ACCURACY.md's figure checks" python3 "apt-get install python3, or run .ci/run"
    tally_line 0 0
    exit
fi
# check_mapes WHAT PREFIX "TARGETS" OUTPUT: each target's "T: MAPE ..." line of
# OUTPUT must be in the document as a list item "- PREFIXT: MAPE ...".
check_mapes() {
    for target in $3; do
        line=$(printf '%s\n' "$4" | grep "^$target: MAPE")
        if [ -n "$line" ] && grep -qF -- "- $2$line" "$doc"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAILED: $1 $target: '${line:-no figure}' is not what $doc says" >&2
        fi
    done
}
# check_builtin GPU_NAME VARIANT OUTPUT: the avg error that gpu_profiler --version
# gives the built-in model (and prints on the estimate's first line) is the
# recomputed one
versions=$("$gp" --version)
check_builtin() {
    want=$(printf '%s\n' "$3" | sed -n 's/^avg: MAPE \([0-9.]*%\),.*/\1/p')
    label="built-in model: $1${2:+, $2} (ncu"
    got=$(printf '%s\n' "$versions" | grep -F "$label" | sed -n 's/.*validation avg error \([0-9.]*%\).*/\1/p')
    if [ -n "$want" ] && [ "$got" = "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAILED: $1 ${2:-raw}: the binary says '${got:-nothing}', the recordings give '${want:-nothing}'" \
            "(the model file's 'measured validation_avg_mape_pct')" >&2
    fi
}
gpu_name() { [ "$1" = h100 ] && echo "NVIDIA H100 80GB HBM3" || echo "NVIDIA H200"; }
# The H200's built-in model until 2026-12-02, which the document's earlier
# sections measured: refitted from its dataset (tests/test_fit.c checks that
# this gives the file shipped then, tests/fixtures/board/h200_2026-12-01.model)
old=$(mktemp -d)
trap 'rm -rf "$old"' EXIT
cp data/h200_2026-12-01_dataset.csv "$old/h200_dataset.csv"
"$gp" fit "$old/h200_dataset.csv" -o "$old/h200.model" -q --force || fail=$((fail + 1))
old_h200="--model $old/h200.model"
for gpu in h100 h200; do
    out=$("$py" validation/reestimate.py --gpu-profiler "$gp" "$r/${gpu}_model2_part1.csv" "$r/${gpu}_model2_part1_logs.tgz" \
        "$r/${gpu}_model2_part2.csv" "$r/${gpu}_model2_part2_logs.tgz" 2>&1)
    check_builtin "$(gpu_name $gpu)" "" "$out"
    if [ "$gpu" = h200 ]; then
        check_mapes "h200 built-in of 2026-12-02" "H200 built-in of 2026-12-02, model2 recordings " "min avg peak energy" "$out"
        out=$("$py" validation/reestimate.py --gpu-profiler "$gp" $old_h200 "$r/${gpu}_model2_part1.csv" \
            "$r/${gpu}_model2_part1_logs.tgz" "$r/${gpu}_model2_part2.csv" "$r/${gpu}_model2_part2_logs.tgz" 2>&1)
    fi
    check_mapes "$gpu" "" "min avg peak energy" "$out"
    # the fast model on the same recorded counters
    fast_out=$("$py" validation/reestimate.py --gpu-profiler "$gp" --model "models/${gpu}_fast.model" \
        "$r/${gpu}_model2_part1.csv" "$r/${gpu}_model2_part1_logs.tgz" \
        "$r/${gpu}_model2_part2.csv" "$r/${gpu}_model2_part2_logs.tgz" 2>&1)
    check_builtin "$(gpu_name $gpu)" fast "$fast_out"
    loop=$(printf '%s\n' "$out" | grep "^avg over the loop" | sed 's/.*MAPE \([0-9.]*%\), worst \([0-9.]*%\).*/\1 (worst \2)/')
    if [ -n "$loop" ] && grep -qF -- "$loop" "$doc"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAILED: $gpu whole-loop figure '${loop:-none}' is not in $doc" >&2
    fi
done
# the details-page tiers: recorded counters, estimated with each tier's built-in model; the H200's
# from the recordings of 2026-12-02 (the full tier's metrics), the H100's detailed from the raw recordings
out=$("$py" validation/reestimate.py --gpu-profiler "$gp" --model "models/h100_detailed.model" \
    "$r/h100_model2_part1.csv" "$r/h100_model2_part1_logs.tgz" \
    "$r/h100_model2_part2.csv" "$r/h100_model2_part2_logs.tgz" 2>&1)
check_mapes "tier detailed, h100" "tier detailed, h100: " "min avg peak" "$out"
check_builtin "$(gpu_name h100)" detailed "$out"
# the H100's full and basic tiers on the real pages of 2026-12-06 (issue 30): the --set full details page and
# the default set's page, each with the tier the page gets
pages=$(sh validation/pages_reestimate.sh "$r/h100_issue30_pages.csv" "$r/h100_issue30_pages_logs.tgz" \
    --gpu-profiler "$gp" 2>&1)
for kind in full_details:full default:basic; do
    out=$(printf '%s\n' "$pages" | sed -n "/^## ${kind%%:*}:/,/^## /p")
    check_mapes "h100 pages, tier ${kind#*:}" "h100 pages, tier ${kind#*:}: " "min avg peak" "$out"
    check_builtin "$(gpu_name h100)" "${kind#*:}" "$out"
done
# (issue 30) with the pipe columns of the same workloads' model2 recordings joined in
# (validation/join_pipes.py): the rule features of full and detailed need them
joined=$(mktemp -d)
trap 'rm -rf "$old" "$joined"' EXIT
for p in 1 2; do
    "$py" validation/join_pipes.py "$r/h200_tiers_part${p}_logs.tgz" "$r/h200_model2_part1_logs.tgz" \
        "$r/h200_model2_part2_logs.tgz" -o "$joined/part$p.tgz" || fail=$((fail + 1))
done
for tier in full detailed basic; do
    out=$("$py" validation/reestimate.py --gpu-profiler "$gp" --model "models/h200_$tier.model" \
        "$r/h200_tiers_part1.csv" "$joined/part1.tgz" \
        "$r/h200_tiers_part2.csv" "$joined/part2.tgz" 2>&1)
    check_mapes "tier $tier, h200" "tier $tier, h200: " "min avg peak" "$out"
    check_builtin "$(gpu_name h200)" "$tier" "$out"
done
# issue 21: H200 board 1652826071316 with the built-in model and the two quick
# adjustments, and the error bars' coverage on the H100's and H200's recordings
b=$r/h200_board1316
for m in built-in quick1 quick2; do
    case $m in
    built-in) opt=$old_h200 ; label="board 1316, built-in " ;;
    *) opt="--model data/boards/$m/1652826071316.model"; label="board 1316, quick ${m#quick} " ;;
    esac
    out=$("$py" validation/reestimate.py --gpu-profiler "$gp" $opt "${b}_part1.csv" "${b}_part1_logs.tgz" \
        "${b}_part2.csv" "${b}_part2_logs.tgz" 2>&1)
    check_mapes "$label" "$label" "avg" "$out"
    skip_out=$("$py" validation/reestimate.py --gpu-profiler "$gp" --skip idle_gaps $opt "${b}_part1.csv" \
        "${b}_part1_logs.tgz" "${b}_part2.csv" "${b}_part2_logs.tgz" 2>&1)
    held=$(printf '%s\n' "$skip_out" | sed -n 's/^avg error bar (80%): held the measurement in \([0-9]* of [0-9]*\) (\([0-9]*%\)).*/\1, \2/p')
    if [ -n "$held" ] && grep -qF -- "$held" "$doc"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAILED: $label coverage '${held:-none}' is not in $doc" >&2; fi
done
for gpu in h100 h200; do
    opt=
    [ "$gpu" = h200 ] && opt=$old_h200
    out=$("$py" validation/reestimate.py --gpu-profiler "$gp" --skip idle_gaps $opt "$r/${gpu}_model2_part1.csv" \
        "$r/${gpu}_model2_part1_logs.tgz" "$r/${gpu}_model2_part2.csv" "$r/${gpu}_model2_part2_logs.tgz" 2>&1)
    held=$(printf '%s\n' "$out" | sed -n 's/^avg error bar (80%): held the measurement in \([0-9]* of [0-9]*\) (\([0-9]*%\)).*/\1, \2/p')
    if [ -n "$held" ] && grep -qF -- "$held" "$doc"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAILED: $gpu coverage '${held:-none}' is not in $doc" >&2; fi
    # the built-in model's own coverage (its "measured interval_coverage_pct",
    # which --version prints) is what its recordings give
    [ "$gpu" = h200 ] && out=$("$py" validation/reestimate.py --gpu-profiler "$gp" --skip idle_gaps \
        "$r/${gpu}_model2_part1.csv" "$r/${gpu}_model2_part1_logs.tgz" "$r/${gpu}_model2_part2.csv" \
        "$r/${gpu}_model2_part2_logs.tgz" 2>&1)
    held=$(printf '%s\n' "$out" | sed -n 's/^avg error bar (80%): held the measurement in [0-9]* of [0-9]* (\([0-9]*%\)).*/\1/p')
    said=$(printf '%s\n' "$versions" | grep -F "built-in model: $(gpu_name $gpu) (ncu" | sed -n 's/.*error bar held \([0-9]*%\).*/\1/p')
    if [ -n "$held" ] && [ "$held" = "$said" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAILED: $gpu built-in coverage: the model says '${said:-nothing}', the recordings give '${held:-nothing}'" >&2; fi
done
nl='
'
# check_lines WHAT WHICH TEXT: the lines of TEXT that must be in the document,
# as they are. WHICH: rows (the table rows, "| ..."), rows+summary (and the
# MAPE lines, as list items "- ..."), all (every line).
check_lines() {
    IFS_OLD=$IFS
    IFS=$nl
    for line in $3; do
        case "$2:$line" in
        *:"| "*|all:*) want=$line ;;
        rows+summary:"busy-time estimate:"*|rows+summary:"over the traced run:"*) want="- $line" ;;
        *) continue ;;
        esac
        if grep -qF -- "$want" "$doc"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAILED: $1 line not in $doc: $line" >&2
        fi
    done
    IFS=$IFS_OLD
}
# the estimate over the traced runs (H200), line by line; the second traced run, row by row
check_lines traced-run rows+summary "$("$py" validation/timeline_estimate.py --gpu-profiler "$gp" $old_h200 \
    "$r/h200_timelines_run1.txz" "$r/h200_model2_part1_logs.tgz" "$r/h200_model2_part2_logs.tgz" 2>&1)"
check_lines "second traced-run" rows "$("$py" validation/timeline_estimate.py --gpu-profiler "$gp" $old_h200 \
    "$r/h200_timelines_run2.txz" "$r/h200_model2_part1_logs.tgz" "$r/h200_model2_part2_logs.tgz" 2>&1)"
# issue 21, later session: the built-in model of 2026-12-02 over board 1652826070547's traced runs
check_lines "board 0547 traced-run" rows+summary "$("$py" validation/timeline_estimate.py --gpu-profiler "$gp" \
    "$r/h200_board0547_part1_timelines.tgz" "$r/h200_board0547_part1_logs.tgz" 2>&1)"
# the two-H200 table (issue 9), line by line
check_lines multi-GPU all "$("$py" validation/multigpu/summarize.py "$r/h200x2_mgpu_run1_logs.tgz" \
    "$r/h200x2_mgpu_run2_ranks_logs.tgz" 2>&1)"
# issue 22's dry run of tests/gpu/issue22_two_gpu.sh on one H200, line by line
check_lines "issue 22 dry-run" all "$("$py" validation/multigpu/summarize_comm.py \
    bench/results/issue22/dryrun/mgpu_comm_logs.tgz 2>&1)"
# issue 33's feature experiments (refitted from the datasets, re-estimated on the recordings) and the sampled
# route's FMA-heavy and L2-hit counters, row by row
check_lines "issue 33 experiments" rows "$("$py" bench/issue33_features.py --gpu-profiler "$gp" 2>&1)"
check_lines "issue 33 sampled" rows "$("$py" bench/issue33_sampled.py 2>&1)"
# today's H100 calibration's raw model against the shipped one on every H100 measurement of the workloads, row by row
check_lines "issue 33 H100 model" rows "$("$py" bench/issue33_h100_model.py --gpu-profiler "$gp" 2>&1)"
# the sampled route's validation (issue 29): runs 19, 16, 24, 27 and 28 re-estimated with the built-in sampled model,
# row by row
for run in run19_validate.txz run16_validate.tgz run24_validate.txz run27_validate.tgz run28_validate.txz; do
    check_lines "sampled ${run%%_*}" rows "$("$py" validation/sampled_estimate.py --gp "$gp" \
        "data/sampled/h100_2026-12-06_$run" "data/sampled/h100_2026-12-06_${run%%.*}.csv" 2>&1)"
done
# issue 30, the H100's calibration of 2026-12-06 (data/h100_tiers_dataset.csv): the shipped detailed and basic
# models on its configurations (not fitted on them), the two H100 datasets' measured difference, and the shipped
# models' feature sets refitted on it, on the real recordings
check_fragment() { # WHAT FRAGMENT: FRAGMENT must be in the document
    if [ -n "$2" ] && grep -qF -- "$2" "$doc"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAILED: $1: '${2:-no figure}' is not in $doc" >&2; fi
}
ds=data/h100_tiers_dataset.csv
got=$("$py" validation/dataset_estimate.py --gpu-profiler "$gp" "$ds" models/h100_detailed.model 2>&1 |
    sed -n 's/.*: avg MAPE \([0-9.]*%\), worst [0-9.]*%, mean signed \([-+0-9.]*%\).*/\1, mean signed \2/p')
check_fragment "h100_detailed on $ds" "${got:+| $got |}"
got=$("$py" validation/dataset_estimate.py "$ds" --against data/h100_dataset.csv 2>&1 |
    sed -n 's/.*worst \([0-9.]*%\), mean signed \([-+0-9.]*%\), median signed \([-+0-9.]*%\), n \([0-9]*\)$/\4 \2 \3 \1/p')
set -- $got
check_fragment "H100 datasets against each other" "${1:+the $1 configurations both H100 datasets hold measure ${2#-} less}"
check_fragment "H100 datasets against each other" "${3:+median $3, worst $4;}"
refit=$(mktemp -d)
trap 'rm -rf "$old" "$joined" "$refit"' EXIT
for tier in detailed basic; do
    case $tier in
    detailed) f=sm_active,issue,occupancy,dram,rule_fma,rule_alu,rule_fp64,rule_tensor ;;
    basic) f=sm_active,occupancy,dram ;;
    esac
    "$gp" fit "$ds" --features "$f" --variant "$tier" -o "$refit/$tier.model" -q --force || fail=$((fail + 1))
    got=$("$py" validation/reestimate.py --gpu-profiler "$gp" --model "$refit/$tier.model" \
        "$r/h100_model2_part1.csv" "$r/h100_model2_part1_logs.tgz" \
        "$r/h100_model2_part2.csv" "$r/h100_model2_part2_logs.tgz" 2>&1 |
        sed -n 's/^avg: MAPE \([0-9.]*%\), worst \([0-9.]*%\), mean signed \([-+0-9.]*%\).*/\1, worst \2, mean signed \3/p')
    check_fragment "h100 $tier features refitted on $ds" "${got:+| $got |}"
done
tally_line "$pass" "$fail"
