package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lane sum and the lane-wise math the kernels use give the same bits in a JVM that only interprets (-Xint) as in
 * one where C2 has compiled them (-Xbatch makes the warm-up wait for each compilation). Each function is called from
 * its own probe method, kept out of line so that the compilation log shows C2 compiled it (with the function inlined,
 * as in a kernel). {@code reduceLanes(ADD)} and {@code lanewise(EXP)} fail this on x86.
 */
class JitIndependenceTest {
    static final int VECTORS = 256, WARM_ROUNDS = 2000;

    /** What the child checks, by the name of its probe method. */
    static final List<String> METHODS = List.of("probeSum", "probeExp", "probeExpm1", "probeLog", "probeLog1p",
            "probeTanh");

    @Test
    void interpretedAndCompiledAgree(@TempDir Path dir) throws IOException, InterruptedException {
        Child cold = child(dir, "-Xint", "0");
        Child hot = child(dir, "-Xbatch", "-XX:+PrintCompilation",
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=dontinline," + JitIndependenceTest.class.getName() + "::probe*",
                String.valueOf(WARM_ROUNDS));
        for (String m : METHODS) {
            Pattern c2 = Pattern.compile("\\s4\\s+" + Pattern.quote(JitIndependenceTest.class.getName() + "::" + m) + " ");
            assertTrue(hot.log().stream().anyMatch(l -> c2.matcher(l).find()), "C2 never compiled " + m);
        }
        assertEquals(METHODS.size(), cold.results().size());
        for (int i = 0; i < METHODS.size(); i++) {
            assertEquals(cold.results().get(i), hot.results().get(i), METHODS.get(i));
        }
    }

    /** A child's result lines (its stderr) and its compilation log (stdout, where HotSpot prints it). */
    record Child(List<String> results, List<String> log) {}

    static Child child(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args).subList(0, args.length - 1));
        cmd.addAll(List.of(JitIndependenceTest.class.getName(), args[args.length - 1]));
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertEquals(0, p.waitFor(), "child JVM failed: " + cmd);
        return new Child(Files.readAllLines(err).stream().filter(l -> l.startsWith("result ")).toList(),
                Files.readAllLines(out));
    }

    /** Inputs where rounding shows: lanes of wildly different magnitudes (for the sum), and the functions' ranges. */
    static float[][] data(long seed, double scale) {
        Random r = new Random(seed);
        float[][] d = new float[VECTORS][Simd.L];
        for (float[] v : d) {
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * scale * Math.exp(2 * r.nextGaussian()));
        }
        return d;
    }

    /** The bits of f on every vector of d, after {@code rounds} passes of warm-up. */
    static String run(String name, UnaryOperator<FloatVector> f, float[][] d, int rounds) {
        FloatVector sink = FloatVector.zero(Simd.F);
        for (int round = 0; round < rounds; round++) {
            for (float[] v : d) sink = sink.add(f.apply(FloatVector.fromArray(Simd.F, v, 0)));
        }
        StringBuilder sb = new StringBuilder("result " + name);
        for (float[] v : d) {
            for (float y : f.apply(FloatVector.fromArray(Simd.F, v, 0)).toArray()) sb.append(' ').append(Float.floatToRawIntBits(y));
        }
        if (sink.reduceLanes(VectorOperators.MAX) == 42f) sb.append(" ");   // keeps the warm-up loop
        return sb.toString();
    }

    /** The child: one line of bits per method on stderr, in the order of {@link #METHODS}. */
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        float[][] wide = data(1, 1), small = data(2, 0.3);
        System.err.println(run("sum", JitIndependenceTest::probeSum, wide, rounds));
        System.err.println(run("exp", JitIndependenceTest::probeExp, data(3, 10), rounds));
        System.err.println(run("expm1", JitIndependenceTest::probeExpm1, small, rounds));
        System.err.println(run("log", JitIndependenceTest::probeLog, wide, rounds));
        System.err.println(run("log1p", JitIndependenceTest::probeLog1p, small, rounds));
        System.err.println(run("tanh", JitIndependenceTest::probeTanh, data(4, 1), rounds));
    }

    static FloatVector probeSum(FloatVector v) { return FloatVector.broadcast(Simd.F, Simd.sum(v)); }

    static FloatVector probeExp(FloatVector v) { return VMath.exp(v); }

    static FloatVector probeExpm1(FloatVector v) { return VMath.expm1(v); }

    static FloatVector probeLog(FloatVector v) { return VMath.log(v.abs()); }

    static FloatVector probeLog1p(FloatVector v) { return VMath.log1p(v.abs()); }

    static FloatVector probeTanh(FloatVector v) { return VMath.tanh(v); }
}
