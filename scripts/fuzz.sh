#!/usr/bin/env bash
# Fuzzes the model loader for a bounded time: scripts/fuzz.sh [--mode bytes|structure|both] [SECONDS]
# (default: both modes, 120 s in all, split evenly).
#
# Builds the libFuzzer harnesses with clang, ASan and UBSan (CMake preset "fuzz", build dir
# build-fuzz), generates their seed corpora from the shared models and vocabularies
# ($LAMINA_TEST_DATA, default ../shared) and runs one fuzzing process per mode:
#   bytes      tests/native/fuzz/fuzz_model.cpp mutates raw GGUF bytes (and a tokenizer text
#              tail); best at the GGUF parser itself.
#   structure  tests/native/fuzz/fuzz_structure.cpp runs tiny mutation programs ("LMSF" magic,
#              mutation_program.h) that edit metadata values and tensor infos of the shared
#              models (boundary values, wrong types, renamed/removed/duplicated keys and
#              tensors, changed sizes/types/offsets/alignment/architecture/block count), then
#              loads the result with lm_model_load, tokenizes and evaluates a few tokens. It
#              reaches hyperparameter validation, tensor binding and evaluation.
# Any crash, sanitizer report, exception other than LaminaError, hang (> 10 s), allocation
# beyond 2 GB, or (structure mode) LM_ERR_INTERNAL, an error without a message or a successful
# evaluation with non-finite logits fails the script; each finding is minimised and saved in
# tests/native/fuzz/regressions/ (structure-mode ones named structure-*), where lamina_tests
# (FuzzRegressions) replays it from then on whichever mode found it.
# Needs: clang libclang-rt-14-dev (Debian 12).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=both
if [ "${1:-}" = "--mode" ]; then
  MODE="${2:?--mode needs bytes, structure or both}"
  shift 2
fi
case "$MODE" in bytes|structure|both) ;; *) echo "fuzz: unknown mode '$MODE' (bytes, structure or both)" >&2; exit 2 ;; esac
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

SEEDER="$BUILD/tests/native/fuzz/lamina_fuzz_seeds"
export LAMINA_TEST_DATA="$DATA"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# run_mode NAME FUZZER SECONDS MAX_LEN [SEEDER OPTION]: one fuzzing process; returns 1 on findings.
run_mode() {
  local name="$1" fuzzer="$2" seconds="$3" max_len="$4" seed_option="${5:-}"
  local seeds="$BUILD/fuzz-seeds-$name"        # regenerated every run from the shared files
  local corpus="$BUILD/fuzz-corpus-$name"      # grows across runs
  local artifacts="$BUILD/fuzz-artifacts-$name" # this run's findings
  local log="$BUILD/fuzz-$name.log"
  rm -rf "$seeds" "$artifacts"
  mkdir -p "$seeds" "$corpus" "$artifacts"
  "$SEEDER" $seed_option "$DATA" "$seeds"

  echo "==== fuzz ($name): running ${seconds}s (max_len $max_len) ====" >&2
  local rc
  set +e
  "$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1
  rc=$?
  set -e

  local total rate
  total=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  echo "fuzz ($name): ${total:-?} executions, ${rate:-?} executions/s, corpus $(ls "$corpus" | wc -l) inputs (log: $log)"

  shopt -s nullglob
  local findings=("$artifacts"/*)
  if [ "$rc" -eq 0 ] && [ ${#findings[@]} -eq 0 ]; then
    echo "fuzz ($name): no findings"
    return 0
  fi

  echo "fuzz ($name): FAILED (exit $rc); the report:" >&2
  grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==[0-9]+== ?ERROR|==structure fuzz== FINDING|uncaught exception|deadly signal' "$log" | head -60 >&2 || tail -40 "$log" >&2
  mkdir -p "$REGRESSIONS"
  local f saved minimized
  for f in "${findings[@]}"; do
    saved="$(basename "$f")"
    [ "$name" = structure ] && saved="structure-$saved"
    minimized="$artifacts/min-$(basename "$f")"
    "$fuzzer" -minimize_crash=1 -max_total_time=60 -timeout=10 -rss_limit_mb=2048 \
      -exact_artifact_path="$minimized" "$f" >"$minimized.log" 2>&1 || true
    [ -s "$minimized" ] || minimized="$f"
    cp "$minimized" "$REGRESSIONS/$saved"
    echo "fuzz ($name): saved $REGRESSIONS/$saved ($(stat -c %s "$REGRESSIONS/$saved") bytes); replay: $fuzzer $REGRESSIONS/$saved" >&2
  done
  return 1
}

# A structure program is a 6-byte header and 4 bytes per edit (at most 32 are read).
STRUCTURE_MAX_LEN=256
failed=0
case "$MODE" in
  bytes) run_mode bytes "$BUILD/tests/native/fuzz/lamina_fuzz_model" "$FUZZ_SECONDS" "$MAX_LEN" || failed=1 ;;
  structure) run_mode structure "$BUILD/tests/native/fuzz/lamina_fuzz_structure" "$FUZZ_SECONDS" "$STRUCTURE_MAX_LEN" --structure || failed=1 ;;
  both)
    # Both always run (a finding in one does not hide the other's); the halves add up to SECONDS.
    half=$((FUZZ_SECONDS / 2))
    run_mode bytes "$BUILD/tests/native/fuzz/lamina_fuzz_model" "$half" "$MAX_LEN" || failed=1
    run_mode structure "$BUILD/tests/native/fuzz/lamina_fuzz_structure" "$((FUZZ_SECONDS - half))" "$STRUCTURE_MAX_LEN" --structure || failed=1
    ;;
esac
exit "$failed"
