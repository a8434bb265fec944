#!/bin/sh
# Runs the unit tests built for Windows (build-win/test_*.exe) under wine,
# from the repository root as on Linux. Prints each test's closing line and
# "N passed, N failed" over the programs.
set -u
. tests/win/wine_env.sh
passed=0
failed=0
for t in "$@"; do
    echo "== $t.exe (wine)"
    if "$WINE" "build-win/$t.exe" </dev/null; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $t.exe under wine" >&2
    fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
