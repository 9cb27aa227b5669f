package xlstm.codegen.java;

import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Emits Java for IR expressions and definitions in one of two modes: Vector API ({@code vector = true}: loops over
 * {@code SP.loopBound(n)} in steps of {@code VL} lanes plus a scalar tail) or the scalar twin. Every definition is
 * materialised: scalars into locals, vecs/mats into buffers ({@link Storage.Buf}); reductions and products
 * ({@code dot, sum, matvec}) are computed first into temporaries; scalar sub-expressions of vector/matrix
 * definitions are hoisted out of the loops; {@code outer} is fused into the elementwise loop that reads it.
 */
final class BodyGen {
    /**
     * Sums a vector's lanes in a fixed order: {@code reduceLanes(ADD)} sums in one order interpreted and another
     * compiled, which made kernels' results depend on how warm the JIT is.
     */
    static final String SIMD = "xlstm.backends.cpu.Simd";

    /**
     * Statements leaving the lane sum of vector {@code v} in float {@code target} ({@code op} "=" declares it,
     * "+=" adds to it): {@code Simd.sum}'s halving tree written out with JDK vector calls and Simd's constants only.
     * Not a call to Simd.sum: where C2 stops inlining (its node limit in a large recompiled kernel), a vector passed
     * to a call is boxed, and the decode step would allocate. The same operations in the same order: the same bits.
     */
    static List<String> laneSum(String v, String target, String op) {
        String h = "_h" + target.replace("_", "");
        List<String> lines = new java.util.ArrayList<>();
        lines.add("FloatVector " + h + " = " + v + ";");
        for (String shuffle : List.of("H8", "H4", "H2", "H1")) {
            lines.add("if (" + SIMD + "." + shuffle + " != null) " + h + " = " + h + ".add(" + h + ".rearrange(" + SIMD
                    + "." + shuffle + "));");
        }
        lines.add((op.equals("=") ? "float " + target + " = " : target + " += ") + SIMD + ".TREE_COVERS ? " + h
                + ".lane(0) : " + SIMD + ".sumTree(" + v + ".toArray());");
        return lines;
    }

    final boolean vector;
    private final Map<String, Storage> env = new HashMap<>();
    /** scratch buffers a task must allocate: name -> size (Java int expression) */
    final Map<String, String> scratch = new LinkedHashMap<>();
    /** helper functions used, e.g. {@code v_exp}, {@code s_logsigmoid} */
    final Set<String> helpers;
    private int temps;

    BodyGen(boolean vector, Set<String> helpers) {
        this.vector = vector;
        this.helpers = helpers;
    }

    static String key(Expr.RefKind kind, String name) {
        return switch (kind) {
            case NEXT_STATE -> name + "'";
            case STATE -> "state:" + name;
            default -> name;
        };
    }

    void bind(Expr.RefKind kind, String name, Storage s) { env.put(key(kind, name), s); }

    Storage lookup(Expr.Ref r) {
        Storage s = env.get(key(r.kind(), r.name()));
        if (s == null) throw new IllegalStateException("no storage for " + r.kind() + " " + r.name());
        return s;
    }

    static String size(Type t) {
        return switch (t) {
            case Type.Vec v -> v.d().name();
            case Type.Mat m -> m.rows().name() + " * " + m.cols().name();
            default -> "1";
        };
    }

    /** Allocates a per-task scratch array of type t; returns its storage. */
    Storage.Arr newScratch(String base, Type t) {
        String name = "_a_" + base;
        scratch.put(name, size(t));
        declare(name, "float[]");
        return new Storage.Arr(name, "0", t instanceof Type.Mat m ? m.cols().name() : null);
    }

    String newTemp() { return "_t" + temps++; }

    // ------------------------------------------------------------------ expressions

