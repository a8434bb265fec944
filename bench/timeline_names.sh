#!/bin/sh
# --timeline with many distinct kernel names (issue 19: it was quadratic in
# them). Makes a raw-page CSV and a timeline of N kernels, each its own
# name, and times the estimate with and without the timeline.
# usage: sh bench/timeline_names.sh [N...]     (default 50000 200000)
set -eu
gp=${GP:-./gpu_profiler}
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_names.XXXXXX")
trap 'rm -rf "$T"' EXIT
for n in ${@:-50000 200000}; do
    python3 - "$n" "$T" <<'PY'
import sys
n, t = int(sys.argv[1]), sys.argv[2]
with open(t + '/p.csv', 'w') as f:
    f.write('"ID","Kernel Name","Device","gpu__time_duration.sum","sm__cycles_active.avg","gpc__cycles_elapsed.max",'
            '"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed"\n"","","","s","cycle","cycle","%"\n')
    for i in range(n):
        f.write('"%d","kernel_%d(int)","0","0.00001","50","100","10"\n' % (i, i))
with open(t + '/t.txt', 'w') as f:
    f.write('# gpu_profiler_timeline 1\n# window_ns 0 %d\n# processes 1\n# dropped 0\n' % (n * 20000 + 1000))
    for i in range(n):
        f.write('N %d kernel_%d(int)\nK %d %d 0 %d\n' % (i, i, i * 20000, i * 20000 + 10000, i))
PY
    a=$(date +%s.%N)
    "$gp" --model tests/fixtures/tiny.model -c "$T/p.csv" --no-predictions -q >/dev/null
    b=$(date +%s.%N)
    "$gp" --model tests/fixtures/tiny.model -c "$T/p.csv" --timeline "$T/t.txt" --no-predictions -q >/dev/null
    c=$(date +%s.%N)
    awk -v n="$n" -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%d names: estimate %.2f s, with --timeline %.2f s\n", n, b - a, c - b }'
done
