package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector-API building blocks shared by the hand-written CPU routines: the preferred float species (never a
 * hard-coded width), the matching short species for bf16 data, and dot products over memory segments with
 * scalar tails. Offsets are in elements unless a name says bytes. Float32 data is native-endian
 * (little-endian on every supported machine); bf16 is the upper half of a float32.
 *
 * <p>Every lane sum goes through {@link #sum}: {@code reduceLanes(ADD)} leaves its order unspecified, and HotSpot
 * takes a different one interpreted (lane by lane) than compiled by C2 (a halving tree), so results would depend on
 * how warm the JIT is.
 */
public final class Simd {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Lanes of {@link #F}. */
    public static final int L = F.length();
    public static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Shorts with as many lanes as {@link #F}: half its bit size. */
    public static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            VectorShape.forBitSize(Math.max(64, F.vectorBitSize() / 2)));
    /** True when {@link #S} has exactly {@link #L} lanes (always, except for 64-bit float vectors). */
    public static final boolean BF16_VECTOR = S.length() == L;

    public static final ByteOrder ORDER = ByteOrder.nativeOrder();
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    /**
     * Lane i to lane i + n (mod {@link #L}), for the halving steps of {@link #sum}; null when n >= L. Public for the
     * generated kernels, which spell the tree out inline ({@link #TREE_COVERS}) so that no vector crosses a call.
     */
    public static final VectorShuffle<Float> H8 = halving(8), H4 = halving(4), H2 = halving(2), H1 = halving(1);
    /** {@link #F} when {@link #sum}'s four halving steps cover it (up to 16 lanes), else null (a scalar tree). */
    private static final VectorSpecies<Float> TREE = L <= 16 ? F : null;
    /** Whether the halving steps H8..H1 cover the preferred species (else {@link #sumTree} of the lanes). */
    public static final boolean TREE_COVERS = TREE != null;

    private Simd() {}

    private static VectorShuffle<Float> halving(int n) {
        return n < L ? VectorShuffle.iota(F, n, 1, true) : null;
    }

    /**
     * The sum of v's lanes in one fixed order, whether interpreted or compiled: a halving tree, lane i += lane
     * i + n for n = L/2, L/4, ..., 1 (the order C2's own reduction takes on x86), then lane 0. Exact permutes and
     * lane-wise adds only, so the result is the same bits however warm the JIT is ({@link #sumTree} spells out the
     * same order in scalars). Split into methods under C2's {@code MaxInlineSize} (35 bytes of bytecode) so that it
     * is inlined even where C2 deems the call cold: a vector passed to a call that is not inlined is boxed.
     */
    public static float sum(FloatVector v) {
        return v.species() == TREE ? halves(v) : sumTree(v.toArray());
    }

    private static float halves(FloatVector v) {
        return halve(halve(halve(halve(v, H8), H4), H2), H1).lane(0);
    }

    /** Lane i + lane i + n (lane i + n wraps around: only the low n lanes matter); v itself when n >= L. */
    private static FloatVector halve(FloatVector v, VectorShuffle<Float> iPlusN) {
        return iPlusN == null ? v : v.add(v.rearrange(iPlusN));
    }

    /** {@link #sum}'s order on a power-of-two number of values (t is overwritten). */
    public static float sumTree(float[] t) {
        for (int n = t.length / 2; n >= 1; n /= 2) {
            for (int i = 0; i < n; i++) t[i] += t[i + n];
        }
        return t[0];
    }

    /** The largest multiple of {@link #L} not above {@code n}. */
    public static int loopBound(int n) { return F.loopBound(n); }

    public static FloatVector load(MemorySegment s, long elem) {
        return FloatVector.fromMemorySegment(F, s, elem * 4, ORDER);
    }

    public static void store(FloatVector v, MemorySegment s, long elem) {
        v.intoMemorySegment(s, elem * 4, ORDER);
    }

    /** {@link #L} bf16 values at element {@code elem}, widened to float. */
    public static FloatVector loadBf16(MemorySegment s, long elem) {
        ShortVector sv = ShortVector.fromMemorySegment(S, s, elem * 2, ORDER);
        IntVector iv = (IntVector) sv.convertShape(VectorOperators.S2I, I, 0);
        return iv.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    public static float getF(MemorySegment s, long elem) { return s.getAtIndex(FLOAT, elem); }

    public static void setF(MemorySegment s, long elem, float v) { s.setAtIndex(FLOAT, elem, v); }

    public static float getBf16(MemorySegment s, long elem) {
        return Float.intBitsToFloat((s.getAtIndex(SHORT, elem) & 0xffff) << 16);
    }

    /** Weight element {@code elem} of a float32 ({@code bf16 == false}) or bf16 matrix, widened to float. */
    public static float getW(MemorySegment s, long elem, boolean bf16) {
        return bf16 ? getBf16(s, elem) : getF(s, elem);
    }

    /** Σ a[i]·b[i] over n float32 values. */
    public static float dot(MemorySegment a, long aOff, MemorySegment b, long bOff, int n) {
        if (KernelMode.scalar()) return dotScalar(a, aOff, b, bOff, n, false);
        int i = 0, bound4 = n - n % (4 * L);
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (; i < bound4; i += 4 * L) {
            s0 = load(a, aOff + i).fma(load(b, bOff + i), s0);
            s1 = load(a, aOff + i + L).fma(load(b, bOff + i + L), s1);
            s2 = load(a, aOff + i + 2 * L).fma(load(b, bOff + i + 2 * L), s2);
            s3 = load(a, aOff + i + 3 * L).fma(load(b, bOff + i + 3 * L), s3);
        }
        int bound = loopBound(n);
        for (; i < bound; i += L) s0 = load(a, aOff + i).fma(load(b, bOff + i), s0);
        float acc = sum(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) acc += getF(a, aOff + i) * getF(b, bOff + i);
        return acc;
    }

    /** Σ x[i]·w[i] with x float32 and w float32 or bf16. */
    public static float dot(MemorySegment x, long xOff, MemorySegment w, long wOff, int n, boolean wBf16) {
        if (!wBf16) return dot(x, xOff, w, wOff, n);
        if (KernelMode.scalar() || !BF16_VECTOR) return dotScalar(x, xOff, w, wOff, n, true);
        int i = 0, bound2 = n - n % (2 * L);
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        for (; i < bound2; i += 2 * L) {
            s0 = load(x, xOff + i).fma(loadBf16(w, wOff + i), s0);
            s1 = load(x, xOff + i + L).fma(loadBf16(w, wOff + i + L), s1);
        }
        int bound = loopBound(n);
        for (; i < bound; i += L) s0 = load(x, xOff + i).fma(loadBf16(w, wOff + i), s0);
        float acc = sum(s0.add(s1));
        for (; i < n; i++) acc += getF(x, xOff + i) * getBf16(w, wOff + i);
        return acc;
    }

    /**
     * y[ya] = dot(x, w at waOff) and y[yb] = dot(x, w at wbOff), n long, in one pass over x: two weight streams at
     * once. Each row is accumulated and summed exactly as {@link #dot(MemorySegment, long, MemorySegment, long, int,
     * boolean)} does it, so the results are the same bits.
     */
    public static void dot2(MemorySegment x, long xOff, MemorySegment w, long waOff, long wbOff, int n, boolean wBf16,
                            MemorySegment y, long ya, long yb) {
        int i = 0;
        float accA, accB;
        if (!wBf16) {
            int bound4 = n - n % (4 * L);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (; i < bound4; i += 4 * L) {
                FloatVector x0 = load(x, xOff + i), x1 = load(x, xOff + i + L), x2 = load(x, xOff + i + 2 * L),
                        x3 = load(x, xOff + i + 3 * L);
                a0 = x0.fma(load(w, waOff + i), a0);
                b0 = x0.fma(load(w, wbOff + i), b0);
                a1 = x1.fma(load(w, waOff + i + L), a1);
                b1 = x1.fma(load(w, wbOff + i + L), b1);
                a2 = x2.fma(load(w, waOff + i + 2 * L), a2);
                b2 = x2.fma(load(w, wbOff + i + 2 * L), b2);
                a3 = x3.fma(load(w, waOff + i + 3 * L), a3);
                b3 = x3.fma(load(w, wbOff + i + 3 * L), b3);
            }
            int bound = loopBound(n);
            for (; i < bound; i += L) {
                FloatVector x0 = load(x, xOff + i);
                a0 = x0.fma(load(w, waOff + i), a0);
                b0 = x0.fma(load(w, wbOff + i), b0);
            }
            accA = sum(a0.add(a1).add(a2.add(a3)));
            accB = sum(b0.add(b1).add(b2.add(b3)));
            for (; i < n; i++) {
                accA += getF(x, xOff + i) * getF(w, waOff + i);
                accB += getF(x, xOff + i) * getF(w, wbOff + i);
            }
        } else {
            int bound2 = n - n % (2 * L);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
            for (; i < bound2; i += 2 * L) {
                FloatVector x0 = load(x, xOff + i), x1 = load(x, xOff + i + L);
                a0 = x0.fma(loadBf16(w, waOff + i), a0);
                b0 = x0.fma(loadBf16(w, wbOff + i), b0);
                a1 = x1.fma(loadBf16(w, waOff + i + L), a1);
                b1 = x1.fma(loadBf16(w, wbOff + i + L), b1);
            }
            int bound = loopBound(n);
            for (; i < bound; i += L) {
                FloatVector x0 = load(x, xOff + i);
                a0 = x0.fma(loadBf16(w, waOff + i), a0);
                b0 = x0.fma(loadBf16(w, wbOff + i), b0);
            }
            accA = sum(a0.add(a1));
            accB = sum(b0.add(b1));
            for (; i < n; i++) {
                accA += getF(x, xOff + i) * getBf16(w, waOff + i);
                accB += getF(x, xOff + i) * getBf16(w, wbOff + i);
            }
        }
        setF(y, ya, accA);
        setF(y, yb, accB);
    }

    /**
     * y[o] = dot(x, row o of w) for the four rows o = oa, ob, oc, od (rows of {@code n} elements from {@code wOff}),
     * in one pass over x: four weight streams at once, each row accumulated and summed exactly as
     * {@link #dot(MemorySegment, long, MemorySegment, long, int, boolean)} does it.
     */
    public static void dot4(MemorySegment x, long xOff, MemorySegment w, long wOff, int n, boolean wBf16,
                            MemorySegment y, long yOff, int oa, int ob, int oc, int od) {
        long pa = wOff + (long) oa * n, pb = wOff + (long) ob * n, pc = wOff + (long) oc * n, pd = wOff + (long) od * n;
        int i = 0;
        float sa, sb, sc, sd;
        if (!wBf16) {
            // two of dot's four accumulators per row at a time would change its sums: keep all four (16 registers)
            int bound4 = n - n % (4 * L);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
            for (; i < bound4; i += 4 * L) {
                FloatVector x0 = load(x, xOff + i), x1 = load(x, xOff + i + L), x2 = load(x, xOff + i + 2 * L),
                        x3 = load(x, xOff + i + 3 * L);
                a0 = x0.fma(load(w, pa + i), a0);
                b0 = x0.fma(load(w, pb + i), b0);
                c0 = x0.fma(load(w, pc + i), c0);
                d0 = x0.fma(load(w, pd + i), d0);
                a1 = x1.fma(load(w, pa + i + L), a1);
                b1 = x1.fma(load(w, pb + i + L), b1);
                c1 = x1.fma(load(w, pc + i + L), c1);
                d1 = x1.fma(load(w, pd + i + L), d1);
                a2 = x2.fma(load(w, pa + i + 2 * L), a2);
                b2 = x2.fma(load(w, pb + i + 2 * L), b2);
                c2 = x2.fma(load(w, pc + i + 2 * L), c2);
                d2 = x2.fma(load(w, pd + i + 2 * L), d2);
                a3 = x3.fma(load(w, pa + i + 3 * L), a3);
                b3 = x3.fma(load(w, pb + i + 3 * L), b3);
                c3 = x3.fma(load(w, pc + i + 3 * L), c3);
                d3 = x3.fma(load(w, pd + i + 3 * L), d3);
            }
            int bound = loopBound(n);
            for (; i < bound; i += L) {
                FloatVector x0 = load(x, xOff + i);
                a0 = x0.fma(load(w, pa + i), a0);
                b0 = x0.fma(load(w, pb + i), b0);
                c0 = x0.fma(load(w, pc + i), c0);
                d0 = x0.fma(load(w, pd + i), d0);
            }
            sa = sum(a0.add(a1).add(a2.add(a3)));
            sb = sum(b0.add(b1).add(b2.add(b3)));
            sc = sum(c0.add(c1).add(c2.add(c3)));
            sd = sum(d0.add(d1).add(d2.add(d3)));
            for (; i < n; i++) {
                float xi = getF(x, xOff + i);
                sa += xi * getF(w, pa + i);
                sb += xi * getF(w, pb + i);
                sc += xi * getF(w, pc + i);
                sd += xi * getF(w, pd + i);
            }
        } else {
            int bound2 = n - n % (2 * L);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (; i < bound2; i += 2 * L) {
                FloatVector x0 = load(x, xOff + i), x1 = load(x, xOff + i + L);
                a0 = x0.fma(loadBf16(w, pa + i), a0);
                b0 = x0.fma(loadBf16(w, pb + i), b0);
                c0 = x0.fma(loadBf16(w, pc + i), c0);
                d0 = x0.fma(loadBf16(w, pd + i), d0);
                a1 = x1.fma(loadBf16(w, pa + i + L), a1);
                b1 = x1.fma(loadBf16(w, pb + i + L), b1);
                c1 = x1.fma(loadBf16(w, pc + i + L), c1);
                d1 = x1.fma(loadBf16(w, pd + i + L), d1);
            }
            int bound = loopBound(n);
            for (; i < bound; i += L) {
                FloatVector x0 = load(x, xOff + i);
                a0 = x0.fma(loadBf16(w, pa + i), a0);
                b0 = x0.fma(loadBf16(w, pb + i), b0);
                c0 = x0.fma(loadBf16(w, pc + i), c0);
                d0 = x0.fma(loadBf16(w, pd + i), d0);
            }
            sa = sum(a0.add(a1));
            sb = sum(b0.add(b1));
            sc = sum(c0.add(c1));
            sd = sum(d0.add(d1));
            for (; i < n; i++) {
                float xi = getF(x, xOff + i);
                sa += xi * getBf16(w, pa + i);
                sb += xi * getBf16(w, pb + i);
                sc += xi * getBf16(w, pc + i);
                sd += xi * getBf16(w, pd + i);
            }
        }
        setF(y, yOff + oa, sa);
        setF(y, yOff + ob, sb);
        setF(y, yOff + oc, sc);
        setF(y, yOff + od, sd);
    }

    /** The scalar twin of the dot products (one float accumulator, in order). */
    public static float dotScalar(MemorySegment x, long xOff, MemorySegment w, long wOff, int n, boolean wBf16) {
        float acc = 0f;
        if (wBf16) {
            for (int i = 0; i < n; i++) acc += getF(x, xOff + i) * getBf16(w, wOff + i);
        } else {
            for (int i = 0; i < n; i++) acc += getF(x, xOff + i) * getF(w, wOff + i);
        }
        return acc;
    }
}
