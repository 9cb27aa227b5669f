package xlstm.training.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;

class AdamWTest {
    private static Parameter scalar(String name, float value) {
        return new Parameter(name, Tensor.of(new float[] {value}, 1));
    }

    @Test
    void twoStepsMatchTheClosedForm() {
        Parameter p = scalar("w.weight", 1f);
        AdamW opt = AdamW.withDefaults(List.of(new ParamGroup("all", List.of(p), 0.0)));
        p.grad().setFloat(0, 0.5f);
        opt.step(0.1);
        // step 1: m̂ = g, v̂ = g², so p1 = p0 − lr·g/(|g| + ε) (computed by hand: 0.900000002)
        assertEquals(0.900000002, p.value().getFloat(0), 1e-7);
        p.grad().setFloat(0, -0.25f);
        opt.step(0.1);
        // step 2, by hand: m = 0.02, v = 0.00031225, m̂ = 0.02/0.19, v̂ = 0.00031225/0.001999 → 0.873366299
        assertEquals(0.8733662987, p.value().getFloat(0), 1e-6);
        assertEquals(2, opt.stepCount());
    }

    @Test
    void weightDecayIsDecoupledFromTheGradient() {
        Parameter decayed = scalar("a.weight", 2f), plain = scalar("a.bias", 2f);
        AdamW opt = AdamW.withDefaults(List.of(new ParamGroup("decay", List.of(decayed), 0.1),
                new ParamGroup("no_decay", List.of(plain), 0.0)));
        opt.step(0.1); // zero gradients: only the decay acts, p·(1 − lr·wd)
        assertEquals(1.98f, decayed.value().getFloat(0), 1e-7);
        assertEquals(2f, plain.value().getFloat(0));
    }

    @Test
    void stateRoundTripsIntoAFreshOptimiser() {
        Parameter p = scalar("w.weight", 1f), q = scalar("w.weight", 1f);
        AdamW a = AdamW.withDefaults(List.of(new ParamGroup("g", List.of(p), 0.1)));
        AdamW b = AdamW.withDefaults(List.of(new ParamGroup("g", List.of(q), 0.1)));
        p.grad().setFloat(0, 0.3f);
        a.step(0.01);
        b.restore(a.state(), a.stepCount());
        q.value().setFloat(0, p.value().getFloat(0));
        p.grad().setFloat(0, -0.7f);
        q.grad().setFloat(0, -0.7f);
        a.step(0.01);
        b.step(0.01);
        assertEquals(p.value().getFloat(0), q.value().getFloat(0)); // bit-identical
    }

    @Test
    void clippingScalesToTheMaximumNorm() {
        Parameter a = scalar("a", 0f), b = scalar("b", 0f);
        a.grad().setFloat(0, 3f);
        b.grad().setFloat(0, 4f);
        assertEquals(5.0, GradClip.clip(List.of(a, b), 1.0), 1e-12);
        assertEquals(0.6f, a.grad().getFloat(0), 1e-6);
        assertEquals(0.8f, b.grad().getFloat(0), 1e-6);
        assertEquals(1.0, GradClip.norm(List.of(a, b)), 1e-6);
        // below the maximum nothing changes
        assertEquals(1.0, GradClip.clip(List.of(a, b), 10.0), 1e-6);
        assertEquals(0.6f, a.grad().getFloat(0), 1e-6);
    }

    @Test
    void warmupThenCosineToTheMinimum() {
        LrSchedule s = new LrSchedule(1e-3, 1e-6, 10, 110);
        assertEquals(0.0, s.lr(0));
        assertEquals(5e-4, s.lr(5), 1e-15);
        assertEquals(1e-3, s.lr(10), 1e-15);
        assertEquals(1e-6 + 0.5 * (1e-3 - 1e-6), s.lr(60), 1e-15); // half way: cos(π/2) = 0
        assertEquals(1e-6 + 0.5 * (1 + Math.sqrt(0.5)) * (1e-3 - 1e-6), s.lr(35), 1e-15); // a quarter: cos(π/4) = √½
        assertEquals(1e-6, s.lr(110));
        assertEquals(1e-6, s.lr(1000));
    }
}
