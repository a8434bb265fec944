#!/bin/sh
# Runs every case of tests/cli.cases against the binary given as $1; each
# case runs in a fresh temporary folder. Prints "N passed, N failed, N skipped".
set -eu
LC_ALL=C
export LC_ALL
unset NO_COLOR 2>/dev/null || true
GP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/fixtures
TOP=$(mktemp -d "${TMPDIR:-/tmp}/gp_cli.XXXXXX")
JSON_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gp_cli_json.XXXXXX")
trap 'rm -rf "$TOP" "$JSON_DIR"' EXIT INT TERM
. "$HERE/prereq.sh"
passed=0
failed=0
notrun=0
no_shim=0
no_nvml=0
n=0
has_h100=0
# Under wine (tests/win/cli_windows.sh): $GP runs the Windows build, the
# stand-ins are Windows programs, and each -c case is also run with the
# Linux build ($GP_CLI_LINUX) in a twin folder: stdout and every file made
# must be the same bytes.
WIN=${GP_CLI_WINDOWS:-}
win_subst() {
    printf '%s' "$1" | sed -e "s|\$FIX/\.\./fake_ncu\.sh|$GP_WIN_NCU|g" -e "s|$FIX/\.\./fake_ncu\.sh|$GP_WIN_NCU|g" \
        -e 's|app\.sh|app.exe|g' -e 's|gpu_profiler_trace\.so|gpu_profiler_trace.dll|g' \
        -e 's|libnvidia-ml\.so\.1|nvml.dll|g' -e 's|libcuda\.so\.1|nvcuda.dll|g' -e 's|/dev/null|NUL|g' \
        -e 's|looked at \$NCU, PATH, \$CUDA_HOME/bin|looked at %NCU%, PATH, %CUDA_HOME%\\bin|'
}
"$GP" --version | grep -q 'built-in model: NVIDIA H100 80GB HBM3' && has_h100=1

# One case's run in its directory $T: stdout and stderr there, the exit status in rc
run_case() {
    rc=0
    (cd "$T" && export FAKE_NCU_CSV="$FIX/ncu-h100/probe4_full_raw.csv" FAKE_NCU_LOG="$T/ncu.log" &&
        eval "env $envs \"\$GP\" $args" >"$T/stdout" 2>"$T/stderr") || rc=$?
}

make_inputs() {
    : >empty.csv
    head -c 3000 /dev/urandom | tr -d '"' >junk.bin
    printf '%s\n' '"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Device","CC","Section Name","Metric Name","Metric Unit","Metric Value"' \
        '"0","1","a","h","k","1","7","0","9.0","GPU Speed Of Light Throughput","Duration","us","1"' \
        '"1","1","a","h"' >trunc.csv
    printf '%s\n' '"ID","Kernel Name"' '"0","k' >unclosed.csv
    printf 'name,value\nx,1\n' >other.csv
    printf '%s\n' '"ID","Kernel Name","gpu__time_duration.sum"' '"","","fortnight"' '"0","k","1"' >unit.csv
    printf 'user data\n' >foreign.csv
    printf 'hello\n' >model_bad.model
    printf '#!/bin/sh\n[ "${1:-}" = fail ] && exit 3\n[ "${1:-}" = sleep ] && exec sleep 30\n[ "${1:-}" = nap ] && exec sleep 0.3\nif [ "${1:-}" = markers ]; then echo hello; echo GP_START; sleep 0.3; echo GP_STOP; sleep 0.3; fi\nif [ "${1:-}" = trace ] && [ -n "${GP_TRACE_FILE:-}" ]; then f=$GP_TRACE_FILE.$$; echo "# gpu_profiler_trace 1" >$f; echo "# clock start cupti_ns 1000 monotonic_ns 1000" >>$f; echo "K 2000 3000 0 _Z6kernelPf" >>$f; echo "# clock end cupti_ns 5000 monotonic_ns 5000" >>$f; fi\nexit 0\n' >app.sh
    chmod +x app.sh
    [ -z "$WIN" ] || cp "$GP_WIN_APP" app.exe
}

