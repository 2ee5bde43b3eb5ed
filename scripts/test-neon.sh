#!/usr/bin/env bash
# Cross-builds the linux-aarch64 library (CMake preset linux-aarch64: liblamina.so, what
# dev.lamina:lamina:<v>:linux-aarch64 ships) together with the CPU kernel tests over the same
# objects (tests/native/quant_*, cpu_*), then
#   - checks that liblamina.so needs no glibc newer than 2.28 (tests/native/check_glibc_symbols.sh);
#   - runs the kernel tests under qemu-user: the NEON kernels (with and without dotprod) against
#     the scalar reference.
# Installs nothing itself; it needs
#   apt-get install -y g++-aarch64-linux-gnu qemu-user googletest
# (googletest provides the GoogleTest sources in /usr/src/googletest, built here for aarch64).
# No JVM smoke test under qemu: no aarch64 JDK 22+ comes from Debian 12's apt (openjdk-17 only).
# Usage: scripts/test-neon.sh            (build directory: build-linux-aarch64/, the preset's)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-linux-aarch64"
sysroot=/usr/aarch64-linux-gnu

missing=()
command -v aarch64-linux-gnu-g++ >/dev/null || missing+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
[[ -f /usr/src/googletest/CMakeLists.txt ]] || missing+=(googletest)
if (( ${#missing[@]} )); then
    echo "test-neon.sh: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
    exit 1
fi

cd "$root"
cmake --preset linux-aarch64 >/dev/null
cmake --build --preset linux-aarch64 -j2

echo "== linux-aarch64 liblamina.so: glibc baseline"
"$root/tests/native/check_glibc_symbols.sh" --objdump aarch64-linux-gnu-objdump "$build/native/liblamina.so" \
    "$build/tests/native/neon/liblamina_glibc_compat_check.so"
qemu-aarch64 -L "$sysroot" "$build/tests/native/neon/lamina_glibc_compat_check_main"

# qemu's default CPU ("max") has dotprod; cortex-a53 (ARMv8.0) has not, so the second run checks
# that detection keeps the SDOT kernels away from a CPU without them.
tests="$build/tests/native/neon/lamina_kernel_tests"
echo "== qemu-aarch64 -cpu max (NEON + dotprod)"
qemu-aarch64 -L "$sysroot" -cpu max "$tests"
echo "== qemu-aarch64 -cpu cortex-a53 (NEON, no dotprod)"
qemu-aarch64 -L "$sysroot" -cpu cortex-a53 "$tests"
