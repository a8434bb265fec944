# What the shell tests share (sourced): a scratch folder $t removed on exit,
# the optional tools' skips (tests/prereq.sh), and the tally: ok, bad
# MESSAGE, then tally_end, which prints "N passed, N failed, N skipped" and
# returns 1 when one failed.
# (run from the repository root, as make does; else beside the script)
if [ -f tests/prereq.sh ]; then . tests/prereq.sh; else . "$(dirname "$0")/prereq.sh"; fi
pass=0
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAILED: $1"; }
tally_end() {
    tally_line "$pass" "$fail"
}
