#!/usr/bin/env bash
# Cross-builds the CPU kernel tests (native/src/quant, native/src/cpu and tests/native/quant_*,
# cpu_*) for aarch64 and runs them under qemu-user: the NEON kernels (with and without dotprod)
# against the scalar reference. Installs nothing itself; it needs
#   apt-get install -y g++-aarch64-linux-gnu qemu-user googletest
# (googletest provides the GoogleTest sources in /usr/src/googletest, built here for aarch64).
# Usage: scripts/test-neon.sh [build-dir]   (default: build-neon/ in the repository root)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build-neon}"
sysroot=/usr/aarch64-linux-gnu

missing=()
command -v aarch64-linux-gnu-g++ >/dev/null || missing+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
[[ -f /usr/src/googletest/CMakeLists.txt ]] || missing+=(googletest)
if (( ${#missing[@]} )); then
    echo "test-neon.sh: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

cmake -S "$root/tests/native/neon" -B "$build" \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j2

# qemu's default CPU ("max") has dotprod; cortex-a53 (ARMv8.0) has not, so the second run checks
# that detection keeps the SDOT kernels away from a CPU without them.
echo "== qemu-aarch64 -cpu max (NEON + dotprod)"
qemu-aarch64 -L "$sysroot" -cpu max "$build/lamina_kernel_tests"
echo "== qemu-aarch64 -cpu cortex-a53 (NEON, no dotprod)"
qemu-aarch64 -L "$sysroot" -cpu cortex-a53 "$build/lamina_kernel_tests"
