package charrnn.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.BaseRecurrentLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

/**
 * The GRU layer of a {@link Gru} configuration: forward, backward (by hand, from the gates the
 * forward pass kept) and the stored state of {@code rnnTimeStep}, all in ND4J operations so that
 * any backend runs it. Sequences are [batch, features, time] (DL4J's NCW; NWC is permuted).
 * A feature mask [batch, time] zeroes the output of masked steps; the recurrence runs through
 * them unmasked (DL4J's SimpleRnn does the same), which is exact for trailing padding.
 */
public class GruLayer extends BaseRecurrentLayer<Gru> {
    /** The key of the previous output in the state maps, the same as DL4J's LSTM and SimpleRnn use. */
    public static final String STATE_KEY_PREV_ACTIVATION = "prevAct";

    private INDArray tbpttStart; // the state the last stored-state pass started from, for its backward pass

    public GruLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What the forward pass leaves: outputs (unmasked) and, for the backward pass, the gates per step. */
    private record Forward(INDArray out, INDArray h, INDArray r, INDArray z, INDArray n, INDArray hn,
                           INDArray last) {
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasLayerNorm() {
        return false;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return forward(null, training, false, workspaceMgr).out();
    }

    @Override
    public INDArray rnnTimeStep(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        Forward f = forward(stateMap.get(STATE_KEY_PREV_ACTIVATION), false, false, workspaceMgr);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            stateMap.put(STATE_KEY_PREV_ACTIVATION, f.last().detach());
        }
        return f.out();
    }

