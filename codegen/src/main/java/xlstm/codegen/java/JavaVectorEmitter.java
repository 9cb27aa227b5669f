package xlstm.codegen.java;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.Emitter;
import xlstm.codegen.Target;
import xlstm.codegen.pass.Exprs;
import xlstm.codegen.schedule.LinearRecurrence;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;

import javax.lang.model.element.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Java Vector API emitter: one class per cell/kernel in package {@code xlstm.generated}, with the public static
 * entry points of {@code docs/glue-contract.md}. Each schedule exists as a Vector API implementation
 * ({@code FloatVector.SPECIES_PREFERRED}, scalar loop tails) and a scalar twin, chosen by {@code KernelMode.scalar()};
 * work is split over {@code B*NH} (rows for kernels) with {@code CpuParallel.forEach}; scratch is allocated once
 * per task. Bool params select a specialised implementation.
 */
public final class JavaVectorEmitter implements Emitter {
    public static final String PACKAGE = "xlstm.generated";

    @Override public Target target() { return Target.JAVA; }

    /** {@code mlstm_sig} -> {@code MlstmSigCell}; {@code softcap_rows} -> {@code SoftcapRowsKernel}. */
    public static String className(CellIR c) {
        return camel(c.name()) + (c.isCell() ? "Cell" : "Kernel");
    }

