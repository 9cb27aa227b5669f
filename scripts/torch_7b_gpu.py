"""The PyTorch peer of scripts/gpu-check.sh's 7B table (xlstm bench --backend cuda): the same H200, the xLSTM 7B
shape, random bf16 weights, timed with CUDA events after warm-up, median of repeats.

    python3 scripts/torch_7b_gpu.py [--skip-model] [--skip-products]
    python3 scripts/torch_7b_gpu.py --windows N      (only 3. below)

1. cuBLAS through PyTorch on our products' shapes: F.linear of bf16 x (8192, K) and w (N, K); ms and TFLOP/s, median
   of 20 after 5 warm-ups, and the sum over one block's seven products (q, k, v, o, out, gate|up fused, down).
2. transformers' xLSTMForCausalLM in the 7B shape (eager, its native kernels, random weights built on the GPU in
   bf16), under inference_mode: prefill of 2048 and 8192 tokens (batch 1, full logits of every position as a plain
   forward gives, and the cache for generation), median of 3 after 1 warm-up; decode of batch 1 and 8 after a 16-token
   prompt: 8 warm-up steps, then 32 steps between two CUDA events (median of 3 such loops), each step fed the argmax of
   the last one on the device, the cache passed back as generate() does.
3. With --windows N: the gate|up product alone (K 4096, N 21888), N windows back to back, each the median of 20
   products between events, printed with the seconds since the first: how its speed moves while the GPU warms up
   (scripts/gemm-power-ab.sh runs it beside ProductBench's same mode).
Every measurement fails soft ("torch peer: <what>: skipped: <reason>"); the summary block at the end always prints,
"-" where skipped. Exit status 1 when something asked for was skipped, else 0."""
import argparse
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except Exception as _e:  # noqa: BLE001 - reported in main
    torch, _TORCH_ERROR = None, _e

M = 8192  # tokens of the products
HIDDEN, FFN, VOCAB, BLOCKS = 4096, 10944, 50304, 32
# (name, K, N); the per-block sum counts q/k twice and v/o/out three times
SHAPES = [("q/k", HIDDEN, 2048), ("v/o/out", HIDDEN, HIDDEN), ("gate+up", HIDDEN, 2 * FFN), ("down", FFN, HIDDEN)]
PER_BLOCK = {"q/k": 2, "v/o/out": 3, "gate+up": 1, "down": 1}
PREFILL = (2048, 8192)
DECODE_BATCHES = (1, 8)
PROMPT, DECODE_WARMUP, DECODE_STEPS, DECODE_LOOPS = 16, 8, 32, 3

# The xLSTM 7B config; names not in this transformers' xLSTMConfig are dropped (and said so)
WANTED = dict(vocab_size=VOCAB, hidden_size=HIDDEN, embedding_dim=HIDDEN, num_blocks=BLOCKS, num_hidden_layers=BLOCKS,
              num_heads=8, qk_dim_factor=0.5, v_dim_factor=1.0, ffn_proj_factor=2.667, ffn_round_up_to_multiple_of=64,
              gate_soft_cap=15.0, output_logit_soft_cap=30.0, use_bias=False, tie_word_embeddings=False,
              chunk_size=64, mode="inference", chunkwise_kernel="chunkwise--native_autograd",
              sequence_kernel="native_sequence__native", step_kernel="native", return_last_states=True,
              inference_state_dtype="float32", autocast_kernel_dtype="bfloat16", norm_eps=1e-6, weight_mode="single",
              use_cache=True)

skipped = []


