#!/bin/sh
# CUPTI's activity records as the native compiler and mingw-w64 lay them
# out (build-win/cupti_layout and its .exe under wine): the same offsets.
set -u
. tests/win/wine_env.sh
native=$(build-win/cupti_layout)
windows=$("$WINE" build-win/cupti_layout.exe | tr -d "\r") # its stdout is in text mode
if [ -n "$native" ] && [ "$native" = "$windows" ]; then
    echo "CUPTI's records: $(printf '%s\n' "$native" | wc -l) sizes and offsets the same on both"
    echo "1 passed, 0 failed"
else
    echo "FAILED: CUPTI's record layout differs between the compilers:" >&2
    printf '%s\n' "$native" >/tmp/gp_layout_native.txt
    printf '%s\n' "$windows" | diff /tmp/gp_layout_native.txt - >&2
    echo "0 passed, 1 failed"
    exit 1
fi
