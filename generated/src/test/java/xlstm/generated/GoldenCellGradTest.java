package xlstm.generated;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.backends.cpu.KernelMode;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static xlstm.generated.GoldenCellTest.config;
import static xlstm.generated.GoldenCellTest.dbl;
import static xlstm.generated.GoldenCellTest.dir;
import static xlstm.generated.GoldenCellTest.seg;
import static xlstm.generated.GoldenCellTest.tolerance;

/**
 * The derived backward {@code MlstmCellGrad} against the reference gradients of {@code mlstm_cell_basic} and
 * {@code mlstm_cell_state}: {@code grads.safetensors} holds d(sum(h * dh))/d{q, k, v, i, f}, with {@code dh} from
 * {@code io.safetensors} and the final states unused by the loss (zero state cotangents); the fixture's tolerance.
 */
class GoldenCellGradTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : List.of("mlstm_cell_basic", "mlstm_cell_state"))
            for (boolean scalar : new boolean[]{false, true}) out.add(Arguments.of(c, scalar));
        return out.stream();
    }

    /** The fixture's check, with the error printed for the record. */
    static void check(String what, double[] out, double[] ref, double[] tol) {
        double err = 0, max = 0;
        for (int x = 0; x < ref.length; x++) {
            err = Math.max(err, Math.abs(out[x] - ref[x]));
            max = Math.max(max, Math.abs(ref[x]));
        }
        System.out.printf("%s max_abs_err=%.3e tol=%.3e%n", what, err, tol[0] + tol[1] * max);
        Harness.assertClose(what, out, ref, tol[0], tol[1]);
    }

    @ParameterizedTest(name = "{0} scalar={1}")
    @MethodSource("cases")
    void mlstmGrads(String name, boolean scalar) throws IOException {
        Path dir = dir(name);
        Map<String, Safetensors.Tensor> io = Safetensors.read(dir.resolve("io.safetensors"));
        Map<String, Safetensors.Tensor> ref = Safetensors.read(dir.resolve("grads.safetensors"));
        Map<String, Object> cfg = config(dir);
        int B = ((Double) cfg.get("B")).intValue(), NH = ((Double) cfg.get("NH")).intValue(), S = ((Double) cfg.get("S")).intValue();
        int DQK = ((Double) cfg.get("DQK")).intValue(), DV = ((Double) cfg.get("DV")).intValue();
        float eps = ((Double) cfg.get("eps")).floatValue();
        double[] tol = tolerance(dir);
        boolean was = KernelMode.scalar();
        KernelMode.forceScalar(scalar);
        try (Arena a = Arena.ofShared()) {
            MemorySegment q = seg(a, io.get("q").data()), k = seg(a, io.get("k").data()), v = seg(a, io.get("v").data());
            MemorySegment i = seg(a, io.get("i").data()), f = seg(a, io.get("f").data()), dh = seg(a, io.get("dh").data());
            MemorySegment C = io.containsKey("c_initial") ? seg(a, io.get("c_initial").data()) : a.allocate(4L * B * NH * DQK * DV, 64);
            MemorySegment n = io.containsKey("n_initial") ? seg(a, io.get("n_initial").data()) : a.allocate(4L * B * NH * DQK, 64);
            MemorySegment m = io.containsKey("m_initial") ? seg(a, io.get("m_initial").data()) : a.allocate(4L * B * NH, 64);
            MemorySegment dC = a.allocate(4L * B * NH * DQK * DV, 64), dn = a.allocate(4L * B * NH * DQK, 64), dm = a.allocate(4L * B * NH, 64);
            MemorySegment dq = a.allocate(4L * B * NH * S * DQK, 64), dk = a.allocate(4L * B * NH * S * DQK, 64);
            MemorySegment dv = a.allocate(4L * B * NH * S * DV, 64), di = a.allocate(4L * B * NH * S, 64), df = a.allocate(4L * B * NH * S, 64);
            MlstmCellGrad.sequence(B, NH, S, DQK, DV, q, k, v, i, f, C, n, m, dh, dC, dn, dm, dq, dk, dv, di, df, eps);
            check(name + " dq", Harness.read(dq, B * NH * S * DQK), dbl(ref.get("dq").data()), tol);
            check(name + " dk", Harness.read(dk, B * NH * S * DQK), dbl(ref.get("dk").data()), tol);
            check(name + " dv", Harness.read(dv, B * NH * S * DV), dbl(ref.get("dv").data()), tol);
            check(name + " di", Harness.read(di, B * NH * S), dbl(ref.get("di").data()), tol);
            check(name + " df", Harness.read(df, B * NH * S), dbl(ref.get("df").data()), tol);
            if (io.containsKey("c_initial")) {
                // the initial states were read only
                Harness.assertClose("C untouched", Harness.read(C, B * NH * DQK * DV), dbl(io.get("c_initial").data()), 0, 0);
            }
        } finally {
            KernelMode.forceScalar(was);
        }
    }
}
