package xlstm.codegen.java;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import xlstm.codegen.java.JavaVectorEmitter.Arg;
import xlstm.codegen.schedule.LinearRecurrence;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.ir.CellIR;

import javax.lang.model.element.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static xlstm.codegen.java.JavaVectorEmitter.id;

/**
 * {@code stepTiled}: the decode step of a variant with a {@link LinearRecurrence}, split over value columns as well
 * as (b, h), so that a step of few heads still fills the pool (the step proper has B·NH tasks; decode of one
 * sequence with 4 heads left most cores idle). C's columns evolve apart, but n, m and the divisor belong to the
 * whole head, so when heads are split the work is in two passes:
 * <ol>
 *   <li>per (b, h), on the calling thread (O(DQK + DV) each): the gates, q, k, v into shared scratch; n' and m'
 *       in place; the divisor from q.n'. Once per head, so every tile sees the same values.</li>
 *   <li>per (b, h, tile of {@code tile} columns) on the pool: C' = f C + a k v^T on the tile and h = q.C' / div,
 *       in one pass over C, blocks of up to 4 vectors of columns at a time.</li>
 * </ol>
 * With {@code tile >= DV} a head is one task that does both. Against the step's two passes over C (update, then
 * read-out) with one fma chain per vector of columns, this form reads C once and keeps several chains in flight:
 * about twice as fast per thread on the development machine. Every value is computed by the operations of the step,
 * in its order (C' as {@code f * C + a * (k * v)}, q.C' accumulated over the rows by fma in the vector lanes, the
 * divisor's dot as the step's), so with {@code tile} a multiple of the vector length the results are those of
 * {@code step} bit for bit; other tiles move the split between vector lanes and scalar tail, i.e. rounding only.
 */
final class TiledStepGen {
    static final String METHOD = "stepTiled";

    private TiledStepGen() {}

    /** True when the class gets {@code stepTiled}: some variant has the linear recurrence. */
    static boolean applies(ScheduledCell sc) {
        return sc.cell().isCell() && sc.schedules().contains(ScheduleKind.CHUNKWISE);
    }

    /** The step's parameters with {@code int tile} (value columns per task) after the dims. */
    static List<Arg> signature(CellIR c) {
        List<Arg> ps = new ArrayList<>(JavaVectorEmitter.signature(c, ScheduleKind.STEP));
        ps.add(2 + c.dims().size(), new Arg("int", "tile"));
        return ps;
    }

    private static String args(CellIR c) {
        return signature(c).stream().map(Arg::name).collect(Collectors.joining(", "));
    }

    private static MethodSpec.Builder method(String name, List<Arg> params, boolean pub) {
        MethodSpec.Builder b = MethodSpec.methodBuilder(name).addModifiers(pub ? Modifier.PUBLIC : Modifier.PRIVATE, Modifier.STATIC);
        for (Arg p : params) b.addParameter(Poet.type(p.type()), p.name());
        if (!pub) b.addParameter(TypeName.BOOLEAN, "_par");
        return b;
    }

    static MethodSpec publicEntry(ScheduledCell sc) {
        CellIR c = sc.cell();
        Code code = JavaVectorEmitter.checks(c, ScheduleKind.STEP);
        code.line("if (tile < 1) throw new IllegalArgumentException(\"tile must be >= 1, got \" + tile);");
        String stepArgs = JavaVectorEmitter.args(c, ScheduleKind.STEP);
        code.raw(JavaVectorEmitter.dispatch(sc, ScheduleKind.STEP, v -> v.schedules().contains(ScheduleKind.CHUNKWISE)
                ? "if (_scalar) " + METHOD + "S" + v.spec().suffix() + "(" + args(c) + ", _par);\n"
                + "else " + METHOD + "V" + v.spec().suffix() + "(" + args(c) + ", _par);"
                : "// no linear recurrence in this variant (" + v.whyNot() + "): the step\n"
                + "step(" + stepArgs + ");"));
        return method(METHOD, signature(c), true)
                .addJavadoc("One time step as {@link #step}, its work split over (b, h) and tiles of {@code tile} value\n"
                        + "columns: for decode with few heads. A tile that is a multiple of the vector length gives\n"
                        + "step's results exactly.\n")
                .addCode(Poet.code(code.toString())).build();
    }

