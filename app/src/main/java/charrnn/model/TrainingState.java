package charrnn.model;

/**
 * Where training stands, saved in every checkpoint so a resumed run continues exactly: the step
 * counter, the data position (epoch and batch within it; the window order is a function of the
 * random seed and the epoch, and dropout is seeded per step, so no RNG state needs saving; the
 * carried state of stream training is saved beside), the time trained, the best validation loss
 * so far, the budget the learning-rate schedule runs over, and how many validation characters the
 * evaluations scored ({@code --eval-chars}), so that a resumed run compares its figures with a best of
 * the same text.
 */
public record TrainingState(
        long step,
        int epoch,
        long batchInEpoch,
        double elapsedSeconds,
        long charsSeen,
        double bestValLoss,
        long bestStep,
        double bestSeconds,
        int evalsSinceBest,
        double lastValLoss,
        double lastTrainLoss,
        String corpusDir,
        Plan plan,
        Long evalChars) {

    /**
     * What checkpoints from before {@code evalChars} was saved were evaluated with: 250,000, the default of
     * {@code --eval-chars} then (bench/NOTES.md 63).
     */
    public static final long EVAL_CHARS_BEFORE_SAVED = 250_000;

    /**
     * The budget of the run that set it, which a schedule's progress is measured against:
     * {@code epochs} and {@code maxSteps} count from the model's start, {@code endSeconds} is the
     * training time (of all runs) at which the time budget ends; 0 = no such limit.
     */
    public record Plan(int epochs, long maxSteps, double endSeconds) {
        public static final Plan NONE = new Plan(0, 0, 0);

        /** The steps the plan allows, whichever of its epoch and step limits comes first; 0 = no step limit. */
        public long steps(long perEpoch) {
            long byEpochs = epochs > 0 ? epochs * perEpoch : Long.MAX_VALUE;
            long bySteps = maxSteps > 0 ? maxSteps : Long.MAX_VALUE;
            long t = Math.min(byEpochs, bySteps);
            return t == Long.MAX_VALUE ? 0 : t;
        }

        /**
         * How much of the plan is used after {@code step} steps and {@code seconds} of training: the
         * larger of the two fractions (steps or time, whichever budget is nearer its end); 0 with no budget.
         */
        public double progress(long step, double seconds, long perEpoch) {
            long total = steps(perEpoch);
            double p = total > 0 ? step / (double) total : 0;
            return endSeconds > 0 ? Math.max(p, seconds / endSeconds) : p;
        }
    }

    public static TrainingState start(String corpusDir) {
        return new TrainingState(0, 0, 0, 0, 0, Double.NaN, -1, 0, 0, Double.NaN, Double.NaN, corpusDir,
                Plan.NONE, null);
    }

    /**
     * Checkpoints from before plans were saved have none; those from before {@code evalChars} was saved were
     * evaluated with {@link #EVAL_CHARS_BEFORE_SAVED}. A new model has evaluated nothing yet: null.
     */
    public TrainingState {
        plan = plan == null ? Plan.NONE : plan;
        if (evalChars == null && step > 0) {
            evalChars = EVAL_CHARS_BEFORE_SAVED;
        }
    }

    /** The same state, its evaluations scoring the first {@code n} validation characters (0 = all). */
    public TrainingState withEvalChars(long n) {
        return new TrainingState(step, epoch, batchInEpoch, elapsedSeconds, charsSeen, bestValLoss, bestStep, bestSeconds,
                evalsSinceBest, lastValLoss, lastTrainLoss, corpusDir, plan, n);
    }

    /** The same state, with the schedule now running over {@code plan}. */
    public TrainingState withPlan(Plan plan) {
        return new TrainingState(step, epoch, batchInEpoch, elapsedSeconds, charsSeen, bestValLoss, bestStep, bestSeconds,
                evalsSinceBest, lastValLoss, lastTrainLoss, corpusDir, plan, evalChars);
    }

    /** After one training step of {@code chars} characters with loss {@code loss}. */
    public TrainingState afterStep(long batchInEpoch, double elapsedSeconds, long chars, double loss) {
        return new TrainingState(step + 1, epoch, batchInEpoch, elapsedSeconds, charsSeen + chars, bestValLoss,
                bestStep, bestSeconds, evalsSinceBest, lastValLoss, loss, corpusDir, plan, evalChars);
    }

    /** After an evaluation with validation loss {@code valLoss}: a new best resets the early-stop count. */
    public TrainingState afterEval(double valLoss) {
        boolean best = isBest(valLoss);
        return new TrainingState(step, epoch, batchInEpoch, elapsedSeconds, charsSeen, best ? valLoss : bestValLoss,
                best ? step : bestStep, best ? elapsedSeconds : bestSeconds, best ? 0 : evalsSinceBest + 1, valLoss, lastTrainLoss, corpusDir, plan,
                evalChars);
    }

    /** Whether {@code valLoss} beats every validation loss so far. */
    public boolean isBest(double valLoss) {
        return Double.isNaN(bestValLoss) || valLoss < bestValLoss;
    }

    /** At the start of {@code epoch}. */
    public TrainingState atEpoch(int epoch) {
        return new TrainingState(step, epoch, 0, elapsedSeconds, charsSeen, bestValLoss, bestStep, bestSeconds,
                evalsSinceBest, lastValLoss, lastTrainLoss, corpusDir, plan, evalChars);
    }

    /** The same state, training on the prepared corpus in {@code dir}. */
    public TrainingState withCorpusDir(String dir) {
        return new TrainingState(step, epoch, batchInEpoch, elapsedSeconds, charsSeen, bestValLoss, bestStep, bestSeconds,
                evalsSinceBest, lastValLoss, lastTrainLoss, dir, plan, evalChars);
    }
}
