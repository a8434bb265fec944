#!/bin/sh
# Every kind of JSON document gpu_profiler prints, checked against its
# schema in docs/schema/ (python3 with jsonschema: .ci/run installs it).
# usage: sh tests/json_schema.sh ./gpu_profiler    Prints "N passed, N failed, N skipped".
# GP_FAKE_NVML_DIR (set by make): the stand-in NVML for measure and --measure.
set -u
GP=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/fixtures
SCHEMA=$HERE/../docs/schema
T=$(mktemp -d "${TMPDIR:-/tmp}/gp_schema.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$HERE/prereq.sh"
if ! has_jsonschema; then
    skip_tool "JSON schema tests" "python3's jsonschema" "apt-get install python3-jsonschema, or run .ci/run"
    tally_line 0 0
    exit
fi
printf '#!/bin/sh\necho program output\n[ "${1:-}" = nap ] && sleep 0.3\nexit 0\n' >"$T/app.sh"
chmod +x "$T/app.sh"
n=0
# run SCHEMA ARGS...: one document
run() {
    schema=$1
    shift
    n=$((n + 1))
    (cd "$T" && FAKE_NCU_CSV="$FIX/ncu-h100/probe4_full_raw.csv" LD_LIBRARY_PATH="${GP_FAKE_NVML_DIR:-}" \
        "$GP" "$@" >"$T/doc_$n.json" 2>"$T/err_$n.txt")
    printf '%s %s\n' "$schema" "$*" >>"$T/list"
}
E=estimate.schema.json
run $E --json --no-predictions -c "$FIX/ncu-h100/probe4_full_raw.csv"
run $E --json --no-predictions -c "$FIX/ncu-h100/probe4_full_details.csv"
run $E --json --no-predictions -c "$FIX/ncu-h100/probe4_basic_stdout_mixed.csv"
run $E --json --no-predictions -c "$FIX/timeline-h200/mm_fp32_ncu.csv"
run $E --json --no-predictions -c "$FIX/ncu-derived/probe4_h200_unit_only_name.csv"
run $E --json --no-predictions --tier basic -c "$FIX/ncu-h100/probe4_full_raw.csv"
run $E --json --no-predictions --fast -c "$FIX/ncu-h200x2/two_procs_one_gpu_raw.csv"
run $E --json --no-predictions -c "$FIX/ncu-h200x2/allreduce_2ranks_nonccl_raw.csv"
run $E --json --no-predictions -c "$FIX/ncu-derived/probe4_h200_node_a.csv" -c "$FIX/ncu-derived/probe4_h200_node_b.csv"
run $E --json --no-predictions --sample 10 -c "$FIX/ncu-h100/probe4_full_raw.csv"
run $E --json --no-predictions --model "$FIX/tiny.model" -c "$FIX/ncu-h100/probe4_full_raw.csv"
run $E --json --no-predictions -c "$FIX/timeline-h200/mm_fp32_ncu.csv" --timeline "$FIX/timeline-h200/mm_fp32_timeline.txt"
run $E --json --no-predictions -a ./app.sh --ncu "$HERE/fake_ncu.sh" --model "$FIX/tiny.model"
if [ -n "${GP_FAKE_NVML_DIR:-}" ]; then
    run $E --json --no-predictions -a ./app.sh --measure --ncu "$HERE/fake_ncu.sh" --model "$FIX/tiny.model"
    run measure.schema.json measure --json --idle 0.1 -- ./app.sh nap
fi
# docs/schema/example_estimate.json: what its README's command prints today, and valid (checked with the rest)
(cd "$HERE/.." && "$GP" -m all --json --no-predictions -c tests/fixtures/ncu-h100/probe4_full_details.csv) \
    >"$T/example.json" 2>"$T/example_err.txt"
example_ok=1
if ! cmp -s "$T/example.json" "$SCHEMA/example_estimate.json"; then
    example_ok=0
    echo "FAILED: docs/schema/example_estimate.json is not what its command prints now; make it again with" >&2
    echo "  ./gpu_profiler -m all --json --no-predictions -c tests/fixtures/ncu-h100/probe4_full_details.csv >docs/schema/example_estimate.json" >&2
fi
n=$((n + 1))
cp "$SCHEMA/example_estimate.json" "$T/doc_$n.json"
: >"$T/err_$n.txt"
printf '%s %s\n' $E "(docs/schema/example_estimate.json)" >>"$T/list"
out=$(python3 - "$T" "$SCHEMA" <<'PY'
import json, sys, jsonschema
t, schema_dir = sys.argv[1], sys.argv[2]
passed = failed = 0
for i, line in enumerate(open(t + "/list"), 1):
    schema_name, args = line.rstrip("\n").split(" ", 1)
    schema = json.load(open(schema_dir + "/" + schema_name))
    try:
        doc = json.load(open("%s/doc_%d.json" % (t, i)))
        jsonschema.Draft202012Validator(schema).validate(doc)
        passed += 1
    except Exception as e:  # not JSON, or not the schema's
        failed += 1
        print("FAILED: gpu_profiler %s: %s" % (args, str(e).split("\n")[0]), file=sys.stderr)
        print(open("%s/err_%d.txt" % (t, i)).read()[:300], file=sys.stderr)
print(passed, failed)
PY
) || out="0 1"
set -- $out
if [ $example_ok = 1 ]; then set -- $((${1:-0} + 1)) "${2:-1}"; else set -- "${1:-0}" $((${2:-1} + 1)); fi
tally_line "$1" "$2"