    /** Java literal of a float constant. */
    static String lit(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) return "Float.NaN";
        if (Float.isInfinite(f)) return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
        return Float.toString(f) + "f";
    }

    /** Scalar Java expression (float or boolean) of e at element index {@code i} (vec) or {@code (i, j)} (mat). */
    String scalar(Expr e, String i, String j) {
        return switch (e) {
            case Expr.Const c -> lit(c.value());
            case Expr.BoolConst b -> String.valueOf(b.value());
            case Expr.Ref r -> switch (lookup(r)) {
                case Storage.Local l -> l.expr();
                case Storage.Tensor b -> b.loadScalar(i, j, e.type() instanceof Type.Mat);
            };
            case Expr.Unary u -> switch (u.op()) {
                case NEG -> "(-" + scalar(u.x(), i, j) + ")";
                case NOT -> "(!" + scalar(u.x(), i, j) + ")";
            };
            case Expr.Binary b -> "(" + scalar(b.a(), i, j) + " " + b.op().symbol() + " " + scalar(b.b(), i, j) + ")";
            case Expr.Call c -> scalarCall(c, i, j);
        };
    }

    private String scalarCall(Expr.Call c, String i, String j) {
        return switch (c.fn()) {
            case MAX -> "Math.max(" + scalar(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
            case MIN -> "Math.min(" + scalar(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
            case ABS -> "Math.abs(" + scalar(c.arg(0), i, j) + ")";
            case SOFTCAP -> helper("s_softcap") + "(" + scalar(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
            case WHERE -> "(" + scalar(c.arg(0), i, j) + " ? " + scalar(c.arg(1), i, j) + " : " + scalar(c.arg(2), i, j) + ")";
            case OUTER -> "(" + scalar(c.arg(0), i, null) + " * " + scalar(c.arg(1), j, null) + ")";
            case DOT, SUM, MATVEC, ALL_ZERO -> throw new IllegalStateException(c.fn() + " must be hoisted before emission");
            default -> helper("s_" + c.fn().dslName()) + "(" + scalar(c.arg(0), i, j) + ")";
        };
    }

    /** FloatVector expression of e for the lanes starting at index i (vec) or (i, j) (mat: lanes along j). */
    String vec(Expr e, String i, String j) {
        if (e.type() instanceof Type.Scalar) return "FloatVector.broadcast(SP, " + scalar(e, i, j) + ")";
        return switch (e) {
            case Expr.Ref r -> switch (lookup(r)) {
                case Storage.Local l -> throw new IllegalStateException("vector value in a local: " + r.name());
                case Storage.Tensor b -> b.load(i, j, e.type() instanceof Type.Mat);
            };
            case Expr.Unary u -> vec(u.x(), i, j) + ".neg()";
            case Expr.Binary b -> {
                String m = switch (b.op()) {
                    case ADD -> "add";
                    case SUB -> "sub";
                    case MUL -> "mul";
                    case DIV -> "div";
                    default -> throw new IllegalStateException("vector " + b.op());
                };
                yield vec(b.a(), i, j) + "." + m + "(" + vec(b.b(), i, j) + ")";
            }
            case Expr.Call c -> switch (c.fn()) {
                case MAX -> vec(c.arg(0), i, j) + ".max(" + vec(c.arg(1), i, j) + ")";
                case MIN -> vec(c.arg(0), i, j) + ".min(" + vec(c.arg(1), i, j) + ")";
                case ABS -> vec(c.arg(0), i, j) + ".abs()";
                case SQRT -> vec(c.arg(0), i, j) + ".sqrt()";
                case SOFTCAP -> helper("v_softcap") + "(" + vec(c.arg(0), i, j) + ", " + scalar(c.arg(1), i, j) + ")";
                case WHERE -> "(" + scalar(c.arg(0), i, j) + " ? " + vec(c.arg(1), i, j) + " : " + vec(c.arg(2), i, j) + ")";
                case OUTER -> "FloatVector.broadcast(SP, " + scalar(c.arg(0), i, null) + ").mul(" + vec(c.arg(1), j, null) + ")";
                case DOT, SUM, MATVEC, ALL_ZERO -> throw new IllegalStateException(c.fn() + " must be hoisted before emission");
                default -> helper("v_" + c.fn().dslName()) + "(" + vec(c.arg(0), i, j) + ")";
            };
            default -> throw new IllegalStateException("vector of " + e);
        };
    }

    private String helper(String name) {
        helpers.add(name);
        return name;
    }

    // ------------------------------------------------------------------ hoisting

    /**
     * Emits the reductions/products inside e (innermost first) into temporaries and returns e with them replaced by
     * references; also replaces {@code all_zero(s)} by the pre-computed flag {@code _az_s}.
     */
    Expr hoistReductions(Expr e, Code c) {
        return xlstm.codegen.pass.Exprs.rewrite(e, x -> {
            if (!(x instanceof Expr.Call call)) return x;
            switch (call.fn()) {
                case ALL_ZERO -> {
                    String name = "_az_" + ((Expr.Ref) call.arg(0)).name();
                    declare(name, "boolean");
                    return tempRef(name, Type.BOOL, new Storage.Local(name));
                }
                case DOT -> {
                    String t = newTemp();
                    Expr a = hoistScalars(call.arg(0), c), b = hoistScalars(call.arg(1), c);
                    emitDot(c, t, a, b, ((Type.Vec) a.type()).d());
                    declare(t, "float");
                    return tempRef(t, Type.SCALAR, new Storage.Local(t));
                }
                case SUM -> {
                    Expr a = hoistScalars(call.arg(0), c);
                    if (a.type() instanceof Type.Scalar) return a;
                    String t = newTemp();
                    emitSum(c, t, a);
                    declare(t, "float");
                    return tempRef(t, Type.SCALAR, new Storage.Local(t));
                }
                case MATVEC -> {
                    String t = newTemp();
                    Storage.Arr out = newScratch(t.substring(1), call.type());
                    boolean vecMat = Builtin.isVecMat(call);
                    Expr xv = hoistScalars(call.arg(vecMat ? 0 : 1), c), mm = hoistScalars(call.arg(vecMat ? 1 : 0), c);
                    if (!(xv instanceof Expr.Ref)) xv = materialise(xv, c);
                    Type.Mat mt = (Type.Mat) mm.type();
                    if (vecMat) emitVecMat(c, out, xv, mm, mt.rows(), mt.cols());
                    else emitMatVec(c, out, mm, xv, mt.rows(), mt.cols());
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

    /** A vec expression computed into a scratch buffer. */
    Expr materialise(Expr e, Code c) {
        String t = newTemp();
        Storage.Arr b = newScratch(t.substring(1), e.type());
        emitInto(c, b, e);
        return tempRef(t, e.type(), b);
    }

    /** Replaces maximal non-trivial scalar sub-expressions of a vec/mat expression by locals computed before. */
    Expr hoistScalars(Expr e, Code c) {
        if (e.type() instanceof Type.Scalar || e.type() instanceof Type.Bool) {
            if (e instanceof Expr.Const || e instanceof Expr.BoolConst || e instanceof Expr.Ref) return e;
            String t = newTemp();
            c.line("final " + (e.type() instanceof Type.Bool ? "boolean " : "float ") + t + " = " + scalar(e, null, null) + ";");
            declare(t, e.type() instanceof Type.Bool ? "boolean" : "float");
            return tempRef(t, e.type(), new Storage.Local(t));
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

    /** Hoists everything and returns an expression that is elementwise over its type. */
    Expr prepare(Expr e, Code c) {
        Expr x = hoistReductions(e, c);
        return x.type().rank() == 0 ? x : hoistScalars(x, c);
    }

    // ------------------------------------------------------------------ loops

    // ------------------------------------------------------------------ outlining

    /** A loop moved into its own small method (keeps C2's inlining budget for the Vector API calls). */
    record Outlined(String name, String returns, List<String[]> params, String body) {}

    final List<Outlined> outlined = new ArrayList<>();
    /** Variables visible at the point of emission: name -> Java type. */
    private final Map<String, String> scope = new LinkedHashMap<>();
    private String prefix = "_k";

    void prefix(String p) { this.prefix = p; }

    /** Registers a variable the emitted code declares, so that outlined loops can take it as a parameter. */
    void declare(String name, String javaType) { scope.put(name, javaType); }

    private static final java.util.regex.Pattern IDENT = java.util.regex.Pattern.compile("(?<![\\w.])[A-Za-z_][A-Za-z0-9_]*");

    /** Moves {@code loop} into a method of its free variables; returns the call expression. */
    private String outline(Code loop, String returns) {
        String text = loop.toString();
        Map<String, String> params = new LinkedHashMap<>();
        java.util.regex.Matcher m = IDENT.matcher(text);
        while (m.find()) {
            String id = m.group();
            String t = scope.get(id);
            if (t != null) params.putIfAbsent(id, t);
        }
        String name = prefix + "_k" + outlined.size();
        List<String[]> ps = new ArrayList<>();
        params.forEach((k, v) -> ps.add(new String[]{v, k}));
        outlined.add(new Outlined(name, returns, ps, text));
        return name + "(" + String.join(", ", params.keySet()) + ")";
    }

    // ------------------------------------------------------------------ loops

    /** Writes the elementwise vec/mat expression e into buffer b (an outlined loop). */
    void emitInto(Code c, Storage.Tensor b, Expr e) {
        Type t = e.type();
        Code lc = new Code();
        if (t instanceof Type.Vec v) {
            String n = v.d().name();
            loop1(lc, n, "_i", idx -> b.store(idx, null, false, vec(e, idx, null)),
                    idx -> b.storeScalar(idx, null, false, scalar(e, idx, null)));
        } else if (t instanceof Type.Mat m) {
            String rows = m.rows().name(), cols = m.cols().name();
            lc.open("for (int _r = 0; _r < " + rows + "; _r++)");
            loop1(lc, cols, "_j", j -> b.store("_r", j, true, vec(e, "_r", j)),
                    j -> b.storeScalar("_r", j, true, scalar(e, "_r", j)));
            lc.close();
        } else {
            throw new IllegalStateException("emitInto of " + t);
        }
        c.line(outline(lc, "void") + ";");
    }

    /**
     * One loop over [0, n) with index variable idx: vector body over full vectors then scalar tail (vector mode),
     * or only the scalar body (scalar mode). The index variable is declared by the loop.
     */
    void loop1(Code c, String n, String idx, java.util.function.Function<String, String> vbody,
               java.util.function.Function<String, String> sbody) {
        if (vector) {
            c.line("int " + idx + " = 0;");
            c.open("for (; " + idx + " < SP.loopBound(" + n + "); " + idx + " += VL)");
            c.line(vbody.apply(idx));
            c.close();
            c.open("for (; " + idx + " < " + n + "; " + idx + "++)");
        } else {
            c.open("for (int " + idx + " = 0; " + idx + " < " + n + "; " + idx + "++)");
        }
        c.line(sbody.apply(idx));
        c.close();
    }

    private void emitDot(Code c, String t, Expr a, Expr b, Dim d) {
        String n = d.name();
        Code lc = new Code();
        if (vector) {
            lc.line("FloatVector _acc = FloatVector.zero(SP);");
            lc.line("int _i = 0;");
            lc.open("for (; _i < SP.loopBound(" + n + "); _i += VL)");
            lc.line("_acc = " + vec(a, "_i", null) + ".fma(" + vec(b, "_i", null) + ", _acc);");
            lc.close();
            for (String l : laneSum("_acc", "_s", "=")) lc.line(l);
            lc.open("for (; _i < " + n + "; _i++)");
        } else {
            lc.line("float _s = 0f;");
            lc.open("for (int _i = 0; _i < " + n + "; _i++)");
        }
        lc.line("_s += " + scalar(a, "_i", null) + " * " + scalar(b, "_i", null) + ";");
        lc.close();
        lc.line("return _s;");
        c.line("final float " + t + " = " + outline(lc, "float") + ";");
    }

    private void emitSum(Code c, String t, Expr a) {
        Code lc = new Code();
        boolean mat = a.type() instanceof Type.Mat;
        String n = mat ? ((Type.Mat) a.type()).cols().name() : ((Type.Vec) a.type()).d().name();
        lc.line("float _s = 0f;");
        if (mat) lc.open("for (int _r = 0; _r < " + ((Type.Mat) a.type()).rows().name() + "; _r++)");
        String ii = mat ? "_r" : "_i", jj = mat ? "_i" : null;
        if (vector) {
            lc.line("FloatVector _acc = FloatVector.zero(SP);");
            lc.line("int _i = 0;");
            lc.open("for (; _i < SP.loopBound(" + n + "); _i += VL)");
            lc.line("_acc = _acc.add(" + vec(a, ii, jj) + ");");
            lc.close();
            for (String l : laneSum("_acc", "_s", "+=")) lc.line(l);
            lc.open("for (; _i < " + n + "; _i++)");
        } else {
            lc.open("for (int _i = 0; _i < " + n + "; _i++)");
        }
        lc.line("_s += " + scalar(a, ii, jj) + ";");
        lc.close();
        if (mat) lc.close();
        lc.line("return _s;");
        c.line("final float " + t + " = " + outline(lc, "float") + ";");
    }

    /**
     * out[j] = sum_i x[i] * M[i, j] (x is a reference). Vector mode: lanes along j with the sum over rows kept in a
     * register; scalar mode: row by row (axpy order, contiguous rows).
     */
    private void emitVecMat(Code c, Storage.Arr out, Expr x, Expr m, Dim rows, Dim cols) {
        String R = rows.name(), Cn = cols.name();
        Code lc = new Code();
        if (vector) {
            lc.line("int _j = 0;");
            lc.open("for (; _j < SP.loopBound(" + Cn + "); _j += VL)");
            lc.line("FloatVector _acc = FloatVector.zero(SP);");
            lc.open("for (int _r = 0; _r < " + R + "; _r++)");
            lc.line("_acc = " + vec(m, "_r", "_j") + ".fma(FloatVector.broadcast(SP, " + scalar(x, "_r", null) + "), _acc);");
            lc.close();
            lc.line(out.store("_j", null, false, "_acc"));
            lc.close();
            lc.open("for (; _j < " + Cn + "; _j++)");
            lc.line("float _s = 0f;");
            lc.line("for (int _r = 0; _r < " + R + "; _r++) _s += " + scalar(m, "_r", "_j") + " * " + scalar(x, "_r", null) + ";");
            lc.line(out.storeScalar("_j", null, false, "_s"));
            lc.close();
        } else {
            lc.line("Arrays.fill(" + out.arr() + ", 0f);");
            lc.open("for (int _r = 0; _r < " + R + "; _r++)");
            lc.line("final float _xs = " + scalar(x, "_r", null) + ";");
            lc.line("for (int _j = 0; _j < " + Cn + "; _j++) " + out.arr() + "[" + out.idx("_j") + "] += " + scalar(m, "_r", "_j") + " * _xs;");
            lc.close();
        }
        c.line(outline(lc, "void") + ";");
    }

    /** out[i] = sum_j M[i, j] * x[j]. */
    private void emitMatVec(Code c, Storage.Arr out, Expr m, Expr x, Dim rows, Dim cols) {
        String R = rows.name(), Cn = cols.name();
        Code lc = new Code();
        lc.open("for (int _r = 0; _r < " + R + "; _r++)");
        if (vector) {
            lc.line("FloatVector _acc = FloatVector.zero(SP);");
            lc.line("int _j = 0;");
            lc.open("for (; _j < SP.loopBound(" + Cn + "); _j += VL)");
            lc.line("_acc = " + vec(m, "_r", "_j") + ".fma(" + vec(x, "_j", null) + ", _acc);");
            lc.close();
            for (String l : laneSum("_acc", "_s", "=")) lc.line(l);
            lc.open("for (; _j < " + Cn + "; _j++)");
        } else {
            lc.line("float _s = 0f;");
            lc.open("for (int _j = 0; _j < " + Cn + "; _j++)");
        }
        lc.line("_s += " + scalar(m, "_r", "_j") + " * " + scalar(x, "_j", null) + ";");
        lc.close();
        lc.line(out.storeScalar("_r", null, false, "_s"));
        lc.close();
        c.line(outline(lc, "void") + ";");
    }

    /** Names of the scratch arrays (for allocation): array name -> size. */
    static String arrayName(String bufName) { return bufName.replace("_b_", "_a_"); }

    /**
     * Emits the scratch arrays collected so far: the task thread's reusable ones ({@code CpuScratch}, one slot each),
     * so a kernel call allocates nothing; every scratch row is written before it is read.
     */
    void emitScratchAllocation(Code c) {
        int slot = 0;
        for (var en : scratch.entrySet()) {
            c.line("final float[] " + en.getKey() + " = xlstm.backends.cpu.CpuScratch.floats(" + slot++ + ", "
                    + en.getValue() + ");");
        }
    }

    static Set<String> sorted(Set<String> s) { return new TreeSet<>(s); }
}
