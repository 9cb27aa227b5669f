#!/usr/bin/env bash
# The CUDA check on the GPU machine, in one command from the repository root:
#   scripts/gpu-check.sh [FIXTURE_DIR...]      (default: golden-tests/src/test/resources/golden/*)
# That machine has no Java and no Maven. Build here first, then carry .jre.tar.xz, cli/target/lib and
# cli/target/xlstm-cli.jar:
#   ../shared/tools/gpu-jre.sh --xz && mvn -B -q -o -DskipTests -pl cli -am package
# Steps (each runs even when an earlier one failed; the exit status is 1 when any failed):
#   1. the GPUs (nvidia-smi -L)
#   2. xlstm devices                      the ranked backends; cuda must be available and picked by auto
#   3. the driver self-test               NVRTC compile, async copies, launch and CUDA events on a saxpy
#   4. the kernel check                   every generated CUDA kernel against the Java kernels (KernelCheck)
#   5. xlstm verify ... --backend cuda    the golden fixtures with the cells and pointwise kernels on the GPU
#   6. DeviceLargeCheck                   the device-resident model (f32 and bf16 weights) against the CPU model
#   7. xlstm generate --backend cuda      greedy generation end to end on the GPU: the CPU's tokens
#   8. the peers: PyTorch's chunkwise; our products on the 7B prefill's shapes (ProductBench), then PyTorch's on
#      the same shapes and transformers' xLSTM in the 7B shape (prefill, decode; scripts/torch_7b_gpu.py); then
#      xlstm bench --backend cuda: the 7B-shaped roofline table (last lines; XLSTM_GPU_BENCH=0 skips all of step 8).
#      The products and the bench run with nvidia-smi sampling the SM clock and power (a summary line after each):
#      under the bf16 products the 700 W cap lowers the clock from 1980 to about 1470 MHz, so a product's speed
#      depends on how long the GPU has been busy; scripts/gemm-power-ab.sh (ours and PyTorch's gate|up from idle,
#      in windows) shows it, and runs here too.
#   (4b, after the kernel check: the chunkwise kernels compared on the device: tiled and tensor cores vs plain;
#    4c: our bf16 GEMV against cuBLAS on the decode products, differences and device times, and the few-row
#    tensor-core products (2 to 16 rows, gate|up with SwiGLU) against cuBLAS, RowsGemvCheck; 4d: the bf16-output
#    twins; 4e: the norms' forms for many rows against their one-row forms, NormCheck; 4f: arg-max against the CPU's;
#    4g: the top-k candidates against the CPU's, TopKCheck; 4h: draws on the device against the host sampler's,
#    SampleCheck)
# JVM flags: XLSTM_JAVA_OPTS (e.g. -Dxlstm.cuda.block=128 -Dxlstm.cuda.device=1). XLSTM_GPU_ONLY: a regular
# expression; only the steps whose names match it run (e.g. 'chunkwise|device-resident|bench').
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/gpu-env.sh || exit 2
if [[ ! -f cli/target/xlstm-cli.jar || ! -d cli/target/lib ]]; then
  echo "gpu-check: cli/target/xlstm-cli.jar and cli/target/lib are missing: mvn -B -DskipTests -pl cli -am package" >&2
  exit 2
fi

