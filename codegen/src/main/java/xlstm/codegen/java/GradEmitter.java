package xlstm.codegen.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.autodiff.Adjoint;
import xlstm.codegen.autodiff.AdjointCell;
import xlstm.codegen.autodiff.StatesOnly;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Type;

import javax.lang.model.element.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static xlstm.codegen.java.JavaVectorEmitter.id;

/**
 * Emits {@code <Cell>Grad}: the backward of {@code <Cell>.sequence} from the {@link AdjointCell} the compiler
 * derives (no hand-written cell backward). Checkpoints: the states before every {@link #CHECKPOINT_EVERY}-th step
 * are kept by a forward pass; the chunks are then visited from the last, each recomputed from its checkpoint with the
 * forward step (keeping the states before each of its steps), and the adjoint step runs over it in reverse time.
 * Every step runs over all (b, h) together, so the batch-global {@code all_zero} is decided as in the forward (its
 * flags are recorded once, in the first pass). Weight cotangents go to per-(b, h) accumulators, summed over b in a
 * fixed order at the end: race-free and deterministic.
 */
final class GradEmitter {
    /** Steps between checkpoints: memory (S/16 + 16) state copies per (b, h) instead of S. */
    static final int CHECKPOINT_EVERY = 16;

    private final CellIR fwd;
    private final AdjointCell adj;
    private final CellIR statesOnly;
    private final Set<String> helpers = new TreeSet<>();
    private final List<MethodSpec> impls = new ArrayList<>();

    GradEmitter(CellIR forward) {
        this.fwd = forward;
        this.adj = Adjoint.derive(forward);
        this.statesOnly = StatesOnly.of(forward);
    }

    static String className(CellIR c) { return JavaVectorEmitter.className(c) + "Grad"; }

    /** The public parameter list: dims, inputs, weights, states, d+outputs, d+states, d+inputs, d+weights, params. */
    static List<JavaVectorEmitter.Arg> signature(CellIR c) {
        List<JavaVectorEmitter.Arg> ps = new ArrayList<>();
        for (String n : List.of("B", "NH", "S")) ps.add(new JavaVectorEmitter.Arg("int", n));
        for (Dim d : c.dims()) ps.add(new JavaVectorEmitter.Arg("int", id(d.name())));
        for (List<Decl> group : List.of(c.inputs(), c.weights(), c.states()))
            for (Decl d : group) ps.add(seg(d.name()));
        for (List<Decl> group : List.of(c.outputs(), c.states(), c.inputs(), c.weights()))
            for (Decl d : group) ps.add(seg(AdjointCell.d(d.name())));
        for (Param p : c.params()) ps.add(new JavaVectorEmitter.Arg(p.isBool() ? "boolean" : "float", id(p.name())));
        return ps;
    }

    private static JavaVectorEmitter.Arg seg(String name) { return new JavaVectorEmitter.Arg("MemorySegment", id(name)); }

    private static String names(List<JavaVectorEmitter.Arg> args) {
        return args.stream().map(JavaVectorEmitter.Arg::name).collect(Collectors.joining(", "));
    }

