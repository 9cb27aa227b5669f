package xlstm.codegen.java;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The private static helper methods an emitted class may need, as Java source: elementwise functions
 * ({@code s_*} scalar twins, {@code v_*} Vector API), the array kernels of the chunkwise/parallel schedules
 * ({@code dot, axpy, scal, store, divstore}) and argument checks.
 *
 * <p>Approximations: {@code erf} (for exact GELU) has no Vector API operator; both twins use Abramowitz-Stegun
 * 7.1.26 (|error| <= 1.5e-7), so vector and scalar paths agree. Everything else maps to {@code java.lang.Math} in
 * float32 (scalar) or the runtime's {@code xlstm.backends.cpu.VMath} (vector: exp, log, log1p, expm1, tanh), not
 * to the Vector API's {@code EXP, TANH, ...} operators, whose results differ between the interpreter and C2.
 */
final class Helpers {
    /** The vector math the emitted {@code v_*} helpers call: the same bits however warm the JIT is. */
    static final String VMATH = "xlstm.backends.cpu.VMath";

    private Helpers() {}

    private static final Map<String, String> SRC = new LinkedHashMap<>();
    private static final Map<String, List<String>> DEPS = new LinkedHashMap<>();

    private static void def(String name, String src, String... deps) {
        SRC.put(name, src);
        DEPS.put(name, List.of(deps));
    }

