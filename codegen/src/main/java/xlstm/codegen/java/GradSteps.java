package xlstm.codegen.java;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import xlstm.codegen.autodiff.AdjointCell;
import xlstm.codegen.autodiff.StatesOnly;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Type;

import javax.lang.model.element.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static xlstm.codegen.java.JavaVectorEmitter.id;

/**
 * The step methods of a {@code <Cell>Grad}, each for one (b, h) and time {@code _t}: the forward state update
 * (recompute, on the working states) and the adjoint step (reading the states before the step from the chunk
 * buffer). Their outlined loops go to the same class.
 */
final class GradSteps {
    private final CellIR fwd;
    private final AdjointCell adj;
    private final CellIR statesOnly;
    private final Set<String> helpers;
    private final List<MethodSpec> impls;

    GradSteps(CellIR forward, AdjointCell adj, Set<String> helpers, List<MethodSpec> impls) {
        this.fwd = forward;
        this.adj = adj;
        this.statesOnly = StatesOnly.of(forward);
        this.helpers = helpers;
        this.impls = impls;
    }

    private static JavaVectorEmitter.Arg seg(String name) { return new JavaVectorEmitter.Arg("MemorySegment", id(name)); }

    /** A generated step method of one (b, h): its scratch and how the driver calls it. */
    record Step(String name, List<String> callArgs, Map<String, String> scratch, String scratchPrefix,
                              List<String> flagStates) {
        /** The call for time t and (b, h) bh; the flags of step t from the arrays {@code flagArray + state}. */
        String call(String t, String bh, String flagArray) {
            List<String> a = new ArrayList<>(callArgs);
            a.add(t);
            a.add(bh);
            for (String s : flagStates) a.add(flagArray + s + "[" + t + "]");
            // one task per (b, h) has its own scratch; steps over all (b, h) index the scratch of each
            for (String s : scratch.keySet()) a.add(scratchPrefix + s + (flagArray == null ? "" : "[" + bh + "]"));
            return name + "(" + String.join(", ", a) + ")";
        }
    }

    private List<JavaVectorEmitter.Arg> commonArgs() {
        List<JavaVectorEmitter.Arg> ps = new ArrayList<>();
        for (String n : List.of("B", "NH", "S")) ps.add(new JavaVectorEmitter.Arg("int", n));
        for (Dim d : fwd.dims()) ps.add(new JavaVectorEmitter.Arg("int", id(d.name())));
        return ps;
    }

    /** The forward state update of step {@code _t} for all (b, h), on the working states. */
    Step forward(boolean vector) {
        String mname = "forward" + (vector ? "V" : "S");
        List<JavaVectorEmitter.Arg> ps = commonArgs();
        List<String> callArgs = new ArrayList<>(ps.stream().map(JavaVectorEmitter.Arg::name).toList());
        for (Decl d : fwd.inputs()) { ps.add(seg(d.name())); callArgs.add(id(d.name())); }
        for (Decl d : fwd.weights()) { ps.add(seg(d.name())); callArgs.add(id(d.name())); }
        for (Decl d : fwd.states()) { ps.add(seg(d.name())); callArgs.add("_w_" + d.name()); }
        for (Param p : fwd.params()) { ps.add(new JavaVectorEmitter.Arg(p.isBool() ? "boolean" : "float", id(p.name()))); callArgs.add(id(p.name())); }
        List<String> flagStates = new ArrayList<>(adj.flags().keySet());
        BodyGen g = scope(vector, mname, ps);
        for (String s : flagStates) g.declare("_az_" + s, "boolean");
        Code body = JavaVectorEmitter.stepBody(statesOnly, g);
        return finish(mname, ps, callArgs, g, body, flagStates.stream().map(s -> "_az_" + s).toList(), "_Sf", flagStates);
    }

