package charrnn.cli;

import charrnn.train.TrainingListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * What training shows on stderr. On a terminal: a progress bar (step, epoch, loss, validation
 * loss, characters per second, ETA) with evaluation lines and previews printed above it. Otherwise
 * (batch jobs, pipes): one plain line per evaluation, no escape sequences.
 */
final class TrainingConsole implements TrainingListener {
    private final PrintWriter err;
    private final boolean tty;
    private final boolean quiet;
    private ProgressBar bar;
    private double lastVal = Double.NaN;
    private double eta = Double.NaN;
    private long lastStep;

    TrainingConsole(PrintWriter err, boolean tty, boolean quiet) {
        this.err = err;
        this.tty = tty;
        this.quiet = quiet;
    }

    @Override
    public void onStart(long step, long stepsPerEpoch, long totalSteps) {
        if (!tty) {
            return;
        }
        bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalSteps)
                .startsFrom(step, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(new java.io.FileOutputStream(
                        java.io.FileDescriptor.err), true)))
                .build();
    }

    @Override
    public void onStep(long step, int epoch, double loss, double charsPerSecond) {
        lastStep = step;
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format("ep %d loss %.3f val %s %,.0f ch/s%s", epoch, loss,
                    Double.isNaN(lastVal) ? "-" : String.format("%.3f", lastVal), charsPerSecond,
                    bar.isIndefinite() && !Double.isNaN(eta) ? " ETA " + Durations.format(eta) : ""));
        }
    }

    @Override
    public void onEval(EvalReport r) {
        lastVal = r.valLoss();
        eta = r.etaSeconds();
        if (quiet) {
            return;
        }
        line(String.format("step %d epoch %d: train %.4f, val %.4f nats (%.3f bits/char)%s, %,.0f chars/s,"
                        + " lr %.3g, %s elapsed, ETA %s", r.step(), r.epoch(), r.trainLoss(), r.valLoss(),
                r.valBitsPerChar(), r.best() ? " best" : "", r.charsPerSecond(), r.learningRate(),
                Durations.format(r.elapsedSeconds()), Durations.format(r.etaSeconds())));
    }

    @Override
    public void onSample(long step, String text) {
        if (quiet) {
            return;
        }
        line("---- sample at step " + step + " ----\n" + text + "\n----");
    }

    @Override
    public void log(String message) {
        line(message);
    }

    private synchronized void line(String s) {
        if (tty) {
            err.print("\r\033[K");
        }
        err.println(s);
        err.flush();
    }

    void close() {
        if (bar != null) {
            bar.stepTo(lastStep);
            bar.close();
            bar = null;
        }
    }
}
