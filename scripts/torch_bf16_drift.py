"""How far PyTorch's own bf16 model drifts from its float32 model on a checkpoint: the peer figure for
xlstm.runtime.cuda.DeviceLargeCheck's bf16 rows (run by scripts/gpu-check.sh on the GPU machine).

For each HF checkpoint folder given: transformers' xLSTMForCausalLM loaded in float32 and the same weights cast to
bfloat16 (its native kernels, on the GPU when there is one), on 2 rows of 100 random tokens (numpy-free, seeded):
max |logits_bf16 - logits_f32| / max |logits_f32| at the last position, as DeviceLargeCheck measures ours; then
8 decode steps of both models from their own caches, each fed the same random token per row, the same figure per
step (DeviceLargeCheck's teacher-forced steps).
    python3 scripts/torch_bf16_drift.py models/moby-dick golden-tests/src/test/resources/golden/hf_xlstm_small/hf
"""
import json
import os
import sys

import torch
from transformers import xLSTMConfig, xLSTMForCausalLM


def load(path, dev):
    """The checkpoint with transformers' native kernels (a config naming the mlstm_kernels Triton ones, as our
    models/ write, is refused by this transformers version's config validation)."""
    with open(os.path.join(path, "config.json")) as f:
        d = json.load(f)
    d.update(chunkwise_kernel="chunkwise--native_autograd", sequence_kernel="native_sequence__native", step_kernel="native")
    cfg = xLSTMConfig(**{k: v for k, v in d.items() if k not in ("architectures", "model_type", "transformers_version")})
    return xLSTMForCausalLM.from_pretrained(path, config=cfg, torch_dtype=torch.float32).to(dev).eval()


STEPS = 8


def rel(a, b):
    a, b = a[:, -1].float(), b[:, -1].float()
    return ((a - b).abs().max() / a.abs().max()).item()


def drift(path, seeds=3):
    """Per seed: the prompt's figure and the decode steps' figures."""
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    m32 = load(path, dev)
    m16 = load(path, dev).to(torch.bfloat16)
    vocab = m32.config.vocab_size
    worst, steps = [], []
    for seed in range(seeds):
        g = torch.Generator().manual_seed(seed)
        ids = torch.randint(0, vocab, (2, 100), generator=g).to(dev)
        with torch.no_grad():
            a, b = m32(ids, use_cache=True), m16(ids, use_cache=True)
            worst.append(rel(a.logits, b.logits))
            per = []
            for _ in range(STEPS):
                t = torch.randint(0, vocab, (2, 1), generator=g).to(dev)
                a = m32(input_ids=t, cache_params=a.cache_params, use_cache=True)
                b = m16(input_ids=t, cache_params=b.cache_params, use_cache=True)
                per.append(rel(a.logits, b.logits))
            steps.append(per)
    return worst, steps


if __name__ == "__main__":
    for p in sys.argv[1:]:
        w, st = drift(p)
        print(f"torch bf16 drift {p}: relative max error of the last logits {', '.join(f'{x:.3g}' for x in w)}"
              f" (3 prompts of 2x100 tokens; max {max(w):.3g})")
        flat = [x for per in st for x in per]
        print(f"torch bf16 drift {p}: decode steps, relative max error per step: "
              f"{' | '.join(', '.join(f'{x:.3g}' for x in per) for per in st)}"
              f" ({len(st)} prompts x {STEPS} steps; max {max(flat):.3g}, median {sorted(flat)[len(flat) // 2]:.3g})")
