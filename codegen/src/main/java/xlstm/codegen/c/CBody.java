package xlstm.codegen.c;

import xlstm.codegen.pass.Exprs;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Emits C (the common subset of CUDA C++, HIP, OpenCL C 1.2 and Metal) for IR expressions, one work-item's
 * scalar code: every vec/mat definition is materialised into a buffer (a tensor argument or a region of the
 * scratch buffer), reductions and products ({@code dot, sum, matvec}) are computed first into temporaries, scalar
 * sub-expressions of vec/mat definitions are hoisted out of the element loops, {@code outer} is fused into the loop
 * that reads it. Elementary functions are {@code xl_<name>} (helpers of cfamily.stg or the target's intrinsic
 * table). The scratch regions it allocates are summed in {@link #scratch()}.
 */
final class CBody {
    /** Where a value lives. */
    sealed interface Storage permits Local, Buf {}

    /** A C expression of a scalar (float, or int for bools). */
    record Local(String expr) implements Storage {}

    /**
     * A float buffer: element e at {@code ptr[off + e]}, element (i, j) of a matrix at {@code ptr[off + i * cols + j]}.
     */
    record Buf(String ptr, String off, String cols) implements Storage {
        String at(String i, String j, boolean mat) {
            String e = mat ? "(xl_long)(" + i + ") * " + cols + " + " + j : i;
            return ptr + "[" + (off.equals("0") ? e : off + " + " + e) + "]";
        }
    }

    private final Map<String, Storage> env = new HashMap<>();
    private final UnaryOperator<String> id;
    private final String scratchBase;
    private Poly scratch = Poly.ZERO;
    private int temps;

    /**
     * @param id          DSL name -> C identifier
     * @param scratchBase C expression (xl_long) of the element offset in {@code scratch} where this work-item's
     *                    temporaries start
     */
    CBody(UnaryOperator<String> id, String scratchBase) {
        this.id = id;
        this.scratchBase = scratchBase;
    }

    /** First element and step of {@link #emitInto}'s vector loops: 0 and 1, or a lane's share of them. */
    private String elemFirst = "0", elemStep = "1";

    /**
     * Makes {@link #emitInto}'s vector loops visit elements {@code first, first + step, ...}: the lanes of a
     * sub-group then write one vector together (coalesced) instead of one work-item writing it all.
     */
    CBody strided(String first, String step) {
        elemFirst = first;
        elemStep = step;
        return this;
    }

    /** Elements per batch of {@link #emitInto}'s vector loops (1: one element at a time). */
    private int elemBatch = 1;

    /**
     * Makes {@link #emitInto}'s vector loops compute {@code n} elements into registers before storing any: the
     * stores may alias the inputs as far as the compiler knows, so one element at a time would wait for each load
     * in turn (a prologue of the chunkwise schedules spent most of its time so, measured on the H200).
     */
    CBody batched(int n) {
        if (n < 1) throw new IllegalArgumentException("batch " + n);
        elemBatch = n;
        return this;
    }

    private boolean wide4;

    /**
     * Lets {@link #emitAll} read rows with 16-byte loads ({@code XL_LOAD4}, 4 consecutive elements a lane) into
     * writers with {@code put4} (cuda.stg's xl_bf16dst) when every sink reads one row elementwise ({@link #rowOf}: a
     * plain input, or one combined with scalars) and every row part is 16-byte aligned and a whole number of
     * 4-vectors; otherwise the element loop runs. One 4-byte load and one
     * guarded 2-byte store per element had made the tensor-core prologues most of those kernels' instructions.
     */
    CBody wide4() {
        wide4 = true;
        return this;
    }

    /** Floats of scratch this generator's code uses per work-item (a polynomial over the dims). */
    Poly scratch() { return scratch; }

    static String key(Expr.RefKind kind, String name) {
        return switch (kind) {
            case NEXT_STATE -> name + "'";
            case STATE -> "state:" + name;
            default -> name;
        };
    }

    void bind(Expr.RefKind kind, String name, Storage s) { env.put(key(kind, name), s); }

    private Storage lookup(Expr.Ref r) {
        Storage s = env.get(key(r.kind(), r.name()));
        if (s == null) throw new IllegalStateException("no storage for " + r.kind() + " " + r.name());
        return s;
    }

    /** Size of a type in floats, as a polynomial over its dims. */
    static Poly size(Type t) {
        return switch (t) {
            case Type.Vec v -> Poly.of(v.d().name());
            case Type.Mat m -> Poly.of(m.rows().name(), m.cols().name());
            default -> Poly.of(1);
        };
    }

    /** C expression (xl_long) of a size. */
    String sizeC(Type t) { return size(t).c(id, "xl_long"); }

    /** A new scratch region of type t; declares its offset in {@code c}. */
    Buf newScratch(CCode c, String base, Type t) {
        String name = "_o" + base;
        c.line("const xl_long " + name + " = " + scratchBase + (scratch.isZero() ? "" : " + " + scratch.c(id, "xl_long")) + ";");
        scratch = scratch.plus(size(t));
        return new Buf("scratch", name, t instanceof Type.Mat m ? id.apply(m.cols().name()) : null);
    }

    String newTemp() { return "_t" + temps++; }

    // ------------------------------------------------------------------ expressions

    /** C literal of a float constant. */
    static String lit(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) return "(0.0f / 0.0f)";
        if (Float.isInfinite(f)) return f > 0 ? "(-XL_NEG_INF)" : "XL_NEG_INF";
        String s = Float.toString(f);
        return (s.startsWith("-") ? "(" + s + "f)" : s + "f");
    }

    /** Scalar C expression of e at element index i (vec) or (i, j) (mat). */
    String scalar(Expr e, String i, String j) {
        return switch (e) {
            case Expr.Const c -> lit(c.value());
            case Expr.BoolConst b -> b.value() ? "1" : "0";
            case Expr.Ref r -> switch (lookup(r)) {
                case Local l -> l.expr();
                case Buf b -> b.at(i, j, e.type() instanceof Type.Mat);
            };
            case Expr.Unary u -> switch (u.op()) {
                case NEG -> "(-" + scalar(u.x(), i, j) + ")";
                case NOT -> "(!" + scalar(u.x(), i, j) + ")";
            };
            case Expr.Binary b -> "(" + scalar(b.a(), i, j) + " " + b.op().symbol() + " " + scalar(b.b(), i, j) + ")";
            case Expr.Call c -> call(c, i, j);
        };
    }

    private String call(Expr.Call c, String i, String j) {
        return switch (c.fn()) {
            case MAX -> "xl_fmax(" + scalar(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
            case MIN -> "xl_fmin(" + scalar(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
            case SOFTCAP -> "xl_softcap(" + scalar(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
            case WHERE -> "(" + scalar(c.arg(0), i, j) + " ? " + scalar(c.arg(1), i, j) + " : " + scalar(c.arg(2), i, j) + ")";
            case OUTER -> "(" + scalar(c.arg(0), i, null) + " * " + scalar(c.arg(1), j, null) + ")";
            case DOT, SUM, MATVEC, ALL_ZERO -> throw new IllegalStateException(c.fn() + " must be hoisted before emission");
            default -> "xl_" + c.fn().dslName() + "(" + scalar(c.arg(0), i, j) + ")";
        };
    }

    // ------------------------------------------------------------------ hoisting

    /**
     * Emits the reductions/products inside e (innermost first) into temporaries and returns e with them replaced by
     * references; {@code all_zero(s)} becomes the flag {@code _az_s} the skeleton decided before the step.
     */
    Expr hoistReductions(Expr e, CCode c) {
        return Exprs.rewrite(e, x -> {
            if (!(x instanceof Expr.Call call)) return x;
            switch (call.fn()) {
                case ALL_ZERO -> {
                    String name = "_az_" + ((Expr.Ref) call.arg(0)).name();
                    return tempRef(name, Type.BOOL, new Local(name));
                }
                case DOT -> {
                    String t = newTemp();
                    Expr a = hoistScalars(call.arg(0), c), b = hoistScalars(call.arg(1), c);
                    String n = id.apply(((Type.Vec) a.type()).d().name());
                    c.line("float " + t + " = 0.0f;");
                    c.line("for (int _i = 0; _i < " + n + "; _i++) " + t + " += " + scalar(a, "_i", null) + " * " + scalar(b, "_i", null) + ";");
                    return tempRef(t, Type.SCALAR, new Local(t));
                }
                case SUM -> {
                    Expr a = hoistScalars(call.arg(0), c);
                    if (a.type() instanceof Type.Scalar) return a;
                    String t = newTemp();
                    c.line("float " + t + " = 0.0f;");
                    if (a.type() instanceof Type.Mat m)
                        c.line("for (int _r = 0; _r < " + id.apply(m.rows().name()) + "; _r++) for (int _j = 0; _j < "
                                + id.apply(m.cols().name()) + "; _j++) " + t + " += " + scalar(a, "_r", "_j") + ";");
                    else
                        c.line("for (int _i = 0; _i < " + id.apply(((Type.Vec) a.type()).d().name()) + "; _i++) " + t + " += "
                                + scalar(a, "_i", null) + ";");
                    return tempRef(t, Type.SCALAR, new Local(t));
                }
                case MATVEC -> {
                    String t = newTemp();
                    boolean vecMat = Builtin.isVecMat(call);
                    Expr xv = hoistScalars(call.arg(vecMat ? 0 : 1), c), mm = hoistScalars(call.arg(vecMat ? 1 : 0), c);
                    if (!(xv instanceof Expr.Ref)) xv = materialise(xv, c); // read once per output element
                    Buf out = newScratch(c, t, call.type());
                    Type.Mat mt = (Type.Mat) mm.type();
                    String R = id.apply(mt.rows().name()), C = id.apply(mt.cols().name());
                    if (vecMat) { // out[j] = sum_r x[r] M[r, j]
                        c.open("for (int _j = 0; _j < " + C + "; _j++)");
                        c.line("float _s = 0.0f;");
                        c.line("for (int _r = 0; _r < " + R + "; _r++) _s += " + scalar(xv, "_r", null) + " * " + scalar(mm, "_r", "_j") + ";");
                        c.line(out.at("_j", null, false) + " = _s;");
                    } else { // out[r] = sum_j M[r, j] x[j]
                        c.open("for (int _r = 0; _r < " + R + "; _r++)");
                        c.line("float _s = 0.0f;");
                        c.line("for (int _j = 0; _j < " + C + "; _j++) _s += " + scalar(mm, "_r", "_j") + " * " + scalar(xv, "_j", null) + ";");
                        c.line(out.at("_r", null, false) + " = _s;");
                    }
                    c.close();
                    return tempRef(t, call.type(), out);
                }
                default -> { return x; }
            }
        });
    }

    private Expr.Ref tempRef(String name, Type t, Storage s) {
        env.put(key(Expr.RefKind.LET, name), s);
        return new Expr.Ref(Expr.RefKind.LET, name, t, SourcePos.NONE);
    }

    /** A vec/mat expression computed into a scratch region. */
    Expr materialise(Expr e, CCode c) {
        String t = newTemp();
        Buf b = newScratch(c, t, e.type());
        emitInto(c, b, e);
        return tempRef(t, e.type(), b);
    }

    /** Replaces maximal non-trivial scalar sub-expressions of a vec/mat expression by locals computed before. */
    Expr hoistScalars(Expr e, CCode c) {
        if (e.type() instanceof Type.Scalar || e.type() instanceof Type.Bool) {
            if (e instanceof Expr.Const || e instanceof Expr.BoolConst || e instanceof Expr.Ref) return e;
            String t = newTemp();
            c.line("const " + (e.type() instanceof Type.Bool ? "int " : "float ") + t + " = " + scalar(e, null, null) + ";");
            return tempRef(t, e.type(), new Local(t));
        }
        return switch (e) {
            case Expr.Unary u -> new Expr.Unary(u.op(), hoistScalars(u.x(), c), u.type(), u.pos());
            case Expr.Binary b -> new Expr.Binary(b.op(), hoistScalars(b.a(), c), hoistScalars(b.b(), c), b.type(), b.pos());
            case Expr.Call call -> {
                List<Expr> args = new ArrayList<>();
                for (Expr a : call.args()) args.add(hoistScalars(a, c));
                yield new Expr.Call(call.fn(), args, call.type(), call.pos());
            }
            default -> e;
        };
    }

    /** Hoists everything; returns an expression that is elementwise over its type. */
    Expr prepare(Expr e, CCode c) {
        Expr x = hoistReductions(e, c);
        return x.type().rank() == 0 ? x : hoistScalars(x, c);
    }

    // ------------------------------------------------------------------ loops

    /** Writes the elementwise expression e (of type t; a scalar e is broadcast) into buffer b. */
    void emitInto(CCode c, Buf b, Expr e, Type t) {
        if (t instanceof Type.Vec v && elemBatch > 1) {
            String n = id.apply(v.d().name()), k = Integer.toString(elemBatch);
            c.line("for (int _i0 = " + elemFirst + "; _i0 < " + n + "; _i0 += " + k + " * " + elemStep + ") {");
            c.line("    float _bv[" + k + "];");
            c.line("    #pragma unroll");
            c.line("    for (int _u = 0; _u < " + k + "; _u++) { const int _i = _i0 + _u * " + elemStep + "; _bv[_u] = _i < " + n
                    + " ? " + scalar(e, "_i", null) + " : 0.0f; }");
            c.line("    #pragma unroll");
            c.line("    for (int _u = 0; _u < " + k + "; _u++) { const int _i = _i0 + _u * " + elemStep + "; if (_i < " + n + ") "
                    + b.at("_i", null, false) + " = _bv[_u]; }");
            c.line("}");
        } else if (t instanceof Type.Vec v) {
            String step = elemStep.equals("1") ? "_i++" : "_i += " + elemStep;
            c.line("for (int _i = " + elemFirst + "; _i < " + id.apply(v.d().name()) + "; " + step + ") "
                    + b.at("_i", null, false) + " = " + scalar(e, "_i", null) + ";");
        } else if (t instanceof Type.Mat m) {
            c.line("for (int _r = 0; _r < " + id.apply(m.rows().name()) + "; _r++) for (int _j = 0; _j < "
                    + id.apply(m.cols().name()) + "; _j++) " + b.at("_r", "_j", true) + " = " + scalar(e, "_r", "_j") + ";");
        } else {
            throw new IllegalStateException("emitInto of " + t);
        }
    }

    void emitInto(CCode c, Buf b, Expr e) { emitInto(c, b, e, e.type()); }

    /**
     * A vector written by {@link #emitAll}: elementwise expression e over dim {@code dim} (a C identifier) into b, for
     * the elements {@code from .. from + count - 1} (C expressions; null: all of them).
     */
    record VecSink(Buf b, Expr e, String dim, String from, String count) {
        static VecSink all(Buf b, Expr e, String dim) { return new VecSink(b, e, dim, null, null); }
    }

    /**
     * Writes several vectors: with {@link #batched} lanes, in one loop whose batches load every vector's elements
     * before storing any (a prologue's query, key and value rows: one wait for memory per batch instead of one per
     * vector; a part of a vector alone, too); otherwise one loop per vector.
     */
    void emitAll(CCode c, List<VecSink> sinks) {
        if (elemBatch == 1 || sinks.size() == 1 && sinks.getFirst().from() == null) {
            for (VecSink s : sinks) {
                if (s.from() == null) emitInto(c, s.b(), s.e(), new Type.Vec(new Dim(s.dim())));
                else throw new IllegalStateException("a part of a vector needs batched lanes");
            }
            return;
        }
        // the element loop (16-byte path not taken) keeps batches of at most 8: a larger batch is for the 16-byte
        // path's registers, and the element loop's would spill them
        String k = Integer.toString(wide4 ? Math.min(elemBatch, 8) : elemBatch);
        StringBuilder max = new StringBuilder();
        c.line("{");
        for (int v = 0; v < sinks.size(); v++) {
            VecSink s = sinks.get(v);
            c.line("    const int _n" + v + " = " + (s.count() == null ? id.apply(s.dim()) : s.count()) + ";");
            max = v == 0 ? new StringBuilder("_n0") : new StringBuilder("xl_maxi(" + max + ", _n" + v + ")");
        }
        c.line("    const int _nmax = " + max + ";");
        boolean rows = wide4;
        for (VecSink s : sinks) rows &= rowOf(s.e()) != null;
        if (rows) emitRows4(c, sinks);
        c.line("    for (int _e0 = " + elemFirst + "; _e0 < _nmax; _e0 += " + k + " * " + elemStep + ") {");
        for (int v = 0; v < sinks.size(); v++) {
            VecSink s = sinks.get(v);
            String i = s.from() == null ? "_e" : s.from() + " + _e";
            c.line("        float _bv" + v + "[" + k + "];");
            c.line("        #pragma unroll");
            c.line("        for (int _u = 0; _u < " + k + "; _u++) { const int _e = _e0 + _u * " + elemStep + "; const int _i = " + i
                    + "; _bv" + v + "[_u] = _e < _n" + v + " ? " + scalar(s.e(), "_i", null) + " : 0.0f; }");
        }
        for (int v = 0; v < sinks.size(); v++) {
            VecSink s = sinks.get(v);
            String i = s.from() == null ? "_e" : s.from() + " + _e";
            c.line("        #pragma unroll");
            c.line("        for (int _u = 0; _u < " + k + "; _u++) { const int _e = _e0 + _u * " + elemStep + "; const int _i = " + i
                    + "; if (_e < _n" + v + ") " + s.b().at("_i", null, false) + " = _bv" + v + "[_u]; }");
        }
        c.line("    }");
        if (rows) c.line("    }");
        c.line("}");
    }

    /**
     * The one vector e reads, when it is a row of a buffer and every other operand a scalar (e is then elementwise over
     * that row: a plain input, or one scaled); else null.
     */
    private Expr.Ref rowOf(Expr e) {
        List<Expr.Ref> rows = new ArrayList<>();
        boolean[] other = {false};
        Exprs.any(e, x -> {
            if (x instanceof Expr.Ref r && r.type().rank() > 0) {
                if (r.type() instanceof Type.Vec && env.get(key(r.kind(), r.name())) instanceof Buf) {
                    if (rows.stream().noneMatch(y -> y.kind() == r.kind() && y.name().equals(r.name()))) rows.add(r);
                } else other[0] = true;
            }
            return false;
        });
        return !other[0] && rows.size() == 1 ? rows.getFirst() : null;
    }

    /**
     * {@link #emitAll}'s 16-byte path for rows read elementwise ({@link #rowOf}): lane {@code first} takes elements
     * 4 first .. 4 first + 3, then the next 4 step lanes on; {@code elemBatch / 4} vectors of each row are loaded
     * (and the sink's expression applied to each element) before any is stored. Opens the {@code else} of the element
     * loop, which emitAll closes.
     */
    private void emitRows4(CCode c, List<VecSink> sinks) {
        int n4 = Math.max(1, elemBatch / 4);
        StringBuilder ok = new StringBuilder();
        for (int v = 0; v < sinks.size(); v++) {
            VecSink s = sinks.get(v);
            if (v > 0) ok.append(" && ");
            ok.append("_n").append(v).append(" % 4 == 0 && XL_ALIGNED16(&").append(scalar(rowOf(s.e()), from(s, "0"), null)).append(")");
        }
        c.line("    if (" + ok + ") { // 16-byte loads");
        c.line("    for (int _e0 = 4 * " + elemFirst + "; _e0 < _nmax; _e0 += " + (4 * n4) + " * " + elemStep + ") {");
        for (int v = 0; v < sinks.size(); v++) {
            VecSink s = sinks.get(v);
            Expr.Ref row = rowOf(s.e());
            // the expression of one element: the row's reference replaced by the loaded element _l4[_k4]
            String elem = "_l4[_k4]";
            Expr one = Exprs.rewrite(s.e(), x -> x instanceof Expr.Ref r && r.kind() == row.kind() && r.name().equals(row.name())
                    ? tempRef("_l4", Type.SCALAR, new Local(elem)) : x);
            String value = scalar(one, null, null);
            c.line("        float _bw" + v + "[" + (4 * n4) + "];");
            c.line("        #pragma unroll");
            c.line("        for (int _u = 0; _u < " + n4 + "; _u++) {");
            c.line("            const int _e = _e0 + 4 * _u * " + elemStep + ";");
            c.line("            if (_e < _n" + v + ") {");
            if (value.equals(elem)) {
                c.line("                XL_LOAD4(_bw" + v + " + 4 * _u, &" + scalar(row, from(s, "_e"), null) + ");");
            } else {
                c.line("                float _l4[4];");
                c.line("                XL_LOAD4(_l4, &" + scalar(row, from(s, "_e"), null) + ");");
                c.line("                #pragma unroll");
                c.line("                for (int _k4 = 0; _k4 < 4; _k4++) _bw" + v + "[4 * _u + _k4] = " + value + ";");
            }
            c.line("            }");
            c.line("        }");
        }
        for (int v = 0; v < sinks.size(); v++) {
            VecSink s = sinks.get(v);
            c.line("        #pragma unroll");
            c.line("        for (int _u = 0; _u < " + n4 + "; _u++) { const int _e = _e0 + 4 * _u * " + elemStep + "; if (_e < _n" + v
                    + ") " + s.b().ptr() + ".put4(" + from(s, "_e") + ", _bw" + v + " + 4 * _u); }");
        }
        c.line("    }");
        c.line("    } else {");
    }

    private static String from(VecSink s, String e) { return s.from() == null ? e : "(" + s.from() + " + " + e + ")"; }

    /** The C identifier of a dim used as a float value. */
    static String dimValue(String cName) { return "((float)" + cName + ")"; }

    static List<Dim> dimsOf(Type t) { return t.dims(); }
}
