#!/bin/sh
# pip install . as the original tool's users install it: a copy of this
# checkout installed into a fresh virtual environment with no network (no
# index, proxies that lead nowhere), with build isolation and without; then
# the gpu_profiler command it installed, and the Python module's estimate,
# profile (stand-in ncu) and measure (stand-in NVML, where make built it)
# returning the JSON documents, and raising GpuProfilerError on a failure.
# usage: sh tests/pip_install.sh      Prints "N passed, N failed, N skipped".
# GP_FAKE_NVML_DIR (set by make): the stand-in NVML for measure.
set -u
# pip's make is a make of its own, not one with the flags of the make that runs this (SANITIZE=1)
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SANITIZE MB_DATA 2>/dev/null || true
. tests/prereq.sh
top=$(pwd)
pass=0
fail=0
check() { # check WHAT CONDITION...
    what=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $what"; fi
}
how="apt-get install python3-venv, or run .ci/run"
if ! has_tool python3; then
    skip_tool "pip install . tests" python3 "apt-get install python3, or run .ci/run"
    tally_line 0 0
    exit
fi
t=$(mktemp -d "${TMPDIR:-/tmp}/gp_pip.XXXXXX")
trap 'rm -rf "$t"' EXIT
if ! python3 -m venv "$t/venv" >"$t/venv.log" 2>&1 || ! "$t/venv/bin/python" -m pip --version >/dev/null 2>&1; then
    skip_tool "pip install . tests" "python3's venv with pip (ensurepip)" "$how"
    tally_line 0 0
    exit
fi
# the checkout as it is, without what was built in it and the recordings (not needed to build)
mkdir "$t/src"
tar --exclude=./.git --exclude='./build*' --exclude=./validation --exclude=./bench --exclude=./data \
    --exclude=./gpu_profiler --exclude=./dist --exclude='./python/*.egg-info' -cf - . | tar -xf - -C "$t/src"
