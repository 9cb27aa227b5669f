package xlstm.training.loop;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import xlstm.runtime.UserError;

/** PNG plots of loss curves (XChart). */
public final class LossPlot {
    private LossPlot() {}

    /** One named curve: x and y values. */
    public record Curve(String name, List<Double> x, List<Double> y) {}

    /**
     * Whether plots can be drawn: XChart draws with AWT, which a trimmed Java runtime (jlink without
     * {@code java.desktop}, as carried to the GPU machine) does not have. Without it the writers do nothing, so a
     * run still finishes and keeps its CSV log.
     */
    public static boolean available() {
        return ModuleLayer.boot().findModule("java.desktop").isPresent();
    }

    /** Training and validation loss of a run's log. */
    public static void write(Path png, String title, List<StepRecord> rows) {
        List<Double> s = new ArrayList<>(), l = new ArrayList<>(), vs = new ArrayList<>(), vl = new ArrayList<>();
        for (StepRecord r : rows) {
            s.add((double) r.step());
            l.add(r.loss());
            if (r.evaluated()) {
                vs.add((double) r.step());
                vl.add(r.valLoss());
            }
        }
        List<Curve> curves = new ArrayList<>();
        curves.add(new Curve("train loss", s, l));
        if (!vs.isEmpty()) curves.add(new Curve("validation loss", vs, vl));
        write(png, title, "step", "loss", curves);
    }

    public static void write(Path png, String title, String xTitle, String yTitle, List<Curve> curves) {
        if (!available()) return;
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(0);
        for (Curve c : curves) {
            if (c.x().isEmpty()) continue;
            XYSeries series = chart.addSeries(c.name(), c.x(), c.y());
            series.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        try {
            java.nio.file.Files.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UserError(png + ": cannot write the plot (" + e.getMessage() + ")", e);
        }
    }
}
