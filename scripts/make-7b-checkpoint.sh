#!/usr/bin/env bash
# Proof that a full-size xLSTM 7B checkpoint loads on this machine (24 GB RAM): writes a 7B-shaped checkpoint of
# RANDOM weights as NX-AI/xLSTM-7b lays it out (fp32, 6 shards of at most 5 GB + model.safetensors.index.json,
# the release's older config.json keys, generation_config.json; GPT-2's tokenizer.json so text works), then
#   1. loads it memory-mapped and generates 1 token (fp32 weights stay on disk, mapped),
#   2. loads it with --dtype bf16 (converted on load) and generates 2 tokens,
#   3. converts it to a bf16 directory with `xlstm convert` and loads that,
# each under /usr/bin/time -v for the peak RSS. Needs about 42 GB of disk (27.5 + 13.7 GB).
#
# usage: scripts/make-7b-checkpoint.sh [DIR]     (default DIR: work-area/xlstm-7b-random, which git ignores)
# The checkpoints are not part of the repository; delete DIR and DIR-bf16 when done.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/work-area/xlstm-7b-random}
tok=$root/work-area/test-data/gpt2/tokenizer.json
x=${XLSTM:-$root/xlstm}   # XLSTM: another command to run (e.g. a wrapper around a fixed build)
timed() { /usr/bin/time -f "wall %e s, peak RSS %M kB, major page faults %F" "$@"; }

if [[ ! -f $tok ]]; then
  "$root/scripts/gpt2-test-vocab.sh"
  (cd "$root" && mvn -q -B -o -pl runtime exec:java -Dexec.mainClass=xlstm.runtime.tokenizer.Gpt2Vocab \
    -Dexec.args="$(dirname "$tok")/encoder.json $(dirname "$tok")/vocab.bpe $tok")
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(date -u +%Y-%m-%dT%H:%MZ)"

if [[ ! -f $dir/model.safetensors.index.json ]]; then
  echo "== writing the 7B-shaped random checkpoint to $dir"
  timed "$x" random-checkpoint --preset 7b --tokenizer "$tok" --progress "$dir"
fi
ls -la "$dir"
du -sh "$dir"

echo "== 1. fp32, memory-mapped: load + 1 token"
timed "$x" generate --model "$dir" --prompt "Hello" -n 1 --verbose --progress

echo "== 2. --dtype bf16 (converted on load): load + 2 tokens"
timed "$x" generate --model "$dir" --prompt "Hello" -n 2 --dtype bf16 --verbose --progress

echo "== 3. xlstm convert --dtype bf16, then load the bf16 checkpoint + 2 tokens"
rm -rf "$dir-bf16"
timed "$x" convert --dtype bf16 --progress "$dir" "$dir-bf16"
ls -la "$dir-bf16"
timed "$x" generate --model "$dir-bf16" --prompt "Hello" -n 2 --verbose --progress
