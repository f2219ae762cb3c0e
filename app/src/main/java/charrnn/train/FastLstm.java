package charrnn.train;

import charrnn.corpus.IdSequence;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A training step for the LSTM network that computes exactly what DL4J's {@code LSTM} layers
 * compute (same parameters, same gate order, same loss scale), but organised for speed: the input
 * projection of every time step is one matrix product, the recurrence does one small product per
 * step, and the weight gradients are one product per matrix after the backward sweep. All buffers
 * are allocated once. Parameters and optimizer state stay in the DL4J network's own arrays, so
 * checkpoints, evaluation and sampling see them unchanged.
 *
 * <p>DL4J's LSTM packs its four gates as columns {@code [block input (tanh) | forget | output |
 * input gate]} of {@code W [nIn, 4H]}, {@code RW [H, 4H]} and {@code b [1, 4H]}; there are no
 * peepholes. The loss is the cross-entropy summed over time steps and averaged over the batch, as
 * DL4J's {@code RnnOutputLayer} scores it (char-rnn's gradient scale, so clipping means the same).
 */
public final class FastLstm {
    private final MultiLayerNetwork net;
    private final int layers;
    private final int hidden;
    private final int vocab;
    private final int batch;
    private final int steps;
    private final double keep;
    private final double clip;
    private final int rows;

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

    // Activations are feature-major so that every gate of every time step is one contiguous
    // [H, batch] block (strided views are about ten times slower per op in ND4J). Sequences of
    // all steps live as [feature, T*batch] matrices (column t*batch + i) for the big products,
    // and as [T, feature, batch] stacks for the per-step work; a permuted copy moves between them.
    private final INDArray[] x;         // input of layer l, [nIn, R]: one-hot for layer 0, dropped-out h below otherwise
    private final INDArray y;           // one-hot labels [V, R]
    private final INDArray[] mask;      // dropout masks [H, R] for layers >= 1 and (index layers) the output
    private final INDArray[] z;         // gate activations [T, 4H, B]
    private final INDArray[] c;         // cell state [T, H, B]
    private final INDArray[] tc;        // tanh(c) [T, H, B]
    private final INDArray[] h;         // output [T, H, B]
    private final INDArray[] h2d;       // output [H, R]
    private final INDArray[] dz;        // gradient wrt gate pre-activations [T, 4H, B]
    private final INDArray[] dh;        // gradient wrt h [T, H, B]
    private final INDArray s;           // scratch [4H, R]: pre-activations, then their gradient
    private final INDArray dx;          // scratch [H, R]: gradient wrt a layer's input
    private final INDArray outIn;       // output layer input [H, R]
    private final INDArray logits;      // [V, R], softmax in place, then its gradient
    private final INDArray dhRec;
    private final INDArray dc;
    private final INDArray tmp;

    // per-time-step views
    private final INDArray[][] zt, gt, ft, ot, it, foit, ct, tct, ht, dzt, dgt, dft, dot, dit, dht;

