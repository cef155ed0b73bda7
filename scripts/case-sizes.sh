#!/usr/bin/env bash
# Case sizes before and after minimization: the median number of calls and of request body bytes
# per case, from the `minimized` record of every case.json.
#
#   scripts/case-sizes.sh            # runs `shrike demo --seed 1 --time 60s` into a temp folder
#   scripts/case-sizes.sh OUT        # reads the cases an earlier run left in OUT/cases
#
# Needs python3 to read the cases.
set -euo pipefail
if [ $# -ge 1 ]; then
  OUT="$(cd "$1" && pwd)"
fi
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  :
else
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
  cargo build -q -p shrike --bin shrike
  "${CARGO_TARGET_DIR:-target}/debug/shrike" demo --seed 1 --time 60s -q --out "$OUT" > /dev/null 2>&1 || true
fi
python3 - "$OUT/cases" <<'PY'
import json, os, statistics, sys
cases = sys.argv[1]
rows = []
for name in sorted(os.listdir(cases)):
    path = os.path.join(cases, name, "case.json")
    if not os.path.isfile(path):
        continue
    m = json.load(open(path)).get("minimized")
    if m:
        rows.append((name, m))
if not rows:
    sys.exit(f"no minimized cases in {cases}")
print(f"{'case':<58} {'calls':>9} {'body bytes':>15} replays")
for name, m in rows:
    print(f"{name:<58} {m['calls_before']:>3} -> {m['calls_after']:<3} "
          f"{m['body_bytes_before']:>6} -> {m['body_bytes_after']:<6} {m['replays']}"
          f"{' (bounded)' if m['bounded'] else ''}")
med = lambda key: statistics.median(m[key] for _, m in rows)
print(f"median over {len(rows)} cases: calls {med('calls_before'):g} -> {med('calls_after'):g}, "
      f"body bytes {med('body_bytes_before'):g} -> {med('body_bytes_after'):g}")
PY
