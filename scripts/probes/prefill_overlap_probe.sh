#!/usr/bin/env bash
# Builds and runs prefill_overlap_probe.cu with this build's generated cell kernels (taken from the xlstm-generated
# jar: generated/target, or work-area/gpulib on the GPU machine, read with python3) and cuBLAS. Arguments go to the probe (blocks, rounds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
jar=$(ls generated/target/xlstm-generated-*.jar work-area/gpulib/xlstm-generated-*.jar 2>/dev/null | head -1 || true)
[[ -n $jar ]] || { echo "prefill_overlap_probe.sh: build first (no xlstm-generated jar)" >&2; exit 2; }
d=$(mktemp -d)
python3 - "$jar" "$d" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for k in ("mlstm_chunkwise_tc_states", "mlstm_chunkwise_tc_out"):
        open(f"{sys.argv[2]}/{k}.cu", "wb").write(z.read(f"xlstm/generated/cuda/{k}.cu"))
PY
nvcc -O3 -arch=sm_90 -o "$d/probe" scripts/probes/prefill_overlap_probe.cu "$d/mlstm_chunkwise_tc_states.cu" \
  "$d/mlstm_chunkwise_tc_out.cu" -lcublas
"$d/probe" "$@"
