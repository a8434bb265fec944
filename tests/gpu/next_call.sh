#!/bin/sh
# The next device call, one command whichever GPU comes (the device tool
# lends an H100 or an H200, not always the one asked for). What the open
# issues still need, by default the most valuable first:
#   H200: issue 29's H200 sampled model (GP_NEXT=issue29, the default):
#         calibrate --sampled (about 150 s), then the sampled validation
#         (about 290 s), packed as they go; then issue 30's real pages
#         (GP_NEXT=issue30) and issue 33's probes (GP_NEXT=issue33)
#   H100: issue 30's validation workloads not yet recorded as real pages
#         (GP_NEXT=issue30, the default; about 15 fit one call), then
#         issue 33's probes (GP_NEXT=issue33, about 8 minutes)
# Issue 30's workloads are those of validation/workloads.py (idle_gaps aside)
# not in validation/results/GPU_issue30_pages.csv. Each script keeps its own
# deadline under the 600 s the device allows and writes at most 6 files
# under $OUT.
# usage (device tool): sh tests/gpu/next_call.sh      GP_DRY=1: say what it would run
set -u
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
# remaining GPU: the validation workloads whose real pages GPU has not recorded
remaining() {
    recorded=""
    f=validation/results/$1_issue30_pages.csv
    [ -f "$f" ] && recorded=$(tail -n +2 "$f" | cut -d, -f1 | sort -u)
    for w in $(python3 validation/workloads.py --list); do
        [ "$w" = idle_gaps ] && continue
        printf '%s\n' "$recorded" | grep -qx "$w" || printf '%s ' "$w"
    done
}
pages() {
    todo=$(remaining "$1")
    # none left, or no list (python3 without torch): never the whole suite by default
    [ -n "$todo" ] || { echo "next_call.sh: no validation workload left to record (or workloads.py --list failed)" >&2; exit 2; }
    set -- env GP_BUDGET_S="${GP_BUDGET_S:-560}" sh tests/gpu/issue30_pages.sh val "$2" $todo
    run "$@"
}
run() {
    echo "next_call.sh: $gpu: $*" | tee "$OUT/next_call.txt"
    [ -n "${GP_DRY:-}" ] && exit 0
    exec "$@"
}
case "$gpu" in
*H200*)
    case "${GP_NEXT:-issue29}" in
    issue29) run env GP_VALIDATE_MODES=sampled sh tests/gpu/issue29_sampled.sh calibrate validate ;;
    issue30) pages h200 h200a ;;
    issue33) run sh tests/gpu/issue33_probes.sh ;;
    esac ;;
*H100*)
    case "${GP_NEXT:-issue30}" in
    issue30) pages h100 h100e ;;
    issue33) run sh tests/gpu/issue33_probes.sh ;;
    esac ;;
*)
    echo "next_call.sh: '$gpu' is neither an H100 nor an H200 (nvidia-smi's name); nothing run" >&2
    exit 2 ;;
esac
echo "next_call.sh: GP_NEXT='${GP_NEXT:-}' is not one of issue29 (H200 only), issue30, issue33" >&2
exit 2
