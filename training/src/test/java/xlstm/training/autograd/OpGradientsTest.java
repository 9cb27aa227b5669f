package xlstm.training.autograd;

import static xlstm.training.autograd.FiniteDifferences.check;
import static xlstm.training.autograd.FiniteDifferences.random;

import java.util.Random;
import org.junit.jupiter.api.Test;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.tensor.Tensor;

/** Every block op's backward against finite differences, on small random shapes. */
class OpGradientsTest {
    private final Random rnd = new Random(7);

    private Tensor r(long... shape) { return random(rnd, 1.0, shape); }

    @Test
    void linearWithAndWithoutBias() {
        check("linear+b", (t, v) -> LinearOps.linear(t, v[0], v[1], v[2]), r(2, 3, 5), r(4, 5), r(4));
        check("linear", (t, v) -> LinearOps.linear(t, v[0], v[1], null), r(7, 6), r(9, 6));
    }

    @Test
    void linearOverSeveralBackwardTiles() {
        // 40 rows (two row tiles) and 11000 outputs of 3 inputs (two output tiles of the dX pass, several of dW)
        check("linear tiled", (t, v) -> LinearOps.linear(t, v[0], v[1], v[2]), r(40, 3), r(11000, 3), r(11000));
    }

    @Test
    void headwiseLinear() {
        check("headwise+b", (t, v) -> LinearOps.headwise(t, v[0], v[1], v[2]), r(2, 3, 8), r(2, 3, 4), r(6));
        check("headwise", (t, v) -> LinearOps.headwise(t, v[0], v[1], null), r(5, 8), r(4, 2, 2));
    }

    @Test
    void causalConv() {
        check("conv+b", (t, v) -> ConvOps.causalConv1d(t, v[0], v[1], v[2]), r(2, 6, 3), r(3, 1, 4), r(3));
        check("conv", (t, v) -> ConvOps.causalConv1d(t, v[0], v[1], null), r(1, 3, 5), r(5, 1, 4));
    }

    @Test
    void norms() {
        check("layernorm offset", (t, v) -> NormOps.groupNorm(t, v[0], 1, v[1], null, 1e-5f, true), r(3, 7), r(7));
        check("groupnorm w+b", (t, v) -> NormOps.groupNorm(t, v[0], 3, v[1], v[2], 1e-5f, false), r(2, 2, 12), r(12), r(12));
        check("norm plain", (t, v) -> NormOps.groupNorm(t, v[0], 2, null, null, 1e-5f, true), r(4, 6));
        check("rms w+b", (t, v) -> NormOps.rmsNorm(t, v[0], v[1], v[2], 1e-6f), r(3, 8), r(8), r(8));
        check("rms", (t, v) -> NormOps.rmsNorm(t, v[0], null, null, 1e-6f), r(3, 8));
    }

    @Test
    void pointwise() {
        check("silu", (t, v) -> PointwiseOps.silu(t, v[0]), r(3, 10));
        check("softcap", (t, v) -> PointwiseOps.softcap(t, v[0], 2.5f), random(rnd, 4.0, 3, 10));
        check("sigmoidGate", (t, v) -> PointwiseOps.sigmoidGate(t, v[0], v[1]), r(3, 10), r(3, 10));
        check("skipGate", (t, v) -> PointwiseOps.skipGate(t, v[0], v[1], v[2], v[3]), r(2, 3, 6), r(2, 3, 6),
                r(2, 3, 6), r(6));
        check("add", (t, v) -> PointwiseOps.add(t, v[0], v[1]), r(4, 5), r(4, 5));
        for (ActivationFn act : new ActivationFn[] {ActivationFn.GELU, ActivationFn.SWISH, ActivationFn.SIGMOID,
                ActivationFn.SELU, ActivationFn.RELU_SQUARED, ActivationFn.RELU}) {
            check("gated " + act, (t, v) -> PointwiseOps.gatedAct(t, act, v[0], v[1]), r(3, 9), r(3, 9));
        }
    }

    @Test
    void layouts() {
        check("toHeads", (t, v) -> LayoutOps.toHeads(t, v[0], 2), r(2, 3, 8));
        check("fromHeads", (t, v) -> LayoutOps.fromHeads(t, v[0]), r(2, 3, 4, 2));
        check("gatesToHeads", (t, v) -> LayoutOps.gatesToHeads(t, v[0]), r(2, 5, 3));
        check("concat", (t, v) -> LayoutOps.concatLast(t, v[0], v[1], v[2]), r(2, 3, 2), r(2, 3, 4), r(2, 3, 1));
        check("rows", (t, v) -> PointwiseOps.silu(t, LayoutOps.rows(t, v[0], 2, 5)), r(6, 3));
        check("gather", (t, v) -> LayoutOps.gather(t, v[0], new int[] {3, 0, 3, 5, 1, 1}, 2, 3), r(6));
    }

    @Test
    void embeddingScatterAdd() {
        int[][] ids = {{1, 4, 1}, {0, 4, 2}};
        check("embedding", (t, v) -> EmbeddingOps.lookup(t, ids, v[0]), r(5, 3));
    }

    @Test
    void crossEntropyIgnoresMarkedPositions() {
        int[][] targets = {{2, CrossEntropy.IGNORE, 0}, {6, 1, CrossEntropy.IGNORE}};
        check("cross-entropy", (t, v) -> CrossEntropy.mean(t, v[0], targets).node(), random(rnd, 2.0, 2, 3, 7));
    }
}
