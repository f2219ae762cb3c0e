package charrnn.model;

/**
 * Where training stands, saved in every checkpoint so a resumed run continues exactly: the step
 * counter, the data position (epoch and batch within it; the window order is a function of the
 * random seed and the epoch, and dropout is seeded per step, so no RNG state needs saving), the
 * time trained and the best validation loss so far.
 */
public record TrainingState(
        long step,
        int epoch,
        long batchInEpoch,
        double elapsedSeconds,
        long charsSeen,
        double bestValLoss,
        long bestStep,
        int evalsSinceBest,
        double lastValLoss,
        double lastTrainLoss,
        String corpusDir) {

    public static TrainingState start(String corpusDir) {
        return new TrainingState(0, 0, 0, 0, 0, Double.NaN, -1, 0, Double.NaN, Double.NaN, corpusDir);
    }

    /** After one training step of {@code chars} characters with loss {@code loss}. */
    public TrainingState afterStep(long batchInEpoch, double elapsedSeconds, long chars, double loss) {
        return new TrainingState(step + 1, epoch, batchInEpoch, elapsedSeconds, charsSeen + chars, bestValLoss,
                bestStep, evalsSinceBest, lastValLoss, loss, corpusDir);
    }

    /** After an evaluation with validation loss {@code valLoss}: a new best resets the early-stop count. */
    public TrainingState afterEval(double valLoss) {
        boolean best = isBest(valLoss);
        return new TrainingState(step, epoch, batchInEpoch, elapsedSeconds, charsSeen, best ? valLoss : bestValLoss,
                best ? step : bestStep, best ? 0 : evalsSinceBest + 1, valLoss, lastTrainLoss, corpusDir);
    }

    /** Whether {@code valLoss} beats every validation loss so far. */
    public boolean isBest(double valLoss) {
        return Double.isNaN(bestValLoss) || valLoss < bestValLoss;
    }

    /** At the start of {@code epoch}. */
    public TrainingState atEpoch(int epoch) {
        return new TrainingState(step, epoch, 0, elapsedSeconds, charsSeen, bestValLoss, bestStep, evalsSinceBest,
                lastValLoss, lastTrainLoss, corpusDir);
    }

    /** The same state, training on the prepared corpus in {@code dir}. */
    public TrainingState withCorpusDir(String dir) {
        return new TrainingState(step, epoch, batchInEpoch, elapsedSeconds, charsSeen, bestValLoss, bestStep,
                evalsSinceBest, lastValLoss, lastTrainLoss, dir);
    }
}
