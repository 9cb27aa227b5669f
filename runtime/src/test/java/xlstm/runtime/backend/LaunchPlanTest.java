package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import xlstm.runtime.config.ActivationFn;

/**
 * The device-independent half of the C-family launchers, without a device: every {@link KernelBackend} method
 * reaches a CUDA kernel of this build's index with arguments that match its C signature (order and kinds), and the
 * counts, scratch sizes and launch geometries follow docs/glue-contract.md.
 */
class LaunchPlanTest {
    static KernelIndex cuda() {
        KernelIndex i = KernelIndex.load(CudaKernels.FOLDER);
        assertTrue(i != null && i.size() > 0, CudaKernels.FOLDER + "/index.tsv is on the class path (module generated)");
        return i;
    }

    /** Every call of the backend interface, planned against the CUDA index instead of launched. */
    static final class Recorder extends IndexedKernels {
        final KernelIndex index;
        final Map<String, LaunchPlan> plans = new LinkedHashMap<>();
        final List<Object[]> calls = new ArrayList<>();

        Recorder(KernelIndex index) { this.index = index; }

        @Override
        void call(String entry, Object... args) {
            KernelIndex.Entry e = index.get(entry);
            assertTrue(e != null, entry + " is in " + index.folder() + "/index.tsv");
            plans.put(entry, LaunchPlan.of(e, args));
            calls.add(args);
        }

        @Override public String name() { return "recorder"; }

        @Override public String device() { return "none"; }
    }