    static {
        String s = "private static float ";
        String v = "private static FloatVector ";
        def("s_exp", s + "s_exp(float x) { return (float) Math.exp(x); }");
        def("s_log", s + "s_log(float x) { return (float) Math.log(x); }");
        def("s_logsigmoid", s + "s_logsigmoid(float x) { return Math.min(x, 0f) - (float) Math.log1p(Math.exp(-Math.abs(x))); }");
        def("s_sigmoid", s + "s_sigmoid(float x) { return 1f / (1f + (float) Math.exp(-x)); }");
        def("s_tanh", s + "s_tanh(float x) { return (float) Math.tanh(x); }");
        def("s_silu", s + "s_silu(float x) { return x / (1f + (float) Math.exp(-x)); }");
        def("s_erf", s + "s_erf(float x) {\n"
                + "    // Abramowitz-Stegun 7.1.26, |error| <= 1.5e-7\n"
                + "    float ax = Math.abs(x);\n"
                + "    float t = 1f / (1f + 0.3275911f * ax);\n"
                + "    float p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;\n"
                + "    float y = 1f - p * (float) Math.exp(-ax * ax);\n"
                + "    return Math.copySign(y, x);\n"
                + "}");
        def("s_gelu", s + "s_gelu(float x) { return 0.5f * x * (1f + s_erf(x * 0.70710677f)); }", "s_erf");
        def("s_relu", s + "s_relu(float x) { return Math.max(x, 0f); }");
        def("s_selu", s + "s_selu(float x) { return x > 0f ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * (float) Math.expm1(x); }");
        def("s_sqrt", s + "s_sqrt(float x) { return (float) Math.sqrt(x); }");
        def("s_rsqrt", s + "s_rsqrt(float x) { return 1f / (float) Math.sqrt(x); }");
        def("s_heaviside", s + "s_heaviside(float x) { return x > 0f ? 1f : 0f; }");
        def("s_softcap", s + "s_softcap(float x, float cap) { return cap * (float) Math.tanh(x / cap); }");

        def("v_exp", v + "v_exp(FloatVector x) { return " + VMATH + ".exp(x); }");
        def("v_log", v + "v_log(FloatVector x) { return " + VMATH + ".log(x); }");
        def("v_logsigmoid", v + "v_logsigmoid(FloatVector x) {\n"
                + "    return x.min(0f).sub(" + VMATH + ".log1p(" + VMATH + ".exp(x.abs().neg())));\n}");
        def("v_sigmoid", v + "v_sigmoid(FloatVector x) {\n"
                + "    return FloatVector.broadcast(SP, 1f).div(" + VMATH + ".exp(x.neg()).add(1f));\n}");
        def("v_tanh", v + "v_tanh(FloatVector x) { return " + VMATH + ".tanh(x); }");
        def("v_silu", v + "v_silu(FloatVector x) { return x.div(" + VMATH + ".exp(x.neg()).add(1f)); }");
        def("v_erf", v + "v_erf(FloatVector x) {\n"
                + "    // Abramowitz-Stegun 7.1.26 as s_erf\n"
                + "    FloatVector ax = x.abs();\n"
                + "    FloatVector t = FloatVector.broadcast(SP, 1f).div(ax.mul(0.3275911f).add(1f));\n"
                + "    FloatVector p = t.mul(1.061405429f).sub(1.453152027f).mul(t).add(1.421413741f).mul(t)\n"
                + "            .sub(0.284496736f).mul(t).add(0.254829592f).mul(t);\n"
                + "    FloatVector y = FloatVector.broadcast(SP, 1f).sub(p.mul(" + VMATH + ".exp(ax.mul(ax).neg())));\n"
                + "    return y.blend(y.neg(), x.lt(0f));\n}");
        def("v_gelu", v + "v_gelu(FloatVector x) { return x.mul(0.5f).mul(v_erf(x.mul(0.70710677f)).add(1f)); }", "v_erf");
        def("v_relu", v + "v_relu(FloatVector x) { return x.max(0f); }");
        def("v_selu", v + "v_selu(FloatVector x) {\n"
                + "    FloatVector neg = " + VMATH + ".expm1(x).mul(SELU_SCALE * SELU_ALPHA);\n"
                + "    return neg.blend(x.mul(SELU_SCALE), x.compare(VectorOperators.GT, 0f));\n}");
        def("v_rsqrt", v + "v_rsqrt(FloatVector x) { return FloatVector.broadcast(SP, 1f).div(x.sqrt()); }");
        def("v_heaviside", v + "v_heaviside(FloatVector x) {\n"
                + "    return FloatVector.zero(SP).blend(FloatVector.broadcast(SP, 1f), x.compare(VectorOperators.GT, 0f));\n}");
        def("v_softcap", v + "v_softcap(FloatVector x, float cap) { return " + VMATH + ".tanh(x.div(cap)).mul(cap); }");

        // array kernels of the chunkwise / parallel schedules
        def("dot_v", "private static float dot_v(float[] a, int ao, float[] b, int bo, int n) {\n"
                + "    FloatVector acc = FloatVector.zero(SP);\n"
                + "    int i = 0;\n"
                + "    for (; i < SP.loopBound(n); i += VL) acc = FloatVector.fromArray(SP, a, ao + i).fma(FloatVector.fromArray(SP, b, bo + i), acc);\n"
                + String.join("", BodyGen.laneSum("acc", "s", "=").stream().map(l -> "    " + l + "\n").toList())
                + "    for (; i < n; i++) s += a[ao + i] * b[bo + i];\n"
                + "    return s;\n}");
        def("dot_s", "private static float dot_s(float[] a, int ao, float[] b, int bo, int n) {\n"
                + "    float s = 0f;\n"
                + "    for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];\n"
                + "    return s;\n}");
        def("axpy_v", "/** y += alpha * x */\nprivate static void axpy_v(float alpha, float[] x, int xo, float[] y, int yo, int n) {\n"
                + "    FloatVector av = FloatVector.broadcast(SP, alpha);\n"
                + "    int i = 0;\n"
                + "    for (; i < SP.loopBound(n); i += VL)\n"
                + "        FloatVector.fromArray(SP, x, xo + i).fma(av, FloatVector.fromArray(SP, y, yo + i)).intoArray(y, yo + i);\n"
                + "    for (; i < n; i++) y[yo + i] += alpha * x[xo + i];\n}");
        def("axpy_s", "/** y += alpha * x */\nprivate static void axpy_s(float alpha, float[] x, int xo, float[] y, int yo, int n) {\n"
                + "    for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];\n}");
        def("scal_v", "private static void scal_v(float alpha, float[] y, int yo, int n) {\n"
                + "    int i = 0;\n"
                + "    for (; i < SP.loopBound(n); i += VL) FloatVector.fromArray(SP, y, yo + i).mul(alpha).intoArray(y, yo + i);\n"
                + "    for (; i < n; i++) y[yo + i] *= alpha;\n}");
        def("scal_s", "private static void scal_s(float alpha, float[] y, int yo, int n) {\n"
                + "    for (int i = 0; i < n; i++) y[yo + i] *= alpha;\n}");
        def("gemm_v", "/** C[M x N] (row stride ldc) += A[M x K] (lda) * B[K x N] (ldb): 4 x 2-vector register blocks. */\n"
                + "private static void gemm_v(int M, int N, int K, float[] A, int ao, int lda, float[] B, int bo, int ldb, float[] C, int co, int ldc) {\n"
                + "    final int N2 = N - N % (2 * VL), N1 = SP.loopBound(N);\n"
                + "    int i = 0;\n"
                + "    for (; i + 4 <= M; i += 4) {\n"
                + "        final int a0 = ao + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;\n"
                + "        final int c0 = co + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;\n"
                + "        int j = 0;\n"
                + "        for (; j < N2; j += 2 * VL) {\n"
                + "            FloatVector s00 = FloatVector.zero(SP), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00;\n"
                + "            for (int k = 0; k < K; k++) {\n"
                + "                final int b = bo + k * ldb + j;\n"
                + "                final FloatVector b0 = FloatVector.fromArray(SP, B, b), b1 = FloatVector.fromArray(SP, B, b + VL);\n"
                + "                FloatVector x = FloatVector.broadcast(SP, A[a0 + k]);\n"
                + "                s00 = b0.fma(x, s00);\n"
                + "                s01 = b1.fma(x, s01);\n"
                + "                x = FloatVector.broadcast(SP, A[a1 + k]);\n"
                + "                s10 = b0.fma(x, s10);\n"
                + "                s11 = b1.fma(x, s11);\n"
                + "                x = FloatVector.broadcast(SP, A[a2 + k]);\n"
                + "                s20 = b0.fma(x, s20);\n"
                + "                s21 = b1.fma(x, s21);\n"
                + "                x = FloatVector.broadcast(SP, A[a3 + k]);\n"
                + "                s30 = b0.fma(x, s30);\n"
                + "                s31 = b1.fma(x, s31);\n"
                + "            }\n"
                + "            FloatVector.fromArray(SP, C, c0 + j).add(s00).intoArray(C, c0 + j);\n"
                + "            FloatVector.fromArray(SP, C, c0 + j + VL).add(s01).intoArray(C, c0 + j + VL);\n"
                + "            FloatVector.fromArray(SP, C, c1 + j).add(s10).intoArray(C, c1 + j);\n"
                + "            FloatVector.fromArray(SP, C, c1 + j + VL).add(s11).intoArray(C, c1 + j + VL);\n"
                + "            FloatVector.fromArray(SP, C, c2 + j).add(s20).intoArray(C, c2 + j);\n"
                + "            FloatVector.fromArray(SP, C, c2 + j + VL).add(s21).intoArray(C, c2 + j + VL);\n"
                + "            FloatVector.fromArray(SP, C, c3 + j).add(s30).intoArray(C, c3 + j);\n"
                + "            FloatVector.fromArray(SP, C, c3 + j + VL).add(s31).intoArray(C, c3 + j + VL);\n"
                + "        }\n"
                + "        for (; j < N1; j += VL) {\n"
                + "            FloatVector s0 = FloatVector.zero(SP), s1 = s0, s2 = s0, s3 = s0;\n"
                + "            for (int k = 0; k < K; k++) {\n"
                + "                final FloatVector b0 = FloatVector.fromArray(SP, B, bo + k * ldb + j);\n"
                + "                s0 = b0.fma(FloatVector.broadcast(SP, A[a0 + k]), s0);\n"
                + "                s1 = b0.fma(FloatVector.broadcast(SP, A[a1 + k]), s1);\n"
                + "                s2 = b0.fma(FloatVector.broadcast(SP, A[a2 + k]), s2);\n"
                + "                s3 = b0.fma(FloatVector.broadcast(SP, A[a3 + k]), s3);\n"
                + "            }\n"
                + "            FloatVector.fromArray(SP, C, c0 + j).add(s0).intoArray(C, c0 + j);\n"
                + "            FloatVector.fromArray(SP, C, c1 + j).add(s1).intoArray(C, c1 + j);\n"
                + "            FloatVector.fromArray(SP, C, c2 + j).add(s2).intoArray(C, c2 + j);\n"
                + "            FloatVector.fromArray(SP, C, c3 + j).add(s3).intoArray(C, c3 + j);\n"
                + "        }\n"
                + "        for (; j < N; j++) {\n"
                + "            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;\n"
                + "            for (int k = 0; k < K; k++) {\n"
                + "                final float b0 = B[bo + k * ldb + j];\n"
                + "                s0 += A[a0 + k] * b0;\n"
                + "                s1 += A[a1 + k] * b0;\n"
                + "                s2 += A[a2 + k] * b0;\n"
                + "                s3 += A[a3 + k] * b0;\n"
                + "            }\n"
                + "            C[c0 + j] += s0;\n"
                + "            C[c1 + j] += s1;\n"
                + "            C[c2 + j] += s2;\n"
                + "            C[c3 + j] += s3;\n"
                + "        }\n"
                + "    }\n"
                + "    for (; i < M; i++) {\n"
                + "        final int a0 = ao + i * lda, c0 = co + i * ldc;\n"
                + "        int j = 0;\n"
                + "        for (; j < N1; j += VL) {\n"
                + "            FloatVector s0 = FloatVector.zero(SP);\n"
                + "            for (int k = 0; k < K; k++) s0 = FloatVector.fromArray(SP, B, bo + k * ldb + j).fma(FloatVector.broadcast(SP, A[a0 + k]), s0);\n"
                + "            FloatVector.fromArray(SP, C, c0 + j).add(s0).intoArray(C, c0 + j);\n"
                + "        }\n"
                + "        for (; j < N; j++) {\n"
                + "            float s0 = 0f;\n"
                + "            for (int k = 0; k < K; k++) s0 += A[a0 + k] * B[bo + k * ldb + j];\n"
                + "            C[c0 + j] += s0;\n"
                + "        }\n"
                + "    }\n}");
        def("gemm_s", "/** C[M x N] (row stride ldc) += A[M x K] (lda) * B[K x N] (ldb). */\n"
                + "private static void gemm_s(int M, int N, int K, float[] A, int ao, int lda, float[] B, int bo, int ldb, float[] C, int co, int ldc) {\n"
                + "    for (int i = 0; i < M; i++)\n"
                + "        for (int k = 0; k < K; k++) {\n"
                + "            final float a = A[ao + i * lda + k];\n"
                + "            if (a == 0f) continue;\n"
                + "            final int b = bo + k * ldb, c = co + i * ldc;\n"
                + "            for (int j = 0; j < N; j++) C[c + j] += a * B[b + j];\n"
                + "        }\n}");
        def("divstore_v", "/** out[oo..] = x[xo..] / d */\nprivate static void divstore_v(float[] x, int xo, float d, MemorySegment out, long oo, int n) {\n"
                + "    int i = 0;\n"
                + "    for (; i < SP.loopBound(n); i += VL) FloatVector.fromArray(SP, x, xo + i).div(d).intoMemorySegment(out, oo + 4L * i, BO);\n"
                + "    for (; i < n; i++) out.set(F32, oo + 4L * i, x[xo + i] / d);\n}");
        def("divstore_s", "/** out[oo..] = x[xo..] / d */\nprivate static void divstore_s(float[] x, int xo, float d, MemorySegment out, long oo, int n) {\n"
                + "    for (int i = 0; i < n; i++) out.set(F32, oo + 4L * i, x[xo + i] / d);\n}");
        def("store_v", "private static void store_v(float[] x, int xo, MemorySegment out, long oo, int n) {\n"
                + "    MemorySegment.copy(x, xo, out, F32, oo, n);\n}");
        def("store_s", "private static void store_s(float[] x, int xo, MemorySegment out, long oo, int n) {\n"
                + "    for (int i = 0; i < n; i++) out.set(F32, oo + 4L * i, x[xo + i]);\n}");
        def("_need", "private static void _need(MemorySegment s, long floats, String name) {\n"
                + "    if (s == null) throw new NullPointerException(name);\n"
                + "    if (s.byteSize() < floats * 4L)\n"
                + "        throw new IllegalArgumentException(name + \": needs \" + floats + \" floats (\" + floats * 4L + \" bytes), the segment has \" + s.byteSize() + \" bytes\");\n}");
        def("_dims", "/** Throws for the negative size; called only when there is one (see Helpers.dimsCheck). */\n"
                + "private static void _dims(int... sizes) {\n"
                + "    for (int d : sizes) if (d < 0) throw new IllegalArgumentException(\"negative size \" + d);\n}");
        def("_forEach", "/** CpuParallel.forEach when every segment may be used by the pool's threads, else a plain loop. */\n"
                + "private static void _forEach(boolean par, int n, IntConsumer body) {\n"
                + "    if (par) CpuParallel.forEach(n, body);\n"
                + "    else for (int i = 0; i < n; i++) body.accept(i);\n}");
        def("_forEachG", "private static void _forEachG(boolean par, int n, int grain, IntConsumer body) {\n"
                + "    if (par) CpuParallel.forEach(n, grain, body);\n"
                + "    else for (int i = 0; i < n; i++) body.accept(i);\n}");
        def("_shareable", "/** False when a segment is confined to the calling thread (then the kernel runs on this thread only). */\n"
                + "private static boolean _shareable(MemorySegment s) {\n"
                + "    return s.isAccessibleBy(OTHER_THREAD);\n}");
        def("_allZero", "/** True when every one of the first n floats of s is zero (the batch-global all_zero). */\n"
                + "private static boolean _allZero(MemorySegment s, long n) {\n"
                + "    for (long i = 0; i < n; i++) if (s.getAtIndex(F32, i) != 0f) return false;\n"
                + "    return true;\n}");
    }

