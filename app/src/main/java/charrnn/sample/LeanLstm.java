package charrnn.sample;

import charrnn.model.LstmCell;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference for an LSTM network in plain Java arrays: the weights are copied out of the DL4J
 * network once, laid out so that every inner loop runs over contiguous memory (the JIT vectorises
 * it), and a time step for {@code n} parallel samples costs no native call and no allocation.
 * Computes what DL4J's {@code rnnTimeStep} computes (gate columns [block input | forget | output |
 * input], no peepholes), up to the output layer's logits: the softmax is {@link Strategy}'s, with
 * the temperature. The tests hold it to DL4J's probabilities.
 */
final class LeanLstm {
    private final int layers;
    private final int hidden;
    private final int vocab;
    private final float[][][] w;  // [layer][input][4H]: layer 0 has one row per symbol, added per step
    private final float[][][] rw; // [layer][hidden unit][4H]
    private final float[][] b;    // [layer][4H]
    private final float[][] wOut; // [hidden unit][V]
    private final float[] bOut;

    /** True when {@code net} is a stack of DL4J LSTM layers with a softmax output, which this class can run. */
    static boolean supports(MultiLayerNetwork net) {
        for (int l = 0; l < net.getnLayers() - 1; l++) {
            if (!(net.getLayer(l).conf().getLayer() instanceof LSTM)) {
                return false;
            }
        }
        return true;
    }

    LeanLstm(MultiLayerNetwork net) {
        this.layers = net.getnLayers() - 1;
        this.hidden = (int) net.getLayer(0).getParam("RW").size(0);
        this.vocab = (int) net.getLayer(0).getParam("W").size(0);
        w = new float[layers][][];
        rw = new float[layers][][];
        b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = rowMajor(net.getLayer(l).getParam("W"));
            rw[l] = rowMajor(net.getLayer(l).getParam("RW"));
            b[l] = net.getLayer(l).getParam("b").toFloatVector();
            if (b[l].length != 4 * hidden) {
                throw new IllegalArgumentException("unexpected LSTM bias size " + b[l].length);
            }
        }
        wOut = rowMajor(net.getLayer(layers).getParam("W"));
        bOut = net.getLayer(layers).getParam("b").toFloatVector();
    }

    /**
     * The rows of a matrix as Java arrays, through one copy of its data: ND4J's {@code toFloatMatrix}
     * takes a view per row (bench/NOTES.md 32).
     */
    private static float[][] rowMajor(INDArray m) {
        int rows = (int) m.size(0);
        int cols = (int) m.size(1);
        float[] flat = m.dup('c').data().asFloat();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, out[r], 0, cols);
        }
        return out;
    }

    /** The state of {@code n} samples from a zero state; batches share the weights and are independent otherwise. */
    Batch batch(int n) {
        return new Batch(n);
    }

    /** The carried state of a batch of samples and its time step. */
    final class Batch {
        private final int n;
        private final float[][][] h;      // [layer][sample][H]
        private final float[][][] c;
        private final float[][] z;        // [sample][4H]: the gates' pre-activations
        private final float[][][] gates;  // [sample][gate][H]: z split per gate, so the gate loops vectorise
        private final float[][] tc;       // [sample][H] scratch
        private final float[][] logits;   // [sample][V]

        private Batch(int n) {
            this.n = n;
            h = new float[layers][n][hidden];
            c = new float[layers][n][hidden];
            z = new float[n][4 * hidden];
            gates = new float[n][4][hidden];
            tc = new float[n][hidden];
            logits = new float[n][vocab];
        }

        /**
         * Feeds one character per sample (an id, or -1 for an all-zero input) and returns the
         * next character's logits, one row per sample (valid until the next call).
         */
        float[][] step(int[] ids) {
            int g4 = 4 * hidden;
            for (int l = 0; l < layers; l++) {
                float[][] hl = h[l];
                for (int s = 0; s < n; s++) {
                    System.arraycopy(b[l], 0, z[s], 0, g4);
                    if (l == 0 && ids[s] >= 0) {
                        axpy(1f, w[0][ids[s]], z[s], g4);
                    }
                }
                // row by row of the weights, every sample: a row is read from memory once per step
                if (l > 0) {
                    accumulateInto(h[l - 1], w[l], z, g4);
                }
                accumulateInto(hl, rw[l], z, g4);
                for (int s = 0; s < n; s++) {
                    float[][] q = gates[s];
                    for (int gate = 0; gate < 4; gate++) {
                        System.arraycopy(z[s], gate * hidden, q[gate], 0, hidden);
                    }
                    LstmCell.forward(q[0], q[1], q[2], q[3], c[l][s], c[l][s], tc[s], hl[s], hidden);
                }
            }
            for (int s = 0; s < n; s++) {
                System.arraycopy(bOut, 0, logits[s], 0, vocab);
            }
            accumulateInto(h[layers - 1], wOut, logits, vocab);
            return logits;
        }

        /**
         * out[s] += sum_k in[s][k] * rows[k] for every sample s, four weight rows per pass: each output
         * element is loaded and stored once per four rows (the loop is bound by loads and stores otherwise).
         */
        private void accumulateInto(float[][] in, float[][] rows, float[][] out, int len) {
            int m = rows.length;
            int k = 0;
            for (; k + 3 < m; k += 4) {
                float[] r0 = rows[k], r1 = rows[k + 1], r2 = rows[k + 2], r3 = rows[k + 3];
                for (int s = 0; s < n; s++) {
                    float[] a = in[s];
                    float a0 = a[k], a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
                    float[] y = out[s];
                    for (int j = 0; j < len; j++) {
                        y[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
                    }
                }
            }
            for (; k < m; k++) {
                for (int s = 0; s < n; s++) {
                    axpy(in[s][k], rows[k], out[s], len);
                }
            }
        }

}

    private static void axpy(float a, float[] x, float[] y, int len) {
        if (a == 0f) {
            return;
        }
        for (int j = 0; j < len; j++) {
            y[j] += a * x[j];
        }
    }
}
