#!/usr/bin/env python3
"""The estimate over traced runs, against their measurement, without a GPU.

tests/gpu/timeline_on_gpu.sh measures every validation workload with
`gpu_profiler measure --timeline` (the steady loop between the markers, with
CUPTI's record of when each kernel ran) and keeps NAME_measure.json and
NAME_timeline.txt in an archive (or NAME_measure.txt, measure's text report). The workloads' counters come from the
validation logs (NAME_ncu.csv, validation/run.sh). For each workload this
runs `gpu_profiler -m all --json -c NAME_ncu.csv --timeline NAME_timeline.txt`
and prints a Markdown table of measured and estimated min, avg and peak with
the errors, then the MAPEs: first of the busy-time estimate (the profiled
kernels alone), then of the estimate over the traced run.

usage: python3 validation/timeline_estimate.py TIMELINES.txz LOGS.tgz [LOGS.tgz ...]
       [--model FILE] [--gpu-profiler PATH]
"""
import json
import os
import subprocess
import sys
import tarfile
import tempfile


def extract(path, work):
    with tarfile.open(path) as t:
        try:
            t.extractall(work, filter="data")
        except TypeError:  # Python before 3.11.4: no extraction filters
            t.extractall(work)


def doc(text):
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


def measured(tdir, w):
    """min, avg and peak of NAME_measure.json, or of the text report
    NAME_measure.txt (its 'measured:  min X W  avg Y W  peak Z W' line)."""
    j = os.path.join(tdir, w + "_measure.json")
    if os.path.exists(j):
        m = doc(open(j).read())
        if "power_w" in m:  # measure --json schema_version 3 and later
            p = m["power_w"]
            m.update({"min_w": p["min"], "avg_w": p["avg"], "peak_w": p["peak"]})
        return m
    for line in open(os.path.join(tdir, w + "_measure.txt")):
        if line.startswith("measured:"):
            f = line.split()
            return {"min_w": float(f[2]), "avg_w": float(f[5]), "peak_w": float(f[8])}
    sys.exit("%s_measure.txt has no 'measured:' line" % w)


def pct(est, meas):
    return 100.0 * (est - meas) / meas


def main():
    args = sys.argv[1:]
    model, exe = None, "./gpu_profiler"
    for opt in ("--model", "--gpu-profiler"):
        if opt in args:
            i = args.index(opt)
            if i + 1 >= len(args):
                sys.exit(__doc__)
            if opt == "--model":
                model = args[i + 1]
            else:
                exe = args[i + 1]
            del args[i:i + 2]
    if len(args) < 2:
        sys.exit(__doc__)
    busy_err = {"min": [], "avg": [], "peak": []}
    tl_err = {"min": [], "avg": [], "peak": []}
    lines = []
    with tempfile.TemporaryDirectory() as tdir, tempfile.TemporaryDirectory() as ldir:
        extract(args[0], tdir)
        for logs in args[1:]:
            extract(logs, ldir)
        names = sorted(f[:-len("_timeline.txt")] for f in os.listdir(tdir)
                       if f.endswith("_timeline.txt") and any(
                           os.path.exists(os.path.join(tdir, f[:-len("_timeline.txt")] + "_measure" + e))
                           for e in (".json", ".txt")))
        for w in names:
            m = measured(tdir, w)
            ncu = os.path.join(ldir, w + "_ncu.csv")
            if not os.path.exists(ncu):
                lines.append("| %s | %.0f / - (no kernel profiled) | | | |" % (w, m["avg_w"]))
                continue
            cmd = [exe, "-m", "all", "--json", "--no-predictions", "-q", "-c", ncu,
                   "--timeline", os.path.join(tdir, w + "_timeline.txt")] + (["--model", model] if model else [])
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                lines.append("| %s | failed: %s | | | |" % (w, out.stderr.strip()[:100]))
                continue
            e = doc(out.stdout)
            task = e["task"][0] if isinstance(e["task"], list) else e["task"]
            tl = e["timeline"]["devices"][0]
            meas = {"min": m["min_w"], "avg": m["avg_w"], "peak": m["peak_w"]}
            cells = []
            for t in ("min", "avg", "peak"):
                busy_err[t].append(abs(pct(task["power_w"][t], meas[t])))
                tl_err[t].append(abs(pct(tl["power_w"][t], meas[t])))
                cells.append("%.0f / %.0f (%+.1f%%)" % (meas[t], tl["power_w"][t], pct(tl["power_w"][t], meas[t])))
            lines.append("| %s | %s | %.0f%% | %.0f (%+.1f%%) | %d of %d |" % (
                w, " | ".join(cells), 100.0 * tl["busy_s"] / tl["duration_s"], task["power_w"]["avg"],
                pct(task["power_w"]["avg"], meas["avg"]), tl["matched"], tl["kernels"]))
    print("| workload | min W: measured / over the trace (error) | avg W | peak W | kernels busy | "
          "busy-time avg W (error) | traced kernels named like a profiled one |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(lines))
    print()
    for label, err in (("busy-time estimate", busy_err), ("over the traced run", tl_err)):
        for t in ("min", "avg", "peak"):
            v = err[t]
            if v:
                print("%s: %s: MAPE %.1f%%, worst %.1f%%, n %d" % (label, t, sum(v) / len(v), max(v), len(v)))


if __name__ == "__main__":
    main()
