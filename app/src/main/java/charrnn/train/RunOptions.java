package charrnn.train;

import charrnn.RnnException;

/**
 * Budget and cadence of one training run (not part of the model: a resumed run may change them).
 * Steps and epochs count from the start of the model (a resume continues the counters); time
 * counts this run only. A limit of 0 is no limit; whichever limit comes first stops training.
 * Evaluations score the first {@code evalChars} characters of the validation split (0 = all).
 */
public record RunOptions(
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

    public RunOptions {
        check(epochs >= 0, "epochs", "must be >= 0 (0 = no limit), got " + epochs);
        check(maxSteps >= 0, "maxSteps", "must be >= 0 (0 = no limit), got " + maxSteps);
        check(maxSeconds >= 0, "maxSeconds", "must be >= 0 (0 = no limit)");
        check(evalEvery >= 1, "evalEvery", "must be >= 1, got " + evalEvery);
        check(evalChars >= 0, "evalChars", "must be >= 0 (0 = the whole validation split), got " + evalChars);
        check(sampleEvery >= 0, "sampleEvery", "must be >= 0 (0 = off), got " + sampleEvery);
        check(sampleLength >= 1, "sampleLength", "must be >= 1, got " + sampleLength);
        check(checkpointEvery >= 0, "checkpointEvery", "must be >= 0 (0 = only best and last), got " + checkpointEvery);
        check(keep >= 0, "keep", "must be >= 0, got " + keep);
        check(earlyStop >= 0, "earlyStop", "must be >= 0 (0 = off), got " + earlyStop);
    }

    /** This cadence with the budget {@code epochs}, {@code maxSteps}, {@code maxSeconds}. */
    public RunOptions withBudget(int epochs, long maxSteps, double maxSeconds) {
        return new RunOptions(epochs, maxSteps, maxSeconds, evalEvery, evalChars, sampleEvery, sampleLength,
                checkpointEvery, keep, earlyStop);
    }

    /** The budget when none is given: 10 minutes. */
    public static final double DEFAULT_SECONDS = 600;

    /**
     * What a resume given no budget trains for: what is left of the budget the resumed run had (its
     * plan, so the schedule continues the same curve to the same end); when that budget is used up,
     * or there was none, {@link #DEFAULT_SECONDS} more, with the schedule over the new budget.
     */
    public RunOptions continuing(charrnn.model.TrainingState s) {
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

    public RunOptions withEvalChars(long n) {
        return new RunOptions(epochs, maxSteps, maxSeconds, evalEvery, n, sampleEvery, sampleLength, checkpointEvery,
                keep, earlyStop);
    }

    private static void check(boolean ok, String setting, String problem) {
        if (!ok) {
            throw RnnException.invalid(setting, problem);
        }
    }
}
