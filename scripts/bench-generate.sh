#!/usr/bin/env bash
# Generation speed on the CPU (a benchmark, not a test): time to first token and tokens/s of `xlstm generate` for
#   - the golden HF fixture hf_xlstm_small (2 blocks, E 128, vocab 113; token ids, no tokenizer),
#   - random-small: a random xLSTM Large with E 256, 4 blocks, vocab 50304 (29M parameters) + GPT-2's tokenizer,
#   - random-350m:  a random xLSTM Large with E 1024, 20 blocks, vocab 50304 (356M parameters) + GPT-2's tokenizer,
#     with fp32 weights as stored and converted to bf16 on load.
# Each is one fresh JVM: a 32-token prompt, then 64 new tokens, greedy, EOS ignored. The random checkpoints are
# written to work-area/ (ignored by git) on first use.
# usage: scripts/bench-generate.sh        (XLSTM=... runs another xlstm command, e.g. a wrapper around a fixed build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
x=${XLSTM:-$root/xlstm}
tok=$root/work-area/test-data/gpt2/tokenizer.json
if [[ ! -f $tok ]]; then
  "$root/scripts/gpt2-test-vocab.sh"
  (cd "$root" && mvn -q -B -o -pl runtime exec:java -Dexec.mainClass=xlstm.runtime.tokenizer.Gpt2Vocab \
    -Dexec.args="$(dirname "$tok")/encoder.json $(dirname "$tok")/vocab.bpe $tok")
fi
for preset in small 350m; do
  d=$root/work-area/random-$preset
  [[ -d $d ]] || "$x" random-checkpoint --preset "$preset" --tokenizer "$tok" "$d"
done
prompt="The xLSTM is a recurrent language model: its memory has a fixed size, so the cost of each new token does not grow with the length of the text before it."
ids=$(seq -s, 3 34)
echo "== $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
run() { echo "-- $1"; shift; "$x" generate "$@" -n 64 --ignore-eos --verbose 2>&1 >/dev/null | grep -E "^(loaded|timings)"; }
run "golden hf_xlstm_small (ids)" --model "$root/golden-tests/src/test/resources/golden/hf_xlstm_small/hf" --prompt-ids "$ids"
run "random-small fp32" --model "$root/work-area/random-small" --prompt "$prompt"
run "random-350m fp32" --model "$root/work-area/random-350m" --prompt "$prompt"
run "random-350m bf16 (on load)" --model "$root/work-area/random-350m" --prompt "$prompt" --dtype bf16
