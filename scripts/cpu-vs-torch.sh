#!/usr/bin/env bash
# This project on --backend cpu against PyTorch CPU eager float32 (transformers' xLSTMForCausalLM), same weights and
# thread counts, in one command on the GPU machine's CPU (16 cores, PyTorch + transformers, no Java). Issue 7.
#   scripts/cpu-vs-torch.sh            (from the repository root there)
# Build here first, then carry .jre.tar.xz, cli/target/lib and cli/target/xlstm-cli.jar:
#   ../shared/tools/gpu-jre.sh --xz && mvn -B -q -o -DskipTests -pl cli -am package
# Writes two random HF-layout checkpoints (~125M: E 768, 12 blocks; ~350M: E 1024, 24 blocks; 4 heads, vocab 50304)
# with transformers' save_pretrained, checks that both sides' logits agree, measures the copy bandwidth in Java, times
# prefill 512/2048 and decode 128 steps at batch 1/8 at 16, 4, 1 threads, and with bf16 weights (--dtype bf16 on our
# side, the model cast to bfloat16 on PyTorch's) decode b1 and prefill 512 at the top thread count (what does not fit
# in BUDGET seconds is cut and listed), and prints one table with the 1 -> 16 thread speed-ups.
# Output: $OUT (else work-area/cpu-vs-torch): table.md, results.jsonl, run.log.
# Environment: BUDGET (seconds, default 470), THREADS (default 16,4,1), CONFIGS (default 125m,350m), DTYPES (default
# f32,bf16),
# CKPT_DIR (where the checkpoints go; default work-area/cpu-vs-torch/ckpt; reused when present).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PYTHONUNBUFFERED=1

out=${OUT:-work-area/cpu-vs-torch}
ckpt=${CKPT_DIR:-work-area/cpu-vs-torch/ckpt}
mkdir -p "$out" "$ckpt"

# the carried JRE (or JAVA_HOME) and, when only they were carried, the trimmed libraries of scripts/gpu-lib.sh
source scripts/gpu-env.sh || exit 2
java_home=$JAVA_HOME
if [[ ! -f cli/target/xlstm-cli.jar || ! -d cli/target/lib ]]; then
  echo "cpu-vs-torch: cli/target/xlstm-cli.jar and cli/target/lib are missing: mvn -B -DskipTests -pl cli -am package" >&2
  exit 2
fi

{
  echo "cpu-vs-torch $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname); $("$java_home/bin/java" -version 2>&1 | head -n 1)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc); $(grep MemTotal /proc/meminfo)"
  python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'
} 2>&1 | tee -a "$out/run.log"

python3 scripts/cpu_vs_torch.py --out "$out" --ckpt "$ckpt" --java-home "$java_home" \
  --budget "${BUDGET:-470}" --threads "${THREADS:-16,4,1}" --configs "${CONFIGS:-125m,350m}" \
  --dtypes "${DTYPES:-f32,bf16}" 2>&1 | tee -a "$out/driver.log"
