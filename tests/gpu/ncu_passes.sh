# Sourced by the device scripts that count ncu's replay passes directly.
# ncu_passes NCU METRICS PROGRAM ARGS...: the passes ncu printed for the first
# kernel matching "fma" with the comma-separated METRICS, or "not collected:
# NAME" when ncu's raw page has no column for a metric asked for (ncu accepts
# some names it has no counter for, prints its passes and collects nothing).
ncu_passes() {
    _ncu=$1 _metrics=$2
    shift 2
    _out=$(mktemp)
    timeout 60 "$_ncu" --clock-control none --csv --page raw --metrics "$_metrics" -k regex:fma --launch-count 1 \
        --print-summary none "$@" >"$_out" 2>&1
    _missing=$(python3 - "$_out" "$_metrics" <<'PY'
import csv, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
head = next((next(csv.reader([l])) for l in lines if l.startswith('"ID"')), [])
print(" ".join(m for m in sys.argv[2].split(",") if head and m not in head) if head else "no raw page")
PY
)
    if [ -n "$_missing" ]; then
        echo "not collected: $_missing"
    else
        grep -o '[0-9]* pass' "$_out" | head -1 | awk '{ print $1 }'
    fi
    rm -f "$_out"
}
