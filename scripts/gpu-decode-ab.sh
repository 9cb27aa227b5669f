#!/usr/bin/env bash
# A/B of JVM flag sets on the 7B-shaped decode step, in one command on the GPU machine (issue 3): each flag set runs
# `xlstm bench --backend cuda` (decode only) once per round, the rounds alternating the sets, so that every set sees
# the same machine; the median over the rounds is printed per set at the end. Speeds move between GPU machines by
# more than most changes, so compare builds or options only inside one run of this script.
#   scripts/gpu-decode-ab.sh '-Dxlstm.cuda.gemvLoads=4' ''        (from the repository root there)
# Each argument is one flag set ('' = the defaults). Build here first, then carry .jre.tar.xz, work-area/gpulib
# (scripts/gpu-lib.sh) and cli/target/xlstm-cli.jar. Environment: ROUNDS (default 2), BATCH (default 1, e.g. 1,8),
# STEPS (timed decode steps, default 64), PROFILE=1 adds the launch-by-launch profile of the first set at the end.
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
log=$(mktemp)

for ((round = 1; round <= rounds; round++)); do
  for ((i = 1; i <= $#; i++)); do
    flags=${!i}
    echo "=== round $round, set $i [${flags}]"
    out=$(XLSTM_JAVA_OPTS="$flags" bash -c 'source scripts/gpu-env.sh; "${java[@]}" xlstm.cli.Main bench \
      --backend cuda --prefill 0 --batch "$0" --decode "$1" --skip-cells' "$batch" "$steps" 2>&1)
    ab_keep "$i" '^decode \(device loop\)' "$log" "$out"
  done
done

echo
echo "median ms per decode step over $rounds rounds (lower is better):"
for ((i = 1; i <= $#; i++)); do
  for b in ${batch//,/ }; do
    echo "  set $i [${!i}] batch $b: $(ab_median "$log" "set $i: decode (device loop) *batch $b " 8)"
  done
done
rm -f "$log"

if [[ ${PROFILE:-0} == 1 ]]; then
  echo
  XLSTM_JAVA_OPTS="$1" bash -c 'source scripts/gpu-env.sh; "${java[@]}" xlstm.cli.Main bench --backend cuda \
    --prefill 0 --batch 1 --decode 16 --skip-cells --profile' 2>&1 | grep -A25 'decode step profile'
fi
