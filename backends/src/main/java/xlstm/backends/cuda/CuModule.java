package xlstm.backends.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A loaded module ({@code CUmodule}) of one source: what it was compiled for ({@code compute_90} PTX, or {@code sm_90}
 * cubin) and the SHA-256 it is cached under.
 */
public record CuModule(MemorySegment handle, String name, String target, String hash, String log) {}