    public FastLstm(MultiLayerNetwork net, int layers, int hidden, int vocab, int batch, int steps, double dropout,
                    double clip) {
        this.net = net;
        this.layers = layers;
        this.hidden = hidden;
        this.vocab = vocab;
        this.batch = batch;
        this.steps = steps;
        this.keep = 1.0 - dropout;
        this.clip = clip;
        this.rows = batch * steps;
        int g4 = 4 * hidden;

        w = new INDArray[layers];
        rw = new INDArray[layers];
        b = new INDArray[layers];
        gw = new INDArray[layers];
        grw = new INDArray[layers];
        gb = new INDArray[layers];
        grad = Nd4j.create(DataType.FLOAT, net.numParams());
        long off = 0;
        for (int l = 0; l < layers; l++) {
            var layer = net.getLayer(l);
            w[l] = layer.getParam("W");
            rw[l] = layer.getParam("RW");
            b[l] = layer.getParam("b");
            gw[l] = gradView(off, w[l]);
            off += w[l].length();
            grw[l] = gradView(off, rw[l]);
            off += rw[l].length();
            gb[l] = gradView(off, b[l]);
            off += b[l].length();
        }
        wOut = net.getLayer(layers).getParam("W");
        bOut = net.getLayer(layers).getParam("b");
        gwOut = gradView(off, wOut);
        off += wOut.length();
        gbOut = gradView(off, bOut);
        off += bOut.length();
        if (off != net.numParams()) {
            throw new IllegalStateException("unexpected parameter layout: " + off + " of " + net.numParams());
        }
        checkLayout();

        x = new INDArray[layers];
        mask = new INDArray[layers + 1];
        z = new INDArray[layers];
        c = new INDArray[layers];
        tc = new INDArray[layers];
        h = new INDArray[layers];
        h2d = new INDArray[layers];
        dz = new INDArray[layers];
        dh = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            x[l] = Nd4j.create(DataType.FLOAT, l == 0 ? vocab : hidden, rows);
            z[l] = Nd4j.create(DataType.FLOAT, steps, g4, batch);
            c[l] = Nd4j.create(DataType.FLOAT, steps, hidden, batch);
            tc[l] = Nd4j.create(DataType.FLOAT, steps, hidden, batch);
            h[l] = Nd4j.create(DataType.FLOAT, steps, hidden, batch);
            h2d[l] = Nd4j.create(DataType.FLOAT, hidden, rows);
            dz[l] = Nd4j.create(DataType.FLOAT, steps, g4, batch);
            dh[l] = Nd4j.create(DataType.FLOAT, steps, hidden, batch);
            if (l > 0 && keep < 1) {
                mask[l] = Nd4j.create(DataType.FLOAT, hidden, rows);
            }
        }
        if (keep < 1) {
            mask[layers] = Nd4j.create(DataType.FLOAT, hidden, rows);
        }
        y = Nd4j.create(DataType.FLOAT, vocab, rows);
        s = Nd4j.create(DataType.FLOAT, g4, rows);
        dx = Nd4j.create(DataType.FLOAT, hidden, rows);
        outIn = Nd4j.create(DataType.FLOAT, hidden, rows);
        logits = Nd4j.create(DataType.FLOAT, vocab, rows);
        dhRec = Nd4j.create(DataType.FLOAT, hidden, batch);
        dc = Nd4j.create(DataType.FLOAT, hidden, batch);
        tmp = Nd4j.create(DataType.FLOAT, hidden, batch);

