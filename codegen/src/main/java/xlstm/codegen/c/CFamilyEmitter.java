package xlstm.codegen.c;

import org.stringtemplate.v4.ST;
import org.stringtemplate.v4.STErrorListener;
import org.stringtemplate.v4.STGroup;
import org.stringtemplate.v4.STGroupFile;
import org.stringtemplate.v4.misc.STMessage;
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

import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The C-family emitter shared by CUDA, HIP, OpenCL C 1.2 and Metal: one kernel file per (unit, schedule) over
 * the scheduled IR. The kernel skeletons (launch prelude, time loops, the chunkwise and parallel schedules) are
 * StringTemplate templates of {@code cfamily.stg} written against a small macro vocabulary; each target's group
 * ({@code <target>.stg}) supplies the preamble that defines those macros and the parameter spelling, and
 * {@link CDialect} the intrinsic table. Step bodies, prologues and elementwise rows come from {@link CBody}.
 * The launch/argument contract is {@code docs/glue-contract.md}, section "C-family kernels"; {@link #finish}
 * writes the {@code index.tsv} of a target.
 */
public class CFamilyEmitter implements Emitter {
    /** Rows of query per block in the parallel schedule (the constant 64 of cfamily.stg's parallel template). */
    static final int PARALLEL_BLOCK = 64;
    /** Metal's limit of buffer arguments per kernel. */
    static final int METAL_MAX_BUFFERS = 31;

    private final CDialect dialect;
    private final STGroup group;

    public CFamilyEmitter(CDialect dialect) {
        this.dialect = dialect;
        this.group = loadGroup(dialect);
    }

    public CDialect dialect() { return dialect; }

    @Override public Target target() { return dialect.target(); }

    // ------------------------------------------------------------------ StringTemplate

    private static final STErrorListener FAIL = new STErrorListener() {
        private void fail(STMessage m) { throw new IllegalStateException("StringTemplate: " + m); }
        @Override public void compileTimeError(STMessage msg) { fail(msg); }
        @Override public void runTimeError(STMessage msg) { fail(msg); }
        @Override public void IOError(STMessage msg) { fail(msg); }
        @Override public void internalError(STMessage msg) { fail(msg); }
    };

    private static STGroup loadGroup(CDialect d) {
        STGroup common = new STGroupFile(resource("cfamily.stg"), "UTF-8", '$', '$');
        STGroup target = new STGroupFile(resource(d.id() + ".stg"), "UTF-8", '$', '$');
        for (STGroup g : List.of(common, target)) configure(g);
        target.importTemplates(common);
        return target;
    }

    /** Records readable by templates ({@link RecordAdaptor}); any template error throws instead of printing. */
    static STGroup configure(STGroup g) {
        g.setListener(FAIL);
        g.registerModelAdaptor(Record.class, new RecordAdaptor());
        return g;
    }

    private static URL resource(String name) {
        URL u = CFamilyEmitter.class.getResource(name);
        if (u == null) throw new IllegalStateException("template group " + name + " missing from the classpath");
        return u;
    }

    private String render(String template, String attr, Object model) {
        return render(template, attr, model, null, null);
    }

    private String render(String template, String attr, Object model, String attr2, Object model2) {
        ST st = group.getInstanceOf(template);
        if (st == null) throw new IllegalStateException("no template " + template);
        st.add(attr, model);
        if (attr2 != null) st.add(attr2, model2);
        return st.render();
    }

    // ------------------------------------------------------------------ models (read by the templates)

    /** One kernel argument; exactly one of the flags is true. {@code index} is its position (Metal buffer index). */
    public record ParamModel(String name, int index, boolean intArg, boolean floatArg, boolean inBuf, boolean outBuf,
                             boolean bf16Buf, boolean bf16In) {
        ParamModel(String name, int index, boolean intArg, boolean floatArg, boolean inBuf, boolean outBuf) {
            this(name, index, intArg, floatArg, inBuf, outBuf, false, false);
        }

        /** The same output pointer written as bf16 ({@code unsigned short*}). */
        ParamModel asBf16() { return new ParamModel(name, index, false, false, false, false, true, false); }

        /** The same input pointer read as bf16 ({@code const unsigned short*}). */
        ParamModel asBf16In() { return new ParamModel(name, index, false, false, false, false, false, true); }
    }

    /**
     * One emitted kernel: what the index lists and the file renders. {@code shared}: dynamic shared memory per
     * work-group in bytes (an index formula, "0" for most); {@code threads}: the exact work-group size the kernel is
     * written for (null: any; the index says 0); {@code blocksPerSm}: with threads, the work-groups per
     * multiprocessor the compiler must leave registers for (CUDA's launch bounds).
     */
    public record KernelModel(String entry, String unit, String unitKind, String schedule, String launch, String count,
                              String scratch, List<ParamModel> params, List<String> doc, String body, String shared,
                              Integer threads, int blocksPerSm) {
        KernelModel(String entry, String unit, String unitKind, String schedule, String launch, String count,
                    String scratch, List<ParamModel> params, List<String> doc, String body) {
            this(entry, unit, unitKind, schedule, launch, count, scratch, params, doc, body, "0", null);
        }

        KernelModel(String entry, String unit, String unitKind, String schedule, String launch, String count,
                    String scratch, List<ParamModel> params, List<String> doc, String body, String shared, Integer threads) {
            this(entry, unit, unitKind, schedule, launch, count, scratch, params, doc, body, shared, threads, 1);
        }
    }

    record Intrinsic(String name, String params, String fn) {}

    record VariantModel(String cond, String label, String body) {}

    record SeqItemsModel(boolean step, String perRow, List<VariantModel> variants) {}

    record FlagModel(String state, String size, String element) {}

    record SeqGroupModel(boolean step, String guard, String init, List<FlagModel> flags, String perRow,
                         List<VariantModel> variants) {}

    record RowsModel(String N, String perRow, List<VariantModel> variants) {}

    /**
     * A load or store of the elementwise kernels' wide path, two 4-wide ones (at the address and 4 elements on):
     * the local {@code _l_<name>}, its address, the macro.
     */
    record Lane(String name, String address, String macro) {}

    /**
     * aligned: the conditions of the wide path (each address 16-byte aligned; an address of 4 bf16, 8-byte); the
     * loads' macros are {@code XL_LOAD4} or {@code XL_LOAD4_BF16}, the stores' {@code XL_STORE4} or
     * {@code XL_STORE4_BF16} (rounding them).
     */
    record ElementwiseModel(String N, List<String> aligned, List<Lane> loads, List<Lane> stores, String wide,
                            String narrow) {}

    /**
     * nIn and mIn: where the initial n and m are read (the states themselves, or separate inputs when tiled); lanes:
     * the prologue's vectors are shared by the lanes of a sub-group (it has no per-step temporaries); wAfterK: the
     * tensor-core outputs pass keeps W where K was (cuda.stg's tcScores waits for every warp's Q K^T first);
     * prologueV: that pass's second prologue, a tile's values alone (its first has the gates, queries and keys).
     */
    record ChunkModel(String DK, String DV, String C, String n, String m, String nIn, String mIn, String h, boolean stab,
                      boolean norm, String eps, String lower, String perStep, String prologue, boolean lanes,
                      boolean wAfterK, String prologueV) {}

    /**
     * A groups launch; with {@code tileDim} (the value dim's name; chunkwise only) each work-group takes one tile of
     * {@code tileWidth} value columns of one (b, h) (the whole dim, one tile, unless tiled), so a head's columns can
     * run on several compute units.
     */
    record GroupsModel(boolean step, boolean chunk, String perGroup, List<VariantModel> variants, String tileDim,
                       String tileWidth, String split, String splitDoc, String scratchBase) {
        GroupsModel(boolean step, boolean chunk, String perGroup, List<VariantModel> variants, String tileDim, String tileWidth) {
            this(step, chunk, perGroup, variants, tileDim, tileWidth, null, null, null);
        }
    }

    /** Value columns per work-group of the chunkwise schedule. */
    static final int CHUNK_TILE = 64;

    // ------------------------------------------------------------------ names

    private static final Set<String> RESERVED = Set.copyOf(List.of(
            // C / C++ keywords and common macros
            "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
            "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
            "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
            "true", "false", "class", "namespace", "template", "typename", "this", "new", "delete", "operator", "private",
            "public", "protected", "virtual", "friend", "using", "try", "catch", "throw", "explicit", "mutable", "constexpr",
            "decltype", "nullptr", "alignas", "alignof", "asm", "export", "noexcept", "static_assert", "thread_local",
            "INFINITY", "NAN", "NULL", "assert",
            // OpenCL C
            "kernel", "__kernel", "global", "__global", "local", "__local", "constant", "__constant",
            "__private", "read_only", "write_only", "read_write", "half", "uchar", "ushort", "uint", "ulong", "size_t",
            "image2d_t", "image3d_t", "sampler_t", "event_t",
            // CUDA / HIP / Metal
            "device", "threadgroup", "thread", "vertex", "fragment", "metal", "texture", "sampler", "float4", "float2",
            "float3", "int4", "int2", "dim3", "warpSize", "threadIdx", "blockIdx", "blockDim", "gridDim",
            // ours
            "scratch"));

    /** The C identifier of a DSL name: kept unless reserved or clashing with our own prefixes. */
    static String id(String name) {
        if (RESERVED.contains(name) || name.startsWith("_") || name.startsWith("xl_") || name.startsWith("XL_")) return name + "_u";
        return name;
    }

    /** Entry point (and file base name) of a unit's schedule: {@code mlstm_chunkwise}, {@code softcap_rows_apply}. */
    public static String entry(CellIR c, ScheduleKind k) { return c.name() + "_" + k.method(); }

    private static String polyName(String n) { return n.equals("L") ? "_L" : id(n); }

    /** The C text (xl_long) of a scratch size. */
    private static String c(Poly p) { return p.c(CFamilyEmitter::polyName, "xl_long"); }

    // ------------------------------------------------------------------ emitter

    @Override public List<EmittedFile> emit(ScheduledCell sc) {
        List<EmittedFile> out = new ArrayList<>();
        for (KernelModel k : kernels(sc))
            out.add(new EmittedFile(dialect.folder() + "/" + k.entry() + "." + dialect.extension(), sc.cell().name(), file(k)));
        return out;
    }

    @Override public List<EmittedFile> finish(List<ScheduledCell> cells) {
        StringBuilder sb = new StringBuilder();
        sb.append("# entry\tfile\tunit\tschedule\tlaunch\tcount\tscratch\tsignature\tshared\tthreads\n");
        sb.append("# ").append(dialect.id()).append(" kernels generated by xlstm-codegen; format: docs/glue-contract.md, \"C-family kernels\"\n");
        for (ScheduledCell sc : cells)
            for (KernelModel k : kernels(sc))
                sb.append(String.join("\t", k.entry(), k.entry() + "." + dialect.extension(), k.unit(), k.schedule(), k.launch(),
                        k.count(), k.scratch(), signature(k), k.shared(), k.threads() == null ? "0" : k.threads().toString())).append('\n');
        return List.of(new EmittedFile(dialect.folder() + "/index.tsv", "index", sb.toString()));
    }

    /** The C parameter list of a kernel in this target's spelling (the index's signature column). */
    public String signature(KernelModel k) {
        return k.params().stream().map(p -> render("param", "p", p)).collect(Collectors.joining(", "));
    }

    /** The helpers of cfamily.stg ({@code h_<name>} defines {@code xl_<name>}). */
    static final List<String> HELPERS = List.of("logsigmoid", "sigmoid", "silu", "gelu", "relu", "selu", "rsqrt", "softcap",
            "heaviside", "mini", "maxi", "bf16x2", "bf16", "mma16816", "bf16dst", "bf16f", "ldsm4t");

    /**
     * The whole file of one kernel: the helpers the body calls, and the target's support functions
     * ({@code support_<intrinsic>} of its group, e.g. Metal's erf) that the body or those helpers reach.
     */
    String file(KernelModel k) {
        ST st = group.getInstanceOf("file");
        st.add("k", k);
        st.add("dialect", dialect.id());
        st.add("ownEntry", k.body().contains("XL_ENTRY();")); // the body waits where it wants (after its prefetches)
        List<Intrinsic> in = new ArrayList<>();
        dialect.intrinsics().forEach((n, fn) -> in.add(new Intrinsic(n, CDialect.arity(n) == 2 ? "x, y" : "x", fn)));
        st.add("intrinsics", in);
        List<String> helpers = new ArrayList<>();
        StringBuilder used = new StringBuilder(k.body());
        for (String h : HELPERS)
            if (calls(k.body(), "xl_" + h)) {
                String text = group.getInstanceOf("h_" + h).render();
                helpers.add(text);
                used.append('\n').append(text);
            }
        List<String> support = new ArrayList<>();
        for (String i : dialect.intrinsics().keySet())
            if (group.isDefined("support_" + i) && calls(used.toString(), "xl_" + i)) support.add(group.getInstanceOf("support_" + i).render());
        st.add("helpers", helpers.isEmpty() ? null : helpers);
        st.add("support", support.isEmpty() ? null : support);
        return st.render();
    }

    private static boolean calls(String code, String fn) {
        return java.util.regex.Pattern.compile("\\b" + fn + "\\(").matcher(code).find();
    }

    /** The kernels of a unit, in schedule order. */
    public List<KernelModel> kernels(ScheduledCell sc) {
        CellIR cell = sc.cell();
        List<KernelModel> out = new ArrayList<>();
        if (!cell.isCell()) {
            KernelModel rows = rowsKernel(sc);
            out.add(rows);
            if (dialect == CDialect.CUDA && elementwiseDim(cell) != null) {
                out.add(bf16Kernel(sc, rows, false));
                out.add(bf16Kernel(sc, rows, true));
            }
            return out;
        }
        if (sc.schedules().contains(ScheduleKind.CHUNKWISE) && cell.hasDim("L"))
            throw new IllegalArgumentException(cell.name() + ": a dim named L clashes with L = min(chunkSize, S) of the "
                    + "C-family scratch formulas; rename the dim");
        for (ScheduleKind k : List.of(ScheduleKind.STEP, ScheduleKind.SEQUENCE, ScheduleKind.CHUNKWISE, ScheduleKind.PARALLEL))
            if (sc.schedules().contains(k))
                out.add(k == ScheduleKind.STEP || k == ScheduleKind.SEQUENCE ? sequenceKernel(sc, k) : groupsKernel(sc, k, Form.PLAIN));
        boolean everyChunkwise = sc.schedules().contains(ScheduleKind.CHUNKWISE)
                && sc.variants().stream().allMatch(v -> v.schedules().contains(ScheduleKind.CHUNKWISE));
        if (everyChunkwise && TILED_DIALECTS.contains(dialect)) out.add(groupsKernel(sc, ScheduleKind.CHUNKWISE, Form.TILED));
        if (everyChunkwise && dialect == CDialect.CUDA) {
            out.add(groupsKernel(sc, ScheduleKind.CHUNKWISE, Form.TENSOR));
            out.add(groupsKernel(sc, ScheduleKind.CHUNKWISE, Form.TENSOR_STATES));
            out.add(groupsKernel(sc, ScheduleKind.CHUNKWISE, Form.TENSOR_OUT));
        }
        if (everyChunkwise && TILED_DIALECTS.contains(dialect) && sc.schedules().contains(ScheduleKind.STEP)
                && sc.variants().stream().allMatch(v -> !v.recurrence().normalised() || v.recurrence().hasNormState()))
        {
            out.add(groupsKernel(sc, ScheduleKind.STEP, Form.STEP_TILED));
            if (dialect == CDialect.CUDA) out.add(groupsKernel(sc, ScheduleKind.STEP, Form.STEP_WIDE));
        }
        return out;
    }

    /**
     * The dialects that also get {@code <cell>_chunkwise_tiled}: the chunkwise form with one work-group per (b, h,
     * tile of {@link #CHUNK_TILE} value columns) for the device-resident models. Its tiles all need the initial n
     * and m while one of them writes the final ones, so it reads them from separate inputs ({@code <n>_in},
     * {@code <m>_in}, after the states) instead of in place. OpenCL has it so that CI checks it on PoCL.
     */
    static final Set<CDialect> TILED_DIALECTS = Set.of(CDialect.CUDA, CDialect.OPENCL);

    /** Entry-point suffix of the tiled chunkwise kernel. */
    public static final String TILED = "_tiled";

    /**
     * Entry-point suffix of the CUDA chunkwise kernel on tensor cores (cuda.stg's chunkwiseTensor): tiled like
     * {@link #TILED}, same arguments, bf16 operands with float32 accumulation and states; 256 threads, chunks of at
     * most {@link #TENSOR_MAX_CHUNK} steps, a key dim that is a multiple of 16 and at most {@link #TENSOR_MAX_KEY}.
     */
    public static final String TENSOR = "_tc";

    /**
     * Entry-point suffixes of the split tensor-core form: {@code <cell>_chunkwise_tc_states} (the state recurrence,
     * sequential over chunks, a work-group per (b, h, value tile, key tile of {@link #CHUNK_TILE})), then
     * {@code <cell>_chunkwise_tc_out} (the outputs, a work-group per (b, h, chunk) looping over the value tiles), launched in that order
     * on one stream with the tiled arguments: the first leaves every chunk's start state in the scratch buffer for
     * the second (cuda.stg's tcChunkStates; both have the same scratch formula, so the buffer does not move between).
     */
    public static final String TENSOR_STATES = "_tc_states", TENSOR_OUT = "_tc_out";
    public static final int TENSOR_THREADS = 256, TENSOR_MAX_CHUNK = 64, TENSOR_MAX_KEY = 256;

    /**
     * The forms of a groups kernel: one work-group per (b, h); per (b, h, value tile); that on tensor cores; the
     * decode step per (b, h, {@link #STEP_TILE} value columns), and per (b, h, {@link #STEP_WIDE_TILE}).
     */
    enum Form {
        PLAIN, TILED, TENSOR, TENSOR_STATES, TENSOR_OUT, STEP_TILED, STEP_WIDE;

        boolean split() { return this == TENSOR_STATES || this == TENSOR_OUT; }

        boolean step() { return this == STEP_TILED || this == STEP_WIDE; }
    }

    /** Value columns per work-group of {@code <cell>_step_tiled}. */
    static final int STEP_TILE = 32;

    /**
     * Entry-point suffix and value columns per work-group of {@code <cell>_step_wide} (CUDA): the step kernel for
     * many rows, where half as many work-groups each spread the step's prologue over twice the state. 7B heads on
     * the H200 (CellBench, 2026-11-29): at batch 256, 0.682 ms with 128 threads against 0.711 for the 32-column
     * kernel's best (64 threads); at batch 1, 6.8 against 5.8 us, so few rows keep the narrow tile.
     */
    public static final String STEP_WIDE = "_wide";
    static final int STEP_WIDE_TILE = 64;

    /**
     * The shape of a step kernel's work ({@code <cell>_step_tiled}, {@code <cell>_step_wide}; read by their
     * template): {@code width} value columns a work-group, 4 a work-item, so {@code lanes} work-items share a slice of
     * the key rows; at most {@code slices} slices; {@code stride} floats a slice in the partial sums (the columns,
     * then the normaliser's); {@code lines} 128-byte lines a row of the tile.
     */
    record StepTile(int width, int lanes, int slices, int stride, int lines) {
        /** Floats of partial sums a work-group may hold: about 16.5 KB with the normalisers, whatever the width. */
        static final int PART_FLOATS = 4096;

        static StepTile of(int width) {
            if (width % 32 != 0 || width > PART_FLOATS / 4) throw new IllegalArgumentException("step tile width " + width);
            return new StepTile(width, width / 4, PART_FLOATS / width, width + 1, width / 32);
        }

        /**
         * Shared memory of the kernel: partial sums per (slice of key rows, column), declared at the kernel's top,
         * where OpenCL and Metal allow work-group memory.
         */
        String parts() {
            return "XL_SHARED float _part[" + slices * stride + "]; // partial sums of the step\n";
        }
    }

    /** The parameters of an entry point, in the Java contract's order, then the scratch buffer. */
    List<ParamModel> params(CellIR c, ScheduleKind k) {
        return params(c, k, List.of());
    }

    /** As {@link #params(CellIR, ScheduleKind)} with {@code extraInputs} (read-only pointers) after the states. */
    List<ParamModel> params(CellIR c, ScheduleKind k, List<String> extraInputs) {
        List<ParamModel> ps = new ArrayList<>();
        java.util.function.BiConsumer<String, Integer> add = (name, kind) ->
                ps.add(new ParamModel(name, ps.size(), kind == 0, kind == 1, kind == 2, kind == 3));
        if (c.isCell()) {
            add.accept("B", 0);
            add.accept("NH", 0);
            if (k != ScheduleKind.STEP) add.accept("S", 0);
        } else {
            add.accept("rows", 0);
        }
        for (Dim d : c.dims()) add.accept(id(d.name()), 0);
        if (k == ScheduleKind.CHUNKWISE) add.accept("chunkSize", 0);
        for (Decl d : c.inputs()) add.accept(id(d.name()), 2);
        for (Decl d : c.weights()) add.accept(id(d.name()), 2);
        if (k != ScheduleKind.PARALLEL) for (Decl d : c.states()) add.accept(id(d.name()), 3);
        for (String x : extraInputs) add.accept(x, 2);
        for (Decl d : c.outputs()) add.accept(id(d.name()), 3);
        for (Param p : c.params()) add.accept(id(p.name()), p.isBool() ? 0 : 1);
        add.accept("scratch", 3);
        if (dialect == CDialect.METAL && ps.size() > METAL_MAX_BUFFERS)
            throw new IllegalArgumentException(c.name() + "_" + k.method() + ": " + ps.size() + " arguments exceed Metal's "
                    + METAL_MAX_BUFFERS + " buffer slots");
        return ps;
    }

    private KernelModel model(ScheduledCell sc, ScheduleKind k, String launch, String count, String scratch, String body) {
        CellIR c = sc.cell();
        return new KernelModel(entry(c, k), c.name(), c.kind().keyword(), k.method(), launch, count, scratch, params(c, k),
                doc(sc, k), body);
    }

    /** The tiled chunkwise kernel's model: its own entry name and the initial-state inputs. */
    private KernelModel tiledModel(ScheduledCell sc, String count, String scratch, List<String> extraInputs, String body) {
        CellIR c = sc.cell();
        List<String> doc = new ArrayList<>(doc(sc, ScheduleKind.CHUNKWISE));
        doc.add("Tiled: one work-group per (b, h, " + CHUNK_TILE + " value columns); initial " + String.join(", ", extraInputs)
                + " read apart from the states written (device-resident use)");
        return new KernelModel(entry(c, ScheduleKind.CHUNKWISE) + TILED, c.name(), c.kind().keyword(),
                ScheduleKind.CHUNKWISE.method(), "groups", count, scratch, params(c, ScheduleKind.CHUNKWISE, extraInputs),
                doc, body);
    }

    /**
     * The tiled model as the tensor-core kernel: its entry name, 256 threads, and the dynamic shared memory of
     * cuda.stg's chunkwiseTensor in bytes: bf16 Q, K, C^T rows of DK + 8, K^T rows of 72, V^T, (aw V)^T and W rows
     * of 72, 640 per-row floats, n (DK floats) and 4 scalars.
     */
    private static KernelModel tensorModel(KernelModel t, String keyDim) {
        String dk = id(keyDim);
        String shared = "4*(192*(" + dk + "/2+4)+37*" + dk + "+7556)";
        List<String> doc = new ArrayList<>(t.doc());
        doc.set(doc.size() - 1, "Tensor cores: one work-group of " + TENSOR_THREADS + " threads per (b, h, " + CHUNK_TILE
                + " value columns); bf16 operands, float32 accumulation and states; chunkSize <= " + TENSOR_MAX_CHUNK
                + ", " + dk + " % 16 == 0, " + dk + " <= " + TENSOR_MAX_KEY + " (else __trap)");
        return new KernelModel(t.entry().replace(TILED, TENSOR), t.unit(), t.unitKind(), t.schedule(), t.launch(),
                t.count(), t.scratch(), t.params(), doc, t.body(), shared, TENSOR_THREADS);
    }

    /**
     * A pass of the split tensor-core form: its entry, count (states: per key tile; outputs: per chunk), the scratch
     * formula both passes share (the chunk-state area, then the groups' own scratch for the larger count), and the
     * dynamic shared memory of cuda.stg's templates in bytes (states: K^T, V^T, (aw V)^T rows of 72 bf16 and 516
     * floats; outputs: Q, K, C^T rows of DK + 8 bf16, V^T rows of 72 (W's where K was), 644 floats and n).
     */
    private KernelModel splitModel(ScheduledCell sc, Form form, String tileDim, String dk, Poly perGroup,
                                   List<String> extraInputs, String body) {
        CellIR c = sc.cell();
        boolean states = form == Form.TENSOR_STATES;
        String tiles = "B*NH*((" + tileDim + "+" + (CHUNK_TILE - 1) + ")/" + CHUNK_TILE + ")";
        String keyTiles = "((" + dk + "+" + (CHUNK_TILE - 1) + ")/" + CHUNK_TILE + ")", chunks = "((S+L-1)/L)";
        String count = states ? tiles + "*" + keyTiles : "B*NH*" + chunks;
        String area = "B*NH*" + chunks + "*(" + dk + "*" + tileDim + "/2+" + dk + "+1)";
        String scratch = perGroup.isZero() ? area : area + "+" + tiles + "*(" + keyTiles + "+" + chunks + ")*(" + perGroup + ")";
        // (64/(DK+1): W's own 64 x 36 words where K's rows are too short to hold it, DK < 64)
        String shared = states ? "4*(3*64*36+516)" : "4*(192*(" + dk + "/2+4)+" + dk + "+2948+2304*(64/(" + dk + "+1)))";
        List<String> doc = new ArrayList<>(doc(sc, ScheduleKind.CHUNKWISE));
        doc.add(states
                ? "Tensor cores, split, pass 1 of 2: the states alone, one work-group of " + TENSOR_THREADS + " threads per (b, h, "
                  + CHUNK_TILE + " value columns, " + CHUNK_TILE + " keys), sequential over chunks; every chunk's start state to scratch"
                : "Tensor cores, split, pass 2 of 2: the outputs, one work-group of " + TENSOR_THREADS + " threads per (b, h, "
                  + "chunk) looping over tiles of " + CHUNK_TILE + " value columns, from the chunk states pass 1 left in scratch");
        doc.add("chunkSize <= " + TENSOR_MAX_CHUNK + ", " + dk + " % 16 == 0, " + dk + " <= " + TENSOR_MAX_KEY + " (else __trap)");
        // two work-groups per multiprocessor (registers for them; the outputs pass's shared memory fits twice in 228 KB
        // at DK 256): the states pass's 256 work-groups of the 7B shape at batch 1 (8 heads x 8 value x 4 key tiles)
        // all run at once on 132 multiprocessors, and one outputs work-group's loads overlap another's products
        return new KernelModel(entry(c, ScheduleKind.CHUNKWISE) + (states ? TENSOR_STATES : TENSOR_OUT), c.name(),
                c.kind().keyword(), ScheduleKind.CHUNKWISE.method(), "groups", count, scratch,
                params(c, ScheduleKind.CHUNKWISE, extraInputs), doc, body, shared, TENSOR_THREADS, 2);
    }

    private static List<String> doc(ScheduledCell sc, ScheduleKind k) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Source (" + sc.cell().kind().keyword() + " " + sc.cell().name() + ", after the passes):");
        lines.addAll(IrPrinter.print(sc.cell()).lines().toList());
        for (ScheduledCell.Variant v : sc.variants()) {
            String label = v.spec().bools().isEmpty() ? "" : " [" + v.spec().label() + "]";
            if (k == ScheduleKind.CHUNKWISE || k == ScheduleKind.PARALLEL) {
                if (v.schedules().contains(k)) lines.add("variant" + label + ": " + v.recurrence().describe().lines()
                        .map(String::strip).collect(Collectors.joining("; ")));
                else lines.add("variant" + label + ": no " + k.method() + " form (" + v.whyNot()
                        + "): runs the recurrent sequence in work-group 0 (correct, serial)");
            }
            if (!v.allZeroStates().isEmpty())
                lines.add("variant" + label + ": all_zero(" + String.join(", ", new TreeSet<>(v.allZeroStates()))
                        + ") is batch-global, decided over the whole state before each step");
        }
        return lines;
    }

    private static String cond(ScheduledCell.Variant v) {
        if (v.spec().bools().isEmpty()) return null;
        return v.spec().bools().entrySet().stream().map(e -> (e.getValue() ? "" : "!") + id(e.getKey()))
                .collect(Collectors.joining(" && "));
    }

    private static String label(ScheduledCell.Variant v) {
        return v.spec().bools().isEmpty() ? "the only variant" : "variant " + v.spec().label();
    }

    /** Sum of the distinct polynomials (variants share one region; identical needs are counted once). */
    private static Poly distinctSum(List<Poly> ps) {
        Poly s = Poly.ZERO;
        for (Poly p : new LinkedHashSet<>(ps)) s = s.plus(p);
        return s;
    }

    private static String perFormula(String lead, Poly p) {
        return p.isZero() ? "0" : lead + "*(" + p + ")";
    }

    // ------------------------------------------------------------------ step bodies

    /** Where a state lives: pointer and the xl_long element offset of row {@code bh}. */
    record StateLoc(String ptr, java.util.function.UnaryOperator<String> offset) {}

    private static Map<String, StateLoc> argStates(CellIR c, CBody g) {
        Map<String, StateLoc> m = new LinkedHashMap<>();
        for (Decl d : c.states()) {
            String size = g.sizeC(d.type());
            m.put(d.name(), new StateLoc(id(d.name()), d.type() instanceof Type.Scalar ? bh -> "(xl_long)" + bh
                    : bh -> "(xl_long)" + bh + " * " + size));
        }
        return m;
    }

    /** Binds inputs (at _row), weights (at _hd; 0 for kernels), states, params and dims. */
    private static void bindDecls(CellIR c, CBody g, Map<String, StateLoc> states) {
        for (Decl d : c.inputs()) {
            if (d.type() instanceof Type.Scalar) g.bind(Expr.RefKind.INPUT, d.name(), new CBody.Local(id(d.name()) + "[_row]"));
            else g.bind(Expr.RefKind.INPUT, d.name(), buf(id(d.name()), "_row * " + g.sizeC(d.type()), d.type()));
        }
        for (Decl d : c.weights()) {
            String off = c.isCell() ? "(xl_long)_hd * " + g.sizeC(d.type()) : "0";
            if (d.type() instanceof Type.Scalar) g.bind(Expr.RefKind.WEIGHT, d.name(), new CBody.Local(id(d.name()) + "[" + (c.isCell() ? "_hd" : "0") + "]"));
            else g.bind(Expr.RefKind.WEIGHT, d.name(), buf(id(d.name()), off, d.type()));
        }
        if (states != null)
            for (Decl d : c.states()) {
                StateLoc s = states.get(d.name());
                String off = s.offset().apply("_bh");
                if (d.type() instanceof Type.Scalar) g.bind(Expr.RefKind.STATE, d.name(), new CBody.Local(s.ptr() + "[" + off + "]"));
                else g.bind(Expr.RefKind.STATE, d.name(), buf(s.ptr(), "(" + off + ")", d.type()));
            }
        for (Param p : c.params()) g.bind(Expr.RefKind.PARAM, p.name(), new CBody.Local(id(p.name())));
        for (Dim d : c.dims()) g.bind(Expr.RefKind.DIM, d.name(), new CBody.Local(CBody.dimValue(id(d.name()))));
    }

    private static CBody.Buf buf(String ptr, String off, Type t) {
        return new CBody.Buf(ptr, off, t instanceof Type.Mat m ? id(m.cols().name()) : null);
    }

    /** The code of one step (cells, row _row of (b, h) _bh) or one row (kernels), states/outputs written. */
    static CCode stepBody(CellIR c, CBody g, Map<String, StateLoc> states) {
        CCode code = new CCode();
        bindDecls(c, g, states);
        List<Stmt> body = c.body();
        CCode tail = new CCode();
        for (int k = 0; k < body.size(); k++) {
            Stmt s = body.get(k);
            code.line("// " + IrPrinter.stmt(s));
            Expr e = g.prepare(s.value(), code);
            String n = s.name();
            boolean scalar = s.type().rank() == 0;
            String ct = s.type() instanceof Type.Bool ? "int" : "float";
            switch (s.kind()) {
                case LET -> {
                    if (scalar) {
                        code.line("const " + ct + " _x_" + n + " = " + g.scalar(e, null, null) + ";");
                        g.bind(Expr.RefKind.LET, n, new CBody.Local("_x_" + n));
                    } else {
                        CBody.Buf b = g.newScratch(code, "_l_" + n, s.type());
                        g.emitInto(code, b, e);
                        g.bind(Expr.RefKind.LET, n, b);
                    }
                }
                case NEXT_STATE -> {
                    Decl d = c.decl(n).orElseThrow();
                    StateLoc loc = states.get(n);
                    String off = loc.offset().apply("_bh");
                    if (scalar) {
                        code.line("const float _x_" + n + "__n = " + g.scalar(e, null, null) + ";");
                        g.bind(Expr.RefKind.NEXT_STATE, n, new CBody.Local("_x_" + n + "__n"));
                        tail.line(loc.ptr() + "[" + off + "] = _x_" + n + "__n;");
                    } else {
                        boolean inPlace = true;
                        for (int k2 = k + 1; k2 < body.size(); k2++)
                            if (Exprs.refersTo(body.get(k2).value(), Expr.RefKind.STATE, n)) inPlace = false;
                        CBody.Buf b;
                        if (inPlace) {
                            b = buf(loc.ptr(), "(" + off + ")", d.type());
                        } else {
                            b = g.newScratch(code, "_n_" + n, d.type());
                            tail.line("for (xl_long _i = 0; _i < " + g.sizeC(d.type()) + "; _i++) " + loc.ptr() + "[" + off
                                    + " + _i] = scratch[" + b.off() + " + _i];");
                        }
                        g.emitInto(code, b, e, d.type());
                        g.bind(Expr.RefKind.NEXT_STATE, n, b);
                    }
                }
                case OUTPUT -> {
                    if (scalar) {
                        code.line("const float _x_" + n + "__o = " + g.scalar(e, null, null) + ";");
                        code.line(id(n) + "[_row] = _x_" + n + "__o;");
                        g.bind(Expr.RefKind.OUTPUT, n, new CBody.Local("_x_" + n + "__o"));
                    } else {
                        CBody.Buf b = buf(id(n), "_row * " + g.sizeC(s.type()), s.type());
                        g.emitInto(code, b, e);
                        g.bind(Expr.RefKind.OUTPUT, n, b);
                    }
                }
            }
        }
        code.raw(tail);
        return code;
    }

    // ------------------------------------------------------------------ step / sequence

    private KernelModel sequenceKernel(ScheduledCell sc, ScheduleKind k) {
        CellIR cell = sc.cell();
        boolean step = k == ScheduleKind.STEP;
        Set<String> allZero = new TreeSet<>();
        for (ScheduledCell.Variant v : sc.variants()) allZero.addAll(v.allZeroStates());
        List<VariantModel> variants = new ArrayList<>();
        List<Poly> needs = new ArrayList<>();
        for (ScheduledCell.Variant v : sc.variants()) {
            CBody g = new CBody(CFamilyEmitter::id, "_scb");
            CCode body = stepBody(v.ir(), g, argStates(v.ir(), g));
            needs.add(g.scratch());
            variants.add(new VariantModel(cond(v), label(v), allZero.isEmpty() ? render("timeLoop", "body", body.toString()) : body.toString()));
        }
        Poly perRow = distinctSum(needs);
        String scratch = perFormula("B*NH", perRow);
        if (allZero.isEmpty()) {
            String body = render("sequenceItems", "s", new SeqItemsModel(step, c(perRow), variants));
            return model(sc, k, "items", "B*NH", scratch, body);
        }
        List<FlagModel> flags = new ArrayList<>();
        for (String s : allZero) {
            Decl d = cell.decl(s).orElseThrow();
            flags.add(new FlagModel(s, CBody.size(d.type()).c(CFamilyEmitter::id, "xl_long"), id(s) + "[_e]"));
        }
        String body = sharedFlags(allZero) + render("sequenceGroup", "g",
                new SeqGroupModel(step, null, null, flags, c(perRow), variants));
        return model(sc, k, "group", "1", scratch, body);
    }

    private static String sharedFlags(Set<String> states) {
        StringBuilder sb = new StringBuilder();
        for (String s : states) sb.append("XL_SHARED int _azf_").append(s).append("; // all_zero(").append(s).append(")\n");
        return sb.toString();
    }

    // ------------------------------------------------------------------ chunkwise / parallel

    private KernelModel groupsKernel(ScheduledCell sc, ScheduleKind k, Form form) {
        boolean chunk = k == ScheduleKind.CHUNKWISE, tiled = form != Form.PLAIN, stepTiled = form.step();
        StepTile stepTile = StepTile.of(form == Form.STEP_WIDE ? STEP_WIDE_TILE : STEP_TILE);
        String keyDim = null;
        String tileDim = null, tileWidth = null;
        List<String> extraInputs = new ArrayList<>();
        List<VariantModel> variants = new ArrayList<>();
        List<Poly> needs = new ArrayList<>();
        Set<String> flagsUsed = new TreeSet<>();
        for (ScheduledCell.Variant v : sc.variants()) {
            if (v.schedules().contains(stepTiled ? ScheduleKind.CHUNKWISE : k)) {
                LinearRecurrence lr = v.recurrence();
                CBody g = new CBody(CFamilyEmitter::id, "_scp");
                Sinks sinks = switch (form) {
                    case TENSOR -> Sinks.SHARED_BF16;
                    case TENSOR_STATES -> Sinks.STATES_BF16;
                    case TENSOR_OUT -> Sinks.OUT_QK_BF16;
                    default -> Sinks.scratch(lr);
                };
                CCode pro = prologue(v.ir(), lr, g, true, sinks);
                Poly T = g.scratch();
                boolean lanes = T.isZero();
                if (!lanes) {
                    // per-step temporaries in scratch would be written by one lane and read by another: one lane a step
                    g = new CBody(CFamilyEmitter::id, "_scp");
                    pro = prologue(v.ir(), lr, g, false, sinks);
                    T = g.scratch();
                }
                String DK = lr.keyDim().name(), DV = lr.valueDim().name();
                Poly need;
                String lower = null, eps = null;
                CBody consts = new CBody(CFamilyEmitter::id, "_scb");
                bindDecls(v.ir(), consts, null);
                if (lr.normalised()) {
                    eps = consts.scalar(lr.eps(), null, null);
                    if (!lr.stabilised()) lower = consts.scalar(lr.lowerBound(), null, null);
                }
                String n = lr.hasNormState() ? id(lr.normState()) : null, m = lr.stabilised() ? id(lr.stabState()) : null;
                String nIn = n == null || !tiled ? n : n + "_in", mIn = m == null || !tiled ? m : m + "_in";
                if (tiled && extraInputs.isEmpty()) {
                    if (n != null) extraInputs.add(nIn);
                    if (m != null) extraInputs.add(mIn);
                }
                // the outputs pass's values, per tile (fewer per-step temporaries than the first prologue's, which
                // sized the per-step scratch)
                String proV = form == Form.TENSOR_OUT
                        ? prologue(v.ir(), lr, new CBody(CFamilyEmitter::id, "_scp"), lanes, Sinks.V_TILE_BF16).toString() : null;
                ChunkModel cm = new ChunkModel(id(DK), id(DV), id(lr.matrixState()), n, m, nIn, mIn, id(lr.output()),
                        lr.stabilised(), lr.normalised(), eps, lower, c(T), pro.toString(), lanes, form == Form.TENSOR_OUT,
                        proV);
                if (stepTiled) {
                    // the step's Q, K, V, two log gates, its temporaries (the partial sums are in shared memory)
                    need = Poly.of(DK).times(2).plus(Poly.of(DV)).plus(Poly.of(2)).plus(T);
                    if (tileDim == null) tileDim = DV;
                    if (tileWidth == null) tileWidth = Integer.toString(stepTile.width());
                    variants.add(new VariantModel(cond(v), label(v), render("stepTiled", "c", cm, "w", stepTile)));
                } else if (form.split()) {
                    need = Poly.of("L").times(T); // the per-step temporaries; the chunk states come before
                    if (tileDim == null) tileDim = DV;
                    if (tileWidth == null) tileWidth = Integer.toString(CHUNK_TILE);
                    if (keyDim == null) keyDim = DK;
                    variants.add(new VariantModel(cond(v), label(v),
                            render(form == Form.TENSOR_STATES ? "chunkwiseTensorStates" : "chunkwiseTensorOut", "c", cm)));
                } else if (chunk) {
                    Poly L = Poly.of("L");
                    // Q, K, V rows of a chunk, W, 7 per-step gate vectors, the per-step temporaries, the tile's n, q.n
                    // per row, the partial sums of split dot products (L x DV)
                    need = L.times(Poly.of(DK)).times(2).plus(L.times(Poly.of(DV))).plus(L.times(L)).plus(L.times(7))
                            .plus(L.times(T)).plus(Poly.of(DK)).plus(L).plus(L.times(Poly.of(DV)));
                    if (tileDim == null) tileDim = DV;
                    if (tileWidth == null) tileWidth = tiled ? Integer.toString(CHUNK_TILE) : id(DV);
                    if (keyDim == null) keyDim = DK;
                    variants.add(new VariantModel(cond(v), label(v),
                            render(form == Form.TENSOR ? "chunkwiseTensor" : "chunkwise", "c", cm)));
                } else {
                    Poly S = Poly.of("S");
                    need = S.times(Poly.of(DK)).times(2).plus(S.times(Poly.of(DV))).plus(S.times(2))
                            .plus(S.times(PARALLEL_BLOCK)).plus(Poly.of(PARALLEL_BLOCK)).plus(S.times(T));
                    variants.add(new VariantModel(cond(v), label(v), render("parallel", "c", cm)));
                }
                needs.add(need);
            } else {
                // no form of its own: the recurrent sequence, run by work-group 0 over all rows (states in scratch
                // for parallel, which has no state arguments and starts from the declared initial values)
                CellIR ir = v.ir();
                Map<String, StateLoc> states;
                Poly stateTotal = Poly.ZERO;
                String base = "_scb";
                StringBuilder init = new StringBuilder();
                if (chunk) {
                    states = null;
                } else {
                    states = new LinkedHashMap<>();
                    for (Decl d : ir.states()) {
                        String off = c(stateTotal).equals("0") ? "" : " + " + c(stateTotal);
                        String size = CBody.size(d.type()).c(CFamilyEmitter::id, "xl_long");
                        states.put(d.name(), new StateLoc("scratch", bh -> "(xl_long)" + bh + " * _pg" + off));
                        init.append("for (xl_long _e = _lid; _e < (xl_long)B * NH * (").append(size).append("); _e += _ls) ")
                                .append("scratch[(_e / (").append(size).append(")) * _pg").append(off).append(" + _e % (")
                                .append(size).append(")] = ").append(CBody.lit(d.init())).append(";\n");
                        stateTotal = stateTotal.plus(CBody.size(d.type()));
                    }
                    init.append("XL_BARRIER();");
                    if (!stateTotal.isZero()) base = "_scb + " + c(stateTotal);
                }
                CBody g = new CBody(CFamilyEmitter::id, base);
                if (states == null) states = argStates(ir, g);
                CCode body = stepBody(ir, g, states);
                needs.add(g.scratch().plus(stateTotal));
                List<FlagModel> flags = new ArrayList<>();
                for (String s : new TreeSet<>(v.allZeroStates())) {
                    Decl d = ir.decl(s).orElseThrow();
                    String size = CBody.size(d.type()).c(CFamilyEmitter::id, "xl_long");
                    StateLoc loc = states.get(s);
                    String element = chunk ? id(s) + "[_e]"
                            : "scratch[" + loc.offset().apply("(_e / (" + size + "))") + " + _e % (" + size + ")]";
                    flags.add(new FlagModel(s, size, element));
                    flagsUsed.add(s);
                }
                variants.add(new VariantModel(cond(v), label(v) + " (no " + k.method() + " form: the recurrent sequence)",
                        render("sequenceGroup", "g", new SeqGroupModel(false, "XL_GROUP == 0", chunk ? null : init.toString(), flags,
                                "_pg", List.of(new VariantModel(null, "all rows", body.toString()))))));
            }
        }
        Poly perGroup = distinctSum(needs);
        String tile = tileDim == null ? null : id(tileDim);
        if (form.split()) {
            if (variants.size() != sc.variants().size() || !flagsUsed.isEmpty())
                throw new IllegalStateException(sc.cell().name() + ": the split tensor-core form needs every variant chunkwise");
            boolean states = form == Form.TENSOR_STATES;
            String dk = id(keyDim);
            String split = states ? "(" + dk + " + " + (CHUNK_TILE - 1) + ") / " + CHUNK_TILE
                    : "(S + xl_maxi(1, xl_mini(chunkSize, S)) - 1) / xl_maxi(1, xl_mini(chunkSize, S))";
            String area = "(xl_long)B * NH * ((S + _L - 1) / _L) * ((xl_long)" + dk + " * " + tile + " / 2 + " + dk + " + 1)";
            // the outputs pass loops over the value tiles itself: a work-group per (b, h, chunk)
            String body = render("groups", "g", new GroupsModel(false, true, c(perGroup), variants, states ? tile : null,
                    states ? tileWidth : null, split, states ? "key tiles of " + CHUNK_TILE : "chunks", area));
            return splitModel(sc, form, tile, dk, perGroup, extraInputs, body);
        }
        String body = sharedFlags(flagsUsed) + (stepTiled ? stepTile.parts() : "")
                + render("groups", "g", new GroupsModel(stepTiled, chunk, c(perGroup), variants,
                tile, tileWidth));
        if (!tiled) return model(sc, k, "groups", "B*NH", perFormula("B*NH", perGroup), body);
        if (stepTiled) {
            int w = stepTile.width();
            String count = "B*NH*((" + tileDim + "+" + (w - 1) + ")/" + w + ")";
            CellIR c = sc.cell();
            List<String> doc = new ArrayList<>(doc(sc, ScheduleKind.STEP));
            doc.add("Step, tiled: one work-group per (b, h, " + w + " value columns); initial " + String.join(", ",
                    extraInputs) + " read apart from the states written (device-resident decode)");
            return new KernelModel(entry(c, ScheduleKind.STEP) + (form == Form.STEP_WIDE ? STEP_WIDE : TILED), c.name(), c.kind().keyword(),
                    ScheduleKind.STEP.method(), "groups", count, perFormula(count, perGroup),
                    params(c, ScheduleKind.STEP, extraInputs), doc, body);
        }
        String count = "B*NH*((" + tileDim + "+" + (CHUNK_TILE - 1) + ")/" + CHUNK_TILE + ")";
        KernelModel tiledModel = tiledModel(sc, count, perFormula(count, perGroup), extraInputs, body);
        return form == Form.TILED ? tiledModel : tensorModel(tiledModel, keyDim);
    }

    /**
     * Where a prologue puts step _tau's log gates (C lvalues) and query, key, value rows: float32 scratch, or for the
     * tensor-core form bf16 shared memory through cuda.stg's {@code xl_bf16dst} writers {@code _dQ}, {@code _dK},
     * {@code _dV} (declared per step by the template; {@code writers}: which have put4 for 16-byte loads).
     */
    record Sinks(String lf, String li, CBody.Buf q, CBody.Buf k, CBody.Buf v, String vFrom, String vCount, String kFrom,
                 String kCount, boolean writers) {
        Sinks(String lf, String li, CBody.Buf q, CBody.Buf k, CBody.Buf v, String vFrom, String vCount, boolean writers) {
            this(lf, li, q, k, v, vFrom, vCount, null, null, writers);
        }

        static Sinks scratch(LinearRecurrence lr) {
            String DK = id(lr.keyDim().name()), DV = id(lr.valueDim().name());
            return new Sinks("scratch[_olf + _tau]", "scratch[_oli + _tau]",
                    new CBody.Buf("scratch", "_oQ + (xl_long)_tau * " + DK, null),
                    new CBody.Buf("scratch", "_oK + (xl_long)_tau * " + DK, null),
                    new CBody.Buf("scratch", "_oV + (xl_long)_tau * " + DV, null), null, null, false);
        }

        /** The tensor-core form's: only the tile's value columns ({@code _j0}, {@code _tw} of the template). */
        static final Sinks SHARED_BF16 = new Sinks("_slf[_tau]", "_sli[_tau]", new CBody.Buf("_dQ", "0", null),
                new CBody.Buf("_dK", "0", null), new CBody.Buf("_dV", "0", null), "_j0", "_tw", true);

        /** The split form's states pass: no queries, only the tile's keys ({@code _k0}, {@code _kn}) and values. */
        static final Sinks STATES_BF16 = new Sinks("_slf[_tau]", "_sli[_tau]", null, new CBody.Buf("_dK", "0", null),
                new CBody.Buf("_dV", "0", null), "_j0", "_tw", "_k0", "_kn", true);

        /** The split form's outputs pass, first prologue: gates, queries, keys (no values). */
        static final Sinks OUT_QK_BF16 = new Sinks("_slf[_tau]", "_sli[_tau]", new CBody.Buf("_dQ", "0", null),
                new CBody.Buf("_dK", "0", null), null, null, null, true);

        /** The split form's outputs pass, per value tile: the tile's values alone. */
        static final Sinks V_TILE_BF16 = new Sinks(null, null, null, null, new CBody.Buf("_dV", "0", null), "_j0", "_tw",
                true);
    }

    /** Elements per lane a prologue loads before it stores (loads in flight; see {@link CBody#batched}). */
    static final int PROLOGUE_BATCH = 8;

    /**
     * Elements per lane the states pass's prologue loads before it stores: its 4 lanes a step then load the tile's
     * 64 keys and 64 values (16-byte loads) in one wait for memory per chunk, where 8 lanes a step took two.
     */
    static final int STATES_BATCH = 16;

    private static CCode prologue(CellIR ir, LinearRecurrence lr, CBody g, boolean lanes, Sinks to) {
        CCode pro = new CCode();
        bindDecls(ir, g, null);
        if (lanes) g.strided("_sub", "_G").batched(to == Sinks.STATES_BF16 ? STATES_BATCH : PROLOGUE_BATCH);
        if (lanes && to.writers()) g.wide4();
        // the log gates are stored after the vectors: with no store between, their loads join the vectors' first
        // batch instead of each waiting for memory on its own
        if (to.lf() != null) {
            String lf = g.scalar(g.prepare(lr.logForget(), pro), null, null);
            pro.line("const float _lfv = " + lf + ";");
            String li = g.scalar(g.prepare(lr.logInput(), pro), null, null);
            pro.line("const float _liv = " + li + ";");
        }
        String DK = lr.keyDim().name(), DV = lr.valueDim().name();
        Expr q = to.q() == null ? null : g.prepare(lr.query(), pro), k = to.k() == null ? null : g.prepare(lr.key(), pro);
        Expr v = to.v() == null ? null : g.prepare(lr.value(), pro);
        // a tile's form needs only its value columns (the others are never read): with lanes, only those are loaded;
        // the same for the keys of a key tile, and no queries where the form has none
        List<CBody.VecSink> sinks = new ArrayList<>();
        if (q != null) sinks.add(CBody.VecSink.all(to.q(), q, DK));
        if (k != null) sinks.add(lanes && to.kFrom() != null ? new CBody.VecSink(to.k(), k, DK, to.kFrom(), to.kCount())
                : CBody.VecSink.all(to.k(), k, DK));
        if (v != null) sinks.add(lanes && to.vFrom() != null ? new CBody.VecSink(to.v(), v, DV, to.vFrom(), to.vCount())
                : CBody.VecSink.all(to.v(), v, DV));
        g.emitAll(pro, sinks);
        if (to.lf() != null) pro.line("if (_sub == 0) { " + to.lf() + " = _lfv; " + to.li() + " = _liv; }");
        return pro;
    }

    // ------------------------------------------------------------------ row kernels

    /** The dim N when the kernel is elementwise over one dim (no reductions, no matrices, no scalar outputs). */
    static String elementwiseDim(CellIR c) {
        Set<String> dims = new TreeSet<>();
        for (Decl d : c.tensorArgs()) {
            switch (d.type()) {
                case Type.Vec v -> dims.add(v.d().name());
                case Type.Scalar s -> { if (d.role() == Decl.Role.OUTPUT) return null; }
                default -> { return null; }
            }
        }
        for (Stmt s : c.body()) {
            if (s.type() instanceof Type.Mat) return null;
            if (s.type() instanceof Type.Vec v) dims.add(v.d().name());
            if (Exprs.any(s.value(), x -> x.type() instanceof Type.Mat || x instanceof Expr.Call call && switch (call.fn()) {
                case DOT, SUM, MATVEC, OUTER, ALL_ZERO -> true;
                default -> false;
            })) return null;
        }
        return dims.size() == 1 ? dims.iterator().next() : null;
    }

    private KernelModel rowsKernel(ScheduledCell sc) {
        CellIR cell = sc.cell();
        String N = elementwiseDim(cell);
        List<VariantModel> variants = new ArrayList<>();
        if (N != null) {
            for (ScheduledCell.Variant v : sc.variants())
                variants.add(new VariantModel(cond(v), label(v), render("elementwiseVariant", "e", elementwise(v.ir(), id(N), false, false))));
            String body = render("rowsElementwise", "r", new RowsModel(id(N), "0", variants));
            return model(sc, ScheduleKind.ROWS, "items", "rows*((" + N + "+7)/8)", "0", body);
        }
        List<Poly> needs = new ArrayList<>();
        for (ScheduledCell.Variant v : sc.variants()) {
            CBody g = new CBody(CFamilyEmitter::id, "_scb");
            CCode body = stepBody(v.ir(), g, Map.of());
            needs.add(g.scratch());
            variants.add(new VariantModel(cond(v), label(v), body.toString()));
        }
        Poly perRow = distinctSum(needs);
        String body = render("rowsItems", "r", new RowsModel(null, c(perRow), variants));
        return model(sc, ScheduleKind.ROWS, "items", "rows", perFormula("rows", perRow), body);
    }

    /**
     * The CUDA twins of an elementwise kernel whose outputs are stored as bf16 (rounded to nearest even) for a bf16
     * matrix product that reads them next, entry {@code <entry>_bf16}, and ({@code inputs}) whose vector inputs are
     * read as bf16 too, entry {@code <entry>_bf16io}, for those a bf16 product writes: the same per-element float32
     * code, the pointers {@code unsigned short*}. They save conversion kernels and half the bytes.
     */
    private KernelModel bf16Kernel(ScheduledCell sc, KernelModel rows, boolean inputs) {
        CellIR cell = sc.cell();
        String N = elementwiseDim(cell);
        List<VariantModel> variants = new ArrayList<>();
        for (ScheduledCell.Variant v : sc.variants())
            variants.add(new VariantModel(cond(v), label(v), render("elementwiseVariant", "e", elementwise(v.ir(), id(N), true, inputs))));
        String body = render("rowsElementwise", "r", new RowsModel(id(N), "0", variants));
        Set<String> outs = new TreeSet<>(), ins = new TreeSet<>();
        for (Decl d : cell.outputs()) outs.add(id(d.name()));
        if (inputs) for (Decl d : cell.inputs()) if (d.type() instanceof Type.Vec) ins.add(id(d.name()));
        List<ParamModel> params = new ArrayList<>();
        for (ParamModel p : rows.params())
            params.add(outs.contains(p.name()) ? p.asBf16() : ins.contains(p.name()) ? p.asBf16In() : p);
        List<String> doc = new ArrayList<>(rows.doc());
        if (inputs) doc.add("Inputs " + String.join(", ", ins) + " read as bf16, from a bf16 product");
        doc.add("Outputs " + String.join(", ", outs) + " stored as bf16 (round to nearest even), for a bf16 product that reads them");
        return new KernelModel(rows.entry() + (inputs ? BF16_IO : BF16_OUT), rows.unit(), rows.unitKind(), rows.schedule(),
                rows.launch(), rows.count(), rows.scratch(), params, doc, body);
    }

    /** Entry-point suffixes of an elementwise kernel's bf16 twins (CUDA): outputs, inputs and outputs. */
    public static final String BF16_OUT = "_bf16", BF16_IO = "_bf16io";

    /**
     * Per element code of an elementwise kernel: the 8-wide path (lanes _k) and the scalar path (element _e); with
     * {@code bf16Out} its outputs are stored as bf16, with {@code bf16In} its vector inputs are read as bf16.
     */
    private static ElementwiseModel elementwise(CellIR c, String N, boolean bf16Out, boolean bf16In) {
        Set<String> used = new TreeSet<>();
        for (Stmt s : c.body()) Exprs.any(s.value(), x -> { if (x instanceof Expr.Ref r) used.add(r.name()); return false; });
        List<String> aligned = new ArrayList<>();
        List<Lane> loads = new ArrayList<>(), stores = new ArrayList<>();
        // inputs read as bf16 take 8-byte loads of 4 (XL_LOAD4_BF16); weights stay float32
        for (Decl d : c.inputs())
            if (d.type() instanceof Type.Vec && used.contains(d.name()))
                loads.add(new Lane(id(d.name()), id(d.name()) + " + _rb + _e0", bf16In ? "XL_LOAD4_BF16" : "XL_LOAD4"));
        for (Decl d : c.weights())
            if (d.type() instanceof Type.Vec && used.contains(d.name())) loads.add(new Lane(id(d.name()), id(d.name()) + " + _e0", "XL_LOAD4"));
        for (Decl d : c.outputs()) stores.add(new Lane(id(d.name()), id(d.name()) + " + _rb + _e0", bf16Out ? "XL_STORE4_BF16" : "XL_STORE4"));
        for (Lane l : loads) aligned.add((l.macro().endsWith("_BF16") ? "XL_ALIGNED8(" : "XL_ALIGNED16(") + l.address() + ")");
        for (Lane l : stores) aligned.add((bf16Out ? "XL_ALIGNED8(" : "XL_ALIGNED16(") + l.address() + ")");
        return new ElementwiseModel(N, aligned, loads, stores, perElement(c, true, bf16Out, false),
                perElement(c, false, bf16Out, bf16In));
    }

    private static String perElement(CellIR c, boolean wide, boolean bf16Out, boolean bf16In) {
        CBody g = new CBody(CFamilyEmitter::id, "_scb");
        for (Decl d : c.inputs())
            g.bind(Expr.RefKind.INPUT, d.name(), new CBody.Local(d.type() instanceof Type.Scalar ? id(d.name()) + "[_row]"
                    : wide ? "_l_" + id(d.name()) + "[_k]"
                    : bf16In ? "xl_bf16f(" + id(d.name()) + "[_rb + _e])" : id(d.name()) + "[_rb + _e]"));
        for (Decl d : c.weights())
            g.bind(Expr.RefKind.WEIGHT, d.name(), new CBody.Local(d.type() instanceof Type.Scalar ? id(d.name()) + "[0]"
                    : wide ? "_l_" + id(d.name()) + "[_k]" : id(d.name()) + "[_e]"));
        for (Param p : c.params()) g.bind(Expr.RefKind.PARAM, p.name(), new CBody.Local(id(p.name())));
        for (Dim d : c.dims()) g.bind(Expr.RefKind.DIM, d.name(), new CBody.Local(CBody.dimValue(id(d.name()))));
        CCode code = new CCode();
        for (Stmt s : c.body()) {
            String v = "_v_" + s.name();
            String ct = s.type() instanceof Type.Bool ? "int" : "float";
            code.line("const " + ct + " " + v + " = " + g.scalar(s.value(), null, null) + "; // " + IrPrinter.stmt(s));
            g.bind(s.kind() == Stmt.Kind.LET ? Expr.RefKind.LET : Expr.RefKind.OUTPUT, s.name(), new CBody.Local(v));
            if (s.kind() == Stmt.Kind.OUTPUT)
                code.line((wide ? "_l_" + id(s.name()) + "[_k]" : id(s.name()) + "[_rb + _e]") + " = "
                        + (bf16Out && !wide ? "xl_bf16(" + v + ")" : v) + ";");
        }
        return code.toString();
    }

}
