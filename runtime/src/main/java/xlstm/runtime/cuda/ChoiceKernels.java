package xlstm.runtime.cuda;

import xlstm.backends.Flags;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * Typed launches of the kernels in {@code xlstm/runtime/cuda/choice.cu}, which choose each row's next token on the
 * device (its build-time sm_90 cubin, else compiled once by NVRTC, after {@link GlueKernels#PRELUDE}; {@link
 * PrebuiltModules}): the arg-max, the top-k candidates and the sampler's draw. Each call queues one launch on the
 * context's stream; arguments are device addresses ({@code long}) and sizes.
 */
final class ChoiceKernels {
    static final String RESOURCE = "xlstm/runtime/cuda/choice.cu";
    /** The kernels this class launches, by entry name. */
    static final java.util.List<String> ENTRIES = java.util.List.of("xl_argmax", "xl_topk", "xl_sample", "xl_sample_cluster");

    private final CudaContext ctx;
    private final CuFunction argmax, topK, sample, sampleCluster;
    private final int clustersAtOnce;
    /** {@link #drawsInClusters}, read once. */
    private final boolean drawInClusters;
    /** Launches as programmatic dependent launches (each kernel waits for its predecessor at its top). */
    private boolean dependent;

    ChoiceKernels(CudaContext ctx) {
        this.ctx = ctx;
        CuModule m = PrebuiltModules.module(ctx, "choice.cu", GlueKernels.source(RESOURCE, defines()));
        argmax = ctx.function(m, "xl_argmax");
        topK = ctx.function(m, "xl_topk");
        sample = ctx.function(m, "xl_sample");
        // thread-block clusters are sm_90's (the source leaves that entry out below), and a GPU, or a partition of
        // one, must be able to place a cluster's work-groups together: else the draw stays on one work-group a row
        CuFunction c = ctx.device().computeCapability() >= 90 ? ctx.function(m, "xl_sample_cluster") : null;
        clustersAtOnce = c == null ? 0 : ctx.maxActiveClusters(c, DRAW_CLUSTER, 1024, 0);
        sampleCluster = clustersAtOnce > 0 ? c : null;
        drawInClusters = sampleCluster != null && Flags.boolFlag("xlstm.cuda.drawCluster", true);
    }

    /** How many of the draw's clusters the device can hold at once (0: the draw does not use clusters). */
    int clustersAtOnce() { return clustersAtOnce; }

    /** The source's settings: the cluster size of the draw. */
    static String defines() {
        return "#define XL_DRAW_CLUSTER " + DRAW_CLUSTER + "\n";
    }

    /** Queues the kernels as programmatic dependent launches or as plain launches (default). */
    void dependentLaunches(boolean on) { dependent = on; }

    private void launch(CuFunction f, long grid, int block, KernelArgs args) {
        ctx.launch(f, grid, block, 0, args, dependent);
    }

    /**
     * The arg-max of the first {@code n} of each of {@code rows} rows of v floats into {@code ids} (int64); n < v
     * leaves out the embedding rows a tokenizer has no token for.
     */
    void argmax(long logits, int rows, int v, int n, long ids) {
        if (n < 1 || n > v) throw new IllegalArgumentException("arg-max over " + n + " of " + v + " logits");
        launch(argmax, rows, 1024, new KernelArgs().ptr(logits).i32(v).i32(n).ptr(ids));
    }

    /**
     * The {@code k} largest of the first {@code n} of each of {@code rows} rows of v floats, in the sampler's order
     * (a NaN as -inf; ties: the smaller ids), unordered: k floats a row into {@code vals}, their ids (int32) into
     * {@code ids}.
     */
    void topK(long logits, int rows, int v, int n, int k, long vals, long ids) {
        if (n < 1 || n > v || k < 1 || k > n) throw new IllegalArgumentException("top-" + k + " of " + n + " of " + v + " logits");
        launch(topK, rows, 1024, new KernelArgs().ptr(logits).i32(v).i32(n).i32(k).ptr(vals).ptr(ids));
    }

    /** Work-groups a row of {@link #sample} takes in its cluster form (choice.cu's XL_DRAW_CLUSTER). */
    static final int DRAW_CLUSTER = 8;

    /**
     * Whether {@link #sample} spreads a row over a thread-block cluster ({@code -Dxlstm.cuda.drawCluster}, default
     * true; sm_90 and later, where the device can place one) rather than one work-group.
     */
    boolean drawsInClusters() {
        return drawInClusters;
    }

    /**
     * Each of {@code rows} rows' next token into {@code ids} (int64), drawn as the host sampler draws from the first
     * {@code n} of the row's v logits with the row's number in {@code uniforms} (float64, in [0, 1)): softmax(x / T)
     * over the k largest (k = n: all), then the nucleus of topP (1: all). {@code weights}: rows·n int64 of scratch.
     */
    void sample(long logits, int rows, int v, int n, int k, double invT, double topP, long uniforms, long weights, long ids) {
        sample(logits, rows, v, n, k, invT, topP, uniforms, weights, ids, drawsInClusters());
    }

    /** {@link #sample} on a cluster of {@link #DRAW_CLUSTER} work-groups a row, or on one. */
    void sample(long logits, int rows, int v, int n, int k, double invT, double topP, long uniforms, long weights, long ids,
            boolean cluster) {
        if (n < 1 || n > v || k < 1 || k > n) throw new IllegalArgumentException("a draw from the top-" + k + " of " + n + " of " + v + " logits");
        if (!(invT > 0) || !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("a draw at 1/T " + invT + ", top-p " + topP);
        if (cluster && sampleCluster == null) {
            throw new IllegalStateException("the draw's cluster form needs sm_90 and room for a cluster of " + DRAW_CLUSTER);
        }
        launch(cluster ? sampleCluster : sample, (long) rows * (cluster ? DRAW_CLUSTER : 1), 1024, new KernelArgs().ptr(logits)
                .i32(v).i32(n).i32(k).i64(Double.doubleToRawLongBits(invT)).i64(Double.doubleToRawLongBits(topP))
                .ptr(uniforms).ptr(weights).ptr(ids));
    }
}
