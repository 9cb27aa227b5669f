#!/usr/bin/env bash
# Is the gap between our gate|up product and PyTorch's (4096 -> 21888, 8192 tokens, bf16) the code or the GPU's
# state? On the GPU machine, from the repository root (carry as for scripts/gpu-check.sh): alternates ours
# (ProductBench's window mode) and PyTorch's (torch_7b_gpu.py --windows), each after the GPU has idled IDLE seconds
# (default 8), ROUNDS times (default 2), WINDOWS windows of 20 products each (default 40), while nvidia-smi logs the
# SM clock, power and temperature every 200 ms (to $OUT/gemm-power-smi.csv when $OUT is set).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/gpu-env.sh || exit 2
idle=${IDLE:-8}
rounds=${ROUNDS:-2}
windows=${WINDOWS:-40}
smi_log=${OUT:-/tmp}/gemm-power-smi.csv
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,clocks_event_reasons.active \
  --format=csv -lms 200 > "$smi_log" 2>&1 &
smi=$!
for ((r = 1; r <= rounds; r++)); do
  for who in ours torch; do
    sleep "$idle"
    echo "=== round $r, $who, $(date -u +%H:%M:%S.%N | cut -c1-12)"
    if [[ $who == ours ]]; then
      "${java[@]}" xlstm.runtime.cuda.ProductBench 8192 4096-\>21888 "$windows" 2>&1 | grep -E '^(window|cuBLAS)'
    else
      python3 scripts/torch_7b_gpu.py --windows "$windows" 2>&1 | grep -E '^(window|torch)'
    fi
  done
done
kill "$smi" 2>/dev/null
echo "=== nvidia-smi log: $smi_log ($(wc -l < "$smi_log") lines)"
