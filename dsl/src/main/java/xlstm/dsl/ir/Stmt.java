package xlstm.dsl.ir;

/**
 * One SSA definition of the step body, in order: a local ({@code lf = ...}), a next state ({@code C' = ...}, name is
 * the state's name) or an output ({@code h = ...}). Every name is defined at most once; every state has exactly one
 * NEXT_STATE definition in a cell (absent ones keep their value) and every output exactly one OUTPUT definition.
 */
public record Stmt(Kind kind, String name, Expr value, SourcePos pos) {

    public enum Kind { LET, NEXT_STATE, OUTPUT }

    public Type type() { return value.type(); }

    public static Stmt let(String name, Expr value, SourcePos pos) { return new Stmt(Kind.LET, name, value, pos); }

    public static Stmt next(String state, Expr value, SourcePos pos) { return new Stmt(Kind.NEXT_STATE, state, value, pos); }

    public static Stmt output(String name, Expr value, SourcePos pos) { return new Stmt(Kind.OUTPUT, name, value, pos); }

    /** The name as written in the DSL ({@code C'} for next states). */
    public String displayName() { return kind == Kind.NEXT_STATE ? name + "'" : name; }

    /** The kind of a {@link Expr.Ref} that reads this definition. */
    public Expr.RefKind refKind() {
        return switch (kind) {
            case LET -> Expr.RefKind.LET;
            case NEXT_STATE -> Expr.RefKind.NEXT_STATE;
            case OUTPUT -> Expr.RefKind.OUTPUT;
        };
    }

    public Stmt withValue(Expr v) { return new Stmt(kind, name, v, pos); }
}
