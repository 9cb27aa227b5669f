package xlstm.backends;

/** Element types of stored tensors. Compute is always float32; BF16 is a storage format. */
public enum DType {
    F32(4, "F32"),
    BF16(2, "BF16"),
    F16(2, "F16"),
    F64(8, "F64"),
    I64(8, "I64"),
    I32(4, "I32");

    private final int byteSize;
    private final String safetensorsName;

    DType(int byteSize, String safetensorsName) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
    }

    public int byteSize() { return byteSize; }

    /** The dtype string used in safetensors headers ("F32", "BF16", ...). */
    public String safetensorsName() { return safetensorsName; }

    /** Parses a safetensors dtype string; returns null when unknown so callers can name the tensor at fault. */
    public static DType fromSafetensors(String name) {
        for (DType d : values()) if (d.safetensorsName.equals(name)) return d;
        return null;
    }

    /** Rounds a float to bfloat16 (round to nearest even) and returns its 16 bits. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x40); // NaN stays NaN
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Widens bfloat16 bits to float. */
    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
