#!/bin/sh
# The shell completions that make generates from the option tables
# (tools/completions.sh): every option they offer is one the program takes
# (it does not answer "unknown option"), and bash completes options,
# subcommands and the values of --mode and --tier; the zsh file parses, and
# offers the same options.
# usage: sh tests/completions.sh ./gpu_profiler DIR     (DIR: where make put
# gpu_profiler.bash and _gpu_profiler)   Prints "N passed, N failed, N skipped".
set -u
gp=$1
dir=$2
. tests/shtest.sh
bashf=$dir/gpu_profiler.bash
zshf=$dir/_gpu_profiler
[ -s "$bashf" ] && [ -s "$zshf" ] && ok || bad "no completions in $dir"
# the options of each command as the bash completion lists them
opts_of() { # opts_of LABEL ('*' for the estimate)
    grep -F "    $1) opts=" "$bashf" | sed 's/.*opts="\([^"]*\)".*/\1/'
}
args_of() {
    grep -F "    $1) opts=" "$bashf" | sed 's/.*args="\([^"]*\)".*/\1/'
}
for cmd in '*' calibrate fit measure; do
    sub=$cmd
    [ "$cmd" = '*' ] && sub=
    n=0
    for o in $(opts_of "$cmd"); do
        n=$((n + 1))
        case " $(args_of "$cmd") " in *" $o "*) o="$o=1" ;; esac
        # --help after it: the program stops there, whatever the option asked for
        timeout 10 "$gp" $sub "$o" --help </dev/null >/dev/null 2>"$t/err"
        if grep -q 'unknown option' "$t/err"; then bad "${sub:-gpu_profiler} $o: the program does not take it"; else ok; fi
    done
    [ $n -ge 8 ] && ok || bad "${sub:-gpu_profiler}: only $n options in the completion"
done
# the check above can fail: an option that is not in the tables
timeout 10 "$gp" --no-such-option --help </dev/null >/dev/null 2>"$t/err"
grep -q 'unknown option' "$t/err" && ok || bad "an unknown option was taken"
if has_tool bash; then
    # complete WORD...: what bash's completion offers for the last word
    complete_words() {
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gpu_profiler
                 printf "%s\n" "${COMPREPLY[@]}"' sh "$bashf" "$@" | sort | tr '\n' ' '
    }
    bash -n "$bashf" && ok || bad "the bash completion does not parse"
    [ "$(complete_words gpu_profiler --ti)" = "--tier --timeline " ] && ok ||
        bad "gpu_profiler --ti: '$(complete_words gpu_profiler --ti)'"
    [ "$(complete_words gpu_profiler calibrate --qu)" = "--quick --quiet " ] && ok ||
        bad "calibrate --qu: '$(complete_words gpu_profiler calibrate --qu)'"
    [ "$(complete_words gpu_profiler -m '')" = "all avg min peak " ] && ok ||
        bad "-m: '$(complete_words gpu_profiler -m '')'"
    [ "$(complete_words gpu_profiler --tier = f)" = "fast full " ] && ok ||
        bad "--tier=f: '$(complete_words gpu_profiler --tier = f)'"
    [ "$(complete_words gpu_profiler cali)" = "calibrate " ] && ok || bad "cali: '$(complete_words gpu_profiler cali)'"
    [ "$(complete_words gpu_profiler measure --st)" = "--start-marker --stop-marker " ] && ok ||
        bad "measure --st: '$(complete_words gpu_profiler measure --st)'"
else
    skip_tool "the bash completion's tests" bash "apt-get install bash, or run .ci/run"
fi
if has_tool zsh; then
    zsh -n "$zshf" && ok || bad "the zsh completion does not parse"
    missing=""
    for o in $(opts_of '*') $(opts_of calibrate) $(opts_of fit) $(opts_of measure); do
        grep -qF -e "'$o[" -e "'$o=[" -e "'$o+[" "$zshf" || missing="$missing $o"
    done
    [ -z "$missing" ] && ok || bad "the zsh completion lacks$missing"
else
    skip_tool "the zsh completion's tests" zsh "apt-get install zsh, or run .ci/run"
fi
tally_end
