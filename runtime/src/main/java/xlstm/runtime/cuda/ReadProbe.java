package xlstm.runtime.cuda;

import java.util.List;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * A kernel that only reads a device buffer ({@code read_probe.cu}): the bandwidth a decode step, which reads its
 * weights and writes almost nothing, could reach. The benchmark times it with CUDA events.
 */
public final class ReadProbe {
    static final String RESOURCE = "xlstm/runtime/cuda/read_probe.cu";
    static final List<String> ENTRIES = List.of("xl_read_probe");
    /** Work-groups of {@link #THREADS} per multiprocessor: 2 to 16 read at the same speed on the H200. */
    static final int GROUPS_PER_SM = 8, THREADS = 512;

    private final CudaContext ctx;
    private final CuFunction read;

    public ReadProbe(CudaContext ctx) {
        this.ctx = ctx;
        CuModule m = PrebuiltModules.module(ctx, "read_probe.cu", GlueKernels.source(RESOURCE));
        read = ctx.function(m, "xl_read_probe");
    }

    /** Queues a read of {@code bytes} (a multiple of 16) at {@code buffer}; {@code sink}: 4 bytes it may write. */
    public void read(long buffer, long bytes, long sink) {
        if (bytes <= 0 || bytes % 16 != 0) throw new IllegalArgumentException("read probe of " + bytes + " bytes");
        long groups = (long) Math.max(1, ctx.device().multiprocessors()) * GROUPS_PER_SM;
        ctx.launch(read, groups, THREADS, new KernelArgs().ptr(buffer).i64(bytes / 16).ptr(sink));
    }
}
