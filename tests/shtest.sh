# What the shell tests share (sourced): a scratch folder $t removed on exit,
# and the tally: ok, bad MESSAGE, then tally_end, which prints
# "N passed, N failed" and returns 1 when one failed.
pass=0
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAILED: $1"; }
tally_end() {
    echo "$pass passed, $fail failed"
    [ "$fail" = 0 ]
}
