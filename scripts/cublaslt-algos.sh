#!/usr/bin/env bash
# Builds and runs scripts/cublaslt-algos.cu on the GPU machine (from the repository root): cuBLASLt's candidate
# algorithms for the 7B prefill's largest products, timed once the GPU runs at its power cap, beside cublasGemmEx.
# cuBLAS's headers and libraries come from the CUDA toolkit when it has them, else from PyTorch's wheels
# (site-packages/nvidia/cublas).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
inc= lib=
for d in /usr/local/cuda $(python3 -c 'import site; print(" ".join(p + "/nvidia/cublas" for p in site.getsitepackages()))' 2>/dev/null); do
  if [[ -f $d/include/cublasLt.h ]]; then
    inc=$d/include
    lib=$(dirname "$(ls "$d"/lib*/libcublasLt.so* | head -n 1)")
    break
  fi
done
[[ -n $inc ]] || { echo "cublaslt-algos: no cublasLt.h (CUDA toolkit or PyTorch's nvidia-cublas wheel)" >&2; exit 2; }
out=${TMPDIR:-/tmp}/cublaslt-algos
nvcc -O2 -std=c++17 -arch=sm_90 -o "$out" scripts/cublaslt-algos.cu -I"$inc" -L"$lib" \
  -l:"$(basename "$(ls "$lib"/libcublasLt.so* | head -n 1)")" -l:"$(basename "$(ls "$lib"/libcublas.so* | head -n 1)")"
LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$out"