        zt = new INDArray[layers][steps];
        gt = new INDArray[layers][steps];
        ft = new INDArray[layers][steps];
        ot = new INDArray[layers][steps];
        it = new INDArray[layers][steps];
        foit = new INDArray[layers][steps];
        ct = new INDArray[layers][steps];
        tct = new INDArray[layers][steps];
        ht = new INDArray[layers][steps];
        dzt = new INDArray[layers][steps];
        dgt = new INDArray[layers][steps];
        dft = new INDArray[layers][steps];
        dot = new INDArray[layers][steps];
        dit = new INDArray[layers][steps];
        dht = new INDArray[layers][steps];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < steps; t++) {
                zt[l][t] = step(z[l], t);
                gt[l][t] = gate(zt[l][t], 0, 1);
                ft[l][t] = gate(zt[l][t], 1, 2);
                ot[l][t] = gate(zt[l][t], 2, 3);
                it[l][t] = gate(zt[l][t], 3, 4);
                foit[l][t] = gate(zt[l][t], 1, 4);
                ct[l][t] = step(c[l], t);
                tct[l][t] = step(tc[l], t);
                ht[l][t] = step(h[l], t);
                dzt[l][t] = step(dz[l], t);
                dgt[l][t] = gate(dzt[l][t], 0, 1);
                dft[l][t] = gate(dzt[l][t], 1, 2);
                dot[l][t] = gate(dzt[l][t], 2, 3);
                dit[l][t] = gate(dzt[l][t], 3, 4);
                dht[l][t] = step(dh[l], t);
            }
        }
    }

    private INDArray gradView(long off, INDArray like) {
        return slice(grad, off, off + like.length()).reshape('f', like.shape());
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
            for (int l = 0; l <= layers; l++) {
                INDArray[] ps = l < layers ? new INDArray[]{w[l], rw[l], b[l]} : new INDArray[]{wOut, bOut};
                for (INDArray p : ps) {
                    INDArray expect = slice(pattern, off, off + p.length()).reshape('f', p.shape());
                    if (!expect.equals(p)) {
                        throw new IllegalStateException("parameter layout differs from DL4J's at offset " + off);
                    }
                    off += p.length();
                }
            }
        } finally {
            flat.assign(saved);
        }
    }

    /** Elements [from, to) of a flat (1 x n or n) contiguous vector, as a 1-d view. */
    private static INDArray slice(INDArray row, long from, long to) {
        return row.reshape(row.length()).get(NDArrayIndex.interval(from, to));
    }

    /** Step t of a [T, F, B] stack: a contiguous [F, B] view. */
    private static INDArray step(INDArray stack, int t) {
        return stack.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** Gates [from, to) of a [4H, B] block: contiguous rows. */
    private INDArray gate(INDArray block, int from, int to) {
        return block.get(NDArrayIndex.interval((long) from * hidden, (long) to * hidden), NDArrayIndex.all());
    }

    /** [F, T*B] (column t*B + i) into a [T, F, B] stack. */
    private void toStack(INDArray flat, INDArray stack) {
        stack.assign(flat.reshape('c', flat.size(0), steps, batch).permute(1, 0, 2));
    }

    /** A [T, F, B] stack into [F, T*B]. */
    private void toFlat(INDArray stack, INDArray flat) {
        flat.reshape('c', flat.size(0), steps, batch).assign(stack.permute(1, 0, 2));
    }

    /**
     * One optimisation step on the windows starting at {@code starts} (each {@code steps + 1} ids
     * long): forward, backward, element-wise clipping, the network's updater (Adam or RMSProp,
     * with its state in the network), parameter update. Returns the loss in nats per character.
     */
    public double fit(IdSequence corpus, long[] starts, long dropoutSeed) {
        double loss = forwardBackward(corpus, starts, dropoutSeed);
        if (clip > 0) {
            Transforms.max(grad, -clip, false);
            Transforms.min(grad, clip, false);
        }
        var conf = net.getLayerWiseConfigurations();
        int iteration = conf.getIterationCount();
        int epoch = conf.getEpochCount();
        for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()) {
            INDArray g = slice(grad, block.getParamOffsetStart(), block.getParamOffsetEnd());
            block.getGradientUpdater().applyUpdater(g, iteration, epoch);
        }
        net.params().reshape(grad.length()).subi(grad);
        conf.setIterationCount(iteration + 1);
        return loss;
    }

    /** Forward and backward pass; leaves the gradient in {@link #gradient()}; returns nats per character. */
    double forwardBackward(IdSequence corpus, long[] starts, long dropoutSeed) {
        if (starts.length != batch) {
            throw new IllegalArgumentException("expected " + batch + " windows, got " + starts.length);
        }
        INDArray x0 = x[0];
        x0.assign(0);
        y.assign(0);
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < steps; t++) {
                long col = (long) t * batch + i;
                x0.putScalar(corpus.id(starts[i] + t), col, 1f);
                y.putScalar(corpus.id(starts[i] + t + 1), col, 1f);
            }
        }
        if (keep < 1) {
            Nd4j.getRandom().setSeed(dropoutSeed);
            for (int l = 1; l <= layers; l++) {
                Nd4j.getExecutioner().exec(new BernoulliDistribution(mask[l], keep), Nd4j.getRandom());
                mask[l].divi(keep);
            }
        }

        forward(true);

        // loss: -sum log p(label), summed over time, averaged over the batch
        double loss = -Evaluator.sumLog(logits.mul(y).sum(0)) / batch;
        if (Double.isNaN(loss)) {
            return loss;
        }

        // backward: output layer
        int top = layers - 1;
        logits.subi(y).divi(batch); // d loss / d logits
        Nd4j.gemm(outIn, logits, gwOut, false, true, 1.0, 0.0);
        gbOut.assign(logits.sum(1).reshape(gbOut.shape()));
        Nd4j.gemm(wOut, logits, dx, false, false, 1.0, 0.0);
        if (keep < 1) {
            dx.muli(mask[layers]);
        }
        toStack(dx, dh[top]);

        for (int l = top; l >= 0; l--) {
            dc.assign(0);
            for (int t = steps - 1; t >= 0; t--) {
                INDArray dht0 = dht[l][t];
                if (t < steps - 1) {
                    dht0.addi(dhRec);
                }
                INDArray o = ot[l][t], f = ft[l][t], i = it[l][t], g = gt[l][t], tcv = tct[l][t];
                // output gate
                o.rsub(1.0, tmp).muli(o);
                dht0.mul(tcv, dot[l][t]).muli(tmp);
                // cell: dc += dh * o * (1 - tanh(c)^2)
                tcv.mul(tcv, tmp).rsubi(1.0).muli(o).muli(dht0);
                dc.addi(tmp);
                // forget gate
                if (t > 0) {
                    f.rsub(1.0, tmp).muli(f);
                    dc.mul(ct[l][t - 1], dft[l][t]).muli(tmp);
                } else {
                    dft[l][t].assign(0);
                }
                // input gate
                i.rsub(1.0, tmp).muli(i);
                dc.mul(g, dit[l][t]).muli(tmp);
                // block input
                g.mul(g, tmp).rsubi(1.0);
                dc.mul(i, dgt[l][t]).muli(tmp);
                // carry to t - 1
                dc.muli(f);
                if (t > 0) {
                    Nd4j.gemm(rw[l], dzt[l][t], dhRec, false, false, 1.0, 0.0);
                }
            }
            toFlat(dz[l], s);
            Nd4j.gemm(x[l], s, gw[l], false, true, 1.0, 0.0);
            if (steps > 1) {
                INDArray hPrev = h2d[l].get(NDArrayIndex.all(), NDArrayIndex.interval(0, rows - batch));
                INDArray dzNext = s.get(NDArrayIndex.all(), NDArrayIndex.interval(batch, rows));
                Nd4j.gemm(hPrev, dzNext, grw[l], false, true, 1.0, 0.0);
            } else {
                grw[l].assign(0);
            }
            gb[l].assign(s.sum(1).reshape(gb[l].shape()));
            if (l > 0) {
                Nd4j.gemm(w[l], s, dx, false, false, 1.0, 0.0);
                if (keep < 1) {
                    dx.muli(mask[l]);
                }
                toStack(dx, dh[l - 1]);
            }
        }
        return loss / steps;
    }

    /** Forward pass over the loaded batch into {@code logits} (softmax probabilities); dropout only when asked. */
    private void forward(boolean dropout) {
        boolean drop = dropout && keep < 1;
        for (int l = 0; l < layers; l++) {
            if (l > 0) {
                if (drop) {
                    h2d[l - 1].mul(mask[l], x[l]);
                } else {
                    x[l].assign(h2d[l - 1]);
                }
            }
            Nd4j.gemm(w[l], x[l], s, true, false, 1.0, 0.0);
            s.addiColumnVector(b[l].reshape(4L * hidden, 1));
            toStack(s, z[l]);
            for (int t = 0; t < steps; t++) {
                if (t > 0) {
                    Nd4j.gemm(rw[l], ht[l][t - 1], zt[l][t], true, false, 1.0, 1.0);
                }
                Transforms.tanh(gt[l][t], false);
                Transforms.sigmoid(foit[l][t], false);
                if (t > 0) {
                    ft[l][t].mul(ct[l][t - 1], ct[l][t]);
                    it[l][t].mul(gt[l][t], tmp);
                    ct[l][t].addi(tmp);
                } else {
                    it[l][t].mul(gt[l][t], ct[l][t]);
                }
                Nd4j.getExecutioner().exec(new Tanh(ct[l][t], tct[l][t]));
                ot[l][t].mul(tct[l][t], ht[l][t]);
            }
            toFlat(h[l], h2d[l]);
        }
        int top = layers - 1;
        if (drop) {
            h2d[top].mul(mask[layers], outIn);
        } else {
            outIn.assign(h2d[top]);
        }
        Nd4j.gemm(wOut, outIn, logits, true, false, 1.0, 0.0);
        logits.addiColumnVector(bOut.reshape(vocab, 1));
        Nd4j.exec(new SoftMax(logits, logits, 0));

    }

    /**
     * Cross-entropy over every transition of {@code [start, start + length)} in windows of the
     * sequence length (state reset per window), as {@link Evaluator} computes it through DL4J, but
     * with this class's forward pass. Unused columns of the last batch and the tail of a short last
     * window are left out of the sum.
     */
    public Evaluator.Loss evaluate(IdSequence corpus, long start, long length) {
        long transitions = Math.max(0, length - 1);
        long windows = (transitions + steps - 1) / steps;
        double total = 0;
        long count = 0;
        INDArray x0 = x[0];
        for (long w0 = 0; w0 < windows; w0 += batch) {
            x0.assign(0);
            y.assign(0);
            for (int i = 0; i < batch && w0 + i < windows; i++) {
                long base = start + (w0 + i) * steps;
                long here = Math.min(steps, transitions - (w0 + i) * steps);
                for (int t = 0; t < here; t++) {
                    long col = (long) t * batch + i;
                    x0.putScalar(corpus.id(base + t), col, 1f);
                    y.putScalar(corpus.id(base + t + 1), col, 1f);
                }
                count += here;
            }
            forward(false);
            INDArray labelled = y.sum(0);                       // 1 where a label exists, else 0
            INDArray p = logits.mul(y).sum(0).addi(labelled.rsub(1.0)); // unlabelled columns: p = 1, log p = 0
            total -= Evaluator.sumLog(p);
        }
        return new Evaluator.Loss(count == 0 ? Double.NaN : total / count, count);
    }

    /** The flat gradient of the last {@link #forwardBackward} call, in the network's parameter order. */
    INDArray gradient() {
        return grad;
    }
}
