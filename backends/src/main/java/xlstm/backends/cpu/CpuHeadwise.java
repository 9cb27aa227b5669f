package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Block-diagonal linear map ({@code LinearHeadwiseExpand}): x (rows, NH·din), W (NH, dout, din) float32 or
 * bf16, bias (NH·dout) float32 or null; {@code y[r, h·dout + o] = Σ_d x[r, h·din + d]·W[h, o, d] (+ b)}.
 * Parallel over rows. y must not overlap x.
 */
public final class CpuHeadwise {
    private CpuHeadwise() {}

    public static void headwiseLinear(MemorySegment x, long xOff, int rows, int heads, int inPerHead,
                                      MemorySegment w, long wOff, boolean wBf16, int outPerHead,
                                      MemorySegment b, long bOff, MemorySegment y, long yOff) {
        int in = heads * inPerHead, out = heads * outPerHead;
        boolean scalar = KernelMode.scalar();
        int grain = Math.max(1, 16384 / Math.max(1, in * outPerHead));
        CpuParallel.forEach(rows, grain, r -> {
            long xr = xOff + (long) r * in, yr = yOff + (long) r * out;
            for (int h = 0; h < heads; h++) {
                long xh = xr + (long) h * inPerHead;
                long wh = wOff + (long) h * outPerHead * inPerHead;
                for (int o = 0; o < outPerHead; o++) {
                    long wo = wh + (long) o * inPerHead;
                    float acc = scalar ? Simd.dotScalar(x, xh, w, wo, inPerHead, wBf16)
                            : Simd.dot(x, xh, w, wo, inPerHead, wBf16);
                    int c = h * outPerHead + o;
                    if (b != null) acc += Simd.getF(b, bOff + c);
                    Simd.setF(y, yr + c, acc);
                }
            }
        });
    }
}
