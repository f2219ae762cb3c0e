package charrnn.engine;

import charrnn.cell.Cell;
import charrnn.cell.TrainingStep;
import charrnn.model.RecurrentState;
import charrnn.RnnException;
import charrnn.corpus.IdSequence;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fast CPU engine: computes what the DL4J layers of a {@link Cell} compute (same parameters, gate
 * order and loss), organised for speed.
 * Each layer's input projection for the whole batch is one matrix product (layer 0's, from one-hot
 * input, a copy of weight rows), the recurrence one small product per time step, each weight
 * gradient one product after the backward sweep; the products run in ND4J (OpenBLAS), the gate
 * arithmetic in the cell's {@link TrainingStep} on Java arrays, which costs far less than ND4J's per-op overhead
 * at these sizes (bench/NOTES.md 9). The Java arrays are read and written through ND4J's host
 * buffers, so this engine is for the CPU backend only. Parameters and optimizer state stay in the
 * network's own arrays.
 * Parameters are laid out as {@link Cell} says.
 */
final class FastRecurrent implements Engine {
    private final MultiLayerNetwork net;
    private final int layers;
    private final int hidden;
    private final int vocab;
    private final int batch;
    private final int steps;
    private final double keep;
    private final int rows;
    private final int n;                // H * B: one step's values of one gate
    private final int gh;               // G * H: a layer's pre-activations per sequence
    private final Cell cell;
    private final TrainingStep[] cells; // [layer]
    private final boolean split;        // the cell keeps the recurrent pre-activations apart

    // parameters (views into the network's flat parameter vector) and gradient views
    private final INDArray[] w;
    private final INDArray[] rw;
    private final INDArray[] b;
    private final INDArray wOut;
    private final INDArray bOut;
    private final INDArray grad;
    private final INDArray[] gw;
    private final INDArray[] grw;
    private final INDArray[] gb;
    private final INDArray gwOut;
    private final INDArray gbOut;

    // ND4J matrices, column-major [feature, T*B] with column t*B + i for sequence i at step t, so
    // that the [feature, B] block of one step is contiguous and a plain column range.
    private final INDArray[] x;         // dropped-out h for layer l >= 1 (with dropout only)
    private final INDArray[] input;     // the input layer l >= 1 read in the last forward pass: x[l], or h[l - 1] without dropout
    private final INDArray[] mask;      // dropout masks [H, R] for layers >= 1 and (index layers) the output
    private final FloatBuffer[] maskBuf;
    private final float[] maskRow;      // [H]: one column of a mask
    private final INDArray[] h;         // output of layer l [H, R]
    private final INDArray s;           // [GH, R]: a layer's pre-activations (input's part), then their gradient
    private final INDArray sr;          // [GH, R]: the recurrent part and its gradient (split cells only)
    private final INDArray srSum;       // [GH]: sr's row sums
    private final INDArray dx;          // [H, R]: gradient wrt a layer's input
    private final INDArray outDrop;     // dropped-out top h [H, R] (with dropout only)
    private INDArray outIn;             // the output layer's input in the last forward pass: outDrop or the top h
    private final INDArray logits;      // [V, R], softmax in place, then its gradient
    private final INDArray dhRec;       // [H, B]
    private final INDArray ones;        // [R, 1]
    private final INDArray rowSum;      // [max(GH, V), 1]: the gates' and the output layer's bias sums
    private final INDArray[] sStep;     // step views of s, sr, h and dx
    private final INDArray[] srStep;
    private final INDArray[][] hStep;
    private final FloatBuffer sBuf;
    private final FloatBuffer srBuf;
    private final FloatBuffer[] hBuf;
    private final FloatBuffer dxBuf;
    private final FloatBuffer dhRecBuf;
    private final FloatBuffer logitsBuf;

    private final float[] zeros;
    // the state the windows start from (stateful calls): h as [H, B] matrices, every part in the cells
    private final INDArray[] h0;
    private final FloatBuffer[] h0Buf;
    private boolean carried;            // whether the current call starts from h0 and the cells' start (else from zero)
    private final float[] dhs, dhr;
    private final float[][] dIn;        // [gate][n]: a step's pre-activation gradients, the input's part
    private final float[][][] dRec;     // [layer][gate][n]: and the recurrent part's (the same arrays unless split)
    private final INDArray symbolRows;  // [V, GH] row-major: layer 0's W for the gather, then its gradient
    private final FloatBuffer symbolRowsBuf;
    private final float[][] symbolGrad; // [V][GH]: layer 0's weight gradient, row by row
    private final float[] column;       // [GH]: one column of s
    private final float[] zeroColumn;
    private final float[] zeroLogits;
    private final int[] inputs;         // per column t*B + i: the input id, or -1 for none (an all-zero one-hot column)
    private final int[] labels;         // per column t*B + i: the id to predict, or -1 for none
    private final int[] window;         // ids of one window: steps + 1
    private final int[] fullLengths;    // steps, for every window of a training batch

