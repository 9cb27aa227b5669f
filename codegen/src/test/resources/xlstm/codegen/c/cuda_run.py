#!/usr/bin/env python3
"""Runs the CUDA cases exported by CFamilyNumericsTest (-Dxlstm.cfamily.export=DIR) on a GPU: each .cu file is
compiled on its own by NVRTC (CuPy RawModule, sm_90 when the device is one), launched with the geometry and
arguments of its job file, and its outputs and final states are compared with the float64 interpreter's
reference: max|out-ref| <= 2e-5 + 1e-4 max|ref|; the guard tail of every buffer must come back untouched.
Usage: python3 cuda_run.py DIR   (prints one line per case, a summary, exit status 1 on any failure)."""
import struct
import sys
from pathlib import Path

import cupy as cp
import numpy as np

GUARD, SENTINEL = 16, np.float32(-7.77e30)


def read_job(data):
    glob, local, nargs = struct.unpack_from("<qqi", data, 0)
    p, args = 20, []
    for _ in range(nargs):
        (kind,) = struct.unpack_from("<i", data, p)
        p += 4
        if kind == 0:
            args.append(np.int32(struct.unpack_from("<i", data, p)[0])); p += 4
        elif kind == 1:
            args.append(np.float32(struct.unpack_from("<f", data, p)[0])); p += 4
        elif kind == 2:
            (n,) = struct.unpack_from("<q", data, p); p += 8
            args.append(cp.asarray(np.frombuffer(data, dtype="<f4", count=n, offset=p).copy())); p += 4 * n
        else:
            args.append(None)
    return glob, local, args


def read_ref(data):
    p, refs = 0, []
    while p < len(data):
        idx, n = struct.unpack_from("<iq", data, p); p += 12
        refs.append((idx, np.frombuffer(data, dtype="<f4", count=n, offset=p).astype(np.float64))); p += 4 * n
    return refs


def main(d):
    d = Path(d)
    cc = cp.cuda.Device().compute_capability
    opts = ("--std=c++17",) + (("--gpu-architecture=sm_90",) if cc == "90" else ())
    modules, failed, n = {}, [], 0
    print(f"device {cp.cuda.runtime.getDeviceProperties(0)['name'].decode()} (sm_{cc}), NVRTC options {opts}")
    for line in (d / "cases.tsv").read_text().splitlines():
        case, entry, label = line.split("\t")
        n += 1
        try:
            if entry not in modules:
                modules[entry] = cp.RawModule(code=(d / f"{entry}.cu").read_text(), options=opts,
                                              backend="nvrtc").get_function(entry)
            glob, local, args = read_job((d / f"{case}.job").read_bytes())
            modules[entry](((glob + local - 1) // local,), (local,), tuple(args))
            cp.cuda.Device().synchronize()
            worst = 0.0
            for idx, ref in read_ref((d / f"{case}.ref").read_bytes()):
                got = cp.asnumpy(args[idx])
                assert np.all(got[-GUARD:] == SENTINEL), f"argument {idx}: write past the end"
                got = got[:-GUARD].astype(np.float64)
                err, mx = float(np.max(np.abs(got - ref), initial=0)), float(np.max(np.abs(ref), initial=0))
                assert np.isfinite(err) and err <= 2e-5 + 1e-4 * mx, f"argument {idx}: max|out-ref| = {err} (max|ref| {mx})"
                worst = max(worst, err / (2e-5 + 1e-4 * mx))
            for idx, a in enumerate(args):  # guard tails of the other buffers (inputs, scratch) too
                if isinstance(a, cp.ndarray):
                    assert np.all(cp.asnumpy(a[-GUARD:]) == SENTINEL), f"argument {idx}: write past the end"
            print(f"ok   {label}  (error/tolerance {worst:.3f})")
        except Exception as e:  # noqa: BLE001 - report every case
            failed.append(label)
            print(f"FAIL {label}: {e}")
    print(f"{n - len(failed)} of {n} CUDA cases passed, {len(modules)} kernels compiled by NVRTC")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
