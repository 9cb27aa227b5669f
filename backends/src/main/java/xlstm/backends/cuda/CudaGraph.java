package xlstm.backends.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A captured and instantiated CUDA graph ({@link CudaContext#capture}): one {@link #launch()} queues the whole
 * recorded sequence on the context's stream, which saves the per-kernel launch cost of a decode step.
 */
public final class CudaGraph implements AutoCloseable {
    private final CudaContext ctx;
    private final MemorySegment graph, exec;
    private boolean closed;

    CudaGraph(CudaContext ctx, MemorySegment graph, MemorySegment exec) {
        this.ctx = ctx;
        this.graph = graph;
        this.exec = exec;
    }

    /** Queues the recorded work on the context's stream. */
    public void launch() {
        if (closed) throw new IllegalStateException("CUDA graph launched after close");
        ctx.makeCurrent();
        ctx.driver().graphLaunch(exec, ctx.stream());
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ctx.makeCurrent();
        ctx.driver().graphExecDestroy(exec);
        ctx.driver().graphDestroy(graph);
    }
}