    /**
     * The implementation of one variant, Vector API or scalar twin: the per-head part and each width of column block
     * are small methods of their own, not one large task body, so that C2 compiles each with every Vector API call
     * inlined (in one large body it may stop inlining, and vectors become objects: allocation on the per-token path).
     */
    static MethodSpec impl(CellIR cell, ScheduledCell.Variant v, boolean vector, Set<String> helpers,
                           List<MethodSpec> impls, List<TypeSpec> tasks) {
        LinearRecurrence lr = v.recurrence();
        String mname = METHOD + (vector ? "V" : "S") + v.spec().suffix();
        BodyGen g = JavaVectorEmitter.gen(vector, helpers, mname, cell, ScheduleKind.STEP);
        g.declare("_sc", "float[]");
        g.declare("_o", "int");
        helpers.add(vector ? "dot_v" : "dot_s");
        String dk = id(lr.keyDim().name()), dv = id(lr.valueDim().name());
        String C = id(lr.matrixState()), H = id(lr.output());

        List<Arg> headArgs = new ArrayList<>(signature(cell));
        headArgs.add(new Arg("float[]", "_sc"));
        headArgs.add(new Arg("int", "_bh"));
        impls.add(plain(mname + "Head", headArgs, "void")
                .addJavadoc("Head {@code _bh}'s gates, q, k, v into scratch; n' and m' in place; the divisor.\n")
                .addCode(Poet.code(head(v, lr, g, dk, dv, vector).toString())).build());
        String headCall = mname + "Head(" + headArgs.stream().map(Arg::name).collect(Collectors.joining(", ")) + ");";

        Code c = new Code();
        c.line("// per (b, h) in shared scratch: q, k, v, n', then f, a and the divisor");
        c.line("final int _P = " + scratchRow(dk, dv) + ";");
        c.line("final float[] _sc = xlstm.backends.cpu.CpuScratch.shared(Math.toIntExact((long) B * NH * _P));");
        c.line("final int _nt = " + tiles(dv) + ";");
        c.line("// 1. heads split into tiles: the per-head part first, once (a head in one task does its own)");
        c.line("if (_nt > 1) for (int _bh = 0; _bh < B * NH; _bh++) " + headCall);
        c.line("// 2. per (b, h, tile of columns): C' and h on the tile");
        List<Arg> taskArgs = new ArrayList<>(signature(cell));
        taskArgs.add(new Arg("float[]", "_sc"));
        ParallelTaskGen task = new ParallelTaskGen(mname, taskArgs, "_it");
        boolean norm = lr.normalised();
        if (vector)
            for (int w : BLOCKS)
                impls.add(plain(mname + "Cols" + w, COL_ARGS, "int")
                        .addJavadoc("Columns [_j, _j1) in blocks of " + w + " vectors while they last; returns the next column.\n")
                        .addCode(Poet.code(vectorBlocks(w, norm).toString())).build());
        tasks.add(task.type(tileBody(mname, dk, dv, C, H, vector, norm, headCall)));
        c.raw(task.call("B * NH * _nt", "1"));
        JavaVectorEmitter.addOutlined(impls, g);
        return method(mname, signature(cell), false).addCode(Poet.code(c.toString())).build();
    }

    private static MethodSpec.Builder plain(String name, List<Arg> params, String returns) {
        MethodSpec.Builder b = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(Poet.type(returns));
        for (Arg p : params) b.addParameter(Poet.type(p.type()), p.name());
        return b;
    }

