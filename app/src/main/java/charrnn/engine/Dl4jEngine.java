package charrnn.engine;

import charrnn.model.ModelSpec;
import charrnn.model.RecurrentState;
import charrnn.corpus.IdSequence;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * The reference engine: DL4J's own layers compute forward and backward ({@code computeGradientAndScore},
 * what {@code fit} calls), on any backend (CUDA included) and for any cell DL4J has. Windows become
 * one-hot {@code [n, V, T]} arrays in DL4J's recurrent layout ('f' order). Scoring with a carried
 * state goes through {@code rnnTimeStep}'s stored state; training from one it cannot do.
 */
final class Dl4jEngine implements Engine {
    private final MultiLayerNetwork net;
    private final int vocab;
    private final int batch;
    private final int steps;
    private final int[] window;
    private final int recurrent;        // recurrent layers, below the output layer
    private final int parts;            // of each layer's state: h, and an LSTM's c
    private final int hidden;
    // one-hot inputs and labels [n, V, T], and the mask [n, T], reused while n stays the same: ND4J's
    // off-heap memory of dropped arrays is freed only by the garbage collector
    private INDArray features;
    private INDArray labels;
    private INDArray mask;

    Dl4jEngine(MultiLayerNetwork net, ModelSpec spec, int batch, int steps) {
        this.net = net;
        this.vocab = spec.vocabSize();
        this.batch = batch;
        this.steps = steps;
        this.window = new int[steps + 1];
        this.recurrent = net.getnLayers() - 1;
        this.parts = spec.cellType().parts;
        this.hidden = spec.hidden();
    }

    @Override
    public RecurrentState newState(int windows) {
        return new RecurrentState(recurrent, parts, windows, hidden);
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
    public double gradientSums(IdSequence ids, long[] starts, long dropoutSeed, int first, RecurrentState state) {
        int n = starts.length;
        int[] full = new int[n];
        java.util.Arrays.fill(full, steps);
        oneHot(ids, starts, full, n);
        // dropout draws from ND4J's generator: seeded per step, a resumed run draws the same masks
        Nd4j.getRandom().setSeed(dropoutSeed);
        net.setInput(features);
        net.setLabels(labels);
        if (state != null) {
            // DL4J's truncated-BPTT pass runs forward from a carried state but its gradient does not
            // match that forward pass (against finite differences: bench/NOTES.md 41)
            throw new UnsupportedOperationException("DL4J's layers cannot train from a carried state");
        }
        net.computeGradientAndScore();
        // DL4J's gradient is already summed over the windows; its score is their mean loss
        return net.score() * n;
    }

    @Override
    public boolean trainsFromState() {
        return false;
    }

    /** Slots {@code [0, n)} of {@code state} as each layer's stored state. */
    private void putState(RecurrentState state, int n) {
        net.rnnClearPreviousState();
        if (state.isZero()) {
            return;
        }
        for (int l = 0; l < recurrent; l++) {
            Map<String, INDArray> m = new HashMap<>();
            m.put(LSTM.STATE_KEY_PREV_ACTIVATION, rows(state.h(l), n));
            if (parts > 1) {
                m.put(LSTM.STATE_KEY_PREV_MEMCELL, rows(state.c(l), n));
            }
            net.rnnSetPreviousState(l, m);
        }
    }

    /** The first {@code n} windows' state of a layer as DL4J holds it, [n, H]. */
    private INDArray rows(float[] values, int n) {
        float[] used = java.util.Arrays.copyOf(values, n * hidden);
        return Nd4j.create(used, new long[]{n, hidden}, 'c');
    }

    /** A layer's state map (as DL4J left it after a pass) into slots {@code [0, n)} of {@code state}. */
    private void takeState(Map<String, INDArray> m, RecurrentState state, int l, int n) {
        copyRows(m.get(LSTM.STATE_KEY_PREV_ACTIVATION), state.h(l), n);
        if (parts > 1) {
            copyRows(m.get(LSTM.STATE_KEY_PREV_MEMCELL), state.c(l), n);
        }
    }

    private void copyRows(INDArray a, float[] dst, int n) {
        float[] v = a.castTo(DataType.FLOAT).dup('c').reshape((long) n * hidden).toFloatVector();
        System.arraycopy(v, 0, dst, 0, n * hidden);
    }

    @Override
    public INDArray gradient() {
        return net.gradient().gradient();
    }

    @Override
    public double logLikelihood(IdSequence ids, long[] starts, int[] lengths, int count, RecurrentState state) {
        oneHot(ids, starts, lengths, count);
        if (state != null) {
            // positions past a window's length read no input and are not scored: no mask needed, only
            // the state after them is not the window's (and unused: it ends its stream)
            INDArray out;
            try {
                putState(state, count);
                out = net.rnnTimeStep(features);
                for (int l = 0; l < recurrent; l++) {
                    takeState(net.rnnGetPreviousState(l), state, l, count);
                }
            } finally {
                net.rnnClearPreviousState();
            }
            return labelled(out, lengths, count);
        }
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
        return labelled(net.output(features, false, m, m), lengths, count);
    }

    /** Sum of log p(label) over the labelled positions of an output [n, V, T]. */
    private double labelled(INDArray out, int[] lengths, int count) {
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
