#!/bin/sh
# make dist-windows: build-win/gpu_profiler-VERSION-windows-x64.zip with
# gpu_profiler.exe (and the timeline tracer DLL where it was built), a
# README.txt for Windows users, the project's README, the licence, the manual as plain text, docs/ACCURACY.md (which the
# README and the manual point to) and a real ncu CSV to try it on
# (examples\probe4_full_raw.csv, recorded on an H100).
# The zip is made by Python's zipfile, so no zip program is needed.
set -eu
version=$1
out=build-win/gpu_profiler-$version-windows-x64.zip
stage=$(mktemp -d "${TMPDIR:-/tmp}/gp_dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
dir=$stage/gpu_profiler-$version-windows-x64
mkdir -p "$dir"
cp build-win/gpu_profiler.exe "$dir/"
[ -f build-win/gpu_profiler_trace.dll ] && cp build-win/gpu_profiler_trace.dll "$dir/"
cp README.md "$dir/README.md"
# README.txt: where a Windows user starts, with commands that work from the unpacked folder (README.md is the
# whole project's, Linux build and all)
sed 's/$/\r/' >"$dir/README.txt" <<EOF
gpu_profiler $version for 64-bit Windows 10 and 11
==================================================

gpu_profiler tells how much power an application draws on an NVIDIA GPU:
minimum, average and peak watts over its run, and each kernel's energy,
estimated from Nsight Compute (ncu) counters by a model trained on real
measurements (docs\\ACCURACY.md says how accurate, on which GPUs).

Try it now, no GPU needed (a real ncu CSV recorded on an H100), from a
Command Prompt or PowerShell in this folder:

    gpu_profiler.exe -m all -c examples\\probe4_full_raw.csv

On your own work:

    gpu_profiler.exe -m all -c extracted_data.csv          (a CSV ncu exported)
    gpu_profiler.exe -m all -a "C:\\path\\to\\app.exe" -s ARG   (runs it under ncu)
    gpu_profiler.exe --help

What is here:
  gpu_profiler.exe          the program (static: nothing else to install)
EOF
if [ -f "$dir/gpu_profiler_trace.dll" ]; then
    printf '%s\r\n' "  gpu_profiler_trace.dll    the timeline tracer (measure --timeline); never run on real Windows" \
        >>"$dir/README.txt"
fi
sed 's/$/\r/' >>"$dir/README.txt" <<EOF
  gpu_profiler.txt          the manual: every option, exit status, definitions
  docs\\ACCURACY.md          what was measured, on which GPU and board
  examples\\probe4_full_raw.csv   the CSV above
  README.md                 the project's README (its build and test commands
                            are for the sources, not this folder)
  LICENSE.txt

-a needs ncu (Nsight Compute, with the CUDA toolkit): gpu_profiler finds it
on PATH, %NCU%, %CUDA_HOME%\\bin or under C:\\Program Files\\NVIDIA
Corporation, or takes --ncu PATH. measure, --measure and calibrate need the
NVIDIA driver's nvml.dll. The Windows build was tested under wine, never on
real Windows.
EOF
cp LICENSE "$dir/LICENSE.txt"
mkdir -p "$dir/docs" "$dir/examples"
cp docs/ACCURACY.md "$dir/docs/ACCURACY.md"
cp tests/fixtures/ncu-h100/probe4_full_raw.csv "$dir/examples/probe4_full_raw.csv"
if ! command -v groff >/dev/null 2>&1; then
    echo "dist-windows: groff is needed to make the manual's text (apt-get install groff-base)" >&2
    exit 1
fi
# the manual page as text: no overstrike or escape sequences, Windows line ends
groff -man -Tascii -P-c -P-b -P-u docs/gpu_profiler.1 2>/dev/null | sed 's/$/\r/' >"$dir/gpu_profiler.txt"
[ -s "$dir/gpu_profiler.txt" ] || { echo "dist-windows: the manual came out empty" >&2; exit 1; }
python3 - "$stage" "$out" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out + ".part", "w", zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk(stage):
        for name in sorted(files):
            path = os.path.join(root, name)
            z.write(path, os.path.relpath(path, stage))
os.replace(out + ".part", out)
PY
echo "wrote $out:"
python3 -c 'import sys, zipfile; [print("  %8d  %s" % (i.file_size, i.filename)) for i in zipfile.ZipFile(sys.argv[1]).infolist()]' "$out"
