package xlstm.backends.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Native memory on 2 MiB pages where Linux gives them: aligned to 2 MiB with {@code posix_memalign} and advised
 * {@code MADV_HUGEPAGE} before anything touches it (transparent huge pages in "madvise" mode, the common default,
 * only back advised ranges). A decode step streams hundreds of MB of weights: on 4 KiB pages that is a TLB miss per
 * 4 KiB and a hardware prefetcher that stops at every page boundary. Freed when the segment becomes unreachable.
 * Without native access or these C functions, {@link #allocate} gives ordinary memory and {@link #advised} is false.
 */
public final class HugePages {
    static final long PAGE = 2L << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MEMALIGN, MADVISE, FREE;

    static {
        MethodHandle memalign = null, madvise = null, free = null;
        if (HugePages.class.getModule().isNativeAccessEnabled() && System.getProperty("os.name", "").startsWith("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                memalign = linker.downcallHandle(lookup.find("posix_memalign").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(lookup.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                free = linker.downcallHandle(lookup.find("free").orElseThrow(),
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            } catch (RuntimeException | LinkageError e) {
                memalign = madvise = free = null;
            }
        }
        MEMALIGN = memalign;
        MADVISE = madvise;
        FREE = free;
    }

    private HugePages() {}

    /** A block of {@code bytes} bytes, contents undefined; on 2 MiB pages when {@link #advised} says so. */
    public record Block(MemorySegment segment, boolean advised) {}

    /**
     * {@code bytes} bytes aligned to 2 MiB and advised for huge pages when possible, else 64-byte aligned; freed when
     * no segment of it is reachable any more.
     */
    public static Block allocate(long bytes) {
        return allocate(bytes, Arena.ofAuto());
    }

    /**
     * As {@link #allocate(long)}, freed when {@code arena} closes: for memory whose only users are short-lived tasks
     * (freed at a known point rather than whenever the GC finds the last reference gone).
     */
    public static Block allocate(long bytes, Arena arena) {
        if (MEMALIGN == null) return new Block(arena.allocate(Math.max(bytes, 1), 64).asSlice(0, bytes), false);
        long size = (Math.max(bytes, 1) + PAGE - 1) / PAGE * PAGE;
        MemorySegment raw;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ValueLayout.ADDRESS);
            int rc = (int) MEMALIGN.invokeExact(out, PAGE, size);
            if (rc != 0) throw new OutOfMemoryError("posix_memalign of " + size + " bytes failed (" + rc + ")");
            raw = out.get(ValueLayout.ADDRESS, 0);
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("posix_memalign failed", t);
        }
        boolean advised;
        try {
            advised = (int) MADVISE.invokeExact(raw, size, MADV_HUGEPAGE) == 0;
        } catch (Throwable t) {
            advised = false;
        }
        MemorySegment owned = raw.reinterpret(size, arena, HugePages::free);
        return new Block(owned.asSlice(0, bytes), advised);
    }

    private static void free(MemorySegment s) {
        try {
            FREE.invokeExact(s);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
