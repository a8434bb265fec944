#!/bin/sh
# A raw page of N distinct kernel names, each launched twice, with the
# stand-in model's metrics (tests/fixtures/tiny.model), on stdout. The names
# are templated and long, as PyTorch's are (about 110 bytes each); every 4th
# shares its short name with the one before (the names the tables tell apart
# by their template arguments). Used by bench/names_memory.sh and
# tests/names_memory.sh.
# usage: sh bench/names_csv.sh N
set -eu
awk -v n="$1" 'BEGIN {
    print "\"ID\",\"Kernel Name\",\"Device\",\"gpu__time_duration.sum\",\"sm__cycles_active.avg\",\"gpc__cycles_elapsed.max\",\"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed\""
    print "\"\",\"\",\"\",\"s\",\"cycle\",\"cycle\",\"%\""
    for (i = 0; i < 2 * n; i++) {
        k = i % n
        b = k % 4 == 3 ? k - 1 : k
        printf "\"%d\",\"void at::native::elementwise_kernel_%d<128, 4, at::native::Functor_%d<float>>(int, float *, const float *)\",\"0\",\"%.6f\",\"%d\",\"100\",\"%d\"\n", i, b, k, 0.00001 + (i % 13) * 1e-6, 20 + i % 80, i % 90
    }
}'
