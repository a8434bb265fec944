#!/bin/sh
# Signal handling of -a with stand-ins (tests/fake_ncu.sh, an application
# that sleeps 30 s): SIGTERM or SIGINT sent to gpu_profiler while ncu runs
# makes ncu stop and save its report; gpu_profiler still estimates from it,
# exits 128 + the signal, and leaves no process behind.
# usage: sh tests/signals.sh ./gpu_profiler      Prints "N passed, N failed".
set -u
GP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_sig.XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
check() { # check WHAT CONDITION...
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}
printf '#!/bin/sh\nexec sleep 30\n' >"$T/app.sh"
chmod +x "$T/app.sh"
for sig in TERM INT; do
    d=$T/$sig
    mkdir -p "$d"
    start=$(date +%s)
    (cd "$d" && FAKE_NCU_CSV="$HERE/fixtures/ncu-h100/probe4_full_raw.csv" FAKE_NCU_LOG="$d/ncu.log" \
        exec "$GP" -a "$T/app.sh" --ncu "$HERE/fake_ncu.sh" --model "$HERE/fixtures/tiny.model" \
        >"$d/out" 2>"$d/err") &
    gp=$!
    # wait for the application to start (its pid in the log), then signal gpu_profiler alone
    i=0
    while ! grep -q app_pid "$d/ncu.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -s "$sig" "$gp"
    wait "$gp"
    rc=$?
    took=$(($(date +%s) - start))
    want=143
    [ "$sig" = INT ] && want=130
    app=$(sed -n 's/^app_pid //p' "$d/ncu.log")
    check "SIG$sig: exit $want (got $rc)" [ "$rc" = "$want" ]
    check "SIG$sig: done in under 10 s (took $took s)" [ "$took" -lt 10 ]
    check "SIG$sig: says it was interrupted" grep -q "interrupted (SIG$sig); ncu was asked to stop" "$d/err"
    check "SIG$sig: ncu got SIGINT" grep -q "stopped by SIGINT" "$d/ncu.log"
    check "SIG$sig: estimate printed" grep -q "avg 375.0 W" "$d/out"
    check "SIG$sig: the application is gone (pid $app)" sh -c "! kill -0 '$app' 2>/dev/null"
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
