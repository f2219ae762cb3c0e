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

    public static Loss evaluate(MultiLayerNetwork net, OneHotWindows windows) {
        windows.setEpoch(0);
        double total = 0;
        long count = 0;
        while (windows.hasNext()) {
            DataSet ds = windows.next();
            INDArray out = net.output(ds.getFeatures(), false, ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
            INDArray p = out.mul(ds.getLabels()).sum(1).castTo(DataType.DOUBLE); // [b, T]: p(next char)
            if (!Double.isFinite(p.sumNumber().doubleValue())) {
                return new Loss(Double.NaN, count); // the floor below would hide NaN probabilities
            }
            Transforms.max(p, FLOOR, false);
            Transforms.log(p, false);
            INDArray mask = ds.getLabelsMaskArray();
            if (mask != null) {
                p.muli(mask.castTo(DataType.DOUBLE));
                count += mask.sumNumber().longValue();
            } else {
                count += p.length();
            }
            total -= p.sumNumber().doubleValue();
        }
        return new Loss(count == 0 ? Double.NaN : total / count, count);
    }
}
