# What every test script shares about optional tools (sourced before its
# tests). A test that needs a tool this machine lacks is not run: skip_tool
# prints one line for it, naming the tool and how to get it (as git's test
# suite does with its prerequisites), and counts it. .ci/run installs every
# tool and sets GP_REQUIRE_ALL=1: there a missing tool is a failure.
# tally_line PASSED FAILED prints the closing line "N passed, N failed,
# N skipped" (N skipped: the groups of tests skipped, one line each above)
# and returns 1 when something failed.
skipped=0
prereq_failed=0
# has_tool NAME: whether NAME is a command on this machine
has_tool() { command -v "$1" >/dev/null 2>&1; }
# has_jsonschema: whether python3 can import jsonschema
has_jsonschema() { python3 -c 'import jsonschema' >/dev/null 2>&1; }
# skip_tool WHAT TOOL HOW: "skipped: WHAT: no TOOL (HOW)"
skip_tool() {
    if [ "${GP_REQUIRE_ALL:-0}" = 1 ]; then
        prereq_failed=$((prereq_failed + 1))
        echo "FAILED: $1: no $2, and GP_REQUIRE_ALL=1 requires every tool ($3)"
    else
        skipped=$((skipped + 1))
        echo "skipped: $1: no $2 ($3)"
    fi
}
# check WHAT CONDITION...: runs CONDITION and counts it in the caller's
# passed or failed ("FAILED: WHAT" on stderr when it fails)
check() {
    what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what" >&2; fi
}
tally_line() {
    tl_failed=$(($2 + prereq_failed))
    echo "$1 passed, $tl_failed failed, $skipped skipped"
    [ "$tl_failed" = 0 ]
}
