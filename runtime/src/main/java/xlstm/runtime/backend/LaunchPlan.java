package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one call of a generated C-family kernel needs, derived from its {@code index.tsv} line and the call's
 * arguments alone (no device): the arguments checked against the C signature, the values of the formula names
 * ({@code B}, {@code NH}, {@code S}, dims, {@code chunkSize}, {@code rows}, {@code N}, and {@code L} =
 * {@code max(1, min(chunkSize, S))}), the work count, the scratch size, and the launch geometry for a block size
 * (docs/glue-contract.md, "Launch").
 *
 * @param scratchParam whether the kernel takes the trailing scratch buffer (all generated kernels do)
 */
record LaunchPlan(KernelIndex.Entry entry, Map<String, Long> vars, long count, long scratchFloats,
        boolean scratchParam, int sharedBytes) {

    /** A 1-D launch: {@code grid} blocks (work-groups) of {@code block} threads; grid 0 = nothing to launch. */
    record Geometry(long grid, int block) {
        /** OpenCL's global size. */
        long global() { return grid * block; }
    }

    /**
     * Checks {@code args} against {@code e}'s signature ({@code int} takes an Integer or a Boolean, {@code float} a
     * Float, a pointer a MemorySegment or, for a device-resident call, a DevicePointer) and evaluates its formulas; an {@link IllegalStateException} names the
     * mismatch.
     */
    static LaunchPlan of(KernelIndex.Entry e, Object... args) {
        List<KernelIndex.Param> params = e.params();
        boolean scratchParam = params.size() == args.length + 1;
        if (!scratchParam && params.size() != args.length) {
            throw new IllegalStateException("kernel " + e.entry() + " takes " + params.size() + " arguments ("
                    + params + "), the call has " + args.length);
        }
        Map<String, Long> vars = new HashMap<>();
        for (int a = 0; a < args.length; a++) {
            KernelIndex.Param p = params.get(a);
            Object v = args[a];
            boolean ok = switch (v) {
                case Integer x -> p.type().equals("int");
                case Boolean x -> p.type().equals("int");
                case Float x -> p.type().equals("float");
                case MemorySegment x -> p.pointer();
                case DevicePointer x -> p.pointer();
                case null, default -> false;
            };
            if (!ok) {
                throw new IllegalStateException("kernel " + e.entry() + ": argument " + a + " (" + p.type() + " "
                        + p.name() + ") cannot take " + (v == null ? "null" : "a " + v.getClass().getSimpleName()));
            }
            if (v instanceof Integer x) vars.put(p.name(), (long) x);
        }
        if (scratchParam && !params.getLast().pointer()) {
            throw new IllegalStateException("kernel " + e.entry() + ": the last parameter " + params.getLast()
                    + " should be the scratch buffer");
        }
        Long s = vars.get("S"), chunk = vars.get("chunkSize");
        if (s != null) vars.put("L", Math.max(1, chunk == null ? s : Math.min(chunk, s)));
        vars.putIfAbsent("L", 1L);
        long count = KernelIndex.eval(e.count(), vars);
        long scratch = scratchParam ? KernelIndex.eval(e.scratch(), vars) : 0;
        if (count < 0 || scratch < 0) {
            throw new IllegalStateException("kernel " + e.entry() + ": negative count " + count + " or scratch " + scratch);
        }
        long shared = KernelIndex.eval(e.shared(), vars);
        if (shared < 0 || shared > Integer.MAX_VALUE) {
            throw new IllegalStateException("kernel " + e.entry() + ": shared memory of " + shared + " bytes");
        }
        return new LaunchPlan(e, Map.copyOf(vars), count, scratch, scratchParam, (int) shared);
    }

    /** The scratch buffer's size in bytes: at least 4 (a kernel with no scratch still gets a valid pointer). */
    long scratchBytes() { return 4 * Math.max(1, scratchFloats); }

    /**
     * The geometry for a preferred {@code block} size and a kernel that allows at most {@code maxBlock} threads per
     * block: {@code items} -> ceil(count / L) blocks of L; {@code group} -> one block of {@code groupBlock} (capped);
     * {@code groups} -> count blocks of L.
     */
    Geometry geometry(int block, int groupBlock, int maxBlock) {
        if (block < 1 || groupBlock < 1 || maxBlock < 1) {
            throw new IllegalArgumentException("block sizes must be >= 1: " + block + ", " + groupBlock + ", " + maxBlock);
        }
        int l = Math.min(block, maxBlock);
        if (entry.threads() > 0) {
            // a kernel written for an exact work-group size (e.g. 8 warps sharing fixed tiles)
            if (entry.threads() > maxBlock) {
                throw new IllegalStateException(entry.entry() + " needs work-groups of " + entry.threads()
                        + " threads, the kernel allows at most " + maxBlock);
            }
            l = entry.threads();
        }
        return switch (entry.launch()) {
            case "items" -> new Geometry((count + l - 1) / l, l);
            case "group" -> new Geometry(1, Math.min(groupBlock, maxBlock));
            case "groups" -> new Geometry(count, l);
            default -> throw new IllegalStateException(entry.entry() + ": unknown launch kind '" + entry.launch()
                    + "' in index.tsv");
        };
    }

    /** Whether argument {@code a} is a tensor the kernel writes (a state or output), to be copied back. */
    boolean written(int a) {
        return entry.params().get(a).written();
    }
}
