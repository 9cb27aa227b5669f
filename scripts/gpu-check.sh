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
# JVM flags: XLSTM_JAVA_OPTS (e.g. -Dxlstm.cuda.block=128 -Dxlstm.cuda.device=1).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -x .jre/bin/java && -f .jre.tar.xz ]]; then
  tar xJf .jre.tar.xz || { echo "gpu-check: cannot unpack .jre.tar.xz" >&2; exit 2; }
fi
if [[ -x .jre/bin/java ]]; then
  export JAVA_HOME=$PWD/.jre
elif [[ -z ${JAVA_HOME:-} || ! -x ${JAVA_HOME:-}/bin/java ]]; then
  echo "gpu-check: no Java: carry .jre.tar.xz (../shared/tools/gpu-jre.sh --xz) or set JAVA_HOME" >&2
  exit 2
fi
# the trimmed libraries of scripts/gpu-lib.sh stand in for cli/target/lib when only they were carried
if [[ ! -d cli/target/lib && -d work-area/gpulib ]]; then mkdir -p cli/target && cp -r work-area/gpulib cli/target/lib; fi
if [[ ! -f cli/target/xlstm-cli.jar || ! -d cli/target/lib ]]; then
  echo "gpu-check: cli/target/xlstm-cli.jar and cli/target/lib are missing: mvn -B -DskipTests -pl cli -am package" >&2
  exit 2
fi

fixtures=("$@")
((${#fixtures[@]})) || fixtures=(golden-tests/src/test/resources/golden/*)
# as ./xlstm runs the CLI
java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -XX:MaxDirectMemorySize=1024g -Dai.djl.offline=true -DDJL_CACHE_DIR=work-area/djl-cache
      ${XLSTM_JAVA_OPTS:-} -cp "cli/target/lib/*:cli/target/xlstm-cli.jar")
failed=()

step() { # name, command...
  local name=$1
  shift
  echo
  echo "=== $name"
  local t0=$SECONDS
  "$@" 2>&1 | grep -v '^WARNING: Using incubator modules'
  local rc=${PIPESTATUS[0]}
  echo "--- $name: exit $rc ($((SECONDS - t0)) s)"
  ((rc == 0)) || failed+=("$name")
}

echo "gpu-check $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname); $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"
step "GPUs" nvidia-smi -L
step "devices" "${java[@]}" xlstm.cli.Main devices
step "CUDA driver self-test" "${java[@]}" xlstm.backends.cuda.Cuda --selftest
step "kernel check (cuda vs cpu)" "${java[@]}" xlstm.runtime.backend.KernelCheck cuda
step "verify --backend cuda" "${java[@]}" xlstm.cli.Main verify "${fixtures[@]}" --backend cuda

echo
if ((${#failed[@]})); then
  echo "gpu-check: FAILED: ${failed[*]}"
  exit 1
fi
echo "gpu-check: all steps passed"
