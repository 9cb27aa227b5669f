package xlstm.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xlstm.backends.DType;
import xlstm.backends.cpu.CpuParallel;
import xlstm.backends.cpu.DecodeProfile;
import xlstm.backends.cpu.KernelMode;
import xlstm.cli.bench.Bandwidth;
import xlstm.cli.bench.DeviceBench;
import xlstm.runtime.cuda.CellBench;
import xlstm.cli.bench.ModelBench;
import xlstm.cli.bench.Stopwatch;
import xlstm.cli.bench.Workloads;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.CudaKernels;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.cuda.DeviceLarge;
import xlstm.runtime.hf.HfCheckpoint;
import xlstm.runtime.model.XlstmLarge;

/**
 * {@code xlstm bench}: a quick version of the JMH benchmarks (same workloads, {@link Workloads}) without JMH:
 * warm-up, repeated runs, the median. For numbers to publish, run the benchmarks module.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Quick CPU benchmark: the mLSTM cell's sequence, chunkwise and parallel schedules at several",
                "sequence lengths, and prefill/decode tokens/s of an xLSTM Large (E=768, 12 blocks, 4 heads,",
                "vocab 50304) with random weights. Medians after warm-up; for careful numbers use the JMH module.",
                "With --backend cuda: the whole model on the GPU, xLSTM-7B-shaped (E 4096, 32 blocks, 8 heads) with",
                "random bf16 weights made on the device (or --model uploaded), timed with CUDA events against the",
                "GPU's bandwidth and bf16 peak; decode per --batch, prefill per --prefill, the chunkwise kernel alone."},
        footer = {"", "Example: xlstm bench --backend cpu --seq 64,256 --skip-model",
                "         xlstm bench --model DIR --prefill 512,2048 --decode 128 --batch 1,8 --repeats 3 --json",
                "         xlstm bench --backend cuda --prefill 2048,8192 --batch 1,8,64,256 --decode 64",
                "         xlstm bench --model DIR --prefill 0 --decode 64 --batch 1 --bandwidth 512 --profile",
                "", "With --model the cell benchmark is skipped. --json prints one JSON object per line (per",
                "measurement, as soon as it is done) instead of tables."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = Backends.DEFAULT, paramLabel = "NAME", description = Backends.HELP)
    String backend;

    @Option(names = "--seq", split = ",", paramLabel = "S",
            description = "Sequence lengths of the cell benchmark (default: 64,256,1024,4096).")
    List<Integer> seq = new ArrayList<>(Workloads.CELL_SEQ);

    @Option(names = "--chunk", defaultValue = "" + Workloads.CELL_CHUNK, paramLabel = "L",
            description = "Chunk size of the chunkwise schedule (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--prefill", split = ",", paramLabel = "S",
            description = "Prompt lengths of the model's prefill, batch 1 (default: 256; 0: none).")
    List<Integer> prefill = new ArrayList<>(List.of(256));

    @Option(names = "--decode", defaultValue = "16", paramLabel = "N",
            description = "Decode steps timed one by one, after the warm-up; the median step (default: ${DEFAULT-VALUE};"
                    + " 0: no decode measurement).")
    int decode;

    @Option(names = "--batch", split = ",", paramLabel = "B",
            description = "Batch sizes of the decode measurement (default: 1).")
    List<Integer> batch = new ArrayList<>(List.of(1));

    @Option(names = "--model", paramLabel = "DIR",
            description = "Benchmark this checkpoint folder (weights as stored) instead of the random E=768 model.")
    Path modelDir;

    @Option(names = "--dtype", paramLabel = "f32|bf16",
            description = "Weights in this dtype: --model converts on load (default: as stored), the random model is"
                    + " made in it (default: f32). bf16 is read as stored and accumulated in float32.")
    String dtype;

    @Option(names = "--repeats", paramLabel = "N",
            description = "Timed runs of each prefill (default: up to 9, stopping after 3 s once 3 are done).")
    Integer repeats;

    @Option(names = "--bandwidth", arity = "0..1", fallbackValue = "1024", paramLabel = "MIB",
            description = "Also measure the copy bandwidth (STREAM-like, all pool threads) of two arrays of MIB MiB"
                    + " and the read bandwidth (a vector sum) of one (1024 when no size is given).")
    Integer bandwidthMib;

    @Option(names = "--profile",
            description = "After each decode measurement, as many steps again broken down by operation (CPU): time,"
                    + " weight bytes and GB/s per category, and the pool's posts; with --bandwidth also the share of the"
                    + " best read bandwidth. With --backend cuda: the decode step of the first batch size and the"
                    + " longest prefill, device time per operation.")
    boolean profile;

    @Option(names = "--logits-out", paramLabel = "FILE",
            description = "Also write input_ids and the logits of a 32-token random prompt (safetensors), for a"
                    + " comparison with another implementation.")
    Path logitsOut;

    @Option(names = "--json", description = "One JSON object per measurement and line, instead of tables.")
    boolean json;

    @Option(names = "--warmup", defaultValue = "1.0", paramLabel = "SECONDS",
            description = "Warm-up time per measurement (default: ${DEFAULT-VALUE}; the JIT warm-up before the cell"
                    + " table takes 1.5x this per schedule).")
    double warmup;

    @Option(names = "--skip-cells", description = "Do not run the cell benchmark.")
    boolean skipCells;

    @Option(names = "--skip-model", description = "Do not run the model benchmark.")
    boolean skipModel;

    @Spec CommandSpec spec;

    private PrintWriter err;
    private KernelBackend kb;
    private Stopwatch watch;
    private boolean progressShown;
    private DType weightsDtype;
    /** The best measured read bandwidth in GB/s (either page size), 0 without --bandwidth. */
    private double readGbs;

    @Override
    public Integer call() {
        for (int s : seq) if (s < 1) throw new UserError("--seq: sequence lengths must be >= 1, got " + s);
        if (chunk < 1) throw new UserError("--chunk must be >= 1, got " + chunk);
        if (prefill.equals(List.of(0))) prefill = List.of(); // --prefill 0: no prefill measurement
        for (int s : prefill) if (s < 1) throw new UserError("--prefill: prompt lengths must be >= 1, got " + s);
        for (int b : batch) if (b < 1) throw new UserError("--batch: batch sizes must be >= 1, got " + b);
        if (decode < 0) throw new UserError("--decode must be >= 0, got " + decode);
        if (repeats != null && repeats < 1) throw new UserError("--repeats must be >= 1, got " + repeats);
        if (bandwidthMib != null && bandwidthMib < 1) throw new UserError("--bandwidth must be >= 1 MiB, got " + bandwidthMib);
        if (!(warmup >= 0)) throw new UserError("--warmup must be >= 0 seconds, got " + warmup);
        if (modelDir != null && !Files.isDirectory(modelDir)) throw new UserError("--model " + modelDir + ": not a directory");
        if (modelDir != null && skipModel) throw new UserError("--model and --skip-model contradict each other");
        weightsDtype = switch (dtype == null ? "" : dtype.toLowerCase(Locale.ROOT)) {
            case "" -> null;
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new UserError("--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        watch = new Stopwatch(2, warmup, 9, 3.0);
        PrintWriter out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        kb = Backends.choose(backend, spec);
        if (kb instanceof CudaKernels) {
            if (profile && decode == 0 && prefill.isEmpty())
                throw new UserError("--profile breaks down decode steps and prefills: it needs --decode N > 0 or --prefill S");
            return device(out);
        }
        if (profile && (decode == 0 || skipModel)) throw new UserError("--profile breaks down decode steps: it needs --decode N > 0 and the model");
        String host = String.format(Locale.ROOT, "%d threads, %d-bit vectors (%s), %s, %s", CpuParallel.threads(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), KernelMode.scalar() ? "scalar kernels forced" : "vector kernels",
                System.getProperty("os.arch"), Runtime.version());
        if (json) {
            ObjectNode o = obj("host");
            o.put("backend", kb.name()).put("device", kb.device()).put("threads", CpuParallel.threads())
                    .put("vector_bits", FloatVector.SPECIES_PREFERRED.vectorBitSize()).put("java", Runtime.version().toString());
            emit(out, o);
        } else {
            out.println("kernel backend " + kb.name() + ": " + kb.device());
            out.println("host: " + host);
        }
        if (bandwidthMib != null) bandwidth(out);
        if (!skipCells && modelDir == null && !json) cells(out);
        if (!skipModel) model(out);
        return 0;
    }

    /**
     * The device-resident model on CUDA: an xLSTM-7B-shaped model with random weights made on the GPU (or --model
     * uploaded), decode per batch size, prefill per length, the chunkwise kernel alone at 8 x 8192 tokens.
     */
    private int device(PrintWriter out) {
        boolean bf16 = weightsDtype != DType.F32;
        long t0 = System.nanoTime();
        DeviceLarge m;
        String what;
        if (modelDir != null) {
            progress(0, 1, "loading " + modelDir + " and uploading it");
            m = DeviceLarge.upload(HfCheckpoint.load(modelDir, weightsDtype, kb), bf16);
            what = modelDir.toString();
        } else {
            progress(0, 1, "making xLSTM-7B-shaped random " + (bf16 ? "bf16" : "float32") + " weights on the GPU");
            m = DeviceLarge.random(DeviceBench.shape7b(), bf16, 7);
            what = "random " + (bf16 ? "bf16" : "float32") + " weights";
        }
        try (m) {
            out.println("device: " + m.describe());
            out.printf(Locale.ROOT, "model ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            out.flush();
            DeviceBench b = new DeviceBench(m, repeats == null ? 5 : repeats, s -> progress(0, 1, s));
            b.copyBandwidth(2L << 30);
            double bw = b.readBandwidth(2L << 30);
            if (decode > 0) for (int n : batch) b.decode(n, decode, bw);
            String profiled = profile && decode > 0 ? b.profile(batch.getFirst(), decode) : null;
            for (int s : prefill) b.prefill(s);
            int longest = prefill.stream().mapToInt(Integer::intValue).max().orElse(0);
            String prefillProfiled = profile && longest > 0 ? b.profilePrefill(longest, 2) : null;
            if (!skipCells) {
                var c = m.config();
                for (CellBench.Kernel k : CellBench.Kernel.values()) {
                    if (!k.step()) b.chunkwise(k, 8, c.numHeads(), 8192, c.qkHeadDim(), c.vHeadDim(), c.chunkSize());
                }
            }
            clearProgress();
            var c = m.config();
            b.print(out, String.format(Locale.ROOT, "xLSTM Large on the GPU, E=%d, %d blocks, %d heads, DQK %d, DV %d, FFN %d,"
                    + " vocab %d, %s (CUDA events, median of repeats)", c.embeddingDim(), c.numBlocks(), c.numHeads(),
                    c.qkHeadDim(), c.vHeadDim(), c.ffnUpProjDim(), c.vocabSize(), what));
            if (profiled != null) {
                out.println();
                out.println("decode step profile, batch " + batch.getFirst() + " (device time per operation, launch by launch"
                        + " with an event between operations; the graph replay above has no gaps between launches)");
                out.print(profiled);
            }
            if (prefillProfiled != null) {
                out.println();
                out.println("prefill profile, S " + longest + " (device time per operation, launch by launch with an event"
                        + " between operations)");
                out.print(prefillProfiled);
            }
        }
        return 0;
    }

    private static ObjectNode obj(String phase) {
        return JsonNodeFactory.instance.objectNode().put("phase", phase);
    }

    private static void emit(PrintWriter out, ObjectNode o) {
        out.println(o.toString());
        out.flush();
    }

    private void bandwidth(PrintWriter out) {
        Bandwidth.Result r = Bandwidth.copy(bandwidthMib * (1L << 20), 10);
        Bandwidth.Result rd = Bandwidth.read(bandwidthMib * (1L << 20), 10);
        Bandwidth.Result rh = Bandwidth.read(bandwidthMib * (1L << 20), 10, true); // null where not advised
        Bandwidth.Result r2 = Bandwidth.read(bandwidthMib * (1L << 20), 10, false, 2);
        // the read limit is the best of the page sizes and stream counts (4 KiB pages alone can be far below it)
        readGbs = Math.max(Math.max(rd.bestGbs(), r2.bestGbs()), rh == null ? 0 : rh.bestGbs());
        if (json) {
            emit(out, obj("bandwidth").put("kind", "copy").put("bytes_per_array", r.bytesPerArray())
                    .put("threads", r.threads()).put("repeats", r.repeats()).put("best_gbs", r.bestGbs())
                    .put("median_gbs", r.medianGbs()));
            emit(out, obj("bandwidth").put("kind", "read").put("bytes_per_array", rd.bytesPerArray())
                    .put("threads", rd.threads()).put("repeats", rd.repeats()).put("best_gbs", rd.bestGbs())
                    .put("median_gbs", rd.medianGbs()));
            emit(out, obj("bandwidth").put("kind", "read_2_streams").put("bytes_per_array", r2.bytesPerArray())
                    .put("threads", r2.threads()).put("repeats", r2.repeats()).put("best_gbs", r2.bestGbs())
                    .put("median_gbs", r2.medianGbs()));
            if (rh != null) {
                emit(out, obj("bandwidth").put("kind", "read_huge_pages").put("bytes_per_array", rh.bytesPerArray())
                        .put("threads", rh.threads()).put("repeats", rh.repeats()).put("best_gbs", rh.bestGbs())
                        .put("median_gbs", rh.medianGbs()));
            }
        } else {
            out.printf(Locale.ROOT, "%ncopy bandwidth (STREAM-like, %d threads, 2 x %d MiB, bytes read + written): best %.1f GB/s,"
                    + " median %.1f GB/s of %d%n", r.threads(), r.bytesPerArray() >> 20, r.bestGbs(), r.medianGbs(), r.repeats());
            out.printf(Locale.ROOT, "read bandwidth (vector sum, %d threads, %d MiB): best %.1f GB/s, median %.1f GB/s of %d%n",
                    rd.threads(), rd.bytesPerArray() >> 20, rd.bestGbs(), rd.medianGbs(), rd.repeats());
            out.printf(Locale.ROOT, "read bandwidth, 2 streams per thread (vector sum, %d threads, %d MiB): best %.1f GB/s,"
                    + " median %.1f GB/s of %d%n", r2.threads(), r2.bytesPerArray() >> 20, r2.bestGbs(), r2.medianGbs(),
                    r2.repeats());
            if (rh != null) {
                out.printf(Locale.ROOT, "read bandwidth, 2 MiB pages advised (vector sum, %d threads, %d MiB): best %.1f GB/s,"
                        + " median %.1f GB/s of %d%n", rh.threads(), rh.bytesPerArray() >> 20, rh.bestGbs(), rh.medianGbs(),
                        rh.repeats());
            }
            out.flush();
        }
    }

    private void cells(PrintWriter out) {
        List<String[]> rows = new ArrayList<>();
        int total = seq.size() * 3, at = 0;
        // The Vector API is only fast once C2 has compiled a kernel; short sequences alone can take a long time to
        // get there, so every schedule first runs on a mid-size input until the JIT has had its chance.
        progress(0, total, "warming up the JIT");
        Workloads.Cell warm = Workloads.cell(512);
        Stopwatch jit = new Stopwatch(3, 1.5 * warmup, 1, 0);
        jit.median(() -> warm.sequence(kb));
        jit.median(() -> warm.chunkwise(kb, chunk));
        jit.median(() -> warm.parallel(kb));
        for (int s : seq) {
            Workloads.Cell cell = Workloads.cell(s);
            progress(++at, total, "mLSTM sequence S=" + s);
            double tSeq = watch.median(() -> cell.sequence(kb));
            progress(++at, total, "mLSTM chunkwise S=" + s);
            double tChunk = watch.median(() -> cell.chunkwise(kb, chunk));
            progress(++at, total, "mLSTM parallel S=" + s);
            double tPar = watch.median(() -> cell.parallel(kb));
            rows.add(row(s, "sequence", tSeq, cell.tokens(), tSeq));
            rows.add(row(s, "chunkwise", tChunk, cell.tokens(), tSeq));
            rows.add(row(s, "parallel", tPar, cell.tokens(), tSeq));
        }
        clearProgress();
        out.printf(Locale.ROOT, "%nmLSTM cell, B=%d NH=%d DQK=%d DV=%d, chunk %d (median wall time)%n", Workloads.CELL_B,
                Workloads.CELL_NH, Workloads.CELL_DQK, Workloads.CELL_DV, chunk);
        table(out, new String[] {"S", "schedule", "ms", "tokens/s", "speed-up vs sequence"}, rows);
        out.flush();
    }

    private static String[] row(int s, String schedule, double t, long tokens, double tSeq) {
        return new String[] {Integer.toString(s), schedule, ms(t), rate(tokens / t), String.format(Locale.ROOT, "%.2fx", tSeq / t)};
    }

    private void model(PrintWriter out) {
        List<Integer> batches = decode == 0 ? List.of() : batch;
        int steps = 1 + prefill.size() + batches.size() + (logitsOut != null ? 1 : 0), at = 0;
        String what;
        XlstmLarge model;
        long t0 = System.nanoTime();
        if (modelDir != null) {
            progress(++at, steps, "loading " + modelDir);
            model = HfCheckpoint.load(modelDir, weightsDtype, kb);
            what = modelDir.toString();
        } else {
            progress(++at, steps, "building xLSTM Large with random weights");
            model = Workloads.randomLarge(7, kb, weightsDtype == null ? DType.F32 : weightsDtype);
            what = weightsDtype == DType.BF16 ? "random bf16 weights" : "random float32 weights";
        }
        var c = model.config();
        if (json) {
            emit(out, obj("load").put("model", what).put("seconds", (System.nanoTime() - t0) / 1e9)
                    .put("dtype", weightsDtype == null ? "as stored" : weightsDtype.name().toLowerCase(Locale.ROOT))
                    .put("embedding_dim", c.embeddingDim()).put("num_blocks", c.numBlocks())
                    .put("num_heads", c.numHeads()).put("vocab_size", c.vocabSize()));
        }
        if (logitsOut != null) {
            progress(++at, steps, "logits of a 32-token prompt -> " + logitsOut);
            ModelBench.writeLogits(model, logitsOut, 32, 5);
            if (json) emit(out, obj("logits").put("file", logitsOut.toString()).put("tokens", 32));
        }
        Stopwatch pw = repeats == null ? new Stopwatch(1, warmup, 9, 3.0) : new Stopwatch(1, warmup, repeats, Double.MAX_VALUE);
        List<String[]> rows = new ArrayList<>();
        List<String> profiles = new ArrayList<>();
        for (int b : batches) {
            progress(++at, steps, "decode, batch " + b + ", " + decode + " steps");
            ModelBench.Decode d = ModelBench.decode(model, b, decode, 8, warmup, 13, profile);
            if (json) {
                emit(out, obj("decode").put("batch", b).put("steps", d.steps()).put("median_step_s", d.medianStepSeconds())
                        .put("mean_step_s", d.meanStepSeconds()).put("tok_s", d.tokensPerSecond()));
                if (d.profile() != null) emit(out, profileJson(b, d.profile()));
            }
            rows.add(new String[] {"decode", b + " x 1 per step", ms(d.medianStepSeconds()), rate(d.tokensPerSecond())});
            if (d.profile() != null) profiles.add(String.format(Locale.ROOT, "%ndecode step profile, batch %d, %d threads"
                    + " (wall time on the stepping thread, weights streamed per step)%n", b, CpuParallel.threads())
                    + d.profile().table(readGbs) + hugePagesInUse());
        }
        for (int s : prefill) {
            progress(++at, steps, "prefill S=" + s);
            ModelBench.Prefill p = ModelBench.prefill(model, s, pw, 11);
            if (json) {
                emit(out, obj("prefill").put("batch", 1).put("tokens", s).put("runs_with_warmup", p.runs())
                        .put("median_s", p.medianSeconds()).put("tok_s", p.tokensPerSecond()));
            }
            rows.add(new String[] {"prefill", Integer.toString(s), ms(p.medianSeconds()), rate(p.tokensPerSecond())});
        }
        clearProgress();
        if (!json) {
            out.printf(Locale.ROOT, "%nxLSTM Large, E=%d, %d blocks, %d heads, vocab %d, %s (median)%n", c.embeddingDim(),
                    c.numBlocks(), c.numHeads(), c.vocabSize(), what);
            table(out, new String[] {"phase", "tokens", "ms", "tokens/s"}, rows);
            for (String p : profiles) out.print(p);
            out.flush();
        }
    }

    /** The process's memory on transparent huge pages (Linux), as a line; empty where unknown. */
    private static String hugePagesInUse() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
                if (l.startsWith("AnonHugePages:")) return "process " + l.replaceAll("\\s+", " ") + "\n";
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or no smaps_rollup: nothing to say
        }
        return "";
    }

    private ObjectNode profileJson(int batch, DecodeProfile.Report p) {
        ObjectNode o = obj("profile").put("batch", batch).put("threads", CpuParallel.threads()).put("steps", p.steps())
                .put("step_us", p.stepMicros()).put("step_gbs", p.stepGbs()).put("posts_per_step", p.postsPerStep())
                .put("chunks_per_post", p.chunksPerPost()).put("caller_chunk_share", p.callerChunkShare())
                .put("wait_us_per_step", p.waitMicrosPerStep()).put("wake_us_per_post", p.wakeMicrosPerPost())
                .put("parked_post_share", p.parkedPostShare()).put("claim_retries_per_post", p.claimRetriesPerPost());
        if (readGbs > 0) o.put("read_gbs", readGbs);
        var rows = o.putArray("rows");
        for (DecodeProfile.Row r : p.rows()) {
            rows.addObject().put("category", r.category()).put("calls_per_step", r.callsPerStep())
                    .put("posts_per_step", r.postsPerStep()).put("us_per_step", r.micros()).put("wait_us_per_step", r.waitMicros()).put("percent", r.percent())
                    .put("mb_per_step", r.mbPerStep()).put("gbs", r.gbs());
        }
        return o;
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds * 1e3);
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static void table(PrintWriter out, String[] head, List<String[]> rows) {
        int[] w = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            w[c] = head[c].length();
            for (String[] r : rows) w[c] = Math.max(w[c], r[c].length());
        }
        StringBuilder sep = new StringBuilder();
        for (int c = 0; c < head.length; c++) sep.append(c == 0 ? "" : "  ").append("-".repeat(w[c]));
        out.println(line(head, w));
        out.println(sep);
        for (String[] r : rows) out.println(line(r, w));
    }

    private static String line(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) sb.append("  ");
            // the two label columns left-aligned, the figures right-aligned
            String fmt = c < 2 ? "%-" + w[c] + "s" : "%" + w[c] + "s";
            sb.append(String.format(fmt, cells[c]));
        }
        return sb.toString().stripTrailing();
    }

    /** A progress line on stderr, rewritten in place on a terminal. */
    private void progress(int at, int total, String what) {
        String text = String.format(Locale.ROOT, "[%d/%d] %s ...", at, total, what);
        if (System.console() != null) {
            err.print("\r" + text + " ".repeat(Math.max(0, 60 - text.length())));
        } else {
            err.println(text);
        }
        err.flush();
        progressShown = true;
    }

    private void clearProgress() {
        if (progressShown && System.console() != null) {
            err.print("\r" + " ".repeat(80) + "\r");
            err.flush();
        }
        progressShown = false;
    }
}
