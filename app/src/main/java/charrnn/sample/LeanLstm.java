package charrnn.sample;

import charrnn.model.LstmCell;
import com.sun.management.HotSpotDiagnosticMXBean;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    private final float[][] wIn;  // layer 0's input weights [symbol][4H]: one row is added per step
    private float[][] arena;      // rows of paddedLength(4H): the samples' z, then each layer's W (from layer 1) and RW
    private int zRows;            // how many samples' z rows the arena has
    private float[][] asRead;     // the weight rows in arena order, as read from the network; null once in the arena
    private final int[] wOff;     // [layer]: where layer l's W rows (l >= 1) start in the arena, after the z rows
    private final int[] rwOff;    // [layer]: where its RW rows start, after the z rows
    private final float[][] b;    // [layer][4H]
    private final float[][] wOut; // [hidden unit][V]
    private final float[] bOut;

    private int n;
    private double invTemperature = 1;
    private Boolean fourSamples;  // the weight loop's form (see Kernel); null: decided at the first batch of four
    private Partner partner;      // runs half of the samples when there are 8 or more
    private float[][][] h;        // [layer][sample][H]
    private float[][][] c;
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
        float[][][] w = new float[layers][][];
        float[][][] rw = new float[layers][][];
        wOff = new int[layers];
        rwOff = new int[layers];
        b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = rowMajor(net.getLayer(l).getParam("W"));
            rw[l] = rowMajor(net.getLayer(l).getParam("RW"));
            b[l] = net.getLayer(l).getParam("b").toFloatVector();
            if (b[l].length != g4) {
                throw new IllegalArgumentException("unexpected LSTM bias size " + b[l].length);
            }
        }
        wIn = w[0];
        List<float[]> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            wOff[l] = rows.size();
            if (l > 0) {
                rows.addAll(Arrays.asList(w[l]));
            }
            rwOff[l] = rows.size();
            rows.addAll(Arrays.asList(rw[l]));
        }
        asRead = rows.toArray(new float[0][]);
        wOut = rowMajor(net.getLayer(layers).getParam("W"));
        bOut = net.getLayer(layers).getParam("b").toFloatVector();
    }

    /**
     * The rows of a matrix as Java arrays, through one copy of its data: ND4J's {@code toFloatMatrix}
     * takes a view per row, about 0.1 s of a cold start for 2 x 256.
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

    /**
     * Divides the logits by {@code t} before the softmax from now on: the distributions are then
     * p^(1/t) renormalised, what {@link Strategy} computes from p at temperature t, at no cost.
     */
    void temperature(double t) {
        invTemperature = 1 / t;
    }

    /** Fixes the weight loop's form: four samples per pass, or one (the default where Kernel says it does not pay). */
    void useFourSamples(boolean on) {
        fourSamples = on;
    }

    /** Starts {@code n} samples from a zero state. */
    void reset(int n) {
        this.n = n;
        if (n >= 4 && fourSamples == null) {
            fourSamples = Kernel.FOUR_SAMPLES;
        }
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
        if (partner == null) {
            return step(ids, 0, n);  // no lambda per character for the common one-sample case
        }
        partner.split((from, to) -> step(ids, from, to), 0, n / 2, n);
        return probs;
    }

    /**
     * Runs {@code r} on samples [0, n/2) here and [n/2, n) on the partner thread when there is
     * one (8 or more samples), else on [0, n) here; returns when both halves are done. Samples are
     * independent, so each half may run any number of its own {@link #step(int[], int, int)}s
     * without waiting for the other (each half reads every weight row).
     */
    void inHalves(Partner.Range r) {
        if (partner != null) {
            partner.split(r, 0, n / 2, n);
        } else {
            r.run(0, n);
        }
    }

    /**
     * One time step for samples [from, to) alone: ids[s] for each (an id, or -1 for an all-zero
     * input). Returns the distributions of all samples (rows outside [from, to) untouched).
     */
    float[][] step(int[] ids, int from, int to) {
        int g4 = 4 * hidden;
        int quads = Boolean.TRUE.equals(fourSamples) ? (to - from) / 4 * 4 : 0;  // samples in passes of four
        float[][] z = arena;  // rows [0, n): the samples' gate accumulators
        for (int l = 0; l < layers; l++) {
            float[][] hl = h[l];
            for (int s = from; s < to; s++) {
                System.arraycopy(b[l], 0, z[s], 0, g4);
                if (l == 0 && ids[s] >= 0) {
                    axpy(1f, wIn[ids[s]], z[s], g4);
                }
            }
            // row by row of the weights, every sample: a row is read from memory once per step
            if (l > 0) {
                accumulateInto(h[l - 1], z, zRows + wOff[l], hidden, z, from, to, g4, quads);
            }
            accumulateInto(hl, z, zRows + rwOff[l], hidden, z, from, to, g4, quads);
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
        accumulateInto(top, wOut, 0, wOut.length, probs, from, to, vocab, quads);
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
        return probs;
    }

    /**
     * Keeps the recurrent weight rows (every layer's RW, and W from layer 1 on) and the samples'
     * gate accumulators z in one arena of rows whose objects are a multiple of 64 bytes long.
     * Allocated together they lie back to back, and since the arena is the only reference to them,
     * a collection copies them in its order, back to back again: every row starts at the same
     * offset modulo a cache line. The JIT aligns the vectorised loop to its store (a row of z), so
     * every weight row it loads is then aligned too. Rows allocated one after another as plain
     * float[4H] cycle through four offsets, and a misaligned 64-byte load touches two cache lines:
     * in a micro-benchmark the weight loop ran at 39-50 GFLOP/s that way and at 53-57 aligned
     * (bench/NOTES.md 25). Layer 0's input rows stay where they are (one row per sample and step is
     * added, and there is one per symbol of the vocabulary). The arena is built at the first reset
     * and again only when a reset asks for more samples than it holds.
     */
    private void arrange(int n) {
        if (arena != null && n <= zRows) {
            return;
        }
        int g4 = 4 * hidden;
        int weightRows = arena == null ? asRead.length : arena.length - zRows;
        float[][] next = new float[n + weightRows][paddedLength(g4)];
        for (int i = 0; i < weightRows; i++) {
            System.arraycopy(arena == null ? asRead[i] : arena[zRows + i], 0, next[n + i], 0, g4);
        }
        arena = next;
        zRows = n;
        asRead = null;
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

    /**
     * out[s] += sum_k in[s][k] * rows[base + k] for k < m, four weight rows per pass: each output
     * element is loaded and stored once per four rows (the loop is bound by loads and stores
     * otherwise). Where the JIT vectorises it ({@link Kernel#FOUR_SAMPLES}), four samples share
     * each pass and so each load of the four rows; a sample's sum is the same expression either
     * way, so its result does not depend on how many samples run together. The first {@code quads}
     * samples of [from, to) go in fours.
     */
    private static void accumulateInto(float[][] in, float[][] rows, int base, int m, float[][] out, int from, int to,
                                       int len, int quads) {
        int k = 0;
        for (; k + 3 < m; k += 4) {
            float[] r0 = rows[base + k], r1 = rows[base + k + 1], r2 = rows[base + k + 2], r3 = rows[base + k + 3];
            int s = from;
            for (; s < from + quads; s += 4) {
                accumulateFour(in, out, s, k, r0, r1, r2, r3, len);
            }
            for (; s < to; s++) {
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
                axpy(in[s][k], rows[base + k], out[s], len);
            }
        }
    }

    /** Samples s to s + 3, rows k to k + 3 (r0 to r3): each element of a row is loaded once for the four. */
    private static void accumulateFour(float[][] in, float[][] out, int s, int k, float[] r0, float[] r1, float[] r2,
                                       float[] r3, int len) {
        float[] a = in[s], b = in[s + 1], c = in[s + 2], d = in[s + 3];
        float a0 = a[k], a1 = a[k + 1], a2 = a[k + 2], a3 = a[k + 3];
        float b0 = b[k], b1 = b[k + 1], b2 = b[k + 2], b3 = b[k + 3];
        float c0 = c[k], c1 = c[k + 1], c2 = c[k + 2], c3 = c[k + 3];
        float d0 = d[k], d1 = d[k + 1], d2 = d[k + 2], d3 = d[k + 3];
        float[] ya = out[s], yb = out[s + 1], yc = out[s + 2], yd = out[s + 3];
        for (int j = 0; j < len; j++) {
            float w0 = r0[j], w1 = r1[j], w2 = r2[j], w3 = r3[j];
            ya[j] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3;
            yb[j] += b0 * w0 + b1 * w1 + b2 * w2 + b3 * w3;
            yc[j] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3;
            yd[j] += d0 * w0 + d1 * w1 + d2 * w2 + d3 * w3;
        }
    }

    /**
     * Whether {@link #accumulateFour} pays here, decided once and only when a batch of four or more
     * asks (reading the JVM's options takes about 30 ms). Its loop body is larger than C2's default
     * {@code LoopUnrollLimit} (60), so C2 neither unrolls nor vectorises it unless the limit is
     * raised (the launcher sets 250): it ran at 9 GFLOP/s that way against 40-50 for one sample per
     * pass. And its 16 broadcast weights and 8 vectors fit the 32 vector registers of AVX-512, not
     * the 16 of AVX2, where it was no faster (bench/NOTES.md 27).
     */
    static final class Kernel {
        static final boolean FOUR_SAMPLES = fourSamplesPay();

        private static boolean fourSamplesPay() {
            try {
                HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                return Integer.parseInt(vm.getVMOption("LoopUnrollLimit").getValue()) >= 200
                        && Integer.parseInt(vm.getVMOption("UseAVX").getValue()) >= 3;
            } catch (RuntimeException e) {  // not HotSpot, or not x86 (no UseAVX)
                return false;
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