    /** The per-head part: the prologue as the chunkwise schedule derives it (gates, q, k, v), then the head's state. */
    private static Code head(ScheduledCell.Variant v, LinearRecurrence lr, BodyGen g, String dk, String dv, boolean vector) {
        String N = lr.hasNormState() ? id(lr.normState()) : null, M = lr.stabilised() ? id(lr.stabState()) : null;
        Code pro = new Code();
        JavaVectorEmitter.bindDecls(v.ir(), g, pro,
                JavaVectorEmitter.refNames(lr.logForget(), lr.logInput(), lr.key(), lr.value(), lr.query()), false);
        pro.line("final float _lf = " + g.scalar(g.prepare(lr.logForget(), pro), null, null) + ";");
        pro.line("final float _li = " + g.scalar(g.prepare(lr.logInput(), pro), null, null) + ";");
        g.emitInto(pro, new Storage.Arr("_sc", "_o", null), g.prepare(lr.query(), pro));
        g.emitInto(pro, new Storage.Arr("_sc", "_o + " + dk, null), g.prepare(lr.key(), pro));
        g.emitInto(pro, new Storage.Arr("_sc", "_o + 2 * " + dk, null), g.prepare(lr.value(), pro));
        String eps = lr.normalised() ? g.scalar(lr.eps(), null, null) : null;
        String lower = lr.normalised() && !lr.stabilised() ? g.scalar(lr.lowerBound(), null, null) : null;

        Code head = new Code();
        g.emitScratchAllocation(head);
        head.line("final int _P = " + scratchRow(dk, dv) + ";");
        head.line("final int _hd = _bh % NH;");
        head.line("final long _row = _bh;");
        head.line("final int _o = _bh * _P, _on = _o + 2 * " + dk + " + " + dv + ";");
        head.raw(pro);
        if (M != null) {
            head.line("final float _m = " + M + ".get(F32, (long) _bh * 4L);");
            head.line("final float _mn = Math.max(_lf + _m, _li);");
            head.line("final float _fC = (float) Math.exp((_lf + _m) - _mn), _aw = (float) Math.exp(_li - _mn);");
            head.line(M + ".set(F32, (long) _bh * 4L, _mn);");
        } else {
            head.line("final float _fC = (float) Math.exp(_lf), _aw = (float) Math.exp(_li);");
        }
        if (N != null) {
            head.line("final long _onb = (long) _bh * " + dk + " * 4L;");
            head.line("for (int _kk = 0; _kk < " + dk + "; _kk++) _sc[_on + _kk] = _fC * " + N + ".get(F32, _onb + 4L * _kk) + _aw * _sc[_o + " + dk + " + _kk];");
            head.line("MemorySegment.copy(_sc, _on, " + N + ", F32, _onb, " + dk + ");");
        }
        head.line("_sc[_o + _P - 3] = _fC;");
        head.line("_sc[_o + _P - 2] = _aw;");
        if (lr.normalised()) {
            String den = N != null ? "dot" + (vector ? "_v" : "_s") + "(_sc, _o, _sc, _on, " + dk + ")" : "0f";
            head.line("_sc[_o + _P - 1] = Math.max(Math.abs(" + den + "), " + (M != null ? "(float) Math.exp(-_mn)" : lower)
                    + ") + " + eps + ";");
        }
        return head;
    }

    /** Floats of a head's row of shared scratch: q, k, v, n', then f, a and the divisor. */
    private static String scratchRow(String dk, String dv) { return "3 * " + dk + " + " + dv + " + 3"; }

    /** Tiles per head; at least one, which also updates n and m when DV = 0. */
    private static String tiles(String dv) { return "Math.max(1, (" + dv + " + tile - 1) / tile)"; }

    /**
     * Widths of the vector column blocks: as many independent fma chains (one chain of DQK fmas alone waits on the
     * fma latency), each row's k and q broadcast once, neighbouring lines of C read together.
     */
    private static final int[] BLOCKS = {4, 2, 1};

    /** The parameters of a column-block method (C, h, the dims under their own names). */
    private static final List<Arg> COL_ARGS = List.of(new Arg("MemorySegment", "_C"), new Arg("MemorySegment", "_H"),
            new Arg("float[]", "_sc"), new Arg("int", "_DK"), new Arg("int", "_DV"), new Arg("int", "_o"),
            new Arg("long", "_oC"), new Arg("long", "_oh"), new Arg("int", "_j"), new Arg("int", "_j1"),
            new Arg("float", "_fC"), new Arg("float", "_aw"), new Arg("float", "_div"));

