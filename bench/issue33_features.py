#!/usr/bin/env python3
"""Issue 33's feature experiments, without a GPU.

Each experiment rewrites one or two metric columns the same way in a
calibration dataset and in every recorded ncu CSV of the validation (the
metrics both hold: docs/ACCURACY.md, "Issue 33"), refits the model from the
rewritten dataset (`gpu_profiler fit --features`, never on the validation),
and estimates the rewritten recordings again (validation/reestimate.py
--skip idle_gaps --model). It prints, per GPU and experiment, the held-out
calibration error (one family out at a time: all, and the families the
biases concern) and the validation's avg MAPE, worst, below-the-limit MAPE
and the signed avg errors of the memory-bound, FP32 and tensor/FP64
workloads. Nothing in the repository is changed.

A derived quantity that is no metric of its own travels in the column of a
metric the raw model does not use (sm__throughput, feature sm_throughput),
so the C code stays as it is: the experiment is the data.

usage: python3 bench/issue33_features.py [--gpu-profiler PATH] [--gpu h100,h100_tiers,h200,h200_tiers] [--csv FILE]
       [EXPERIMENT...]
(run from the repository root; default: every GPU's dataset and every experiment; --csv also writes
each workload's signed avg error per GPU and experiment)
"""
import csv
import io
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile

L2 = "lts__t_sectors.avg.pct_of_peak_sustained_elapsed"
DR = "dram__bytes_read.sum.pct_of_peak_sustained_elapsed"
DW = "dram__bytes_write.sum.pct_of_peak_sustained_elapsed"
FMA = "sm__pipe_fma_cycles_active.avg.pct_of_peak_sustained_elapsed"
IPC = "sm__inst_executed.avg.per_cycle_elapsed"
LSU = "sm__inst_executed_pipe_lsu.avg.pct_of_peak_sustained_elapsed"
ALU = "sm__inst_executed_pipe_alu.avg.pct_of_peak_sustained_elapsed"
FP16 = "sm__inst_executed_pipe_fma_type_fp16.avg.pct_of_peak_sustained_elapsed"
LANES = "smsp__thread_inst_executed_pred_on_per_inst_executed.ratio"  # active lanes per instruction, 32 = all
SPARE = "sm__throughput.avg.pct_of_peak_sustained_elapsed"  # the raw model never reads it

RAW = "sm_active,issue,fp32,alu,fp16,fp64,xu,lsu,tensor,gmma,l1,shared,l2,l2_atom,dram_read,dram_write,occupancy"
R = "validation/results/"
GPUS = {
    "h100": ("data/h100_dataset.csv", ["h100_model2_part1", "h100_model2_part2"]),
    # today's calibrate (2026-12-06, --tiers: every tier's metrics, the raw model's among them), same recordings
    "h100_tiers": ("data/h100_tiers_dataset.csv", ["h100_model2_part1", "h100_model2_part2"]),
    "h200": ("data/h200_dataset.csv", ["h200_model2_part1", "h200_model2_part2", "h200_board1316_part1",
                                       "h200_board1316_part2", "h200_board0547_part1", "h200_board8295_part1"]),
}
# the H200's calibrate --tiers (2026-12-02), whose raw metrics include the lanes, on the same recordings
GPUS["h200_tiers"] = ("data/h200_tiers_dataset.csv", GPUS["h200"][1])
MEMORY = ["stream_triad", "reduce_sum", "sort", "scan_cumsum"]
FP32 = ["mm_fp32", "conv_fp32_images", "blur_4k"]
TENSOR = ["mm_tf32", "mm_fp16", "mm_bf16", "conv_fp16_resnet", "transformer_inference"]
FAMILIES = ["fp32", "fp32_tile", "sgemm", "fp64", "mma", "wgmma", "l2", "dram", "mix", "diverge", "all"]


def f(x):
    try:
        return float(str(x).replace(",", ""))
    except ValueError:
        return None


def lanes(m):
    """The active-lane fraction, 1 where the lanes are not known."""
    return min(m[LANES], 32.0) / 32.0 if m[LANES] > 0 else 1.0


def drop(feats, name):
    return ",".join(x for x in feats.split(",") if x != name)