while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    n=$((n + 1))
    code=${line%% | *}
    rest=${line#* | }
    stream=${rest%% | *}
    rest=${rest#* | }
    expect=${rest%% | *}
    args=${rest#* | }
    directives=""
    case "$args" in *"  "*) directives=${args#*  }; args=${args%%  *} ;; esac
    expect=$(printf '%s' "$expect" | sed "s|\$FIX|$FIX|g")
    T=$TOP/case$n
    mkdir -p "$T"
    envs=""
    skip=0
    nowin=""
    why=""
    fakenvml=0
    (cd "$T" && make_inputs)
    largs=$args
    [ -z "$WIN" ] || directives=$(win_subst "$directives")
    for d in $directives; do
        case "$d" in
        PRE:*) printf 'user data\n' >"$T/${d#PRE:}" ;;
        COPY:*) spec=$(printf '%s' "${d#COPY:}" | sed "s|\$FIX|$FIX|g"); cp "${spec%%=*}" "$T/${spec#*=}" ;;
        MKDIR:*) mkdir -p "$T/${d#MKDIR:}" ;;
        FIFO:*) mkfifo "$T/${d#FIFO:}" ;;
        LINK:*) spec=${d#LINK:}; ln -s "${spec%%=*}" "$T/${spec#*=}" ;;
        ENV:*) envs="$envs $(printf '%s' "${d#ENV:}" | sed "s|\$FIX|$FIX|g")" ;;
        FAKENVML)
            # the stand-in NVML (tests/fake_nvml.c): one GPU drawing FAKE_NVML_W (400 W)
            fakenvml=1
            if [ -n "$WIN" ]; then
                : # under wine: put in the prefix's System32 below
            elif [ -n "${GP_FAKE_NVML_DIR:-}" ] && [ -d "$GP_FAKE_NVML_DIR" ]; then
                envs="$envs LD_LIBRARY_PATH=$GP_FAKE_NVML_DIR"
            else
                skip=1
                why=nvml
            fi
            ;;
        FAULT:*)
            # an injected fault (tests/fault_shim.c); skipped when the shim was not built
            if [ -n "${GP_FAULT_SHIM:-}" ] && [ -f "$GP_FAULT_SHIM" ]; then
                envs="$envs LD_PRELOAD=$GP_FAULT_SHIM ASAN_OPTIONS=verify_asan_link_order=0 GP_FAULT=${d#FAULT:}"
            else
                skip=1
                why=shim
            fi
            ;;
        NOBUILTIN) [ $has_h100 = 1 ] && skip=1 ;;
        NOWIN:*) nowin=${d#NOWIN:} ;;
        *) echo "cli.cases: unknown directive $d" >&2; exit 2 ;;
        esac
    done
    if [ -n "$WIN" ] && [ -n "$nowin" ]; then
        notrun=$((notrun + 1))
        echo "not on Windows, case $n ($nowin): gpu_profiler $args" >>"$TOP/notrun.txt"
        continue
    fi
    if [ $skip = 1 ]; then
        case "$why" in
        shim) no_shim=$((no_shim + 1)) ;;
        nvml) no_nvml=$((no_nvml + 1)) ;;
        esac
        continue
    fi
    if [ -n "$WIN" ]; then
        case " $directives" in
        *" FAULT:"* | *" LINK:"*)
            echo "cli.cases: case $n uses FAULT: or LINK:, which cannot run under wine: mark it NOWIN:reason" >&2
            exit 2 ;;
        esac
        args=$(win_subst "$args")
        expect=$(win_subst "$expect")
        # the stand-in NVML where Windows looks for nvml.dll: System32
        if [ $fakenvml = 1 ]; then cp "$GP_WIN_NVML" "$WINEPREFIX/drive_c/windows/system32/nvml.dll"
        else rm -f "$WINEPREFIX/drive_c/windows/system32/nvml.dll"; fi
        lenvs=$(printf '%s' "$envs" | sed "s|$GP_WIN_NCU|$HERE/fake_ncu.sh|g")
        L=$TOP/linux$n
        rm -rf "$L"
        cp -R "$T" "$L" # the same inputs for the Linux build
    fi
    run_case
    # wine itself now and then ends a program with status 1 before it runs, saying nothing (one case
    # in several hundred runs, a different one each time; gpu_profiler never exits 1 without a
    # message): such a case runs once more, and says so
    if [ -n "$WIN" ] && [ "$rc" = 1 ] && [ "$code" != 1 ] && ! [ -s "$T/stdout" ] && ! [ -s "$T/stderr" ]; then
        echo "case $n: wine ended it with status 1 and no output: run again" >&2
        run_case
    fi
    # and now and then wine's own Linux loader fails an assertion as the program ends ("Inconsistency
    # detected by ld.so: dl-fini.c", status 127; seen once in CI on case 301, after gpu_profiler had
    # printed its message): gpu_profiler never exits 127, so such a case runs once more, and says so
    if [ -n "$WIN" ] && [ "$rc" = 127 ] && [ "$code" != 127 ] && grep -q '^Inconsistency detected by ld.so' "$T/stderr" 2>/dev/null; then
        echo "case $n: wine's loader failed as the program ended (status 127): run again" >&2
        rm -rf "$T" && cp -R "$L" "$T" # the program ran: the same inputs again, not its outputs
        run_case
    fi
    case "$stream" in
    out) got=$T/stdout ;;
    err) got=$T/stderr ;;
    file:*) got=$T/${stream#file:} ;;
    gone:*) got="" ;;
    esac
    ok=1
    [ "$rc" = "$code" ] || ok=0
    case "$stream" in
    gone:*) # neither the file nor a temporary one beside it
        name=${stream#gone:}
        for f in "$T/$name" "$T"/."$name".*; do [ -e "$f" ] && ok=0; done
        expect=- ;;
    esac
    case "$expect" in
    -) ;;
    NOT:*) if [ -f "$got" ] && grep -qF -- "${expect#NOT:}" "$got"; then ok=0; fi ;;
    *) if ! [ -f "$got" ] || ! grep -qF -- "$expect" "$got"; then ok=0; fi ;;
    esac
    # every JSON document a case prints is checked against docs/schema/ at the end
    case " $args " in
    *" --json "*)
        if [ "$rc" = 0 ] && [ -s "$T/stdout" ]; then
            case "$args" in measure*) kind=measure ;; *--sampled*) kind=sampled ;; *) kind=estimate ;; esac
            cp "$T/stdout" "$JSON_DIR/$n.$kind.json"
        fi ;;
    esac
    # under wine: a -c case gives the same stdout and files as the Linux build
    if [ -n "$WIN" ] && [ $ok = 1 ] && [ -n "${GP_CLI_LINUX:-}" ]; then
        case " $args " in
        *" -c "* | *" --csv "*)
            lrc=0
            (cd "$L" && rm -f app.exe && export FAKE_NCU_CSV="$FIX/ncu-h100/probe4_full_raw.csv" FAKE_NCU_LOG="$L/ncu.log" &&
                eval "env $lenvs \"\$GP_CLI_LINUX\" $largs" >"$L/stdout" 2>"$L/stderr") || lrc=$?
            rm -f "$T/app.exe" "$L/app.exe"
            if [ "$lrc" != "$rc" ] || ! diff -r -q -x stderr -x ncu.log "$L" "$T" >"$TOP/diff.txt" 2>&1; then
                ok=0
                echo "FAILED case $n: Windows and Linux builds differ (exit $rc and $lrc):" >&2
                sed 's/^/  /' "$TOP/diff.txt" | head -5 >&2
            fi ;;
        esac
    fi
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED case $n: gpu_profiler $args $directives" >&2
        echo "  want exit $code and '$expect' in $stream; got exit $rc" >&2
        sed 's/^/  stdout: /' "$T/stdout" | head -5 >&2
        sed 's/^/  stderr: /' "$T/stderr" | head -5 >&2
        # the lines that begin like the wanted text, wherever they are
        want_head=$(printf '%s' "${expect#NOT:}" | cut -c1-24)
        if [ -n "$want_head" ] && [ -f "$got" ]; then
            grep -F -- "$want_head" "$got" | head -3 | sed 's/^/  near: /' >&2
        fi
    fi
