package xlstm.dsl.ir;

/**
 * A tensor-valued declaration of a cell header: an input, weight, state or output.
 *
 * @param init for states the constant every element starts at (DSL {@code = 0}); 0 for other roles
 */
public record Decl(String name, Role role, Type type, double init, SourcePos pos) {

    public enum Role { INPUT, WEIGHT, STATE, OUTPUT }

    public Decl {
        if (type instanceof Type.Bool) throw new IrException(pos, "'" + name + "' cannot be of type bool");
    }

    public static Decl input(String name, Type type, SourcePos pos) { return new Decl(name, Role.INPUT, type, 0, pos); }

    public static Decl weight(String name, Type type, SourcePos pos) { return new Decl(name, Role.WEIGHT, type, 0, pos); }

    public static Decl state(String name, Type type, double init, SourcePos pos) { return new Decl(name, Role.STATE, type, init, pos); }

    public static Decl output(String name, Type type, SourcePos pos) { return new Decl(name, Role.OUTPUT, type, 0, pos); }

    /** The kind of a {@link Expr.Ref} naming this declaration (STATE means the value before the step). */
    public Expr.RefKind refKind() {
        return switch (role) {
            case INPUT -> Expr.RefKind.INPUT;
            case WEIGHT -> Expr.RefKind.WEIGHT;
            case STATE -> Expr.RefKind.STATE;
            case OUTPUT -> Expr.RefKind.OUTPUT;
        };
    }
}
