#!/usr/bin/env python3
"""Would an int8 weight-only option keep the fixtures' greedy tokens? (issue 7)

Rounds every 2-D weight of a safetensors file except embeddings to int8 with one float scale per output row, or per
N inputs of a row with --group N (symmetric: scale = max|w| / 127, w = round(w / scale) * scale), and writes the
result back as float32, so that `./xlstm verify` runs the quantised function with the ordinary float kernels:

    cp -r golden-tests/src/test/resources/golden/hf_xlstm_bf16 /tmp/q
    python3 scripts/int8_greedy_check.py /tmp/q/hf/model.safetensors /tmp/q/hf/model.safetensors [--group 32]
    ./xlstm verify /tmp/q          # the logits fail their float32 tolerance; look at the gen_tokens line

Needs numpy. Not a test: the results are in the README (section "CPU: decode pool settings, int8 weights, first
check"): xlstm_large_small and hf_xlstm_small keep their tokens, hf_xlstm_bf16 does not (per row, groups of 64, 32).
"""
import json
import struct
import sys

import numpy as np


def read(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", None)
    tensors = {}
    for name, v in header.items():
        a, b = v["data_offsets"]
        buf = raw[8 + n + a:8 + n + b]
        if v["dtype"] == "BF16":
            arr = (np.frombuffer(buf, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(buf, dtype={"F32": np.float32, "F64": np.float64, "I64": np.int64}[v["dtype"]])
        tensors[name] = arr.reshape(v["shape"])
    return tensors, meta


def quantise_rows(w, group=0):
    out, n = w.shape
    g = group if group and n % group == 0 else n  # a row whose length the group does not divide: one scale
    r = w.reshape(out, n // g, g)
    scale = np.abs(r).max(axis=2, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return (np.clip(np.rint(r / scale), -127, 127) * scale).reshape(out, n).astype(np.float32)


def write(path, tensors, meta):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr).tobytes()
        dtype = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}[arr.dtype]
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [off, off + len(data)]}
        off += len(data)
        blobs.append(data)
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    args = sys.argv[1:]
    group = 0
    if len(args) == 4 and args[2] == "--group" and args[3].isdigit():
        group = int(args[3])
        args = args[:2]
    if len(args) != 2:
        sys.exit("usage: int8_greedy_check.py IN.safetensors OUT.safetensors [--group N]")
    tensors, meta = read(args[0])
    count = 0
    for name, arr in tensors.items():
        if arr.ndim == 2 and arr.dtype == np.float32 and "emb" not in name:
            tensors[name] = quantise_rows(arr, group)
            count += 1
    write(args[1], tensors, meta)
    per = f"per {group} inputs" if group else "per output row"
    print(f"{args[0]}: {count} matrices rounded to int8 {per}")


if __name__ == "__main__":
    main()