    /** Blocks of {@code w} vectors of columns from {@code _j}: C' stored, q.C' accumulated per lane, h stored. */
    private static Code vectorBlocks(int w, boolean norm) {
        Code c = new Code();
        c.line("final int _oK = _o + _DK, _oV = _o + 2 * _DK;");
        c.line("final FloatVector _fv = FloatVector.broadcast(SP, _fC), _av = FloatVector.broadcast(SP, _aw);");
        if (norm) c.line("final FloatVector _fd = FloatVector.broadcast(SP, _div);");
        c.open("for (; _j + " + w + " * VL <= _j1; _j += " + w + " * VL)");
        for (int x = 0; x < w; x++) {
            c.line("final FloatVector _v" + x + " = FloatVector.fromArray(SP, _sc, _oV + _j + " + x + " * VL);");
            c.line("FloatVector _s" + x + " = FloatVector.zero(SP);");
        }
        c.open("for (int _r = 0; _r < _DK; _r++)");
        c.line("final long _a = _oC + 4L * ((long) _r * _DV + _j);");
        c.line("final FloatVector _kr = FloatVector.broadcast(SP, _sc[_oK + _r]), _qr = FloatVector.broadcast(SP, _sc[_o + _r]);");
        for (int x = 0; x < w; x++) {
            String a = x == 0 ? "_a" : "_a + " + (4 * x) + "L * VL";
            c.line("final FloatVector _c" + x + " = _fv.mul(FloatVector.fromMemorySegment(SP, _C, " + a + ", BO))"
                    + ".add(_av.mul(_kr.mul(_v" + x + ")));");
            c.line("_c" + x + ".intoMemorySegment(_C, " + a + ", BO);");
            c.line("_s" + x + " = _c" + x + ".fma(_qr, _s" + x + ");");
        }
        c.close();
        for (int x = 0; x < w; x++)
            c.line((norm ? "_s" + x + ".div(_fd)" : "_s" + x) + ".intoMemorySegment(_H, _oh + 4L * (_j + " + x + " * VL), BO);");
        c.close();
        c.line("return _j;");
        return c;
    }

    /**
     * Pass 2 for task {@code _it}: a head in one task first does its per-head part; then the tile's columns, vector
     * blocks first (as the step's loops: whole vectors, then the scalar tail), then the rest.
     */
    private static Code tileBody(String mname, String dk, String dv, String C, String H, boolean vector, boolean norm,
                                 String headCall) {
        Code c = new Code();
        c.line("final int _nt = " + tiles(dv) + ", _bh = _it / _nt;");
        c.line("final int _j0 = _it % _nt * tile, _j1 = Math.min(" + dv + ", _j0 + tile);");
        c.line("if (_nt == 1) " + headCall);
        c.line("final int _P = " + scratchRow(dk, dv) + ", _o = _bh * _P, _oK = _o + " + dk + ", _oV = _o + 2 * " + dk + ";");
        c.line("final float _fC = _sc[_o + _P - 3], _aw = _sc[_o + _P - 2], _div = " + (norm ? "_sc[_o + _P - 1]" : "1f") + ";");
        c.line("final long _oC = (long) _bh * " + dk + " * " + dv + " * 4L, _oh = (long) _bh * " + dv + " * 4L;");
        c.line("int _j = _j0;");
        if (vector)
            for (int w : BLOCKS)
                c.line("_j = " + mname + "Cols" + w + "(" + C + ", " + H + ", _sc, " + dk + ", " + dv
                        + ", _o, _oC, _oh, _j, _j1, _fC, _aw, _div);");
        c.open("for (; _j < _j1; _j++)");
        c.line("final float _vj = _sc[_oV + _j];");
        c.line("float _s = 0f;");
        c.open("for (int _r = 0; _r < " + dk + "; _r++)");
        c.line("final long _a = _oC + 4L * ((long) _r * " + dv + " + _j);");
        c.line("final float _c = _fC * " + C + ".get(F32, _a) + _aw * (_sc[_oK + _r] * _vj);");
        c.line(C + ".set(F32, _a, _c);");
        c.line("_s += _c * _sc[_o + _r];");
        c.close();
        c.line(H + ".set(F32, _oh + 4L * _j, " + (norm ? "_s / _div" : "_s") + ");");
        c.close();
        return c;
    }
}
