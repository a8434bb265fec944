#!/usr/bin/env python3
"""Issue 33: what the sampled H100 recordings (run 16, board 1651624055835) hold
about the FMA heavy/lite split and the L2 hit rate, which no ncu dataset or
recording of the raw route holds.

Per validation workload (its loop's samples with instructions issued): the
sampled fma pipe, fma-heavy pipe (both % of their peaks; heavy/fma = 1 when
FP32 work is split evenly between heavy and lite, 2 when all of it is on
heavy), L2 sector throughput, DRAM read and write, L2 hit rate. Then the
calibration's samples (the same counters over calibrate --sampled's run):
heavy/fma by fma band, and the L2 hit rate of the samples with DRAM above 30%.

usage: python3 bench/issue33_sampled.py   (from the repository root)
"""
import gzip
import os
import statistics
import sys
import tarfile
import tempfile

CAL = "data/sampled/h100_2026-12-06_run16_calibration_timeline.txt.gz"
VAL = "data/sampled/h100_2026-12-06_run16_validate.tgz"


def load(path):
    names, rows = None, []
    with (gzip.open(path, "rt") if path.endswith(".gz") else open(path)) as f:
        for line in f:
            if line.startswith("# pm device") and names is None:
                p = line.split()
                names = p[p.index("metrics") + 2:]
            elif line.startswith("M "):
                rows.append([float(x) for x in line.split()[4:]])
    return names, rows


def col(names, key):
    return [i for i, n in enumerate(names) if key in n][0]


def main():
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(VAL) as t:
            try:
                t.extractall(work, filter="data")
            except TypeError:
                t.extractall(work)
        print("| workload (sampled, H100) | issue | fma | fma-heavy | heavy/fma | L2 | DRAM read | DRAM write | L2 hit rate |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        d = os.path.join(work, "val")
        for fn in sorted(os.listdir(d)):
            if not fn.endswith("_sampled_timeline.txt"):
                continue
            names, rows = load(os.path.join(d, fn))
            c = {k: col(names, k) for k in ("sm__inst_executed_realtime", "pipe_fma_realtime", "fmaheavy",
                                             "lts__t_sector_throughput", "dramc__read", "dramc__write", "hit_rate")}
            s = [r for r in rows if r[c["sm__inst_executed_realtime"]] > 1]
            m = {k: statistics.mean(r[i] for r in s) for k, i in c.items()}
            print("| %s | %.1f%% | %.1f%% | %.1f%% | %.2f | %.1f%% | %.1f%% | %.1f%% | %.1f%% |" % (
                fn[:-len("_sampled_timeline.txt")], m["sm__inst_executed_realtime"], m["pipe_fma_realtime"],
                m["fmaheavy"], m["fmaheavy"] / max(m["pipe_fma_realtime"], 1e-9), m["lts__t_sector_throughput"],
                m["dramc__read"], m["dramc__write"], m["hit_rate"]))
    names, rows = load(CAL)
    f, h, hr = col(names, "pipe_fma_realtime"), col(names, "fmaheavy"), col(names, "hit_rate")
    dr, dw = col(names, "dramc__read"), col(names, "dramc__write")
    print()
    for lo in range(20, 90, 10):
        v = sorted(r[h] / r[f] for r in rows if lo <= r[f] < lo + 10)
        print("- calibration samples with fma %d-%d%%: %d, heavy/fma median %.2f (10th-90th percentile %.2f-%.2f)" % (
            lo, lo + 10, len(v), statistics.median(v), v[len(v) // 10], v[9 * len(v) // 10]))
    v = sorted(r[hr] for r in rows if r[dr] + r[dw] > 30)
    print("- calibration samples with DRAM read + write above 30%%: %d, L2 hit rate median %.1f%% "
          "(10th-90th percentile %.1f-%.1f%%)" % (len(v), statistics.median(v), v[len(v) // 10], v[9 * len(v) // 10]))


if __name__ == "__main__":
    sys.exit(main())
