#!/bin/sh
# Renders the --report HTML page in headless Chromium (Debian's chromium) at
# 1280 and 1920 px wide: a screenshot must come out, and the page must fit the
# width (no sideways scrolling: the document is no wider than the window).
# Pages: the real H100 fixture, and two GPUs of the H200 fixture (two panels).
# usage: sh tests/screenshot_html.sh ./gpu_profiler     Prints "N passed, N failed, N skipped".
set -u
gp=$1
. "$(dirname "$0")/shtest.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    skip_tool "screenshot tests" chromium "apt-get install chromium, or run .ci/run"
    tally_end
    exit
fi
chrome() { # chrome WIDTH ARGS...: headless, no GPU, a profile of its own
    w=$1
    shift
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$t/profile" \
        --window-size="$w,1600" "$@" 2>/dev/null
}
"$gp" -q --no-predictions -c tests/fixtures/ncu-h100/probe4_full_raw.csv --report "$t/one.html" >/dev/null 2>&1
"$gp" -q --no-predictions -c tests/fixtures/ncu-h200x2/allreduce_2ranks_nonccl_raw.csv --report "$t/two.html" \
    >/dev/null 2>&1
for page in one two; do
    for w in 1280 1920; do
        rm -f "$t/shot.png"
        chrome "$w" --screenshot="$t/shot.png" "file://$t/$page.html" >/dev/null
        size=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:8] == b"\x89PNG\r\n\x1a\n" else "none")' "$t/shot.png" 2>/dev/null)
        [ "$size" = "${w}x1600" ] && ok || bad "$page at $w px: no screenshot (${size:-none})"
        # the same page with a line of script that writes its widths into the title
        sed 's|</body>|<script>document.title = "W" + document.documentElement.scrollWidth + "/" + window.innerWidth;</script></body>|' \
            "$t/$page.html" >"$t/$page.probe.html"
        dims=$(chrome "$w" --dump-dom "file://$t/$page.probe.html" | sed -n 's|.*<title>W\([0-9]*\)/\([0-9]*\)</title>.*|\1 \2|p')
        set -- $dims
        if [ $# = 2 ] && [ "$1" -le "$2" ]; then ok; else bad "$page at $w px: wider than the window (${dims:-no widths})"; fi
    done
done
tally_end
