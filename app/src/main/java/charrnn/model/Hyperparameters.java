package charrnn.model;

import charrnn.RnnException;

/**
 * How the network is optimised; fixed for the life of a model (a resumed run keeps it).
 *
 * @param seqLength     characters per training window (backpropagation through time is truncated there)
 * @param batch         windows per step (with {@code streams}: the number of streams)
 * @param optimizer     "adam" or "rmsprop"
 * @param lr            peak learning rate
 * @param lrDecay       char-rnn schedule: factor applied per epoch once {@code lrDecayAfter} epochs are done
 * @param lrDecayAfter  char-rnn schedule: epochs at the initial rate
 * @param clip          element-wise gradient clipping threshold (0 = none)
 * @param randomSeed    seeds initialisation, window order and dropout
 * @param schedule      the learning-rate schedule, one of {@link #SCHEDULES}
 * @param minLr         where wsd and cosine end
 * @param warmup        steps of linear warm-up from lr / warmup to lr (0 = none)
 * @param decayFraction wsd: the final fraction of the budget over which the rate falls to minLr
 * @param clipNorm      clip the whole gradient to this L2 norm (0 = none), after the element-wise clip
 * @param streams       char-rnn's contiguous streams with the state carried from window to window,
 *                      else windows in shuffled order, each from a zero state
 */
public record Hyperparameters(int seqLength, int batch, String optimizer, double lr, double lrDecay, int lrDecayAfter,
                          double clip, long randomSeed, String schedule, double minLr, int warmup,
                          double decayFraction, double clipNorm, boolean streams) {
    public static final String ADAM = "adam";
    public static final String RMSPROP = "rmsprop";
    public static final String WSD = "wsd";
    public static final String COSINE = "cosine";
    public static final String CHAR_RNN = "char-rnn";
    public static final String CONSTANT = "constant";
    public static final java.util.List<String> SCHEDULES = java.util.List.of(WSD, COSINE, CHAR_RNN, CONSTANT);

    public Hyperparameters {
        if (seqLength < 1 || seqLength > 100_000) {
            throw RnnException.invalid("seqLength", "must be between 1 and 100000, got " + seqLength);
        }
        if (batch < 1 || batch > 65_536) {
            throw RnnException.invalid("batch", "must be between 1 and 65536, got " + batch);
        }
        if (!ADAM.equals(optimizer) && !RMSPROP.equals(optimizer)) {
            throw RnnException.invalid("optimizer", "must be adam or rmsprop, got '" + optimizer + "'");
        }
        if (!(lr > 0 && lr <= 1)) {
            throw RnnException.invalid("lr", "must be in (0, 1], got " + lr);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw RnnException.invalid("lrDecay", "must be in (0, 1], got " + lrDecay);
        }
        if (lrDecayAfter < 0) {
            throw RnnException.invalid("lrDecayAfter", "must be >= 0, got " + lrDecayAfter);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw RnnException.invalid("clip", "must be >= 0 (0 turns clipping off), got " + clip);
        }
        // a checkpoint from before schedules were chosen trained with char-rnn's
        schedule = schedule == null ? CHAR_RNN : schedule;
        if (!SCHEDULES.contains(schedule)) {
            throw RnnException.invalid("schedule", "must be one of " + String.join(", ", SCHEDULES) + ", got '"
                    + schedule + "'");
        }
        if (!(minLr >= 0 && minLr <= lr)) {
            throw RnnException.invalid("minLr", "must be between 0 and the peak rate lr (" + lr + "), got " + minLr);
        }
        if (warmup < 0) {
            throw RnnException.invalid("warmup", "must be >= 0 steps, got " + warmup);
        }
        if (!(decayFraction >= 0 && decayFraction <= 1)) {
            throw RnnException.invalid("decayFraction", "must be in [0, 1], got " + decayFraction);
        }
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw RnnException.invalid("clipNorm", "must be >= 0 (0 turns it off), got " + clipNorm);
        }
    }

    /**
     * Where wsd and cosine end unless told: a tenth of the peak rate ({@code --min-lr}'s default), the
     * decimal tenth (3e-3 gives 3e-4, where {@code 3e-3 / 10} is 3.0000000000000003E-4 in binary).
     */
    public static double defaultMinLr(double lr) {
        return java.math.BigDecimal.valueOf(lr).movePointLeft(1).doubleValue();
    }

    /** char-rnn's rate for a step in 0-based epoch {@code epoch}: lr * lrDecay^max(0, epoch - lrDecayAfter + 1). */
    public double learningRate(int epoch) {
        int decays = Math.max(0, epoch - lrDecayAfter + 1);
        return lr * Math.pow(lrDecay, decays);
    }

    /**
     * The rate of the step after {@code step} steps, in epoch {@code epoch}, with {@code progress}
     * (0 to 1) of the budget used: warm-up, then the schedule. wsd holds lr until the final
     * {@code decayFraction} of the budget and falls linearly to minLr over it; cosine falls from lr
     * to minLr over the whole budget; char-rnn decays per epoch; constant holds lr.
     */
    public double learningRate(long step, int epoch, double progress) {
        double p = Math.max(0, Math.min(1, progress));
        double rate = switch (schedule) {
            case CONSTANT -> lr;
            case CHAR_RNN -> learningRate(epoch);
            case COSINE -> minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * p));
            case WSD -> {
                double stable = 1 - decayFraction;
                yield p <= stable ? lr : lr + (minLr - lr) * Math.min(1, (p - stable) / decayFraction);
            }
            default -> throw new IllegalStateException(schedule);
        };
        return warmup > 0 && step < warmup ? rate * (step + 1) / warmup : rate;
    }
}
