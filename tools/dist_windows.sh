#!/bin/sh
# make dist-windows: build-win/gpu_profiler-VERSION-windows-x64.zip with
# gpu_profiler.exe (and the timeline tracer DLL where it was built), the
# README, the licence, the manual as plain text, docs/ACCURACY.md (which the
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
