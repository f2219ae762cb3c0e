package charrnn.cli;

import charrnn.train.TrainingListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;

/**
 * What training shows on stderr. On a terminal: a progress bar of the budget (steps, or the seconds
 * of a time budget; epoch, loss, validation loss, characters per second, ETA) with evaluation lines
 * and previews printed above it. Otherwise (batch jobs, pipes): one plain line per evaluation, no
 * escape sequences.
 */
final class TrainingConsole implements TrainingListener {
    private final PrintWriter err;
    private final boolean tty;
    private final boolean quiet;
    private final ConsoleProgressBarConsumer barOut;
    private ProgressBar bar;
    private boolean timeBar;
    private double lastVal = Double.NaN;

    TrainingConsole(PrintWriter err, boolean tty, boolean quiet) {
        this(err, tty, quiet,
                new ConsoleProgressBarConsumer(new PrintStream(new FileOutputStream(FileDescriptor.err), true)));
    }

    TrainingConsole(PrintWriter err, boolean tty, boolean quiet, ConsoleProgressBarConsumer barOut) {
        this.err = err;
        this.tty = tty;
        this.quiet = quiet;
        this.barOut = barOut;
    }

    /** The bar counts steps under a step or epoch budget, else a time budget's seconds: its ETA is the budget's. */
    @Override
    public void onStart(long step, long totalSteps, double elapsedSeconds, double endSeconds) {
        if (!tty) {
            return;
        }
        timeBar = totalSteps == 0 && endSeconds > 0;
        var b = new ProgressBarBuilder()
                .setTaskName("train")
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(barOut);
        if (timeBar) {
            long end = Math.round(endSeconds);
            b.setInitialMax(end).setUnit("s", 1).startsFrom(Math.round(elapsedSeconds), Duration.ZERO)
                    .setEtaFunction(p -> Optional.of(Duration.ofSeconds(Math.max(0, end - p.getCurrent()))));
        } else {
            b.setInitialMax(totalSteps > 0 ? totalSteps : -1).startsFrom(step, Duration.ZERO);
        }
        bar = b.build();
    }

    @Override
    public void onStep(long step, int epoch, double loss, double charsPerSecond, double elapsedSeconds) {
        if (bar != null) {
            bar.stepTo(timeBar ? Math.min(bar.getMax(), Math.round(elapsedSeconds)) : step);
            bar.setExtraMessage(String.format("%sep %d loss %.3f val %s %,.0f ch/s",
                    timeBar ? "step " + step + " " : "", epoch, loss,
                    Double.isNaN(lastVal) ? "-" : String.format("%.3f", lastVal), charsPerSecond));
        }
    }

    @Override
    public void onEval(EvalReport r) {
        lastVal = r.valLoss();
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
        if (bar != null) { // onStep moved it last: closing draws it where it is
            bar.close();
            bar = null;
        }
    }
}
