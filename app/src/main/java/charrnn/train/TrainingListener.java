package charrnn.train;


/** What a training run reports, for the CLI to show (progress bar, log lines) or tests to watch. */
public interface TrainingListener {
    /**
     * Training starts at {@code step}, {@code elapsedSeconds} trained so far; the budget ends at step
     * {@code totalSteps} (0: no step or epoch limit) or at {@code endSeconds} trained (0: no time limit).
     */
    default void onStart(long step, long totalSteps, double elapsedSeconds, double endSeconds) {
    }

    default void onStep(long step, int epoch, double loss, double charsPerSecond, double elapsedSeconds) {
    }

    default void onEval(EvalReport report) {
    }

    default void onSample(long step, String text) {
    }

    default void log(String message) {
    }

    /** One evaluation: also the row written to metrics.csv; {@code protocol} is how valLoss was measured. */
    record EvalReport(long step, int epoch, double elapsedSeconds, double trainLoss, double valLoss,
                      double charsPerSecond, double learningRate, boolean best, double etaSeconds, String protocol) {
        public double valBitsPerChar() {
            return valLoss / Math.log(2);
        }
    }
}
