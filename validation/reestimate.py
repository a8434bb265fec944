#!/usr/bin/env python3
"""Re-estimates recorded validation runs without a GPU.

validation/run.sh keeps each workload's measurement and its ncu CSV (in the
logs archive). This script runs `gpu_profiler -m all --json -c NAME_ncu.csv`
on every recorded CSV with the gpu_profiler and model of this checkout, and
prints the table of docs/ACCURACY.md (Markdown) and the summary errors.

usage: python3 validation/reestimate.py RESULTS.csv LOGS.tgz [RESULTS.csv LOGS.tgz ...]
       [--model FILE] [--gpu-profiler PATH]
"""
import csv
import json
import os
import subprocess
import sys
import tarfile
import tempfile


def main():
    args = sys.argv[1:]
    model, exe = None, "./gpu_profiler"
    if "--model" in args:
        i = args.index("--model")
        model = args[i + 1]
        del args[i:i + 2]
    if "--gpu-profiler" in args:
        i = args.index("--gpu-profiler")
        exe = args[i + 1]
        del args[i:i + 2]
    if not args or len(args) % 2:
        sys.exit(__doc__)
    rows, err = [], {"min": [], "avg": [], "peak": [], "energy": []}
    with tempfile.TemporaryDirectory() as work:
        for results, logs in zip(args[0::2], args[1::2]):
            with tarfile.open(logs) as t:
                t.extractall(work, filter="data")
            for r in csv.DictReader(open(results)):
                w = r["workload"]
                ncu = os.path.join(work, w + "_ncu.csv")
                if not r["measured_avg_w"]:
                    rows.append((w, "", "not measured", "", ""))
                    continue
                if not os.path.exists(ncu):
                    rows.append((w, "", "%.0f / - (no kernel profiled)" % float(r["measured_avg_w"]), "", ""))
                    continue
                cmd = [exe, "-m", "all", "--json", "-c", ncu] + (["--model", model] if model else [])
                out = subprocess.run(cmd, capture_output=True, text=True)
                if out.returncode != 0:
                    rows.append((w, "", "%.0f / error: %s" % (float(r["measured_avg_w"]), out.stderr.strip()[:80]),
                                 "", ""))
                    continue
                task = json.loads(out.stdout)["task"]
                task = task[0] if isinstance(task, list) else task
                p = task["power_w"]
                cells = []
                for k in ("min", "avg", "peak"):
                    m, e = float(r["measured_%s_w" % k]), p[k]
                    err[k].append(100.0 * (e - m) / m)
                    cells.append("%.0f / %.0f (%+.1f%%)" % (m, e, 100.0 * (e - m) / m))
                mj, s = float(r["measured_j"]), float(r["measured_s"])
                ej = p["avg"] * s
                err["energy"].append(100.0 * (ej - mj) / mj)
                cells.append("%.0f / %.0f (%+.1f%%)" % (mj, ej, 100.0 * (ej - mj) / mj))
                rows.append((w, *cells))
    print("| workload | avg W: measured / estimated (error) | min W | peak W | energy J (est. = avg x measured time) |")
    print("| --- | --- | --- | --- | --- |")
    for w, mn, av, pk, en in rows:
        print("| %s | %s | %s | %s | %s |" % (w, av, mn, pk, en))
    for k, v in err.items():
        if v:
            a = [abs(x) for x in v]
            print("%s: MAPE %.1f%%, worst %.1f%%, mean signed %+.1f%%, n %d" % (
                k, sum(a) / len(a), max(a), sum(v) / len(v), len(v)))


if __name__ == "__main__":
    main()
