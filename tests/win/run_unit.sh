#!/bin/sh
# Runs the unit tests built for Windows (build-win/test_*.exe) under wine,
# from the repository root as on Linux. Prints each test's closing line and
# "N passed, N failed" over the programs.
set -u
. tests/win/wine_env.sh
passed=0
failed=0
err=$(mktemp "${TMPDIR:-/tmp}/gp_unit_err.XXXXXX")
trap 'rm -f "$err"' EXIT
# one test program under wine; where wine's own Linux loader fails an
# assertion as the program ends (status 127, "Inconsistency detected by
# ld.so", seen in CI under tests/cli.sh), it runs once more and says so
run_test() {
    rc=0
    "$WINE" "build-win/$1.exe" </dev/null >"$err" 2>&1 || rc=$? # both, in their order
    cat "$err"
    if [ $rc = 127 ] && grep -q '^Inconsistency detected by ld.so' "$err"; then
        echo "$1.exe: wine's loader failed as the program ended (status 127): run again" >&2
        rc=0
        "$WINE" "build-win/$1.exe" </dev/null || rc=$?
    fi
    return $rc
}
for t in "$@"; do
    echo "== $t.exe (wine)"
    if run_test "$t"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $t.exe under wine" >&2
    fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