    @Override
    public INDArray rnnActivateUsingStoredState(INDArray input, boolean training, boolean storeLastForTBPTT,
                                                LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        INDArray start = tBpttStateMap.get(STATE_KEY_PREV_ACTIVATION);
        Forward f = forward(start, training, false, workspaceMgr);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            tbpttStart = start == null ? null : start.detach();
            if (storeLastForTBPTT) {
                tBpttStateMap.put(STATE_KEY_PREV_ACTIVATION, f.last().detach());
            }
        }
        return f.out();
    }

    @Override
    public void rnnClearPreviousState() {
        super.rnnClearPreviousState();
        tbpttStart = null;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, null, -1, workspaceMgr);
    }

    /** From the state the last {@code rnnActivateUsingStoredState} pass started from, over its last {@code length} steps. */
    @Override
    public Pair<Gradient, INDArray> tbpttBackpropGradient(INDArray epsilon, int length, LayerWorkspaceMgr workspaceMgr) {
        return backward(epsilon, tbpttStart, length, workspaceMgr);
    }

    private Forward forward(INDArray prev, boolean training, boolean forBackprop, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = sequence(input);
        long m = x.size(0);
        long steps = x.size(2);
        long hidden = layerConf().getNOut();
        INDArray w = getParamWithNoise(GruParamInitializer.INPUT_WEIGHT_KEY, training, workspaceMgr);
        INDArray rw = getParamWithNoise(GruParamInitializer.RECURRENT_WEIGHT_KEY, training, workspaceMgr);
        INDArray b = getParamWithNoise(GruParamInitializer.BIAS_KEY, training, workspaceMgr).reshape(1, 4 * hidden);
        INDArray bGates = b.get(all(), interval(0, 3 * hidden));
        INDArray bHn = b.get(all(), interval(3 * hidden, 4 * hidden));
        long[] shape = {m, hidden, steps};
        INDArray h = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, shape, 'f');
        INDArray rs = null, zs = null, ns = null, hns = null;
        if (forBackprop) {
            rs = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, shape, 'f');
            zs = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, shape, 'f');
            ns = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, shape, 'f');
            hns = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, shape, 'f');
        }
        INDArray hPrev = prev == null ? null : prev.castTo(dataType);
        for (long t = 0; t < steps; t++) {
            INDArray pre = x.get(all(), all(), point(t)).mmul(w).addiRowVector(bGates); // [m, 3H]: x W + b
            INDArray hn; // h RW_n + b_hn
            if (hPrev != null) {
                INDArray rec = hPrev.mmul(rw);
                pre.get(all(), interval(0, 2 * hidden)).addi(rec.get(all(), interval(0, 2 * hidden)));
                hn = rec.get(all(), interval(2 * hidden, 3 * hidden)).addiRowVector(bHn);
            } else {
                hn = Nd4j.zeros(dataType, m, hidden).addiRowVector(bHn);
            }
            INDArray r = Transforms.sigmoid(pre.get(all(), interval(0, hidden)), true);
            INDArray z = Transforms.sigmoid(pre.get(all(), interval(hidden, 2 * hidden)), true);
            INDArray n = Transforms.tanh(pre.get(all(), interval(2 * hidden, 3 * hidden)).addi(r.mul(hn)), true);
            // h' = (1 - z) * n + z * h = n + z * (h - n)
            INDArray next = hPrev == null ? n.mul(z.rsub(1.0)) : hPrev.sub(n).muli(z).addi(n);
            INDArray ht = h.get(all(), all(), point(t));
            ht.assign(next);
            if (forBackprop) {
                rs.get(all(), all(), point(t)).assign(r);
                zs.get(all(), all(), point(t)).assign(z);
                ns.get(all(), all(), point(t)).assign(n);
                hns.get(all(), all(), point(t)).assign(hn);
            }
            hPrev = ht;
        }
        INDArray last = steps == 0 ? prev : hPrev;
        INDArray out = h;
        if (maskArray != null) {
            out = workspaceMgr.dup(ArrayType.ACTIVATIONS, h, 'f');
            for (long t = 0; t < steps; t++) {
                out.get(all(), all(), point(t)).muliColumnVector(maskArray.getColumn(t, true).castTo(dataType));
            }
        }
        return new Forward(permuteIfNWC(out), h, rs, zs, ns, hns, last);
    }

    /** The input as [batch, features, time]: NWC permuted, one step of [batch, features] given a time axis. */
    private INDArray sequence(INDArray in) {
        if (in.rank() == 2) {
            return in.reshape(in.size(0), in.size(1), 1);
        }
        if (in.rank() != 3) {
            throw new IllegalStateException("GRU layer " + layerId() + ": expected input of rank 3, got shape "
                    + java.util.Arrays.toString(in.shape()));
        }
        return permuteIfNWC(in);
    }

    private Pair<Gradient, INDArray> backward(INDArray epsilon, INDArray prev, int length,
                                              LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        Forward f = forward(prev, true, true, workspaceMgr);
        INDArray x = sequence(input);
        INDArray eps = sequence(epsilon);
        long steps = x.size(2);
        long hidden = layerConf().getNOut();
        INDArray w = getParamWithNoise(GruParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr);
        INDArray rw = getParamWithNoise(GruParamInitializer.RECURRENT_WEIGHT_KEY, true, workspaceMgr);
        INDArray wg = gradientViews.get(GruParamInitializer.INPUT_WEIGHT_KEY);
        INDArray rwg = gradientViews.get(GruParamInitializer.RECURRENT_WEIGHT_KEY);
        INDArray bg = gradientViews.get(GruParamInitializer.BIAS_KEY).reshape(1, 4 * hidden);
        gradientsFlattened.assign(0);
        INDArray bgGates = Nd4j.zeros(dataType, 1, 3 * hidden);
        INDArray bgHn = Nd4j.zeros(dataType, 1, hidden);
        INDArray dx = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'f');
        INDArray h0 = prev == null ? null : prev.castTo(dataType);
        long end = length > 0 ? Math.max(0, steps - length) : 0;
        INDArray dhNext = null; // the gradient reaching h_t through step t + 1
        for (long t = steps - 1; t >= end; t--) {
            INDArray dh = eps.get(all(), all(), point(t)).castTo(dataType).dup();
            if (maskArray != null) {
                dh.muliColumnVector(maskArray.getColumn(t, true).castTo(dataType));
            }
            if (dhNext != null) {
                dh.addi(dhNext);
            }
            INDArray r = f.r().get(all(), all(), point(t));
            INDArray z = f.z().get(all(), all(), point(t));
            INDArray n = f.n().get(all(), all(), point(t));
            INDArray hn = f.hn().get(all(), all(), point(t));
            INDArray hPrev = t > 0 ? f.h().get(all(), all(), point(t - 1)) : h0;
            INDArray dnPre = dh.mul(z.rsub(1.0)).muli(n.mul(n).rsubi(1.0));
            INDArray dzPre = (hPrev == null ? n.neg() : hPrev.sub(n)).muli(dh).muli(z).muli(z.rsub(1.0));
            INDArray drPre = dnPre.mul(hn).muli(r).muli(r.rsub(1.0));
            INDArray dnRec = dnPre.mul(r);
            INDArray dIn = Nd4j.hstack(drPre, dzPre, dnPre);   // [m, 3H]: of x W + b
            INDArray dRec = Nd4j.hstack(drPre, dzPre, dnRec);  // [m, 3H]: of h RW (+ b_hn for n)
            Nd4j.gemm(x.get(all(), all(), point(t)), dIn, wg, true, false, 1.0, 1.0);
            if (hPrev != null) {
                Nd4j.gemm(hPrev, dRec, rwg, true, false, 1.0, 1.0);
            }
            bgGates.addi(dIn.sum(true, 0));
            bgHn.addi(dnRec.sum(true, 0));
            dx.get(all(), all(), point(t)).assign(dIn.mmul(w.transpose()));
            dhNext = dRec.mmul(rw.transpose()).addi(dh.muli(z));
        }
        bg.get(all(), interval(0, 3 * hidden)).assign(bgGates);
        bg.get(all(), interval(3 * hidden, 4 * hidden)).assign(bgHn);
        weightNoiseParams.clear();
        Gradient g = new DefaultGradient(gradientsFlattened);
        g.gradientForVariable().put(GruParamInitializer.INPUT_WEIGHT_KEY, wg);
        g.gradientForVariable().put(GruParamInitializer.RECURRENT_WEIGHT_KEY, rwg);
        g.gradientForVariable().put(GruParamInitializer.BIAS_KEY, gradientViews.get(GruParamInitializer.BIAS_KEY));
        INDArray dInput = input.rank() == 2 ? dx.reshape(dx.size(0), dx.size(1)) : permuteIfNWC(dx);
        return new Pair<>(g, backpropDropOutIfPresent(dInput));
    }
}
