"""gpu_profiler from Python: runs the gpu_profiler program (built by
pip install . and shipped in this package) with --json and returns its JSON
document as a dict.

    import gpu_profiler
    doc = gpu_profiler.estimate("probe4_full_raw.csv", mode="all")
    doc["task"][0]["power_w"]["avg"]
    gpu_profiler.profile("./app", ["--size", "4096"], fast=True)
    gpu_profiler.measure("python3", ["train.py"], start_marker="GP_START", stop_marker="GP_STOP")

Keyword options become the program's long options: fast=True is --fast,
top=5 is --top=5, ncu_arg=["-k", "regex:gemm"] is --ncu-arg=-k
--ncu-arg=regex:gemm (a list repeats the option); False or None leaves the
option out. The documents are those of docs/schema/ (estimate and measure).
A run that fails raises GpuProfilerError, which carries the exit status
(README.md, "Exit codes"), stderr and, where the program still printed one
(exit status 9: the application failed), the document.
"""
import json
import os
import subprocess
import sys
import tempfile

__all__ = ["estimate", "profile", "measure", "GpuProfilerError", "binary"]


class GpuProfilerError(Exception):
    """gpu_profiler exited with a status other than 0."""

    def __init__(self, cmd, returncode, stderr, document=None):
        self.cmd = cmd
        self.returncode = returncode
        self.stderr = stderr
        self.document = document
        # the program's last word, not the "Try 'gpu_profiler --help'" line after a usage error
        lines = [l for l in stderr.strip().splitlines() if l.strip() and not l.startswith("Try '")]
        super().__init__("gpu_profiler exited with status %d: %s" % (returncode, lines[-1] if lines else "no message"))

    def __reduce__(self):  # pickled whole (multiprocessing, concurrent.futures)
        return (self.__class__, (self.cmd, self.returncode, self.stderr, self.document))


def binary():
    """The gpu_profiler program this package runs: $GP_BINARY, else the one
    built into the package."""
    env = os.environ.get("GP_BINARY")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "gpu_profiler")


def _options(opts):
    args = []
    for key, value in opts.items():
        name = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(name)
        elif isinstance(value, (list, tuple)):
            args.extend("%s=%s" % (name, v) for v in value)
        else:
            args.append("%s=%s" % (name, value))
    return args


def _run(args, env=None):
    cmd = [binary()] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       env=env, check=False)
    document = None
    if p.stdout.strip():
        try:
            document = json.loads(p.stdout)
        except ValueError:
            document = None
    if p.returncode != 0:
        raise GpuProfilerError(cmd, p.returncode, p.stderr, document)
    if document is None:
        raise GpuProfilerError(cmd, p.returncode, p.stderr + "\nno JSON document on stdout")
    return document


def _predictions(opts):
    # ./predictions.csv only when asked for: a library call leaves no files behind
    return [] if opts.pop("predictions", False) else ["--no-predictions"]


def estimate(csv, mode="avg", **opts):
    """The estimate from ncu's output: csv is a file, a folder, an .ncu-rep
    report or a list of them (one job). Returns the estimate document."""
    files = list(csv) if isinstance(csv, (list, tuple)) else [csv]
    args = ["--json", "--mode=%s" % mode] + _predictions(opts)
    for f in files:
        args.append("--csv=%s" % os.fspath(f))
    return _run(args + _options(opts))


def _arg_list(args):
    if isinstance(args, (str, bytes)):
        raise TypeError("args is a list of the application's arguments, one string each, not one string: %r"
                        % (args,))
    return [os.fspath(a) for a in args]


def profile(app, args=(), mode="avg", **opts):
    """Profiles app (with its arguments args, a list) under ncu, then
    estimates. Returns the estimate document. ncu's report and CSV go to a
    temporary folder that is removed after, unless output_dir names one."""
    cmd = ["--json", "--mode=%s" % mode] + _predictions(opts) + ["--app=%s" % os.fspath(app)]
    cmd += ["--arg=%s" % a for a in _arg_list(args)]
    if opts.get("output_dir"):
        return _run(cmd + _options(opts))
    with tempfile.TemporaryDirectory(prefix="gpu_profiler_") as folder:
        return _run(cmd + _options(dict(opts, output_dir=folder)))


def measure(app, args=(), **opts):
    """Runs app (with args, a list) under NVML, without ncu: what it really
    drew. Returns the measure document."""
    return _run(["measure", "--json"] + _options(opts) + ["--", os.fspath(app)] + _arg_list(args))


def _main():
    """The gpu_profiler command pip installs: the program itself."""
    path = binary()
    if not os.path.exists(path):
        sys.stderr.write("gpu_profiler: %s is missing: reinstall the package (pip install .)\n" % path)
        return 1
    os.execv(path, [path] + sys.argv[1:])
    return 1
