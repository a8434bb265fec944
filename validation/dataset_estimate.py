#!/usr/bin/env python3
"""A model's error over the configurations of a calibration dataset, without a GPU.

Each configuration's counters (a row of `gpu_profiler calibrate`'s dataset)
are written as a one-kernel ncu raw page and estimated by `gpu_profiler -c
--model MODEL`, as a user's raw page would be; the estimate's avg is compared
with the dataset's measured avg_w. The limit and gap probes (families limit,
gaps) are left out, as fit leaves them out of its error.

A model fitted on DATASET gives its in-sample error here (what fit prints as
"in-sample MAPE"); a model fitted on another dataset (another board, another
day) gives its error on configurations it was not fitted on, though the same
microbenchmarks were. This is not fit's held-out error (one whole family left
out of each fit), which is the harsher figure.

--families prints each family's mean signed error too; --name NAME writes
every configuration under that kernel name (one that says nothing, e.g.
user_kernel: what the model makes of the same counters when the name gives
no hint). A dataset recorded before the microbenchmarks' rename (issue 30)
keeps the old names (mb_fp32, mb_mma, mb_fp64), which give no hint here:
fit maps them to the new names, an estimate does not.

--against OTHER compares the two datasets' measured avg_w over the
configurations both hold: how much the boards (or days) differ on the same
work.

usage: python3 validation/dataset_estimate.py DATASET MODEL [MODEL...] [--gpu-profiler PATH] [--families] [--name NAME]
       python3 validation/dataset_estimate.py DATASET --against OTHER_DATASET
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

PROBES = ("limit", "gaps")


def load(path):
    with open(path) as f:
        header = [l for l in f if l.startswith("#")]
    with open(path) as f:
        rows = list(csv.DictReader(l for l in f if not l.startswith("#")))
    gpu = next((h.split(":", 1)[1].strip() for h in header if h.startswith("# gpu:")), "")
    return gpu, [r for r in rows if r["family"] not in PROBES]


def unit(metric):
    """The unit ncu's raw page gives the metric, in what the dataset keeps (base units)."""
    if metric.startswith("gpu__time_duration"):
        return "s"
    if metric.endswith("per_cycle_elapsed") or metric.endswith("peak_sustained"):
        return "inst/cycle"
    if "pct" in metric:
        return "%"
    if "cycles_" in metric:
        return "cycle"
    return ""


def write_page(path, gpu, row, metrics):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(["ID", "Kernel Name", "Device", "device__attribute_display_name"] + metrics)
        w.writerow(["", "", "", ""] + [unit(m) for m in metrics])
        w.writerow(["0", row["kernel"], "0", gpu] + [row[m] for m in metrics])


def estimate(exe, model, page):
    out = subprocess.run([exe, "--json", "--no-predictions", "--model", model, "-c", page],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit("%s: %s" % (page, out.stderr.strip()))
    task = json.loads(out.stdout)["task"]
    task = task[0] if isinstance(task, list) else task
    return task["power_w"]["avg"]


def summary(errs):
    errs = sorted(errs)
    mape = sum(abs(e) for e in errs) / len(errs)
    return "avg MAPE %.1f%%, worst %.1f%%, mean signed %+.1f%%, median signed %+.1f%%, n %d" % (
        mape, max(abs(e) for e in errs), sum(errs) / len(errs), errs[len(errs) // 2], len(errs))


def main():
    args = sys.argv[1:]
    exe = "./gpu_profiler"
    if "--gpu-profiler" in args:
        i = args.index("--gpu-profiler")
        exe = args[i + 1]
        del args[i:i + 2]
    families = "--families" in args
    if families:
        args.remove("--families")
    name = None
    if "--name" in args:
        i = args.index("--name")
        name = args[i + 1]
        del args[i:i + 2]
    if len(args) == 3 and args[1] == "--against":
        _, a = load(args[0])
        _, b = load(args[2])
        other = {r["config"]: r for r in b}
        errs = [100 * (float(r["avg_w"]) - float(other[r["config"]]["avg_w"])) / float(other[r["config"]]["avg_w"])
                for r in a if r["config"] in other]
        if not errs:
            sys.exit("no configuration in both datasets")
        print("%s against %s, measured avg: %s" % (os.path.basename(args[0]), os.path.basename(args[2]),
                                                   summary(errs).replace("avg MAPE", "mean abs")))
        return
    if len(args) < 2:
        sys.exit(__doc__)
    gpu, rows = load(args[0])
    metrics = [c for c in rows[0] if "__" in c]
    with tempfile.TemporaryDirectory() as work:
        pages = []
        for r in rows:
            page = os.path.join(work, r["config"] + ".csv")
            write_page(page, gpu, dict(r, kernel=name) if name else r, metrics)
            pages.append(page)
        for model in args[1:]:
            errs = [100 * (estimate(exe, model, p) - float(r["avg_w"])) / float(r["avg_w"])
                    for p, r in zip(pages, rows)]
            print("%s on %s: %s" % (model, os.path.basename(args[0]), summary(errs)))
            if families:
                by = {}
                for e, r in zip(errs, rows):
                    by.setdefault(r["family"], []).append(e)
                print("  mean signed by family: " + ", ".join("%s %+.1f%%" % (f, sum(v) / len(v))
                                                              for f, v in by.items()))


if __name__ == "__main__":
    main()
