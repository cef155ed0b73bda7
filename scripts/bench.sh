#!/usr/bin/env bash
# Benchmark figures (not tests): the demo API's serving rate, Shrike's executions per second against
# the same endpoint, generation speed, time to first finding per demo bug class, and peak memory.
# Everything binds and targets 127.0.0.1 only, and every run is bounded in time.
#
#   scripts/bench.sh            # quick figures (about 7 minutes)
#   BENCH_LONG=1 scripts/bench.sh   # adds the 10-minute peak-RSS run
#   BENCH_CPU=1                 # the core that client and server share for the rate figures
#
# Needs wrk for the HTTP baseline (Debian: apt-get install wrk) and python3 to read the results.
set -euo pipefail
cd "$(dirname "$0")/.."
CPU="${BENCH_CPU:-1}"
SEEDS="${BENCH_SEEDS:-1 2 3 4 5}"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release -q -p shrike -p shrike-demo-api --bin shrike --bin shrike-demo-api --example bench_requests
BIN=target/release/shrike
DEMO=target/release/shrike-demo-api
echo "machine: $(nproc) cores; rate figures pin client and server to core $CPU (taskset -c $CPU)"

start_demo() { # starts the demo API on core $CPU; sets URL
  taskset -c "$CPU" "$DEMO" --port 0 > "$WORK/demo.out" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 100); do grep -q listening "$WORK/demo.out" 2>/dev/null && break; sleep 0.05; done
  URL="$(sed -n 's/^listening on //p' "$WORK/demo.out" | head -1)"
}

echo
echo "== 1. demo API serving rate and Shrike's executions per second on GET /health (same core)"
start_demo
if command -v wrk > /dev/null; then
  WRK_RATE="$(taskset -c "$CPU" wrk -t1 -c1 -d5s "$URL/health" | awk '/Requests\/sec/ {print $2}')"
  echo "wrk -t1 -c1 -d5s $URL/health: $WRK_RATE requests/s"
else
  WRK_RATE=""
  echo "wrk not installed: skipping the baseline (apt-get install wrk)"
fi
before="$(curl -s "$URL/_stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')"
taskset -c "$CPU" "$BIN" fuzz --spec schemas/demo-api.yaml --target "$URL" --include getHealth \
  --time 10s --seed 1 -q --out "$WORK/health" 2> "$WORK/health.log" || true
after="$(curl -s "$URL/_stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')"
SHRIKE_RATE="$(sed -n 's/.* execs in .* (\([0-9]*\)\/s).*/\1/p' "$WORK/health.log" | head -1)"
REQUESTS=$((after - before - 2))
echo "shrike fuzz --include getHealth: $SHRIKE_RATE execs/s; the server counted $REQUESTS requests in 10 s ($((REQUESTS / 10))/s: a sequence may repeat the call)"
if [ -n "$WRK_RATE" ] && [ -n "$SHRIKE_RATE" ]; then
  python3 -c "print(f'ratio shrike/wrk: {$SHRIKE_RATE / $WRK_RATE:.2f} (executions), {$REQUESTS / 10 / $WRK_RATE:.2f} (requests)')"
fi
# The first few thousand executions, before the corpus holds the dictionary's long strings (whose
# 64 KiB+ query strings the demo answers with 414 and a closed connection): the loop's own cost.
taskset -c "$CPU" "$BIN" fuzz --spec schemas/demo-api.yaml --target "$URL" --include getHealth \
  --execs 3000 --seed 1 -q --out "$WORK/health-short" 2> "$WORK/health-short.log" || true
SHORT_RATE="$(sed -n 's/.* execs in .* (\([0-9]*\)\/s).*/\1/p' "$WORK/health-short.log" | head -1)"
echo "shrike fuzz --include getHealth --execs 3000 (short requests only): $SHORT_RATE execs/s"
kill "$DEMO_PID"; wait "$DEMO_PID" 2>/dev/null || true

echo
echo "== 2. generation speed (generate + render, one thread, demo spec)"
taskset -c "$CPU" target/release/examples/bench_requests 3

echo
echo "== 3. time to first finding per demo bug class (shrike demo, 60 s, seeds: $SEEDS; median)"
for seed in $SEEDS; do
  "$BIN" demo --seed "$seed" --time 60s -q --out "$WORK/ttff-$seed" > /dev/null 2>&1 || true
done
python3 - "$WORK" $SEEDS <<'PY'
import glob, json, statistics, sys
work, seeds = sys.argv[1], sys.argv[2:]
first = {}
for seed in seeds:
    seen = {}
    for path in glob.glob(f"{work}/ttff-{seed}/cases/*/case.json"):
        case = json.load(open(path))
        key = f"{case['kind']} {case['operation']}"
        seen[key] = min(seen.get(key, 1e9), case.get("found_after_s", 0.0))
    for key, t in seen.items():
        first.setdefault(key, []).append(t)
print(f"{'finding (kind operation)':48} {'found in':>9} {'median s':>9}")
for key in sorted(first):
    times = first[key]
    print(f"{key:48} {len(times):>4}/{len(seeds):<4} {statistics.median(times):>9.1f}")
PY

if [ "${BENCH_LONG:-0}" = 1 ]; then
  echo
  echo "== 4. peak RSS of a 10-minute demo run"
  /usr/bin/time -v "$BIN" demo --seed 1 --time 10m -q --out "$WORK/long" 2> "$WORK/long.log" > /dev/null || true
  grep -E "Maximum resident set size" "$WORK/long.log"
fi
