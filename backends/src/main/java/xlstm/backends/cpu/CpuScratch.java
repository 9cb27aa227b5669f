package xlstm.backends.cpu;

/**
 * Per-thread scratch arrays for the generated kernels' per-task temporaries (a query row scaled, a matvec result),
 * so that a decode step allocates nothing: slot s of the calling thread, grown when too short and kept. Contents are
 * whatever the last user left: a kernel writes a scratch row before it reads it. A kernel must not call another
 * kernel while it holds a slot (generated kernels never do).
 */
public final class CpuScratch {
    private static final ThreadLocal<float[][]> SLOTS = ThreadLocal.withInitial(() -> new float[8][]);
    private static final ThreadLocal<float[]> SHARED = ThreadLocal.withInitial(() -> new float[0]);

    private CpuScratch() {}

    /** At least {@code n} floats, this thread's slot {@code slot}. */
    public static float[] floats(int slot, int n) {
        float[][] s = SLOTS.get();
        if (slot >= s.length) {
            s = java.util.Arrays.copyOf(s, Math.max(slot + 1, 2 * s.length));
            SLOTS.set(s);
        }
        float[] a = s[slot];
        if (a == null || a.length < n) s[slot] = a = new float[n];
        return a;
    }

    /**
     * At least {@code n} floats that a kernel's calling thread shares with the tasks of its parallel passes for the
     * length of one call (the chunkwise schedule's chunk start states, written by one pass and read by the next):
     * apart from the slots, which the tasks themselves use, also when the caller runs tasks. Grown when too short and
     * kept; contents are whatever the last call left.
     */
    public static float[] shared(int n) {
        float[] a = SHARED.get();
        if (a.length < n) SHARED.set(a = new float[n]);
        return a;
    }
}
