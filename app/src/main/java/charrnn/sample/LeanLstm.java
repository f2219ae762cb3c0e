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
 * input], no peepholes, softmax output); the tests hold it to DL4J's probabilities.
 */
final class LeanLstm implements AutoCloseable {
    private final int layers;
    private final int hidden;
    private final int vocab;
    private final float[][][] wNet;  // [layer][input unit][4H], as read from the network
    private final float[][][] rwNet; // [layer][previous hidden unit][4H]
    private float[][][] w;         // the same rows, copied into the arena by reset()
    private float[][][] rw;
    private final float[][] b;    // [layer][4H]
    private final float[][] wOut; // [hidden unit][V]
    private final float[] bOut;

    private int n;
    private double invTemperature = 1;
    private Partner partner;      // runs half of the samples when there are 8 or more
    private float[][][] h;        // [layer][sample][H]
    private float[][][] c;
    private float[][] z;          // [sample][4H]
    private float[][][] gates;    // [sample][gate][H]: z split per gate, so the gate loops vectorise
    private float[][] tc;         // [sample][H] scratch
    private float[][] probs;      // [sample][V]

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
        INDArray rw0 = net.getLayer(0).getParam("RW");
        this.hidden = (int) rw0.size(0);
        this.vocab = (int) net.getLayer(0).getParam("W").size(0);
        int g4 = 4 * hidden;
        wNet = new float[layers][][];
        rwNet = new float[layers][][];
        b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            wNet[l] = rowMajor(net.getLayer(l).getParam("W"));
            rwNet[l] = rowMajor(net.getLayer(l).getParam("RW"));
            b[l] = net.getLayer(l).getParam("b").toFloatVector();
            if (b[l].length != g4) {
                throw new IllegalArgumentException("unexpected LSTM bias size " + b[l].length);
            }
        }
        wOut = rowMajor(net.getLayer(layers).getParam("W"));
        bOut = net.getLayer(layers).getParam("b").toFloatVector();
    }

    private static float[][] rowMajor(INDArray m) {
        return m.dup('c').toFloatMatrix();
    }

    /**
     * Divides the logits by {@code t} before the softmax from now on: the distributions are then
     * p^(1/t) renormalised, what {@link Strategy} computes from p at temperature t, at no cost.
     */
    void temperature(double t) {
        invTemperature = 1 / t;
    }

    /** Starts {@code n} samples from a zero state. */
    void reset(int n) {
        this.n = n;
        close();
        if (n >= 8 && Runtime.getRuntime().availableProcessors() >= 2) {
            partner = new Partner();
        }
        h = new float[layers][n][hidden];
        c = new float[layers][n][hidden];
        arrange(n);
        gates = new float[n][4][hidden];
        tc = new float[n][hidden];
        probs = new float[n][vocab];
    }

    /**
     * Feeds one character per sample (an id, or -1 for an all-zero input) and returns the
     * next-character distributions, one row per sample (valid until the next call).
     */
    float[][] step(int[] ids) {
        if (partner != null) {
            // samples are independent: half of them on the other core (each half reads every weight row)
            partner.split((from, to) -> stepRange(ids, from, to), 0, n / 2, n);
        } else {
            stepRange(ids, 0, n);
        }
        return probs;
    }

    /**
     * Copies the weight rows and the samples' gate accumulators {@code z} into one arena of rows
     * whose objects are a multiple of 64 bytes long. Allocated together they lie back to back, and
     * the collectors move them as a block, so every row starts at the same offset modulo a cache
     * line: when the JIT aligns the vectorised loop to its store (a row of z), every weight row it
     * loads is aligned too. Rows allocated one after another as plain float[4H] cycle through
     * four offsets, and a misaligned 64-byte load touches two cache lines: in a micro-benchmark the
     * weight loop ran at 39-50 GFLOP/s that way and at 53-57 aligned (bench/NOTES.md 25).
     */
    private void arrange(int n) {
        int g4 = 4 * hidden;
        int rows = n;
        for (int l = 0; l < layers; l++) {
            rows += wNet[l].length + rwNet[l].length;
        }
        float[][] arena = new float[rows][paddedLength(g4)];
        int next = 0;
        z = new float[n][];
        for (int s = 0; s < n; s++) {
            z[s] = arena[next++];
        }
        w = new float[layers][][];
        rw = new float[layers][][];
        for (int l = 0; l < layers; l++) {
            w[l] = new float[wNet[l].length][];
            for (int k = 0; k < wNet[l].length; k++) {
                w[l][k] = arena[next++];
                System.arraycopy(wNet[l][k], 0, w[l][k], 0, g4);
            }
            rw[l] = new float[rwNet[l].length][];
            for (int k = 0; k < rwNet[l].length; k++) {
                rw[l][k] = arena[next++];
                System.arraycopy(rwNet[l][k], 0, rw[l][k], 0, g4);
            }
        }
    }

    /**
     * The smallest length of at least {@code len} floats whose array object (a 16-byte header and
     * the elements) is a multiple of 64 bytes long.
     */
    static int paddedLength(int len) {
        int p = len;
        while ((16 + 4L * p) % 64 != 0) {
            p++;
        }
        return p;
    }

    /** Stops the partner thread, if any. */
    @Override
    public void close() {
        if (partner != null) {
            partner.close();
            partner = null;
        }
    }

    /** One time step for samples [from, to). */
    private void stepRange(int[] ids, int from, int to) {
        int g4 = 4 * hidden;
        for (int l = 0; l < layers; l++) {
            float[][] wl = w[l];
            float[][] rwl = rw[l];
            float[][] hl = h[l];
            for (int s = from; s < to; s++) {
                System.arraycopy(b[l], 0, z[s], 0, g4);
                if (l == 0 && ids[s] >= 0) {
                    axpy(1f, wl[ids[s]], z[s], g4);
                }
            }
            // row by row of the weights, every sample: a row is read from memory once per step
            if (l > 0) {
                accumulateInto(h[l - 1], wl, z, from, to, g4);
            }
            accumulateInto(hl, rwl, z, from, to, g4);
            for (int s = from; s < to; s++) {
                float[][] q = gates[s];
                for (int gate = 0; gate < 4; gate++) {
                    System.arraycopy(z[s], gate * hidden, q[gate], 0, hidden);
                }
                LstmCell.forward(q[0], q[1], q[2], q[3], c[l][s], c[l][s], tc[s], hl[s], hidden);
            }
        }
        float[][] top = h[layers - 1];
        for (int s = from; s < to; s++) {
            System.arraycopy(bOut, 0, probs[s], 0, vocab);
        }
        accumulateInto(top, wOut, probs, from, to, vocab);
        for (int s = from; s < to; s++) {
            float[] p = probs[s];
            float max = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, p[v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                float e = (float) Math.exp((p[v] - max) * invTemperature);
                p[v] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int v = 0; v < vocab; v++) {
                p[v] *= inv;
            }
        }
    }

    /**
     * out[s] += sum_k in[s][k] * rows[k]: four weight rows per pass over out[s], so each output
     * element is loaded and stored once per four rows (the loop is store-bound otherwise); every
     * sample is computed on its own, so a sample's result does not depend on how many run together.
     */
    private static void accumulateInto(float[][] in, float[][] rows, float[][] out, int from, int to, int len) {
        int k = 0;
        int m = rows.length;
        for (; k + 3 < m; k += 4) {
            float[] r0 = rows[k], r1 = rows[k + 1], r2 = rows[k + 2], r3 = rows[k + 3];
            for (int s = from; s < to; s++) {
                float[] a = in[s];
                float a0 = a[k], a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
                float[] y = out[s];
                for (int j = 0; j < len; j++) {
                    y[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
                }
            }
        }
        for (; k < m; k++) {
            for (int s = from; s < to; s++) {
                axpy(in[s][k], rows[k], out[s], len);
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