    EmittedFile emit() {
        String name = className(fwd);
        helpers.addAll(List.of("_need", "_dims", "_shareable", "_forEach", "_allZero"));
        TypeSpec.Builder cls = TypeSpec.classBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc(classDoc());
        cls.addField(FieldSpec.builder(TypeName.INT, "CHECKPOINT_EVERY", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Steps between the stored states; the states inside a chunk are recomputed.\n")
                .initializer("$L", CHECKPOINT_EVERY).build());
        cls.addField(FieldSpec.builder(ParameterizedTypeName.get(Poet.VECTOR_SPECIES, ClassName.get(Float.class)), "SP",
                Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer("$T.SPECIES_PREFERRED", Poet.FLOAT_VECTOR).build());
        cls.addField(FieldSpec.builder(TypeName.INT, "VL", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("SP.length()").build());
        cls.addField(FieldSpec.builder(Poet.VALUE_LAYOUT.nestedClass("OfFloat"), "F32", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.JAVA_FLOAT_UNALIGNED", Poet.VALUE_LAYOUT).build());
        cls.addField(FieldSpec.builder(Poet.BYTE_ORDER, "BO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.nativeOrder()", Poet.BYTE_ORDER).build());
        cls.addField(FieldSpec.builder(Thread.class, "OTHER_THREAD", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("new Thread(() -> { })").build());
        cls.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        cls.addMethod(publicSequence());
        for (boolean vector : new boolean[]{true, false}) impls.add(sequenceImpl(vector));
        impls.forEach(cls::addMethod);
        if (Helpers.usesSelu(helpers)) {
            cls.addField(FieldSpec.builder(TypeName.FLOAT, "SELU_ALPHA", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("1.6732632f").build());
            cls.addField(FieldSpec.builder(TypeName.FLOAT, "SELU_SCALE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("1.050701f").build());
        }
        for (String src : Helpers.sources(helpers)) cls.addMethod(Poet.method(src));
        JavaFile file = JavaFile.builder(JavaVectorEmitter.PACKAGE, cls.build()).indent("    ").skipJavaLangImports(true)
                .addFileComment("Generated by xlstm-codegen from the adjoint of cell $L. Do not edit.", fwd.name())
                .build();
        return new EmittedFile(JavaVectorEmitter.PACKAGE.replace('.', '/') + "/" + name + ".java", fwd.name(), file.toString());
    }

    private String classDoc() {
        return "The backward of {@link " + JavaVectorEmitter.className(fwd) + "#sequence}, derived by reverse-mode autodiff of\n"
                + "cell {@code " + fwd.name() + "}. The adjoint step:\n<pre>\n"
                + IrPrinter.print(adj.ir()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("*/", "*&#47;").replace("@", "&#64;").replace("$", "$$") + "</pre>\n";
    }

    private static String floats(Decl d, String lead) {
        String sz = BodyGen.size(d.type());
        return "(long) " + lead + (sz.equals("1") ? "" : " * " + sz);
    }

    private MethodSpec publicSequence() {
        Code c = new Code();
        List<String> dims = new ArrayList<>(List.of("B", "NH", "S"));
        for (Dim d : fwd.dims()) dims.add(id(d.name()));
        c.line("_dims(" + String.join(", ", dims) + ");");
        for (Decl d : fwd.inputs()) need(c, d, d.name(), "B * NH * S");
        for (Decl d : fwd.weights()) need(c, d, d.name(), "NH");
        for (Decl d : fwd.states()) need(c, d, d.name(), "B * NH");
        for (Decl d : fwd.outputs()) need(c, d, AdjointCell.d(d.name()), "B * NH * S");
        for (Decl d : fwd.states()) need(c, d, AdjointCell.d(d.name()), "B * NH");
        for (Decl d : fwd.inputs()) need(c, d, AdjointCell.d(d.name()), "B * NH * S");
        for (Decl d : fwd.weights()) need(c, d, AdjointCell.d(d.name()), "NH");
        List<JavaVectorEmitter.Arg> sig = signature(fwd);
        c.line("final boolean _par = _shareable(" + sig.stream().filter(a -> a.type().equals("MemorySegment"))
                .map(JavaVectorEmitter.Arg::name).collect(Collectors.joining(", ")) + ");");
        c.line("if (KernelMode.scalar()) sequenceS(" + names(sig) + ", _par);");
        c.line("else sequenceV(" + names(sig) + ", _par);");
        MethodSpec.Builder b = MethodSpec.methodBuilder("sequence").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("Cotangents of {@code " + JavaVectorEmitter.className(fwd) + ".sequence} (same layouts): states are the INITIAL\n"
                        + "states (read only); {@code d<out>} read; {@code d<state>} in: cotangent of the final states, out: of the\n"
                        + "initial ones; {@code d<input>} written; {@code d<weight>} accumulated (+=) over batch and time.\n");
        for (JavaVectorEmitter.Arg a : sig) b.addParameter(Poet.type(a.type()), a.name());
        return b.addCode(Poet.code(c.toString())).build();
    }

    private static void need(Code c, Decl d, String name, String lead) {
        c.line("_need(" + id(name) + ", " + floats(d, lead) + ", \"" + name + "\");");
    }

    // ------------------------------------------------------------------ driver

    private MethodSpec sequenceImpl(boolean vector) {
        String v = vector ? "V" : "S";
        StepMethod fs = forwardStep(vector), as = adjointStep(vector);
        List<String> flagStates = new ArrayList<>(adj.flags().keySet());
        Code c = new Code();
        c.line("final int _L = CHECKPOINT_EVERY, _BH = B * NH, _nc = (S + _L - 1) / _L;");
        c.open("try (Arena _arena = Arena.ofShared())");
        c.line("// working states, checkpoints (state before step k*L), states before each step of one chunk");
        for (Decl d : fwd.states()) {
            String n = d.name(), sz = floats(d, "_BH");
            c.line("final long _z_" + n + " = " + sz + ";");
            c.line("final MemorySegment _w_" + n + " = _arena.allocate(4L * _z_" + n + ", 64);");
            c.line("MemorySegment.copy(" + id(n) + ", 0L, _w_" + n + ", 0L, 4L * _z_" + n + ");");
            c.line("final MemorySegment _cp_" + n + " = _arena.allocate(4L * _z_" + n + " * Math.max(1, _nc), 64);");
            c.line("final MemorySegment _ch_" + n + " = _arena.allocate(4L * _z_" + n + " * _L, 64);");
        }
        c.line("// weight cotangents per (b, h), summed over b at the end");
        for (Decl d : adj.weightCotangents())
            c.line("final MemorySegment _acc_" + d.name() + " = _arena.allocate(4L * " + floats(d, "_BH") + ", 64);");
        for (String s : flagStates) c.line("final boolean[] _f_" + s + " = new boolean[S];");
        c.line("// scratch of each (b, h)");
        for (var en : fs.scratch.entrySet()) c.line("final float[][] _Sf" + en.getKey() + " = new float[_BH][" + en.getValue() + "];");
        for (var en : as.scratch.entrySet()) c.line("final float[][] _Sa" + en.getKey() + " = new float[_BH][" + en.getValue() + "];");

        c.line("// forward: checkpoints and the all_zero flags of every step");
        c.open("for (int _t = 0; _t < S; _t++)");
        copyStates(c, "_w_", "0L", "_cp_", "(long) (_t / _L)", "_t % _L == 0");
        for (String s : flagStates)
            c.line("_f_" + s + "[_t] = _allZero(_w_" + s + ", _z_" + s + ");");
        c.line(fs.call("_t", "_f_") + ";");
        c.close();

        c.line("// backward, chunk by chunk from the last");
        c.open("for (int _k = _nc - 1; _k >= 0; _k--)");
        c.line("final int _c0 = _k * _L, _Lc = Math.min(_L, S - _c0);");
        copyStates(c, "_cp_", "(long) _k", "_w_", "0L", null);
        c.open("for (int _tau = 0; _tau < _Lc; _tau++)");
        copyStates(c, "_w_", "0L", "_ch_", "(long) _tau", null);
        c.line("final int _t = _c0 + _tau;");
        c.line(fs.call("_t", "_f_") + ";");
        c.close();
        c.line("for (int _tau = _Lc - 1; _tau >= 0; _tau--) " + as.call("_c0 + _tau", "_f_") + ";");
        c.close();

        c.line("// d<weight> += sum over b of the per-(b, h) accumulators, b in order");
        for (Decl d : adj.weightCotangents()) {
            String sz = BodyGen.size(d.type());
            c.open("for (int _b = 0; _b < B; _b++)");
            c.open("for (long _e = 0; _e < (long) NH * " + sz + "; _e++)");
            c.line(id(d.name()) + ".setAtIndex(F32, _e, " + id(d.name()) + ".getAtIndex(F32, _e) + _acc_" + d.name()
                    + ".getAtIndex(F32, (long) _b * NH * " + sz + " + _e));");
            c.close();
            c.close();
        }
        c.close();
        MethodSpec.Builder b = MethodSpec.methodBuilder("sequence" + v).addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        for (JavaVectorEmitter.Arg a : signature(fwd)) b.addParameter(Poet.type(a.type()), a.name());
        b.addParameter(TypeName.BOOLEAN, "_par");
        return b.addCode(Poet.code(c.toString())).build();
    }

    /** Copies every state block {@code from[fi] -> to[ti]} (blocks of B*NH states), optionally under a condition. */
    private void copyStates(Code c, String from, String fi, String to, String ti, String when) {
        if (when != null) c.open("if (" + when + ")");
        for (Decl d : fwd.states()) {
            String n = d.name();
            c.line("MemorySegment.copy(" + from + n + ", " + fi + " * 4L * _z_" + n + ", " + to + n + ", " + ti
                    + " * 4L * _z_" + n + ", 4L * _z_" + n + ");");
        }
        if (when != null) c.close();
    }

    // ------------------------------------------------------------------ step methods

    /** A generated per-step method over all (b, h): its scratch and how the driver calls it. */
    private record StepMethod(String name, List<String> callArgs, Map<String, String> scratch, String scratchPrefix,
                              List<String> flagStates) {
        String call(String t, String flagArray) {
            List<String> a = new ArrayList<>(callArgs);
            a.add(t);
            for (String s : flagStates) a.add(flagArray + s + "[" + t + "]");
            for (String s : scratch.keySet()) a.add(scratchPrefix + s);
            a.add("_par");
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
    private StepMethod forwardStep(boolean vector) {
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
    private StepMethod adjointStep(boolean vector) {
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

    private StepMethod finish(String mname, List<JavaVectorEmitter.Arg> ps, List<String> callArgs, BodyGen g, Code body,
                              List<String> flagParams, String scratchPrefix, List<String> flagStates) {
        Code c = new Code();
        c.open("_forEach(_par, B * NH, _bh ->");
        c.line("final int _hd = _bh % NH;");
        c.line("final long _row = (long) _bh * S + _t;");
        for (String s : g.scratch.keySet()) c.line("final float[] " + s + " = " + scratchPrefix + s + "[_bh];");
        c.raw(body);
        c.close(");");
        MethodSpec.Builder b = MethodSpec.methodBuilder(mname).addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        for (JavaVectorEmitter.Arg a : ps) b.addParameter(Poet.type(a.type()), a.name());
        b.addParameter(TypeName.INT, "_t");
        for (String f : flagParams) b.addParameter(TypeName.BOOLEAN, f);
        for (String s : g.scratch.keySet()) b.addParameter(Poet.type("float[][]"), scratchPrefix + s);
        b.addParameter(TypeName.BOOLEAN, "_par");
        impls.add(b.addCode(Poet.code(c.toString())).build());
        for (BodyGen.Outlined o : g.outlined) {
            MethodSpec.Builder ob = MethodSpec.methodBuilder(o.name()).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .returns(Poet.type(o.returns()));
            for (String[] p : o.params()) ob.addParameter(Poet.type(p[0]), p[1]);
            impls.add(ob.addCode(Poet.code(o.body())).build());
        }
        return new StepMethod(mname, callArgs, g.scratch, scratchPrefix, flagStates);
    }
}
