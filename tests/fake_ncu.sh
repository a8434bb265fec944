#!/bin/sh
# A stand-in for ncu in the CLI tests: profiling runs the application and
# writes a placeholder report; --import prints the raw fixture named by
# $FAKE_NCU_CSV (after FAKE_NCU_IMPORT_DELAY seconds, if set). FAKE_NCU_MODE=noreport makes profiling write no report;
# FAKE_NCU_MODE=nccl starts profiling an NCCL kernel (as ncu does when it
# hangs on one) before the application runs.
# Like ncu, SIGINT stops the application and still writes the report; the
# application's pid goes to $FAKE_NCU_LOG ("app_pid N") for orphan checks.
set -eu
report=""
while [ $# -gt 0 ]; do
    case "$1" in
    --import)
        shift
        echo "import" >>"${FAKE_NCU_LOG:-/dev/null}"
        [ -n "${FAKE_NCU_IMPORT_DELAY:-}" ] && sleep "$FAKE_NCU_IMPORT_DELAY"
        cat "$FAKE_NCU_CSV"
        exit 0 ;;
    --export) report="$2"; shift 2 ;;
    --clock-control|--target-processes|--metrics|--launch-skip|--launch-count|--nvtx-include|-k|--replay-mode|--kernel-id)
        echo "$1 $2" >>"${FAKE_NCU_LOG:-/dev/null}"; shift 2 ;;
    --force-overwrite) shift ;;
    --nvtx) echo "$1" >>"${FAKE_NCU_LOG:-/dev/null}"; shift ;;
    -*) echo "fake ncu: unexpected option $1" >&2; exit 9 ;;
    *) break ;;
    esac
done
for a in "$@"; do printf '%s\n' "arg[$a]" >>"${FAKE_NCU_LOG:-/dev/null}"; done
finish() {
    if [ "${FAKE_NCU_MODE:-}" != noreport ]; then
        echo fake >"$report.ncu-rep"
    else
        echo "==ERROR== ERR_NVGPUCTRPERM - The user does not have permission to access NVIDIA GPU Performance Counters" >&2
    fi
}
status=0
echo "==PROF== Connected to process $$ (fake)"
[ "${FAKE_NCU_MODE:-}" = nccl ] && printf '%s' '==PROF== Profiling "ncclDevKernel_AllReduce_Sum_f..." - 0 (1/3000): 0%...'
"$@" <&0 &
app=$!
echo "app_pid $app" >>"${FAKE_NCU_LOG:-/dev/null}"
trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; echo "stopped by SIGINT" >>"${FAKE_NCU_LOG:-/dev/null}"; finish; exit 130' INT
wait "$app" || status=$?
for k in 0 1 2 3; do echo "==PROF== Profiling \"fake_k\" - $k: 0%....50%....100% - 4 passes"; done
finish
exit $status
