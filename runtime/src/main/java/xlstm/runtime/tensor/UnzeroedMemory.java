package xlstm.runtime.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Native memory that is not zero-filled, for {@link Tensor#empty}: {@code Arena.allocate} fills every byte on the
 * calling thread, which for a prefill's logits (hundreds of MB) is a long single-threaded pause before a parallel
 * product overwrites them anyway. This takes the memory from C's {@code malloc} (large blocks are fresh pages, zeroed
 * by the OS when the writing threads first touch them) and frees it when the segment becomes unreachable, as an
 * automatic arena does. Without native access for this module ({@code --enable-native-access}) or a C library at hand
 * it falls back to a zeroed allocation.
 */
final class UnzeroedMemory {
    private static final int ALIGN = 64;
    private static final MethodHandle MALLOC, FREE;

    static {
        MethodHandle malloc = null, free = null;
        // without native access, linking would print a warning (or fail): take the zeroed allocation instead
        if (UnzeroedMemory.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                malloc = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                free = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            } catch (RuntimeException | LinkageError e) {
                malloc = null;
                free = null;
            }
        }
        MALLOC = malloc;
        FREE = free;
    }

    private UnzeroedMemory() {}

    /** {@code bytes} bytes aligned to 64, contents undefined. */
    static MemorySegment allocate(long bytes) {
        if (MALLOC == null) return Arena.ofAuto().allocate(Math.max(bytes, 1), ALIGN).asSlice(0, bytes);
        long size = Math.max(bytes, 1) + ALIGN;
        MemorySegment raw;
        try {
            raw = (MemorySegment) MALLOC.invokeExact(size);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc failed", t);
        }
        if (raw.address() == 0) throw new OutOfMemoryError("malloc of " + size + " bytes failed");
        MemorySegment owned = raw.reinterpret(size, Arena.ofAuto(), UnzeroedMemory::free);
        long pad = (ALIGN - (owned.address() & (ALIGN - 1))) & (ALIGN - 1);
        return owned.asSlice(pad, bytes);
    }

    private static void free(MemorySegment s) {
        try {
            FREE.invokeExact(s);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
