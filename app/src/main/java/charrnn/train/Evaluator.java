package charrnn.train;

import charrnn.data.OneHotWindows;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Cross-entropy of a network on every transition of a range, computed from the softmax outputs
 * (so it does not depend on how DL4J normalises its score): nats per character, bits per
 * character and perplexity. State is reset at each window of the model's sequence length.
 */
public final class Evaluator {
    /** Probabilities below this count as this (a loss of about 69 nats for that character). */
    private static final float FLOOR = 1e-30f;

    public record Loss(double nats, long characters) {
        public double bitsPerChar() {
            return nats / Math.log(2);
        }

        public double perplexity() {
            return Math.exp(nats);
        }
    }

    private Evaluator() {
    }

    /**
     * The sum of log p over the probabilities of the target characters, in place. NaN when any
     * probability is NaN or infinite (a diverged network): the floor that keeps log finite for a
     * probability of 0 must not hide those.
     */
    static double sumLog(INDArray p) {
        if (!Double.isFinite(p.sumNumber().doubleValue())) {
            return Double.NaN;
        }
        Transforms.max(p, FLOOR, false);
        return Transforms.log(p, false).sumNumber().doubleValue();
    }

    /** log p with {@link #sumLog}'s floor and NaN rule, for one probability read on the Java side. */
    static double logFloored(double p) {
        return Double.isFinite(p) ? Math.log(Math.max(p, FLOOR)) : Double.NaN;
    }

    public static Loss evaluate(MultiLayerNetwork net, OneHotWindows windows) {
        windows.setEpoch(0);
        double total = 0;
        long count = 0;
        while (windows.hasNext()) {
            DataSet ds = windows.next();
            INDArray out = net.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
            INDArray p = out.mul(ds.getLabels()).sum(1).castTo(DataType.DOUBLE); // [b, T]: p(next char)
            INDArray mask = ds.getLabelsMaskArray();
            if (mask != null) {
                // masked positions count as probability 1: log 1 = 0
                p.muli(mask.castTo(DataType.DOUBLE)).addi(mask.castTo(DataType.DOUBLE).rsub(1.0));
                count += mask.sumNumber().longValue();
            } else {
                count += p.length();
            }
            total -= sumLog(p);
        }
        return new Loss(count == 0 ? Double.NaN : total / count, count);
    }
}
