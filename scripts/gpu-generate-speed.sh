#!/usr/bin/env bash
# Generation speed on the GPU, end to end (a benchmark, not a test): `xlstm generate --backend cuda`, a fresh JVM a
# run (load, a prompt of 32 ids, N new tokens, greedy, EOS ignored), on random bf16 checkpoints written on first use
# to work-area/ (ignored by git): random-350m (E 1024, 20 blocks) and random-7b (the 7B shape, 13.7 GB). Each round
# runs three ways of taking the greedy tokens, in an order that turns each round:
#   pipeline  the default: steps queued ahead of the host, each step's arg-max copied back (DecodePipeline)
#   step      -Dxlstm.cuda.pipeline=false: one step, then its arg-max read (8 bytes), then the next step
#   logits    -Dxlstm.cuda.greedyOnDevice=false: one step, then its logits read and their arg-max taken on the host
# and prints every run's summary line, whether all gave the same tokens, and the medians of "tokens/s after the
# first". MODES picks other ways; the sampling ones (seed 1, temperature 0.8) draw on the device with the host
# sampler's numbers: temperature (no other limit), topk (top-k 50), topp (top-p 0.95), topkp (both); each with
# -host draws on the host instead (-Dxlstm.cuda.drawOnDevice=false), from each step's logits or, with top-k, from
# the device's k candidates (temperature-host, ...), and with -onegroup draw on one work-group a row instead of a
# cluster (-Dxlstm.cuda.drawCluster=false; temperature-onegroup, ...). Same tokens is checked among the greedy ones; the sampling ones
# are listed by their token hashes (XLSTM_CP_PREFIX, e.g. an older runtime jar, or XLSTM_JAVA_OPTS runs another build or setting: the
# same seed must give the same tokens where the change keeps the draws).
# usage (GPU machine, from the repository root): PRESETS="350m 7b" ROUNDS=3 N=256 bash scripts/gpu-generate-speed.sh
#   MODES="topk topp" PRESETS=7b bash scripts/gpu-generate-speed.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/gpu-env.sh
presets=${PRESETS:-350m 7b}
rounds=${ROUNDS:-3}
n=${N:-256}
backend=${BACKEND:-cuda} # BACKEND=cpu: a try of the script itself on a machine without a GPU
ids=$(seq -s, 3 34)
read -ra modes <<<"${MODES:-pipeline step logits}"
declare -A flags=([pipeline]="-Dxlstm.cuda.pipeline=true" [step]="-Dxlstm.cuda.pipeline=false"
                  [logits]="-Dxlstm.cuda.greedyOnDevice=false" [temperature]="" [topk]="" [topp]="" [topkp]="")
declare -A args=([temperature]="--temperature 0.8 --seed 1" [topk]="--temperature 0.8 --top-k 50 --seed 1"
                 [topp]="--temperature 0.8 --top-p 0.95 --seed 1" [topkp]="--temperature 0.8 --top-k 50 --top-p 0.95 --seed 1")
for m in temperature topk topp topkp; do
  flags[$m-host]="-Dxlstm.cuda.drawOnDevice=false"
  args[$m-host]=${args[$m]}
  flags[$m-onegroup]="-Dxlstm.cuda.drawCluster=false"
  args[$m-onegroup]=${args[$m]}
done
for mode in "${modes[@]}"; do
  [[ -v flags[$mode] ]] || { echo "gpu-generate-speed: unknown mode $mode (MODES: pipeline step logits temperature topk topp topkp, and each sampling one with -host or -onegroup)" >&2; exit 2; }
done
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "== $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || echo "no GPU"), backend $backend," \
  "$(date -u +%Y-%m-%dT%H:%MZ)"
for preset in $presets; do
  d=work-area/random-$preset-bf16
  if [[ ! -f $d/config.json ]]; then
    echo "-- writing $d"
    "${java[@]}" xlstm.cli.Main random-checkpoint --preset "$preset" --dtype bf16 --force "$d" 2>&1 | tail -1
  fi
  declare -A speeds=() tokens=()
  for ((r = 0; r < rounds; r++)); do
    for ((k = 0; k < ${#modes[@]}; k++)); do
      mode=${modes[(k + r) % ${#modes[@]}]}
      log=$(mktemp)
      "${java[0]}" ${flags[$mode]} "${java[@]:1}" xlstm.cli.Main generate --model "$d" --backend "$backend" \
        --prompt-ids "$ids" -n "$n" --ignore-eos ${args[$mode]:-} >"$log.out" 2>"$log"
      line=$(grep -E '^loaded in' "$log")
      echo "$preset $mode round $((r + 1)): $line"
      speeds[$mode]+="$(sed -E 's/.*\(([0-9.]+) tokens\/s after the first\).*/\1/' <<<"$line") "
      tokens[$mode]=$(cat "$log.out")
      rm -f "$log" "$log.out"
    done
  done
  same=yes first=
  for mode in "${modes[@]}"; do
    [[ -n ${args[$mode]:-} ]] && continue
    first=${first:-$mode}
    [[ ${tokens[$mode]} == "${tokens[$first]}" ]] || same=no
  done
  summary="== $preset, $n new tokens, median tokens/s of $rounds runs:"
  for mode in "${modes[@]}"; do
    summary+=" $mode $(tr ' ' '\n' <<<"${speeds[$mode]}" | grep . | median)"
  done
  [[ -n $first ]] && summary+="; same tokens (greedy): $same"
  for mode in "${modes[@]}"; do
    [[ -n ${args[$mode]:-} ]] && summary+="; $mode tokens $(md5sum <<<"${tokens[$mode]}" | cut -c1-8)"
  done
  echo "$summary"
  unset speeds tokens
done
