package charrnn.train;


/** What a training run reports, for the CLI to show (progress bar, log lines) or tests to watch. */
public interface TrainingListener {
    default void onStart(long step, long stepsPerEpoch, long totalSteps) {
    }

    default void onStep(long step, int epoch, double loss, double charsPerSecond) {
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
