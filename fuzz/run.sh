#!/bin/sh
# Runs each fuzzer for SECONDS, seeded with the repository's real inputs.
# usage: sh fuzz/run.sh SECONDS FUZZER...   (make fuzz FUZZ_SECONDS=N)
# Corpora grow in build-fuzz/corpus/NAME; crashes are written to fuzz/findings/.
set -u
secs=$1
shift
mkdir -p fuzz/findings
status=0
for f in "$@"; do
    c=build-fuzz/corpus/$f
    mkdir -p "$c"
    case $f in
    fuzz_ncu_csv | fuzz_csv_chunks) seeds="tests/fixtures/ncu-h100 tests/fixtures/ncu-h100-runner tests/fixtures/ncu-h200-runner tests/fixtures/ncu-h200-sets tests/fixtures/ncu-derived" ;;
    fuzz_model) seeds="models tests/fixtures/tiny.model tests/fixtures/fp32.model" ;;
    fuzz_dataset) seeds="data tests/fixtures/dataset-derived" ;;
    fuzz_timeline) seeds="tests/fixtures/timeline-h200 tests/fixtures/timeline-derived" ;;
    *) seeds="" ;;
    esac
    for s in $seeds; do
        find "$s" -type f \( -name '*.csv' -o -name '*.model' -o -name '*.txt' \) -size -4M -exec cp {} "$c/" \; 2>/dev/null
    done
    echo "== $f for $secs s"
    "./build-fuzz/$f" -max_total_time="$secs" -max_len=1048576 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=fuzz/findings/"$f"- -print_final_stats=1 "$c" 2>&1 | tail -25 || status=1
done
exit $status