# name: (what it tests, transform(metrics, k) -> {column: value}, features)
# k: L2 sectors per DRAM byte, both in % of their peaks: the dram family's median
# of l2 / (read + write) (every sector of those configurations passes to DRAM)
EXPERIMENTS = {
    "builtin": ("the shipped features, refitted (the built-in model)", lambda m, k: {}, RAW),
    "l2_hit": ("l2 = L2 sectors less the DRAM sectors' share, max(0, l2 - k (read + write))",
               lambda m, k: {L2: max(0.0, m[L2] - k * (m[DR] + m[DW]))}, RAW),
    "no_l2": ("l2 left out", lambda m, k: {}, drop(RAW, "l2")),
    "l2_hit_miss": ("l2 as l2_hit, plus a term for the L2 traffic that misses, k (read + write), apart from DRAM's",
                    lambda m, k: {L2: max(0.0, m[L2] - k * (m[DR] + m[DW])), SPARE: k * (m[DR] + m[DW])},
                    RAW + ",sm_throughput"),
    "l2_miss_only": ("l2 = only the L2 traffic that misses, min(l2, k (read + write)); hits get no term",
                     lambda m, k: {L2: min(m[L2], k * (m[DR] + m[DW]))}, RAW),
    "fma_x_issue": ("plus fma pipe x issue rate (dense FP32 issue), fma% x ipc / 4",
                    lambda m, k: {SPARE: m[FMA] * m[IPC] / 4.0}, RAW + ",sm_throughput"),
    "fma_sq": ("plus the fma pipe squared, fma%^2 / 100 (power convex in FP32 rate)",
               lambda m, k: {SPARE: m[FMA] * m[FMA] / 100.0}, RAW + ",sm_throughput"),
    "fma_no_lsu": ("plus fma pipe x (1 - lsu): FP32 not fed by loads, fma% x (100 - lsu%) / 100",
                   lambda m, k: {SPARE: m[FMA] * max(0.0, 100.0 - m[LSU]) / 100.0}, RAW + ",sm_throughput"),
    "fma_lanes": ("fp32 = fma pipe x active lanes / 32 (a divergent warp's FMA works on fewer lanes); the raw"
                  " recordings lack the lanes: each workload's, time-weighted, from the H200's tier recordings of the"
                  " same workloads; a dataset without them (before calibrate --tiers): all 32, there and in the recordings",
                  lambda m, k: {FMA: m[FMA] * lanes(m)}, RAW),
    "fma_alu_lanes": ("fp32 and alu both x active lanes / 32 (the integer datapath works per lane too); lanes as in"
                      " fma_lanes", lambda m, k: {FMA: m[FMA] * lanes(m), ALU: m[ALU] * lanes(m)}, RAW),
    "lanes_issue": ("plus issue rate x active lanes / 32 (per-lane datapath energy beside per-instruction energy: the"
                    " details-page tiers' lanes feature), ipc / 4 x lanes in %; lanes as in fma_lanes",
                    lambda m, k: {SPARE: m[IPC] * 25.0 * lanes(m)}, RAW + ",sm_throughput"),
    "dram_sqrt": ("dram read and write as 10 sqrt(%) (concave: the activate energy per byte falls as streams fill each"
                  " opened row)", lambda m, k: {DR: 10.0 * m[DR] ** 0.5, DW: 10.0 * m[DW] ** 0.5}, RAW),
    "dram_active": ("plus DRAM in use at all, 100 min(1, (read + write) / 2%) (HBM out of its power-down states)",
                    lambda m, k: {SPARE: 100.0 * min(1.0, (m[DR] + m[DW]) / 2.0)}, RAW + ",sm_throughput"),
    "fma_less_fp16": ("fp32 = fma pipe less the FP16 FMA on it, max(0, fma% - fp16%): on the H100 HFMA2 runs on the fma"
                      " pipe and draws less per cycle than FFMA (fp16 keeps its own term)",
                      lambda m, k: {FMA: max(0.0, m[FMA] - m[FP16])}, RAW),
    "fma_lanes_less_fp16": ("fma_lanes and fma_less_fp16 together",
                            lambda m, k: {FMA: max(0.0, m[FMA] - m[FP16]) * lanes(m)}, RAW),
}


def read_dataset(path):
    text = open(path).read().splitlines(True)
    head = [x for x in text if x.startswith("#")]
    rows = list(csv.DictReader(x for x in text if not x.startswith("#")))
    return head, rows


def l2_per_dram(rows):
    r = [f(x[L2]) / (f(x[DR]) + f(x[DW])) for x in rows if x["family"] == "dram" and f(x[DR]) + f(x[DW]) > 5]
    return statistics.median(r)


