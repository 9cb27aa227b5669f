package xlstm.backends.hip;

import java.lang.foreign.MemorySegment;

/** A kernel ({@code hipFunction_t}) of a module, with the block size it may be launched with. */
public record HipFunction(MemorySegment handle, String name, int maxThreadsPerBlock) {}
