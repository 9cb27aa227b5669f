package xlstm.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import xlstm.runtime.UserError;
import xlstm.training.loop.LossPlot;

/**
 * {@code java ... xlstm.cli.bench.GpuSpeedPlot LOG PNG}: the 7B-shaped speeds of a {@code scripts/gpu-check.sh} log as
 * a bar chart, each as a share of issue 3's target (decode at batch 1: 300 tokens/s; prefill: 50k tokens/s): ours,
 * transformers' own xLSTM in the same shape and run ({@code scripts/torch_7b_gpu.py}) and the hardware limit the
 * log states (bandwidth for decode, bf16 tensor-core peak for prefill). The README shows it as
 * {@code docs/gpu-speed.png}.
 */
public final class GpuSpeedPlot {
    private GpuSpeedPlot() {}

    /** Issue 3's targets: decode at batch 1, and prefill of 2048 and 8192 tokens, in tokens/s. */
    static final double DECODE_TARGET = 300, PREFILL_TARGET = 50_000;

    private static final Pattern DECODE = Pattern.compile(
            "^decode \\(device loop\\)\\s+batch 1\\s+([\\d.]+)\\s+(\\d+)\\s+([\\d.]+) GB/step.*");
    private static final Pattern COPY = Pattern.compile("^copy\\s+.*?(\\d+) GB/s = .*");
    private static final Pattern READ = Pattern.compile("^read\\s+.*?(\\d+) GB/s = .*");
    private static final Pattern PREFILL = Pattern.compile("^prefill\\s+S (\\d+)\\s+([\\d.]+)\\s+(\\d+)\\s.*limit (\\d+)k tok/s.*");
    private static final Pattern PEER_PREFILL = Pattern.compile("^torch peer: prefill (\\d+) tokens: [\\d.]+ ms, (\\d+) tokens/s");
    private static final Pattern PEER_DECODE = Pattern.compile("^torch peer: decode batch 1: [\\d.]+ ms/step, ([\\d.]+) tokens/s");

    /** One phase of the chart: tokens/s of ours, of the peer (NaN: not in the log), and the limit. */
    record Phase(String name, double target, double ours, double peer, double limit) {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: GpuSpeedPlot GPU_CHECK_LOG OUT.png");
            System.exit(2);
        }
        try {
            Path log = Path.of(args[0]);
            List<Phase> phases = parse(log, read(log));
            for (Phase p : phases) {
                System.out.printf(Locale.ROOT, "%s: ours %.0f, PyTorch %.0f, limit %.0f tokens/s (target %.0f)%n", p.name(),
                        p.ours(), p.peer(), p.limit(), p.target());
            }
            write(Path.of(args[1]), log.getFileName().toString(), phases);
        } catch (UserError e) {
            System.err.println("GpuSpeedPlot: " + e.getMessage());
            System.exit(1);
        }
    }

    private static List<String> read(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UserError(log + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The phases of a gpu-check log's bench table and PyTorch's summary; a {@link UserError} naming what is missing. */
    static List<Phase> parse(Path log, List<String> lines) {
        double decode = Double.NaN, gbPerStep = Double.NaN, copyGbs = Double.NaN, readGbs = Double.NaN, peerDecode = Double.NaN;
        Map<Integer, double[]> prefill = new LinkedHashMap<>(); // tokens -> {tokens/s, limit}
        Map<Integer, Double> peerPrefill = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m;
            if ((m = DECODE.matcher(line)).matches()) {
                decode = Double.parseDouble(m.group(2));
                gbPerStep = Double.parseDouble(m.group(3));
            } else if ((m = COPY.matcher(line)).matches()) {
                copyGbs = Double.parseDouble(m.group(1));
            } else if ((m = READ.matcher(line)).matches()) {
                readGbs = Double.parseDouble(m.group(1));
            } else if ((m = PREFILL.matcher(line)).matches()) {
                prefill.put(Integer.parseInt(m.group(1)), new double[] {Double.parseDouble(m.group(3)), 1000 * Double.parseDouble(m.group(4))});
            } else if ((m = PEER_PREFILL.matcher(line)).matches()) {
                peerPrefill.put(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)));
            } else if ((m = PEER_DECODE.matcher(line)).matches()) {
                peerDecode = Double.parseDouble(m.group(1));
            }
        }
        if (Double.isNaN(decode)) throw new UserError(log + ": no \"decode (device loop) batch 1\" row (a gpu-check log with its bench table?)");
        if (prefill.isEmpty()) throw new UserError(log + ": no \"prefill S ...\" row (a gpu-check log with its bench table?)");
        List<Phase> out = new ArrayList<>();
        // the decode limit: the measured read bandwidth over the bytes a step reads (logs before the read row: the
        // copy's; neither: 4.8 TB/s)
        double bw = !Double.isNaN(readGbs) ? readGbs : !Double.isNaN(copyGbs) ? copyGbs : 4800;
        out.add(new Phase("decode, batch 1", DECODE_TARGET, decode, peerDecode, bw / gbPerStep));
        for (Map.Entry<Integer, double[]> e : prefill.entrySet()) {
            out.add(new Phase("prefill, " + e.getKey() + " tokens", PREFILL_TARGET, e.getValue()[0],
                    peerPrefill.getOrDefault(e.getKey(), Double.NaN), e.getValue()[1]));
        }
        return out;
    }

    /** The bar chart: each phase's speeds as a percentage of its target. Nothing without AWT ({@link LossPlot#available}). */
    static void write(Path png, String from, List<Phase> phases) {
        if (!LossPlot.available()) return;
        CategoryChart chart = new CategoryChartBuilder().width(900).height(560)
                .title("xLSTM-7B shape on one H200: tokens/s as % of the target")
                .xAxisTitle(from).yAxisTitle("% of the target (decode 300, prefill 50k tokens/s)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#");
        List<String> names = phases.stream().map(Phase::name).toList();
        chart.addSeries("ours (bf16)", names, pct(phases, Phase::ours));
        if (phases.stream().anyMatch(p -> !Double.isNaN(p.peer()))) {
            chart.addSeries("transformers' xLSTM (PyTorch eager, bf16)", names, pct(phases, Phase::peer));
        }
        chart.addSeries("target", names, phases.stream().map(p -> (Number) 100.0).toList());
        chart.addSeries("limit (measured read bandwidth / bf16 peak)", names, pct(phases, Phase::limit));
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UserError(png + ": cannot write the plot (" + e.getMessage() + ")", e);
        }
    }

    private static List<Number> pct(List<Phase> phases, java.util.function.ToDoubleFunction<Phase> f) {
        return phases.stream().map(p -> {
            double v = f.applyAsDouble(p);
            return (Number) (Double.isNaN(v) ? 0.0 : 100 * v / p.target());
        }).toList();
    }
}
