"""PyTorch's native mLSTM chunkwise forward (transformers.models.xlstm), timed with CUDA events on the GPU, for
the side-by-side with our generated kernel in scripts/gpu-check.sh. Same shape and FLOP count as
xlstm.runtime.cuda.CellBench: B 8, NH 8, S 8192, DQK 256, DV 512, chunk 64; median of repeats after warm-up.

If the transformers version has no usable native chunkwise function, says so and times the same algorithm written
here in PyTorch (marked "re-implementation")."""
import math
import sys

import torch

B, NH, S, DQK, DV, L = 8, 8, 8192, 256, 512, 64
REPEATS = 5


def flops():
    chunks = math.ceil(S / L)
    return B * NH * chunks * (2 * L * L * (DQK + DV) + 4 * L * DQK * DV)


def own_chunkwise(q, k, v, i, f, chunk):
    """The chunkwise form (as SPEC.md states it), batched over chunks with a sequential inter-chunk scan."""
    b, nh, s, dqk = q.shape
    dv = v.shape[-1]
    nc = s // chunk
    q = q.view(b, nh, nc, chunk, dqk) * dqk ** -0.5
    k = k.view(b, nh, nc, chunk, dqk)
    v = v.view(b, nh, nc, chunk, dv)
    lf = torch.nn.functional.logsigmoid(f.view(b, nh, nc, chunk).float())
    li = i.view(b, nh, nc, chunk).float()
    bc = lf.cumsum(-1)
    g = bc[..., -1]
    a = g[..., None] - bc + li
    amax = a.max(-1).values
    C = torch.zeros(b, nh, dqk, dv, device=q.device, dtype=torch.float32)
    n = torch.zeros(b, nh, dqk, device=q.device, dtype=torch.float32)
    m = torch.zeros(b, nh, device=q.device, dtype=torch.float32)
    Cs, ns, ms = [], [], []
    for c in range(nc):
        Cs.append(C); ns.append(n); ms.append(m)
        mn = torch.maximum(g[..., c] + m, amax[..., c])
        kw = k[:, :, c].float() * torch.exp(a[..., c, :] - mn[..., None])[..., None]
        fC = torch.exp(g[..., c] + m - mn)
        C = fC[..., None, None] * C + kw.transpose(-2, -1) @ v[:, :, c].float()
        n = fC[..., None] * n + kw.sum(-2)
        m = mn
    Cs, ns, ms = torch.stack(Cs, 2), torch.stack(ns, 2), torch.stack(ms, 2)
    tri = torch.tril(torch.ones(chunk, chunk, dtype=torch.bool, device=q.device))
    logd = bc[..., :, None] - bc[..., None, :] + li[..., None, :]
    logd = torch.where(tri, logd, -float("inf"))
    mintra = logd.max(-1).values
    mcomb = torch.maximum(bc + ms[..., None], mintra)
    d = torch.exp(logd - mcomb[..., None])
    w = (q.float() @ k.float().transpose(-2, -1)) * d
    beta = torch.exp(bc + ms[..., None] - mcomb)
    num = beta[..., None] * (q.float() @ Cs) + w @ v.float()
    den = beta * (q.float() @ ns[..., None]).squeeze(-1) + w.sum(-1)
    h = num / (torch.maximum(den.abs(), torch.exp(-mcomb)) + 1e-6)[..., None]
    return h.view(b, nh, s, dv)


def timed(fn):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    with torch.no_grad():
        fn()
        torch.cuda.synchronize()
        ms = []
        for _ in range(REPEATS):
            start.record()
            fn()
            end.record()
            end.synchronize()
            ms.append(start.elapsed_time(end))
    ms.sort()
    return ms[len(ms) // 2]


def main():
    dev = "cuda"
    g = torch.Generator(device=dev).manual_seed(0)
    native = None
    try:
        from transformers.models.xlstm import modeling_xlstm as mx
        native = getattr(mx, "mlstm_chunkwise_native_autograd", None)
        if native is None:
            print("torch-chunkwise: transformers has no mlstm_chunkwise_native_autograd (the xlstm package may be"
                  " installed and used instead)")
    except Exception as e:  # noqa: BLE001 - report whatever stops the import
        print(f"torch-chunkwise: cannot import transformers' xLSTM: {e}")
    for dtype in (torch.float32, torch.bfloat16):
        q = torch.randn(B, NH, S, DQK, device=dev, dtype=dtype, generator=g)
        k = torch.randn(B, NH, S, DQK, device=dev, dtype=dtype, generator=g)
        v = torch.randn(B, NH, S, DV, device=dev, dtype=dtype, generator=g)
        i = torch.randn(B, NH, S, device=dev, dtype=dtype, generator=g)
        f = torch.full((B, NH, S), 3.0, device=dev, dtype=dtype)
        name = str(dtype).replace("torch.", "")
        impl = "transformers native_autograd"
        fn = None
        if native is not None:
            fn = lambda: native(q, k, v, i, f, return_last_states=True, chunk_size=L)  # noqa: E731
            try:
                timed(fn)
            except Exception as e:  # noqa: BLE001
                print(f"torch-chunkwise: transformers' native chunkwise failed ({type(e).__name__}: {e});"
                      " timing the re-implementation instead")
                fn = None
        if fn is None:
            impl = "PyTorch re-implementation"
            fn = lambda: own_chunkwise(q, k, v, i, f, L)  # noqa: E731
        ms = timed(fn)
        print(f"torch-chunkwise {name} ({impl}): B{B} NH{NH} S{S} DQK{DQK} DV{DV} L{L}: {ms:.3f} ms,"
              f" {flops() / (ms / 1e3) / 1e12:.2f} TFLOP/s, {B * S / (ms / 1e3):.0f} tokens/s")
        del q, k, v, i, f
        torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