    /**
     * The size check of an entry point: {@code _dims} (varargs) is called only when the OR of the sizes is negative,
     * i.e. when one of them is, so a call with valid sizes allocates no array.
     */
    static String dimsCheck(List<String> dims) {
        return "if ((" + String.join(" | ", dims) + ") < 0) _dims(" + String.join(", ", dims) + ");";
    }

    /** True when every named segment may be used by the pool's threads: one {@code _shareable} call each, no array. */
    static String shareableCheck(List<String> segments) {
        if (segments.isEmpty()) return "true";
        return segments.stream().map(s -> "_shareable(" + s + ")").collect(java.util.stream.Collectors.joining(" && "));
    }

    /** The sources of the given helpers and everything they call, in a stable order. */
    static List<String> sources(Set<String> used) {
        Set<String> all = new TreeSet<>();
        for (String u : used) close(u, all);
        return all.stream().map(n -> {
            String src = SRC.get(n);
            if (src == null) throw new IllegalStateException("no helper " + n);
            return src;
        }).toList();
    }

    private static void close(String name, Set<String> acc) {
        if (!acc.add(name)) return;
        for (String d : DEPS.getOrDefault(name, List.of())) close(d, acc);
    }

    static boolean usesSelu(Set<String> used) { return used.contains("s_selu") || used.contains("v_selu"); }
}