def metrics(get):
    return {c: (get(c) or 0.0) for c in (L2, DR, DW, FMA, IPC, LSU, LANES, ALU, FP16)}


def write_dataset(head, rows, path, tf, k):
    cols = list(rows[0].keys())
    extra = [c for c in tf(metrics(lambda c: 1.0), k) if c not in cols]
    with open(path, "w", newline="") as o:
        o.writelines(head)
        w = csv.DictWriter(o, cols[:7] + extra + cols[7:], lineterminator="\n")
        w.writeheader()
        for r in rows:
            r = dict(r)
            if f(r.get(L2, "")) is not None:
                for c, v in tf(metrics(lambda c: f(r.get(c, ""))), k).items():
                    r[c] = repr(v)
            w.writerow(r)


def workload_lanes():
    """Active lanes per instruction of each validation workload, time-weighted over its kernels, from the H200's
    tier recordings (validation/results/h200_tiers_part*, the same workloads): the raw recordings lack the metric."""
    out = {}
    for part in ("h200_tiers_part1", "h200_tiers_part2"):
        with tarfile.open(R + part + "_logs.tgz") as t:
            for m in t.getmembers():
                if not m.name.endswith("_ncu.csv"):
                    continue
                text = t.extractfile(m).read().decode()
                rows = list(csv.reader(io.StringIO("".join(x + "\n" for x in text.splitlines() if not x.startswith("==")))))
                if not rows or LANES not in rows[0]:
                    continue
                h = rows[0]
                it, il = h.index("gpu__time_duration.sum"), h.index(LANES)
                tsum = lsum = 0.0
                for r in rows[1:]:
                    if len(r) == len(h) and r[0].strip().isdigit() and f(r[it]) is not None and f(r[il]) is not None:
                        tsum += f(r[it])
                        lsum += f(r[it]) * f(r[il])
                if tsum > 0:
                    out[os.path.basename(m.name)[:-len("_ncu.csv")]] = lsum / tsum
    return out


