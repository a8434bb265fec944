#!/usr/bin/env python3
"""The sampled route against NVML on the validation workloads (no GPU).

usage: sampled_estimate.py VALIDATE.tgz VALIDATE.csv [TGZ CSV ...] [--model FILE] [--gp ./gpu_profiler]

With several pairs (runs), each run's table and figures, then the figures pooled over all.

VALIDATE.tgz and VALIDATE.csv come from tests/gpu/issue29_sampled.sh validate: each
workload run under `measure --sampled --timeline` (its timeline holds the PM samples,
the kernels and NVML's power readings every 10 ms) and once without sampling. This
script estimates every sampled timeline again with this checkout's gpu_profiler
(`--sampled --timeline`) and prints, per workload and over all of them:
  - avg over the measured window (GP_START..GP_STOP, idle and gaps included) against
    the energy counter's avg of the same run (measure --json);
  - avg over the busy part (the samples in which kernels ran) against the same;
  - min and peak over 0.1 s windows against NVML's readings over the same windows;
  - the 0.1 s windows' MAPE (power over time);
  - the cost: the sampled run's window against the plain run's (wall time of the loop).
A run whose sampler stopped early (a `# pm_error ... decode` line: the H100's decode
failing, runs 17-23) is marked `stopped`: its whole-window, min and 0.1 s window
figures would count the unsampled rest as idle, so they are left out of those
summaries (its busy-part and peak figures, over what was sampled, stay in); so is
one whose JSON has `sampler_stopped` (a restart with no sample after it). A run whose
sampler restarted after failed decodes is marked `restarted N` and counts as complete:
gpu_profiler bridges its gaps from the samples on either side.
"""
import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile


def doc(text):
    try:
        return json.loads(text[text.index("{"):text.rindex("}") + 1])
    except ValueError:
        return {}


def ape(est, meas):
    if est is None or meas is None or not meas:
        return None
    return 100.0 * (est - meas) / meas


def collect(tgz, csv_path, a):
    """Each sampled run of one validate step, re-estimated: a dict per workload."""
    plain = {}
    with open(csv_path) as f:
        next(f)
        for line in f:
            w, mode, rc, wall, js = line.rstrip("\n").split(",", 4)
            if mode == "plain" and rc == "0":
                plain[w] = doc(js.replace(";", ","))
    rows = []
    run = os.path.basename(tgz).split(".")[0].replace("_validate", "").split("_")[-1]  # run16, board4547, ...
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(tgz) as tf:
        tf.extractall(tmp)
        val = os.path.join(tmp, "val")
        names = sorted({f[:-len("_sampled_timeline.txt")] for f in os.listdir(val)
                        if f.endswith("_sampled_timeline.txt")})
        for w in names:
            r = one(val, w, plain, a)
            if r:
                r["run"] = run
                rows.append(r)
    return rows


def one(val, w, plain, a):
    m = doc(open(os.path.join(val, w + "_sampled.json")).read())
    cmd = [a.gp, "--sampled", "--timeline", os.path.join(val, w + "_sampled_timeline.txt"), "--json", "-q"]
    if a.model:
        cmd += ["--model", a.model]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"{w}: gpu_profiler failed ({p.returncode}): {p.stderr.strip()}", file=sys.stderr)
        return None
    e = json.loads(p.stdout)
    mp = m.get("power_w") or {}
    cpu, life, stopped = None, None, False
    for line in open(os.path.join(val, w + "_sampled_timeline.txt")):
        if line.startswith("# pm_error") and " decode: " in line:
            stopped = True
        if line.startswith("# pm_stats") and "decode_cpu_s" in line:
            cpu = float(line.split("decode_cpu_s")[1].split()[0])
        elif line.startswith("# context_ns"):
            s0, s1 = map(int, line.split()[2:4])
            life = (s1 - s0) * 1e-9 if s1 < 2**62 else None
    d_s, d_p = m.get("duration_s"), plain.get(w, {}).get("duration_s")
    r = {
        "w": w, "meas": mp.get("avg"), "est": e["power_w"]["avg"], "busy": e.get("busy_avg_w"),
        "busy_frac": (e.get("busy_s") or 0) / e["duration_s"] if e["duration_s"] else 0,
        "min": e["power_w"]["min"], "peak": e["power_w"]["peak"],
        "mmin": e["measured_power_w"]["min"], "mpeak": e["measured_power_w"]["peak"],
        "win": e.get("window_mape_pct"), "cost": d_s / d_p if d_s and d_p else None,
        "cpu": 100.0 * cpu / life if cpu is not None and life else None,
        "stopped": stopped or e.get("sampler_stopped") is not None,
        "restarts": (e.get("sampler_restarts") or {}).get("count", 0),
    }
    r["e_avg"], r["e_busy"] = ape(r["est"], r["meas"]), ape(r["busy"], r["meas"])
    r["e_min"], r["e_peak"] = ape(r["min"], r["mmin"]), ape(r["peak"], r["mpeak"])
    return r


