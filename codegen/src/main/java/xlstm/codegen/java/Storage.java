package xlstm.codegen.java;

/** Where a value of the step lives in emitted code. */
sealed interface Storage {
    /** A Java local or parameter (float, or boolean for bools); {@code expr} is how to read it. */
    record Local(String expr) implements Storage {}

    /** A float32 tensor or scratch buffer: a MemorySegment ({@link Buf}) or a float[] ({@link Arr}). */
    sealed interface Tensor extends Storage {
        /** Java expression of a vector load at element index idx (vec) or (i, j) (mat, j = lane axis). */
        String load(String i, String j, boolean mat);

        String loadScalar(String i, String j, boolean mat);

        /** Statement storing FloatVector v at the element. */
        String store(String i, String j, boolean mat, String v);

        String storeScalar(String i, String j, boolean mat, String v);
    }

    /**
     * A float32 buffer in a MemorySegment: element e at byte {@code off + 4L * e}; for matrices element (i, j) is
     * {@code i * cols + j}.
     */
    record Buf(String seg, String off, String cols) implements Tensor {
        String addr(String idx) {
            return off.equals("0L") ? "4L * (" + idx + ")" : off + " + 4L * (" + idx + ")";
        }

        String addr(String i, String j) {
            return addr("(long) (" + i + ") * " + cols + " + (" + j + ")");
        }

        private String at(String i, String j, boolean mat) { return mat ? addr(i, j) : addr(i); }

        public String load(String i, String j, boolean mat) {
            return "FloatVector.fromMemorySegment(SP, " + seg + ", " + at(i, j, mat) + ", BO)";
        }

        public String loadScalar(String i, String j, boolean mat) { return seg + ".get(F32, " + at(i, j, mat) + ")"; }

        public String store(String i, String j, boolean mat, String v) {
            return v + ".intoMemorySegment(" + seg + ", " + at(i, j, mat) + ", BO);";
        }

        public String storeScalar(String i, String j, boolean mat, String v) {
            return seg + ".set(F32, " + at(i, j, mat) + ", " + v + ");";
        }
    }

    /** A float[] (per-task scratch): element e at index {@code off + e}; (i, j) at {@code off + i * cols + j}. */
    record Arr(String arr, String off, String cols) implements Tensor {
        String idx(String i) { return off.equals("0") ? i : off + " + " + i; }

        String idx(String i, String j) { return idx("(" + i + ") * " + cols + " + " + j); }

        private String at(String i, String j, boolean mat) { return mat ? idx(i, j) : idx(i); }

        public String load(String i, String j, boolean mat) { return "FloatVector.fromArray(SP, " + arr + ", " + at(i, j, mat) + ")"; }

        public String loadScalar(String i, String j, boolean mat) { return arr + "[" + at(i, j, mat) + "]"; }

        public String store(String i, String j, boolean mat, String v) { return v + ".intoArray(" + arr + ", " + at(i, j, mat) + ");"; }

        public String storeScalar(String i, String j, boolean mat, String v) { return arr + "[" + at(i, j, mat) + "] = " + v + ";"; }
    }
}
