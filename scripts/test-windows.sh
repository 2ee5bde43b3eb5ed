#!/usr/bin/env bash
# Cross-builds the windows-x86_64 library with Debian's mingw-w64 (CMake preset windows-x86_64:
# lamina.dll, what dev.lamina:lamina:<v>:windows-x86_64 ships) together with the CPU kernel
# tests over the same objects, checks that lamina.dll needs no MinGW runtime DLL, and runs the
# kernel tests under wine when a working wine is installed (else says so: the release workflow
# runs them on a Windows runner). Installs nothing itself; it needs
#   apt-get install -y g++-mingw-w64-x86-64-posix googletest   (and wine64 for the tests)
# Usage: scripts/test-windows.sh            (build directory: build-windows-x86_64/, the preset's)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-windows-x86_64"

missing=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null || missing+=(g++-mingw-w64-x86-64-posix)
[[ -f /usr/src/googletest/CMakeLists.txt ]] || missing+=(googletest)
if (( ${#missing[@]} )); then
    echo "test-windows.sh: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

cd "$root"
cmake --preset windows-x86_64 >/dev/null
cmake --build --preset windows-x86_64 -j2

# A DLL that imports libstdc++-6.dll, libgcc_s_seh-1.dll or libwinpthread-1.dll fails to load
# on a machine without MinGW; only system DLLs may be imported.
echo "== windows-x86_64 lamina.dll: imported DLLs"
imports=$(x86_64-w64-mingw32-objdump -p "$build/native/lamina.dll" | sed -n 's/^\s*DLL Name: //p' | sort -u)
echo "$imports" | sed 's/^/  /'
foreign=$(grep -viE '^(kernel32|msvcrt|advapi32|user32|ws2_32|ntdll|bcrypt|api-ms-win-.*)\.dll$' <<<"$imports" || true)
if [ -n "$foreign" ]; then
    echo "test-windows.sh: lamina.dll imports non-system DLLs: $foreign (link them statically)" >&2
    exit 1
fi

tests="$build/tests/native/neon/lamina_kernel_tests.exe"
wine=$(command -v wine64 || { [ -x /usr/lib/wine/wine64 ] && echo /usr/lib/wine/wine64; } || command -v wine || true)
if [ -z "$wine" ]; then
    echo "== wine not installed: $tests was built but not run (apt-get install -y wine64; the release workflow runs it on Windows)"
    exit 0
fi
echo "== $wine lamina_kernel_tests.exe"
export WINEPREFIX="$build/wineprefix" WINEDEBUG=-all
"$wine" "$tests"
