package xlstm.runtime.io;

import xlstm.backends.DType;
import xlstm.backends.cpu.CpuConvert;
import xlstm.runtime.tensor.Tensor;

/** Dtype conversion of whole tensors (vectorised for F32 ↔ BF16). */
final class Tensors {
    private Tensors() {}

    static Tensor convert(Tensor t, DType target) {
        if (t.dtype() == target) return t;
        Tensor out = Tensor.zeros(target, t.shape());
        long n = t.numel();
        if (t.dtype() == DType.BF16 && target == DType.F32) {
            CpuConvert.bf16ToF32(t.data(), 0, out.data(), 0, n);
        } else if (t.dtype() == DType.F32 && target == DType.BF16) {
            CpuConvert.f32ToBf16(t.data(), 0, out.data(), 0, n);
        } else {
            for (long i = 0; i < n; i++) out.setFloat(i, t.getFloat(i));
        }
        return out;
    }
}
