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
}
