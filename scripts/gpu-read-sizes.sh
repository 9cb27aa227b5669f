#!/usr/bin/env bash
# On the GPU machine (issue 3): the fastest read-only kernel at each size of the 7B decode step's products
# (scripts/gpu-read-sizes.cu), then the launch-by-launch profile of a batch-1 decode step, so that each product's
# time can be set against a kernel that reads the same bytes alone. Needs nvcc there; carry .jre.tar.xz,
# work-area/gpulib (scripts/gpu-lib.sh) and cli/target/xlstm-cli.jar for the profile.
#   scripts/gpu-read-sizes.sh > $OUT/read-sizes.log
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=$(mktemp)
nvcc -arch=sm_90 -O3 -o "$bin" scripts/gpu-read-sizes.cu || exit 2
"$bin"
rm -f "$bin"
source scripts/gpu-env.sh || exit 2
"${java[@]}" xlstm.cli.Main bench --backend cuda --prefill 0 --batch 1 --decode 32 --skip-cells --profile 2>&1 \
  | grep -A40 '^phase\|step profile'