def table(rows):
    print("| workload | measured avg W | estimate avg W | off | busy avg W | off | min off | peak off |"
          " 0.1 s windows MAPE | busy share | wall sampled/plain |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    f = lambda v, fmt="%.1f": "-" if v is None else fmt % v
    for r in rows:
        tag = (" (stopped)" if r["stopped"] else "") + (f" (restarted {r['restarts']})" if r["restarts"] else "")
        print(f"| {r['w']}{tag} | {f(r['meas'])} | {f(r['est'])} | {f(r['e_avg'], '%+.1f%%')} | {f(r['busy'])} | "
              f"{f(r['e_busy'], '%+.1f%%')} | {f(r['e_min'], '%+.1f%%')} | {f(r['e_peak'], '%+.1f%%')} | "
              f"{f(r['win'], '%.1f%%')} | {f(r['busy_frac'] * 100, '%.0f%%')} | {f(r['cost'], '%.3f')} |")


def summary(rows):
    def mape(key, keep=lambda r: True):
        v = [abs(r[key]) for r in rows if r[key] is not None and keep(r)]
        return (statistics.mean(v), max(v), len(v)) if v else (float("nan"), float("nan"), 0)
    whole = lambda r: not r["stopped"]
    for key, what, keep in [("e_avg", "avg over the whole window", whole), ("e_busy", "avg over the busy part", None),
                            ("e_min", "min (0.1 s windows)", whole), ("e_peak", "peak (0.1 s windows)", None)]:
        mn, mx, n = mape(key, keep or (lambda r: True))
        print(f"{what}: MAPE {mn:.1f}% worst {mx:.1f}% over {n} workloads")
    several = len({r["run"] for r in rows}) > 1
    stopped = [f"{r['run']}:{r['w']}" if several else r["w"] for r in rows if r["stopped"]]
    if stopped:
        print(f"sampler stopped early (left out of whole-window, min and window figures): {' '.join(stopped)}")
    win = [r["win"] for r in rows if r["win"] is not None and not r["stopped"]]
    if win:
        print(f"power over time, 0.1 s windows: MAPE {statistics.mean(win):.1f}% (mean over workloads), "
              f"worst workload {max(win):.1f}%")
    cpu = sorted(r["cpu"] for r in rows if r["cpu"] is not None)
    if cpu:
        print(f"the tracer's decoding: {statistics.median(cpu):.2f}% of one core (median over the runs' CUDA "
              f"lifetimes; max {cpu[-1]:.2f}%)")
    cost = sorted(r["cost"] for r in rows if r["cost"])
    if cost:
        print(f"cost: the loop's wall time sampled / plain, median {statistics.median(cost):.3f} "
              f"(min {cost[0]:.3f}, max {cost[-1]:.3f}, {len(cost)} workloads; one run each)")


def main():
    ap = argparse.ArgumentParser(description="TGZ CSV [TGZ CSV ...]: each pair one validate step's recordings; "
                                 "with several pairs, each run's table and figures, then the figures pooled "
                                 "over all (a workload counts once per run)")
    ap.add_argument("runs", nargs="+", metavar="TGZ CSV")
    ap.add_argument("--model")
    ap.add_argument("--gp", default="./gpu_profiler")
    a = ap.parse_args()
    if len(a.runs) % 2:
        ap.error("give the recordings in pairs: VALIDATE.tgz VALIDATE.csv")
    pooled = []
    for i in range(0, len(a.runs), 2):
        rows = collect(a.runs[i], a.runs[i + 1], a)
        if len(a.runs) > 2:
            print(f"## {a.runs[i]}\n")
        table(rows)
        print()
        summary(rows)
        pooled += rows
        if len(a.runs) > 2:
            print()
    if len(a.runs) > 2:
        print(f"## pooled over {len(a.runs) // 2} runs\n")
        summary(pooled)


if __name__ == "__main__":
    main()