def rewrite_ncu(src, dst, tf, k, fill=None):
    lines = open(src, newline="").read().splitlines(True)
    pre = [x for x in lines if x.startswith("==")]
    rows = list(csv.reader(io.StringIO("".join(x for x in lines if not x.startswith("==")))))
    if not rows:
        open(dst, "w").writelines(lines)
        return
    h = rows[0]
    extra = [c for c in tf(metrics(lambda c: 1.0), k) if c not in h]
    h2 = h + extra
    out = [h2]
    for i, r in enumerate(rows[1:]):
        r = r + ["%" if i == 0 and not r[0].strip() else ""] * len(extra)  # the units row, then kernels
        if len(r) == len(h2) and r[0].strip().isdigit() and L2 in h:
            m = metrics(lambda c: f(r[h2.index(c)]) if c in h2 else (fill or {}).get(c))
            for c, v in tf(m, k).items():
                r[h2.index(c)] = "%.6f" % v
        out.append(r)
    with open(dst, "w", newline="") as o:
        o.writelines(pre)
        csv.writer(o, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(out)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("%s: %s" % (" ".join(cmd), p.stderr.strip()[-400:]))
    return p.stdout + p.stderr


def experiment(exe, gpu, name, work):
    what, tf, feats = EXPERIMENTS[name]
    dataset, recs = GPUS[gpu]
    head, rows = read_dataset(dataset)
    k = l2_per_dram(rows)
    d = os.path.join(work, "%s_%s" % (gpu, name))
    os.makedirs(d)
    ds = os.path.join(d, gpu + "_dataset.csv")
    write_dataset(head, rows, ds, tf, k)
    model = os.path.join(d, gpu + ".model")
    fitted = run([exe, "fit", ds, "--features", feats, "-o", model])
    cv = {}
    for line in fitted.splitlines():
        p = line.split()
        if p and p[0] in FAMILIES and len(p) > 6:
            cv[p[0]] = float(p[5].rstrip("%"))  # the avg column's MAPE
        if line.startswith("in-sample MAPE"):
            cv["in_sample"] = float(re.search(r"avg ([0-9.]+)%", line).group(1))
    args = []
    known_lanes = workload_lanes() if LANES in rows[0] else {}  # a dataset without lanes: the recordings' all 32 too
    for rec in recs:
        rd = os.path.join(d, rec)
        os.makedirs(rd)
        with tarfile.open(R + rec + "_logs.tgz") as t:
            try:
                t.extractall(rd, filter="data")
            except TypeError:
                t.extractall(rd)
        for fn in os.listdir(rd):
            if fn.endswith("_ncu.csv"):
                p = os.path.join(rd, fn)
                w = fn[:-len("_ncu.csv")]
                rewrite_ncu(p, p, tf, k, {LANES: known_lanes[w]} if w in known_lanes else None)
        tgz = rd + "_logs.tgz"
        with tarfile.open(tgz, "w:gz") as t:
            for fn in sorted(os.listdir(rd)):
                t.add(os.path.join(rd, fn), arcname=fn)
        args += [R + rec + ".csv", tgz]
    out = run([sys.executable, "validation/reestimate.py", "--skip", "idle_gaps", "--gpu-profiler", exe,
               "--model", model] + args)
    errs = {}
    for line in out.splitlines():
        m = re.match(r"\| (\w+) \| [0-9]+ / [0-9]+ \(([+-][0-9.]+)%\) \|", line)
        if m:
            errs.setdefault(m.group(1), []).append(float(m.group(2)))
    val = {}
    for line in out.splitlines():
        m = re.match(r"avg: MAPE ([0-9.]+)%, worst ([0-9.]+)%", line)
        if m:
            val["mape"], val["worst"] = float(m.group(1)), float(m.group(2))
        m = re.match(r"avg below the power limit .*MAPE ([0-9.]+)%", line)
        if m:
            val["below"] = float(m.group(1))
    return what, k, cv, val, errs


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def main():
    args = sys.argv[1:]
    exe, csv_out = "./gpu_profiler", None
    if "--gpu-profiler" in args:
        i = args.index("--gpu-profiler")
        exe = args[i + 1]
        del args[i:i + 2]
    gpus = list(GPUS)
    if "--gpu" in args:
        i = args.index("--gpu")
        gpus = args[i + 1].split(",")
        del args[i:i + 2]
    if "--csv" in args:
        i = args.index("--csv")
        csv_out = args[i + 1]
        del args[i:i + 2]
    names = args or list(EXPERIMENTS)
    for n in names:
        if n not in EXPERIMENTS:
            sys.exit("unknown experiment %s (%s)" % (n, ", ".join(EXPERIMENTS)))
    per_workload = []
    with tempfile.TemporaryDirectory() as work:
        for gpu in gpus:
            print("## %s: %s, %s" % (gpu, GPUS[gpu][0], ", ".join(GPUS[gpu][1])))
            print("| experiment | held-out avg: all / fp32 / fp32_tile / fp64 / mma / wgmma / l2 / dram / diverge | in-sample"
                  " | validation avg MAPE / worst / below the limit | memory-bound (mean signed) | FP32 (mean signed)"
                  " | tensor (mean signed) |")
            print("| --- | --- | --- | --- | --- | --- | --- |")
            for n in names:
                what, k, cv, val, errs = experiment(exe, gpu, n, work)
                mem = [e for w in MEMORY for e in errs.get(w, [])]
                fp = [e for w in FP32 for e in errs.get(w, [])]
                ten = [e for w in TENSOR for e in errs.get(w, [])]
                print("| %s | %s | %.1f%% | %.1f%% / %.1f%% / %.1f%% | %+.1f%% | %+.1f%% | %+.1f%% |" % (
                    n, " / ".join("%.1f%%" % cv.get(x, float("nan"))
                                  for x in ["all", "fp32", "fp32_tile", "fp64", "mma", "wgmma", "l2", "dram", "diverge"]),
                    cv.get("in_sample", float("nan")), val.get("mape", float("nan")), val.get("worst", float("nan")),
                    val.get("below", float("nan")), mean(mem), mean(fp), mean(ten)))
                sys.stdout.flush()
                for w, es in sorted(errs.items()):
                    per_workload.append((gpu, n, w, " ".join("%+.1f" % e for e in es)))
            print("(k, L2 %% per DRAM %%, from the dram family: %.3f)" % k)
            print()
    if csv_out:
        with open(csv_out, "w", newline="") as o:
            w = csv.writer(o, lineterminator="\n")
            w.writerow(["gpu", "experiment", "workload", "avg_error_pct_per_recording"])
            w.writerows(per_workload)
    print("experiments:")
    for n in names:
        print("- %s: %s (features %s)" % (n, EXPERIMENTS[n][0], EXPERIMENTS[n][2]))


if __name__ == "__main__":
    main()
