"""Tables of the multi-GPU validation (issue 9) from the logs run.sh and
run_ranks.sh wrote, without a GPU:

    python3 validation/multigpu/summarize.py validation/results/h200x2_mgpu_run1_logs.tgz \
        validation/results/h200x2_mgpu_run2_ranks_logs.tgz

For each workload and GPU: the two measurements (gpu_profiler measure, NVML,
the steady loop), their mean and spread (half the difference over the mean),
and each estimate of that GPU (gpu_profiler -a, the loop's kernels under ncu)
with its error against the mean. Prints Markdown.
"""
import json
import sys
import tarfile



def gpu_w(m, g, what):
    """GPU g's min, avg or peak watts in a measure --json document: power_w.WHAT
    since schema_version 3, WHAT_w before."""
    gpu = m["gpus"][g]
    return gpu["power_w"][what] if "power_w" in gpu else gpu[what + "_w"]

def doc(text):
    try:
        return json.loads(text[text.index("{\n"):text.rindex("}") + 1])
    except ValueError:
        return None


def load(paths):
    files = {}
    for path in paths:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile():
                    files[m.name.lstrip("./")] = t.extractfile(m).read().decode("utf-8", "replace")
    return files


HOW = {
    "all": "every process, every kernel",
    "nonccl": "every process, NCCL's kernels left out",
    "rank": "one rank per run (GP_PROFILE_RANK), NCCL's kernels left out",
}


def main():
    files = load(sys.argv[1:])
    workloads = sorted({n.split("_measure")[0] for n in files if "_measure" in n and n.endswith(".json")})
    print("| workload | GPU | measured avg W (run 1, run 2) | spread | measured min / peak W | how profiled | "
          "kernels | estimated avg W | error | estimated min / peak W |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for w in workloads:
        ms = [doc(files.get("%s_measure%d.json" % (w, r), "")) for r in (1, 2)]
        ms = [m for m in ms if m]
        if not ms:
            continue
        ngpus = len(ms[0]["gpus"])
        for g in range(ngpus):
            avgs = [gpu_w(m, g, "avg") for m in ms]
            mean = sum(avgs) / len(avgs)
            spread = (max(avgs) - min(avgs)) / 2 / mean * 100
            mins = sum(gpu_w(m, g, "min") for m in ms) / len(ms)
            peaks = sum(gpu_w(m, g, "peak") for m in ms) / len(ms)
            rows = []
            for tag in ("all", "nonccl", "rank"):
                names = ["%s_%s_estimate.json" % (w, tag)] if tag != "rank" else ["%s_rank_r%d_estimate.json" % (w, g)]
                for n in names:
                    if n not in files:
                        continue
                    e = doc(files[n])
                    if e is None:
                        rows.append((tag, "no report: ncu hung on an NCCL kernel", None, None))
                        continue
                    tasks = e["task"] if isinstance(e["task"], list) else [e["task"]]
                    t = [x for x in tasks if x.get("device") == g]
                    if not t:
                        rows.append((tag, "no kernel on this GPU", None, None))
                        continue
                    rows.append((tag, t[0]["kernels"], t[0]["power_w"], "stopped" if "--duration" in files.get(n.replace(".json", "_err.txt"), "") else ""))
            if not rows:
                rows.append(("", "", None, None))
            for tag, kernels, p, note in rows:
                est = err = estmp = ""
                if p:
                    est = "%.1f" % p["avg"]
                    e_pct = (p["avg"] - mean) / mean * 100
                    err = "%+.1f%%" % e_pct
                    estmp = "%.0f / %.0f" % (p["min"], p["peak"])
                how = HOW.get(tag, "")
                if note:
                    how += " (stopped by --duration: the job hung)"
                print("| %s | %d | %s | %.1f%% | %.0f / %.0f | %s | %s | %s | %s | %s |" % (
                    w, g, ", ".join("%.1f" % a for a in avgs), spread, mins, peaks, how, kernels, est, err, estmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
