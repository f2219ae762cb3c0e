package charrnn.cli;

import java.io.PrintWriter;

/**
 * Byte progress for long passes on stderr: nothing for the first two seconds, then a line that
 * redraws in place on a terminal and is cleared when the pass ends, or a plain line every 10% in
 * batch jobs.
 */
final class Progress {
    private final PrintWriter err;
    private final String label;
    private final boolean tty;
    private final boolean quiet;
    private final double delaySeconds;
    private final long startNanos = System.nanoTime();
    private int lastDecile = -1;
    private boolean shown;

    Progress(PrintWriter err, String label, Verbosity verbosity) {
        this(err, label, Terminal.stderrIsTerminal(), verbosity.quiet(), 2);
    }

    Progress(PrintWriter err, String label, boolean tty, boolean quiet, double delaySeconds) {
        this.err = err;
        this.label = label;
        this.tty = tty;
        this.quiet = quiet;
        this.delaySeconds = delaySeconds;
    }

    void update(long done, long total) {
        if (quiet || total <= 0) {
            return;
        }
        double secs = (System.nanoTime() - startNanos) / 1e9;
        if (secs >= delaySeconds) {
            int pct = (int) (100 * done / total);
            String line = String.format("%s: %3d%% (%,d of %,d MB, %.0f MB/s)", label, pct, done >> 20, total >> 20,
                    done / 1e6 / Math.max(secs, 1e-9));
            if (tty) {
                err.print("\r" + line);
                err.flush();
                shown = true;
            } else if (pct / 10 > lastDecile) {
                lastDecile = pct / 10;
                err.println(line);
            }
        }
        if (done >= total) {
            done();
        }
    }

    /** Clears the line on a terminal (the pass ended, or failed: an error line follows). */
    void done() {
        if (shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }
}
