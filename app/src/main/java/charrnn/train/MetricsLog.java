package charrnn.train;

import charrnn.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv}: one row per evaluation, appended across resumes; its last column says how
 * the validation loss was measured (streams: carried state; windows: each window from zero). Rows beyond the step a run
 * resumes from (written after its checkpoint, then lost to a crash) are dropped first, so the file
 * always describes one history.
 */
public final class MetricsLog {
    public static final String FILE = "metrics.csv";
    static final String HEADER = "step,epoch,elapsed_s,train_loss,val_loss,val_bpc,chars_per_s,lr,val_protocol";
    private static final int NUMERIC = 8;

    private final Path file;
    private final List<double[]> rows = new ArrayList<>();

    public MetricsLog(Path dir, long resumeStep) throws IOException {
        this.file = dir.resolve(FILE);
        if (Files.exists(file)) {
            List<String> keep = new ArrayList<>();
            keep.add(HEADER);
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("step")) {
                    continue;
                }
                String[] f = line.split(",");
                try {
                    double[] r = new double[Math.min(f.length, NUMERIC)];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = Double.parseDouble(f[i]);
                    }
                    if (r[0] <= resumeStep) {
                        rows.add(r);
                        keep.add(line);
                    }
                } catch (NumberFormatException e) {
                    // a damaged row (e.g. a crash mid-write) is dropped
                }
            }
            AtomicFiles.write(file, (String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8));
        } else {
            Files.writeString(file, HEADER + "\n", StandardCharsets.UTF_8);
        }
    }

    public void append(TrainingListener.EvalReport r) throws IOException {
        String line = String.format(Locale.ROOT, "%d,%d,%.1f,%.5f,%.5f,%.5f,%.0f,%.6g,%s", r.step(), r.epoch(),
                r.elapsedSeconds(), r.trainLoss(), r.valLoss(), r.valBitsPerChar(), r.charsPerSecond(),
                r.learningRate(), r.protocol());
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        rows.add(new double[]{r.step(), r.epoch(), r.elapsedSeconds(), r.trainLoss(), r.valLoss()});
    }

    /** Rows so far: step, epoch, elapsed, train loss, validation loss, ... */
    public List<double[]> rows() {
        return rows;
    }
}
