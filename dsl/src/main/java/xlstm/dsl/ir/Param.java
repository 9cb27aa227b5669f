package xlstm.dsl.ir;

/**
 * A run-time parameter of a cell/kernel: a float ({@code type} = {@link Type.Scalar}) or a bool ({@link Type.Bool}).
 *
 * @param defaultValue the default (bool params: 1 = true, 0 = false); {@code null} when the DSL gives none
 */
public record Param(String name, Type type, Double defaultValue, SourcePos pos) {

    public Param {
        if (!(type instanceof Type.Scalar) && !(type instanceof Type.Bool))
            throw new IrException(pos, "param '" + name + "' must be a float or a bool, not " + type);
    }

    public static Param ofFloat(String name, Double defaultValue, SourcePos pos) {
        return new Param(name, Type.SCALAR, defaultValue, pos);
    }

    public static Param ofBool(String name, Boolean defaultValue, SourcePos pos) {
        return new Param(name, Type.BOOL, defaultValue == null ? null : (defaultValue ? 1.0 : 0.0), pos);
    }

    public boolean isBool() { return type instanceof Type.Bool; }

    public boolean hasDefault() { return defaultValue != null; }

    public boolean defaultBool() { return defaultValue != null && defaultValue != 0.0; }
}
