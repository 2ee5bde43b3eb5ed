#!/usr/bin/env bash
# Fuzzes the model loader for a bounded time: scripts/fuzz.sh [SECONDS] (default 120).
#
# Builds the libFuzzer harness tests/native/fuzz/fuzz_model.cpp with clang, ASan and UBSan
# (CMake preset "fuzz", build dir build-fuzz), generates the seed corpus from the shared models
# and vocabularies ($LAMINA_TEST_DATA, default ../shared), and runs one fuzzing process.
# Any crash, sanitizer report, exception other than LaminaError, hang (> 10 s) or allocation
# beyond 2 GB fails the script; each finding is minimised and saved in
# tests/native/fuzz/regressions/, where lamina_tests (FuzzRegressions) replays it from then on.
# Needs: clang libclang-rt-14-dev (Debian 12).
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${1:-120}"
JOBS="${JOBS:-2}"
MAX_LEN="${LAMINA_FUZZ_MAX_LEN:-65536}"
DATA="${LAMINA_TEST_DATA:-$(cd .. && pwd)/shared}"
BUILD=build-fuzz
REGRESSIONS=tests/native/fuzz/regressions

if [ ! -d "$DATA/models" ]; then
  echo "fuzz: test data not found at $DATA (set LAMINA_TEST_DATA to the folder with models/ and vocab/)" >&2
  exit 1
fi
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; install the Debian packages clang libclang-rt-14-dev" >&2
  exit 1
fi

echo "==== fuzz: build (preset fuzz: clang, ASan + UBSan + libFuzzer) ====" >&2
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$JOBS"

FUZZER="$BUILD/tests/native/fuzz/lamina_fuzz_model"
SEEDS="$BUILD/fuzz-seeds"         # regenerated every run from the shared files
CORPUS="$BUILD/fuzz-corpus"       # grows across runs
ARTIFACTS="$BUILD/fuzz-artifacts"  # this run's findings
rm -rf "$SEEDS" "$ARTIFACTS"
mkdir -p "$SEEDS" "$CORPUS" "$ARTIFACTS"
"$BUILD/tests/native/fuzz/lamina_fuzz_seeds" "$DATA" "$SEEDS"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "==== fuzz: running ${FUZZ_SECONDS}s (max_len $MAX_LEN) ====" >&2
LOG="$BUILD/fuzz.log"
set +e
"$FUZZER" -max_total_time="$FUZZ_SECONDS" -max_len="$MAX_LEN" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$ARTIFACTS/" "$CORPUS" "$SEEDS" >"$LOG" 2>&1
rc=$?
set -e

total=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOG" | grep -o '[0-9]*$' || true)
rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$LOG" | grep -o '[0-9]*$' || true)
echo "fuzz: ${total:-?} executions, ${rate:-?} executions/s, corpus $(ls "$CORPUS" | wc -l) inputs (log: $LOG)"

shopt -s nullglob
findings=("$ARTIFACTS"/*)
if [ "$rc" -eq 0 ] && [ ${#findings[@]} -eq 0 ]; then
  echo "fuzz: no findings"
  exit 0
fi

echo "fuzz: FAILED (exit $rc); the report:" >&2
grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==[0-9]+== ?ERROR|uncaught exception|deadly signal' "$LOG" | head -60 >&2 || tail -40 "$LOG" >&2
mkdir -p "$REGRESSIONS"
for f in "${findings[@]}"; do
  name=$(basename "$f")
  minimized="$ARTIFACTS/min-$name"
  "$FUZZER" -minimize_crash=1 -max_total_time=60 -timeout=10 -rss_limit_mb=2048 \
    -exact_artifact_path="$minimized" "$f" >"$ARTIFACTS/min-$name.log" 2>&1 || true
  [ -s "$minimized" ] || minimized="$f"
  cp "$minimized" "$REGRESSIONS/$name"
  echo "fuzz: saved $REGRESSIONS/$name ($(stat -c %s "$REGRESSIONS/$name") bytes); replay: $FUZZER $REGRESSIONS/$name" >&2
done
exit 1
