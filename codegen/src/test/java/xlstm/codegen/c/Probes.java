package xlstm.codegen.c;

/**
 * Cells and kernels beyond the project's own that reach every code path of the C-family emitter: general step
 * bodies (M x of expressions, sum over vec and mat, mat lets, comparisons, two bool params, a state read after
 * its next value, scalar outputs), a kernel with a reduction (per-row launch), a recurrence whose keys and
 * queries need temporaries (prologue scratch), and a cell whose second variant has no linear recurrence and uses
 * all_zero (the serial fallback of chunkwise/parallel, with states in scratch for parallel).
 */
final class Probes {
    private Probes() {}

    static final String SRC = """
            cell probe(D, E) {
              input  x: vec[D], s: scalar
              weight W: mat[E, D], u: vec[E]
              state  a: vec[D] = 0, P: mat[D, E] = 0, z: scalar = 0
              output y: vec[E], t: scalar
              param  gain = 0.5, flip: bool = false, sharp: bool = true
              step {
                a' = tanh(x * gain + a * s)
                g  = matvec(W, a' * 2 - x) + u
                P' = 0.9 * P + outer(a, g)
                z' = where(sum(g) > z && !flip, sum(P') / (D * E), z * 0.5)
                M2 = P' * P'
                y  = where(flip, -g, softcap(matvec(a', M2), 3)) + where(sharp, relu(g), silu(g))
                t  = dot(a, a') + z' + sum(M2)
              }
            }
            kernel rowstat(N) {
              input  x: vec[N], s: scalar
              weight w: vec[N]
              param  c = 0.75
              output y: vec[N], mean: scalar
              body {
                mean = sum(x) / N
                y = (x - mean) * w * s + c * selu(x) - gelu(-x) / 2 + sigmoid(x) * exp(-abs(x)) + sqrt(abs(x)) * rsqrt(1 + x * x) + log(1 + x * x) + max(x, mean) - min(x, 0.25)
              }
            }
            kernel scaled(N) {
              input  x: vec[N], s: scalar
              weight w: vec[N]
              param  c = 0.5, neg: bool = false
              output y: vec[N]
              body { y = where(neg, -x, x) * w * s + c * logsigmoid(x) - selu(x) + gelu(x) }
            }
            cell projected(D, DV) {
              input  x: vec[D], v: vec[DV], i: scalar, f: scalar
              weight Wq: mat[D, D], Wk: mat[D, D]
              state  C: mat[D, DV] = 0, n: vec[D] = 0, m: scalar = 0
              output h: vec[DV]
              param  eps = 1e-6
              step {
                lf = logsigmoid(f)
                m' = max(lf + m, i)
                C' = exp(lf + m - m') * C + exp(i - m') * outer(matvec(Wk, x), v)
                n' = exp(lf + m - m') * n + exp(i - m') * matvec(Wk, x)
                qs = matvec(Wq, x) * rsqrt(D)
                h  = matvec(qs, C') / (max(abs(dot(qs, n')), exp(-m')) + eps)
              }
            }
            cell mixed(DK, DV) {
              input  q: vec[DK], k: vec[DK], v: vec[DV], i: scalar, f: scalar
              state  C: mat[DK, DV] = 0, n: vec[DK] = 0
              output h: vec[DV]
              param  linear: bool = true
              step {
                fg = exp(logsigmoid(f))
                ig = where(linear, exp(logsigmoid(i)), where(all_zero(n), 1, sigmoid(i + sum(n))))
                C' = fg * C + ig * outer(k, v)
                n' = fg * n + ig * k
                h  = matvec(q, C') / (max(abs(dot(q, n')), 1) + 1e-6)
              }
            }
            """;
}