# no network: no index, no links, proxies that lead nowhere
offline() {
    env PIP_NO_INDEX=1 PIP_FIND_LINKS= PIP_DISABLE_PIP_VERSION_CHECK=1 http_proxy=http://127.0.0.1:9 \
        https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 "$@"
}
if offline "$t/venv/bin/python" -m pip install "$t/src" >"$t/pip.log" 2>&1; then ok=0; else ok=1; fi
check "pip install . (build isolation, no network): $(tail -15 "$t/pip.log")" [ $ok = 0 ]
python3 -m venv "$t/venv2" >/dev/null 2>&1
if offline "$t/venv2/bin/python" -m pip install --no-build-isolation "$t/src" >"$t/pip2.log" 2>&1; then ok=0; else ok=1; fi
check "pip install --no-build-isolation . (no network): $(tail -15 "$t/pip2.log")" [ $ok = 0 ]
gp=$t/venv/bin/gpu_profiler
check "the gpu_profiler command is installed" [ -x "$gp" ]
"$gp" --version >"$t/version" 2>&1
check "gpu_profiler --version runs from the venv" grep -q '^gpu_profiler [0-9]' "$t/version"
(cd "$t" && "$gp" -m all -c "$top/tests/fixtures/ncu-h100/probe4_full_raw.csv" >"$t/out" 2>&1)
check "the README's main job runs with the installed command" grep -q 'task (device 0):  min .* avg .* peak' "$t/out"
check "make's objects were built in the copy, by this machine's compiler" [ -f "$t/src/build/estimate.o" ]
# the module, from outside the checkout (so that it is the installed one)
printf '#!/bin/sh\necho program output\n[ "${1:-}" = fail ] && exit 3\n[ "${1:-}" = nap ] && sleep 0.3\nexit 0\n' >"$t/app.sh"
chmod +x "$t/app.sh"
mkdir "$t/run"
out=$(cd "$t/run" && FAKE_NCU_CSV="$top/tests/fixtures/ncu-h100/probe4_full_raw.csv" FAKE_NCU_LOG="$t/ncu.log" \
    GP_NVML=${GP_FAKE_NVML_DIR:-} "$t/venv/bin/python" - "$top" "$t" <<'PY'
import os, sys
top, t = sys.argv[1], sys.argv[2]
import gpu_profiler as g
passed = failed = 0
def check(what, cond):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAILED: %s" % what)
check("the module is the installed one", g.__file__.startswith(os.path.join(t, "venv")))
fix = os.path.join(top, "tests/fixtures/ncu-h100/probe4_full_raw.csv")
d = g.estimate(fix, mode="all")
check("estimate: the task's avg", abs(d["task"][0]["power_w"]["avg"] - 533.258) < 0.01)
check("estimate: the model's tier", d["model"]["tier"] == "raw")
check("estimate: no predictions.csv left behind", not os.path.exists("predictions.csv"))
import shutil
shutil.copy(fix, "second_copy.csv")  # another file of the same profile: the same file twice is read once
d = g.estimate([fix, "second_copy.csv"], fast=True, top=1)
check("estimate: options (--fast) and two files", d["model"]["variant"] == "fast" and d["task"][0]["kernels"] == 8)
try:
    g.estimate(os.path.join(top, "README.md"))
    check("estimate of a file not ncu's raises", False)
except g.GpuProfilerError as e:
    check("the error carries the exit status 3", e.returncode == 3)
    check("and stderr", "not an Nsight Compute CSV" in e.stderr and "not an Nsight Compute CSV" in str(e))
try:
    g.estimate(fix, no_such_option=True)
    check("an unknown option raises", False)
except g.GpuProfilerError as e:
    check("an unknown option: exit status 2", e.returncode == 2 and "--no-such-option" in e.stderr)
ncu = os.path.join(top, "tests/fake_ncu.sh")
model = os.path.join(top, "tests/fixtures/tiny.model")
d = g.profile(os.path.join(t, "app.sh"), ["x y", "-z"], ncu=ncu, model=model)
check("profile: the estimate of what the stand-in ncu profiled", d["task"][0]["kernels"] == 4)
log = open(os.path.join(t, "ncu.log")).read()
check("profile: the application's arguments as given", "arg[x y]" in log and "arg[-z]" in log)
check("profile: no ncu report or CSV left in the current folder",
      not os.path.exists("gpu_profiler_ncu.csv") and not os.path.exists("gpu_profiler_ncu.ncu-rep"))
try:
    g.profile(os.path.join(t, "app.sh"), "--size 4096", ncu=ncu, model=model)
    check("profile with one string for args raises", False)
except TypeError as e:
    check("profile with one string for args: TypeError", "not one string" in str(e))
try:
    g.estimate(fix, mode="bogus")
    check("a bad mode raises", False)
except g.GpuProfilerError as e:
    check("a usage error says its cause, not 'Try --help'", "invalid mode 'bogus'" in str(e))
    import pickle
    e2 = pickle.loads(pickle.dumps(e))
    check("the error pickles whole", e2.returncode == 2 and str(e2) == str(e) and e2.stderr == e.stderr)
nvml = os.environ.get("GP_NVML")
if nvml:
    os.environ["LD_LIBRARY_PATH"] = nvml
    d = g.measure(os.path.join(t, "app.sh"), ["nap"], idle=0.1)
    check("measure: the stand-in NVML's 400 W", abs(d["power_w"]["avg"] - 400) < 1 and d["exit_status"] == 0)
    try:
        g.measure(os.path.join(t, "app.sh"), ["fail"], idle=0.1)
        check("measure of a failing application raises", False)
    except g.GpuProfilerError as e:
        check("a failing application: exit status 9, and the document still", e.returncode == 9 and e.document)
else:
    print("note: measure not checked (no stand-in NVML: run through make)")
print(passed, failed)
PY
) || true
printf '%s\n' "$out" | sed '$d'
set -- $(printf '%s\n' "$out" | tail -1)
pass=$((pass + ${1:-0}))
fail=$((fail + ${2:-1}))
tally_line "$pass" "$fail"
