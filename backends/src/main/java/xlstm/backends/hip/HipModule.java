package xlstm.backends.hip;

import java.lang.foreign.MemorySegment;

/**
 * A loaded module ({@code hipModule_t}) of one source or code object: what it was built for ({@code hiprtc
 * (device default)}, {@code gfx90a}, or {@code code object}) and the SHA-256 it is cached under.
 */
public record HipModule(MemorySegment handle, String name, String target, String hash, String log) {}
