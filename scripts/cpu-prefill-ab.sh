#!/usr/bin/env bash
# A/B of builds or JVM flag sets on the CPU prefill (issue 7), in one command on the GPU machine's CPU: each set runs
# `xlstm bench --backend cpu` (prefill only, ~125M xLSTM Large: E 768, 12 blocks, 4 heads, vocab 50304, random
# weights) once per round, the rounds alternating the sets, and the median per set is printed at the end. Machines
# differ by more than most changes: compare only inside one run.
#   scripts/cpu-prefill-ab.sh '' '-Dxlstm.cpu.gemm.kc=128' 'cp:work-area/old-classes'   (from the repository root)
# Each argument is one set of JVM flags ('' = the defaults); a word cp:DIR puts DIR before the classes on the class
# path (an older build's classes, to A/B builds). Build here first, then carry .jre.tar.xz, work-area/gpulib
# (scripts/gpu-lib.sh) and cli/target/xlstm-cli.jar. Environment: ROUNDS (default 3), THREADS (default 16),
# PREFILL (default 512, e.g. 512,2048), DTYPE (f32 or bf16, default f32), CONFIG (E,blocks,heads; default 768,12,4),
# DECODE=N: time N decode steps at batch 1 instead of the prefill.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -eq 0 ]]; then
  echo "usage: scripts/cpu-prefill-ab.sh FLAGS... (each argument one set of JVM flags; '' for the defaults)" >&2
  exit 2
fi
source scripts/gpu-env.sh || exit 2
source scripts/ab-lib.sh
rounds=${ROUNDS:-3}
threads=${THREADS:-16}
prefill=${PREFILL:-512}
IFS=, read -r e blocks heads <<<"${CONFIG:-768,12,4}"
model=work-area/prefill-ab/model-$e-$blocks-$heads
log=$(mktemp)

if [[ ! -f $model/config.json ]]; then
  mkdir -p "$model"
  cat >"$model.config.json" <<JSON
{"model_type": "xlstm", "vocab_size": 50304, "hidden_size": $e, "embedding_dim": $e, "num_hidden_layers": $blocks,
 "num_blocks": $blocks, "num_heads": $heads, "qk_dim_factor": 0.5, "v_dim_factor": 1.0, "ffn_proj_factor": 2.667,
 "ffn_round_up_to_multiple_of": 64, "chunk_size": 64, "mode": "inference", "use_bias": false,
 "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1}
JSON
  "${java[@]}" xlstm.cli.Main random-checkpoint --config "$model.config.json" --seed 1 --force "$model" || exit 1
fi

# java with set i's flags (through gpu-env.sh's XLSTM_JAVA_OPTS; cp:DIR words through XLSTM_CP_PREFIX)
decode=${DECODE:-0}
run_set() {
  ab_split_set "$1"
  XLSTM_CP_PREFIX=$AB_CP XLSTM_JAVA_OPTS="$AB_FLAGS -Dxlstm.threads=$threads" bash -c 'source scripts/gpu-env.sh &&
    "${java[@]}" xlstm.cli.Main bench --backend cpu --model "$0" --dtype "$1" --prefill "$2" --decode "$3" \
      --batch 1 --skip-cells --warmup 2' "$model" "${DTYPE:-f32}" "$( ((decode > 0)) && echo 0 || echo "$prefill")" "$decode"
}
what=$( ((decode > 0)) && echo decode || echo prefill)

for ((round = 1; round <= rounds; round++)); do
  for ((i = 1; i <= $#; i++)); do
    echo "=== round $round, set $i [${!i}]"
    ab_keep "$i" "^$what" "$log" "$(run_set "${!i}" 2>&1)"
  done
done

echo
echo "median tokens/s over $rounds rounds, $threads threads (higher is better):"
for ((i = 1; i <= $#; i++)); do
  if ((decode > 0)); then
    echo "  set $i [${!i}] decode batch 1: $(ab_median "$log" "set $i: decode " 0)"
  else
    for s in ${prefill//,/ }; do
      echo "  set $i [${!i}] prefill $s: $(ab_median "$log" "set $i: prefill *$s " 0)"
    done
  fi
done
rm -f "$log"
