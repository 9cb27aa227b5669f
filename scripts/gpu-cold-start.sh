#!/usr/bin/env bash
# First-use cost of the CUDA kernels (a benchmark, not a test): `xlstm generate --backend cuda` on the small fixture
# checkpoint hf_xlstm_small (so that loading weights costs next to nothing; prompt ids, so no tokenizer), a fresh JVM
# a run, in three ways, in turns:
#   cold:          the driver's JIT cache off (CUDA_CACHE_DISABLE=1), as on a fresh container or after a driver update
#   cold, NVRTC:   the same without the build-time cubins of the plumbing kernels (-Dxlstm.cuda.prebuilt=false)
#   warm:          the JIT cache on and already filled by an earlier run
# Prints each run's wall time and the command's own "loaded in ... first token after ..." line, then the medians.
# Carry and build as for scripts/gpu-check.sh. Environment: ROUNDS (default 3).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/gpu-env.sh || exit 2
rounds=${ROUNDS:-3}
model=golden-tests/src/test/resources/golden/hf_xlstm_small/hf
declare -A walls=() firsts=()
run() { # label, environment, JVM flags
  local t0 t1 line
  t0=$(date +%s%N)
  line=$(env $2 "${java[0]}" $3 "${java[@]:1}" xlstm.cli.Main generate --model "$model" --backend cuda \
    --prompt-ids 1,2,3 -n 32 2>&1 >/dev/null | grep -E '^loaded in')
  t1=$(date +%s%N)
  local wall first
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  first=$(sed -E 's/.*first token after ([0-9.]+) s.*/\1/' <<<"$line")
  echo "$1: wall $wall s; $line"
  walls[$1]+="$wall " firsts[$1]+="$first "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "== $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1), $(date -u +%Y-%m-%dT%H:%MZ)"
run "warm-up (fills the JIT cache)" "CUDA_CACHE_DISABLE=0" "" >/dev/null
for ((r = 1; r <= rounds; r++)); do
  run "cold" "CUDA_CACHE_DISABLE=1" ""
  run "cold, NVRTC" "CUDA_CACHE_DISABLE=1" "-Dxlstm.cuda.prebuilt=false"
  run "warm" "CUDA_CACHE_DISABLE=0" ""
done
echo "== medians of $rounds runs (wall s / first token after s):"
for k in "cold" "cold, NVRTC" "warm"; do
  echo "  $k: $(median <<<"${walls[$k]}") / $(median <<<"${firsts[$k]}")"
done
