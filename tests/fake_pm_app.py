#!/usr/bin/env python3
"""A stand-in application for `gpu_profiler -a APP --sampled` without a GPU: it writes what the tracer with its
PM sampler would (trace_inject.c, trace_pm.c) into $GP_TRACE_FILE.PID: the clock lines, 200 real samples of 1 ms
taken from an H100 recording (tests/fixtures/timeline-h100-sampled/stream_triad_run16.txt, its loop), moved to
start now, and one kernel over the first 150 ms; then it waits 0.3 s, so that the measured run holds them all.
It prints the sampling interval it was asked for. With FAKE_PM_UNAVAILABLE=REASON it writes the tracer's
pm_unavailable line instead of samples (a GPU or a user without PM sampling); with FAKE_PM_GPU=NAME it names that
GPU (one without a built-in sampled model; _ for a space)."""
import os
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
rec = os.path.join(here, "fixtures", "timeline-h100-sampled", "stream_triad_run16.txt")
prefix = os.environ.get("GP_TRACE_FILE")
print("GP_PM_SAMPLING=%s" % os.environ.get("GP_PM_SAMPLING", ""))
if prefix:
    header, samples = [], []
    for line in open(rec):
        if line.startswith("# pm_gpu") and os.environ.get("FAKE_PM_GPU"):
            header.append("# pm_gpu device 0 %s\n" % os.environ["FAKE_PM_GPU"].replace("_", " "))
        elif line.startswith("# pm device") or line.startswith("# pm_gpu") or line.startswith("# pm_left_out"):
            header.append(line)
        elif line.startswith("M ") and len(samples) < 1200:
            samples.append(line.split())
    now = time.monotonic_ns()
    with open("%s.%d" % (prefix, os.getpid()), "w") as f:
        f.write("# gpu_profiler_trace 1\n# pid %d\n# clock start cupti_ns 1000000000 monotonic_ns %d\n" % (os.getpid(), now))
        if os.environ.get("FAKE_PM_UNAVAILABLE"):
            header, samples = ["# pm_unavailable device 0 %s\n" % os.environ["FAKE_PM_UNAVAILABLE"]], []
        f.writelines(header)
        f.write("K 1000000000 1150000000 0 _Z12stream_triadPfS_S_\n")
        for i, s in enumerate(samples[1000:1200]):
            a = 1000000000 + i * 1000000
            f.write("M 0 %d %d %s\n" % (a, a + 1000000, " ".join(s[4:])))
        time.sleep(0.3)
        f.write("# clock end cupti_ns %d monotonic_ns %d\n" % (1000000000 + 300000000, now + 300000000))
