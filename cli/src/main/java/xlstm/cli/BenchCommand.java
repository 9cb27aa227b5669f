package xlstm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xlstm.backends.cpu.CpuParallel;
import xlstm.backends.cpu.KernelMode;
import xlstm.cli.bench.Stopwatch;
import xlstm.cli.bench.Workloads;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/**
 * {@code xlstm bench}: a quick version of the JMH benchmarks (same workloads, {@link Workloads}) without JMH:
 * warm-up, repeated runs, the median. For numbers to publish, run the benchmarks module.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Quick CPU benchmark: the mLSTM cell's sequence, chunkwise and parallel schedules at several",
                "sequence lengths, and prefill/decode tokens/s of an xLSTM Large (E=768, 12 blocks, 4 heads,",
                "vocab 50304) with random weights. Medians after warm-up; for careful numbers use the JMH module."},
        footer = {"", "Example: xlstm bench --backend cpu --seq 64,256 --skip-model"})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = Backends.DEFAULT, paramLabel = "NAME", description = Backends.HELP)
    String backend;

    @Option(names = "--seq", split = ",", paramLabel = "S",
            description = "Sequence lengths of the cell benchmark (default: 64,256,1024,4096).")
    List<Integer> seq = new ArrayList<>(Workloads.CELL_SEQ);

    @Option(names = "--chunk", defaultValue = "" + Workloads.CELL_CHUNK, paramLabel = "L",
            description = "Chunk size of the chunkwise schedule (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--prefill", defaultValue = "256", paramLabel = "S",
            description = "Prompt length of the model's prefill (default: ${DEFAULT-VALUE}).")
    int prefill;

    @Option(names = "--decode", defaultValue = "16", paramLabel = "N",
            description = "Decode steps timed per run (default: ${DEFAULT-VALUE}).")
    int decode;

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

    @Override
    public Integer call() {
        for (int s : seq) if (s < 1) throw new UserError("--seq: sequence lengths must be >= 1, got " + s);
        if (chunk < 1) throw new UserError("--chunk must be >= 1, got " + chunk);
        if (prefill < 1 || decode < 1) throw new UserError("--prefill and --decode must be >= 1");
        if (!(warmup >= 0)) throw new UserError("--warmup must be >= 0 seconds, got " + warmup);
        watch = new Stopwatch(2, warmup, 9, 3.0);
        PrintWriter out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        kb = Backends.choose(backend, spec);
        out.println("kernel backend " + kb.name() + ": " + kb.device());
        out.printf(Locale.ROOT, "host: %d threads, %d-bit vectors (%s), %s, %s%n", CpuParallel.threads(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), KernelMode.scalar() ? "scalar kernels forced" : "vector kernels",
                System.getProperty("os.arch"), Runtime.version());
        if (!skipCells) cells(out);
        if (!skipModel) model(out);
        return 0;
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
        progress(1, 3, "building xLSTM Large with random weights");
        XlstmLarge model = Workloads.randomLarge(7, kb);
        LargeState state = model.newState(1);
        Tensor ids = Workloads.randomIds(1, prefill, Workloads.LARGE_VOCAB, 11);
        progress(2, 3, "xLSTM Large prefill S=" + prefill);
        double tPrefill = watch.median(() -> Workloads.prefill(model, ids, state));
        progress(3, 3, "xLSTM Large decode");
        Tensor next = Workloads.randomIds(1, 1, Workloads.LARGE_VOCAB, 13);
        double tDecode = watch.median(() -> {
            for (int j = 0; j < decode; j++) Workloads.decode(model, next, state);
        }) / decode;
        clearProgress();
        out.printf(Locale.ROOT, "%nxLSTM Large, E=%d, %d blocks, %d heads, vocab %d, random float32 weights, B=1 (median)%n",
                Workloads.LARGE_E, Workloads.LARGE_BLOCKS, Workloads.LARGE_HEADS, Workloads.LARGE_VOCAB);
        List<String[]> rows = List.of(
                new String[] {"prefill", Integer.toString(prefill), ms(tPrefill), rate(prefill / tPrefill)},
                new String[] {"decode", "1 per step", ms(tDecode), rate(1 / tDecode)});
        table(out, new String[] {"phase", "tokens", "ms", "tokens/s"}, rows);
        out.printf(Locale.ROOT, "prefill/decode throughput ratio: %.1fx%n", (prefill / tPrefill) / (1 / tDecode));
        out.flush();
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
