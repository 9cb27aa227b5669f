#!/usr/bin/env bash
# A/B of JVM flag sets on the 7B-shaped prefill, in one command on the GPU machine (issue 3): each flag set runs
# `xlstm bench --backend cuda` (prefill only) once per round, the rounds alternating the sets, so that every set sees
# the same machine; the median over the rounds is printed per set and prompt length at the end. Compare builds or
# options only inside one run of this script (speeds move between GPU machines).
#   scripts/gpu-prefill-ab.sh '' '-Dxlstm.cuda.cellSplit=false'        (from the repository root there)
# Each argument is one flag set ('' = the defaults). Build here first, then carry .jre.tar.xz, work-area/gpulib
# (scripts/gpu-lib.sh) and cli/target/xlstm-cli.jar. Environment: ROUNDS (default 2), PREFILL (default 2048,8192).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -eq 0 ]]; then
  echo "usage: scripts/gpu-prefill-ab.sh FLAGS... (each argument one set of JVM flags; '' for the defaults)" >&2
  exit 2
fi
source scripts/gpu-env.sh || exit 2
source scripts/ab-lib.sh
rounds=${ROUNDS:-2}
prefill=${PREFILL:-2048,8192}
log=$(mktemp)

for ((round = 1; round <= rounds; round++)); do
  for ((i = 1; i <= $#; i++)); do
    flags=${!i}
    echo "=== round $round, set $i [${flags}]"
    out=$(XLSTM_JAVA_OPTS="$flags" bash -c 'source scripts/gpu-env.sh; "${java[@]}" xlstm.cli.Main bench \
      --backend cuda --prefill "$0" --decode 0 --skip-cells' "$prefill" 2>&1)
    ab_keep "$i" '^prefill ' "$log" "$out"
  done
done

echo
echo "median ms per prefill over $rounds rounds (lower is better):"
for ((i = 1; i <= $#; i++)); do
  for s in ${prefill//,/ }; do
    echo "  set $i [${!i}] $s tokens: $(ab_median "$log" "set $i: prefill *S $s " 6) ms"
  done
done
rm -f "$log"
