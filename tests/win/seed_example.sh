#!/bin/sh
# Under wine, what the issue asks of the Windows build beyond the CLI cases:
# the original tool's own example command line,
#   gpu_profiler -m all -a "C:\Program Files\Nuke15.0v4\Nuke15.0.exe" -s "D:/nuke_graphs/blur_image.nk"
# reaches the application with exactly those two arguments (a stand-in
# Nuke15.0.exe in the prefix's C:\Program Files that logs what it got), and
# a second run in the same folder replaces the tool's own outputs.
set -u
. tests/win/wine_env.sh
top=$(pwd)
. tests/shtest.sh
check() { msg=$1; shift; if "$@"; then ok; else bad "$msg"; fi; }
gp="$WINE $top/build-win/gpu_profiler.exe"
nuke="$WINEPREFIX/drive_c/Program Files/Nuke15.0v4"
work=$t
trap 'rm -rf "$t" "$nuke"' EXIT
mkdir -p "$nuke"
cp build-win/stand-ins/echo_args.exe "$nuke/Nuke15.0.exe"
cd "$work"
ECHO_ARGS_LOG=args.txt FAKE_NCU_LOG=ncu.log FAKE_NCU_CSV=$top/tests/fixtures/ncu-h100/probe4_full_raw.csv \
    $gp -m all -a 'C:\Program Files\Nuke15.0v4\Nuke15.0.exe' -s 'D:/nuke_graphs/blur_image.nk' \
    --ncu "$top/build-win/stand-ins/ncu.exe" --report r0.svg >out.txt 2>err.txt
rc=$?
check "the seed's example runs (exit $rc)" [ "$rc" = 0 ]
check "the application got exactly one argument, as given" \
    [ "$(cat args.txt 2>/dev/null)" = "arg[D:/nuke_graphs/blur_image.nk]" ]
check "ncu was given the application's path whole" grep -qxF 'arg[C:\Program Files\Nuke15.0v4\Nuke15.0.exe]' ncu.log
check "the estimate is printed with min, avg and peak" grep -q 'min .* avg .* peak .* W' out.txt
check "the picture's title names the application's file" grep -q '>Estimated power of Nuke15.0.exe<' r0.svg
# a second run over the first one's files: replaced, no note, no temporary files left
$gp -c "$top/tests/fixtures/ncu-h100/probe4_full_raw.csv" --out-csv o.csv --report r.svg >/dev/null 2>err1.txt
first=$(cksum <o.csv)
$gp -c "$top/tests/fixtures/ncu-h200-sets/probe4_full_details_autounits.csv" --out-csv o.csv --report r.svg >/dev/null 2>err2.txt
rc=$?
check "a second run in the folder succeeds (exit $rc)" [ "$rc" = 0 ]
check "and says nothing of files not written" sh -c '! grep -q "not written" err1.txt err2.txt'
check "its CSV replaced the first run's" [ "$(cksum <o.csv)" != "$first" ]
check "no temporary file is left beside them" sh -c '! ls -a | grep -q "^\.o\.csv\.\|^\.r\.svg\.\|^\.predictions"'
# the zip of make dist-windows, unpacked into a folder with a space in its name, runs
zip=$(ls "$top"/build-win/gpu_profiler-*-windows-x64.zip 2>/dev/null | head -1)
if [ -n "$zip" ]; then
    mkdir -p "$t/Program Files"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$t/Program Files"
    exe=$(ls "$t/Program Files"/*/gpu_profiler.exe)
    check "the zip holds the exe, the README and the manual" \
        sh -c "ls \"$t/Program Files\"/*/README.md \"$t/Program Files\"/*/gpu_profiler.txt >/dev/null"
    readme_txt=$(ls "$t/Program Files"/*/README.txt 2>/dev/null)
    check "the zip's README.txt gives the sample's command as typed on Windows" \
        grep -qF 'gpu_profiler.exe -m all -c examples\probe4_full_raw.csv' "$readme_txt"
    check "and has Windows line ends on every line" \
        [ "$(grep -c "$(printf '\r')\$" "$readme_txt")" = "$(wc -l <"$readme_txt")" ]
    check "the zip holds the licence and the accuracy document the README points to" \
        sh -c "grep -q 'MIT License' \"$t/Program Files\"/*/LICENSE.txt && grep -q '^# Accuracy' \"$t/Program Files\"/*/docs/ACCURACY.md"
    check "the unpacked exe estimates" sh -c "\"$WINE\" \"$exe\" -c \"$top/tests/fixtures/ncu-h100/probe4_full_raw.csv\" --no-predictions | grep -q 'avg .* W'"
    # the sample CSV the zip carries, named as a Windows user types it, from the unpacked folder
    check "the unpacked exe estimates the zip's sample CSV" sh -c "cd \"\$(dirname \"$exe\")\" && \"$WINE\" gpu_profiler.exe -m all -c 'examples\\probe4_full_raw.csv' --no-predictions | grep -q 'avg .* W'"
else
    bad "no zip: make dist-windows first"
fi
tally_end
