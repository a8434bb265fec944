#!/usr/bin/env python3
"""Re-estimates recorded validation runs without a GPU.

validation/run.sh keeps each workload's measurement and its ncu CSV (in the
logs archive). This script runs `gpu_profiler -m all --json -c NAME_ncu.csv`
on every recorded CSV with the gpu_profiler and model of this checkout, and
prints the table of docs/ACCURACY.md (Markdown) and the summary errors.

It also prints the estimate over the whole measured loop, as `-a --measure`
makes it for a whole run: the profiled steps' kernel energy and GPU time per
step (validation/run.sh profiles GP_ITERS=2 steps), times the steps the
measured loop ran (workloads.py prints them on stderr: "iters N"), plus the
model's idle power for the rest of the measured time. Workloads whose
profile hit the 300-kernel cap (so that 2 steps were not covered) get none.

usage: python3 validation/reestimate.py RESULTS.csv LOGS.tgz [RESULTS.csv LOGS.tgz ...]
       [--model FILE] [--gpu-profiler PATH] [--skip WORKLOAD]...
--skip leaves a workload out of the figures (as idle_gaps, whose idle time the
busy-time estimate does not hold, in issue 21's targets).
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
    skip = []
    while "--skip" in args:  # a workload left out of the figures (idle_gaps: its idle time is not the busy time)
        i = args.index("--skip")
        skip.append(args[i + 1])
        del args[i:i + 2]
    if "--gpu-profiler" in args:
        i = args.index("--gpu-profiler")
        exe = args[i + 1]
        del args[i:i + 2]
    if not args or len(args) % 2:
        sys.exit(__doc__)
    rows, err = [], {"min": [], "avg": [], "peak": [], "energy": []}
    inside, bars = [], []  # the avg's error bar: did it hold the measurement, and its half-width in %
    below = []  # avg errors of the workloads measured below 97% of the power limit
    run_rows, run_err = [], []
    with tempfile.TemporaryDirectory() as work:
        for results, logs in zip(args[0::2], args[1::2]):
            with tarfile.open(logs) as t:
                try:
                    t.extractall(work, filter="data")
                except TypeError:  # Python before 3.11.4: no extraction filters
                    t.extractall(work)
            for r in csv.DictReader(open(results)):
                w = r["workload"]
                if w in skip:
                    continue
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
                iv = task.get("avg_interval_w")
                if iv:
                    m_avg = float(r["measured_avg_w"])
                    inside.append(iv["low"] <= m_avg <= iv["high"])
                    bars.append(100.0 * (iv["high"] - p["avg"]) / p["avg"])
                cells = []
                limit = json.loads(out.stdout)["model"]["power_limit_w"]
                if float(r["measured_avg_w"]) < 0.97 * limit:
                    below.append(100.0 * (p["avg"] - float(r["measured_avg_w"])) / float(r["measured_avg_w"]))
                for k in ("min", "avg", "peak"):
                    m, e = float(r["measured_%s_w" % k]), p[k]
                    err[k].append(100.0 * (e - m) / m)
                    cells.append("%.0f / %.0f (%+.1f%%)" % (m, e, 100.0 * (e - m) / m))
                mj, s = float(r["measured_j"]), float(r["measured_s"])
                ej = p["avg"] * s
                err["energy"].append(100.0 * (ej - mj) / mj)
                cells.append("%.0f / %.0f (%+.1f%%)" % (mj, ej, 100.0 * (ej - mj) / mj))
                rows.append((w, *cells))
                iters = None
                try:
                    for line in open(os.path.join(work, w + "_measure_err.txt")):
                        if line.startswith("iters "):
                            iters = int(line.split()[1])
                except OSError:
                    pass
                doc = json.loads(out.stdout)
                if iters and task["kernels"] < 300:
                    busy = task["gpu_time_s"] / 2 * iters
                    energy = task["energy_j"] / 2 * iters
                    idle = doc["model"]["idle_w"]
                    whole = (energy + idle * max(0.0, s - busy)) / s
                    e = 100.0 * (whole - float(r["measured_avg_w"])) / float(r["measured_avg_w"])
                    run_err.append(e)
                    run_rows.append((w, "%d" % iters, "%.1f%%" % (100.0 * min(busy, s) / s),
                                     "%.0f / %.0f (%+.1f%%)" % (float(r["measured_avg_w"]), whole, e)))
                else:
                    run_rows.append((w, "%s" % (iters or "?"), "-", "n/a (profile capped at 300 kernels)"
                                     if iters else "n/a (no step count)"))
    print("| workload | avg W: measured / estimated (error) | min W | peak W | energy J (est. = avg x measured time) |")
    print("| --- | --- | --- | --- | --- |")
    for w, mn, av, pk, en in rows:
        print("| %s | %s | %s | %s | %s |" % (w, av, mn, pk, en))
    print()
    print("| workload | steps measured | GPU busy (est.) | avg W over the loop: measured / estimated with idle (error) |")
    print("| --- | --- | --- | --- |")
    for row in run_rows:
        print("| %s | %s | %s | %s |" % row)
    if run_err:
        a = [abs(x) for x in run_err]
        print("avg over the loop, with idle: MAPE %.1f%%, worst %.1f%%, n %d" % (sum(a) / len(a), max(a), len(a)))
    if below:
        a = [abs(x) for x in below]
        print("avg below the power limit (measured under 97%% of it): MAPE %.1f%%, worst %.1f%%, n %d" % (
            sum(a) / len(a), max(a), len(a)))
    if skip:
        print("left out: %s" % ", ".join(skip))
    if inside:
        print("avg error bar (80%%): held the measurement in %d of %d (%.0f%%), half-width %.1f%% on average" % (
            sum(inside), len(inside), 100.0 * sum(inside) / len(inside), sum(bars) / len(bars)))
    for k, v in err.items():
        if v:
            a = [abs(x) for x in v]
            print("%s: MAPE %.1f%%, worst %.1f%%, mean signed %+.1f%%, n %d" % (
                k, sum(a) / len(a), max(a), sum(v) / len(v), len(v)))


if __name__ == "__main__":
    main()
