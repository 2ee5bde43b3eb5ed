#!/usr/bin/env bash
# Runs every test: native GoogleTest suite (CTest), the C-header check, the NEON kernels under
# qemu, the JUnit suites (Java, Kotlin, Scala) through Maven, the native suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer, a bounded fuzzing run of the GGUF loader
# ($LAMINA_FUZZ_SECONDS, default 120), and the published jars (tests/packaging/). Shared test data comes from $LAMINA_TEST_DATA
# (default ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
export JAVA_HOME
export LAMINA_TEST_DATA="${LAMINA_TEST_DATA:-$(cd .. && pwd)/shared}"
if [ ! -d "$LAMINA_TEST_DATA/models" ]; then
  echo "lamina test: test data not found at $LAMINA_TEST_DATA (set LAMINA_TEST_DATA to the folder with models/, golden/, vocab/)" >&2
  exit 1
fi
JOBS="${JOBS:-$(nproc)}"

section() { printf '\n==== %s ====\n' "$*"; }

section "native: configure and build (Release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLAMINA_BUILD_TESTS=ON >/dev/null
cmake --build build -j "$JOBS"

section "native: GoogleTest (CTest)"
(cd build && ctest --output-on-failure -j "$JOBS")

if [ -x scripts/test-neon.sh ]; then
  section "native: linux-aarch64 library, NEON kernels under qemu"
  scripts/test-neon.sh
fi

section "native: windows-x86_64 library (mingw-w64), kernels under wine"
scripts/test-windows.sh

section "release workflow: actionlint"
scripts/lint-workflows.sh

section "native: sanitizers (ASan + UBSan)"
scripts/test-sanitizers.sh

section "native: fuzzing the GGUF loader (${LAMINA_FUZZ_SECONDS:-120} s)"
scripts/fuzz.sh "${LAMINA_FUZZ_SECONDS:-120}"

section "JVM: bindings, Java API, CLI, Java/Kotlin/Scala tests (Maven)"
mvn -B -Dlamina.skipNative=true verify

# The published jars (dist/, bom/, built by the verify above) used alone from an empty directory.
section "packaging: dev.lamina:lamina and its native jars"
tests/packaging/test-artifacts.sh

section "packaging: the jlink'ed CLI distribution and the jbang catalog"
tests/packaging/test-cli-dist.sh
