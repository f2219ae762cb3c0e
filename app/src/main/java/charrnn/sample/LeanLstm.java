package charrnn.sample;

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
final class LeanLstm {
    private final int layers;
    private final int hidden;
    private final int vocab;
    private final float[][] w;    // [layer][in * 4H + j], row = input unit
    private final float[][] rw;   // [layer][k * 4H + j], row = previous hidden unit
    private final float[][] b;    // [layer][4H]
    private final float[] wOut;   // [k * V + v]
    private final float[] bOut;

    private int n;
    private float[][][] h;        // [layer][sample][H]
    private float[][][] c;
    private float[][] z;          // [sample][4H]
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
        w = new float[layers][];
        rw = new float[layers][];
        b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = rowMajor(net.getLayer(l).getParam("W"));
            rw[l] = rowMajor(net.getLayer(l).getParam("RW"));
            b[l] = net.getLayer(l).getParam("b").toFloatVector();
            if (b[l].length != g4) {
                throw new IllegalArgumentException("unexpected LSTM bias size " + b[l].length);
            }
        }
        wOut = rowMajor(net.getLayer(layers).getParam("W"));
        bOut = net.getLayer(layers).getParam("b").toFloatVector();
    }

    private static float[] rowMajor(INDArray m) {
        return m.dup('c').reshape(m.length()).toFloatVector();
    }

    /** Starts {@code n} samples from a zero state. */
    void reset(int n) {
        this.n = n;
        h = new float[layers][n][hidden];
        c = new float[layers][n][hidden];
        z = new float[n][4 * hidden];
        probs = new float[n][vocab];
    }

    /**
     * Feeds one character per sample (an id, or -1 for an all-zero input) and returns the
     * next-character distributions, one row per sample (valid until the next call).
     */
    float[][] step(int[] ids) {
        int g4 = 4 * hidden;
        for (int l = 0; l < layers; l++) {
            float[] wl = w[l];
            float[] rwl = rw[l];
            for (int s = 0; s < n; s++) {
                float[] zs = z[s];
                System.arraycopy(b[l], 0, zs, 0, g4);
                if (l == 0) {
                    if (ids[s] >= 0) {
                        axpy(1f, wl, ids[s] * g4, zs, g4);
                    }
                } else {
                    float[] in = h[l - 1][s];
                    for (int k = 0; k < hidden; k++) {
                        axpy(in[k], wl, k * g4, zs, g4);
                    }
                }
                float[] hp = h[l][s];
                for (int k = 0; k < hidden; k++) {
                    axpy(hp[k], rwl, k * g4, zs, g4);
                }
                float[] cs = c[l][s];
                for (int j = 0; j < hidden; j++) {
                    float g = (float) Math.tanh(zs[j]);
                    float f = sigmoid(zs[hidden + j]);
                    float o = sigmoid(zs[2 * hidden + j]);
                    float i = sigmoid(zs[3 * hidden + j]);
                    float cj = f * cs[j] + i * g;
                    cs[j] = cj;
                    hp[j] = o * (float) Math.tanh(cj);
                }
            }
        }
        float[][] top = h[layers - 1];
        for (int s = 0; s < n; s++) {
            float[] p = probs[s];
            System.arraycopy(bOut, 0, p, 0, vocab);
            float[] hs = top[s];
            for (int k = 0; k < hidden; k++) {
                axpy(hs[k], wOut, k * vocab, p, vocab);
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, p[v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                float e = (float) Math.exp(p[v] - max);
                p[v] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int v = 0; v < vocab; v++) {
                p[v] *= inv;
            }
        }
        return probs;
    }

    private static void axpy(float a, float[] x, int off, float[] y, int len) {
        if (a == 0f) {
            return;
        }
        for (int j = 0; j < len; j++) {
            y[j] += a * x[off + j];
        }
    }

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}