    FastRecurrent(MultiLayerNetwork net, Cell cell, int layers, int hidden, int vocab, int batch, int steps,
                  double dropout) {
        this.net = net;
        this.layers = layers;
        this.hidden = hidden;
        this.vocab = vocab;
        this.batch = batch;
        this.steps = steps;
        this.keep = 1.0 - dropout;
        this.rows = batch * steps;
        this.n = hidden * batch;
        this.cell = cell;
        cells = new TrainingStep[layers];
        for (int l = 0; l < layers; l++) {
            cells[l] = cell.training(hidden, batch, steps);
        }
        this.gh = cell.gates * hidden;
        this.split = cell.split;

        w = layerParams("W");
        rw = layerParams("RW");
        b = layerParams("b");
        wOut = net.getLayer(layers).getParam("W");
        bOut = net.getLayer(layers).getParam("b");
        grad = Nd4j.create(DataType.FLOAT, net.numParams());
        INDArray[] g = gradientViews();
        gw = new INDArray[layers];
        grw = new INDArray[layers];
        gb = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            gw[l] = g[3 * l];
            grw[l] = g[3 * l + 1];
            gb[l] = g[3 * l + 2];
        }
        gwOut = g[3 * layers];
        gbOut = g[3 * layers + 1];
        checkLayout();

