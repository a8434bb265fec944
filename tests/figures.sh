#!/bin/sh
# Every measured figure is stated alike in README.md, the man page, --help,
# calibrate --help and --version (which prints what the model files carry):
# tests/figures.py finds each and fails where two places differ.
# usage: sh tests/figures.sh ./gpu_profiler     Prints "N passed, N failed, N skipped".
set -u
. tests/prereq.sh
if ! has_tool python3; then
    skip_tool "the figures' agreement check" python3 "apt-get install python3, or run .ci/run"
    tally_line 0 0
    exit
fi
out=$(python3 tests/figures.py "$1")
printf '%s\n' "$out" | sed '$d'
set -- $(printf '%s\n' "$out" | sed -n '$s/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
tally_line "${1:-0}" "${2:-1}"
