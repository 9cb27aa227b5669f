#!/usr/bin/env python3
"""This project on --backend cpu against PyTorch CPU eager float32 (transformers' xLSTMForCausalLM), same weights,
same thread counts. Run through scripts/cpu-vs-torch.sh (which unpacks the carried JRE); see that file.

Steps: (1) two HF-layout checkpoints written by transformers' own model and save_pretrained, with random weights
(matrices ~ U(-a, a), a = 1/sqrt(fan_in); norms 1; gate biases as Workloads.randomLargeWeights), both sides load
them; (2) logits of both on the same 32-token prompt, max abs diff; (3) prefill 512/2048 (batch 1) and decode 128
steps (batch 1, 8) at 16, 4, 1 threads, in priority order, each measurement run only when its predicted time fits in
what is left of the wall-time budget (the rest is listed as cut); (4) copy bandwidth (Java, STREAM-like) and decode as
a fraction of that limit; (5) one table. Results go to OUT/results.jsonl, the table to OUT/table.md, rewritten after
every job, so a run stopped early still leaves what it measured.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback

CONFIGS = {  # name: (embedding_dim, blocks, heads)
    "125m": (768, 12, 4),
    "350m": (1024, 24, 4),
}
VOCAB = 50304
PREFILL = [512, 2048]
BATCH = [1, 8]
DECODE_STEPS = 128
DECODE_WARMUP = 8
# Both sides warm up until at least this many seconds have passed (and at least DECODE_WARMUP decode steps or one
# prefill run): the JVM's JIT compiles the kernels in the background for about a second, and PyTorch is given the
# same. Eight steps alone (under 0.1 s for the 125M model) timed ours partly before C2 had finished.
WARMUP_S = 1.0
REPEATS = 3


def log(*a):
    print(*a, flush=True)


# ------------------------------------------------------------------ checkpoints

def make_checkpoint(path, e, blocks, heads, seed):
    import torch
    from transformers import xLSTMConfig, xLSTMForCausalLM
    if os.path.isfile(os.path.join(path, "config.json")):
        return
    cfg = xLSTMConfig(vocab_size=VOCAB, hidden_size=e, embedding_dim=e, num_hidden_layers=blocks, num_blocks=blocks,
                      num_heads=heads, qk_dim_factor=0.5, v_dim_factor=1.0, ffn_proj_factor=2.667,
                      ffn_round_up_to_multiple_of=64, chunk_size=64, mode="inference",
                      chunkwise_kernel="chunkwise--native_autograd", sequence_kernel="native_sequence__native",
                      step_kernel="native", return_last_states=True, use_bias=False, tie_word_embeddings=False,
                      weight_mode="single", inference_state_dtype="float32", autocast_kernel_dtype="float32",
                      max_inference_chunksize=16384, bos_token_id=0, eos_token_id=2, pad_token_id=1)
    torch.manual_seed(seed)
    model = xLSTMForCausalLM(cfg).float().eval()
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith(".weight"):
                p.fill_(1.0)
            elif name.endswith("fgate_preact.bias"):
                p.copy_(4.0 + 2 * torch.rand(p.shape, generator=g) - 1)
            elif name.endswith("igate_preact.bias"):
                p.copy_(-5.0 + 2 * torch.rand(p.shape, generator=g) - 1)
            elif name.endswith(".bias"):
                p.zero_()
            else:
                a = 1 / math.sqrt(p.shape[-1])
                p.copy_((2 * torch.rand(p.shape, generator=g) - 1) * a)
    model.save_pretrained(path)


def java_checkpoint(args, path, e, blocks, heads, seed):
    """Fallback when transformers cannot build the model: our CLI's random-checkpoint with the same config."""
    cfg = dict(model_type="xlstm", architectures=["xLSTMForCausalLM"], vocab_size=VOCAB, hidden_size=e,
               embedding_dim=e, num_hidden_layers=blocks, num_blocks=blocks, num_heads=heads, qk_dim_factor=0.5,
               v_dim_factor=1.0, ffn_proj_factor=2.667, ffn_round_up_to_multiple_of=64, chunk_size=64,
               mode="inference", return_last_states=True, use_bias=False, tie_word_embeddings=False,
               bos_token_id=0, eos_token_id=2, pad_token_id=1, torch_dtype="float32")
    cfile = path + ".config.json"
    with open(cfile, "w") as f:
        json.dump(cfg, f)
    java = os.path.join(args.java_home, "bin", "java")
    subprocess.run([java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-cp", "cli/target/lib/*:cli/target/xlstm-cli.jar", "xlstm.cli.Main", "random-checkpoint",
                    "--config", cfile, "--seed", str(seed), "--force", path], check=True)


def stored(path):
    """(parameters, bytes of the weights one decode step reads: all but the embedding table) from the headers."""
    params = nbytes = 0
    size = {"F32": 4, "BF16": 2, "F16": 2, "F64": 8, "I64": 8}
    for fn in sorted(os.listdir(path)):
        if not fn.endswith(".safetensors"):
            continue
        with open(os.path.join(path, fn), "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
        for name, t in header.items():
            if name == "__metadata__":
                continue
            numel = math.prod(t["shape"])
            params += numel
            if "embeddings" not in name and name != "embedding.weight":
                nbytes += numel * size[t["dtype"]]
    return params, nbytes


# ------------------------------------------------------------------ PyTorch side

class Torch:
    def __init__(self):
        import torch
        from transformers import xLSTMForCausalLM
        self.torch = torch
        self.cls = xLSTMForCausalLM
        self.models = {}

    def model(self, path, dtype="f32"):
        key = (path, dtype)
        if key not in self.models:
            try:
                m = self.cls.from_pretrained(path, dtype=self.torch.float32)
            except TypeError:
                m = self.cls.from_pretrained(path, torch_dtype=self.torch.float32)
            m = m.float().eval()
            if dtype == "bf16":
                m = m.to(self.torch.bfloat16)
            self.models[key] = m
        return self.models[key]

    def threads(self, n):
        self.torch.set_num_threads(n)

    def logits_diff(self, path, file):
        from safetensors.torch import load_file
        t = load_file(file)
        with self.torch.inference_mode():
            ref = self.model(path)(input_ids=t["input_ids"].long(), use_cache=False).logits.float()
        ours = t["logits"].float()
        return float((ours - ref).abs().max()), float(ref.abs().max()), list(ref.shape)

    def prefill_run(self, path, s, seed=11, dtype="f32"):
        torch = self.torch
        g = torch.Generator().manual_seed(seed)
        ids = torch.randint(0, VOCAB, (1, s), generator=g)
        m = self.model(path, dtype)
        with torch.inference_mode():
            t0 = time.perf_counter()
            m(input_ids=ids, use_cache=True)
            return time.perf_counter() - t0

    def decode_steps(self, path, b, steps, warmup, seed=13, dtype="f32", limit_s=None):
        """Per-step seconds of `steps` timed steps after at least `warmup` untimed ones and WARMUP_S seconds (state from
        a 16-token prompt); with `limit_s`, stops early (after at least 8 timed steps) once that much time has passed."""
        torch = self.torch
        g = torch.Generator().manual_seed(seed)
        m = self.model(path, dtype)
        nxt = [torch.randint(0, VOCAB, (b, 1), generator=g) for _ in range(16)]
        out = []
        start = time.perf_counter()
        with torch.inference_mode():
            cache = m(input_ids=torch.randint(0, VOCAB, (b, 16), generator=g), use_cache=True).cache_params
            j = 0
            while len(out) < steps:
                if limit_s is not None and len(out) >= 8 and time.perf_counter() - start > limit_s:
                    break
                t0 = time.perf_counter()
                r = m(input_ids=nxt[j % 16], cache_params=cache, use_cache=True)
                dt = time.perf_counter() - t0
                cache = r.cache_params
                j += 1
                if j > warmup and (out or time.perf_counter() - start >= WARMUP_S):
                    out.append(dt)
        return out


# ------------------------------------------------------------------ our side

def java_cmd(args, model, threads, prefill, batch, repeats, logits=None, bandwidth_mib=None, dtype="f32"):
    java = os.path.join(args.java_home, "bin", "java")
    cmd = [java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
           "-XX:MaxDirectMemorySize=1024g", "-Dai.djl.offline=true", "-DDJL_CACHE_DIR=work-area/djl-cache",
           f"-Dxlstm.threads={threads}", "-cp", "cli/target/lib/*:cli/target/xlstm-cli.jar", "xlstm.cli.Main",
           "bench", "--backend", "cpu", "--model", model, "--json", "--warmup", str(WARMUP_S),
           "--decode", str(DECODE_STEPS if batch else 0), "--repeats", str(repeats)]
    cmd += ["--prefill", ",".join(map(str, prefill))] if prefill else ["--prefill", "0"]
    cmd += ["--batch", ",".join(map(str, batch))] if batch else []
    if logits:
        cmd += ["--logits-out", logits]
    if bandwidth_mib:
        cmd += ["--bandwidth", str(bandwidth_mib)]
    if dtype != "f32":
        cmd += ["--dtype", dtype]
    return cmd


def run_java(args, cmd, timeout, logf):
    """Runs the JVM, returns its JSON lines (also those printed before a timeout)."""
    lines = []
    logf.write("$ " + " ".join(cmd) + "\n")
    logf.flush()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=logf, text=True)
    deadline = time.monotonic() + timeout
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    buf = ""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            p.kill()
            logf.write(f"!! killed after {timeout:.0f} s (budget)\n")
            break
        if not sel.select(timeout=min(left, 1.0)):
            if p.poll() is not None:
                break
            continue
        chunk = os.read(p.stdout.fileno(), 65536).decode()
        if not chunk:
            break
        buf += chunk
        while "\n" in buf:
            line, buf = buf.split("\n", 1)
            logf.write("> " + line + "\n")
            logf.flush()
            if line.startswith("{"):
                lines.append(json.loads(line))
    p.wait()
    if p.returncode not in (0, None) and p.returncode != -9:
        logf.write(f"!! java exit {p.returncode}\n")
    return lines


# ------------------------------------------------------------------ planning

class Plan:
    """Predicts the time of a measurement from what each side has measured so far."""

    def __init__(self, params):
        self.params = params  # config -> parameter count
        self.seen = []  # (side, cfg, threads, phase, batch_or_tokens, seconds per unit)

    def add(self, side, cfg, threads, phase, n, unit_seconds):
        self.seen.append((side, cfg, threads, phase, n, unit_seconds))

    def unit(self, side, cfg, threads, phase, n):
        if "-" in phase and not any(sd == side and ph == phase for (sd, _, _, ph, _, _) in self.seen):
            # nothing measured yet in this dtype (e.g. "decode-bf16"): the float32 figure, pessimistically doubled
            base = self.unit(side, cfg, threads, phase.split("-")[0], n)
            return None if base is None else 2 * base
        best = None
        for (sd, c, t, ph, nn, u) in self.seen:
            if sd != side or ph != phase:
                continue
            # prefill scales with threads (compute), decode less (memory); batch costs grow sublinearly
            pre = phase.startswith("prefill")
            tf = (t / threads) ** (1.0 if pre else 0.8)
            nf = (n / nn) if pre else (1 + 0.25 * (n - 1)) / (1 + 0.25 * (nn - 1))
            est = u * self.params[cfg] / self.params[c] * tf * nf
            dist = abs(math.log(t / threads)) + abs(math.log(self.params[cfg] / self.params[c])) + (0 if nn == n else 0.5)
            if best is None or dist < best[0]:
                best = (dist, est)
        return None if best is None else best[1]

    def prefill_seconds(self, side, cfg, threads, s, repeats, kind="prefill"):
        u = self.unit(side, cfg, threads, kind, s)
        return None if u is None else u * (1 + repeats) * 1.15 + WARMUP_S

    def decode_seconds(self, side, cfg, threads, b, kind="decode"):
        u = self.unit(side, cfg, threads, kind, b)
        return None if u is None else u * (DECODE_STEPS + DECODE_WARMUP + 2) * 1.15 + (u * 4) + WARMUP_S


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--java-home", required=True)
    ap.add_argument("--budget", type=float, default=470, help="seconds of wall time for everything")
    ap.add_argument("--threads", default="16,4,1")
    ap.add_argument("--configs", default="125m,350m")
    ap.add_argument("--dtypes", default="f32,bf16",
                    help="weight dtypes; bf16 (both sides convert on load) runs decode b1 and prefill 512 at the top"
                         " thread count, after the float32 rows of that thread count")
    ap.add_argument("--render", metavar="RESULTS_JSONL",
                    help="only print the table of an earlier run's results.jsonl (its bandwidth limit the copy)")
    args = ap.parse_args()
    if args.render:
        print(render(args.render), end="")
        return
    t_start = time.monotonic()
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.ckpt, exist_ok=True)
    logf = open(os.path.join(args.out, "run.log"), "a")
    results_path = os.path.join(args.out, "results.jsonl")
    results = open(results_path, "w")

    def left():
        return args.budget - (time.monotonic() - t_start)

    def record(obj):
        results.write(json.dumps(obj) + "\n")
        results.flush()
        log("  " + json.dumps(obj))

    import torch
    import transformers
    cpu_model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu_model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except Exception:
        pass
    record({"what": "machine", "cpu": cpu_model, "cores": os.cpu_count(), "torch": torch.__version__,
            "transformers": transformers.__version__, "torch_config": torch.__config__.parallel_info().splitlines()[:6]})

    configs = args.configs.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    torch.set_num_threads(max(threads))
    paths, params, wbytes = {}, {}, {}
    tk = Torch()
    torch_broken = set()
    for i, c in enumerate(configs):
        e, blocks, heads = CONFIGS[c]
        paths[c] = os.path.join(args.ckpt, f"xlstm-{c}")
        t0 = time.monotonic()
        try:
            make_checkpoint(paths[c], e, blocks, heads, seed=1 + i)
        except Exception:
            log(traceback.format_exc())
            log("!! transformers could not write the checkpoint; writing it with our random-checkpoint instead")
            java_checkpoint(args, paths[c], e, blocks, heads, seed=1 + i)
        try:
            tk.model(paths[c])
        except Exception:
            log(traceback.format_exc())
            log(f"!! PyTorch cannot load {paths[c]}: the PyTorch column stays empty for {c}")
            torch_broken.add(c)
        params[c], wbytes[c] = stored(paths[c])
        record({"what": "checkpoint", "config": c, "E": e, "blocks": blocks, "heads": heads, "params": params[c],
                "decode_weight_bytes": wbytes[c], "seconds": round(time.monotonic() - t0, 1)})

    plan = Plan(params)
    rows = {}  # (cfg, threads, phase) -> {"ours": tok/s, "torch": tok/s, notes}
    bandwidth = {}  # threads -> best GB/s
    parity = {}
    cut = []

    def put(c, t, phase, side, tok_s, note=None):
        r = rows.setdefault((c, t, phase), {})
        r[side] = tok_s
        if note:
            r.setdefault("notes", []).append(note)

    def write_table():
        text = table(configs, threads, rows, bandwidth, wbytes, parity, cut, params)
        with open(os.path.join(args.out, "table.md"), "w") as f:
            f.write(text)
        return text

    # jobs in priority order: 16 threads complete, then the core phases at 4 and 1, then the rest
    full = [("decode", 1), ("prefill", 512), ("decode", 8), ("prefill", 2048)]
    core = [("decode", 1), ("prefill", 512)]
    extra = [("decode", 8), ("prefill", 2048)]
    top = max(threads)
    dtypes = args.dtypes.split(",")
    jobs = [(c, top, full, "f32") for c in configs]
    for dt in dtypes:
        if dt != "f32":
            jobs += [(c, top, core, dt) for c in configs]
    for part in (core, extra):
        for t in threads:
            if t != top:
                jobs += [(c, t, part, "f32") for c in configs]

    reserve = 20.0
    for (c, t, phases, dt) in jobs:
        log(f"== {c}, {t} threads, {dt}: {phases}; {left():.0f} s left")
        first = (t == top and dt == "f32")
        sfx = "" if dt == "f32" else " " + dt  # phase labels of the table: "decode b1 bf16"
        kind = {"decode": "decode" + sfx.replace(" ", "-"), "prefill": "prefill" + sfx.replace(" ", "-")}
        # ---- ours
        want = []
        budget = left() - reserve
        for (ph, n) in phases:
            if ph == "prefill":
                for rep in (REPEATS, 1):
                    est = plan.prefill_seconds("ours", c, t, n, rep, kind[ph])
                    if est is None or est < budget:
                        want.append((ph, n, rep))
                        budget -= est or 0
                        break
                else:
                    cut.append((c, t, f"prefill {n}{sfx}", "ours", plan.prefill_seconds("ours", c, t, n, 1, kind[ph])))
            else:
                est = plan.decode_seconds("ours", c, t, n, kind[ph])
                if est is None or est < budget:
                    want.append((ph, n, None))
                    budget -= est or 0
                else:
                    cut.append((c, t, f"decode b{n}{sfx}", "ours", est))
        pre = [n for (ph, n, r) in want if ph == "prefill"]
        reps = min([r for (ph, n, r) in want if ph == "prefill"], default=REPEATS)
        bat = [n for (ph, n, r) in want if ph == "decode"]
        logits = os.path.join(args.ckpt, f"logits-{c}.safetensors") if first else None
        if pre or bat or logits:
            cmd = java_cmd(args, paths[c], t, pre, bat, reps, logits,
                           bandwidth_mib=(1024 if t == top else 512) if t not in bandwidth else None, dtype=dt)
            lines = run_java(args, cmd, max(10.0, left() - reserve / 2), logf)
            for o in lines:
                if o.get("phase") == "bandwidth":
                    # the limit is the copy (the STREAM-like measure); read-only kinds are recorded too
                    if o.get("kind", "copy") == "copy":
                        bandwidth[t] = o["best_gbs"]
                    record({"what": "bandwidth", "side": "ours", **o})
                elif o.get("phase") == "decode":
                    put(c, t, f"decode b{o['batch']}{sfx}", "ours", o["tok_s"])
                    plan.add("ours", c, t, kind["decode"], o["batch"], o["median_step_s"])
                    record({"what": "result", "side": "ours", "config": c, "threads": t, "dtype": dt, **o})
                elif o.get("phase") == "prefill":
                    put(c, t, f"prefill {o['tokens']}{sfx}", "ours", o["tok_s"],
                        f"ours {reps} runs" if reps != REPEATS else None)
                    plan.add("ours", c, t, kind["prefill"], o["tokens"], o["median_s"])
                    record({"what": "result", "side": "ours", "config": c, "threads": t, "dtype": dt, **o})
                elif o.get("phase") in ("load", "host"):
                    record({"what": o["phase"], "side": "ours", "config": c, "threads": t, "dtype": dt, **o})
            if pre and not any(o.get("phase") == "prefill" for o in lines):
                cut.append((c, t, f"prefill{sfx} (ours)", "ours", "killed at the budget"))
        # ---- PyTorch
        try:
            if c in torch_broken:
                raise RuntimeError(f"PyTorch could not load {c}")
            tk.threads(t)
            if logits and os.path.isfile(logits):
                d, mref, shape = tk.logits_diff(paths[c], logits)
                parity[c] = (d, mref)
                record({"what": "parity", "config": c, "max_abs_diff": d, "max_abs_ref": mref, "shape": shape})
            for (ph, n) in phases:
                budget = left() - reserve
                if ph == "prefill":
                    est = plan.prefill_seconds("torch", c, t, n, REPEATS, kind[ph])
                    rep = REPEATS
                    if est is not None and est >= budget:
                        rep = 1
                        est = plan.prefill_seconds("torch", c, t, n, 1, kind[ph])
                    if est is not None and est >= budget:
                        cut.append((c, t, f"prefill {n}{sfx}", "torch", est))
                        continue
                    tw = tk.prefill_run(paths[c], n, dtype=dt)  # warm-up: one run, more until WARMUP_S have passed
                    warm = tw
                    while warm < WARMUP_S:
                        warm += tk.prefill_run(paths[c], n, dtype=dt)
                    plan.add("torch", c, t, kind[ph], n, tw)
                    if tw * rep * 1.1 > left() - reserve:
                        rep = 1
                    ts = [tk.prefill_run(paths[c], n, dtype=dt) for _ in range(rep)]
                    med = statistics.median(ts)
                    plan.add("torch", c, t, kind[ph], n, med)
                    put(c, t, f"prefill {n}{sfx}", "torch", n / med, f"PyTorch {rep} runs" if rep != REPEATS else None)
                    record({"what": "result", "side": "torch", "config": c, "threads": t, "dtype": dt,
                            "phase": "prefill", "tokens": n, "runs": rep, "median_s": med, "tok_s": n / med,
                            "warmup_s": tw})
                else:
                    est = plan.decode_seconds("torch", c, t, n, kind[ph])
                    if est is not None and est >= budget:
                        cut.append((c, t, f"decode b{n}{sfx}", "torch", est))
                        continue
                    ts = tk.decode_steps(paths[c], n, DECODE_STEPS, DECODE_WARMUP, dtype=dt,
                                         limit_s=max(5.0, (left() - reserve) / 4))
                    med = statistics.median(ts)
                    plan.add("torch", c, t, kind[ph], n, med)
                    put(c, t, f"decode b{n}{sfx}", "torch", n / med,
                        f"PyTorch {len(ts)} steps" if len(ts) < DECODE_STEPS else None)
                    record({"what": "result", "side": "torch", "config": c, "threads": t, "dtype": dt,
                            "phase": "decode", "batch": n, "steps": len(ts), "median_step_s": med,
                            "mean_step_s": sum(ts) / len(ts), "tok_s": n / med})
        except Exception:
            log(traceback.format_exc())
            cut.append((c, t, f"PyTorch side{sfx}", "torch", "failed, see driver.log"))
        write_table()
    text = write_table()
    log("")
    log(text)


def render(path):
    """The table of a results.jsonl (as main() builds it while running; cuts are not recorded there)."""
    configs, threads, rows, bandwidth, wbytes, parity, params = [], set(), {}, {}, {}, {}, {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            w, c = r.get("what"), r.get("config")
            if w == "checkpoint":
                configs.append(c)
                params[c], wbytes[c] = r["params"], r["decode_weight_bytes"]
            elif w == "parity":
                parity[c] = (r["max_abs_diff"], r["max_abs_ref"])
            elif w == "bandwidth" and r.get("kind", "copy") == "copy":
                bandwidth[r["threads"]] = r["best_gbs"]
            elif w == "result":
                sfx = "" if r.get("dtype", "f32") == "f32" else " " + r["dtype"]
                ph = (f"decode b{r['batch']}" if r["phase"] == "decode" else f"prefill {r['tokens']}") + sfx
                threads.add(r["threads"])
                rows.setdefault((c, r["threads"], ph), {})[r["side"]] = r["tok_s"]
    return table(configs, sorted(threads), rows, bandwidth, wbytes, parity, [], params)


def table(configs, threads, rows, bandwidth, wbytes, parity, cut, params):
    bw = bandwidth.get(max(threads)) if bandwidth else None
    out = []
    out.append("| config | threads | phase | ours tok/s | PyTorch tok/s | ours / PyTorch | ours % of BW limit | PyTorch % of BW limit |")
    out.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    order = ["decode b1", "decode b8", "prefill 512", "prefill 2048", "decode b1 bf16", "prefill 512 bf16"]
    for c in configs:
        for t in sorted(threads, reverse=True):
            for ph in order:
                r = rows.get((c, t, ph))
                if not r:
                    continue
                o, p = r.get("ours"), r.get("torch")
                ratio = f"{o / p:.2f}x" if o and p else "-"
                pb = ["-", "-"]
                if ph.startswith("decode") and bw:
                    b = int(ph[len("decode b"):].split()[0])
                    per_step = wbytes[c] / 2 if ph.endswith("bf16") else wbytes[c]  # bf16: half the bytes
                    for i, v in enumerate((o, p)):
                        if v:
                            pb[i] = f"{100 * per_step * (v / b) / (bw * 1e9):.0f}%"
                note = " (" + "; ".join(r["notes"]) + ")" if r.get("notes") else ""
                out.append(f"| {c} | {t} | {ph}{note} | {fmt(o)} | {fmt(p)} | {ratio} | {pb[0]} | {pb[1]} |")
    lines = ["\n".join(out), ""]
    for c in configs:
        s = (f"{c}: {params.get(c, 0):,} parameters, {wbytes.get(c, 0) / 1e9:.3f} GB of float32 weights read per decode"
             f" step ({wbytes.get(c, 0) / 2e9:.3f} GB in bf16)")
        if c in parity:
            s += f"; logits max |ours - PyTorch| = {parity[c][0]:.3e} (max |logit| {parity[c][1]:.2f})"
        lines.append(s)
    lo, hi = min(threads), max(threads)
    for c in configs:
        parts = []
        for ph in ("decode b1", "prefill 512"):
            a, b = rows.get((c, lo, ph), {}), rows.get((c, hi, ph), {})
            sides = [f"{name} {b[k] / a[k]:.1f}x" for k, name in (("ours", "ours"), ("torch", "PyTorch"))
                     if a.get(k) and b.get(k)]
            if sides:
                parts.append(f"{ph} " + ", ".join(sides))
        if parts and lo != hi:
            lines.append(f"{c}: speed-up from {lo} to {hi} threads: " + "; ".join(parts))
    if bandwidth:
        lines.append("copy bandwidth (Java, STREAM-like, best of 10, bytes read + written): "
                     + ", ".join(f"{t} threads {v:.1f} GB/s" for t, v in sorted(bandwidth.items(), reverse=True))
                     + (f"; % of BW limit = weight bytes per step x steps/s / {bw:.1f} GB/s" if bw else ""))
    for (c, t, what, side, est) in cut:
        e = f"{est:.0f} s predicted" if isinstance(est, (int, float)) else str(est)
        lines.append(f"cut: {c}, {t} threads, {what}, {side} ({e})")
    return "\n".join(lines) + "\n"


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


if __name__ == "__main__":
    main()
