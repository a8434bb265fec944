#!/bin/sh
# Re-estimates the real pages that tests/gpu/issue30_pages.sh val recorded
# (no GPU): for each kind of export it holds (the details page of --set full,
# the raw page of the same report, the plain `ncu --csv` of the default set),
# every workload's file is handed to validation/reestimate.py as NAME_ncu.csv
# beside its measurement. The busy-time avg columns are the ones to read: the
# pages hold one step of the loop (GP_ITERS=1), so reestimate.py's whole-loop
# estimate, which assumes two, does not apply.
# usage: sh validation/pages_reestimate.sh RESULTS.csv LOGS.tgz [reestimate.py options, e.g. --model FILE]
set -eu
[ $# -ge 2 ] || { echo "usage: sh validation/pages_reestimate.sh RESULTS.csv LOGS.tgz [--model FILE] [--skip W]" >&2; exit 2; }
csv=$1 logs=$2
shift 2
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/all"
tar xzf "$logs" -C "$work/all"
for kind in full_details full_raw default; do
    mkdir "$work/$kind"
    n=0
    for f in "$work/all"/*_"$kind".csv; do
        [ -s "$f" ] || continue
        w=$(basename "$f" "_$kind.csv")
        cp "$f" "$work/$kind/${w}_ncu.csv"
        [ -f "$work/all/${w}_measure_err.txt" ] && cp "$work/all/${w}_measure_err.txt" "$work/$kind/"
        n=$((n + 1))
    done
    echo "## $kind: $n workloads"
    [ "$n" -gt 0 ] || continue
    (cd "$work/$kind" && tar czf "$work/$kind.tgz" ./*)
    python3 "$here/reestimate.py" "$csv" "$work/$kind.tgz" "$@" || echo "($kind: reestimate.py exit $?)"
done
