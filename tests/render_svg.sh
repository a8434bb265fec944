#!/bin/sh
# Renders the --report pictures with a real SVG renderer (rsvg-convert, from
# Debian's librsvg2-bin; without it they are checked but not rendered, and a
# line says so) and checks they render: the real fixture (4 kernels) and
# 50,000 kernels made from it. usage: sh tests/render_svg.sh ./gpu_profiler
set -u
gp=$1
. "$(dirname "$0")/shtest.sh"
# without rsvg-convert the pictures are still made and checked, not rendered;
# without xmllint the HTML page is not checked as XML
render=1
has_tool rsvg-convert || { render=0; skip_tool "SVG and HTML rendering tests" rsvg-convert "apt-get install librsvg2-bin, or run .ci/run"; }
xml=1
has_tool xmllint || { xml=0; skip_tool "the HTML page's XML check" xmllint "apt-get install libxml2-utils, or run .ci/run"; }
fix=tests/fixtures/ncu-h100-runner/probe4_h100model_raw.csv
# 50,000 kernels: the fixture's 4 rows, 12,500 times, with increasing IDs
awk 'NR <= 3 { print; next } { rows[n++] = $0 } END {
    for (i = 0; i < 12500; i++) for (j = 0; j < n; j++) {
        r = rows[j]; sub(/^"[0-9]+"/, "\"" (i * n + j) "\"", r); print r } }' "$fix" >"$t/big.csv"
for case in small big; do
    in=$fix
    [ "$case" = big ] && in=$t/big.csv
    if "$gp" -q --no-predictions -c "$in" --report "$t/$case.svg" >/dev/null 2>"$t/err"; then ok; else bad "$case: gpu_profiler failed: $(cat "$t/err")"; continue; fi
    if head -1 "$t/$case.svg" | grep -q '^<!-- gpu_profiler_report'; then ok; else bad "$case: no signature line"; fi
    if [ $render = 1 ]; then
        if rsvg-convert -o "$t/$case.png" "$t/$case.svg" 2>"$t/err"; then ok; else bad "$case: rsvg-convert: $(cat "$t/err")"; fi
        if [ -s "$t/$case.png" ]; then ok; else bad "$case: empty PNG"; fi
    fi
    # bounded size however many kernels: at most one rect per pixel column plus the bars
    n=$(grep -c '<rect' "$t/$case.svg")
    if [ "$n" -le 1200 ]; then ok; else bad "$case: $n rects"; fi
done
grep -q 'Top 4 kernels by energy' "$t/small.svg" && ok || bad "small: no top-kernels title"
grep -q 'Top 4 kernels by energy (by name)' "$t/big.svg" && ok || bad "big: not the 4 names as bars"
grep -q '<title>fma_k(float \*, int): 12500 launches, ' "$t/big.svg" && ok || bad "big: no tooltip on the bars"
grep -q '<title>0 us to ' "$t/big.svg" && ok || bad "big: no tooltip on the timeline"
grep -q 'Estimated power of probe4_h100model_raw.csv<' "$t/small.svg" && ok || bad "small: the title does not name the file"
"$gp" -q --no-predictions --top 2 -c "$fix" --report "$t/top2.svg" >/dev/null 2>&1
grep -q 'Top 2 kernels by energy' "$t/top2.svg" && ok || bad "--top 2: not 2 bars"
# two devices: a panel each
"$gp" -q --no-predictions -c tests/fixtures/ncu-h200x2/allreduce_2ranks_nonccl_raw.csv --report "$t/two.svg" >/dev/null 2>&1
[ "$(grep -c '>device [01]: min ' "$t/two.svg")" = 2 ] && ok || bad "two devices: not a panel each"
if [ $render = 1 ]; then
    rsvg-convert -o "$t/two.png" "$t/two.svg" 2>/dev/null && ok || bad "two devices: does not render"
fi
grep -q '50000 kernels' "$t/big.svg" && ok || bad "big: kernel count not in the title"
# the HTML page: the same picture (rendered alone), and the tables; written
# as well-formed XML (checked by xmllint: libxml2-utils)
for case in small big; do
    in=$fix
    [ "$case" = big ] && in=$t/big.csv
    if "$gp" -q --no-predictions -c "$in" --report "$t/$case.html" >/dev/null 2>"$t/err"; then ok; else bad "$case.html: gpu_profiler failed: $(cat "$t/err")"; continue; fi
    head -1 "$t/$case.html" | grep -q '^<!-- gpu_profiler_report' && ok || bad "$case.html: no signature line"
    sed -n '/^<svg /,/^<\/svg>/p' "$t/$case.html" >"$t/$case.inner.svg"
    if [ $render = 1 ]; then
        if rsvg-convert -o "$t/$case.inner.png" "$t/$case.inner.svg" 2>"$t/err" && [ -s "$t/$case.inner.png" ]; then ok; else bad "$case.html: its picture does not render: $(cat "$t/err")"; fi
    fi
    [ "$(grep -c '<table>' "$t/$case.html")" -ge 3 ] && ok || bad "$case.html: fewer than 3 tables"
    if [ $xml = 1 ]; then
        if xmllint --noout "$t/$case.html" 2>"$t/err"; then ok; else bad "$case.html: xmllint: $(head -3 "$t/err")"; fi
    fi
