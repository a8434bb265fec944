#!/usr/bin/env python3
"""Adds the pipe utilisations of one recording to the raw pages of another.

The H200's tier recordings (h200_tiers_part*, 2026-12-02) hold the details-page
tiers' metrics but no pipe metrics; the H200's model2 recordings
(h200_model2_part*, 2026-12-01) hold the pipe metrics of the same workloads,
whose kernels come in the same order (checked: the same names, one by one).
The rule features of the detailed and full tiers (HighPipeUtilization's busiest
pipe, derived from the pipes as the rule derives it) need both. This script
writes a copy of the tier recordings' logs in which each workload's raw page
also has the four pipe columns of the other recording's same kernel; NVML's
measurement stays the tier recording's. It is a join of two runs of each
workload (the pipes of another session, maybe another board), not a recording
of a details page: docs/ACCURACY.md says so where it uses it.

usage: python3 validation/join_pipes.py TIERS_LOGS.tgz PIPES_LOGS.tgz [PIPES_LOGS.tgz ...] -o OUT_LOGS.tgz
A workload whose kernels differ between the two, or that the pipe logs lack,
is left out of the output (and named on stderr).
"""
import csv
import io
import os
import sys
import tarfile

PIPES = [
    "sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed",
    "sm__inst_executed_pipe_alu.avg.pct_of_peak_sustained_elapsed",
    "sm__pipe_fp64_cycles_active.avg.pct_of_peak_sustained_elapsed",
    "sm__pipe_tensor_cycles_active.avg.pct_of_peak_sustained_elapsed",
]


def split_page(text):
    """(lines before the table, header, units row, data rows) of a raw page."""
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith('"ID"'))
    rows = list(csv.reader(lines[start:]))
    data = [r for r in rows[2:] if r and r[0].isdigit()]
    return lines[:start], rows[0], rows[1], data


def members(path):
    with tarfile.open(path) as t:
        for m in t.getmembers():
            if m.isfile():
                yield m, t.extractfile(m).read()


def join(tiers_text, pipes_text):
    pre, head, units, data = split_page(tiers_text)
    _, phead, _, pdata = split_page(pipes_text)
    kn, pkn = head.index("Kernel Name"), phead.index("Kernel Name")
    if [r[kn] for r in data] != [r[pkn] for r in pdata]:
        return None
    cols = [phead.index(p) for p in PIPES]
    out = io.StringIO()
    for line in pre:
        out.write(line + "\n")
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(head + PIPES)
    w.writerow(units + ["%"] * len(PIPES))
    for r, p in zip(data, pdata):
        w.writerow(r + [p[c] for c in cols])
    return out.getvalue()


def main():
    args = sys.argv[1:]
    if "-o" not in args or len(args) < 4:
        sys.exit(__doc__)
    i = args.index("-o")
    out_path = args[i + 1]
    del args[i:i + 2]
    tiers, pipe_logs = args[0], args[1:]
    pipes = {}
    for p in pipe_logs:
        for m, b in members(p):
            if m.name.endswith("_ncu.csv"):
                pipes[os.path.basename(m.name)] = b.decode()
    with tarfile.open(out_path, "w:gz") as o:
        for m, b in members(tiers):
            name = os.path.basename(m.name)
            if name.endswith("_ncu.csv"):
                joined = join(b.decode(), pipes[name]) if name in pipes else None
                if joined is None:
                    print("left out (%s): %s" % ("kernels differ" if name in pipes else "no pipe recording", name),
                          file=sys.stderr)
                    continue
                b = joined.encode()
            info = tarfile.TarInfo(m.name)
            info.size, info.mtime, info.mode = len(b), 0, 0o644
            o.addfile(info, io.BytesIO(b))


if __name__ == "__main__":
    main()
