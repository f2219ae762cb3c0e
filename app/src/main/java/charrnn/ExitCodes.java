package charrnn;

/** The documented exit codes (README, "Exit codes"). */
public final class ExitCodes {
    public static final int OK = 0;
    /** Unexpected failure: a bug or an environment problem (disk full, no native library). */
    public static final int FAILURE = 1;
    /** Usage error: unknown option, value out of range. */
    public static final int USAGE = 2;
    /** Bad input data: missing, empty, binary or non-UTF-8 corpus, unknown seed characters. */
    public static final int BAD_DATA = 3;
    /** Bad or incompatible model or checkpoint. */
    public static final int BAD_MODEL = 4;
    /** Training diverged (loss NaN or infinite); the last good checkpoint is kept. */
    public static final int DIVERGED = 5;
    /** The requested compute device is not available (e.g. --backend cuda without a GPU). */
    public static final int NO_DEVICE = 6;
    /** The Spark cluster cannot be reached, has no executors, or failed a step after Spark's retries. */
    public static final int CLUSTER = 7;
    /** Interrupted by SIGINT/SIGTERM; a checkpoint was written first. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
