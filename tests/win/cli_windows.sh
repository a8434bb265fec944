#!/bin/sh
# The CLI cases of tests/cli.cases against the Windows build under wine
# (tests/cli.sh in its Windows mode): the stand-ins are Windows programs
# (build-win/stand-ins), the stand-in NVML goes into the prefix's System32,
# cases marked NOWIN are listed, not run, and every -c case is compared
# byte for byte with the Linux build's stdout and files.
set -u
. tests/win/wine_env.sh
top=$(pwd)
gp=$top/build-win/gp_wine.sh
printf '#!/bin/sh\nexec %s %s "$@"\n' "$(command -v "$WINE")" "$top/build-win/gpu_profiler.exe" >"$gp"
chmod +x "$gp"
GP_CLI_WINDOWS=1 GP_CLI_LINUX=$top/gpu_profiler GP_WIN_NCU=$top/build-win/stand-ins/ncu.exe \
GP_WIN_APP=$top/build-win/stand-ins/app.exe GP_WIN_NVML=$top/build-win/stand-ins/nvml.dll \
    sh tests/cli.sh "$gp"
rc=$?
rm -f "$WINEPREFIX/drive_c/windows/system32/nvml.dll"
exit $rc
