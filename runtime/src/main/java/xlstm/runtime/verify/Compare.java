package xlstm.runtime.verify;

import java.util.Arrays;
import java.util.stream.LongStream;
import xlstm.runtime.tensor.Tensor;

/** The fixture comparisons: tensors by the {@link Tolerance} rule, token ids exactly. */
public final class Compare {
    private Compare() {}

    /**
     * Compares {@code out} with {@code ref} over the whole tensor, in double. Shapes must agree up to dimensions of
     * size 1 (the fixtures store {@code m} as (B,NH,1) where kernels use (B,NH)).
     */
    public static Check tensors(String caseName, String label, Tensor out, Tensor ref, Tolerance tol) {
        double maxRef = 0;
        for (long j = 0; j < ref.numel(); j++) maxRef = Math.max(maxRef, Math.abs((double) ref.getFloat(j)));
        double limit = tol.limit(maxRef);
        if (!Arrays.equals(squeeze(out.shape()), squeeze(ref.shape()))) {
            return new Check(caseName, label, Double.POSITIVE_INFINITY, limit,
                    "shape " + Arrays.toString(out.shape()) + " but the reference is " + Arrays.toString(ref.shape()));
        }
        double maxErr = 0;
        long worst = -1;
        for (long j = 0; j < ref.numel(); j++) {
            double e = Math.abs((double) out.getFloat(j) - ref.getFloat(j));
            if (!(e <= maxErr)) { // also catches NaN, which then sticks
                maxErr = e;
                worst = j;
                if (Double.isNaN(e)) break;
            }
        }
        String detail = maxErr <= limit ? ""
                : "worst at " + index(worst, ref.shape()) + ": " + out.getFloat(worst) + " vs " + ref.getFloat(worst);
        return new Check(caseName, label, maxErr, limit, detail);
    }

    /** Token ids: equal element by element, in the same shape; the error is the largest id difference. */
    public static Check tokens(String caseName, String label, long[] out, long[] ref) {
        double maxErr = out.length == ref.length ? 0 : Double.POSITIVE_INFINITY;
        int first = -1;
        for (int j = 0; j < Math.min(out.length, ref.length); j++) {
            double e = Math.abs((double) out[j] - ref[j]);
            if (e > 0 && first < 0) first = j;
            maxErr = Math.max(maxErr, e);
        }
        String detail = maxErr == 0 ? ""
                : (first >= 0 ? "first difference at position " + first + "; " : "")
                  + "got " + Arrays.toString(out) + ", expected " + Arrays.toString(ref);
        return new Check(caseName, label, maxErr, 0, detail);
    }

    private static long[] squeeze(long[] shape) {
        return LongStream.of(shape).filter(d -> d != 1).toArray();
    }

    private static String index(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            long n = Math.max(shape[d], 1);
            idx[d] = flat % n;
            flat /= n;
        }
        return Arrays.toString(idx);
    }
}