    @Test
    void everyBackendMethodMatchesItsCudaKernelsSignature() {
        Recorder r = new Recorder(cuda());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(64);
            r.mlstmStep(1, 2, 3, 4, t, t, t, t, t, t, t, t, t, 1e-6f);
            r.mlstmSequence(1, 2, 5, 3, 4, t, t, t, t, t, t, t, t, t, 1e-6f);
            r.mlstmChunkwise(1, 2, 5, 3, 4, 2, t, t, t, t, t, t, t, t, t, 1e-6f);
            r.mlstmParallel(1, 2, 5, 3, 4, t, t, t, t, t, t, 1e-6f);
            r.mlstmSigStep(1, 2, 3, 4, t, t, t, t, t, t, t, t, 1e-6f, true);
            r.mlstmSigSequence(1, 2, 5, 3, 4, t, t, t, t, t, t, t, t, 1e-6f, false);
            r.mlstmSigChunkwise(1, 2, 5, 3, 4, 2, t, t, t, t, t, t, t, t, 1e-6f, true);
            r.mlstmSigParallel(1, 2, 5, 3, 4, t, t, t, t, t, t, 1e-6f, true);
            r.slstmStep(1, 2, 3, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t);
            r.slstmSequence(1, 2, 5, 3, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t);
            r.lstmStep(1, 2, 3, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t);
            r.lstmSequence(1, 2, 5, 3, t, t, t, t, t, t, t, t, t, t, t, t, t, t, t);
            r.softcapRows(3, 10, t, t, 15f);
            r.siluRows(3, 10, t, t);
            r.sigmoidGate(3, 10, t, t, t);
            r.mlstmSkipGate(3, 10, t, t, t, t, t);
            for (ActivationFn act : ActivationFn.values()) r.gatedActivation(act, 3, 10, t, t, t);
        }
        Set<String> all = new TreeSet<>();
        // the tiled chunkwise kernels (also on tensor cores) and the step kernels serve the device-resident model
        // (ResidentKernels), not this interface
        for (KernelIndex.Entry e : r.index.entries()) {
            if (!e.entry().endsWith("_tiled") && !cudaOnly(e)) all.add(e.entry());
        }
        assertEquals(all, new TreeSet<>(r.plans.keySet()), "the backend interface reaches every kernel of the index");
        for (LaunchPlan p : r.plans.values()) {
            assertTrue(p.scratchParam(), p.entry().entry() + " takes the scratch buffer");
            assertTrue(p.count() > 0, p.entry().entry());
        }
        // the small shapes above: B*NH = 2, rows*((N+7)/8) = 3*2, L = min(chunk 2, S 5)
        assertEquals(2, r.plans.get("mlstm_sequence").count());
        assertEquals(2L * (3 + 4), r.plans.get("mlstm_sequence").scratchFloats());
        assertEquals(2L, r.plans.get("mlstm_chunkwise").vars().get("L"));
        assertEquals(2L * (3 + 2 * 3 * 2 + 2 * 4 * 2 + 8 * 2 + 2 * 2), r.plans.get("mlstm_chunkwise").scratchFloats());
        assertEquals(5L, r.plans.get("mlstm_parallel").vars().get("L"), "no chunkSize: L = S");
        assertEquals(6, r.plans.get("softcap_rows_apply").count());
        assertEquals(4, r.plans.get("softcap_rows_apply").scratchBytes(), "no scratch: still a valid 4-byte buffer");
        assertEquals(1, r.plans.get("slstm_step").count());
    }

    @Test
    void theTiledChunkwiseKernelHasAWorkGroupPer64ValueColumns() {
        KernelIndex.Entry e = cuda().get("mlstm_chunkwise_tiled");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(4);
            // q, k, v, i, f, C, n, m, n_in, m_in, h
            LaunchPlan p = LaunchPlan.of(e, 1, 8, 2048, 256, 512, 64, t, t, t, t, t, t, t, t, t, t, t, 1e-6f);
            assertEquals(8 * 8, p.count());
            assertEquals(64L * (256 + 2 * 256 * 64 + 2 * 512 * 64 + 8 * 64 + 64 * 64), p.scratchFloats());
            for (int i = 0; i < e.params().size() - 1; i++) {
                String name = e.params().get(i).name();
                assertEquals(Set.of("C", "n", "m", "h").contains(name), p.written(i), name);
            }
        }
    }

    @Test
    void theContractsExampleAtXlstm7bHeadSizes() {
        KernelIndex.Entry e = cuda().get("mlstm_chunkwise");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(4);
            LaunchPlan p = LaunchPlan.of(e, 1, 8, 2048, 256, 512, 64, t, t, t, t, t, t, t, t, t, 1e-6f);
            assertEquals(8, p.count());
            assertEquals(8L * 103_168, p.scratchFloats());
            assertEquals(4L * 8 * 103_168, p.scratchBytes());
            assertEquals(new LaunchPlan.Geometry(8, 256), p.geometry(256, 1024, 1024));
            assertEquals(new LaunchPlan.Geometry(8, 128), p.geometry(256, 1024, 128), "capped by the kernel's limit");
            for (int i = 0; i < e.params().size() - 1; i++) {
                String name = e.params().get(i).name();
                assertEquals(Set.of("C", "n", "m", "h").contains(name), p.written(i), name);
            }
        }
    }

    @Test
    void geometriesPerLaunchKind() {
        KernelIndex index = cuda();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(4);
            LaunchPlan items = LaunchPlan.of(index.get("softcap_rows_apply"), 1000, 10, t, t, 15f);
            assertEquals(2000, items.count()); // 1000 rows of 10: 8 and 2 elements a work-item
            assertEquals(new LaunchPlan.Geometry(8, 256), items.geometry(256, 1024, 1024));
            assertEquals(new LaunchPlan.Geometry(2000, 1), items.geometry(1, 1024, 1024));
            assertEquals(2048, items.geometry(256, 1024, 1024).global());
            LaunchPlan none = LaunchPlan.of(index.get("softcap_rows_apply"), 0, 10, t, t, 15f);
            assertEquals(0, none.geometry(256, 1024, 1024).grid(), "no rows: nothing to launch");
            MemorySegment[] s = new MemorySegment[17];
            java.util.Arrays.fill(s, t);
            List<Object> args = new ArrayList<>(List.of(4, 3, 7, 5));
            args.addAll(List.of(s));
            LaunchPlan group = LaunchPlan.of(index.get("slstm_sequence"), args.toArray());
            assertEquals(new LaunchPlan.Geometry(1, 1024), group.geometry(256, 1024, 1024));
            assertEquals(new LaunchPlan.Geometry(1, 640), group.geometry(256, 1024, 640));
            assertEquals(4L * 3 * 11 * 5, group.scratchFloats());
        }
    }

    @Test
    void mismatchedArgumentsAreNamed() {
        KernelIndex.Entry e = cuda().get("softcap_rows_apply");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(4);
            IllegalStateException count = assertThrows(IllegalStateException.class, () -> LaunchPlan.of(e, 1, 2, t, t));
            assertTrue(count.getMessage().contains("takes 6 arguments") && count.getMessage().contains("the call has 4"),
                    count.getMessage());
            IllegalStateException kind = assertThrows(IllegalStateException.class, () -> LaunchPlan.of(e, 1, 2f, t, t, 1f));
            assertTrue(kind.getMessage().contains("argument 1 (int N) cannot take a Float"), kind.getMessage());
            IllegalStateException ptr = assertThrows(IllegalStateException.class, () -> LaunchPlan.of(e, 1, 2, t, 3, 1f));
            assertTrue(ptr.getMessage().contains("argument 3") && ptr.getMessage().contains("cannot take a Integer"),
                    ptr.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LaunchPlan.of(e, 1, 2, t, t, 1f).geometry(0, 1, 1));
        }
    }

    /**
     * The CUDA and OpenCL indexes describe the same kernels (one emitter): launchers may rely on either. CUDA alone
     * has the tensor-core chunkwise forms ({@code _tc}, and split: {@code _tc_states}, {@code _tc_out}).
     */
    @Test
    void cudaAndOpenClIndexesAgree() {
        KernelIndex cl = KernelIndex.load(OpenClKernels.FOLDER), cu = cuda();
        assertTrue(cl != null);
        List<KernelIndex.Entry> shared = cu.entries().stream().filter(e -> !cudaOnly(e)).toList();
        assertEquals(cl.size(), shared.size());
        assertTrue(cu.entries().stream().anyMatch(LaunchPlanTest::tensorCores), "the CUDA index has tensor-core kernels");
        for (KernelIndex.Entry e : cu.entries()) {
            boolean io = e.entry().endsWith("_bf16io");
            if (!io && !e.entry().endsWith("_bf16")) continue;
            // a bf16 twin: the float32 kernel's signature with its outputs as unsigned short* (and for _bf16io its
            // vector inputs as const unsigned short*)
            KernelIndex.Entry f32 = cu.get(e.entry().substring(0, e.entry().length() - (io ? 7 : 5)));
            assertTrue(f32 != null, e.entry() + " twins a float32 kernel");
            assertEquals(List.of(f32.launch(), f32.count(), f32.scratch(), f32.params().size()),
                    List.of(e.launch(), e.count(), e.scratch(), e.params().size()), e.entry());
            int bf16Inputs = 0;
            for (int i = 0; i < e.params().size(); i++) {
                KernelIndex.Param p = e.params().get(i), q = f32.params().get(i);
                // elementwise kernels have no states: every written pointer but scratch is an output
                boolean output = q.written() && !q.name().equals("scratch");
                if (io && q.pointer() && !q.written() && p.type().contains("unsigned short")) {
                    bf16Inputs++;
                    assertEquals("const unsigned short* XL_RESTRICT", p.type(), e.entry() + " " + p.name());
                } else assertEquals(output ? "unsigned short*" : q.type(), p.type(), e.entry() + " " + p.name());
            }
            assertEquals(io, bf16Inputs > 0, e.entry() + ": bf16 inputs only in the io twin");
        }
        for (KernelIndex.Entry c : shared) {
            KernelIndex.Entry o = cl.get(c.entry());
            assertTrue(o != null, c.entry());
            assertEquals(List.of(o.launch(), o.count(), o.scratch(), o.params().size()),
                    List.of(c.launch(), c.count(), c.scratch(), c.params().size()), c.entry());
            for (int i = 0; i < c.params().size(); i++) {
                assertEquals(o.params().get(i).pointer(), c.params().get(i).pointer(), c.entry() + " " + i);
                assertEquals(o.params().get(i).written(), c.params().get(i).written(), c.entry() + " " + i);
            }
            assertTrue(cu.source(c).contains(c.entry() + "("), c.entry() + " is defined in " + c.file());
        }
    }

    @Test
    void theTensorCoreChunkwiseKernelAsksForItsThreadsAndSharedMemory() {
        KernelIndex.Entry e = cuda().get("mlstm_chunkwise_tc");
        assertTrue(e != null, "mlstm_chunkwise_tc is in the CUDA index");
        assertEquals(256, e.threads());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(64);
            LaunchPlan p = LaunchPlan.of(e, 1, 8, 100, 256, 512, 64, t, t, t, t, t, t, t, t, t, t, t, 1e-6f);
            // 64 value columns per work-group; shared memory as cuda.stg's chunkwiseTensor lays it out
            assertEquals(new LaunchPlan.Geometry(64, 256), p.geometry(128, 1024, 1024), "exactly 256 threads");
            long words = 192L * (256 / 2 + 4) + 37L * 256 + 7556;
            assertEquals(4 * words, p.sharedBytes());
            assertThrows(IllegalStateException.class, () -> p.geometry(128, 1024, 128), "a kernel limited below 256");
        }
        KernelIndex.Entry plain = cuda().get("mlstm_chunkwise");
        assertEquals(0, plain.threads());
        assertEquals("0", plain.shared());
    }

    /** CUDA's own kernels: the tensor-core forms and the elementwise kernels' bf16 twins. */
    private static boolean cudaOnly(KernelIndex.Entry e) {
        return tensorCores(e) || e.entry().endsWith("_bf16") || e.entry().endsWith("_bf16io") || e.entry().endsWith("_step_wide");
    }

    private static boolean tensorCores(KernelIndex.Entry e) {
        return e.entry().endsWith("_tc") || e.entry().endsWith("_tc_states") || e.entry().endsWith("_tc_out");
    }

    @Test
    void theSplitTensorCorePassesShareTheirScratchLayout() {
        KernelIndex.Entry states = cuda().get("mlstm_chunkwise_tc_states"), out = cuda().get("mlstm_chunkwise_tc_out");
        assertTrue(states != null && out != null, "both passes are in the CUDA index");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocate(64);
            // B 1, NH 8, S 100, DQK 256, DV 512, chunks of 64: 2 chunks
            LaunchPlan ps = LaunchPlan.of(states, 1, 8, 100, 256, 512, 64, t, t, t, t, t, t, t, t, t, t, t, 1e-6f);
            LaunchPlan po = LaunchPlan.of(out, 1, 8, 100, 256, 512, 64, t, t, t, t, t, t, t, t, t, t, t, 1e-6f);
            // states: per (head, 64 value columns, 64 keys); outputs: per (head, chunk), looping over the value tiles
            assertEquals(new LaunchPlan.Geometry(8 * 8 * 4, 256), ps.geometry(128, 1024, 1024));
            assertEquals(new LaunchPlan.Geometry(8 * 2, 256), po.geometry(128, 1024, 1024));
            // the chunk-state area (every chunk's C^T as bf16 pairs, n, m): the same size for both passes, so the
            // scratch buffer does not move between them
            long area = 8L * 2 * (256 * 512 / 2 + 256 + 1);
            assertEquals(4 * area, ps.scratchBytes());
            assertEquals(ps.scratchBytes(), po.scratchBytes());
            assertEquals(4 * (3 * 64 * 36 + 516), ps.sharedBytes());
            assertEquals(4 * (192 * (256 / 2 + 4) + 256 + 2948), po.sharedBytes(), "W where K was");
            // short keys (DQK 32): W gets its own 64 x 36 words
            LaunchPlan small = LaunchPlan.of(out, 1, 2, 77, 32, 64, 16, t, t, t, t, t, t, t, t, t, t, t, 1e-6f);
            assertEquals(4 * (192 * (32 / 2 + 4) + 32 + 2948 + 2304), small.sharedBytes());
        }
    }

    @Test
    void anIndexOfEightColumnsMeansNoSharedMemoryAndAnyBlock() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("index8");
        java.nio.file.Path sub = java.nio.file.Files.createDirectories(dir.resolve("k"));
        java.nio.file.Files.writeString(sub.resolve("index.tsv"), "# entry\tfile\tunit\tschedule\tlaunch\tcount\tscratch\tsignature\n"
                + "silu_rows_apply\tsilu_rows_apply.cu\tsilu_rows\tapply\titems\trows*((N+3)/4)\t0\tint rows, int N, const float* x, float* y, float* scratch\n"
                + "bad\tbad.cu\tbad\tapply\titems\trows\t0\tint rows, float* scratch\t0\tmany\n");
        try (java.net.URLClassLoader cl = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null)) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> KernelIndex.load("k", cl));
            assertTrue(ex.getMessage().contains("threads column"), ex.getMessage());
            java.nio.file.Files.writeString(sub.resolve("index.tsv"), "silu_rows_apply\tsilu_rows_apply.cu\tsilu_rows\tapply\titems"
                    + "\trows*((N+3)/4)\t0\tint rows, int N, const float* x, float* y, float* scratch\n");
        }
        try (java.net.URLClassLoader cl = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null)) {
            KernelIndex.Entry e = KernelIndex.load("k", cl).get("silu_rows_apply");
            assertEquals("0", e.shared());
            assertEquals(0, e.threads());
        }
    }
}
