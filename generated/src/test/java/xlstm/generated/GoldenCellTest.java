package xlstm.generated;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.backends.cpu.KernelMode;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The generated cells alone against the reference fixtures {@code mlstm_cell_basic}, {@code mlstm_cell_state}
 * (mLSTM over (B, NH, S, D): h, c_last, n_last, m_last) and {@code mlstm_siging_cell} (parallel, normalised), with
 * the fixture's tolerance {@code max|out-ref| <= atol + rtol * max|ref|}. The fixture directory comes from
 * {@code -Dxlstm.golden.dir} (set by this module's pom).
 */
class GoldenCellTest {
    static Path dir(String name) {
        String base = System.getProperty("xlstm.golden.dir");
        Assumptions.assumeTrue(base != null && Files.isDirectory(Path.of(base, name)), "fixtures not available");
        return Path.of(base, name);
    }

    @SuppressWarnings("unchecked")
    static double[] tolerance(Path dir) throws IOException {
        Map<String, Object> c = (Map<String, Object>) MiniJson.parse(Files.readString(dir.resolve("case.json"), StandardCharsets.UTF_8));
        Map<String, Object> tol = (Map<String, Object>) c.get("tolerance");
        return new double[]{(Double) tol.get("atol"), (Double) tol.get("rtol")};
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> config(Path dir) throws IOException {
        Map<String, Object> c = (Map<String, Object>) MiniJson.parse(Files.readString(dir.resolve("case.json"), StandardCharsets.UTF_8));
        return (Map<String, Object>) c.get("config");
    }

    static MemorySegment seg(Arena a, float[] d) {
        MemorySegment s = a.allocate(4L * Math.max(1, d.length), 64);
        MemorySegment.copy(d, 0, s, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, d.length);
        return s;
    }

    static double[] dbl(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static Stream<Arguments> mlstmCases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : List.of("mlstm_cell_basic", "mlstm_cell_state"))
            for (boolean scalar : new boolean[]{false, true})
                for (String sched : List.of("sequence", "step", "chunkwise-8", "chunkwise-5", "chunkwise-64"))
                    out.add(Arguments.of(c, sched, scalar));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} scalar={2}")
    @MethodSource("mlstmCases")
    void mlstmCell(String name, String schedule, boolean scalar) throws IOException {
        Path dir = dir(name);
        Map<String, Safetensors.Tensor> io = Safetensors.read(dir.resolve("io.safetensors"));
        Map<String, Object> cfg = config(dir);
        int B = ((Double) cfg.get("B")).intValue(), NH = ((Double) cfg.get("NH")).intValue(), S = ((Double) cfg.get("S")).intValue();
        int DQK = ((Double) cfg.get("DQK")).intValue(), DV = ((Double) cfg.get("DV")).intValue();
        float eps = ((Double) cfg.get("eps")).floatValue();
        double[] tol = tolerance(dir);
        boolean was = KernelMode.scalar();
        KernelMode.forceScalar(scalar);
        try (Arena a = Arena.ofShared()) {
            MemorySegment q = seg(a, io.get("q").data()), k = seg(a, io.get("k").data()), v = seg(a, io.get("v").data());
            MemorySegment i = seg(a, io.get("i").data()), f = seg(a, io.get("f").data());
            MemorySegment C = io.containsKey("c_initial") ? seg(a, io.get("c_initial").data()) : a.allocate(4L * B * NH * DQK * DV, 64);
            MemorySegment n = io.containsKey("n_initial") ? seg(a, io.get("n_initial").data()) : a.allocate(4L * B * NH * DQK, 64);
            MemorySegment m = io.containsKey("m_initial") ? seg(a, io.get("m_initial").data()) : a.allocate(4L * B * NH, 64);
            MemorySegment h = a.allocate(4L * B * NH * S * DV, 64);
            if (schedule.equals("sequence")) {
                MlstmCell.sequence(B, NH, S, DQK, DV, q, k, v, i, f, C, n, m, h, eps);
            } else if (schedule.startsWith("chunkwise")) {
                MlstmCell.chunkwise(B, NH, S, DQK, DV, Integer.parseInt(schedule.substring(10)), q, k, v, i, f, C, n, m, h, eps);
            } else {
                float[][] in = {io.get("q").data(), io.get("k").data(), io.get("v").data(), io.get("i").data(), io.get("f").data()};
                int[] width = {DQK, DQK, DV, 1, 1};
                MemorySegment[] step = new MemorySegment[5];
                for (int x = 0; x < 5; x++) step[x] = a.allocate(4L * B * NH * width[x], 64);
                MemorySegment hs = a.allocate(4L * B * NH * DV, 64);
                for (int t = 0; t < S; t++) {
                    for (int x = 0; x < 5; x++)
                        for (int bh = 0; bh < B * NH; bh++)
                            MemorySegment.copy(in[x], (bh * S + t) * width[x], step[x], java.lang.foreign.ValueLayout.JAVA_FLOAT, 4L * bh * width[x], width[x]);
                    MlstmCell.step(B, NH, DQK, DV, step[0], step[1], step[2], step[3], step[4], C, n, m, hs, eps);
                    for (int bh = 0; bh < B * NH; bh++)
                        MemorySegment.copy(hs, 4L * bh * DV, h, 4L * ((long) bh * S + t) * DV, 4L * DV);
                }
            }
            Harness.assertClose("h", Harness.read(h, B * NH * S * DV), dbl(io.get("h").data()), tol[0], tol[1]);
            Harness.assertClose("c_last", Harness.read(C, B * NH * DQK * DV), dbl(io.get("c_last").data()), tol[0], tol[1]);
            Harness.assertClose("n_last", Harness.read(n, B * NH * DQK), dbl(io.get("n_last").data()), tol[0], tol[1]);
            Harness.assertClose("m_last", Harness.read(m, B * NH), dbl(io.get("m_last").data()), tol[0], tol[1]);
        } finally {
            KernelMode.forceScalar(was);
        }
    }

    static Stream<Arguments> sigCases() {
        List<Arguments> out = new ArrayList<>();
        for (boolean scalar : new boolean[]{false, true})
            for (String sched : List.of("parallel", "sequence", "chunkwise-8", "chunkwise-29")) out.add(Arguments.of(sched, scalar));
        return out.stream();
    }

    @ParameterizedTest(name = "mlstm_siging_cell {0} scalar={1}")
    @MethodSource("sigCases")
    void siging(String schedule, boolean scalar) throws IOException {
        Path dir = dir("mlstm_siging_cell");
        Map<String, Safetensors.Tensor> io = Safetensors.read(dir.resolve("io.safetensors"));
        Map<String, Object> cfg = config(dir);
        int B = ((Double) cfg.get("B")).intValue(), NH = ((Double) cfg.get("NH")).intValue(), S = ((Double) cfg.get("S")).intValue();
        int DQK = ((Double) cfg.get("DQK")).intValue(), DV = ((Double) cfg.get("DV")).intValue();
        float eps = ((Double) cfg.get("eps")).floatValue();
        boolean normalize = (Boolean) cfg.get("normalize");
        double[] tol = tolerance(dir);
        boolean was = KernelMode.scalar();
        KernelMode.forceScalar(scalar);
        try (Arena a = Arena.ofShared()) {
            MemorySegment q = seg(a, io.get("q").data()), k = seg(a, io.get("k").data()), v = seg(a, io.get("v").data());
            MemorySegment i = seg(a, io.get("i").data()), f = seg(a, io.get("f").data());
            MemorySegment h = a.allocate(4L * B * NH * S * DV, 64);
            MemorySegment C = a.allocate(4L * B * NH * DQK * DV, 64), n = a.allocate(4L * B * NH * DQK, 64);
            switch (schedule) {
                case "parallel" -> MlstmSigCell.parallel(B, NH, S, DQK, DV, q, k, v, i, f, h, eps, normalize);
                case "sequence" -> MlstmSigCell.sequence(B, NH, S, DQK, DV, q, k, v, i, f, C, n, h, eps, normalize);
                default -> MlstmSigCell.chunkwise(B, NH, S, DQK, DV, Integer.parseInt(schedule.substring(10)), q, k, v, i, f, C, n, h, eps, normalize);
            }
            Harness.assertClose("h", Harness.read(h, B * NH * S * DV), dbl(io.get("h").data()), tol[0], tol[1]);
        } finally {
            KernelMode.forceScalar(was);
        }
    }
}
