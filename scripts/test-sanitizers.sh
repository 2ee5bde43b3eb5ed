#!/usr/bin/env bash
# Builds the native core and its GoogleTest suite with AddressSanitizer + UndefinedBehaviorSanitizer
# (CMake preset "asan", build dir build-asan) and runs the whole suite under them. Any sanitizer
# report fails the run (-fno-sanitize-recover=all, halt_on_error), as does any failing test.
# Shared test data comes from $LAMINA_TEST_DATA (default ../shared). About 2 minutes on 2 cores
# after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export LAMINA_TEST_DATA="${LAMINA_TEST_DATA:-$(cd .. && pwd)/shared}"
if [ ! -d "$LAMINA_TEST_DATA/models" ]; then
  echo "test-sanitizers: test data not found at $LAMINA_TEST_DATA (set LAMINA_TEST_DATA to the folder with models/, golden/, vocab/)" >&2
  exit 1
fi
JOBS="${JOBS:-$(nproc)}"

# allocator_may_return_null: a failed calloc/malloc is a null pointer the code reports as
# LM_ERR_OUT_OF_MEMORY (tests exercise that), not a sanitizer abort.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "==== sanitizers: configure and build (preset asan) ====" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"

echo "==== sanitizers: GoogleTest under ASan + UBSan ====" >&2
LOG="build-asan/sanitizer-tests.log"
set +e
# One process for the whole suite (faster than one per test under ASan); --gtest_brief keeps the
# log to failures and sanitizer reports.
# A hang (deadlock) fails the run instead of blocking CI: at most $TIMEOUT seconds.
TIMEOUT="${LAMINA_SANITIZER_TIMEOUT:-1800}"
timeout "$TIMEOUT" build-asan/tests/native/lamina_tests --gtest_brief=1 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -ne 124 ] || echo "test-sanitizers: the suite did not finish within ${TIMEOUT}s (hang?)" >&2
build-asan/tests/native/lamina_header_c_test || rc=1
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$LOG"; then
  echo "test-sanitizers: sanitizer report(s) above (log: $LOG)" >&2
  rc=1
fi
if [ "$rc" -ne 0 ]; then
  echo "test-sanitizers: FAILED" >&2
  exit 1
fi
echo "test-sanitizers: all tests passed, no sanitizer reports"
