#!/usr/bin/env bash
# The prefill's matrix product on the GPU machine's CPU (issue 7), in one command: JMH GemmBench (512 rows of x times
# the 125M model's shapes, 768x2048, 2048x768 and 768x50304, float32 and bf16 weights) for each set of JVM flags
# given, at each thread count, next to PyTorch's torch.nn.functional.linear on the same shapes and thread counts
# (float32; its peer for the GEMM). Compare builds or flag sets only inside one run: machines differ.
#   scripts/cpu-gemm-vs-torch.sh '' '-Dxlstm.cpu.gemm.kc=128'      (from the repository root there)
# Each argument is one flag set ('' = the defaults; none given: just the defaults). Build here first:
#   mvn -B -q -o -DskipTests install -pl cli,benchmarks -am && scripts/gpu-lib.sh && scripts/jmh-lib.sh
# then carry .jre.tar.xz, work-area/gpulib, work-area/jmhlib and cli/target/xlstm-cli.jar. Environment: THREADS
# (default 16,1), DTYPES (default f32,bf16 at the first thread count, f32 at the others).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

source scripts/gpu-env.sh || exit 2
if [[ ! -d work-area/jmhlib ]]; then
  echo "cpu-gemm-vs-torch: work-area/jmhlib is missing: scripts/jmh-lib.sh (after building the benchmarks module)" >&2
  exit 2
fi
[[ $# -eq 0 ]] && set -- ''
threads=${THREADS:-16,1}
first=${threads%%,*}
cp="work-area/jmhlib/*:cli/target/lib/*"

echo "cpu-gemm-vs-torch $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) x $(nproc)"
for th in ${threads//,/ }; do
  dtypes=${DTYPES:-$([[ $th == "$first" ]] && echo f32,bf16 || echo f32)}
  for ((i = 1; i <= $#; i++)); do
    echo "=== GemmBench, $th threads, set $i [${!i}] (ms per product)"
    "$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main GemmBench -p "dtype=$dtypes" \
      -p shape=768x2048,2048x768,768x50304 -f 1 -wi 3 -i 5 -w 1 -r 1 \
      -jvmArgsAppend "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dxlstm.threads=$th ${!i}" \
      2>&1 | grep -E '^(Benchmark|GemmBench)'
  done
done

echo "=== PyTorch linear (float32, same shapes, median of repeats)"
THREADS_LIST=$threads python3 - <<'PY' || echo "cpu-gemm-vs-torch: no PyTorch here, its rows are missing"
import os, time
import torch
for th in [int(t) for t in os.environ["THREADS_LIST"].split(",")]:
    torch.set_num_threads(th)
    for (i, o) in [(768, 2048), (2048, 768), (768, 50304)]:
        x, w = torch.randn(512, i), torch.randn(o, i)
        for _ in range(3):
            torch.nn.functional.linear(x, w)
        ts = []
        for _ in range(15 if th > 1 else 5):
            t0 = time.perf_counter()
            torch.nn.functional.linear(x, w)
            ts.append(time.perf_counter() - t0)
        ts.sort()
        med = ts[len(ts) // 2]
        print(f"torch {th} threads {i}x{o}: {med * 1e3:.3f} ms, {2 * 512 * i * o / med / 1e9:.1f} GFLOP/s")
PY