        x = new INDArray[layers];
        input = new INDArray[layers];
        mask = new INDArray[layers + 1];
        h = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            x[l] = l > 0 && keep < 1 ? matrix(hidden, rows) : null;
            h[l] = matrix(hidden, rows);
            if (l > 0 && keep < 1) {
                mask[l] = matrix(hidden, rows);
            }
        }
        if (keep < 1) {
            mask[layers] = matrix(hidden, rows);
        }
        maskBuf = new FloatBuffer[layers + 1];
        for (int l = 1; l <= layers; l++) {
            maskBuf[l] = mask[l] != null ? host(mask[l]) : null;
        }
        maskRow = new float[hidden];
        s = matrix(gh, rows);
        sr = split ? matrix(gh, rows) : null;
        srSum = split ? Nd4j.create(DataType.FLOAT, gh) : null;
        dx = matrix(hidden, rows);
        outDrop = keep < 1 ? matrix(hidden, rows) : null;
        logits = matrix(vocab, rows);
        dhRec = matrix(hidden, batch);
        ones = matrix(rows, 1).assign(1);
        rowSum = matrix(Math.max(gh, vocab), 1);
        sStep = stepViews(s);
        srStep = split ? stepViews(sr) : null;
        hStep = new INDArray[layers][];
        for (int l = 0; l < layers; l++) {
            hStep[l] = stepViews(h[l]);
        }
        sBuf = host(s);
        srBuf = split ? host(sr) : null;
        hBuf = new FloatBuffer[layers];
        for (int l = 0; l < layers; l++) {
            hBuf[l] = host(h[l]);
        }
        dxBuf = host(dx);
        dhRecBuf = host(dhRec);
        symbolRows = Nd4j.create(DataType.FLOAT, new long[]{vocab, gh}, 'c');
        symbolRowsBuf = host(symbolRows);
        logitsBuf = host(logits);

        zeros = new float[n];
        h0 = new INDArray[layers];
        h0Buf = new FloatBuffer[layers];
        for (int l = 0; l < layers; l++) {
            h0[l] = matrix(hidden, batch);
            h0Buf[l] = host(h0[l]);
        }
        dhs = new float[n];
        dhr = new float[n];
        dIn = new float[cell.gates][n];
        dRec = new float[layers][][];
        for (int l = 0; l < layers; l++) {
            dRec[l] = cells[l].dRec(dIn);
        }
        symbolGrad = new float[vocab][gh];
        column = new float[gh];
        zeroColumn = new float[gh];
        zeroLogits = new float[vocab];
        inputs = new int[rows];
        labels = new int[rows];
        window = new int[steps + 1];
        fullLengths = new int[batch];
        Arrays.fill(fullLengths, steps);
    }

    /**
     * A fast step for these sizes, or a usage error (one line, no stack trace) when its buffers
     * cannot fit in the JVM's heap: the per-step activations of every layer are kept for the
     * backward pass, {@link #heapBytes} of them.
     */
    static FastRecurrent create(MultiLayerNetwork net, Cell cell, int layers, int hidden, int vocab, int batch,
                                int steps, double dropout) {
        long need = heapBytes(cell, layers, hidden, vocab, batch, steps);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        String tooLarge = String.format("the training step needs about %,d MB of Java heap for %d x %d with --batch %d"
                + " and --seq-length %d, more than the %,d MB available; raise it (e.g. RNN_JAVA_OPTS=-Xmx%dg) or lower"
                + " --batch or --seq-length", need >> 20, layers, hidden, batch, steps, free >> 20,
                Math.max(2, (rt.maxMemory() + need + need / 4 + (1L << 30) - 1) >> 30));
        if (need > free) {
            throw RnnException.usage(tooLarge);
        }
        try {
            return new FastRecurrent(net, cell, layers, hidden, vocab, batch, steps, dropout);
        } catch (OutOfMemoryError e) {
            throw RnnException.usage(tooLarge);
        }
    }

    /**
     * Java heap the step's arrays take: the cell's [H, B] arrays per layer and time step, plus layer
     * 0's weight gradient.
     */
    static long heapBytes(Cell cell, int layers, int hidden, int vocab, int batch, int steps) {
        long perStep = (long) hidden * batch;
        return 4L * ((long) cell.kept * layers * steps * perStep + 4L * hidden * vocab + 10 * perStep);
    }

    private static INDArray matrix(long r, long c) {
        return Nd4j.create(DataType.FLOAT, new long[]{r, c}, 'f');
    }

    /** The [F, B] block of each step t of a [F, T*B] column-major matrix: contiguous. */
    private INDArray[] stepViews(INDArray m) {
        INDArray[] v = new INDArray[steps];
        for (int t = 0; t < steps; t++) {
            v[t] = m.get(NDArrayIndex.all(), NDArrayIndex.interval((long) t * batch, (long) (t + 1) * batch));
        }
        return v;
    }

    /** The parameter {@code key} of every recurrent layer. */
    private INDArray[] layerParams(String key) {
        INDArray[] p = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            p[l] = net.getLayer(l).getParam(key);
        }
        return p;
    }

    /** The parameters in the order of the network's flat vector: W, RW, b per layer, then the output's W, b. */
    private List<INDArray> flatOrder() {
        List<INDArray> ps = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            ps.addAll(List.of(w[l], rw[l], b[l]));
        }
        ps.addAll(List.of(wOut, bOut));
        return ps;
    }

    /** Views of {@link #grad} shaped as the parameters, in {@link #flatOrder}. */
    private INDArray[] gradientViews() {
        List<INDArray> ps = flatOrder();
        INDArray[] views = new INDArray[ps.size()];
        long off = 0;
        for (int i = 0; i < views.length; i++) {
            views[i] = slice(grad, off, off + ps.get(i).length()).reshape('f', ps.get(i).shape());
            off += ps.get(i).length();
        }
        if (off != net.numParams()) {
            throw new IllegalStateException("unexpected parameter layout: " + off + " of " + net.numParams());
        }
        return views;
    }

    /**
     * Row sums of a [F, R] matrix into a bias gradient, as a matrix-vector product: ND4J's
     * {@code sum(1)} over a column-major matrix is many times slower (bench/NOTES.md 10).
     */
    private void rowSums(INDArray m, INDArray dst) {
        INDArray out = rowSum.get(NDArrayIndex.interval(0, m.size(0)), NDArrayIndex.all());
        Nd4j.gemm(m, ones, out, false, false, 1.0, 0.0);
        dst.assign(out.reshape(dst.shape()));
    }

    /** The host memory of a matrix this class created (offset 0), in native byte order. */
    private static FloatBuffer host(INDArray m) {
        FloatBuffer fb = m.data().asNioFloat();
        if (fb.capacity() < m.length()) {
            throw new IllegalStateException("host buffer shorter than the array");
        }
        return fb;
    }

    /**
     * The parameter views must be the flat vector in the order this class assumes (W, RW, b per
     * layer, then output W, b): checked by writing a recognisable pattern through the flat vector
     * and reading it back through the views (a comparison of values would fail on NaN weights).
     */
    private void checkLayout() {
        INDArray flat = net.params().reshape(net.numParams());
        INDArray saved = flat.dup();
        try {
            INDArray pattern = Nd4j.arange(0, flat.length()).castTo(DataType.DOUBLE);
            pattern = pattern.subi(Transforms.floor(pattern.div(65536), false).muli(65536)).castTo(DataType.FLOAT);
            flat.assign(pattern);
            long off = 0;
            for (INDArray p : flatOrder()) {
                INDArray expect = slice(pattern, off, off + p.length()).reshape('f', p.shape());
                if (!expect.equals(p)) {
                    throw new IllegalStateException("parameter layout differs from DL4J's at offset " + off);
                }
                off += p.length();
            }
        } finally {
            flat.assign(saved);
        }
    }

    /** Elements [from, to) of a flat (1 x n or n) contiguous vector, as a 1-d view. */
    private static INDArray slice(INDArray row, long from, long to) {
        return row.reshape(row.length()).get(NDArrayIndex.interval(from, to));
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
    public RecurrentState newState(int windows) {
        return new RecurrentState(layers, cell.parts, windows, hidden);
    }

    @Override
    public double gradientSums(IdSequence corpus, long[] starts, long dropoutSeed, int first, RecurrentState state) {
        if (starts.length > batch) {
            throw new IllegalArgumentException("at most " + batch + " windows, got " + starts.length);
        }
        loadBatch(corpus, starts, starts.length, fullLengths);
        loadState(state, starts.length);
        if (keep < 1) {
            drawMasks(dropoutSeed, first, starts.length);
        }

        forward(true);
        saveState(state, starts.length);

        // loss: -sum log p(label) over every labelled position
        double loss = -labelLogLikelihood();
        if (Double.isNaN(loss)) {
            return loss;
        }

        // backward: output layer; d loss / d logits = softmax - one-hot label, 0 for unused columns
        int top = layers - 1;
        for (int col = 0; col < rows; col++) {
            if (labels[col] >= 0) {
                int at = col * vocab + labels[col];
                logitsBuf.put(at, logitsBuf.get(at) - 1f);
            } else {
                logitsBuf.put(col * vocab, zeroLogits, 0, vocab);
            }
        }
        Nd4j.gemm(outIn, logits, gwOut, false, true, 1.0, 0.0);
        rowSums(logits, gbOut);
        Nd4j.gemm(wOut, logits, dx, false, false, 1.0, 0.0);
        if (keep < 1) {
            dx.muli(mask[layers]);
        }

        for (int l = top; l >= 0; l--) {
            // dx holds the gradient reaching this layer's output from above; s (and sr) receive d z
            TrainingStep step = cells[l];
            INDArray[] recStep = split ? srStep : sStep;
            step.beginBackward();
            for (int t = steps - 1; t >= 0; t--) {
                dxBuf.get(t * n, dhs, 0, n);
                if (t < steps - 1) {
                    dhRecBuf.get(0, dhr, 0, n);
                } else {
                    Arrays.fill(dhr, 0f);
                }
                step.backward(t, carried, dhs, dhr, dIn, dRec[l]);
                gateBlock(sBuf, t, false, dIn);
                if (split) {
                    gateBlock(srBuf, t, false, dRec[l]);
                }
                if (t > 0) {
                    Nd4j.gemm(rw[l], recStep[t], dhRec, false, false, 1.0, 0.0);
                }
            }
            if (l == 0) {
                scatterInputGradient();
            } else {
                Nd4j.gemm(input[l], s, gw[l], false, true, 1.0, 0.0);
            }
            INDArray dRecAll = split ? sr : s;
            if (steps > 1) {
                INDArray hPrev = h[l].get(NDArrayIndex.all(), NDArrayIndex.interval(0, rows - batch));
                INDArray dzNext = dRecAll.get(NDArrayIndex.all(), NDArrayIndex.interval(batch, rows));
                Nd4j.gemm(hPrev, dzNext, grw[l], false, true, 1.0, 0.0);
            } else {
                grw[l].assign(0);
            }
            if (carried) {
                // the first step's recurrent input is the carried state: its share of RW's gradient
                Nd4j.gemm(h0[l], recStep[0], grw[l], false, true, 1.0, 1.0);
            }
            if (split) {
                // b = [input's biases (GH) | the last gate's recurrent bias (H)]
                rowSums(s, slice(gb[l], 0, gh));
                rowSums(sr, srSum);
                slice(gb[l], gh, gh + hidden).assign(slice(srSum, gh - hidden, gh));
            } else {
                rowSums(s, gb[l]);
            }
            if (l > 0) {
                Nd4j.gemm(w[l], s, dx, false, false, 1.0, 0.0);
                if (keep < 1) {
                    dx.muli(mask[l]);
                }
            }
        }
        return loss;
    }

    /**
     * The dropout masks (kept: 1 / keep, dropped: 0) of the first {@code count} windows, window i's
     * from its own generator, seeded by the step's seed and the window's number {@code first + i}
     * in the step: the masks of a window do not depend on which share of the batch computes it.
     */
    private void drawMasks(long dropoutSeed, int first, int count) {
        float kept = (float) (1 / keep);
        float[] row = maskRow;
        for (int i = 0; i < batch; i++) {
            SplittableRandom random = i < count ? new SplittableRandom(windowSeed(dropoutSeed, first + i)) : null;
            for (int l = 1; l <= layers; l++) {
                for (int t = 0; t < steps; t++) {
                    for (int j = 0; j < hidden; j++) {
                        row[j] = random != null && random.nextFloat() < keep ? kept : 0f;
                    }
                    maskBuf[l].put((t * batch + i) * hidden, row, 0, hidden);
                }
            }
        }
    }

    /** The seed of window {@code window}'s masks: the step's seed and the window's number, mixed (murmur3's finaliser). */
    static long windowSeed(long dropoutSeed, long window) {
        long z = dropoutSeed * 0x9E3779B97F4A7C15L + window;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * Moves step t's {@code [GH, B]} block of {@code s} or {@code sr} (each column: the G gates, H
     * values each) into ({@code read}) or out of G {@code [H, B]} gate arrays, one bulk copy per gate
     * and column.
     */
    private void gateBlock(FloatBuffer buf, int t, boolean read, float[][] gates) {
        for (int i = 0; i < batch; i++) {
            int col = (t * batch + i) * gh;
            for (int q = 0; q < gates.length; q++) {
                if (read) {
                    buf.get(col + q * hidden, gates[q], i * hidden, hidden);
                } else {
                    buf.put(col + q * hidden, gates[q], i * hidden, hidden);
                }
            }
        }
    }

    /**
     * Loads the input and label ids of the windows: window i starts at {@code starts[i]} and has
     * {@code length[i]} steps (input id at t, label id at t + 1, column t*B + i); windows past
     * {@code count} and steps past a window's length have none (the evaluation's partial batch and
     * short last window: an all-zero one-hot input). One read of the corpus per window.
     */
    private void loadBatch(IdSequence corpus, long[] starts, int count, int[] length) {
        Arrays.fill(inputs, -1);
        Arrays.fill(labels, -1);
        for (int i = 0; i < count; i++) {
            corpus.read(starts[i], window, 0, length[i] + 1);
            for (int t = 0; t < length[i]; t++) {
                int col = t * batch + i;
                inputs[col] = window[t];
                labels[col] = window[t + 1];
            }
        }
    }

    /**
     * Layer 0's input projection W^T x for every column: the input is one-hot, so a column's
     * projection is the row of W of its symbol (zeros for no input), copied instead of multiplied
     * by a [V, T*B] one-hot matrix, whose cost grows with the vocabulary (bench/NOTES.md 31).
     */
    private void gatherInputRows() {
        symbolRows.assign(w[0]);
        for (int col = 0; col < rows; col++) {
            int id = inputs[col];
            if (id >= 0) {
                sBuf.put(col * gh, symbolRowsBuf, id * gh, gh);
            } else {
                sBuf.put(col * gh, zeroColumn, 0, gh);
            }
        }
    }

    /** Layer 0's weight gradient x s^T: each column's d z (in s) added to the row of its symbol. */
    private void scatterInputGradient() {
        for (float[] row : symbolGrad) {
            Arrays.fill(row, 0f);
        }
        for (int col = 0; col < rows; col++) {
            int id = inputs[col];
            if (id < 0) {
                continue;
            }
            sBuf.get(col * gh, column, 0, gh);
            float[] row = symbolGrad[id];
            for (int j = 0; j < gh; j++) {
                row[j] += column[j];
            }
        }
        for (int v = 0; v < vocab; v++) {
            symbolRowsBuf.put(v * gh, symbolGrad[v], 0, gh);
        }
        gw[0].assign(symbolRows);
    }

    /** Forward pass over the loaded batch into {@code logits} (softmax probabilities); dropout only when asked. */
    private void forward(boolean dropout) {
        boolean drop = dropout && keep < 1;
        for (int l = 0; l < layers; l++) {
            TrainingStep step = cells[l];
            if (l > 0) {
                if (drop) {
                    input[l] = h[l - 1].mul(mask[l], x[l]);
                } else {
                    input[l] = h[l - 1];
                }
            }
            if (l == 0) {
                gatherInputRows();
            } else {
                Nd4j.gemm(w[l], input[l], s, true, false, 1.0, 0.0);
            }
            s.addiColumnVector(slice(b[l], 0, gh).reshape(gh, 1));
            if (split) {
                step.bias(b[l].toFloatVector());
            }
            for (int t = 0; t < steps; t++) {
                // the recurrent product: added to the input's part, or apart for a split cell
                INDArray into = split ? srStep[t] : sStep[t];
                double beta = split ? 0.0 : 1.0;
                if (t > 0) {
                    Nd4j.gemm(rw[l], hStep[l][t - 1], into, true, false, 1.0, beta);
                } else if (carried) {
                    Nd4j.gemm(rw[l], h0[l], into, true, false, 1.0, beta);
                }
                if (split) {
                    if (t > 0 || carried) {
                        gateBlock(srBuf, t, true, step.rec(t));
                    } else {
                        for (float[] q : step.rec(t)) {
                            Arrays.fill(q, 0f);
                        }
                    }
                }
                gateBlock(sBuf, t, true, step.in(t));
                hBuf[l].put(t * n, step.forward(t, carried), 0, n);
            }
        }
        int top = layers - 1;
        if (drop) {
            outIn = h[top].mul(mask[layers], outDrop);
        } else {
            outIn = h[top];
        }
        Nd4j.gemm(wOut, outIn, logits, true, false, 1.0, 0.0);
        logits.addiColumnVector(bOut.reshape(vocab, 1));
        Nd4j.exec(new SoftMax(logits, logits, 0));
    }

    @Override
    public double logLikelihood(IdSequence corpus, long[] starts, int[] lengths, int count, RecurrentState state) {
        loadBatch(corpus, starts, count, lengths);
        loadState(state, count);
        forward(false);
        saveState(state, count);
        return labelLogLikelihood();
    }

    /** The start state of the first {@code count} windows: slot i of {@code state}, or zero (no state, or an all-zero one). */
    private void loadState(RecurrentState state, int count) {
        if (state != null && (state.layers() != layers || state.parts() != cell.parts || state.hidden() != hidden
                || state.windows() < count)) {
            throw new IllegalArgumentException("a state of " + state.layers() + " x " + state.hidden() + " for "
                    + state.windows() + " windows does not fit " + count + " windows of " + layers + " x " + hidden);
        }
        carried = state != null && !state.isZero();
        if (!carried) {
            return;
        }
        int used = count * hidden;
        for (int l = 0; l < layers; l++) {
            h0Buf[l].put(0, state.h(l), 0, used);
            if (used < n) {
                h0Buf[l].put(used, zeros, 0, n - used);
            }
            for (int p = 0; p < state.parts(); p++) {
                float[] into = cells[l].start(p);
                System.arraycopy(p == 0 ? state.h(l) : state.c(l), 0, into, 0, used);
                Arrays.fill(into, used, n, 0f);
            }
        }
    }

    /** Each window's state after the last step into slot i of {@code state}. */
    private void saveState(RecurrentState state, int count) {
        if (state == null) {
            return;
        }
        int used = count * hidden;
        for (int l = 0; l < layers; l++) {
            hBuf[l].get((steps - 1) * n, state.h(l), 0, used);
            if (state.parts() > 1) {
                System.arraycopy(cells[l].part(1, steps - 1), 0, state.c(l), 0, used);
            }
        }
    }

    /**
     * Sum of log p(label) over the labelled columns of the softmax output, read on the Java side:
     * ND4J expressions here would allocate off-heap temporaries every step, which only the garbage
     * collector frees (it let the process grow by hundreds of MB).
     */
    private double labelLogLikelihood() {
        double sum = 0;
        for (int col = 0; col < rows; col++) {
            if (labels[col] >= 0) {
                sum += Engine.logFloored(logitsBuf.get(col * vocab + labels[col]));
            }
        }
        return sum;
    }

    @Override
    public INDArray gradient() {
        return grad;
    }
}
