package xlstm.codegen.interp;

import xlstm.dsl.ir.Type;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * A float64 value of the interpreter: rank 0 (scalar or bool 0/1), 1 (vec of {@code rows}) or 2 (row-major mat of
 * {@code rows x cols}).
 */
public record Value(int rank, double[] data, int rows, int cols, boolean bool) {

    public static Value scalar(double v) { return new Value(0, new double[]{v}, 1, 1, false); }

    public static Value bool(boolean b) { return new Value(0, new double[]{b ? 1 : 0}, 1, 1, true); }

    public static Value vec(double[] d) { return new Value(1, d, d.length, 1, false); }

    public static Value mat(double[] d, int rows, int cols) {
        if (d.length != rows * cols) throw new IllegalArgumentException("mat data " + d.length + " != " + rows + "x" + cols);
        return new Value(2, d, rows, cols, false);
    }

    /** A zero value of type {@code t} under the given dim sizes. */
    public static Value zeros(Type t, ToIntFunction<String> dimSize) {
        return switch (t) {
            case Type.Scalar s -> scalar(0);
            case Type.Bool b -> bool(false);
            case Type.Vec v -> vec(new double[dimSize.applyAsInt(v.d().name())]);
            case Type.Mat m -> {
                int r = dimSize.applyAsInt(m.rows().name()), c = dimSize.applyAsInt(m.cols().name());
                yield mat(new double[r * c], r, c);
            }
        };
    }

    /** Same shape, new data. */
    public Value withData(double[] d) { return new Value(rank, d, rows, cols, bool); }

    public double s() { return data[0]; }

    public boolean b() { return data[0] != 0; }

    public int size() { return data.length; }

    @Override public String toString() { return bool ? String.valueOf(b()) : rank == 0 ? String.valueOf(data[0]) : Arrays.toString(data); }
}
