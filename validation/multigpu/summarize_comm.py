"""Issue 22's table from the logs tests/gpu/issue22_two_gpu.sh wrote (no GPU):

    python3 validation/multigpu/summarize_comm.py mgpu_comm_logs.tgz

For each workload and GPU: the two measured runs (gpu_profiler measure, NVML,
the steady loop), and the estimate over each traced run with the machine's
communication term (comm.model) and without it (the built-in model, NCCL's
kernels at the profile's mean), each with its error against its own run.
Prints Markdown. Not yet run on real logs: no machine of two GPUs was lent
while it was written (2026-12-02).
"""
import json
import sys
import tarfile


def doc(text):
    try:
        return json.loads(text[text.index("{"):text.rindex("}") + 1])
    except ValueError:
        return None


def main(path):
    files = {}
    with tarfile.open(path) as t:
        for m in t.getmembers():
            if m.isfile():
                files[m.name.lstrip("./")] = t.extractfile(m).read().decode(errors="replace")
    names = sorted({f.split("_measure")[0] for f in files if "_measure" in f and f.endswith(".json")})
    print("| workload | GPU | run | measured avg W | traced estimate with the term, avg W | error | "
          "NCCL kernels | without the term, avg W | error |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for w in names:
        for rep in (1, 2):
            m = doc(files.get(f"{w}_measure{rep}.json", ""))
            if not m:
                continue
            est = {k: doc(files.get(f"{w}_traced{rep}_{k}.json", "")) for k in ("comm", "builtin")}
            for g, gpu in enumerate(m.get("gpus", [])):
                meas = gpu["power_w"]["avg"]
                cells = []
                for k in ("comm", "builtin"):
                    dev = None
                    if est[k] and "timeline" in est[k]:
                        dev = next((d for d in est[k]["timeline"]["devices"] if d["device"] == g), None)
                    if dev:
                        a = dev["power_w"]["avg"]
                        cells += [f"{a:.1f}", f"{100 * (a - meas) / meas:+.1f}%"]
                        if k == "comm":
                            cells.append(str(dev["nccl_kernels"]))
                    else:
                        cells += ["", ""] + ([""] if k == "comm" else [])
                print(f"| {w} | {g} | {rep} | {meas:.1f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
