package xlstm.backends.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of one {@code cuLaunchKernel}, in the kernel's parameter order: {@code int}, {@code long long}, {@code float}
 * and device pointers. {@link #pack} lays them out as the driver wants them: a {@code void*[n]} whose entry {@code i}
 * points to the value of parameter {@code i} (4 bytes for {@code int}/{@code float}, 8 for {@code long long} and a pointer).
 */
public final class KernelArgs {
    /** One argument. */
    public sealed interface Arg permits I32, I64, F32, Ptr {}

    public record I32(int value) implements Arg {}

    public record I64(long value) implements Arg {}

    public record F32(float value) implements Arg {}

    /** A {@code CUdeviceptr} (0 passes NULL). */
    public record Ptr(long devicePointer) implements Arg {}

    private final List<Arg> args = new ArrayList<>();

    public KernelArgs i32(int v) {
        args.add(new I32(v));
        return this;
    }

    /** A 64-bit integer ({@code long long}, {@code size_t}). */
    public KernelArgs i64(long v) {
        args.add(new I64(v));
        return this;
    }

    public KernelArgs f32(float v) {
        args.add(new F32(v));
        return this;
    }

    public KernelArgs ptr(long devicePointer) {
        args.add(new Ptr(devicePointer));
        return this;
    }

    public int size() { return args.size(); }

    public List<Arg> args() { return List.copyOf(args); }

    /**
     * The {@code void** kernelParams} of {@code cuLaunchKernel}, allocated in {@code arena} (which must live until
     * the launch call returns; the driver copies the values at launch).
     */
    public MemorySegment pack(Arena arena) {
        MemorySegment table = arena.allocate(ADDRESS, Math.max(1, args.size()));
        MemorySegment values = arena.allocate(8L * Math.max(1, args.size()), 8);
        for (int i = 0; i < args.size(); i++) {
            MemorySegment slot = values.asSlice(8L * i, 8);
            switch (args.get(i)) {
                case I32(int v) -> slot.set(JAVA_INT, 0, v);
                case I64(long v) -> slot.set(JAVA_LONG, 0, v);
                case F32(float v) -> slot.set(JAVA_FLOAT, 0, v);
                case Ptr(long p) -> slot.set(JAVA_LONG, 0, p);
            }
            table.setAtIndex(ADDRESS, i, slot);
        }
        return table;
    }

    @Override
    public String toString() { return args.toString(); }
}
