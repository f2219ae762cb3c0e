package charrnn.engine;

import charrnn.corpus.IdSequence;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reference engine: DL4J's own layers compute forward and backward ({@code computeGradientAndScore},
 * what {@code fit} calls), on any backend (CUDA included) and for any cell DL4J has. Windows become
 * one-hot {@code [n, V, T]} arrays in DL4J's recurrent layout ('f' order).
 */
final class Dl4jEngine implements Engine {
    private final MultiLayerNetwork net;
    private final int vocab;
    private final int batch;
    private final int steps;
    private final int[] window;
    // one-hot inputs and labels [n, V, T], and the mask [n, T], reused while n stays the same: ND4J's
    // off-heap memory of dropped arrays is freed only by the garbage collector
    private INDArray features;
    private INDArray labels;
    private INDArray mask;

    Dl4jEngine(MultiLayerNetwork net, int vocab, int batch, int steps) {
        this.net = net;
        this.vocab = vocab;
        this.batch = batch;
        this.steps = steps;
        this.window = new int[steps + 1];
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public int seqLength() {
        return steps;
    }

    @Override
    public double gradientSums(IdSequence ids, long[] starts, long dropoutSeed) {
        int n = starts.length;
        int[] full = new int[n];
        java.util.Arrays.fill(full, steps);
        oneHot(ids, starts, full, n);
        // dropout draws from ND4J's generator: seeded per step, a resumed run draws the same masks
        Nd4j.getRandom().setSeed(dropoutSeed);
        net.setInput(features);
        net.setLabels(labels);
        net.computeGradientAndScore();
        // DL4J's gradient is already summed over the windows; its score is their mean loss
        return net.score() * n;
    }

    @Override
    public INDArray gradient() {
        return net.gradient().gradient();
    }

    @Override
    public double logLikelihood(IdSequence ids, long[] starts, int[] lengths, int count) {
        oneHot(ids, starts, lengths, count);
        boolean masked = false;
        for (int i = 0; i < count; i++) {
            masked |= lengths[i] < steps;
        }
        INDArray m = null;
        if (masked) {
            m = mask.assign(1);
            for (int i = 0; i < count; i++) {
                for (int t = lengths[i]; t < steps; t++) {
                    m.putScalar(i, t, 0);
                }
            }
        }
        INDArray out = net.output(features, false, m, m);
        float[][] p = out.mul(labels).sum(1).toFloatMatrix(); // [n, T]: p(next id) where labelled
        double sum = 0;
        for (int i = 0; i < count; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                sum += Engine.logFloored(p[i][t]);
            }
        }
        return sum;
    }

    /** One-hot inputs and next-id labels for the first {@code lengths[i]} positions of each of {@code n} windows. */
    private void oneHot(IdSequence ids, long[] starts, int[] lengths, int n) {
        if (features == null || features.size(0) != n) {
            features = Nd4j.create(DataType.FLOAT, new long[]{n, vocab, steps}, 'f');
            labels = Nd4j.create(DataType.FLOAT, new long[]{n, vocab, steps}, 'f');
            mask = Nd4j.create(DataType.FLOAT, n, steps);
        } else {
            features.assign(0);
            labels.assign(0);
        }
        DataBuffer fd = features.data();
        DataBuffer ld = labels.data();
        for (int i = 0; i < n; i++) {
            ids.read(starts[i], window, 0, lengths[i] + 1);
            for (int t = 0; t < lengths[i]; t++) {
                long o = i + (long) t * n * vocab; // 'f' order [n, V, T]: i + v*n + t*n*V
                fd.put(o + (long) window[t] * n, 1.0f);
                ld.put(o + (long) window[t + 1] * n, 1.0f);
            }
        }
    }
}
