package xlstm.runtime.cuda;

/**
 * The device buffers one pass through the blocks needs for {@code tokens} = B·S tokens and the head for B rows
 * (float32 unless said): the residual stream x, the norm output xn (in the weights' dtype: the next product's
 * input), the fused projection, the cell's q, k, v (head layout), o, gates (raw and soft-capped), h, the
 * head-normed and gated outputs (and their bf16 copy), the FFN's gate|up (feature-major), activation (and bf16),
 * the head's last rows, their norm and the raw logits. Reused across calls of at most this size.
 */
final class Activations {
    final int tokens, rows;
    final long x, xn, proj, q, k, v, o, gates, gatesCapped, h, hn, gated, gatedB, ffn, act, actB, tokenIds;
    final long last, lastN, logitsRaw;

    Activations(DeviceBuffers mem, int tokens, int rows, int e, int dqk, int dv, int nh, int p, int vocab) {
        this.tokens = tokens;
        this.rows = rows;
        long t = tokens;
        x = mem.alloc(4 * t * e);
        xn = mem.alloc(4 * t * e);
        proj = mem.alloc(4 * t * (2L * dqk + 2L * dv + 2L * nh));
        q = mem.alloc(4 * t * dqk);
        k = mem.alloc(4 * t * dqk);
        v = mem.alloc(4 * t * dv);
        o = mem.alloc(4 * t * dv);
        gates = mem.alloc(4 * t * 2 * nh);
        gatesCapped = mem.alloc(4 * t * 2 * nh);
        h = mem.alloc(4 * t * dv);
        hn = mem.alloc(4 * t * dv);
        gated = mem.alloc(4 * t * dv);
        gatedB = mem.alloc(2 * t * dv);
        ffn = mem.alloc(4 * t * 2 * p);
        act = mem.alloc(4 * t * p);
        actB = mem.alloc(2 * t * p);
        tokenIds = mem.alloc(8 * t);
        last = mem.alloc(4L * rows * e);
        lastN = mem.alloc(4L * rows * e);
        logitsRaw = mem.alloc(4L * rows * vocab);
    }

    boolean fits(int tokens, int rows) {
        return tokens <= this.tokens && rows <= this.rows;
    }
}