    static String camel(String snake) {
        StringBuilder sb = new StringBuilder();
        for (String part : snake.split("_")) {
            if (part.isEmpty()) continue;
            sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return sb.toString();
    }

    /** {@code eps} -> {@code DEFAULT_EPS}; {@code capValue} -> {@code DEFAULT_CAP_VALUE}. */
    public static String defaultConstant(String param) {
        return "DEFAULT_" + param.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch",
            "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
            "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new",
            "package", "private", "protected", "public", "return", "short", "static", "strictfp", "super", "switch",
            "synchronized", "this", "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false",
            "null", "var", "record", "yield", "sealed", "permits", "SP", "VL", "F32", "BO", "SELU_ALPHA", "SELU_SCALE");

    /** The Java identifier of a DSL name (DSL names are kept, keywords get a trailing underscore). */
    static String id(String name) {
        return KEYWORDS.contains(name) ? name + "_" : name;
    }

    // ------------------------------------------------------------------ class

    @Override public List<EmittedFile> emit(ScheduledCell sc) {
        CellIR cell = sc.cell();
        String name = className(cell);
        Set<String> helpers = new TreeSet<>();
        helpers.add("_need");
        helpers.add("_dims");
        helpers.add("_shareable");
        if (cell.isCell()) helpers.add("_forEach"); // the chunkwise and parallel schedules; sequences and rows run tasks
        TypeSpec.Builder cls = Poet.kernelClass(name, classDoc(sc));
        for (Param p : cell.params()) {
            if (!p.hasDefault()) continue;
            cls.addField(FieldSpec.builder(p.isBool() ? TypeName.BOOLEAN : TypeName.FLOAT, defaultConstant(p.name()),
                            Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .initializer(p.isBool() ? String.valueOf(p.defaultBool()) : BodyGen.lit(p.defaultValue())).build());
        }

        List<MethodSpec> impls = new ArrayList<>();
        List<TypeSpec> tasks = new ArrayList<>();
        if (cell.isCell()) {
            cls.addMethod(publicStep(sc));
            cls.addMethod(publicSequence(sc));
            if (sc.schedules().contains(ScheduleKind.CHUNKWISE)) cls.addMethod(publicChunkwise(sc));
            if (sc.schedules().contains(ScheduleKind.PARALLEL)) cls.addMethod(publicParallel(sc));
            if (TiledStepGen.applies(sc)) cls.addMethod(TiledStepGen.publicEntry(sc));
            for (ScheduledCell.Variant v : sc.variants()) {
                for (boolean vector : new boolean[]{true, false}) {
                    impls.add(sequenceImpl(cell, v, vector, helpers, impls, tasks));
                    if (v.schedules().contains(ScheduleKind.CHUNKWISE)) impls.add(chunkImpl(cell, v, vector, helpers, false, impls));
                    if (v.schedules().contains(ScheduleKind.PARALLEL)) impls.add(chunkImpl(cell, v, vector, helpers, true, impls));
                    if (v.schedules().contains(ScheduleKind.CHUNKWISE)) impls.add(TiledStepGen.impl(cell, v, vector, helpers, impls, tasks));
                }
            }
        } else {
            cls.addMethod(publicApply(sc));
            for (ScheduledCell.Variant v : sc.variants())
                for (boolean vector : new boolean[]{true, false}) impls.add(applyImpl(cell, v, vector, helpers, impls, tasks));
        }
        impls.forEach(cls::addMethod);
        tasks.forEach(cls::addType);
        if (Helpers.usesSelu(helpers)) {
            cls.addField(FieldSpec.builder(TypeName.FLOAT, "SELU_ALPHA", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("1.6732632f").build());
            cls.addField(FieldSpec.builder(TypeName.FLOAT, "SELU_SCALE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("1.050701f").build());
        }
        for (String src : Helpers.sources(helpers)) cls.addMethod(Poet.method(src));

        JavaFile file = JavaFile.builder(PACKAGE, cls.build()).indent("    ").skipJavaLangImports(true)
                .addFileComment("Generated by xlstm-codegen from $L $L. Do not edit.", cell.kind().keyword(), cell.name())
                .build();
        EmittedFile emitted = new EmittedFile(PACKAGE.replace('.', '/') + "/" + name + ".java", cell.name(), file.toString());
        // every unit also gets its backward, <Cell>Grad / <Kernel>Grad, from the adjoint the compiler derives
        return List.of(emitted, cell.isCell() ? new GradEmitter(cell).emit() : new KernelGradEmitter(cell).emit());
    }

    private static String classDoc(ScheduledCell sc) {
        CellIR c = sc.cell();
        StringBuilder sb = new StringBuilder();
        sb.append("Compiled from ").append(c.kind().keyword()).append(" {@code ").append(c.name()).append("} (schedules ")
                .append(sc.schedules().stream().map(ScheduleKind::method).collect(Collectors.joining(", "))).append(").\n");
        sb.append("<pre>\n").append(IrPrinter.print(c).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("*/", "*&#47;").replace("@", "&#64;").replace("$", "$$")).append("</pre>\n");
        for (ScheduledCell.Variant v : sc.variants())
            if (c.isCell() && !v.hasRecurrence())
                sb.append("Sequential only").append(v.spec().bools().isEmpty() ? "" : " [" + v.spec().label() + "]").append(": ")
                        .append(v.whyNot().replace("$", "$$").replace("<", "&lt;").replace(">", "&gt;")).append(".\n");
        return sb.toString();
    }

    // ------------------------------------------------------------------ signatures

    /** {@code mlstm} -> {@code MlstmCellGrad}: the class of a unit's derived backward. */
    public static String gradClassName(CellIR c) { return className(c) + "Grad"; }

    /** The parameters of {@code <Cell>Grad.sequence} ({@link GradEmitter}) or {@code <Kernel>Grad.apply}. */
    public static List<Arg> gradSignature(CellIR c) {
        return c.isCell() ? GradEmitter.signature(c) : KernelGradEmitter.signature(c);
    }

    /** One parameter of an emitted entry point: Java type ({@code int, float, boolean, MemorySegment}) and name. */
    public record Arg(String type, String name) {}

    /**
     * The parameter list of a schedule's entry point, per the contract: {@code B, NH[, S]} (or {@code rows}), the
     * dims, {@code chunkSize} (chunkwise), inputs, weights, states (not for parallel), outputs, params.
     */
    public static List<Arg> signature(CellIR c, ScheduleKind k) {
        List<Arg> ps = new ArrayList<>();
        if (c.isCell()) {
            ps.add(new Arg("int", "B"));
            ps.add(new Arg("int", "NH"));
            if (k != ScheduleKind.STEP) ps.add(new Arg("int", "S"));
        } else {
            ps.add(new Arg("int", "rows"));
        }
        for (Dim d : c.dims()) ps.add(new Arg("int", id(d.name())));
        if (k == ScheduleKind.CHUNKWISE) ps.add(new Arg("int", "chunkSize"));
        for (Decl d : c.inputs()) ps.add(new Arg("MemorySegment", id(d.name())));
        for (Decl d : c.weights()) ps.add(new Arg("MemorySegment", id(d.name())));
        if (k != ScheduleKind.PARALLEL) for (Decl d : c.states()) ps.add(new Arg("MemorySegment", id(d.name())));
        for (Decl d : c.outputs()) ps.add(new Arg("MemorySegment", id(d.name())));
        for (Param p : c.params()) ps.add(new Arg(p.isBool() ? "boolean" : "float", id(p.name())));
        return ps;
    }

    private static MethodSpec.Builder method(String name, CellIR c, ScheduleKind k, boolean pub) {
        MethodSpec.Builder b = MethodSpec.methodBuilder(name).addModifiers(pub ? Modifier.PUBLIC : Modifier.PRIVATE, Modifier.STATIC);
        for (Arg p : signature(c, k)) b.addParameter(Poet.type(p.type()), p.name());
        if (!pub) b.addParameter(TypeName.BOOLEAN, "_par");
        return b;
    }

    /** Arguments of an implementation method: the entry point's plus the parallelism flag. */
    private static String implArgs(CellIR c, ScheduleKind k) {
        return args(c, k) + ", _par";
    }

    static String args(CellIR c, ScheduleKind k) {
        return signature(c, k).stream().map(Arg::name).collect(Collectors.joining(", "));
    }

    /** Floats a tensor needs in a call: leading axes times the element size. */
    private static String floats(Decl d, String lead) {
        String sz = BodyGen.size(d.type());
        return "(long) " + lead + (sz.equals("1") ? "" : " * " + sz);
    }

    static Code checks(CellIR c, ScheduleKind k) {
        Code code = new Code();
        List<String> dims = new ArrayList<>();
        if (c.isCell()) { dims.add("B"); dims.add("NH"); if (k != ScheduleKind.STEP) dims.add("S"); } else dims.add("rows");
        for (Dim d : c.dims()) dims.add(id(d.name()));
        code.line(Helpers.dimsCheck(dims));
        if (k == ScheduleKind.CHUNKWISE)
            code.line("if (chunkSize < 1) throw new IllegalArgumentException(\"chunkSize must be >= 1, got \" + chunkSize);");
        String seqLead = !c.isCell() ? "rows" : k == ScheduleKind.STEP ? "B * NH" : "B * NH * S";
        for (Decl d : c.inputs()) code.line("_need(" + id(d.name()) + ", " + floats(d, seqLead) + ", \"" + d.name() + "\");");
        for (Decl d : c.weights()) code.line("_need(" + id(d.name()) + ", " + floats(d, c.isCell() ? "NH" : "1") + ", \"" + d.name() + "\");");
        if (k != ScheduleKind.PARALLEL)
            for (Decl d : c.states()) code.line("_need(" + id(d.name()) + ", " + floats(d, "B * NH") + ", \"" + d.name() + "\");");
        for (Decl d : c.outputs()) code.line("_need(" + id(d.name()) + ", " + floats(d, seqLead) + ", \"" + d.name() + "\");");
        return code;
    }

    /** {@code if (normalize == true) { ... } } chains over the variants; runs body(variant). */
    static Code dispatch(ScheduledCell sc, ScheduleKind k, java.util.function.Function<ScheduledCell.Variant, String> call) {
        Code c = new Code();
        c.line("final boolean _scalar = KernelMode.scalar();");
        c.line("final boolean _par = " + Helpers.shareableCheck(signature(sc.cell(), k).stream()
                .filter(a -> a.type().equals("MemorySegment")).map(Arg::name).toList()) + ";");
        for (ScheduledCell.Variant v : sc.variants()) {
            String cond = v.spec().bools().entrySet().stream()
                    .map(e -> (e.getValue() ? "" : "!") + id(e.getKey())).collect(Collectors.joining(" && "));
            if (!cond.isEmpty()) c.open("if (" + cond + ")");
            for (String line : call.apply(v).split("\n")) c.line(line);
            if (!cond.isEmpty()) {
                c.line("return;");
                c.close();
            }
        }
        if (sc.variants().size() > 1) c.line("throw new AssertionError(\"no variant\");");
        return c;
    }

    private static String suffix(ScheduledCell.Variant v) { return v.spec().suffix(); }

    private MethodSpec publicStep(ScheduledCell sc) {
        CellIR c = sc.cell();
        String a = args(c, ScheduleKind.SEQUENCE).replaceFirst("NH, S,", "NH, 1,");
        return method("step", c, ScheduleKind.STEP, true)
                .addJavadoc("One time step (the layouts of a sequence with S = 1): states are read and updated in place.\n")
                .addCode(Poet.code("sequence(" + a + ");\n")).build();
    }

    private MethodSpec publicSequence(ScheduledCell sc) {
        CellIR c = sc.cell();
        Code code = checks(c, ScheduleKind.SEQUENCE);
        code.raw(dispatch(sc, ScheduleKind.SEQUENCE, v -> "if (_scalar) sequenceS" + suffix(v) + "(" + implArgs(c, ScheduleKind.SEQUENCE) + ");\n"
                + "else sequenceV" + suffix(v) + "(" + implArgs(c, ScheduleKind.SEQUENCE) + ");"));
        return method("sequence", c, ScheduleKind.SEQUENCE, true)
                .addJavadoc("S time steps by the recurrent step; initial states in, final states out.\n")
                .addCode(Poet.code(code.toString())).build();
    }

    private MethodSpec publicChunkwise(ScheduledCell sc) {
        CellIR c = sc.cell();
        Code code = checks(c, ScheduleKind.CHUNKWISE);
        code.raw(dispatch(sc, ScheduleKind.CHUNKWISE, v -> v.schedules().contains(ScheduleKind.CHUNKWISE)
                ? "if (_scalar) chunkwiseS" + suffix(v) + "(" + implArgs(c, ScheduleKind.CHUNKWISE) + ");\n"
                + "else chunkwiseV" + suffix(v) + "(" + implArgs(c, ScheduleKind.CHUNKWISE) + ");"
                : "// no chunkwise form of this variant (" + v.whyNot() + "): the recurrent sequence gives the same result\n"
                + "sequence(" + args(c, ScheduleKind.SEQUENCE) + ");"));
        return method("chunkwise", c, ScheduleKind.CHUNKWISE, true)
                .addJavadoc("The chunkwise-parallel schedule: chunks of {@code chunkSize} steps (any S; the last chunk may be\n"
                        + "shorter). Outputs and final states equal those of {@link #sequence} up to float rounding.\n")
                .addCode(Poet.code(code.toString())).build();
    }

    private MethodSpec publicParallel(ScheduledCell sc) {
        CellIR c = sc.cell();
        Code code = checks(c, ScheduleKind.PARALLEL);
        code.raw(dispatch(sc, ScheduleKind.PARALLEL, v -> {
            if (v.schedules().contains(ScheduleKind.PARALLEL))
                return "if (_scalar) parallelS" + suffix(v) + "(" + implArgs(c, ScheduleKind.PARALLEL) + ");\n"
                        + "else parallelV" + suffix(v) + "(" + implArgs(c, ScheduleKind.PARALLEL) + ");";
            Code f = new Code();
            f.line("// no parallel form of this variant: the recurrent sequence from zero states");
            f.open("try (Arena _arena = Arena.ofConfined())");
            for (Decl d : c.states()) {
                f.line("final MemorySegment " + id(d.name()) + " = _arena.allocate(4L * " + floats(d, "B * NH") + ", 64);");
                if (d.init() != 0) f.line(id(d.name()) + ".elements(F32).forEach(_e -> _e.set(F32, 0L, " + BodyGen.lit(d.init()) + "));");
            }
            f.line("sequence(" + args(c, ScheduleKind.SEQUENCE) + ");");
            f.close();
            return f.toString().strip();
        }));
        return method("parallel", c, ScheduleKind.PARALLEL, true)
                .addJavadoc("The quadratic parallel form over the whole sequence from the zero state; no state in or out.\n")
                .addCode(Poet.code(code.toString())).build();
    }

    private MethodSpec publicApply(ScheduledCell sc) {
        CellIR c = sc.cell();
        Code code = checks(c, ScheduleKind.ROWS);
        code.raw(dispatch(sc, ScheduleKind.ROWS, v -> "if (_scalar) applyS" + suffix(v) + "(" + implArgs(c, ScheduleKind.ROWS) + ");\n"
                + "else applyV" + suffix(v) + "(" + implArgs(c, ScheduleKind.ROWS) + ");"));
        return method("apply", c, ScheduleKind.ROWS, true)
                .addJavadoc("Applies the kernel to each of {@code rows} rows independently.\n")
                .addCode(Poet.code(code.toString())).build();
    }

    // ------------------------------------------------------------------ step bodies

    /** A body generator whose scope holds the implementation method's parameters and the loop indices. */
    static BodyGen gen(boolean vector, Set<String> helpers, String methodName, CellIR c, ScheduleKind k) {
        BodyGen g = new BodyGen(vector, helpers);
        g.prefix(methodName);
        for (Arg a : signature(c, k)) g.declare(a.name(), a.type());
        g.declare("_row", "long");
        g.declare("_bh", "int");
        g.declare("_hd", "int");
        g.declare("_t", "int");
        return g;
    }

    /** Adds the loops a generator outlined as private static methods. */
    static void addOutlined(List<MethodSpec> impls, BodyGen g) {
        for (BodyGen.Outlined o : g.outlined) {
            MethodSpec.Builder b = MethodSpec.methodBuilder(o.name()).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .returns(Poet.type(o.returns()));
            for (String[] p : o.params()) b.addParameter(Poet.type(p[0]), p[1]);
            impls.add(b.addCode(Poet.code(o.body())).build());
        }
    }

    /**
     * Binds the declarations of {@code c} for one unit of work: {@code _row} (index into (B*NH*S) or rows),
     * {@code _bh} (B*NH index, cells), {@code _hd} (head, cells). Only names in {@code used} are bound (null = all).
     */
    static void bindDecls(CellIR c, BodyGen g, Code code, Set<String> used, boolean states) {
        for (Decl d : c.inputs()) {
            if (used != null && !used.contains(d.name())) continue;
            if (d.type() instanceof Type.Scalar) {
                code.line("final float _x_" + d.name() + " = " + id(d.name()) + ".get(F32, _row * 4L);");
                g.declare("_x_" + d.name(), "float");
                g.bind(Expr.RefKind.INPUT, d.name(), new Storage.Local("_x_" + d.name()));
            } else {
                code.line("final long _o_" + d.name() + " = _row * " + BodyGen.size(d.type()) + " * 4L;");
                g.declare("_o_" + d.name(), "long");
                g.bind(Expr.RefKind.INPUT, d.name(), buf(id(d.name()), "_o_" + d.name(), d.type()));
            }
        }
        for (Decl d : c.weights()) {
            if (used != null && !used.contains(d.name())) continue;
            if (c.isCell()) {
                code.line("final long _o_" + d.name() + " = (long) _hd * " + BodyGen.size(d.type()) + " * 4L;");
                g.declare("_o_" + d.name(), "long");
                g.bind(Expr.RefKind.WEIGHT, d.name(), buf(id(d.name()), "_o_" + d.name(), d.type()));
            } else if (d.type() instanceof Type.Scalar) {
                code.line("final float _x_" + d.name() + " = " + id(d.name()) + ".get(F32, 0L);");
                g.declare("_x_" + d.name(), "float");
                g.bind(Expr.RefKind.WEIGHT, d.name(), new Storage.Local("_x_" + d.name()));
            } else {
                g.bind(Expr.RefKind.WEIGHT, d.name(), buf(id(d.name()), "0L", d.type()));
            }
        }
        if (states) {
            for (Decl d : c.states()) {
                if (d.type() instanceof Type.Scalar) {
                    code.line("final float _x_" + d.name() + " = " + id(d.name()) + ".get(F32, (long) _bh * 4L);");
                    g.declare("_x_" + d.name(), "float");
                    g.bind(Expr.RefKind.STATE, d.name(), new Storage.Local("_x_" + d.name()));
                } else {
                    code.line("final long _o_" + d.name() + " = (long) _bh * " + BodyGen.size(d.type()) + " * 4L;");
                    g.declare("_o_" + d.name(), "long");
                    g.bind(Expr.RefKind.STATE, d.name(), buf(id(d.name()), "_o_" + d.name(), d.type()));
                }
            }
        }
        for (Param p : c.params()) g.bind(Expr.RefKind.PARAM, p.name(), new Storage.Local(id(p.name())));
        for (Dim d : c.dims()) g.bind(Expr.RefKind.DIM, d.name(), new Storage.Local("((float) " + id(d.name()) + ")"));
    }

    private static Storage.Buf buf(String seg, String off, Type t) {
        return new Storage.Buf(seg, off, t instanceof Type.Mat m ? id(m.cols().name()) : null);
    }

    /** The body of one step (cells) or one row (kernels), writing states/outputs. */
    static Code stepBody(CellIR c, BodyGen g) {
        Code code = new Code();
        bindDecls(c, g, code, null, true);
        code.raw(statements(c, g));
        return code;
    }

    /**
     * The definitions of the body once every declaration is bound: outputs at {@code _row}, next states in place at
     * {@code _bh} (or through scratch when a later definition still reads the old value).
     */
    static Code statements(CellIR c, BodyGen g) {
        Code code = new Code();
        for (Decl d : c.outputs())
            if (!(d.type() instanceof Type.Scalar)) {
                code.line("final long _o_" + d.name() + " = _row * " + BodyGen.size(d.type()) + " * 4L;");
                g.declare("_o_" + d.name(), "long");
            }
        List<Stmt> body = c.body();
        Code tail = new Code();
        for (int k = 0; k < body.size(); k++) {
            Stmt s = body.get(k);
            code.line("// " + IrPrinter.stmt(s));
            Expr e = g.prepare(s.value(), code);
            String n = s.name();
            boolean scalar = s.type().rank() == 0;
            String jt = s.type() instanceof Type.Bool ? "boolean" : "float";
            switch (s.kind()) {
                case LET -> {
                    if (scalar) {
                        code.line("final " + jt + " _x_" + n + " = " + g.scalar(e, null, null) + ";");
                        g.declare("_x_" + n, jt);
                        g.bind(Expr.RefKind.LET, n, new Storage.Local("_x_" + n));
                    } else {
                        Storage.Arr b = g.newScratch(n, s.type());
                        g.emitInto(code, b, e);
                        g.bind(Expr.RefKind.LET, n, b);
                    }
                }
                case NEXT_STATE -> {
                    Decl d = c.decl(n).orElseThrow();
                    if (scalar) {
                        code.line("final float _x_" + n + "__n = " + g.scalar(e, null, null) + ";");
                        g.declare("_x_" + n + "__n", "float");
                        g.bind(Expr.RefKind.NEXT_STATE, n, new Storage.Local("_x_" + n + "__n"));
                        tail.line(id(n) + ".set(F32, (long) _bh * 4L, _x_" + n + "__n);");
                    } else {
                        boolean inPlace = true;
                        for (int k2 = k + 1; k2 < body.size(); k2++)
                            if (Exprs.refersTo(body.get(k2).value(), Expr.RefKind.STATE, n)) inPlace = false;
                        Storage.Tensor b;
                        if (inPlace) {
                            b = buf(id(n), "_o_" + n, d.type());
                        } else {
                            Storage.Arr a = g.newScratch(n + "__n", d.type());
                            b = a;
                            tail.line("MemorySegment.copy(" + a.arr() + ", 0, " + id(n) + ", F32, _o_" + n + ", " + BodyGen.size(d.type()) + ");");
                        }
                        g.emitInto(code, b, e);
                        g.bind(Expr.RefKind.NEXT_STATE, n, b);
                    }
                }
                case OUTPUT -> {
                    if (scalar) {
                        code.line("final float _x_" + n + "__o = " + g.scalar(e, null, null) + ";");
                        g.declare("_x_" + n + "__o", "float");
                        code.line(id(n) + ".set(F32, _row * 4L, _x_" + n + "__o);");
                        g.bind(Expr.RefKind.OUTPUT, n, new Storage.Local("_x_" + n + "__o"));
                    } else {
                        Storage.Buf b = buf(id(n), "_o_" + n, s.type());
                        g.emitInto(code, b, e);
                        g.bind(Expr.RefKind.OUTPUT, n, b);
                    }
                }
            }
        }
        code.raw(tail);
        return code;
    }

    private MethodSpec sequenceImpl(CellIR cell, ScheduledCell.Variant v, boolean vector, Set<String> helpers,
                                    List<MethodSpec> impls, List<TypeSpec> tasks) {
        CellIR ir = v.ir();
        String mname = "sequence" + (vector ? "V" : "S") + suffix(v);
        BodyGen g = gen(vector, helpers, mname, cell, ScheduleKind.SEQUENCE);
        Code body = stepBody(ir, g);
        Code c = new Code();
        if (v.allZeroStates().isEmpty()) {
            // the decode step's path: a reused task, not a lambda (see ParallelTaskGen)
            ParallelTaskGen task = new ParallelTaskGen(mname, signature(cell, ScheduleKind.SEQUENCE), "_bh");
            Code each = new Code();
            each.line("final int _hd = _bh % NH;");
            g.emitScratchAllocation(each);
            each.open("for (int _t = 0; _t < S; _t++)");
            each.line("final long _row = (long) _bh * S + _t;");
            each.raw(body);
            each.close();
            tasks.add(task.type(each));
            c.raw(task.call("B * NH", "1"));
        } else {
            helpers.add("_allZero");
            c.line("// all_zero is batch-global: decided over the whole state before each step, so time is the outer loop");
            c.line("// scratch of each (b, h), allocated once for all steps");
            for (var en : g.scratch.entrySet())
                c.line("final float[][] _S" + en.getKey() + " = new float[B * NH][" + en.getValue() + "];");
            c.open("for (int _tt = 0; _tt < S; _tt++)");
            c.line("final int _t = _tt;");
            for (String s : new TreeSet<>(v.allZeroStates())) {
                Decl d = ir.decl(s).orElseThrow();
                c.line("final boolean _az_" + s + " = _allZero(" + id(s) + ", " + floats(d, "B * NH") + ");");
            }
            c.open("_forEach(_par, B * NH, _bh ->");
            c.line("final int _hd = _bh % NH;");
            for (var en : g.scratch.entrySet()) c.line("final float[] " + en.getKey() + " = _S" + en.getKey() + "[_bh];");
            c.line("final long _row = (long) _bh * S + _t;");
            c.raw(body);
            c.close(");");
            c.close();
        }
        addOutlined(impls, g);
        return method(mname, cell, ScheduleKind.SEQUENCE, false).addCode(Poet.code(c.toString())).build();
    }

    private MethodSpec applyImpl(CellIR cell, ScheduledCell.Variant v, boolean vector, Set<String> helpers,
                                 List<MethodSpec> impls, List<TypeSpec> tasks) {
        CellIR ir = v.ir();
        String mname = "apply" + (vector ? "V" : "S") + suffix(v);
        BodyGen g = gen(vector, helpers, mname, cell, ScheduleKind.ROWS);
        Code body = stepBody(ir, g);
        Code c = new Code();
        String rowSize = ir.outputs().isEmpty() ? "1" : BodyGen.size(ir.outputs().getFirst().type());
        c.line("final int _grain = Math.max(1, 16384 / Math.max(1, " + rowSize + "));");
        ParallelTaskGen task = new ParallelTaskGen(mname, signature(cell, ScheduleKind.ROWS), "_r0");
        Code each = new Code();
        g.emitScratchAllocation(each);
        each.line("final long _row = _r0;");
        each.raw(body);
        tasks.add(task.type(each));
        c.raw(task.call("rows", "_grain"));
        addOutlined(impls, g);
        return method(mname, cell, ScheduleKind.ROWS, false).addCode(Poet.code(c.toString())).build();
    }

    // ------------------------------------------------------------------ chunkwise and parallel

    static Set<String> refNames(Expr... es) {
        Set<String> s = new HashSet<>();
        for (Expr e : es)
            if (e != null) Exprs.any(e, x -> { if (x instanceof Expr.Ref r) s.add(r.name()); return false; });
        return s;
    }

    /**
     * The chunkwise schedule ({@code parallel = false}) or the quadratic parallel form ({@code parallel = true}) of a
     * variant with a {@link LinearRecurrence}. Per (b, h): gates, queries, keys and values of a chunk are computed
     * into arrays; the intra-chunk part is the masked (Q K^T) block times V, the inter-chunk part Q C, the state
     * update K^T V with per-step weights. The parallel form is the intra part over the whole sequence, row by row,
     * with the row maximum as stabiliser (no m0 term) and no state.
     */
    private MethodSpec chunkImpl(CellIR cell, ScheduledCell.Variant v, boolean vector, Set<String> helpers, boolean parallel,
                                 List<MethodSpec> impls) {
        LinearRecurrence lr = v.recurrence();
        CellIR ir = v.ir();
        String mname = (parallel ? "parallel" : "chunkwise") + (vector ? "V" : "S") + suffix(v);
        BodyGen g = gen(vector, helpers, mname, cell, parallel ? ScheduleKind.PARALLEL : ScheduleKind.CHUNKWISE);
        for (String x : List.of("_Q", "_K", "_V")) g.declare(x, "float[]");
        for (String x : List.of("_tau", "_DK", "_DV")) g.declare(x, "int");
        String m = vector ? "_v" : "_s";
        for (String h : List.of("dot", "gemm", "divstore", "store", "scal")) helpers.add(h + m);

        // per-step prologue: gates, q, k, v of step _tau into the chunk arrays
        Code pro = new Code();
        bindDecls(ir, g, pro, refNames(lr.logForget(), lr.logInput(), lr.key(), lr.value(), lr.query()), false);
        pro.line("_lf[_tau] = " + g.scalar(g.prepare(lr.logForget(), pro), null, null) + ";");
        pro.line("_li[_tau] = " + g.scalar(g.prepare(lr.logInput(), pro), null, null) + ";");
        g.emitInto(pro, new Storage.Arr("_Q", "_tau * _DK", null), g.prepare(lr.query(), pro));
        g.emitInto(pro, new Storage.Arr("_K", "_tau * _DK", null), g.prepare(lr.key(), pro));
        g.emitInto(pro, new Storage.Arr("_V", "_tau * _DV", null), g.prepare(lr.value(), pro));

        Code c = parallel ? parallelBody(lr, g, pro, m) : chunkBody(lr, g, pro, m);
        addOutlined(impls, g);
        return method(mname, cell, parallel ? ScheduleKind.PARALLEL : ScheduleKind.CHUNKWISE, false)
                .addCode(Poet.code(c.toString())).build();
    }

    /** Scratch shared by the chunkwise and parallel bodies: dims, arrays, eps and lower bound. */
    private static void commonScratch(Code c, LinearRecurrence lr, BodyGen g, String rows, String wRows) {
        c.line("final int _DK = " + id(lr.keyDim().name()) + ", _DV = " + id(lr.valueDim().name()) + ";");
        c.line("final float[] _Q = new float[" + rows + " * _DK], _K = new float[" + rows + " * _DK], _V = new float[" + rows + " * _DV];");
        c.line("final float[] _KT = new float[_DK * " + rows + "];");
        c.line("final float[] _lf = new float[" + rows + "], _li = new float[" + rows + "], _D = new float[" + rows + "];");
        c.line("final float[] _W = new float[" + wRows + " * " + rows + "], _num = new float[" + wRows + " * _DV], _mc = new float[" + wRows + "];");
        g.emitScratchAllocation(c);
        if (lr.normalised()) {
            c.line("final float _eps = " + g.scalar(lr.eps(), null, null) + ";");
            if (!lr.stabilised()) c.line("final float _lower = " + g.scalar(lr.lowerBound(), null, null) + ";");
        }
    }

    /** Row t of the masked weight block: W[t, s] = (q_t . k_s) exp(D[t, s] - m_t) for s <= t, 0 above the diagonal. */
    private static void gateRow(Code c, String wr, String tau, String kEnd, String mct) {
        c.line("final float _mct = " + mct + ";");
        c.line("for (int _sg = 0; _sg <= " + tau + "; _sg++) _W[" + wr + " + _sg] *= (float) Math.exp(_D[_sg] - _mct);");
        c.line("for (int _sg = " + tau + " + 1; _sg < " + kEnd + "; _sg++) _W[" + wr + " + _sg] = 0f;");
    }

    /** D[s] = sum_{s<r<=t} lf_r + li_s for s <= t by a backward running sum (no differences of cumulative sums). */
    private static void logWeights(Code c, String tau) {
        c.line("float _fs = 0f, _mx = Float.NEGATIVE_INFINITY;");
        c.open("for (int _sg = " + tau + "; _sg >= 0; _sg--)");
        c.line("final float _d = _fs + _li[_sg];");
        c.line("_D[_sg] = _d;");
        c.line("_mx = Math.max(_mx, _d);");
        c.line("_fs += _lf[_sg];");
        c.close();
    }

    /**
     * Floats of chunk start states one window of the chunkwise schedule may hold (64 MB): all chunks of a 2048-token
     * prompt of the 125M and 350M models, 7 chunks (56 tasks) of the 7B's 8 heads of 512 × 512.
     */
    public static final int CHUNK_STATE_FLOATS = 1 << 24;

    /**
     * The chunkwise schedule in two parallel passes per window of chunks (all chunks unless their start states exceed
     * {@link #CHUNK_STATE_FLOATS}): (1) per (b, h) and block of C's columns (which evolve independently; the n and m
     * recurrences go with the first block), sequential over the chunks, the inter-chunk recurrence C = f C + (a K)^T V
     * (GEMM) with the n and m recurrences of SPEC 1.5, keeping each chunk's start state; (2) per (b, h) and
     * chunk, independent given that start state, the outputs: S = Q K^T (GEMM), gates applied row by row, num =
     * beta (Q C) + W V (two GEMMs). Pass 2 is most of the work and has B·NH·chunks tasks instead of B·NH; each value
     * is computed by the same operations in the same order as in one sequential sweep.
     */
    private static Code chunkBody(LinearRecurrence lr, BodyGen g, Code pro, String m) {
        String DOT = "dot" + m, GEMM = "gemm" + m, DIVSTORE = "divstore" + m, STORE = "store" + m, SCAL = "scal" + m;
        boolean stab = lr.stabilised();
        String C = id(lr.matrixState()), N = lr.normState() == null ? null : id(lr.normState()),
                M = lr.stabState() == null ? null : id(lr.stabState()), H = id(lr.output());
        String dk = id(lr.keyDim().name()), dv = id(lr.valueDim().name());
        Code c = new Code();
        c.line("final int _L = Math.max(1, Math.min(chunkSize, S)), _NC = (S + _L - 1) / _L;");
        c.line("// a chunk's start state in _st: C, then n, then m");
        c.line("final int _SZ = " + dk + " * " + dv + (N != null ? " + " + dk : "") + (M != null ? " + 1" : "") + ";");
        c.line("final int _WC = (int) Math.max(1L, Math.min(_NC, " + CHUNK_STATE_FLOATS + "L / ((long) B * NH * _SZ)));");
        c.line("final float[] _st = xlstm.backends.cpu.CpuScratch.shared(Math.toIntExact((long) B * NH * _WC * _SZ));");
        c.line("// pass 1's blocks of C's columns: whole units of 2 vectors, enough tasks for the pool");
        c.line("final int _U = 2 * VL, _units = (" + dv + " + _U - 1) / _U;");
        c.line("final int _ncb = _par ? Math.max(1, Math.min(_units, (2 * xlstm.backends.cpu.CpuParallel.threads() + B * NH - 1) / (B * NH))) : 1;");
        c.line("final int _cw = (_units + _ncb - 1) / _ncb * _U, _nct = Math.max(1, (" + dv + " + _cw - 1) / _cw);");
        c.open("for (int _w0 = 0; _w0 < _NC; _w0 += _WC)");
        c.line("final int _w = _w0, _nw = Math.min(_WC, _NC - _w0);");
        c.line("// 1. the state recurrence over the window's chunks, per (b, h) and block of C's columns (they evolve apart;");
        c.line("// blocks of whole 2-vector units, so each value is computed as without blocks): each chunk's start state");
        if (M != null) {
            c.line("// m at the window's start: the first block of each (b, h) writes m back while the others may still start");
            c.line("final float[] _m0 = new float[B * NH];");
            c.line("for (int _b = 0; _b < B * NH; _b++) _m0[_b] = " + M + ".get(F32, (long) _b * 4L);");
        }
        c.open("_forEach(_par, B * NH * _nct, _tc ->");
        c.line("final int _bh = _tc / _nct, _j0 = (_tc % _nct) * _cw;");
        c.line("final int _hd = _bh % NH;");
        commonScratch(c, lr, g, "_L", "_L");
        c.line("final int _jw = Math.min(_cw, _DV - _j0);");
        c.line("final boolean _first = _j0 == 0; // also carries n and m");
        c.line("final float[] _a = new float[_L];");
        c.line("final float[] _C = new float[_DK * _DV];");
        c.line("for (int _kk = 0; _kk < _DK; _kk++) MemorySegment.copy(" + C + ", F32, ((long) _bh * _DK * _DV + (long) _kk * _DV + _j0) * 4L, _C, _kk * _DV + _j0, _jw);");
        if (N != null) {
            c.line("final float[] _n = new float[_DK];");
            c.line("if (_first) MemorySegment.copy(" + N + ", F32, (long) _bh * _DK * 4L, _n, 0, _DK);");
        }
        if (M != null) c.line("float _m = _m0[_bh];");
        c.open("for (int _ck = _w; _ck < _w + _nw; _ck++)");
        c.line("final int _c0 = _ck * _L, _Lc = Math.min(_L, S - _c0);");
        c.line("final int _so = (_bh * _WC + _ck - _w) * _SZ;");
        c.line("for (int _kk = 0; _kk < _DK; _kk++) System.arraycopy(_C, _kk * _DV + _j0, _st, _so + _kk * _DV + _j0, _jw);");
        if (N != null || M != null) {
            c.open("if (_first)");
            if (N != null) c.line("System.arraycopy(_n, 0, _st, _so + _DK * _DV, _DK);");
            if (M != null) c.line("_st[_so + _SZ - 1] = _m;");
            c.close();
        }
        c.line("// gates, queries, keys, values of the chunk");
        c.open("for (int _tau = 0; _tau < _Lc; _tau++)");
        c.line("final long _row = (long) _bh * S + _c0 + _tau;");
        c.raw(pro);
        c.close();
        c.line("// g: total log forget of the chunk; a: log weight of each step in the state update");
        c.line("float _cum = 0f;");
        c.line("for (int _tau = 0; _tau < _Lc; _tau++) _cum += _lf[_tau];");
        c.line("final float _g = _cum;");
        c.line("float _suf = 0f;");
        c.open("for (int _tau = _Lc - 1; _tau >= 0; _tau--)");
        c.line("_a[_tau] = _suf + _li[_tau];");
        c.line("_suf += _lf[_tau];");
        c.close();
        c.line("// state: C = f C + (a K)^T V, n = f n + (a K)^T 1");
        if (stab) {
            c.line("float _amax = Float.NEGATIVE_INFINITY;");
            c.line("for (int _tau = 0; _tau < _Lc; _tau++) _amax = Math.max(_amax, _a[_tau]);");
            c.line("final float _mn = Math.max(_g + _m, _amax);");
            c.line("final float _fC = (float) Math.exp(_g + _m - _mn);");
            c.line("for (int _tau = 0; _tau < _Lc; _tau++) _a[_tau] = (float) Math.exp(_a[_tau] - _mn);");
            c.line("_m = _mn;");
        } else {
            c.line("final float _fC = (float) Math.exp(_g);");
            c.line("for (int _tau = 0; _tau < _Lc; _tau++) _a[_tau] = (float) Math.exp(_a[_tau]);");
        }
        c.line("for (int _tau = 0; _tau < _Lc; _tau++) for (int _kk = 0; _kk < _DK; _kk++) _KT[_kk * _L + _tau] = _a[_tau] * _K[_tau * _DK + _kk];");
        c.line("for (int _kk = 0; _kk < _DK; _kk++) " + SCAL + "(_fC, _C, _kk * _DV + _j0, _jw);");
        c.line(GEMM + "(_DK, _jw, _Lc, _KT, 0, _L, _V, _j0, _DV, _C, _j0, _DV);");
        if (N != null) {
            c.open("if (_first) for (int _kk = 0; _kk < _DK; _kk++)");
            c.line("float _nv = _fC * _n[_kk];");
            c.line("for (int _tau = 0; _tau < _Lc; _tau++) _nv += _KT[_kk * _L + _tau];");
            c.line("_n[_kk] = _nv;");
            c.close();
        }
        c.close(); // chunks
        c.line("for (int _kk = 0; _kk < _DK; _kk++) MemorySegment.copy(_C, _kk * _DV + _j0, " + C + ", F32, ((long) _bh * _DK * _DV + (long) _kk * _DV + _j0) * 4L, _jw);");
        if (N != null || M != null) {
            c.open("if (_first)");
            if (N != null) c.line("MemorySegment.copy(_n, 0, " + N + ", F32, (long) _bh * _DK * 4L, _DK);");
            if (M != null) c.line(M + ".set(F32, (long) _bh * 4L, _m);");
            c.close();
        }
        c.close(");");
        c.line("// 2. the outputs of every (b, h) and chunk of the window, from the chunk's start state");
        c.open("_forEach(_par, B * NH * _nw, _t ->");
        c.line("final int _bh = _t / _nw, _ck = _w + _t % _nw;");
        c.line("final int _hd = _bh % NH;");
        c.line("final int _c0 = _ck * _L, _Lc = Math.min(_L, S - _c0);");
        c.line("final int _so = (_bh * _WC + _ck - _w) * _SZ;");
        commonScratch(c, lr, g, "_L", "_L");
        c.line("final float[] _bc = new float[_L], _beta = new float[_L];");
        if (M != null) c.line("final float _m = _st[_so + _SZ - 1];");
        c.line("// gates, queries, keys, values of the chunk");
        c.open("for (int _tau = 0; _tau < _Lc; _tau++)");
        c.line("final long _row = (long) _bh * S + _c0 + _tau;");
        c.raw(pro);
        c.close();
        c.line("// b: inclusive cumulative log forget");
        c.line("float _cum = 0f;");
        c.line("for (int _tau = 0; _tau < _Lc; _tau++) _bc[_tau] = (_cum += _lf[_tau]);");
        c.line("// S = Q K^T over the chunk");
        c.line("for (int _tau = 0; _tau < _Lc; _tau++) for (int _kk = 0; _kk < _DK; _kk++) _KT[_kk * _L + _tau] = _K[_tau * _DK + _kk];");
        c.line("Arrays.fill(_W, 0, _Lc * _L, 0f);");
        c.line(GEMM + "(_Lc, _Lc, _DK, _Q, 0, _DK, _KT, 0, _L, _W, 0, _L);");
        c.line("// gates: stabiliser of each row (with the carried state), weights of the intra-chunk block");
        c.open("for (int _tau = 0; _tau < _Lc; _tau++)");
        logWeights(c, "_tau");
        if (stab) {
            gateRow(c, "_tau * _L", "_tau", "_Lc", "Math.max(_bc[_tau] + _m, _mx)");
            c.line("_beta[_tau] = (float) Math.exp(_bc[_tau] + _m - _mct);");
        } else {
            gateRow(c, "_tau * _L", "_tau", "_Lc", "0f");
            c.line("_beta[_tau] = (float) Math.exp(_bc[_tau]);");
        }
        c.line("_mc[_tau] = _mct;");
        c.close();
        c.line("// numerator: beta * (Q C) + W V");
        c.line("Arrays.fill(_num, 0, _Lc * _DV, 0f);");
        c.line(GEMM + "(_Lc, _DV, _DK, _Q, 0, _DK, _st, _so, _DV, _num, 0, _DV);");
        c.line("for (int _tau = 0; _tau < _Lc; _tau++) " + SCAL + "(_beta[_tau], _num, _tau * _DV, _DV);");
        c.line(GEMM + "(_Lc, _DV, _Lc, _W, 0, _L, _V, 0, _DV, _num, 0, _DV);");
        c.open("for (int _tau = 0; _tau < _Lc; _tau++)");
        c.line("final long _ho = ((long) _bh * S + _c0 + _tau) * _DV * 4L;");
        if (lr.normalised()) {
            c.line("float _den = " + (N != null ? "_beta[_tau] * " + DOT + "(_Q, _tau * _DK, _st, _so + _DK * _DV, _DK)" : "0f") + ";");
            c.line("for (int _sg = 0; _sg <= _tau; _sg++) _den += _W[_tau * _L + _sg];");
            c.line("final float _div = Math.max(Math.abs(_den), " + (stab ? "(float) Math.exp(-_mc[_tau])" : "_lower") + ") + _eps;");
            c.line(DIVSTORE + "(_num, _tau * _DV, _div, " + H + ", _ho, _DV);");
        } else {
            c.line(STORE + "(_num, _tau * _DV, " + H + ", _ho, _DV);");
        }
        c.close();
        c.close(");");
        c.close(); // windows
        return c;
    }

    /**
     * The parallel form: per (b, h), blocks of up to 64 query rows against all earlier keys: S = Q K^T (GEMM), row
     * maximum stabiliser without m0 (stabilised cells), W V (GEMM), normaliser from the row sums.
     */
    private static Code parallelBody(LinearRecurrence lr, BodyGen g, Code pro, String m) {
        String GEMM = "gemm" + m, DIVSTORE = "divstore" + m, STORE = "store" + m;
        String H = id(lr.output());
        Code c = new Code();
        c.line("final int _L = Math.max(1, S), _PB = Math.min(64, _L);");
        c.open("_forEach(_par, B * NH, _bh ->");
        c.line("final int _hd = _bh % NH;");
        c.line("final int _c0 = 0;");
        commonScratch(c, lr, g, "_L", "_PB");
        c.line("// gates, queries, keys, values of the whole sequence");
        c.open("for (int _tau = 0; _tau < S; _tau++)");
        c.line("final long _row = (long) _bh * S + _tau;");
        c.raw(pro);
        c.close();
        c.line("for (int _tau = 0; _tau < S; _tau++) for (int _kk = 0; _kk < _DK; _kk++) _KT[_kk * _L + _tau] = _K[_tau * _DK + _kk];");
        c.open("for (int _r0 = 0; _r0 < S; _r0 += _PB)");
        c.line("final int _nb = Math.min(_PB, S - _r0), _kEnd = _r0 + _nb;");
        c.line("Arrays.fill(_W, 0, _nb * _L, 0f);");
        c.line(GEMM + "(_nb, _kEnd, _DK, _Q, _r0 * _DK, _DK, _KT, 0, _L, _W, 0, _L);");
        c.open("for (int _x = 0; _x < _nb; _x++)");
        c.line("final int _tau = _r0 + _x;");
        logWeights(c, "_tau");
        gateRow(c, "_x * _L", "_tau", "_kEnd", lr.stabilised() ? "_mx" : "0f");
        c.line("_mc[_x] = _mct;");
        c.close();
        c.line("Arrays.fill(_num, 0, _nb * _DV, 0f);");
        c.line(GEMM + "(_nb, _DV, _kEnd, _W, 0, _L, _V, 0, _DV, _num, 0, _DV);");
        c.open("for (int _x = 0; _x < _nb; _x++)");
        c.line("final int _tau = _r0 + _x;");
        c.line("final long _ho = ((long) _bh * S + _tau) * _DV * 4L;");
        if (lr.normalised()) {
            c.line("float _den = 0f;");
            c.line("for (int _sg = 0; _sg <= _tau; _sg++) _den += _W[_x * _L + _sg];");
            c.line("final float _div = Math.max(Math.abs(_den), " + (lr.stabilised() ? "(float) Math.exp(-_mc[_x])" : "_lower") + ") + _eps;");
            c.line(DIVSTORE + "(_num, _x * _DV, _div, " + H + ", _ho, _DV);");
        } else {
            c.line(STORE + "(_num, _x * _DV, " + H + ", _ho, _DV);");
        }
        c.close();
        c.close();
        c.close(");");
        return c;
    }
}
