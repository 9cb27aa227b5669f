#!/usr/bin/env bash
# Trains the default model (examples/train/moby-dick.yaml) and stores it, in bf16, as models/moby-dick.
#   scripts/train-default-model.sh [SECONDS]     (time budget of the training, default 480)
# A short probe run measures the step time on this machine; the real run gets as many steps as fit the budget
# (the schedule's warm-up and cosine decay span exactly those steps). Needs the corpus (scripts/fetch-corpus.sh,
# run here when absent) and Java: ./xlstm on a development machine, or on a machine without Maven the carried
# runtime (.jre.tar.xz from ../shared/tools/gpu-jre.sh --xz, with cli/target/lib and cli/target/xlstm-cli.jar).
# Writes the run (metrics.csv, loss.png, checkpoints) to work-area/runs/moby-dick; OUT=DIR also copies the run's
# log, plot and model there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
budget=${1:-480}
config=examples/train/moby-dick.yaml
run=work-area/runs/moby-dick

[[ -s work-area/corpus/moby-dick.txt ]] || scripts/fetch-corpus.sh
if [[ ! -x .jre/bin/java && -f .jre.tar.xz ]]; then tar xJf .jre.tar.xz; fi
# the trimmed libraries of scripts/gpu-lib.sh stand in for cli/target/lib when only they were carried
if [[ ! -d cli/target/lib && -d work-area/gpulib ]]; then mkdir -p cli/target && cp -r work-area/gpulib cli/target/lib; fi
if [[ -x .jre/bin/java && -f cli/target/xlstm-cli.jar ]]; then
  xlstm=(.jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
         -XX:MaxDirectMemorySize=1024g -Dai.djl.offline=true -DDJL_CACHE_DIR=work-area/djl-cache
         ${XLSTM_JAVA_OPTS:-} -cp "cli/target/lib/*:cli/target/xlstm-cli.jar" xlstm.cli.Main)
else
  xlstm=(./xlstm)
fi

# probe: 6 steps, the last 3 timed by the trainer (tokens/s in metrics.csv)
probe=work-area/runs/moby-dick-probe
rm -rf "$probe"
"${xlstm[@]}" train --config "$config" --out "$probe" --steps 6 --no-progress >/dev/null
tok_s=$(tail -n 3 "$probe/metrics.csv" | awk -F, '{print $NF}' | sort -g | sed -n 2p)
tokens_per_step=$((16 * 256))
steps=$(awk -v b="$budget" -v t="$tok_s" -v n="$tokens_per_step" 'BEGIN { s = int(b * t / n); print (s < 200 ? 200 : s) }')
echo "train-default-model: $tok_s tokens/s in the probe; $steps steps for a budget of $budget s" >&2

rm -rf "$run"
"${xlstm[@]}" train --config "$config" --steps "$steps" --no-progress
mkdir -p models && rm -rf models/moby-dick.tmp
"${xlstm[@]}" convert "$run/model" models/moby-dick.tmp --dtype bf16
cp "$run/model/tokenizer.json" models/moby-dick.tmp/ 2>/dev/null || true
rm -rf models/moby-dick && mv models/moby-dick.tmp models/moby-dick
cp "$run/metrics.csv" "$run/loss.png" models/moby-dick/ 2>/dev/null || true
# sampling by default: greedy decoding of so small a model repeats itself
cat > models/moby-dick/generation_config.json <<'JSON'
{
  "do_sample": true,
  "temperature": 0.7,
  "top_k": 20,
  "max_new_tokens": 300
}
JSON
echo "train-default-model: models/moby-dick ($(du -sh models/moby-dick | cut -f1))" >&2
if [[ -n ${OUT:-} ]]; then
  mkdir -p "$OUT/models" && cp -r models/moby-dick "$OUT/models/"
fi
