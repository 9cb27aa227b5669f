#!/usr/bin/env bash
# A/B of builds or JVM flag sets on the 7B-shaped decode step (or prefill), in one command on the GPU machine
# (issue 3): each set runs `xlstm bench --backend cuda` once per round, the rounds alternating the sets, so that every
# set sees the same machine; the median over the rounds is printed per set at the end. Speeds move between GPU
# machines by more than most changes, so compare builds or options only inside one run of this script.
#   scripts/gpu-decode-ab.sh '-Dxlstm.cuda.gemvLoads=4' ''                          (from the repository root there)
#   PREFILL=2048,8192 scripts/gpu-decode-ab.sh '' '-Dxlstm.cuda.cellSplit=false' 'cp:work-area/old-classes'
# Each argument is one set of JVM flags ('' = the defaults); a word cp:DIR puts DIR first on the class path (an older
# build's classes or kernel resources). Build here first, then carry .jre.tar.xz, work-area/gpulib
# (scripts/gpu-lib.sh) and cli/target/xlstm-cli.jar. Environment: ROUNDS (default 2), BATCH (default 1, e.g. 1,8),
# STEPS (timed decode steps, default 64), PREFILL=S,... times prefills of those lengths instead of decode steps,
# PROFILE=1 adds the launch-by-launch profile of the first set at the end.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -eq 0 ]]; then
  echo "usage: scripts/gpu-decode-ab.sh FLAGS... (each argument one set of JVM flags; '' for the defaults)" >&2
  exit 2
fi
source scripts/gpu-env.sh || exit 2
source scripts/ab-lib.sh
rounds=${ROUNDS:-2}
batch=${BATCH:-1}
steps=${STEPS:-64}
prefill=${PREFILL:-}
log=$(mktemp)

run_set() {
  ab_split_set "$1"
  XLSTM_CP_PREFIX=$AB_CP XLSTM_JAVA_OPTS="$AB_FLAGS" bash -c 'source scripts/gpu-env.sh; "${java[@]}" xlstm.cli.Main bench \
    --backend cuda --prefill "${2:-0}" --batch "$0" --decode "$1" --skip-cells' "$batch" "$( [[ -n $prefill ]] && echo 0 || echo "$steps")" "$prefill"
}

for ((round = 1; round <= rounds; round++)); do
  for ((i = 1; i <= $#; i++)); do
    echo "=== round $round, set $i [${!i}]"
    ab_keep "$i" "$( [[ -n $prefill ]] && echo '^prefill ' || echo '^decode \(device loop\)')" "$log" "$(run_set "${!i}" 2>&1)"
  done
done

echo
if [[ -n $prefill ]]; then
  echo "median ms per prefill over $rounds rounds (lower is better):"
  for ((i = 1; i <= $#; i++)); do
    for s in ${prefill//,/ }; do echo "  set $i [${!i}] $s tokens: $(ab_median "$log" "set $i: prefill *S $s " 6) ms"; done
  done
else
  echo "median ms per decode step over $rounds rounds (lower is better):"
  for ((i = 1; i <= $#; i++)); do
    for b in ${batch//,/ }; do
      echo "  set $i [${!i}] batch $b: $(ab_median "$log" "set $i: decode (device loop) *batch $b " 8)"
    done
  done
fi
rm -f "$log"

if [[ ${PROFILE:-0} == 1 ]]; then
  echo
  ab_split_set "$1"
  XLSTM_CP_PREFIX=$AB_CP XLSTM_JAVA_OPTS="$AB_FLAGS" bash -c 'source scripts/gpu-env.sh; "${java[@]}" xlstm.cli.Main bench \
    --backend cuda --prefill "${0:-0}" --batch 1 --decode "$1" --skip-cells --profile' "$prefill" "$( [[ -n $prefill ]] && echo 0 || echo 16)" 2>&1 \
    | grep -A30 'step profile\|prefill profile'
fi
