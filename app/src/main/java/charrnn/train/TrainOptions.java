package charrnn.train;

import charrnn.RnnException;

/**
 * Budget and cadence of one training run (not part of the model: a resumed run may change them).
 * Steps and epochs count from the start of the model (a resume continues the counters); time
 * counts this run only. A limit of 0 is no limit; whichever limit comes first stops training.
 * Evaluations score the first {@code evalChars} characters of the validation split (0 = all).
 */
public record TrainOptions(
        int epochs,
        long maxSteps,
        double maxSeconds,
        int evalEvery,
        long evalChars,
        int sampleEvery,
        int sampleLength,
        int checkpointEvery,
        int keep,
        int earlyStop) {

    public TrainOptions {
        check(epochs >= 0, "--epochs must be >= 0 (0 = no limit), got " + epochs);
        check(maxSteps >= 0, "--max-steps must be >= 0 (0 = no limit), got " + maxSteps);
        check(maxSeconds >= 0, "--max-time must be >= 0 (0 = no limit)");
        check(evalEvery >= 1, "--eval-every must be >= 1, got " + evalEvery);
        check(evalChars >= 0, "--eval-chars must be >= 0 (0 = the whole validation split), got " + evalChars);
        check(sampleEvery >= 0, "--sample-every must be >= 0 (0 = off), got " + sampleEvery);
        check(sampleLength >= 1, "--sample-length must be >= 1, got " + sampleLength);
        check(checkpointEvery >= 0, "--checkpoint-every must be >= 0 (0 = only best and last), got " + checkpointEvery);
        check(keep >= 0, "--keep must be >= 0, got " + keep);
        check(earlyStop >= 0, "--early-stop must be >= 0 (0 = off), got " + earlyStop);
    }

    /**
     * The CLI's defaults: 10 minutes, an evaluation (of 50,000 characters) and a preview every 100 steps, a
     * checkpoint every 500.
     */
    public static TrainOptions defaults() {
        return new TrainOptions(0, 0, DEFAULT_SECONDS, 100, 50_000, 100, 200, 500, 3, 0);
    }

    /** A budget of {@code n} steps and nothing else. */
    public TrainOptions withMaxSteps(long n) {
        return new TrainOptions(0, n, 0, evalEvery, evalChars, sampleEvery, sampleLength, checkpointEvery, keep,
                earlyStop);
    }

    /** A budget of {@code n} epochs and nothing else. */
    public TrainOptions withEpochs(int n) {
        return new TrainOptions(n, 0, 0, evalEvery, evalChars, sampleEvery, sampleLength, checkpointEvery, keep,
                earlyStop);
    }

    /** A budget of {@code seconds} of this run and nothing else. */
    public TrainOptions withMaxSeconds(double seconds) {
        return new TrainOptions(0, 0, seconds, evalEvery, evalChars, sampleEvery, sampleLength, checkpointEvery, keep,
                earlyStop);
    }

    /** This cadence with the budget {@code epochs}, {@code maxSteps}, {@code maxSeconds}. */
    public TrainOptions withBudget(int epochs, long maxSteps, double maxSeconds) {
        return new TrainOptions(epochs, maxSteps, maxSeconds, evalEvery, evalChars, sampleEvery, sampleLength,
                checkpointEvery, keep, earlyStop);
    }

    /** The budget when none is given: 10 minutes. */
    public static final double DEFAULT_SECONDS = 600;

    /**
     * What a resume given no budget trains for: what is left of the budget the resumed run had (its
     * plan, so the schedule continues the same curve to the same end); when that budget is used up,
     * or there was none, {@link #DEFAULT_SECONDS} more, with the schedule over the new budget.
     */
    public TrainOptions continuing(charrnn.model.TrainingState s) {
        var p = s.plan();
        if (!planLeft(s)) {
            return withBudget(0, 0, DEFAULT_SECONDS);
        }
        return withBudget(p.epochs(), p.maxSteps(), p.endSeconds() > 0 ? p.endSeconds() - s.elapsedSeconds() : 0);
    }

    /** Whether {@code s}'s plan has a budget and none of its limits is reached yet. */
    public static boolean planLeft(charrnn.model.TrainingState s) {
        var p = s.plan();
        boolean any = p.epochs() > 0 || p.maxSteps() > 0 || p.endSeconds() > 0;
        boolean reached = p.epochs() > 0 && s.epoch() >= p.epochs() || p.maxSteps() > 0 && s.step() >= p.maxSteps()
                || p.endSeconds() > 0 && s.elapsedSeconds() >= p.endSeconds();
        return any && !reached;
    }

    public TrainOptions withEvalEvery(int n) {
        return new TrainOptions(epochs, maxSteps, maxSeconds, n, evalChars, sampleEvery, sampleLength, checkpointEvery,
                keep, earlyStop);
    }

    public TrainOptions withEvalChars(long n) {
        return new TrainOptions(epochs, maxSteps, maxSeconds, evalEvery, n, sampleEvery, sampleLength, checkpointEvery,
                keep, earlyStop);
    }

    public TrainOptions withSampleEvery(int n) {
        return new TrainOptions(epochs, maxSteps, maxSeconds, evalEvery, evalChars, n, sampleLength, checkpointEvery,
                keep, earlyStop);
    }

    public TrainOptions withCheckpoints(int every, int keep) {
        return new TrainOptions(epochs, maxSteps, maxSeconds, evalEvery, evalChars, sampleEvery, sampleLength, every,
                keep, earlyStop);
    }

    public TrainOptions withEarlyStop(int evaluations) {
        return new TrainOptions(epochs, maxSteps, maxSeconds, evalEvery, evalChars, sampleEvery, sampleLength,
                checkpointEvery, keep, evaluations);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw RnnException.usage(message);
        }
    }
}
