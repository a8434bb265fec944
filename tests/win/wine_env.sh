# Sourced by the Windows test scripts: wine headless, in a prefix of its own
# (made on first use, about 8 s), its server kept running between programs.
WINEDEBUG=-all
WINEPREFIX=${GP_WINEPREFIX:-${TMPDIR:-/tmp}/gpu_profiler_wine}
WINE=${WINE:-wine}
export WINEDEBUG WINEPREFIX
if ! command -v "$WINE" >/dev/null 2>&1; then
    echo "wine not found: apt-get install wine64 (the Windows tests run the .exe files under it)" >&2
    exit 2
fi
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
    "$WINE" cmd /c exit >/dev/null 2>&1 || true
    wineserver -w </dev/null >/dev/null 2>&1 || true
fi
wineserver -p </dev/null >/dev/null 2>&1 || true
