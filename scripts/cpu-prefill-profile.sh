#!/usr/bin/env bash
# Where a CPU prefill spends its time (issue 7), in one command on the GPU machine's CPU: `xlstm bench --backend cpu`
# (prefill only, the ~125M xLSTM Large of scripts/cpu-prefill-ab.sh, random weights) under Java Flight Recorder, then
# the hottest methods (scripts/jfr-top.py): by self time, and by the first method of ours outside the thread pool.
#   scripts/cpu-prefill-profile.sh [JVM flags...]           (from the repository root there)
# Build here first, then carry .jre.tar.xz, work-area/gpulib (scripts/gpu-lib.sh) and cli/target/xlstm-cli.jar.
# Environment: THREADS (default 16), PREFILL (default 512), DTYPE (default f32), REPEATS (default 20),
# CONFIG (E,blocks,heads; default 768,12,4). The recording stays in work-area/prefill-profile.jfr.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rec=work-area/prefill-profile.jfr
XLSTM_JAVA_OPTS="$* -Dxlstm.threads=${THREADS:-16} -XX:StartFlightRecording=filename=$rec,settings=profile"
source scripts/gpu-env.sh || exit 2
IFS=, read -r e blocks heads <<<"${CONFIG:-768,12,4}"
model=work-area/prefill-ab/model-$e-$blocks-$heads
if [[ ! -f $model/config.json ]]; then
  # scripts/cpu-prefill-ab.sh writes the model; with ROUNDS=0 it does only that
  ROUNDS=0 CONFIG="$e,$blocks,$heads" scripts/cpu-prefill-ab.sh '' >/dev/null || exit 1
fi
"${java[@]}" xlstm.cli.Main bench --backend cpu --model "$model" --dtype "${DTYPE:-f32}" --prefill "${PREFILL:-512}" \
  --decode 0 --skip-cells --warmup 3 --repeats "${REPEATS:-20}" 2>&1 | grep -E '^prefill'
python3 scripts/jfr-top.py "$JAVA_HOME" "$rec" 25
