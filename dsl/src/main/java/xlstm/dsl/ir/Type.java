package xlstm.dsl.ir;

import java.util.List;

/**
 * Value types of the cell IR. Sizes are symbolic {@link Dim}s of the cell header; every value is float
 * (precision is an emitter decision) except {@link Bool}, a scalar truth value (params of kind bool,
 * {@code all_zero}, comparisons).
 */
public sealed interface Type permits Type.Scalar, Type.Vec, Type.Mat, Type.Bool {

    /** Number of axes: 0 scalar/bool, 1 vec, 2 mat. */
    int rank();

    /** The symbolic extents, outermost first (empty for scalars). */
    List<Dim> dims();

    /** A real scalar. */
    record Scalar() implements Type {
        public int rank() { return 0; }
        public List<Dim> dims() { return List.of(); }
        @Override public String toString() { return "scalar"; }
    }

    /** A vector of {@code d} reals. */
    record Vec(Dim d) implements Type {
        public int rank() { return 1; }
        public List<Dim> dims() { return List.of(d); }
        @Override public String toString() { return "vec[" + d + "]"; }
    }

    /** A row-major matrix of {@code rows x cols} reals. */
    record Mat(Dim rows, Dim cols) implements Type {
        public int rank() { return 2; }
        public List<Dim> dims() { return List.of(rows, cols); }
        @Override public String toString() { return "mat[" + rows + ", " + cols + "]"; }
    }

    /** A scalar truth value. */
    record Bool() implements Type {
        public int rank() { return 0; }
        public List<Dim> dims() { return List.of(); }
        @Override public String toString() { return "bool"; }
    }

    Scalar SCALAR = new Scalar();
    Bool BOOL = new Bool();

    static Vec vec(String d) { return new Vec(new Dim(d)); }
    static Mat mat(String r, String c) { return new Mat(new Dim(r), new Dim(c)); }

    default boolean isScalar() { return this instanceof Scalar; }
    default boolean isBool() { return this instanceof Bool; }
    /** True for real-valued types (scalar, vec, mat). */
    default boolean isReal() { return !(this instanceof Bool); }
}
