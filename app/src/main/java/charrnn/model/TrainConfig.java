package charrnn.model;

import charrnn.RnnException;

/**
 * How the network is optimised; fixed for the life of a model (a resumed run keeps it).
 *
 * @param seqLength   characters per training window (backpropagation through time is truncated there)
 * @param batch       windows per step
 * @param optimizer   "adam" or "rmsprop"
 * @param lr          initial learning rate
 * @param lrDecay     factor applied per epoch once {@code lrDecayAfter} epochs are done (1 = constant)
 * @param lrDecayAfter epochs at the initial rate
 * @param clip        element-wise gradient clipping threshold (0 = none)
 * @param randomSeed  seeds initialisation, window order and dropout
 */
public record TrainConfig(int seqLength, int batch, String optimizer, double lr, double lrDecay, int lrDecayAfter,
                          double clip, long randomSeed) {
    public static final String ADAM = "adam";
    public static final String RMSPROP = "rmsprop";

    public TrainConfig {
        if (seqLength < 1 || seqLength > 100_000) {
            throw RnnException.usage("--seq-length must be between 1 and 100000, got " + seqLength);
        }
        if (batch < 1 || batch > 65_536) {
            throw RnnException.usage("--batch must be between 1 and 65536, got " + batch);
        }
        if (!ADAM.equals(optimizer) && !RMSPROP.equals(optimizer)) {
            throw RnnException.usage("--optimizer must be adam or rmsprop, got '" + optimizer + "'");
        }
        if (!(lr > 0 && lr <= 1)) {
            throw RnnException.usage("--lr must be in (0, 1], got " + lr);
        }
        if (!(lrDecay > 0 && lrDecay <= 1)) {
            throw RnnException.usage("--lr-decay must be in (0, 1], got " + lrDecay);
        }
        if (lrDecayAfter < 0) {
            throw RnnException.usage("--lr-decay-after must be >= 0, got " + lrDecayAfter);
        }
        if (!(clip >= 0) || Double.isInfinite(clip)) {
            throw RnnException.usage("--clip must be >= 0 (0 turns clipping off), got " + clip);
        }
    }

    /** The CLI's defaults: windows of 100, batches of 64, Adam at 4e-3 decayed by 0.97 per epoch after 30, clip 5, seed 42. */
    public static TrainConfig defaults() {
        return new TrainConfig(100, 64, ADAM, 4e-3, 0.97, 30, 5, 42);
    }

    /** Windows of {@code seqLength} characters, {@code batch} per step. */
    public TrainConfig withWindows(int seqLength, int batch) {
        return new TrainConfig(seqLength, batch, optimizer, lr, lrDecay, lrDecayAfter, clip, randomSeed);
    }

    /** {@code optimizer} at a constant rate {@code lr}. */
    public TrainConfig withConstantRate(String optimizer, double lr) {
        return new TrainConfig(seqLength, batch, optimizer, lr, 1, lrDecayAfter, clip, randomSeed);
    }

    public TrainConfig withClip(double clip) {
        return new TrainConfig(seqLength, batch, optimizer, lr, lrDecay, lrDecayAfter, clip, randomSeed);
    }

    public TrainConfig withRandomSeed(long seed) {
        return new TrainConfig(seqLength, batch, optimizer, lr, lrDecay, lrDecayAfter, clip, seed);
    }

    /** The learning rate for a step in 0-based epoch {@code epoch}: lr * lrDecay^max(0, epoch - lrDecayAfter + 1). */
    public double learningRate(int epoch) {
        int decays = Math.max(0, epoch - lrDecayAfter + 1);
        return lr * Math.pow(lrDecay, decays);
    }
}
