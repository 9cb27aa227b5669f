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
 * whole head, so the work is in two passes:
 * <ol>
 *   <li>per (b, h), on the calling thread (O(DQK + DV) each): the gates, q, k, v into shared scratch; n' and m'
 *       in place; the divisor from q.n'. Once per head, so every tile sees the same values.</li>
 *   <li>per (b, h, tile of {@code tile} columns) on the pool: C' = f C + a k v^T on the tile and h = q.C' / div,
 *       in one pass over C.</li>
 * </ol>
 * Every value is computed by the operations of the step, in its order (C' as {@code f * C + a * (k * v)}, q.C'
 * accumulated over the rows by fma in the vector lanes, the divisor's dot as the step's), so with {@code tile} a
 * multiple of the vector length the results are those of {@code step} bit for bit; other tiles move the split
 * between vector lanes and scalar tail, i.e. rounding only.
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

    /** The implementation of one variant, Vector API or scalar twin; its pass-2 body is a reused task. */
    static MethodSpec impl(CellIR cell, ScheduledCell.Variant v, boolean vector, Set<String> helpers,
                           List<MethodSpec> impls, List<TypeSpec> tasks) {
        LinearRecurrence lr = v.recurrence();
        String mname = METHOD + (vector ? "V" : "S") + v.spec().suffix();
        BodyGen g = JavaVectorEmitter.gen(vector, helpers, mname, cell, ScheduleKind.STEP);
        g.declare("_sc", "float[]");
        g.declare("_o", "int");
        helpers.add(vector ? "dot_v" : "dot_s");
        String dk = id(lr.keyDim().name()), dv = id(lr.valueDim().name());
        String C = id(lr.matrixState()), N = lr.hasNormState() ? id(lr.normState()) : null,
                M = lr.stabilised() ? id(lr.stabState()) : null, H = id(lr.output());

        // pass 1's per-head prologue: gates, q, k, v of the step (as the chunkwise schedule derives them)
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

        Code c = new Code();
        c.line("// per (b, h) in shared scratch: q, k, v, n', then f, a and the divisor");
        c.line("final int _P = 3 * " + dk + " + " + dv + " + 3;");
        c.line("final float[] _sc = xlstm.backends.cpu.CpuScratch.shared(Math.toIntExact((long) B * NH * _P));");
        g.emitScratchAllocation(c);
        c.line("// 1. per (b, h), once: gates, q, k, v; n' and m' in place; the divisor");
        c.open("for (int _bh = 0; _bh < B * NH; _bh++)");
        c.line("final int _hd = _bh % NH;");
        c.line("final long _row = _bh;");
        c.line("final int _o = _bh * _P, _on = _o + 2 * " + dk + " + " + dv + ";");
        c.raw(pro);
        if (M != null) {
            c.line("final float _m = " + M + ".get(F32, (long) _bh * 4L);");
            c.line("final float _mn = Math.max(_lf + _m, _li);");
            c.line("final float _fC = (float) Math.exp((_lf + _m) - _mn), _aw = (float) Math.exp(_li - _mn);");
            c.line(M + ".set(F32, (long) _bh * 4L, _mn);");
        } else {
            c.line("final float _fC = (float) Math.exp(_lf), _aw = (float) Math.exp(_li);");
        }
        if (N != null) {
            c.line("final long _onb = (long) _bh * " + dk + " * 4L;");
            c.line("for (int _kk = 0; _kk < " + dk + "; _kk++) _sc[_on + _kk] = _fC * " + N + ".get(F32, _onb + 4L * _kk) + _aw * _sc[_o + " + dk + " + _kk];");
            c.line("MemorySegment.copy(_sc, _on, " + N + ", F32, _onb, " + dk + ");");
        }
        c.line("_sc[_o + _P - 3] = _fC;");
        c.line("_sc[_o + _P - 2] = _aw;");
        if (lr.normalised()) {
            String den = N != null ? "dot" + (vector ? "_v" : "_s") + "(_sc, _o, _sc, _on, " + dk + ")" : "0f";
            c.line("_sc[_o + _P - 1] = Math.max(Math.abs(" + den + "), " + (M != null ? "(float) Math.exp(-_mn)" : lower)
                    + ") + " + eps + ";");
        }
        c.close();
        c.line("// 2. per (b, h, tile of columns): C' and h on the tile");
        List<Arg> taskArgs = new ArrayList<>(signature(cell));
        taskArgs.add(new Arg("float[]", "_sc"));
        ParallelTaskGen task = new ParallelTaskGen(mname, taskArgs, "_it");
        tasks.add(task.type(tileBody(lr, dk, dv, C, H, vector)));
        c.raw(task.call("B * NH * ((" + dv + " + tile - 1) / tile)", "1"));
        JavaVectorEmitter.addOutlined(impls, g);
        return method(mname, signature(cell), false).addCode(Poet.code(c.toString())).build();
    }

    /** Pass 2 for task {@code _it}: the tile's columns, vector lanes first (as the step's loops), then the rest. */
    private static Code tileBody(LinearRecurrence lr, String dk, String dv, String C, String H, boolean vector) {
        boolean norm = lr.normalised();
        Code c = new Code();
        c.line("final int _nt = (" + dv + " + tile - 1) / tile, _bh = _it / _nt;");
        c.line("final int _j0 = _it % _nt * tile, _j1 = Math.min(" + dv + ", _j0 + tile);");
        c.line("final int _P = 3 * " + dk + " + " + dv + " + 3, _o = _bh * _P, _oK = _o + " + dk + ", _oV = _o + 2 * " + dk + ";");
        c.line("final float _fC = _sc[_o + _P - 3], _aw = _sc[_o + _P - 2]" + (norm ? ", _div = _sc[_o + _P - 1]" : "") + ";");
        c.line("final long _oC = (long) _bh * " + dk + " * " + dv + " * 4L, _oh = (long) _bh * " + dv + " * 4L;");
        c.line("int _j = _j0;");
        if (vector) {
            c.line("final FloatVector _fv = FloatVector.broadcast(SP, _fC), _av = FloatVector.broadcast(SP, _aw);");
            c.open("for (; _j + VL <= _j1; _j += VL)");
            c.line("final FloatVector _vj = FloatVector.fromArray(SP, _sc, _oV + _j);");
            c.line("FloatVector _acc = FloatVector.zero(SP);");
            c.open("for (int _r = 0; _r < " + dk + "; _r++)");
            c.line("final long _a = _oC + 4L * ((long) _r * " + dv + " + _j);");
            c.line("final FloatVector _c = _fv.mul(FloatVector.fromMemorySegment(SP, " + C + ", _a, BO))"
                    + ".add(_av.mul(FloatVector.broadcast(SP, _sc[_oK + _r]).mul(_vj)));");
            c.line("_c.intoMemorySegment(" + C + ", _a, BO);");
            c.line("_acc = _c.fma(FloatVector.broadcast(SP, _sc[_o + _r]), _acc);");
            c.close();
            c.line((norm ? "_acc.div(FloatVector.broadcast(SP, _div))" : "_acc") + ".intoMemorySegment(" + H + ", _oh + 4L * _j, BO);");
            c.close();
        }
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
