#!/usr/bin/env bash
# Builds everything that ships from this machine (Debian 12, x86-64) and tests each piece:
#   1. linux-x86_64   liblamina.so (build/), glibc 2.28 baseline checked
#   2. linux-aarch64  liblamina.so (build-linux-aarch64/), baseline checked, kernel tests under qemu
#                     (scripts/test-neon.sh)
#   3. windows-x86_64 lamina.dll (build-windows-x86_64/), imports checked, kernel tests under wine
#                     if installed (scripts/test-windows.sh)
#   4. the jars: dev.lamina:lamina, its native jars (one per platform built above, plus
#      osx-aarch64 when build-osx-aarch64/native/liblamina.dylib was put there by the release
#      workflow), the all-platforms jar and the BOM (mvn install: dist/, bom/)
#   5. the CLI distribution: lamina with its own jlink'ed runtime, one archive,
#      build-dist/lamina-<version>-<platform>.tar.gz (scripts/cli-dist.sh)
# .github/workflows/release.yml runs this on Debian 12; macOS is built there on its own runner.
# Usage: scripts/package.sh              everything
#        scripts/package.sh --cli-only   step 5 alone (the jars must be built)
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
export JAVA_HOME

section() { printf '\n==== %s ====\n' "$*"; }

if [ "${1:-}" != "--cli-only" ]; then
  section "linux-x86_64: liblamina.so"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j2 --target lamina
  tests/native/check_glibc_symbols.sh build/native/liblamina.so

  section "linux-aarch64: liblamina.so and its kernel tests under qemu"
  scripts/test-neon.sh

  section "windows-x86_64: lamina.dll and its kernel tests"
  scripts/test-windows.sh

  section "jars: dev.lamina:lamina, native jars, all-platforms, BOM, CLI"
  mvn -B -q -DskipTests -Dlamina.skipNative=true install
  ls -l dist/target/lamina-*.jar
fi

section "CLI distribution (jlink)"
scripts/cli-dist.sh
