package xlstm.codegen.java;

/** Where a value of the step lives in emitted code. */
sealed interface Storage {
    /** A Java local or parameter (float, or boolean for bools); {@code expr} is how to read it. */
    record Local(String expr) implements Storage {}

    /**
     * A float32 buffer in a MemorySegment: element e at byte {@code off + 4L * e}; for matrices element (i, j) is
     * {@code i * cols + j}.
     */
    record Buf(String seg, String off, String cols) implements Storage {
        String addr(String idx) {
            return off.equals("0L") ? "4L * (" + idx + ")" : off + " + 4L * (" + idx + ")";
        }

        String addr(String i, String j) {
            return addr("(long) (" + i + ") * " + cols + " + (" + j + ")");
        }
    }
}