fixtures=("$@")
((${#fixtures[@]})) || fixtures=(golden-tests/src/test/resources/golden/*)
failed=()

step() { # name, command...
  local name=$1
  shift
  if [[ -n ${XLSTM_GPU_ONLY:-} ]] && ! [[ $name =~ $XLSTM_GPU_ONLY ]]; then return 0; fi
  echo
  echo "=== $name"
  local t0=$SECONDS
  "$@" 2>&1 | grep -v '^WARNING: Using incubator modules'
  local rc=${PIPESTATUS[0]}
  echo "--- $name: exit $rc ($((SECONDS - t0)) s)"
  ((rc == 0)) || failed+=("$name")
}

# nvidia-smi sampling while a command runs, then one line: the median SM clock and the power over the samples where the
# GPU drew more than 200 W (busy), and the share of those where the software power cap held the clock down
sampled() { # command...
  local log
  log=$(mktemp)
  nvidia-smi --query-gpu=clocks.sm,power.draw,clocks_event_reasons.active --format=csv,noheader,nounits -lms 100 \
    > "$log" 2>/dev/null &
  local smi=$!
  "$@"
  local rc=$?
  kill "$smi" 2>/dev/null
  wait "$smi" 2>/dev/null
  # (plain awk: the last hex digit of the reasons has bit 4, SW power cap, in 4-7 and c-f)
  awk -F', *' '$2 + 0 > 200 { print $1 + 0, $2 + 0, (index("4567cdef", tolower(substr($3, length($3)))) > 0) }' "$log" |
    sort -n | awk '{ n++; c[n] = $1; p += $2; cap += $3; if ($2 > pm) pm = $2 }
      END { if (n == 0) { print "clocks: no samples over 200 W"; exit }
            printf "clocks while busy (%d samples of 100 ms over 200 W): SM median %d MHz (min %d, max %d), power mean %.0f W, max %.0f W, power cap active in %.0f%%\n",
            n, c[int((n + 1) / 2)], c[1], c[n], p / n, pm, 100 * cap / n }'
  rm -f "$log"
  return $rc
}

echo "gpu-check $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
step "GPUs" nvidia-smi -L
step "devices" "${java[@]}" xlstm.cli.Main devices
step "CUDA driver self-test" "${java[@]}" xlstm.backends.cuda.Cuda --selftest
step "kernel check (cuda vs cpu)" "${java[@]}" xlstm.runtime.backend.KernelCheck cuda
step "chunkwise kernels compared (tiled, tensor cores vs plain)" "${java[@]}" xlstm.runtime.cuda.CellBench
step "GEMV vs cuBLAS (decode products)" "${java[@]}" xlstm.runtime.cuda.GemvCheck
step "few-row products vs cuBLAS (batched decode products)" "${java[@]}" xlstm.runtime.cuda.RowsGemvCheck
step "bf16-output twins vs float32 pointwise kernels" "${java[@]}" xlstm.runtime.cuda.Bf16OutCheck
step "norms for many rows vs one row a block" "${java[@]}" xlstm.runtime.cuda.NormCheck
step "arg-max on the device vs the CPU's" "${java[@]}" xlstm.runtime.cuda.ArgmaxCheck
step "top-k candidates on the device vs the CPU's" "${java[@]}" xlstm.runtime.cuda.TopKCheck
step "draws on the device vs the host sampler's" "${java[@]}" xlstm.runtime.cuda.SampleCheck
step "verify --backend cuda" "${java[@]}" xlstm.cli.Main verify "${fixtures[@]}" --backend cuda
# the whole model on the GPU (DeviceLarge): against the CPU model, then generation end to end
step "device-resident model vs CPU" "${java[@]}" xlstm.runtime.cuda.DeviceLargeCheck models/moby-dick \
  golden-tests/src/test/resources/golden/hf_xlstm_small/hf
# the peer figure for its bf16 rows: PyTorch's bf16 model against its float32 model on the same checkpoints
step "PyTorch bf16 drift (peer of the device-resident bf16 rows)" python3 scripts/torch_bf16_drift.py models/moby-dick \
  golden-tests/src/test/resources/golden/hf_xlstm_small/hf
# generation end to end on the GPU (float32 weights) against the CPU: the same greedy tokens. Token ids and a
# checkpoint without tokenizer.json, as the trimmed libraries of gpu-lib.sh have no tokenizer for text
# (one prompt, then a batch of two: greedy tokens from the device's arg-max, with steps queued ahead of the host;
# 1, 2 and 32 new tokens, the queue's edges; then, 32 new tokens, a copy of the checkpoint whose end-of-sequence token is the third
# token the first prompt generates (42), so that a row ends while steps for it are queued and the other row goes on)
gen_check() {
  local model=golden-tests/src/test/resources/golden/hf_xlstm_small/hf a b ok=0 eos
  eos=$(mktemp -d)
  cp $model/config.json $model/model.safetensors "$eos"/
  echo '{"bos_token_id": 0, "eos_token_id": 42, "pad_token_id": 1}' > "$eos"/generation_config.json
  for m in $model "$eos"; do
    for prompts in "--prompt-ids 1,2,3" "--prompt-ids 1,2,3 --prompt-ids 7,5,3,1"; do
      for n in $([[ $m == "$eos" ]] && echo 32 || echo 1 2 32); do
        a=$("${java[@]}" xlstm.cli.Main generate --model "$m" $prompts -n $n --backend cuda --dtype f32) || return 1
        b=$("${java[@]}" xlstm.cli.Main generate --model "$m" $prompts -n $n --backend cpu) || return 1
        echo "$([[ $m == "$eos" ]] && echo "eos 42, ")$prompts -n $n"
        echo "cuda: $a"
        echo "cpu:  $b"
        [[ $a == "$b" ]] || ok=1
      done
    done
  done
  rm -rf "$eos"
  # sampling on the GPU: the device's draw (default, steps queued ahead), the draw on the host from the device's
  # top-k candidates, and from the logits must give the same tokens (same seed)
  for p in "--temperature 0.9" "--temperature 0.9 --top-p 0.9" "--temperature 0.9 --top-k 5" \
           "--temperature 0.9 --top-k 50 --top-p 0.9" "--temperature 1.2 --top-p 0.8 --prompt-ids 9,9"; do
    local run=("${java[@]}" xlstm.cli.Main generate --model $model --prompt-ids 1,2,3 --prompt-ids 7,5,3,1 -n 32 \
      --backend cuda --dtype f32 --seed 5 $p)
    a=$("${run[@]}") || return 1
    b=$("${java[0]}" -Dxlstm.cuda.drawOnDevice=false "${run[@]:1}") || return 1
    c=$("${java[0]}" -Dxlstm.cuda.drawOnDevice=false -Dxlstm.cuda.topKOnDevice=false "${run[@]:1}") || return 1
    echo "sampling $p, seed 5"
    echo "drawn on the device:   $a"
    echo "host, top-k on device: $b"
    echo "host, from the logits: $c"
    [[ $a == "$b" && $b == "$c" ]] || ok=1
  done
  return $ok
}
step "generate --backend cuda (greedy tokens as on the cpu; drawn on the device as on the host)" gen_check
if [[ ${XLSTM_GPU_BENCH:-1} != 0 ]]; then
  step "PyTorch native chunkwise (for the kernel row below)" python3 scripts/torch_chunkwise.py
  # ours right before PyTorch's: GEMM speed follows the GPU's temperature, so the two run in like conditions
  step "our cuBLAS products on the 7B prefill's shapes" sampled "${java[@]}" xlstm.runtime.cuda.ProductBench
  step "PyTorch: its products on the same shapes, transformers' xLSTM in the 7B shape (peers of the model rows)" \
    sampled python3 scripts/torch_7b_gpu.py
  step "gate|up from idle, ours and PyTorch's, in windows of 20 (the power cap's effect)" \
    env ROUNDS=1 WINDOWS=40 scripts/gemm-power-ab.sh
  step "bench --backend cuda" sampled "${java[@]}" xlstm.cli.Main bench --backend cuda --prefill 2048,8192 \
    --batch 1,2,4,8,64,256 --decode 32
fi

echo
if ((${#failed[@]})); then
  echo "gpu-check: FAILED: ${failed[*]}"
  exit 1
fi
echo "gpu-check: all steps passed"
