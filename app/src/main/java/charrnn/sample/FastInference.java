package charrnn.sample;

import charrnn.cell.Cell;
import charrnn.cell.InferenceStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Inference for a stack of recurrent layers in plain Java arrays: the weights are copied out of the
 * DL4J network once, laid out so that every inner loop runs over contiguous memory (the JIT
 * vectorises it), and a time step for {@code n} parallel samples costs no native call and no
 * allocation. Computes what DL4J's {@code rnnTimeStep} computes up to the output layer's logits
 * (the softmax is {@link Strategy}'s, with the temperature); the cell math of each layer is its
 * {@link Cell}'s {@link InferenceStep}. The tests hold it to DL4J's probabilities.
 */
final class FastInference {
    private final int layers;
    private final float[][][] w;    // [layer][input][G*H]: layer 0 has one row per symbol, added per step
    private final float[][][] rw;   // [layer][hidden unit][G*H]
    private final float[][] b;      // [layer][G*H]: the input's part of the bias
    private final float[][] bRec;   // [layer][G*H]: a split cell's recurrent bias (null for others)
    private final Cell[] cells;     // [layer]
    private final float[][] wOut;   // [hidden unit][V]
    private final float[] bOut;

    /** True when every layer of {@code net} below its (softmax) output layer is a {@link Cell}'s. */
    static boolean supports(MultiLayerNetwork net) {
        for (int l = 0; l < net.getnLayers() - 1; l++) {
            if (Cell.of(net.getLayer(l).conf().getLayer()) == null) {
                return false;
            }
        }
        return true;
    }

    FastInference(MultiLayerNetwork net) {
        layers = net.getnLayers() - 1;
        w = new float[layers][][];
        rw = new float[layers][][];
        b = new float[layers][];
        bRec = new float[layers][];
        cells = new Cell[layers];
        for (int l = 0; l < layers; l++) {
            w[l] = rowMajor(net.getLayer(l).getParam("W"));
            rw[l] = rowMajor(net.getLayer(l).getParam("RW"));
            float[] bias = net.getLayer(l).getParam("b").toFloatVector();
            int hidden = rw[l].length;
            int gh = rw[l][0].length;
            cells[l] = Cell.of(net.getLayer(l).conf().getLayer());
            boolean split = cells[l].split;
            // a split cell's b is [input's biases (G*H) | the last gate's recurrent bias (H)]
            if (bias.length != gh + (split ? hidden : 0) || gh != w[l][0].length) {
                throw new IllegalArgumentException("layer " + l + ": bias of " + bias.length + " for weights of "
                        + w[l][0].length + " and " + gh + " columns");
            }
            b[l] = Arrays.copyOf(bias, gh);
            if (split) {
                bRec[l] = new float[gh];
                System.arraycopy(bias, gh, bRec[l], gh - hidden, hidden);
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
        private final InferenceStep[] cell; // [layer]
        private final float[][][] h;      // [layer][sample][H]: each layer's output
        private final float[][][] z;      // [layer][sample][G*H]: the pre-activations
        private final float[][][] zr;     // [layer][sample][G*H]: their recurrent part, for split cells (else z)
        private final float[][] logits;   // [sample][V]
        private boolean[] active;         // the samples the current step computes (null: all)

        private Batch(int n) {
            this.n = n;
            cell = new InferenceStep[layers];
            h = new float[layers][][];
            z = new float[layers][][];
            zr = new float[layers][][];
            for (int l = 0; l < layers; l++) {
                cell[l] = cells[l].inference(n, rw[l].length);
                h[l] = new float[n][rw[l].length];
                z[l] = new float[n][b[l].length];
                zr[l] = bRec[l] != null ? new float[n][b[l].length] : z[l];
            }
            logits = new float[n][bOut.length];
        }

        /** Sample {@code s} starts again from a zero state. */
        void reset(int s) {
            for (int l = 0; l < layers; l++) {
                Arrays.fill(h[l][s], 0f);
                cell[l].reset(s);
            }
        }

        /**
         * Feeds one character per sample (an id, or -1 for an all-zero input) to the samples
         * {@code active} marks (null: all) and returns the next character's logits, one row per
         * sample (valid until the next call); the others neither move nor give logits.
         */
        float[][] step(int[] ids, boolean[] active) {
            this.active = active;
            for (int l = 0; l < layers; l++) {
                float[][] zl = z[l];
                for (int s = 0; s < n; s++) {
                    if (skip(s)) {
                        continue;
                    }
                    System.arraycopy(b[l], 0, zl[s], 0, b[l].length);
                    if (l == 0 && ids[s] >= 0) {
                        axpy(1f, w[0][ids[s]], zl[s]);
                    }
                }
                // row by row of the weights, every sample: a row is read from memory once per step
                if (l > 0) {
                    accumulateInto(h[l - 1], w[l], zl);
                }
                float[][] zrl = zr[l];
                if (bRec[l] != null) {
                    for (int s = 0; s < n; s++) {
                        System.arraycopy(bRec[l], 0, zrl[s], 0, bRec[l].length);
                    }
                }
                accumulateInto(h[l], rw[l], zrl);
                for (int s = 0; s < n; s++) {
                    if (!skip(s)) {
                        cell[l].step(s, zl[s], zrl[s], h[l][s]);
                    }
                }
            }
            for (int s = 0; s < n; s++) {
                System.arraycopy(bOut, 0, logits[s], 0, bOut.length);
            }
            accumulateInto(h[layers - 1], wOut, logits);
            return logits;
        }

        /**
         * out[s] += sum_k in[s][k] * rows[k] for every sample s, four weight rows per pass: each output
         * element is loaded and stored once per four rows (the loop is bound by loads and stores otherwise).
         */
        private void accumulateInto(float[][] in, float[][] rows, float[][] out) {
            int m = rows.length;
            int len = rows[0].length;
            int k = 0;
            for (; k + 3 < m; k += 4) {
                float[] r0 = rows[k], r1 = rows[k + 1], r2 = rows[k + 2], r3 = rows[k + 3];
                for (int s = 0; s < n; s++) {
                    if (skip(s)) {
                        continue;
                    }
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
                    if (!skip(s)) {
                        axpy(in[s][k], rows[k], out[s]);
                    }
                }
            }
        }

        private boolean skip(int s) {
            return active != null && !active[s];
        }
    }

    private static void axpy(float a, float[] x, float[] y) {
        if (a == 0f) {
            return;
        }
        for (int j = 0; j < y.length; j++) {
            y[j] += a * x[j];
        }
    }
}