    /** The adjoint step of time {@code _t} (chunk position {@code _t - _c0}) for all (b, h). */
    Step adjoint(boolean vector) {
        String mname = "adjoint" + (vector ? "V" : "S");
        CellIR ir = adj.ir();
        List<JavaVectorEmitter.Arg> ps = commonArgs();
        List<String> callArgs = new ArrayList<>(ps.stream().map(JavaVectorEmitter.Arg::name).toList());
        ps.add(new JavaVectorEmitter.Arg("int", "_c0"));
        callArgs.add("_c0");
        for (Decl d : ir.inputs()) {
            if (adj.flags().containsValue(d.name())) continue;
            ps.add(seg(d.name()));
            callArgs.add(fwd.states().stream().anyMatch(s -> s.name().equals(d.name())) ? "_ch_" + d.name() : id(d.name()));
        }
        for (Decl d : ir.weights()) { ps.add(seg(d.name())); callArgs.add(id(d.name())); }
        for (Decl d : adj.stateCotangents()) { ps.add(seg(d.name())); callArgs.add(id(d.name())); }
        for (Decl d : adj.weightCotangents()) { ps.add(seg(d.name())); callArgs.add("_acc_" + d.name()); }
        for (Decl d : ir.outputs()) { ps.add(seg(d.name())); callArgs.add(id(d.name())); }
        for (Param p : ir.params()) { ps.add(new JavaVectorEmitter.Arg(p.isBool() ? "boolean" : "float", id(p.name()))); callArgs.add(id(p.name())); }
        List<String> flagStates = new ArrayList<>(adj.flags().keySet());
        BodyGen g = scope(vector, mname, ps);
        g.declare("_c0", "int");
        g.declare("_srow", "long");
        for (String s : flagStates) g.declare("_fl_" + s, "boolean");
        Code body = new Code();
        body.line("final long _srow = (long) (_t - _c0) * B * NH + _bh;");
        for (Decl d : ir.inputs()) {
            String flagOf = adj.flags().entrySet().stream().filter(e -> e.getValue().equals(d.name())).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            if (flagOf != null) {
                g.bind(Expr.RefKind.INPUT, d.name(), new Storage.Local("(_fl_" + flagOf + " ? 1f : 0f)"));
            } else {
                boolean oldState = fwd.states().stream().anyMatch(s -> s.name().equals(d.name()));
                bind(g, body, d, Expr.RefKind.INPUT, oldState ? "_srow" : "_row");
            }
        }
        for (Decl d : ir.weights()) bind(g, body, d, Expr.RefKind.WEIGHT, "_hd");
        for (Decl d : ir.states()) bind(g, body, d, Expr.RefKind.STATE, "_bh");
        for (Param p : ir.params()) g.bind(Expr.RefKind.PARAM, p.name(), new Storage.Local(id(p.name())));
        for (Dim d : ir.dims()) g.bind(Expr.RefKind.DIM, d.name(), new Storage.Local("((float) " + id(d.name()) + ")"));
        body.raw(JavaVectorEmitter.statements(ir, g));
        return finish(mname, ps, callArgs, g, body, flagStates.stream().map(s -> "_fl_" + s).toList(), "_Sa", flagStates);
    }

    /** A body generator whose scope holds the step method's parameters and the loop variables. */
    private BodyGen scope(boolean vector, String mname, List<JavaVectorEmitter.Arg> ps) {
        BodyGen g = new BodyGen(vector, helpers);
        g.prefix(mname);
        for (JavaVectorEmitter.Arg a : ps) g.declare(a.name(), a.type());
        for (String[] v : new String[][]{{"_row", "long"}, {"_bh", "int"}, {"_hd", "int"}, {"_t", "int"}}) g.declare(v[0], v[1]);
        return g;
    }

    /** Binds declaration d at block index {@code index} of its segment (a local for scalars). */
    private static void bind(BodyGen g, Code code, Decl d, Expr.RefKind kind, String index) {
        String n = d.name();
        if (d.type() instanceof Type.Scalar) {
            code.line("final float _x_" + n + " = " + id(n) + ".get(F32, (long) " + index + " * 4L);");
            g.declare("_x_" + n, "float");
            g.bind(kind, n, new Storage.Local("_x_" + n));
        } else {
            code.line("final long _o_" + n + " = (long) " + index + " * " + BodyGen.size(d.type()) + " * 4L;");
            g.declare("_o_" + n, "long");
            g.bind(kind, n, new Storage.Buf(id(n), "_o_" + n, d.type() instanceof Type.Mat m ? id(m.cols().name()) : null));
        }
    }

    private Step finish(String mname, List<JavaVectorEmitter.Arg> ps, List<String> callArgs, BodyGen g, Code body,
                              List<String> flagParams, String scratchPrefix, List<String> flagStates) {
        Code c = new Code();
        c.line("final int _hd = _bh % NH;");
        c.line("final long _row = (long) _bh * S + _t;");
        c.raw(body);
        MethodSpec.Builder b = MethodSpec.methodBuilder(mname).addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        for (JavaVectorEmitter.Arg a : ps) b.addParameter(Poet.type(a.type()), a.name());
        b.addParameter(TypeName.INT, "_t");
        b.addParameter(TypeName.INT, "_bh");
        for (String f : flagParams) b.addParameter(TypeName.BOOLEAN, f);
        for (String s : g.scratch.keySet()) b.addParameter(Poet.type("float[]"), s);
        impls.add(b.addCode(Poet.code(c.toString())).build());
        for (BodyGen.Outlined o : g.outlined) {
            MethodSpec.Builder ob = MethodSpec.methodBuilder(o.name()).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .returns(Poet.type(o.returns()));
            for (String[] p : o.params()) ob.addParameter(Poet.type(p[0]), p[1]);
            impls.add(ob.addCode(Poet.code(o.body())).build());
        }
        return new Step(mname, callArgs, g.scratch, scratchPrefix, flagStates);
    }
}
