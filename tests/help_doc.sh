#!/bin/sh
# --help is short (at most 60 lines of at most 100 columns, with examples) and
# its long form, the man page docs/gpu_profiler.1, is complete: EXAMPLES,
# ENVIRONMENT naming every variable that src/ reads, EXIT STATUS with every
# code of cli.h, and every long option of the estimate.
# usage: sh tests/help_doc.sh ./gpu_profiler     Prints "N passed, N failed".
set -u
gp=$1
. "$(dirname "$0")/shtest.sh"
man=docs/gpu_profiler.1
"$gp" --help >"$t/help" 2>&1
n=$(wc -l <"$t/help")
[ "$n" -le 60 ] && ok || bad "--help is $n lines (at most 60)"
w=$(awk '{ if (length > m) m = length } END { print m + 0 }' "$t/help")
[ "$w" -le 100 ] && ok || bad "--help has a line of $w columns (at most 100)"
grep -q '^Examples:' "$t/help" && ok || bad "--help has no examples"
grep -q 'man gpu_profiler' "$t/help" && ok || bad "--help does not point to the man page"
for section in EXAMPLES ENVIRONMENT 'EXIT STATUS'; do
    grep -q "^\.SH $section\$" "$man" && ok || bad "$man has no $section"
done
# the ENVIRONMENT section's text, hyphens plain
sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$man" | sed 's/\\-/-/g' >"$t/env"
# every variable src/ reads (getenv, and the Windows build's env_utf8), but Windows' own
vars=$(cat src/*.c | grep -o 'getenv("[A-Za-z_0-9]*")\|env_utf8(L"[A-Za-z_0-9]*"' | sed 's/.*"\([A-Za-z_0-9]*\)".*/\1/' |
    grep -v '^\(PATHEXT\|ProgramW6432\|ProgramFiles\)$' | sort -u)
[ -n "$vars" ] && ok || bad "no getenv found in src/"
for v in $vars; do
    grep -q "$v" "$t/env" && ok || bad "$man: ENVIRONMENT does not name $v"
done
# every exit code of cli.h
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man" >"$t/exit"
for code in $(sed -n 's/^ *EXIT_[A-Z_]* = \([0-9]*\).*/\1/p' src/cli.h); do
    grep -q "^$code\$" "$t/exit" && ok || bad "$man: EXIT STATUS lacks $code"
done
# every long option of the estimate in the man page
sed 's/\\-/-/g' "$man" >"$t/man"
for o in $(sed -n '/estimate_longopts\[\]/,/^};/p' src/cmd_estimate.c | grep -o '{ "[a-z-]*"' | sed 's/{ "//; s/"//'); do
    grep -q -- "--$o" "$t/man" && ok || bad "$man does not describe --$o"
done
tally_end
