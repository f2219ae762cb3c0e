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
        int earlyStop,
        Engine engine) {

    /**
     * How a training step is computed: the fast LSTM step (CPU backend only), or DL4J's own
     * {@code fit} (both give the same math); auto picks fast on the CPU and dl4j on a GPU.
     */
    public enum Engine {
        auto, fast, dl4j;

        /** The engine to use on {@code backend} ("cpu" or "cuda"); a usage error for fast on CUDA. */
        public Engine resolve(String backend) {
            boolean gpu = "cuda".equals(backend);
            if (this == fast && gpu) {
                throw RnnException.usage("--engine fast computes its gate arithmetic in Java on the CPU; on the CUDA"
                        + " backend use --engine dl4j (what --engine auto picks there)");
            }
            return this != auto ? this : gpu ? dl4j : fast;
        }
    }

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
        check(engine != null, "--engine must be auto, fast or dl4j");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw RnnException.usage(message);
        }
    }
}