done <"$HERE/cli.cases"
# the JSON documents of the cases above, each against its schema
if has_jsonschema; then
    out=$(python3 - "$JSON_DIR" "$HERE/../docs/schema" <<'PY'
import glob, json, os, sys
import jsonschema
docs, schemas = sys.argv[1], sys.argv[2]
validators = {k: jsonschema.Draft202012Validator(json.load(open(os.path.join(schemas, k + ".schema.json"))))
              for k in ("estimate", "measure", "sampled")}
good = bad = 0
for path in sorted(glob.glob(os.path.join(docs, "*.json"))):
    case, kind = os.path.basename(path).split(".")[:2]
    try:
        errors = sorted(validators[kind].iter_errors(json.load(open(path))), key=str)
    except ValueError as e:
        errors = ["not JSON: %s" % e]
    if errors:
        bad += 1
        print("FAILED case %s: its JSON does not follow %s.schema.json: %s" % (case, kind, str(errors[0])[:300]),
              file=sys.stderr)
    else:
        good += 1
print(good, bad)
PY
)
    set -- $out
    passed=$((passed + ${1:-0}))
    failed=$((failed + ${2:-1}))
else
    skip_tool "the cases' JSON documents against docs/schema/" "python3's jsonschema" \
        "apt-get install python3-jsonschema, or run .ci/run"
fi
# cases that need a library make builds (make cli passes them)
[ $no_shim = 0 ] || skip_tool "$no_shim fault-injection cases" "the fault shim" "make cli builds it: GP_FAULT_SHIM"
[ $no_nvml = 0 ] || skip_tool "$no_nvml cases of measure and --measure" "the stand-in NVML" \
    "make cli builds it: GP_FAKE_NVML_DIR"
rm -rf "$JSON_DIR"
if [ -n "$WIN" ] && [ $notrun -gt 0 ]; then
    echo "$notrun cases marked NOWIN in tests/cli.cases were not run under wine:"
    sed 's/^/  /' "$TOP/notrun.txt"
fi
tally_line "$passed" "$failed"
