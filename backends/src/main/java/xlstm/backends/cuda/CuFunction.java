package xlstm.backends.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A kernel ({@code CUfunction}) of a module, with the block size it may be launched with (less than the device's when
 * it needs many registers) and its register count.
 */
public record CuFunction(MemorySegment handle, String name, int maxThreadsPerBlock, int registers) {}