def skip(what, e):
    lines = str(e).strip().splitlines()
    print(f"torch peer: {what}: skipped: {type(e).__name__}{': ' + lines[0][:240] if lines else ''}", flush=True)
    skipped.append(what)
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def timed(fn, warmup, repeats):
    """Median ms of `repeats` calls, each between its own pair of CUDA events, after `warmup` calls; one sync at the
    end, so the GPU is not left idle between repeats."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(repeats)]
    for start, end in events:
        start.record()
        fn()
        end.record()
    torch.cuda.synchronize()
    return statistics.median(start.elapsed_time(end) for start, end in events)


def products(res):
    g = torch.Generator(device="cuda").manual_seed(0)
    ms = {}
    for name, k, n in SHAPES:
        try:
            x = torch.randn(M, k, device="cuda", dtype=torch.bfloat16, generator=g)
            w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16, generator=g) * 0.02
            t = timed(lambda: F.linear(x, w), 5, 20)
            ms[name] = t
            res[f"products {name} {k}->{n}"] = f"{t:.3f} ms, {2 * M * n * k / (t / 1e3) / 1e12:.1f} TFLOP/s"
            print(f"products {name}: M {M} K {k} N {n}: {t:.3f} ms, {2 * M * n * k / (t / 1e3) / 1e12:.1f} TFLOP/s",
                  flush=True)
            del x, w
        except Exception as e:  # noqa: BLE001
            skip(f"products {name} {k}->{n}", e)
    if len(ms) == len(SHAPES):
        block = sum(PER_BLOCK[name] * ms[name] for name, _, _ in SHAPES)
        flops = sum(PER_BLOCK[name] * 2 * M * n * k for name, k, n in SHAPES)
        res["products per block"] = (f"{block:.3f} ms, {BLOCKS} blocks: {BLOCKS * block:.2f} ms,"
                                     f" {flops / (block / 1e3) / 1e12:.1f} TFLOP/s")
    else:
        skip("products per block", RuntimeError("a shape above was skipped"))
    torch.cuda.empty_cache()


def windows(n):
    g = torch.Generator(device="cuda").manual_seed(0)
    x = torch.randn(M, HIDDEN, device="cuda", dtype=torch.bfloat16, generator=g)
    w = torch.randn(2 * FFN, HIDDEN, device="cuda", dtype=torch.bfloat16, generator=g) * 0.02
    flop = 2 * M * 2 * FFN * HIDDEN
    for _ in range(5):
        F.linear(x, w)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for i in range(n):
        t = timed(lambda: F.linear(x, w), 0, 20)
        print(f"window {i} at {time.perf_counter() - t0:.2f} s: gate+up {HIDDEN}->{2 * FFN}: {t:.3f} ms,"
              f" {flop / (t / 1e3) / 1e12:.1f} TFLOP/s", flush=True)


def build_model():
    from transformers import xLSTMConfig, xLSTMForCausalLM
    from transformers.models.xlstm import modeling_xlstm
    known = xLSTMConfig()  # a default instance: which names this version has
    kw = {k: v for k, v in WANTED.items() if hasattr(known, k)}
    dropped = sorted(set(WANTED) - set(kw))
    cfg = xLSTMConfig(**kw)
    print("config used:", {k: getattr(cfg, k) for k in kw}, flush=True)
    if dropped:
        print("config names this transformers lacks (dropped):", dropped)
    # the external `xlstm` package, when installed, replaces transformers' own blocks and kernels
    print("external xlstm package:", getattr(modeling_xlstm, "external_xlstm", "?"))
    t0 = time.time()
    # straight on the GPU in bf16: no float32 copy on the host (6.9e9 parameters would be 28 GB)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device("cuda"):
            model = xLSTMForCausalLM(cfg)
    finally:
        torch.set_default_dtype(old)
    model.eval()
    params = list(model.parameters())
    with torch.no_grad():
        bad = [p for p in params if not torch.isfinite(p).all()]
        if bad:  # speed does not depend on the values, but NaNs could take other paths: plain normal init then
            print(f"{len(bad)} parameter tensors not finite after transformers' init: normal(0, 0.02) for all")
            for p in params:
                torch.nn.init.normal_(p, std=0.02)
    torch.cuda.synchronize()
    n = sum(p.numel() for p in params)
    gb = sum(p.numel() * p.element_size() for p in params) / 1e9
    print(f"model: {n / 1e9:.3f}e9 parameters, {gb:.2f} GB ({params[0].dtype}), built in {time.time() - t0:.1f} s;"
          f" GPU memory allocated {torch.cuda.memory_allocated() / 1e9:.1f} GB", flush=True)
    return model


def prefill(model, res, tokens):
    g = torch.Generator(device="cuda").manual_seed(tokens)
    ids = torch.randint(0, VOCAB, (1, tokens), device="cuda", generator=g)

    # the model makes a fresh xLSTMCache for each call (the state from zero) and returns it as cache_params
    out = model(input_ids=ids, use_cache=True)  # the warm-up, also checked for finite logits and a cache
    finite = bool(torch.isfinite(out.logits[:, -1]).all())
    has_cache = out.cache_params is not None
    del out

    def run():
        model(input_ids=ids, use_cache=True)

    t = timed(run, 0, 3)
    res[f"prefill {tokens} tokens"] = f"{t:.1f} ms, {tokens / (t / 1e3):.0f} tokens/s"
    print(f"prefill {tokens} tokens: {t:.1f} ms, {tokens / (t / 1e3):.0f} tokens/s (last logits finite: {finite},"
          f" cache returned: {has_cache})", flush=True)
    torch.cuda.empty_cache()


def decode(model, res, batch):
    g = torch.Generator(device="cuda").manual_seed(100 + batch)
    ids = torch.randint(0, VOCAB, (batch, PROMPT), device="cuda", generator=g)
    out = model(input_ids=ids, use_cache=True)
    # as generate() does: the cache object goes back in (updated in place) with only the newest token;
    # xLSTM's forward takes no cache_position (the cache keeps seqlen_offset itself)
    state = {"cache": out.cache_params, "tok": out.logits[:, -1:].argmax(-1)}  # (batch, 1), stays on the device
    del out

    def step():
        o = model(input_ids=state["tok"], cache_params=state["cache"], use_cache=True)
        state["cache"], state["tok"] = o.cache_params, o.logits[:, -1:].argmax(-1)

    for _ in range(DECODE_WARMUP):
        step()
    torch.cuda.synchronize()
    per_step = []
    for _ in range(DECODE_LOOPS):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(DECODE_STEPS):
            step()
        end.record()
        end.synchronize()
        per_step.append(start.elapsed_time(end) / DECODE_STEPS)
    t = statistics.median(per_step)
    res[f"decode batch {batch}"] = f"{t:.2f} ms/step, {batch / (t / 1e3):.1f} tokens/s"
    print(f"decode batch {batch}: {t:.2f} ms/step, {batch / (t / 1e3):.1f} tokens/s ({DECODE_STEPS} steps a loop,"
          f" loops {', '.join(f'{x:.2f}' for x in per_step)} ms/step)", flush=True)
    del state
    torch.cuda.empty_cache()


def model_rows(res):
    try:
        model = build_model()
    except Exception as e:  # noqa: BLE001
        skip("model", e)
        return
    with torch.inference_mode():
        for tokens in PREFILL:
            try:
                prefill(model, res, tokens)
            except Exception as e:  # noqa: BLE001
                skip(f"prefill {tokens} tokens", e)
        for batch in DECODE_BATCHES:
            try:
                decode(model, res, batch)
            except Exception as e:  # noqa: BLE001
                skip(f"decode batch {batch}", e)
    del model
    torch.cuda.empty_cache()


def summary(res):
    print("\n=== torch peer summary")
    for name, k, n in SHAPES:
        print(f"torch peer: products {name} {k}->{n}: {res.get(f'products {name} {k}->{n}', '- ms, - TFLOP/s')}")
    print(f"torch peer: products per block: {res.get('products per block', f'- ms, {BLOCKS} blocks: - ms, - TFLOP/s')}")
    for tokens in PREFILL:
        print(f"torch peer: prefill {tokens} tokens: {res.get(f'prefill {tokens} tokens', '- ms, - tokens/s')}")
    for batch in DECODE_BATCHES:
        print(f"torch peer: decode batch {batch}: {res.get(f'decode batch {batch}', '- ms/step, - tokens/s')}")


def main():
    ap = argparse.ArgumentParser(description="The PyTorch peer of the 7B table of scripts/gpu-check.sh.")
    ap.add_argument("--skip-model", action="store_true", help="only the products")
    ap.add_argument("--skip-products", action="store_true", help="only the model")
    ap.add_argument("--windows", type=int, default=0, help="only the gate|up product, in this many windows of 20")
    args = ap.parse_args()
    res = {}
    if torch is None:
        skip("all", _TORCH_ERROR)
    elif not torch.cuda.is_available():
        skip("all", RuntimeError("torch sees no CUDA device"))
    else:
        try:
            import transformers
            tv = transformers.__version__
        except Exception as e:  # noqa: BLE001
            tv = f"not importable ({type(e).__name__})"
        print(f"torch {torch.__version__} (CUDA {torch.version.cuda}), transformers {tv},"
              f" GPU {torch.cuda.get_device_name(0)}", flush=True)
        if args.windows > 0:
            windows(args.windows)
            return 0
        if not args.skip_products:
            products(res)
        if not args.skip_model:
            model_rows(res)
    summary(res)
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
