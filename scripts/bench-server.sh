#!/usr/bin/env bash
# Server throughput: starts `lamina serve` on a loopback port with --parallel 1 and then with
# --parallel N (default 8) on the same model, runs the same bounded streaming load against each
# (`lamina bench-server`: CLIENTS concurrent streaming chat clients for SECONDS), and prints
# generated tokens/s and time-to-first-token p50/p99 for both, and the speed-up.
#   scripts/bench-server.sh MODEL.gguf [PARALLEL=8] [CLIENTS=32] [SECONDS=60] [MAX_TOKENS=64]
# A benchmark: never run it from the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
export JAVA_HOME
MODEL="${1:?usage: scripts/bench-server.sh MODEL.gguf [PARALLEL] [CLIENTS] [SECONDS] [MAX_TOKENS]}"
PARALLEL="${2:-8}"
CLIENTS="${3:-32}"
SECONDS_RUN="${4:-60}"
MAX_TOKENS="${5:-64}"
PORT="${LAMINA_BENCH_PORT:-18481}"
CTX="${LAMINA_BENCH_CTX:-512}"

run_one() {
  local parallel="$1" log
  log="$(mktemp)"
  ./lamina serve -m "$MODEL" --port "$PORT" --parallel "$parallel" --ctx "$CTX" --queue 1024 --no-access-log 2>"$log" &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  local result
  result="$(./lamina bench-server --url "http://127.0.0.1:$PORT" --clients "$CLIENTS" --seconds "$SECONDS_RUN" \
      --max-tokens "$MAX_TOKENS")" || { echo "$result"; kill "$pid"; exit 1; }
  kill -TERM "$pid"
  wait "$pid" || true
  rm -f "$log"
  echo "$result"
}

echo "model $MODEL, $CLIENTS streaming clients, ${SECONDS_RUN} s, max_tokens $MAX_TOKENS, ctx $CTX per request"
one="$(run_one 1)"
echo "--parallel 1: $one"
many="$(run_one "$PARALLEL")"
echo "--parallel $PARALLEL: $many"
rate() { sed -E 's/.*: ([0-9.]+) tokens\/s.*/\1/' <<<"$1"; }
awk -v a="$(rate "$one")" -v b="$(rate "$many")" -v p="$PARALLEL" \
  'BEGIN { printf "speed-up --parallel %s vs 1: %.2fx\n", p, b / a }'
