#!/bin/sh
# Signal handling of -a with stand-ins (tests/fake_ncu.sh, an application
# that sleeps 30 s): SIGTERM or SIGINT sent to gpu_profiler while ncu runs
# makes ncu stop and save its report; gpu_profiler still estimates from it,
# exits 128 + the signal, and leaves no process behind. Then the progress
# line of -a, shown only when stderr is a terminal (a pty from script(1)).
# usage: sh tests/signals.sh ./gpu_profiler      Prints "N passed, N failed, N skipped".
set -u
GP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_sig.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$HERE/prereq.sh"
passed=0
failed=0
printf '#!/bin/sh\nexec sleep 30\n' >"$T/app.sh"
chmod +x "$T/app.sh"
for sig in TERM INT HUP; do
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
    [ "$sig" = HUP ] && want=129 # a closed terminal: handled as SIGTERM (issue 32)
    app=$(sed -n 's/^app_pid //p' "$d/ncu.log")
    check "SIG$sig: exit $want (got $rc)" [ "$rc" = "$want" ]
    check "SIG$sig: done in under 10 s (took $took s)" [ "$took" -lt 10 ]
    check "SIG$sig: says it was interrupted" grep -q "interrupted (SIG$sig); ncu was asked to stop" "$d/err"
    check "SIG$sig: ncu got SIGINT" grep -q "stopped by SIGINT" "$d/ncu.log"
    check "SIG$sig: estimate printed" grep -q "avg 375.0 W" "$d/out"
    check "SIG$sig: the application is gone (pid $app)" sh -c "! kill -0 '$app' 2>/dev/null"
done
# progress: on a terminal, the count of kernels profiled and the time; ncu's
# and the application's output still come through
d=$T/progress
mkdir -p "$d"
printf '#!/bin/sh\necho app output line\nsleep 0.6\n' >"$T/app2.sh"
chmod +x "$T/app2.sh"
if has_tool script; then
    (cd "$d" && FAKE_NCU_CSV="$HERE/fixtures/ncu-h100/probe4_full_raw.csv" \
        script -qec "'$GP' -a '$T/app2.sh' --ncu '$HERE/fake_ncu.sh' --model '$HERE/fixtures/tiny.model' --no-predictions" \
        /dev/null >"$d/tty" 2>&1)
    check "progress: status line on a terminal" grep -q "gpu_profiler: 4 kernels profiled in" "$d/tty"
    check "progress: the application's output passed through" grep -q "app output line" "$d/tty"
    check "progress: ncu's lines passed through" grep -q '==PROF== Profiling "fake_k" - 3' "$d/tty"
    check "progress: the estimate follows" grep -q "avg 375.0 W" "$d/tty"
else
    skip_tool "the progress line's tests on a terminal" "script(1)" "apt-get install bsdutils, or run .ci/run"
fi
(cd "$d" && FAKE_NCU_CSV="$HERE/fixtures/ncu-h100/probe4_full_raw.csv" "$GP" -a "$T/app2.sh" \
    --ncu "$HERE/fake_ncu.sh" --model "$HERE/fixtures/tiny.model" --no-predictions >"$d/out" 2>"$d/err")
check "progress: silent when stderr is not a terminal" sh -c "! grep -q 'kernels profiled' '$d/err'"
check "progress: ncu's output on stdout as before" grep -q "app output line" "$d/out"

# The application's own background processes end with the run (issue 19):
# a job that starts two and exits, and one stopped by --duration.
for mode in exit duration; do
    d=$T/bg_$mode
    mkdir -p "$d"
    if [ $mode = exit ]; then
        printf '#!/bin/sh\nsleep 313 &\necho $! >>"%s/bg.pids"\nsleep 313 &\necho $! >>"%s/bg.pids"\nexit 0\n' \
            "$d" "$d" >"$d/job.sh"
        extra=""
    else
        printf '#!/bin/sh\nsleep 313 &\necho $! >>"%s/bg.pids"\nsleep 313 &\necho $! >>"%s/bg.pids"\nexec sleep 30\n' \
            "$d" "$d" >"$d/job.sh"
        extra="--duration 1"
    fi
    chmod +x "$d/job.sh"
    (cd "$d" && FAKE_NCU_CSV="$HERE/fixtures/ncu-h100/probe4_full_raw.csv" FAKE_NCU_LOG="$d/ncu.log" \
        "$GP" -a "$d/job.sh" --ncu "$HERE/fake_ncu.sh" --model "$HERE/fixtures/tiny.model" $extra -q \
        >"$d/out" 2>"$d/err")
    # alive: not ended, and not a zombie waiting for an init that does not reap
    # (containers); a signal sent just before gpu_profiler exited may take a
    # moment to land, so each gets up to 2 s
    left=0
    for p in $(cat "$d/bg.pids" 2>/dev/null); do
        tries=0
        while kill -0 "$p" 2>/dev/null && [ "$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)" != Z ] &&
            [ $tries -lt 20 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        if [ $tries = 20 ]; then
            left=$((left + 1))
            kill "$p" 2>/dev/null
        fi
    done
    check "background processes of the job ($mode): $left of 2 left running" [ "$left" = 0 ]
    check "background processes of the job ($mode): both started" [ "$(wc -l <"$d/bg.pids" 2>/dev/null)" = 2 ]
done

# A signal after profiling, while the report is exported (issue 19): the
# estimate is still printed, the status is 128 + the signal, and no
# temporary file is left in the folder.
for sig in TERM INT HUP; do
    d=$T/late_$sig
    mkdir -p "$d"
    (cd "$d" && FAKE_NCU_CSV="$HERE/fixtures/ncu-h100/probe4_full_raw.csv" FAKE_NCU_LOG="$d/ncu.log" \
        FAKE_NCU_IMPORT_DELAY=1 exec "$GP" -a /bin/true --ncu "$HERE/fake_ncu.sh" \
        --model "$HERE/fixtures/tiny.model" -q >"$d/out" 2>"$d/err") &
    gp=$!
    i=0
    while ! grep -q '^import' "$d/ncu.log" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    kill -s "$sig" "$gp"
    wait "$gp"
    rc=$?
    want=143
    [ "$sig" = INT ] && want=130
    [ "$sig" = HUP ] && want=129
    check "SIG$sig during the export: exit $want (got $rc)" [ "$rc" = "$want" ]
    check "SIG$sig during the export: the estimate is printed" grep -q 'task (device 0):  avg 375.0 W' "$d/out"
    check "SIG$sig during the export: no temporary file left" [ -z "$(ls -A "$d" | grep '^\.')" ]
done

tally_line "$passed" "$failed"
