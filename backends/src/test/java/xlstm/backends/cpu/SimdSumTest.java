package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link Simd#sum}: one fixed order of the lane sum, the same interpreted and compiled ({@code reduceLanes(ADD)}
 * sums lane by lane in the interpreter and as a halving tree once C2 compiles it).
 */
class SimdSumTest {
    static final int VECTORS = 256;

    /** Lanes of wildly different magnitudes, so that the order of the additions shows in the rounded sum. */
    static float[][] data() {
        Random r = new Random(99);
        float[][] d = new float[VECTORS][Simd.L];
        for (float[] v : d) {
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * Math.exp(4 * r.nextGaussian()));
        }
        return d;
    }

    /** The halving tree written out: (lane i) + (lane i + n) for n = L/2, ..., 1. */
    static float tree(float[] v, int lo, int n) {
        if (n == 1) return v[lo];
        int h = n / 2;
        float[] half = new float[h];
        for (int i = 0; i < h; i++) half[i] = v[lo + i] + v[lo + i + h];
        return tree(half, 0, h);
    }

    static float sequential(float[] v) {
        float s = 0f;
        for (float x : v) s += x;
        return s;
    }

    static List<Integer> sums(int rounds) {
        float[][] d = data();
        List<Integer> bits = new ArrayList<>();
        float sink = 0;
        for (int round = 0; round < rounds; round++) {
            for (float[] v : d) sink += Simd.sum(FloatVector.fromArray(Simd.F, v, 0));
        }
        for (float[] v : d) bits.add(Float.floatToRawIntBits(Simd.sum(FloatVector.fromArray(Simd.F, v, 0))));
        if (sink == 42f) System.out.print("");   // keeps the warm-up loop
        return bits;
    }

    @Test
    void sumFollowsTheHalvingTreeBitForBit() {
        int orderShows = 0;
        for (float[] v : data()) {
            float expected = tree(v, 0, v.length);
            assertEquals(Float.floatToRawIntBits(expected),
                    Float.floatToRawIntBits(Simd.sum(FloatVector.fromArray(Simd.F, v, 0))));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(Simd.sumTree(v.clone())));
            if (sequential(v) != expected) orderShows++;
        }
        // the data tells the orders apart (with one lane there is only one order)
        assertTrue(Simd.L == 1 || orderShows > 0, "no vector where lane order changes the sum");
    }

    /**
     * A JVM that only interprets (-Xint) gets the same sums as one where C2 has compiled {@link Simd#sum} (-Xbatch
     * makes the warm-up wait for each compilation; the compilation log shows it happened).
     */
    @Test
    void interpretedAndCompiledAgree() throws IOException, InterruptedException {
        List<String> cold = child("-Xint", "0");
        List<String> hot = child("-Xbatch", "-XX:+PrintCompilation", "2000");
        assertTrue(hot.stream().anyMatch(l -> C2_COMPILED_SUM.matcher(l).find()), "C2 never compiled Simd.sum");
        assertEquals(sumsLine(cold), sumsLine(hot));
    }

    /** A PrintCompilation line of Simd.sum at tier 4 (C2). */
    static final Pattern C2_COMPILED_SUM = Pattern.compile("\\s4\\s+xlstm\\.backends\\.cpu\\.Simd::sum ");

    static List<String> child(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args).subList(0, args.length - 1));
        cmd.addAll(List.of(SimdSumTest.class.getName(), args[args.length - 1]));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), "child JVM failed: " + cmd);
        return out;
    }

    static String sumsLine(List<String> out) {
        return out.stream().filter(l -> l.startsWith("sums ")).findFirst().orElseThrow();
    }

    /** The child of {@link #interpretedAndCompiledAgree}: the sums' bits after args[0] rounds of warm-up. */
    public static void main(String[] args) {
        System.out.println("sums " + sums(Integer.parseInt(args[0])));
    }
}