done
grep -q 'Kernels by energy (200 of 50000; --per-kernel lists all)' "$t/big.html" && ok || bad "big.html: kernel table not capped at 200"
grep -q '<td class="n" title="fma_k(float \*, int)">fma_k</td>' "$t/small.html" && ok || bad "small.html: kernel name missing"
grep -q 'Kernels by name (4 names, 50000 launches)' "$t/big.html" && ok || bad "big.html: no table by name"
grep -q 'Kernels by name' "$t/small.html" && bad "small.html: a table by name for names that do not repeat" || ok
# issue 31: components stacked (a path per component in each column), the avg's error bar on the panel
# and on every bar, the validation error in the subtitle, min and peak labelled beside the kernels' range
"$gp" -q --no-predictions -c tests/fixtures/ncu-h100/probe4_full_raw.csv --report "$t/h100.svg" >/dev/null 2>&1
[ "$(grep -c '<path fill="#' "$t/h100.svg")" -ge 5 ] && ok || bad "h100.svg: the columns are not split into components"
grep -q 'Stacked in this order, static at the bottom' "$t/h100.svg" && ok || bad "h100.svg: the legend does not state the stacking"
grep -q 'estimated avg 533 W ± 111 W (80% error bar)' "$t/h100.svg" && ok || bad "h100.svg: no error bar on the avg"
grep -q '868.195 mJ, 509 W avg ± 143 W' "$t/h100.svg" && ok || bad "h100.svg: no error bar on the top bar"
grep -q 'avg error 7.8% on 24 real applications' "$t/h100.svg" && ok || bad "h100.svg: the subtitle does not quote the validation error"
grep -q 'held-out' "$t/h100.svg" && bad "h100.svg: the held-out error quoted" || ok
grep -q 'what a meter averaging 0.1 s shows over the kernels laid end to end; the kernels themselves run at 170.2 W to 618.0 W' \
    "$t/h100.svg" && ok || bad "h100.svg: min and peak not labelled"
rsvg-convert -o "$t/h100.png" "$t/h100.svg" 2>/dev/null && ok || bad "h100.svg: does not render"
"$gp" -q --no-predictions -c tests/fixtures/ncu-derived/allreduce_three_elementwise.csv --report "$t/three.html" >/dev/null 2>&1
grep -q '<td>699.2 ± 55</td>' "$t/three.html" && ok || bad "three.html: no error bar in the device table"
grep -q '>at::<wbr/>vectorized_<wbr/>elementwise_<wbr/>kernel&lt;..., <wbr/>FillFunctor&lt;float&gt;, <wbr/>...&gt;</td>' "$t/three.html" && ok ||
    bad "three.html: the names are not told apart or may break mid-word"
grep -q 'td{white-space:nowrap}' "$t/three.html" && ok || bad "three.html: numbers may part from their units"
# the sampled route's picture (issue 29): it renders, and its HTML page is well-formed
"$gp" -q --sampled --timeline tests/fixtures/timeline-h100-sampled/stream_triad_run16.txt --report "$t/sampled.svg" \
    >/dev/null 2>&1 && ok || bad "sampled.svg: not written"
if [ $render = 1 ]; then
    rsvg-convert -o "$t/sampled.png" "$t/sampled.svg" 2>/dev/null && [ -s "$t/sampled.png" ] && ok ||
        bad "sampled.svg: does not render"
fi
"$gp" -q --sampled --timeline tests/fixtures/timeline-h100-sampled/stream_triad_run16.txt --report "$t/sampled.html" \
    >/dev/null 2>&1 && ok || bad "sampled.html: not written"
if [ $xml = 1 ]; then
    sed -n '/<svg/,/<\/svg>/p' "$t/sampled.html" | xmllint --noout - 2>/dev/null && ok ||
        bad "sampled.html: its picture is not well-formed"
fi
# a foreign file of that name is not replaced
echo "user picture" >"$t/foreign.svg"
if "$gp" -q --no-predictions -c "$fix" --report "$t/foreign.svg" >/dev/null 2>&1; then bad "foreign.svg replaced"; else ok; fi
grep -q 'user picture' "$t/foreign.svg" && ok || bad "foreign.svg changed"
tally_end
