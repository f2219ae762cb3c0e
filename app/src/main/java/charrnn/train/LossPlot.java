package charrnn.train;

import charrnn.AtomicFiles;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code loss.png}: training and validation loss (nats per character) against the step. */
public final class LossPlot {
    public static final String FILE = "loss.png";

    private LossPlot() {
    }

    public static void write(Path dir, List<double[]> rows, String title) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        double[] step = new double[rows.size()];
        double[] train = new double[rows.size()];
        double[] val = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            step[i] = rows.get(i)[0];
            train[i] = rows.get(i)[3];
            val[i] = rows.get(i)[4];
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title)
                .xAxisTitle("step").yAxisTitle("loss (nats per character)").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        XYSeries t = chart.addSeries("train", step, train);
        XYSeries v = chart.addSeries("validation", step, val);
        t.setMarker(SeriesMarkers.NONE);
        v.setMarker(SeriesMarkers.CIRCLE);
        AtomicFiles.write(dir.resolve(FILE), out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
