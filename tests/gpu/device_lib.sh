# Sourced by the device scripts (tests/gpu/issue21_*.sh): what they share.

# device_start: builds the tool (make -j8, its output in $OUT/build.txt),
# writes the board's nvidia-smi line to $OUT/info.txt, points the cache
# folder into $OUT and runs calibrate --quick there, timed.
device_start() {
    make -s -j8 >"$OUT/build.txt" 2>&1 || { cat "$OUT/build.txt"; return 1; }
    nvidia-smi --query-gpu=name,serial,uuid,driver_version,power.limit,clocks.sm,temperature.gpu \
        --format=csv,noheader | tee "$OUT/info.txt"
    export XDG_CACHE_HOME="$OUT/cache"
    _s=$(date +%s)
    ./gpu_profiler calibrate --quick --force -q >"$OUT/quick_stdout.txt" 2>&1
    echo "calibrate --quick: exit $?, $(( $(date +%s) - _s )) s" | tee -a "$OUT/info.txt"
}

# feature_metrics "F1 F2 ...": the raw metrics of those features
# (gpu_profiler --list-features), with the duration and the GPU's name,
# comma-separated.
feature_metrics() {
    ./gpu_profiler --list-features | python3 -c '
import sys, re
want = set(sys.argv[1].split())
cur, out = None, ["gpu__time_duration.sum", "device__attribute_display_name"]
for line in sys.stdin:
    m = re.match(r"^(\S+)\s", line)
    if m and not line.startswith(" "):
        cur = m.group(1)
    r = re.search(r"raw: (.*)$", line)
    if r and cur in want:
        out += re.findall(r"[a-z0-9_]+__[a-z0-9_.]+", r.group(1))
print(",".join(dict.fromkeys(out)))' "$1"
}

# ncu_passes NCU METRICS PROGRAM ARGS...: the replay passes of the first
# kernel matching "fma" with the comma-separated METRICS, from the raw page's
# profiler__replayer_passes column (with --csv ncu prints no progress line to
# count them from), or "not collected: NAME" when the raw page has no column
# for a metric asked for (ncu accepts some names it has no counter for,
# prints its passes and collects nothing).
ncu_passes() {
    _ncu=$1 _metrics=$2
    shift 2
    _out=$(mktemp)
    timeout 60 "$_ncu" --clock-control none --csv --page raw --metrics "$_metrics" -k regex:fma --launch-count 1 \
        --print-summary none "$@" >"$_out" 2>&1
    python3 - "$_out" "$_metrics" <<'PY'
import csv, sys
rows = [r for r in csv.reader(l for l in open(sys.argv[1], errors="replace") if l.startswith('"'))]
head = next((r for r in rows if r and r[0] == "ID"), None)
if not head:
    print("no raw page")
    sys.exit()
missing = [m for m in sys.argv[2].split(",") if m not in head]
data = [r for r in rows[rows.index(head) + 1:] if r and r[0].isdigit()]
if missing:
    print("not collected: " + " ".join(missing))
elif data and "profiler__replayer_passes" in head:
    print(data[0][head.index("profiler__replayer_passes")])
else:
    print("no pass count on the page")
PY
    rm -f "$_out"
}

# nccl_lib: the path of PyTorch's NCCL (its wheel's nvidia/nccl/lib), else
# the first libnccl.so.2 on the machine, else nothing.
nccl_lib() {
    _p=$(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib", "libnccl.so.2"))' 2>/dev/null)
    [ -f "$_p" ] || _p=$(find / -name 'libnccl.so.2' 2>/dev/null | head -1)
    echo "$_p"
}
