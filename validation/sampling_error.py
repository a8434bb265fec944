#!/usr/bin/env python3
"""What --sample N costs in accuracy, measured on recorded real profiles.

For every ncu CSV in the validation logs (each a full profile of the
workload's kernels over two steps of its loop), keeps only the rows that
`-a --sample N` would have had ncu profile (the invocations of each kernel
name whose numbers match the --kernel-id expression gpu_profiler gives ncu,
taken from a run with tests/fake_ncu.sh) and compares
`gpu_profiler -c SUBSET --sample N` with `gpu_profiler -c FULL`: task avg,
min and peak power and energy. No GPU.

--repeat R lays the recorded steps end to end R times first (a steady loop of
2R steps: the counters are the recorded ones, the repetition is assumed),
which is what --sample is for: runs whose kernels each run many times.

ncu numbers the invocations of each kernel by its function name (templates
and parameters left out); this script takes the name up to its first '(' or
'<' and after its last '::', which is close to that but not the same for
every kernel.

usage: python3 validation/sampling_error.py LOGS.tgz [LOGS.tgz ...] [--every 2,5,10] [--repeat R]
       [--gpu-profiler PATH]
"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile


def function_name(kernel):
    k = re.sub(r"^void ", "", kernel)
    k = re.split(r"[(<]", k, 1)[0]
    return k.rsplit("::", 1)[-1].strip()


def estimate(exe, path, every):
    cmd = [exe, "--json", "--no-predictions", "-c", path] + (["--sample", str(every)] if every > 1 else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return None
    task = json.loads(out.stdout)["task"]
    task = task[0] if isinstance(task, list) else task
    return task


def kernel_id_regex(exe, every, parent):
    """The invocation-number expression of gpu_profiler's --kernel-id for --sample every."""
    work = os.path.join(parent, "fake_ncu")
    os.makedirs(work, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    fake = os.path.join(here, "..", "tests", "fake_ncu.sh")
    log = os.path.join(work, "fake_ncu.log")
    env = dict(os.environ, FAKE_NCU_LOG=log, FAKE_NCU_CSV=os.path.join(here, "..", "tests", "fixtures",
                                                                         "ncu-h100", "probe4_full_raw.csv"))
    if os.path.exists(log):
        os.unlink(log)
    subprocess.run([os.path.abspath(exe), "-q", "--no-predictions", "--force", "--output-dir", work, "--sample",
                    str(every), "--ncu", fake, "-a", "/bin/true"], env=env, capture_output=True, cwd=work)
    for line in open(log):
        if line.startswith("--kernel-id :::"):
            return re.compile(line.split(":::", 1)[1].strip())
    sys.exit("gpu_profiler --sample %d gave ncu no --kernel-id" % every)


def subset(src, dst, pattern, repeat):
    lines = open(src, newline="").read().splitlines(keepends=True)
    rows = [i for i, l in enumerate(lines) if l.startswith('"')]
    head = next(csv.reader(io.StringIO(lines[rows[0]])))
    col, idc = head.index("Kernel Name"), head.index("ID")
    seen, kept, n = {}, 0, 0
    with open(dst, "w", newline="") as f:
        f.write(lines[rows[0]])
        f.write(lines[rows[1]])
        for r in range(repeat):
            for i in rows[2:]:
                cells = next(csv.reader(io.StringIO(lines[i])))
                name = function_name(cells[col])
                seen[name] = seen.get(name, 0) + 1
                cells[idc] = str(n)
                n += 1
                if pattern is None or pattern.fullmatch(str(seen[name])):
                    csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(cells)
                    kept += 1
    return kept, n


def main():
    args = sys.argv[1:]
    exe, everys, repeat = "./gpu_profiler", [2, 5, 10], 1
    if "--gpu-profiler" in args:
        i = args.index("--gpu-profiler")
        exe = args[i + 1]
        del args[i:i + 2]
    if "--every" in args:
        i = args.index("--every")
        everys = [int(x) for x in args[i + 1].split(",")]
        del args[i:i + 2]
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    err = {n: {"avg": [], "min": [], "peak": [], "energy": [], "kept": 0, "all": 0} for n in everys}
    print("| workload | kernels | " + " | ".join("1 in %d: kept, avg / energy error" % n for n in everys) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in everys) + " |")
    with tempfile.TemporaryDirectory() as work:
        patterns = {n: kernel_id_regex(exe, n, work) for n in everys}
        for logs in args:
            with tarfile.open(logs) as t:
                try:
                    t.extractall(work, filter="data")
                except TypeError:  # Python before 3.11.4
                    t.extractall(work)
        for fn in sorted(os.listdir(work)):
            if not fn.endswith("_ncu.csv"):
                continue
            full_path = os.path.join(work, "full.csv")
            subset(os.path.join(work, fn), full_path, None, repeat)
            full = estimate(exe, full_path, 1)
            if not full:
                continue
            cells = []
            for n in everys:
                sub = os.path.join(work, "sub.csv")
                kept, total = subset(os.path.join(work, fn), sub, patterns[n], repeat)
                s = estimate(exe, sub, n) if kept else None
                if not s:
                    cells.append("none profiled" if not kept else "error")
                    continue
                e = err[n]
                e["kept"] += kept
                e["all"] += total
                for k in ("avg", "min", "peak"):
                    e[k].append(100.0 * (s["power_w"][k] - full["power_w"][k]) / full["power_w"][k])
                e["energy"].append(100.0 * (s["energy_j"] - full["energy_j"]) / full["energy_j"])
                cells.append("%d, %+.1f%% / %+.1f%%" % (kept, e["avg"][-1], e["energy"][-1]))
            print("| %s | %d | %s |" % (fn[:-len("_ncu.csv")], total, " | ".join(cells)))
    print()
    for n in everys:
        e = err[n]
        if not e["avg"]:
            continue
        line = ["1 in %d: %d of %d kernels profiled (%.1f%%)" % (n, e["kept"], e["all"], 100.0 * e["kept"] / e["all"])]
        for k in ("avg", "min", "peak", "energy"):
            a = [abs(x) for x in e[k]]
            line.append("%s MAPE %.1f%% (worst %.1f%%)" % (k, sum(a) / len(a), max(a)))
        print("; ".join(line) + "; n %d" % len(e["avg"]))


if __name__ == "__main__":
    main()
